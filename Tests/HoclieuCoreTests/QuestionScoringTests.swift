import Foundation
import HoclieuCore
import Testing

/// Small builders shared by the question tests.
enum Make {
    static func options(_ fractions: [Double]) -> [ChoiceOption] {
        fractions.enumerated().map { index, fraction in
            ChoiceOption(id: String(UnicodeScalar(UInt8(97 + index))), text: RichText("Phương án \(index + 1)"), fraction: fraction)
        }
    }

    static func question(_ body: QuestionBody, points: Double = 1, stem: String = "Câu hỏi") -> Question {
        Question(id: "q", points: points, stem: RichText(stem), body: body)
    }

    static func cluster(_ truths: [Bool], scoring: ClusterScoringTable = .standard) -> Question {
        let labels = ["a", "b", "c", "d", "e"]
        return question(.trueFalseCluster(TrueFalseCluster(
            statements: truths.enumerated().map { ClusterStatement(label: labels[$0], text: RichText("Ý \(labels[$0])"), isTrue: $1) },
            scoring: scoring
        )))
    }
}

@Suite("Question scoring")
struct QuestionScoringTests {
    @Test("Single choice: the chosen option's fraction, clamped")
    func singleChoice() {
        let q = Make.question(.singleChoice(ChoiceQuestion(options: Make.options([0, 1, 0.5, -0.5]))), points: 0.25)
        #expect(q.score(.choice("b")) == 1)
        #expect(q.points(for: .choice("b")) == 0.25)
        #expect(q.score(.choice("c")) == 0.5)
        #expect(q.score(.choice("d")) == 0)
        #expect(q.score(.choice("zz")) == 0)
        #expect(q.score(.choices(["b"])) == 1)
        #expect(q.score(.choices(["a", "b"])) == 0)
        #expect(q.score(.text("b")) == 0)
    }

    @Test("Multiple response: sum of fractions clamped to 0…1")
    func multipleResponse() {
        let thirds = 0.3333333
        let q = Make.question(.multipleResponse(ChoiceQuestion(options: Make.options([thirds, thirds, thirds, -1, -1]))))
        #expect(q.score(.choices(["a", "b", "c"])) == 1)
        #expect(abs((q.score(.choices(["a", "b"])) ?? 0) - 0.6666666) < 1e-9)
        #expect(q.score(.choices(["a", "d"])) == 0)
        #expect(q.score(.choices(["a", "b", "c", "d", "e"])) == 0)
        #expect(q.score(.choices([])) == 0)
        #expect(abs((q.score(.choice("a")) ?? 0) - thirds) < 1e-9)
    }

    @Test("True/false")
    func trueFalse() {
        let q = Make.question(.trueFalse(TrueFalseQuestion(correctAnswer: false)))
        #expect(q.score(.trueFalse(false)) == 1)
        #expect(q.score(.trueFalse(true)) == 0)
        #expect(q.score(.choice("a")) == 0)
    }

    @Test("Đúng/Sai cluster: 0, 1, 2, 3, 4 right → 0, 0.1, 0.25, 0.5, 1", arguments: [
        (0, 0.0), (1, 0.1), (2, 0.25), (3, 0.5), (4, 1.0),
    ])
    func cluster(right: Int, expected: Double) {
        let truths = [true, false, true, false]
        let q = Make.cluster(truths)
        let labels = ["a", "b", "c", "d"]
        var answers: [String: Bool] = [:]
        for (index, truth) in truths.enumerated() { answers[labels[index]] = index < right ? truth : !truth }
        #expect(q.score(.cluster(answers)) == expected)
        #expect(q.points(for: .cluster(answers)) == expected)
    }

    @Test("Đúng/Sai cluster: unanswered statements are wrong; the table is configuration")
    func clusterTable() {
        let q = Make.cluster([true, true, true, true])
        #expect(q.score(.cluster(["a": true, "b": true])) == 0.25)
        let linear = Make.cluster([true, true, true, true], scoring: ClusterScoringTable(fractions: [0, 0.25, 0.5, 0.75, 1]))
        #expect(linear.score(.cluster(["a": true, "b": true, "c": true])) == 0.75)
        #expect(ClusterScoringTable.standard.fraction(forCorrectCount: 9) == 1)
        #expect(ClusterScoringTable.standard.fraction(forCorrectCount: -1) == 0)
    }

    @Test("Numeric responses: decimal comma or point, sign, spaces", arguments: [
        ("-1,5", true), ("-1.5", true), (" -1,50 ", true), ("−1,5", true), ("-1.6", false), ("1,5", false), ("-1,5,0", false),
        ("abc", false), ("", false), ("-", false),
    ])
    func numeric(response: String, right: Bool) {
        let q = Make.question(.numeric(NumericQuestion(keys: [NumericKey(answer: "-1,5")])))
        #expect(q.score(.text(response)) == (right ? 1 : 0))
    }

    @Test("Numeric parsing")
    func parsing() {
        #expect(NumericParsing.parse("+2.25") == Decimal(string: "2.25"))
        #expect(NumericParsing.parse(" 3 ") == 3)
        #expect(NumericParsing.parse(",5") == 0.5)
        #expect(NumericParsing.parse("1,5e3") == 1500)
        #expect(NumericParsing.parse("5,") == nil)
        #expect(NumericParsing.parse("1 000") == nil)
        #expect(NumericParsing.parse("NaN") == nil)
        #expect(NumericParsing.parse("0x10") == nil)
        #expect(NumericParsing.fits("-1,5", boxLength: 4))
        #expect(!NumericParsing.fits("-12,5", boxLength: 4))
    }

    @Test("Numeric: tolerance, partial keys, wildcard, units, answer box")
    func numericKeys() {
        let q = Make.question(.numeric(NumericQuestion(
            keys: [NumericKey(answer: "3.14", tolerance: 0.01), NumericKey(answer: "3", tolerance: 0.2, fraction: 0.5), NumericKey(answer: "*", fraction: 0.1)],
            units: [NumericUnit(name: "m"), NumericUnit(name: "cm", multiplier: 100)]
        )))
        #expect(q.score(.text("3,15")) == 1)
        #expect(q.score(.text("3,16")) == 0.5)
        #expect(q.score(.text("7")) == 0.1)
        #expect(q.score(.text("314cm")) == 1)
        #expect(q.score(.text("3.14 m")) == 1)
        let box = Make.question(.numeric(NumericQuestion(keys: [NumericKey(answer: "12,5")], answerBoxLength: 4)))
        #expect(box.score(.text("12,5")) == 1)
        #expect(box.score(.text("12,50")) == 0)
    }

    @Test("Short text: Moodle wildcard patterns, first match wins, case option")
    func shortText() {
        let q = Make.question(.shortText(ShortTextQuestion(keys: [
            ShortTextKey(pattern: "Hà Nội"), ShortTextKey(pattern: "*Nội*", fraction: 0.5), ShortTextKey(pattern: "*", fraction: 0),
        ])))
        #expect(q.score(.text("  hà   nội ")) == 1)
        #expect(q.score(.text("Thủ đô Hà Nội cũ")) == 0.5)
        #expect(q.score(.text("Huế")) == 0)
        let decomposed = "Hà Nội".decomposedStringWithCanonicalMapping
        #expect(q.score(.text(decomposed)) == 1)
        let sensitive = Make.question(.shortText(ShortTextQuestion(keys: [ShortTextKey(pattern: "NaCl")], caseSensitive: true)))
        #expect(sensitive.score(.text("NaCl")) == 1)
        #expect(sensitive.score(.text("nacl")) == 0)
        let star = Make.question(.shortText(ShortTextQuestion(keys: [ShortTextKey(pattern: "a\\*b")])))
        #expect(star.score(.text("a*b")) == 1)
        #expect(star.score(.text("axb")) == 0)
        #expect(ShortTextMatching.matches("abcabc", pattern: "a*c*c", caseSensitive: true))
        #expect(!ShortTextMatching.matches("abcab", pattern: "a*c*c", caseSensitive: true))
    }

    @Test("Essay needs manual grading")
    func essay() {
        let q = Make.question(.essay(EssayQuestion(rubric: RichText("Đủ 3 ý"))))
        #expect(q.score(.text("bài làm")) == nil)
        #expect(q.points(for: .text("bài làm")) == nil)
        #expect(!q.isAutoScored)
    }

    @Test("Matching: proportion of prompts answered right")
    func matching() {
        let q = Make.question(.matching(MatchingQuestion(
            pairs: [
                MatchPair(id: "a", prompt: RichText("Việt Nam"), answer: "Hà Nội"), MatchPair(id: "b", prompt: RichText("Lào"), answer: "Viêng Chăn"),
                MatchPair(id: "c", prompt: RichText("Campuchia"), answer: "Phnôm Pênh"), MatchPair(id: "d", prompt: RichText("Thái Lan"), answer: "Bangkok"),
            ],
            distractors: ["Yangon"]
        )))
        #expect(q.score(.matching(["a": "Hà Nội", "b": "Viêng Chăn", "c": "Phnôm Pênh", "d": "Bangkok"])) == 1)
        #expect(q.score(.matching(["a": "Hà Nội", "b": "Yangon", "c": " Phnôm Pênh "])) == 0.5)
        #expect(q.score(.matching([:])) == 0)
        guard case .matching(let m) = q.body else { return }
        #expect(m.answerChoices == ["Hà Nội", "Viêng Chăn", "Phnôm Pênh", "Bangkok", "Yangon"])
    }

    @Test("Ordering: proportion of items in their right position")
    func ordering() {
        let q = Make.question(.ordering(OrderingQuestion(items: ["a", "b", "c", "d"].map { OrderingItem(id: $0, text: RichText($0)) })))
        #expect(q.score(.ordering(["a", "b", "c", "d"])) == 1)
        #expect(q.score(.ordering(["a", "b", "d", "c"])) == 0.5)
        #expect(q.score(.ordering(["b"])) == 0)
        #expect(q.score(.ordering([])) == 0)
    }

    @Test("Cloze: weighted by gap, each gap by its kind")
    func cloze() {
        let q = Question(id: "c", stem: RichText("{#1} {#2} {#3} {#4}"), body: .cloze(ClozeQuestion(gaps: [
            ClozeGap(weight: 2, kind: .choice(options: Make.options([1, 0]), display: .dropdown, shuffle: false)),
            ClozeGap(kind: .shortText(ShortTextQuestion(keys: [ShortTextKey(pattern: "mèo")]))),
            ClozeGap(kind: .numeric(NumericQuestion(keys: [NumericKey(answer: "0,5")]))),
            ClozeGap(kind: .choice(options: Make.options([0.5, 0.5, -1]), display: .multipleVertical, shuffle: false)),
        ])))
        #expect(q.score(.cloze([0: .choice("a"), 1: .text("Mèo"), 2: .text("0.5"), 3: .choices(["a", "b"])])) == 1)
        #expect(q.score(.cloze([0: .choice("a"), 1: .text("chó")])) == 0.4)
        #expect(q.score(.cloze([1: .text("mèo"), 2: .text(".5"), 3: .choices(["a"])])) == 0.5)
        #expect(q.score(.text("mèo")) == 0)
    }
}
