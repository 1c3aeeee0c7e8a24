import Foundation
import HTTPTypes
@testable import HoclieuApp
import HoclieuServer
import HoclieuStorage
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import Testing

@Suite("Readiness with an unreachable database; NUL characters in requests")
struct StoreUnreachableTests {
    @Test("/ready answers 503 not-ready within seconds while PostgreSQL does not answer; waitForStore gives up with the reason")
    func readyWhileUnreachable() async throws {
        let port = 1  // nothing listens there: refused at once
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-unreachable-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = ServerConfiguration(dataDirectory: folder, port: 0, pidPrefix: "79-760", bcryptCost: 4)
        configuration.databaseURL = "postgres://hoclieu@127.0.0.1:\(port)/nothing"
        configuration.runsJobs = false
        let repository = try Services.open(configuration)
        await #expect(throws: StoreUnavailableError.self) { try await repository.waitForStore(within: .seconds(1)) }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        try await buildApplication(repository, logger: logger).test(.router) { client in
            let started = ContinuousClock.now
            let ready = try await client.execute(uri: "/ready", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(ContinuousClock.now - started < .seconds(8))
            let problem = try #require(try JSONSerialization.jsonObject(with: Data(buffer: ready.body)) as? [String: Any])
            #expect(problem["type"] as? String == "/problems/not-ready")
            #expect(ready.headers[.retryAfter] == "5")
        }
        if let store = repository.store as? PostgresStore { await store.shutdown() }
    }

    @Test("A %00 in a path or query is a 400 problem on every backend (PostgreSQL cannot take it)")
    func nulInRequest() async throws {
        let test = try await TestRepository()
        defer { test.cleanup() }
        try await test.application.test(.router) { client in
            let login = try await client.execute(
                uri: "/api/v1/auth/login", method: .post,
                body: ByteBuffer(string: #"{"username":"admin","password":"\#(TestRepository.adminPassword)"}"#))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: login.body)) as? [String: Any])
            let token = try #require(object["token"] as? String)
            let auth: HTTPFields = [.authorization: "Bearer " + token]
            // The request schemathesis sent to the PostgreSQL-backed service (a 500 there).
            for uri in ["/api/v1/questions?unit=%C2%A2%00x&level=a", "/api/v1/search?q=ph%00n", "/api/v1/catalog/items/CN%00.3"] {
                let response = try await client.execute(uri: uri, method: .get, headers: auth)
                #expect(response.status == .badRequest, "\(uri)")
                let problem = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect((problem?["detail"] as? String)?.contains("NUL") == true, "\(uri)")
            }
            // Nearby text that is not a NUL passes.
            #expect(try await client.execute(uri: "/api/v1/search?q=100%2500", method: .get).status == .ok)
        }
    }
}
