public import Foundation
import Crypto

/// The level of an item in a knowledge-unit framework, from the top down.
public enum CatalogItemType: String, Codable, Sendable, CaseIterable, Comparable {
    /// Lớp.
    case grade
    /// Mạch nội dung (or a large chủ đề).
    case strand
    /// Chủ đề / nội dung.
    case topic
    /// Bài / đơn vị kiến thức / nội dung cụ thể.
    case unit
    /// Yêu cầu cần đạt.
    case outcome

    /// 0 for a grade, 4 for an outcome.
    public var depth: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.depth < rhs.depth }

    /// The Vietnamese name of the level.
    public var vietnamese: String {
        switch self {
        case .grade: "Lớp"
        case .strand: "Mạch nội dung"
        case .topic: "Chủ đề"
        case .unit: "Bài / đơn vị kiến thức"
        case .outcome: "Yêu cầu cần đạt"
        }
    }
}

/// How two catalogue items relate, beside the tree itself (CASE association types).
public enum CatalogAssociationType: String, Codable, Sendable, CaseIterable {
    case isChildOf, precedes, isRelatedTo, exactMatchOf, replacedBy
}

/// One association from an item to another, by code.
public struct CatalogAssociation: Codable, Sendable, Hashable {
    public var type: CatalogAssociationType
    public var target: String

    public init(type: CatalogAssociationType, target: String) {
        self.type = type
        self.target = target
    }
}

/// One item of a framework: a grade, strand, topic, unit or required outcome.
public struct CatalogItem: Codable, Sendable, Equatable {
    public var code: String
    /// The parent's code; nil for a grade item (its parent is the framework).
    public var parent: String?
    public var type: CatalogItemType
    public var grade: Int
    public var statement: String
    public var statementEN: String?
    public var associations: [CatalogAssociation]
    public var deprecated: Bool
    /// When the item last changed, when the source says (a CASE import); nil: the time of loading.
    public var updatedAt: Date?

    public init(
        code: String, parent: String?, type: CatalogItemType, grade: Int, statement: String, statementEN: String? = nil,
        associations: [CatalogAssociation] = [], deprecated: Bool = false, updatedAt: Date? = nil
    ) {
        self.code = code
        self.parent = parent
        self.type = type
        self.grade = grade
        self.statement = statement
        self.statementEN = statementEN
        self.associations = associations
        self.deprecated = deprecated
        self.updatedAt = updatedAt
    }

    /// The item's identifier: UUID v5 of the code (see ``CatalogIdentifiers``).
    public var uuid: UUID { CatalogIdentifiers.uuid(for: code) }
}

/// A subject of the programme, with the grades it is taught in.
public struct CatalogSubject: Codable, Sendable, Equatable {
    public var code: String
    public var name: String
    public var nameEN: String
    public var grades: [Int]
    public var compulsoryGrades: [Int]
    public var source: String

    public init(code: String, name: String, nameEN: String, grades: [Int], compulsoryGrades: [Int], source: String) {
        self.code = code
        self.name = name
        self.nameEN = nameEN
        self.grades = grades
        self.compulsoryGrades = compulsoryGrades
        self.source = source
    }
}

/// Stable identifiers for catalogue entries: every installation derives the same UUIDs from the same codes.
public enum CatalogIdentifiers {
    /// The fixed namespace of Hoclieu catalogue codes (itself UUID v5 of "hoclieu.catalog" under the URL namespace).
    public static let namespace = UUID(uuidString: "6b7f9f3e-2d0b-5b8e-9c51-0e1f3a5d7c42")!

    /// RFC 9562 UUID version 5 (SHA-1) of `name` under `namespace`.
    public static func uuid(for name: String, namespace: UUID = namespace) -> UUID {
        var bytes = withUnsafeBytes(of: namespace.uuid) { Array($0) }
        bytes.append(contentsOf: Array(name.utf8))
        var hash = Array(Insecure.SHA1.hash(data: bytes).prefix(16))
        hash[6] = (hash[6] & 0x0F) | 0x50
        hash[8] = (hash[8] & 0x3F) | 0x80
        return hash.withUnsafeBytes { raw in UUID(uuid: raw.loadUnaligned(as: uuid_t.self)) }
    }
}
