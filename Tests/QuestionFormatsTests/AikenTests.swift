import ConformanceCorpus
import Foundation
import HoclieuCore
import QuestionFormats
import Testing

@Suite("Aiken")
struct AikenTests {
    @Test("questions.aiken.txt: two single-choice questions, text kept as plain text", .needsCorpus)
    func corpusQuestions() throws {
        let result = AikenImporter.importQuestions(contentsOf: try Corpus.url("other-formats/aiken/questions.aiken.txt"))
        #expect(result.report.allErrors.isEmpty)
        #expect(result.report.importedByType == [.singleChoice: 2])
        let second = result.questions[1]
        #expect(second.stem == .plain("Moodle's abilities include handling user input that includes <html class=\"cool\"> & images:"))
        #expect(second.score(.choice("a")) == 1)
        #expect(result.questions[0].score(.choice("b")) == 1)
        #expect(result.questions[0].score(.choice("a")) == 0)
        guard case .singleChoice(let choice) = result.questions[0].body else { Issue.record("expected single choice"); return }
        #expect(choice.options.map(\.text.html) == ["Petr Skoda", "Martin Dougiamas", "Eloy Lafuente", "Tim Hunt"])
        #expect(result.report.entries.map(\.location.line) == [1, 8])
    }

    @Test("aiken_errors.txt: three good questions, three errors with their lines", .needsCorpus)
    func corpusErrors() throws {
        let url = try Corpus.url("other-formats/aiken/aiken_errors.txt")
        let strict = AikenImporter.importQuestions(contentsOf: url)
        #expect(strict.questions.isEmpty)
        #expect(strict.report.invalidCount == 3)
        #expect(strict.report.validByType == [.singleChoice: 3])
        let invalid = strict.report.entries.filter { $0.outcome == .invalid }
        #expect(invalid.map(\.location.line) == [1, 5, 14])
        #expect(invalid.map { $0.errors.map(\.code) } == [["optionCountOutOfRange"], ["questionNotStarted"], ["questionNotCompleted"]])
        #expect(invalid[2].errors[0].english == "Question 4: the ANSWER line is missing: no correct answer found")
        #expect(invalid[2].errors[0].vietnamese.hasPrefix("Câu 4: thiếu dòng ANSWER"))

        let partial = AikenImporter.importQuestions(contentsOf: url, options: .init(partial: true))
        #expect(partial.questions.map(\.title) == ["A good question", "A second good question", "A third good question with HTML chars such as > < &"])
        #expect(partial.questions[1].score(.choice("b")) == 1)
        #expect(partial.questions[2].stem.plainText == "A third good question with HTML chars such as > < &")
    }

    @Test("An ANSWER naming no option is an error")
    func wrongLetter() {
        let result = AikenImporter.importQuestions(from: Data("Câu hỏi?\nA. Một\nB. Hai\nANSWER: C\n".utf8))
        #expect(result.report.entries.first?.errors.map(\.code) == ["noCorrectAnswer"])
        #expect(result.report.entries.first?.errors.first?.vietnamese == "Câu 1: không tìm thấy đáp án đúng (ANSWER: C)")
    }
}
