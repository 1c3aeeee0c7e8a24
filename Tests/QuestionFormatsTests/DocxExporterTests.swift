import Foundation
import HoclieuCore
import QuestionFormats
import Testing

@Suite("Docx export")
struct DocxExporterTests {
    typealias F = DocxFixture

    @Test("A 2025-format test exports to .docx and imports back to the same questions; the bytes are deterministic")
    func roundTrip() throws {
        let original = DocxImporter.importQuestions(from: F.docx(DocxExamTests.exam()))
        #expect(original.questions.count == 22)
        let exported = DocxExporter.export(original.questions)
        #expect(exported.report.droppedCount == 0)
        #expect(exported.report.allNarrowings.isEmpty, "\(exported.report.allNarrowings)")
        #expect(DocxExporter.export(original.questions).data == exported.data)

        let back = DocxImporter.importQuestions(from: exported.data)
        #expect(back.report.allErrors.isEmpty, "\(back.report.allErrors)")
        #expect(back.questions.map(\.type) == original.questions.map(\.type))
        #expect(back.questions.map(\.category) == original.questions.map(\.category))
        #expect(back.questions.map(\.body) == original.questions.map(\.body))
        #expect(back.questions.map(\.stem) == original.questions.map(\.stem))
        #expect(back.questions.map(\.workedSolution) == original.questions.map(\.workedSolution))
    }

    @Test("Pictures, formatting and do-not-shuffle survive; unsupported types are reported as dropped")
    func picturesAndNarrowings() throws {
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 7])
        let question = Question(
            id: "x1", stem: RichText("<p>Xem <b>hình</b> H<sub>2</sub>O: <img src=\"@@PLUGINFILE@@/flag.png\" alt=\"\" /></p>"),
            media: [QuestionMedia(name: "flag.png", mediaType: "image/png", data: png)],
            body: .singleChoice(
                ChoiceQuestion(options: [
                    ChoiceOption(id: "a", text: RichText("Một"), correct: false),
                    ChoiceOption(id: "b", text: RichText("<i>Hai</i>"), correct: true),
                    ChoiceOption(id: "c", text: RichText("Cả hai"), correct: false, doNotShuffle: true),
                ]))
        )
        let matching = Question(id: "x2", stem: RichText("Ghép"), body: .matching(MatchingQuestion(pairs: [])))
        let exported = DocxExporter.export([question, matching])
        #expect(exported.report.entries.map(\.exported) == [true, false])
        #expect(exported.report.entries[1].narrowings.map(\.code) == ["unsupportedType"])
        let back = DocxImporter.importQuestions(from: exported.data)
        #expect(back.report.allErrors.isEmpty, "\(back.report.allErrors)")
        let imported = try #require(back.questions.first)
        #expect(imported.stem.html == "Xem <b>hình</b> H<sub>2</sub>O: <img src=\"@@PLUGINFILE@@/image1.png\" alt=\"\" />")
        #expect(imported.media.map(\.data) == [png])
        let choice = try #require(DocxImporterTests.choice(imported))
        #expect(choice.options.map(\.text.html) == ["Một", "<i>Hai</i>", "Cả hai"])
        #expect(choice.options.map(\.isCorrect) == [false, true, false])
        #expect(choice.options.map(\.doNotShuffle) == [false, false, true])
    }
}
