public import Foundation
import GRDB
public import HoclieuCore

extension SQLiteStore {
    static func registerUploads(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v12-uploads") { db in
            try db.execute(
                sql: """
                    CREATE TABLE upload (
                        id TEXT PRIMARY KEY CHECK (length(id) = 32),
                        ownerId INTEGER NOT NULL REFERENCES user(id),
                        fileName TEXT NOT NULL,
                        mediaType TEXT,
                        totalBytes INTEGER NOT NULL CHECK (totalBytes > 0),
                        receivedBytes INTEGER NOT NULL DEFAULT 0 CHECK (receivedBytes >= 0 AND receivedBytes <= totalBytes),
                        materialId INTEGER NOT NULL,
                        pid TEXT NOT NULL,
                        note TEXT,
                        createdAt TEXT NOT NULL,
                        updatedAt TEXT NOT NULL,
                        expiresAt TEXT NOT NULL,
                        resultVersion INTEGER
                    ) WITHOUT ROWID;
                    CREATE INDEX upload_expiry ON upload(expiresAt);
                    """)
        }
    }

    static func uploadSession(_ row: Row) throws -> UploadSession {
        func date(_ column: String) -> Date { HoclieuJSON.parseTimestamp(row[column] as String? ?? "") ?? Date(timeIntervalSince1970: 0) }
        return UploadSession(
            id: row["id"], ownerID: row["ownerId"], fileName: row["fileName"], mediaType: row["mediaType"], totalBytes: row["totalBytes"],
            receivedBytes: row["receivedBytes"], pid: try PersistentIdentifier(parsing: row["pid"]), note: row["note"], createdAt: date("createdAt"),
            updatedAt: date("updatedAt"), expiresAt: date("expiresAt"), resultVersion: row["resultVersion"])
    }

    public func createUpload(_ u: UploadSession) async throws {
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO upload (id, ownerId, fileName, mediaType, totalBytes, receivedBytes, materialId, pid, note, createdAt, updatedAt, expiresAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    u.id, u.ownerID, u.fileName, u.mediaType, u.totalBytes, u.receivedBytes, u.pid.serial, u.pid.rawValue, u.note,
                    Self.millisecondPrecision(u.createdAt).dbText, Self.millisecondPrecision(u.updatedAt).dbText,
                    Self.millisecondPrecision(u.expiresAt).dbText,
                ])
        }
    }

    public func upload(id: String) async throws -> UploadSession? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM upload WHERE id = ?", arguments: [id]).map(Self.uploadSession) }
    }

    public func advanceUpload(id: String, from: Int64, to: Int64, expiresAt: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE upload SET receivedBytes = ?, updatedAt = ?, expiresAt = ? WHERE id = ? AND receivedBytes = ? AND resultVersion IS NULL",
                arguments: [to, Self.now().dbText, Self.millisecondPrecision(expiresAt).dbText, id, from])
            return db.changesCount == 1
        }
    }

    public func finishUpload(id: String, pid: PersistentIdentifier, version: Int, expiresAt: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE upload SET resultVersion = ?, updatedAt = ?, expiresAt = ?
                    WHERE id = ? AND pid = ? AND resultVersion IS NULL AND receivedBytes = totalBytes
                    """,
                arguments: [version, Self.now().dbText, Self.millisecondPrecision(expiresAt).dbText, id, pid.rawValue])
            return db.changesCount == 1
        }
    }

    public func deleteUpload(id: String) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM upload WHERE id = ?", arguments: [id]) }
    }

    public func expiredUploads(now: Date, limit: Int) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM upload WHERE expiresAt < ? ORDER BY expiresAt LIMIT ?",
                arguments: [Self.millisecondPrecision(now).dbText, max(1, min(limit, 1000))])
        }
    }
}
