import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuServer
@testable import HoclieuApp
import HoclieuStorage
import Hummingbird
import HummingbirdTesting
import JWTKit
import LTI
import Logging
import NIOCore
import NIOFoundationCompat
import Synchronization
import Testing

/// A stand-in OpenID Connect provider on 127.0.0.1: discovery, an authorization endpoint that signs the configured
/// person in at once, a token endpoint that checks client_secret_basic, the code, the redirect URI and the PKCE
/// verifier, and a key set. Its id_tokens are RS256 JWTs signed with jwt-kit's RSA (through ``ToolKeyRing``); a
/// scenario can spoil one rule of the token.
final class StandInOIDCProvider: Sendable {
    enum Tamper: Sendable { case none, noKid, wrongNonce, wrongAudience, expired, unknownKid, badSignature, emailUnverified }
    struct Person: Sendable {
        var sub: String
        var email: String
        var name = "Nguyễn Thị Lan"
        var school: String? = "THCS Lê Lợi"
    }
    struct Pending: Sendable {
        var redirectURI: String
        var nonce: String
        var challenge: String
    }
    struct State: Sendable {
        var issuer = ""
        var person = Person(sub: "lan-1", email: "lan@truong.edu.vn")
        var tamper = Tamper.none
        var codes: [String: Pending] = [:]
        var tokenRequests = 0
    }

    static let clientID = "hoclieu-test"
    /// With characters that client_secret_basic must form-encode.
    static let clientSecret = "bí mật:/+=s3cret"
    let ring: ToolKeyRing
    let stranger: ToolKeyRing
    let state = Mutex(State())

    init() async throws {
        ring = try await ToolKeyRing(keys: [try ToolKey.generate()])
        stranger = try await ToolKeyRing(keys: [try ToolKey.generate()])
    }

    var issuer: String { state.withLock { $0.issuer } }

    func set(_ person: Person, tamper: Tamper = .none) { state.withLock { $0.person = person; $0.tamper = tamper } }

    static func json(_ object: Any, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONSerialization.data(withJSONObject: object)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    static func form(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in text.split(separator: "&") {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if kv.count == 2 { out[kv[0]] = kv[1] }
        }
        return out
    }

    var application: some ApplicationProtocol {
        let router = Router()
        router.get("/.well-known/openid-configuration") { _, _ -> Response in
            let issuer = self.issuer
            return try Self.json([
                "issuer": issuer, "authorization_endpoint": issuer + "/authorize", "token_endpoint": issuer + "/token",
                "jwks_uri": issuer + "/jwks", "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"], "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            ])
        }
        router.get("/jwks") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: self.ring.jwksJSON)))
        }
        router.get("/authorize") { request, _ -> Response in
            let q = request.uri.queryParameters
            guard q.get("response_type") == "code", q.get("client_id") == Self.clientID, q.get("scope") == "openid email profile",
                q.get("code_challenge_method") == "S256", let challenge = q.get("code_challenge"), let nonce = q.get("nonce"),
                let state = q.get("state"), let redirect = q.get("redirect_uri")
            else { return Response(status: .badRequest) }
            let code = UUID().uuidString
            self.state.withLock { $0.codes[code] = Pending(redirectURI: redirect, nonce: nonce, challenge: challenge) }
            var back = URLComponents(string: redirect)!
            back.queryItems = [URLQueryItem(name: "code", value: code), URLQueryItem(name: "state", value: state)]
            return Response(status: .found, headers: [.location: back.url!.absoluteString])
        }
        router.post("/token") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let fields = Self.form(String(buffer: body))
            let expected = "Basic " + Data((Services.formEncode(Self.clientID) + ":" + Services.formEncode(Self.clientSecret)).utf8).base64EncodedString()
            guard request.headers[.authorization] == expected else { return try Self.json(["error": "invalid_client"], status: .unauthorized) }
            let pending = self.state.withLock { s -> Pending? in
                s.tokenRequests += 1
                return fields["code"].flatMap { s.codes.removeValue(forKey: $0) }
            }
            guard fields["grant_type"] == "authorization_code", let pending, fields["redirect_uri"] == pending.redirectURI,
                let verifier = fields["code_verifier"], PKCE.challenge(verifier) == pending.challenge
            else { return try Self.json(["error": "invalid_grant"], status: .badRequest) }
            let (person, tamper, issuer) = self.state.withLock { ($0.person, $0.tamper, $0.issuer) }
            let now = Date().timeIntervalSince1970
            var claims = OIDCIDTokenClaims()
            claims.iss = issuer
            claims.sub = person.sub
            claims.aud = StringOrArray([tamper == .wrongAudience ? "someone-else" : Self.clientID])
            claims.exp = tamper == .expired ? now - 3600 : now + 300
            claims.iat = tamper == .expired ? now - 3900 : now
            claims.nonce = tamper == .wrongNonce ? "not-the-nonce" : pending.nonce
            claims.email = person.email
            claims.emailVerified = tamper != .emailUnverified
            claims.name = person.name
            if let school = person.school { claims.strings["school"] = school }
            var token = try await (tamper == .unknownKid ? self.stranger : self.ring).sign(claims)
            if tamper == .noKid {
                // Signed by the published key, with no `kid` in the header (as oidc-provider-mock signs).
                let keys = JWTKeyCollection()
                await keys.add(rsa: try Insecure.RSA.PrivateKey(pem: self.ring.active.privateKeyPEM), digestAlgorithm: .sha256)
                var header = JWTHeader()
                header.typ = "JWT"
                header.alg = "RS256"
                token = try await keys.sign(claims, header: header)
            }
            if tamper == .badSignature {
                // The header and signature of the real token around other claims.
                var forged = claims
                forged.email = "admin@truong.edu.vn"
                let parts = token.split(separator: ".").map(String.init)
                token = parts[0] + "." + (try JSONEncoder().encode(forged)).base64URLEncodedString() + "." + parts[2]
            }
            return try Self.json(["access_token": "opaque", "token_type": "Bearer", "expires_in": 300, "id_token": token])
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }
}

@Suite("OpenID Connect sign-in")
struct OIDCTests {
    /// What one pass through the flow gave: the callback's answer and, when signed in, the session cookie.
    struct Outcome {
        var status: HTTPResponse.Status
        var location: String?
        var body: String
        var session: String?
        var csrf: String?
    }

    static func cookie(_ name: String, in headers: HTTPFields) -> String? {
        for field in headers[values: .setCookie] {
            let first = field.split(separator: ";").first.map(String.init) ?? ""
            if first.hasPrefix(name + "=") { return String(first.dropFirst(name.count + 1)) }
        }
        return nil
    }

    /// Login redirect → the provider's authorization endpoint → the callback, as a browser would (the state cookie
    /// goes back with the callback). `stateCookie` overrides the cookie the login set.
    static func signIn(
        _ client: some TestClientProtocol, _ provider: some TestClientProtocol, stateCookie: String? = nil
    ) async throws -> Outcome {
        let (location, state) = try await client.execute(uri: "/auth/oidc/login", method: .get) { response in
            #expect(response.status == .found)
            return (response.headers[.location] ?? "", cookie("hoclieu_oidc_state", in: response.headers))
        }
        let authorize = try #require(URLComponents(string: location))
        let items = authorize.queryItems ?? []
        #expect(items.contains(URLQueryItem(name: "response_type", value: "code")))
        #expect(items.contains(URLQueryItem(name: "code_challenge_method", value: "S256")))
        #expect(items.contains(URLQueryItem(name: "scope", value: "openid email profile")))
        let back = try await provider.execute(uri: authorize.path + "?" + (authorize.percentEncodedQuery ?? ""), method: .get) { response in
            #expect(response.status == .found)
            return response.headers[.location] ?? ""
        }
        let callback = try #require(URLComponents(string: back))
        #expect(callback.path == "/auth/oidc/callback")
        var headers: HTTPFields = [:]
        if let value = stateCookie ?? state { headers[.cookie] = "\("hoclieu_oidc_state")=\(value)" }
        return try await client.execute(uri: "/auth/oidc/callback?" + (callback.percentEncodedQuery ?? ""), method: .get, headers: headers) { response in
            Outcome(
                status: response.status, location: response.headers[.location], body: String(buffer: response.body),
                session: cookie(WebSession.cookie, in: response.headers).flatMap { $0.isEmpty ? nil : $0 },
                csrf: cookie(WebSession.csrfCookie, in: response.headers))
        }
    }

    static func me(_ client: some TestClientProtocol, session: String) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await client.execute(uri: "/api/v1/me", method: .get, headers: [.cookie: "\(WebSession.cookie)=\(session)"]) { response in
            (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
        }
    }

    /// The provider, then Hoclieu configured for it, then `body`.
    static func withProvider(
        allowedDomains: [String] = ["truong.edu.vn"],
        _ body: @Sendable (StandInOIDCProvider, TestRepository, any TestClientProtocol, any TestClientProtocol) async throws -> Void
    ) async throws {
        let provider = try await StandInOIDCProvider()
        try await provider.application.test(.live) { providerClient in
            let port = try #require(providerClient.port)
            provider.state.withLock { $0.issuer = "http://127.0.0.1:\(port)" }
            let t = try await TestRepository(
                oidc: OIDCSettings(
                    issuer: provider.issuer, clientID: StandInOIDCProvider.clientID, clientSecret: StandInOIDCProvider.clientSecret,
                    allowedDomains: allowedDomains, schoolClaim: "school"))
            defer { t.cleanup() }
            try await t.application.test(.router) { client in
                try await body(provider, t, client, providerClient)
            }
        }
    }

    @Test("the whole flow over HTTP: a new teacher of an allowed domain is provisioned, signed in by cookie, audited; the link is reused")
    func fullFlow() async throws {
        try await Self.withProvider { provider, t, client, providerClient in
            let methods = try await client.json(.get, "/api/v1/auth/methods")
            #expect(methods.body["oidc"] as? Bool == true)

            let first = try await Self.signIn(client, providerClient)
            #expect(first.status == .found, "\(first.body)")
            #expect(first.location == "/")
            let session = try #require(first.session)
            #expect(first.csrf?.isEmpty == false)
            let (status, me) = try await Self.me(client, session: session)
            #expect(status == .ok)
            #expect(me["username"] as? String == "lan@truong.edu.vn")
            #expect(me["email"] as? String == "lan@truong.edu.vn")
            #expect(me["roles"] as? [String] == ["teacher"])
            #expect(me["school"] as? String == "THCS Lê Lợi")
            #expect(me["displayName"] as? String == "Nguyễn Thị Lan")
            let id = try #require(me["id"] as? Int)

            // A password never signs this account in.
            let password = try await client.json(.post, "/api/v1/auth/login", body: #"{"username":"lan@truong.edu.vn","password":"!oidc"}"#)
            #expect(password.status == .unauthorized)

            // Signing in again finds the same account through its link, even with a changed address.
            provider.set(.init(sub: "lan-1", email: "lan.nguyen@truong.edu.vn"))
            let second = try await Self.signIn(client, providerClient)
            let (_, again) = try await Self.me(client, session: try #require(second.session))
            #expect(again["id"] as? Int == id)

            let audit = try await t.repository.store.auditEvents(AuditQuery(limit: 50, action: "auth.login")).filter { $0.details["method"] == "oidc" }
            #expect(audit.count == 2)
            #expect(audit.allSatisfy { $0.subject == "user:\(id)" })
        }
    }

    @Test("a token without kid verifies against a key set of one key (as oidc-provider-mock signs)")
    func tokenWithoutKeyID() async throws {
        try await Self.withProvider { provider, _, client, providerClient in
            provider.set(.init(sub: "nokid-1", email: "nokid@truong.edu.vn"), tamper: .noKid)
            let outcome = try await Self.signIn(client, providerClient)
            #expect(outcome.status == .found, "\(outcome.body)")
            let (status, me) = try await Self.me(client, session: try #require(outcome.session))
            #expect(status == .ok)
            #expect(me["email"] as? String == "nokid@truong.edu.vn")
        }
    }

    @Test("an account with the e-mail recorded by an administrator is found and linked; a disabled one is refused")
    func existingAccountByEmail() async throws {
        try await Self.withProvider(allowedDomains: []) { provider, t, client, providerClient in
            let admin = try await client.login("admin", TestRepository.adminPassword)
            let created = try await client.json(
                .post, "/api/v1/users", token: admin,
                body: #"{"username":"gv.binh","password":"password-binh","roles":["reviewer"],"email":"Binh@So.Edu.vn"}"#)
            #expect(created.status == .created)
            let id = try #require(created.body["id"] as? Int)
            provider.set(.init(sub: "binh-google", email: "binh@so.edu.vn", school: nil))
            let outcome = try await Self.signIn(client, providerClient)
            let (_, me) = try await Self.me(client, session: try #require(outcome.session, "\(outcome.body)"))
            #expect(me["id"] as? Int == id)
            #expect(me["roles"] as? [String] == ["reviewer"])

            // Disabled: refused, through the link as well as by address.
            #expect(try await client.json(.post, "/api/v1/users/\(id)/disable", token: admin).status == .ok)
            let refused = try await Self.signIn(client, providerClient)
            #expect(refused.status == .forbidden)
            #expect(refused.session == nil)
            #expect(refused.body.contains("oidc-account-disabled"))
            #expect(refused.body.contains("Tài khoản đã bị khoá.") && refused.body.contains("The account is disabled."))
        }
    }

    @Test(
        "refusals: each is a bilingual page with its code and no session",
        arguments: [StandInOIDCProvider.Tamper.wrongNonce, .wrongAudience, .expired, .unknownKid, .badSignature, .emailUnverified])
    func refusals(tamper: StandInOIDCProvider.Tamper) async throws {
        let (status, code): (HTTPResponse.Status, String) =
            switch tamper {
            case .unknownKid: (.unauthorized, "oidc-unknown-kid")
            case .badSignature: (.unauthorized, "oidc-bad-signature")
            case .emailUnverified: (.forbidden, "oidc-email-not-verified")
            default: (.unauthorized, "oidc-bad-claim")
            }
        try await Self.withProvider { provider, t, client, providerClient in
            provider.set(.init(sub: "x-\(code)", email: "x@truong.edu.vn"), tamper: tamper)
            let outcome = try await Self.signIn(client, providerClient)
            #expect(outcome.status == status, "\(tamper): \(outcome.body)")
            #expect(outcome.session == nil)
            #expect(outcome.body.contains(code), "\(tamper)")
            #expect(outcome.body.contains("Không đăng nhập được") && outcome.body.contains("Sign-in failed"))
            // Nothing was provisioned, and the failure is in the audit log.
            #expect(try await t.repository.store.user(email: "x@truong.edu.vn") == nil)
            let failed = try await t.repository.store.auditEvents(AuditQuery(limit: 10, action: "auth.login.failed"))
            #expect(failed.contains { $0.details["method"] == "oidc" && $0.details["reason"] == code })
        }
    }

    @Test("refusals before the token: a state not bound to this browser, a replayed callback, a domain not allowed")
    func stateAndDomain() async throws {
        try await Self.withProvider { provider, t, client, providerClient in
            let wrongState = try await Self.signIn(client, providerClient, stateCookie: "another-browsers-state")
            #expect(wrongState.status == .unauthorized)
            #expect(wrongState.body.contains("oidc-state"))
            #expect(wrongState.session == nil)
            // The provider never saw a token request for it.
            #expect(provider.state.withLock { $0.tokenRequests } == 0)

            provider.set(.init(sub: "out-1", email: "someone@gmail.com"))
            let outsider = try await Self.signIn(client, providerClient)
            #expect(outsider.status == .forbidden)
            #expect(outsider.body.contains("oidc-domain-not-allowed"))
            #expect(outsider.session == nil)
            #expect(try await t.repository.store.user(email: "someone@gmail.com") == nil)

            // A callback replayed with its own cookie: the state was used up.
            provider.set(.init(sub: "lan-1", email: "lan@truong.edu.vn"))
            let (location, state) = try await client.execute(uri: "/auth/oidc/login", method: .get) { response in
                (response.headers[.location] ?? "", Self.cookie("hoclieu_oidc_state", in: response.headers) ?? "")
            }
            let authorize = try #require(URLComponents(string: location))
            let back = try await providerClient.execute(uri: authorize.path + "?" + (authorize.percentEncodedQuery ?? ""), method: .get) {
                $0.headers[.location] ?? ""
            }
            let query = try #require(URLComponents(string: back)?.percentEncodedQuery)
            let headers: HTTPFields = [.cookie: "\("hoclieu_oidc_state")=\(state)"]
            let ok = try await client.execute(uri: "/auth/oidc/callback?" + query, method: .get, headers: headers) { $0.status }
            #expect(ok == .found)
            let replay = try await client.execute(uri: "/auth/oidc/callback?" + query, method: .get, headers: headers) { $0.status }
            #expect(replay == .unauthorized)
        }
    }

    @Test("without configuration: the methods say so and the routes are a clear 404 page")
    func notConfigured() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.application.test(.router) { client in
            let methods = try await client.json(.get, "/api/v1/auth/methods")
            #expect(methods.body["oidc"] as? Bool == false)
            let page = try await client.execute(uri: "/auth/oidc/login", method: .get) { ($0.status, String(buffer: $0.body)) }
            #expect(page.0 == .notFound)
            #expect(page.1.contains("oidc-not-configured"))
        }
    }

    @Test("configuration: partial or wrong OIDC variables are all reported")
    func configurationProblems() {
        #expect(OIDCSettings.from(environment: [:]) == nil)
        let partial = OIDCSettings.from(environment: ["HOCLIEU_OIDC_ISSUER": "https://accounts.google.com", "HOCLIEU_OIDC_DEFAULT_ROLE": "admin"])
        let problems = partial?.problems() ?? []
        #expect(problems.count == 3, "\(problems)")
        let good = OIDCSettings.from(environment: [
            "HOCLIEU_OIDC_ISSUER": "https://accounts.google.com", "HOCLIEU_OIDC_CLIENT_ID": "id", "HOCLIEU_OIDC_CLIENT_SECRET": "s",
            "HOCLIEU_OIDC_ALLOWED_DOMAINS": "So.Edu.vn, truong.edu.vn",
        ])
        #expect(good?.problems() == [])
        #expect(good?.allowedDomains == ["so.edu.vn", "truong.edu.vn"])
        #expect(good?.defaultRole == .teacher)
    }
}
