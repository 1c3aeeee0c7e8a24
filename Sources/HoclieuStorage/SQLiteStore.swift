public import Foundation
import GRDB
public import HoclieuCore
import Synchronization

/// The embedded store: one SQLite database in WAL mode, through a GRDB `DatabasePool`.
public final class SQLiteStore: Store {
    let pool: DatabasePool
    /// Reads that sweep a whole table (harvest pages, the start-up refresh of stored records): read-only connections
    /// with no memory map and a 4 MiB page cache, so a full harvest of a million records reads the file through the
    /// operating system's cache instead of mapping it into the process (which grew the server's RSS by the database's size).
    let scanPool: DatabasePool
    /// The configured identifier prefix, e.g. `79-760`.
    public let pidPrefix: String
    /// Writes harvest records with every published material (``HarvestStore/setRecordRenderer(_:)``).
    let recordRenderer = Mutex<RecordRenderer?>(nil)

    /// Opens (creating if needed) the database at `path` and runs every pending migration.
    public init(path: String, pidPrefix: String) throws {
        guard PersistentIdentifier.validatePrefix(pidPrefix) else { throw StoreError.invalid("pid prefix '\(pidPrefix)'") }
        self.pidPrefix = pidPrefix.uppercased()
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL with FULL sync: every acknowledged commit is on disk, even across a power cut.
            // Memory-mapped reads and a 64 MiB page cache per connection keep the index's posting
            // lists out of pread/memcpy.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA mmap_size = 4294967296")
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
        var scan = Configuration()
        scan.readonly = true
        scan.busyMode = .timeout(10)
        scan.maximumReaderCount = 3
        scan.prepareDatabase { db in
            try db.execute(sql: "PRAGMA mmap_size = 0")
            try db.execute(sql: "PRAGMA cache_size = -4096")
        }
        scanPool = try DatabasePool(path: path, configuration: scan)
    }

    /// Now, at the millisecond precision the database keeps (so a value read back equals the one written).
    static func now() -> Date { millisecondPrecision(Date()) }

    static func millisecondPrecision(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    // MARK: Schema

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-users-materials-search") { db in
            try db.execute(
                sql: """
                    CREATE TABLE user (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        username TEXT NOT NULL UNIQUE,
                        displayName TEXT NOT NULL,
                        roles TEXT NOT NULL,
                        school TEXT,
                        passwordHash TEXT NOT NULL,
                        createdAt DATETIME NOT NULL
                    );
                    CREATE TABLE session (
                        tokenHash TEXT PRIMARY KEY NOT NULL,
                        userId INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
                        expiresAt DATETIME NOT NULL
                    );
                    CREATE INDEX session_user ON session(userId);
                    CREATE TABLE counter (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;
                    INSERT INTO counter VALUES ('material', 0);
                    CREATE TABLE material (
                        id INTEGER PRIMARY KEY,
                        pid TEXT NOT NULL UNIQUE,
                        kind TEXT NOT NULL,
                        format TEXT NOT NULL,
                        title TEXT NOT NULL,
                        description TEXT NOT NULL,
                        language TEXT NOT NULL,
                        subjects TEXT NOT NULL,
                        grades TEXT NOT NULL,
                        knowledgeUnits TEXT NOT NULL,
                        keywords TEXT NOT NULL,
                        licence TEXT,
                        authors TEXT NOT NULL,
                        school TEXT,
                        visibility TEXT NOT NULL,
                        status TEXT NOT NULL,
                        ownerId INTEGER NOT NULL REFERENCES user(id),
                        currentVersion INTEGER NOT NULL DEFAULT 0,
                        url TEXT,
                        sourceSystem TEXT,
                        sourceIdentifier TEXT,
                        extractedText TEXT,
                        facetLines TEXT NOT NULL,
                        createdAt DATETIME NOT NULL,
                        updatedAt DATETIME NOT NULL,
                        json TEXT NOT NULL
                    );
                    CREATE UNIQUE INDEX material_source ON material(sourceSystem, sourceIdentifier)
                        WHERE sourceIdentifier IS NOT NULL;
                    CREATE INDEX material_owner ON material(ownerId);
                    CREATE TABLE materialVersion (
                        materialId INTEGER NOT NULL REFERENCES material(id),
                        number INTEGER NOT NULL CHECK (number >= 1),
                        contentId TEXT NOT NULL CHECK (length(contentId) = 64),
                        fileName TEXT NOT NULL,
                        mediaType TEXT NOT NULL,
                        byteSize INTEGER NOT NULL CHECK (byteSize >= 0),
                        note TEXT,
                        createdBy INTEGER NOT NULL REFERENCES user(id),
                        createdAt DATETIME NOT NULL,
                        PRIMARY KEY (materialId, number)
                    ) WITHOUT ROWID;
                    CREATE INDEX materialVersion_content ON materialVersion(contentId);
                    CREATE VIRTUAL TABLE searchIndex USING fts5(
                        terms, content = '', columnsize = 0, detail = none,
                        tokenize = "unicode61 remove_diacritics 0 tokenchars '_'"
                    );
                    INSERT INTO searchIndex (searchIndex, rank) VALUES ('pgsz', 1000);
                    """)
        }
        migrator.registerMigration("v2-catalogue") { db in
            try db.execute(
                sql: """
                    CREATE TABLE catalogSubject (
                        code TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        nameEN TEXT NOT NULL,
                        grades TEXT NOT NULL,
                        compulsory TEXT NOT NULL,
                        source TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE catalogItem (
                        id INTEGER PRIMARY KEY,
                        code TEXT NOT NULL UNIQUE,
                        uuid TEXT NOT NULL UNIQUE,
                        framework TEXT NOT NULL,
                        parent TEXT,
                        type TEXT NOT NULL,
                        grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 12),
                        statement TEXT NOT NULL,
                        statementEN TEXT,
                        associations TEXT NOT NULL,
                        position INTEGER NOT NULL,
                        deprecated INTEGER NOT NULL DEFAULT 0,
                        revision INTEGER NOT NULL DEFAULT 1,
                        updatedAt DATETIME NOT NULL
                    );
                    CREATE INDEX catalogItem_parent ON catalogItem(parent, position);
                    CREATE INDEX catalogItem_framework ON catalogItem(framework, position);
                    -- Earlier wordings of an item: an edited statement is a new revision, the old one stays here.
                    CREATE TABLE catalogRevision (
                        code TEXT NOT NULL REFERENCES catalogItem(code),
                        revision INTEGER NOT NULL,
                        statement TEXT NOT NULL,
                        statementEN TEXT,
                        replacedAt DATETIME NOT NULL,
                        PRIMARY KEY (code, revision)
                    ) WITHOUT ROWID;
                    CREATE VIRTUAL TABLE catalogSearch USING fts5(
                        terms, content = '', columnsize = 0, detail = none,
                        tokenize = "unicode61 remove_diacritics 0 tokenchars '_'"
                    );
                    """)
        }
        migrator.registerMigration("v3-version-package") { db in
            try db.execute(sql: "ALTER TABLE materialVersion ADD COLUMN package TEXT")
        }
        migrator.registerMigration("v4-version-thumbnail") { db in
            try db.execute(sql: "ALTER TABLE materialVersion ADD COLUMN thumbnail TEXT CHECK (thumbnail IS NULL OR length(thumbnail) = 64)")
            try db.execute(sql: "CREATE INDEX materialVersion_thumbnail ON materialVersion(thumbnail) WHERE thumbnail IS NOT NULL")
        }
        registerQuestionBank(&migrator)
        registerBlueprints(&migrator)
        registerImports(&migrator)
        migrator.registerMigration("v8-trust") { db in
            try db.execute(sql: "ALTER TABLE user ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT 0")
            // How often a job was claimed: one that kills its process is not retried forever.
            try db.execute(sql: "ALTER TABLE job ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0")
            // Provenance belongs to its owner: two owners may import from systems that use the same identifiers.
            try db.execute(sql: "DROP INDEX material_source")
            try db.execute(
                sql: "CREATE UNIQUE INDEX material_source ON material(ownerId, sourceSystem, sourceIdentifier) WHERE sourceIdentifier IS NOT NULL")
            // Index terms of visibility and ownership no longer coincide with words a user can type:
            // re-index every material with the new terms.
            try Self.reindexAll(db)
        }
        registerReview(&migrator)
        registerClients(&migrator)
        registerLTI(&migrator)
        registerHarvest(&migrator)
        registerOrganisations(&migrator)
        registerQuestionSets(&migrator)
        registerOIDC(&migrator)
        registerLTIScores(&migrator)
        registerPush(&migrator)
        registerRenderedRecords(&migrator)
        registerFirstExposure(&migrator)
        registerHarvestLease(&migrator)
        registerSearchTones(&migrator)
        registerHarvestCount(&migrator)
        registerHarvestRuns(&migrator)
        registerUploads(&migrator)
        return migrator
    }

    // MARK: Users and sessions

    public func createUser(_ new: NewUser) async throws -> User {
        guard User.isValidUsername(new.username) else { throw StoreError.invalid("username") }
        return try await pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM user WHERE username = ?", arguments: [new.username]) == true {
                throw StoreError.conflict("username \(new.username)")
            }
            let now = Self.now()
            let organisation = try Self.organisationID(forSchool: new.school, db: db)
            try db.execute(
                sql: """
                    INSERT INTO user (username, displayName, roles, school, passwordHash, createdAt, organisationId, subjects)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    new.username, new.displayName, new.roles.map(\.rawValue).sorted().joined(separator: ","), new.school,
                    new.passwordHash, now.dbText, organisation, Self.subjectList(new.subjects),
                ])
            return Self.user(try Row.fetchOne(db, sql: "SELECT * FROM user WHERE id = ?", arguments: [db.lastInsertedRowID])!)
        }
    }

    /// Subject codes as stored: upper case, sorted, comma-separated.
    static func subjectList(_ subjects: [String]) -> String {
        Set(subjects.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty }).sorted().joined(separator: ",")
    }

    static func user(_ row: Row) -> User {
        let roles = Set((row["roles"] as String).split(separator: ",").compactMap { Role(rawValue: String($0)) })
        return User(
            id: row["id"], username: row["username"], displayName: row["displayName"], roles: roles, school: row["school"],
            createdAt: row.date("createdAt"), disabled: row["disabled"] ?? false, email: row["email"], organisationID: row["organisationId"],
            subjects: ((row["subjects"] as String?) ?? "").split(separator: ",").map(String.init))
    }

    public func credentials(username: String) async throws -> (user: User, passwordHash: String)? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM user WHERE username = ?", arguments: [username]).map {
                (Self.user($0), $0["passwordHash"])
            }
        }
    }

    public func user(id: Int64) async throws -> User? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM user WHERE id = ?", arguments: [id]).map(Self.user)
        }
    }

    public func userCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM user") ?? 0 }
    }

    public func createSession(tokenHash: String, userID: Int64, expiresAt: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM session WHERE expiresAt < ?", arguments: [Self.now().dbText])
            try db.execute(
                sql: "INSERT INTO session (tokenHash, userId, expiresAt) VALUES (?, ?, ?)", arguments: [tokenHash, userID, expiresAt.dbText])
        }
    }

    public func sessionUser(tokenHash: String, now: Date) async throws -> User? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT user.* FROM session JOIN user ON user.id = session.userId WHERE tokenHash = ? AND expiresAt > ? AND user.disabled = 0",
                arguments: [tokenHash, now.dbText]
            ).map(Self.user)
        }
    }

    public func deleteSession(tokenHash: String) async throws {
        try await pool.write { db in try db.execute(sql: "DELETE FROM session WHERE tokenHash = ?", arguments: [tokenHash]) }
    }

    public func deleteSessions(userID: Int64, except: String?) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM session WHERE userId = ? AND tokenHash IS NOT ?", arguments: [userID, except])
        }
    }

    public func setPasswordHash(userID: Int64, hash: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE user SET passwordHash = ? WHERE id = ?", arguments: [hash, userID])
            guard db.changesCount == 1 else { throw StoreError.notFound("user \(userID)") }
        }
    }

    public func setUserDisabled(userID: Int64, disabled: Bool) async throws -> User {
        try await pool.write { db in
            try db.execute(sql: "UPDATE user SET disabled = ? WHERE id = ?", arguments: [disabled, userID])
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM user WHERE id = ?", arguments: [userID]) else {
                throw StoreError.notFound("user \(userID)")
            }
            return Self.user(row)
        }
    }

    // MARK: Materials

    /// Lists are stored one value per line.
    static func lines(_ text: String) -> [String] {
        // Split on the byte: a Character split walks grapheme clusters, and this runs for five columns of every row read.
        text.isEmpty ? [] : text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(Substring($0)) }
    }

    /// Where a statement's material columns are: looked up by name once per statement (``material(_:_:)``), not once
    /// per column of every row (harvest pages read thousands of rows a second).
    struct MaterialColumns {
        let pid, kind, format, title, description, language, subjects, grades, knowledgeUnits, keywords, licence, authors, school,
            visibility, status, ownerId, currentVersion, url, sourceSystem, sourceIdentifier, createdAt, updatedAt: Int

        init(_ row: Row) throws {
            let names = Array(row.columnNames)
            func at(_ name: String) throws -> Int {
                // SQLite names a column as the statement spells it: an exact match first, a case-insensitive one as SQL allows.
                guard let index = names.firstIndex(of: name) ?? names.firstIndex(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) else {
                    throw StoreError.invalid("material row without \(name)")
                }
                return index
            }
            (pid, kind, format, title, description, language) = (try at("pid"), try at("kind"), try at("format"), try at("title"), try at("description"), try at("language"))
            (subjects, grades, knowledgeUnits, keywords, licence, authors) =
                (try at("subjects"), try at("grades"), try at("knowledgeUnits"), try at("keywords"), try at("licence"), try at("authors"))
            (school, visibility, status, ownerId, currentVersion, url) =
                (try at("school"), try at("visibility"), try at("status"), try at("ownerId"), try at("currentVersion"), try at("url"))
            (sourceSystem, sourceIdentifier, createdAt, updatedAt) = (try at("sourceSystem"), try at("sourceIdentifier"), try at("createdAt"), try at("updatedAt"))
        }
    }

    static func material(_ row: Row) throws -> Material { try material(row, MaterialColumns(row)) }

    static func material(_ row: Row, _ c: MaterialColumns) throws -> Material {
        let sourceSystem: String? = row[c.sourceSystem]
        let metadata = MaterialMetadata(
            title: row[c.title], description: row[c.description], language: row[c.language], subjects: lines(row[c.subjects]),
            grades: lines(row[c.grades]).compactMap { Int($0) }, knowledgeUnits: lines(row[c.knowledgeUnits]),
            keywords: lines(row[c.keywords]), licence: row[c.licence], authors: lines(row[c.authors]), school: row[c.school])
        func date(_ index: Int) -> Date { HoclieuJSON.parseTimestamp(row[index] as String? ?? "") ?? Date(timeIntervalSince1970: 0) }
        return Material(
            pid: try PersistentIdentifier(parsing: row[c.pid]),
            kind: MaterialKind(rawValue: row[c.kind]) ?? .document,
            format: row[c.format],
            metadata: metadata,
            visibility: Visibility(rawValue: row[c.visibility]) ?? .private,
            status: MaterialStatus(rawValue: row[c.status]) ?? .draft,
            ownerID: row[c.ownerId],
            currentVersion: row[c.currentVersion],
            url: row[c.url],
            provenance: sourceSystem.map { Provenance(sourceSystem: $0, sourceIdentifier: row[c.sourceIdentifier]) },
            createdAt: date(c.createdAt),
            updatedAt: date(c.updatedAt))
    }

    static func version(_ row: Row, pid: PersistentIdentifier) -> MaterialVersion {
        let package = (row["package"] as String?).flatMap { try? JSONDecoder().decode(PackageSummary.self, from: Data($0.utf8)) }
        return MaterialVersion(
            pid: pid, number: row["number"], contentID: ContentID(rawValue: row["contentId"])!, fileName: row["fileName"],
            mediaType: row["mediaType"], byteSize: row["byteSize"], note: row["note"], createdBy: row["createdBy"],
            createdAt: row.date("createdAt"), package: package, thumbnail: (row["thumbnail"] as String?).flatMap(ContentID.init(rawValue:)))
    }

    /// Rebuilds the whole search index and the stored JSON from the material rows (a migration that changes
    /// index terms or the public representation).
    static func reindexAll(_ db: Database) throws {
        try db.execute(sql: "INSERT INTO searchIndex (searchIndex) VALUES ('delete-all')")
        var after: Int64 = 0
        while true {
            // In batches, read before written: no cursor is open while rows change.
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM material WHERE id > ? ORDER BY id LIMIT 1000", arguments: [after])
            guard let last = rows.last else { break }
            after = last["id"]
            for row in rows {
                let material = try material(row)
                try index(SearchDocument(material: material, extractedText: row["extractedText"]), rowid: row["id"], command: nil, db: db)
                try db.execute(sql: "UPDATE material SET json = ? WHERE id = ?", arguments: [material.jsonText, row["id"]])
            }
        }
    }

    /// The column values of a material row, in the order of ``columns``.
    static func values(_ m: Material, extractedText: String?) -> [DatabaseValue] {
        let md = m.metadata
        let list: [(any DatabaseValueConvertible)?] = [
            m.pid.serial, m.pid.rawValue, m.kind.rawValue, m.format, md.title, md.description, md.language,
            md.subjects.joined(separator: "\n"), md.grades.map(String.init).joined(separator: "\n"),
            md.knowledgeUnits.joined(separator: "\n"), md.keywords.joined(separator: "\n"), md.licence,
            md.authors.joined(separator: "\n"), md.school, m.visibility.rawValue, m.status.rawValue, m.ownerID, m.currentVersion,
            m.url, m.provenance?.sourceSystem, m.provenance?.sourceIdentifier, extractedText, SearchDocument.facetLines(m),
            m.createdAt.dbText, m.updatedAt.dbText, m.jsonText,
        ]
        return list.map { $0?.databaseValue ?? .null }
    }

    static let columns = """
        id, pid, kind, format, title, description, language, subjects, grades, knowledgeUnits, keywords, licence, authors,
        school, visibility, status, ownerId, currentVersion, url, sourceSystem, sourceIdentifier, extractedText, facetLines,
        createdAt, updatedAt, json
        """

    /// Turns the insert into an update of every column but the identity (a REPLACE would delete the row under its versions).
    static let upsert = " ON CONFLICT(id) DO UPDATE SET "
        + columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { $0 != "id" && $0 != "pid" }
        .map { "\($0) = excluded.\($0)" }.joined(separator: ", ")

    /// Writes the row (insert or update), its index entry and its pre-encoded JSON.
    func insert(_ m: Material, extractedText: String?, db: Database, replace: Bool = false) throws {
        try insert(PreparedRow(material: m, extractedText: extractedText, renderer: recordRenderer.withLock { $0 }), db: db, replace: replace)
    }

    private func insert(_ row: PreparedRow, db: Database, replace: Bool = false) throws {
        let marks = Array(repeating: "?", count: 26).joined(separator: ", ")
        try db.cachedStatement(sql: "INSERT INTO material (\(Self.columns)) VALUES (\(marks))\(replace ? Self.upsert : "")")
            .execute(arguments: StatementArguments(row.values))
        try Self.index(row.document, rowid: row.rowid, command: nil, db: db)
        try Self.storeRecords(row, db: db, replace: replace)
    }

    /// A material row with its index terms, JSON and harvest records computed, ready to insert.
    struct PreparedRow: Sendable {
        var rowid: Int64
        var values: [DatabaseValue]
        var document: SearchDocument
        /// The stamp (`updatedAt`) and records by prefix of a published material, and the renderer's key.
        var records: (key: Int64, stamp: String, byPrefix: [String: Data])?

        init(material: Material, extractedText: String?, renderer: RecordRenderer?) {
            rowid = Int64(material.pid.serial)
            values = SQLiteStore.values(material, extractedText: extractedText)
            document = SearchDocument(material: material, extractedText: extractedText)
            // A record that cannot be rendered now is encoded when it is asked for (and the failure shows there).
            if let renderer, material.status == .published, let rendered = try? renderer.render(material) {
                records = (renderer.key, material.updatedAt.dbText, rendered)
            }
        }
    }

    private static func index(_ doc: SearchDocument, rowid: Int64, command: String?, db: Database) throws {
        if let command {
            try db.cachedStatement(sql: "INSERT INTO searchIndex (searchIndex, rowid, terms) VALUES (?, ?, ?)")
                .execute(arguments: [command, rowid, doc.terms])
        } else {
            try db.cachedStatement(sql: "INSERT INTO searchIndex (rowid, terms) VALUES (?, ?)").execute(arguments: [rowid, doc.terms])
        }
    }

    private func mint(_ db: Database) throws -> PersistentIdentifier {
        let serial = try Int.fetchOne(
            db.cachedStatement(sql: "UPDATE counter SET value = value + ? WHERE name = 'material' RETURNING value"), arguments: [1])!
        return PersistentIdentifier(prefix: pidPrefix, serial: serial)
    }

    /// Checks the metadata as given (an empty list element is an error, not something to drop
    /// silently) and as it will be stored.
    static func validate(_ draft: MaterialDraft) throws -> MaterialMetadata {
        if let url = draft.url, WebLinks.normalise(url) != url { throw FieldViolation(field: "url", problem: .invalid) }
        let metadata = draft.metadata.normalised()
        if let problem = (draft.metadata.violations() + metadata.violations()).first { throw StoreError.invalid(problem.message) }
        return metadata
    }

    func newMaterial(_ draft: MaterialDraft, metadata: MaterialMetadata, ownerID: Int64, db: Database) throws -> Material {
        let now = draft.createdAt.map(Self.millisecondPrecision) ?? Self.now()
        return Material(
            pid: try mint(db), kind: draft.kind, format: draft.format, metadata: metadata, visibility: draft.visibility,
            status: draft.status, ownerID: ownerID, currentVersion: 0, url: draft.url, provenance: draft.provenance, createdAt: now,
            updatedAt: now)
    }

    public func createMaterial(_ draft: MaterialDraft, ownerID: Int64, firstVersion: VersionDraft?) async throws -> Material {
        let metadata = try Self.validate(draft)
        return try await pool.write { db in
            if let source = draft.provenance, source.sourceIdentifier != nil,
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM material WHERE sourceSystem = ? AND sourceIdentifier = ? AND ownerId = ?",
                    arguments: [source.sourceSystem, source.sourceIdentifier, ownerID]) == true
            {
                throw StoreError.conflict("source \(source.sourceSystem) \(source.sourceIdentifier ?? "")")
            }
            var material = try self.newMaterial(draft, metadata: metadata, ownerID: ownerID, db: db)
            try self.insert(material, extractedText: draft.extractedText, db: db)
            if let firstVersion {
                _ = try self.appendVersion(to: &material, firstVersion, db: db)
            }
            return material
        }
    }

    /// Bulk creation in three steps: reserve a range of serials (a short write), prepare every
    /// row, its index terms and its JSON on all cores (no lock held), then insert them in one
    /// transaction. If that transaction fails the reserved serials stay unused: identifiers are
    /// never reused, so a gap is harmless.
    public func createMaterials(_ drafts: [MaterialDraft], ownerID: Int64) async throws -> Int {
        guard !drafts.isEmpty else { return 0 }
        let count = drafts.count
        let last = try await pool.write { db in
            try Int.fetchOne(
                db.cachedStatement(sql: "UPDATE counter SET value = value + ? WHERE name = 'material' RETURNING value"), arguments: [count])!
        }
        let first = last - count + 1
        let prefix = pidPrefix
        let renderer = recordRenderer.withLock { $0 }
        let chunk = (count + 1) / 2
        let prepared = try await withThrowingTaskGroup(of: (Int, [PreparedRow]).self) { group in
            for start in stride(from: 0, to: count, by: chunk) {
                let slice = Array(drafts[start..<min(start + chunk, count)])
                group.addTask {
                    (start, try slice.enumerated().map { offset, draft in
                        let metadata = try Self.validate(draft)
                        let now = draft.createdAt.map(Self.millisecondPrecision) ?? Self.now()
                        let material = Material(
                            pid: PersistentIdentifier(prefix: prefix, serial: first + start + offset), kind: draft.kind, format: draft.format,
                            metadata: metadata, visibility: draft.visibility, status: draft.status, ownerID: ownerID, currentVersion: 0,
                            url: draft.url, provenance: draft.provenance, createdAt: now, updatedAt: now)
                        return PreparedRow(material: material, extractedText: draft.extractedText, renderer: renderer)
                    })
                }
            }
            var parts: [(Int, [PreparedRow])] = []
            for try await part in group { parts.append(part) }
            return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
        try await pool.write { db in
            for row in prepared { try self.insert(row, db: db) }
        }
        return count
    }

    public func material(_ pid: PersistentIdentifier) async throws -> Material? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM material WHERE pid = ?", arguments: [pid.rawValue]).map(Self.material)
        }
    }

    public func material(source: Provenance, ownerID: Int64) async throws -> Material? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM material WHERE sourceSystem = ? AND sourceIdentifier IS ? AND ownerId = ?",
                arguments: [source.sourceSystem, source.sourceIdentifier, ownerID]
            ).map(Self.material)
        }
    }

    /// Re-indexes and re-encodes a changed material inside the caller's transaction.
    func rewrite(old: Material, oldText: String?, new: Material, newText: String?, db: Database) throws {
        try Self.index(SearchDocument(material: old, extractedText: oldText), rowid: Int64(old.pid.serial), command: "delete", db: db)
        try insert(new, extractedText: newText, db: db, replace: true)
        if new.status != old.status || new.currentVersion != old.currentVersion { try Self.syncSetQuestions(new, db: db) }
    }

    func load(_ pid: PersistentIdentifier, db: Database) throws -> (Material, String?) {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM material WHERE pid = ?", arguments: [pid.rawValue]) else {
            throw StoreError.notFound(pid.rawValue)
        }
        return (try Self.material(row), row["extractedText"])
    }

    public func updateMaterial(
        _ pid: PersistentIdentifier, metadata: MaterialMetadata?, visibility: Visibility?, status: MaterialStatus?
    ) async throws -> Material {
        let normalised = metadata?.normalised()
        if let problem = ((metadata?.violations() ?? []) + (normalised?.violations() ?? [])).first { throw StoreError.invalid(problem.message) }
        return try await pool.write { db in
            let (old, text) = try self.load(pid, db: db)
            var new = old
            if let normalised { new.metadata = normalised }
            if let visibility { new.visibility = visibility }
            if let status { new.status = status }
            new.updatedAt = max(Self.now(), old.updatedAt)
            try self.rewrite(old: old, oldText: text, new: new, newText: text, db: db)
            return new
        }
    }

    func appendVersion(to material: inout Material, _ draft: VersionDraft, db: Database) throws -> MaterialVersion {
        let old = material
        let version = try Self.writeVersion(of: &material, draft, db: db)
        // A change waiting for review leaves the material (its current version, metadata and index) as it is.
        guard !draft.pending else { return version }
        let oldText = try String.fetchOne(db, sql: "SELECT extractedText FROM material WHERE id = ?", arguments: [old.pid.serial])
        if let metadata = draft.metadata {
            let normalised = metadata.normalised()
            if let problem = (metadata.violations() + normalised.violations()).first { throw problem }
            material.metadata = normalised
        }
        material.updatedAt = max(version.createdAt, old.updatedAt)
        try self.rewrite(old: old, oldText: oldText, new: material, newText: draft.extractedText ?? oldText, db: db)
        return version
    }

    /// Inserts a new material with its first version: one row and one index entry (bulk imports), where
    /// ``appendVersion(to:_:db:)`` would write the row twice.
    func insertWithFirstVersion(_ material: inout Material, _ draft: VersionDraft, extractedText: String?, db: Database) throws {
        material.currentVersion = 1
        if material.kind != .link { material.format = draft.package?.kind ?? draft.mediaType }
        try self.insert(material, extractedText: draft.extractedText ?? extractedText, db: db)
        material.currentVersion = 0
        _ = try Self.writeVersion(of: &material, draft, db: db)
    }

    /// Writes the next version row of `material` and moves its current version and format on (the material
    /// row itself is the caller's to write).
    private static func writeVersion(of material: inout Material, _ draft: VersionDraft, db: Database) throws -> MaterialVersion {
        let now = Self.now()
        // After the highest number, not the current one: versions waiting for review are numbered too.
        let highest = try Int.fetchOne(db, sql: "SELECT max(number) FROM materialVersion WHERE materialId = ?", arguments: [material.pid.serial])
        let version = MaterialVersion(
            pid: material.pid, number: max(highest ?? 0, material.currentVersion) + 1, contentID: draft.contentID, fileName: draft.fileName,
            mediaType: draft.mediaType, byteSize: draft.byteSize, note: draft.note, createdBy: draft.createdBy, createdAt: now,
            package: draft.package, thumbnail: draft.thumbnail)
        let package = try draft.package.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try db.execute(
            sql: """
                INSERT INTO materialVersion
                    (materialId, number, contentId, fileName, mediaType, byteSize, note, createdBy, createdAt, package, thumbnail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                material.pid.serial, version.number, version.contentID.rawValue, version.fileName, version.mediaType,
                version.byteSize, version.note, version.createdBy, now.dbText, package, draft.thumbnail?.rawValue,
            ])
        guard !draft.pending else { return version }
        material.currentVersion = version.number
        if material.kind != .link { material.format = draft.package?.kind ?? draft.mediaType }
        return version
    }

    public func addVersion(_ pid: PersistentIdentifier, _ draft: VersionDraft) async throws -> MaterialVersion {
        try await pool.write { db in
            var (material, _) = try self.load(pid, db: db)
            return try self.appendVersion(to: &material, draft, db: db)
        }
    }

    public func versions(_ pid: PersistentIdentifier) async throws -> [MaterialVersion] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT v.* FROM materialVersion v JOIN material m ON m.id = v.materialId WHERE m.pid = ? ORDER BY v.number",
                arguments: [pid.rawValue]
            ).map { Self.version($0, pid: pid) }
        }
    }

    public func version(_ pid: PersistentIdentifier, number: Int) async throws -> MaterialVersion? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT v.* FROM materialVersion v JOIN material m ON m.id = v.materialId WHERE m.pid = ? AND v.number = ?",
                arguments: [pid.rawValue, number]
            ).map { Self.version($0, pid: pid) }
        }
    }

    public func isReferenced(_ contentID: ContentID) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT 1 FROM materialVersion WHERE contentId = ?1 OR thumbnail = ?1
                    UNION ALL SELECT 1 FROM questionBlob WHERE contentId = ?1
                    UNION ALL SELECT 1 FROM job WHERE status IN ('queued', 'running', 'cancelling') AND instr(CAST(input AS TEXT), ?1) > 0
                    LIMIT 1
                    """, arguments: [contentID.rawValue]) ?? false
        }
    }

    // MARK: Operations

    public func referencedContentIDs() async throws -> Set<ContentID> {
        try await pool.read { db in
            var ids = Set<ContentID>()
            let cursor = try String.fetchCursor(
                db,
                sql: """
                    SELECT contentId FROM materialVersion UNION SELECT thumbnail FROM materialVersion WHERE thumbnail IS NOT NULL
                    UNION SELECT contentId FROM questionBlob
                    """)
            while let text = try cursor.next() {
                guard let id = ContentID(rawValue: text) else { throw StoreError.invalid("content id \(text)") }
                ids.insert(id)
            }
            return ids
        }
    }

    public func integrityProblems() async throws -> [String] {
        try await pool.read { db in
            var problems: [String] = []
            for line in try String.fetchAll(db, sql: "PRAGMA integrity_check") where line != "ok" { problems.append(line) }
            for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
                problems.append("foreign key: table \(row[0] as String? ?? "?") row \(row[1] as Int64? ?? 0)")
            }
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM material WHERE currentVersion != (SELECT count(*) FROM materialVersion v WHERE v.materialId = material.id)") != 0 {
                problems.append("material rows whose currentVersion disagrees with their versions")
            }
            let maxSerial = try Int.fetchOne(db, sql: "SELECT max(id) FROM material") ?? 0
            let counter = try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE name = 'material'") ?? 0
            if maxSerial > counter { problems.append("identifier counter \(counter) is behind the highest serial \(maxSerial)") }
            return problems
        } + (try await pool.write { db in
            // The FTS5 check is spelled as an INSERT, so it needs the writer connection.
            do {
                try db.execute(sql: "INSERT INTO searchIndex(searchIndex, rank) VALUES ('integrity-check', 0)")
                return [String]()
            } catch {
                return ["search index: \(error)"]
            }
        })
    }

    public func backupDatabase(to url: URL) async throws {
        let destination = try DatabaseQueue(path: url.path)
        try pool.backup(to: destination)
        try destination.close()
    }

    public func statistics() async throws -> StoreStatistics {
        try await pool.read { db in
            StoreStatistics(
                materials: try Int.fetchOne(db, sql: "SELECT count(*) FROM material") ?? 0,
                versions: try Int.fetchOne(db, sql: "SELECT count(*) FROM materialVersion") ?? 0,
                users: try Int.fetchOne(db, sql: "SELECT count(*) FROM user") ?? 0,
                blobBytes: try Int64.fetchOne(
                    db, sql: "SELECT coalesce(sum(byteSize), 0) FROM (SELECT DISTINCT contentId, byteSize FROM materialVersion)") ?? 0,
                jobsQueued: try Int.fetchOne(db, sql: "SELECT count(*) FROM job WHERE status = 'queued'") ?? 0,
                jobsRunning: try Int.fetchOne(db, sql: "SELECT count(*) FROM job WHERE status IN ('running', 'cancelling')") ?? 0)
        }
    }

    public func pendingMigrations() async throws -> [String] {
        let migrator = Self.migrator
        return try await pool.read { db in
            let applied = try migrator.appliedIdentifiers(db)
            return migrator.migrations.filter { !applied.contains($0) }
        }
    }
}

extension SQLiteStore {
    /// Merges the full-text index into one segment (after a bulk load, or as nightly maintenance):
    /// queries then walk one list per term instead of one per segment.
    public func optimizeSearchIndex() async throws {
        try await pool.write { db in try db.execute(sql: "INSERT INTO searchIndex (searchIndex) VALUES ('optimize')") }
    }

    /// Incremental FTS5 merges in short write transactions (writers interleave between them),
    /// until a round does nothing or the budget is spent.
    public func maintainSearchIndex(budget: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + budget
        while ContinuousClock.now < deadline {
            let changed = try await pool.write { db -> Bool in
                let before = db.totalChangesCount
                try db.execute(sql: "INSERT INTO searchIndex (searchIndex, rank) VALUES ('merge', 200)")
                return db.totalChangesCount - before > 1
            }
            if !changed { return false }
        }
        return true
    }

    /// Bytes used by the full-text index's own tables (segments and their index).
    public func searchIndexBytes() async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(
                db,
                sql: """
                    SELECT (SELECT coalesce(sum(length(block)), 0) FROM searchIndex_data)
                         + (SELECT coalesce(sum(length(term)) + 16 * count(*), 0) FROM searchIndex_idx)
                    """) ?? 0
        }
    }
}

extension Date {
    /// How dates are stored: ISO 8601 UTC with milliseconds, which also sorts as text.
    var dbText: String { HoclieuJSON.timestamp(self) }
}

extension Row {
    /// A date column written with ``Foundation/Date/dbText``.
    func date(_ column: String) -> Date {
        HoclieuJSON.parseTimestamp(self[column] as String? ?? "") ?? Date(timeIntervalSince1970: 0)
    }
}
