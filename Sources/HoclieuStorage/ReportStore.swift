public import Foundation
public import HoclieuCore

/// How many published materials carry one combination of kind and tags (their lists as stored).
public struct MaterialTagCount: Sendable, Equatable {
    public var kind: MaterialKind
    public var subjects: [String]
    public var grades: [Int]
    public var knowledgeUnits: [String]
    public var count: Int

    public init(kind: MaterialKind, subjects: [String], grades: [Int], knowledgeUnits: [String], count: Int) {
        self.kind = kind
        self.subjects = subjects
        self.grades = grades
        self.knowledgeUnits = knowledgeUnits
        self.count = count
    }
}

/// How many published questions carry one combination of subject, grade, cognitive level and units.
public struct QuestionTagCount: Sendable, Equatable {
    public var subject: String?
    public var grade: Int?
    /// The level code as stored on the question (`NTVV4.2`), nil when it has none.
    public var level: String?
    public var units: [String]
    public var count: Int

    public init(subject: String?, grade: Int?, level: String?, units: [String], count: Int) {
        self.subject = subject
        self.grade = grade
        self.level = level
        self.units = units
        self.count = count
    }
}

/// One submission as the throughput report needs it.
public struct SubmissionTiming: Sendable, Equatable {
    public var id: Int64
    /// When it was first submitted.
    public var submittedAt: Date
    public var state: SubmissionState
    /// The last decision (final when `state` is approved or rejected).
    public var decision: SubmissionDecision?

    public init(id: Int64, submittedAt: Date, state: SubmissionState, decision: SubmissionDecision?) {
        self.id = id
        self.submittedAt = submittedAt
        self.state = state
        self.decision = decision
    }
}

/// How often reviewers gave a reason code with a decision.
public struct ReviewReasonCount: Sendable, Equatable {
    public var decision: ReviewDecision
    public var reasonCode: ReasonCode?
    public var count: Int

    public init(decision: ReviewDecision, reasonCode: ReasonCode?, count: Int) {
        self.decision = decision
        self.reasonCode = reasonCode
        self.count = count
    }
}

/// The board's activity over submissions made in a period.
public struct ReviewActivity: Sendable, Equatable {
    /// The submissions, oldest first.
    public var submissions: [SubmissionTiming]
    /// Reason codes of the reviews (of those submissions) that did not approve.
    public var reviewReasons: [ReviewReasonCount]

    public init(submissions: [SubmissionTiming], reviewReasons: [ReviewReasonCount]) {
        self.submissions = submissions
        self.reviewReasons = reviewReasons
    }
}

/// What the accounts of one organisation contributed (attributed by the owner's organisation).
public struct ContributionCount: Sendable, Equatable {
    public var organisationID: Int64
    /// Accounts owning at least one material or question.
    public var contributors: Int
    public var materialsByStatus: [MaterialStatus: Int]
    /// Review submissions of those materials.
    public var submissions: Int
    public var questions: Int
    public var questionsPublished: Int

    public init(
        organisationID: Int64, contributors: Int, materialsByStatus: [MaterialStatus: Int], submissions: Int, questions: Int, questionsPublished: Int
    ) {
        self.organisationID = organisationID
        self.contributors = contributors
        self.materialsByStatus = materialsByStatus
        self.submissions = submissions
        self.questions = questions
        self.questionsPublished = questionsPublished
    }
}

/// What the store records of LMS clients' pushes and of harvested material.
public struct LMSActivityCounts: Sendable, Equatable {
    /// `push` jobs per owning account (the client's account), by job status.
    public var pushesByOwner: [Int64: [JobStatus: Int]]
    /// The newest `push` job per owning account.
    public var lastPushByOwner: [Int64: Date]
    /// Materials per owning account of an LMS client (role `lms_client`), by status.
    public var materialsByOwner: [Int64: [MaterialStatus: Int]]
    /// Materials per provenance source system (harvests record `oai:<base URL>`).
    public var materialsBySourceSystem: [String: Int]

    public init(
        pushesByOwner: [Int64: [JobStatus: Int]], lastPushByOwner: [Int64: Date], materialsByOwner: [Int64: [MaterialStatus: Int]],
        materialsBySourceSystem: [String: Int]
    ) {
        self.pushesByOwner = pushesByOwner
        self.lastPushByOwner = lastPushByOwner
        self.materialsByOwner = materialsByOwner
        self.materialsBySourceSystem = materialsBySourceSystem
    }
}

/// The aggregate queries behind the department's reports (issue 19). Each is one or a few plain `GROUP BY`
/// queries; the reports' arithmetic (roll-ups over the catalogue tree, ISO weeks, medians) is done by the
/// application, so another backend only has to return the same counts.
public protocol ReportStore: Sendable {
    /// Published materials whose visibility is in `visibilities`, counted per (kind, subjects, grades,
    /// knowledge units) as stored.
    func publishedMaterialTags(visibilities: Set<Visibility>) async throws -> [MaterialTagCount]
    /// Published questions counted per (subject, grade, level, units).
    func publishedQuestionTags() async throws -> [QuestionTagCount]
    /// Submissions first made in `[from, before)` (either bound optional), oldest first, and the reason codes
    /// of their non-approving reviews.
    func reviewActivity(from: Date?, before: Date?) async throws -> ReviewActivity
    /// Contributions per organisation that has an account owning something.
    func contributionCounts() async throws -> [ContributionCount]
    /// Push jobs and materials of LMS client accounts, and materials per source system.
    func lmsActivityCounts() async throws -> LMSActivityCounts
    /// Counts one OAI-PMH request of an LMS client's account on `day` (`YYYY-MM-DD`, UTC) that served `records`
    /// records: one upsert per request.
    func recordOAIRequest(userID: Int64, day: String, records: Int) async throws
    /// Every recorded (account, day) of OAI-PMH requests, oldest day first.
    func oaiActivity() async throws -> [OAIClientDay]
}

/// The OAI-PMH requests of one LMS client's account on one day.
public struct OAIClientDay: Sendable, Equatable {
    public var userID: Int64
    /// `YYYY-MM-DD` (UTC).
    public var day: String
    public var requests: Int
    /// Records (headers, full records and deleted records) served over those requests.
    public var records: Int

    public init(userID: Int64, day: String, requests: Int, records: Int) {
        self.userID = userID
        self.day = day
        self.requests = requests
        self.records = records
    }
}
