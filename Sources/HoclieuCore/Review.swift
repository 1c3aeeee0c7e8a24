public import Foundation

// MARK: Criteria

/// How a criterion is scored.
public enum CriterionScale: String, Codable, Sendable {
    /// 0 (fails) or 1 (passes).
    case passFail = "pass_fail"
    /// 1 (poor) to 4 (excellent); 1 fails a required criterion.
    case levels = "1-4"

    /// The scores the scale allows.
    public var range: ClosedRange<Int> { self == .passFail ? 0...1 : 1...4 }
    /// The lowest passing score.
    public var passing: Int { self == .passFail ? 1 : 2 }
}

/// One thing the quality board checks, in both languages.
public struct Criterion: Codable, Sendable, Equatable {
    public var code: String
    public var vi: String
    public var en: String
    public var scale: CriterionScale
    public var weight: Double
    /// A required criterion must be scored, and must pass for an approval.
    public var required: Bool
}

/// The published criteria of one material kind, versioned (`Catalog/criteria/*.json`).
public struct CriteriaSet: Codable, Sendable, Equatable {
    /// E.g. `lesson`; the key a submission is reviewed by together with ``version``.
    public var id: String
    public var version: Int
    /// The material kinds it applies to.
    public var kinds: [MaterialKind]
    public var titleVi: String
    public var titleEn: String
    public var criteria: [Criterion]

    /// `id@version`, as submissions record it.
    public var key: String { "\(id)@\(version)" }

    /// Every problem with the set itself (empty: usable).
    public func problems() -> [String] {
        var problems: [String] = []
        if id.isEmpty || !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) { problems.append("id '\(id)'") }
        if version < 1 { problems.append("\(id): version must be ≥ 1") }
        if kinds.isEmpty { problems.append("\(id): no material kinds") }
        if criteria.isEmpty { problems.append("\(id): no criteria") }
        var seen = Set<String>()
        for c in criteria {
            if !seen.insert(c.code).inserted { problems.append("\(id): criterion \(c.code) twice") }
            if c.vi.isEmpty || c.en.isEmpty { problems.append("\(id): criterion \(c.code) needs Vietnamese and English text") }
            if !(c.weight > 0 && c.weight <= 100) { problems.append("\(id): criterion \(c.code) weight must be in (0, 100]") }
        }
        return problems
    }

    /// What is wrong with a reviewer's scores: unknown codes, out-of-scale values, unscored required criteria.
    public func scoreProblems(_ scores: [String: Int]) -> [FieldViolation] {
        var problems: [FieldViolation] = []
        let byCode = Dictionary(criteria.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        for (code, value) in scores.sorted(by: { $0.key < $1.key }) {
            guard let criterion = byCode[code] else {
                problems.append(.init(field: "scores.\(code)", problem: .invalid))
                continue
            }
            if !criterion.scale.range.contains(value) {
                problems.append(.init(field: "scores.\(code)", problem: .outOfRange(min: criterion.scale.range.lowerBound, max: criterion.scale.range.upperBound)))
            }
        }
        for c in criteria where c.required && scores[c.code] == nil { problems.append(.init(field: "scores.\(c.code)", problem: .required)) }
        return problems
    }

    /// The codes of required criteria the scores fail.
    public func failedRequired(_ scores: [String: Int]) -> [String] {
        criteria.filter { $0.required && (scores[$0.code] ?? 0) < $0.scale.passing }.map(\.code)
    }

    /// The weighted score in 0…100 (each criterion's score scaled to 0…1 by its scale).
    public func weightedScore(_ scores: [String: Int]) -> Double {
        var total = 0.0, weights = 0.0
        for c in criteria {
            guard let s = scores[c.code] else { continue }
            let r = c.scale.range
            total += c.weight * Double(s - r.lowerBound) / Double(r.upperBound - r.lowerBound)
            weights += c.weight
        }
        return weights > 0 ? (total / weights * 1000).rounded() / 10 : 0
    }
}

// MARK: Submissions

/// Why a submission is under review.
public enum SubmissionKind: String, Codable, Sendable {
    /// A material that has never been published.
    case new
    /// A new version or new metadata of a published material (which stays as it is until approval).
    case change
    /// A published material checked again (it stays visible meanwhile).
    case rereview
}

/// Where a submission stands.
public enum SubmissionState: String, Codable, Sendable, CaseIterable {
    case submitted
    case inReview = "in_review"
    case changesRequested = "changes_requested"
    case resubmitted
    case approved
    case rejected
    /// The author took it back before a decision.
    case cancelled

    /// Whether reviewers still work on it.
    public var isOpen: Bool { [.submitted, .inReview, .resubmitted, .changesRequested].contains(self) }
    /// Whether a review may be recorded now.
    public var isReviewable: Bool { [.submitted, .inReview, .resubmitted].contains(self) }
}

/// A reviewer's (or the chair's) verdict.
public enum ReviewDecision: String, Codable, Sendable, CaseIterable {
    case approve
    case requestChanges = "request_changes"
    case reject
}

/// Why a submission was not approved as it stands: the board's reason codes.
public enum ReasonCode: String, Codable, Sendable, CaseIterable {
    case curriculumMismatch = "curriculum_mismatch"
    case inaccurateContent = "inaccurate_content"
    case technicalQuality = "technical_quality"
    case invalidLicence = "invalid_licence"
    case incompleteMetadata = "incomplete_metadata"
    case portability
    case duplicate
    case other

    /// The reason as the author reads it.
    public var text: (vi: String, en: String) {
        switch self {
        case .curriculumMismatch: ("Không khớp yêu cầu cần đạt đã gắn", "Does not match the tagged learning outcomes")
        case .inaccurateContent: ("Nội dung chưa chính xác", "Inaccurate content")
        case .technicalQuality: ("Chất lượng kỹ thuật chưa đạt", "Technical quality")
        case .invalidLicence: ("Giấy phép không hợp lệ", "Invalid licence")
        case .incompleteMetadata: ("Thiếu thông tin mô tả", "Incomplete metadata")
        case .portability: ("Không dùng được trên hệ thống khác", "Not portable")
        case .duplicate: ("Trùng với học liệu đã có", "Duplicate of an existing material")
        case .other: ("Lý do khác", "Other")
        }
    }
}

/// How the reviews of a round combine.
public enum AgreementRule: String, Codable, Sendable {
    /// Every assigned reviewer must approve.
    case all
    /// More than half of the assigned reviewers decide.
    case majority
}

/// The board's configuration.
public struct ReviewRules: Sendable, Equatable {
    /// Reviewers per submission.
    public var reviewersPerSubmission: Int
    public var agreement: AgreementRule
    /// Nobody reviews a submission from their own school.
    public var excludeOwnSchool: Bool
    /// Days a reviewer has before a reminder.
    public var remindAfterDays: Int
    /// Days after which the chair is told.
    public var escalateAfterDays: Int
    /// Periodic re-review: a material published (or last re-reviewed) this many days ago goes under re-review,
    /// still visible; nil: only when the catalogue units it is tagged with change.
    public var reReviewAfterDays: Int?

    public init(
        reviewersPerSubmission: Int = 2, agreement: AgreementRule = .all, excludeOwnSchool: Bool = true, remindAfterDays: Int = 7,
        escalateAfterDays: Int = 14, reReviewAfterDays: Int? = nil
    ) {
        self.reReviewAfterDays = reReviewAfterDays
        self.reviewersPerSubmission = reviewersPerSubmission
        self.agreement = agreement
        self.excludeOwnSchool = excludeOwnSchool
        self.remindAfterDays = remindAfterDays
        self.escalateAfterDays = escalateAfterDays
    }

    /// The outcome once the round's reviews say enough, or nil while it waits for more.
    ///
    /// `all`: approved when every assigned reviewer approved; otherwise decided when all have reviewed
    /// (rejected when most rejected, else changes requested). `majority`: decided as soon as more than half
    /// of the assigned reviewers agree on one verdict; when all have reviewed without a majority, changes are requested.
    public func outcome(assigned: Int, decisions: [ReviewDecision]) -> ReviewDecision? {
        let needed = max(assigned, reviewersPerSubmission)
        let approvals = decisions.count { $0 == .approve }
        let rejections = decisions.count { $0 == .reject }
        let changes = decisions.count { $0 == .requestChanges }
        switch agreement {
        case .all:
            guard decisions.count >= needed else { return nil }
            if approvals == decisions.count { return .approve }
            return rejections * 2 > decisions.count ? .reject : .requestChanges
        case .majority:
            for (count, verdict) in [(approvals, ReviewDecision.approve), (rejections, .reject), (changes, .requestChanges)] where count * 2 > needed {
                return verdict
            }
            return decisions.count >= needed ? .requestChanges : nil
        }
    }
}

/// A reviewer assigned to a submission.
public struct Assignment: Codable, Sendable, Equatable {
    public var reviewerID: Int64
    public var assignedBy: Int64
    public var assignedAt: Date
    public var dueAt: Date
    public var remindedAt: Date?
    public var escalatedAt: Date?

    public init(reviewerID: Int64, assignedBy: Int64, assignedAt: Date, dueAt: Date, remindedAt: Date? = nil, escalatedAt: Date? = nil) {
        self.reviewerID = reviewerID
        self.assignedBy = assignedBy
        self.assignedAt = assignedAt
        self.dueAt = dueAt
        self.remindedAt = remindedAt
        self.escalatedAt = escalatedAt
    }
}

/// One reviewer's review of one round.
public struct Review: Codable, Sendable, Equatable {
    public var id: Int64
    public var submissionID: Int64
    public var round: Int
    public var reviewerID: Int64
    public var scores: [String: Int]
    public var decision: ReviewDecision
    public var reasonCode: ReasonCode?
    /// What the author reads.
    public var feedback: String
    /// What only the board reads.
    public var internalNotes: String
    /// ``CriteriaSet/weightedScore(_:)`` of the scores.
    public var weightedScore: Double
    public var createdAt: Date

    public init(
        id: Int64, submissionID: Int64, round: Int, reviewerID: Int64, scores: [String: Int], decision: ReviewDecision, reasonCode: ReasonCode?,
        feedback: String, internalNotes: String, weightedScore: Double, createdAt: Date
    ) {
        self.id = id
        self.submissionID = submissionID
        self.round = round
        self.reviewerID = reviewerID
        self.scores = scores
        self.decision = decision
        self.reasonCode = reasonCode
        self.feedback = feedback
        self.internalNotes = internalNotes
        self.weightedScore = weightedScore
        self.createdAt = createdAt
    }
}

/// The board's final word on a submission.
public struct SubmissionDecision: Codable, Sendable, Equatable {
    public var decision: ReviewDecision
    public var reasonCode: ReasonCode?
    public var feedback: String
    /// The chair who decided, or nil when the reviews decided by the agreement rule.
    public var decidedBy: Int64?
    public var decidedAt: Date

    public init(decision: ReviewDecision, reasonCode: ReasonCode?, feedback: String, decidedBy: Int64?, decidedAt: Date) {
        self.decision = decision
        self.reasonCode = reasonCode
        self.feedback = feedback
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
    }
}

/// A material (or a change to one) in front of the quality board.
public struct Submission: Codable, Sendable, Equatable, Identifiable {
    public var id: Int64
    public var pid: PersistentIdentifier
    public var kind: SubmissionKind
    public var state: SubmissionState
    /// The version under review (a pending one for a change).
    public var version: Int
    /// New metadata proposed by a change, applied on approval.
    public var proposedMetadata: MaterialMetadata?
    public var note: String?
    /// `id@version` of the criteria set it is reviewed by.
    public var criteriaSet: String
    public var submittedBy: Int64
    /// The author's school when submitted (for the own-school rule).
    public var school: String?
    public var submittedAt: Date
    public var updatedAt: Date
    /// 1 at first; each resubmission starts the next round.
    public var round: Int
    public var assignments: [Assignment]
    public var decision: SubmissionDecision?
    /// The machine's checks, once the pre-review job has run.
    public var preReview: PreReview?

    public init(
        id: Int64, pid: PersistentIdentifier, kind: SubmissionKind, state: SubmissionState, version: Int, proposedMetadata: MaterialMetadata?,
        note: String?, criteriaSet: String, submittedBy: Int64, school: String?, submittedAt: Date, updatedAt: Date, round: Int,
        assignments: [Assignment] = [], decision: SubmissionDecision? = nil, preReview: PreReview? = nil
    ) {
        self.preReview = preReview
        self.id = id
        self.pid = pid
        self.kind = kind
        self.state = state
        self.version = version
        self.proposedMetadata = proposedMetadata
        self.note = note
        self.criteriaSet = criteriaSet
        self.submittedBy = submittedBy
        self.school = school
        self.submittedAt = submittedAt
        self.updatedAt = updatedAt
        self.round = round
        self.assignments = assignments
        self.decision = decision
    }

    /// The earliest due date of its reviewers (nil when nobody is assigned).
    public var dueAt: Date? { assignments.map(\.dueAt).min() }
}

/// What the material becomes when a submission closes: one function, shared by every store.
public enum ReviewTransition {
    /// The material's status while a submission of `kind` is in `state` (nil: unchanged).
    public static func materialStatus(kind: SubmissionKind, state: SubmissionState) -> MaterialStatus? {
        switch (kind, state) {
        case (.new, .submitted), (.new, .resubmitted): .submitted
        case (.new, .inReview): .inReview
        case (.new, .changesRequested): .changesRequested
        case (.new, .approved), (.change, .approved), (.rereview, .approved): .published
        case (.new, .rejected): .rejected
        case (.new, .cancelled): .draft
        case (.rereview, .rejected): .withdrawn
        default: nil
        }
    }

    /// The status of a question-set material's questions while the set has `status`: the board reviews
    /// imported questions as a set, and its decision is theirs.
    public static func questionStatus(forSet status: MaterialStatus) -> QuestionStatus? {
        switch status {
        case .published: .published
        case .submitted, .inReview: .inReview
        case .draft, .changesRequested, .rejected: .draft
        case .withdrawn: .retired
        }
    }

    /// The submission state a decision leads to.
    public static func state(after decision: ReviewDecision) -> SubmissionState {
        switch decision {
        case .approve: .approved
        case .requestChanges: .changesRequested
        case .reject: .rejected
        }
    }
}
