public import Foundation
public import HoclieuCore
import Logging
import PostgresNIO

/// Resumable uploads on PostgreSQL (``SQLiteStore``'s `+Uploads`, method by method).
extension PostgresStore: UploadStore {
    static let uploadMigration = Migration(
        name: "v12-uploads",
        statements: [
            """
            CREATE TABLE uploads (
                id TEXT PRIMARY KEY CHECK (length(id) = 32),
                owner_id BIGINT NOT NULL REFERENCES users(id),
                file_name TEXT NOT NULL,
                media_type TEXT,
                total_bytes BIGINT NOT NULL CHECK (total_bytes > 0),
                received_bytes BIGINT NOT NULL DEFAULT 0 CHECK (received_bytes >= 0 AND received_bytes <= total_bytes),
                material_id BIGINT NOT NULL,
                pid TEXT NOT NULL,
                note TEXT,
                created_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL,
                result_version INTEGER
            )
            """,
            "CREATE INDEX uploads_expiry ON uploads (expires_at)",
        ])

    static func uploadSession(_ row: PostgresRandomAccessRow) throws -> UploadSession {
        UploadSession(
            id: try row.get("id"), ownerID: try row.get("owner_id"), fileName: try row.get("file_name"),
            mediaType: try row.get("media_type", as: String?.self), totalBytes: try row.get("total_bytes"),
            receivedBytes: try row.get("received_bytes"), pid: try PersistentIdentifier(parsing: try row.get("pid")),
            note: try row.get("note", as: String?.self), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"),
            expiresAt: try row.date("expires_at"), resultVersion: try row.get("result_version", as: Int32?.self).map(Int.init))
    }

    public func createUpload(_ u: UploadSession) async throws {
        try await write { c in
            try await c.run(
                """
                INSERT INTO uploads (id, owner_id, file_name, media_type, total_bytes, received_bytes, material_id, pid, note, created_at, updated_at,
                    expires_at)
                VALUES (\(u.id), \(u.ownerID), \(u.fileName), \(u.mediaType), \(u.totalBytes), \(u.receivedBytes), \(Int64(u.pid.serial)),
                    \(u.pid.rawValue), \(u.note), \(u.createdAt.pg), \(u.updatedAt.pg), \(u.expiresAt.pg))
                """, logger)
        }
    }

    public func upload(id: String) async throws -> UploadSession? {
        try await read { c in try await c.row("SELECT * FROM uploads WHERE id = \(id)", logger).map(Self.uploadSession) }
    }

    public func advanceUpload(id: String, from: Int64, to: Int64, expiresAt: Date) async throws -> Bool {
        try await write { c in
            try await c.row(
                """
                UPDATE uploads SET received_bytes = \(to), updated_at = \(Self.now().pg), expires_at = \(expiresAt.pg)
                WHERE id = \(id) AND received_bytes = \(from) AND result_version IS NULL RETURNING id
                """, logger) != nil
        }
    }

    public func finishUpload(id: String, pid: PersistentIdentifier, version: Int, expiresAt: Date) async throws -> Bool {
        try await write { c in
            try await c.row(
                """
                UPDATE uploads SET result_version = \(Int32(clamping: version)), updated_at = \(Self.now().pg), expires_at = \(expiresAt.pg)
                WHERE id = \(id) AND pid = \(pid.rawValue) AND result_version IS NULL AND received_bytes = total_bytes RETURNING id
                """, logger) != nil
        }
    }

    public func deleteUpload(id: String) async throws {
        try await write { c in try await c.run("DELETE FROM uploads WHERE id = \(id)", logger) }
    }

    public func expiredUploads(now: Date, limit: Int) async throws -> [String] {
        try await read { c in
            try await c.rows(
                "SELECT id FROM uploads WHERE expires_at < \(now.pg) ORDER BY expires_at LIMIT \(Int64(max(1, min(limit, 1000))))", logger
            ).map { try $0.get("id") }
        }
    }
}
