public import Foundation
import GRDB
public import HoclieuCore

extension SQLiteStore {
    static func registerLTI(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v9-lti") { db in
            try db.execute(
                sql: """
                    CREATE TABLE ltiPlatform (
                        id INTEGER PRIMARY KEY,
                        issuer TEXT NOT NULL,
                        clientId TEXT NOT NULL,
                        deploymentIds TEXT NOT NULL,
                        authUrl TEXT NOT NULL,
                        tokenUrl TEXT NOT NULL,
                        jwksUrl TEXT NOT NULL,
                        school TEXT,
                        createdAt TEXT NOT NULL,
                        UNIQUE (issuer, clientId)
                    );
                    CREATE TABLE ltiToolKey (
                        kid TEXT PRIMARY KEY,
                        privateKeyPem TEXT NOT NULL,
                        createdAt TEXT NOT NULL,
                        retiredAt TEXT
                    );
                    CREATE TABLE ltiLogin (
                        state TEXT PRIMARY KEY,
                        nonce TEXT NOT NULL,
                        platformId INTEGER NOT NULL REFERENCES ltiPlatform(id) ON DELETE CASCADE,
                        expiresAt TEXT NOT NULL
                    );
                    CREATE INDEX ltiLogin_expiresAt ON ltiLogin(expiresAt);
                    CREATE TABLE ltiNonce (
                        nonce TEXT PRIMARY KEY,
                        expiresAt TEXT NOT NULL
                    );
                    CREATE INDEX ltiNonce_expiresAt ON ltiNonce(expiresAt);
                    CREATE TABLE ltiScore (
                        id INTEGER PRIMARY KEY,
                        platformId INTEGER NOT NULL REFERENCES ltiPlatform(id) ON DELETE CASCADE,
                        lineItem TEXT NOT NULL,
                        userId TEXT NOT NULL,
                        pid TEXT NOT NULL,
                        scoreGiven REAL NOT NULL,
                        scoreMaximum REAL NOT NULL,
                        status TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        lastError TEXT,
                        createdAt TEXT NOT NULL,
                        updatedAt TEXT NOT NULL
                    );
                    CREATE INDEX ltiScore_status ON ltiScore(status, id);
                    """)
        }
    }

    /// `v10-lti-scores`: a line item's scores (the teacher's view) by an index, newest first.
    static func registerLTIScores(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v10-lti-scores") { db in
            try db.execute(sql: "CREATE INDEX ltiScore_lineItem ON ltiScore(platformId, lineItem, id)")
        }
    }

    private static func platform(_ row: Row) throws -> LTIPlatform {
        let deployments = try JSONDecoder().decode([String].self, from: Data((row["deploymentIds"] as String).utf8))
        func url(_ column: String) throws -> URL {
            guard let url = URL(string: row[column] as String) else { throw StoreError.invalid("ltiPlatform.\(column)") }
            return url
        }
        return LTIPlatform(
            id: row["id"], issuer: row["issuer"], clientID: row["clientId"], deploymentIDs: deployments, authURL: try url("authUrl"),
            tokenURL: try url("tokenUrl"), jwksURL: try url("jwksUrl"), school: row["school"], createdAt: row.date("createdAt"))
    }

    public func addLTIPlatform(_ platform: LTIPlatform) async throws -> LTIPlatform {
        let deployments = String(decoding: try JSONEncoder().encode(platform.deploymentIDs), as: UTF8.self)
        let now = Self.now()
        return try await pool.write { db in
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM ltiPlatform WHERE issuer = ? AND clientId = ?", arguments: [platform.issuer, platform.clientID]) == true
            {
                throw StoreError.conflict("nền tảng LTI / LTI platform \(platform.issuer) \(platform.clientID)")
            }
            try db.execute(
                sql: """
                    INSERT INTO ltiPlatform (issuer, clientId, deploymentIds, authUrl, tokenUrl, jwksUrl, school, createdAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    platform.issuer, platform.clientID, deployments, platform.authURL.absoluteString, platform.tokenURL.absoluteString,
                    platform.jwksURL.absoluteString, platform.school,
                    now.dbText,
                ])
            var stored = platform
            stored.id = db.lastInsertedRowID
            stored.createdAt = now
            return stored
        }
    }

    public func ltiPlatforms() async throws -> [LTIPlatform] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM ltiPlatform ORDER BY id").map(Self.platform) }
    }

    public func ltiPlatform(id: Int64) async throws -> LTIPlatform? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM ltiPlatform WHERE id = ?", arguments: [id]).map(Self.platform) }
    }

    public func ltiPlatform(issuer: String, clientIDs: [String]) async throws -> LTIPlatform? {
        let rows = try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM ltiPlatform WHERE issuer = ? ORDER BY id", arguments: [issuer]).map(Self.platform)
        }
        if clientIDs.isEmpty { return rows.count == 1 ? rows[0] : nil }
        return rows.first { clientIDs.contains($0.clientID) }
    }

    public func deleteLTIPlatform(id: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM ltiLogin WHERE platformId = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM ltiScore WHERE platformId = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM ltiPlatform WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { throw StoreError.notFound("nền tảng LTI / LTI platform \(id)") }
        }
    }

    public func ltiToolKeys() async throws -> [StoredLTIToolKey] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM ltiToolKey ORDER BY createdAt DESC").map { row in
                StoredLTIToolKey(
                    kid: row["kid"], privateKeyPEM: row["privateKeyPem"], createdAt: row.date("createdAt"),
                    retiredAt: (row["retiredAt"] as String?).flatMap(HoclieuJSON.parseTimestamp))
            }
        }
    }

    public func addLTIToolKey(_ key: StoredLTIToolKey, retiringOthersAt: Date?) async throws {
        try await pool.write { db in
            if let retiringOthersAt {
                try db.execute(sql: "UPDATE ltiToolKey SET retiredAt = ? WHERE retiredAt IS NULL", arguments: [retiringOthersAt.dbText])
            }
            try db.execute(
                sql: "INSERT INTO ltiToolKey (kid, privateKeyPem, createdAt, retiredAt) VALUES (?, ?, ?, ?)",
                arguments: [key.kid, key.privateKeyPEM, key.createdAt.dbText, key.retiredAt?.dbText])
        }
    }

    public func saveLTILogin(state: String, nonce: String, platformID: Int64, expiresAt: Date) async throws {
        let now = Self.now().dbText
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM ltiLogin WHERE expiresAt < ?", arguments: [now])
            try db.execute(
                sql: "INSERT INTO ltiLogin (state, nonce, platformId, expiresAt) VALUES (?, ?, ?, ?)",
                arguments: [state, nonce, platformID, expiresAt.dbText])
        }
    }

    public func takeLTILogin(state: String, now: Date) async throws -> (nonce: String, platformID: Int64)? {
        try await pool.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "DELETE FROM ltiLogin WHERE state = ? RETURNING nonce, platformId, expiresAt", arguments: [state])
            else { return nil }
            guard row.date("expiresAt") > now else { return nil }
            return (row["nonce"], row["platformId"])
        }
    }

    public func consumeLTINonce(_ nonce: String, expiresAt: Date, now: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM ltiNonce WHERE expiresAt < ?", arguments: [now.dbText])
            try db.execute(sql: "INSERT OR IGNORE INTO ltiNonce (nonce, expiresAt) VALUES (?, ?)", arguments: [nonce, expiresAt.dbText])
            return db.changesCount == 1
        }
    }

    public func recordLTIScore(
        platformID: Int64, lineItem: String, userID: String, pid: String, scoreGiven: Double, scoreMaximum: Double
    ) async throws -> Int64 {
        let now = Self.now().dbText
        return try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO ltiScore (platformId, lineItem, userId, pid, scoreGiven, scoreMaximum, status, attempts, createdAt, updatedAt)
                    VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)
                    """,
                arguments: [platformID, lineItem, userID, pid, scoreGiven, scoreMaximum, now, now])
            return db.lastInsertedRowID
        }
    }

    public func updateLTIScore(id: Int64, status: StoredLTIScore.Status, attempts: Int, lastError: String?) async throws {
        let now = Self.now().dbText
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE ltiScore SET status = ?, attempts = ?, lastError = ?, updatedAt = ? WHERE id = ?",
                arguments: [status.rawValue, attempts, lastError, now, id])
        }
    }

    public func ltiScores(failedOnly: Bool, limit: Int) async throws -> [StoredLTIScore] {
        let limit = min(max(limit, 1), 500)
        return try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM ltiScore \(failedOnly ? "WHERE status = 'failed'" : "") ORDER BY id DESC LIMIT ?", arguments: [limit]
            ).map(Self.score)
        }
    }

    public func ltiScores(platformID: Int64, lineItem: String, limit: Int) async throws -> [StoredLTIScore] {
        let limit = min(max(limit, 1), 500)
        return try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM ltiScore WHERE platformId = ? AND lineItem = ? ORDER BY id DESC LIMIT ?", arguments: [platformID, lineItem, limit]
            ).map(Self.score)
        }
    }

    private static func score(_ row: Row) -> StoredLTIScore {
        StoredLTIScore(
            id: row["id"], platformID: row["platformId"], lineItem: row["lineItem"], userID: row["userId"], pid: row["pid"],
            scoreGiven: row["scoreGiven"], scoreMaximum: row["scoreMaximum"],
            status: StoredLTIScore.Status(rawValue: row["status"]) ?? .failed, attempts: row["attempts"], lastError: row["lastError"],
            createdAt: row.date("createdAt"), updatedAt: row.date("updatedAt"))
    }
}
