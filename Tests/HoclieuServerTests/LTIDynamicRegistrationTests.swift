import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuServer
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

/// What the platform stand-in saw of the tool's registration request.
actor RegistrationRecorder {
    var requests: [[String: Any]] = []
    var count: Int { requests.count }
    func add(_ body: [String: Any]) { requests.append(body) }
    func summary() -> (login: String?, jwks: String?, messageTypes: [String], scope: String?) {
        guard let r = requests.last else { return (nil, nil, [], nil) }
        let tool = r["https://purl.imsglobal.org/spec/lti-tool-configuration"] as? [String: Any]
        let messages = (tool?["messages"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
        return (r["initiate_login_uri"] as? String, r["jwks_uri"] as? String, messages, r["scope"] as? String)
    }
}

@Suite("LTI Dynamic Registration against a platform stand-in (HTTP)")
struct LTIDynamicRegistrationTests {
    /// A platform on a live loopback port: its OpenID configuration and registration endpoint, both behind the
    /// registration token; `/bad/…` publishes a configuration whose issuer is another site.
    func platformApp(recorder: RegistrationRecorder) -> some ApplicationProtocol {
        let router = Router()
        router.get("/{variant}/.well-known/openid-configuration") { request, context in
            guard request.headers[.authorization] == "Bearer reg-token-1" else { return Response(status: .unauthorized) }
            let host = request.head.authority ?? ""
            let base = "http://\(host)"
            let issuer = try context.parameters.require("variant") == "bad" ? "https://lms.other.example" : base
            let config = """
                {"issuer":"\(issuer)","authorization_endpoint":"\(base)/auth","token_endpoint":"\(base)/token","jwks_uri":"\(base)/jwks",
                "registration_endpoint":"\(base)/register","scopes_supported":["openid"],"response_types_supported":["id_token"],
                "https://purl.imsglobal.org/spec/lti-platform-configuration":{"product_family_code":"standin","version":"1.0",
                "messages_supported":[{"type":"LtiResourceLinkRequest"},{"type":"LtiDeepLinkingRequest"}]}}
                """
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: config)))
        }
        router.post("/register") { request, _ in
            guard request.headers[.authorization] == "Bearer reg-token-1", request.headers[.contentType] == "application/json" else {
                return Response(status: .unauthorized)
            }
            let body = try JSONSerialization.jsonObject(with: Data(buffer: try await request.body.collect(upTo: 64 * 1024))) as? [String: Any] ?? [:]
            await recorder.add(body)
            let answer = """
                {"client_id":"standin-client-\(await recorder.count)","token_endpoint_auth_method":"private_key_jwt",
                "https://purl.imsglobal.org/spec/lti-tool-configuration":{"deployment_id":"dep-\(await recorder.count)"}}
                """
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    func grant(_ client: some TestClientProtocol, _ admin: String, school: String) async throws -> String {
        let made = try await client.json(.post, "/api/v1/lti/registrations", token: admin, body: #"{"school":"\#(school)"}"#)
        #expect(made.status == .created)
        let url = try #require(made.body["url"] as? String)
        #expect(url.hasPrefix("http://hoclieu.test/lti/register?hoclieu_grant="))
        return try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "hoclieu_grant" }?.value)
    }

    func register(_ client: some TestClientProtocol, grant: String, config: String, token: String = "reg-token-1") async throws
        -> (HTTPResponse.Status, String)
    {
        var c = URLComponents()
        c.queryItems = [.init(name: "hoclieu_grant", value: grant), .init(name: "openid_configuration", value: config), .init(name: "registration_token", value: token)]
        let query = c.percentEncodedQuery!.replacingOccurrences(of: "+", with: "%2B")
        return try await client.execute(uri: "/lti/register?" + query, method: .get) { ($0.status, String(buffer: $0.body)) }
    }

    @Test("An administrator's one-time URL registers a platform: configuration read, registration posted with the token, platform stored for the school, close message sent; reuse, a forged grant and a foreign issuer are refused")
    func dynamicRegistration() async throws {
        let t = try await TestRepository(publicBaseURL: "http://hoclieu.test")
        defer { t.cleanup() }
        let recorder = RegistrationRecorder()
        try await platformApp(recorder: recorder).test(.live) { platform in
            let base = "http://127.0.0.1:\(try #require(platform.port))"
            try await t.application.test(.router) { client in
                let admin = try await client.login("admin", TestRepository.adminPassword)
                // Given a one-time URL for THCS A
                let grant = try await grant(client, admin, school: "THCS A")

                // When the LMS opens it with its configuration and token
                let (status, page) = try await register(client, grant: grant, config: base + "/good/.well-known/openid-configuration")

                // Then the platform is stored, and the page tells the LMS to close the window
                #expect(status == .ok, "\(page.prefix(400))")
                #expect(page.contains("postMessage({subject: 'org.imsglobal.lti.close'}, '*')"))
                let sent = await recorder.summary()
                #expect(sent.login == "http://hoclieu.test/lti/login" && sent.jwks == "http://hoclieu.test/lti/jwks")
                #expect(sent.messageTypes.contains("LtiDeepLinkingRequest") && sent.scope?.contains("lti-ags/scope/score") == true)
                let listed = try await client.execute(uri: "/api/v1/lti/platforms", method: .get, headers: [.authorization: "Bearer \(admin)"]) {
                    (try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [[String: Any]]) ?? []
                }
                let stored = try #require(listed.first { $0["clientId"] as? String == "standin-client-1" })
                #expect(stored["issuer"] as? String == base && stored["school"] as? String == "THCS A")
                #expect(stored["deploymentIds"] as? [String] == ["dep-1"] && stored["tokenUrl"] as? String == base + "/token")

                // The same URL a second time is refused, with nothing registered
                let again = try await register(client, grant: grant, config: base + "/good/.well-known/openid-configuration")
                #expect(again.0 == .forbidden && again.1.contains("lti-registration-used"))
                // A changed grant is refused before any request to the platform
                let forged = try await register(client, grant: String(grant.dropLast(3)) + "abc", config: base + "/good/.well-known/openid-configuration")
                #expect(forged.0 == .forbidden && forged.1.contains("lti-registration-grant"))
                // A configuration whose issuer is another site is refused
                let foreign = try await register(client, grant: try await self.grant(client, admin, school: "THCS B"), config: base + "/bad/.well-known/openid-configuration")
                #expect(foreign.0 == .badRequest && foreign.1.contains("lti-registration-failed"))
                // A wrong registration token: the platform refuses the configuration
                let wrongToken = try await register(
                    client, grant: try await self.grant(client, admin, school: "THCS B"), config: base + "/good/.well-known/openid-configuration", token: "nope")
                #expect(wrongToken.0 == .badRequest)
                #expect(await recorder.count == 1)
                // Teachers cannot make registration URLs
                try await t.addUser("giao.vien", roles: [.teacher])
                let teacher = try await client.login("giao.vien", "password-giao.vien")
                #expect(try await client.json(.post, "/api/v1/lti/registrations", token: teacher, body: "{}").status == .forbidden)
            }
        }
    }
}
