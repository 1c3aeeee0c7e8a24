public import Foundation
public import HoclieuStorage
import Logging
public import ServiceLifecycle

/// Where the metadata store lives (`--database-url` / `HOCLIEU_DATABASE_URL`; default: SQLite in the data folder).
///
/// The one decision of which ``Store`` backend a process opens: ``Services/openStore(_:pidPrefix:)`` is the
/// only place that constructs a store from configuration.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// An SQLite database file (`sqlite:PATH`, or a plain path).
    case sqlite(URL)
    /// A PostgreSQL server (`postgres://USER:PASSWORD@HOST:PORT/DATABASE`; `postgresql://` too).
    case postgreSQL(String)

    /// Reads a database URL; nil or empty means the SQLite database of `dataDirectory`.
    public init(databaseURL: String?, dataDirectory: URL) throws {
        guard let text = databaseURL?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            self = .sqlite(Services.databaseURL(in: dataDirectory))
            return
        }
        let lower = text.lowercased()
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            guard let url = URLComponents(string: text), url.host?.isEmpty == false else {
                throw ConfigurationError(problems: ["HOCLIEU_DATABASE_URL '\(Self.masked(text))' is not a postgres://USER@HOST:PORT/DATABASE address"])
            }
            self = .postgreSQL(text)
        } else if lower.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { throw ConfigurationError(problems: ["HOCLIEU_DATABASE_URL 'sqlite:' names no file"]) }
            self = .sqlite(URL(fileURLWithPath: path).standardizedFileURL)
        } else if text.contains("://") {
            throw ConfigurationError(problems: ["HOCLIEU_DATABASE_URL '\(Self.masked(text))': use postgres://… or sqlite:PATH"])
        } else {
            self = .sqlite(URL(fileURLWithPath: text).standardizedFileURL)
        }
    }

    /// The location as configuration shows it, the password masked.
    public var description: String {
        switch self {
        case .sqlite(let url): "sqlite:\(url.path)"
        case .postgreSQL(let url): Self.masked(url)
        }
    }

    /// The backend's name (logs, `/ready`, backups).
    public var backend: String {
        switch self {
        case .sqlite: "sqlite"
        case .postgreSQL: "postgresql"
        }
    }

    /// A URL with its password (if any) replaced by `***`.
    public static func masked(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? text
    }
}

extension Services {
    /// Opens (creating and migrating when new) the store at `location`: the one place a process
    /// turns configuration into a ``Store``. Every command and the server come through here.
    ///
    /// A PostgreSQL store connects without waiting: its migrations run in the background and every call waits for
    /// them. Call ``waitForStore(within:)`` to learn at once (and with a time limit) that the database is unreachable or
    /// a migration failed. With `runsClient: false` the PostgreSQL connection pool does not run until the caller runs
    /// ``storeService`` (the server runs it under its service group, so graceful shutdown closes it last).
    public static func openStore(_ location: StoreLocation, pidPrefix: String, runsClient: Bool = true) throws -> any Store {
        switch location {
        case .sqlite(let url):
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            return try SQLiteStore(path: url.path, pidPrefix: pidPrefix)
        case .postgreSQL(let url):
            // Connects now; migrations run before the first call answers (`/ready` reports them pending until then).
            return try PostgresStore.connect(
                url: url, pidPrefix: pidPrefix, logger: Logger(label: "hoclieu.store.postgresql"), runsClient: runsClient)
        }
    }

    /// The store's connection pool as a service of the caller's service group, when the store was opened with
    /// `runsClient: false` (nil for SQLite, and for a store that runs its own pool).
    public var storeService: (any Service)? {
        guard let store = store as? PostgresStore, !store.runsOwnClient else { return nil }
        return StoreClientService(store: store)
    }

    /// Waits until the store answers with its schema current, at most `timeout`; throws ``StoreUnavailableError``
    /// (bilingual, names the server) when it does not, or the migration's own error. SQLite opens synchronously: no wait.
    public func waitForStore(within timeout: Duration) async throws {
        if let store = store as? PostgresStore { try await store.migrated(within: timeout) }
    }
}

/// Runs a PostgreSQL store's connection pool under a service group; graceful shutdown closes the connections.
struct StoreClientService: Service {
    let store: PostgresStore

    func run() async throws { await store.runClient() }
}
