public import Foundation
public import HoclieuCore

/// Reads for harvesting (OAI-PMH, change feeds): every matching material in datestamp order, page by page,
/// with keyset pagination on `(updatedAt, serial)` — never `OFFSET` — so that the last page of a million
/// records costs what the first one does.
public protocol HarvestStore: Sendable {
    /// Up to `limit` materials matching `query`, ordered by `(updatedAt, serial)`, strictly after `after`.
    func harvestPage(_ query: HarvestQuery, after: HarvestPosition?, limit: Int) async throws -> [Material]
    /// How many materials match `query` (all pages).
    func harvestCount(_ query: HarvestQuery) async throws -> Int
    /// The visibilities (public, sector) a material was ever published in: harvesters of those classes saw it.
    func harvestExposure(_ pid: PersistentIdentifier) async throws -> Set<Visibility>
    /// When each of `serials` was first published where `visibility` (public or sector) harvesters see it; materials
    /// never exposed there are left out.
    func harvestFirstExposures(_ serials: [Int], visibility: Visibility) async throws -> [Int: Date]
    /// The oldest `updatedAt` among materials in `statuses` and `visibilities` (nil when there is none).
    func harvestEarliestDatestamp(statuses: Set<MaterialStatus>, visibilities: Set<Visibility>) async throws -> Date?

    // MARK: Pre-rendered records

    /// Installs the renderer of harvest records (nil: none): from then on every write of a published material stores
    /// its records in the same transaction, and ``harvestRenderedPage(_:after:limit:prefix:)`` returns them.
    func setRecordRenderer(_ renderer: RecordRenderer?)
    /// ``harvestPage(_:after:limit:)`` with each material's stored record in `prefix`, when it is current (written by
    /// the installed renderer for the material's present `updatedAt`).
    func harvestRenderedPage(_ query: HarvestQuery, after: HarvestPosition?, limit: Int, prefix: String) async throws -> [RenderedMaterial]
    /// Renders the records of published materials with a serial above `after` whose stored records are missing or
    /// stale (records made before the renderer was installed, or with another key), looking at up to `limit`
    /// materials. Returns the last serial looked at (pass it back), or nil when no material is left.
    func refreshRenderedRecords(after: Int, limit: Int) async throws -> Int?

    // MARK: Remote repositories this service harvests

    /// Registers a remote OAI-PMH repository. Throws ``StoreError/conflict(_:)`` when the same URL, set and format are registered.
    func addRemoteRepository(_ new: NewRemoteRepository) async throws -> RemoteRepository
    func remoteRepositories() async throws -> [RemoteRepository]
    /// Takes (or extends) the lease on running a repository's harvest: granted when no other holder's lease is
    /// running at `now` and the repository's last run is still `lastRunAt` (no node ran it since the caller looked).
    /// This is what keeps nodes that share the store from harvesting one repository at once.
    func claimHarvestRun(repositoryID: Int64, holder: String, until: Date, lastRunAt: Date?, now: Date) async throws -> Bool
    /// Gives the lease back (only `holder`'s own).
    func releaseHarvestRun(repositoryID: Int64, holder: String) async throws
    /// Records a run: its end and the error that stopped it (nil: it went through) on the repository, the new
    /// `lastDatestamp` when it went through, and the run itself in the repository's history, in one transaction.
    func recordHarvestRun(_ run: HarvestRunEntry, lastDatestamp: Date?) async throws
    /// One registered repository.
    func remoteRepository(id: Int64) async throws -> RemoteRepository?
    /// Changes a repository's settings (where its harvest stands is kept). Throws ``StoreError/notFound(_:)`` for an
    /// unknown id and ``StoreError/conflict(_:)`` when another registration has the same URL, set and format.
    func updateRemoteRepository(id: Int64, _ settings: NewRemoteRepository) async throws -> RemoteRepository
    /// Removes a registration and its run history (harvested materials stay: they are the repository's now).
    func deleteRemoteRepository(id: Int64) async throws
    /// The newest `limit` runs of a repository, newest first.
    func harvestRuns(repositoryID: Int64, limit: Int) async throws -> [HarvestRunEntry]
}

/// How a harvest run ended.
public enum HarvestRunStatus: String, Sendable, Codable, CaseIterable {
    /// It went through every page.
    case succeeded
    /// It stopped early (an OAI error, a loop, a long `Retry-After`…); what came before is kept, the next run resumes.
    case stopped
    /// It failed on this side (the store, a bug); nothing after the failure was applied.
    case failed
}

/// One run of a remote repository's harvest, as the history keeps it.
public struct HarvestRunEntry: Sendable, Equatable, Codable {
    /// Assigned by the store (0 before).
    public var id: Int64
    public var repositoryID: Int64
    public var startedAt: Date
    public var finishedAt: Date
    public var status: HarvestRunStatus
    public var pages: Int
    public var created: Int
    public var updated: Int
    /// Records deleted at the source (their materials withdrawn).
    public var withdrawn: Int
    public var unchanged: Int
    public var skipped: Int
    public var error: String?

    public init(
        id: Int64 = 0, repositoryID: Int64, startedAt: Date, finishedAt: Date, status: HarvestRunStatus, pages: Int = 0, created: Int = 0,
        updated: Int = 0, withdrawn: Int = 0, unchanged: Int = 0, skipped: Int = 0, error: String? = nil
    ) {
        self.id = id
        self.repositoryID = repositoryID
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.status = status
        self.pages = pages
        self.created = created
        self.updated = updated
        self.withdrawn = withdrawn
        self.unchanged = unchanged
        self.skipped = skipped
        self.error = error
    }
}

/// A remote OAI-PMH repository to register.
public struct NewRemoteRepository: Sendable, Equatable {
    public var baseURL: String
    public var set: String?
    public var metadataPrefix: String
    /// How often `harvest run` harvests it, in seconds.
    public var intervalSeconds: Int
    /// Whether its records are published at once (trusted) or enter review as submissions.
    public var trusted: Bool
    /// The account harvested materials belong to (provenance is scoped to it).
    public var ownerID: Int64

    public init(baseURL: String, set: String?, metadataPrefix: String, intervalSeconds: Int, trusted: Bool, ownerID: Int64) {
        self.baseURL = baseURL
        self.set = set
        self.metadataPrefix = metadataPrefix
        self.intervalSeconds = intervalSeconds
        self.trusted = trusted
        self.ownerID = ownerID
    }
}

/// A registered remote repository and where its harvest stands.
public struct RemoteRepository: Sendable, Equatable, Codable {
    public var id: Int64
    public var baseURL: String
    public var set: String?
    public var metadataPrefix: String
    public var intervalSeconds: Int
    public var trusted: Bool
    public var ownerID: Int64
    /// The newest datestamp of the last complete run: the next run asks `from` it.
    public var lastDatestamp: Date?
    public var lastRunAt: Date?
    public var lastError: String?
}

/// Where a harvest stands: the datestamp and serial of the last material sent.
public struct HarvestPosition: Sendable, Hashable, Codable {
    /// The material's `updatedAt`, at the millisecond precision the store keeps.
    public var updatedAt: Date
    /// The serial of its persistent identifier.
    public var serial: Int

    public init(updatedAt: Date, serial: Int) {
        self.updatedAt = updatedAt
        self.serial = serial
    }

    /// The position of `material` (after it).
    public init(after material: Material) {
        self.init(updatedAt: material.updatedAt, serial: material.pid.serial)
    }
}

/// Which materials a harvest reads. Every filter is optional; `statuses` and `visibilities` are required (an
/// empty set matches nothing): they come from the access policy, never from the harvester.
public struct HarvestQuery: Sendable, Hashable, Codable {
    public var statuses: Set<MaterialStatus>
    public var visibilities: Set<Visibility>
    /// Inclusive lower bound of `updatedAt`.
    public var from: Date?
    /// Exclusive upper bound of `updatedAt`.
    public var before: Date?
    /// A subject code (`TOAN`).
    public var subject: String?
    /// A grade, 1–12.
    public var grade: Int?
    public var kind: MaterialKind?
    /// A catalogue node code: a material tagged with the node or any unit below it (`TOAN.6.SD` matches `TOAN.6.SD.2.3`).
    public var node: String?
    /// Also the materials that were published in one of `visibilities` once and are no longer visible there (made
    /// private, or school-only): a harvester that saw them must learn that they are gone (deleted records).
    public var formerlyVisible = false

    public init(
        statuses: Set<MaterialStatus>, visibilities: Set<Visibility>, from: Date? = nil, before: Date? = nil, subject: String? = nil,
        grade: Int? = nil, kind: MaterialKind? = nil, node: String? = nil
    ) {
        self.statuses = statuses
        self.visibilities = visibilities
        self.from = from
        self.before = before
        self.subject = subject
        self.grade = grade
        self.kind = kind
        self.node = node
    }
}
