public import Foundation
public import HoclieuCore

/// A catalogue item as the store keeps it: the item, its identifier, revision and place.
public struct StoredCatalogItem: Codable, Sendable, Equatable {
    public var item: CatalogItem
    public var uuid: UUID
    public var framework: String
    public var revision: Int
    public var position: Int
    public var updatedAt: Date
}

/// A framework's summary for listings.
public struct CatalogFrameworkSummary: Codable, Sendable, Equatable {
    public var subject: CatalogSubject
    public var uuid: UUID
    public var items: Int
    public var outcomes: Int
    public var updatedAt: Date
}

/// What loading a catalogue changed.
public struct CatalogLoadReport: Codable, Sendable, Equatable {
    public var added = 0
    public var revised = 0
    public var deprecated = 0
    public var unchanged = 0
    /// Codes whose wording changed or that were deprecated by this load (materials tagged with them are re-reviewed).
    public var changedCodes: [String] = []
    /// Published materials put under re-review because a unit they are tagged with changed.
    public var rereviews = 0

    public init() {}
}

/// The catalogue part of a store.
public protocol CatalogStore: Sendable {
    /// Loads the catalogue: new items are added, items whose wording changed get a new revision (the old
    /// wording is kept), items no longer in the data are deprecated (never deleted). Loading the same
    /// data twice changes nothing.
    func loadCatalog(_ data: CatalogData) async throws -> CatalogLoadReport
    /// Loads only the given frameworks (an import): deprecation applies within them alone.
    func loadCatalog(_ data: CatalogData, frameworks: Set<String>?) async throws -> CatalogLoadReport
    func catalogFrameworks() async throws -> [CatalogFrameworkSummary]
    func catalogItem(code: String) async throws -> StoredCatalogItem?
    func catalogChildren(of code: String) async throws -> [StoredCatalogItem]
    /// Every item of a framework, deprecated ones included, in programme order.
    func catalogItems(framework: String) async throws -> [StoredCatalogItem]
    /// Type-ahead over statements (diacritics optional; the last word may be a prefix).
    func searchCatalog(_ text: String, framework: String?, limit: Int) async throws -> [StoredCatalogItem]
    /// How many materials are tagged with the unit or one of its descendants.
    func materialCount(taggedWith code: String, visibleTo viewer: User?) async throws -> Int
}
