import Foundation
import HoclieuCore

/// The terms a material contributes to the full-text index.
///
/// The index is one FTS5 column with `detail=none` (document lists only, no positions or
/// columns), which keeps it small and makes boolean expressions over very common terms
/// cheap. Each material contributes:
/// - every word of its text (title, description, keywords, authors, extracted text) folded
///   (`đường` → `duong`), and, for words with marks, also as written (`đường`);
/// - the same for its title words, prefixed `t_` (`t_duong`, `t_đường`), so that title
///   matches form their own tier without column filters;
/// - facet and visibility terms (`subj_toan`, `gr_6`, `ku_toan_6_sd`, `_pub`, `own_3`…).
///
/// Every term that is not a word of the text contains `_`, which the word tokenizer never yields
/// (it splits at every character that is not a letter or digit): a visitor who types `pub`, `sig`,
/// `all` or `own_3` into the search box matches words of materials, never a visibility rule.
///
/// A word without marks has one form, so its exact and folded terms coincide. The terms are
/// computed from the material row alone, so the contentless index can be told exactly what
/// to delete when a row changes.
struct SearchDocument: Equatable, Sendable {
    var terms: String

    /// Longest extracted text indexed, in characters.
    static let maxBodyCharacters = 100_000

    init(material: Material, extractedText: String?) {
        // Repeated terms are harmless: with detail=none a document lists each term once.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        func addWords(_ text: String, prefix: String) {
            VietnameseTokenizer.forEachToken(text) { exact, folded in
                bytes.append(contentsOf: prefix.utf8)
                bytes.append(contentsOf: folded)
                bytes.append(0x20)
                if exact != folded {
                    bytes.append(contentsOf: prefix.utf8)
                    bytes.append(contentsOf: exact)
                    bytes.append(0x20)
                }
            }
        }
        let m = material.metadata
        addWords(m.title, prefix: "t_")
        addWords(m.title, prefix: "")
        addWords(m.description, prefix: "")
        for keyword in m.keywords { addWords(keyword, prefix: "") }
        for author in m.authors { addWords(author, prefix: "") }
        if let extractedText { addWords(String(extractedText.prefix(Self.maxBodyCharacters)), prefix: "") }
        for facet in Self.facetTokens(material) {
            bytes.append(contentsOf: facet.utf8)
            bytes.append(0x20)
        }
        terms = String(decoding: bytes, as: UTF8.self)
    }

    /// The term every material has.
    static let allTerm = "_all"
    /// Published and public: what anyone may see.
    static let publicTerm = "_pub"
    /// Published and public or sector-wide: what any signed-in user may see.
    static let signedInTerm = "_sig"

    /// Every value of every facet of a material, as (facet, value) pairs.
    static func facetValues(_ m: Material) -> [(Facet, String)] {
        var values: [(Facet, String)] = []
        values += m.metadata.subjects.map { (.subject, $0) }
        values += m.metadata.grades.map { (.grade, String($0)) }
        values.append((.kind, m.kind.rawValue))
        values.append((.format, m.format))
        if let licence = m.metadata.licence { values.append((.licence, licence)) }
        values.append((.status, m.status.rawValue))
        values.append((.visibility, m.visibility.rawValue))
        values += m.metadata.knowledgeUnits.map { (.knowledgeUnit, $0) }
        return values
    }

    static func facetTokens(_ m: Material) -> [String] {
        var tokens = [allTerm, "own_\(m.ownerID)"]
        // Visibility precomputed into single terms, and combined with subject and grade, so the
        // common filters are one short list, not an intersection of long ones.
        var leads = [""]
        if m.status == .published {
            if m.visibility == .public { leads.append(publicTerm + "_") }
            if m.visibility == .public || m.visibility == .sector { leads.append(signedInTerm + "_") }
        }
        let subjects = m.metadata.subjects.map(sanitise)
        let grades = m.metadata.grades.map(String.init)
        for lead in leads {
            if !lead.isEmpty {
                tokens.append(String(lead.dropLast()))
                tokens += subjects.map { lead + "subj_" + $0 }
                tokens += grades.map { lead + "gr_" + $0 }
            }
            for s in subjects { tokens += grades.map { lead + "sg_" + s + "_" + $0 } }
        }
        if let school = m.metadata.school { tokens.append("sch_" + AccessPolicy.schoolKey(school)) }
        for (facet, value) in facetValues(m) {
            if facet == .knowledgeUnit {
                // A unit matches its ancestors' filters too: TOAN.6.SD → TOAN, TOAN.6, TOAN.6.SD.
                let parts = value.split(separator: ".")
                for n in 1...max(parts.count, 1) {
                    tokens.append(token(facet, parts.prefix(n).joined(separator: ".")))
                }
            } else {
                tokens.append(token(facet, value))
            }
        }
        return tokens
    }

    /// The index token of a facet value, e.g. `subj_toan`, `gr_6`, `ku_toan_6_sd`.
    static func token(_ facet: Facet, _ value: String) -> String {
        let prefix =
            switch facet {
            case .subject: "subj"
            case .grade: "gr"
            case .kind: "kind"
            case .format: "fmt"
            case .licence: "lic"
            case .status: "st"
            case .visibility: "vis"
            case .knowledgeUnit: "ku"
            }
        return prefix + "_" + sanitise(value)
    }

    /// Folded, lower case, every character outside a–z and 0–9 turned into `_`.
    static func sanitise(_ value: String) -> String {
        if value.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }) { return value }
        return String(
            VietnameseText.fold(value).unicodeScalars.map { s -> Character in
                (s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s))) ? Character(s) : "_"
            })
    }

    /// The facet values stored with the row for counting: a JSON array of `facet=value` strings,
    /// so SQLite's own `json_each` can tally them.
    static func facetLines(_ m: Material) -> String {
        "[" + facetValues(m).map { HoclieuJSON.quote("\($0.0.rawValue)=\($0.1)") }.joined(separator: ",") + "]"
    }
}

/// Builds FTS5 query expressions from user text and filters.
struct SearchExpression {
    /// Per query word: the exact term (as typed, lower case) and the folded term.
    let exactTokens: [String]
    let foldedTokens: [String]
    /// Whether any query word carries marks (then exact matches form their own tiers).
    var hasMarks: Bool { exactTokens != foldedTokens }
    var isEmpty: Bool { exactTokens.isEmpty }

    /// At most this many query words are used.
    static let maxTokens = 12

    /// Whether the last word is also matched as a prefix (search as you type): the text does not end with a space
    /// or punctuation (the word may be unfinished) and the word has at least ``minPrefixCharacters`` characters.
    let lastIsPrefix: Bool

    /// The shortest last word matched as a prefix: one or two letters begin most words of the index.
    static let minPrefixCharacters = 3

    init(text: String) {
        var seen = Set<String>()
        let all = VietnameseText.tokens(text)
        let tokens = Array(all.filter { seen.insert($0).inserted }.prefix(Self.maxTokens))
        exactTokens = tokens
        foldedTokens = tokens.map(VietnameseText.fold)
        let unfinished = text.unicodeScalars.last.map { $0.properties.isAlphabetic || $0.properties.numericType != nil } ?? false
        // The typed last word must be the last token kept (not a repeat dropped as a duplicate, nor past the cap).
        lastIsPrefix = unfinished && all.last == tokens.last && (tokens.last?.count ?? 0) >= Self.minPrefixCharacters
    }

    private static func quoted(_ token: String) -> String { "\"\(token.replacingOccurrences(of: "\"", with: "\"\""))\"" }

    /// Every one of `tokens`, the last as a prefix (`"chemistr"*`), as an FTS5 conjunction.
    static func allWithPrefix(_ tokens: [String]) -> String {
        "(" + tokens.enumerated().map { i, t in i == tokens.count - 1 ? prefixTerm(t) : quoted(t) }.joined(separator: " AND ") + ")"
    }

    /// The letters before `_` of the index's own terms (``SearchDocument/facetTokens(_:)``, ``SearchDocument/token(_:_:)``):
    /// a typed prefix such as `lic` or `vis` must not reach `lic_cc_by_4_0` or `vis_public`.
    static let reservedStems = ["subj", "gr", "sg", "kind", "fmt", "lic", "st", "vis", "ku", "own", "sch", "t"]

    /// `"word"*`, or, when the word begins a reserved stem, the same words spelt as alternatives that skip the
    /// stem's `_` terms: the word itself, and the word followed by each letter or digit (recursively while that
    /// still begins a stem). Folded index words are ASCII letters and digits, so nothing else is lost.
    static func prefixTerm(_ word: String) -> String {
        func parts(_ p: String) -> [String] {
            guard reservedStems.contains(where: { $0.hasPrefix(p) }) else { return [quoted(p) + "*"] }
            return [quoted(p)] + "abcdefghijklmnopqrstuvwxyz0123456789".flatMap { parts(p + String($0)) }
        }
        let list = parts(word)
        return list.count == 1 ? list[0] : "(" + list.joined(separator: " OR ") + ")"
    }

    /// The words folded, the last one as a prefix: what search as you type adds to the whole-word matches.
    var foldedPrefixAny: String { Self.allWithPrefix(foldedTokens) }
    /// The words as typed, the last one as a prefix.
    var exactPrefixAny: String { Self.allWithPrefix(exactTokens) }

    /// Every one of `tokens` (each prefixed), as an FTS5 conjunction.
    static func all(_ tokens: [String], prefix: String = "") -> String {
        "(" + tokens.map { quoted(prefix + $0) }.joined(separator: " AND ") + ")"
    }

    var exactTitle: String { Self.all(exactTokens, prefix: "t_") }
    var exactAny: String { Self.all(exactTokens, prefix: "") }
    var foldedTitle: String { Self.all(foldedTokens, prefix: "t_") }
    var foldedAny: String { Self.all(foldedTokens, prefix: "") }

    /// The filters and the visibility rule of ``AccessPolicy/canSee(_:_:)`` as one index expression.
    ///
    /// The common cases read one short list instead of intersecting several long ones: visibility
    /// is precombined with subject, grade and subject × grade at indexing time (`pub_sg_toan_6`:
    /// published, public, Toán, grade 6), so "anonymous, Toán, lớp 6" is a single list.
    static func restriction(viewer: User?, filters: SearchFilters) -> String {
        func or(_ terms: [String]) -> String { "(" + terms.map(quoted).joined(separator: " OR ") + ")" }
        /// Subject and grade filters, as terms prefixed with `lead` (a visibility term, or none).
        func subjectGrade(_ lead: String?) -> String? {
            let p = lead.map { $0 + "_" } ?? ""
            let subjects = filters[.subject].map(SearchDocument.sanitise)
            let grades = filters[.grade].map(SearchDocument.sanitise)
            switch (subjects.isEmpty, grades.isEmpty) {
            case (false, false): return or(subjects.flatMap { s in grades.map { "\(p)sg_\(s)_\($0)" } })
            case (false, true): return or(subjects.map { "\(p)subj_\($0)" })
            case (true, false): return or(grades.map { "\(p)gr_\($0)" })
            case (true, true): return lead
            }
        }
        let others = Facet.allCases.filter { $0 != .subject && $0 != .grade }.compactMap { facet -> String? in
            let values = filters[facet]
            return values.isEmpty ? nil : or(values.map { SearchDocument.token(facet, $0) })
        }
        func with(_ lead: String?, plus extra: [String] = []) -> String {
            let parts = [subjectGrade(lead)].compactMap { $0 } + extra + others
            return parts.isEmpty ? SearchDocument.allTerm : "(" + parts.joined(separator: " AND ") + ")"
        }
        guard let viewer else { return with(SearchDocument.publicTerm) }
        if viewer.has(.admin) { return with(nil) }
        // A client credential without `harvest:sector` sees what anonymous callers see, plus its own.
        var alternatives = [with(viewer.readsSector ? SearchDocument.signedInTerm : SearchDocument.publicTerm), with(nil, plus: ["own_\(viewer.id)"])]
        if let school = viewer.school, !AccessPolicy.schoolKey(school).isEmpty {
            alternatives.append(with(nil, plus: ["st_published", "vis_school", "sch_\(AccessPolicy.schoolKey(school))"]))
        }
        if viewer.isBoard { alternatives = [with(nil, plus: ["(\(SearchDocument.allTerm) NOT st_draft)"]), with(nil, plus: ["own_\(viewer.id)"])] }
        return "(" + alternatives.joined(separator: " OR ") + ")"
    }
}
