import ConformanceCorpus
import Foundation
import HoclieuCore
import QuestionFormats
import Testing

@Suite("Hostile and broken question files")
struct HostileInputTests {
    static let oneQuestion = """
        <quiz><question type="truefalse"><name><text>T</text></name><questiontext><text>&xxe;</text></questiontext>
        <answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question></quiz>
        """

    @Test("External entities (XXE) are refused before anything is read")
    func xxe() {
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE quiz [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n" + Self.oneQuestion
        let result = MoodleXMLImporter.importQuestions(from: Data(xml.utf8))
        #expect(result.questions.isEmpty)
        #expect(result.report.fileErrors.map(\.code) == ["doctypeNotAllowed"])
        #expect(!result.report.entries.contains { $0.title.contains("root:") })
    }

    @Test("Billion laughs is refused")
    func billionLaughs() {
        var xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE quiz [\n<!ENTITY lol \"lol\">\n"
        for level in 1...9 {
            let previous = level == 1 ? "lol" : "lol\(level - 1)"
            xml += "<!ENTITY lol\(level) \"" + String(repeating: "&\(previous);", count: 10) + "\">\n"
        }
        xml += "]>\n<quiz><question type=\"essay\"><questiontext><text>&lol9;</text></questiontext></question></quiz>"
        let result = MoodleXMLImporter.importQuestions(from: Data(xml.utf8))
        #expect(result.questions.isEmpty)
        #expect(!result.report.fileErrors.isEmpty)
    }

    @Test("Malformed XML gives the line and column", arguments: [
        ("<quiz>\n  <question type=\"essay\">\n    <name><text>x</name>\n  </question>\n</quiz>", 3),
        ("not xml at all", 1),
        ("<quiz><question type=\"essay\"></quiz>", 1),
    ])
    func malformed(_ xml: String, _ line: Int) throws {
        let result = MoodleXMLImporter.importQuestions(from: Data(xml.utf8))
        let error = try #require(result.report.fileErrors.first)
        #expect(error.code == "malformedXML")
        #expect(error.location?.line == line)
        #expect(error.location?.column ?? 0 > 0)
        #expect(error.english.contains("line \(line), column"))
        #expect(error.vietnamese.contains("dòng \(line), cột"))
        #expect(result.questions.isEmpty)
    }

    @Test("A corpus file cut in the middle is reported, not half-imported", .needsCorpus)
    func truncated() throws {
        let data = try Corpus.data("xml/format_xml_fixtures/nested_categories_with_questions.xml")
        let result = MoodleXMLImporter.importQuestions(from: data.prefix(data.count / 2))
        #expect(result.questions.isEmpty)
        #expect(result.categories.isEmpty)
        #expect(result.report.fileErrors.first?.code == "malformedXML")
        #expect((result.report.fileErrors.first?.location?.line ?? 0) > 1)
    }

    @Test("Empty files", arguments: [Data(), Data("  \n\t ".utf8)])
    func empty(_ data: Data) {
        #expect(MoodleXMLImporter.importQuestions(from: data).report.fileErrors.map(\.code) == ["emptyFile"])
        #expect(GIFTImporter.importQuestions(from: data).report.fileErrors.map(\.code) == ["emptyFile"])
        #expect(AikenImporter.importQuestions(from: data).report.fileErrors.map(\.code) == ["emptyFile"])
    }

    @Test("Size and count limits", .needsCorpus)
    func limits() throws {
        let big = Data(("<quiz>" + String(repeating: "<!-- padding -->", count: 1000) + "</quiz>").utf8)
        let options = QuestionImportOptions(maxBytes: 4096)
        #expect(MoodleXMLImporter.importQuestions(from: big, options: options).report.fileErrors.map(\.code) == ["fileTooLarge"])
        #expect(GIFTImporter.importQuestions(from: big, options: options).report.fileErrors.map(\.code) == ["fileTooLarge"])
        #expect(AikenImporter.importQuestions(from: big, options: options).report.fileErrors.map(\.code) == ["fileTooLarge"])
        let url = try Corpus.url("xml/qtype_fixtures/ddmarker_testquestion.moodle.xml")
        #expect(MoodleXMLImporter.importQuestions(contentsOf: url, options: options).report.fileErrors.map(\.code) == ["fileTooLarge"])

        let many = "<quiz>" + String(repeating: "<question type=\"essay\"><questiontext><text>x</text></questiontext></question>", count: 5) + "</quiz>"
        let capped = MoodleXMLImporter.importQuestions(from: Data(many.utf8), options: .init(maxQuestions: 3))
        #expect(capped.report.fileErrors.map(\.code) == ["tooManyQuestions"])
        #expect(capped.questions.isEmpty)
    }

    @Test("Encodings: declared ones are honoured, undeclared non-UTF-8 is read as Windows-1252")
    func encodings() throws {
        let body = "<quiz><question type=\"truefalse\"><name><text>Caf\u{E9}</text></name><questiontext><text>\u{201C}x\u{201D}</text></questiontext><answer fraction=\"100\"><text>true</text></answer><answer fraction=\"0\"><text>false</text></answer></question></quiz>"
        let cp1252 = Data(body.unicodeScalars.map { scalar -> UInt8 in
            switch scalar.value {
            case 0x201C: 0x93
            case 0x201D: 0x94
            default: UInt8(scalar.value)
            }
        })
        let undeclared = MoodleXMLImporter.importQuestions(from: cp1252)
        #expect(undeclared.report.fileWarnings.map(\.code) == ["decodedWindows1252"])
        #expect(undeclared.questions.first?.title == "Café")
        #expect(undeclared.questions.first?.stem.html == "\u{201C}x\u{201D}")
        let latin1 = Data("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>".utf8) + Data(body.replacingOccurrences(of: "\u{201C}x\u{201D}", with: "x").unicodeScalars.map { UInt8($0.value) })
        let declared = MoodleXMLImporter.importQuestions(from: latin1)
        #expect(declared.report.fileWarnings.isEmpty)
        #expect(declared.questions.first?.title == "Café")
    }

    @Test("Deep nesting is refused")
    func deep() {
        let xml = "<quiz>" + String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300) + "</quiz>"
        let result = MoodleXMLImporter.importQuestions(from: Data(xml.utf8))
        #expect(result.report.fileErrors.map(\.code) == ["tooDeep"])
    }

    @Test("Script in question text is kept as written but sanitised on display")
    func scriptInText() throws {
        let xml = """
            <quiz><question type="essay"><name><text>x</text></name>
            <questiontext format="html"><text><![CDATA[<p onclick="steal()">Viết <script>alert(1)</script>đoạn văn</p><img src="javascript:alert(1)" alt="a">]]></text></questiontext>
            </question></quiz>
            """
        let result = MoodleXMLImporter.importQuestions(from: Data(xml.utf8))
        let question = try #require(result.questions.first)
        #expect(question.stem.sanitised().html == "<p>Viết đoạn văn</p><img alt=\"a\">")
    }

    @Test("Partial import: valid questions in, invalid ones listed; default: nothing in")
    func partialPolicy() {
        let xml = """
            <quiz>
            <question type="truefalse"><name><text>OK</text></name><questiontext><text>Trời xanh</text></questiontext>
              <answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer></question>
            <question type="multichoice"><name><text>Bad</text></name><questiontext><text>Chọn</text></questiontext><single>true</single>
              <answer fraction="0"><text>A</text></answer><answer fraction="0"><text>A</text></answer></question>
            <question type="ddmarker"><name><text>Marker</text></name></question>
            </quiz>
            """
        let strict = MoodleXMLImporter.importQuestions(from: Data(xml.utf8))
        #expect(strict.hasErrors)
        #expect(strict.questions.isEmpty)
        #expect(strict.report.entries.map(\.outcome) == [.held, .invalid, .dropped])
        #expect(Set(strict.report.entries[1].errors.map(\.code)) == ["noCorrectAnswer", "duplicateOptions"])
        #expect(strict.report.entries[1].location.line == 4)
        #expect(strict.report.entries[1].location.path == "/quiz/question[2]")

        let partial = MoodleXMLImporter.importQuestions(from: Data(xml.utf8), options: .init(partial: true, idPrefix: "moodle-"))
        #expect(partial.questions.map(\.id) == ["moodle-1"])
        #expect(partial.report.entries.map(\.outcome) == [.imported, .invalid, .dropped])
        #expect(partial.report.importedByType == [.trueFalse: 1])
    }
}
