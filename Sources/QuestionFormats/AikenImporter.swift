public import Foundation
import HoclieuCore

/// Reads the Aiken format: single-choice questions written as
///
/// ```
/// Question text (one or more lines)
/// A) option        (or "A. option"; the space after the mark is optional)
/// B) option
/// ANSWER: B
/// ```
///
/// Blank lines are ignored. Texts are plain text. A question whose options start before any
/// text, whose `ANSWER:` is missing (the next question starts, or the file ends) or names no
/// option, or that has fewer than two options, is invalid and reported with its line.
/// Bytes that are not UTF-8 are read as Windows-1252.
public enum AikenImporter {
    /// Imports Aiken text.
    public static func importQuestions(from data: Data, options: QuestionImportOptions = QuestionImportOptions()) -> QuestionImportResult {
        ImportAccumulator.importText(data, format: .aiken, options: options) { text, accumulator in
            var parser = AikenParser(accumulator: accumulator)
            parser.parse(text)
            return parser.accumulator
        }
    }

    /// Imports an Aiken file (the size limit is checked before reading).
    public static func importQuestions(contentsOf url: URL, options: QuestionImportOptions = QuestionImportOptions()) -> QuestionImportResult {
        ImportAccumulator.importFile(url, format: .aiken, options: options, importer: importQuestions(from:options:))
    }
}

struct AikenParser {
    var accumulator: ImportAccumulator

    struct Pending {
        var line: Int
        var text: [String] = []
        var options: [(letter: Character, text: String)] = []
        /// Options came before any question text.
        var orphan = false
    }

    var pending: Pending?

    init(accumulator: ImportAccumulator) {
        self.accumulator = accumulator
    }

    /// `A) text` / `A. text`: the letter and the text.
    static func option(_ line: String) -> (Character, String)? {
        let chars = Array(line)
        guard chars.count >= 2, let letter = chars.first, letter.isASCII, letter.isUppercase, chars[1] == ")" || chars[1] == "." else {
            return nil
        }
        return (letter, String(chars[2...]).trimmed)
    }

    mutating func parse(_ text: String) {
        var lineNumber = 0
        for rawLine in TextDecoding.lines(text) {
            lineNumber += 1
            let line = rawLine.trimmed
            if line.isEmpty { continue }
            if accumulator.tooManyQuestions {
                accumulator.fileErrors.append(Messages.tooManyQuestions(accumulator.options.maxQuestions))
                return
            }
            if line.hasPrefix("ANSWER:") {
                let answer = String(line.dropFirst("ANSWER:".count)).trimmed
                if let current = pending {
                    finish(current, answer: answer)
                } else {
                    let number = accumulator.nextNumber()
                    accumulator.addInvalid(
                        number: number, title: "", sourceType: "aiken", location: .init(line: lineNumber),
                        errors: [Messages.question(number, code: "answerWithoutQuestion", vi: "dòng ANSWER không thuộc câu hỏi nào", en: "an ANSWER line belongs to no question", at: .init(line: lineNumber))]
                    )
                }
                pending = nil
            } else if let (letter, optionText) = Self.option(line), pending.map({ !$0.text.isEmpty || $0.orphan }) ?? true {
                if pending == nil { pending = Pending(line: lineNumber, orphan: true) }
                pending?.options.append((letter, optionText))
            } else if var current = pending, current.options.isEmpty, !current.orphan {
                current.text.append(line)
                pending = current
            } else {
                if let current = pending { finish(current, answer: nil) }
                pending = Pending(line: lineNumber, text: [line])
            }
        }
        if let current = pending { finish(current, answer: nil) }
    }

    mutating func finish(_ item: Pending, answer: String?) {
        let number = accumulator.nextNumber()
        let location = QuestionSourceLocation(line: item.line)
        let title = item.text.first ?? ""
        func error(_ code: String, _ vi: String, _ en: String) -> QuestionFormatMessage {
            Messages.question(number, code: code, vi: vi, en: en, at: location)
        }
        if item.orphan {
            accumulator.addInvalid(
                number: number, title: title, sourceType: "aiken", location: location,
                errors: [error("questionNotStarted", "các phương án đứng trước nội dung câu hỏi", "options come before any question text")]
            )
            return
        }
        guard let answer else {
            accumulator.addInvalid(
                number: number, title: title, sourceType: "aiken", location: location,
                errors: [error("questionNotCompleted", "thiếu dòng ANSWER: không tìm thấy đáp án đúng", "the ANSWER line is missing: no correct answer found")]
            )
            return
        }
        var errors: [QuestionFormatMessage] = []
        let letters = item.options.map(\.letter)
        if answer.count != 1 || !letters.contains(Character(answer)) {
            errors.append(error("noCorrectAnswer", "không tìm thấy đáp án đúng (ANSWER: \(answer))", "no correct answer found (ANSWER: \(answer))"))
        }
        if Set(letters).count != letters.count {
            errors.append(error("duplicateOptionLetters", "các chữ cái phương án bị trùng", "option letters repeat"))
        }
        let options = item.options.enumerated().map { index, option in
            ChoiceOption(id: optionID(index), text: .plain(option.text), correct: String(option.letter) == answer)
        }
        let question = Question(
            id: "", title: title, stem: .plain(item.text.joined(separator: "\n")),
            body: .singleChoice(ChoiceQuestion(options: options, shuffle: false))
        )
        accumulator.add(question, number: number, sourceType: "aiken", location: location, errors: errors)
    }
}
