import Foundation
import HoclieuCore
import QuestionFormats
import Testing

/// Whole documents: a 2025-format test with its answer tables, and a long file.
@Suite("Docx import: whole tests")
struct DocxExamTests {
    typealias F = DocxFixture

    static let partOneKey = Array("BCADDABCCADB").map(String.init)
    static let partTwoKey = ["ĐSSĐ", "SĐĐS", "ĐĐSS", "SSĐĐ"]
    static let partThreeKey = ["2,5", "-1", "12", "0,75", "1500", "-2,4"]

    /// A 2025 general-education mathematics test: 12 + 4 + 6 questions, numbered from 1 in each
    /// part, nothing marked in the questions, the key in tables after `HẾT` in the ministry's layout.
    static func exam() -> [String] {
        var blocks = [
            F.p(F.b("BỘ GIÁO DỤC VÀ ĐÀO TẠO")), F.p(F.b("ĐỀ THI THAM KHẢO KỲ THI TỐT NGHIỆP THPT NĂM 2025")),
            F.p("Môn thi: TOÁN. Thời gian làm bài: 90 phút, không kể thời gian phát đề"),
            F.p(
                F.b("PHẦN I. Câu trắc nghiệm nhiều phương án lựa chọn."),
                " Thí sinh trả lời từ câu 1 đến câu 12. Mỗi câu hỏi thí sinh chỉ chọn một phương án."),
        ]
        let fraction = "<m:f><m:num>\(F.mr("1"))</m:num><m:den>\(F.mr("x"))</m:den></m:f>"
        for n in 1...12 {
            blocks.append(F.p(F.b("Câu \(n)."), " Nguyên hàm của hàm số ", F.math(fraction), " trên khoảng (0; +∞) là (đề số \(n))"))
            if n % 2 == 0 {
                blocks.append(F.p("A. ln x + \(n)\tB. ln x − \(n)\tC. \(n) ln x\tD. x + \(n)"))
            } else {
                blocks += [F.p("A. ln x + \(n)\tB. ln x − \(n)"), F.p("C. \(n) ln x\tD. x + \(n)")]
            }
        }
        blocks.append(
            F.p(
                F.b("PHẦN II. Câu trắc nghiệm đúng sai."),
                " Thí sinh trả lời từ câu 1 đến câu 4. Trong mỗi ý a), b), c), d) ở mỗi câu, thí sinh chọn đúng hoặc sai."))
        for n in 1...4 {
            blocks.append(F.p(F.b("Câu \(n)."), " Cho hàm số f(x) = x³ − 3x + \(n). Xét tính đúng sai của các mệnh đề sau:"))
            blocks += ["a) f(0) = \(n).", "b) f′(x) = 3x² − 3.", "c) Hàm số đạt cực đại tại x = −1.", "d) Giá trị nhỏ nhất trên [0; 2] là \(n - 2)."]
                .map { F.p(F.run($0)) }
        }
        blocks.append(F.p(F.b("PHẦN III. Câu trắc nghiệm trả lời ngắn."), " Thí sinh trả lời từ câu 1 đến câu 6."))
        for n in 1...6 {
            blocks.append(F.p(F.b("Câu \(n)."), " Tính giá trị của biểu thức số \(n) (làm tròn đến hàng phần trăm)."))
            if n == 2 { blocks += [F.p(F.b("Lời giải")), F.p("Ta có kết quả bằng −1.")] }
        }
        blocks += [
            F.p("------------- HẾT -------------"), F.p("- Thí sinh không được sử dụng tài liệu;"), F.p("- Giám thị không giải thích gì thêm."),
            F.p(F.b("ĐÁP ÁN")),
        ]
        blocks.append(F.p(F.b("PHẦN I")))
        blocks.append(F.table([["Câu"] + (1...12).map(String.init), ["Chọn"] + partOneKey]))
        blocks.append(F.p(F.b("PHẦN II")))
        var rows = [["Câu", "Lệnh hỏi", "Đáp án (Đ/S)"]]
        for (n, key) in partTwoKey.enumerated() {
            for (s, truth) in key.enumerated() {
                rows.append([s == 0 ? String(n + 1) : "", ["a)", "b)", "c)", "d)"][s], String(truth)])
            }
        }
        blocks.append(F.table(rows))
        blocks.append(F.p(F.b("PHẦN III")))
        blocks.append(F.table([["Câu"] + (1...6).map(String.init), ["Đáp án"] + partThreeKey]))
        return blocks
    }

    @Test("2025 format: Phần I 12 questions, Phần II 4 clusters, Phần III 6 numeric, answer tables at the end")
    func exam2025() throws {
        let result = DocxImporter.importQuestions(from: F.docx(Self.exam()))
        #expect(result.report.allErrors.isEmpty, "\(result.report.allErrors)")
        #expect(result.report.fileWarnings.isEmpty, "\(result.report.fileWarnings)")
        #expect(result.report.importedByType == [.singleChoice: 12, .trueFalseCluster: 4, .numeric: 6])
        #expect(result.questions.map(\.id) == (1...22).map { "q\($0)" })
        #expect(result.categories.map(\.path) == ["Phần I", "Phần II", "Phần III"])

        let partOne = result.questions.filter { $0.category == "Phần I" }
        #expect(partOne.map(DocxImporterTests.answer) == Self.partOneKey)
        #expect(partOne[4].title == "Câu 5 (Phần I)")
        let fifth = try #require(DocxImporterTests.choice(partOne[4]))
        #expect(fifth.options.map(\.text.html) == ["ln x + 5", "ln x − 5", "5 ln x", "x + 5"])
        #expect(fifth.options[3].isCorrect)
        #expect(partOne[0].stem.html.contains("<mfrac><mrow><mn>1</mn></mrow><mrow><mi>x</mi></mrow></mfrac>"))

        let partTwo = result.questions.filter { $0.category == "Phần II" }
        #expect(partTwo.map(DocxImporterTests.truths) == Self.partTwoKey)
        let third = try #require(DocxImporterTests.cluster(partTwo[2]))
        #expect(
            third.statements.map(\.text.plainText) == [
                "f(0) = 3.", "f′(x) = 3x² − 3.", "Hàm số đạt cực đại tại x = −1.", "Giá trị nhỏ nhất trên [0; 2] là 1.",
            ])
        #expect(partTwo[2].score(.cluster(["a": true, "b": true, "c": false, "d": false])) == 1)
        #expect(partTwo[2].score(.cluster(["a": true, "b": true, "c": false, "d": true])) == 0.5)

        let partThree = result.questions.filter { $0.category == "Phần III" }
        #expect(partThree.compactMap { DocxImporterTests.numeric($0)?.keys.first?.answer } == Self.partThreeKey)
        #expect(partThree.allSatisfy { DocxImporterTests.numeric($0)?.answerBoxLength == 4 })
        #expect(DocxImporterTests.text(partThree[1].workedSolution) == "Ta có kết quả bằng −1.")
        #expect(partThree[5].score(.text("-2.4")) == 1)
        #expect(result.report.entries.map(\.location.line).first == 5)
    }

    @Test("The same test with one key cell missing: that question is invalid and named by part, nothing imported")
    func examWithGap() throws {
        var blocks = Self.exam()
        let table = try #require(blocks.lastIndex { $0.hasPrefix("<w:tbl>") })
        blocks[table] = F.table([["Câu"] + (1...6).map(String.init), ["Đáp án", "2,5", "-1", "12", "0,75", "1500", ""]])
        let result = DocxImporter.importQuestions(from: F.docx(blocks))
        #expect(result.questions.isEmpty)
        #expect(result.report.allErrors.map(\.vietnamese) == ["Câu 6 (Phần III): không tìm thấy đáp số (Đáp số: …)"])
        #expect(result.report.entries.filter { $0.outcome == .held }.count == 21)
    }

    @Test("500 questions are read linearly (and fast)")
    func manyQuestions() throws {
        var blocks: [String] = []
        let fraction = "<m:f><m:num>\(F.mr("1"))</m:num><m:den>\(F.mr("2"))</m:den></m:f>"
        for n in 1...500 {
            blocks += [
                F.p(F.b("Câu \(n)."), " Tính giá trị của biểu thức thứ \(n) với ", F.math(fraction), " và x = \(n), rồi chọn phương án đúng."),
                F.p("A. \(n)\tB. \(n + 1)"), F.p("C. \(n + 2)\t", F.u("D."), " \(n + 3)"),
                F.p(F.b("Lời giải")), F.p("Thay x = \(n) vào biểu thức ta được kết quả \(n + 3)."),
            ]
        }
        let data = F.docx(blocks)
        let clock = ContinuousClock()
        let start = clock.now
        let result = DocxImporter.importQuestions(from: data)
        let elapsed = clock.now - start
        #expect(result.report.allErrors.isEmpty)
        #expect(result.questions.count == 500)
        #expect(result.questions.allSatisfy { DocxImporterTests.answer($0) == "D" })
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("DocxImporter: 500 questions (\(data.count) bytes) in \(elapsed), \(Int(500 / seconds)) questions/s")
        #expect(elapsed < .seconds(15))
    }
}
