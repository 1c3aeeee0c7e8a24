public import Foundation

/// The kinds of question Hoclieu knows.
public enum QuestionType: String, Sendable, Codable, Hashable, CaseIterable, Comparable {
    case singleChoice
    case multipleResponse
    case trueFalse
    /// Đúng/Sai cluster: a stem and four statements a–d, each true or false.
    case trueFalseCluster
    case numeric
    case shortText
    case essay
    case matching
    case ordering
    case cloze

    /// Orders by declaration order (stable report output).
    public static func < (lhs: QuestionType, rhs: QuestionType) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The type-specific part of a ``Question``.
public enum QuestionBody: Sendable, Codable, Hashable {
    /// One right option among 2–8.
    case singleChoice(ChoiceQuestion)
    /// Several options may be chosen; scored by the sum of their fractions.
    case multipleResponse(ChoiceQuestion)
    /// A statement that is true or false.
    case trueFalse(TrueFalseQuestion)
    /// Đúng/Sai cluster (the 2025 exam's part II).
    case trueFalseCluster(TrueFalseCluster)
    /// A number to write (the 2025 exam's part III when ``NumericQuestion/answerBoxLength`` is 4).
    case numeric(NumericQuestion)
    /// A word or phrase to write, matched against patterns.
    case shortText(ShortTextQuestion)
    /// A free written answer, graded by a person.
    case essay(EssayQuestion)
    /// Prompts to pair with answers.
    case matching(MatchingQuestion)
    /// Items to put in order.
    case ordering(OrderingQuestion)
    /// A text with embedded gaps.
    case cloze(ClozeQuestion)

    /// The type of this body.
    public var type: QuestionType {
        switch self {
        case .singleChoice: .singleChoice
        case .multipleResponse: .multipleResponse
        case .trueFalse: .trueFalse
        case .trueFalseCluster: .trueFalseCluster
        case .numeric: .numeric
        case .shortText: .shortText
        case .essay: .essay
        case .matching: .matching
        case .ordering: .ordering
        case .cloze: .cloze
        }
    }
}

/// An option of a choice question.
public struct ChoiceOption: Sendable, Codable, Hashable, Identifiable {
    /// Identifier unique inside the question (`a`, `b`, … by default); responses name it.
    public var id: String
    /// The option text.
    public var text: RichText
    /// Credit for choosing it, −1…1 (Moodle's fraction ÷ 100: 1 right, 0 wrong, 0.3333333 a third,
    /// negative to penalise a wrong choice in multiple response).
    public var fraction: Double
    /// Feedback shown when the option is chosen.
    public var feedback: RichText?
    /// Keep this option in place when options are shuffled ("All of the above").
    public var doNotShuffle: Bool

    /// Creates an option from a fraction.
    public init(id: String, text: RichText, fraction: Double, feedback: RichText? = nil, doNotShuffle: Bool = false) {
        self.id = id
        self.text = text
        self.fraction = fraction
        self.feedback = feedback
        self.doNotShuffle = doNotShuffle
    }

    /// Creates an option from a right/wrong flag (fraction 1 or 0).
    public init(id: String, text: RichText, correct: Bool, feedback: RichText? = nil, doNotShuffle: Bool = false) {
        self.init(id: id, text: text, fraction: correct ? 1 : 0, feedback: feedback, doNotShuffle: doNotShuffle)
    }

    /// `true` when the option carries full credit (fraction ≥ 0.9999999, as Moodle's 99.99999).
    public var isCorrect: Bool { fraction >= 1 - QuestionScoring.epsilon }
}

/// Single choice and multiple response.
public struct ChoiceQuestion: Sendable, Codable, Hashable {
    /// The options, in authoring order.
    public var options: [ChoiceOption]
    /// Whether options are shuffled when shown (options marked ``ChoiceOption/doNotShuffle`` stay put).
    public var shuffle: Bool

    /// Creates a choice question body.
    public init(options: [ChoiceOption], shuffle: Bool = true) {
        self.options = options
        self.shuffle = shuffle
    }
}

/// A true/false statement.
public struct TrueFalseQuestion: Sendable, Codable, Hashable {
    /// The right answer.
    public var correctAnswer: Bool
    /// Feedback when "true" is chosen.
    public var feedbackTrue: RichText?
    /// Feedback when "false" is chosen.
    public var feedbackFalse: RichText?

    /// Creates a true/false body.
    public init(correctAnswer: Bool, feedbackTrue: RichText? = nil, feedbackFalse: RichText? = nil) {
        self.correctAnswer = correctAnswer
        self.feedbackTrue = feedbackTrue
        self.feedbackFalse = feedbackFalse
    }
}

/// One statement of a Đúng/Sai cluster.
public struct ClusterStatement: Sendable, Codable, Hashable {
    /// Label, `a` to `d`.
    public var label: String
    /// The statement.
    public var text: RichText
    /// Whether the statement is true (Đúng).
    public var isTrue: Bool
    /// Feedback or explanation for this statement.
    public var feedback: RichText?

    /// Creates a statement.
    public init(label: String, text: RichText, isTrue: Bool, feedback: RichText? = nil) {
        self.label = label
        self.text = text
        self.isTrue = isTrue
        self.feedback = feedback
    }
}

/// The fraction of the points earned by the number of statements of a Đúng/Sai cluster
/// answered right.
public struct ClusterScoringTable: Sendable, Codable, Hashable {
    /// `fractions[k]` is the fraction for `k` statements right; `fractions.count` is
    /// the number of statements plus one.
    public var fractions: [Double]

    /// Creates a table; `fractions[k]` is the credit for `k` right statements.
    public init(fractions: [Double]) {
        self.fractions = fractions
    }

    /// The 2025 general-education exam rule: 0 → 0, 1 → 0.1, 2 → 0.25, 3 → 0.5, 4 → 1.
    public static let standard = ClusterScoringTable(fractions: [0, 0.1, 0.25, 0.5, 1])

    /// The fraction for `count` right statements (the last entry when `count` is larger, 0 when negative).
    public func fraction(forCorrectCount count: Int) -> Double {
        guard count > 0, !fractions.isEmpty else { return fractions.first ?? 0 }
        return fractions[min(count, fractions.count - 1)]
    }
}

/// A Đúng/Sai cluster: the ``Question/stem`` and exactly four statements a–d.
public struct TrueFalseCluster: Sendable, Codable, Hashable {
    /// The statements, a–d.
    public var statements: [ClusterStatement]
    /// How the number right becomes a fraction.
    public var scoring: ClusterScoringTable

    /// Creates a cluster.
    public init(statements: [ClusterStatement], scoring: ClusterScoringTable = .standard) {
        self.statements = statements
        self.scoring = scoring
    }
}

/// An accepted numeric answer.
public struct NumericKey: Sendable, Codable, Hashable {
    /// The answer as written, e.g. `-1,5` or `0.25`; `*` accepts any number (for feedback on other answers).
    public var answer: String
    /// Accepted absolute error (0 for exact).
    public var tolerance: Decimal
    /// Credit, 0…1.
    public var fraction: Double
    /// Feedback for a response matching this key.
    public var feedback: RichText?

    /// Creates a key.
    public init(answer: String, tolerance: Decimal = 0, fraction: Double = 1, feedback: RichText? = nil) {
        self.answer = answer
        self.tolerance = tolerance
        self.fraction = fraction
        self.feedback = feedback
    }

    /// Whether the key is the `*` catch-all.
    public var isWildcard: Bool { answer.trimmingCharacters(in: .whitespaces) == "*" }

    /// The value, parsed with ``NumericParsing/parse(_:)``; `nil` for `*` or text that is no number.
    public var value: Decimal? { isWildcard ? nil : NumericParsing.parse(answer) }
}

/// A unit accepted after a numeric answer (Moodle `units`).
public struct NumericUnit: Sendable, Codable, Hashable {
    /// Unit name, e.g. `cm`.
    public var name: String
    /// Factor applied to the answer for this unit (1 for the base unit).
    public var multiplier: Decimal

    /// Creates a unit.
    public init(name: String, multiplier: Decimal = 1) {
        self.name = name
        self.multiplier = multiplier
    }
}

/// A number to write.
public struct NumericQuestion: Sendable, Codable, Hashable {
    /// Accepted answers; the best-scoring match counts.
    public var keys: [NumericKey]
    /// Length of the answer box when the answer must fit one (4 for the 2025 exam's
    /// part III: sign and decimal separator included); `nil` for no limit.
    public var answerBoxLength: Int?
    /// Units (the first one with multiplier 1 is the base unit); responses may not carry them.
    public var units: [NumericUnit]

    /// The 2025 exam's answer box length.
    public static let examAnswerBoxLength = 4

    /// Creates a numeric body.
    public init(keys: [NumericKey], answerBoxLength: Int? = nil, units: [NumericUnit] = []) {
        self.keys = keys
        self.answerBoxLength = answerBoxLength
        self.units = units
    }
}

/// An accepted short text answer.
public struct ShortTextKey: Sendable, Codable, Hashable {
    /// The pattern: literal text where `*` matches any run of characters (Moodle shortanswer).
    public var pattern: String
    /// Credit, 0…1.
    public var fraction: Double
    /// Feedback for a response matching this pattern.
    public var feedback: RichText?

    /// Creates a key.
    public init(pattern: String, fraction: Double = 1, feedback: RichText? = nil) {
        self.pattern = pattern
        self.fraction = fraction
        self.feedback = feedback
    }
}

/// A word or phrase to write.
public struct ShortTextQuestion: Sendable, Codable, Hashable {
    /// Patterns tried in order; the first that matches gives the fraction.
    public var keys: [ShortTextKey]
    /// Whether letter case matters.
    public var caseSensitive: Bool

    /// Creates a short text body.
    public init(keys: [ShortTextKey], caseSensitive: Bool = false) {
        self.keys = keys
        self.caseSensitive = caseSensitive
    }
}

/// A free written answer.
public struct EssayQuestion: Sendable, Codable, Hashable {
    /// Guidance for graders (Moodle's `graderinfo`).
    public var rubric: RichText?
    /// Text the answer box starts with.
    public var responseTemplate: RichText?

    /// Creates an essay body.
    public init(rubric: RichText? = nil, responseTemplate: RichText? = nil) {
        self.rubric = rubric
        self.responseTemplate = responseTemplate
    }
}

/// A prompt and its right answer.
public struct MatchPair: Sendable, Codable, Hashable {
    /// Identifier unique inside the question; responses name it.
    public var id: String
    /// The prompt.
    public var prompt: RichText
    /// The answer that goes with it (compared as plain text when scoring).
    public var answer: String

    /// Creates a pair.
    public init(id: String, prompt: RichText, answer: String) {
        self.id = id
        self.prompt = prompt
        self.answer = answer
    }
}

/// Prompts to pair with answers.
public struct MatchingQuestion: Sendable, Codable, Hashable {
    /// The pairs.
    public var pairs: [MatchPair]
    /// Extra answers that go with no prompt.
    public var distractors: [String]
    /// Whether answers are shuffled.
    public var shuffle: Bool

    /// Creates a matching body.
    public init(pairs: [MatchPair], distractors: [String] = [], shuffle: Bool = true) {
        self.pairs = pairs
        self.distractors = distractors
        self.shuffle = shuffle
    }

    /// Every answer offered: the pairs' answers (once each) then the distractors, in order.
    public var answerChoices: [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for answer in pairs.map(\.answer) + distractors where seen.insert(answer).inserted { result.append(answer) }
        return result
    }
}

/// An item to put in order.
public struct OrderingItem: Sendable, Codable, Hashable, Identifiable {
    /// Identifier unique inside the question; responses list them.
    public var id: String
    /// The item text.
    public var text: RichText

    /// Creates an item.
    public init(id: String, text: RichText) {
        self.id = id
        self.text = text
    }
}

/// Items to put in order; ``items`` is the right order.
public struct OrderingQuestion: Sendable, Codable, Hashable {
    /// The items in the right order.
    public var items: [OrderingItem]

    /// Creates an ordering body.
    public init(items: [OrderingItem]) {
        self.items = items
    }
}

/// How a choice gap of a cloze is shown.
public enum ClozeChoiceDisplay: String, Sendable, Codable, Hashable, CaseIterable {
    /// A drop-down list (Moodle `MULTICHOICE`, `MC`).
    case dropdown
    /// Radio buttons in a row (`MULTICHOICE_H`).
    case horizontal
    /// Radio buttons in a column (`MULTICHOICE_V`).
    case vertical
    /// Several answers may be chosen, vertical (`MULTIRESPONSE`).
    case multipleVertical
    /// Several answers may be chosen, in a row (`MULTIRESPONSE_H`).
    case multipleHorizontal
}

/// What a gap of a cloze asks for.
public enum ClozeGapKind: Sendable, Codable, Hashable {
    /// Choose among options (shuffled or not).
    case choice(options: [ChoiceOption], display: ClozeChoiceDisplay, shuffle: Bool)
    /// Write a short text.
    case shortText(ShortTextQuestion)
    /// Write a number.
    case numeric(NumericQuestion)
}

/// A gap of a cloze.
public struct ClozeGap: Sendable, Codable, Hashable {
    /// Weight of the gap in the question's score (Moodle's `{2:…}`), ≥ 1.
    public var weight: Int
    /// What the gap asks for.
    public var kind: ClozeGapKind

    /// Creates a gap.
    public init(weight: Int = 1, kind: ClozeGapKind) {
        self.weight = weight
        self.kind = kind
    }

    /// Whether several options may be chosen.
    public var isMultipleResponse: Bool {
        if case .choice(_, let display, _) = kind { return display == .multipleVertical || display == .multipleHorizontal }
        return false
    }
}

/// A text with gaps. The gaps are placed in the ``Question/stem`` with the markers
/// `{#1}`, `{#2}`, … (1-based indexes into ``gaps``), as Moodle stores cloze questions.
public struct ClozeQuestion: Sendable, Codable, Hashable {
    /// The gaps, in order of their markers.
    public var gaps: [ClozeGap]

    /// Creates a cloze body.
    public init(gaps: [ClozeGap]) {
        self.gaps = gaps
    }

    /// The marker of gap `index` (0-based) in the stem: `{#index+1}`.
    public static func marker(_ index: Int) -> String { "{#\(index + 1)}" }
}

// MARK: - JSON shape

/// Coding keys of the tagged-union JSON used by ``QuestionBody`` and ``ClozeGapKind``.
private struct UnionKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    static let type = UnionKey(stringValue: "type")
}

extension QuestionBody {
    /// Decodes `{"type": "singleChoice", …the fields of the type's struct…}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: UnionKey.self)
        let type = try container.decode(QuestionType.self, forKey: .type)
        switch type {
        case .singleChoice: self = .singleChoice(try ChoiceQuestion(from: decoder))
        case .multipleResponse: self = .multipleResponse(try ChoiceQuestion(from: decoder))
        case .trueFalse: self = .trueFalse(try TrueFalseQuestion(from: decoder))
        case .trueFalseCluster: self = .trueFalseCluster(try TrueFalseCluster(from: decoder))
        case .numeric: self = .numeric(try NumericQuestion(from: decoder))
        case .shortText: self = .shortText(try ShortTextQuestion(from: decoder))
        case .essay: self = .essay(try EssayQuestion(from: decoder))
        case .matching: self = .matching(try MatchingQuestion(from: decoder))
        case .ordering: self = .ordering(try OrderingQuestion(from: decoder))
        case .cloze: self = .cloze(try ClozeQuestion(from: decoder))
        }
    }

    /// Encodes as one object: `"type"` and the fields of the type's struct.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: UnionKey.self)
        try container.encode(type, forKey: .type)
        switch self {
        case .singleChoice(let q), .multipleResponse(let q): try q.encode(to: encoder)
        case .trueFalse(let q): try q.encode(to: encoder)
        case .trueFalseCluster(let q): try q.encode(to: encoder)
        case .numeric(let q): try q.encode(to: encoder)
        case .shortText(let q): try q.encode(to: encoder)
        case .essay(let q): try q.encode(to: encoder)
        case .matching(let q): try q.encode(to: encoder)
        case .ordering(let q): try q.encode(to: encoder)
        case .cloze(let q): try q.encode(to: encoder)
        }
    }
}

extension ClozeGapKind {
    private enum Kind: String, Codable {
        case choice, shortText, numeric
    }

    private enum ChoiceKeys: String, CodingKey {
        case options, display, shuffle
    }

    /// Decodes `{"type": "choice", "options": […], "display": …, "shuffle": …}`,
    /// `{"type": "shortText", …}` or `{"type": "numeric", …}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: UnionKey.self)
        switch try container.decode(Kind.self, forKey: .type) {
        case .choice:
            let choice = try decoder.container(keyedBy: ChoiceKeys.self)
            self = .choice(
                options: try choice.decode([ChoiceOption].self, forKey: .options),
                display: try choice.decode(ClozeChoiceDisplay.self, forKey: .display),
                shuffle: try choice.decode(Bool.self, forKey: .shuffle)
            )
        case .shortText: self = .shortText(try ShortTextQuestion(from: decoder))
        case .numeric: self = .numeric(try NumericQuestion(from: decoder))
        }
    }

    /// Encodes as one object with `"type"` and the gap's fields.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: UnionKey.self)
        switch self {
        case .choice(let options, let display, let shuffle):
            try container.encode(Kind.choice, forKey: .type)
            var choice = encoder.container(keyedBy: ChoiceKeys.self)
            try choice.encode(options, forKey: .options)
            try choice.encode(display, forKey: .display)
            try choice.encode(shuffle, forKey: .shuffle)
        case .shortText(let q):
            try container.encode(Kind.shortText, forKey: .type)
            try q.encode(to: encoder)
        case .numeric(let q):
            try container.encode(Kind.numeric, forKey: .type)
            try q.encode(to: encoder)
        }
    }
}
