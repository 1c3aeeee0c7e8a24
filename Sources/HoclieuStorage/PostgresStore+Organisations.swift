public import Foundation
public import HoclieuCore
import Logging
import PostgresNIO

/// The audit chain's append (shared by every audited write), organisations and LMS clients on PostgreSQL.
extension PostgresStore {
    static let organisationMigration = Migration(
        name: "v2-audit-organisations-clients",
        statements: [
            """
            CREATE TABLE audit_events (
                seq BIGINT PRIMARY KEY,
                at_ms BIGINT NOT NULL,
                actor_id BIGINT,
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                details TEXT NOT NULL,
                previous_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )
            """,
            "CREATE INDEX audit_events_subject ON audit_events (subject, seq)",
            "CREATE INDEX audit_events_actor ON audit_events (actor_id, seq)",
            "CREATE INDEX audit_events_action ON audit_events (action, seq)",
            "CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL)",
            // Append-only: the service never edits or deletes an event (the hash chain catches whoever does).
            """
            CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit log is append-only';
            END $$
            """,
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()",
            """
            CREATE TABLE lms_clients (
                id BIGSERIAL PRIMARY KEY,
                client_id TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                user_id BIGINT NOT NULL REFERENCES users(id),
                scopes TEXT NOT NULL,
                secret_hash TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                created_by BIGINT NOT NULL,
                last_used_at TIMESTAMPTZ,
                revoked_at TIMESTAMPTZ
            )
            """,
        ])

    /// Appends one event to the hash chain inside the caller's transaction (``SQLiteStore/appendAudit(_:db:)``).
    /// The chain's head row is locked, so appends from every node form one sequence.
    @discardableResult
    static func appendAudit(_ draft: AuditDraft, _ c: PostgresConnection, _ logger: Logger) async throws -> AuditEvent {
        try await c.run("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, \(AuditChain.genesis)) ON CONFLICT (id) DO NOTHING", logger)
        let head = try await c.row("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE", logger)!
        let seq = try head.get("seq", as: Int64.self) + 1
        let previous = try head.get("hash", as: String.self)
        let atMs = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let details = AuditChain.canonicalDetails(draft.details)
        var record = AuditRecord(
            seq: seq, atMilliseconds: atMs, actorID: draft.actorID, action: draft.action, subject: draft.subject, details: details,
            previousHash: previous, hash: "")
        let hash = record.expectedHash
        try await c.run(
            """
            INSERT INTO audit_events (seq, at_ms, actor_id, action, subject, details, previous_hash, hash)
            VALUES (\(seq), \(atMs), \(draft.actorID), \(draft.action), \(draft.subject), \(details), \(previous), \(hash))
            """, logger)
        try await c.run("UPDATE audit_head SET seq = \(seq), hash = \(hash) WHERE id = 1", logger)
        record.hash = hash
        return record.event
    }
}

extension PostgresStore: OrganisationStore {
    static let organisationColumns =
        "organisations.*, (SELECT count(*) FROM users WHERE users.organisation_id = organisations.id) AS user_count"

    static func organisation(_ row: PostgresRandomAccessRow) throws -> Organisation {
        Organisation(
            id: try row.get("id"), kind: Organisation.Kind(rawValue: try row.get("kind")) ?? .school, name: try row.get("name"),
            key: try row.get("key"), code: try row.get("code"), parentID: try row.get("parent_id"), createdAt: try row.date("created_at"),
            userCount: Int(try row.get("user_count", as: Int64.self)))
    }

    public func organisations() async throws -> [Organisation] {
        try await read { c in
            // SQLite's `name COLLATE NOCASE`: ASCII case folded, other letters as they are.
            try await c.rows(
                """
                SELECT \(unescaped: Self.organisationColumns) FROM organisations
                ORDER BY kind = 'school', ascii_lower(name) COLLATE "C", id
                """, logger
            ).map(Self.organisation)
        }
    }

    public func organisation(id: Int64) async throws -> Organisation? {
        try await read { c in
            try await c.row("SELECT \(unescaped: Self.organisationColumns) FROM organisations WHERE id = \(id)", logger).map(Self.organisation)
        }
    }

    public func createSchool(name: String, code: String?, by actorID: Int64) async throws -> Organisation {
        let name = VietnameseText.trimmed(name)
        let key = AccessPolicy.schoolKey(name)
        guard !key.isEmpty else { throw StoreError.invalid("name") }
        let conflict = StoreError.conflict("trường / school \(name)")
        do {
            return try await write { c in
                if try await c.value("SELECT 1 FROM organisations WHERE key = \(key)", as: Int32.self, logger) != nil { throw conflict }
                let department = try await Self.organisationID(forSchool: nil, c, logger)
                let id = try await c.value(
                    """
                    INSERT INTO organisations (kind, name, key, code, parent_id, created_at)
                    VALUES ('school', \(name), \(key), \(code), \(department), \(Self.now().pg)) RETURNING id
                    """, as: Int64.self, logger)!
                try await Self.appendAudit(
                    AuditDraft(actorID: actorID, action: "organisation.created", subject: "organisation:\(id)", details: ["name": name, "code": code ?? ""]),
                    c, logger)
                return try Self.organisation(
                    try await c.row("SELECT \(unescaped: Self.organisationColumns) FROM organisations WHERE id = \(id)", logger)!)
            }
        } catch StoreError.conflict("organisations_key_key") {
            throw conflict
        }
    }

    public func updateOrganisation(id: Int64, name: String?, code: String?, by actorID: Int64) async throws -> Organisation {
        try await write { c in
            guard let row = try await c.row(
                "SELECT \(unescaped: Self.organisationColumns) FROM organisations WHERE id = \(id) FOR UPDATE", logger)
            else { throw StoreError.notFound("tổ chức / organisation \(id)") }
            var current = try Self.organisation(row)
            var details: [String: String] = [:]
            if let name = name.map(VietnameseText.trimmed), name != current.name {
                guard !name.isEmpty else { throw StoreError.invalid("name") }
                guard current.kind == .department || AccessPolicy.schoolKey(name) == current.key else {
                    throw StoreError.conflict("đổi tên trường thành tên khác khoá / a school's new name must fold to the same key (\(current.key))")
                }
                details["name"] = name
                current.name = name
            }
            if let code, code != current.code {
                details["code"] = code
                current.code = code.isEmpty ? nil : code
            }
            guard !details.isEmpty else { return current }
            try await c.run("UPDATE organisations SET name = \(current.name), code = \(current.code) WHERE id = \(id)", logger)
            try await Self.appendAudit(
                AuditDraft(actorID: actorID, action: "organisation.updated", subject: "organisation:\(id)", details: details), c, logger)
            return current
        }
    }

    public func users(inOrganisation id: Int64) async throws -> [User] {
        try await read { c in
            try await c.rows(
                "SELECT \(unescaped: Self.userColumns) FROM users WHERE organisation_id = \(id) ORDER BY username COLLATE \"C\"", logger
            ).map(Self.user)
        }
    }
}

extension PostgresStore: ClientStore {
    static func client(_ row: PostgresRandomAccessRow) throws -> LMSClient {
        LMSClient(
            id: try row.get("id"), clientID: try row.get("client_id"), name: try row.get("name"), userID: try row.get("user_id"),
            scopes: Set(try row.get("scopes", as: String.self).split(separator: ",").compactMap { ClientScope(rawValue: String($0)) }),
            createdAt: try row.date("created_at"), createdBy: try row.get("created_by"), lastUsedAt: try row.optionalDate("last_used_at"),
            revokedAt: try row.optionalDate("revoked_at"))
    }

    static let clientColumns = "id, client_id, name, user_id, scopes, secret_hash, created_at, created_by, last_used_at, revoked_at"

    public func createClient(clientID: String, name: String, scopes: Set<ClientScope>, secretHash: String, by actorID: Int64) async throws -> LMSClient {
        try await write { c in
            let now = Self.now()
            let scopeList = scopes.map(\.rawValue).sorted().joined(separator: ",")
            // The owner account: never signs in with a password ("-" matches no bcrypt hash).
            let organisation = try await Self.organisationID(forSchool: nil, c, logger)
            let userID = try await c.value(
                """
                INSERT INTO users (username, display_name, roles, school, password_hash, created_at, organisation_id)
                VALUES (\("client." + clientID.lowercased()), \(name), 'lms_client', NULL, '-', \(now.pg), \(organisation)) RETURNING id
                """, as: Int64.self, logger)!
            let client = try Self.client(
                try await c.row(
                    """
                    INSERT INTO lms_clients (client_id, name, user_id, scopes, secret_hash, created_at, created_by)
                    VALUES (\(clientID), \(name), \(userID), \(scopeList), \(secretHash), \(now.pg), \(actorID))
                    RETURNING \(unescaped: Self.clientColumns)
                    """, logger)!)
            try await Self.appendAudit(
                AuditDraft(
                    actorID: actorID, action: "client.created", subject: "client:\(client.id)",
                    details: ["clientId": clientID, "name": name, "scopes": scopeList]), c, logger)
            return client
        }
    }

    public func clients() async throws -> [LMSClient] {
        try await read { c in try await c.rows("SELECT \(unescaped: Self.clientColumns) FROM lms_clients ORDER BY id", logger).map(Self.client) }
    }

    public func client(clientID: String) async throws -> (client: LMSClient, secretHash: String, user: User)? {
        try await read { c in
            guard let row = try await c.row("SELECT \(unescaped: Self.clientColumns) FROM lms_clients WHERE client_id = \(clientID)", logger),
                let user = try await c.row(
                    "SELECT \(unescaped: Self.userColumns) FROM users WHERE id = \(try row.get("user_id", as: Int64.self))", logger)
            else { return nil }
            return (try Self.client(row), try row.get("secret_hash", as: String.self), try Self.user(user))
        }
    }

    public func touchClient(id: Int64, at: Date) async throws {
        try await write { c in try await c.run("UPDATE lms_clients SET last_used_at = \(at.pg) WHERE id = \(id)", logger) }
    }

    public func revokeClient(id: Int64, by actorID: Int64) async throws -> LMSClient {
        try await write { c in
            guard let row = try await c.row(
                """
                UPDATE lms_clients SET revoked_at = coalesce(revoked_at, \(Self.now().pg)) WHERE id = \(id)
                RETURNING \(unescaped: Self.clientColumns)
                """, logger)
            else { throw StoreError.notFound("client \(id)") }
            try await Self.appendAudit(AuditDraft(actorID: actorID, action: "client.revoked", subject: "client:\(id)"), c, logger)
            return try Self.client(row)
        }
    }
}
