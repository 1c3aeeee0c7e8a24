public import Foundation
public import HoclieuCore

/// An LMS platform's credential: created by an administrator, its secret shown once and stored hashed,
/// scoped, revocable, with the time it was last used.
public struct LMSClient: Codable, Sendable, Equatable {
    public var id: Int64
    /// The public half of the credential, e.g. `hlc_4kq2…`.
    public var clientID: String
    public var name: String
    /// The account that owns what the client pushes.
    public var userID: Int64
    public var scopes: Set<ClientScope>
    public var createdAt: Date
    public var createdBy: Int64
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(
        id: Int64, clientID: String, name: String, userID: Int64, scopes: Set<ClientScope>, createdAt: Date, createdBy: Int64, lastUsedAt: Date?,
        revokedAt: Date?
    ) {
        self.id = id
        self.clientID = clientID
        self.name = name
        self.userID = userID
        self.scopes = scopes
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

/// LMS client credentials.
public protocol ClientStore: Sendable {
    /// Creates the client and its owner account (role `lms_client`) in one transaction; audited.
    func createClient(clientID: String, name: String, scopes: Set<ClientScope>, secretHash: String, by actorID: Int64) async throws -> LMSClient
    func clients() async throws -> [LMSClient]
    /// The client, its secret hash and its account, by the public client id.
    func client(clientID: String) async throws -> (client: LMSClient, secretHash: String, user: User)?
    /// Records use (callers throttle how often).
    func touchClient(id: Int64, at: Date) async throws
    /// Revokes for good; audited.
    func revokeClient(id: Int64, by actorID: Int64) async throws -> LMSClient
}
