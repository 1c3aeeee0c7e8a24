public import Foundation
public import HoclieuCore

/// The quality board's records and the audit log.
///
/// The store keeps the invariants that concurrent requests could break: at most one open submission
/// per material, one review per reviewer and round, one decision per submission (a transition checks
/// the state it starts from inside its transaction), and an audit chain with no gaps. Every method
/// that changes state appends its audit events in the same transaction.
public protocol ReviewStore: Sendable {
    // MARK: Criteria

    /// Adds criteria sets (an existing `id@version` must be identical: published criteria never change).
    func saveCriteriaSets(_ sets: [CriteriaSet]) async throws
    /// Every stored criteria set, every version.
    func criteriaSets() async throws -> [CriteriaSet]

    // MARK: Submissions

    /// Opens a submission and moves the material to its review status. Throws ``StoreError/conflict(_:)``
    /// when the material already has an open submission.
    func createSubmission(_ new: NewSubmission, audit: AuditDraft) async throws -> Submission
    func submission(id: Int64) async throws -> Submission?
    /// The open submission of a material, if any.
    func openSubmission(pid: PersistentIdentifier) async throws -> Submission?
    func submissions(_ query: SubmissionQuery) async throws -> [Submission]
    /// Assigns reviewers (already checked by the caller) and moves a waiting submission into review.
    func assign(submissionID: Int64, reviewers: [Int64], by actorID: Int64, dueAt: Date) async throws -> Submission
    /// Removes a reviewer who has not reviewed the current round.
    func unassign(submissionID: Int64, reviewerID: Int64, by actorID: Int64) async throws -> Submission
    /// Records a review; when the round's reviews decide by `rules`, closes the submission in the same
    /// transaction. Throws ``StoreError/conflict(_:)`` when the reviewer is not assigned, already reviewed
    /// this round, or the submission is no longer reviewable.
    func recordReview(_ review: NewReview, rules: ReviewRules) async throws -> (review: Review, submission: Submission)
    /// Closes a reviewable submission with the chair's decision (exactly one decision wins).
    func decide(submissionID: Int64, _ decision: SubmissionDecision) async throws -> Submission
    /// Starts the next round of a submission whose author was asked for changes.
    func resubmit(submissionID: Int64, version: Int, proposedMetadata: MaterialMetadata?, by actorID: Int64) async throws -> Submission
    /// A reviewer's correction of the metadata under review: the material's own metadata for a new submission,
    /// the proposed metadata of a change. Audited with the changed fields.
    func correctMetadata(submissionID: Int64, _ metadata: MaterialMetadata, fields: [String], by actorID: Int64) async throws -> Submission
    /// The author takes back an open submission.
    func cancelSubmission(id: Int64, by actorID: Int64, reason: String?) async throws -> Submission
    func reviews(submissionID: Int64) async throws -> [Review]
    /// Sets a material's status outside the workflow (withdrawal, a recorded direct publication); an open
    /// submission of the material is cancelled. The audit event says who and why.
    func setStatus(_ pid: PersistentIdentifier, to status: MaterialStatus, audit: AuditDraft) async throws -> Material
    /// Open assignments per reviewer (for load-balanced automatic assignment).
    func openAssignmentCounts() async throws -> [Int64: Int]
    /// Assignments past their due date without a reminder (or an escalation) yet, marked as reminded
    /// (escalated) in the same transaction; returns what was marked.
    func markOverdue(now: Date, remindBefore: Date, escalateBefore: Date) async throws -> (reminded: [OverdueAssignment], escalated: [OverdueAssignment])
    /// Users holding `role` (for eligibility checks).
    func users(withRole role: Role) async throws -> [User]
    /// Published materials whose last change and last submission are older than `before` and that have no open
    /// submission: due for periodic re-review; oldest first.
    func materialsDueForReReview(before: Date, limit: Int) async throws -> [PersistentIdentifier]

    // MARK: Pre-review

    /// Open submissions the pre-review job has not looked at yet, oldest first.
    func submissionsAwaitingPreReview(limit: Int) async throws -> [Int64]
    func savePreReview(submissionID: Int64, _ preReview: PreReview) async throws
    /// Title, description and extracted text of each material (for duplicate and curriculum checks).
    func extractedTexts(_ pids: [PersistentIdentifier]) async throws -> [PersistentIdentifier: String]
    /// Title, kind and subjects of each material, in one query (a list of submissions shows them).
    func materialHeadlines(_ pids: [PersistentIdentifier]) async throws -> [PersistentIdentifier: MaterialHeadline]
    /// Published materials whose current version is exactly this file.
    func publishedMaterials(withContentID contentID: ContentID) async throws -> [PersistentIdentifier]

    // MARK: Audit

    /// Appends one event to the audit chain.
    @discardableResult func appendAudit(_ draft: AuditDraft) async throws -> AuditEvent
    /// Events in order of `seq`, filtered.
    func auditEvents(_ query: AuditQuery) async throws -> [AuditEvent]
    /// Raw records after `afterSeq`, in order (for verification).
    func auditRecords(afterSeq: Int64, limit: Int) async throws -> [AuditRecord]
    /// The last event's number and hash as recorded at append time (0 and genesis when empty).
    func auditHead() async throws -> (seq: Int64, hash: String)
}

/// A submission to open.
public struct NewSubmission: Sendable {
    public var pid: PersistentIdentifier
    public var kind: SubmissionKind
    public var version: Int
    public var proposedMetadata: MaterialMetadata?
    public var note: String?
    public var criteriaSet: String
    public var submittedBy: Int64
    public var school: String?

    public init(
        pid: PersistentIdentifier, kind: SubmissionKind, version: Int, proposedMetadata: MaterialMetadata?, note: String?, criteriaSet: String,
        submittedBy: Int64, school: String?
    ) {
        self.pid = pid
        self.kind = kind
        self.version = version
        self.proposedMetadata = proposedMetadata
        self.note = note
        self.criteriaSet = criteriaSet
        self.submittedBy = submittedBy
        self.school = school
    }
}

/// A review to record.
public struct NewReview: Sendable {
    public var submissionID: Int64
    public var reviewerID: Int64
    public var scores: [String: Int]
    public var decision: ReviewDecision
    public var reasonCode: ReasonCode?
    public var feedback: String
    public var internalNotes: String
    public var weightedScore: Double

    public init(
        submissionID: Int64, reviewerID: Int64, scores: [String: Int], decision: ReviewDecision, reasonCode: ReasonCode?, feedback: String,
        internalNotes: String, weightedScore: Double
    ) {
        self.submissionID = submissionID
        self.reviewerID = reviewerID
        self.scores = scores
        self.decision = decision
        self.reasonCode = reasonCode
        self.feedback = feedback
        self.internalNotes = internalNotes
        self.weightedScore = weightedScore
    }
}

/// Which submissions to list. With ``reviewerID``, the reviewer's queue: submissions waiting for their
/// review, earliest due (overdue) first; otherwise newest first.
public struct SubmissionQuery: Sendable {
    public var reviewerID: Int64?
    public var submittedBy: Int64?
    public var states: Set<SubmissionState>?
    public var pid: PersistentIdentifier?
    /// Only submissions due before this date.
    public var dueBefore: Date?
    public var limit: Int
    /// Keyset cursor: the last row of the previous page (its due date, for a queue, and id).
    public var after: (dueAt: Date?, id: Int64)?

    public init(
        reviewerID: Int64? = nil, submittedBy: Int64? = nil, states: Set<SubmissionState>? = nil, pid: PersistentIdentifier? = nil,
        dueBefore: Date? = nil, limit: Int = 50, after: (dueAt: Date?, id: Int64)? = nil
    ) {
        self.reviewerID = reviewerID
        self.submittedBy = submittedBy
        self.states = states
        self.pid = pid
        self.dueBefore = dueBefore
        self.limit = limit
        self.after = after
    }
}

/// An assignment past due, for reminders and escalation.
public struct OverdueAssignment: Sendable, Equatable {
    public var submissionID: Int64
    public var reviewerID: Int64
    public var dueAt: Date
}

/// Which audit events to list.
public struct AuditQuery: Sendable {
    public var afterSeq: Int64
    public var limit: Int
    public var actorID: Int64?
    public var action: String?
    public var subject: String?
    public var from: Date?
    public var until: Date?

    public init(afterSeq: Int64 = 0, limit: Int = 100, actorID: Int64? = nil, action: String? = nil, subject: String? = nil, from: Date? = nil, until: Date? = nil) {
        self.afterSeq = afterSeq
        self.limit = limit
        self.actorID = actorID
        self.action = action
        self.subject = subject
        self.from = from
        self.until = until
    }
}

/// What a list shows of a material beside its identifier: its title, kind and subjects.
public struct MaterialHeadline: Sendable, Equatable, Codable {
    public var title: String
    public var kind: MaterialKind
    public var subjects: [String]

    public init(title: String, kind: MaterialKind, subjects: [String]) {
        self.title = title
        self.kind = kind
        self.subjects = subjects
    }
}
