public import Foundation

/// What a user account may do. A user can hold several roles.
public enum Role: String, Codable, Sendable, CaseIterable {
    /// Department administrator: users, schools, LMS clients, backups.
    case admin
    /// Uploads and tags materials.
    case teacher
    /// Member of the quality board.
    case reviewer
    /// Chair of the quality board: assigns reviewers, decides when reviews disagree, withdraws.
    case chair
    /// Administers the users of their own school.
    case schoolAdmin = "school_admin"
    /// An LMS platform pushing and pulling content with client credentials.
    case lmsClient = "lms_client"
}

/// What an LMS client credential may do.
public enum ClientScope: String, Codable, Sendable, CaseIterable {
    /// Harvest public material (OAI-PMH, the change feed).
    case harvest
    /// Harvest sector material too.
    case harvestSector = "harvest:sector"
    /// Push content in for review.
    case push
    /// Launch and deep-link through LTI.
    case lti
}

/// A user account (never carries its password hash outside the store).
public struct User: Codable, Sendable, Equatable, Identifiable {
    public var id: Int64
    public var username: String
    public var displayName: String
    public var roles: Set<Role>
    public var school: String?
    public var createdAt: Date
    /// A disabled account cannot sign in and has no live session.
    public var disabled: Bool
    /// Set when the caller is an LMS client credential: what that credential may do (nil for people and for
    /// accounts signed in with a password).
    public var scopes: Set<ClientScope>?
    /// The account's e-mail address, when recorded: an OpenID Connect sign-in with a verified address finds the account by it.
    public var email: String?

    /// The organisation (school, or the department) the account belongs to; nil for accounts not stored.
    public var organisationID: Int64?
    /// The subjects a reviewer reviews (subject codes); empty: any subject.
    public var subjects: [String] = []

    public init(
        id: Int64, username: String, displayName: String, roles: Set<Role>, school: String?, createdAt: Date, disabled: Bool = false,
        email: String? = nil, organisationID: Int64? = nil, subjects: [String] = []
    ) {
        self.organisationID = organisationID
        self.subjects = subjects
        self.disabled = disabled
        self.email = email
        self.id = id
        self.username = username
        self.displayName = displayName
        self.roles = roles
        self.school = school
        self.createdAt = createdAt
    }

    public func has(_ role: Role) -> Bool { roles.contains(role) }

    /// Whether the caller may read sector-visible material: people may; a client credential needs `harvest:sector`.
    public var readsSector: Bool { scopes.map { $0.contains(.harvestSector) } ?? true }

    /// A member of the quality board (reviewer or chair).
    public var isBoard: Bool { has(.reviewer) || has(.chair) }

    /// An e-mail address as accounts record it (trimmed, lower case), or nil when it is not one: a non-empty local part
    /// and domain around a single `@`, no spaces, at most 254 bytes.
    public static func normalisedEmail(_ text: String) -> String? {
        let email = text.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, email.utf8.count <= 254, !email.contains(where: \.isWhitespace) else {
            return nil
        }
        return email
    }

    /// Usernames: 3–64 characters of a–z, 0–9, `.`, `_`, `-`, `@`.
    public static func isValidUsername(_ name: String) -> Bool {
        (3...64).contains(name.count)
            && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "._-@".contains($0)) }
    }
}

extension User {
    /// The operator at the command line of the machine: `hoclieu export`, `import`, `check` and the benchmarks act
    /// as this administrator (whoever runs them can read the data folder anyway). Never a stored account; never
    /// used by the HTTP server.
    public static let localOperator = User(
        id: 0, username: "cli", displayName: "Dòng lệnh / Command line", roles: [.admin], school: nil, createdAt: Date(timeIntervalSince1970: 0))
}
