import Crypto
public import Foundation
public import HoclieuCore
public import JWTKit

// OpenID Connect sign-in with an external provider (the department's Google Workspace or Microsoft 365): the
// authorization-code flow with PKCE. It lives beside LTI because LTI 1.3 is built on the same OpenID Connect
// id_token: both verify RS256 tokens against a provider's key set held by one ``PlatformKeyCache`` and fetched
// through one ``LTIHTTPTransport``.

/// Why an OpenID Connect sign-in was refused. Each case reads in Vietnamese and English; the server shows it on
/// a plain page and opens no session.
public enum OIDCError: BilingualError, Equatable {
    /// Sign-in with an organisation account is not configured on this service.
    case notConfigured
    /// The provider's discovery document, token endpoint or key set could not be used.
    case providerUnavailable(String)
    /// The provider answered the authorization request with an error (e.g. the user cancelled).
    case providerRefused(String)
    /// `state` is missing, unknown, expired or not bound to this browser.
    case invalidState
    /// The token endpoint refused the code or answered without an id_token.
    case tokenExchangeFailed(String)
    /// The id_token is not a well-formed RS256 JWT with a `kid`.
    case malformedToken
    /// The provider's key set has no key with this `kid`.
    case unknownKeyID(String)
    /// The signature does not verify.
    case badSignature
    /// A claim is missing or wrong (`iss`, `aud`, `azp`, `exp`, `iat`, `nonce`, `sub`, `email`).
    case badClaim(String)
    /// The provider says the e-mail address is not verified.
    case emailNotVerified
    /// No account is linked or has this address, and its domain may not be provisioned.
    case domainNotAllowed(String)
    /// The account is disabled.
    case accountDisabled

    public var category: ErrorCategory {
        switch self {
        case .notConfigured: .notFound
        case .providerUnavailable: .unavailable
        case .domainNotAllowed, .accountDisabled, .emailNotVerified: .forbidden
        default: .unauthenticated
        }
    }

    public var code: String {
        switch self {
        case .notConfigured: "oidc-not-configured"
        case .providerUnavailable: "oidc-provider-unavailable"
        case .providerRefused: "oidc-provider-refused"
        case .invalidState: "oidc-state"
        case .tokenExchangeFailed: "oidc-token-exchange"
        case .malformedToken: "oidc-malformed-token"
        case .unknownKeyID: "oidc-unknown-kid"
        case .badSignature: "oidc-bad-signature"
        case .badClaim: "oidc-bad-claim"
        case .emailNotVerified: "oidc-email-not-verified"
        case .domainNotAllowed: "oidc-domain-not-allowed"
        case .accountDisabled: "oidc-account-disabled"
        }
    }

    public var vietnamese: String {
        switch self {
        case .notConfigured: "Dịch vụ chưa cấu hình đăng nhập bằng tài khoản của Sở."
        case .providerUnavailable(let r): "Không liên lạc được với máy chủ đăng nhập của Sở: \(r)."
        case .providerRefused(let r): "Máy chủ đăng nhập của Sở từ chối yêu cầu: \(r)."
        case .invalidState: "Phiên đăng nhập không hợp lệ hoặc đã hết hạn (state). Hãy đăng nhập lại từ đầu."
        case .tokenExchangeFailed(let r): "Không đổi được mã cấp quyền lấy mã thông báo: \(r)."
        case .malformedToken: "Mã thông báo (id_token) không đúng định dạng JWT ký RS256."
        case .unknownKeyID(let k): "Không tìm thấy khóa ký \(k) trong bộ khóa của máy chủ đăng nhập."
        case .badSignature: "Chữ ký của mã thông báo không hợp lệ."
        case .badClaim(let c): "Mã thông báo có trường \(c) thiếu hoặc không hợp lệ."
        case .emailNotVerified: "Địa chỉ thư điện tử của tài khoản chưa được xác minh."
        case .domainNotAllowed(let d): "Tài khoản thuộc miền \(d) chưa được phép dùng Hoclieu; hãy nhờ quản trị viên tạo tài khoản."
        case .accountDisabled: "Tài khoản đã bị khoá."
        }
    }

    public var english: String {
        switch self {
        case .notConfigured: "Sign-in with an organisation account is not configured on this service."
        case .providerUnavailable(let r): "The organisation's sign-in server could not be reached: \(r)."
        case .providerRefused(let r): "The organisation's sign-in server refused the request: \(r)."
        case .invalidState: "The sign-in is invalid or has expired (state). Start the sign-in again."
        case .tokenExchangeFailed(let r): "The authorization code could not be exchanged for a token: \(r)."
        case .malformedToken: "The id_token is not a well-formed RS256-signed JWT."
        case .unknownKeyID(let k): "Key \(k) is not in the sign-in server's key set."
        case .badSignature: "The token's signature is not valid."
        case .badClaim(let c): "The token's \(c) claim is missing or wrong."
        case .emailNotVerified: "The account's e-mail address is not verified."
        case .domainNotAllowed(let d): "Accounts of \(d) may not use Hoclieu yet; ask an administrator to create your account."
        case .accountDisabled: "The account is disabled."
        }
    }
}

/// The fields of a provider's `/.well-known/openid-configuration` that the sign-in uses.
public struct OIDCProviderMetadata: Codable, Sendable, Equatable {
    public var issuer: String
    public var authorizationEndpoint: String
    public var tokenEndpoint: String
    public var jwksURI: String
    public var tokenEndpointAuthMethodsSupported: [String]?
    public var codeChallengeMethodsSupported: [String]?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
    }

    public init(issuer: String, authorizationEndpoint: String, tokenEndpoint: String, jwksURI: String, tokenEndpointAuthMethodsSupported: [String]? = nil) {
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.jwksURI = jwksURI
        self.tokenEndpointAuthMethodsSupported = tokenEndpointAuthMethodsSupported
    }

    /// `client_secret_basic` unless the provider lists only `client_secret_post` (OpenID Connect Discovery: the
    /// default when the list is absent is basic).
    public var usesPostAuthentication: Bool {
        guard let methods = tokenEndpointAuthMethodsSupported else { return false }
        return !methods.contains("client_secret_basic") && methods.contains("client_secret_post")
    }
}

/// A provider's discovery document, fetched from `{issuer}/.well-known/openid-configuration` on first use and kept
/// for `maxAge`. The document's `issuer` must be the configured one (OpenID Connect Discovery §4.3).
public actor OIDCDiscovery {
    private let transport: any LTIHTTPTransport
    private let maxAge: TimeInterval
    private var cached: [String: (metadata: OIDCProviderMetadata, at: Date)] = [:]

    public init(transport: any LTIHTTPTransport, maxAge: TimeInterval = 3600) {
        self.transport = transport
        self.maxAge = maxAge
    }

    public func metadata(issuer: String) async throws -> OIDCProviderMetadata {
        if let hit = cached[issuer], Date().timeIntervalSince(hit.at) < maxAge { return hit.metadata }
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        guard let url = URL(string: base + "/.well-known/openid-configuration") else { throw OIDCError.providerUnavailable("issuer \(issuer)") }
        let data: Data
        do { data = try await transport.get(url, maxBytes: 256 * 1024) } catch { throw OIDCError.providerUnavailable(String(describing: error)) }
        guard let metadata = try? JSONDecoder().decode(OIDCProviderMetadata.self, from: data) else {
            throw OIDCError.providerUnavailable("not an OpenID configuration document")
        }
        guard metadata.issuer == issuer else { throw OIDCError.providerUnavailable("the document names issuer \(metadata.issuer)") }
        for endpoint in [metadata.authorizationEndpoint, metadata.tokenEndpoint, metadata.jwksURI] {
            guard let scheme = URL(string: endpoint)?.scheme?.lowercased(), scheme == "https" || scheme == "http" else {
                throw OIDCError.providerUnavailable("endpoint \(endpoint) is not an http(s) address")
            }
        }
        cached[issuer] = (metadata, Date())
        return metadata
    }
}

/// The claims of an id_token that sign-in reads. `email_verified` may come as a boolean or as the strings
/// `"true"`/`"false"` (some providers send strings).
public struct OIDCIDTokenClaims: JWTPayload, Equatable, IDTokenTimesAndAudience {
    public var iss: String?
    public var sub: String?
    public var aud: StringOrArray?
    public var azp: String?
    public var exp: Double?
    public var iat: Double?
    public var nonce: String?
    public var email: String?
    public var emailVerified: Bool?
    public var name: String?
    /// Every top-level claim whose value is a string, for the configurable school claim.
    public var strings: [String: String] = [:]

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, azp, exp, iat, nonce, email, name
        case emailVerified = "email_verified"
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        iss = try? c.decodeIfPresent(String.self, forKey: .iss)
        sub = try? c.decodeIfPresent(String.self, forKey: .sub)
        aud = try? c.decodeIfPresent(StringOrArray.self, forKey: .aud)
        azp = try? c.decodeIfPresent(String.self, forKey: .azp)
        exp = try? c.decodeIfPresent(Double.self, forKey: .exp)
        iat = try? c.decodeIfPresent(Double.self, forKey: .iat)
        nonce = try? c.decodeIfPresent(String.self, forKey: .nonce)
        email = try? c.decodeIfPresent(String.self, forKey: .email)
        name = try? c.decodeIfPresent(String.self, forKey: .name)
        if let flag = try? c.decodeIfPresent(Bool.self, forKey: .emailVerified) {
            emailVerified = flag
        } else if let text = try? c.decodeIfPresent(String.self, forKey: .emailVerified) {
            emailVerified = text.lowercased() == "true"
        }
        let all = try decoder.container(keyedBy: AnyKey.self)
        for key in all.allKeys.prefix(200) {
            if let value = try? all.decode(String.self, forKey: key) { strings[key.stringValue] = value }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: AnyKey.self)
        for (key, value) in strings { try c.encode(value, forKey: AnyKey(stringValue: key)) }
        func put<T: Encodable>(_ value: T?, _ key: CodingKeys) throws {
            if let value { try c.encode(value, forKey: AnyKey(stringValue: key.rawValue)) }
        }
        try put(iss, .iss)
        try put(sub, .sub)
        try put(aud, .aud)
        try put(azp, .azp)
        try put(exp, .exp)
        try put(iat, .iat)
        try put(nonce, .nonce)
        try put(email, .email)
        try put(emailVerified, .emailVerified)
        try put(name, .name)
    }

    /// Claim checks happen in ``OIDCTokenVerifier`` (with its clock and reasons).
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// PKCE (RFC 7636) with S256.
public enum PKCE {
    /// The `code_challenge` of a verifier: base64url(SHA-256(verifier)).
    public static func challenge(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncodedString()
    }
}

/// Verifies an id_token from the token endpoint (OpenID Connect Core §3.1.3.7): RS256 with a `kid` found in the
/// provider's key set (refetched once for an unknown `kid`, through the shared ``PlatformKeyCache``) — or, without a
/// `kid`, the set's only key —, `iss` the
/// configured issuer, `aud` holding the client id, `azp` the client id when present or when there are several
/// audiences, `exp` not passed and `iat` neither in the future nor older than `maxAge` (with `leeway`), `nonce`
/// the one issued for this browser's login, a `sub`, and `email_verified` true when the claim is present.
public struct OIDCTokenVerifier: Sendable {
    public var issuer: String
    public var clientID: String
    public var leeway: TimeInterval
    public var maxAge: TimeInterval
    public var now: @Sendable () -> Date

    public init(issuer: String, clientID: String, leeway: TimeInterval = 60, maxAge: TimeInterval = 600, now: @escaping @Sendable () -> Date = { Date() }) {
        self.issuer = issuer
        self.clientID = clientID
        self.leeway = leeway
        self.maxAge = maxAge
        self.now = now
    }

    public func verify(_ token: String, expectedNonce: String, jwksURL: URL, keys: PlatformKeyCache) async throws -> OIDCIDTokenClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard token.utf8.count <= 64 * 1024, parts.count == 3, let headerData = Data(base64URLEncoded: parts[0]),
            let header = try? JSONDecoder().decode(LaunchVerifier.Header.self, from: headerData)
        else { throw OIDCError.malformedToken }
        guard header.alg == "RS256" else { throw OIDCError.malformedToken }
        let collection: JWTKeyCollection
        do {
            if let kid = header.kid, !kid.isEmpty {
                collection = try await keys.keys(at: jwksURL, kid: kid)
            } else {
                collection = try await keys.soleKey(at: jwksURL)
            }
        } catch LTIError.unknownKeyID(let k) {
            throw OIDCError.unknownKeyID(k)
        } catch LTIError.missingKeyID {
            throw OIDCError.unknownKeyID("—")
        } catch let LTIError.keySetUnavailable(reason) {
            throw OIDCError.providerUnavailable(reason)
        }
        let claims: OIDCIDTokenClaims
        do { claims = try await collection.verify(token, as: OIDCIDTokenClaims.self) } catch { throw OIDCError.badSignature }
        try checkClaims(claims, expectedNonce: expectedNonce)
        return claims
    }

    /// The rules that need no key.
    public func checkClaims(_ claims: OIDCIDTokenClaims, expectedNonce: String) throws {
        guard claims.iss == issuer else { throw OIDCError.badClaim("iss") }
        switch claims.violation(clientID: clientID, now: now(), leeway: leeway, maxAge: maxAge) {
        case nil: break
        case .wrongAudience: throw OIDCError.badClaim("aud")
        case .wrongAuthorizedParty: throw OIDCError.badClaim("azp")
        case .missingExpiry, .expired: throw OIDCError.badClaim("exp")
        case .missingIssuedAt, .issuedAtOutOfRange: throw OIDCError.badClaim("iat")
        }
        guard let nonce = claims.nonce, !nonce.isEmpty, ConstantTime.equal(nonce, expectedNonce) else { throw OIDCError.badClaim("nonce") }
        guard let sub = claims.sub, !sub.isEmpty, sub.utf8.count <= 255 else { throw OIDCError.badClaim("sub") }
        if claims.emailVerified == false { throw OIDCError.emailNotVerified }
    }
}
