public import Foundation
import GRDB
public import HoclieuCore
import Synchronization

extension SQLiteStore {
    /// `v9-harvest`: the keyset index of harvests, `(updatedAt, id)` in datestamp order.
    static func registerHarvest(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v9-harvest") { db in
            try db.execute(sql: "CREATE INDEX material_harvest ON material(updatedAt, id)")
            try db.execute(
                sql: """
                    CREATE TABLE remoteRepository (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        baseURL TEXT NOT NULL,
                        setSpec TEXT NOT NULL DEFAULT '',
                        metadataPrefix TEXT NOT NULL,
                        intervalSeconds INTEGER NOT NULL CHECK (intervalSeconds > 0),
                        trusted BOOLEAN NOT NULL,
                        ownerId INTEGER NOT NULL REFERENCES user(id),
                        lastDatestamp TEXT,
                        lastRunAt TEXT,
                        lastError TEXT,
                        UNIQUE (baseURL, setSpec, metadataPrefix)
                    )
                    """)
        }
    }

    /// The `WHERE` clause of `query` (without the keyset condition) and its arguments.
    static func harvestFilter(_ query: HarvestQuery) -> (sql: String, arguments: StatementArguments) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        func list(_ values: [String]) -> String { Array(repeating: "?", count: values.count).joined(separator: ", ") }
        let statuses = query.statuses.map(\.rawValue).sorted()
        let visibilities = query.visibilities.map(\.rawValue).sorted()
        conditions.append(statuses.isEmpty ? "0" : "status IN (\(list(statuses)))")
        arguments += StatementArguments(statuses)
        var visible = visibilities.isEmpty ? "0" : "visibility IN (\(list(visibilities)))"
        if query.formerlyVisible, !visibilities.isEmpty {
            // Exposure is kept by the v10-push triggers: a material once published in a visibility stays marked.
            visible = "(\(visible) OR \(query.visibilities.contains(.sector) ? "exposedSector" : "exposedPublic") = 1)"
        }
        conditions.append(visible)
        arguments += StatementArguments(visibilities)
        if let from = query.from {
            conditions.append("updatedAt >= ?")
            arguments += [from.dbText]
        }
        if let before = query.before {
            conditions.append("updatedAt < ?")
            arguments += [before.dbText]
        }
        // Lists are stored one value per line: a value is a whole line.
        if let subject = query.subject {
            conditions.append("instr(char(10) || subjects || char(10), char(10) || ? || char(10)) > 0")
            arguments += [subject]
        }
        if let grade = query.grade {
            conditions.append("instr(char(10) || grades || char(10), char(10) || ? || char(10)) > 0")
            arguments += [String(grade)]
        }
        if let kind = query.kind {
            conditions.append("kind = ?")
            arguments += [kind.rawValue]
        }
        if let node = query.node {
            // The node itself, or a unit below it (its code continues with a dot).
            conditions.append(
                "(instr(char(10) || knowledgeUnits || char(10), char(10) || ? || char(10)) > 0 OR instr(char(10) || knowledgeUnits, char(10) || ? || '.') > 0)")
            arguments += [node, node]
        }
        return (conditions.joined(separator: " AND "), arguments)
    }

    public func harvestPage(_ query: HarvestQuery, after: HarvestPosition?, limit: Int) async throws -> [Material] {
        guard limit > 0 else { return [] }
        let (statement, bound) = Self.harvestStatement(query, after: after, limit: limit)
        return try await scanPool.read { db in try Self.materials(db.cachedStatement(sql: statement), bound) { material, _ in material } }
    }

    /// A harvest page's statement: `columns` (and `join`, with its arguments first) of the materials matching `query`
    /// strictly after `after`, in `(updatedAt, id)` order.
    static func harvestStatement(
        _ query: HarvestQuery, after: HarvestPosition?, limit: Int, columns: String = materialReadColumns, join: (sql: String, arguments: StatementArguments)? = nil
    ) -> (sql: String, arguments: StatementArguments) {
        var (sql, arguments) = harvestFilter(query)
        if let after {
            // A row value comparison: SQLite walks the (updatedAt, id) index from the position on.
            sql += " AND (updatedAt, material.id) > (?, ?)"
            arguments += [after.updatedAt.dbText, after.serial]
        }
        arguments += [limit]
        let statement = "SELECT \(columns) FROM material INDEXED BY material_harvest \(join?.sql ?? "") WHERE \(sql) ORDER BY updatedAt, material.id LIMIT ?"
        return (statement, (join?.arguments ?? []) + arguments)
    }

    /// The materials of a statement's rows (columns located once), each with what `extra` reads of its row.
    static func materials<T>(_ statement: Statement, _ arguments: StatementArguments, _ extra: (Material, Row) throws -> T) throws -> [T] {
        var columns: MaterialColumns?
        var result: [T] = []
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try rows.next() {
            let located = try columns ?? MaterialColumns(row)
            columns = located
            result.append(try extra(try material(row, located), row))
        }
        return result
    }

    public func harvestExposure(_ pid: PersistentIdentifier) async throws -> Set<Visibility> {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT exposedPublic, exposedSector FROM material WHERE id = ?", arguments: [pid.serial]) else {
                return []
            }
            var set: Set<Visibility> = []
            if row["exposedPublic"] as Bool { set.insert(.public) }
            if row["exposedSector"] as Bool { set.insert(.sector) }
            return set
        }
    }

    public func harvestCount(_ query: HarvestQuery) async throws -> Int {
        let (sql, arguments) = Self.harvestFilter(query)
        return try await scanPool.read { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM material WHERE \(sql)"), arguments: arguments) ?? 0
        }
    }

    public func harvestEarliestDatestamp(statuses: Set<MaterialStatus>, visibilities: Set<Visibility>) async throws -> Date? {
        var query = HarvestQuery(statuses: statuses, visibilities: visibilities)
        query.formerlyVisible = true
        let (sql, arguments) = Self.harvestFilter(query)
        return try await pool.read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT min(updatedAt) FROM material WHERE \(sql)"), arguments: arguments)
                .flatMap(HoclieuJSON.parseTimestamp)
        }
    }
}

extension SQLiteStore {
    static func remoteRepository(_ row: Row) -> RemoteRepository {
        let set: String = row["setSpec"]
        return RemoteRepository(
            id: row["id"], baseURL: row["baseURL"], set: set.isEmpty ? nil : set, metadataPrefix: row["metadataPrefix"],
            intervalSeconds: row["intervalSeconds"], trusted: row["trusted"], ownerID: row["ownerId"],
            lastDatestamp: (row["lastDatestamp"] as String?).flatMap(HoclieuJSON.parseTimestamp),
            lastRunAt: (row["lastRunAt"] as String?).flatMap(HoclieuJSON.parseTimestamp), lastError: row["lastError"])
    }

    public func addRemoteRepository(_ new: NewRemoteRepository) async throws -> RemoteRepository {
        try await pool.write { db in
            let set = new.set ?? ""
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM remoteRepository WHERE baseURL = ? AND setSpec = ? AND metadataPrefix = ?",
                arguments: [new.baseURL, set, new.metadataPrefix]) == true
            {
                throw StoreError.conflict("remote repository \(new.baseURL)")
            }
            try db.execute(
                sql: "INSERT INTO remoteRepository (baseURL, setSpec, metadataPrefix, intervalSeconds, trusted, ownerId) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [new.baseURL, set, new.metadataPrefix, new.intervalSeconds, new.trusted, new.ownerID])
            return try Row.fetchOne(db, sql: "SELECT * FROM remoteRepository WHERE id = ?", arguments: [db.lastInsertedRowID]).map(Self.remoteRepository)!
        }
    }

    public func remoteRepositories() async throws -> [RemoteRepository] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM remoteRepository ORDER BY id").map(Self.remoteRepository) }
    }

    public func claimHarvestRun(repositoryID: Int64, holder: String, until: Date, lastRunAt: Date?, now: Date) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: """
                    UPDATE remoteRepository SET leaseHolder = ?, leaseUntil = ?
                    WHERE id = ? AND lastRunAt IS ? AND (leaseHolder IS NULL OR leaseHolder = ? OR leaseUntil <= ?)
                    """, arguments: [holder, until.dbText, repositoryID, lastRunAt?.dbText, holder, now.dbText])
            return db.changesCount == 1
        }
    }

    public func releaseHarvestRun(repositoryID: Int64, holder: String) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE remoteRepository SET leaseHolder = NULL, leaseUntil = NULL WHERE id = ? AND leaseHolder = ?",
                arguments: [repositoryID, holder])
        }
    }

    /// `v11-harvest-lease`: which node runs a repository's harvest, until when (``claimHarvestRun(repositoryID:holder:until:lastRunAt:now:)``).
    static func registerHarvestLease(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v11-harvest-lease") { db in
            try db.execute(sql: "ALTER TABLE remoteRepository ADD COLUMN leaseHolder TEXT")
            try db.execute(sql: "ALTER TABLE remoteRepository ADD COLUMN leaseUntil TEXT")
        }
    }

    /// `v11-harvest-count`: what a harvest's `completeListSize` (and `from`/`until` bounds) count without reading the
    /// wide material rows: a covering index of the harvest filter's columns (a set filter reads the rows it matches).
    static func registerHarvestCount(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v11-harvest-count") { db in
            try db.execute(sql: "CREATE INDEX material_harvest_count ON material(status, visibility, exposedPublic, exposedSector, updatedAt)")
        }
    }

    public func recordHarvestRun(_ run: HarvestRunEntry, lastDatestamp: Date?) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE remoteRepository SET lastRunAt = ?, lastError = ?, lastDatestamp = coalesce(?, lastDatestamp) WHERE id = ?",
                arguments: [run.finishedAt.dbText, run.error, lastDatestamp?.dbText, run.repositoryID])
            guard db.changesCount == 1 else { throw StoreError.notFound("remote repository \(run.repositoryID)") }
            try db.execute(
                sql: """
                    INSERT INTO harvestRun (repositoryId, startedAt, finishedAt, status, pages, created, updated, withdrawn, unchanged, skipped, error)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    run.repositoryID, run.startedAt.dbText, run.finishedAt.dbText, run.status.rawValue, run.pages, run.created, run.updated,
                    run.withdrawn, run.unchanged, run.skipped, run.error,
                ])
        }
    }
}

// MARK: Pre-rendered records

extension SQLiteStore {
    /// `v11-oai-records`: each published material's harvest records by metadata prefix, with the key of the renderer
    /// that wrote them and the `updatedAt` they were written for (a record is current only when both still hold).
    static func registerRenderedRecords(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v11-oai-records") { db in
            try db.execute(
                sql: """
                    CREATE TABLE oaiRecord (
                        materialId INTEGER NOT NULL,
                        prefix TEXT NOT NULL,
                        renderKey INTEGER NOT NULL,
                        stamp TEXT NOT NULL,
                        xml BLOB NOT NULL,
                        PRIMARY KEY (materialId, prefix)
                    ) WITHOUT ROWID
                    """)
        }
    }

    /// `v11-first-exposure`: when a material was first published where each harvester class sees it (the exposure
    /// flags of `v10-push` with their time), so the change feed can tell `published` (new since a consumer's cursor)
    /// from `updated`. Materials exposed before this migration get their creation time: the best that is known.
    static func registerFirstExposure(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v11-first-exposure") { db in
            try db.execute(sql: "ALTER TABLE material ADD COLUMN exposedPublicAt TEXT")
            try db.execute(sql: "ALTER TABLE material ADD COLUMN exposedSectorAt TEXT")
            try db.execute(
                sql: """
                    UPDATE material SET exposedPublicAt = CASE WHEN exposedPublic THEN createdAt END,
                        exposedSectorAt = CASE WHEN exposedSector THEN createdAt END
                    """)
            for name in ["insert", "update"] {
                try db.execute(sql: "DROP TRIGGER material_exposure_\(name)")
                try db.execute(
                    sql: """
                        CREATE TRIGGER material_exposure_\(name) AFTER \(name == "insert" ? "INSERT" : "UPDATE OF status, visibility") ON material
                        WHEN NEW.status = 'published' AND NEW.visibility IN ('public', 'sector')
                        BEGIN
                            UPDATE material SET exposedSector = 1, exposedSectorAt = coalesce(exposedSectorAt, NEW.updatedAt),
                                exposedPublic = (exposedPublic OR NEW.visibility = 'public'),
                                exposedPublicAt = CASE WHEN NEW.visibility = 'public' THEN coalesce(exposedPublicAt, NEW.updatedAt) ELSE exposedPublicAt END
                            WHERE id = NEW.id;
                        END
                        """)
            }
        }
    }

    public func harvestFirstExposures(_ serials: [Int], visibility: Visibility) async throws -> [Int: Date] {
        guard !serials.isEmpty, visibility == .public || visibility == .sector else { return [:] }
        let column = visibility == .public ? "exposedPublicAt" : "exposedSectorAt"
        let marks = Array(repeating: "?", count: serials.count).joined(separator: ", ")
        return try await scanPool.read { db in
            var found: [Int: Date] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT id, \(column) AS at FROM material WHERE id IN (\(marks)) AND \(column) IS NOT NULL", arguments: StatementArguments(serials))
            {
                found[row["id"]] = HoclieuJSON.parseTimestamp(row["at"])
            }
            return found
        }
    }

    /// The columns ``material(_:)`` reads (a harvest page need not carry extracted text or JSON).
    static let materialReadColumns = """
        material.id, pid, kind, format, title, description, language, subjects, grades, knowledgeUnits, keywords, licence, authors,
        school, visibility, status, ownerId, currentVersion, url, sourceSystem, sourceIdentifier, createdAt, updatedAt
        """

    /// Stores a written material's records; a rewritten material loses records it no longer has (not published,
    /// or no renderer installed), so a record is never older than its material.
    static func storeRecords(_ row: PreparedRow, db: Database, replace: Bool) throws {
        if replace {
            try db.cachedStatement(sql: "DELETE FROM oaiRecord WHERE materialId = ?").execute(arguments: [row.rowid])
        }
        guard let records = row.records else { return }
        try writeRecords(records.byPrefix, materialID: row.rowid, key: records.key, stamp: records.stamp, db: db)
    }

    /// Stores a material's records (one row per prefix), replacing what was there.
    static func writeRecords(_ records: [String: Data], materialID: Int64, key: Int64, stamp: String, db: Database) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO oaiRecord (materialId, prefix, renderKey, stamp, xml) VALUES (?, ?, ?, ?, ?)")
        for (prefix, xml) in records { try statement.execute(arguments: [materialID, prefix, key, stamp, xml]) }
    }

    public func setRecordRenderer(_ renderer: RecordRenderer?) {
        recordRenderer.withLock { $0 = renderer }
    }

    public func harvestRenderedPage(_ query: HarvestQuery, after: HarvestPosition?, limit: Int, prefix: String) async throws -> [RenderedMaterial] {
        guard limit > 0 else { return [] }
        guard let key = recordRenderer.withLock({ $0?.key }) else {
            return try await harvestPage(query, after: after, limit: limit).map { RenderedMaterial(material: $0, record: nil) }
        }
        let (statement, bound) = Self.harvestStatement(
            query, after: after, limit: limit, columns: Self.materialReadColumns + ", oaiRecord.xml AS renderedRecord",
            join: (
                """
                LEFT JOIN oaiRecord ON oaiRecord.materialId = material.id AND oaiRecord.prefix = ? AND oaiRecord.renderKey = ?
                    AND oaiRecord.stamp = material.updatedAt
                """, [prefix, key]
            ))
        return try await scanPool.read { db in
            try Self.materials(db.cachedStatement(sql: statement), bound) { material, row in
                RenderedMaterial(material: material, record: row["renderedRecord"])
            }
        }
    }

    public func refreshRenderedRecords(after: Int, limit: Int) async throws -> Int? {
        guard let renderer = recordRenderer.withLock({ $0 }), limit > 0 else { return nil }
        let wanted = renderer.prefixes.count
        let key = renderer.key
        // Published materials after `after`: the last one's id, and those whose records are not all current (only
        // these are decoded: at start-up nearly every record is current).
        let (last, stale): (Int?, [Material]) = try await scanPool.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT \(Self.materialReadColumns),
                        (SELECT count(*) FROM oaiRecord WHERE materialId = material.id AND renderKey = ? AND stamp = material.updatedAt) AS current
                    FROM material WHERE material.id > ? AND status = 'published' ORDER BY material.id LIMIT ?
                    """, arguments: [key, after, limit])
            var columns: MaterialColumns?
            var (last, count, stale): (Int?, Int, [Material]) = (nil, 0, [])
            while let row = try rows.next() {
                count += 1
                let located = try columns ?? MaterialColumns(row)
                columns = located
                last = try PersistentIdentifier(parsing: row[located.pid]).serial
                if (row["current"] as Int) < wanted { stale.append(try Self.material(row, located)) }
            }
            return (count < limit ? nil : last, stale)
        }
        if !stale.isEmpty {
            let prepared = stale.compactMap { material -> (Int64, String, [String: Data])? in
                (try? renderer.render(material)).map { (Int64(material.pid.serial), material.updatedAt.dbText, $0) }
            }
            try await pool.write { db in
                for (id, stamp, records) in prepared {
                    // Written meanwhile (and rendered by that write, or no longer published): leave it as it is.
                    guard try String.fetchOne(db, sql: "SELECT updatedAt FROM material WHERE id = ? AND status = 'published'", arguments: [id]) == stamp
                    else { continue }
                    try Self.writeRecords(records, materialID: id, key: key, stamp: stamp, db: db)
                }
            }
        }
        return last
    }
}
