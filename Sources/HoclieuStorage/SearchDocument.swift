import Foundation
import HoclieuCore

/// The five columns a material contributes to the full-text index.
///
/// Computed from the material row alone, so the contentless index can be told exactly
/// what to delete when a row changes.
struct SearchDocument: Equatable {
    var titleExact: String
    var titleFolded: String
    var bodyExact: String
    var bodyFolded: String
    var facets: String

    /// Longest extracted text indexed, in characters.
    static let maxBodyCharacters = 100_000

    init(material: Material, extractedText: String?) {
        let titleTokens = VietnameseText.tokens(material.metadata.title)
        var bodySource = material.metadata.description
        bodySource += " " + material.metadata.keywords.joined(separator: " ")
        bodySource += " " + material.metadata.authors.joined(separator: " ")
        if let extractedText { bodySource += " " + extractedText.prefix(Self.maxBodyCharacters) }
        let bodyTokens = VietnameseText.tokens(bodySource)
        titleExact = titleTokens.joined(separator: " ")
        titleFolded = titleTokens.map(VietnameseText.fold).joined(separator: " ")
        bodyExact = bodyTokens.joined(separator: " ")
        bodyFolded = bodyTokens.map(VietnameseText.fold).joined(separator: " ")
        facets = Self.facetTokens(material).joined(separator: " ")
    }

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
        var tokens = ["all", "own_\(m.ownerID)"]
        if let school = m.metadata.school { tokens.append("sch_" + sanitise(school)) }
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
        String(
            VietnameseText.fold(value).unicodeScalars.map { s -> Character in
                (s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s))) ? Character(s) : "_"
            })
    }

    /// The facet values stored with the row for counting: one `facet=value` per line.
    static func facetLines(_ m: Material) -> String {
        facetValues(m).map { "\($0.0.rawValue)=\($0.1)" }.joined(separator: "\n")
    }
}

/// Builds FTS5 query expressions from user text and filters.
struct SearchExpression {
    let exactTokens: [String]
    let foldedTokens: [String]
    /// Whether any query token carries marks (then exact matches form their own tiers).
    var hasMarks: Bool { exactTokens != foldedTokens }
    var isEmpty: Bool { exactTokens.isEmpty }

    /// At most this many query tokens are used.
    static let maxTokens = 12

    init(text: String) {
        let tokens = Array(VietnameseText.tokens(text).prefix(Self.maxTokens))
        exactTokens = tokens
        foldedTokens = tokens.map(VietnameseText.fold)
    }

    private static func quoted(_ token: String) -> String { "\"\(token.replacingOccurrences(of: "\"", with: "\"\""))\"" }

    private static func all(_ tokens: [String], in columns: String) -> String {
        "{\(columns)} : (" + tokens.map(quoted).joined(separator: " AND ") + ")"
    }

    var exactTitle: String { Self.all(exactTokens, in: "titleExact") }
    var exactAny: String { Self.all(exactTokens, in: "titleExact bodyExact") }
    var foldedTitle: String { Self.all(foldedTokens, in: "titleFolded") }
    var foldedAny: String { Self.all(foldedTokens, in: "titleFolded bodyFolded") }

    /// The visibility rule of ``Material/isVisible(to:)`` as an index expression (nil: everything).
    static func visibility(for viewer: User?) -> String? {
        guard let viewer else { return "facets : (st_published AND vis_public)" }
        if viewer.has(.admin) { return nil }
        var visible = "vis_public OR vis_sector"
        if let school = viewer.school { visible += " OR (vis_school AND sch_\(SearchDocument.sanitise(school)))" }
        var rule = "(st_published AND (\(visible)))"
        if viewer.has(.reviewer) { rule = "(all NOT st_draft)" }
        return "facets : (\(rule) OR own_\(viewer.id))"
    }

    static func filters(_ filters: SearchFilters) -> [String] {
        Facet.allCases.compactMap { facet in
            let values = filters[facet]
            guard !values.isEmpty else { return nil }
            return "facets : (" + values.map { SearchDocument.token(facet, $0) }.joined(separator: " OR ") + ")"
        }
    }
}
