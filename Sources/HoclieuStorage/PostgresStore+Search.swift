import Foundation
public import HoclieuCore
import Logging
import PostgresNIO

/// Search on PostgreSQL: the same terms, the same expressions, the same tiers and cursors as
/// ``SQLiteStore``'s search, so both stores answer a query with the same page.
///
/// The index terms are ``SearchDocument``'s (folded and exact words computed in Swift by the tokenizer SQLite's
/// index uses), stored as a `tsvector` of verbatim lexemes with a GIN index; the FTS5 expressions of
/// ``SearchExpression`` are translated to `tsquery` (``tsquery(_:)``) and matched with `@@`. Pages are keyset
/// (`id < last`), never `OFFSET`. SQLite's search has no near-miss tier, so neither has this one (no `pg_trgm`).
///
/// The tiering below follows `SQLiteStore+Search.swift` step by step; a change to one must be made to the other
/// (the conformance tests compare both stores' pages).
extension PostgresStore {
    public func search(_ request: SearchRequest) async throws -> SearchPage {
        let limit = min(max(request.limit, 1), 100)
        let query = SearchExpression(text: request.text)
        let filterExpression = SearchExpression.restriction(viewer: request.viewer, filters: request.filters)
        let window = SQLiteStore.rankingWindow
        let countLimit = request.facets.isEmpty ? window : SearchPage.countLimit
        let logger = self.logger

        return try await read { c in
            func rows(_ expression: String, below: Int64? = nil, limit: Int? = nil) async throws -> [Int64] {
                let tsquery = Self.tsquery(expression)
                let rows = try await c.rows(
                    """
                    SELECT id FROM materials WHERE terms @@ \(tsquery)::tsquery AND id < \(below ?? Int64.max)
                    ORDER BY id DESC LIMIT \(Int64(limit ?? Int.max))
                    """, logger)
                return try rows.map { try $0.get("id", as: Int64.self) }
            }
            func and(_ a: String, _ b: String) -> String { "\(a) AND (\(b))" }

            let foldedAll = query.isEmpty ? filterExpression : and(query.foldedAny, filterExpression)
            let matches = try await rows(foldedAll, limit: countLimit)
            let complete = matches.count < window
            let folded = Array(matches.prefix(window))
            let foldedFloor = complete ? 0 : folded.last!

            var tiers: [[Int64]] = Array(repeating: [], count: 9)
            var prefixRows: [Int64] = []
            var older: [Int: (expression: String, ceiling: Int64)] = [:]
            var candidates: [Int64: SQLiteStore.Candidate] = [:]

            if query.isEmpty {
                tiers[4] = matches
                if !complete { older[5] = (foldedAll, matches.last!) }
            } else {
                var exactWindow: [Int64] = []
                var exactFloor: Int64 = 0
                if query.hasMarks && !complete {
                    exactWindow = try await rows(and(query.exactAny, filterExpression), limit: window)
                    if exactWindow.count == window { exactFloor = exactWindow.last! }
                }
                let known = complete ? matches : folded
                candidates = try await Self.candidates(Array(Set(known).union(exactWindow)), c, logger)
                let exactTokens = query.exactTokens
                let foldedTokens = query.foldedTokens
                let exactQuery = Self.tsquery(query.exactAny)
                func isExact(_ row: Int64) async throws -> Bool {
                    guard query.hasMarks, let candidate = candidates[row] else { return false }
                    if candidate.contains(exactTokens, exact: true) { return true }
                    guard candidate.hasExtractedText else { return false }
                    return try await c.value(
                        "SELECT 1 FROM materials WHERE terms @@ \(exactQuery)::tsquery AND id = \(row)", as: Int32.self, logger) != nil
                }

                var exact: [Int64] = []
                if complete {
                    for row in matches {
                        if try await isExact(row) { exact.append(row) }
                    }
                } else {
                    exact = exactWindow
                }
                var exactSet = Set(exact)
                if exactFloor > 0 {
                    older[2] = (and(query.exactAny, filterExpression), exactFloor)
                    for row in folded where row < exactFloor && !exactSet.contains(row) {
                        if try await isExact(row) { exactSet.insert(row) }
                    }
                }
                exact = exact.filter { $0 >= exactFloor }
                for row in exact {
                    let inTitle = candidates[row].map { c in exactTokens.allSatisfy(c.exactTitle.contains) } ?? false
                    tiers[inTitle ? 0 : 1].append(row)
                }
                for row in (complete ? matches : folded) where !exactSet.contains(row) {
                    let inTitle = candidates[row].map { c in foldedTokens.allSatisfy(c.foldedTitle.contains) } ?? false
                    tiers[inTitle ? 3 : 4].append(row)
                }
                if !complete {
                    let notExact = query.hasMarks ? "(\(foldedAll)) NOT \(query.exactAny)" : foldedAll
                    older[5] = (notExact, foldedFloor)
                }

                // Search as you type (tiers 6–8): rows where the last word only begins a word (`'chemistr':*`), after
                // every whole-word match; read now only when the whole-word matches do not fill the first page.
                if query.lastIsPrefix {
                    let prefixOnly = "(\(and(query.foldedPrefixAny, filterExpression))) NOT \(query.foldedAny)"
                    if complete && matches.count <= limit {
                        prefixRows = try await rows(prefixOnly, limit: window)
                        let prefixCandidates = try await Self.candidates(prefixRows, c, logger)
                        let exactPrefixQuery = Self.tsquery(query.exactPrefixAny)
                        for row in prefixRows {
                            let candidate = prefixCandidates[row]
                            var exact = false
                            if query.hasMarks, let candidate {
                                exact = candidate.contains(exactTokens, exact: true, lastIsPrefix: true)
                                if !exact, candidate.hasExtractedText {
                                    exact = try await c.value(
                                        "SELECT 1 FROM materials WHERE terms @@ \(exactPrefixQuery)::tsquery AND id = \(row)", as: Int32.self, logger)
                                        != nil
                                }
                            }
                            let inTitle = candidate?.titleContains(foldedTokens, lastIsPrefix: true) ?? false
                            tiers[exact ? 6 : inTitle ? 7 : 8].append(row)
                        }
                        if prefixRows.count == window { older[8] = (prefixOnly, prefixRows.last!) }
                    } else {
                        older[8] = (prefixOnly, .max)
                    }
                }
            }

            var page: [(tier: Int, row: Int64)] = []
            let start = min(request.cursor?.tier ?? 0, tiers.count)
            for tier in start..<tiers.count where page.count <= limit {
                let after = request.cursor.flatMap { $0.tier == tier ? $0.lastRow : nil }
                let inMemory = after.map { last in tiers[tier].filter { $0 < last } } ?? tiers[tier]
                page += inMemory.prefix(limit + 1 - page.count).map { (tier, $0) }
                if page.count <= limit, let (expression, ceiling) = older[tier] {
                    let below = min(ceiling, after ?? .max, tiers[tier].last ?? .max)
                    page += try await rows(expression, below: below, limit: limit + 1 - page.count).map { (tier, $0) }
                }
            }
            let next = page.count > limit ? SearchCursor(tier: page[limit - 1].tier, lastRow: page[limit - 1].row) : nil
            let ids = page.prefix(limit).map(\.row)

            var json: [Int64: String] = [:]
            if !ids.isEmpty {
                for row in try await c.rows("SELECT id, json FROM materials WHERE id = ANY(\(ids))", logger) {
                    json[try row.get("id")] = try row.get("json", as: String.self)
                }
            }
            return SearchPage(
                items: ids.compactMap { json[$0] }, next: next, total: matches.count + prefixRows.count,
                totalIsLowerBound: matches.count == countLimit || prefixRows.count == window,
                facetCounts: try await Self.facetCounts(request.facets, rows: matches + prefixRows, c, logger))
        }
    }

    /// Reads the candidates' text and tokenizes it as the index does (``SQLiteStore/candidates(_:db:)``).
    static func candidates(_ ids: [Int64], _ c: PostgresConnection, _ logger: Logger) async throws -> [Int64: SQLiteStore.Candidate] {
        guard !ids.isEmpty else { return [:] }
        var result: [Int64: SQLiteStore.Candidate] = [:]
        result.reserveCapacity(ids.count)
        let rows = try await c.rows(
            """
            SELECT id, title, description, keywords, authors, extracted_text IS NOT NULL AS has_text
            FROM materials WHERE id = ANY(\(ids))
            """, logger)
        for row in rows {
            var exactTitle: [String] = []
            var foldedTitle: [String] = []
            VietnameseTokenizer.forEachToken(try row.get("title", as: String.self)) { exact, folded in
                exactTitle.append(String(decoding: exact, as: UTF8.self))
                foldedTitle.append(String(decoding: folded, as: UTF8.self))
            }
            result[try row.get("id")] = SQLiteStore.Candidate(
                exactTitle: exactTitle, foldedTitle: foldedTitle,
                body: [try row.get("description"), try row.get("keywords"), try row.get("authors")], hasExtractedText: try row.get("has_text"))
        }
        return result
    }

    /// Tallies facet values over the given rows, most frequent first (``SQLiteStore/facetCounts(_:rows:db:)``).
    static func facetCounts(
        _ facets: Set<Facet>, rows: [Int64], _ c: PostgresConnection, _ logger: Logger
    ) async throws -> [Facet: [(value: String, count: Int)]] {
        guard !facets.isEmpty, !rows.isEmpty else { return [:] }
        var counts: [Facet: [(value: String, count: Int)]] = [:]
        let tallies = try await c.rows(
            "SELECT entry, count(*) AS n FROM materials, unnest(facet_lines) AS entry WHERE id = ANY(\(rows)) GROUP BY entry", logger)
        for tally in tallies {
            let entry = try tally.get("entry", as: String.self)
            guard let eq = entry.firstIndex(of: "="), let facet = Facet(rawValue: String(entry[..<eq])), facets.contains(facet) else {
                continue
            }
            counts[facet, default: []].append((String(entry[entry.index(after: eq)...]), Int(try tally.get("n", as: Int64.self))))
        }
        return counts.mapValues { $0.sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value } }
    }

    /// Translates an FTS5 expression of ``SearchExpression`` (double-quoted terms, prefix terms `"term"*`,
    /// parentheses, `AND`, `OR`, binary `NOT`) into `tsquery` text: `'term'`, `'term':*`, `&`, `|`, `& !`. Every `NOT`
    /// that ``SearchExpression`` writes has parenthesised or single-term operands inside parentheses, so precedence is
    /// kept. A `tsquery` prefix, like an FTS5 one, matches the lexemes whose bytes begin with the term's, so the
    /// reserved-stem spelling of ``SearchExpression/prefixTerm(_:)`` keeps the index's own terms out here too.
    static func tsquery(_ expression: String) -> String {
        var out = ""
        var scalars = expression.unicodeScalars[...]
        while let s = scalars.first {
            switch s {
            case "\"":
                scalars.removeFirst()
                var term = ""
                while let t = scalars.first {
                    scalars.removeFirst()
                    if t == "\"" {
                        if scalars.first == "\"" {
                            scalars.removeFirst()
                            term.unicodeScalars.append("\"")
                        } else {
                            break
                        }
                    } else {
                        term.unicodeScalars.append(t)
                    }
                }
                out += "'" + term.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
                if scalars.first == "*" {
                    scalars.removeFirst()
                    out += ":*"
                }
            case "(", ")":
                out.unicodeScalars.append(s)
                scalars.removeFirst()
            case " ", "\n", "\t":
                out += " "
                scalars.removeFirst()
            default:
                var word = ""
                while let t = scalars.first, t != " ", t != "(", t != ")", t != "\"" {
                    word.unicodeScalars.append(t)
                    scalars.removeFirst()
                }
                switch word {
                case "AND": out += "&"
                case "OR": out += "|"
                case "NOT": out += "& !"
                default: out += "'" + word.replacingOccurrences(of: "'", with: "''") + "'"
                }
            }
        }
        return out
    }
}
