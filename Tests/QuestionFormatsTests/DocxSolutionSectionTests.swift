import Foundation
import HoclieuCore
import QuestionFormats
import Testing

/// Tests whose worked solutions follow all the questions, under a heading, as teachers write them.
@Suite("Docx import: solutions sections")
struct DocxSolutionSectionTests {
    typealias F = DocxFixture

    static func load(_ blocks: [String]) -> QuestionImportResult {
        DocxImporter.importQuestions(from: F.docx(blocks), options: QuestionImportOptions())
    }

    /// Five single-choice questions and one essay, as in a 2025-style test.
    static var questions: [String] {
        var blocks = [F.p(F.b("PHẦN I. TRẮC NGHIỆM"))]
        for n in 1...5 { blocks += [F.p(F.b("Câu \(n)."), " \(n) + \(n) = ?"), F.p(F.u("A."), " \(2 * n)\tB. \(2 * n + 1)\tC. \(n)\tD. 0")] }
        blocks += [F.p(F.b("PHẦN II. TỰ LUẬN")), F.p(F.b("Câu 6."), " Giải phương trình 2x − 4 = 0.")]
        return blocks
    }

    /// `Câu 1 (Phần I)` … `Câu 5 (Phần I)`, then `Câu 6 (Phần II)` …
    static func titles(_ count: Int) -> [String] { (1...count).map { "Câu \($0) (Phần \($0 <= 5 ? "I" : "II"))" } }

    static let headings = ["Lời giải", "Hướng dẫn giải", "Đáp án và hướng dẫn chấm", "HƯỚNG DẪN CHẤM", "LỜI GIẢI CHI TIẾT", "hướng dẫn giải:"]

    @Test("After a solutions heading, Câu 6: … is the solution of question 6, not a seventh question", arguments: headings)
    func solutionsAfterHeading(_ heading: String) throws {
        let result = Self.load(
            Self.questions + [
                F.p(F.b(heading)), F.p("Câu 1. Chọn A"), F.p("Câu 6: Ta có 2x − 4 = 0 nên 2x = 4."), F.p("Vậy x = 2."),
            ])
        #expect(result.report.allErrors.isEmpty, "\(result.report.allErrors)")
        #expect(result.questions.map(\.title) == Self.titles(6))
        #expect(result.report.fileWarnings.map(\.code).filter { $0 == "repeatedNumber" }.isEmpty, "\(result.report.fileWarnings)")
        let essay = try #require(result.questions.last)
        #expect(essay.type == .essay)
        #expect(essay.stem.plainText.contains("Giải phương trình"))
        #expect(!essay.stem.plainText.contains("Ta có"))
        #expect(essay.workedSolution?.plainText.contains("Ta có 2x − 4 = 0 nên 2x = 4.") == true, "\(String(describing: essay.workedSolution))")
        #expect(essay.workedSolution?.plainText.contains("Vậy x = 2.") == true)
        if case .singleChoice(let choice) = result.questions[0].body {
            #expect(choice.options.firstIndex(where: \.isCorrect) == 0)
        } else {
            Issue.record("question 1 is not single choice")
        }
    }

    @Test("Solutions after HẾT and an answer table: each goes to its question, in its part")
    func solutionsAfterEnd() throws {
        let result = Self.load(
            Self.questions + [
                F.p("----- HẾT -----"), F.p("ĐÁP ÁN"), F.table([["Câu", "1", "2", "3", "4", "5"], ["Đáp án", "A", "A", "A", "A", "A"]]),
                F.p("LỜI GIẢI CHI TIẾT"), F.p("PHẦN II"), F.p("Câu 6. Chuyển vế: 2x = 4, chia hai vế cho 2."), F.p("Vậy nghiệm là x = 2."),
            ])
        #expect(result.report.allErrors.isEmpty, "\(result.report.allErrors)")
        #expect(result.questions.count == 6)
        #expect(result.questions.last?.workedSolution?.plainText.contains("Chuyển vế: 2x = 4") == true)
        #expect(result.questions.last?.workedSolution?.plainText.contains("Vậy nghiệm là x = 2.") == true)
    }

    @Test("Solutions in a table (Câu | Nội dung | Điểm) under HƯỚNG DẪN CHẤM go to their questions by number")
    func solutionsInATable() throws {
        let blocks =
            Self.questions + [
                F.p("Câu 7. Rút gọn A = (x + 1)² − x²."), F.p(F.b("HƯỚNG DẪN CHẤM")),
                F.table([
                    ["Câu", "Nội dung", "Điểm"], ["6", "2x − 4 = 0 ⇔ x = 2", "1,0"], ["Câu 7", "A = x² + 2x + 1 − x² = 2x + 1", "1,0"],
                ]),
            ]
        let result = Self.load(blocks)
        #expect(result.report.allErrors.isEmpty, "\(result.report.allErrors)")
        #expect(result.questions.map(\.title) == Self.titles(7))
        #expect(result.questions[5].workedSolution?.plainText.contains("2x − 4 = 0 ⇔ x = 2") == true)
        #expect(result.questions[6].workedSolution?.plainText.contains("A = x² + 2x + 1 − x² = 2x + 1") == true)
        #expect(result.questions[6].stem.plainText.contains("Rút gọn"))
        #expect(!(result.questions[5].workedSolution?.plainText.contains("2x + 1") ?? true))
    }

    @Test("A number repeated in the same part without a solutions heading gets a warning; the same number in another part does not")
    func repeatedNumberWarns() throws {
        let blocks = Self.questions + [F.p("Câu 6: Ta có 2x = 4 nên x = 2.")]
        let result = Self.load(blocks)
        let warnings = result.report.fileWarnings.filter { $0.code == "repeatedNumber" }
        #expect(warnings.count == 1, "\(result.report.fileWarnings)")
        #expect(warnings.first?.location?.line == blocks.count)
        #expect(warnings.first?.vietnamese.contains("Câu 6 trùng số") == true)

        let parts = Self.load([
            F.p("PHẦN I"), F.p("Câu 1. 1 + 1 = ?"), F.p("A. 2\tB. 3"), F.p("Đáp án: A"),
            F.p("PHẦN II. TỰ LUẬN"), F.p("Câu 1. Giải phương trình x − 1 = 0."),
        ])
        #expect(parts.questions.count == 2)
        #expect(parts.report.fileWarnings.filter { $0.code == "repeatedNumber" }.isEmpty, "\(parts.report.fileWarnings)")
    }
}
