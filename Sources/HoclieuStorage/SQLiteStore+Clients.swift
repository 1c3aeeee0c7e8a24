public import Foundation
import GRDB
public import HoclieuCore

extension SQLiteStore {
    static func registerClients(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v9-clients") { db in
            try db.execute(
                sql: """
                    CREATE TABLE lmsClient (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        clientId TEXT NOT NULL UNIQUE,
                        name TEXT NOT NULL,
                        userId INTEGER NOT NULL REFERENCES user(id),
                        scopes TEXT NOT NULL,
                        secretHash TEXT NOT NULL,
                        createdAt TEXT NOT NULL,
                        createdBy INTEGER NOT NULL,
                        lastUsedAt TEXT,
                        revokedAt TEXT
                    );
                    """)
        }
    }

    static func client(_ row: Row) -> LMSClient {
        LMSClient(
            id: row["id"], clientID: row["clientId"], name: row["name"], userID: row["userId"],
            scopes: Set((row["scopes"] as String).split(separator: ",").compactMap { ClientScope(rawValue: String($0)) }),
            createdAt: row.date("createdAt"), createdBy: row["createdBy"], lastUsedAt: (row["lastUsedAt"] as String?).flatMap(HoclieuJSON.parseTimestamp),
            revokedAt: (row["revokedAt"] as String?).flatMap(HoclieuJSON.parseTimestamp))
    }

    public func createClient(clientID: String, name: String, scopes: Set<ClientScope>, secretHash: String, by actorID: Int64) async throws -> LMSClient {
        try await pool.write { db in
            let now = Self.now()
            // The owner account: never signs in with a password ("-" matches no bcrypt hash).
            try db.execute(
                sql: "INSERT INTO user (username, displayName, roles, school, passwordHash, createdAt, organisationId) VALUES (?, ?, 'lms_client', NULL, '-', ?, ?)",
                arguments: ["client." + clientID.lowercased(), name, now.dbText, try Self.organisationID(forSchool: nil, db: db)])
            let userID = db.lastInsertedRowID
            try db.execute(
                sql: "INSERT INTO lmsClient (clientId, name, userId, scopes, secretHash, createdAt, createdBy) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [clientID, name, userID, scopes.map(\.rawValue).sorted().joined(separator: ","), secretHash, now.dbText, actorID])
            let client = Self.client(try Row.fetchOne(db, sql: "SELECT * FROM lmsClient WHERE id = ?", arguments: [db.lastInsertedRowID])!)
            try Self.appendAudit(
                AuditDraft(
                    actorID: actorID, action: "client.created", subject: "client:\(client.id)",
                    details: ["clientId": clientID, "name": name, "scopes": scopes.map(\.rawValue).sorted().joined(separator: ",")]), db: db)
            return client
        }
    }

    public func clients() async throws -> [LMSClient] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM lmsClient ORDER BY id").map(Self.client) }
    }

    public func client(clientID: String) async throws -> (client: LMSClient, secretHash: String, user: User)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM lmsClient WHERE clientId = ?", arguments: [clientID]),
                let user = try Row.fetchOne(db, sql: "SELECT * FROM user WHERE id = ?", arguments: [row["userId"] as Int64])
            else { return nil }
            return (Self.client(row), row["secretHash"], Self.user(user))
        }
    }

    public func touchClient(id: Int64, at: Date) async throws {
        try await pool.write { db in try db.execute(sql: "UPDATE lmsClient SET lastUsedAt = ? WHERE id = ?", arguments: [at.dbText, id]) }
    }

    public func revokeClient(id: Int64, by actorID: Int64) async throws -> LMSClient {
        try await pool.write { db in
            try db.execute(sql: "UPDATE lmsClient SET revokedAt = coalesce(revokedAt, ?) WHERE id = ?", arguments: [Self.now().dbText, id])
            guard db.changesCount == 1, let row = try Row.fetchOne(db, sql: "SELECT * FROM lmsClient WHERE id = ?", arguments: [id]) else {
                throw StoreError.notFound("client \(id)")
            }
            try Self.appendAudit(AuditDraft(actorID: actorID, action: "client.revoked", subject: "client:\(id)"), db: db)
            return Self.client(row)
        }
    }
}
