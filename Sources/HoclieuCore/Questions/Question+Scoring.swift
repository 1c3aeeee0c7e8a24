import Foundation

/// A student's answer to a question.
public indirect enum QuestionResponse: Sendable, Codable, Hashable {
    /// The chosen option's id (single choice, or a cloze choice gap).
    case choice(String)
    /// The chosen options' ids (multiple response).
    case choices(Set<String>)
    /// True or false.
    case trueFalse(Bool)
    /// Đúng/Sai cluster: statement label → answer; a missing label counts as wrong.
    case cluster([String: Bool])
    /// Written text (numeric, short text, essay).
    case text(String)
    /// Matching: pair id → the answer chosen for its prompt.
    case matching([String: String])
    /// Ordering: item ids in the order given.
    case ordering([String])
    /// Cloze: gap index (0-based) → the response to that gap.
    case cloze([Int: QuestionResponse])
}

extension QuestionResponse {
    private enum CodingKeys: String, CodingKey, CaseIterable {
        case choice, choices, trueFalse, cluster, text, matching, ordering, cloze
    }

    /// Decodes an object with exactly one key naming the case: `{"choice": "b"}`,
    /// `{"choices": ["a", "c"]}`, `{"trueFalse": true}`, `{"cluster": {"a": true}}`, `{"text": "-1,5"}`,
    /// `{"matching": {"a": "Hà Nội"}}`, `{"ordering": ["b", "a"]}`, `{"cloze": {"0": {"choice": "a"}}}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a response has exactly one of the keys \(CodingKeys.allCases.map(\.rawValue))"))
        }
        switch key {
        case .choice: self = .choice(try container.decode(String.self, forKey: key))
        case .choices: self = .choices(try container.decode(Set<String>.self, forKey: key))
        case .trueFalse: self = .trueFalse(try container.decode(Bool.self, forKey: key))
        case .cluster: self = .cluster(try container.decode([String: Bool].self, forKey: key))
        case .text: self = .text(try container.decode(String.self, forKey: key))
        case .matching: self = .matching(try container.decode([String: String].self, forKey: key))
        case .ordering: self = .ordering(try container.decode([String].self, forKey: key))
        case .cloze: self = .cloze(try container.decode([Int: QuestionResponse].self, forKey: key))
        }
    }

    /// Encodes as an object with one key naming the case (choices sorted, for stable output).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .choice(let id): try container.encode(id, forKey: .choice)
        case .choices(let ids): try container.encode(ids.sorted(), forKey: .choices)
        case .trueFalse(let value): try container.encode(value, forKey: .trueFalse)
        case .cluster(let answers): try container.encode(answers, forKey: .cluster)
        case .text(let text): try container.encode(text, forKey: .text)
        case .matching(let answers): try container.encode(answers, forKey: .matching)
        case .ordering(let ids): try container.encode(ids, forKey: .ordering)
        case .cloze(let gaps): try container.encode(gaps, forKey: .cloze)
        }
    }
}

/// Constants of the scoring rules.
public enum QuestionScoring {
    /// Tolerance on fractions (Moodle writes thirds as 33.33333).
    public static let epsilon = 1e-6
}

extension Question {
    /// The fraction of the points a response earns, 0…1, or `nil` when the question needs
    /// manual grading (essay). The rules, by type:
    ///
    /// - **single choice**: the chosen option's fraction, clamped to 0…1; anything other than one choice scores 0.
    /// - **multiple response** (Moodle's rule): the sum of the chosen options' fractions, clamped to 0…1.
    ///   Wrong options carry negative fractions to cancel guessing; choosing everything is not rewarded.
    /// - **true/false**: 1 if right, else 0.
    /// - **Đúng/Sai cluster**: the number of statements answered right, looked up in the
    ///   ``ClusterScoringTable`` (default 1 → 0.1, 2 → 0.25, 3 → 0.5, 4 → 1). Unanswered statements are wrong.
    /// - **numeric**: the response is read with ``NumericParsing/parse(_:)`` (decimal comma or point, sign,
    ///   spaces around), after an optional unit from ``NumericQuestion/units`` (value ÷ multiplier); the best
    ///   fraction among the keys it is within tolerance of; otherwise the `*` key's fraction, otherwise 0.
    ///   When the question has an answer box, a response longer than the box scores 0.
    /// - **short text**: the first pattern that matches (``ShortTextMatching``) gives its fraction.
    /// - **matching**: the proportion of prompts given their right answer (answers compared as trimmed text).
    /// - **ordering**: the proportion of items in their right absolute position (Moodle ordering's
    ///   "absolute position" grading).
    /// - **cloze**: the weighted mean of the gaps' scores, each gap scored by the rule of its kind;
    ///   a gap left empty scores 0.
    ///
    /// A response of the wrong shape for the type scores 0.
    public func score(_ response: QuestionResponse) -> Double? {
        body.score(response)
    }

    /// Points earned: ``score(_:)`` × ``points``; `nil` when manual grading is needed.
    public func points(for response: QuestionResponse) -> Double? {
        score(response).map { $0 * points }
    }

    /// Whether the question can be scored automatically.
    public var isAutoScored: Bool { type != .essay }
}

extension QuestionBody {
    /// The fraction a response earns (see ``Question/score(_:)``).
    public func score(_ response: QuestionResponse) -> Double? {
        switch self {
        case .singleChoice(let q):
            return Self.singleChoiceScore(q.options, response)
        case .multipleResponse(let q):
            return Self.multipleResponseScore(q.options, response)
        case .trueFalse(let q):
            guard case .trueFalse(let answer) = response else { return 0 }
            return answer == q.correctAnswer ? 1 : 0
        case .trueFalseCluster(let q):
            guard case .cluster(let answers) = response else { return 0 }
            let right = q.statements.filter { answers[$0.label] == $0.isTrue }.count
            return clamp(q.scoring.fraction(forCorrectCount: right))
        case .numeric(let q):
            guard case .text(let text) = response else { return 0 }
            return Self.numericScore(q, text)
        case .shortText(let q):
            guard case .text(let text) = response else { return 0 }
            return Self.shortTextScore(q, text)
        case .essay:
            return nil
        case .matching(let q):
            guard case .matching(let answers) = response, !q.pairs.isEmpty else { return 0 }
            let right = q.pairs.filter { pair in
                answers[pair.id].map { Self.sameAnswer($0, pair.answer) } ?? false
            }.count
            return Double(right) / Double(q.pairs.count)
        case .ordering(let q):
            guard case .ordering(let ids) = response, !q.items.isEmpty else { return 0 }
            let right = q.items.indices.filter { $0 < ids.count && ids[$0] == q.items[$0].id }.count
            return Double(right) / Double(q.items.count)
        case .cloze(let q):
            guard case .cloze(let answers) = response else { return 0 }
            let totalWeight = q.gaps.reduce(0) { $0 + max(0, $1.weight) }
            guard totalWeight > 0 else { return 0 }
            var earned = 0.0
            for (index, gap) in q.gaps.enumerated() {
                guard let answer = answers[index] else { continue }
                earned += Double(max(0, gap.weight)) * Self.gapScore(gap, answer)
            }
            return clamp(earned / Double(totalWeight))
        }
    }

    static func gapScore(_ gap: ClozeGap, _ response: QuestionResponse) -> Double {
        switch gap.kind {
        case .choice(let options, _, _):
            return gap.isMultipleResponse
                ? multipleResponseScore(options, response) : singleChoiceScore(options, response)
        case .shortText(let q):
            guard case .text(let text) = response else { return 0 }
            return shortTextScore(q, text)
        case .numeric(let q):
            guard case .text(let text) = response else { return 0 }
            return numericScore(q, text)
        }
    }

    static func singleChoiceScore(_ options: [ChoiceOption], _ response: QuestionResponse) -> Double {
        let chosen: String
        switch response {
        case .choice(let id): chosen = id
        case .choices(let ids) where ids.count == 1: chosen = ids.first!
        default: return 0
        }
        return clamp(options.first { $0.id == chosen }?.fraction ?? 0)
    }

    static func multipleResponseScore(_ options: [ChoiceOption], _ response: QuestionResponse) -> Double {
        let chosen: Set<String>
        switch response {
        case .choice(let id): chosen = [id]
        case .choices(let ids): chosen = ids
        default: return 0
        }
        let sum = options.filter { chosen.contains($0.id) }.reduce(0.0) { $0 + $1.fraction }
        // Unknown ids are ignored; a clean 1 when the sum is within rounding of it.
        return sum >= 1 - QuestionScoring.epsilon ? 1 : clamp(sum)
    }

    static func numericScore(_ q: NumericQuestion, _ text: String) -> Double {
        if let box = q.answerBoxLength, !NumericParsing.fits(text, boxLength: box) { return 0 }
        guard let value = numericValue(text, units: q.units) else { return 0 }
        var best: Double?
        for key in q.keys where !key.isWildcard {
            guard let expected = key.value else { continue }
            var difference = value - expected
            if difference < 0 { difference = -difference }
            if difference <= abs(key.tolerance) {
                best = max(best ?? -.infinity, key.fraction)
            }
        }
        if let best { return clamp(best) }
        return clamp(q.keys.first(where: \.isWildcard)?.fraction ?? 0)
    }

    /// The response's value in the base unit: a bare number, or a number followed by one of the units.
    static func numericValue(_ text: String, units: [NumericUnit]) -> Decimal? {
        if let value = NumericParsing.parse(text) { return value }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        for unit in units.sorted(by: { $0.name.count > $1.name.count }) where !unit.name.isEmpty && trimmed.hasSuffix(unit.name) {
            let number = String(trimmed.dropLast(unit.name.count))
            guard let value = NumericParsing.parse(number), unit.multiplier != 0 else { continue }
            return value / unit.multiplier
        }
        return nil
    }

    static func shortTextScore(_ q: ShortTextQuestion, _ text: String) -> Double {
        for key in q.keys where ShortTextMatching.matches(text, pattern: key.pattern, caseSensitive: q.caseSensitive) {
            return clamp(key.fraction)
        }
        return 0
    }

    static func sameAnswer(_ given: String, _ expected: String) -> Bool {
        ShortTextMatching.normalise(given, caseSensitive: true) == ShortTextMatching.normalise(expected, caseSensitive: true)
    }
}

private func clamp(_ value: Double) -> Double {
    guard value.isFinite else { return 0 }
    return min(1, max(0, value))
}
