public import Foundation
public import Logging
import PostgresNIO

extension PostgresStore {
    /// Loads a `pg_dump --format=custom` file (``backupDatabase(to:)``) into the database at `url` with `pg_restore`,
    /// in one transaction (`--single-transaction --exit-on-error`: a failure leaves the database as it was).
    ///
    /// The database must be empty: no tables at all, or a Hoclieu schema that holds nothing but what its migrations
    /// seed (a node started on it once); the latter's objects are replaced by the dump's (`--clean --if-exists`).
    /// Anything else is refused with ``StoreCopyError/targetNotEmpty(table:rows:)``. Pending migrations of a dump made
    /// by an older version run when the store is next opened.
    public static func restoreDump(_ dump: URL, url: String, pidPrefix: String, logger: Logger) async throws {
        let settings = try ConnectionSettings(url: url)
        let tables = try await withClient(settings, logger: logger) { client in
            try await client.withConnection { c in
                try await c.rows("SELECT tablename::text AS t FROM pg_tables WHERE schemaname = current_schema()", logger)
                    .map { try $0.get("t", as: String.self) }
            }
        }
        var clean = false
        if !tables.isEmpty {
            guard tables.contains("hoclieu_migrations") else { throw StoreCopyError.targetNotEmpty(table: tables.sorted()[0], rows: -1) }
            let store = try await PostgresStore.open(url: url, pidPrefix: pidPrefix, logger: logger)
            do {
                try await store.read { c in
                    try await StoreCopy.ensureEmpty(c, tables: StoreCopy.tables.map(\.postgres), logger: logger)
                }
            } catch {
                await store.shutdown()
                throw error
            }
            await store.shutdown()
            clean = true
        }
        try runClientTool(
            "pg_restore",
            ["--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges"] + (clean ? ["--clean", "--if-exists"] : [])
                + ["--dbname=\(settings.redacted)", dump.path],
            settings: settings, purpose: "to restore a PostgreSQL backup")
    }

    /// Runs `body` with a client of its own (no migrations: the database may not be a Hoclieu store yet).
    private static func withClient<T: Sendable>(
        _ settings: ConnectionSettings, logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(configuration: settings.clientConfiguration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
