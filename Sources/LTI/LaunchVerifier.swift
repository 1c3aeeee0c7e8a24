public import Foundation
public import HoclieuCore
import JWTKit

/// Remembers nonces already seen, so a captured `id_token` cannot be launched twice.
public protocol NonceStore: Sendable {
    /// Records `nonce` until `expiresAt`; `false` when it was already recorded.
    func consume(_ nonce: String, expiresAt: Date) async -> Bool
}

/// An in-memory ``NonceStore`` that forgets nonces after they expire.
public actor MemoryNonceStore: NonceStore {
    private var seen: [String: Date] = [:]
    private var lastSweep = Date.distantPast
    public init() {}

    public func consume(_ nonce: String, expiresAt: Date) -> Bool {
        let now = Date()
        if now.timeIntervalSince(lastSweep) > 60 {
            seen = seen.filter { $0.value > now }
            lastSweep = now
        }
        if let until = seen[nonce], until > now { return false }
        seen[nonce] = expiresAt
        return true
    }
}

/// A launch whose `id_token` passed every check.
public struct VerifiedLaunch: Sendable, Equatable {
    public var platform: LTIPlatform
    public var claims: LaunchClaims
    public var messageType: LTIMessageType

    public init(platform: LTIPlatform, claims: LaunchClaims, messageType: LTIMessageType) {
        self.platform = platform
        self.claims = claims
        self.messageType = messageType
    }
}

/// Verifies a platform's `id_token` (LTI 1.3 core §5.1.3 and the IMS Security Framework §5.1.3).
///
/// Checks, in order: JWS shape, `alg` is RS256, `kid` present; the issuer (and audience) name a
/// registered platform; the signature verifies against that platform's key set (refetched once for
/// an unknown `kid`); `aud` holds this tool's client id and `azp` names it when present or when
/// there are several audiences; `exp` not passed and `iat` not in the future (both with `leeway`)
/// nor older than `maxAge`; the nonce is the one issued at login for this browser and was never used
/// before; the version is 1.3.0 and the message type one this tool handles; the deployment id is
/// registered; `target_link_uri` is on this tool's origin; and the message's own required claims.
public struct LaunchVerifier: Sendable {
    /// Where this tool is reachable (scheme, host and port are compared with `target_link_uri`).
    public var toolURL: URL
    /// Allowed clock skew.
    public var leeway: TimeInterval
    /// The oldest `iat` accepted.
    public var maxAge: TimeInterval
    public var now: @Sendable () -> Date

    public init(toolURL: URL, leeway: TimeInterval = 60, maxAge: TimeInterval = 3600, now: @escaping @Sendable () -> Date = { Date() }) {
        self.toolURL = toolURL
        self.leeway = leeway
        self.maxAge = maxAge
        self.now = now
    }

    /// The JOSE header fields the verifier reads.
    struct Header: Decodable {
        var alg: String?
        var kid: String?
    }

    /// Verifies `token`.
    /// - Parameters:
    ///   - expectedNonce: the nonce this tool put in the login redirect for this browser's `state`.
    ///   - platforms: finds the registration for an issuer and the token's audiences.
    public func verify(
        _ token: String,
        expectedNonce: String,
        platforms: @Sendable (_ issuer: String, _ audiences: [String]) async throws -> LTIPlatform?,
        keys: PlatformKeyCache,
        nonces: any NonceStore
    ) async throws -> VerifiedLaunch {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 64 * 1024, parts.count == 3,
            let headerData = Data(base64URLEncoded: parts[0]),
            let header = try? JSONDecoder().decode(Header.self, from: headerData),
            let payloadData = Data(base64URLEncoded: parts[1]),
            let unverified = try? JSONDecoder().decode(LaunchClaims.self, from: payloadData)
        else { throw LTIError.malformedToken }
        guard header.alg == "RS256" else { throw LTIError.unsupportedAlgorithm(header.alg ?? "none") }
        guard let kid = header.kid, !kid.isEmpty else { throw LTIError.missingKeyID }
        guard let issuer = unverified.iss, !issuer.isEmpty else { throw LTIError.missingClaim("iss") }
        let audiences = unverified.aud?.values ?? []
        guard let platform = try await platforms(issuer, audiences) else { throw LTIError.unknownPlatform(issuer: issuer) }

        // Signature.
        let collection = try await keys.keys(at: platform.jwksURL, kid: kid)
        let claims: LaunchClaims
        do {
            claims = try await collection.verify(token, as: LaunchClaims.self)
        } catch {
            throw LTIError.badSignature
        }

        try checkClaims(claims, platform: platform, expectedNonce: expectedNonce)
        let type = try messageType(claims)
        // The nonce is consumed last but one: a token refused for another reason does not burn it.
        guard let nonce = claims.nonce,
            await nonces.consume(nonce, expiresAt: Date(timeIntervalSince1970: (claims.exp ?? 0) + leeway))
        else { throw LTIError.nonceReplayed }
        return VerifiedLaunch(platform: platform, claims: claims, messageType: type)
    }

    /// The claim rules that need no key: audience, times, nonce equality, deployment, target link.
    public func checkClaims(_ claims: LaunchClaims, platform: LTIPlatform, expectedNonce: String) throws {
        switch claims.violation(clientID: platform.clientID, now: now(), leeway: leeway, maxAge: maxAge) {
        case nil: break
        case .wrongAudience: throw LTIError.wrongAudience
        case .wrongAuthorizedParty: throw LTIError.wrongAuthorizedParty
        case .missingExpiry: throw LTIError.missingClaim("exp")
        case .expired: throw LTIError.expired
        case .missingIssuedAt: throw LTIError.missingClaim("iat")
        case .issuedAtOutOfRange: throw LTIError.issuedAtOutOfRange
        }
        guard let nonce = claims.nonce, !nonce.isEmpty else { throw LTIError.missingClaim("nonce") }
        guard nonce == expectedNonce else { throw LTIError.nonceReplayed }
        guard claims.version == "1.3.0" else { throw LTIError.unsupportedMessage("version \(claims.version ?? "—")") }
        guard let deployment = claims.deploymentID, !deployment.isEmpty else { throw LTIError.missingClaim("deployment_id") }
        guard platform.deploymentIDs.contains(deployment) else { throw LTIError.unknownDeployment(deployment) }
        guard let target = claims.targetLinkURI, !target.isEmpty else { throw LTIError.missingClaim("target_link_uri") }
        guard isOurs(target) else { throw LTIError.foreignTargetLink(target) }
    }

    func messageType(_ claims: LaunchClaims) throws -> LTIMessageType {
        guard let raw = claims.messageType else { throw LTIError.missingClaim("message_type") }
        switch LTIMessageType(rawValue: raw) {
        case .resourceLink:
            guard let link = claims.resourceLink, !link.id.isEmpty else { throw LTIError.missingClaim("resource_link") }
            return .resourceLink
        case .deepLinkingRequest:
            // The response is posted there by the browser: only an http(s) address.
            guard let settings = claims.deepLinkingSettings, let scheme = URL(string: settings.deepLinkReturnURL)?.scheme?.lowercased(),
                scheme == "https" || scheme == "http"
            else {
                throw LTIError.missingClaim("deep_linking_settings")
            }
            return .deepLinkingRequest
        default:
            throw LTIError.unsupportedMessage(raw)
        }
    }

    /// Whether `target` is on this tool's origin (same scheme, host and port).
    public func isOurs(_ target: String) -> Bool {
        guard let url = URL(string: target), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return false }
        func port(_ u: URL, _ scheme: String) -> Int? { u.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : nil) }
        let ourScheme = toolURL.scheme?.lowercased() ?? ""
        return scheme == ourScheme && host == toolURL.host?.lowercased() && port(url, scheme) == port(toolURL, ourScheme)
    }
}
