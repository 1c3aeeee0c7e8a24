import Foundation
import HoclieuCore
import HoclieuXML
import QTI
import QuestionFormats
import Testing

/// The folder of a fixture written for these tests (`Tests/Fixtures/…`).
func fixtureURL(_ name: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
}

/// A Respondus-style QTI 1.2 package (`Tests/Fixtures/qti12-respondus`): every `respcondition`
/// adds to `Respondus_Correct` or `Respondus_Incorrect` besides (or instead of) the score
/// `que_score`. Only the scoring variable may decide which answer is right.
@Suite("QTI 1.2 import: only the scoring variable decides correctness (Respondus)")
struct RespondusScoringTests {
    let result = QTIFormats.importPackage(at: fixtureURL("qti12-respondus"))

    func question(_ title: String) throws -> Question {
        try #require(result.questions.first { $0.title == title }, "no question \(title) in \(result.questions.map(\.title))")
    }

    @Test("the package imports whole: seven questions, no errors")
    func whole() {
        #expect(result.report.fileErrors.isEmpty, "\(result.report.fileErrors)")
        #expect(result.questions.count == 7)
        #expect(result.report.entries.allSatisfy { $0.errors.isEmpty }, "\(result.report.entries.flatMap(\.errors))")
    }

    @Test("matching: each premise gets its own answer, not one answer for all (que_score computed from Respondus_Correct)")
    func matching() throws {
        guard case .matching(let body) = try question("Ghép thủ đô").body else { Issue.record("not matching"); return }
        let key = Dictionary(uniqueKeysWithValues: body.pairs.map { (HTMLText.stripTags($0.prompt.html), $0.answer) })
        #expect(key == ["Pháp": "Paris", "Nhật Bản": "Tokyo", "Ai Cập": "Cairo"])
        #expect(body.distractors == ["Lima"])
        // A student who pairs all three right scores 1, not 1/3.
        let response = QuestionResponse.matching(Dictionary(uniqueKeysWithValues: body.pairs.map { ($0.id, $0.answer) }))
        #expect(try question("Ghép thủ đô").score(response) == 1)
    }

    @Test("matching without a score variable: Respondus_Correct decides, Respondus_Incorrect does not")
    func matchingCountersOnly() throws {
        guard case .matching(let body) = try question("Ghép phép tính").body else { Issue.record("not matching"); return }
        let key = Dictionary(uniqueKeysWithValues: body.pairs.map { (HTMLText.stripTags($0.prompt.html), $0.answer) })
        #expect(key == ["2 + 2": "4", "3 × 3": "9", "10 − 7": "3"])
    }

    @Test("multiple choice: the wrong options carry no credit although they add to Respondus_Incorrect")
    func multipleChoice() throws {
        guard case .singleChoice(let body) = try question("Thủ đô").body else { Issue.record("not single choice"); return }
        #expect(body.options.map(\.fraction) == [1, 0, 0, 0])
    }

    @Test("true/false: the answer is the one scored by que_score")
    func trueFalse() throws {
        guard case .trueFalse(let body) = try question("Đúng sai").body else { Issue.record("not true/false"); return }
        #expect(body.correctAnswer == false)
    }

    @Test("multiple response: credit only on the options that raise que_score")
    func multipleResponse() throws {
        guard case .multipleResponse(let body) = try question("Số nguyên tố").body else { Issue.record("not multiple response"); return }
        #expect(body.options.map(\.fraction) == [0.5, 0, 0.5, 0])
    }

    @Test("fill in the blank: an answer tested only to count it wrong is not accepted")
    func fillInTheBlank() throws {
        guard case .shortText(let body) = try question("Điền thủ đô").body else { Issue.record("not short text"); return }
        #expect(body.keys.map(\.pattern) == ["Hà Nội"])
        #expect(body.keys.map(\.fraction) == [1])
    }

    @Test("essay stays an essay")
    func essay() throws {
        #expect(try question("Tự luận").type == .essay)
    }

    @Test("Exported to Moodle XML, the option's image is an @@PLUGINFILE@@ reference carried by that <answer>, not by the question text")
    func optionImageToMoodle() throws {
        let question = try question("Thủ đô")
        let exported = try MoodleXMLExporter.export([question])
        let document = try XMLDocument(data: exported.data)
        let item = try #require(document.root?.children(named: "question").first { $0.attribute("type") == "multichoice" })
        // qformat_xml::import_text_with_files (moodle/moodle question/format/xml/format.php) takes the
        // <file>s of the element whose <text> it reads.
        #expect(item.firstChild(named: "questiontext")?.children(named: "file").isEmpty == true)
        let answers = item.children(named: "answer")
        let withImage = try #require(answers.first { $0.firstChild(named: "text")?.text.contains("<img") == true })
        #expect(withImage.firstChild(named: "text")?.text.contains("src=\"@@PLUGINFILE@@/flag.png\"") == true)
        #expect(withImage.children(named: "file").map { $0.attribute("name") } == ["flag.png"])
        let bytes = try Data(contentsOf: fixtureURL("qti12-respondus").appendingPathComponent("my_files/flag.png"))
        #expect(Data(base64Encoded: withImage.children(named: "file").first?.text ?? "") == bytes)
    }
}
