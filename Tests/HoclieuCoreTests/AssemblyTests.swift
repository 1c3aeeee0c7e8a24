import Foundation
import Testing

@testable import HoclieuCore

@Suite("Test assembly: selection")
struct AssemblyTests {
    static let questions = BPFixture.bank(perCell: 6)
    static let bank = BankIndex(questions.map(BankQuestionSummary.init))

    static func assemble(
        seed: UInt64, variants: Int = 4, recent: Set<String> = [], policy: AssemblyOptions.RecentPolicy = .avoid, partial: Bool = false,
        blueprint: Blueprint = BPFixture.blueprint(), bank: BankIndex = bank
    ) throws(AssemblyError) -> AssembledTest {
        try Assembler(bank: bank).assemble(
            blueprint,
            options: AssemblyOptions(seed: seed, variantCount: variants, recentlyUsed: recent, recentPolicy: policy, allowPartial: partial),
            content: BPFixture.content(questions))
    }

    @Test("Every cell gets its number of questions, of its row, level and type")
    func cellCounts() throws {
        let test = try Self.assemble(seed: 1)
        #expect(test.isComplete)
        #expect(test.items.count == 22)
        let blueprint = BPFixture.blueprint()
        for row in blueprint.rows {
            for cell in row.cells {
                let items = test.items.filter { $0.rowCode == row.code && $0.level == cell.level && $0.type == cell.type }
                #expect(items.count == cell.count, "\(row.code) \(cell.level) \(cell.type)")
                for item in items {
                    let summary = try #require(Self.bank.question(id: item.question.id))
                    #expect(summary.type == cell.type)
                    #expect(summary.level == cell.level.flatMapLevel)
                    #expect(summary.unitCodes.allSatisfy { $0.hasPrefix(row.code + ".") })
                    #expect(summary.status == .published)
                    #expect(item.points == cell.pointsPerQuestion)
                }
            }
        }
        // Reference order: Phần I, then II, then III.
        #expect(test.items.map(\.part) == test.items.map(\.part).sorted())
    }

    @Test("Point total and percentage by level")
    func points() throws {
        let test = try Self.assemble(seed: 2)
        #expect(test.totalPoints == 10)
        #expect(test.selection.declaredTotalPoints == 10)
        #expect(test.selection.levelShares.map(\.questionCount) == [10, 8, 4])
        #expect(test.selection.levelShares.map(\.points) == [3.25, 3.75, 3])
        #expect(test.selection.levelShares.map(\.percentage) == [32.5, 37.5, 30])
    }

    @Test("Same seed, same test (to the byte); another seed, another test")
    func determinism() throws {
        let a = try Self.assemble(seed: 20_251_129)
        let b = try Self.assemble(seed: 20_251_129)
        #expect(a == b)
        #expect(try BlueprintJSON.encoder().encode(a) == BlueprintJSON.encoder().encode(b))
        // The input order of the bank does not matter either.
        let shuffledBank = BankIndex(Self.questions.reversed().map(BankQuestionSummary.init))
        #expect(try Self.assemble(seed: 20_251_129, bank: shuffledBank) == a)
        let c = try Self.assemble(seed: 20_251_130)
        #expect(a.items != c.items)
        #expect(a.variants != c.variants)
        let seeds: [UInt64] = [0, 1, 2, 3, 4, 5, 6, 7]
        let selections = Set(try seeds.map { try Self.assemble(seed: $0, variants: 0).items.map(\.question) })
        #expect(selections.count == seeds.count)
    }

    @Test("A question is never used twice in one test, even when it fits several cells")
    func noDuplicates() throws {
        // Rows that overlap: every question of TOAN.6.SD.2 fits both rows.
        let level = BPFixture.bhv(1)
        var questions: [Question] = []
        for k in 0..<6 { questions.append(BPFixture.singleChoice(id: "q\(k)", units: ["TOAN.6.SD.2.\(k % 2 + 1)"], level: level, right: 0)) }
        let blueprint = Blueprint(
            title: "Chồng lấn", framework: "BHV3", questionTypes: [.singleChoice], totalPoints: 6,
            rows: [
                BlueprintRow(
                    code: "TOAN.6.SD", label: "Số", cells: [BlueprintCell(level: "BHV3.1", type: .singleChoice, count: 3, pointsPerQuestion: 1)]),
                BlueprintRow(
                    code: "TOAN.6.SD.2.1", label: "Phân số 1",
                    cells: [BlueprintCell(level: "BHV3.1", type: .singleChoice, count: 3, pointsPerQuestion: 1)]),
            ])
        let bank = BankIndex(questions.map(BankQuestionSummary.init))
        for seed: UInt64 in 0..<50 {
            // The narrow row (3 candidates) is filled first, so the wide one still finds 3.
            let selection = try Assembler(bank: bank).select(blueprint, options: AssemblyOptions(seed: seed))
            #expect(Set(selection.items.map(\.question.id)).count == 6)
            #expect(selection.items.filter { $0.rowCode == "TOAN.6.SD.2.1" }.allSatisfy { ["q0", "q2", "q4"].contains($0.question.id) })
        }
        for seed: UInt64 in 0..<30 {
            let test = try Self.assemble(seed: seed, variants: 1)
            #expect(Set(test.items.map(\.question.id)).count == test.items.count)
        }
    }

    @Test("Levels across frameworks: NTVV4 questions fill BHV3 cells; BHV3 questions never fill NTVV4 cells")
    func frameworks() throws {
        let questions = [
            BPFixture.singleChoice(id: "n3", units: ["TOAN.6.SD.2.1"], level: BPFixture.ntvv(3), right: 0),
            BPFixture.singleChoice(id: "n4", units: ["TOAN.6.SD.2.2"], level: BPFixture.ntvv(4), right: 1),
            BPFixture.singleChoice(id: "b3", units: ["TOAN.6.SD.2.3"], level: BPFixture.bhv(3), right: 2),
        ]
        let bank = BankIndex(questions.map(BankQuestionSummary.init))
        func blueprint(_ framework: String, _ level: String, count: Int) -> Blueprint {
            Blueprint(
                title: framework, framework: framework, questionTypes: [.singleChoice], totalPoints: Double(count),
                rows: [
                    BlueprintRow(
                        code: "TOAN.6.SD.2", label: "Phân số",
                        cells: [BlueprintCell(level: level, type: .singleChoice, count: count, pointsPerQuestion: 1)])
                ])
        }
        let three = try Assembler(bank: bank).select(blueprint("BHV3", "BHV3.3", count: 3), options: AssemblyOptions(seed: 1))
        #expect(Set(three.items.map(\.question.id)) == ["n3", "n4", "b3"])
        #expect(three.items.allSatisfy { $0.level == "BHV3.3" })
        let four = try Assembler(bank: bank).select(
            blueprint("NTVV4", "NTVV4.4", count: 2), options: AssemblyOptions(seed: 1, allowPartial: true))
        #expect(four.items.map(\.question.id) == ["n4"])
        #expect(four.shortfalls.map(\.missing) == [1])
        #expect(four.levelShares.map(\.percentage) == [0, 0, 0, 100])
    }

    @Test("Recently used questions: avoided, used only when needed, or excluded")
    func recent() throws {
        // Every single-choice question of TOAN.6.SD.1 at Biết but one was used recently; the cell needs 4.
        let cellQuestions = (0..<6).map { "sc-TOAN.6.SD.1-1-\($0)" }
        let recent = Set(cellQuestions.dropFirst())
        let avoided = try Self.assemble(seed: 3, recent: recent)
        let cell = avoided.items.filter { $0.rowCode == "TOAN.6.SD.1" && $0.level == "BHV3.1" && $0.type == .singleChoice }
        #expect(cell.count == 4)
        #expect(cell.filter { !$0.fromRecent }.map(\.question.id) == ["sc-TOAN.6.SD.1-1-0"])
        #expect(cell.filter(\.fromRecent).count == 3)
        #expect(avoided.items.filter(\.fromRecent).count == 3)

        // A few recent ones elsewhere are simply not drawn.
        let some: Set<String> = ["sc-TOAN.6.SD.2-1-0", "sc-TOAN.6.SD.2-1-1", "tf-TOAN.6.HH.1-3-2"]
        for seed: UInt64 in 0..<20 {
            let test = try Self.assemble(seed: seed, variants: 0, recent: some)
            #expect(test.items.allSatisfy { !some.contains($0.question.id) && !$0.fromRecent })
        }

        // Excluded: the cell falls short, and says why.
        #expect(throws: AssemblyError.self) { try Self.assemble(seed: 3, recent: recent, policy: .exclude) }
        let partial = try Self.assemble(seed: 3, recent: recent, policy: .exclude, partial: true)
        #expect(
            partial.selection.shortfalls == [
                AssemblyShortfall(
                    rowCode: "TOAN.6.SD.1", level: "BHV3.1", type: .singleChoice, required: 4, drawn: 1, candidates: 6, leftOutAsRecent: 5)
            ])
        #expect(partial.items.allSatisfy { !recent.contains($0.question.id) })

        // Ignored: recent questions are like the others.
        let ignored = try Self.assemble(seed: 3, recent: recent, policy: .ignore)
        #expect(ignored.items.allSatisfy { !$0.fromRecent })
    }

    @Test("Shortfalls are reported, not hidden; a partial test only when asked")
    func shortfall() throws {
        let small = BPFixture.bank(perCell: 3)
        let bank = BankIndex(small.map(BankQuestionSummary.init))
        let options = AssemblyOptions(seed: 9)
        do {
            _ = try Assembler(bank: bank).select(BPFixture.blueprint(), options: options)
            Issue.record("expected a shortfall")
        } catch {
            guard case .shortfall(let cells) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(
                cells == [
                    AssemblyShortfall(
                        rowCode: "TOAN.6.SD.1", level: "BHV3.1", type: .singleChoice, required: 4, drawn: 3, candidates: 3, leftOutAsRecent: 0)
                ])
            #expect(
                error.vietnamese
                    == "Ngân hàng không đủ câu hỏi cho 1 ô: Dòng TOAN.6.SD.1, mức BHV3.1, dạng Nhiều lựa chọn: cần 4, chọn được 3, thiếu 1.")
            #expect(error.english == "The bank cannot fill 1 cell(s): Row TOAN.6.SD.1, level BHV3.1, type singleChoice: needs 4, drew 3, short by 1.")
        }
        var partialOptions = options
        partialOptions.allowPartial = true
        let partial = try Assembler(bank: bank).assemble(BPFixture.blueprint(), options: partialOptions, content: BPFixture.content(small))
        #expect(!partial.isComplete)
        #expect(partial.items.count == 21)
        #expect(partial.totalPoints == 9.75)
        #expect(partial.selection.levelShares[0].points == 3)
        #expect(partial.variants.count == 4)
        #expect(partial.variants.allSatisfy { $0.questions.count == 21 })
    }

    @Test("Invalid blueprints, missing content and bad options are refused")
    func refusals() {
        var blueprint = BPFixture.blueprint()
        blueprint.totalPoints = 9
        #expect(throws: AssemblyError.self) { try Self.assemble(seed: 1, blueprint: blueprint) }
        do {
            _ = try Self.assemble(seed: 1, blueprint: blueprint)
        } catch {
            if case .invalidBlueprint(let issues) = error {
                #expect(issues.map(\.kind) == [.pointsMismatch])
            } else {
                Issue.record("unexpected \(error)")
            }
        }
        do {
            _ = try Assembler(bank: Self.bank).assemble(BPFixture.blueprint(), options: AssemblyOptions(seed: 1)) { _ in nil }
            Issue.record("expected missing content")
        } catch {
            if case .missingQuestion = error {} else { Issue.record("unexpected \(error)") }
        }
        do {
            _ = try Assembler(bank: Self.bank).assemble(BPFixture.blueprint(), options: AssemblyOptions(seed: 1)) { key in
                var question = BPFixture.content(Self.questions)(key)
                question?.version = 2
                return question
            }
            Issue.record("expected a version mismatch")
        } catch {
            if case .mismatchedQuestion = error {} else { Issue.record("unexpected \(error)") }
        }
        #expect(throws: AssemblyError.self) { try Self.assemble(seed: 1, variants: -1) }
    }

    @Test("The record is pinned to id and version and survives JSON")
    func record() throws {
        let test = try Self.assemble(seed: 5)
        #expect(test.items.allSatisfy { $0.question.version == 1 })
        let data = try BlueprintJSON.encoder().encode(test)
        let back = try BlueprintJSON.decoder().decode(AssembledTest.self, from: data)
        #expect(back == test)
        #expect(try BlueprintJSON.encoder().encode(back) == data)
    }
}

extension String {
    /// A blueprint level code as the reference the fixture bank tags questions with.
    fileprivate var flatMapLevel: CognitiveLevelReference {
        CognitiveLevelReference(framework: String(split(separator: ".")[0]), level: self)
    }
}
