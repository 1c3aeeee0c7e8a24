import Foundation

/// Something wrong with a question, in Vietnamese and English.
public struct QuestionViolation: Sendable, Codable, Hashable, CustomStringConvertible {
    /// What kind of problem it is.
    public enum Code: String, Sendable, Codable, Hashable, CaseIterable {
        case emptyStem
        case invalidPoints
        case invalidVersion
        case invalidGrade
        case invalidCognitiveLevel
        case invalidPenalty
        case optionCountOutOfRange
        case noCorrectAnswer
        case duplicateOptions
        case duplicateIdentifiers
        case emptyOption
        case fractionOutOfRange
        case fractionsDoNotSumToOne
        case clusterStatementCount
        case clusterLabels
        case clusterScoringTable
        case numericAnswerUnparseable
        case numericAnswerTooLongForBox
        case invalidTolerance
        case emptyPattern
        case tooFewPairs
        case emptyPair
        case tooFewItems
        case clozeWithoutGaps
        case clozeMarkerMismatch
        case invalidGapWeight
    }

    /// The kind of problem.
    public var code: Code
    /// The message in Vietnamese.
    public var messageVietnamese: String
    /// The message in English.
    public var messageEnglish: String
    /// For a cloze, the 0-based gap the problem is in.
    public var gap: Int?

    /// Creates a violation.
    public init(code: Code, vi: String, en: String, gap: Int? = nil) {
        self.code = code
        self.messageVietnamese = vi
        self.messageEnglish = en
        self.gap = gap
    }

    /// `code: English message`.
    public var description: String { "\(code.rawValue): \(messageEnglish)" }
}

extension Question {
    /// The range of option counts a single-choice question may have.
    public static let singleChoiceOptionRange = 2...8

    /// Every problem that keeps the question from being used. Empty means valid.
    /// - Parameter frameworks: where ``cognitiveLevel`` must be defined.
    public func violations(frameworks: CognitiveLevelFrameworks = .standard) -> [QuestionViolation] {
        var result: [QuestionViolation] = []
        if stem.isEmpty && type != .cloze {
            result.append(.init(code: .emptyStem, vi: "Câu hỏi không có nội dung", en: "The question has no text"))
        }
        if !points.isFinite || points <= 0 {
            result.append(.init(code: .invalidPoints, vi: "Số điểm phải lớn hơn 0", en: "Points must be greater than 0"))
        }
        if version < 1 {
            result.append(.init(code: .invalidVersion, vi: "Số phiên bản phải từ 1 trở lên", en: "The version must be 1 or more"))
        }
        if let grade, !(1...12).contains(grade) {
            result.append(.init(code: .invalidGrade, vi: "Lớp \(grade) không hợp lệ (1–12)", en: "Grade \(grade) is not valid (1–12)"))
        }
        if let level = cognitiveLevel, !frameworks.isValid(level) {
            result.append(.init(
                code: .invalidCognitiveLevel,
                vi: "Mức độ nhận thức \(level.level) không thuộc khung \(level.framework)",
                en: "Cognitive level \(level.level) is not in framework \(level.framework)"
            ))
        }
        if let penalty, !(0...1).contains(penalty) {
            result.append(.init(code: .invalidPenalty, vi: "Hệ số trừ điểm phải từ 0 đến 1", en: "The penalty must be between 0 and 1"))
        }
        switch body {
        case .singleChoice(let q):
            result += Self.choiceViolations(q.options, multiple: false)
        case .multipleResponse(let q):
            result += Self.choiceViolations(q.options, multiple: true)
        case .trueFalse:
            break
        case .trueFalseCluster(let q):
            if q.statements.count != 4 {
                result.append(.init(
                    code: .clusterStatementCount,
                    vi: "Câu hỏi Đúng/Sai phải có đúng 4 ý (có \(q.statements.count))",
                    en: "A true/false cluster needs exactly 4 statements (it has \(q.statements.count))"
                ))
            }
            if q.statements.contains(where: { $0.text.isEmpty }) {
                result.append(.init(code: .emptyOption, vi: "Có ý để trống", en: "A statement is empty"))
            }
            let labels = q.statements.map(\.label)
            if Set(labels).count != labels.count {
                result.append(.init(code: .duplicateIdentifiers, vi: "Nhãn các ý bị trùng", en: "Statement labels repeat"))
            } else if q.statements.count == 4, labels != ["a", "b", "c", "d"] {
                result.append(.init(
                    code: .clusterLabels,
                    vi: "Các ý phải được đánh nhãn a, b, c, d theo thứ tự (đang là \(labels.joined(separator: ", ")))",
                    en: "Statements must be labelled a, b, c, d in order (they are \(labels.joined(separator: ", ")))"
                ))
            }
            let texts = q.statements.map(\.text.comparisonKey).filter { !$0.isEmpty }
            if Set(texts).count != texts.count {
                result.append(.init(code: .duplicateOptions, vi: "Có ý bị trùng", en: "Statements repeat"))
            }
            let table = q.scoring.fractions
            if table.count != q.statements.count + 1 || table.contains(where: { !(0...1).contains($0) })
                || zip(table, table.dropFirst()).contains(where: { $0 > $1 })
            {
                result.append(.init(
                    code: .clusterScoringTable,
                    vi: "Bảng điểm Đúng/Sai phải có \(q.statements.count + 1) mức tăng dần trong khoảng 0–1",
                    en: "The cluster scoring table needs \(q.statements.count + 1) non-decreasing entries within 0–1"
                ))
            }
        case .numeric(let q):
            result += Self.numericViolations(q)
        case .shortText(let q):
            result += Self.shortTextViolations(q)
        case .essay:
            break
        case .matching(let q):
            if q.pairs.count < 2 {
                result.append(.init(code: .tooFewPairs, vi: "Câu ghép đôi cần ít nhất 2 cặp", en: "A matching question needs at least 2 pairs"))
            }
            if q.pairs.contains(where: { $0.prompt.isEmpty || $0.answer.allSatisfy(\.isWhitespace) }) {
                result.append(.init(code: .emptyPair, vi: "Có cặp ghép đôi để trống", en: "A matching pair is empty"))
            }
            let prompts = q.pairs.map(\.prompt.comparisonKey)
            if Set(prompts).count != prompts.count {
                result.append(.init(code: .duplicateOptions, vi: "Có vế ghép đôi bị trùng", en: "Matching prompts repeat"))
            }
            if Set(q.pairs.map(\.id)).count != q.pairs.count {
                result.append(.init(code: .duplicateIdentifiers, vi: "Mã các cặp bị trùng", en: "Pair identifiers repeat"))
            }
        case .ordering(let q):
            if q.items.count < 2 {
                result.append(.init(code: .tooFewItems, vi: "Câu sắp xếp cần ít nhất 2 mục", en: "An ordering question needs at least 2 items"))
            }
            if q.items.contains(where: { $0.text.isEmpty }) {
                result.append(.init(code: .emptyOption, vi: "Có mục để trống", en: "An item is empty"))
            }
            let texts = q.items.map(\.text.comparisonKey)
            if Set(texts).count != texts.count {
                result.append(.init(code: .duplicateOptions, vi: "Có mục bị trùng", en: "Items repeat"))
            }
            if Set(q.items.map(\.id)).count != q.items.count {
                result.append(.init(code: .duplicateIdentifiers, vi: "Mã các mục bị trùng", en: "Item identifiers repeat"))
            }
        case .cloze(let q):
            result += clozeViolations(q)
        }
        return result
    }

    private func clozeViolations(_ q: ClozeQuestion) -> [QuestionViolation] {
        var result: [QuestionViolation] = []
        guard !q.gaps.isEmpty else {
            return [.init(code: .clozeWithoutGaps, vi: "Câu điền khuyết không có chỗ trống nào", en: "The cloze question has no gaps")]
        }
        for index in q.gaps.indices {
            let count = stem.html.components(separatedBy: ClozeQuestion.marker(index)).count - 1
            if count != 1 {
                result.append(.init(
                    code: .clozeMarkerMismatch,
                    vi: "Chỗ trống \(index + 1) xuất hiện \(count) lần trong đề",
                    en: "Gap \(index + 1) appears \(count) times in the text",
                    gap: index
                ))
            }
        }
        if stem.html.contains(ClozeQuestion.marker(q.gaps.count)) {
            result.append(.init(
                code: .clozeMarkerMismatch,
                vi: "Đề có chỗ trống \(q.gaps.count + 1) nhưng không có câu hỏi tương ứng",
                en: "The text has gap \(q.gaps.count + 1) but no sub-question for it"
            ))
        }
        for (index, gap) in q.gaps.enumerated() {
            var inner: [QuestionViolation] = []
            if gap.weight < 1 {
                inner.append(.init(code: .invalidGapWeight, vi: "Trọng số phải từ 1 trở lên", en: "The weight must be 1 or more"))
            }
            switch gap.kind {
            case .choice(let options, _, _):
                inner += Self.choiceViolations(options, multiple: gap.isMultipleResponse)
            case .shortText(let s):
                inner += Self.shortTextViolations(s)
            case .numeric(let n):
                inner += Self.numericViolations(n)
            }
            result += inner.map {
                .init(
                    code: $0.code,
                    vi: "Chỗ trống \(index + 1): \($0.messageVietnamese.lowercasedFirst)",
                    en: "Gap \(index + 1): \($0.messageEnglish.lowercasedFirst)",
                    gap: index
                )
            }
        }
        return result
    }

    static func choiceViolations(_ options: [ChoiceOption], multiple: Bool) -> [QuestionViolation] {
        var result: [QuestionViolation] = []
        if !singleChoiceOptionRange.contains(options.count) {
            result.append(.init(
                code: .optionCountOutOfRange,
                vi: "Câu hỏi phải có từ 2 đến 8 phương án (có \(options.count))",
                en: "The question needs 2 to 8 options (it has \(options.count))"
            ))
        }
        if options.contains(where: { !$0.fraction.isFinite || !(-1...1).contains($0.fraction) }) {
            result.append(.init(code: .fractionOutOfRange, vi: "Tỉ lệ điểm của phương án phải từ -100% đến 100%", en: "Option fractions must be between -100% and 100%"))
        }
        if multiple {
            let positive = options.map(\.fraction).filter { $0 > 0 }.reduce(0, +)
            if positive <= QuestionScoring.epsilon {
                result.append(noCorrectAnswer)
            } else if abs(positive - 1) > 0.0001 {
                result.append(.init(
                    code: .fractionsDoNotSumToOne,
                    vi: "Tổng tỉ lệ điểm của các phương án đúng phải là 100% (đang là \(percent(positive)))",
                    en: "The positive option fractions must add up to 100% (they add up to \(percent(positive)))"
                ))
            }
        } else if !options.contains(where: \.isCorrect) {
            result.append(noCorrectAnswer)
        }
        if options.contains(where: { $0.text.isEmpty }) {
            result.append(.init(code: .emptyOption, vi: "Có phương án để trống", en: "An option is empty"))
        }
        let texts = options.map(\.text.comparisonKey).filter { !$0.isEmpty }
        if Set(texts).count != texts.count {
            result.append(.init(code: .duplicateOptions, vi: "Có phương án bị trùng", en: "Options repeat"))
        }
        if Set(options.map(\.id)).count != options.count {
            result.append(.init(code: .duplicateIdentifiers, vi: "Mã các phương án bị trùng", en: "Option identifiers repeat"))
        }
        return result
    }

    static func numericViolations(_ q: NumericQuestion) -> [QuestionViolation] {
        var result: [QuestionViolation] = []
        for key in q.keys where !key.isWildcard && key.value == nil {
            result.append(.init(
                code: .numericAnswerUnparseable,
                vi: "Đáp án số \"\(key.answer)\" không đọc được",
                en: "The numeric answer \"\(key.answer)\" is not a number"
            ))
        }
        if q.keys.contains(where: { $0.tolerance < 0 }) {
            result.append(.init(code: .invalidTolerance, vi: "Sai số cho phép không được âm", en: "The tolerance cannot be negative"))
        }
        if !q.keys.contains(where: { !$0.isWildcard && $0.value != nil && $0.fraction >= 1 - QuestionScoring.epsilon }) {
            result.append(noCorrectAnswer)
        }
        if let box = q.answerBoxLength {
            for key in q.keys where !key.isWildcard && key.fraction > 0 && !NumericParsing.fits(key.answer, boxLength: box) {
                result.append(.init(
                    code: .numericAnswerTooLongForBox,
                    vi: "Đáp án \"\(key.answer)\" dài hơn \(box) ký tự của ô trả lời",
                    en: "The answer \"\(key.answer)\" is longer than the \(box)-character answer box"
                ))
            }
        }
        return result
    }

    static func shortTextViolations(_ q: ShortTextQuestion) -> [QuestionViolation] {
        var result: [QuestionViolation] = []
        if q.keys.contains(where: { $0.pattern.allSatisfy(\.isWhitespace) }) {
            result.append(.init(code: .emptyPattern, vi: "Có đáp án để trống", en: "An answer pattern is empty"))
        }
        if !q.keys.contains(where: { $0.fraction >= 1 - QuestionScoring.epsilon }) {
            result.append(noCorrectAnswer)
        }
        return result
    }

    static let noCorrectAnswer = QuestionViolation(code: .noCorrectAnswer, vi: "Câu hỏi không có đáp án đúng", en: "The question has no correct answer")

    private static func percent(_ fraction: Double) -> String {
        let rounded = (fraction * 10000).rounded() / 100
        // Fractions come from imported files (a GIFT weight `%5555…%`): beyond Int, or not finite, they are
        // shown as doubles rather than trapping in the conversion (found by the GIFT fuzz target).
        guard let whole = Int(exactly: rounded) else { return "\(rounded)%" }
        return "\(whole)%"
    }
}

extension String {
    /// The string with its first character lower-cased (for messages embedded after a prefix).
    var lowercasedFirst: String {
        guard let first else { return self }
        return first.lowercased() + dropFirst()
    }
}
