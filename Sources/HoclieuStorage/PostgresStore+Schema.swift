import Foundation
import HoclieuCore
import Logging
import PostgresNIO

/// The schema: one ordered list of named migrations, each applied once, in one transaction, and recorded in
/// `hoclieu_migrations` (as GRDB's `grdb_migrations` does for SQLite). Append new migrations at the end.
///
/// Nodes starting together take a transaction-scoped advisory lock first, so only one applies a migration.
extension PostgresStore {
    struct Migration: Sendable {
        var name: String
        var statements: [String]
    }

    /// Every migration, oldest first.
    static let migrations: [Migration] = [
        Migration(
            name: "v1-core",
            statements: [
                """
                CREATE TABLE organisations (
                    id BIGSERIAL PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('department', 'school')),
                    name TEXT NOT NULL,
                    key TEXT NOT NULL UNIQUE,
                    code TEXT,
                    parent_id BIGINT REFERENCES organisations(id),
                    created_at TIMESTAMPTZ NOT NULL
                )
                """,
                """
                CREATE TABLE users (
                    id BIGSERIAL PRIMARY KEY,
                    username TEXT NOT NULL UNIQUE,
                    display_name TEXT NOT NULL,
                    roles TEXT NOT NULL,
                    school TEXT,
                    password_hash TEXT NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL,
                    disabled BOOLEAN NOT NULL DEFAULT FALSE,
                    email TEXT,
                    organisation_id BIGINT REFERENCES organisations(id),
                    subjects TEXT NOT NULL DEFAULT ''
                )
                """,
                // SQLite's lower() and NOCASE fold ASCII letters only; this does the same.
                """
                CREATE FUNCTION ascii_lower(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
                    RETURN translate($1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
                """,
                "CREATE UNIQUE INDEX users_email ON users (ascii_lower(email)) WHERE email IS NOT NULL",
                "CREATE INDEX users_organisation ON users (organisation_id)",
                """
                CREATE TABLE sessions (
                    token_hash TEXT PRIMARY KEY,
                    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    expires_at TIMESTAMPTZ NOT NULL
                )
                """,
                "CREATE INDEX sessions_user ON sessions (user_id)",
                "CREATE INDEX sessions_expiry ON sessions (expires_at)",
                "CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
                "INSERT INTO counters (name, value) VALUES ('material', 0), ('job', 0), ('question', 0)",
                // The search terms (``SearchDocument``: folded and exact words, title words, facet and visibility
                // terms) are computed in Swift and stored verbatim as a tsvector without positions, the
                // counterpart of SQLite's contentless FTS5 index with detail=none.
                """
                CREATE TABLE materials (
                    id BIGINT PRIMARY KEY,
                    pid TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    format TEXT NOT NULL,
                    title TEXT NOT NULL,
                    description TEXT NOT NULL,
                    language TEXT NOT NULL,
                    subjects TEXT NOT NULL,
                    grades TEXT NOT NULL,
                    knowledge_units TEXT NOT NULL,
                    keywords TEXT NOT NULL,
                    licence TEXT,
                    authors TEXT NOT NULL,
                    school TEXT,
                    visibility TEXT NOT NULL,
                    status TEXT NOT NULL,
                    owner_id BIGINT NOT NULL REFERENCES users(id),
                    current_version INTEGER NOT NULL DEFAULT 0,
                    url TEXT,
                    source_system TEXT,
                    source_identifier TEXT,
                    extracted_text TEXT,
                    facet_lines TEXT[] NOT NULL,
                    terms TSVECTOR NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL,
                    updated_at TIMESTAMPTZ NOT NULL,
                    json TEXT NOT NULL,
                    exposed_public BOOLEAN NOT NULL DEFAULT FALSE,
                    exposed_sector BOOLEAN NOT NULL DEFAULT FALSE
                )
                """,
                """
                CREATE UNIQUE INDEX materials_source ON materials (owner_id, source_system, source_identifier)
                    WHERE source_identifier IS NOT NULL
                """,
                "CREATE INDEX materials_owner ON materials (owner_id)",
                "CREATE INDEX materials_harvest ON materials (updated_at, id)",
                "CREATE INDEX materials_terms ON materials USING gin (terms)",
                // Which harvester classes ever saw a material (SQLite's `material_exposure_*` triggers): set whenever
                // it is published in a public or sector visibility, never unset.
                """
                CREATE FUNCTION materials_exposure() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.status = 'published' AND NEW.visibility IN ('public', 'sector') THEN
                        NEW.exposed_sector := TRUE;
                        NEW.exposed_public := NEW.exposed_public OR NEW.visibility = 'public';
                    END IF;
                    RETURN NEW;
                END $$
                """,
                """
                CREATE TRIGGER materials_exposure BEFORE INSERT OR UPDATE OF status, visibility ON materials
                    FOR EACH ROW EXECUTE FUNCTION materials_exposure()
                """,
                """
                CREATE TABLE material_versions (
                    material_id BIGINT NOT NULL REFERENCES materials(id),
                    number INTEGER NOT NULL CHECK (number >= 1),
                    content_id TEXT NOT NULL CHECK (length(content_id) = 64),
                    file_name TEXT NOT NULL,
                    media_type TEXT NOT NULL,
                    byte_size BIGINT NOT NULL CHECK (byte_size >= 0),
                    note TEXT,
                    created_by BIGINT NOT NULL REFERENCES users(id),
                    created_at TIMESTAMPTZ NOT NULL,
                    package TEXT,
                    thumbnail TEXT CHECK (thumbnail IS NULL OR length(thumbnail) = 64),
                    PRIMARY KEY (material_id, number)
                )
                """,
                "CREATE INDEX material_versions_content ON material_versions (content_id)",
                "CREATE INDEX material_versions_thumbnail ON material_versions (thumbnail) WHERE thumbnail IS NOT NULL",
                // The question bank's rows as far as the core needs them: a question set's status moves its
                // questions' status, and question blobs count as referenced.
                """
                CREATE TABLE questions (
                    id BIGINT PRIMARY KEY,
                    qid TEXT NOT NULL UNIQUE,
                    subject TEXT,
                    grade INTEGER,
                    type TEXT NOT NULL,
                    status TEXT NOT NULL,
                    level TEXT,
                    units TEXT NOT NULL,
                    points DOUBLE PRECISION NOT NULL,
                    version INTEGER NOT NULL CHECK (version >= 1),
                    content_id TEXT NOT NULL CHECK (length(content_id) = 64),
                    id_number TEXT,
                    source TEXT,
                    owner_id BIGINT NOT NULL REFERENCES users(id),
                    created_at TIMESTAMPTZ NOT NULL,
                    updated_at TIMESTAMPTZ NOT NULL,
                    json TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE question_blobs (
                    content_id TEXT NOT NULL CHECK (length(content_id) = 64),
                    question_id BIGINT NOT NULL REFERENCES questions(id),
                    PRIMARY KEY (content_id, question_id)
                )
                """,
                """
                CREATE TABLE question_set_members (
                    material_id BIGINT NOT NULL,
                    question_id TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    PRIMARY KEY (material_id, question_id)
                )
                """,
                "CREATE INDEX question_set_members_question ON question_set_members (question_id)",
            ]),
        Migration(
            name: "v1-jobs-push",
            statements: [
                """
                CREATE TABLE jobs (
                    id BIGINT PRIMARY KEY,
                    jid TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    status TEXT NOT NULL,
                    progress DOUBLE PRECISION NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
                    owner_id BIGINT NOT NULL REFERENCES users(id),
                    input BYTEA NOT NULL,
                    result BYTEA,
                    error TEXT,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    created_at TIMESTAMPTZ NOT NULL,
                    updated_at TIMESTAMPTZ NOT NULL
                )
                """,
                "CREATE INDEX jobs_queue ON jobs (status, id)",
                """
                CREATE TABLE push_requests (
                    owner_id BIGINT NOT NULL REFERENCES users(id),
                    idempotency_key TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    job_id TEXT NOT NULL REFERENCES jobs(jid),
                    created_at TIMESTAMPTZ NOT NULL,
                    PRIMARY KEY (owner_id, idempotency_key)
                )
                """,
            ]),
        organisationMigration,
        oidcMigration,
        ltiMigration,
        harvestMigration,
        questionMigration,
        blueprintMigration,
        catalogMigration,
        reviewMigration,
        renderedRecordsMigration,
        leaseAndExposureMigration,
        harvestRunsMigration,
        uploadMigration,
        searchRowsMigration,
    ]

    /// Applies every migration not yet recorded, in order, each in its own transaction.
    func migrate() async throws {
        try await withLease { connection in
            try await connection.run(
                "CREATE TABLE IF NOT EXISTS hoclieu_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())", logger)
        }
        for migration in Self.migrations {
            try await transaction { connection in
                // One key for every Hoclieu migration: concurrent starters wait, then find it applied.
                try await connection.run("SELECT pg_advisory_xact_lock(7917600)", logger)
                let applied = try await connection.value(
                    "SELECT 1 FROM hoclieu_migrations WHERE name = \(migration.name)", as: Int32.self, logger)
                guard applied == nil else { return }
                for statement in migration.statements {
                    try await connection.run(PostgresQuery(unsafeSQL: statement), logger)
                }
                try await connection.run("INSERT INTO hoclieu_migrations (name) VALUES (\(migration.name))", logger)
                if migration.name == "v1-core" {
                    try await connection.run(
                        """
                        INSERT INTO organisations (kind, name, key, parent_id, created_at)
                        VALUES ('department', \(SQLiteStore.departmentName), \(SQLiteStore.departmentKey), NULL, \(Self.now().pg))
                        """, logger)
                }
            }
        }
    }

    /// The migrations this build knows that the database has not applied, in order (empty: the schema is current).
    public func pendingMigrations() async throws -> [String] {
        let applied = try await read { c in
            Set(try await c.rows("SELECT name FROM hoclieu_migrations", logger).map { try $0.get("name", as: String.self) })
        }
        return Self.migrations.map(\.name).filter { !applied.contains($0) }
    }
}
