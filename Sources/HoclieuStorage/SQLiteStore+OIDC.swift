public import Foundation
import GRDB
public import HoclieuCore

extension SQLiteStore {
    /// `v10-oidc`: accounts' e-mail addresses (unique without regard to case), links from an external provider's
    /// `(issuer, subject)` to an account, and pending OpenID Connect logins.
    static func registerOIDC(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v10-oidc") { db in
            try db.execute(
                sql: """
                    ALTER TABLE user ADD COLUMN email TEXT;
                    CREATE UNIQUE INDEX user_email ON user(lower(email)) WHERE email IS NOT NULL;
                    CREATE TABLE externalIdentity (
                        issuer TEXT NOT NULL,
                        subject TEXT NOT NULL,
                        userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                        createdAt TEXT NOT NULL,
                        PRIMARY KEY (issuer, subject)
                    ) WITHOUT ROWID;
                    CREATE INDEX externalIdentity_user ON externalIdentity(userId);
                    CREATE TABLE oidcLogin (
                        state TEXT PRIMARY KEY NOT NULL,
                        nonce TEXT NOT NULL,
                        codeVerifier TEXT NOT NULL,
                        expiresAt TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX oidcLogin_expiresAt ON oidcLogin(expiresAt);
                    """)
        }
    }

    public func saveOIDCLogin(state: String, login: StoredOIDCLogin, expiresAt: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM oidcLogin WHERE expiresAt < ?", arguments: [Self.now().dbText])
            try db.execute(
                sql: "INSERT INTO oidcLogin (state, nonce, codeVerifier, expiresAt) VALUES (?, ?, ?, ?)",
                arguments: [state, login.nonce, login.codeVerifier, expiresAt.dbText])
        }
    }

    public func takeOIDCLogin(state: String, now: Date) async throws -> StoredOIDCLogin? {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM oidcLogin WHERE state = ?", arguments: [state]) else { return nil }
            try db.execute(sql: "DELETE FROM oidcLogin WHERE state = ?", arguments: [state])
            guard row.date("expiresAt") > now else { return nil }
            return StoredOIDCLogin(nonce: row["nonce"], codeVerifier: row["codeVerifier"])
        }
    }

    public func user(issuer: String, subject: String) async throws -> User? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT user.* FROM externalIdentity JOIN user ON user.id = externalIdentity.userId WHERE issuer = ? AND subject = ?",
                arguments: [issuer, subject]
            ).map(Self.user)
        }
    }

    public func user(email: String) async throws -> User? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM user WHERE lower(email) = lower(?) AND email IS NOT NULL", arguments: [email]).map(Self.user)
        }
    }

    public func setUserEmail(userID: Int64, email: String?) async throws {
        try await pool.write { db in
            if let email,
                try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE lower(email) = lower(?) AND id != ?", arguments: [email, userID]) == true
            {
                throw StoreError.conflict("email \(email)")
            }
            try db.execute(sql: "UPDATE user SET email = ? WHERE id = ?", arguments: [email, userID])
            guard db.changesCount == 1 else { throw StoreError.notFound("user \(userID)") }
        }
    }

    public func linkExternalIdentity(issuer: String, subject: String, userID: Int64, audit: AuditDraft) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO externalIdentity (issuer, subject, userId, createdAt) VALUES (?, ?, ?, ?)",
                arguments: [issuer, subject, userID, Self.now().dbText])
            if db.changesCount == 1 { _ = try Self.appendAudit(audit, db: db) }
        }
    }

    public func createExternalUser(_ new: NewExternalUser, auditDetails: [String: String]) async throws -> User {
        try await pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE lower(email) = lower(?)", arguments: [new.email]) == true {
                throw StoreError.conflict("email \(new.email)")
            }
            // The username is the address when it is a valid, free one; otherwise the address's local part with a number.
            var username = new.user.username
            var n = 1
            while try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE username = ?", arguments: [username]) == true {
                n += 1
                guard n < 1000 else { throw StoreError.conflict("username \(new.user.username)") }
                username = String(new.user.username.prefix(58)) + "-\(n)"
            }
            guard User.isValidUsername(username) else { throw StoreError.invalid("username") }
            let now = Self.now()
            try db.execute(
                sql: "INSERT INTO user (username, displayName, roles, school, passwordHash, createdAt, email, organisationId) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    username, new.user.displayName, new.user.roles.map(\.rawValue).sorted().joined(separator: ","), new.user.school,
                    new.user.passwordHash, now.dbText, new.email, try Self.organisationID(forSchool: new.user.school, db: db),
                ])
            let id = db.lastInsertedRowID
            try db.execute(
                sql: "INSERT INTO externalIdentity (issuer, subject, userId, createdAt) VALUES (?, ?, ?, ?)",
                arguments: [new.issuer, new.subject, id, now.dbText])
            var details = auditDetails
            details["username"] = username
            details["roles"] = new.user.roles.map(\.rawValue).sorted().joined(separator: ",")
            _ = try Self.appendAudit(AuditDraft(actorID: id, action: "user.created", subject: "user:\(id)", details: details), db: db)
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM user WHERE id = ?", arguments: [id]) else { throw StoreError.notFound("user \(id)") }
            return Self.user(row)
        }
    }
}
