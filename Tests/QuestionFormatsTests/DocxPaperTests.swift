import Foundation
import HoclieuCore
import QuestionFormats
import Testing

/// The entries of a ZIP whose entries are stored (not compressed), as ``DocxExporter`` writes them:
/// read from the local file headers.
func storedEntries(_ data: Data) -> [String: Data] {
    let bytes = [UInt8](data)
    func le16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
    func le32(_ i: Int) -> Int { le16(i) | le16(i + 2) << 16 }
    var entries: [String: Data] = [:]
    var i = 0
    while i + 30 <= bytes.count, le32(i) == 0x0403_4B50 {
        let size = le32(i + 18)
        let nameLength = le16(i + 26)
        let extraLength = le16(i + 28)
        let name = String(decoding: bytes[(i + 30)..<(i + 30 + nameLength)], as: UTF8.self)
        let start = i + 30 + nameLength + extraLength
        entries[name] = Data(bytes[start..<(start + size)])
        i = start + size
    }
    return entries
}

/// The Word paper a teacher hands out.
@Suite("Word paper: what a teacher would hand out")
struct DocxPaperTests {
    static func document(_ result: QuestionExportResult) -> String {
        String(decoding: storedEntries(result.data)["word/document.xml"] ?? Data(), as: UTF8.self)
    }

    static func choice(_ id: String, options: Int = 4) -> Question {
        Question(
            id: id, title: id, stem: RichText("<p>Câu hỏi \(id)</p>"),
            body: .singleChoice(ChoiceQuestion(options: (0..<options).map { ChoiceOption(id: "\($0)", text: RichText("PA \($0)"), correct: $0 == 1) })))
    }

    /// A PNG header of the given size (the exporter reads only the header).
    static func png(width: Int, height: Int) -> Data {
        var data = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
        for value in [width, height] { data.append(contentsOf: [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]) }
        data.append(contentsOf: [8, 2, 0, 0, 0, 0, 0, 0, 0])
        return data
    }

    @Test("A question the paper cannot show leaves a visible line on it, not only a report entry")
    func placeholder() throws {
        let matching = Question(id: "Q-77", title: "Ghép thủ đô", stem: RichText("Ghép"), body: .matching(MatchingQuestion(pairs: [
            MatchPair(id: "a", prompt: RichText("Pháp"), answer: "Paris"),
        ])))
        let result = DocxExporter.export([Self.choice("Q-1"), matching], includeAnswers: false)
        let xml = Self.document(result)
        #expect(xml.contains("[Không in được: câu ghép đôi \"Ghép thủ đô\", mã Q-77]") || xml.contains("[Không in được: câu ghép đôi &quot;Ghép thủ đô&quot;, mã Q-77]"))
        #expect(result.report.entries[1].exported == false)
        #expect(result.report.entries[1].narrowings.first?.english.contains("the paper shows a line") == true)
    }

    @Test("Pictures keep their aspect ratio and their own size, up to the text width")
    func pictureSizes() throws {
        let small = QuestionMedia(name: "icon.png", mediaType: "image/png", data: Self.png(width: 30, height: 20))
        let wide = QuestionMedia(name: "map.png", mediaType: "image/png", data: Self.png(width: 2000, height: 1000))
        var question = Self.choice("Q-2")
        question.stem = RichText("<p>Xem <img src=\"@@PLUGINFILE@@/icon.png\" alt=\"\"> và <img src=\"@@PLUGINFILE@@/map.png\" alt=\"\"></p>")
        question.media = [small, wide]
        let xml = Self.document(DocxExporter.export([question]))
        // 30 × 20 px at 96 dpi = 285750 × 190500 EMU.
        #expect(xml.contains("<wp:extent cx=\"285750\" cy=\"190500\"/>"))
        // 2000 × 1000 px is wider than the 17 cm text: scaled to it, still 2:1.
        #expect(xml.contains("<wp:extent cx=\"6120130\" cy=\"3060065\"/>"))
        #expect(!xml.contains("cx=\"1905000\" cy=\"1428750\""))
    }

    @Test("Times New Roman 13, Vietnamese; with a header: school, subject, time, mã đề and HẾT")
    func paperFrame() throws {
        let paper = DocxPaper(
            department: "Phòng GD&ĐT Quận 1", school: "Trường THCS Nguyễn Du", title: "Đề kiểm tra giữa học kì I", subject: "Toán 6", minutes: 90,
            code: "101")
        let result = DocxExporter.export([Self.choice("Q-3")], includeAnswers: false, paper: paper)
        let entries = storedEntries(result.data)
        let styles = String(decoding: try #require(entries["word/styles.xml"]), as: UTF8.self)
        #expect(styles.contains("w:ascii=\"Times New Roman\""))
        #expect(styles.contains("<w:sz w:val=\"26\"/>"))
        #expect(styles.contains("<w:lang w:val=\"vi-VN\""))
        let relationships = String(decoding: try #require(entries["word/_rels/document.xml.rels"]), as: UTF8.self)
        #expect(relationships.contains("Target=\"styles.xml\""))
        let xml = Self.document(result)
        for text in ["PHÒNG GD&amp;ĐT QUẬN 1", "TRƯỜNG THCS NGUYỄN DU", "ĐỀ KIỂM TRA GIỮA HỌC KÌ I", "Môn: Toán 6", "Thời gian làm bài: 90 phút", "Mã đề 101", "Họ và tên thí sinh", "HẾT"] {
            #expect(xml.contains(text), "\(text)")
        }
        #expect(!xml.contains("Đáp án"))
        // One paper of each copy is kept under .build/papers/ to be looked at (rendered in CI when
        // LibreOffice is there); writing it is best effort.
        let papers = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/papers")
        try? FileManager.default.createDirectory(at: papers, withIntermediateDirectories: true)
        try? result.data.write(to: papers.appendingPathComponent("de-hoc-sinh.docx"))
        let exam = DocxImporter.importQuestions(from: DocxFixture.docx(DocxExamTests.exam())).questions
        try? DocxExporter.export(exam, includeAnswers: false, paper: paper).data.write(to: papers.appendingPathComponent("de-2025-hoc-sinh.docx"))
        try? DocxExporter.export(exam, includeAnswers: true, paper: paper).data.write(to: papers.appendingPathComponent("de-2025-dap-an.docx"))
        // The paper still reads back as the same question (the header is preamble).
        let back = DocxImporter.importQuestions(from: DocxExporter.export([Self.choice("Q-3")], includeAnswers: true, paper: paper).data)
        #expect(back.questions.count == 1)
    }

    @Test("2025 layout rules: Phần I needs 4 options, a short answer a decimal comma and 4 characters")
    func layoutWarnings() throws {
        let numeric = Question(id: "Q-5", title: "Q-5", stem: RichText("x = ?"), body: .numeric(NumericQuestion(keys: [NumericKey(answer: "12.75")], answerBoxLength: 4)))
        let essayNumber = Question(id: "Q-6", title: "Q-6", stem: RichText("y = ?"), body: .numeric(NumericQuestion(keys: [NumericKey(answer: "0.5")])))
        let result = DocxExporter.export([Self.choice("Q-4", options: 2), Self.choice("Q-ok"), numeric, essayNumber])
        let codes = result.report.entries.map { Set($0.narrowings.map(\.code)) }
        #expect(codes[0].contains("layoutOptionCount"))
        #expect(!codes[1].contains("layoutOptionCount"))
        #expect(codes[2].isSuperset(of: ["layoutDecimalPoint", "layoutAnswerBox"]))
        #expect(codes[3].contains("layoutDecimalPoint"))
        #expect(result.report.entries[0].narrowings.first { $0.code == "layoutOptionCount" }?.vietnamese.contains("cần đúng 4") == true)
    }
}

extension DocxPaperTests {
    @Test("Tables stay Word tables and lists keep their bullets and numbers, so a question about them can be answered")
    func tablesAndLists() throws {
        var question = Self.choice("Q-7")
        question.stem = RichText(
            "<p>Bảng điểm:</p><table><tr><th>Tên</th><th>Điểm</th></tr><tr><td>An</td><td>8</td></tr><tr><td>Bình</td><td><b>9</b></td></tr></table>"
                + "<p>Các bước:</p><ol><li>Cộng</li><li>Chia</li></ol><ul><li>Ghi chú</li></ul>")
        let xml = Self.document(DocxExporter.export([question]))
        #expect(xml.components(separatedBy: "<w:tbl>").count == 2)
        #expect(xml.components(separatedBy: "<w:tr>").count == 4)
        #expect(xml.components(separatedBy: "<w:tc>").count == 7)
        for text in ["Tên", "Điểm", "An", "Bình", "1. ", "Cộng", "2. ", "Chia", "• ", "Ghi chú"] {
            #expect(xml.contains(">\(text)<") || xml.contains(">\(text)"), "\(text)")
        }
        // Read back: the table is a table again, the question the same.
        let back = DocxImporter.importQuestions(from: DocxExporter.export([question]).data)
        #expect(back.report.allErrors.isEmpty, "\(back.report.allErrors)")
        let stem = try #require(back.questions.first?.stem.html)
        #expect(stem.contains("<table>") && stem.contains("<td>Bình</td>") && stem.contains("1. Cộng"))
    }
}

/// LibreOffice (`soffice`) and poppler (`pdftotext`, `pdftoppm`), when the machine has them.
enum PaperRenderer {
    static let soffice = ["/usr/bin/soffice", "/usr/local/bin/soffice"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let poppler = ["/usr/bin", "/usr/local/bin"].first { FileManager.default.isExecutableFile(atPath: $0 + "/pdftoppm") }
    static var available: Bool { soffice != nil && poppler != nil }

    /// Runs a program; its standard output.
    @discardableResult
    static func run(_ path: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self)
    }

    /// The paper as a PDF (LibreOffice, its own throw-away profile) and its first page as a PNG,
    /// next to the .docx; the PDF's text.
    static func render(_ docx: URL) throws -> String {
        let folder = docx.deletingLastPathComponent()
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-lo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        try run(soffice!, ["-env:UserInstallation=file://" + profile.path, "--headless", "--convert-to", "pdf", "--outdir", folder.path, docx.path])
        let pdf = docx.deletingPathExtension().appendingPathExtension("pdf")
        try run(poppler! + "/pdftoppm", ["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", pdf.path, docx.deletingPathExtension().path])
        return try run(poppler! + "/pdftotext", ["-layout", pdf.path, "-"])
    }
}

extension DocxPaperTests {
    @Test(
        "Rendered by LibreOffice: the students' paper shows its header, questions and HẾT without answers; the teacher's copy has them",
        .enabled(if: PaperRenderer.available))
    func rendered() throws {
        let paper = DocxPaper(department: "Sở GD&ĐT Hà Nội", school: "Trường THPT Chu Văn An", title: "Đề kiểm tra giữa học kì I", subject: "Toán 12", minutes: 90, code: "101")
        let exam = DocxImporter.importQuestions(from: DocxFixture.docx(DocxExamTests.exam())).questions
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/papers/rendered")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let students = folder.appendingPathComponent("de-hoc-sinh.docx")
        let teacher = folder.appendingPathComponent("dap-an.docx")
        try DocxExporter.export(exam, includeAnswers: false, paper: paper).data.write(to: students)
        try DocxExporter.export(exam, includeAnswers: true, paper: paper).data.write(to: teacher)
        let text = try PaperRenderer.render(students)
        for expected in ["TRƯỜNG THPT CHU VĂN AN", "ĐỀ KIỂM TRA GIỮA HỌC KÌ I", "Môn: Toán 12", "Mã đề 101", "PHẦN I.", "Câu 1.", "PHẦN II.", "HẾT"] {
            #expect(text.contains(expected), "\(expected)")
        }
        #expect(!text.contains("Đáp án") && !text.contains("Đáp số"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("de-hoc-sinh.png").path))
        let key = try PaperRenderer.render(teacher)
        #expect(key.contains("Đáp án") && key.contains("HẾT"))
    }
}
