public import Foundation
public import HoclieuCore

/// One of the tool's signing keys, as stored (the private key never leaves the store but to sign).
public struct StoredLTIToolKey: Sendable, Equatable {
    public var kid: String
    public var privateKeyPEM: String
    public var createdAt: Date
    public var retiredAt: Date?
    public init(kid: String, privateKeyPEM: String, createdAt: Date, retiredAt: Date?) {
        self.kid = kid
        self.privateKeyPEM = privateKeyPEM
        self.createdAt = createdAt
        self.retiredAt = retiredAt
    }
}

/// A score sent (or being sent) to a platform's gradebook.
public struct StoredLTIScore: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable { case pending, posted, failed }
    public var id: Int64
    public var platformID: Int64
    public var lineItem: String
    public var userID: String
    public var pid: String
    public var scoreGiven: Double
    public var scoreMaximum: Double
    public var status: Status
    public var attempts: Int
    public var lastError: String?
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, platformID = "platformId", lineItem, userID = "userId", pid, scoreGiven, scoreMaximum, status, attempts, lastError, createdAt, updatedAt
    }
}

/// The LTI tool's state: platform registrations, its own keys, logins in flight, used nonces and
/// score posts. Logins and nonces are in the store (not in a process) so any node can take a launch.
public protocol LTIStore: Sendable {
    /// Registers a platform. Throws ``StoreError/conflict(_:)`` if the issuer and client id are taken.
    func addLTIPlatform(_ platform: LTIPlatform) async throws -> LTIPlatform
    func ltiPlatforms() async throws -> [LTIPlatform]
    func ltiPlatform(id: Int64) async throws -> LTIPlatform?
    /// The platform with this issuer whose client id is one of `clientIDs` (the token's `aud`), or
    /// the only platform with this issuer when `clientIDs` is empty.
    func ltiPlatform(issuer: String, clientIDs: [String]) async throws -> LTIPlatform?
    func deleteLTIPlatform(id: Int64) async throws

    /// Every stored tool key, newest first.
    func ltiToolKeys() async throws -> [StoredLTIToolKey]
    /// Adds a key; with `retiringOthersAt`, marks every unretired key retired at that time (rotation).
    func addLTIToolKey(_ key: StoredLTIToolKey, retiringOthersAt: Date?) async throws

    /// Remembers a login initiation until `expiresAt`.
    func saveLTILogin(state: String, nonce: String, platformID: Int64, expiresAt: Date) async throws
    /// Takes (and deletes) a live login initiation.
    func takeLTILogin(state: String, now: Date) async throws -> (nonce: String, platformID: Int64)?
    /// Records a nonce until `expiresAt`; `false` when it was already recorded (a replay).
    func consumeLTINonce(_ nonce: String, expiresAt: Date, now: Date) async throws -> Bool

    /// Records a score about to be posted; returns its id.
    func recordLTIScore(platformID: Int64, lineItem: String, userID: String, pid: String, scoreGiven: Double, scoreMaximum: Double) async throws
        -> Int64
    /// Sets the outcome of a score post.
    func updateLTIScore(id: Int64, status: StoredLTIScore.Status, attempts: Int, lastError: String?) async throws
    /// Score posts, newest first; only failed ones with `failedOnly`.
    func ltiScores(failedOnly: Bool, limit: Int) async throws -> [StoredLTIScore]
    /// The score posts of one platform's line item (a course's gradebook column), newest first.
    func ltiScores(platformID: Int64, lineItem: String, limit: Int) async throws -> [StoredLTIScore]
}
