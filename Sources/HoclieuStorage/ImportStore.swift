public import Foundation
public import HoclieuCore

/// Rules every store's job queue keeps alike.
public enum JobRules {
    /// How many times a job may be claimed before a node that dies during it marks it failed for good.
    public static let maxAttempts = 3
}

/// Imports that create many materials at once (a cartridge), and the background jobs that run them.
public protocol ImportStore: JobStore {
    /// Stores every material and question of one import in one transaction: all of it or, on any error,
    /// none of it. A material whose provenance is already stored is not created again: when its content
    /// (the version's content id) is unchanged it is left as it is, otherwise the new file becomes its next
    /// version. The metadata of an existing material is never overwritten (edits made in Hoclieu win).
    func applyImport(_ batch: ImportBatch, ownerID: Int64) async throws -> ImportBatchResult

    /// The materials of `pids` that exist, in the order given (batched reads for exports).
    func materials(_ pids: [PersistentIdentifier]) async throws -> [Material]
    /// The current version of each material that has one.
    func currentVersions(of pids: [PersistentIdentifier]) async throws -> [PersistentIdentifier: MaterialVersion]
    /// The materials of one owner and one provenance system, by source identifier (those that exist).
    func materials(sourceSystem: String, sourceIdentifiers: [String], ownerID: Int64) async throws -> [String: Material]
    /// Identifiers of every material, oldest first, after `after` (keyset pagination for exports).
    func materialPIDs(after: PersistentIdentifier?, limit: Int) async throws -> [PersistentIdentifier]
}

/// One import's materials (and the questions of its question sets).
public struct ImportBatch: Sendable {
    public struct Entry: Sendable {
        /// The material to create when no material has `draft.provenance` yet (provenance is required).
        public var draft: MaterialDraft
        /// Its file; nil for a material without one.
        public var version: VersionDraft?
        /// Questions that also go into the bank (a question set's), with the bank's `source` label.
        public var questions: [Question]

        public init(draft: MaterialDraft, version: VersionDraft?, questions: [Question] = []) {
            self.draft = draft
            self.version = version
            self.questions = questions
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }
}

/// What an import did, entry by entry (same order as the batch).
public struct ImportBatchResult: Sendable, Codable, Equatable {
    public struct Outcome: Sendable, Codable, Equatable {
        public typealias Action = ImportAction
        public var pid: PersistentIdentifier
        public var version: Int
        public var action: Action
        /// What the bank did with the entry's questions.
        public var questions: [QuestionImportOutcome]

        public init(pid: PersistentIdentifier, version: Int, action: Action, questions: [QuestionImportOutcome] = []) {
            self.pid = pid
            self.version = version
            self.action = action
            self.questions = questions
        }
    }

    public var outcomes: [Outcome]

    public init(outcomes: [Outcome]) { self.outcomes = outcomes }
}

/// Where a background job stands.
public enum JobStatus: String, Sendable, Codable, CaseIterable {
    case queued, running, cancelling, succeeded, failed, cancelled

    /// Whether the job has ended.
    public var isFinal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

/// A job to queue.
public struct NewJob: Sendable {
    /// `import` or `export`.
    public var kind: String
    public var ownerID: Int64
    /// What the job works on: a JSON document of its own kind (the uploaded blob, the export request).
    public var input: Data

    public init(kind: String, ownerID: Int64, input: Data) {
        self.kind = kind
        self.ownerID = ownerID
        self.input = input
    }
}

/// A background job (an import or an export) and its outcome.
public struct Job: Sendable, Equatable {
    public var id: String
    public var kind: String
    public var status: JobStatus
    /// 0…1.
    public var progress: Double
    public var ownerID: Int64
    public var input: Data
    /// The job's report (JSON) once it has ended, or as far as it got.
    public var result: Data?
    public var error: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, kind: String, status: JobStatus, progress: Double, ownerID: Int64, input: Data, result: Data?, error: String?,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.status = status
        self.progress = progress
        self.ownerID = ownerID
        self.input = input
        self.result = result
        self.error = error
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
