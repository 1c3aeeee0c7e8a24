public import Foundation
import GRDB
public import HoclieuCore
import Logging
import NIOCore
import PostgresNIO

/// Copies a whole SQLite store into an empty PostgreSQL store (`hoclieu migrate-store`, and `hoclieu restore` of a
/// SQLite backup into PostgreSQL).
///
/// **One table list, one column rule.** The two schemas hold the same tables under different names
/// (`materialVersion` → `material_versions`) with the same columns in two spellings (`contentId` → `content_id`), so
/// the copy is data-driven: ``tables`` names each pair once, in an order that satisfies the foreign keys, and every
/// column is matched by name (camelCase → snake_case) and converted by the *target* column's type, read from
/// PostgreSQL's catalogue (ISO-8601 text → `timestamptz`, 0/1 → `boolean`, BLOB → `bytea`). The only columns that are
/// not copied but computed are the search columns PostgreSQL keeps in the row (`materials.terms`,
/// `materials.facet_lines`, `catalog_items.terms`): they are derived from the row by the same functions the
/// PostgreSQL store's own writes use, so `hoclieu check`'s comparison of stored and computed terms holds.
///
/// **Nothing is skipped silently.** A source table that is neither in ``tables`` nor in ``notCopied``, a source
/// column without a target column, or a target column without a source makes the copy fail before it writes; so a
/// new migration on either side that the copy does not know stops it (and `StoreCopyTests` fails).
///
/// **All or nothing.** The source is read from one WAL snapshot; the target is written in one transaction, which
/// also refuses a target holding anything but what its migrations seed, sets every sequence past the copied ids, and
/// compares the row counts of every table before it commits. A failure anywhere rolls the target back to empty.
public enum StoreCopy {
    /// A table of the copy: its name in each store.
    struct Table: Sendable {
        let sqlite: String
        let postgres: String
    }

    /// Every copied table, parents before children (foreign keys are checked as rows arrive).
    static let tables: [Table] = ([
        ("organisation", "organisations"), ("user", "users"), ("session", "sessions"), ("externalIdentity", "external_identities"),
        ("counter", "counters"), ("material", "materials"), ("materialVersion", "material_versions"),
        ("question", "questions"), ("questionBlob", "question_blobs"), ("questionUnit", "question_units"),
        ("questionVersion", "question_versions"), ("questionSetMember", "question_set_members"),
        ("job", "jobs"), ("pushRequest", "push_requests"),
        ("blueprint", "blueprints"), ("assembledTest", "assembled_tests"), ("testQuestion", "test_questions"),
        ("catalogSubject", "catalog_subjects"), ("catalogItem", "catalog_items"), ("catalogRevision", "catalog_revisions"),
        ("criteriaSet", "criteria_sets"), ("submission", "submissions"), ("assignment", "assignments"), ("review", "reviews"),
        ("auditHead", "audit_head"), ("auditEvent", "audit_events"),
        ("lmsClient", "lms_clients"), ("ltiPlatform", "lti_platforms"), ("ltiLogin", "lti_logins"), ("ltiNonce", "lti_nonces"),
        ("ltiToolKey", "lti_tool_keys"), ("ltiScore", "lti_scores"), ("oidcLogin", "oidc_logins"),
        ("remoteRepository", "remote_repositories"), ("harvestRun", "harvest_runs"), ("oaiRecord", "oai_records"),
        ("oaiClientDay", "oai_client_days"), ("upload", "uploads"),
    ] as [(String, String)]).map { Table(sqlite: $0.0, postgres: $0.1) }

    /// Source tables that are deliberately not copied, with the reason (FTS5's shadow tables, `searchIndex_data`
    /// and the like, belong to their index).
    public static let notCopied: [String: String] = [
        "grdb_migrations": "SQLite's migration record; PostgreSQL keeps its own (hoclieu_migrations)",
        "sqlite_sequence": "AUTOINCREMENT high-water marks; they set the target's sequences instead",
        "searchIndex": "the FTS5 search index; PostgreSQL's materials.terms are computed from each row",
        "catalogSearch": "the FTS5 catalogue index; PostgreSQL's catalog_items.terms are computed from each row",
    ]

    /// The SQLite tables the copy carries over.
    public static var copiedTables: [String] { tables.map(\.sqlite) }

    /// The PostgreSQL tables the copy fills.
    public static var copiedPostgresTables: [String] { tables.map(\.postgres) }

    /// Whether a source table is covered: copied, or named in ``notCopied`` (with its FTS5 shadow tables).
    public static func covers(sqliteTable name: String) -> Bool {
        if tables.contains(where: { $0.sqlite == name }) || notCopied[name] != nil { return true }
        return ["searchIndex_", "catalogSearch_"].contains { name.hasPrefix($0) }
    }

    /// Tables of a SQLite store that the copy neither carries nor names as left out (none, or the copy refuses to run).
    public static func uncoveredTables(in store: SQLiteStore) async throws -> [String] {
        try await store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        }.filter { !covers(sqliteTable: $0) }
    }

    /// The tables of a PostgreSQL store that the copy does not fill itself, and what fills them.
    public static let uncopiedPostgresTables: [String: String] = [
        "hoclieu_migrations": "the store's migrations, as they run",
        "material_search": "a trigger, from materials",
    ]

    /// Tables of a PostgreSQL store that no copied table fills (none but ``uncopiedPostgresTables``).
    public static func uncoveredTables(in store: PostgresStore) async throws -> [String] {
        try await store.read { c in
            try await c.rows("SELECT tablename::text AS t FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1", store.logger)
                .map { try $0.get("t", as: String.self) }
        }.filter { name in uncopiedPostgresTables[name] == nil && !tables.contains { $0.postgres == name } }
    }

    /// The target column a source column is copied into: `contentId` → `content_id`, `baseURL` → `base_url`,
    /// `statementEN` → `statement_en`.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        var previous: Character?
        for character in name {
            if character.isUppercase, let p = previous, p.isLowercase || p.isNumber { out.append("_") }
            out.append(Character(character.lowercased()))
            previous = character
        }
        return out
    }

    /// What the copy did, table by table.
    public struct Report: Sendable, Codable {
        /// Rows of one table in the source snapshot and in the target before commit (equal, or the copy fails).
        public struct TableCount: Sendable, Codable, Equatable {
            public var table: String
            public var source: Int
            public var target: Int
        }

        public var tables: [TableCount]
        /// Sequences set past the copied identifiers: `table.column → next value`.
        public var sequences: [String: Int64]
        public var seconds: Double

        /// Rows copied in all.
        public var rows: Int { tables.reduce(0) { $0 + $1.target } }
    }

    // MARK: Values

    /// One value on its way from SQLite to PostgreSQL, already in the target column's type.
    enum Cell: Sendable {
        case null
        case int8(Int64)
        case int4(Int32)
        case bool(Bool)
        case float8(Double)
        case text(String)
        case bytes([UInt8])
        case timestamp(Date)
        case texts([String])

        func bind(_ bindings: inout PostgresBindings) {
            switch self {
            case .null: bindings.appendNull()
            case .int8(let v): bindings.append(v)
            case .int4(let v): bindings.append(v)
            case .bool(let v): bindings.append(v)
            case .float8(let v): bindings.append(v)
            case .text(let v): bindings.append(v)
            case .bytes(let v): bindings.append(ByteBuffer(bytes: v))
            case .timestamp(let v): bindings.append(PGTimestamp(v))
            case .texts(let v): bindings.append(v)
            }
        }
    }

    /// How one target column gets its value.
    enum Source: Sendable {
        /// From the source column of that name, converted to the target's type (`udt_name`: `int8`, `timestamptz`…).
        case column(String, type: String)
        /// Computed from the source row (the search columns PostgreSQL keeps in the row).
        case derived(Derived)
    }

    enum Derived: Sendable {
        case materialTerms, materialFacets, catalogTerms
    }

    static let derivedColumns: [String: [String: Derived]] = [
        "materials": ["terms": .materialTerms, "facet_lines": .materialFacets],
        "catalog_items": ["terms": .catalogTerms],
    ]
    /// Source columns whose content the target derives instead (so they have no target column of their own).
    static let replacedSourceColumns: [String: Set<String>] = ["material": ["facetLines"]]

    /// Converts a SQLite value into the target column's type; anything that does not fit stops the copy.
    static func convert(_ value: DatabaseValue, to type: String, at place: @autoclosure () -> String) throws -> Cell {
        func bad() -> StoreCopyError { .unconvertible(place(), type: type, value: String(describing: value).prefix(80).description) }
        switch value.storage {
        case .null: return .null
        case .int64(let i):
            switch type {
            case "int8": return .int8(i)
            case "int4", "int2": guard let v = Int32(exactly: i) else { throw bad() }; return .int4(v)
            case "bool": guard i == 0 || i == 1 else { throw bad() }; return .bool(i == 1)
            case "float8", "float4", "numeric": return .float8(Double(i))
            case "text": return .text(String(i))
            case "timestamptz", "timestamp": return .timestamp(Date(timeIntervalSince1970: Double(i)))
            default: throw bad()
            }
        case .double(let d):
            switch type {
            case "float8", "float4", "numeric": return .float8(d)
            case "int8": guard let v = Int64(exactly: d) else { throw bad() }; return .int8(v)
            case "int4", "int2": guard let v = Int32(exactly: d) else { throw bad() }; return .int4(v)
            case "text": return .text(String(d))
            default: throw bad()
            }
        case .string(let s):
            switch type {
            case "text": return .text(s)
            case "bytea": return .bytes(Array(s.utf8))
            case "timestamptz", "timestamp":
                guard let date = HoclieuJSON.parseTimestamp(s) ?? Date.fromDatabaseValue(value) else { throw bad() }
                return .timestamp(date)
            case "bool":
                guard s == "0" || s == "1" else { throw bad() }
                return .bool(s == "1")
            default: throw bad()
            }
        case .blob(let data):
            switch type {
            case "bytea": return .bytes(Array(data))
            case "text":
                guard let s = String(data: data, encoding: .utf8) else { throw bad() }
                return .text(s)
            default: throw bad()
            }
        }
    }

    // MARK: Plans

    /// How one table is read and written.
    struct Plan: Sendable {
        let table: Table
        /// The source's keyset order: `rowid`, or the primary key of a WITHOUT ROWID table.
        let key: [String]
        let targetColumns: [(name: String, source: Source)]
        let sourceCount: Int
        /// AUTOINCREMENT's high-water mark (`sqlite_sequence`), if the table has one.
        let sequence: Int64?
    }

    /// Reads both schemas and matches every column; throws on anything unmatched.
    static func makePlans(_ db: Database, targetColumns: [String: [(name: String, type: String)]]) throws -> [Plan] {
        let sourceTables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if let unknown = sourceTables.first(where: { !covers(sqliteTable: $0) }) { throw StoreCopyError.unknownTable(unknown) }
        var sequences: [String: Int64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT name, seq FROM sqlite_sequence") { sequences[row["name"]] = row["seq"] }
        return try tables.map { table in
            guard sourceTables.contains(table.sqlite) else { throw StoreCopyError.schema("the SQLite store has no table \(table.sqlite)") }
            guard let target = targetColumns[table.postgres], !target.isEmpty else {
                throw StoreCopyError.schema("the PostgreSQL store has no table \(table.postgres)")
            }
            let info = try Row.fetchAll(db, sql: "SELECT name, pk FROM pragma_table_info(?)", arguments: [table.sqlite])
            let sourceColumns: [String] = info.map { $0["name"] }
            let withoutRowID = try Bool.fetchOne(db, sql: "SELECT wr FROM pragma_table_list WHERE name = ?", arguments: [table.sqlite]) ?? false
            let key: [String] =
                withoutRowID
                ? info.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }.map { $0["name"] } : ["rowid"]
            let derived = derivedColumns[table.postgres] ?? [:]
            var bySnake: [String: String] = [:]
            for column in sourceColumns where !(replacedSourceColumns[table.sqlite]?.contains(column) ?? false) {
                bySnake[snakeCase(column)] = column
            }
            var columns: [(name: String, source: Source)] = []
            for column in target {
                if let how = derived[column.name] {
                    columns.append((column.name, .derived(how)))
                } else if let source = bySnake.removeValue(forKey: column.name) {
                    columns.append((column.name, .column(source, type: column.type)))
                } else {
                    throw StoreCopyError.schema("\(table.postgres).\(column.name) has no source column in \(table.sqlite)")
                }
            }
            if let left = bySnake.values.sorted().first {
                throw StoreCopyError.schema("\(table.sqlite).\(left) has no column in \(table.postgres)")
            }
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table.sqlite.quotedDatabaseIdentifier)") ?? 0
            return Plan(table: table, key: key, targetColumns: columns, sourceCount: count, sequence: sequences[table.sqlite])
        }
    }

    /// One batch of source rows, converted: the rows' cells in target column order, and the last row's key.
    static func batch(_ db: Database, _ plan: Plan, after: [DatabaseValue]?, limit: Int) throws -> (rows: [[Cell]], last: [DatabaseValue]?) {
        let keys = plan.key.map { $0 == "rowid" ? "rowid" : $0.quotedDatabaseIdentifier }
        let aliases = keys.enumerated().map { "\($0.element) AS __key\($0.offset)" }.joined(separator: ", ")
        let tuple = "(" + keys.joined(separator: ", ") + ")"
        var sql = "SELECT \(aliases), * FROM \(plan.table.sqlite.quotedDatabaseIdentifier)"
        var arguments = StatementArguments()
        if let after {
            sql += " WHERE \(tuple) > (\(after.map { _ in "?" }.joined(separator: ", ")))"
            arguments = StatementArguments(after)
        }
        sql += " ORDER BY \(keys.joined(separator: ", ")) LIMIT \(limit)"
        let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
        guard let first = rows.first else { return ([], nil) }
        let names = Array(first.columnNames)
        let indices: [Int?] = plan.targetColumns.map { column in
            guard case .column(let name, _) = column.source else { return nil }
            // The first match after the key aliases: the column itself.
            return names.indices.dropFirst(plan.key.count).first { names[$0] == name }
        }
        var materialColumns: SQLiteStore.MaterialColumns?
        var converted: [[Cell]] = []
        converted.reserveCapacity(rows.count)
        for row in rows {
            var material: Material?
            var cells: [Cell] = []
            cells.reserveCapacity(plan.targetColumns.count)
            for (i, column) in plan.targetColumns.enumerated() {
                switch column.source {
                case .column(let name, let type):
                    guard let index = indices[i] else { throw StoreCopyError.schema("\(plan.table.sqlite).\(name) not read") }
                    cells.append(try convert(row[index], to: type, at: "\(plan.table.sqlite).\(name) (\((0..<plan.key.count).map { "\(row[$0] as DatabaseValue)" }.joined(separator: ",")))"))
                case .derived(.materialTerms), .derived(.materialFacets):
                    if material == nil {
                        if materialColumns == nil { materialColumns = try SQLiteStore.MaterialColumns(row) }
                        material = try SQLiteStore.material(row, materialColumns!)
                    }
                    if case .derived(.materialTerms) = column.source {
                        cells.append(.texts(PostgresStore.lexemes(SearchDocument(material: material!, extractedText: row["extractedText"]))))
                    } else {
                        cells.append(.texts(PostgresStore.facetLines(material!)))
                    }
                case .derived(.catalogTerms):
                    cells.append(.texts(PostgresStore.catalogLexemes(try SQLiteStore.catalogItem(row).item)))
                }
            }
            converted.append(cells)
        }
        let last = rows.last!
        return (converted, (0..<plan.key.count).map { last[$0] as DatabaseValue })
    }

    /// The INSERT of `rows` rows into the plan's table, with the placeholders cast to the target types.
    static func insertStatement(_ plan: Plan, rows: Int, types: [String: String]) -> String {
        let names = plan.targetColumns.map { "\"\($0.name)\"" }.joined(separator: ", ")
        var sql = "INSERT INTO \(plan.table.postgres) (\(names)) VALUES "
        var n = 0
        for r in 0..<rows {
            if r > 0 { sql += ", " }
            sql += "("
            for (i, column) in plan.targetColumns.enumerated() {
                n += 1
                if i > 0 { sql += ", " }
                let type = types[column.name] ?? "text"
                sql += type == "tsvector" ? "array_to_tsvector($\(n)::text[])" : "$\(n)::\(type)"
            }
            sql += ")"
        }
        return sql
    }

    // MARK: The copy

    /// Copies every table of `source` into `target`, which must be empty (only what its migrations seed), in one
    /// transaction; sets the target's sequences; compares the row counts before committing.
    ///
    /// - Parameter batchRows: rows per INSERT (fewer for wide tables: PostgreSQL takes at most 65,535 parameters).
    public static func copy(from source: SQLiteStore, to target: PostgresStore, batchRows: Int = 1000) async throws -> Report {
        let start = ContinuousClock.now
        let logger = target.logger
        try await target.migrated()
        guard try await target.pendingMigrations().isEmpty else { throw StoreCopyError.schema("the PostgreSQL store's migrations are not current") }
        // The target's columns and their types, in table order.
        let targetColumns: [String: [(name: String, type: String)]] = try await target.read { c in
            var columns: [String: [(name: String, type: String)]] = [:]
            for row in try await c.rows(
                """
                SELECT table_name::text AS t, column_name::text AS c, udt_name::text AS u FROM information_schema.columns
                WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position
                """, logger)
            {
                let table: String = try row.get("t")
                let column: String = try row.get("c")
                let type: String = try row.get("u")
                columns[table, default: []].append((column, type))
            }
            return columns
        }
        let snapshot = try source.pool.makeSnapshot()
        let plans = try await snapshot.read { db in try makePlans(db, targetColumns: targetColumns) }
        try await refuseNonEmpty(target, plans: plans)

        let result: ([Report.TableCount], [String: Int64]) = try await target.write { c in
            try await ensureEmpty(c, tables: plans.map(\.table.postgres), logger: logger)
            // What the migrations seeded (the department, zero counters, the audit chain's genesis head) is replaced by
            // the source's own rows.
            try await c.run("DELETE FROM counters", logger)
            try await c.run("DELETE FROM audit_head", logger)
            try await c.run("DELETE FROM organisations", logger)
            for plan in plans {
                let types = Dictionary(uniqueKeysWithValues: (targetColumns[plan.table.postgres] ?? []).map { ($0.name, $0.type) })
                let perStatement = max(1, min(batchRows, 60_000 / max(1, plan.targetColumns.count)))
                var after: [DatabaseValue]?
                while true {
                    let from = after
                    let (rows, last) = try await snapshot.read { db in try batch(db, plan, after: from, limit: perStatement) }
                    guard !rows.isEmpty else { break }
                    var bindings = PostgresBindings(capacity: rows.count * plan.targetColumns.count)
                    for row in rows { for cell in row { cell.bind(&bindings) } }
                    try await c.run(PostgresQuery(unsafeSQL: insertStatement(plan, rows: rows.count, types: types), binds: bindings), logger)
                    after = last
                    if rows.count < perStatement { break }
                }
            }
            let sequences = try await setSequences(c, plans: plans, logger: logger)
            var counts: [Report.TableCount] = []
            for plan in plans {
                let n = Int(try await c.value(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(plan.table.postgres)"), as: Int64.self, logger) ?? 0)
                counts.append(Report.TableCount(table: plan.table.postgres, source: plan.sourceCount, target: n))
                guard n == plan.sourceCount else { throw StoreCopyError.countMismatch(plan.table.postgres, source: plan.sourceCount, target: n) }
            }
            return (counts, sequences)
        }
        let elapsed = ContinuousClock.now - start
        return Report(
            tables: result.0, sequences: result.1,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Sets every sequence owned by a copied column past the highest copied value (and past SQLite's AUTOINCREMENT
    /// mark, so an id deleted in the source is not handed out again).
    static func setSequences(_ c: PostgresConnection, plans: [Plan], logger: Logger) async throws -> [String: Int64] {
        var result: [String: Int64] = [:]
        let owned = try await c.rows(
            """
            SELECT t.relname::text AS t, a.attname::text AS c, s.oid::regclass::text AS s
            FROM pg_class s JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
            JOIN pg_class t ON t.oid = d.refobjid JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE s.relkind = 'S' AND n.nspname = current_schema()
            """, logger)
        for row in owned {
            let table: String = try row.get("t")
            let column: String = try row.get("c")
            let sequence: String = try row.get("s")
            let highest =
                try await c.value(PostgresQuery(unsafeSQL: "SELECT coalesce(max(\(column)), 0)::int8 FROM \(table)"), as: Int64.self, logger) ?? 0
            let mark = plans.first { $0.table.postgres == table }?.sequence ?? 0
            let next = max(highest, mark) + 1
            try await c.run("SELECT setval(\(sequence)::regclass, \(next), false)", logger)
            result["\(table).\(column)"] = next
        }
        return result
    }

    /// Throws ``StoreCopyError/targetNotEmpty(table:rows:)`` unless the target holds only what its migrations seed.
    static func refuseNonEmpty(_ target: PostgresStore, plans: [Plan]) async throws {
        try await target.read { c in try await ensureEmpty(c, tables: plans.map(\.table.postgres), logger: target.logger) }
    }

    /// Throws ``StoreCopyError/targetNotEmpty(table:rows:)`` unless `tables` hold only what the migrations seed.
    static func ensureEmpty(_ c: PostgresConnection, tables: [String], logger: Logger) async throws {
        for table in tables {
            let seeded: String =
                switch table {
                case "organisations": " WHERE key <> '\(SQLiteStore.departmentKey)' OR parent_id IS NOT NULL"
                case "counters": " WHERE value <> 0"
                case "audit_head": " WHERE seq <> 0"
                default: ""
                }
            let n = try await c.value(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)\(seeded)"), as: Int64.self, logger) ?? 0
            if n > 0 { throw StoreCopyError.targetNotEmpty(table: table, rows: Int(n)) }
        }
    }
}

/// Why a store copy did not happen. Nothing was written to the target.
public enum StoreCopyError: BilingualError, Equatable {
    /// The target already holds data (`rows` < 0: a table that is not Hoclieu's).
    case targetNotEmpty(table: String, rows: Int)
    /// A table of the source that the copy does not know (a new migration not added to ``StoreCopy/tables``).
    case unknownTable(String)
    /// The two schemas do not match column for column.
    case schema(String)
    /// A source value that does not fit its target column.
    case unconvertible(String, type: String, value: String)
    /// The target's row count differs from the source's after the copy.
    case countMismatch(String, source: Int, target: Int)

    public var category: ErrorCategory {
        switch self {
        case .targetNotEmpty: .conflict
        default: .invalid
        }
    }

    public var code: String {
        switch self {
        case .targetNotEmpty: "target-not-empty"
        case .unknownTable, .schema: "schema-mismatch"
        case .unconvertible: "unconvertible-value"
        case .countMismatch: "count-mismatch"
        }
    }

    public var vietnamese: String {
        switch self {
        case .targetNotEmpty(let table, let rows):
            "cơ sở dữ liệu PostgreSQL đích không trống (\(rows < 0 ? "có bảng \(table)" : "bảng \(table) có \(rows) dòng")); chỉ chuyển vào một cơ sở dữ liệu trống, không ghi gì"
        case .unknownTable(let name): "bảng \(name) của SQLite không có trong danh sách sao chép; không ghi gì"
        case .schema(let text): "hai lược đồ không khớp: \(text); không ghi gì"
        case .unconvertible(let place, let type, let value): "giá trị \(value) ở \(place) không chuyển được sang \(type); không ghi gì"
        case .countMismatch(let table, let source, let target): "số dòng của \(table) khác nhau (nguồn \(source), đích \(target)); đã hoàn tác"
        }
    }

    public var english: String {
        switch self {
        case .targetNotEmpty(let table, let rows):
            "the target PostgreSQL database is not empty (\(rows < 0 ? "it has a table \(table)" : "table \(table) holds \(rows) rows")); use an empty database; nothing was written"
        case .unknownTable(let name): "SQLite table \(name) is not in the copy's table list; nothing was written"
        case .schema(let text): "the schemas do not match: \(text); nothing was written"
        case .unconvertible(let place, let type, let value): "value \(value) at \(place) does not convert to \(type); nothing was written"
        case .countMismatch(let table, let source, let target): "row counts of \(table) differ (source \(source), target \(target)); rolled back"
        }
    }
}
