import Foundation
import HoclieuCore
import QuestionFormats
import Testing

/// The conventions of teachers' Word files, one by one, on .docx files built in the tests.
@Suite("Docx import")
struct DocxImporterTests {
    typealias F = DocxFixture

    static func load(_ blocks: [String], media: [(String, Data)] = [], stylesFont: String? = nil, partial: Bool = false) -> QuestionImportResult {
        DocxImporter.importQuestions(from: F.docx(blocks, media: media, stylesFont: stylesFont), options: QuestionImportOptions(partial: partial))
    }

    static func choice(_ question: Question) -> ChoiceQuestion? {
        if case .singleChoice(let choice) = question.body { return choice }
        return nil
    }

    static func cluster(_ question: Question) -> TrueFalseCluster? {
        if case .trueFalseCluster(let cluster) = question.body { return cluster }
        return nil
    }

    static func numeric(_ question: Question) -> NumericQuestion? {
        if case .numeric(let numeric) = question.body { return numeric }
        return nil
    }

    /// The text without markup, trimmed (paragraph tags become spaces).
    static func text(_ rich: RichText?) -> String? {
        rich?.plainText.trimmingCharacters(in: .whitespaces)
    }

    /// The letter of the right option (`A` for the first).
    static func answer(_ question: Question) -> String? {
        guard let choice = choice(question), let index = choice.options.firstIndex(where: \.isCorrect) else { return nil }
        return String(UnicodeScalar(UInt8(65 + index)))
    }

    static func truths(_ question: Question) -> String? {
        cluster(question).map { $0.statements.map { $0.isTrue ? "Đ" : "S" }.joined() }
    }

    /// 1-based paragraph number of the first block containing `text` (every block here is one paragraph).
    static func paragraph(of text: String, in blocks: [String]) -> Int? {
        blocks.firstIndex { $0.contains(F.escape(text)) }.map { $0 + 1 }
    }

    @Test("Question starts: Câu N. / Câu N: / Bài N. / Question N (bold or not), then bare N. numbering")
    func questionStarts() throws {
        let blocks = [
            F.p("SỞ GIÁO DỤC VÀ ĐÀO TẠO – ĐỀ KIỂM TRA 15 PHÚT"),
            F.p(F.b("Câu 1."), " Thủ đô của Việt Nam là"), F.p("A. Huế"), F.p(F.u("B."), " Hà Nội"), F.p("C. Đà Nẵng"), F.p("D. Cần Thơ"),
            F.p("Câu 2: 2 + 3 = ?"), F.p("A) 4"), F.p("B) 5"), F.p("Đáp án: B"),
            F.p(F.b("Bài 3."), " Số nguyên tố nhỏ nhất là"), F.p("A. 1"), F.p("B. 2"), F.p("Đáp án: B"),
            F.p("Question 4 Which animal is a mammal?"), F.p("A. Shark"), F.p("*B. Whale"), F.p("C. Trout"),
        ]
        let result = Self.load(blocks)
        #expect(result.report.allErrors.isEmpty, "\(result.report.allErrors)")
        #expect(result.questions.map(\.title) == ["Câu 1", "Câu 2", "Câu 3", "Câu 4"])
        #expect(
            result.questions.map { Self.text($0.stem) } == [
                "Thủ đô của Việt Nam là", "2 + 3 = ?", "Số nguyên tố nhỏ nhất là", "Which animal is a mammal?",
            ])
        #expect(result.questions.map(Self.answer) == ["B", "B", "B", "B"])
        #expect(result.questions.map { Self.choice($0)?.options.count } == [4, 2, 2, 3])
        #expect(result.report.entries.map(\.location.line) == [2, 7, 11, 15])

        let bare = Self.load([
            F.p("1. Một cộng một bằng"), F.p("A. 2"), F.p("B. 3"), F.p("Đáp án: A"),
            F.p(F.b("2."), " Hai nhân hai bằng"), F.p("A. 3"), F.p("B. 4"), F.p("Đáp án: B"),
            F.p("Lời giải: 2 × 2 = 4"), F.p("5. Dòng này thuộc lời giải vì số 5 không nối tiếp câu 2"),
        ])
        #expect(bare.report.allErrors.isEmpty, "\(bare.report.allErrors)")
        #expect(bare.questions.map(Self.answer) == ["A", "B"])
        #expect(bare.questions[1].workedSolution?.plainText.contains("số 5 không nối tiếp") == true)
    }

    @Test("Word's automatic numbering: \"Câu %1.\" questions and \"%1.\" upper-letter options, restarted per question")
    func automaticNumbering() throws {
        let numbering = F.numberingXML(
            abstracts: [1: ("decimal", "Câu %1."), 2: ("upperLetter", "%1.")], instances: [1: (1, nil), 2: (2, nil), 3: (2, 1)])
        let data = F.docx(
            [
                F.numbered(1, "Thủ đô của Việt Nam là"), F.numbered(2, "Huế"), F.numbered(2, F.u("Hà Nội")), F.numbered(2, "Đà Nẵng"),
                F.numbered(2, "Cần Thơ"),
                F.numbered(1, "2 + 2 = ?"), F.numbered(3, "3"), F.numbered(3, "4"), F.p("Đáp án: B"),
            ], numbering: numbering)
        let result = DocxImporter.importQuestions(from: data)
        #expect(result.report.allErrors.isEmpty, "\(result.report.allErrors)")
        #expect(result.questions.map(\.title) == ["Câu 1", "Câu 2"])
        #expect(result.questions.map { Self.choice($0)?.options.map(\.text.html) } == [["Huế", "Hà Nội", "Đà Nẵng", "Cần Thơ"], ["3", "4"]])
        #expect(result.questions.map(Self.answer) == ["B", "B"])
    }

    @Test("Options A.–H. and A), one per line, several on a line separated by tabs, or in a table")
    func options() throws {
        let result = Self.load([
            F.p("Câu 1. Chọn số chẵn."), F.p("A. 1\tB. 3\t", F.u("C."), " 4\tD. 5"),
            F.p("Câu 2. Chọn chữ cái cuối."), F.p("A) a\tB) b"), F.p("C) c\t", F.red("D) h")),
            F.p("Câu 3. Có bao nhiêu phương án?"), F.p("A. 1\tB. 2\tC. 3\tD. 4\tE. 5\tF. 6\tG. 7\t", F.u("H. 8")),
            F.p("Câu 4. Phương án trong bảng:"), F.table([["A. Xanh", "B. Đỏ"], ["*C. Tím", "D. Vàng"]]),
        ])
        #expect(result.report.allErrors.isEmpty, "\(result.report.allErrors)")
        #expect(result.questions.map(Self.answer) == ["C", "D", "H", "C"])
        #expect(Self.choice(result.questions[0])?.options.map(\.text.html) == ["1", "3", "4", "5"])
        #expect(Self.choice(result.questions[1])?.options.map(\.text.html) == ["a", "b", "c", "h"])
        #expect(Self.choice(result.questions[2])?.options.count == 8)
        #expect(Self.choice(result.questions[3])?.options.map(\.text.plainText) == ["Xanh", "Đỏ", "Tím", "Vàng"])
    }

    @Test("Right answer by underline, red, bold, *, Đáp án line, highlight; the mark is removed from the option HTML; no answer is an error")
    func answerMarks() throws {
        let blocks = [
            F.p("Câu 1. Gạch chân chữ cái."), F.p("A. một"), F.p(F.u("B."), " hai"), F.p("C. ba"), F.p("D. bốn"),
            F.p("Câu 2. Chữ đỏ cả phương án."), F.p("A. một"), F.p("B. hai"), F.p(F.red("C. ba", color: "C00000")), F.p("D. bốn"),
            F.p("Câu 3. In đậm chữ cái."), F.p(F.b("A."), " một"), F.p("B. hai"), F.p("C. ba"), F.p("D. bốn"),
            F.p("Câu 4. Dấu sao."), F.p("A. một"), F.p("B. hai"), F.p("C. ba"), F.p("*D. bốn"),
            F.p("Câu 5. Mọi chữ cái đều in đậm, một phương án gạch chân."), F.p(F.b("A."), " một"), F.p(F.b("B."), " hai"),
            F.p(F.b("C."), " ", F.u("ba")), F.p(F.b("D."), " bốn"),
            F.p("Câu 6. Dòng đáp án."), F.p("A. một"), F.p("B. hai"), F.p("C. ba"), F.p("D. bốn"), F.p("Đáp án: A"),
            F.p("Câu 7. Không đánh dấu gì."), F.p("A. một"), F.p("B. hai"), F.p("C. ba"), F.p("D. bốn"),
            F.p("Câu 8. Tô sáng phương án."), F.p("A. một"), F.p("B. hai"), F.p("C. ba"), F.p(F.run("D. bốn", .highlight)),
        ]
        let strict = Self.load(blocks)
        #expect(strict.questions.isEmpty)
        #expect(strict.report.invalidCount == 1)
        #expect(strict.report.entries.filter { $0.outcome == .held }.count == 7)
        let error = try #require(strict.report.allErrors.first)
        #expect(error.vietnamese == "Câu 7: không tìm thấy đáp án đúng")
        #expect(error.english == "Question 7: no correct answer found")
        #expect(error.location?.line == Self.paragraph(of: "Câu 7. Không đánh dấu gì.", in: blocks))

        let partial = Self.load(blocks, partial: true)
        #expect(partial.questions.map(Self.answer) == ["B", "C", "A", "D", "C", "A", "D"])
        #expect(
            Self.choice(partial.questions[4])?.options.map(\.text.html) == ["một", "hai", "ba", "bốn"],
            "the underline that marks the answer is not shown")
    }

    @Test("Several options carrying the same mark are reported, not guessed")
    func ambiguousMarks() {
        let result = Self.load([F.p("Câu 1. Hai phương án gạch chân."), F.p(F.u("A."), " một"), F.p(F.u("B."), " hai"), F.p("C. ba")])
        #expect(result.report.allErrors.map(\.code) == ["noCorrectAnswer"])
        #expect(result.report.allErrors.first?.vietnamese.contains("gạch chân") == true)
    }

    @Test("Answer list at the end: 1-A, 2B, 3.C, Câu 4: D; conflicting answers are an error")
    func answerList() {
        var blocks = [String]()
        for n in 1...4 { blocks += [F.p("Câu \(n). Câu hỏi số \(n)?"), F.p("A. một\tB. hai\tC. ba\tD. bốn")] }
        blocks += [F.p("----- HẾT -----"), F.p("ĐÁP ÁN"), F.p("1-A   2B"), F.p("3.C"), F.p("Câu 4: D")]
        let result = Self.load(blocks)
        #expect(result.report.allErrors.isEmpty, "\(result.report.allErrors)")
        #expect(result.questions.map(Self.answer) == ["A", "B", "C", "D"])

        // A key line right after the questions, with no heading, disagreeing with an Đáp án line.
        let conflicting = Self.load([F.p("Câu 1. Một?"), F.p("A. x\tB. y"), F.p("Đáp án: A"), F.p("Câu 2. Hai?"), F.p("A. x\tB. y"), F.p("1-B 2-A")])
        #expect(conflicting.report.allErrors.map(\.code) == ["conflictingAnswers"])
        #expect(conflicting.report.allErrors.first?.vietnamese == "Câu 1: các đáp án được ghi không khớp nhau (A, B)")
    }

    @Test("Key values: a signed number after its question number, Đ/S letters spaced out, Câu 3 - Đ, S, S, Đ")
    func keyValues() {
        let result = Self.load([
            F.p("Câu 1. Tính 1 − 2,5."), F.p("Câu 2. Xét tính đúng sai."), F.p("a) Một."), F.p("b) Hai."), F.p("c) Ba."), F.p("d) Bốn."),
            F.p("Câu 3. Xét tính đúng sai."), F.p("a) Một."), F.p("b) Hai."), F.p("c) Ba."), F.p("d) Bốn."),
            F.p("HẾT"), F.table([["1", "-1,5"], ["2", "Đ S S Đ"]]), F.p("Câu 3 - S, Đ, Đ, S"),
        ])
        #expect(result.report.allErrors.isEmpty, "\(result.report.allErrors)")
        #expect(result.questions.map(\.type) == [.numeric, .trueFalseCluster, .trueFalseCluster])
        #expect(Self.numeric(result.questions[0])?.keys.map(\.answer) == ["-1,5"])
        #expect(result.questions.dropFirst().map(Self.truths) == ["ĐSSĐ", "SĐĐS"])
    }

    @Test("Answer table (Word table) after HẾT; what follows HẾT is otherwise ignored")
    func answerTableAfterEnd() {
        var blocks = [String]()
        for n in 1...3 { blocks += [F.p("Câu \(n). Câu hỏi \(n)?"), F.p("A. một\tB. hai\tC. ba\tD. bốn")] }
        blocks += [
            F.p("--- HẾT ---"), F.p("Câu 9. Câu này nằm sau chữ HẾT nên không được đọc."), F.p("A. x\tB. y"),
            F.table([["Câu", "1", "2", "3"], ["Đáp án", "D", "B", "C"]]),
        ]
        let result = Self.load(blocks)
        #expect(result.report.allErrors.isEmpty, "\(result.report.allErrors)")
        #expect(result.questions.count == 3)
        #expect(result.questions.map(Self.answer) == ["D", "B", "C"])

        // Vertical layout, pairs of columns.
        var vertical = [String]()
        for n in 1...4 { vertical += [F.p("Câu \(n). Hỏi \(n)?"), F.p("A. một\tB. hai\tC. ba\tD. bốn")] }
        vertical += [F.p("HẾT"), F.table([["1", "A", "3", "C"], ["2", "B", "4", "D"]])]
        #expect(Self.load(vertical).questions.map(Self.answer) == ["A", "B", "C", "D"])
    }

    @Test("Đúng/Sai clusters: Đ/S after the statement, underlined, red or bold letters, Đáp án line, the key (ĐSSĐ and a) Đ lines); 3 statements is an error")
    func trueFalseClusters() throws {
        let blocks = [
            F.p("Câu 1. Cho hàm số y = x + 1. Xét tính đúng sai."),
            F.p("a) Hàm số đồng biến trên ℝ.\tĐ"), F.p("b) Đồ thị đi qua gốc toạ độ. (S)"), F.p("c) Đồ thị cắt trục tung tại điểm S.  Sai"),
            F.p("d) Hệ số góc bằng 1. [Đ]"),
            F.p("Câu 2. Gạch chân chữ cái của ý đúng."), F.p(F.u("a)"), " Ý một."), F.p("b) Ý hai."), F.p(F.u("c)"), " Ý ba."), F.p("d) Ý bốn."),
            F.p("Câu 3. Chữ cái màu đỏ cho ý đúng."), F.p("a) Ý một."), F.p(F.red("b)"), " Ý hai."), F.p("c) Ý ba."), F.p(F.red("d)"), " Ý bốn."),
            F.p("Câu 4. Đáp án ở bảng."), F.p("a) Ý một."), F.p("b) Ý hai."), F.p("c) Ý ba."), F.p("d) Ý bốn."),
            F.p("Câu 5. Đáp án từng ý."), F.p("a) Ý một."), F.p("b) Ý hai."), F.p("c) Ý ba."), F.p("d) Ý bốn."),
            F.p("Câu 6. Chỉ có ba ý."), F.p("a) Ý một.\tĐ"), F.p("b) Ý hai.\tS"), F.p("c) Ý ba.\tĐ"),
            F.p("Câu 7. Chữ cái in đậm cho ý đúng."), F.p(F.b("a)"), " Ý một."), F.p("b) Ý hai."), F.p("c) Ý ba."), F.p(F.b("d)"), " Ý bốn."),
            F.p("Câu 8. Dòng đáp án."), F.p("a) Ý một."), F.p("b) Ý hai."), F.p("c) Ý ba."), F.p("d) Ý bốn."), F.p("Đáp án: SSĐĐ"),
            F.p("HẾT"), F.p("Đáp án"), F.p("4-SĐĐS"), F.p("Câu 5"), F.p("a) Đ"), F.p("b) Đ"), F.p("c) S"), F.p("d) S"),
        ]
        let result = Self.load(blocks, partial: true)
        #expect(result.questions.map(Self.truths) == ["ĐSSĐ", "ĐSĐS", "SĐSĐ", "SĐĐS", "ĐĐSS", "ĐSSĐ", "SSĐĐ"])
        let first = try #require(Self.cluster(result.questions[0]))
        #expect(
            first.statements.map(\.text.plainText) == [
                "Hàm số đồng biến trên ℝ.", "Đồ thị đi qua gốc toạ độ.", "Đồ thị cắt trục tung tại điểm S.", "Hệ số góc bằng 1.",
            ])
        #expect(first.statements.map(\.label) == ["a", "b", "c", "d"])
        let invalid = try #require(result.report.entries.first { $0.outcome == .invalid })
        #expect(invalid.errors.map(\.code) == ["clusterStatementCount"])
        #expect(invalid.errors.first?.vietnamese == "Câu 6: câu hỏi Đúng/Sai phải có đúng 4 ý (có 3)")
        #expect(invalid.location.line == Self.paragraph(of: "Câu 6. Chỉ có ba ý.", in: blocks))
    }

    @Test("Numeric answers: Đáp số / ĐS / Đáp án with decimal comma or point and sign; Phần III checks the 4-character box")
    func numericAnswers() throws {
        let blocks = [
            F.p("Câu 1. Tính 1 − 2,5."), F.p("Đáp số: -1,5"),
            F.p("Câu 2. Tính 5 : 2."), F.p("ĐS: 2.5"),
            F.p("Câu 3. Tính 3 × 4."), F.p("Đáp án: 12"),
            F.p("PHẦN III. Câu trắc nghiệm trả lời ngắn"),
            F.p("Câu 1. Một số quá dài cho ô trả lời."), F.p("Đáp số: 12,25"),
            F.p("Câu 2. Nghiệm âm của phương trình 2x + 1 = 0."), F.p("Đáp số: -0,5"),
        ]
        let result = Self.load(blocks, partial: true)
        #expect(result.questions.compactMap { Self.numeric($0)?.keys.first?.answer } == ["-1,5", "2.5", "12", "-0,5"])
        #expect(result.questions.map { Self.numeric($0)?.answerBoxLength } == [nil, nil, nil, 4])
        #expect(result.questions.last?.category == "Phần III")
        #expect(result.questions[0].score(.text("-1.5")) == 1)
        let invalid = try #require(result.report.entries.first { $0.outcome == .invalid })
        #expect(invalid.errors.map(\.code) == ["numericAnswerTooLongForBox"])
        #expect(invalid.errors.first?.vietnamese == "Câu 1 (Phần III): đáp án \"12,25\" dài hơn 4 ký tự của ô trả lời")
        #expect(invalid.location.line == Self.paragraph(of: "Câu 1. Một số quá dài cho ô trả lời.", in: blocks))
        #expect(result.categories.map(\.path) == ["Phần III"])
    }

    @Test("Parts I, II, III decide the type (single choice, Đúng/Sai, numeric) and become the category")
    func parts() throws {
        let result = Self.load(
            [
                F.p(F.b("PHẦN I. Câu trắc nghiệm nhiều phương án lựa chọn.")), F.p("Câu 1. Một?"), F.p("A. x\tB. y"), F.p("Đáp án: B"),
                F.p(F.b("Phần II. Câu trắc nghiệm đúng sai.")), F.p("Câu 1. Xét các mệnh đề."),
                F.p("a) Một.\tĐ"), F.p("b) Hai.\tĐ"), F.p("c) Ba.\tS"), F.p("d) Bốn.\tS"),
                F.p(F.b("Phần III. Câu trắc nghiệm trả lời ngắn.")), F.p("Câu 1. Tính 0,5 + 0,25."), F.p("Đáp số: 0,75"),
                F.p("Phần II"), F.p("Câu 2. Không có ý nào."), F.p("Đáp án: B"),
            ], partial: true)
        #expect(result.questions.map(\.type) == [.singleChoice, .trueFalseCluster, .numeric])
        #expect(result.questions.map(\.category) == ["Phần I", "Phần II", "Phần III"])
        #expect(result.categories.map(\.path) == ["Phần I", "Phần II", "Phần III"])
        #expect(result.categories.first?.info?.plainText == "PHẦN I. Câu trắc nghiệm nhiều phương án lựa chọn.")
        let invalid = try #require(result.report.entries.first { $0.outcome == .invalid })
        #expect(invalid.errors.first?.code == "noStatements")
        #expect(invalid.errors.first?.english.hasPrefix("Question 2 (part II): ") == true)
    }

    @Test("A heading that names its kind wins over the 2025 numerals: PHẦN II. TỰ LUẬN holds essays, not Đúng/Sai clusters")
    func partHeadingsNameTheirKind() {
        let result = Self.load([
            F.p(F.b("PHẦN I. TRẮC NGHIỆM (3 điểm)")), F.p("Câu 1. Một?"), F.p("A. x\tB. y"), F.p("Đáp án: A"),
            F.p("Câu 2. Hai?"), F.p("A. x\tB. y"), F.p("Đáp án: B"),
            F.p(F.b("PHẦN II. TỰ LUẬN (7 điểm)")), F.p("Bài 1. Giải phương trình 2x − 4 = 0."), F.p("Lời giải: x = 2."),
            F.p("Bài 2. Rút gọn biểu thức A = (x + 1)² − x²."), F.p("Hướng dẫn giải: A = 2x + 1."),
            F.p(F.b("PHẦN III. Câu hỏi đúng sai")), F.p("Câu 1. Xét các mệnh đề:"),
            F.p("a) Một.\tĐ"), F.p("b) Hai.\tS"), F.p("c) Ba.\tĐ"), F.p("d) Bốn.\tS"),
        ])
        #expect(result.report.allErrors.isEmpty, "\(result.report.allErrors)")
        #expect(result.questions.map(\.type) == [.singleChoice, .singleChoice, .essay, .essay, .trueFalseCluster])
        #expect(result.questions.map(\.category) == ["Phần I", "Phần I", "Phần II", "Phần II", "Phần III"])
        #expect(result.questions[3].workedSolution?.html == "A = 2x + 1.")
    }

    @Test("Lời giải / Hướng dẫn giải / Giải: become the worked solution; Chọn B inside it gives the answer")
    func workedSolutions() throws {
        let result = Self.load([
            F.p("Câu 1. 1 + 1 = ?"), F.p("A. 1\tB. 2"), F.p(F.b("Lời giải")), F.p("Ta có 1 + 1 = 2."), F.p("Chọn B."),
            F.p("Câu 2. 2 + 2 = ?"), F.p("A. 4\tB. 5"), F.p("Hướng dẫn giải: Cộng hai số."), F.p("Đáp án: A"),
            F.p("Câu 3. 3 + 3 = ?"), F.p("Giải: 3 + 3 = 6."), F.p("Đáp số: 6"),
            F.p("Câu 4. Giải phương trình x + 1 = 2 (câu tự luận)."), F.p("Lời giải chi tiết: x = 1."),
        ])
        #expect(result.report.allErrors.isEmpty, "\(result.report.allErrors)")
        #expect(
            result.questions.map(\.workedSolution?.html) == [
                "<p>Ta có 1 + 1 = 2.</p><p>Chọn B.</p>", "<p>Cộng hai số.</p><p>Đáp án: A</p>", "<p>3 + 3 = 6.</p><p>Đáp số: 6</p>", "x = 1.",
            ])
        #expect(result.questions.map(Self.answer).prefix(2) == ["B", "A"])
        #expect(result.questions.map(\.type) == [.singleChoice, .singleChoice, .numeric, .essay])
        #expect(result.questions[0].stem.html == "1 + 1 = ?", "a stem of one paragraph has no <p>")
    }

    @Test("An italic option letter means do not shuffle")
    func italicLetterDoNotShuffle() throws {
        let result = Self.load([F.p("Câu 1. Chọn đúng."), F.p("A. x"), F.p("B. y"), F.p(F.u("C."), " z"), F.p(F.i("D."), " Cả A, B, C đều đúng")])
        let question = try #require(result.questions.first)
        let choice = try #require(Self.choice(question))
        #expect(choice.shuffle)
        #expect(choice.options.map(\.doNotShuffle) == [false, false, false, true])
    }

    @Test("Office Math becomes MathML; unknown constructs are kept as text with a warning")
    func officeMath() throws {
        let fraction = "<m:f><m:num>\(F.mr("1"))</m:num><m:den>\(F.mr("2"))</m:den></m:f>"
        let square = "<m:sSup><m:e>\(F.mr("x"))</m:e><m:sup>\(F.mr("2"))</m:sup></m:sSup>"
        let root = "<m:rad><m:radPr><m:degHide m:val=\"1\"/></m:radPr><m:deg/><m:e>\(F.mr("3"))</m:e></m:rad>"
        let index = "<m:sSub><m:e>\(F.mr("u"))</m:e><m:sub>\(F.mr("n"))</m:sub></m:sSub>"
        let prescript = "<m:sPre><m:sub>\(F.mr("1"))</m:sub><m:sup>\(F.mr("2"))</m:sup><m:e>\(F.mr("X"))</m:e></m:sPre>"
        let result = Self.load([
            F.p("Câu 1. Tính ", F.math(fraction + F.mr("+") + square), " khi x = 1,5."),
            F.p("A. ", F.math(root)), F.p("B. ", F.math(index)), F.p("C. ", F.math(prescript)), F.p("Đáp án: A"),
        ])
        #expect(result.report.allErrors.isEmpty, "\(result.report.allErrors)")
        let question = try #require(result.questions.first)
        #expect(
            question.stem.html
                == """
                Tính <math xmlns="http://www.w3.org/1998/Math/MathML"><mfrac><mrow><mrow><mn>1</mn></mrow></mrow><mrow><mrow><mn>2</mn></mrow></mrow></mfrac>\
                <mo>+</mo><msup><mrow><mrow><mi>x</mi></mrow></mrow><mrow><mrow><mn>2</mn></mrow></mrow></msup></math> khi x = 1,5.
                """.replacingOccurrences(of: "<mrow><mrow>", with: "<mrow>").replacingOccurrences(of: "</mrow></mrow>", with: "</mrow>"))
        let options = try #require(Self.choice(question)).options.map(\.text.html)
        #expect(options[0] == "<math xmlns=\"http://www.w3.org/1998/Math/MathML\"><msqrt><mrow><mn>3</mn></mrow></msqrt></math>")
        #expect(options[1] == "<math xmlns=\"http://www.w3.org/1998/Math/MathML\"><msub><mrow><mi>u</mi></mrow><mrow><mi>n</mi></mrow></msub></math>")
        #expect(options[2] == "<math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mtext>12X</mtext></math>")
        #expect(result.report.entries[0].warnings.map(\.code) == ["unsupportedMath"])
        #expect(result.report.entries[0].warnings.first?.english.contains("m:sPre") == true)
        #expect(question.stem.sanitised().html.contains("<mfrac>"))
    }

    @Test("Pictures become media referenced from the stem and option HTML")
    func pictures() throws {
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3])
        let other = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 9, 9])
        let result = Self.load(
            [
                F.p("Câu 1. Quan sát hình vẽ:"), F.p(F.picture("rIdImg1", alt: "Tam giác ABC")),
                F.p("A. ", F.picture("rIdImg2")), F.p(F.u("B."), " Không hình nào"),
            ], media: [("image1.png", png), ("image2.png", other)])
        #expect(result.report.allErrors.isEmpty, "\(result.report.allErrors)")
        let question = try #require(result.questions.first)
        #expect(question.stem.html == "<p>Quan sát hình vẽ:</p><p><img src=\"@@PLUGINFILE@@/image1.png\" alt=\"Tam giác ABC\" /></p>")
        #expect(Self.choice(question)?.options.first?.text.html == "<img src=\"@@PLUGINFILE@@/image2.png\" alt=\"\" />")
        #expect(
            question.media == [
                QuestionMedia(name: "image1.png", mediaType: "image/png", data: png, field: "questiontext"),
                QuestionMedia(name: "image2.png", mediaType: "image/png", data: other, field: "answer[0]"),
            ])
        #expect(result.report.entries[0].media.map(\.byteCount) == [11, 10])
    }

    @Test("MathType equations are kept as their preview picture, with a MathType warning")
    func mathType() throws {
        let wmf = Data([0xD7, 0xCD, 0xC6, 0x9A, 0, 0, 1, 2])
        let result = Self.load(
            [F.p("Câu 1. Giá trị của ", F.mathType("rIdImg1"), " là"), F.p("A. 1\tB. 2"), F.p("Đáp án: A")], media: [("image1.wmf", wmf)])
        #expect(result.report.allErrors.isEmpty, "\(result.report.allErrors)")
        let question = try #require(result.questions.first)
        #expect(question.stem.html == "Giá trị của <img src=\"@@PLUGINFILE@@/image1.wmf\" alt=\"MathType\" /> là")
        #expect(question.media.map(\.mediaType) == ["image/wmf"])
        let warning = try #require(result.report.entries[0].warnings.first)
        #expect(warning.code == "mathType")
        #expect(warning.vietnamese.contains("MathType"))
        #expect(warning.english == "Question 1: a MathType equation (Equation.DSMT4) is kept as its preview picture")
    }

    @Test("TCVN3 and VNI text, by font and by its characteristic characters, is converted to Unicode")
    func legacyEncodings() throws {
        let blocks = [
            F.p(F.run("®Ò kiÓm tra", font: ".VnTimeH")),
            F.p(F.run("C©u 1. Ph©n sè nµo lín nhÊt?", font: ".VnTime")), F.p(F.run("A. 1/2\tB. 1/3", font: ".VnTime")),
            F.p(F.run("§¸p ¸n: A", font: ".VnTime")),
            F.p(F.run("Caâu 2. Phaân soá naøo nhoû nhaát?", font: "VNI-Times")), F.p("A. 1/2\tB. 1/3"), F.p(F.run("Ñaùp aùn: B", font: "VNI-Times")),
            F.p("C©u 3. Trong c¸c sè sau, sè nµo lµ sè nguyªn tè?"), F.p("A. 4\tB. 7"), F.p("Đáp án: B"),
            F.p("Câu 4. Trong caùc soá sau, soá naøo laø soá chaün?"), F.p("A. 4\tB. 7"), F.p("Đáp án: A"),
            F.p(F.run("Câu 5. Trường em", font: "Times New Roman"), F.run(" (tr\u{AD}êng THCS)", font: ".VnTime")), F.p("A. x\tB. y"),
            F.p("Đáp án: A"),
        ]
        let result = Self.load(blocks)
        #expect(result.report.allErrors.isEmpty, "\(result.report.allErrors)")
        #expect(
            result.questions.map { Self.text($0.stem) } == [
                "Phân số nào lớn nhất?", "Phân số nào nhỏ nhất?", "Trong các số sau, số nào là số nguyên tố?",
                "Trong các số sau, số nào là số chẵn?", "Trường em (trường THCS)",
            ])
        #expect(result.questions.map(Self.answer) == ["A", "B", "B", "A", "A"])
        #expect(result.report.fileWarnings.map(\.code) == ["legacyEncodingConverted", "legacyEncodingConverted"])

        // A legacy font left on text that is already Unicode does not garble it.
        let leftover = Self.load([F.p(F.run("Câu 1. Số nào lớn hơn?", font: ".VnTime")), F.p("A. 2\tB. 3"), F.p("Đáp án: B")])
        #expect(Self.text(leftover.questions.first?.stem) == "Số nào lớn hơn?")

        // The document's default font (styles.xml) says TCVN3 for runs without a font of their own.
        let styled = Self.load([F.p("C©u 1. Sè nµo lín h¬n?"), F.p("A. 2\tB. 3"), F.p("§¸p ¸n: B")], stylesFont: ".VnTime")
        #expect(Self.text(styled.questions.first?.stem) == "Số nào lớn hơn?")
        #expect(styled.questions.map(Self.answer) == ["B"])
    }

    @Test("Styles count: a red character style marks the answer, a paragraph style's TCVN3 capital font and bold apply to its runs")
    func styles() throws {
        let styles = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">\
            <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:rPr><w:rFonts w:ascii="Times New Roman"/></w:rPr></w:style>\
            <w:style w:type="paragraph" w:styleId="TieuDe"><w:basedOn w:val="Normal"/><w:rPr><w:rFonts w:ascii=".VnTimeH"/><w:b/></w:rPr></w:style>\
            <w:style w:type="character" w:styleId="DoBase"><w:rPr><w:color w:val="FF0000"/></w:rPr></w:style>\
            <w:style w:type="character" w:styleId="DapAn"><w:basedOn w:val="DoBase"/></w:style></w:styles>
            """
        let data = F.docx(
            [
                F.p("Câu 1."), F.styled("TieuDe", "thñ ®« cña viÖt nam lµ"),
                F.p("A. Huế"), F.p(F.run("B. Hà Nội", characterStyle: "DapAn")), F.p("C. Đà Nẵng"),
            ], stylesXML: styles)
        let result = DocxImporter.importQuestions(from: data)
        #expect(result.report.allErrors.isEmpty, "\(result.report.allErrors)")
        let question = try #require(result.questions.first)
        #expect(question.stem.html == "<b>THỦ ĐÔ CỦA VIỆT NAM LÀ</b>")
        #expect(Self.answer(question) == "B")
        #expect(result.report.fileWarnings.map(\.code) == ["legacyEncodingConverted"])
    }

    @Test("Bad input: not a zip, no word/document.xml, malformed XML, DOCTYPE, zip bomb — clear errors, nothing imported")
    func badInput() throws {
        let notZip = DocxImporter.importQuestions(from: Data("Câu 1. Đây là văn bản thường".utf8))
        #expect(notZip.report.fileErrors.map(\.code) == ["notDocx"])
        #expect(notZip.questions.isEmpty)

        let noDocument = DocxImporter.importQuestions(from: StoredZip.archive([("word/other.xml", Data("<a/>".utf8))]))
        #expect(noDocument.report.fileErrors.map(\.code) == ["missingDocument"])

        let broken = F.documentXML([F.p("Câu 1. Một?")]).replacingOccurrences(of: "</w:body>", with: "\n<w:p></w:body>")
        let malformed = DocxImporter.importQuestions(from: StoredZip.archive(F.parts([], documentXML: broken)))
        let error = try #require(malformed.report.fileErrors.first)
        #expect(error.code == "malformedXML")
        #expect(error.location?.line == 3)
        #expect((error.location?.column ?? 0) > 0)
        #expect(error.location?.path == "word/document.xml")

        let xxe = """
            <?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\
            <w:document \(F.namespaces)><w:body><w:p><w:r><w:t>Câu 1. &xxe;</w:t></w:r></w:p></w:body></w:document>
            """
        let doctype = DocxImporter.importQuestions(from: StoredZip.archive(F.parts([], documentXML: xxe)))
        #expect(doctype.report.fileErrors.map(\.code) == ["doctypeNotAllowed"])
        #expect(doctype.questions.isEmpty)

        var bombParts = F.parts([F.p("Câu 1. Một?"), F.p("*A. x\tB. y")])
        bombParts.append(("word/media/bomb.bin", Data(repeating: 0, count: 1000)))
        let bomb = DocxImporter.importQuestions(from: StoredZip.archive(bombParts, claimedSizes: ["word/media/bomb.bin": (8, 1000, 900_000_000)]))
        #expect(bomb.report.fileErrors.map(\.code) == ["unsafeArchive"])
        #expect(bomb.questions.isEmpty)

        let traversal = DocxImporter.importQuestions(from: StoredZip.archive(F.parts([F.p("x")]) + [("../evil.txt", Data("x".utf8))]))
        #expect(traversal.report.fileErrors.map(\.code) == ["unsafeArchive"])

        let whole = F.docx([F.p("Câu 1. Một?"), F.p("*A. x\tB. y")])
        let truncated = DocxImporter.importQuestions(from: whole.prefix(whole.count / 2))
        #expect(truncated.report.fileErrors.map(\.code) == ["notDocx"])

        let notWord = DocxImporter.importQuestions(from: StoredZip.archive(F.parts([], documentXML: "<quiz><question/></quiz>")))
        #expect(notWord.report.fileErrors.map(\.code) == ["notWordDocument"])

        let empty = Self.load([F.p("Chỉ có một dòng chữ, không có câu hỏi.")])
        #expect(empty.report.fileErrors.map(\.code) == ["noQuestions"])
    }
}
