public import Foundation
public import HoclieuCore
import Logging
import PostgresNIO

// MARK: Harvest sources: settings, history; OAI-PMH requests of LMS clients

extension PostgresStore {
    /// SQLite's `v12-harvest-runs`: the history of harvest runs and the OAI-PMH requests of LMS clients' accounts per day.
    static let harvestRunsMigration = Migration(
        name: "v12-harvest-runs",
        statements: [
            """
            CREATE TABLE harvest_runs (
                id BIGSERIAL PRIMARY KEY,
                repository_id BIGINT NOT NULL REFERENCES remote_repositories(id) ON DELETE CASCADE,
                started_at TIMESTAMPTZ NOT NULL,
                finished_at TIMESTAMPTZ NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('succeeded', 'stopped', 'failed')),
                pages BIGINT NOT NULL,
                created BIGINT NOT NULL,
                updated BIGINT NOT NULL,
                withdrawn BIGINT NOT NULL,
                unchanged BIGINT NOT NULL,
                skipped BIGINT NOT NULL,
                error TEXT
            )
            """,
            "CREATE INDEX harvest_runs_repository ON harvest_runs (repository_id, id)",
            """
            CREATE TABLE oai_client_days (
                user_id BIGINT NOT NULL REFERENCES users(id),
                day TEXT NOT NULL,
                requests BIGINT NOT NULL,
                records BIGINT NOT NULL,
                PRIMARY KEY (user_id, day)
            )
            """,
        ])

    public func remoteRepository(id: Int64) async throws -> RemoteRepository? {
        try await read { c in try await c.row("SELECT * FROM remote_repositories WHERE id = \(id)", logger).map(Self.remoteRepository) }
    }

    public func updateRemoteRepository(id: Int64, _ settings: NewRemoteRepository) async throws -> RemoteRepository {
        let conflict = StoreError.conflict("remote repository \(settings.baseURL)")
        do {
            return try await write { c in
                let set = settings.set ?? ""
                if try await c.value(
                    """
                    SELECT 1 FROM remote_repositories WHERE base_url = \(settings.baseURL) AND set_spec = \(set)
                    AND metadata_prefix = \(settings.metadataPrefix) AND id <> \(id)
                    """, as: Int32.self, logger) != nil
                {
                    throw conflict
                }
                guard
                    let row = try await c.row(
                        """
                        UPDATE remote_repositories SET base_url = \(settings.baseURL), set_spec = \(set), metadata_prefix = \(settings.metadataPrefix),
                            interval_seconds = \(Int64(settings.intervalSeconds)), trusted = \(settings.trusted), owner_id = \(settings.ownerID)
                        WHERE id = \(id) RETURNING *
                        """, logger)
                else { throw StoreError.notFound("remote repository \(id)") }
                return try Self.remoteRepository(row)
            }
        } catch StoreError.conflict("remote_repositories_base_url_set_spec_metadata_prefix_key") {
            throw conflict
        }
    }

    public func deleteRemoteRepository(id: Int64) async throws {
        try await write { c in
            try await c.run("DELETE FROM harvest_runs WHERE repository_id = \(id)", logger)
            guard try await c.value("DELETE FROM remote_repositories WHERE id = \(id) RETURNING id", as: Int64.self, logger) != nil else {
                throw StoreError.notFound("remote repository \(id)")
            }
        }
    }

    public func harvestRuns(repositoryID: Int64, limit: Int) async throws -> [HarvestRunEntry] {
        guard limit > 0 else { return [] }
        return try await read { c in
            try await c.rows("SELECT * FROM harvest_runs WHERE repository_id = \(repositoryID) ORDER BY id DESC LIMIT \(Int64(limit))", logger).map { row in
                HarvestRunEntry(
                    id: try row.get("id"), repositoryID: try row.get("repository_id"), startedAt: try row.date("started_at"),
                    finishedAt: try row.date("finished_at"), status: HarvestRunStatus(rawValue: try row.get("status")) ?? .failed,
                    pages: Int(try row.get("pages", as: Int64.self)), created: Int(try row.get("created", as: Int64.self)),
                    updated: Int(try row.get("updated", as: Int64.self)), withdrawn: Int(try row.get("withdrawn", as: Int64.self)),
                    unchanged: Int(try row.get("unchanged", as: Int64.self)), skipped: Int(try row.get("skipped", as: Int64.self)),
                    error: try row.get("error", as: String?.self))
            }
        }
    }

    public func recordOAIRequest(userID: Int64, day: String, records: Int) async throws {
        try await write { c in
            try await c.run(
                """
                INSERT INTO oai_client_days (user_id, day, requests, records) VALUES (\(userID), \(day), 1, \(Int64(max(0, records))))
                ON CONFLICT (user_id, day) DO UPDATE SET requests = oai_client_days.requests + 1, records = oai_client_days.records + excluded.records
                """, logger)
        }
    }

    public func oaiActivity() async throws -> [OAIClientDay] {
        try await read { c in
            try await c.rows("SELECT user_id, day, requests, records FROM oai_client_days ORDER BY day, user_id", logger).map { row in
                OAIClientDay(
                    userID: try row.get("user_id"), day: try row.get("day"), requests: Int(try row.get("requests", as: Int64.self)),
                    records: Int(try row.get("records", as: Int64.self)))
            }
        }
    }
}
