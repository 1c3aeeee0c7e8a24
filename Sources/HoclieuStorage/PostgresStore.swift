public import Foundation
public import HoclieuCore
public import Logging
import NIOCore
import NIOSSL
import Synchronization
import PostgresNIO

/// The store of several server nodes: one PostgreSQL database, through a postgres-nio `PostgresClient` pool.
///
/// Same semantics as ``SQLiteStore`` method by method (same errors, same identifiers, same search results):
/// every method is one transaction; rows a write reads before changing are locked (`FOR UPDATE`), so two
/// nodes writing the same material queue one behind the other as SQLite's single writer does.
///
/// The client's connection pool runs in a task the store owns: ``open(url:pidPrefix:logger:)`` starts it and
/// runs the pending migrations; ``shutdown()`` ends it. A server instead runs the pool under its service group
/// (``connect(url:pidPrefix:logger:runsClient:)`` with `runsClient: false`, then ``runClient()`` as one of the group's
/// services), so that its graceful shutdown closes the connections after the requests and jobs have ended.
///
/// It conforms to the whole ``Store`` protocol. Its tests (`Tests/HoclieuStorageTests/PostgresStoreTests.swift`) run
/// every case on both stores and compare search pages between them; the PostgreSQL side needs
/// `HOCLIEU_TEST_DATABASE_URL`. Backups use `pg_dump` (``backupDatabase(to:)``).
public final class PostgresStore: Sendable {
    let client: PostgresClient
    let logger: Logger
    /// The configured identifier prefix, e.g. `79-760`.
    public let pidPrefix: String
    /// The connection settings as parsed from the URL (password kept for `pg_dump`).
    let settings: ConnectionSettings
    /// The task running the pool when the store runs it itself (nil: the caller runs ``runClient()``).
    private let runner: Task<Void, Never>?
    /// Writes harvest records with every published material (``HarvestStore/setRecordRenderer(_:)``).
    let recordRenderer = Mutex<RecordRenderer?>(nil)
    /// When a statement last answered (``withLease(_:)``).
    let contact = Contact()
    /// The planner's count of materials and when it was read (``materialCount(_:)``).
    let materialEstimate = Mutex<(rows: Double, read: ContinuousClock.Instant)?>(nil)
    /// The migrations started by ``connect(url:pidPrefix:logger:)``; every call waits for them (and rethrows their error).
    private let migrations = Mutex<Task<Void, any Error>?>(nil)

    private init(settings: ConnectionSettings, pidPrefix: String, logger: Logger, runsClient: Bool = true) {
        self.settings = settings
        self.pidPrefix = pidPrefix.uppercased()
        self.logger = logger
        let client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger)
        self.client = client
        runner = runsClient ? Task { await client.run() } : nil
    }

    /// Whether the store runs its connection pool itself (false: the caller runs ``runClient()``).
    public var runsOwnClient: Bool { runner != nil }

    /// Runs the connection pool until the task is cancelled or its service group shuts down gracefully: the caller's
    /// half of ``connect(url:pidPrefix:logger:runsClient:)`` with `runsClient: false` (call it once). Queries wait until
    /// it runs.
    public func runClient() async {
        precondition(runner == nil, "this store runs its own connection pool")
        await client.run()
    }

    /// Connects to the database named by `url` (`postgres://user:password@host:port/database?sslmode=disable`),
    /// runs every pending migration, and returns the store. Call ``shutdown()`` when done.
    public static func open(url: String, pidPrefix: String, logger: Logger) async throws -> PostgresStore {
        guard PersistentIdentifier.validatePrefix(pidPrefix) else { throw StoreError.invalid("pid prefix '\(pidPrefix)'") }
        let store = PostgresStore(settings: try ConnectionSettings(url: url), pidPrefix: pidPrefix, logger: logger)
        do {
            try await store.migrate()
        } catch {
            await store.shutdown()
            throw error
        }
        return store
    }

    /// Connects to the database named by `url` without waiting: the pending migrations run in the background and every
    /// call waits for them first (a failure to connect or migrate is thrown by each call, and by ``pendingMigrations()``).
    /// For openers that cannot wait (``open(url:pidPrefix:logger:)`` waits; ``migrated(within:)`` waits with a limit).
    /// With `runsClient: false` nothing reaches the database until the caller runs ``runClient()``.
    public static func connect(url: String, pidPrefix: String, logger: Logger, runsClient: Bool = true) throws -> PostgresStore {
        guard PersistentIdentifier.validatePrefix(pidPrefix) else { throw StoreError.invalid("pid prefix '\(pidPrefix)'") }
        let store = PostgresStore(settings: try ConnectionSettings(url: url), pidPrefix: pidPrefix, logger: logger, runsClient: runsClient)
        store.migrations.withLock { $0 = Task { try await store.migrate() } }
        return store
    }

    /// Waits for migrations started by ``connect(url:pidPrefix:logger:)``. When they failed because the database did not
    /// answer (a node started while PostgreSQL was down), the call fails and the next one starts them again, so the node
    /// comes up once the database answers.
    func migrated() async throws {
        guard let task = migrations.withLock({ $0 }) else { return }
        do {
            try await task.value
        } catch let error where Self.unavailability(error) != nil {
            // This call fails now (it has waited long enough); the next one runs the migrations again.
            migrations.withLock { current in
                if current == task { current = Task { try await self.migrate() } }
            }
            throw error
        }
    }

    /// Waits for the migrations started by ``connect(url:pidPrefix:logger:runsClient:)``, at most `timeout`: a server
    /// that cannot reach its database says so at start instead of waiting for ever (the pool keeps retrying a refused
    /// connection). Throws ``StoreUnavailableError`` on the timeout, and the migrations' own error when they failed.
    public func migrated(within timeout: Duration) async throws {
        let server = "\(settings.host):\(settings.port)/\(settings.database)"
        let started = ContinuousClock.now
        do {
            try await withTimeLimit(timeout, onTimeout: { StoreUnavailableError(server: server, timeout: timeout) }) { try await self.migrated() }
        } catch let error as StoreUnavailableError where error.server == nil {
            // A lease gave up first (no answer within `connect_timeout`): say which server, and after how long.
            throw StoreUnavailableError(server: server, timeout: started.duration(to: .now))
        }
    }

    /// Closes the connections (in-flight queries finish first) when the store runs its own pool.
    public func shutdown() async {
        guard let runner else { return }
        runner.cancel()
        await runner.value
    }

    /// Now, at the millisecond precision both stores keep (so a value read back equals the one written).
    static func now() -> Date { SQLiteStore.now() }

    // MARK: Transactions

    /// Runs `body` in one transaction (READ COMMITTED; writes lock what they read with `FOR UPDATE`). A transaction
    /// PostgreSQL aborts as a deadlock victim (two nodes locking the same rows in another order, which SQLite's single
    /// writer never meets) is run again, up to three times in all; `body` does database work only, so it can be.
    func write<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await migrated()
        return try await transaction(body)
    }

    /// ``write(_:)`` without waiting for migrations (the migrations' own transactions).
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await withLease { connection in try await Self.inTransaction(connection, begin: "BEGIN", logger, body) }
            } catch let error as PSQLError where ["40P01", "40001"].contains(error.serverInfo?[.sqlState] ?? "") && attempt < 3 {
                attempt += 1
                logger.notice("transaction retried", metadata: ["hoclieu.store.sqlstate": "\(error.serverInfo?[.sqlState] ?? "")"])
            } catch {
                throw Self.storeError(error)
            }
        }
    }

    /// `body` between `begin` and COMMIT on `connection`, rolled back when it throws.
    private static func inTransaction<T: Sendable>(
        _ connection: PostgresConnection, begin: PostgresQuery, _ logger: Logger, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await connection.query(begin, logger: logger)
        do {
            let value = try await body(connection)
            try await connection.query("COMMIT", logger: logger)
            return value
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Runs `body` on one consistent snapshot (a read-only REPEATABLE READ transaction).
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await migrated()
        do {
            return try await withLease { connection in
                try await Self.inTransaction(connection, begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger, body)
            }
        } catch {
            throw Self.storeError(error)
        }
    }

    // MARK: Leases that do not hang

    /// Runs `body` with a connection of the pool, failing fast with ``StoreUnavailableError`` when the database does not
    /// answer.
    ///
    /// The pool (postgres-nio's) queues a lease while it cannot open connections and fails it only after a minute:
    /// while PostgreSQL restarts, every request would hang. Here a lease that has waited
    /// ``ConnectionSettings/unavailableAfter``, at a moment when no call of this store got an answer within twice that,
    /// ends with ``StoreUnavailableError`` (the request becomes a 503). While calls are answered the pool is only busy:
    /// the lease goes on waiting, up to ``ConnectionSettings/busyLimit``. The pool keeps trying to connect in the
    /// background, so calls succeed again as soon as the database is back, without a restart.
    func withLease<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        let lease = LeaseState()
        return try await withoutActuallyEscaping(body) { body in
            // The closure runs in a child task while this task waits for it, never concurrently with its caller.
            nonisolated(unsafe) let work = body
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await self.client.withConnection { connection in
                        // Too late: the caller was told the database is unavailable; the connection goes back unused.
                        guard lease.take() else { throw StoreUnavailableError(reason: "no connection") }
                        do {
                            let value = try await work(connection)
                            self.contact.answered()
                            return value
                        } catch {
                            if Self.unavailability(error) == nil { self.contact.answered() }
                            throw error
                        }
                    }
                }
                group.addTask {
                    try await self.awaitLease(lease, started: started)
                    return nil
                }
                while let result = try await group.next() {
                    if let value = result {
                        group.cancelAll()
                        return value
                    }
                }
                throw CancellationError()
            }
        }
    }

    /// Returns once `lease` holds a connection; throws ``StoreUnavailableError`` when the database looks unreachable
    /// (see ``withLease(_:)``).
    private func awaitLease(_ lease: LeaseState, started: ContinuousClock.Instant) async throws {
        try await Task.sleep(for: settings.unavailableAfter)
        while !lease.isLeased {
            let waited = started.duration(to: .now)
            if !contact.alive(window: settings.unavailableAfter * 2) || waited >= settings.busyLimit {
                guard lease.abandon() else { return }
                logger.warning("database unreachable", metadata: ["hoclieu.store.waited": "\(waited)"])
                throw StoreUnavailableError(reason: waited < settings.busyLimit ? "no connection" : "no free connection")
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// A unique-constraint violation is a conflict, as SQLite's checks report it; text PostgreSQL cannot hold (a NUL
    /// character, which SQLite stores) is invalid input, not a database failure; a lost or refused connection, or a
    /// server shutting down, is ``StoreUnavailableError``; other errors pass through.
    static func storeError(_ error: any Error) -> any Error {
        if error is StoreUnavailableError { return error }
        if let psql = error as? PSQLError, psql.serverInfo?[.sqlState] == "23505" {
            return StoreError.conflict(psql.serverInfo?[.constraintName] ?? "unique")
        }
        if let psql = error as? PSQLError, ["22021", "22P05"].contains(psql.serverInfo?[.sqlState] ?? "") {
            return StoreError.invalid("text with a NUL character (U+0000)")
        }
        if let reason = unavailability(error) { return StoreUnavailableError(reason: reason) }
        return error
    }

    /// Why `error` means the database cannot be reached (nil: it answered).
    static func unavailability(_ error: any Error) -> String? {
        if error is StoreUnavailableError { return (error as? StoreUnavailableError)?.reason }
        if let psql = error as? PSQLError {
            switch psql.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
                return psql.code.description
            case .server:
                // Class 08: connection exceptions; 57P01–57P03: the server is shutting down, crashed, or starting.
                let state = psql.serverInfo?[.sqlState] ?? ""
                return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state) ? "sqlstate \(state)" : nil
            default:
                return nil
            }
        }
        // The pool's own error once it gave up connecting (its circuit breaker).
        return String(reflecting: type(of: error)).hasSuffix("ConnectionPoolError") ? "\(error)" : nil
    }

    /// Whether `error` is PostgreSQL's unique-constraint violation.
    static func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }
}

/// Whether a lease of ``PostgresStore/withLease(_:)`` got its connection, or was given up first (never both).
final class LeaseState: Sendable {
    private enum Phase { case waiting, leased, abandoned }
    private let phase = Mutex(Phase.waiting)

    /// The connection came: true, unless the wait was given up already.
    func take() -> Bool {
        phase.withLock { phase in
            guard phase == .waiting else { return false }
            phase = .leased
            return true
        }
    }

    /// Gives the wait up: true, unless the connection came already.
    func abandon() -> Bool {
        phase.withLock { phase in
            guard phase == .waiting else { return false }
            phase = .abandoned
            return true
        }
    }

    var isLeased: Bool { phase.withLock { $0 == .leased } }
}

/// Signs of life of the database: when a call of this store last got its answer (a result, or an error the server
/// sent).
final class Contact: Sendable {
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    /// A call got its answer.
    func answered() { last.withLock { $0 = .now } }

    /// Whether the database answered a call within the last `window`.
    ///
    /// Not "since the lease began": a lease queued just before the database went away has seen others answered
    /// after it began, and would wait through the whole outage. A busy pool keeps answering calls, so it stays alive;
    /// a pool cut off from its server does not.
    func alive(window: Duration, now: ContinuousClock.Instant = .now) -> Bool {
        last.withLock { last in last.map { $0.duration(to: now) < window } ?? false }
    }
}

extension PostgresConnection {
    /// Every row of `query`, addressable by column name.
    func rows(_ query: PostgresQuery, _ logger: Logger) async throws -> [PostgresRandomAccessRow] {
        try await self.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    /// The first row of `query`, if any.
    func row(_ query: PostgresQuery, _ logger: Logger) async throws -> PostgresRandomAccessRow? {
        try await rows(query, logger).first
    }

    /// The first column of the first row, if any.
    func value<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self, _ logger: Logger) async throws -> T? where T._DecodableType == T {
        guard let row = try await self.query(query, logger: logger).collect().first else { return nil }
        return try row.first!.decode(Optional<T>.self)
    }

    /// Runs a statement for its effect.
    func run(_ query: PostgresQuery, _ logger: Logger) async throws {
        try await self.query(query, logger: logger).collect()
    }
}

extension PostgresRandomAccessRow {
    /// The column's value, decoded (throws on a type mismatch or an unexpected NULL).
    func get<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try self[column].decode(T.self)
    }
}

extension PostgresStore {
    /// The parts of a `postgres://` URL.
    struct ConnectionSettings: Sendable {
        var host: String
        var port: Int
        var username: String
        var password: String?
        var database: String
        var tls: Bool
        /// How long a lease waits while the database shows no life before the call fails with ``StoreUnavailableError``
        /// (`connect_timeout` in the URL, in seconds as libpq's; default 5 s: a connection made on a machine under load can
        /// take seconds, and a 503 for a database that only answers slowly would be wrong), also the pool's connect timeout.
        var unavailableAfter: Duration = .seconds(5)
        /// How long a lease waits for a busy pool (every connection in use, the database answering) before it fails.
        var busyLimit: Duration = .seconds(30)

        /// Accepts `postgres://` and `postgresql://` URLs; `sslmode=disable` (the default here: servers listen on
        /// 127.0.0.1 or a private network behind the nodes) or `sslmode=require`.
        init(url: String) throws {
            guard let parts = URLComponents(string: url), ["postgres", "postgresql"].contains(parts.scheme?.lowercased() ?? ""),
                let host = parts.host, !host.isEmpty, let user = parts.user, !user.isEmpty
            else {
                throw StoreError.invalid("database URL: expected postgres://user[:password]@host[:port]/database")
            }
            self.host = host
            port = parts.port ?? 5432
            username = user.removingPercentEncoding ?? user
            password = parts.password.map { $0.removingPercentEncoding ?? $0 }
            let path = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
            database = path.isEmpty ? username : path
            let mode = parts.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
            switch mode {
            case "disable": tls = false
            case "require": tls = true
            default: throw StoreError.invalid("database URL: sslmode must be disable or require, not \(mode)")
            }
            if let text = parts.queryItems?.first(where: { $0.name == "connect_timeout" })?.value {
                guard let seconds = Double(text), seconds > 0, seconds <= 600 else {
                    throw StoreError.invalid("database URL: connect_timeout must be a number of seconds between 0 and 600, not \(text)")
                }
                unavailableAfter = .milliseconds(Int64((seconds * 1000).rounded()))
            }
        }

        var clientConfiguration: PostgresClient.Configuration {
            var configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database,
                tls: tls ? .require(.makeClientConfiguration()) : .disable)
            configuration.options.maximumConnections = 16
            configuration.options.connectTimeout = unavailableAfter
            return configuration
        }

        /// The URL without its password (logs, `pg_dump`'s argument; the password goes through `PGPASSWORD`).
        var redacted: String {
            var parts = URLComponents()
            parts.scheme = "postgresql"
            parts.host = host
            parts.port = port
            parts.user = username
            parts.path = "/" + database
            if tls { parts.queryItems = [URLQueryItem(name: "sslmode", value: "require")] }
            return parts.string ?? ""
        }
    }
}

/// A date as stored: `timestamptz` at millisecond precision, rounded on the way in and out, so that a date read back
/// equals the one written (postgres-nio's own `Date` coding truncates microseconds computed in floating point, which
/// can land a microsecond below the millisecond).
struct PGTimestamp: PostgresNonThrowingEncodable, PostgresDecodable {
    var date: Date

    init(_ date: Date) { self.date = date }

    /// Microseconds from 1970 to PostgreSQL's epoch, 2000-01-01.
    static let epochOffset: Int64 = 946_684_800_000_000

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
        byteBuffer.writeInteger(milliseconds * 1000 - Self.epochOffset)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .timestamptz || type == .timestamp, format == .binary, let microseconds = buffer.readInteger(as: Int64.self) else {
            throw PostgresDecodingError.Code.typeMismatch
        }
        let milliseconds = (microseconds + Self.epochOffset).quotientAndRemainder(dividingBy: 1000)
        let floor = milliseconds.remainder < 0 ? milliseconds.quotient - 1 : milliseconds.quotient
        date = Date(timeIntervalSince1970: Double(floor) / 1000)
    }
}

extension Date {
    /// The date as a PostgreSQL parameter (``PGTimestamp``).
    var pg: PGTimestamp { PGTimestamp(self) }
}

extension PostgresRandomAccessRow {
    /// A `timestamptz` column (``PGTimestamp``).
    func date(_ column: String) throws -> Date { try self[column].decode(PGTimestamp.self).date }

    /// A nullable `timestamptz` column.
    func optionalDate(_ column: String) throws -> Date? { try self[column].decode(PGTimestamp?.self)?.date }
}
