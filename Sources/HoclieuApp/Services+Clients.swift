public import Foundation
public import HoclieuCore
public import HoclieuStorage
import Synchronization

/// A new client credential: the secret is in `secret` only, this once.
public struct IssuedClient: Sendable, Encodable {
    public var client: LMSClient
    /// `clientID.secret`, for `Authorization: Bearer …`; HTTP basic takes `clientID` and `secret`.
    public var token: String
    public var secret: String
}

/// Requests per client credential: a token bucket per client on this node.
public final class ClientRateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var at: Date
    }
    let buckets = Mutex<[Int64: Bucket]>([:])
    public let perSecond: Double
    public let burst: Double

    public init(perSecond: Double = 50, burst: Double = 200) {
        self.perSecond = perSecond
        self.burst = burst
    }

    /// Takes one request's token; the seconds to wait when none is left.
    func take(_ client: Int64, now: Date = Date()) -> Int? {
        buckets.withLock { map in
            var bucket = map[client] ?? Bucket(tokens: burst, at: now)
            bucket.tokens = min(burst, bucket.tokens + max(0, now.timeIntervalSince(bucket.at)) * perSecond)
            bucket.at = now
            defer { map[client] = bucket }
            guard bucket.tokens >= 1 else { return Int(((1 - bucket.tokens) / perSecond).rounded(.up)) }
            bucket.tokens -= 1
            return nil
        }
    }
}

/// Why a client credential was refused.
public enum ClientError: BilingualError, Equatable {
    case badCredential
    case revoked
    case rateLimited(retryAfter: Int)
    case noScopes

    public var category: ErrorCategory {
        switch self {
        case .badCredential, .revoked: .unauthenticated
        case .rateLimited: .tooManyRequests
        case .noScopes: .invalid
        }
    }
    public var code: String {
        switch self {
        case .badCredential: "bad-credentials"
        case .revoked: "client-revoked"
        case .rateLimited: "too-many-requests"
        case .noScopes: "invalid"
        }
    }
    public var vietnamese: String {
        switch self {
        case .badCredential: "Thông tin xác thực của hệ thống LMS không đúng."
        case .revoked: "Thông tin xác thực của hệ thống LMS đã bị thu hồi."
        case .rateLimited(let s): "Hệ thống LMS gửi quá nhiều yêu cầu; thử lại sau \(s) giây."
        case .noScopes: "Cần ít nhất một phạm vi: harvest, harvest:sector, push, lti."
        }
    }
    public var english: String {
        switch self {
        case .badCredential: "The LMS client credential is wrong."
        case .revoked: "The LMS client credential has been revoked."
        case .rateLimited(let s): "Too many requests from this LMS client; retry in \(s) s."
        case .noScopes: "At least one scope is needed: harvest, harvest:sector, push, lti."
        }
    }
}

extension Services {
    /// Creates an LMS client credential (administrators). The secret is returned once and stored as its SHA-256.
    public func createClient(name: String, scopes: Set<ClientScope>, by actor: User) async throws -> IssuedClient {
        guard actor.has(.admin) else { throw AppError.forbidden }
        let name = VietnameseText.trimmed(name)
        guard !name.isEmpty, name.count <= 200 else { throw AppError(.invalid, vi: "Cần tên hệ thống LMS (tối đa 200 ký tự).", en: "A client name (up to 200 characters) is needed.") }
        guard !scopes.isEmpty else { throw ClientError.noScopes }
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        var rng = SystemRandomNumberGenerator()
        let clientID = "hlc_" + String((0..<16).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
        let secret = SessionToken.make()
        let client = try await store.createClient(clientID: clientID, name: name, scopes: scopes, secretHash: SessionToken.hash(secret), by: actor.id)
        return IssuedClient(client: client, token: "\(clientID).\(secret)", secret: secret)
    }

    /// Revokes a client credential (administrators).
    public func revokeClient(_ id: Int64, by actor: User) async throws -> LMSClient {
        guard actor.has(.admin) else { throw AppError.forbidden }
        return try await store.revokeClient(id: id, by: actor.id)
    }

    /// The account a client credential acts as, carrying the credential's scopes; refuses wrong, revoked and
    /// over-eager credentials. Use is recorded at most once a minute.
    public func authenticateClient(clientID: String, secret: String) async throws -> User {
        guard clientID.hasPrefix("hlc_"), clientID.count <= 64, secret.count <= 128, let found = try await store.client(clientID: clientID) else {
            throw ClientError.badCredential
        }
        guard ConstantTime.equal(SessionToken.hash(secret), found.secretHash) else { throw ClientError.badCredential }
        guard found.client.revokedAt == nil, !found.user.disabled else { throw ClientError.revoked }
        if let wait = clientRateLimiter.take(found.client.id) { throw ClientError.rateLimited(retryAfter: wait) }
        let now = Date()
        if (found.client.lastUsedAt.map { now.timeIntervalSince($0) } ?? .infinity) > 60 { try await store.touchClient(id: found.client.id, at: now) }
        var user = found.user
        user.scopes = found.client.scopes
        return user
    }
}
