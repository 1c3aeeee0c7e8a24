public import Foundation
import GRDB
public import HoclieuCore

// MARK: Harvest sources: settings, history; OAI-PMH requests of LMS clients

extension SQLiteStore {
    /// `v12-harvest-runs`: the history of harvest runs (one row per run, newest read first), and the OAI-PMH requests
    /// of LMS clients' accounts per day (one upsert per request).
    static func registerHarvestRuns(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v12-harvest-runs") { db in
            try db.execute(
                sql: """
                    CREATE TABLE harvestRun (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        repositoryId INTEGER NOT NULL REFERENCES remoteRepository(id) ON DELETE CASCADE,
                        startedAt TEXT NOT NULL,
                        finishedAt TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('succeeded', 'stopped', 'failed')),
                        pages INTEGER NOT NULL,
                        created INTEGER NOT NULL,
                        updated INTEGER NOT NULL,
                        withdrawn INTEGER NOT NULL,
                        unchanged INTEGER NOT NULL,
                        skipped INTEGER NOT NULL,
                        error TEXT
                    )
                    """)
            try db.execute(sql: "CREATE INDEX harvestRun_repository ON harvestRun(repositoryId, id)")
            try db.execute(
                sql: """
                    CREATE TABLE oaiClientDay (
                        userId INTEGER NOT NULL REFERENCES user(id),
                        day TEXT NOT NULL,
                        requests INTEGER NOT NULL,
                        records INTEGER NOT NULL,
                        PRIMARY KEY (userId, day)
                    ) WITHOUT ROWID
                    """)
        }
    }

    public func remoteRepository(id: Int64) async throws -> RemoteRepository? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM remoteRepository WHERE id = ?", arguments: [id]).map(Self.remoteRepository) }
    }

    public func updateRemoteRepository(id: Int64, _ settings: NewRemoteRepository) async throws -> RemoteRepository {
        try await pool.write { db in
            let set = settings.set ?? ""
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM remoteRepository WHERE baseURL = ? AND setSpec = ? AND metadataPrefix = ? AND id <> ?",
                arguments: [settings.baseURL, set, settings.metadataPrefix, id]) == true
            {
                throw StoreError.conflict("remote repository \(settings.baseURL)")
            }
            try db.execute(
                sql: """
                    UPDATE remoteRepository SET baseURL = ?, setSpec = ?, metadataPrefix = ?, intervalSeconds = ?, trusted = ?, ownerId = ?
                    WHERE id = ?
                    """,
                arguments: [settings.baseURL, set, settings.metadataPrefix, settings.intervalSeconds, settings.trusted, settings.ownerID, id])
            guard db.changesCount == 1 else { throw StoreError.notFound("remote repository \(id)") }
            return try Row.fetchOne(db, sql: "SELECT * FROM remoteRepository WHERE id = ?", arguments: [id]).map(Self.remoteRepository)!
        }
    }

    public func deleteRemoteRepository(id: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM harvestRun WHERE repositoryId = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM remoteRepository WHERE id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw StoreError.notFound("remote repository \(id)") }
        }
    }

    public func harvestRuns(repositoryID: Int64, limit: Int) async throws -> [HarvestRunEntry] {
        guard limit > 0 else { return [] }
        return try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM harvestRun WHERE repositoryId = ? ORDER BY id DESC LIMIT ?", arguments: [repositoryID, limit]
            ).map { row in
                HarvestRunEntry(
                    id: row["id"], repositoryID: row["repositoryId"],
                    startedAt: HoclieuJSON.parseTimestamp(row["startedAt"]) ?? .distantPast,
                    finishedAt: HoclieuJSON.parseTimestamp(row["finishedAt"]) ?? .distantPast,
                    status: HarvestRunStatus(rawValue: row["status"]) ?? .failed, pages: row["pages"], created: row["created"], updated: row["updated"],
                    withdrawn: row["withdrawn"], unchanged: row["unchanged"], skipped: row["skipped"], error: row["error"])
            }
        }
    }

    public func recordOAIRequest(userID: Int64, day: String, records: Int) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO oaiClientDay (userId, day, requests, records) VALUES (?, ?, 1, ?)
                    ON CONFLICT (userId, day) DO UPDATE SET requests = requests + 1, records = records + excluded.records
                    """, arguments: [userID, day, max(0, records)])
        }
    }

    public func oaiActivity() async throws -> [OAIClientDay] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT userId, day, requests, records FROM oaiClientDay ORDER BY day, userId").map { row in
                OAIClientDay(userID: row["userId"], day: row["day"], requests: row["requests"], records: row["records"])
            }
        }
    }
}
