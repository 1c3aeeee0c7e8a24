public import Foundation
public import HoclieuCore
import Logging
import PostgresNIO

/// The curriculum catalogue on PostgreSQL (``SQLiteStore``'s `+Catalog`): items with revisions, never deleted, and
/// their search terms (the same ``SQLiteStore/catalogTerms(_:)``) as a `tsvector`.
extension PostgresStore: CatalogStore {
    static let catalogMigration = Migration(
        name: "v8-catalogue",
        statements: [
            """
            CREATE TABLE catalog_subjects (
                code TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                name_en TEXT NOT NULL,
                grades TEXT NOT NULL,
                compulsory TEXT NOT NULL,
                source TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE catalog_items (
                id BIGSERIAL PRIMARY KEY,
                code TEXT NOT NULL UNIQUE,
                uuid TEXT NOT NULL UNIQUE,
                framework TEXT NOT NULL,
                parent TEXT,
                type TEXT NOT NULL,
                grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 12),
                statement TEXT NOT NULL,
                statement_en TEXT,
                associations TEXT NOT NULL,
                position INTEGER NOT NULL,
                deprecated BOOLEAN NOT NULL DEFAULT FALSE,
                revision INTEGER NOT NULL DEFAULT 1,
                updated_at TIMESTAMPTZ NOT NULL,
                terms TSVECTOR NOT NULL
            )
            """,
            "CREATE INDEX catalog_items_parent ON catalog_items (parent, position)",
            "CREATE INDEX catalog_items_framework ON catalog_items (framework, position)",
            "CREATE INDEX catalog_items_terms ON catalog_items USING gin (terms)",
            """
            CREATE TABLE catalog_revisions (
                code TEXT NOT NULL REFERENCES catalog_items(code),
                revision INTEGER NOT NULL,
                statement TEXT NOT NULL,
                statement_en TEXT,
                replaced_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (code, revision)
            )
            """,
        ])

    static let catalogColumns =
        "id, code, uuid, framework, parent, type, grade, statement, statement_en, associations, position, deprecated, revision, updated_at"

    static func catalogItem(_ row: PostgresRandomAccessRow) throws -> StoredCatalogItem {
        let associations = try JSONDecoder().decode([CatalogAssociation].self, from: Data(try row.get("associations", as: String.self).utf8))
        let item = CatalogItem(
            code: try row.get("code"), parent: try row.get("parent"), type: CatalogItemType(rawValue: try row.get("type")) ?? .topic,
            grade: Int(try row.get("grade", as: Int32.self)), statement: try row.get("statement"), statementEN: try row.get("statement_en"),
            associations: associations, deprecated: try row.get("deprecated"))
        guard let uuid = UUID(uuidString: try row.get("uuid")) else { throw StoreError.invalid("catalogue uuid") }
        return StoredCatalogItem(
            item: item, uuid: uuid, framework: try row.get("framework"), revision: Int(try row.get("revision", as: Int32.self)),
            position: Int(try row.get("position", as: Int32.self)), updatedAt: try row.date("updated_at"))
    }

    /// ``SQLiteStore/catalogTerms(_:)`` as lexemes.
    static func catalogLexemes(_ item: CatalogItem) -> [String] {
        var seen = Set<Substring>()
        return SQLiteStore.catalogTerms(item).split(separator: " ").filter { $0.utf8.count < 2048 && seen.insert($0).inserted }.map(String.init)
    }

    public func loadCatalog(_ data: CatalogData) async throws -> CatalogLoadReport {
        try await loadCatalog(data, frameworks: nil)
    }

    public func loadCatalog(_ data: CatalogData, frameworks: Set<String>?) async throws -> CatalogLoadReport {
        try await write { c in
            // One loader at a time across nodes: the comparison with what is stored must see the previous load whole.
            try await c.run("SELECT pg_advisory_xact_lock(7917602)", logger)
            var report = CatalogLoadReport()
            let loadTime = Self.now()
            for subject in data.subjects {
                try await c.run(
                    """
                    INSERT INTO catalog_subjects (code, name, name_en, grades, compulsory, source)
                    VALUES (\(subject.code), \(subject.name), \(subject.nameEN), \(subject.grades.map(String.init).joined(separator: ",")),
                        \(subject.compulsoryGrades.map(String.init).joined(separator: ",")), \(subject.source))
                    ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, grades = excluded.grades,
                        compulsory = excluded.compulsory, source = excluded.source
                    """, logger)
            }
            var seen = Set<String>()
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            for (framework, items) in data.items where frameworks?.contains(framework) ?? true {
                for (position, item) in items.enumerated() {
                    seen.insert(item.code)
                    let now = item.updatedAt.map(SQLiteStore.millisecondPrecision) ?? loadTime
                    let associations = String(decoding: try encoder.encode(item.associations), as: UTF8.self)
                    let terms = Self.catalogLexemes(item)
                    let grade = Int32(clamping: item.grade)
                    if let row = try await c.row("SELECT \(unescaped: Self.catalogColumns) FROM catalog_items WHERE code = \(item.code)", logger) {
                        let old = try Self.catalogItem(row)
                        let same =
                            old.item.statement == item.statement && old.item.statementEN == item.statementEN && old.item.parent == item.parent
                            && old.item.type == item.type && old.item.grade == item.grade && old.item.associations == item.associations
                            && old.item.deprecated == item.deprecated && old.position == position
                        if same {
                            report.unchanged += 1
                            continue
                        }
                        var revision = old.revision
                        if old.item.statement != item.statement || old.item.statementEN != item.statementEN {
                            try await c.run(
                                """
                                INSERT INTO catalog_revisions (code, revision, statement, statement_en, replaced_at)
                                VALUES (\(item.code), \(Int32(clamping: old.revision)), \(old.item.statement), \(old.item.statementEN), \(loadTime.pg))
                                """, logger)
                            revision += 1
                            report.revised += 1
                            report.changedCodes.append(item.code)
                        } else {
                            report.unchanged += 1
                        }
                        try await c.run(
                            """
                            UPDATE catalog_items SET parent = \(item.parent), type = \(item.type.rawValue), grade = \(grade),
                                statement = \(item.statement), statement_en = \(item.statementEN), associations = \(associations),
                                position = \(Int32(clamping: position)), deprecated = \(item.deprecated), revision = \(Int32(clamping: revision)),
                                updated_at = \(now.pg), terms = array_to_tsvector(\(terms)::text[])
                            WHERE code = \(item.code)
                            """, logger)
                    } else {
                        try await c.run(
                            """
                            INSERT INTO catalog_items (code, uuid, framework, parent, type, grade, statement, statement_en, associations,
                                position, deprecated, revision, updated_at, terms)
                            VALUES (\(item.code), \(item.uuid.uuidString.lowercased()), \(framework), \(item.parent), \(item.type.rawValue), \(grade),
                                \(item.statement), \(item.statementEN), \(associations), \(Int32(clamping: position)), \(item.deprecated), 1,
                                \(now.pg), array_to_tsvector(\(terms)::text[]))
                            """, logger)
                        report.added += 1
                    }
                }
            }
            // Units that left the data are deprecated, never deleted: materials may still point at them.
            for row in try await c.rows("SELECT code, framework FROM catalog_items WHERE NOT deprecated ORDER BY id", logger) {
                let code = try row.get("code", as: String.self)
                guard !seen.contains(code), frameworks?.contains(try row.get("framework")) ?? true else { continue }
                try await c.run("UPDATE catalog_items SET deprecated = TRUE, updated_at = \(loadTime.pg) WHERE code = \(code)", logger)
                report.deprecated += 1
                report.changedCodes.append(code)
            }
            return report
        }
    }

    public func catalogFrameworks() async throws -> [CatalogFrameworkSummary] {
        try await read { c in
            try await c.rows(
                """
                SELECT s.code, s.name, s.name_en, s.grades, s.compulsory, s.source, count(i.id) AS items,
                    count(i.id) FILTER (WHERE i.type = 'outcome') AS outcomes, max(i.updated_at) AS updated_at
                FROM catalog_subjects s LEFT JOIN catalog_items i ON i.framework = s.code AND NOT i.deprecated
                GROUP BY s.code ORDER BY s.code COLLATE "C"
                """, logger
            ).map { row in
                let grades = try row.get("grades", as: String.self).split(separator: ",").compactMap { Int($0) }
                let compulsory = try row.get("compulsory", as: String.self).split(separator: ",").compactMap { Int($0) }
                let subject = CatalogSubject(
                    code: try row.get("code"), name: try row.get("name"), nameEN: try row.get("name_en"), grades: grades, compulsoryGrades: compulsory,
                    source: try row.get("source"))
                return CatalogFrameworkSummary(
                    subject: subject, uuid: CatalogIdentifiers.uuid(for: subject.code), items: Int(try row.get("items", as: Int64.self)),
                    outcomes: Int(try row.get("outcomes", as: Int64.self)),
                    updatedAt: try row.optionalDate("updated_at") ?? Date(timeIntervalSince1970: 0))
            }
        }
    }

    public func catalogItem(code: String) async throws -> StoredCatalogItem? {
        try await read { c in
            try await c.row("SELECT \(unescaped: Self.catalogColumns) FROM catalog_items WHERE code = \(code)", logger).map(Self.catalogItem)
        }
    }

    public func catalogChildren(of code: String) async throws -> [StoredCatalogItem] {
        try await read { c in
            try await c.rows("SELECT \(unescaped: Self.catalogColumns) FROM catalog_items WHERE parent = \(code) ORDER BY position, id", logger)
                .map(Self.catalogItem)
        }
    }

    public func catalogItems(framework: String) async throws -> [StoredCatalogItem] {
        try await read { c in
            try await c.rows("SELECT \(unescaped: Self.catalogColumns) FROM catalog_items WHERE framework = \(framework) ORDER BY position, id", logger)
                .map(Self.catalogItem)
        }
    }

    public func searchCatalog(_ text: String, framework: String?, limit: Int) async throws -> [StoredCatalogItem] {
        var words: [String] = []
        VietnameseTokenizer.forEachToken(text) { exact, folded in
            words.append(String(decoding: exact == folded ? folded : exact, as: UTF8.self))
        }
        guard !words.isEmpty else { return [] }
        // The last word is a prefix, as SQLite's `"word"*`.
        func quoted(_ w: String) -> String { "'" + w.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'" }
        var expression = words.enumerated().map { i, w in quoted(w) + (i == words.count - 1 ? ":*" : "") }.joined(separator: " & ")
        if let framework { expression += " & " + quoted("fw_" + framework.lowercased()) }
        let match = expression
        return try await read { c in
            try await c.rows(
                """
                SELECT \(unescaped: Self.catalogColumns.split(separator: ",").map { "i." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
                FROM (SELECT id FROM catalog_items WHERE terms @@ \(match)::tsquery ORDER BY id LIMIT 500) m
                JOIN catalog_items i ON i.id = m.id WHERE NOT i.deprecated
                ORDER BY (i.type = 'outcome'), length(i.statement), i.code COLLATE "C" LIMIT \(Int64(min(max(limit, 1), 100)))
                """, logger
            ).map(Self.catalogItem)
        }
    }

    public func materialCount(taggedWith code: String, visibleTo viewer: User?) async throws -> Int {
        let expression = Self.tsquery(SearchExpression.restriction(viewer: viewer, filters: SearchFilters([.knowledgeUnit: [code]])))
        return try await read { c in
            Int(try await c.value("SELECT count(*) FROM material_search WHERE terms @@ \(expression)::tsquery", as: Int64.self, logger) ?? 0)
        }
    }
}
