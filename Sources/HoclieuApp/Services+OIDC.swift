import Crypto
public import Foundation
public import HoclieuCore
import HoclieuStorage
public import LTI

/// Sign-in with an external OpenID Connect provider (the department's Google Workspace or Microsoft 365), from the
/// environment: `HOCLIEU_OIDC_ISSUER`, `HOCLIEU_OIDC_CLIENT_ID`, `HOCLIEU_OIDC_CLIENT_SECRET`, optional
/// `HOCLIEU_OIDC_ALLOWED_DOMAINS` (comma-separated e-mail domains whose new users are provisioned),
/// `HOCLIEU_OIDC_DEFAULT_ROLE` (the role of a provisioned account; `teacher`) and `HOCLIEU_OIDC_SCHOOL_CLAIM` (a
/// claim naming the provisioned account's school). The provider redirects back to `{public URL}/auth/oidc/callback`.
public struct OIDCSettings: Sendable, Equatable {
    public var issuer: String
    public var clientID: String
    public var clientSecret: String
    /// Lower-case e-mail domains whose unknown users get an account at their first sign-in (empty: nobody new).
    public var allowedDomains: [String]
    /// As written in the environment; ``ServerConfiguration/problems()`` refuses a value that names no role.
    public var defaultRoleName: String
    public var schoolClaim: String?

    public init(
        issuer: String, clientID: String, clientSecret: String, allowedDomains: [String] = [], defaultRoleName: String = "teacher",
        schoolClaim: String? = nil
    ) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.allowedDomains = allowedDomains.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        self.defaultRoleName = defaultRoleName
        self.schoolClaim = schoolClaim
    }

    /// The role given to provisioned accounts.
    public var defaultRole: Role? { Role(rawValue: defaultRoleName) }

    /// The settings named by `environment`: nil when none of the three required variables is set; otherwise the
    /// settings, whose ``problems()`` name any missing or wrong value (so `serve` refuses to start with all of them).
    public static func from(environment env: [String: String]) -> OIDCSettings? {
        func value(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
        let issuer = value("HOCLIEU_OIDC_ISSUER")
        let clientID = value("HOCLIEU_OIDC_CLIENT_ID")
        let secret = value("HOCLIEU_OIDC_CLIENT_SECRET")
        if issuer == nil, clientID == nil, secret == nil { return nil }
        return OIDCSettings(
            issuer: issuer ?? "", clientID: clientID ?? "", clientSecret: secret ?? "",
            allowedDomains: (env["HOCLIEU_OIDC_ALLOWED_DOMAINS"] ?? "").split(separator: ",").map(String.init),
            defaultRoleName: value("HOCLIEU_OIDC_DEFAULT_ROLE") ?? "teacher", schoolClaim: value("HOCLIEU_OIDC_SCHOOL_CLAIM"))
    }

    /// What is wrong with these settings (empty: fine).
    public func problems() -> [String] {
        var problems: [String] = []
        if clientID.isEmpty { problems.append("HOCLIEU_OIDC_CLIENT_ID is required when OpenID Connect sign-in is configured") }
        if clientSecret.isEmpty { problems.append("HOCLIEU_OIDC_CLIENT_SECRET is required when OpenID Connect sign-in is configured") }
        if let url = URL(string: issuer), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http", url.host != nil {
        } else {
            problems.append("HOCLIEU_OIDC_ISSUER '\(issuer)' must be an http(s) address")
        }
        if defaultRole == nil || defaultRole == .lmsClient || defaultRole == .admin {
            problems.append("HOCLIEU_OIDC_DEFAULT_ROLE '\(defaultRoleName)' must be teacher, reviewer, chair or school_admin")
        }
        return problems
    }
}

/// Where the browser goes to sign in at the provider, and the state its cookie binds.
public struct OIDCLoginRedirect: Sendable {
    public var location: URL
    public var state: String
}

/// The discovery documents of the OpenID Connect provider (this process's cache); key sets live in the LTI
/// runtime's ``PlatformKeyCache``, shared with LTI platforms.
public final class OIDCRuntime: Sendable {
    public let discovery: OIDCDiscovery
    public init(transport: any LTIHTTPTransport = BoundedHTTPTransport()) { discovery = OIDCDiscovery(transport: transport) }
}

extension Services {
    /// How long the provider has to send the browser back.
    static let oidcLoginLifetime: TimeInterval = 600

    /// The redirect URI registered at the provider.
    public var oidcRedirectURI: String { configuration.publicBaseURL + "/auth/oidc/callback" }

    func oidcSettings() throws -> OIDCSettings {
        guard let settings = configuration.oidc else { throw OIDCError.notConfigured }
        return settings
    }

    /// Begins a sign-in: a fresh state, nonce and PKCE verifier (kept in the store for ten minutes), and the
    /// provider's authorization address (`response_type=code`, `scope=openid email profile`, S256 challenge).
    public func oidcBeginLogin() async throws -> OIDCLoginRedirect {
        let settings = try oidcSettings()
        let metadata = try await oidc.discovery.metadata(issuer: settings.issuer)
        let state = Self.randomToken()
        let nonce = Self.randomToken()
        let verifier = Self.randomToken() + Self.randomToken()  // 64 characters of base64url (RFC 7636: 43–128)
        try await store.saveOIDCLogin(
            state: state, login: StoredOIDCLogin(nonce: nonce, codeVerifier: verifier), expiresAt: Date().addingTimeInterval(Self.oidcLoginLifetime))
        guard var components = URLComponents(string: metadata.authorizationEndpoint) else {
            throw OIDCError.providerUnavailable("authorization endpoint \(metadata.authorizationEndpoint)")
        }
        components.queryItems =
            (components.queryItems ?? []) + [
                URLQueryItem(name: "response_type", value: "code"), URLQueryItem(name: "client_id", value: settings.clientID),
                URLQueryItem(name: "redirect_uri", value: oidcRedirectURI), URLQueryItem(name: "scope", value: "openid email profile"),
                URLQueryItem(name: "state", value: state), URLQueryItem(name: "nonce", value: nonce),
                URLQueryItem(name: "code_challenge", value: PKCE.challenge(verifier)), URLQueryItem(name: "code_challenge_method", value: "S256"),
            ]
        guard let location = components.url else { throw OIDCError.providerUnavailable("authorization endpoint") }
        return OIDCLoginRedirect(location: location, state: state)
    }

    /// Completes a sign-in: the `state` must be the one bound to this browser and still pending; the code is exchanged
    /// at the token endpoint (client_secret_basic, or client_secret_post when the provider supports only that) with
    /// the PKCE verifier; the id_token passes ``OIDCTokenVerifier``; then the account (``oidcAccount(_:settings:)``)
    /// gets the same session as a password sign-in, audited as `auth.login` with method `oidc`.
    public func oidcCompleteLogin(code: String?, state: String?, browserState: String?, providerError: String?, address: String?) async throws
        -> SignIn
    {
        let settings = try oidcSettings()
        // Refused callbacks count against the address like failed password sign-ins (``LoginThrottle``).
        let addressKeys = address.map { ["a:" + $0] } ?? []
        try loginThrottle.check(addressKeys)
        do {
            guard let state, !state.isEmpty, state.utf8.count <= 256, let browserState, ConstantTime.equal(state, browserState) else {
                throw OIDCError.invalidState
            }
            guard let login = try await store.takeOIDCLogin(state: state, now: Date()) else { throw OIDCError.invalidState }
            if let providerError { throw OIDCError.providerRefused(String(providerError.prefix(200))) }
            guard let code, !code.isEmpty, code.utf8.count <= 4096 else { throw OIDCError.tokenExchangeFailed("no code") }
            let metadata = try await oidc.discovery.metadata(issuer: settings.issuer)
            let idToken = try await oidcExchange(code: code, verifier: login.codeVerifier, metadata: metadata, settings: settings)
            guard let jwksURL = URL(string: metadata.jwksURI) else { throw OIDCError.providerUnavailable("jwks_uri") }
            let claims = try await OIDCTokenVerifier(issuer: settings.issuer, clientID: settings.clientID).verify(
                idToken, expectedNonce: login.nonce, jwksURL: jwksURL, keys: lti.platformKeys)
            let user = try await oidcAccount(claims, settings: settings)
            return try await startSession(for: user, details: oidcAuditDetails(address, reason: nil))
        } catch let error as OIDCError {
            if case .providerUnavailable = error {} else { loginThrottle.fail(addressKeys) }
            _ = try? await store.appendAudit(
                AuditDraft(actorID: nil, action: "auth.login.failed", subject: "user:0", details: oidcAuditDetails(address, reason: error.code)))
            throw error
        }
    }

    private func oidcAuditDetails(_ address: String?, reason: String?) -> [String: String] {
        var details = ["method": "oidc"]
        details["address"] = address
        details["reason"] = reason
        return details
    }

    /// POSTs the code to the token endpoint and returns the `id_token` of the answer.
    func oidcExchange(code: String, verifier: String, metadata: OIDCProviderMetadata, settings: OIDCSettings) async throws -> String {
        guard let url = URL(string: metadata.tokenEndpoint) else { throw OIDCError.providerUnavailable("token endpoint") }
        var fields = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", oidcRedirectURI), ("code_verifier", verifier),
        ]
        var headers = [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")]
        if metadata.usesPostAuthentication {
            fields += [("client_id", settings.clientID), ("client_secret", settings.clientSecret)]
        } else {
            // RFC 6749 §2.3.1: each part form-encoded before joining with ':'.
            let credentials = Self.formEncode(settings.clientID) + ":" + Self.formEncode(settings.clientSecret)
            headers.append(("Authorization", "Basic " + Data(credentials.utf8).base64EncodedString()))
        }
        let body = fields.map { Self.formEncode($0.0) + "=" + Self.formEncode($0.1) }.joined(separator: "&")
        let answer: (status: Int, body: Data)
        do {
            answer = try await lti.transport.post(url, headers: headers, body: Data(body.utf8), maxBytes: 256 * 1024)
        } catch {
            throw OIDCError.providerUnavailable(String(describing: error))
        }
        struct TokenAnswer: Decodable {
            var id_token: String?
            var error: String?
        }
        let decoded = try? JSONDecoder().decode(TokenAnswer.self, from: answer.body)
        guard (200..<300).contains(answer.status) else {
            throw OIDCError.tokenExchangeFailed("HTTP \(answer.status) \(decoded?.error ?? "")".trimmingCharacters(in: .whitespaces))
        }
        guard let token = decoded?.id_token, !token.isEmpty else { throw OIDCError.tokenExchangeFailed("no id_token in the answer") }
        return token
    }

    static func formEncode(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// The account of a verified id_token: the one linked to `(iss, sub)`; else the one that has the token's e-mail
    /// recorded (the link is then made); else a new account with the configured role when the address's domain is
    /// allowed. A disabled account is refused. An address is used only when `email_verified` is not false (checked
    /// by the verifier).
    public func oidcAccount(_ claims: OIDCIDTokenClaims, settings: OIDCSettings) async throws -> User {
        guard let issuer = claims.iss, let subject = claims.sub else { throw OIDCError.badClaim("sub") }
        if let linked = try await store.user(issuer: issuer, subject: subject) {
            guard !linked.disabled else { throw OIDCError.accountDisabled }
            return linked
        }
        guard let email = claims.email.flatMap(User.normalisedEmail), let at = email.firstIndex(of: "@") else { throw OIDCError.badClaim("email") }
        let domain = String(email[email.index(after: at)...])
        let details = ["method": "oidc", "issuer": String(issuer.prefix(200)), "email": email]
        if let known = try await store.user(email: email) {
            guard !known.disabled else { throw OIDCError.accountDisabled }
            try await store.linkExternalIdentity(
                issuer: issuer, subject: subject, userID: known.id,
                audit: AuditDraft(actorID: known.id, action: "user.identity.linked", subject: "user:\(known.id)", details: details))
            return known
        }
        guard settings.allowedDomains.contains(domain), let role = settings.defaultRole else { throw OIDCError.domainNotAllowed(domain) }
        let username = User.isValidUsername(email) ? email : "oidc-" + String(SessionToken.hash(issuer + " " + subject).prefix(16))
        let school = settings.schoolClaim.flatMap { claims.strings[$0] }.map { String($0.prefix(200)) }
        let name = claims.name.map { String($0.prefix(200)) }.flatMap { $0.isEmpty ? nil : $0 } ?? email
        // No password: the stored hash is not a bcrypt hash, so no password ever matches it.
        let user = NewUser(username: username, displayName: name, roles: [role], school: school, passwordHash: "!oidc")
        do {
            return try await store.createExternalUser(
                NewExternalUser(user: user, email: email, issuer: issuer, subject: subject), auditDetails: details)
        } catch StoreError.conflict {
            // Another sign-in of the same person provisioned it a moment ago.
            if let linked = try await store.user(issuer: issuer, subject: subject), !linked.disabled { return linked }
            throw OIDCError.badClaim("email")
        }
    }
}
