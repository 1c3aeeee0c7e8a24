public import Foundation
import Synchronization
public import HoclieuCore
public import HoclieuStorage
import Logging
package import Crypto
import NIOPosix

/// Everything the service needs to start, read from the command line and the environment.
public struct ServerConfiguration: Sendable {
    /// The data folder: `hoclieu.sqlite` (unless ``databaseURL`` names another store), `blobs/` and `signing.key` live here.
    public var dataDirectory: URL
    /// The metadata store (`--database-url` / `HOCLIEU_DATABASE_URL`): `postgres://…` or `sqlite:PATH`;
    /// nil: the SQLite database in the data folder. See ``StoreLocation``.
    public var databaseURL: String?
    public var host: String
    /// 0 picks a free port (tests).
    public var port: Int
    /// Persistent identifier prefix (province and district codes), e.g. `79-760`.
    public var pidPrefix: String
    /// Largest accepted upload, in bytes.
    public var maxUploadBytes: Int64
    /// Largest accepted JSON request body, in bytes.
    public var maxJSONBytes: Int
    /// How long a login token stays valid.
    public var sessionLifetime: TimeInterval
    /// The web UI folder (`Public/`), served at `/` when present.
    public var publicDirectory: URL?
    /// bcrypt cost for new password hashes (12 in production; tests may lower it).
    public var bcryptCost: UInt8
    /// The address clients reach the service at, for absolute URIs (CASE `uri` fields…).
    public var publicBaseURL: String
    /// Whether this node runs background jobs (cartridge imports and exports); an API-only node of a
    /// scaled-out installation leaves them to the others (`HOCLIEU_JOBS=false`).
    public var runsJobs = true
    /// The quality board's rules (reviewers per submission, agreement, own-school exclusion, reminder times).
    public var reviewRules = ReviewRules()
    /// Whether a new submission gets its reviewers automatically (least-loaded eligible reviewers first);
    /// otherwise the chair assigns them.
    public var autoAssignReviewers = true
    /// The port of the content origin this node also listens on (package playback only; nil: none).
    /// `serve` defaults it to the main port + 1.
    public var contentPort: Int?
    /// The separate origin package content is played from (`HOCLIEU_CONTENT_URL`, `--content-url`):
    /// the main origin redirects previews there and embeds its player. No trailing slash.
    public var contentBaseURL: String
    /// OAI-PMH: records per `ListRecords`/`ListIdentifiers` page (`HOCLIEU_OAI_PAGE_SIZE`), the repository identifier
    /// of record identifiers, a domain name (`HOCLIEU_OAI_REPOSITORY_ID`; default: the public address's host when it
    /// is one, else `hoclieu.local`), and the administrator's address in `Identify` (`HOCLIEU_OAI_ADMIN_EMAIL`).
    public var oaiPageSize = 200
    /// Seconds without progress after which a running background job is taken to belong to a dead node and is queued
    /// again (`HOCLIEU_JOB_STALE_SECONDS`); a job writes its progress every half second.
    public var jobStaleAfter: TimeInterval = 60
    /// Requests each LMS client credential may make: a sustained rate per second and a burst (a token bucket per node).
    public var clientRate: (perSecond: Double, burst: Double) = (50, 200)
    public var oaiRepositoryIdentifier: String?
    public var oaiAdminEmail: String?
    /// Sign-in with an external OpenID Connect provider (`HOCLIEU_OIDC_*`); nil: password sign-in only.
    public var oidc: OIDCSettings?
    /// Addresses of the reverse proxies whose `X-Forwarded-For` is believed (`HOCLIEU_TRUSTED_PROXIES`, comma-separated);
    /// a request from one of them counts as coming from the client the header names (sign-in throttling, client limits).
    public var trustedProxies: Set<String> = []

    public init(
        dataDirectory: URL, host: String = "127.0.0.1", port: Int = 8080, pidPrefix: String = "VN",
        maxUploadBytes: Int64 = 2 << 30, maxJSONBytes: Int = 1 << 20, sessionLifetime: TimeInterval = 12 * 3600,
        publicDirectory: URL? = nil, bcryptCost: UInt8 = 12, publicBaseURL: String? = nil
    ) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.pidPrefix = pidPrefix
        self.maxUploadBytes = maxUploadBytes
        self.maxJSONBytes = maxJSONBytes
        self.sessionLifetime = sessionLifetime
        self.publicDirectory = publicDirectory
        self.bcryptCost = bcryptCost
        self.publicBaseURL = publicBaseURL ?? "http://\(host):\(port)"
        self.contentPort = nil
        self.contentBaseURL = "http://\(host):\(port &+ 1)"
    }

    /// Where the store lives, from ``databaseURL`` and the data folder.
    public func storeLocation() throws -> StoreLocation {
        try StoreLocation(databaseURL: databaseURL, dataDirectory: dataDirectory)
    }

    /// Every configuration problem at once (empty: fine).
    public func problems() -> [String] {
        var problems: [String] = []
        do { _ = try storeLocation() } catch let error as ConfigurationError { problems += error.problems } catch { problems.append("\(error)") }
        if !PersistentIdentifier.validatePrefix(pidPrefix) {
            problems.append("HOCLIEU_PID_PREFIX '\(pidPrefix)': use 0-9, A-H, J, K, M, N, P-T, V-Y and '-' separators")
        }
        if !(0...65535).contains(port) { problems.append("port \(port) is out of range") }
        if let contentPort, !(0...65535).contains(contentPort) { problems.append("content port \(contentPort) is out of range") }
        if let contentPort, contentPort == port, port != 0 { problems.append("the content port must differ from the main port \(port)") }
        if !(contentBaseURL.hasPrefix("http://") || contentBaseURL.hasPrefix("https://")) {
            problems.append("HOCLIEU_CONTENT_URL '\(contentBaseURL)' must be an http(s) address")
        } else if contentBaseURL == publicBaseURL {
            problems.append("HOCLIEU_CONTENT_URL must be another origin than HOCLIEU_PUBLIC_URL (package content must not run on the main origin)")
        }
        if maxUploadBytes < 1 { problems.append("HOCLIEU_MAX_UPLOAD_BYTES must be positive") }
        if !(4...31).contains(bcryptCost) { problems.append("bcrypt cost must be 4–31") }
        if !(1...10_000).contains(oaiPageSize) { problems.append("HOCLIEU_OAI_PAGE_SIZE must be 1–10000") }
        if let oidc { problems += oidc.problems() }
        return problems
    }
}

/// Thrown when the configuration cannot start a service; lists every problem.
public struct ConfigurationError: Error, CustomStringConvertible {
    public var problems: [String]
    public init(problems: [String]) { self.problems = problems }
    public var description: String { "configuration: " + problems.joined(separator: "; ") }
}

/// The catalogue folder did not validate; nothing was loaded.
public struct CatalogError: Error, CustomStringConvertible {
    public var problems: [CatalogDiagnostic]
    public var description: String { "catalogue: \(problems.count) problems\n" + problems.map(\.description).joined(separator: "\n") }
}

/// Criteria sets already read, by `id@version`.
final class CriteriaCache: Sendable {
    private let sets = Mutex<[String: CriteriaSet]>([:])
    func get(_ key: String) -> CriteriaSet? { sets.withLock { $0[key] } }
    func put(_ set: CriteriaSet) { sets.withLock { $0[set.key] = set } }
}

/// The application layer: every use case (ingest, cartridge import and export, the question bank,
/// accounts, jobs) over the store and blob store of one data folder, asking the one access policy
/// (``AccessPolicy``). The HTTP server and the command line are thin doors onto it.
public struct Services: Sendable {
    public let store: any Store
    public let blobs: BlobStore
    public let configuration: ServerConfiguration
    /// Signs preview references (and, later, other tokens): `signing.key` in the data folder, made on
    /// first start. Nodes that share a data folder share it.
    package let signingKey: SymmetricKey
    /// This process among the nodes that share the store (leases on shared work, such as scheduled harvests).
    public let nodeID = UUID().uuidString
    /// Failed sign-ins per account and address (this node's).
    public let loginThrottle = LoginThrottle()
    /// Requests per LMS client credential (this node's), at ``ServerConfiguration/clientRate``.
    public var clientRateLimiter = ClientRateLimiter()
    /// Criteria sets by `id@version` (immutable once published), read once.
    let criteriaCache = CriteriaCache()
    /// The LTI tool's keys, platform key sets and outgoing HTTP (this process's).
    public let lti = LTIRuntime()
    /// The OpenID Connect provider's discovery document (this process's cache).
    public let oidc = OIDCRuntime()
    /// Counts of this process's harvests and pushes (for `/metrics`).
    public let counters = OperationCounters()

    /// The database file inside a data folder.
    public static func databaseURL(in dataDirectory: URL) -> URL { dataDirectory.appendingPathComponent("hoclieu.sqlite") }
    /// The blob folder inside a data folder.
    public static func blobsURL(in dataDirectory: URL) -> URL { dataDirectory.appendingPathComponent("blobs", isDirectory: true) }

    /// Opens (creating when new) the data folder and runs migrations.
    /// With `runsStoreClient: false`, a PostgreSQL store's pool waits for the caller to run ``storeService``.
    public static func open(_ configuration: ServerConfiguration, runsStoreClient: Bool = true) throws -> Services {
        let problems = configuration.problems()
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        let store = try openStore(try configuration.storeLocation(), pidPrefix: configuration.pidPrefix, runsClient: runsStoreClient)
        let blobs = try BlobStore(root: blobsURL(in: configuration.dataDirectory))
        let services = Services(
            store: store, blobs: blobs, configuration: configuration, signingKey: try signingKey(in: configuration.dataDirectory),
            clientRateLimiter: ClientRateLimiter(perSecond: configuration.clientRate.perSecond, burst: configuration.clientRate.burst))
        // From now on every write of a published material stores its OAI-PMH records (harvests read them as they are).
        store.setRecordRenderer(services.oaiRecordRenderer)
        return services
    }

    static func signingKey(in dataDirectory: URL) throws -> SymmetricKey {
        let url = dataDirectory.appendingPathComponent("signing.key")
        if let data = try? Data(contentsOf: url), data.count == 32 { return SymmetricKey(data: data) }
        let key = SymmetricKey(size: .bits256)
        let data = key.withUnsafeBytes { Data($0) }
        guard FileManager.default.createFile(atPath: url.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError(problems: ["cannot write \(url.path)"])
        }
        return key
    }

    /// Reads, checks and loads the catalogue folder (idempotent; see ``CatalogStore/loadCatalog(_:)``).
    /// Throws ``CatalogError`` listing every problem when the data is not valid: nothing is loaded then.
    public func loadCatalog(from directory: URL) async throws -> CatalogLoadReport {
        let (data, problems) = try CatalogDirectory.read(directory)
        guard problems.isEmpty else { throw CatalogError(problems: problems) }
        try await loadCriteria(from: directory.appendingPathComponent("criteria", isDirectory: true))
        var report = try await store.loadCatalog(data)
        report.rereviews = try await reReviewTagged(with: report.changedCodes)
        return report
    }

    /// On a store with no users, creates `admin` with `password`, or a generated one.
    /// - Returns: the generated password (to be shown once), or nil when none was generated.
    public func bootstrapAdmin(password: String?) async throws -> String? {
        guard try await store.userCount() == 0 else { return nil }
        let chosen = password.flatMap { $0.isEmpty ? nil : $0 } ?? Self.generatePassword()
        _ = try await store.createUser(
            NewUser(
                username: "admin", displayName: "Quản trị viên", roles: [.admin],
                passwordHash: await PasswordHasher(cost: configuration.bcryptCost).hash(chosen)))
        return password == nil || password == "" ? chosen : nil
    }

    static func generatePassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int(rng.next(upperBound: UInt32(alphabet.count)))] })
    }
}
