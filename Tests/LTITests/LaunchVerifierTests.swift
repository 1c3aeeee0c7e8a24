import HoclieuCore
import Foundation
import JWTKit
import Testing

@testable import LTI

/// A transport that serves fixed documents and records what was asked.
final class StubTransport: LTIHTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var documents: [URL: Data]
    private(set) var gets = 0
    init(_ documents: [URL: Data]) { self.documents = documents }
    func set(_ url: URL, _ data: Data) { lock.withLock { documents[url] = data } }
    func get(_ url: URL, maxBytes: Int) async throws -> Data {
        try lock.withLock {
            gets += 1
            guard let d = documents[url] else { throw AGSFailure("404") }
            guard d.count <= maxBytes else { throw AGSFailure("too large") }
            return d
        }
    }
    func post(_ url: URL, headers: [(String, String)], body: Data, maxBytes: Int) async throws -> (status: Int, body: Data) {
        (404, Data())
    }
}

/// The claims a platform signs, as a plain dictionary so tests can leave any out.
struct RawClaims: JWTPayload {
    var values: [String: JSONValue]
    func encode(to encoder: any Encoder) throws { try values.encode(to: encoder) }
    init(_ values: [String: JSONValue]) { self.values = values }
    init(from decoder: any Decoder) throws { values = try [String: JSONValue](from: decoder) }
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

enum JSONValue: Codable, Sendable {
    case string(String), number(Double), array([JSONValue]), object([String: JSONValue])
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .number(let n): try c.encode(n)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { self = .string(s) } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let a = try? c.decode([JSONValue].self) { self = .array(a) } else { self = .object(try c.decode([String: JSONValue].self)) }
    }
}

struct Fixture {
    static let issuer = "https://lms.example.edu"
    static let clientID = "hoclieu-client"
    static let jwksURL = URL(string: "https://lms.example.edu/jwks")!
    let platformKey: ToolKey
    let platformRing: ToolKeyRing
    let transport: StubTransport
    let cache: PlatformKeyCache
    let registration = LTIPlatform(
        id: 1, issuer: issuer, clientID: clientID, deploymentIDs: ["dep-1"], authURL: URL(string: "https://lms.example.edu/auth")!,
        tokenURL: URL(string: "https://lms.example.edu/token")!, jwksURL: jwksURL)
    let verifier = LaunchVerifier(toolURL: URL(string: "http://127.0.0.1:8080")!)
    let nonces = MemoryNonceStore()

    init() async throws {
        platformKey = try ToolKey.generate()
        platformRing = try await ToolKeyRing(keys: [platformKey])
        transport = StubTransport([Self.jwksURL: platformRing.jwksJSON])
        cache = PlatformKeyCache(transport: transport)
    }

    func claims(nonce: String = "n-1", now: Date = Date()) -> [String: JSONValue] {
        let t = now.timeIntervalSince1970
        return [
            "iss": .string(Self.issuer), "aud": .string(Self.clientID), "sub": .string("learner-7"),
            "iat": .number(t), "exp": .number(t + 300), "nonce": .string(nonce),
            LTIClaim.messageType: .string("LtiResourceLinkRequest"), LTIClaim.version: .string("1.3.0"),
            LTIClaim.deploymentID: .string("dep-1"), LTIClaim.targetLinkURI: .string("http://127.0.0.1:8080/lti/launch"),
            LTIClaim.resourceLink: .object(["id": .string("rl-1")]),
            LTIClaim.roles: .array([.string("http://purl.imsglobal.org/vocab/lis/v2/membership#Learner")]),
        ]
    }

    func sign(_ claims: [String: JSONValue], with ring: ToolKeyRing? = nil) async throws -> String {
        try await (ring ?? platformRing).sign(RawClaims(claims))
    }

    func verify(_ token: String, nonce: String = "n-1") async throws -> VerifiedLaunch {
        let registration = self.registration
        return try await verifier.verify(
            token, expectedNonce: nonce,
            platforms: { iss, _ in iss == registration.issuer ? registration : nil }, keys: cache, nonces: nonces)
    }
}

func expectRejection(_ expected: LTIError, _ body: () async throws -> VerifiedLaunch) async {
    do {
        _ = try await body()
        Issue.record("accepted a token that should fail with \(expected)")
    } catch let error as LTIError {
        #expect(error == expected)
    } catch {
        Issue.record("unexpected error \(error)")
    }
}

@Suite("LTI launch verification")
struct LaunchVerifierTests {
    @Test func acceptsAGoodLaunch() async throws {
        let f = try await Fixture()
        let launch = try await f.verify(try await f.sign(f.claims()))
        #expect(launch.messageType == .resourceLink)
        #expect(launch.claims.sub == "learner-7")
        #expect(launch.claims.resourceLink?.id == "rl-1")
        #expect(!launch.claims.isInstructor)
    }

    @Test func rejectsABadSignature() async throws {
        let f = try await Fixture()
        let token = try await f.sign(f.claims())
        var parts = token.split(separator: ".").map(String.init)
        // Change the payload (another subject) and keep the original signature.
        var c = f.claims()
        c["sub"] = .string("admin")
        parts[1] = try JSONEncoder().encode(RawClaims(c)).base64URLEncodedString()
        await expectRejection(.badSignature) { try await f.verify(parts.joined(separator: ".")) }
        // Signed by another key that claims the platform's kid.
        let forged = try await ToolKeyRing(keys: [ToolKey(kid: f.platformKey.kid, privateKeyPEM: try ToolKey.generate().privateKeyPEM, createdAt: Date())])
        await expectRejection(.badSignature) { try await f.verify(try await f.sign(f.claims(), with: forged)) }
    }

    @Test func rejectsAnUnknownKidAfterOneRefetch() async throws {
        let f = try await Fixture()
        _ = try await f.verify(try await f.sign(f.claims(nonce: "a"), with: nil), nonce: "a")
        let before = await f.cache.fetchCount
        let stranger = try await ToolKeyRing(keys: [try ToolKey.generate()])
        await expectRejection(.unknownKeyID(stranger.active.kid)) { try await f.verify(try await f.sign(f.claims(), with: stranger)) }
        // The cache was filled less than refetchInterval ago: no refetch for a made-up kid.
        #expect(await f.cache.fetchCount == before)
    }

    @Test func refetchesOnceWhenThePlatformRotated() async throws {
        let f = try await Fixture()
        let cache = PlatformKeyCache(transport: f.transport, refetchInterval: 0)
        let reg = f.registration
        _ = try await f.verifier.verify(
            try await f.sign(f.claims(nonce: "a")), expectedNonce: "a", platforms: { _, _ in reg }, keys: cache, nonces: f.nonces)
        let rotated = try await ToolKeyRing(keys: [try ToolKey.generate()])
        f.transport.set(Fixture.jwksURL, rotated.jwksJSON)
        let launch = try await f.verifier.verify(
            try await f.sign(f.claims(nonce: "b"), with: rotated), expectedNonce: "b", platforms: { _, _ in reg }, keys: cache, nonces: f.nonces)
        #expect(launch.claims.nonce == "b")
        #expect(await cache.fetchCount == 2)
    }

    @Test func rejectsAWrongAudience() async throws {
        let f = try await Fixture()
        var c = f.claims()
        c["aud"] = .string("someone-else")
        await expectRejection(.wrongAudience) { try await f.verify(try await f.sign(c)) }
        c["aud"] = .array([.string(Fixture.clientID), .string("other")])
        await expectRejection(.wrongAuthorizedParty) { try await f.verify(try await f.sign(c)) }
        c["azp"] = .string(Fixture.clientID)
        _ = try await f.verify(try await f.sign(c))
    }

    @Test func rejectsAnExpiredToken() async throws {
        let f = try await Fixture()
        var c = f.claims(now: Date().addingTimeInterval(-1000))
        c["iat"] = .number(Date().timeIntervalSince1970 - 1000)
        await expectRejection(.expired) { try await f.verify(try await f.sign(c)) }
    }

    @Test func rejectsIssuedAtInTheFuture() async throws {
        let f = try await Fixture()
        var c = f.claims()
        c["iat"] = .number(Date().timeIntervalSince1970 + 600)
        await expectRejection(.issuedAtOutOfRange) { try await f.verify(try await f.sign(c)) }
    }

    @Test func rejectsAReplayedNonce() async throws {
        let f = try await Fixture()
        let token = try await f.sign(f.claims())
        _ = try await f.verify(token)
        await expectRejection(.nonceReplayed) { try await f.verify(token) }
        // A nonce that is not the one issued for this browser's state.
        await expectRejection(.nonceReplayed) { try await f.verify(try await f.sign(f.claims(nonce: "other")), nonce: "n-2") }
    }

    @Test func rejectsAMissingOrUnknownDeployment() async throws {
        let f = try await Fixture()
        var c = f.claims()
        c[LTIClaim.deploymentID] = nil
        await expectRejection(.missingClaim("deployment_id")) { try await f.verify(try await f.sign(c)) }
        c[LTIClaim.deploymentID] = .string("dep-9")
        await expectRejection(.unknownDeployment("dep-9")) { try await f.verify(try await f.sign(c)) }
    }

    @Test func rejectsAForeignTargetLink() async throws {
        let f = try await Fixture()
        var c = f.claims()
        c[LTIClaim.targetLinkURI] = .string("https://evil.example/lti/launch")
        await expectRejection(.foreignTargetLink("https://evil.example/lti/launch")) { try await f.verify(try await f.sign(c)) }
        c[LTIClaim.targetLinkURI] = .string("http://127.0.0.1:9999/lti/launch")
        await expectRejection(.foreignTargetLink("http://127.0.0.1:9999/lti/launch")) { try await f.verify(try await f.sign(c)) }
    }

    @Test func rejectsMalformedAndUnsignedTokens() async throws {
        let f = try await Fixture()
        await expectRejection(.malformedToken) { try await f.verify("not.a-token") }
        let header = Data(#"{"alg":"none","kid":"x"}"#.utf8).base64URLEncodedString()
        let body = try JSONEncoder().encode(RawClaims(f.claims())).base64URLEncodedString()
        await expectRejection(.unsupportedAlgorithm("none")) { try await f.verify("\(header).\(body).") }
        let noKid = Data(#"{"alg":"RS256"}"#.utf8).base64URLEncodedString()
        await expectRejection(.missingKeyID) { try await f.verify("\(noKid).\(body).c2ln") }
    }

    @Test func rejectsAnUnknownPlatform() async throws {
        let f = try await Fixture()
        var c = f.claims()
        c["iss"] = .string("https://other.example")
        await expectRejection(.unknownPlatform(issuer: "https://other.example")) { try await f.verify(try await f.sign(c)) }
    }

    @Test func deepLinkingNeedsItsSettings() async throws {
        let f = try await Fixture()
        var c = f.claims()
        c[LTIClaim.messageType] = .string("LtiDeepLinkingRequest")
        c[LTIClaim.resourceLink] = nil
        await expectRejection(.missingClaim("deep_linking_settings")) { try await f.verify(try await f.sign(c)) }
        c[LTIClaim.deepLinkingSettings] = .object(["deep_link_return_url": .string("javascript:alert(1)")])
        await expectRejection(.missingClaim("deep_linking_settings")) { try await f.verify(try await f.sign(c)) }
        c[LTIClaim.deepLinkingSettings] = .object([
            "deep_link_return_url": .string("https://lms.example.edu/dl/return"), "accept_types": .array([.string("ltiResourceLink")]),
            "data": .string("opaque"),
        ])
        c[LTIClaim.roles] = .array([.string("http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor")])
        let launch = try await f.verify(try await f.sign(c))
        #expect(launch.messageType == .deepLinkingRequest)
        #expect(launch.claims.isInstructor)

        // The response is signed with the tool's key and carries the items and the platform's data.
        let tool = try await ToolKeyRing(keys: [try ToolKey.generate()])
        let item = ResourceLinkItem(
            title: "Phân số", text: "Bài học", url: "http://127.0.0.1:8080/lti/launch", custom: [LinkParameter.pid: "HL-1", LinkParameter.versionPolicy: "latest"])
        let jws = try await tool.sign(DeepLinkingResponse(answering: launch, items: [item]))
        let verifyCollection = JWTKeyCollection()
        try await verifyCollection.add(jwksJSON: String(decoding: tool.jwksJSON, as: UTF8.self))
        let back = try await verifyCollection.verify(jws, as: DeepLinkingResponse.self)
        #expect(back.contentItems == [item])
        #expect(back.aud == Fixture.issuer)
        #expect(back.iss == Fixture.clientID)
        #expect(back.data == "opaque")
    }

    @Test func keyRingPublishesRetiredKeysDuringGrace() async throws {
        let now = Date()
        var old = try ToolKey.generate(now: now.addingTimeInterval(-100))
        old.retiredAt = now.addingTimeInterval(-10)
        var ancient = try ToolKey.generate(now: now.addingTimeInterval(-1000))
        ancient.retiredAt = now.addingTimeInterval(-500)
        let fresh = try ToolKey.generate(now: now)
        let ring = try await ToolKeyRing(keys: [ancient, old, fresh], grace: 100, now: now)
        #expect(ring.active.kid == fresh.kid)
        #expect(Set(ring.published.map(\.kid)) == [fresh.kid, old.kid])
        let jwks = try JSONDecoder().decode(JWKS.self, from: ring.jwksJSON)
        #expect(jwks.keys.count == 2)
        #expect(String(decoding: ring.jwksJSON, as: UTF8.self).contains("\"use\":\"sig\""))
    }

    @Test func scoresURLKeepsTheQuery() {
        #expect(AGSClient.scoresURL("https://lms/li/7?type=x")?.absoluteString == "https://lms/li/7/scores?type=x")
        #expect(AGSClient.scoresURL("https://lms/li/7/")?.absoluteString == "https://lms/li/7/scores")
    }
}
