public import Foundation
public import HoclieuCore
public import HoclieuStorage
public import LTI

/// A question-set launch's attempt, sealed with the service's key: the learner, the version taken and, with
/// AGS, the line item the score goes to. The answers' score is computed on the server from the stored
/// question set; nothing the browser sends can name a score.
public struct LTIQuizAttempt: Codable, Sendable {
    public var platformID: Int64
    public var lineItem: String?
    public var userID: String?
    public var pid: String
    public var version: Int
    public var expires: Double
}

/// A quiz to show: the questions (their answers stay on the server) and the sealed attempt.
public struct LTIQuiz: Sendable {
    public var title: String
    public var questions: [Question]
    public var attempt: String
}

/// What a submitted quiz earned, by the bank's scoring rules, and what became of the gradebook post.
public struct LTIQuizResult: Sendable {
    public struct Line: Sendable {
        public var title: String
        /// Points earned; nil for a question graded by hand (essay).
        public var points: Double?
        public var maximum: Double
    }
    public var lines: [Line]
    public var scoreGiven: Double
    public var scoreMaximum: Double
    /// The gradebook post, when the launch carried an AGS line item.
    public var post: StoredLTIScore?
}

extension Services {
    /// How long a learner has to submit a quiz after the launch.
    static let ltiQuizLifetime: TimeInterval = 4 * 3600

    /// The quiz of a question-set launch, or nil when the launched version is not a stored question set.
    public func ltiQuiz(_ launch: VerifiedLaunch, link: LTIResolvedLink) async throws -> LTIQuiz? {
        guard link.material.kind == .questionSet, let set = try await ltiQuestionSet(link.material.pid, version: link.version) else { return nil }
        var lineItem: String?
        if let ags = launch.claims.ags, ags.scope.contains(AGSClient.scoreScope), launch.claims.sub != nil { lineItem = ags.lineitem }
        let attempt = LTIQuizAttempt(
            platformID: launch.platform.id, lineItem: lineItem, userID: launch.claims.sub, pid: link.material.pid.rawValue, version: link.version,
            expires: Date().timeIntervalSince1970 + Self.ltiQuizLifetime)
        return LTIQuiz(title: link.material.metadata.title, questions: set.questions, attempt: try seal(attempt))
    }

    func ltiQuestionSet(_ pid: PersistentIdentifier, version: Int) async throws -> QuestionSetFile? {
        guard version > 0, let v = try await store.version(pid, number: version), v.mediaType == QuestionSetFile.mediaType else { return nil }
        return try HoclieuJSON.decoder().decode(QuestionSetFile.self, from: Data(contentsOf: blobs.url(for: v.contentID)))
    }

    /// Scores a submitted quiz with the bank's rules (``Question/points(for:)``) and, when the launch carried
    /// an AGS line item, posts that score to the platform's gradebook (recorded, retried, visible to the teacher).
    /// - Parameter answers: the form's fields, as ``LTIQuizForm`` names them.
    public func ltiSubmitQuiz(attempt token: String, answers: [(String, String)]) async throws -> LTIQuizResult {
        guard let attempt = open(token, as: LTIQuizAttempt.self), attempt.expires > Date().timeIntervalSince1970,
            let pid = try? PersistentIdentifier(parsing: attempt.pid)
        else { throw LTIError.invalidState }
        guard let set = try await ltiQuestionSet(pid, version: attempt.version) else { throw AppError.notFound("học liệu \(attempt.pid)", "Material \(attempt.pid)") }
        var lines: [LTIQuizResult.Line] = []
        var given = 0.0
        var maximum = 0.0
        for (index, question) in set.questions.enumerated() {
            let response = LTIQuizForm.response(for: question, index: index, fields: answers)
            let points = question.isAutoScored ? (question.points(for: response) ?? 0) : nil
            if let points {
                given += points
                maximum += question.points
            }
            lines.append(.init(title: question.title, points: points, maximum: question.points))
        }
        var result = LTIQuizResult(lines: lines, scoreGiven: given, scoreMaximum: maximum, post: nil)
        if let lineItem = attempt.lineItem, let userID = attempt.userID, maximum > 0 {
            result.post = try await ltiSendScore(
                platformID: attempt.platformID, lineItem: lineItem, userID: userID, pid: attempt.pid, scoreGiven: given, scoreMaximum: maximum)
        }
        return result
    }
}

/// How a quiz form names its fields, and how they are read back into ``QuestionResponse``s. Question `i`
/// (0-based) uses `q{i}` for a choice, several choices, true/false (`true`/`false`) or written text;
/// `q{i}.{label}` for each statement of a Đúng/Sai cluster (`true`/`false`); `q{i}.{pair}` for each matching
/// prompt; `q{i}.{item}` for each ordering item's position (1…n); `q{i}.g{k}` for cloze gap `k`.
public enum LTIQuizForm {
    public static func name(_ index: Int, _ part: String? = nil) -> String { part.map { "q\(index).\($0)" } ?? "q\(index)" }

    static func values(_ fields: [(String, String)], _ name: String) -> [String] { fields.filter { $0.0 == name }.map(\.1) }
    static func value(_ fields: [(String, String)], _ name: String) -> String? { fields.first { $0.0 == name }?.1 }

    /// The response a form gives to question `index`; a missing answer reads as an empty (wrong) one.
    public static func response(for question: Question, index: Int, fields: [(String, String)]) -> QuestionResponse {
        let base = name(index)
        switch question.body {
        case .singleChoice: return .choice(value(fields, base) ?? "")
        case .multipleResponse: return .choices(Set(values(fields, base)))
        case .trueFalse: return value(fields, base).map { .trueFalse($0 == "true") } ?? .choices([])
        case .trueFalseCluster(let q):
            var answers: [String: Bool] = [:]
            for s in q.statements {
                if let v = value(fields, name(index, s.label)), v == "true" || v == "false" { answers[s.label] = v == "true" }
            }
            return .cluster(answers)
        case .numeric, .shortText, .essay: return .text(String((value(fields, base) ?? "").prefix(10_000)))
        case .matching(let q):
            var answers: [String: String] = [:]
            for p in q.pairs { if let v = value(fields, name(index, p.id)), !v.isEmpty { answers[p.id] = v } }
            return .matching(answers)
        case .ordering(let q):
            let positioned = q.items.map { item in (item.id, Int(value(fields, name(index, item.id)) ?? "") ?? Int.max) }
            return .ordering(positioned.sorted { $0.1 == $1.1 ? $0.0 < $1.0 : $0.1 < $1.1 }.map(\.0))
        case .cloze(let q):
            var gaps: [Int: QuestionResponse] = [:]
            for (k, gap) in q.gaps.enumerated() {
                let gapName = name(index, "g\(k)")
                switch gap.kind {
                case .choice:
                    if gap.isMultipleResponse { gaps[k] = .choices(Set(values(fields, gapName))) } else if let v = value(fields, gapName) { gaps[k] = .choice(v) }
                case .shortText, .numeric:
                    if let v = value(fields, gapName) { gaps[k] = .text(String(v.prefix(1000))) }
                }
            }
            return .cloze(gaps)
        }
    }
}
