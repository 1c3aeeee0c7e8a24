public import Foundation
public import HoclieuCore

/// Everything the service keeps, behind one protocol.
///
/// Callers never see SQL: the SQLite implementation (``SQLiteStore``) is the embedded
/// default, and a PostgreSQL implementation conforms to the same protocol and passes
/// the same conformance suite. Every method is one transaction: either all its effects
/// become visible or none do.
public protocol Store: CatalogStore, QuestionStore, BlueprintStore, ImportStore, ReviewStore, ClientStore, LTIStore, HarvestStore, OrganisationStore, OIDCStore, PushStore, ReportStore {
    // MARK: Users and sessions

    /// Creates a user. Throws ``StoreError/conflict(_:)`` if the username is taken.
    func createUser(_ new: NewUser) async throws -> User
    /// The user and their password hash, by username.
    func credentials(username: String) async throws -> (user: User, passwordHash: String)?
    func user(id: Int64) async throws -> User?
    func userCount() async throws -> Int
    /// Stores a session whose bearer token hashes to `tokenHash`.
    func createSession(tokenHash: String, userID: Int64, expiresAt: Date) async throws
    /// The user of a live session.
    func sessionUser(tokenHash: String, now: Date) async throws -> User?
    func deleteSession(tokenHash: String) async throws
    /// Ends every session of a user, except the one whose token hashes to `except`.
    func deleteSessions(userID: Int64, except: String?) async throws
    /// Replaces a user's password hash.
    func setPasswordHash(userID: Int64, hash: String) async throws
    /// Disables or enables an account (a disabled account's sessions are not honoured).
    func setUserDisabled(userID: Int64, disabled: Bool) async throws -> User

    // MARK: Materials

    /// Mints a persistent identifier and creates the material (no version yet, or the first one with `firstVersion`).
    func createMaterial(_ draft: MaterialDraft, ownerID: Int64, firstVersion: VersionDraft?) async throws -> Material
    /// Creates many materials in one transaction (bulk import, benchmarks). Returns how many were created.
    func createMaterials(_ drafts: [MaterialDraft], ownerID: Int64) async throws -> Int
    func material(_ pid: PersistentIdentifier) async throws -> Material?
    /// The material of `ownerID` whose provenance is `source` (for idempotent re-import). Provenance is
    /// scoped to its owner: another owner's material with the same provenance is never found.
    func material(source: Provenance, ownerID: Int64) async throws -> Material?
    /// Replaces the metadata, visibility and/or status (nil leaves a part as it is). Lost updates are
    /// guarded by the caller: the API compares `If-Match` with the ETag just before (not atomic with the write).
    func updateMaterial(
        _ pid: PersistentIdentifier, metadata: MaterialMetadata?, visibility: Visibility?, status: MaterialStatus?
    ) async throws -> Material
    /// Adds the next version (its blob must already be in the blob store); with `draft.metadata`, also
    /// replaces the metadata, in one transaction. A `pending` version does not become current.
    func addVersion(_ pid: PersistentIdentifier, _ version: VersionDraft) async throws -> MaterialVersion
    func versions(_ pid: PersistentIdentifier) async throws -> [MaterialVersion]
    func version(_ pid: PersistentIdentifier, number: Int) async throws -> MaterialVersion?
    /// Whether any version refers to the blob (a blob with no reference may be removed).
    func isReferenced(_ contentID: ContentID) async throws -> Bool

    // MARK: Search

    func search(_ request: SearchRequest) async throws -> SearchPage

    // MARK: Operations

    /// Every content id referenced by any version.
    func referencedContentIDs() async throws -> Set<ContentID>
    /// Structural problems found by the database's own integrity check and by cross-checks (empty: healthy).
    func integrityProblems() async throws -> [String]
    /// Writes a consistent copy of the database to `url` while the store stays in use.
    func backupDatabase(to url: URL) async throws
    /// Counts for `/metrics` and reports.
    func statistics() async throws -> StoreStatistics
    /// The schema migrations this build knows that the database has not applied, in order (empty: the schema is
    /// current). `/ready` answers 503 while any is pending; it is also the cheapest query that proves the store answers.
    func pendingMigrations() async throws -> [String]
    /// A bounded amount of background housekeeping on the search index (merging segments);
    /// returns whether there was work left when the budget ran out.
    func maintainSearchIndex(budget: Duration) async throws -> Bool
    /// Merges the whole search index into its most compact form (after a bulk load).
    func optimizeSearchIndex() async throws
    /// The bytes the search index takes on disk (benchmarks).
    func searchIndexBytes() async throws -> Int64
}

/// A user to create.
public struct NewUser: Sendable {
    public var username: String
    public var displayName: String
    public var roles: Set<Role>
    public var school: String?
    public var passwordHash: String
    /// The subjects a reviewer reviews; empty: any.
    public var subjects: [String]

    public init(username: String, displayName: String, roles: Set<Role>, school: String? = nil, passwordHash: String, subjects: [String] = []) {
        self.subjects = subjects
        self.username = username
        self.displayName = displayName
        self.roles = roles
        self.school = school
        self.passwordHash = passwordHash
    }
}

/// A material to create.
public struct MaterialDraft: Sendable {
    public var kind: MaterialKind
    public var format: String
    public var metadata: MaterialMetadata
    public var visibility: Visibility
    public var status: MaterialStatus
    public var url: String?
    public var provenance: Provenance?
    /// Text extracted from the content, indexed for search (not returned by the API).
    public var extractedText: String?
    /// Creation time; now when nil (benchmarks set it to spread dates).
    public var createdAt: Date?

    public init(
        kind: MaterialKind, format: String, metadata: MaterialMetadata, visibility: Visibility = .public,
        status: MaterialStatus = .draft, url: String? = nil, provenance: Provenance? = nil, extractedText: String? = nil,
        createdAt: Date? = nil
    ) {
        self.kind = kind
        self.format = format
        self.metadata = metadata
        self.visibility = visibility
        self.status = status
        self.url = url
        self.provenance = provenance
        self.extractedText = extractedText
        self.createdAt = createdAt
    }
}

/// A file version to add; the blob is already stored under `contentID`.
public struct VersionDraft: Sendable {
    public var contentID: ContentID
    public var fileName: String
    public var mediaType: String
    public var byteSize: Int64
    public var note: String?
    public var createdBy: Int64
    /// Replaces the material's indexed extracted text when not nil.
    public var extractedText: String?
    /// What the file is as a content package; its kind becomes the material's format.
    public var package: PackageSummary?
    /// A PNG preview image already in the blob store.
    public var thumbnail: ContentID?
    /// A change waiting for review: the version is stored but does not become the current one (a
    /// published material is never replaced behind the quality board's back).
    public var pending = false
    /// Metadata that replaces the material's in the same transaction (what the file says about itself,
    /// filled into fields the owner left empty); ignored for a pending version.
    public var metadata: MaterialMetadata?

    public init(
        contentID: ContentID, fileName: String, mediaType: String, byteSize: Int64, note: String? = nil, createdBy: Int64,
        extractedText: String? = nil, package: PackageSummary? = nil, thumbnail: ContentID? = nil
    ) {
        self.contentID = contentID
        self.fileName = fileName
        self.mediaType = mediaType
        self.byteSize = byteSize
        self.note = note
        self.createdBy = createdBy
        self.extractedText = extractedText
        self.package = package
        self.thumbnail = thumbnail
    }
}

/// Errors every store implementation throws; they know nothing of HTTP.
public enum StoreError: Error, Equatable, Sendable {
    case notFound(String)
    case conflict(String)
    case invalid(String)
}

/// Counts for monitoring.
public struct StoreStatistics: Sendable, Codable, Equatable {
    public var materials: Int
    public var versions: Int
    public var users: Int
    public var blobBytes: Int64
    /// Background jobs waiting to be claimed (the job queue's depth, across all nodes).
    public var jobsQueued: Int = 0
    /// Background jobs claimed by a node and not yet finished (cancelling ones included).
    public var jobsRunning: Int = 0
}
