public import Foundation
public import HoclieuCore

/// The core of every store: users and sessions, materials and their versions, search, and operations.
///
/// Split from ``Store`` so that a backend can be built and tested one sub-protocol at a time
/// (``PostgresStore`` conforms to the sub-protocols it implements completely).
public protocol CoreStore: Sendable {
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
    /// Whether any version, question or job not yet ended refers to the blob (a blob with no reference may be removed).
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
