import Foundation
import Testing

@testable import HoclieuCore

/// Builders shared by the blueprint and assembly tests.
enum BPFixture {
    static let rows = ["TOAN.6.SD.1", "TOAN.6.SD.2", "TOAN.6.HH.1"]

    /// A Toán 6 test in the 2025 layout: 12 single-choice questions (0.25 each), 4 Đúng/Sai
    /// clusters (1 each), 6 short numeric answers (0.5 each): 22 questions, 10 points.
    /// Levels: Biết 10 questions, 3.25 points; Hiểu 8, 3.75; Vận dụng 4, 3.
    static func blueprint() -> Blueprint {
        func sc(_ level: String, _ n: Int) -> BlueprintCell { BlueprintCell(level: level, type: .singleChoice, count: n, pointsPerQuestion: 0.25) }
        func tf(_ level: String, _ n: Int) -> BlueprintCell { BlueprintCell(level: level, type: .trueFalseCluster, count: n, pointsPerQuestion: 1) }
        func num(_ level: String, _ n: Int) -> BlueprintCell { BlueprintCell(level: level, type: .numeric, count: n, pointsPerQuestion: 0.5) }
        func req(_ level: String, _ text: String, _ codes: [String] = []) -> BlueprintRequirement {
            BlueprintRequirement(level: level, text: text, outcomeCodes: codes)
        }
        return Blueprint(
            title: "Kiểm tra giữa học kì I, Toán 6",
            subject: "TOAN",
            grade: 6,
            framework: "BHV3",
            questionTypes: [.singleChoice, .trueFalseCluster, .numeric],
            totalPoints: 10,
            rows: [
                BlueprintRow(
                    code: "TOAN.6.SD.1", label: "Số tự nhiên",
                    cells: [sc("BHV3.1", 4), tf("BHV3.1", 1), sc("BHV3.2", 1), num("BHV3.3", 1)],
                    requirements: [
                        req("BHV3.1", "Nhận biết được tập hợp các số tự nhiên.", ["TOAN.6.SD.1.1.YC1"]),
                        req("BHV3.2", "Thực hiện được các phép tính trong tập hợp số tự nhiên."),
                        req("BHV3.3", "Vận dụng được tính chất của phép tính để tính nhẩm, tính nhanh."),
                    ]),
                BlueprintRow(
                    code: "TOAN.6.SD.2", label: "Phân số",
                    cells: [sc("BHV3.1", 3), sc("BHV3.2", 2), tf("BHV3.2", 1), num("BHV3.2", 2), num("BHV3.3", 1)],
                    requirements: [
                        req("BHV3.1", "Nhận biết được phân số với tử số hoặc mẫu số là số nguyên âm.", ["TOAN.6.SD.2.1.YC1", "TOAN.6.SD.2.1.YC2"]),
                        req("BHV3.1", "Nêu được hai phân số bằng nhau, \"quy tắc\" bằng nhau của phân số."),
                        req("BHV3.2", "So sánh được hai phân số cho trước."),
                        req("BHV3.3", "Giải quyết được bài toán thực tiễn gắn với phép tính về phân số."),
                    ]),
                BlueprintRow(
                    code: "TOAN.6.HH.1", label: "Hình học trực quan",
                    cells: [sc("BHV3.1", 2), num("BHV3.2", 2), tf("BHV3.3", 2)],
                    requirements: [
                        req("BHV3.1", "Nhận dạng được tam giác đều, hình vuông, lục giác đều."),
                        req("BHV3.2", "Tính được chu vi và diện tích của các hình đã học."),
                        req("BHV3.3", "Giải quyết được vấn đề thực tiễn gắn với chu vi, diện tích."),
                    ]),
            ])
    }

    /// A single-choice question with four options, the right one at `right`; option `d` is
    /// "Cả ba phương án trên đều sai" and keeps its place when `pinLast` is set.
    static func singleChoice(
        id: String, units: [String], level: CognitiveLevelReference?, right: Int, pinLast: Bool = true, status: QuestionStatus = .published,
        version: Int = 1
    ) -> Question {
        let ids = ["a", "b", "c", "d"]
        let options = ids.enumerated().map { i, id in
            ChoiceOption(
                id: id, text: RichText(i == 3 && pinLast ? "Cả ba phương án trên đều sai" : "Phương án \(id)"), correct: i == right,
                doNotShuffle: i == 3 && pinLast)
        }
        return Question(
            id: id, knowledgeUnits: units, cognitiveLevel: level, status: status, version: version, points: 0.25, stem: RichText("Câu \(id)"),
            body: .singleChoice(ChoiceQuestion(options: options)))
    }

    static func cluster(id: String, units: [String], level: CognitiveLevelReference?, truths: [Bool], status: QuestionStatus = .published) -> Question
    {
        let labels = ["a", "b", "c", "d"]
        return Question(
            id: id, knowledgeUnits: units, cognitiveLevel: level, status: status, points: 1, stem: RichText("Cho hình vẽ. Xét tính đúng sai."),
            body: .trueFalseCluster(
                TrueFalseCluster(
                    statements: truths.enumerated().map {
                        ClusterStatement(label: labels[$0], text: RichText("Mệnh đề \(labels[$0])"), isTrue: $1)
                    })))
    }

    static func numeric(id: String, units: [String], level: CognitiveLevelReference?, answer: String, status: QuestionStatus = .published) -> Question
    {
        Question(
            id: id, knowledgeUnits: units, cognitiveLevel: level, status: status, points: 0.5, stem: RichText("Tính giá trị."),
            body: .numeric(NumericQuestion(keys: [NumericKey(answer: answer)], answerBoxLength: 4)))
    }

    static func bhv(_ n: Int) -> CognitiveLevelReference { CognitiveLevelReference(framework: "BHV3", level: "BHV3.\(n)") }
    static func ntvv(_ n: Int) -> CognitiveLevelReference { CognitiveLevelReference(framework: "NTVV4", level: "NTVV4.\(n)") }

    /// A bank with `perCell` published questions for every row × BHV3 level × type of the
    /// fixture (tagged with a unit below the row), plus drafts that must never be used.
    static func bank(perCell: Int) -> [Question] {
        var questions: [Question] = []
        var n = 0
        for row in rows {
            for level in 1...3 {
                for k in 0..<perCell {
                    n += 1
                    let units = ["\(row).\(k % 3 + 1)"]
                    questions.append(singleChoice(id: "sc-\(row)-\(level)-\(k)", units: units, level: bhv(level), right: n % 3))
                    questions.append(
                        cluster(id: "tf-\(row)-\(level)-\(k)", units: units, level: bhv(level), truths: [n % 2 == 0, true, n % 3 == 0, false]))
                    questions.append(
                        numeric(id: "nu-\(row)-\(level)-\(k)", units: units, level: bhv(level), answer: ["-1,5", "12", "0,25", "7"][n % 4]))
                    questions.append(singleChoice(id: "draft-\(row)-\(level)-\(k)", units: units, level: bhv(level), right: 0, status: .draft))
                }
            }
        }
        return questions
    }

    /// Content lookup over a list of questions.
    static func content(_ questions: [Question]) -> (QuestionKey) -> Question? {
        let byKey = Dictionary(questions.map { (QuestionKey(id: $0.id, version: $0.version), $0) }, uniquingKeysWith: { a, _ in a })
        return { byKey[$0] }
    }
}

@Suite("Blueprint model")
struct BlueprintModelTests {
    @Test("Counts, points and totals by column, part and level")
    func totals() {
        let blueprint = BPFixture.blueprint()
        #expect(blueprint.questionCount == 22)
        #expect(blueprint.plannedPoints == 10)
        #expect(blueprint.columns().count == 9)
        #expect(blueprint.columns().first == BlueprintColumn(level: "BHV3.1", type: .singleChoice))
        #expect(blueprint.total(for: BlueprintColumn(level: "BHV3.1", type: .singleChoice)).count == 9)
        #expect(blueprint.total(for: BlueprintColumn(level: "BHV3.1", type: .singleChoice)).points == 2.25)
        #expect(blueprint.total(for: BlueprintColumn(level: "BHV3.3", type: .trueFalseCluster)).count == 2)
        let parts = blueprint.partTotals
        #expect(parts[.multipleChoice]?.count == 12)
        #expect(parts[.multipleChoice]?.points == 3)
        #expect(parts[.trueFalse]?.count == 4)
        #expect(parts[.trueFalse]?.points == 4)
        #expect(parts[.shortAnswer]?.count == 6)
        #expect(parts[.shortAnswer]?.points == 3)
        let shares = blueprint.levelShares()
        #expect(shares.map(\.name) == ["Biết", "Hiểu", "Vận dụng"])
        #expect(shares.map(\.questionCount) == [10, 8, 4])
        #expect(shares.map(\.points) == [3.25, 3.75, 3])
        #expect(shares.map(\.percentage) == [32.5, 37.5, 30])
    }

    @Test("The fixture is valid, with no warnings")
    func validFixture() {
        #expect(BPFixture.blueprint().validate().isEmpty)
    }

    @Test("An empty blueprint is reported in Vietnamese and English")
    func empty() throws {
        let blueprint = Blueprint(title: "Trống", framework: "BHV3", questionTypes: [.singleChoice])
        let issues = blueprint.validate()
        let empty = try #require(issues.first { $0.kind == .emptyBlueprint })
        #expect(empty.severity == .error)
        #expect(empty.vietnamese == "Ma trận trống: chưa có dòng nào hoặc chưa có câu hỏi nào.")
        #expect(empty.english == "The blueprint is empty: no rows or no questions.")
        // 0 points planned against 10 declared, too.
        #expect(issues.contains { $0.kind == .pointsMismatch })
    }

    @Test("Negative counts are errors naming the cell")
    func negativeCount() throws {
        var blueprint = BPFixture.blueprint()
        blueprint.rows[1].cells[0].count = -2
        let issue = try #require(blueprint.validate().first { $0.kind == .negativeCount })
        #expect(issue.rowCode == "TOAN.6.SD.2")
        #expect(issue.level == "BHV3.1")
        #expect(issue.type == .singleChoice)
        #expect(issue.vietnamese == "Số câu âm (-2) ở dòng TOAN.6.SD.2, mức BHV3.1, dạng Nhiều lựa chọn.")
        #expect(issue.english == "Negative question count (-2) at row TOAN.6.SD.2, level BHV3.1, type singleChoice.")
    }

    @Test("Points that do not add up to the declared total")
    func pointsMismatch() throws {
        var blueprint = BPFixture.blueprint()
        blueprint.rows[0].cells[0].count = 3  // one question of 0.25 fewer
        let issue = try #require(blueprint.errors().first)
        #expect(issue.kind == .pointsMismatch)
        #expect(issue.vietnamese == "Tổng điểm các ô là 9.75, khác tổng điểm của đề 10.")
        #expect(issue.english == "The cells add up to 9.75 points, not the declared total of 10.")
        blueprint.totalPoints = 9.75
        #expect(blueprint.errors().isEmpty)
    }

    @Test("A level outside the framework is an error; NTVV4.4 is not a BHV3 level")
    func unknownLevel() throws {
        var blueprint = BPFixture.blueprint()
        blueprint.rows[2].cells[1].level = "NTVV4.4"
        let issue = try #require(blueprint.errors().first { $0.kind == .unknownLevel })
        #expect(issue.vietnamese.contains("“NTVV4.4” không thuộc khung BHV3"))
        #expect(issue.english.contains("“NTVV4.4” is not a level of framework BHV3"))
        // The same cells are fine under NTVV4 once every level is an NTVV4 level.
        var four = BPFixture.blueprint()
        four.framework = "NTVV4"
        for r in four.rows.indices {
            for c in four.rows[r].cells.indices {
                four.rows[r].cells[c].level = four.rows[r].cells[c].level.replacingOccurrences(of: "BHV3", with: "NTVV4")
            }
            for q in four.rows[r].requirements.indices {
                four.rows[r].requirements[q].level = four.rows[r].requirements[q].level.replacingOccurrences(of: "BHV3", with: "NTVV4")
            }
        }
        #expect(four.validate().isEmpty)
        #expect(four.levelShares().map(\.name) == ["Nhận biết", "Thông hiểu", "Vận dụng", "Vận dụng cao"])
    }

    @Test("Framework, types, total, rows and cells: every error kind has a message")
    func otherErrors() {
        var blueprint = BPFixture.blueprint()
        blueprint.framework = "XYZ"
        #expect(blueprint.errors().map(\.kind).contains(.unknownFramework))

        blueprint = BPFixture.blueprint()
        blueprint.questionTypes = [.singleChoice, .singleChoice, .trueFalseCluster, .numeric]
        #expect(blueprint.errors().map(\.kind) == [.duplicateQuestionType])

        blueprint = BPFixture.blueprint()
        blueprint.questionTypes = [.singleChoice, .trueFalseCluster]
        #expect(Set(blueprint.errors().map(\.kind)) == [.undeclaredType])

        blueprint = BPFixture.blueprint()
        blueprint.totalPoints = 0
        #expect(blueprint.errors().map(\.kind).contains(.invalidTotal))

        blueprint = BPFixture.blueprint()
        blueprint.rows[2].code = "TOAN.6.SD.1"
        #expect(blueprint.errors().map(\.kind) == [.duplicateRow])

        blueprint = BPFixture.blueprint()
        blueprint.rows[2].code = " "
        #expect(blueprint.errors().map(\.kind) == [.emptyRowCode])

        blueprint = BPFixture.blueprint()
        blueprint.rows[0].cells.append(BlueprintCell(level: "BHV3.1", type: .singleChoice, count: 0, pointsPerQuestion: 0.25))
        #expect(blueprint.errors().map(\.kind) == [.duplicateCell])

        blueprint = BPFixture.blueprint()
        blueprint.rows[0].cells[0].pointsPerQuestion = -.infinity
        #expect(blueprint.errors().map(\.kind).contains(.invalidPoints))

        blueprint = BPFixture.blueprint()
        blueprint.rows[0].requirements.append(BlueprintRequirement(level: "BHV3.9", text: "?"))
        #expect(blueprint.errors().map(\.kind) == [.requirementUnknownLevel])

        for issue in BPFixture.blueprint().validate() + blueprint.validate() {
            #expect(!issue.vietnamese.isEmpty && !issue.english.isEmpty)
        }
    }

    @Test("Warnings: overlapping rows, missing bản đặc tả, zero points, empty requirement")
    func warnings() {
        var blueprint = BPFixture.blueprint()
        blueprint.rows.append(BlueprintRow(code: "TOAN.6.SD.2.3", label: "So sánh phân số"))
        blueprint.rows[0].requirements.removeAll { $0.level == "BHV3.2" }
        blueprint.rows[1].requirements.append(BlueprintRequirement(level: "BHV3.2", text: "  "))
        blueprint.rows[2].cells.append(BlueprintCell(level: "BHV3.2", type: .singleChoice, count: 1, pointsPerQuestion: 0))
        let issues = blueprint.validate()
        #expect(issues.allSatisfy { $0.severity == .warning })
        #expect(Set(issues.map(\.kind)) == [.overlappingRows, .missingRequirement, .zeroPoints, .emptyRequirement])
        let overlap = issues.first { $0.kind == .overlappingRows }
        #expect(overlap?.english == "Row TOAN.6.SD.2.3 lies inside row TOAN.6.SD.2: a question of TOAN.6.SD.2.3 could count for both.")
        let missing = issues.first { $0.kind == .missingRequirement }
        #expect(missing?.rowCode == "TOAN.6.SD.1")
        #expect(missing?.vietnamese == "Dòng TOAN.6.SD.1 có câu hỏi mức “Hiểu” nhưng bản đặc tả chưa ghi yêu cầu cần đạt cho mức này.")
    }

    @Test("Parts follow from question types")
    func parts() {
        #expect(ExamPart(.singleChoice) == .multipleChoice)
        #expect(ExamPart(.trueFalseCluster) == .trueFalse)
        #expect(ExamPart(.numeric) == .shortAnswer)
        #expect(ExamPart(.shortText) == .shortAnswer)
        #expect(ExamPart(.essay) == .essay)
        #expect(ExamPart(.matching) == .other)
        #expect(ExamPart.allCases.map(\.roman) == ["I", "II", "III", "IV", "V"])
        #expect(ExamPart.trueFalse.vietnamese == "Phần II. Trắc nghiệm đúng sai")
        #expect(BlueprintTypeLabel.type(named: " đúng/sai ") == .trueFalseCluster)
        #expect(BlueprintTypeLabel.type(named: "Short numeric answer") == .numeric)
        #expect(BlueprintTypeLabel.type(named: "essay") == .essay)
        #expect(Set(QuestionType.allCases.map(BlueprintTypeLabel.vietnamese)).count == QuestionType.allCases.count)
    }

    @Test("A node covers itself and its descendants, not its siblings with a longer code")
    func covers() {
        let row = BlueprintRow(code: "TOAN.6.SD.2", label: "Phân số")
        #expect(row.covers(unitCode: "TOAN.6.SD.2"))
        #expect(row.covers(unitCode: "TOAN.6.SD.2.3"))
        #expect(row.covers(unitCode: "TOAN.6.SD.2.3.YC1"))
        #expect(!row.covers(unitCode: "TOAN.6.SD.23"))
        #expect(!row.covers(unitCode: "TOAN.6.SD"))
    }

    @Test("The seeded generator is fixed: known first values, uniform bounded draws")
    func generator() {
        var a = SeededGenerator(seed: 42)
        var b = SeededGenerator(seed: 42)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        var c = SeededGenerator(seed: 43)
        #expect(first != (0..<5).map { _ in c.next() })
        var streams = (SeededGenerator(seed: 42, stream: 1), SeededGenerator(seed: 42, stream: 2))
        #expect(streams.0.next() != streams.1.next())
        var g = SeededGenerator(seed: 7)
        var counts = [0, 0, 0, 0, 0, 0]
        for _ in 0..<60_000 { counts[g.next(below: 6)] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 500 })
        // SplitMix64's published first output for seed 0 (the state of xoshiro starts with it).
        var mixer = SplitMix64(state: 0)
        #expect(mixer.next() == 0xE220_A839_7B1D_CDAF)
    }
}
