import Foundation
import GRDB
import HoclieuCore

/// Ranking: relevance tiers over a capped candidate window, newest first within a tier.
///
/// Ranking every match of a very common syllable (`số`, `và`) is what makes naive bm25
/// slow at a million materials, so no per-match score is computed. Each query reads at most
/// a few bounded lists from the index, all positive expressions read in rowid order (newest
/// first) with `LIMIT` or a rowid floor, which FTS5 answers by streaming its posting lists:
///
/// 1. the **folded window**: the newest `window` matches of every folded word plus the filters
///    (this is also the count, capped, and the sample facets are tallied over);
/// 2. when the query has marks, the **exact window**: the newest `window` matches of every word
///    as typed;
/// 3. the title matches inside each window (`t_` terms, bounded below by the window's floor).
///
/// Inside the windows the tiers are set operations in memory:
///
/// | tier | rows |
/// |---|---|
/// | 0 | exact, title |
/// | 1 | exact, not title |
/// | 2 | exact, older than the exact window |
/// | 3 | folded only, title |
/// | 4 | folded only, not title |
/// | 5 | folded only, older than the folded window |
///
/// Tiers 2 and 5 are read from the index only when a page reaches past a full window.
/// Without marks in the query, exact and folded coincide and tiers 0–2 are empty.
extension SQLiteStore {
    static let rankingWindow = 1000

    public func search(_ request: SearchRequest) async throws -> SearchPage {
        let limit = min(max(request.limit, 1), 100)
        let query = SearchExpression(text: request.text)
        let filterExpression = SearchExpression.restriction(viewer: request.viewer, filters: request.filters)
        let window = Self.rankingWindow

        return try await pool.read { db in
            func rows(_ expression: String, floor: Int64? = nil, below: Int64? = nil, limit: Int? = nil) throws -> [Int64] {
                var sql = "SELECT rowid FROM searchIndex WHERE searchIndex MATCH ?"
                var arguments: StatementArguments = [expression]
                if let floor {
                    sql += " AND rowid >= ?"
                    arguments += [floor]
                }
                if let below {
                    sql += " AND rowid < ?"
                    arguments += [below]
                }
                sql += " ORDER BY rowid DESC"
                if let limit {
                    sql += " LIMIT ?"
                    arguments += [limit]
                }
                return try Int64.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
            }
            func and(_ a: String, _ b: String) -> String { "\(a) AND (\(b))" }

            let foldedAll = query.isEmpty ? filterExpression : and(query.foldedAny, filterExpression)
            let folded = try rows(foldedAll, limit: window)
            let foldedFloor = folded.count == window ? folded.last! : 0

            // The tiers inside the windows, each newest first.
            var tiers: [[Int64]] = Array(repeating: [], count: 6)
            var older: [Int: String] = [:]  // tier → expression for rows below its window
            var ceilings: [Int: Int64] = [:]
            if query.isEmpty {
                tiers[4] = folded
                if foldedFloor > 0 {
                    older[5] = foldedAll
                    ceilings[5] = foldedFloor
                }
            } else {
                var exactSet = Set<Int64>()
                if query.hasMarks {
                    let exactAll = and(query.exactAny, filterExpression)
                    let exact = try rows(exactAll, limit: window)
                    let exactFloor = exact.count == window ? exact.last! : 0
                    let exactTitle = Set(try rows(and(query.exactTitle, filterExpression), floor: exactFloor))
                    tiers[0] = exact.filter { exactTitle.contains($0) }
                    tiers[1] = exact.filter { !exactTitle.contains($0) }
                    exactSet = Set(exact)
                    if exactFloor > 0 {
                        older[2] = exactAll
                        ceilings[2] = exactFloor
                        // Exact matches below the exact window but inside the folded one belong to tier 2.
                        if exactFloor > foldedFloor {
                            exactSet.formUnion(try rows(exactAll, floor: foldedFloor, below: exactFloor))
                        }
                    }
                    if foldedFloor > 0 {
                        older[5] = "(\(foldedAll)) NOT \(query.exactAny)"
                        ceilings[5] = foldedFloor
                    }
                } else if foldedFloor > 0 {
                    older[5] = foldedAll
                    ceilings[5] = foldedFloor
                }
                let foldedTitle = Set(try rows(and(query.foldedTitle, filterExpression), floor: foldedFloor))
                for row in folded where !exactSet.contains(row) {
                    if foldedTitle.contains(row) { tiers[3].append(row) } else { tiers[4].append(row) }
                }
            }

            // Walk the tiers from the cursor until the page, plus one row to know there is more, is full.
            var page: [(tier: Int, row: Int64)] = []
            let start = request.cursor?.tier ?? 0
            for tier in start..<tiers.count where page.count <= limit {
                let after = request.cursor.flatMap { $0.tier == tier ? $0.lastRow : nil }
                if let expression = older[tier], let ceiling = ceilings[tier] {
                    let below = min(ceiling, after ?? .max)
                    page += try rows(expression, below: below, limit: limit + 1 - page.count).map { (tier, $0) }
                } else {
                    let candidates = after.map { last in tiers[tier].filter { $0 < last } } ?? tiers[tier]
                    page += candidates.prefix(limit + 1 - page.count).map { (tier, $0) }
                }
            }
            let next = page.count > limit ? SearchCursor(tier: page[limit - 1].tier, lastRow: page[limit - 1].row) : nil
            let ids = page.prefix(limit).map(\.row)

            var json: [Int64: String] = [:]
            if !ids.isEmpty {
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
                for row in try Row.fetchAll(db, sql: "SELECT id, json FROM material WHERE id IN (\(marks))", arguments: StatementArguments(ids)) {
                    json[row["id"]] = row["json"]
                }
            }
            return SearchPage(
                items: ids.compactMap { json[$0] }, next: next, total: folded.count, totalIsLowerBound: folded.count == window,
                facetCounts: try Self.facetCounts(request.facets, rows: folded, db: db))
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
