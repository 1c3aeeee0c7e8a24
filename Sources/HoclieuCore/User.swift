public import Foundation

/// What a user account may do. A user can hold several roles.
public enum Role: String, Codable, Sendable, CaseIterable {
    /// Department administrator: users, schools, LMS clients, backups.
    case admin
    /// Uploads and tags materials.
    case teacher
    /// Member of the quality board.
    case reviewer
    /// An LMS platform pushing and pulling content with client credentials.
    case lmsClient = "lms_client"
}

/// A user account (never carries its password hash outside the store).
public struct User: Codable, Sendable, Equatable, Identifiable {
    public var id: Int64
    public var username: String
    public var displayName: String
    public var roles: Set<Role>
    public var school: String?
    public var createdAt: Date

    public init(id: Int64, username: String, displayName: String, roles: Set<Role>, school: String?, createdAt: Date) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.roles = roles
        self.school = school
        self.createdAt = createdAt
    }

    public func has(_ role: Role) -> Bool { roles.contains(role) }

    /// Usernames: 3–64 characters of a–z, 0–9, `.`, `_`, `-`, `@`.
    public static func isValidUsername(_ name: String) -> Bool {
        (3...64).contains(name.count)
            && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "._-@".contains($0)) }
    }
}

extension Material {
    /// Whether `user` (nil: anonymous) may see this material.
    public func isVisible(to user: User?) -> Bool {
        if let user, user.has(.admin) || user.id == ownerID { return true }
        if let user, user.has(.reviewer), status != .draft { return true }
        guard status == .published else { return false }
        switch visibility {
        case .public: return true
        case .sector: return user != nil
        case .school: return user != nil && user?.school != nil && user?.school == metadata.school
        case .private: return false
        }
    }

    /// Whether `user` may change metadata or add versions.
    public func isEditable(by user: User) -> Bool {
        user.has(.admin) || (user.id == ownerID && (user.has(.teacher) || user.has(.lmsClient)))
    }
}
