public import Foundation
public import HoclieuCore

/// Everything the service keeps, behind one protocol.
///
/// Callers never see SQL: the SQLite implementation (``SQLiteStore``) is the embedded
/// default, and a PostgreSQL implementation conforms to the same protocol and passes
/// the same conformance suite. Every method is one transaction: either all its effects
/// become visible or none do.
public protocol Store: CoreStore, CatalogStore, QuestionStore, BlueprintStore, ImportStore, ReviewStore, ClientStore, LTIStore, HarvestStore,
    OrganisationStore, OIDCStore, PushStore, ReportStore, UploadStore
{}

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

/// The database does not answer: it is down, restarting or unreachable, or every connection stayed busy too long.
///
/// A call that meets it may be retried a few seconds later; what it wrote is either all committed or none of it (one
/// transaction), but a write whose commit was under way when the connection broke may have been committed. The
/// service answers 503 with `Retry-After` (the `store-unavailable` problem) and comes back by itself once the database
/// answers again. SQLite never throws it.
public struct StoreUnavailableError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was seen (for the log), e.g. `no connection`, `sqlstate 57P01`.
    public var reason: String
    /// At start-up: the server that did not answer, `host:port/database` (never the password), and how long it was given.
    public var server: String?
    public var timeout: Duration?

    public init(reason: String) { self.reason = reason }

    /// The database `server` did not answer (or its migrations did not finish) within `timeout`.
    public init(server: String, timeout: Duration) {
        self.reason = "no answer within \(timeout)"
        self.server = server
        self.timeout = timeout
    }

    /// At start-up: which server did not answer in how long, in Vietnamese and in English (nil otherwise).
    public var startupMessage: (vietnamese: String, english: String)? {
        guard let server, let timeout else { return nil }
        let seconds = timeout.components.seconds
        return (
            "Không kết nối được cơ sở dữ liệu PostgreSQL \(server) trong \(seconds) giây (xem các dòng nhật ký hoclieu.store.postgresql).",
            "The PostgreSQL database \(server) did not answer within \(seconds) s (see the hoclieu.store.postgresql log lines for the cause)."
        )
    }

    public var description: String {
        guard let message = startupMessage else { return "Cơ sở dữ liệu không trả lời / the database does not answer: \(reason)" }
        return "\(message.vietnamese) / \(message.english)"
    }
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
