public import Foundation
public import HoclieuCore

/// The per-subject question bank.
///
/// Questions are kept whole (their JSON, rich texts sanitised, media as blobs) with the columns the bank
/// is searched and assembled by: subject, grade, type, status, cognitive level and knowledge units.
/// Every change of content makes a new version; tests pin the versions they used.
public protocol QuestionStore: Sendable {
    /// Adds the questions of one import in one transaction. A question whose content is already in the
    /// bank is `unchanged`; one whose `idNumber` is already in the bank (same subject) with other content
    /// becomes that question's next version (`updated`); the others are `created` as drafts with a new id.
    func importQuestions(_ questions: [Question], ownerID: Int64, source: String?) async throws -> [QuestionImportOutcome]
    /// The current version of a question.
    func question(id: String) async throws -> Question?
    /// Who owns a question, and their school.
    func questionOwner(id: String) async throws -> RecordOwner?
    /// The bank ids of a question-set material's questions, in order.
    func questionIDs(inSet pid: PersistentIdentifier) async throws -> [String]
    /// One version of a question (what a test pinned).
    func question(id: String, version: Int) async throws -> Question?
    /// A page of questions, newest first (keyset pagination on the internal row id).
    func questions(_ query: QuestionQuery) async throws -> QuestionPage
    /// Sets the review status of a question's current version.
    func setQuestionStatus(id: String, _ status: QuestionStatus) async throws -> Question
    /// Stores an edited question as its next version, in one transaction with its audit event (the event's details get
    /// the new `version`), if the current version is still `expectedVersion` (optimistic concurrency); `.stale` otherwise.
    /// An edit that changes nothing makes no version (`.unchanged`). Owner and source stay the question's.
    func editQuestion(_ edited: Question, expectedVersion: Int, audit: AuditDraft) async throws -> QuestionEditOutcome
    /// Every question matching the filter, reduced to what blueprint checks and assembly need.
    func questionSummaries(subject: String?, status: QuestionStatus?) async throws -> [BankQuestionSummary]
}

/// What the store did with an edit of a question.
public enum QuestionEditOutcome: Sendable, Equatable {
    /// Stored as a new version.
    case saved(Question)
    /// The edit changed nothing: no new version.
    case unchanged(Question)
    /// Someone changed the question first: its current version is not the one the edit was made on.
    case stale(currentVersion: Int)
}

/// What an import did with one thing (a question, a material).
public enum ImportAction: String, Sendable, Codable { case created, updated, unchanged }

/// What an import did with one question.
public struct QuestionImportOutcome: Sendable, Codable, Equatable {
    public typealias Action = ImportAction
    public var id: String
    public var version: Int
    public var action: Action

    public init(id: String, version: Int, action: Action) {
        self.id = id
        self.version = version
        self.action = action
    }
}

/// Filters of a question listing; nil means any.
public struct QuestionQuery: Sendable, Equatable {
    public var subject: String?
    public var grade: Int?
    public var type: QuestionType?
    public var status: QuestionStatus?
    /// A knowledge unit; questions tagged with it or with any unit below it match.
    public var unit: String?
    /// A cognitive level code, e.g. `NTVV4.2`.
    public var level: String?
    public var limit: Int
    /// The `next` value of the previous page.
    public var cursor: Int64?
    /// When set, only questions this user owns or that are published (what ``AccessPolicy/canSeeQuestion(_:owner:status:)``
    /// lets a teacher see); nil for everything (the board, administrators).
    public var ownedOrPublishedFor: Int64?

    public init(
        subject: String? = nil, grade: Int? = nil, type: QuestionType? = nil, status: QuestionStatus? = nil, unit: String? = nil,
        level: String? = nil, limit: Int = 20, cursor: Int64? = nil
    ) {
        self.subject = subject
        self.grade = grade
        self.type = type
        self.status = status
        self.unit = unit
        self.level = level
        self.limit = limit
        self.cursor = cursor
    }
}

public struct QuestionPage: Sendable {
    public var items: [Question]
    /// Pass as `cursor` for the next page; nil on the last page.
    public var next: Int64?

    public init(items: [Question], next: Int64?) {
        self.items = items
        self.next = next
    }
}

/// Blueprints (ma trận đề + bản đặc tả) and the tests assembled from them.
public protocol BlueprintStore: Sendable {
    /// Stores a blueprint (already validated by the caller); returns its new id.
    func createBlueprint(_ blueprint: Blueprint, ownerID: Int64) async throws -> String
    func blueprint(id: String) async throws -> Blueprint?
    /// Stores an assembled test pinned to its question versions; returns its new id.
    func saveTest(_ test: AssembledTest, blueprintID: String, school: String?, ownerID: Int64) async throws -> String
    func test(id: String) async throws -> AssembledTest?
    /// Who owns a blueprint, and their school.
    func blueprintOwner(id: String) async throws -> RecordOwner?
    /// Who owns an assembled test, and their school.
    func testOwner(id: String) async throws -> RecordOwner?
    /// The question ids used by the last `count` tests of a school (to avoid them in the next).
    func recentlyUsedQuestions(school: String, lastTests count: Int) async throws -> Set<String>
}
