import Foundation
public import HoclieuCore

/// A search: free text, facet filters, a page size and a keyset cursor.
public struct SearchRequest: Sendable {
    /// Free text; may be empty (then the newest visible materials are listed).
    public var text: String
    public var filters: SearchFilters
    /// Who is searching (nil: anonymous); decides what is visible.
    public var viewer: User?
    public var limit: Int
    /// The opaque cursor of the previous page.
    public var cursor: SearchCursor?
    /// Facets whose value counts are wanted.
    public var facets: Set<Facet>

    public init(
        text: String = "", filters: SearchFilters = .init(), viewer: User? = nil, limit: Int = 20, cursor: SearchCursor? = nil,
        facets: Set<Facet> = []
    ) {
        self.text = text
        self.filters = filters
        self.viewer = viewer
        self.limit = limit
        self.cursor = cursor
        self.facets = facets
    }
}

/// The facets a search can filter and count on.
public enum Facet: String, Sendable, CaseIterable, Codable {
    case subject, grade, kind, format, licence, status, visibility
    case knowledgeUnit = "unit"
}

/// Facet filters; values within one facet are alternatives (OR), facets combine with AND.
public struct SearchFilters: Sendable, Equatable {
    public var values: [Facet: [String]]

    public init(_ values: [Facet: [String]] = [:]) {
        self.values = values.filter { !$0.value.isEmpty }
    }

    public subscript(facet: Facet) -> [String] {
        get { values[facet] ?? [] }
        set { values[facet] = newValue.isEmpty ? nil : newValue }
    }
}

/// Where the previous page stopped: the relevance tier and the last row within it.
public struct SearchCursor: Sendable, Equatable {
    public var tier: Int
    public var lastRow: Int64

    public init(tier: Int, lastRow: Int64) {
        self.tier = tier
        self.lastRow = lastRow
    }

    /// A URL-safe token (`t{tier}r{row}` in base 36).
    public var token: String { "\(String(tier, radix: 36))-\(String(lastRow, radix: 36))" }

    public init?(token: String) {
        let parts = token.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 2, parts[1].count <= 13, let t = Int(parts[0], radix: 36), t >= 0,
            let r = Int64(parts[1], radix: 36), r >= 0
        else { return nil }
        self.init(tier: t, lastRow: r)
    }
}

/// One page of results.
public struct SearchPage: Sendable {
    /// Each hit's API JSON, encoded once when the material was written.
    public var items: [String]
    /// The cursor of the next page, nil on the last page.
    public var next: SearchCursor?
    /// How many materials match, counted up to the ranking window (200), or up to ``countLimit`` when
    /// facet counts are asked for.
    public var total: Int
    /// Whether `total` reached the counting limit (there may be more).
    public var totalIsLowerBound: Bool
    /// Value counts per requested facet, over the newest ``countLimit`` matches.
    public var facetCounts: [Facet: [(value: String, count: Int)]]

    /// When facets are asked for, matches are counted and facets tallied up to this many.
    public static let countLimit = 1000

    public init(
        items: [String], next: SearchCursor?, total: Int, totalIsLowerBound: Bool, facetCounts: [Facet: [(value: String, count: Int)]]
    ) {
        self.items = items
        self.next = next
        self.total = total
        self.totalIsLowerBound = totalIsLowerBound
        self.facetCounts = facetCounts
    }
}

extension SearchPage {
    private struct Hit: Decodable { var pid: String }

    /// The persistent identifiers of the page's hits, in order (read from each hit's JSON).
    public var pids: [PersistentIdentifier] {
        items.compactMap { json in (try? JSONDecoder().decode(Hit.self, from: Data(json.utf8))).flatMap { try? PersistentIdentifier(parsing: $0.pid) } }
    }
}

extension SearchRequest {
    /// Whether search matches the last word of `text` as a prefix too (search as you type), as the search
    /// backend decides it: for highlighting the same words.
    public static func lastWordIsPrefix(_ text: String) -> Bool { SearchExpression(text: text).lastIsPrefix }
}
