public import Foundation
public import HoclieuCore
import Logging
import PostgresNIO

/// LTI 1.3 on PostgreSQL: platforms, the tool's keys, logins and nonces (shared by every node: a launch started
/// on one node completes on another, and a nonce is used once across all of them), and scores to send back.
extension PostgresStore: LTIStore {
    static let ltiMigration = Migration(
        name: "v4-lti",
        statements: [
            """
            CREATE TABLE lti_platforms (
                id BIGSERIAL PRIMARY KEY,
                issuer TEXT NOT NULL,
                client_id TEXT NOT NULL,
                deployment_ids TEXT NOT NULL,
                auth_url TEXT NOT NULL,
                token_url TEXT NOT NULL,
                jwks_url TEXT NOT NULL,
                school TEXT,
                created_at TIMESTAMPTZ NOT NULL,
                UNIQUE (issuer, client_id)
            )
            """,
            """
            CREATE TABLE lti_tool_keys (
                kid TEXT PRIMARY KEY,
                private_key_pem TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                retired_at TIMESTAMPTZ
            )
            """,
            """
            CREATE TABLE lti_logins (
                state TEXT PRIMARY KEY,
                nonce TEXT NOT NULL,
                platform_id BIGINT NOT NULL REFERENCES lti_platforms(id) ON DELETE CASCADE,
                expires_at TIMESTAMPTZ NOT NULL
            )
            """,
            "CREATE INDEX lti_logins_expiry ON lti_logins (expires_at)",
            "CREATE TABLE lti_nonces (nonce TEXT PRIMARY KEY, expires_at TIMESTAMPTZ NOT NULL)",
            "CREATE INDEX lti_nonces_expiry ON lti_nonces (expires_at)",
            """
            CREATE TABLE lti_scores (
                id BIGSERIAL PRIMARY KEY,
                platform_id BIGINT NOT NULL REFERENCES lti_platforms(id) ON DELETE CASCADE,
                line_item TEXT NOT NULL,
                user_id TEXT NOT NULL,
                pid TEXT NOT NULL,
                score_given DOUBLE PRECISION NOT NULL,
                score_maximum DOUBLE PRECISION NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT,
                created_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL
            )
            """,
            "CREATE INDEX lti_scores_status ON lti_scores (status, id)",
            "CREATE INDEX lti_scores_line_item ON lti_scores (platform_id, line_item, id)",
        ])

    private static func platform(_ row: PostgresRandomAccessRow) throws -> LTIPlatform {
        let deployments = try JSONDecoder().decode([String].self, from: Data(try row.get("deployment_ids", as: String.self).utf8))
        func url(_ column: String) throws -> URL {
            guard let url = URL(string: try row.get(column, as: String.self)) else { throw StoreError.invalid("ltiPlatform.\(column)") }
            return url
        }
        return LTIPlatform(
            id: try row.get("id"), issuer: try row.get("issuer"), clientID: try row.get("client_id"), deploymentIDs: deployments,
            authURL: try url("auth_url"), tokenURL: try url("token_url"), jwksURL: try url("jwks_url"), school: try row.get("school"),
            createdAt: try row.date("created_at"))
    }

    public func addLTIPlatform(_ platform: LTIPlatform) async throws -> LTIPlatform {
        let deployments = String(decoding: try JSONEncoder().encode(platform.deploymentIDs), as: UTF8.self)
        let now = Self.now()
        let conflict = StoreError.conflict("nền tảng LTI / LTI platform \(platform.issuer) \(platform.clientID)")
        do {
            return try await write { c in
                if try await c.value(
                    "SELECT 1 FROM lti_platforms WHERE issuer = \(platform.issuer) AND client_id = \(platform.clientID)", as: Int32.self, logger) != nil
                {
                    throw conflict
                }
                let id = try await c.value(
                    """
                    INSERT INTO lti_platforms (issuer, client_id, deployment_ids, auth_url, token_url, jwks_url, school, created_at)
                    VALUES (\(platform.issuer), \(platform.clientID), \(deployments), \(platform.authURL.absoluteString),
                        \(platform.tokenURL.absoluteString), \(platform.jwksURL.absoluteString), \(platform.school), \(now.pg))
                    RETURNING id
                    """, as: Int64.self, logger)!
                var stored = platform
                stored.id = id
                stored.createdAt = now
                return stored
            }
        } catch StoreError.conflict("lti_platforms_issuer_client_id_key") {
            throw conflict
        }
    }

    public func ltiPlatforms() async throws -> [LTIPlatform] {
        try await read { c in try await c.rows("SELECT * FROM lti_platforms ORDER BY id", logger).map(Self.platform) }
    }

    public func ltiPlatform(id: Int64) async throws -> LTIPlatform? {
        try await read { c in try await c.row("SELECT * FROM lti_platforms WHERE id = \(id)", logger).map(Self.platform) }
    }

    public func ltiPlatform(issuer: String, clientIDs: [String]) async throws -> LTIPlatform? {
        let rows = try await read { c in
            try await c.rows("SELECT * FROM lti_platforms WHERE issuer = \(issuer) ORDER BY id", logger).map(Self.platform)
        }
        if clientIDs.isEmpty { return rows.count == 1 ? rows[0] : nil }
        return rows.first { clientIDs.contains($0.clientID) }
    }

    public func deleteLTIPlatform(id: Int64) async throws {
        try await write { c in
            try await c.run("DELETE FROM lti_logins WHERE platform_id = \(id)", logger)
            try await c.run("DELETE FROM lti_scores WHERE platform_id = \(id)", logger)
            guard try await c.value("DELETE FROM lti_platforms WHERE id = \(id) RETURNING id", as: Int64.self, logger) != nil else {
                throw StoreError.notFound("nền tảng LTI / LTI platform \(id)")
            }
        }
    }

    public func ltiToolKeys() async throws -> [StoredLTIToolKey] {
        try await read { c in
            try await c.rows("SELECT * FROM lti_tool_keys ORDER BY created_at DESC", logger).map { row in
                StoredLTIToolKey(
                    kid: try row.get("kid"), privateKeyPEM: try row.get("private_key_pem"), createdAt: try row.date("created_at"),
                    retiredAt: try row.optionalDate("retired_at"))
            }
        }
    }

    public func addLTIToolKey(_ key: StoredLTIToolKey, retiringOthersAt: Date?) async throws {
        try await write { c in
            if let retiringOthersAt {
                try await c.run("UPDATE lti_tool_keys SET retired_at = \(retiringOthersAt.pg) WHERE retired_at IS NULL", logger)
            }
            try await c.run(
                """
                INSERT INTO lti_tool_keys (kid, private_key_pem, created_at, retired_at)
                VALUES (\(key.kid), \(key.privateKeyPEM), \(key.createdAt.pg), \(key.retiredAt?.pg))
                """, logger)
        }
    }

    public func saveLTILogin(state: String, nonce: String, platformID: Int64, expiresAt: Date) async throws {
        let now = Self.now()
        try await write { c in
            try await c.run("DELETE FROM lti_logins WHERE expires_at < \(now.pg)", logger)
            try await c.run(
                "INSERT INTO lti_logins (state, nonce, platform_id, expires_at) VALUES (\(state), \(nonce), \(platformID), \(expiresAt.pg))", logger)
        }
    }

    public func takeLTILogin(state: String, now: Date) async throws -> (nonce: String, platformID: Int64)? {
        try await write { c in
            guard let row = try await c.row("DELETE FROM lti_logins WHERE state = \(state) RETURNING nonce, platform_id, expires_at", logger)
            else { return nil }
            guard try row.date("expires_at") > now else { return nil }
            return (try row.get("nonce", as: String.self), try row.get("platform_id", as: Int64.self))
        }
    }

    public func consumeLTINonce(_ nonce: String, expiresAt: Date, now: Date) async throws -> Bool {
        try await write { c in
            try await c.run("DELETE FROM lti_nonces WHERE expires_at < \(now.pg)", logger)
            return try await c.value(
                "INSERT INTO lti_nonces (nonce, expires_at) VALUES (\(nonce), \(expiresAt.pg)) ON CONFLICT DO NOTHING RETURNING 1", as: Int32.self,
                logger) != nil
        }
    }

    public func recordLTIScore(
        platformID: Int64, lineItem: String, userID: String, pid: String, scoreGiven: Double, scoreMaximum: Double
    ) async throws -> Int64 {
        let now = Self.now()
        return try await write { c in
            try await c.value(
                """
                INSERT INTO lti_scores (platform_id, line_item, user_id, pid, score_given, score_maximum, status, attempts, created_at, updated_at)
                VALUES (\(platformID), \(lineItem), \(userID), \(pid), \(scoreGiven), \(scoreMaximum), 'pending', 0, \(now.pg), \(now.pg))
                RETURNING id
                """, as: Int64.self, logger)!
        }
    }

    public func updateLTIScore(id: Int64, status: StoredLTIScore.Status, attempts: Int, lastError: String?) async throws {
        let now = Self.now()
        try await write { c in
            try await c.run(
                """
                UPDATE lti_scores SET status = \(status.rawValue), attempts = \(Int32(clamping: attempts)), last_error = \(lastError),
                    updated_at = \(now.pg)
                WHERE id = \(id)
                """, logger)
        }
    }

    public func ltiScores(failedOnly: Bool, limit: Int) async throws -> [StoredLTIScore] {
        let limit = Int64(min(max(limit, 1), 500))
        return try await read { c in
            try await c.rows(
                "SELECT * FROM lti_scores \(unescaped: failedOnly ? "WHERE status = 'failed'" : "") ORDER BY id DESC LIMIT \(limit)", logger
            ).map(Self.score)
        }
    }

    public func ltiScores(platformID: Int64, lineItem: String, limit: Int) async throws -> [StoredLTIScore] {
        let limit = Int64(min(max(limit, 1), 500))
        return try await read { c in
            try await c.rows(
                "SELECT * FROM lti_scores WHERE platform_id = \(platformID) AND line_item = \(lineItem) ORDER BY id DESC LIMIT \(limit)", logger
            ).map(Self.score)
        }
    }

    private static func score(_ row: PostgresRandomAccessRow) throws -> StoredLTIScore {
        StoredLTIScore(
            id: try row.get("id"), platformID: try row.get("platform_id"), lineItem: try row.get("line_item"), userID: try row.get("user_id"),
            pid: try row.get("pid"), scoreGiven: try row.get("score_given"), scoreMaximum: try row.get("score_maximum"),
            status: StoredLTIScore.Status(rawValue: try row.get("status")) ?? .failed, attempts: Int(try row.get("attempts", as: Int32.self)),
            lastError: try row.get("last_error"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
