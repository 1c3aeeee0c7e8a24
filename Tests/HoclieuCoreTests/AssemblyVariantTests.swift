import Foundation
import Testing

@testable import HoclieuCore

@Suite("Test assembly: variants and answer keys")
struct AssemblyVariantTests {
    static var content: (QuestionKey) -> Question? { BPFixture.content(AssemblyTests.questions) }

    @Test("Variants 101…104: the same questions, parts in order, numbered within each part")
    func variants() throws {
        let test = try AssemblyTests.assemble(seed: 11)
        #expect(test.variants.map(\.code) == [101, 102, 103, 104])
        let reference = Set(test.items.map(\.question))
        for variant in test.variants {
            #expect(Set(variant.questions.map(\.question)) == reference)
            #expect(variant.questions.count == test.items.count)
            #expect(variant.questions.map(\.part) == variant.questions.map(\.part).sorted())
            #expect(variant.questions.filter { $0.part == .multipleChoice }.map(\.number) == Array(1...12))
            #expect(variant.questions.filter { $0.part == .trueFalse }.map(\.number) == Array(1...4))
            #expect(variant.questions.filter { $0.part == .shortAnswer }.map(\.number) == Array(1...6))
            for entry in variant.questions {
                #expect(test.items[entry.item].question == entry.question)
                #expect(test.items[entry.item].part == entry.part)
            }
        }
        // The variants differ from each other.
        let orders = Set(test.variants.map { $0.questions.map(\.question) })
        #expect(orders.count == 4)
        // Variant 102 is the same whether two or four variants are made.
        let two = try AssemblyTests.assemble(seed: 11, variants: 2)
        #expect(two.items == test.items)
        #expect(two.variants == Array(test.variants.prefix(2)))
    }

    @Test("Options marked do-not-shuffle keep their place over many seeds; the others move")
    func doNotShuffle() throws {
        let level = BPFixture.bhv(1)
        // Options a–e; `a` and `e` pinned ("Tất cả đều đúng" style), b–d free.
        let options = ["a", "b", "c", "d", "e"].map { id in
            ChoiceOption(id: id, text: RichText("Phương án \(id)"), correct: id == "c", doNotShuffle: id == "a" || id == "e")
        }
        let question = Question(
            id: "pinned", knowledgeUnits: ["TOAN.6.SD.2.1"], cognitiveLevel: level, status: .published, stem: RichText("Chọn đáp án đúng."),
            body: .singleChoice(ChoiceQuestion(options: options)))
        var seen: [String: Set<Int>] = [:]
        for seed: UInt64 in 0..<300 {
            var generator = SeededGenerator(seed: seed)
            let order = try #require(Assembler.optionOrder(of: question, using: &generator))
            #expect(order.first == "a")
            #expect(order.last == "e")
            #expect(Set(order) == ["a", "b", "c", "d", "e"])
            for (position, id) in order.enumerated() { seen[id, default: []].insert(position) }
        }
        #expect(seen["b"] == [1, 2, 3])
        #expect(seen["c"] == [1, 2, 3])
        #expect(seen["d"] == [1, 2, 3])

        // The fixture's questions pin option d; across every variant of many tests it stays D.
        for seed: UInt64 in 0..<40 {
            let test = try AssemblyTests.assemble(seed: seed)
            for variant in test.variants {
                for entry in variant.questions where entry.part == .multipleChoice {
                    #expect(entry.optionOrder?.last == "d")
                }
            }
        }

        // A question that must not be shuffled at all keeps its order.
        var fixed = question
        fixed.body = .singleChoice(ChoiceQuestion(options: options, shuffle: false))
        var generator = SeededGenerator(seed: 1)
        #expect(Assembler.optionOrder(of: fixed, using: &generator) == ["a", "b", "c", "d", "e"])
    }

    @Test("Đúng/Sai statements stay a–d in order")
    func clusterStatements() throws {
        let test = try AssemblyTests.assemble(seed: 12)
        for variant in test.variants {
            for entry in variant.questions where entry.part == .trueFalse {
                #expect(entry.optionOrder == nil)
                let question = try #require(Self.content(entry.question))
                #expect(entry.presented(question) == question)
                guard case .statements(let statements) = entry.key else {
                    Issue.record("a cluster's key lists statements")
                    continue
                }
                #expect(statements.map(\.label) == ["a", "b", "c", "d"])
                guard case .trueFalseCluster(let cluster) = question.body else { continue }
                #expect(statements.map(\.isTrue) == cluster.statements.map(\.isTrue))
            }
        }
    }

    @Test("Every key scores full marks on the question as printed in its variant")
    func keysMatchPermutations() throws {
        var letters: [String: Set<String>] = [:]
        for seed: UInt64 in 0..<25 {
            let test = try AssemblyTests.assemble(seed: seed)
            for variant in test.variants {
                for entry in variant.questions {
                    let question = try #require(Self.content(entry.question))
                    let printed = entry.presented(question)
                    if let order = entry.optionOrder, case .singleChoice(let choice) = printed.body {
                        #expect(choice.options.map(\.id) == order)
                        guard case .choice(let letter) = entry.key else {
                            Issue.record("a single-choice key is a letter")
                            continue
                        }
                        // The letter points at the right option in the printed order.
                        let index = Int(letter.unicodeScalars.first!.value) - 65
                        #expect(choice.options[index].isCorrect)
                    }
                    let response = try #require(entry.key.response(for: printed))
                    #expect(printed.score(response) == 1, "\(variant.code) \(entry.part) \(entry.number)")
                    // The key follows the permutation: read against the unshuffled question it is
                    // right exactly when the right option kept its place.
                    if case .singleChoice(let original) = question.body, let order = entry.optionOrder {
                        let right = try #require(original.options.first { $0.isCorrect }).id
                        let kept = original.options.firstIndex { $0.id == right } == order.firstIndex(of: right)
                        let unshuffled = try #require(entry.key.response(for: question))
                        #expect((question.score(unshuffled) == 1) == kept)
                        letters[entry.question.id, default: []].insert(entry.key.sheetText)
                    }
                }
            }
        }
        // Over seeds and variants, the same question's right letter moves.
        #expect(letters.values.contains { $0.count > 1 })
        #expect(letters.values.allSatisfy { !$0.contains("D") })  // D is pinned and never right in the fixture
    }

    @Test("The answer sheet in the 2025 layout: letters, Đ/S per statement, numeric strings")
    func answerSheet() throws {
        let test = try AssemblyTests.assemble(seed: 13)
        let variant = try #require(test.variants.first)
        let sheet = variant.answerSheet
        #expect(sheet.map(\.part) == [.multipleChoice, .trueFalse, .shortAnswer])
        #expect(sheet[0].entries.map(\.number) == Array(1...12))
        for entry in sheet[0].entries {
            guard case .choice(let letter) = entry.key else {
                Issue.record("Phần I holds letters")
                continue
            }
            #expect(["A", "B", "C"].contains(letter))  // the right option is never the pinned D in the fixture
            #expect(entry.key.sheetText == letter)
        }
        for entry in sheet[1].entries {
            #expect(entry.key.sheetText.range(of: #"^a\) [ĐS]  b\) [ĐS]  c\) [ĐS]  d\) [ĐS]$"#, options: .regularExpression) != nil)
        }
        for entry in sheet[2].entries {
            guard case .numeric(let answer) = entry.key else {
                Issue.record("Phần III holds numbers")
                continue
            }
            #expect(["-1,5", "12", "0,25", "7"].contains(answer))
            #expect(NumericParsing.fits(answer, boxLength: 4))
        }
        // The sheet follows the printed numbering of this variant.
        for (n, entry) in variant.questions.filter({ $0.part == .multipleChoice }).enumerated() {
            #expect(sheet[0].entries[n].key == entry.key)
        }
    }

    @Test("Keys of the other types")
    func otherKeys() {
        let multiple = Question(
            id: "m",
            body: .multipleResponse(
                ChoiceQuestion(options: [
                    ChoiceOption(id: "a", text: RichText("a"), fraction: 0.5), ChoiceOption(id: "b", text: RichText("b"), fraction: -1),
                    ChoiceOption(id: "c", text: RichText("c"), fraction: 0.5),
                ])))
        let key = AnswerKey(multiple, optionOrder: ["c", "b", "a"])
        #expect(key == .choices(letters: ["A", "C"]))
        #expect(key.sheetText == "A, C")
        let printed = VariantQuestion(
            part: .other, number: 1, item: 0, question: QuestionKey(id: "m", version: 1), optionOrder: ["c", "b", "a"], key: key
        )
        .presented(multiple)
        #expect(key.response(for: printed).flatMap(printed.score) == 1)
        #expect(AnswerKey(Question(id: "t", body: .trueFalse(TrueFalseQuestion(correctAnswer: false))), optionOrder: nil).sheetText == "S")
        #expect(AnswerKey(Question(id: "e", body: .essay(EssayQuestion())), optionOrder: nil) == .manual)
        #expect(AnswerKey.manual.response(for: multiple) == nil)
        let numeric = Question(
            id: "n", body: .numeric(NumericQuestion(keys: [NumericKey(answer: "*", fraction: 0), NumericKey(answer: " 2,5 ", fraction: 1)])))
        #expect(AnswerKey(numeric, optionOrder: nil) == .numeric("2,5"))
    }
}

@Suite("Test assembly: answer key export")
struct AssemblyAnswerKeyTests {
    @Test("The đáp án CSV lists every variant's keys in printed order")
    func answerKeyCSV() throws {
        let test = try AssemblyTests.assemble(seed: 14, variants: 2)
        let records = try BlueprintCSVText.parse(test.answerKeyCSV())
        #expect(records[0].fields == ["Mã đề", "Phần", "Câu", "Đáp án", "a", "b", "c", "d", "Điểm", "Câu hỏi"])
        #expect(records.count == 1 + 2 * 22)
        let variant = test.variants[1]
        let lines = records.filter { $0.fields[0] == "102" }
        #expect(lines.count == 22)
        for (line, entry) in zip(lines, variant.questions) {
            #expect(line.fields[1] == entry.part.roman)
            #expect(line.fields[2] == String(entry.number))
            #expect(line.fields[9] == "\(entry.question.id)@v1")
            switch entry.key {
            case .statements(let statements):
                #expect(line.fields[3] == "")
                #expect(Array(line.fields[4...7]) == statements.map { $0.isTrue ? "Đ" : "S" })
                #expect(line.fields[8] == "1")
            case .choice(let letter):
                #expect(line.fields[3] == letter)
                #expect(line.fields[8] == "0.25")
            case .numeric(let answer):
                #expect(line.fields[3] == answer)
                #expect(line.fields[8] == "0.5")
            default:
                Issue.record("unexpected key \(entry.key)")
            }
        }
        // The variant's stored answer sheet survives JSON with the rest of the record.
        let data = try BlueprintJSON.encoder().encode(variant)
        #expect(String(decoding: data, as: UTF8.self).contains("\"answerSheet\""))
        #expect(try BlueprintJSON.decoder().decode(TestVariant.self, from: data) == variant)
    }
}
