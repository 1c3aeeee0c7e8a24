public import Foundation
public import HoclieuCore
import Logging
import PostgresNIO

/// OpenID Connect sign-in on PostgreSQL: pending logins (shared by every node, so a login started on one node
/// finishes on another), external identities and e-mail addresses (unique without regard to ASCII case).
extension PostgresStore: OIDCStore {
    static let oidcMigration = Migration(
        name: "v3-oidc",
        statements: [
            """
            CREATE TABLE external_identities (
                issuer TEXT NOT NULL,
                subject TEXT NOT NULL,
                user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                created_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (issuer, subject)
            )
            """,
            "CREATE INDEX external_identities_user ON external_identities (user_id)",
            """
            CREATE TABLE oidc_logins (
                state TEXT PRIMARY KEY,
                nonce TEXT NOT NULL,
                code_verifier TEXT NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL
            )
            """,
            "CREATE INDEX oidc_logins_expiry ON oidc_logins (expires_at)",
        ])

    public func saveOIDCLogin(state: String, login: StoredOIDCLogin, expiresAt: Date) async throws {
        try await write { c in
            try await c.run("DELETE FROM oidc_logins WHERE expires_at < \(Self.now().pg)", logger)
            try await c.run(
                """
                INSERT INTO oidc_logins (state, nonce, code_verifier, expires_at)
                VALUES (\(state), \(login.nonce), \(login.codeVerifier), \(expiresAt.pg))
                """, logger)
        }
    }

    public func takeOIDCLogin(state: String, now: Date) async throws -> StoredOIDCLogin? {
        try await write { c in
            // Taken once: the DELETE's row lock makes a second node's take find nothing.
            guard let row = try await c.row(
                "DELETE FROM oidc_logins WHERE state = \(state) RETURNING nonce, code_verifier, expires_at", logger)
            else { return nil }
            guard try row.date("expires_at") > now else { return nil }
            return StoredOIDCLogin(nonce: try row.get("nonce"), codeVerifier: try row.get("code_verifier"))
        }
    }

    public func user(issuer: String, subject: String) async throws -> User? {
        try await read { c in
            try await c.row(
                """
                SELECT \(unescaped: Self.qualifiedUserColumns) FROM external_identities JOIN users ON users.id = external_identities.user_id
                WHERE issuer = \(issuer) AND subject = \(subject)
                """, logger
            ).map(Self.user)
        }
    }

    public func user(email: String) async throws -> User? {
        try await read { c in
            try await c.row(
                "SELECT \(unescaped: Self.userColumns) FROM users WHERE ascii_lower(email) = ascii_lower(\(email)) AND email IS NOT NULL", logger
            ).map(Self.user)
        }
    }

    public func setUserEmail(userID: Int64, email: String?) async throws {
        do {
            try await write { c in
                if let email,
                    try await c.value(
                        "SELECT 1 FROM users WHERE ascii_lower(email) = ascii_lower(\(email)) AND id <> \(userID)", as: Int32.self, logger) != nil
                {
                    throw StoreError.conflict("email \(email)")
                }
                guard try await c.value("UPDATE users SET email = \(email) WHERE id = \(userID) RETURNING id", as: Int64.self, logger) != nil
                else { throw StoreError.notFound("user \(userID)") }
            }
        } catch StoreError.conflict("users_email") {
            throw StoreError.conflict("email \(email ?? "")")
        }
    }

    public func linkExternalIdentity(issuer: String, subject: String, userID: Int64, audit: AuditDraft) async throws {
        try await write { c in
            let inserted = try await c.value(
                """
                INSERT INTO external_identities (issuer, subject, user_id, created_at) VALUES (\(issuer), \(subject), \(userID), \(Self.now().pg))
                ON CONFLICT DO NOTHING RETURNING 1
                """, as: Int32.self, logger)
            if inserted != nil { try await Self.appendAudit(audit, c, logger) }
        }
    }

    public func createExternalUser(_ new: NewExternalUser, auditDetails: [String: String]) async throws -> User {
        do {
            return try await write { c in
                if try await c.value("SELECT 1 FROM users WHERE ascii_lower(email) = ascii_lower(\(new.email))", as: Int32.self, logger) != nil {
                    throw StoreError.conflict("email \(new.email)")
                }
                // The username is the address when it is a valid, free one; otherwise the address's local part with a number.
                var username = new.user.username
                var n = 1
                while try await c.value("SELECT 1 FROM users WHERE username = \(username)", as: Int32.self, logger) != nil {
                    n += 1
                    guard n < 1000 else { throw StoreError.conflict("username \(new.user.username)") }
                    username = String(new.user.username.prefix(58)) + "-\(n)"
                }
                guard User.isValidUsername(username) else { throw StoreError.invalid("username") }
                let now = Self.now()
                let roles = new.user.roles.map(\.rawValue).sorted().joined(separator: ",")
                let organisation = try await Self.organisationID(forSchool: new.user.school, c, logger)
                let row = try await c.row(
                    """
                    INSERT INTO users (username, display_name, roles, school, password_hash, created_at, email, organisation_id)
                    VALUES (\(username), \(new.user.displayName), \(roles), \(new.user.school), \(new.user.passwordHash), \(now.pg), \(new.email),
                        \(organisation))
                    RETURNING \(unescaped: Self.userColumns)
                    """, logger)!
                let user = try Self.user(row)
                try await c.run(
                    """
                    INSERT INTO external_identities (issuer, subject, user_id, created_at)
                    VALUES (\(new.issuer), \(new.subject), \(user.id), \(now.pg))
                    """, logger)
                var details = auditDetails
                details["username"] = username
                details["roles"] = roles
                try await Self.appendAudit(AuditDraft(actorID: user.id, action: "user.created", subject: "user:\(user.id)", details: details), c, logger)
                return user
            }
        } catch StoreError.conflict("users_email") {
            throw StoreError.conflict("email \(new.email)")
        }
    }
}
