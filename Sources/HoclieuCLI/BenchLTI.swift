import ArgumentParser
import Foundation
import HoclieuApp
import HoclieuCore
import HoclieuStorage
import JWTKit
import LTI

/// `hoclieu bench lti`: the LTI tool's server-side costs, in process (no HTTP).
///
/// A platform key pair is generated and its key set served from memory, so the platform's JWKS is
/// cached as in a running service after its first launch. Measured: verification of a launch
/// `id_token` (signature and every claim rule, replay check in memory) one at a time for the
/// latency percentiles; the same with as many concurrent tasks as there are cores for launches per
/// second; the launch with the store work of `Services.ltiLaunch` (the login's state taken from the
/// store, the nonce recorded there, then verification); and signing of deep-linking responses.
struct BenchLTI: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "lti", abstract: "LTI launch verification and deep-linking signing benchmark.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Launch tokens to verify.") var launches = 4000
    @Option(help: "Deep-linking responses to sign.") var responses = 2000

    struct Report: Encodable, CustomStringConvertible {
        var launches: Int
        var verifyP50ms: Double
        var verifyP95ms: Double
        var verifyP99ms: Double
        var launchesPerSecond: Double
        var concurrency: Int
        var fullLaunchP95ms: Double
        var fullLaunchesPerSecond: Double
        var deepLinkingResponses: Int
        var deepLinkingSignedPerSecond: Double
        /// The same signing one response at a time (one request in flight), for comparison.
        var deepLinkingSequentialPerSecond: Double
        var description: String {
            """
            launch verification    \(launches) tokens, p50/p95/p99 \(String(format: "%.3f / %.3f / %.3f", verifyP50ms, verifyP95ms, verifyP99ms)) ms
            launches/s             \(Int(launchesPerSecond)) (\(concurrency) concurrent tasks, JWKS cached, nonces in memory)
            full launch (store)    p95 \(String(format: "%.3f", fullLaunchP95ms)) ms, \(Int(fullLaunchesPerSecond))/s sequential (state and nonce in SQLite)
            deep-linking signing   \(Int(deepLinkingSignedPerSecond))/s (\(deepLinkingResponses) responses, RS256 2048-bit, \(concurrency) concurrent tasks); \(Int(deepLinkingSequentialPerSecond))/s one at a time
            """
        }
    }

    /// Serves the platform's key set from memory.
    struct MemoryTransport: LTIHTTPTransport {
        let jwks: Data
        func get(_ url: URL, maxBytes: Int) async throws -> Data { jwks }
        func post(_ url: URL, headers: [(String, String)], body: Data, maxBytes: Int) async throws -> (status: Int, body: Data) { (404, Data()) }
    }

    /// The claims a platform signs.
    struct PlatformClaims: JWTPayload {
        var iss: String
        var aud: String
        var sub = "learner-1"
        var iat: Int
        var exp: Int
        var nonce: String
        var messageType = "LtiResourceLinkRequest"
        var version = "1.3.0"
        var deploymentID = "dep-1"
        var targetLinkURI: String
        var resourceLink = ["id": "rl-1"]
        var roles = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
        var custom: [String: String]
        enum CodingKeys: String, CodingKey {
            case iss, aud, sub, iat, exp, nonce
            case messageType = "https://purl.imsglobal.org/spec/lti/claim/message_type"
            case version = "https://purl.imsglobal.org/spec/lti/claim/version"
            case deploymentID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
            case targetLinkURI = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
            case resourceLink = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
            case roles = "https://purl.imsglobal.org/spec/lti/claim/roles"
            case custom = "https://purl.imsglobal.org/spec/lti/claim/custom"
        }
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    func execute() async throws -> Report {
        try? FileManager.default.removeItem(at: common.dataURL)
        let repository = try common.openRepository()
        let platformKey = try await ToolKeyRing(keys: [try ToolKey.generate()])
        let jwksURL = URL(string: "https://lms.bench.example/jwks")!
        let registration = try await repository.addLTIPlatform(
            LTIPlatform(
                issuer: "https://lms.bench.example", clientID: "bench", deploymentIDs: ["dep-1"], authURL: URL(string: "https://lms.bench.example/auth")!,
                tokenURL: URL(string: "https://lms.bench.example/token")!, jwksURL: jwksURL), by: .localOperator)
        let cache = PlatformKeyCache(transport: MemoryTransport(jwks: platformKey.jwksJSON))
        let verifier = LaunchVerifier(toolURL: repository.ltiToolURL)
        let nonces = MemoryNonceStore()

        func token(_ nonce: String) async throws -> String {
            let t = Int(Date().timeIntervalSince1970)
            return try await platformKey.sign(
                PlatformClaims(
                    iss: registration.issuer, aud: registration.clientID, iat: t, exp: t + 3600, nonce: nonce, targetLinkURI: repository.ltiLaunchURL,
                    custom: [LinkParameter.pid: "79-760-0000017"]))
        }
        // Tokens are signed before timing (signing is the platform's cost, not the tool's).
        var tokens: [(String, String)] = []
        for i in 0..<launches {
            let nonce = "n-\(i)"
            tokens.append((nonce, try await token(nonce)))
        }
        let platforms: @Sendable (String, [String]) async throws -> LTIPlatform? = { _, _ in registration }
        // Warm the key cache.
        _ = try await verifier.verify(try await token("warm"), expectedNonce: "warm", platforms: platforms, keys: cache, nonces: nonces)

        let half = launches / 2
        var latencies: [Double] = []
        for (nonce, jws) in tokens[..<half] {
            let start = ContinuousClock.now
            _ = try await verifier.verify(jws, expectedNonce: nonce, platforms: platforms, keys: cache, nonces: nonces)
            latencies.append((ContinuousClock.now - start).seconds * 1000)
        }
        latencies.sort()
        func percentile(_ p: Double, _ values: [Double]) -> Double { values.isEmpty ? 0 : values[min(values.count - 1, Int(Double(values.count) * p))] }

        let concurrency = max(ProcessInfo.processInfo.activeProcessorCount, 1)
        let rest = Array(tokens[half...])
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<concurrency {
                group.addTask {
                    for index in stride(from: lane, to: rest.count, by: concurrency) {
                        let (nonce, jws) = rest[index]
                        _ = try await verifier.verify(jws, expectedNonce: nonce, platforms: platforms, keys: cache, nonces: nonces)
                    }
                }
            }
            try await group.waitForAll()
        }
        let parallelSeconds = (ContinuousClock.now - start).seconds

        // The full launch use case with the store, on a few hundred launches.
        let full = min(500, launches)
        var fullTokens: [(state: String, token: String)] = []
        for i in 0..<full {
            let state = "bench-state-\(i)"
            let nonce = "full-\(i)"
            try await repository.store.saveLTILogin(state: state, nonce: nonce, platformID: registration.id, expiresAt: Date().addingTimeInterval(3600))
            fullTokens.append((state, try await token(nonce)))
        }
        // What `Services.ltiLaunch` adds to verification: the login's state taken from the store and the nonce
        // recorded there (the key set stays the in-memory one: the service's comes over HTTP once, then from cache).
        var fullLatencies: [Double] = []
        let fullStart = ContinuousClock.now
        for (state, jws) in fullTokens {
            let t0 = ContinuousClock.now
            guard let login = try await repository.store.takeLTILogin(state: state, now: Date()) else { throw ValidationError("state lost") }
            guard await repository.store.consumeNonceForBench(login.nonce) else { throw ValidationError("nonce replayed") }
            _ = try await verifier.verify(jws, expectedNonce: login.nonce, platforms: platforms, keys: cache, nonces: nonces)
            fullLatencies.append((ContinuousClock.now - t0).seconds * 1000)
        }
        let fullSeconds = (ContinuousClock.now - fullStart).seconds
        fullLatencies.sort()

        // Deep-linking responses signed with the tool's key.
        let ring = try await repository.ltiKeyRing()
        var claims = LaunchClaims()
        claims.deploymentID = "dep-1"
        let launch = VerifiedLaunch(platform: registration, claims: claims, messageType: .deepLinkingRequest)
        let item = ResourceLinkItem(
            title: "Phân số", text: "Bài học", url: repository.ltiLaunchURL,
            custom: [LinkParameter.pid: "79-760-0000017", LinkParameter.versionPolicy: VersionPolicy.latest.rawValue])
        let sequentialStart = ContinuousClock.now
        for _ in 0..<responses / 2 { _ = try await ring.sign(DeepLinkingResponse(answering: launch, items: [item])) }
        let sequentialSeconds = (ContinuousClock.now - sequentialStart).seconds
        // As the service signs them: concurrent requests, one task per core (the ring has one signer per core).
        let signStart = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    for _ in stride(from: worker, to: responses, by: concurrency) { _ = try await ring.sign(DeepLinkingResponse(answering: launch, items: [item])) }
                }
            }
            try await group.waitForAll()
        }
        let signSeconds = (ContinuousClock.now - signStart).seconds

        return Report(
            launches: launches, verifyP50ms: percentile(0.5, latencies), verifyP95ms: percentile(0.95, latencies), verifyP99ms: percentile(0.99, latencies),
            launchesPerSecond: Double(rest.count) / parallelSeconds, concurrency: concurrency, fullLaunchP95ms: percentile(0.95, fullLatencies),
            fullLaunchesPerSecond: Double(full) / fullSeconds, deepLinkingResponses: responses, deepLinkingSignedPerSecond: Double(responses) / signSeconds,
            deepLinkingSequentialPerSecond: Double(responses / 2) / sequentialSeconds)
    }
}

extension LTIStore {
    /// The store's replay check, as the launch use case calls it.
    func consumeNonceForBench(_ nonce: String) async -> Bool {
        (try? await consumeLTINonce(nonce, expiresAt: Date().addingTimeInterval(3600), now: Date())) ?? false
    }
}
