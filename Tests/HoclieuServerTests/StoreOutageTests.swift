import Foundation
import HTTPTypes
import HoclieuApp
import HoclieuServer
import HoclieuStorage
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import Testing

/// The service over a PostgreSQL that does not answer: requests fail fast with a bilingual 503, never hang.
@Suite("Store outage: 503 store-unavailable problem+json, fast")
struct StoreOutageTests {
    @Test("A database that refuses connections: search, material, sign-in and /health answer 503 store-unavailable within seconds; /ready is not-ready")
    func unreachableDatabase() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-outage-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = ServerConfiguration(dataDirectory: folder, port: 0, pidPrefix: "79-760", bcryptCost: 4)
        configuration.databaseURL = "postgres://hoclieu@127.0.0.1:1/hoclieu"
        configuration.runsJobs = false
        let repository = try Services.open(configuration)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        try await buildApplication(repository, logger: logger).test(.router) { client in
            let clock = ContinuousClock()
            for (method, uri, body) in [
                (HTTPRequest.Method.get, "/api/v1/search?q=phan%20so", ""), (.get, "/api/v1/materials/79-760-000001E", ""),
                (.post, "/api/v1/auth/login", #"{"username":"admin","password":"x"}"#), (.get, "/health", ""),
            ] {
                var response: TestResponse?
                let took = try await clock.measure {
                    response = try await client.execute(uri: uri, method: method, body: ByteBuffer(string: body))
                }
                let answer = try #require(response)
                #expect(took < .seconds(30), "\(uri) took \(took) (5 s by default; the pool alone waits a minute)")
                #expect(answer.status == .serviceUnavailable, "\(uri)")
                #expect(answer.headers[.contentType] == "application/problem+json")
                #expect(answer.headers[.retryAfter] == "2")
                let problem = try #require(try JSONSerialization.jsonObject(with: Data(buffer: answer.body)) as? [String: Any])
                #expect(problem["type"] as? String == "/problems/store-unavailable", "\(uri): \(problem)")
                let messages = try #require(problem["messages"] as? [String: String])
                #expect(messages["vi"]?.contains("Cơ sở dữ liệu") == true)
                #expect(messages["en"]?.contains("database is not answering") == true)
            }
            let ready = try await client.execute(uri: "/ready", method: .get)
            #expect(ready.status == .serviceUnavailable)
            let problem = try #require(try JSONSerialization.jsonObject(with: Data(buffer: ready.body)) as? [String: Any])
            #expect(problem["type"] as? String == "/problems/not-ready")
        }
        await (repository.store as? PostgresStore)?.shutdown()
    }
}
