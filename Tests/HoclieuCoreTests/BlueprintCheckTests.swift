import Foundation
import Testing

@testable import HoclieuCore

@Suite("Blueprint check against a bank")
struct BlueprintCheckTests {
    static func summary(
        _ id: String, _ type: QuestionType = .singleChoice, units: [String], level: CognitiveLevelReference?, status: QuestionStatus = .published,
        version: Int = 1
    ) -> BankQuestionSummary {
        BankQuestionSummary(id: id, version: version, type: type, unitCodes: units, level: level, status: status)
    }

    @Test("For each cell: how many can fill it and how many are short")
    func availability() throws {
        let bank = BankIndex(BPFixture.bank(perCell: 3).map(BankQuestionSummary.init))
        let check = BlueprintCheck(blueprint: BPFixture.blueprint(), bank: bank)
        #expect(check.cells.count == 12)
        let first = try #require(check.cells.first)
        #expect(
            first
                == CellAvailability(
                    rowCode: "TOAN.6.SD.1", level: "BHV3.1", type: .singleChoice, required: 4, available: 3, recentlyUsed: 0, notRefinable: 0))
        #expect(first.short == 1)
        #expect(check.shortCells.map(\.rowCode) == ["TOAN.6.SD.1"])
        #expect(check.totalShort == 1)
        #expect(!check.canFill)
        #expect(
            check.messages == [
                "Dòng TOAN.6.SD.1, mức BHV3.1, dạng Nhiều lựa chọn: cần 4, có 3, thiếu 1. / Row TOAN.6.SD.1, level BHV3.1, type singleChoice: needs 4, has 3, short by 1."
            ])
        #expect(check.skipped.notPublished == 27)
        #expect(BlueprintCheck(blueprint: BPFixture.blueprint(), bank: BankIndex(BPFixture.bank(perCell: 4).map(BankQuestionSummary.init))).canFill)
    }

    @Test("Only published questions count, each in its newest published version")
    func published() {
        let level = BPFixture.bhv(1)
        let bank = BankIndex([
            Self.summary("q1", units: ["TOAN.6.SD.2"], level: level),
            Self.summary("q2", units: ["TOAN.6.SD.2"], level: level, status: .draft),
            Self.summary("q3", units: ["TOAN.6.SD.2"], level: level, status: .inReview),
            Self.summary("q4", units: ["TOAN.6.SD.2"], level: level, status: .retired),
            Self.summary("q5", units: ["TOAN.6.SD.2"], level: level, version: 1),
            Self.summary("q5", units: ["TOAN.6.SD.2"], level: level, version: 3),
            Self.summary("q5", units: ["TOAN.6.SD.2"], level: level, status: .draft, version: 4),
            Self.summary("q6", units: ["TOAN.6.SD.2"], level: nil),
            Self.summary("q7", units: ["TOAN.6.SD.2"], level: CognitiveLevelReference(framework: "BHV3", level: "NTVV4.1")),
            Self.summary("q8", units: [], level: level),
        ])
        #expect(bank.questions.map(\.key) == [QuestionKey(id: "q1", version: 1), QuestionKey(id: "q5", version: 3)])
        #expect(bank.skipped.notPublished == 4)
        #expect(bank.skipped.olderVersions == 1)
        #expect(bank.skipped.withoutLevel == 1)
        #expect(bank.skipped.unknownLevel == 1)
        #expect(bank.skipped.withoutUnits == 1)
        #expect(bank.skipped.total == 8)
        #expect(bank.candidateCount(node: "TOAN.6.SD.2", level: "BHV3.1", type: .singleChoice) == 2)
    }

    @Test("The same version given twice: the first one given is kept")
    func duplicateVersions() {
        let level = BPFixture.bhv(1)
        let first = Self.summary("q", units: ["TOAN.6.SD.1"], level: level)
        let second = Self.summary("q", units: ["TOAN.6.SD.2"], level: level)
        #expect(BankIndex([first, second]).questions == [first])
        #expect(BankIndex([second, first]).questions == [second])
        #expect(BankIndex([first, second]).skipped.olderVersions == 1)
    }

    @Test("A question counts for a row when a unit is the row's node or below it")
    func descendants() {
        let level = BPFixture.bhv(2)
        let bank = BankIndex([
            Self.summary("exact", units: ["TOAN.6.SD.2"], level: level),
            Self.summary("child", units: ["TOAN.6.SD.2.3"], level: level),
            Self.summary("grandchild", units: ["TOAN.6.SD.2.3.YC1"], level: level),
            Self.summary("sibling", units: ["TOAN.6.SD.23"], level: level),
            Self.summary("parent", units: ["TOAN.6.SD"], level: level),
            Self.summary("second-unit", units: ["VAN.6.1", "TOAN.6.SD.2.1", "TOAN.6.SD.2.2"], level: level),
        ])
        #expect(
            bank.candidates(node: "TOAN.6.SD.2", level: "BHV3.2", type: .singleChoice).map(\.id) == ["child", "exact", "grandchild", "second-unit"])
        #expect(bank.candidateCount(node: "TOAN.6.SD", level: "BHV3.2", type: .singleChoice) == 6)
        #expect(bank.candidateCount(node: "TOAN.6.SD.2", level: "BHV3.1", type: .singleChoice) == 0)
        #expect(bank.candidateCount(node: "TOAN.6.SD.2", level: "BHV3.2", type: .numeric) == 0)
        #expect(bank.candidateCount(node: "TOAN.7", level: "BHV3.2", type: .singleChoice) == 0)
    }

    @Test("NTVV4 questions fill BHV3 cells through the 4 → 3 mapping")
    func fourToThree() {
        let bank = BankIndex([
            Self.summary("n1", units: ["TOAN.6.SD.2"], level: BPFixture.ntvv(1)),
            Self.summary("n3", units: ["TOAN.6.SD.2"], level: BPFixture.ntvv(3)),
            Self.summary("n4", units: ["TOAN.6.SD.2"], level: BPFixture.ntvv(4)),
            Self.summary("b3", units: ["TOAN.6.SD.2"], level: BPFixture.bhv(3)),
        ])
        #expect(bank.candidates(node: "TOAN.6.SD.2", level: "BHV3.1", type: .singleChoice).map(\.id) == ["n1"])
        #expect(bank.candidates(node: "TOAN.6.SD.2", level: "BHV3.3", type: .singleChoice).map(\.id) == ["b3", "n3", "n4"])
        #expect(bank.candidates(node: "TOAN.6.SD.2", level: "NTVV4.4", type: .singleChoice).map(\.id) == ["n4"])
    }

    @Test("BHV3 questions cannot be refined to NTVV4: they do not count and are reported")
    func threeToFourNotRefinable() throws {
        let bank = BankIndex([
            Self.summary("b1", units: ["TOAN.6.SD.2"], level: BPFixture.bhv(1)),
            Self.summary("b3", units: ["TOAN.6.SD.2.1"], level: BPFixture.bhv(3)),
            Self.summary("n4", units: ["TOAN.6.SD.2"], level: BPFixture.ntvv(4)),
        ])
        let blueprint = Blueprint(
            title: "NTVV4", framework: "NTVV4", questionTypes: [.singleChoice], totalPoints: 3,
            rows: [
                BlueprintRow(
                    code: "TOAN.6.SD.2", label: "Phân số",
                    cells: [
                        BlueprintCell(level: "NTVV4.1", type: .singleChoice, count: 1, pointsPerQuestion: 1),
                        BlueprintCell(level: "NTVV4.3", type: .singleChoice, count: 1, pointsPerQuestion: 1),
                        BlueprintCell(level: "NTVV4.4", type: .singleChoice, count: 1, pointsPerQuestion: 1),
                    ])
            ])
        let check = BlueprintCheck(blueprint: blueprint, bank: bank)
        #expect(check.cells.map(\.available) == [0, 0, 1])
        #expect(check.cells.map(\.notRefinable) == [1, 1, 1])
        #expect(check.cells.map(\.short) == [1, 1, 0])
        #expect(check.issues.allSatisfy { $0.severity == .warning })
    }

    @Test("Recently used questions are counted apart")
    func recent() throws {
        let bank = BankIndex(BPFixture.bank(perCell: 5).map(BankQuestionSummary.init))
        let recent: Set<String> = ["sc-TOAN.6.SD.1-1-0", "sc-TOAN.6.SD.1-1-1", "unknown"]
        let check = BlueprintCheck(blueprint: BPFixture.blueprint(), bank: bank, recentlyUsed: recent)
        let first = try #require(check.cells.first)
        #expect(first.available == 5)
        #expect(first.recentlyUsed == 2)
        #expect(first.short == 0)
        #expect(first.shortWithoutRecent == 1)
        #expect(check.cells.dropFirst().allSatisfy { $0.recentlyUsed == 0 })
    }

    @Test("The index does not depend on the order of the bank")
    func orderIndependent() {
        let summaries = BPFixture.bank(perCell: 3).map(BankQuestionSummary.init)
        let a = BankIndex(summaries)
        let b = BankIndex(summaries.reversed())
        #expect(a.questions == b.questions)
        #expect(a.candidates(node: "TOAN.6", level: "BHV3.2", type: .numeric) == b.candidates(node: "TOAN.6", level: "BHV3.2", type: .numeric))
    }
}
