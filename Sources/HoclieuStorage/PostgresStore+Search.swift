import Foundation
public import HoclieuCore
import Logging
import PostgresNIO
import Synchronization

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
    /// `material_search`: each material's search columns (`terms`, `facet_lines`) in a narrow table of their own, kept
    /// equal to `materials`' by a trigger, with the GIN index (moved from `materials`).
    ///
    /// A search window tests rows newest first until enough match, or fetches every match through the index; either
    /// way it reads rows, and a `materials` row carries the whole record (1.8 kB a row at 100,000 materials, four to a
    /// page), a `material_search` row only what a search reads (about ten to a page): the walk of 29,000 rows for
    /// 1,000 matches of `'lop' & '_pub_subj_lichsu'` took 30 ms on `materials` and 13 ms here. The trigger keeps every
    /// writer (the store, `migrate-store`, a restore) right without knowing of the table.
    static let searchRowsMigration = Migration(
        name: "v13-search-rows",
        statements: [
            """
            CREATE TABLE material_search (
                id BIGINT PRIMARY KEY REFERENCES materials(id) ON DELETE CASCADE,
                terms TSVECTOR NOT NULL,
                facet_lines TEXT[] NOT NULL
            )
            """,
            """
            CREATE FUNCTION material_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO material_search (id, terms, facet_lines) VALUES (NEW.id, NEW.terms, NEW.facet_lines)
                ON CONFLICT (id) DO UPDATE SET terms = EXCLUDED.terms, facet_lines = EXCLUDED.facet_lines;
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER material_search_sync AFTER INSERT OR UPDATE OF terms, facet_lines ON materials
            FOR EACH ROW EXECUTE FUNCTION material_search_sync()
            """,
            "INSERT INTO material_search (id, terms, facet_lines) SELECT id, terms, facet_lines FROM materials ORDER BY id",
            "CREATE INDEX material_search_terms ON material_search USING gin (terms)",
            "DROP INDEX materials_terms",
            "ANALYZE material_search",
        ])

    public func search(_ request: SearchRequest) async throws -> SearchPage {
        let limit = min(max(request.limit, 1), 100)
        let query = SearchExpression(text: request.text)
        let filterExpression = SearchExpression.restriction(viewer: request.viewer, filters: request.filters)
        let window = SQLiteStore.rankingWindow
        let countLimit = request.facets.isEmpty ? window : SearchPage.countLimit
        let logger = self.logger

        return try await read { c in
            // The facet lines of the rows the counts are taken over (the count window and the prefix window), read with
            // them rather than looked up again.
            var facetLines: [Int64: [String]] = [:]
            func rows(_ expression: String, below: Int64 = .max, limit: Int, counted: Bool = false) async throws -> [Int64] {
                let found = try await newestMatches(
                    Self.tsquery(expression), below: below, limit: limit, facets: counted && !request.facets.isEmpty, c)
                for (id, lines) in found where lines != nil { facetLines[id] = lines }
                return found.map(\.id)
            }
            func and(_ a: String, _ b: String) -> String { "\(a) AND (\(b))" }

            let foldedAll = query.isEmpty ? filterExpression : and(query.foldedAny, filterExpression)
            let matches = try await rows(foldedAll, limit: countLimit, counted: true)
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
                        "SELECT 1 FROM material_search WHERE terms @@ \(exactQuery)::tsquery AND id = \(row)", as: Int32.self, logger) != nil
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
                        prefixRows = try await rows(prefixOnly, limit: window, counted: true)
                        let prefixCandidates = try await Self.candidates(prefixRows, c, logger)
                        let exactPrefixQuery = Self.tsquery(query.exactPrefixAny)
                        for row in prefixRows {
                            let candidate = prefixCandidates[row]
                            var exact = false
                            if query.hasMarks, let candidate {
                                exact = candidate.contains(exactTokens, exact: true, lastIsPrefix: true)
                                if !exact, candidate.hasExtractedText {
                                    exact = try await c.value(
                                        "SELECT 1 FROM material_search WHERE terms @@ \(exactPrefixQuery)::tsquery AND id = \(row)", as: Int32.self, logger)
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
                facetCounts: Self.facetCounts(request.facets, lines: (matches + prefixRows).lazy.compactMap { facetLines[$0] }.joined()))
        }
    }

    /// The newest `limit` materials below `below` whose terms match `tsquery` (with their facet lines when `facets`),
    /// newest first, by the cheaper of two plans.
    ///
    /// The planner reads a `LIMIT` by id as a walk of the primary key, newest first, testing each row until enough
    /// match: right for a common term, slow for one in a few percent of the rows, where it tests tens of thousands.
    /// Fetching every match through the GIN index and keeping the newest costs a little per match instead. Measured on
    /// `material_search` at 100,000 materials (PostgreSQL 15, everything cached): the walk about 0.47 µs a row
    /// tested, so `0.47 × limit × materials / E` µs for `E` matches; the index about 3.5 µs a match. So with the
    /// planner's estimate of `E` (its `tsvector` statistics, one `EXPLAIN`) the index is taken, through a `MATERIALIZED`
    /// CTE the planner cannot flatten, when `7.5 × E² < limit × materials`: below about 3,700 matches for the 1,000-row
    /// window that facet counts take. For the 200-row ranking windows the planner's own choice measured as good or
    /// better (within a millisecond below 1,000 matches, the walk above), so those skip the `EXPLAIN` and its round
    /// trip; so does a table never analysed.
    func newestMatches(
        _ tsquery: String, below: Int64, limit: Int, facets: Bool, _ c: PostgresConnection
    ) async throws -> [(id: Int64, facets: [String]?)] {
        var viaIndex = false
        if limit > SQLiteStore.rankingWindow, let materials = try await materialCount(c), materials > 0 {
            let plan = try await c.value(
                "EXPLAIN (FORMAT JSON) SELECT 1 FROM material_search WHERE terms @@ \(tsquery)::tsquery AND id < \(below)",
                as: ByteBuffer.self, logger)
            if let estimate = plan.flatMap({ Self.plannedRows(Data($0.readableBytesView)) }) {
                viaIndex = 7.5 * estimate * estimate < Double(limit) * materials
            }
        }
        let columns = facets ? "id, facet_lines" : "id"
        let query: PostgresQuery =
            viaIndex
            ? """
            WITH matches AS MATERIALIZED (SELECT \(unescaped: columns) FROM material_search WHERE terms @@ \(tsquery)::tsquery AND id < \(below))
            SELECT \(unescaped: columns) FROM matches ORDER BY id DESC LIMIT \(Int64(limit))
            """
            : """
            SELECT \(unescaped: columns) FROM material_search WHERE terms @@ \(tsquery)::tsquery AND id < \(below)
            ORDER BY id DESC LIMIT \(Int64(limit))
            """
        return try await c.rows(query, logger).map { row in
            (try row.get("id", as: Int64.self), facets ? try row.get("facet_lines", as: [String].self) : nil)
        }
    }

    /// The rows the top node of an `EXPLAIN (FORMAT JSON)` plan expects.
    static func plannedRows(_ plan: Data) -> Double? {
        guard let list = try? JSONSerialization.jsonObject(with: plan) as? [[String: Any]],
            let top = list.first?["Plan"] as? [String: Any]
        else { return nil }
        return (top["Plan Rows"] as? NSNumber)?.doubleValue
    }

    /// The planner's count of materials (`pg_class.reltuples`), read again after a minute; nil before the table was
    /// first analysed.
    func materialCount(_ c: PostgresConnection) async throws -> Double? {
        if let known = materialEstimate.withLock({ $0 }), known.read.duration(to: .now) < .seconds(60) {
            return known.rows >= 0 ? known.rows : nil
        }
        let rows = try await c.value(
            "SELECT reltuples::float8 FROM pg_class WHERE oid = 'material_search'::regclass", as: Double.self, logger) ?? -1
        materialEstimate.withLock { $0 = (rows, .now) }
        return rows >= 0 ? rows : nil
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

    /// Tallies facet values over the given facet lines (`facet=value`), most frequent first
    /// (``SQLiteStore/facetCounts(_:rows:db:)``).
    static func facetCounts(_ facets: Set<Facet>, lines: some Sequence<String>) -> [Facet: [(value: String, count: Int)]] {
        guard !facets.isEmpty else { return [:] }
        var tallies: [Facet: [String: Int]] = [:]
        for entry in lines {
            guard let eq = entry.firstIndex(of: "="), let facet = Facet(rawValue: String(entry[..<eq])), facets.contains(facet) else {
                continue
            }
            tallies[facet, default: [:]][String(entry[entry.index(after: eq)...]), default: 0] += 1
        }
        return tallies.mapValues { values in
            values.map { (value: $0.key, count: $0.value) }.sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value }
        }
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
