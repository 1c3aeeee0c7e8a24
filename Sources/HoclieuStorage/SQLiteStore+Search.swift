import Foundation
import GRDB
import HoclieuCore

/// Ranking: relevance tiers over a capped candidate set, newest first within a tier.
///
/// Ranking every match of a very common syllable (`số`, `và`) is what makes naive bm25 slow
/// at a million materials, so no per-match score is computed in SQL. A search reads at most:
///
/// 1. the newest matches of every folded word plus the filters, streamed in rowid order and
///    stopped at the count limit (``SQLiteStore/rankingWindow``, or ``SearchPage/countLimit``
///    when facet counts are asked for): the count, the facet sample, and the **folded window**
///    (its newest ``SQLiteStore/rankingWindow`` rows);
/// 2. when the query has marks and step 1 stopped at its limit, the newest
///    ``SQLiteStore/rankingWindow`` matches of every word as typed: the **exact window**
///    (when step 1 did not stop, every match is already known and this read is skipped);
/// 3. the candidates' titles and descriptions, from which the tiers are decided in memory
///    with the same tokenizer the index uses.
///
/// | tier | rows |
/// |---|---|
/// | 0 | exact, every word in the title |
/// | 1 | exact, not all in the title |
/// | 2 | exact, older than the exact window (read from the index on later pages) |
/// | 3 | folded only, every word in the title |
/// | 4 | folded only, not all in the title |
/// | 5 | folded only, older than the folded window (read from the index on later pages) |
///
/// | 6 | the last word only as a prefix (search as you type), exact |
/// | 7 | the last word only as a prefix, folded, every word in the title |
/// | 8 | the last word only as a prefix, the rest, and those older than their window |
///
/// Without marks in the query, exact and folded coincide and tiers 0–2 and 6 are empty. Tiers 6–8 exist when the
/// last word may be unfinished (``SearchExpression/lastIsPrefix``); they are read (and counted in `total`) only when
/// the whole-word matches do not fill the first page, and lazily otherwise (newest first, in tier 8), so a prefix
/// costs a read only when a page gets past every whole-word match.
extension SQLiteStore {
    /// `v11-search-tones` (issue 19): exact index terms now carry the tone mark in its canonical place
    /// (``VietnameseTonePlacement``: `hòa` and `hoà` are one term), so both full-text indexes are rebuilt
    /// from their rows — the materials' and the catalogue's.
    static func registerSearchTones(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v11-search-tones") { db in
            try reindexAll(db)
            try db.execute(sql: "INSERT INTO catalogSearch (catalogSearch) VALUES ('delete-all')")
            for row in try Row.fetchAll(db, sql: "SELECT * FROM catalogItem ORDER BY id") {
                try db.execute(
                    sql: "INSERT INTO catalogSearch (rowid, terms) VALUES (?, ?)", arguments: [row["id"] as Int64, catalogTerms(try catalogItem(row).item)])
            }
        }
    }

    /// Matches ranked by tier: the newest this many folded and this many exact matches.
    static let rankingWindow = 200

    /// What tiering needs to know of a candidate; the body's words are tokenized only if asked for.
    struct Candidate {
        var exactTitle: [String]
        var foldedTitle: [String]
        var body: [String]
        var hasExtractedText: Bool

        /// Whether every word is in the title or body: as written (`exact`) or folded.
        ///
        /// A word typed without marks is compared folded even when `exact`, as the index does:
        /// `so` is one term for "so", "số" and "sơ".
        ///
        /// With `lastIsPrefix`, the last word also matches a word it begins (search as you type).
        func contains(_ words: [String], exact: Bool, lastIsPrefix: Bool = false) -> Bool {
            let literal = words.map { exact && !VietnameseText.isPlainASCII($0) }
            var missing = Array(zip(words, literal)).filter { word, literal in !(literal ? exactTitle : foldedTitle).contains(word) }
            // The last word, when it may be unfinished and is not in the title whole: looked for as a prefix.
            var prefix: (word: String, literal: Bool)? = nil
            if lastIsPrefix, let last = missing.last, last.0 == words.last {
                missing.removeLast()
                if !(last.1 ? exactTitle : foldedTitle).contains(where: { $0.hasPrefix(last.0) }) { prefix = last }
            }
            guard !missing.isEmpty || prefix != nil else { return true }
            for text in body where !missing.isEmpty || prefix != nil {
                VietnameseTokenizer.forEachToken(text) { exactWord, foldedWord in
                    if let i = missing.firstIndex(where: { word, literal in word.utf8.elementsEqual(literal ? exactWord : foldedWord) }) {
                        missing.remove(at: i)
                    }
                    if let p = prefix, (p.literal ? exactWord : foldedWord).starts(with: p.word.utf8) { prefix = nil }
                }
            }
            return missing.isEmpty && prefix == nil
        }

        /// Whether every word is in the title (folded), the last one possibly as a prefix.
        func titleContains(_ foldedWords: [String], lastIsPrefix: Bool) -> Bool {
            foldedWords.enumerated().allSatisfy { i, word in
                lastIsPrefix && i == foldedWords.count - 1 ? foldedTitle.contains { $0.hasPrefix(word) } : foldedTitle.contains(word)
            }
        }
    }

    public func search(_ request: SearchRequest) async throws -> SearchPage {
        let limit = min(max(request.limit, 1), 100)
        let query = SearchExpression(text: request.text)
        let filterExpression = SearchExpression.restriction(viewer: request.viewer, filters: request.filters)
        let window = Self.rankingWindow
        let countLimit = request.facets.isEmpty ? window : SearchPage.countLimit

        return try await pool.read { db in
            func rows(_ expression: String, below: Int64? = nil, limit: Int? = nil) throws -> [Int64] {
                var sql = "SELECT rowid FROM searchIndex WHERE searchIndex MATCH ?"
                var arguments: StatementArguments = [expression]
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
            let matches = try rows(foldedAll, limit: countLimit)
            // Ranking looks at no more than the window: "complete" means every match fits in it.
            let complete = matches.count < window
            let folded = Array(matches.prefix(window))
            // When every match is known there is no window: all of them are ranked.
            let foldedFloor = complete ? 0 : folded.last!

            var tiers: [[Int64]] = Array(repeating: [], count: 9)
            var prefixRows: [Int64] = []
            var older: [Int: (expression: String, ceiling: Int64)] = [:]
            var candidates: [Int64: Candidate] = [:]

            if query.isEmpty {
                tiers[4] = matches
                if !complete { older[5] = (foldedAll, matches.last!) }
            } else {
                // The exact window, unless every match is already in memory.
                var exactWindow: [Int64] = []
                var exactFloor: Int64 = 0
                if query.hasMarks && !complete {
                    exactWindow = try rows(and(query.exactAny, filterExpression), limit: window)
                    if exactWindow.count == window { exactFloor = exactWindow.last! }
                }
                let known = complete ? matches : folded
                candidates = try Self.candidates(Array(Set(known).union(exactWindow)), db: db)
                let exactTokens = query.exactTokens
                let foldedTokens = query.foldedTokens
                func isExact(_ row: Int64) throws -> Bool {
                    guard query.hasMarks, let c = candidates[row] else { return false }
                    if c.contains(exactTokens, exact: true) { return true }
                    guard c.hasExtractedText else { return false }
                    // The words may be in the extracted text, which is not read into memory: ask the index.
                    return try Bool.fetchOne(
                        db, sql: "SELECT 1 FROM searchIndex WHERE searchIndex MATCH ? AND rowid = ?", arguments: [query.exactAny, row]) ?? false
                }

                // Exact rows: the exact window when it was read, otherwise those among the known matches.
                var exact: [Int64] = complete ? try matches.filter(isExact) : exactWindow
                var exactSet = Set(exact)
                if exactFloor > 0 {
                    older[2] = (and(query.exactAny, filterExpression), exactFloor)
                    // Folded-window rows older than the exact window may be exact too: they belong to tier 2.
                    for row in folded where row < exactFloor && !exactSet.contains(row) {
                        if try isExact(row) { exactSet.insert(row) }
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

                // Search as you type: rows where the last word only begins a word come after every whole-word match.
                if query.lastIsPrefix {
                    let prefixOnly = "(\(and(query.foldedPrefixAny, filterExpression))) NOT \(query.foldedAny)"
                    // A prefix (`chu*`) is a merge of every term it begins: costly when they are common. It is read now only
                    // when the whole-word matches do not fill the first page, the case where the visitor is still typing.
                    if complete && matches.count <= limit {
                        // The whole-word matches are few: the prefix-only ones are read now, counted and tiered.
                        prefixRows = try rows(prefixOnly, limit: window)
                        let prefixCandidates = try Self.candidates(prefixRows, db: db)
                        for row in prefixRows {
                            let c = prefixCandidates[row]
                            var exact = false
                            if query.hasMarks, let c {
                                exact = c.contains(exactTokens, exact: true, lastIsPrefix: true)
                                if !exact, c.hasExtractedText {
                                    exact = try Bool.fetchOne(
                                        db, sql: "SELECT 1 FROM searchIndex WHERE searchIndex MATCH ? AND rowid = ?",
                                        arguments: [query.exactPrefixAny, row]) ?? false
                                }
                            }
                            let inTitle = c?.titleContains(foldedTokens, lastIsPrefix: true) ?? false
                            tiers[exact ? 6 : inTitle ? 7 : 8].append(row)
                        }
                        if prefixRows.count == window { older[8] = (prefixOnly, prefixRows.last!) }
                    } else {
                        // Whole-word matches fill the page: the prefix-only ones are read only when a page reaches them.
                        older[8] = (prefixOnly, .max)
                    }
                }
            }

            // Walk the tiers from the cursor until the page, plus one row to know there is more, is full.
            var page: [(tier: Int, row: Int64)] = []
            let start = min(request.cursor?.tier ?? 0, tiers.count)
            for tier in start..<tiers.count where page.count <= limit {
                let after = request.cursor.flatMap { $0.tier == tier ? $0.lastRow : nil }
                let inMemory = after.map { last in tiers[tier].filter { $0 < last } } ?? tiers[tier]
                page += inMemory.prefix(limit + 1 - page.count).map { (tier, $0) }
                if page.count <= limit, let (expression, ceiling) = older[tier] {
                    let below = min(ceiling, after ?? .max, tiers[tier].last ?? .max)
                    page += try rows(expression, below: below, limit: limit + 1 - page.count).map { (tier, $0) }
                }
            }
            let next = page.count > limit ? SearchCursor(tier: page[limit - 1].tier, lastRow: page[limit - 1].row) : nil
            let ids = page.prefix(limit).map(\.row)

            var json: [Int64: String] = [:]
            if !ids.isEmpty {
                let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
                for row in try Row.fetchAll(
                    db, sql: "SELECT id, json FROM material WHERE id IN (\(marks))", arguments: StatementArguments(ids))
                {
                    json[row["id"]] = row["json"]
                }
            }
            return SearchPage(
                items: ids.compactMap { json[$0] }, next: next, total: matches.count + prefixRows.count,
                totalIsLowerBound: matches.count == countLimit || prefixRows.count == window,
                facetCounts: try Self.facetCounts(request.facets, rows: matches + prefixRows, db: db))
        }
    }

    /// Reads the candidates' text and tokenizes it as the index does.
    static func candidates(_ ids: [Int64], db: Database) throws -> [Int64: Candidate] {
        guard !ids.isEmpty else { return [:] }
        var result: [Int64: Candidate] = [:]
        result.reserveCapacity(ids.count)
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT id, title, description, keywords, authors, extractedText IS NOT NULL AS hasText
                FROM material WHERE id IN (\(marks))
                """,
            arguments: StatementArguments(ids))
        while let row = try cursor.next() {
            var exactTitle: [String] = []
            var foldedTitle: [String] = []
            VietnameseTokenizer.forEachToken(row["title"]) { exact, folded in
                exactTitle.append(String(decoding: exact, as: UTF8.self))
                foldedTitle.append(String(decoding: folded, as: UTF8.self))
            }
            result[row["id"]] = Candidate(
                exactTitle: exactTitle, foldedTitle: foldedTitle, body: [row["description"], row["keywords"], row["authors"]],
                hasExtractedText: row["hasText"])
        }
        return result
    }

    /// Tallies facet values over the given rows, most frequent first (SQLite does the counting).
    static func facetCounts(_ facets: Set<Facet>, rows: [Int64], db: Database) throws -> [Facet: [(value: String, count: Int)]] {
        guard !facets.isEmpty, !rows.isEmpty else { return [:] }
        var counts: [Facet: [(value: String, count: Int)]] = [:]
        let marks = Array(repeating: "?", count: rows.count).joined(separator: ",")
        let tallies = try Row.fetchAll(
            db,
            sql: """
                SELECT j.value AS entry, count(*) AS n FROM material m, json_each(m.facetLines) j
                WHERE m.id IN (\(marks)) GROUP BY j.value
                """,
            arguments: StatementArguments(rows))
        for tally in tallies {
            let entry: String = tally["entry"]
            guard let eq = entry.firstIndex(of: "="), let facet = Facet(rawValue: String(entry[..<eq])), facets.contains(facet) else {
                continue
            }
            counts[facet, default: []].append((String(entry[entry.index(after: eq)...]), tally["n"]))
        }
        return counts.mapValues { $0.sorted { $0.count != $1.count ? $0.count > $1.count : $0.value < $1.value } }
    }
}
