import Foundation
import GRDB
public import HoclieuCore

extension SQLiteStore {
    static func catalogItem(_ row: Row) throws -> StoredCatalogItem {
        let associations = try JSONDecoder().decode([CatalogAssociation].self, from: Data((row["associations"] as String).utf8))
        let item = CatalogItem(
            code: row["code"], parent: row["parent"], type: CatalogItemType(rawValue: row["type"]) ?? .topic, grade: row["grade"],
            statement: row["statement"], statementEN: row["statementEN"], associations: associations, deprecated: row["deprecated"])
        return StoredCatalogItem(
            item: item, uuid: UUID(uuidString: row["uuid"])!, framework: row["framework"], revision: row["revision"],
            position: row["position"], updatedAt: row.date("updatedAt"))
    }

    /// The search terms of an item: its statement's words folded and as written, and its code's segments.
    static func catalogTerms(_ item: CatalogItem) -> String {
        var terms: [String] = []
        VietnameseTokenizer.forEachToken(item.statement) { exact, folded in
            terms.append(String(decoding: folded, as: UTF8.self))
            if exact != folded { terms.append(String(decoding: exact, as: UTF8.self)) }
        }
        terms.append("fw_" + item.code.split(separator: ".")[0].lowercased())
        return terms.joined(separator: " ")
    }

    public func loadCatalog(_ data: CatalogData) async throws -> CatalogLoadReport {
        try await loadCatalog(data, frameworks: nil)
    }

    public func loadCatalog(_ data: CatalogData, frameworks: Set<String>?) async throws -> CatalogLoadReport {
        try await pool.write { db in
            var report = CatalogLoadReport()
            let loadTime = Self.now().dbText
            for subject in data.subjects {
                try db.execute(
                    sql: """
                        INSERT INTO catalogSubject (code, name, nameEN, grades, compulsory, source) VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT(code) DO UPDATE SET name = excluded.name, nameEN = excluded.nameEN, grades = excluded.grades,
                            compulsory = excluded.compulsory, source = excluded.source
                        """,
                    arguments: [
                        subject.code, subject.name, subject.nameEN, subject.grades.map(String.init).joined(separator: ","),
                        subject.compulsoryGrades.map(String.init).joined(separator: ","), subject.source,
                    ])
            }
            var seen = Set<String>()
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            for (framework, items) in data.items where frameworks?.contains(framework) ?? true {
                for (position, item) in items.enumerated() {
                    seen.insert(item.code)
                    let now = item.updatedAt?.dbText ?? loadTime
                    let associations = String(decoding: try encoder.encode(item.associations), as: UTF8.self)
                    if let row = try Row.fetchOne(db, sql: "SELECT * FROM catalogItem WHERE code = ?", arguments: [item.code]) {
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
                            try db.execute(
                                sql: "INSERT INTO catalogRevision (code, revision, statement, statementEN, replacedAt) VALUES (?, ?, ?, ?, ?)",
                                arguments: [item.code, old.revision, old.item.statement, old.item.statementEN, loadTime])
                            revision += 1
                            report.revised += 1
                            report.changedCodes.append(item.code)
                        } else {
                            report.unchanged += 1
                        }
                        try db.execute(
                            sql: "INSERT INTO catalogSearch (catalogSearch, rowid, terms) VALUES ('delete', ?, ?)",
                            arguments: [row["id"] as Int64, Self.catalogTerms(old.item)])
                        try db.execute(
                            sql: """
                                UPDATE catalogItem SET parent = ?, type = ?, grade = ?, statement = ?, statementEN = ?, associations = ?,
                                    position = ?, deprecated = ?, revision = ?, updatedAt = ? WHERE code = ?
                                """,
                            arguments: [
                                item.parent, item.type.rawValue, item.grade, item.statement, item.statementEN, associations, position,
                                item.deprecated, revision, now, item.code,
                            ])
                        try db.execute(
                            sql: "INSERT INTO catalogSearch (rowid, terms) VALUES (?, ?)", arguments: [row["id"] as Int64, Self.catalogTerms(item)])
                    } else {
                        try db.execute(
                            sql: """
                                INSERT INTO catalogItem (code, uuid, framework, parent, type, grade, statement, statementEN, associations,
                                    position, deprecated, revision, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
                                """,
                            arguments: [
                                item.code, item.uuid.uuidString.lowercased(), framework, item.parent, item.type.rawValue, item.grade,
                                item.statement, item.statementEN, associations, position, item.deprecated, now,
                            ])
                        try db.execute(
                            sql: "INSERT INTO catalogSearch (rowid, terms) VALUES (?, ?)", arguments: [db.lastInsertedRowID, Self.catalogTerms(item)])
                        report.added += 1
                    }
                }
            }
            // Units that left the data are deprecated, never deleted: materials may still point at them.
            for row in try Row.fetchAll(db, sql: "SELECT code, framework FROM catalogItem WHERE deprecated = 0") {
                let code: String = row["code"]
                guard !seen.contains(code), frameworks?.contains(row["framework"]) ?? true else { continue }
                try db.execute(sql: "UPDATE catalogItem SET deprecated = 1, updatedAt = ? WHERE code = ?", arguments: [loadTime, code])
                report.deprecated += 1
                report.changedCodes.append(code)
            }
            return report
        }
    }

    public func catalogFrameworks() async throws -> [CatalogFrameworkSummary] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.*, count(i.id) AS items, sum(i.type = 'outcome') AS outcomes, max(i.updatedAt) AS updatedAt
                    FROM catalogSubject s LEFT JOIN catalogItem i ON i.framework = s.code AND i.deprecated = 0
                    GROUP BY s.code ORDER BY s.code
                    """
            ).map { row in
                let grades = (row["grades"] as String).split(separator: ",").compactMap { Int($0) }
                let compulsory = (row["compulsory"] as String).split(separator: ",").compactMap { Int($0) }
                let subject = CatalogSubject(
                    code: row["code"], name: row["name"], nameEN: row["nameEN"], grades: grades, compulsoryGrades: compulsory,
                    source: row["source"])
                return CatalogFrameworkSummary(
                    subject: subject, uuid: CatalogIdentifiers.uuid(for: subject.code), items: row["items"], outcomes: row["outcomes"] ?? 0,
                    updatedAt: row.date("updatedAt"))
            }
        }
    }

    public func catalogItem(code: String) async throws -> StoredCatalogItem? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM catalogItem WHERE code = ?", arguments: [code]).map(Self.catalogItem)
        }
    }

    public func catalogChildren(of code: String) async throws -> [StoredCatalogItem] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM catalogItem WHERE parent = ? ORDER BY position", arguments: [code]).map(Self.catalogItem)
        }
    }

    public func catalogItems(framework: String) async throws -> [StoredCatalogItem] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM catalogItem WHERE framework = ? ORDER BY position", arguments: [framework])
                .map(Self.catalogItem)
        }
    }

    public func searchCatalog(_ text: String, framework: String?, limit: Int) async throws -> [StoredCatalogItem] {
        var words: [String] = []
        VietnameseTokenizer.forEachToken(text) { exact, folded in
            words.append(String(decoding: exact == folded ? folded : exact, as: UTF8.self))
        }
        guard !words.isEmpty else { return [] }
        var expression = words.enumerated().map { i, w in "\"\(w)\"" + (i == words.count - 1 ? "*" : "") }.joined(separator: " AND ")
        if let framework { expression += " AND \"fw_\(framework.lowercased())\"" }
        let match = expression
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT i.* FROM (SELECT rowid FROM catalogSearch WHERE catalogSearch MATCH ? LIMIT 500) m
                    JOIN catalogItem i ON i.id = m.rowid WHERE i.deprecated = 0
                    ORDER BY (i.type = 'outcome'), length(i.statement), i.code LIMIT ?
                    """,
                arguments: [match, min(max(limit, 1), 100)]
            ).map(Self.catalogItem)
        }
    }

    public func materialCount(taggedWith code: String, visibleTo viewer: User?) async throws -> Int {
        let expression = SearchExpression.restriction(viewer: viewer, filters: SearchFilters([.knowledgeUnit: [code]]))
        return try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM searchIndex WHERE searchIndex MATCH ?", arguments: [expression]) ?? 0
        }
    }
}
