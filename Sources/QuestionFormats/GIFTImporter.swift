public import Foundation
import HoclieuCore

/// Reads Moodle's GIFT text format.
///
/// Questions are separated by blank lines; lines starting with `//` are comments (items
/// `[id:X]` and `[tag:X]` in the comments just above a question give its idnumber and tags,
/// the way ``GIFTExporter`` writes them). Supported:
/// `$CATEGORY: path`, `::title::`, `[html]`/`[moodle]`/`[plain]`/`[markdown]` formats (on the
/// question, answers and feedback), `{=right ~wrong}` (single choice; without `=` multiple
/// response), `~%50%` / `=%50%` weights, `#feedback`, `{T}`/`{F}`/`{TRUE}`/`{FALSE}` with
/// `#wrong#right` feedback, numeric `{#3.14:0.01}`, `{#1..2}` and several `=` answers, short
/// answers `{=a =%50%b}`, matching `{=a -> b}` (an empty left side is an extra answer), essay `{}`,
/// `####general feedback`, text after the answers (missing-word style: the answers become
/// `_____`), the escapes `\~ \= \# \{ \} \: \\ \n`. A question without answer block is a
/// description: skipped with a note. Bytes that are not UTF-8 are read as Windows-1252.
public enum GIFTImporter {
    /// Imports GIFT text.
    public static func importQuestions(from data: Data, options: QuestionImportOptions = QuestionImportOptions()) -> QuestionImportResult {
        ImportAccumulator.importText(data, format: .gift, options: options) { text, accumulator in
            var parser = GIFTParser(accumulator: accumulator)
            parser.parse(text)
            return parser.accumulator
        }
    }

    /// Imports a GIFT file (the size limit is checked before reading).
    public static func importQuestions(contentsOf url: URL, options: QuestionImportOptions = QuestionImportOptions()) -> QuestionImportResult {
        ImportAccumulator.importFile(url, format: .gift, options: options, importer: importQuestions(from:options:))
    }
}

/// A character of GIFT source and whether it was escaped with a backslash.
struct GChar: Equatable {
    var ch: Character
    var escaped: Bool
}

typealias GText = ArraySlice<GChar>

extension ArraySlice where Element == GChar {
    var string: String { String(map(\.ch)) }
    var trimmedSlice: GText {
        var slice = self
        while let first = slice.first, !first.escaped, first.ch.isWhitespace { slice = slice.dropFirst() }
        while let last = slice.last, !last.escaped, last.ch.isWhitespace { slice = slice.dropLast() }
        return slice
    }

    func firstUnescaped(_ literal: String, from start: Int? = nil) -> Int? {
        let pattern = Array(literal)
        var i = start ?? startIndex
        while i + pattern.count <= endIndex {
            var match = true
            for (offset, ch) in pattern.enumerated() where self[i + offset].escaped || self[i + offset].ch != ch {
                match = false
                break
            }
            if match { return i }
            i += 1
        }
        return nil
    }

    func lastUnescaped(_ ch: Character) -> Int? {
        lastIndex { !$0.escaped && $0.ch == ch }
    }

    func containsUnescaped(_ ch: Character) -> Bool { contains { !$0.escaped && $0.ch == ch } }

    func split(unescaped separator: Character) -> [GText] {
        var parts: [GText] = []
        var start = startIndex
        for i in indices where !self[i].escaped && self[i].ch == separator {
            parts.append(self[start..<i])
            start = i + 1
        }
        parts.append(self[start..<endIndex])
        return parts
    }

    /// Splits before each unescaped character of `markers`, keeping the marker at the start of its part.
    func split(before markers: Set<Character>) -> [GText] {
        var parts: [GText] = []
        var start = startIndex
        for i in indices where i > start && !self[i].escaped && markers.contains(self[i].ch) {
            parts.append(self[start..<i])
            start = i
        }
        parts.append(self[start..<endIndex])
        return parts
    }
}

struct GIFTParser {
    var accumulator: ImportAccumulator
    var category: String?

    init(accumulator: ImportAccumulator) {
        self.accumulator = accumulator
    }

    /// Escapes: `\~ \= \# \{ \} \: \\` keep the character literally; `\n` is a line break.
    static func tokenize(_ text: String) -> [GChar] {
        var result: [GChar] = []
        result.reserveCapacity(text.count)
        var iterator = text.makeIterator()
        while let ch = iterator.next() {
            guard ch == "\\" else {
                result.append(GChar(ch: ch, escaped: false))
                continue
            }
            guard let next = iterator.next() else {
                result.append(GChar(ch: "\\", escaped: false))
                break
            }
            switch next {
            case "~", "=", "#", "{", "}", ":", "\\": result.append(GChar(ch: next, escaped: true))
            case "n": result.append(GChar(ch: "\n", escaped: true))
            default:
                result.append(GChar(ch: "\\", escaped: false))
                result.append(GChar(ch: next, escaped: false))
            }
        }
        return result
    }

    mutating func parse(_ text: String) {
        var block: [String] = []
        var blockLine = 0
        var comments: [String] = []
        var lineNumber = 0
        for line in TextDecoding.lines(text) + [""] {
            lineNumber += 1
            let trimmedLine = line.trimmed
            if trimmedLine.hasPrefix("//") {
                comments.append(String(trimmedLine.dropFirst(2)))
                continue
            }
            if trimmedLine.isEmpty {
                if !block.isEmpty {
                    guard !accumulator.tooManyQuestions else {
                        accumulator.fileErrors.append(Messages.tooManyQuestions(accumulator.options.maxQuestions))
                        return
                    }
                    readBlock(block.joined(separator: "\n"), line: blockLine, comments: comments)
                    block = []
                }
                comments = []
                continue
            }
            if block.isEmpty { blockLine = lineNumber }
            block.append(line)
        }
        if accumulator.entries.isEmpty, accumulator.categories.isEmpty {
            accumulator.fileErrors.append(.init(code: "noQuestions", vi: "Không tìm thấy câu hỏi GIFT nào", en: "No GIFT questions found"))
        }
    }

    /// The `[format]` at the start of a text, and the rest.
    static func format(_ text: GText, default defaultFormat: RichText.Format) -> (RichText.Format, GText) {
        let trimmed = text.trimmedSlice
        guard let first = trimmed.first, first.ch == "[", !first.escaped,
            let close = trimmed.firstIndex(where: { $0.ch == "]" }), close - trimmed.startIndex <= 20,
            let format = RichText.Format(moodleName: trimmed[(trimmed.startIndex + 1)..<close].string)
        else { return (defaultFormat, trimmed) }
        return (format, trimmed[(close + 1)...].trimmedSlice)
    }

    static func richText(_ text: GText, default defaultFormat: RichText.Format) -> RichText {
        let (format, rest) = Self.format(text, default: defaultFormat)
        return RichText(rest.string, format: format)
    }

    static func optionalRichText(_ text: GText?, default defaultFormat: RichText.Format) -> RichText? {
        guard let text else { return nil }
        let rich = richText(text, default: defaultFormat)
        return rich.html.isEmpty ? nil : rich
    }

    /// `%50%` at the start: the fraction and the rest.
    static func weight(_ text: GText) -> (Double?, GText, valid: Bool) {
        let trimmed = text.trimmedSlice
        guard let first = trimmed.first, first.ch == "%", !first.escaped,
            let close = trimmed.dropFirst().firstIndex(where: { $0.ch == "%" && !$0.escaped })
        else { return (nil, trimmed, true) }
        let number = trimmed[(trimmed.startIndex + 1)..<close].string
        guard let value = Double(number) else { return (nil, trimmed[(close + 1)...], false) }
        return (value / 100, trimmed[(close + 1)...], true)
    }

    /// `text#feedback`.
    static func feedback(_ text: GText) -> (GText, GText?) {
        guard let hash = text.firstUnescaped("#") else { return (text.trimmedSlice, nil) }
        return (text[..<hash].trimmedSlice, text[(hash + 1)...].trimmedSlice)
    }

    mutating func readBlock(_ source: String, line: Int, comments: [String]) {
        var source = String(source.drop(while: \.isWhitespace))
        var line = line
        if source.hasPrefix("$CATEGORY:") {
            // The category is its first line; a question written right under it (without the
            // blank line GIFT expects) is read as a question of that category.
            let lines = source.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            let path = lines[0].dropFirst("$CATEGORY:".count).trimmingCharacters(in: .whitespaces)
            accumulator.categories.append(QuestionCategory(path: path))
            category = path
            guard lines.count > 1, !lines[1].allSatisfy(\.isWhitespace) else { return }
            source = String(lines[1])
            line += 1
        }
        var text = Self.tokenize(source)[...].trimmedSlice
        let number = accumulator.nextNumber()
        let location = QuestionSourceLocation(line: line)
        var context = QuestionContext(number: number, location: location)
        var title = ""
        if text.count >= 2, text.prefix(2).allSatisfy({ $0.ch == ":" && !$0.escaped }),
            let close = text.firstUnescaped("::", from: text.startIndex + 2)
        {
            title = text[(text.startIndex + 2)..<close].string.trimmed
            text = text[(close + 2)...].trimmedSlice
        }
        let (questionFormat, body) = Self.format(text, default: .moodleAutoFormat)
        guard let open = body.firstIndex(where: { $0.ch == "{" && !$0.escaped }) else {
            accumulator.addNotImported(
                number: number, title: title, sourceType: "description", location: location, outcome: .skipped,
                reason: context.message("descriptionSkipped", vi: "không có phần đáp án { }: coi là mô tả, đã bỏ qua", en: "no answer block { }: a description; skipped")
            )
            return
        }
        guard let close = body.lastUnescaped("}"), close > open else {
            accumulator.addInvalid(
                number: number, title: title, sourceType: "?", location: location,
                errors: [context.message("unclosedAnswers", vi: "thiếu dấu } đóng phần đáp án", en: "the answer block has no closing }")]
            )
            return
        }
        let before = body[..<open]
        let after = body[(close + 1)...]
        let stemText = after.trimmedSlice.isEmpty ? before.string.trimmed : (before.string + "_____" + after.string).trimmed
        var answers = body[(open + 1)..<close].trimmedSlice
        var generalFeedback: RichText?
        if let split = answers.firstUnescaped("####") {
            generalFeedback = Self.optionalRichText(answers[(split + 4)...], default: questionFormat)
            answers = answers[..<split].trimmedSlice
        }
        var question = Question(
            id: "", title: title, stem: RichText(stemText, format: questionFormat), generalFeedback: generalFeedback, category: category,
            body: .essay(EssayQuestion())
        )
        for comment in comments {
            for (key, value) in Self.bracketItems(comment) {
                if key == "id" { question.idNumber = value }
                if key == "tag" { question.tags.append(value) }
            }
        }
        let sourceType: String
        let answerWithoutFeedback = Self.feedback(answers).0.string.uppercased()
        if answers.isEmpty {
            sourceType = "essay"
        } else if answers.first?.ch == "#", answers.first?.escaped == false {
            sourceType = "numerical"
            question.body = .numeric(readNumeric(answers.dropFirst(), format: questionFormat, context: &context))
        } else if answers.containsUnescaped("~") {
            sourceType = "multichoice"
            question.body = readChoice(answers, format: questionFormat, context: &context)
        } else if ["T", "F", "TRUE", "FALSE"].contains(answerWithoutFeedback) {
            sourceType = "truefalse"
            let parts = answers.split(unescaped: "#")
            let correct = answerWithoutFeedback.hasPrefix("T")
            let wrongFeedback = parts.count > 1 ? Self.optionalRichText(parts[1], default: questionFormat) : nil
            let rightFeedback = parts.count > 2 ? Self.optionalRichText(Array(parts[2...].joined(separator: [GChar(ch: "#", escaped: true)]))[...], default: questionFormat) : nil
            question.body = .trueFalse(TrueFalseQuestion(
                correctAnswer: correct, feedbackTrue: correct ? rightFeedback : wrongFeedback, feedbackFalse: correct ? wrongFeedback : rightFeedback
            ))
        } else if answers.containsUnescaped("="), answers.firstUnescaped("->") != nil {
            sourceType = "matching"
            question.body = .matching(readMatching(answers, format: questionFormat, context: &context))
        } else {
            sourceType = "shortanswer"
            question.body = .shortText(readShortText(answers, format: questionFormat, context: &context))
        }
        // Hoclieu metadata carried in tags.
        let tags = question.tags
        question.tags = []
        MoodleXMLReader.applyTags(tags, to: &question, context: &context)
        accumulator.add(question, number: number, sourceType: sourceType, location: location, errors: context.errors, warnings: context.warnings)
    }

    /// The `[key:value]` items of a comment line, e.g. `[id:A1] [tag:đại số]`.
    static func bracketItems(_ comment: String) -> [(String, String)] {
        var items: [(String, String)] = []
        var rest = Substring(comment)
        while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]") {
            let inside = rest[rest.index(after: open)..<close]
            if let colon = inside.firstIndex(of: ":") {
                let key = String(inside[..<colon]).trimmed
                if key == "id" || key == "tag" { items.append((key, String(inside[inside.index(after: colon)...]).trimmed)) }
            }
            rest = rest[rest.index(after: close)...]
        }
        return items
    }

    func readChoice(_ answers: GText, format: RichText.Format, context: inout QuestionContext) -> QuestionBody {
        var options: [ChoiceOption] = []
        for part in answers.split(before: ["=", "~"]) {
            let trimmed = part.trimmedSlice
            guard let marker = trimmed.first, !marker.escaped, marker.ch == "=" || marker.ch == "~" else {
                if !trimmed.isEmpty {
                    context.error("textOutsideAnswer", vi: "có chữ \"\(trimmed.string)\" không thuộc đáp án nào", en: "text \"\(trimmed.string)\" belongs to no answer")
                }
                continue
            }
            var (fraction, rest, valid) = Self.weight(trimmed.dropFirst())
            if !valid { context.error("invalidWeight", vi: "tỉ lệ điểm không hợp lệ", en: "a weight is not a number") }
            if fraction == nil { fraction = marker.ch == "=" ? 1 : 0 }
            let (text, feedback) = Self.feedback(rest)
            options.append(ChoiceOption(
                id: optionID(options.count), text: Self.richText(text, default: format), fraction: fraction ?? 0,
                feedback: Self.optionalRichText(feedback, default: format)
            ))
        }
        let choice = ChoiceQuestion(options: options)
        return answers.containsUnescaped("=") ? .singleChoice(choice) : .multipleResponse(choice)
    }

    func readNumeric(_ answers: GText, format: RichText.Format, context: inout QuestionContext) -> NumericQuestion {
        var body = answers
        var wrongFeedback: GText?
        if let tilde = body.firstIndex(where: { $0.ch == "~" && !$0.escaped }) {
            wrongFeedback = body[(tilde + 1)...]
            body = body[..<tilde]
        }
        var parts = body.split(unescaped: "=")
        if let first = parts.first, first.trimmedSlice.isEmpty { parts.removeFirst() }
        var keys: [NumericKey] = []
        for part in parts {
            var (fraction, rest, valid) = Self.weight(part)
            if !valid { context.error("invalidWeight", vi: "tỉ lệ điểm không hợp lệ", en: "a weight is not a number") }
            if fraction == nil { fraction = 1 }
            let (value, feedback) = Self.feedback(rest)
            let text = value.string.trimmed
            var answer = text
            var tolerance: Decimal = 0
            if let range = text.range(of: ".."), range.lowerBound != text.startIndex {
                let low = NumericParsing.parse(String(text[..<range.lowerBound]))
                let high = NumericParsing.parse(String(text[range.upperBound...]))
                if let low, let high {
                    let middle = (low + high) / 2
                    answer = "\(middle)"
                    tolerance = high - middle
                } else {
                    context.error("numericAnswerUnparseable", vi: "khoảng \"\(text)\" không đọc được", en: "the range \"\(text)\" is not a pair of numbers")
                }
            } else if let colon = text.firstIndex(of: ":") {
                answer = String(text[..<colon]).trimmed
                let toleranceText = String(text[text.index(after: colon)...]).trimmed
                if let value = NumericParsing.parse(toleranceText) { tolerance = value } else {
                    context.error("invalidTolerance", vi: "sai số \"\(toleranceText)\" không phải là số", en: "the tolerance \"\(toleranceText)\" is not a number")
                }
            }
            keys.append(NumericKey(answer: answer, tolerance: tolerance, fraction: fraction ?? 1, feedback: Self.optionalRichText(feedback, default: format)))
        }
        if let wrongFeedback {
            let (_, feedback) = Self.feedback(wrongFeedback)
            keys.append(NumericKey(answer: "*", fraction: 0, feedback: Self.optionalRichText(feedback, default: format)))
        }
        return NumericQuestion(keys: keys)
    }

    func readMatching(_ answers: GText, format: RichText.Format, context: inout QuestionContext) -> MatchingQuestion {
        var pairs: [MatchPair] = []
        var distractors: [String] = []
        for part in answers.split(unescaped: "=").dropFirst() {
            guard let arrow = part.firstUnescaped("->") else {
                context.error("invalidPair", vi: "cặp \"\(part.string.trimmed)\" thiếu dấu ->", en: "pair \"\(part.string.trimmed)\" has no ->")
                continue
            }
            let prompt = Self.richText(part[..<arrow], default: format)
            let answer = part[(arrow + 2)...].string.trimmed
            if prompt.html.isEmpty {
                distractors.append(answer)
            } else {
                pairs.append(MatchPair(id: optionID(pairs.count), prompt: prompt, answer: answer))
            }
        }
        if let leading = answers.split(unescaped: "=").first, !leading.trimmedSlice.isEmpty {
            context.error("textOutsideAnswer", vi: "có chữ trước cặp ghép đầu tiên", en: "text before the first pair")
        }
        return MatchingQuestion(pairs: pairs, distractors: distractors)
    }

    func readShortText(_ answers: GText, format: RichText.Format, context: inout QuestionContext) -> ShortTextQuestion {
        var keys: [ShortTextKey] = []
        let parts = answers.split(unescaped: "=")
        if let leading = parts.first, !leading.trimmedSlice.isEmpty {
            context.error(
                "unknownAnswerSyntax", vi: "không hiểu phần đáp án \"\(answers.string)\"", en: "cannot read the answer block \"\(answers.string)\""
            )
        }
        for part in parts.dropFirst() {
            var (fraction, rest, valid) = Self.weight(part)
            if !valid { context.error("invalidWeight", vi: "tỉ lệ điểm không hợp lệ", en: "a weight is not a number") }
            if fraction == nil { fraction = 1 }
            let (text, feedback) = Self.feedback(rest)
            keys.append(ShortTextKey(pattern: text.string, fraction: fraction ?? 1, feedback: Self.optionalRichText(feedback, default: format)))
        }
        return ShortTextQuestion(keys: keys)
    }
}
