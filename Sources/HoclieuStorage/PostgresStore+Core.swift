public import Foundation
public import HoclieuCore
import Logging
import PostgresNIO

/// Users, sessions, materials, versions and operations: ``CoreStore`` on PostgreSQL, ported from ``SQLiteStore``
/// method by method (search is in `PostgresStore+Search.swift`).
extension PostgresStore: CoreStore {
    // MARK: Users and sessions

    static let userColumns = "id, username, display_name, roles, school, password_hash, created_at, disabled, email, organisation_id, subjects"

    /// ``userColumns`` prefixed with the table, for joins.
    static let qualifiedUserColumns = userColumns.split(separator: ",").map { "users." + $0.trimmingCharacters(in: .whitespaces) }
        .joined(separator: ", ")

    static func user(_ row: PostgresRandomAccessRow) throws -> User {
        let roles = Set(try row.get("roles", as: String.self).split(separator: ",").compactMap { Role(rawValue: String($0)) })
        return User(
            id: try row.get("id"), username: try row.get("username"), displayName: try row.get("display_name"), roles: roles,
            school: try row.get("school"), createdAt: try row.date("created_at"), disabled: try row.get("disabled"), email: try row.get("email"),
            organisationID: try row.get("organisation_id"),
            subjects: try row.get("subjects", as: String.self).split(separator: ",").map(String.init))
    }

    public func createUser(_ new: NewUser) async throws -> User {
        guard User.isValidUsername(new.username) else { throw StoreError.invalid("username") }
        do {
            return try await write { c in
                if try await c.value("SELECT 1 FROM users WHERE username = \(new.username)", as: Int32.self, logger) != nil {
                    throw StoreError.conflict("username \(new.username)")
                }
                let organisation = try await Self.organisationID(forSchool: new.school, c, logger)
                let row = try await c.row(
                    """
                    INSERT INTO users (username, display_name, roles, school, password_hash, created_at, organisation_id, subjects)
                    VALUES (\(new.username), \(new.displayName), \(new.roles.map(\.rawValue).sorted().joined(separator: ",")), \(new.school),
                        \(new.passwordHash), \(Self.now().pg), \(organisation), \(SQLiteStore.subjectList(new.subjects)))
                    RETURNING \(unescaped: Self.userColumns)
                    """, logger)
                return try Self.user(row!)
            }
        } catch let error as StoreError {
            // Two nodes creating the same username at once: the unique index decides, with the same error.
            if case .conflict(let what) = error, what == "users_username_key" { throw StoreError.conflict("username \(new.username)") }
            throw error
        }
    }

    /// The organisation an account with this school (or none) belongs to; a school is registered on first use
    /// (``SQLiteStore/organisationID(forSchool:db:)``).
    static func organisationID(forSchool school: String?, _ c: PostgresConnection, _ logger: Logger) async throws -> Int64 {
        let department = try await c.value(
            "SELECT id FROM organisations WHERE kind = 'department' ORDER BY id LIMIT 1", as: Int64.self, logger)!
        guard let school else { return department }
        let key = AccessPolicy.schoolKey(school)
        guard !key.isEmpty else { return department }
        try await c.run(
            """
            INSERT INTO organisations (kind, name, key, parent_id, created_at)
            VALUES ('school', \(VietnameseText.trimmed(school)), \(key), \(department), \(now().pg))
            ON CONFLICT (key) DO NOTHING
            """, logger)
        return try await c.value("SELECT id FROM organisations WHERE key = \(key)", as: Int64.self, logger)!
    }

    public func credentials(username: String) async throws -> (user: User, passwordHash: String)? {
        try await read { c in
            guard let row = try await c.row("SELECT \(unescaped: Self.userColumns) FROM users WHERE username = \(username)", logger) else {
                return nil
            }
            return (try Self.user(row), try row.get("password_hash", as: String.self))
        }
    }

    public func user(id: Int64) async throws -> User? {
        try await read { c in
            try await c.row("SELECT \(unescaped: Self.userColumns) FROM users WHERE id = \(id)", logger).map(Self.user)
        }
    }

    public func userCount() async throws -> Int {
        try await read { c in Int(try await c.value("SELECT count(*) FROM users", as: Int64.self, logger) ?? 0) }
    }

    public func createSession(tokenHash: String, userID: Int64, expiresAt: Date) async throws {
        try await write { c in
            try await c.run("DELETE FROM sessions WHERE expires_at < \(Self.now().pg)", logger)
            try await c.run("INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (\(tokenHash), \(userID), \(expiresAt.pg))", logger)
        }
    }

    public func sessionUser(tokenHash: String, now: Date) async throws -> User? {
        try await read { c in
            try await c.row(
                """
                SELECT \(unescaped: Self.qualifiedUserColumns)
                FROM sessions JOIN users ON users.id = sessions.user_id
                WHERE token_hash = \(tokenHash) AND expires_at > \(now.pg) AND NOT users.disabled
                """, logger
            ).map(Self.user)
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await write { c in try await c.run("DELETE FROM sessions WHERE token_hash = \(tokenHash)", logger) }
    }

    public func deleteSessions(userID: Int64, except: String?) async throws {
        try await write { c in
            try await c.run("DELETE FROM sessions WHERE user_id = \(userID) AND token_hash IS DISTINCT FROM \(except)::text", logger)
        }
    }

    public func setPasswordHash(userID: Int64, hash: String) async throws {
        try await write { c in
            guard try await c.value("UPDATE users SET password_hash = \(hash) WHERE id = \(userID) RETURNING id", as: Int64.self, logger) != nil
            else { throw StoreError.notFound("user \(userID)") }
        }
    }

    public func setUserDisabled(userID: Int64, disabled: Bool) async throws -> User {
        try await write { c in
            guard let row = try await c.row(
                "UPDATE users SET disabled = \(disabled) WHERE id = \(userID) RETURNING \(unescaped: Self.userColumns)", logger)
            else { throw StoreError.notFound("user \(userID)") }
            return try Self.user(row)
        }
    }

    // MARK: Materials

    /// The columns a material is read from (not its index terms).
    static let materialColumns = """
        id, pid, kind, format, title, description, language, subjects, grades, knowledge_units, keywords, licence, authors,
        school, visibility, status, owner_id, current_version, url, source_system, source_identifier, extracted_text,
        created_at, updated_at
        """

    static func material(_ row: PostgresRandomAccessRow) throws -> Material {
        let lines = SQLiteStore.lines
        let sourceSystem: String? = try row.get("source_system")
        let metadata = MaterialMetadata(
            title: try row.get("title"), description: try row.get("description"), language: try row.get("language"),
            subjects: lines(try row.get("subjects")), grades: lines(try row.get("grades")).compactMap { Int($0) },
            knowledgeUnits: lines(try row.get("knowledge_units")), keywords: lines(try row.get("keywords")), licence: try row.get("licence"),
            authors: lines(try row.get("authors")), school: try row.get("school"))
        return Material(
            pid: try PersistentIdentifier(parsing: try row.get("pid")),
            kind: MaterialKind(rawValue: try row.get("kind")) ?? .document,
            format: try row.get("format"),
            metadata: metadata,
            visibility: Visibility(rawValue: try row.get("visibility")) ?? .private,
            status: MaterialStatus(rawValue: try row.get("status")) ?? .draft,
            ownerID: try row.get("owner_id"),
            currentVersion: Int(try row.get("current_version", as: Int32.self)),
            url: try row.get("url"),
            provenance: try sourceSystem.map { Provenance(sourceSystem: $0, sourceIdentifier: try row.get("source_identifier")) },
            createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }

    static func version(_ row: PostgresRandomAccessRow, pid: PersistentIdentifier) throws -> MaterialVersion {
        let package = try row.get("package", as: String?.self).flatMap { try? JSONDecoder().decode(PackageSummary.self, from: Data($0.utf8)) }
        guard let contentID = ContentID(rawValue: try row.get("content_id")) else { throw StoreError.invalid("content id") }
        return MaterialVersion(
            pid: pid, number: Int(try row.get("number", as: Int32.self)), contentID: contentID, fileName: try row.get("file_name"),
            mediaType: try row.get("media_type"), byteSize: try row.get("byte_size"), note: try row.get("note"),
            createdBy: try row.get("created_by"), createdAt: try row.date("created_at"), package: package,
            thumbnail: try row.get("thumbnail", as: String?.self).flatMap(ContentID.init(rawValue:)))
    }

    /// The distinct terms of a material for `array_to_tsvector` (which takes lexemes verbatim). PostgreSQL
    /// refuses lexemes of 2 KiB or more; no query word is that long, so leaving them out changes no result.
    static func lexemes(_ document: SearchDocument) -> [String] {
        var seen = Set<Substring>()
        return document.terms.split(separator: " ").filter { $0.utf8.count < 2048 && seen.insert($0).inserted }.map(String.init)
    }

    /// The facet values stored with the row for counting: `facet=value` strings.
    static func facetLines(_ m: Material) -> [String] {
        SearchDocument.facetValues(m).map { "\($0.0.rawValue)=\($0.1)" }
    }

    /// Inserts a new material row with its index terms and pre-encoded JSON.
    func insert(_ m: Material, extractedText: String?, _ c: PostgresConnection, _ logger: Logger) async throws {
        let md = m.metadata
        let terms = Self.lexemes(SearchDocument(material: m, extractedText: extractedText))
        try await c.run(
            """
            INSERT INTO materials (id, pid, kind, format, title, description, language, subjects, grades, knowledge_units, keywords,
                licence, authors, school, visibility, status, owner_id, current_version, url, source_system, source_identifier,
                extracted_text, facet_lines, terms, created_at, updated_at, json)
            VALUES (\(Int64(m.pid.serial)), \(m.pid.rawValue), \(m.kind.rawValue), \(m.format), \(md.title), \(md.description),
                \(md.language), \(md.subjects.joined(separator: "\n")), \(md.grades.map(String.init).joined(separator: "\n")),
                \(md.knowledgeUnits.joined(separator: "\n")), \(md.keywords.joined(separator: "\n")), \(md.licence),
                \(md.authors.joined(separator: "\n")), \(md.school), \(m.visibility.rawValue), \(m.status.rawValue), \(m.ownerID),
                \(Int32(m.currentVersion)), \(m.url), \(m.provenance?.sourceSystem), \(m.provenance?.sourceIdentifier), \(extractedText),
                \(Self.facetLines(m)), array_to_tsvector(\(terms)::text[]), \(m.createdAt.pg), \(m.updatedAt.pg), \(m.jsonText))
            """, logger)
        try await storeRecords(m, replace: false, c)
    }

    /// Rewrites a changed material's row, index terms and JSON (its identity stays), and lets a question set's
    /// questions follow its status, inside the caller's transaction.
    func rewrite(old: Material, new m: Material, newText: String?, _ c: PostgresConnection, _ logger: Logger) async throws {
        let md = m.metadata
        let terms = Self.lexemes(SearchDocument(material: m, extractedText: newText))
        try await c.run(
            """
            UPDATE materials SET kind = \(m.kind.rawValue), format = \(m.format), title = \(md.title), description = \(md.description),
                language = \(md.language), subjects = \(md.subjects.joined(separator: "\n")),
                grades = \(md.grades.map(String.init).joined(separator: "\n")), knowledge_units = \(md.knowledgeUnits.joined(separator: "\n")),
                keywords = \(md.keywords.joined(separator: "\n")), licence = \(md.licence), authors = \(md.authors.joined(separator: "\n")),
                school = \(md.school), visibility = \(m.visibility.rawValue), status = \(m.status.rawValue), owner_id = \(m.ownerID),
                current_version = \(Int32(m.currentVersion)), url = \(m.url), source_system = \(m.provenance?.sourceSystem),
                source_identifier = \(m.provenance?.sourceIdentifier), extracted_text = \(newText), facet_lines = \(Self.facetLines(m)),
                terms = array_to_tsvector(\(terms)::text[]), created_at = \(m.createdAt.pg), updated_at = \(m.updatedAt.pg), json = \(m.jsonText)
            WHERE id = \(Int64(m.pid.serial))
            """, logger)
        try await storeRecords(m, replace: true, c)
        if m.status != old.status || m.currentVersion != old.currentVersion { try await Self.syncSetQuestions(m, c, logger) }
    }

    /// The set's questions follow its status (``SQLiteStore/syncSetQuestions(_:db:)``).
    static func syncSetQuestions(_ material: Material, _ c: PostgresConnection, _ logger: Logger) async throws {
        guard material.kind == .questionSet, let status = ReviewTransition.questionStatus(forSet: material.status) else { return }
        let serial = Int64(material.pid.serial)
        let ids: [String]
        if status == .published {
            ids = try await c.rows("SELECT question_id FROM question_set_members WHERE material_id = \(serial)", logger).map { try $0.get("question_id") }
        } else {
            ids = try await c.rows(
                """
                SELECT question_id FROM question_set_members m WHERE m.material_id = \(serial)
                AND NOT EXISTS (SELECT 1 FROM question_set_members o JOIN materials ON materials.id = o.material_id
                    WHERE o.question_id = m.question_id AND o.material_id <> m.material_id AND materials.status = 'published')
                """, logger
            ).map { try $0.get("question_id") }
        }
        for id in ids { try await writeQuestionStatus(id: id, status, c, logger) }
    }

    /// Reserves `count` serials and returns the last one (the row lock orders concurrent writers).
    func reserveSerials(_ name: String, count: Int, _ c: PostgresConnection) async throws -> Int {
        Int(try await c.value("UPDATE counters SET value = value + \(Int64(count)) WHERE name = \(name) RETURNING value", as: Int64.self, logger)!)
    }

    func newMaterial(_ draft: MaterialDraft, metadata: MaterialMetadata, ownerID: Int64, _ c: PostgresConnection) async throws -> Material {
        let now = draft.createdAt.map(SQLiteStore.millisecondPrecision) ?? Self.now()
        return Material(
            pid: PersistentIdentifier(prefix: pidPrefix, serial: try await reserveSerials("material", count: 1, c)), kind: draft.kind,
            format: draft.format, metadata: metadata, visibility: draft.visibility, status: draft.status, ownerID: ownerID,
            currentVersion: 0, url: draft.url, provenance: draft.provenance, createdAt: now, updatedAt: now)
    }

    public func createMaterial(_ draft: MaterialDraft, ownerID: Int64, firstVersion: VersionDraft?) async throws -> Material {
        let metadata = try SQLiteStore.validate(draft)
        let conflict = draft.provenance.map { StoreError.conflict("source \($0.sourceSystem) \($0.sourceIdentifier ?? "")") }
        do {
            return try await write { c in
                if let source = draft.provenance, let identifier = source.sourceIdentifier,
                    try await c.value(
                        """
                        SELECT 1 FROM materials WHERE source_system = \(source.sourceSystem) AND source_identifier = \(identifier)
                        AND owner_id = \(ownerID)
                        """, as: Int32.self, logger) != nil
                {
                    throw conflict!
                }
                var material = try await newMaterial(draft, metadata: metadata, ownerID: ownerID, c)
                try await self.insert(material, extractedText: draft.extractedText, c, logger)
                if let firstVersion { _ = try await appendVersion(to: &material, firstVersion, c) }
                return material
            }
        } catch StoreError.conflict("materials_source") {
            throw conflict!
        }
    }

    public func createMaterials(_ drafts: [MaterialDraft], ownerID: Int64) async throws -> Int {
        guard !drafts.isEmpty else { return 0 }
        let count = drafts.count
        let last = try await write { c in try await reserveSerials("material", count: count, c) }
        let first = last - count + 1
        let prefix = pidPrefix
        // Validated and encoded before the transaction, as SQLite's bulk path does; a gap of reserved serials is harmless.
        let materials = try drafts.enumerated().map { offset, draft in
            let metadata = try SQLiteStore.validate(draft)
            let now = draft.createdAt.map(SQLiteStore.millisecondPrecision) ?? Self.now()
            return (
                Material(
                    pid: PersistentIdentifier(prefix: prefix, serial: first + offset), kind: draft.kind, format: draft.format, metadata: metadata,
                    visibility: draft.visibility, status: draft.status, ownerID: ownerID, currentVersion: 0, url: draft.url,
                    provenance: draft.provenance, createdAt: now, updatedAt: now), draft.extractedText
            )
        }
        try await write { c in
            for (material, text) in materials { try await self.insert(material, extractedText: text, c, logger) }
        }
        return count
    }

    public func material(_ pid: PersistentIdentifier) async throws -> Material? {
        try await read { c in
            try await c.row("SELECT \(unescaped: Self.materialColumns) FROM materials WHERE pid = \(pid.rawValue)", logger).map(Self.material)
        }
    }

    public func material(source: Provenance, ownerID: Int64) async throws -> Material? {
        try await read { c in
            try await c.row(
                """
                SELECT \(unescaped: Self.materialColumns) FROM materials
                WHERE source_system = \(source.sourceSystem) AND source_identifier IS NOT DISTINCT FROM \(source.sourceIdentifier)::text
                AND owner_id = \(ownerID)
                """, logger
            ).map(Self.material)
        }
    }

    /// Reads a material for change, locking its row until the transaction ends.
    func load(_ pid: PersistentIdentifier, _ c: PostgresConnection) async throws -> (Material, String?) {
        guard let row = try await c.row("SELECT \(unescaped: Self.materialColumns) FROM materials WHERE pid = \(pid.rawValue) FOR UPDATE", logger)
        else { throw StoreError.notFound(pid.rawValue) }
        return (try Self.material(row), try row.get("extracted_text"))
    }

    public func updateMaterial(
        _ pid: PersistentIdentifier, metadata: MaterialMetadata?, visibility: Visibility?, status: MaterialStatus?
    ) async throws -> Material {
        let normalised = metadata?.normalised()
        if let problem = ((metadata?.violations() ?? []) + (normalised?.violations() ?? [])).first { throw StoreError.invalid(problem.message) }
        return try await write { c in
            let (old, text) = try await load(pid, c)
            var new = old
            if let normalised { new.metadata = normalised }
            if let visibility { new.visibility = visibility }
            if let status { new.status = status }
            new.updatedAt = max(Self.now(), old.updatedAt)
            try await self.rewrite(old: old, new: new, newText: text, c, logger)
            return new
        }
    }

    /// Writes the next version row of `material` (after the highest number: versions waiting for review are
    /// numbered too); the material row is the caller's to update (``SQLiteStore``'s `writeVersion`).
    func writeVersionRow(of material: Material, _ draft: VersionDraft, _ c: PostgresConnection) async throws -> MaterialVersion {
        let now = Self.now()
        let highest = try await c.value(
            "SELECT max(number) FROM material_versions WHERE material_id = \(Int64(material.pid.serial))", as: Int32.self, logger)
        let version = MaterialVersion(
            pid: material.pid, number: max(Int(highest ?? 0), material.currentVersion) + 1, contentID: draft.contentID,
            fileName: draft.fileName, mediaType: draft.mediaType, byteSize: draft.byteSize, note: draft.note, createdBy: draft.createdBy,
            createdAt: now, package: draft.package, thumbnail: draft.thumbnail)
        let package = try draft.package.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try await c.run(
            """
            INSERT INTO material_versions
                (material_id, number, content_id, file_name, media_type, byte_size, note, created_by, created_at, package, thumbnail)
            VALUES (\(Int64(material.pid.serial)), \(Int32(version.number)), \(version.contentID.rawValue), \(version.fileName),
                \(version.mediaType), \(version.byteSize), \(version.note), \(version.createdBy), \(now.pg), \(package), \(draft.thumbnail?.rawValue))
            """, logger)
        return version
    }

    /// Adds the next version of a locked material (``SQLiteStore/appendVersion(to:_:db:)``).
    func appendVersion(to material: inout Material, _ draft: VersionDraft, _ c: PostgresConnection) async throws -> MaterialVersion {
        let old = material
        let version = try await writeVersionRow(of: material, draft, c)
        // A change waiting for review leaves the material (its current version, metadata and index) as it is.
        guard !draft.pending else { return version }
        material.currentVersion = version.number
        if material.kind != .link { material.format = draft.package?.kind ?? draft.mediaType }
        let oldText = try await c.value(
            "SELECT extracted_text FROM materials WHERE id = \(Int64(old.pid.serial))", as: String.self, logger)
        if let metadata = draft.metadata {
            let normalised = metadata.normalised()
            if let problem = (metadata.violations() + normalised.violations()).first { throw problem }
            material.metadata = normalised
        }
        material.updatedAt = max(version.createdAt, old.updatedAt)
        try await self.rewrite(old: old, new: material, newText: draft.extractedText ?? oldText, c, logger)
        return version
    }

    public func addVersion(_ pid: PersistentIdentifier, _ draft: VersionDraft) async throws -> MaterialVersion {
        try await write { c in
            var (material, _) = try await load(pid, c)
            return try await appendVersion(to: &material, draft, c)
        }
    }

    public func versions(_ pid: PersistentIdentifier) async throws -> [MaterialVersion] {
        try await read { c in
            try await c.rows(
                "SELECT v.* FROM material_versions v JOIN materials m ON m.id = v.material_id WHERE m.pid = \(pid.rawValue) ORDER BY v.number",
                logger
            ).map { try Self.version($0, pid: pid) }
        }
    }

    public func version(_ pid: PersistentIdentifier, number: Int) async throws -> MaterialVersion? {
        try await read { c in
            try await c.row(
                """
                SELECT v.* FROM material_versions v JOIN materials m ON m.id = v.material_id
                WHERE m.pid = \(pid.rawValue) AND v.number = \(Int32(clamping: number))
                """, logger
            ).map { try Self.version($0, pid: pid) }
        }
    }

    public func isReferenced(_ contentID: ContentID) async throws -> Bool {
        try await read { c in
            let id = contentID.rawValue
            return try await c.value(
                """
                SELECT 1 FROM material_versions WHERE content_id = \(id) OR thumbnail = \(id)
                UNION ALL SELECT 1 FROM question_blobs WHERE content_id = \(id)
                UNION ALL SELECT 1 FROM jobs WHERE status IN ('queued', 'running', 'cancelling') AND position(convert_to(\(id), 'UTF8') IN input) > 0
                LIMIT 1
                """, as: Int32.self, logger) != nil
        }
    }

    // MARK: Operations

    public func referencedContentIDs() async throws -> Set<ContentID> {
        try await read { c in
            var ids = Set<ContentID>()
            let rows = try await c.query(
                """
                SELECT content_id FROM material_versions UNION SELECT thumbnail FROM material_versions WHERE thumbnail IS NOT NULL
                UNION SELECT content_id FROM question_blobs
                """, logger: logger)
            for try await row in rows {
                let text = try row.decode(String.self)
                guard let id = ContentID(rawValue: text) else { throw StoreError.invalid("content id \(text)") }
                ids.insert(id)
            }
            return ids
        }
    }

    /// PostgreSQL keeps its own pages and constraints consistent (there is no `PRAGMA integrity_check`);
    /// these are the cross-checks SQLite's store makes, plus the search terms of a sample of rows.
    public func integrityProblems() async throws -> [String] {
        try await read { c in
            var problems: [String] = []
            if try await c.value(
                """
                SELECT count(*) FROM materials
                WHERE current_version <> (SELECT count(*) FROM material_versions v WHERE v.material_id = materials.id)
                """, as: Int64.self, logger) != 0
            {
                problems.append("material rows whose currentVersion disagrees with their versions")
            }
            let maxSerial = try await c.value("SELECT max(id) FROM materials", as: Int64.self, logger) ?? 0
            let counter = try await c.value("SELECT value FROM counters WHERE name = 'material'", as: Int64.self, logger) ?? 0
            if maxSerial > counter { problems.append("identifier counter \(counter) is behind the highest serial \(maxSerial)") }
            // The newest rows' stored terms must be what the Swift indexer computes from the row.
            for row in try await c.rows(
                "SELECT \(unescaped: Self.materialColumns), array_to_string(tsvector_to_array(terms), ' ') AS stored FROM materials ORDER BY id DESC LIMIT 100",
                logger)
            {
                let material = try Self.material(row)
                let expected = Set(Self.lexemes(SearchDocument(material: material, extractedText: try row.get("extracted_text"))))
                let stored = Set(try row.get("stored", as: String.self).split(separator: " ").map(String.init))
                if expected != stored { problems.append("search index: terms of \(material.pid.rawValue) differ from its row") }
            }
            return problems
        }
    }

    /// Writes a consistent copy with `pg_dump --format=custom` (a snapshot of one transaction while the store stays
    /// in use; `pg_restore` reads it). Throws when `pg_dump` is not installed.
    public func backupDatabase(to url: URL) async throws {
        try Self.runClientTool(
            "pg_dump", ["--format=custom", "--no-owner", "--file=\(url.path)", "--dbname=\(settings.redacted)"], settings: settings,
            purpose: "to back up a PostgreSQL store")
    }

    /// Runs PostgreSQL's client program `name` (`pg_dump`, `pg_restore`) with `arguments`, the password through
    /// `PGPASSWORD` (never on the command line); throws with its error output when it fails or is not installed.
    static func runClientTool(_ name: String, _ arguments: [String], settings: ConnectionSettings, purpose: String) throws {
        let candidates = ["/usr/bin/", "/usr/lib/postgresql/15/bin/", "/usr/local/bin/"].map { $0 + name }
        guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw StoreError.invalid("\(name) is not installed: install postgresql-client \(purpose)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        if let password = settings.password { environment["PGPASSWORD"] = password }
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw StoreError.invalid("\(name) failed (\(process.terminationStatus)): \(String(decoding: message, as: UTF8.self))")
        }
    }

    public func statistics() async throws -> StoreStatistics {
        try await read { c in
            StoreStatistics(
                materials: Int(try await c.value("SELECT count(*) FROM materials", as: Int64.self, logger) ?? 0),
                versions: Int(try await c.value("SELECT count(*) FROM material_versions", as: Int64.self, logger) ?? 0),
                users: Int(try await c.value("SELECT count(*) FROM users", as: Int64.self, logger) ?? 0),
                blobBytes: try await c.value(
                    "SELECT coalesce(sum(byte_size), 0)::bigint FROM (SELECT DISTINCT content_id, byte_size FROM material_versions) d",
                    as: Int64.self, logger) ?? 0,
                jobsQueued: Int(try await c.value("SELECT count(*) FROM jobs WHERE status = 'queued'", as: Int64.self, logger) ?? 0),
                jobsRunning: Int(
                    try await c.value("SELECT count(*) FROM jobs WHERE status IN ('running', 'cancelling')", as: Int64.self, logger) ?? 0))
        }
    }

    /// Moves the GIN index's pending list into the index proper (PostgreSQL's counterpart of FTS5's merges);
    /// one call does all of it, so nothing is left for later.
    public func maintainSearchIndex(budget: Duration) async throws -> Bool {
        try await migrated()
        try await withLease { c in
            try await c.run("SELECT gin_clean_pending_list('material_search_terms'::regclass)", logger)
        }
        return false
    }

    /// After a bulk load: cleans the index's pending list and refreshes the planner's statistics.
    public func optimizeSearchIndex() async throws {
        try await migrated()
        try await withLease { c in
            try await c.run("SELECT gin_clean_pending_list('material_search_terms'::regclass)", logger)
            try await c.run("ANALYZE materials", logger)
            try await c.run("ANALYZE material_search", logger)
        }
    }

    public func searchIndexBytes() async throws -> Int64 {
        try await read { c in try await c.value("SELECT pg_relation_size('material_search_terms')", as: Int64.self, logger) ?? 0 }
    }
}
