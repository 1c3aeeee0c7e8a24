public import Foundation
public import HoclieuCore

/// A unit of the sector: the department (Sở/Phòng GD&ĐT) at the root, its schools below it.
public struct Organisation: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case department
        case school
    }

    public var id: Int64
    public var kind: Kind
    public var name: String
    /// The key schools are compared by (``AccessPolicy/schoolKey(_:)``): unique.
    public var key: String
    /// An official code (mã trường), when known.
    public var code: String?
    /// The department a school belongs to; nil for the department.
    public var parentID: Int64?
    public var createdAt: Date
    /// Accounts that belong to it.
    public var userCount: Int

    public init(id: Int64, kind: Kind, name: String, key: String, code: String?, parentID: Int64?, createdAt: Date, userCount: Int) {
        self.id = id
        self.kind = kind
        self.name = name
        self.key = key
        self.code = code
        self.parentID = parentID
        self.createdAt = createdAt
        self.userCount = userCount
    }
}

/// Organisations: the department and its schools, as records. Every account belongs to one: an account
/// created with a school belongs to that school (registered on first use, under the department); any other
/// account belongs to the department.
public protocol OrganisationStore: Sendable {
    /// The department first, then the schools by name.
    func organisations() async throws -> [Organisation]
    func organisation(id: Int64) async throws -> Organisation?
    /// A new school under the department; audited. A school whose key exists is a conflict.
    func createSchool(name: String, code: String?, by actorID: Int64) async throws -> Organisation
    /// Changes the display name (same key: spelling, capitals, diacritics) or the code; audited.
    func updateOrganisation(id: Int64, name: String?, code: String?, by actorID: Int64) async throws -> Organisation
    /// The accounts of an organisation, by username.
    func users(inOrganisation id: Int64) async throws -> [User]
}
