import Foundation
import GRDB
import HoclieuCore

/// Ranking: relevance tiers over a capped candidate window, newest first within a tier.
///
/// Ranking every match of a very common syllable (`số`, `và`) is what makes naive bm25
/// slow at a million materials, so no score is computed per match. Instead the query is
/// split into disjoint tiers, each an FTS5 expression read in rowid order (newest first)
/// with `LIMIT`, which FTS5 answers by streaming its posting lists and stopping early:
///
/// | tier | matches | window |
/// |---|---|---|
/// | 0 | every token exactly (diacritics as typed) in the title | newest `window` exact matches |
/// | 1 | every token exactly, title or body, not tier 0 | same |
/// | 2 | every token exactly, older than the window | — |
/// | 3 | every token folded in the title, not exact | newest `window` folded matches |
/// | 4 | every token folded, title or body, not tiers 0–3 | same |
/// | 5 | every token folded, older than the window, not exact | — |
///
/// Tiers 0–2 exist only when the query carries marks; without marks exact and folded
/// forms coincide. The window bounds how far back a tier expression may scan, so a
/// rare combination of common syllables never walks a whole posting list.
extension SQLiteStore {
    static let rankingWindow = 1000

    struct Tier {
        var expression: String
        /// Rows must have `rowid >= floor` (nil: no lower bound).
        var floor: Int64?
        /// Rows must have `rowid < ceiling` (nil: no upper bound).
        var ceiling: Int64?
    }

    public func search(_ request: SearchRequest) async throws -> SearchPage {
        let limit = min(max(request.limit, 1), 100)
        let query = SearchExpression(text: request.text)
        var filter = SearchExpression.filters(request.filters)
        if let visibility = SearchExpression.visibility(for: request.viewer) { filter.insert(visibility, at: 0) }
        let filterExpression = filter.isEmpty ? "all" : filter.joined(separator: " AND ")
        @Sendable func and(_ parts: String...) -> String { parts.map { "(\($0))" }.joined(separator: " AND ") }

        return try await pool.read { db in
            // The newest matches, up to the window: the count, the facet sample and the folded window floor.
            let foldedAll = query.isEmpty ? filterExpression : and(query.foldedAny, filterExpression)
            let sample = try Int64.fetchAll(
                db, sql: "SELECT rowid FROM searchIndex WHERE searchIndex MATCH ? ORDER BY rowid DESC LIMIT ?",
                arguments: [foldedAll, Self.rankingWindow])
            let total = sample.count
            let foldedFloor = total == Self.rankingWindow ? sample.last : nil

            var tiers: [Tier] = []
            if query.isEmpty {
                tiers.append(Tier(expression: foldedAll))
            } else {
                var exactFloor: Int64? = nil
                var notExact = ""
                if query.hasMarks {
                    let exactAll = and(query.exactAny, filterExpression)
                    let window = try Int64.fetchAll(
                        db, sql: "SELECT rowid FROM searchIndex WHERE searchIndex MATCH ? ORDER BY rowid DESC LIMIT ?",
                        arguments: [exactAll, Self.rankingWindow])
                    exactFloor = window.count == Self.rankingWindow ? window.last : nil
                    tiers.append(Tier(expression: and(query.exactTitle, filterExpression), floor: exactFloor))
                    tiers.append(Tier(expression: "(\(exactAll)) NOT (\(query.exactTitle))", floor: exactFloor))
                    if let exactFloor { tiers.append(Tier(expression: exactAll, ceiling: exactFloor)) }
                    notExact = " NOT (\(query.exactAny))"
                } else {
                    tiers += [Tier(expression: "", floor: nil), Tier(expression: "", floor: nil), Tier(expression: "", floor: nil)]
                }
                tiers.append(Tier(expression: "(\(and(query.foldedTitle, filterExpression)))\(notExact)", floor: foldedFloor))
                let higher = query.hasMarks ? "(\(query.exactAny)) OR (\(query.foldedTitle))" : query.foldedTitle
                tiers.append(Tier(expression: "(\(foldedAll)) NOT (\(higher))", floor: foldedFloor))
                if let foldedFloor { tiers.append(Tier(expression: "(\(foldedAll))\(notExact)", ceiling: foldedFloor)) }
            }

            // Walk the tiers from the cursor until the page (plus one, to know if there is more) is full.
            var rows: [(tier: Int, row: Int64)] = []
            let start = request.cursor?.tier ?? 0
            for (index, tier) in tiers.enumerated() where index >= start && !tier.expression.isEmpty && rows.count <= limit {
                var sql = "SELECT rowid FROM searchIndex WHERE searchIndex MATCH ?"
                var arguments: StatementArguments = [tier.expression]
                var ceiling = tier.ceiling
                if let cursor = request.cursor, cursor.tier == index { ceiling = min(ceiling ?? .max, cursor.lastRow) }
                if let ceiling {
                    sql += " AND rowid < ?"
                    arguments += [ceiling]
                }
                if let floor = tier.floor {
                    sql += " AND rowid >= ?"
                    arguments += [floor]
                }
                sql += " ORDER BY rowid DESC LIMIT ?"
                arguments += [limit + 1 - rows.count]
                rows += try Int64.fetchAll(db, sql: sql, arguments: arguments).map { (index, $0) }
            }
            let next = rows.count > limit ? SearchCursor(tier: rows[limit - 1].tier, lastRow: rows[limit - 1].row) : nil
            let page = rows.prefix(limit).map(\.row)

            var json: [Int64: String] = [:]
            if !page.isEmpty {
                let marks = Array(repeating: "?", count: page.count).joined(separator: ",")
                for row in try Row.fetchAll(
                    db, sql: "SELECT id, json FROM material WHERE id IN (\(marks))", arguments: StatementArguments(page))
                {
                    json[row["id"]] = row["json"]
                }
            }
            return SearchPage(
                items: page.compactMap { json[$0] }, next: next, total: total, totalIsLowerBound: total == Self.rankingWindow,
                facetCounts: try Self.facetCounts(request.facets, rows: sample, db: db))
        }
    }

    /// Tallies facet values over the given rows, most frequent first.
    static func facetCounts(_ facets: Set<Facet>, rows: [Int64], db: Database) throws -> [Facet: [(value: String, count: Int)]] {
        guard !facets.isEmpty, !rows.isEmpty else { return [:] }
        var counts: [Facet: [String: Int]] = [:]
        let marks = Array(repeating: "?", count: rows.count).joined(separator: ",")
        let cursor = try String.fetchCursor(
            db, sql: "SELECT facetLines FROM material WHERE id IN (\(marks))", arguments: StatementArguments(rows))
        while let lines = try cursor.next() {
            for line in lines.split(separator: "\n") {
                guard let eq = line.firstIndex(of: "="), let facet = Facet(rawValue: String(line[..<eq])), facets.contains(facet)
                else { continue }
                counts[facet, default: [:]][String(line[line.index(after: eq)...]), default: 0] += 1
            }
        }
        return counts.mapValues { values in
            values.map { (value: $0.key, count: $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }
        }
    }
}
