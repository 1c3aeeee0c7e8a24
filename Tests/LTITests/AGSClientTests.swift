import HoclieuCore
import Foundation
import Testing

@testable import LTI

/// A platform's token and score endpoints that fail a given number of times first.
final class FlakyPlatform: LTIHTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var failuresLeft: Int
    private let failureStatus: Int
    private(set) var tokenRequests = 0
    private(set) var scoreAttempts = 0
    private(set) var scorePosts: [(URL, [String: String], Data)] = []

    init(failures: Int, status: Int = 503) {
        failuresLeft = failures
        failureStatus = status
    }

    func get(_ url: URL, maxBytes: Int) async throws -> Data { Data() }

    func post(_ url: URL, headers: [(String, String)], body: Data, maxBytes: Int) async throws -> (status: Int, body: Data) {
        lock.withLock {
            if url.path == "/token" {
                tokenRequests += 1
                let form = String(decoding: body, as: UTF8.self)
                guard form.contains("grant_type=client_credentials"), form.contains("client_assertion=") else { return (400, Data()) }
                return (200, Data(#"{"access_token":"tok","expires_in":3600,"token_type":"bearer"}"#.utf8))
            }
            scoreAttempts += 1
            if failuresLeft > 0 {
                failuresLeft -= 1
                return (failureStatus, Data("down".utf8))
            }
            scorePosts.append((url, Dictionary(headers, uniquingKeysWith: { $1 }), body))
            return (200, Data())
        }
    }
}

@Suite("AGS score posts")
struct AGSClientTests {
    static let platform = LTIPlatform(
        id: 1, issuer: "https://lms.example", clientID: "tool", deploymentIDs: ["d"], authURL: URL(string: "https://lms.example/auth")!,
        tokenURL: URL(string: "https://lms.example/token")!, jwksURL: URL(string: "https://lms.example/jwks")!)

    func client(_ transport: FlakyPlatform) async throws -> AGSClient {
        let ring = try await ToolKeyRing(keys: [try ToolKey.generate()])
        return AGSClient(transport: transport, keys: { ring }, attempts: 4, baseDelay: .milliseconds(1))
    }

    @Test func retriesTransientFailuresThenPosts() async throws {
        let platform = FlakyPlatform(failures: 2)
        let attempts = try await client(platform).post(
            AGSScore(userID: "u1", scoreGiven: 7, scoreMaximum: 10), lineItem: "https://lms.example/lineitems/7?x=1", platform: Self.platform)
        #expect(attempts == 3)
        #expect(platform.tokenRequests == 1)
        let (url, headers, body) = try #require(platform.scorePosts.first)
        #expect(url.absoluteString == "https://lms.example/lineitems/7/scores?x=1")
        #expect(headers["Content-Type"] == "application/vnd.ims.lis.v1.score+json")
        #expect(headers["Authorization"] == "Bearer tok")
        let score = try JSONDecoder().decode(AGSScore.self, from: body)
        #expect(score.scoreGiven == 7 && score.scoreMaximum == 10 && score.userId == "u1" && score.activityProgress == "Completed")
    }

    @Test func givesUpAfterTheLastAttempt() async throws {
        let platform = FlakyPlatform(failures: 10)
        await #expect(throws: AGSFailure.self) {
            try await client(platform).post(AGSScore(userID: "u1", scoreGiven: 1, scoreMaximum: 2), lineItem: "https://lms.example/li/1", platform: Self.platform)
        }
        #expect(platform.scorePosts.isEmpty)
        #expect(platform.scoreAttempts == 4)
    }

    @Test func doesNotRetryARefusal() async throws {
        let platform = FlakyPlatform(failures: 10, status: 400)
        await #expect(throws: AGSFailure.self) {
            try await client(platform).post(AGSScore(userID: "u1", scoreGiven: 1, scoreMaximum: 2), lineItem: "https://lms.example/li/1", platform: Self.platform)
        }
        #expect(platform.scorePosts.isEmpty)
        #expect(platform.scoreAttempts == 1)
    }
}
