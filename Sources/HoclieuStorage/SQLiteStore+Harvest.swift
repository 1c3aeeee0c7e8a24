public import Foundation
import GRDB
public import HoclieuCore

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
        var (sql, arguments) = Self.harvestFilter(query)
        if let after {
            // A row value comparison: SQLite walks the (updatedAt, id) index from the position on.
            sql += " AND (updatedAt, id) > (?, ?)"
            arguments += [after.updatedAt.dbText, after.serial]
        }
        arguments += [limit]
        let statement = "SELECT * FROM material INDEXED BY material_harvest WHERE \(sql) ORDER BY updatedAt, id LIMIT ?"
        let bound = arguments
        return try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: statement), arguments: bound).map(Self.material)
        }
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
        return try await pool.read { db in
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

    public func recordHarvestRun(repositoryID: Int64, at: Date, lastDatestamp: Date?, error: String?) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE remoteRepository SET lastRunAt = ?, lastError = ?, lastDatestamp = coalesce(?, lastDatestamp) WHERE id = ?",
                arguments: [at.dbText, error, lastDatestamp?.dbText, repositoryID])
            guard db.changesCount == 1 else { throw StoreError.notFound("remote repository \(repositoryID)") }
        }
    }
}
