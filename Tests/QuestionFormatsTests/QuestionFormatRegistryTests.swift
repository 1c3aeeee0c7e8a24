import ConformanceCorpus
import Foundation
import HoclieuCore
import QuestionFormats
import Testing

@Suite("Question format registry")
struct QuestionFormatRegistryTests {
    @Test("Formats are detected from the bytes", .needsCorpus, arguments: [
        ("xml/format_xml_fixtures/multichoice.xml", QuestionFileFormat?.some(.moodleXML)),
        ("xml/qtype_fixtures/essay_testquestion.moodle.xml", .moodleXML),
        ("xml/moodle1_backup_questions.xml", nil),
        ("other-formats/examview/examview_sample.xml", nil),
        ("gift/questions.gift.txt", .gift),
        ("gift/questions_in_category.gift.txt", .gift),
        ("other-formats/missingword/question.missingword1.txt", .gift),
        ("other-formats/aiken/questions.aiken.txt", .aiken),
        ("other-formats/aiken/aiken_errors.txt", .aiken),
        ("other-formats/multianswer/questions.multianswer.txt", nil),
    ])
    func detect(_ path: String, _ expected: QuestionFileFormat?) throws {
        #expect(QuestionFormatRegistry.detect(try Corpus.data(path), fileName: path) == expected)
    }

    @Test("Import through the registry, and every format with an exporter round-trips through it", .needsCorpus)
    func registry() throws {
        let data = try Corpus.data("other-formats/aiken/questions.aiken.txt")
        let result = QuestionFormatRegistry.importQuestions(from: data)
        #expect(result.report.format == .aiken)
        #expect(result.questions.count == 2)
        let unknown = QuestionFormatRegistry.importQuestions(from: Data("just some words".utf8))
        #expect(unknown.report.fileErrors.map(\.code) == ["unknownFormat"])
        for descriptor in QuestionFormatRegistry.all {
            guard let exporter = descriptor.exporter else { continue }
            let exported = try exporter(result.questions, result.categories)
            let back = descriptor.importer(exported.data, QuestionImportOptions())
            #expect(back.questions.count == 2, "\(descriptor.name)")
            #expect(back.questions.map(\.stem.plainText) == result.questions.map(\.stem.plainText), "\(descriptor.name)")
            #expect(QuestionFormatRegistry.detect(exported.data) == descriptor.format)
        }
        #expect(QuestionFormatRegistry.descriptor(for: .gift).fileExtensions.first == "gift")
    }

    @Test("The exam's 4-character answer box is checked on import")
    func answerBox() {
        let gift = """
            // [tag:hoclieu:subject=TOAN]
            ::Câu 1:: Tính \\(\\log_2 8\\) {#=3}

            ::Câu 2:: Một số quá dài cho ô 4 ký tự {#=-12.5}
            """
        let ok = GIFTImporter.importQuestions(from: Data(gift.utf8))
        #expect(ok.report.allErrors.isEmpty)
        var question = ok.questions[1]
        guard case .numeric(var numeric) = question.body else { Issue.record("expected numeric"); return }
        numeric.answerBoxLength = NumericQuestion.examAnswerBoxLength
        question.body = .numeric(numeric)
        #expect(question.violations().map(\.code) == [.numericAnswerTooLongForBox])
        #expect(ok.questions[0].subject == "TOAN")
        #expect(ok.questions[0].stem.html == "Tính \\(\\log_2 8\\)")
    }
}
