import Foundation
import HoclieuCore
import HoclieuXML
import QuestionFormats
import Testing

/// A 30 × 20 PNG (the bytes only matter for being carried whole).
let tinyPNG = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAB4AAAAUCAIAAAAVyRqTAAAAH0lEQVR4nGO8JcNDG8BEI3NHjR41etToUaNHjR5+RgMAUjUBWcQ5Pj4AAAAASUVORK5CYII=")!

/// Exports read the way Moodle's importer reads them (``MoodleImportCheck``).
@Suite("Moodle XML export: what Moodle's import makes of it")
struct MoodleExportForMoodleTests {
    /// A bank question with images in the stem, in two options (one file name with a space) and in
    /// an option's feedback; the bank recorded no field for the files.
    static func illustrated() -> Question {
        Question(
            id: "Q-IMG", title: "Lá cờ", stem: RichText("<p>Lá cờ nào là của Việt Nam? <img src=\"ban do.png\" alt=\"\"></p>"),
            media: ["ban do.png", "co-vn.png", "co nhat.png", "sao.png"].map { QuestionMedia(name: $0, mediaType: "image/png", data: tinyPNG) },
            body: .singleChoice(ChoiceOption.list([
                ("<img src=\"co-vn.png\" alt=\"A\">", 1, "<p>Đúng: <img src='sao.png'></p>"),
                ("<img src=\"images/co nhat.png\" alt=\"B\">", 0, nil),
                ("Không có", 0, nil),
            ]))
        )
    }

    @Test("Images: every reference is @@PLUGINFILE@@/name and each file sits in the element that shows it")
    func images() throws {
        let exported = try MoodleXMLExporter.export([Self.illustrated()])
        let check = try MoodleImportCheck(exported.data)
        #expect(check.problems.isEmpty, "\(check.problems)")
        let question = try #require(check.items.first?.element)
        func files(_ element: XMLElement?) -> [String] { element?.children(named: "file").compactMap { $0.attribute("name") } ?? [] }
        #expect(files(question.firstChild(named: "questiontext")) == ["ban do.png"])
        let answers = question.children(named: "answer")
        #expect(files(answers[0]) == ["co-vn.png"])
        #expect(files(answers[0].firstChild(named: "feedback")) == ["sao.png"])
        #expect(files(answers[1]) == ["co nhat.png"])
        #expect(answers[1].firstChild(named: "text")?.text.contains("src=\"@@PLUGINFILE@@/co%20nhat.png\"") == true)
        // The bytes travel whole, and Hoclieu reads the file back with each image where it was.
        let back = MoodleXMLImporter.importQuestions(from: exported.data)
        #expect(back.report.allErrors.isEmpty)
        let media = try #require(back.questions.first?.media)
        #expect(Set(media.map(\.name)) == ["ban do.png", "co-vn.png", "co nhat.png", "sao.png"])
        #expect(media.allSatisfy { $0.data == tinyPNG })
    }

    @Test("Entities: &ndash; &deg; &times; &le; &ge; &minus; are decoded once and never reach Moodle escaped twice")
    func entities() throws {
        let question = Question(
            id: "Q-ENT", title: "Nhiệt độ",
            stem: RichText("<p>Nhiệt độ 5&deg;C &ndash; 10&deg;C; 2 &times; 3 &le; 7 &ge; &minus;1; &ldquo;Hà Nội&rdquo; &amp; &lt;b&gt;</p>"),
            body: .essay(EssayQuestion())
        ).sanitised()
        #expect(question.stem.html == "<p>Nhiệt độ 5°C – 10°C; 2 × 3 ≤ 7 ≥ −1; “Hà Nội” &amp; &lt;b&gt;</p>")
        let xml = try #require(String(data: try MoodleXMLExporter.export([question]).data, encoding: .utf8))
        #expect(!xml.contains("&amp;amp;ndash;"))
        #expect(!xml.contains("&amp;amp;deg;"))
        #expect(xml.contains("5°C – 10°C"))
        // An ampersand that starts a reference is not escaped again; a lone one is.
        #expect(HTMLText.escapeKeepingReferences("A &ndash; B & C &#176; &nosuch;") == "A &ndash; B &amp; C &#176; &amp;nosuch;")
        #expect(HTMLText.decodeEntities("&CounterClockwiseContourIntegral; &NotEqualTilde;") == "∳ ≂̸")
    }

    @Test("Categories: a full path for every question; an uncategorised question is not filed under the one before it")
    func categories() throws {
        var partOne = Question(id: "Q1", title: "Câu 1 (Phần I)", subject: "TOAN", grade: 6, category: "Phần I", body: .essay(EssayQuestion()))
        partOne.stem = RichText("<p>Câu 1</p>")
        var noPart = Question(id: "Q2", title: "Câu 2", subject: "TOAN", grade: 6, body: .essay(EssayQuestion()))
        noPart.stem = RichText("<p>Câu 2</p>")
        let stray = Question(id: "Q3", title: "Câu 3", stem: RichText("<p>Câu 3</p>"), body: .essay(EssayQuestion()))
        let options = MoodleXMLExporter.Options(categoryPaths: QuestionCategoryPaths(title: "Kiểm tra giữa kì I"))
        let check = try MoodleImportCheck(try MoodleXMLExporter.export([partOne, noPart, stray], options: options).data)
        #expect(check.items.map(\.category) == [
            "$course$/Toán 6/Kiểm tra giữa kì I/Phần I", "$course$/Toán 6/Kiểm tra giữa kì I", "$course$/Kiểm tra giữa kì I",
        ])
        // Without a title: still not the category of the question before.
        let plain = try MoodleImportCheck(try MoodleXMLExporter.export([partOne, stray]).data)
        #expect(plain.items.map(\.category) == ["$course$/Toán 6/Phần I", "$course$/Chưa phân loại"])
        // GIFT: the same paths, and the reset.
        let gift = String(decoding: GIFTExporter.export([partOne, stray]).data, as: UTF8.self)
        #expect(gift.components(separatedBy: "\n").filter { $0.hasPrefix("$CATEGORY:") } == ["$CATEGORY: $course$/Toán 6/Phần I", "$CATEGORY: $course$/Chưa phân loại"])
        let back = GIFTImporter.importQuestions(from: Data(gift.utf8))
        #expect(back.questions.map(\.category) == ["$course$/Toán 6/Phần I", "$course$/Chưa phân loại"])
    }

    @Test("idnumber: the Hoclieu id when the question has none, also as a tag on a cloze; read back by Hoclieu")
    func idNumbers() throws {
        let essay = Question(id: "79-Q-0000042", title: "Tự luận", stem: RichText("<p>Viết một đoạn văn.</p>"), body: .essay(EssayQuestion()))
        var cloze = Question(id: "79-Q-0000043", title: "Điền", stem: RichText("2 + 2 = {#1}"), body: .cloze(ClozeQuestion(gaps: [
            ClozeGap(kind: .numeric(NumericQuestion(keys: [NumericKey(answer: "4")]))),
        ])))
        cloze.tags = ["số học"]
        var kept = essay
        kept.id = "79-Q-0000044"
        kept.idNumber = "TOAN-6-001"
        let exported = try MoodleXMLExporter.export([essay, cloze, kept])
        let check = try MoodleImportCheck(exported.data)
        #expect(check.items.map(\.idNumber) == ["79-Q-0000042", "79-Q-0000043", "TOAN-6-001"])
        #expect(check.items[1].tags.contains("hoclieu:idnumber=79-Q-0000043"))
        let back = MoodleXMLImporter.importQuestions(from: exported.data)
        #expect(back.report.allErrors.isEmpty, "\(back.report.allErrors)")
        #expect(back.questions.map(\.idNumber) == ["79-Q-0000042", "79-Q-0000043", "TOAN-6-001"])
        #expect(back.questions[1].tags == ["số học"])
        // A cloze that Moodle exported without <idnumber> still names the question by its tag.
        let withoutElement = String(decoding: exported.data, as: UTF8.self).replacingOccurrences(of: "<idnumber>79-Q-0000043</idnumber>", with: "")
        #expect(MoodleXMLImporter.importQuestions(from: Data(withoutElement.utf8)).questions[1].idNumber == "79-Q-0000043")
    }

    @Test("True/false carries penalty 1 and multiple choice ABCD numbering")
    func smallSettings() throws {
        let tf = Question(id: "T", title: "Đ/S", body: .trueFalse(TrueFalseQuestion(correctAnswer: true)))
        let mc = Question(id: "M", title: "Chọn", body: .singleChoice(ChoiceOption.list([("1", 1, nil), ("2", 0, nil)])))
        let check = try MoodleImportCheck(try MoodleXMLExporter.export([tf, mc]).data)
        #expect(check.items[0].penalty == 1)
        #expect(check.items[1].element.firstChild(named: "answernumbering")?.text == "ABCD")
    }
}

/// How Moodle reads the answers of one embedded gap (`qtype_multianswer_extract_question`, moodle/moodle
/// `question/type/multianswer/questiontype.php`): an answer runs to the first `~`, `#` or `}` not
/// preceded by `\\` or `&`; its feedback (after `#`) to the first `~` or `}` not preceded by `\\`;
/// both are then decoded (`html_entity_decode`) and only `\\}` and `\\#` lose their backslash.
/// Written here from that description, to check what the exporter writes.
func moodleClozeAnswers(_ gap: String) -> [(text: String, feedback: String)] {
    var body = Substring(gap)
    guard let colon = body.dropFirst().firstIndex(of: ":"), let second = body[body.index(after: colon)...].firstIndex(of: ":") else { return [] }
    body = body[body.index(after: second)...]
    var answers: [(String, String)] = []
    var chars = Array(body)
    var i = 0
    // The answer has at least one character (`.+?`), the feedback may be empty (`.*?`).
    func ends(_ set: Set<Character>, allowAmp: Bool, from start: Int) -> Int {
        var j = start
        while j < chars.count {
            if set.contains(chars[j]), j == 0 || (chars[j - 1] != "\\" && (allowAmp || chars[j - 1] != "&")) { return j }
            j += 1
        }
        return j
    }
    func decode(_ s: String) -> String {
        HTMLText.decodeEntities(s).replacingOccurrences(of: "\\}", with: "}").replacingOccurrences(of: "\\#", with: "#")
    }
    while i < chars.count, chars[i] != "}" {
        if chars[i] == "~" { i += 1 }
        if chars[i] == "=" { i += 1 } else if chars[i] == "%", let close = chars[(i + 1)...].firstIndex(of: "%") { i = close + 1 }
        let end = ends(["~", "#", "}"], allowAmp: false, from: i + 1)
        let text = String(chars[i..<end])
        i = end
        var feedback = ""
        if i < chars.count, chars[i] == "#" {
            i += 1
            let fend = ends(["~", "}"], allowAmp: true, from: i)
            feedback = String(chars[i..<fend])
            i = fend
        }
        answers.append((decode(text), decode(feedback)))
    }
    chars = []
    return answers
}

extension MoodleExportForMoodleTests {
    @Test("Cloze: every character comes back from Moodle's parser as written (no \\~ left for the student)")
    func clozeEscaping() throws {
        let texts = ["a~b", "c\\d", "e}f", "g#h", "R&", "x &lt; y", "50%"]
        let question = Question(id: "C", title: "Cloze", stem: RichText("Chọn {#1}"), body: .cloze(ClozeQuestion(gaps: [
            ClozeGap(kind: .choice(options: texts.enumerated().map { index, text in
                ChoiceOption(
                    id: String(UnicodeScalar(UInt8(97 + index))), text: RichText(text), fraction: index == 0 ? 1 : 0,
                    feedback: RichText("f~}#\\ &amp; \(index)"))
            }, display: .dropdown, shuffle: false)),
        ])))
        let check = try MoodleImportCheck(try MoodleXMLExporter.export([question]).data)
        let stem = try #require(check.items.first?.element.firstChild(named: "questiontext")?.firstChild(named: "text")?.text)
        let gap = String(try #require(stem.range(of: "{1:").map { stem[$0.lowerBound...] }))
        let answers = moodleClozeAnswers(gap)
        #expect(answers.map(\.text) == texts)
        #expect(answers.map(\.feedback) == texts.indices.map { "f~}#\\ &amp; \($0)" })
        // And Hoclieu reads its own file back the same way.
        let back = MoodleXMLImporter.importQuestions(from: try MoodleXMLExporter.export([question]).data)
        #expect(back.questions.first?.body == question.body)
    }
}

extension ChoiceOption {
    /// Options `a`, `b`, … from (HTML, fraction, feedback HTML).
    static func list(_ options: [(String, Double, String?)]) -> ChoiceQuestion {
        ChoiceQuestion(options: options.enumerated().map { index, option in
            ChoiceOption(
                id: String(UnicodeScalar(UInt8(97 + index))), text: RichText(option.0), fraction: option.1, feedback: option.2.map { RichText($0) })
        })
    }
}
