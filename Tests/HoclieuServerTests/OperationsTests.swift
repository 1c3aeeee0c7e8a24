import Foundation
import GRDB
import HTTPTypes
@testable import HoclieuApp
import HoclieuCore
import HoclieuServer
import HoclieuStorage
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import Synchronization
import Testing

/// Log lines a test application wrote.
final class CapturedLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ data: Data) { lines.withLock { $0.append(String(decoding: data, as: UTF8.self)) } }
    var all: [String] { lines.withLock { $0 } }
}

@Suite("Operations: readiness, request ids, JSON logs, metrics")
struct OperationsTests {
    @Test("/ready answers 200 with the backend while the schema is current, 503 problem+json when a migration is pending")
    func readiness() async throws {
        let test = try await TestRepository()
        defer { test.cleanup() }
        try await test.application.test(.router) { client in
            let ready = try await client.execute(uri: "/ready", method: .get)
            #expect(ready.status == .ok)
            let body = try JSONSerialization.jsonObject(with: Data(buffer: ready.body)) as? [String: String]
            #expect(body == ["status": "ready", "store": "sqlite", "migrations": "current"])

            // A database whose schema is behind this build (e.g. restored from an older copy under a running node).
            let queue = try DatabaseQueue(path: Services.databaseURL(in: test.folder).path)
            let last = try await queue.write { db in
                let last = try String.fetchOne(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid DESC LIMIT 1")
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [last])
                return last
            }
            try queue.close()
            let behind = try await client.execute(uri: "/ready", method: .get)
            #expect(behind.status == .serviceUnavailable)
            #expect(behind.headers[.contentType] == "application/problem+json")
            #expect(behind.headers[.retryAfter] == "5")
            let problem = try #require(try JSONSerialization.jsonObject(with: Data(buffer: behind.body)) as? [String: Any])
            #expect(problem["type"] as? String == "/problems/not-ready")
            #expect((problem["hint"] as? String)?.contains(try #require(last)) == true)
            // Liveness is not readiness: the process and its store still answer.
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
        }
    }

    @Test("A request's X-Request-Id is echoed and on each of its JSON log lines; a missing or implausible one is replaced")
    func requestIDsAndJSONLogs() async throws {
        let test = try await TestRepository()
        defer { test.cleanup() }
        let captured = CapturedLines()
        var logger = Logger(label: "hoclieu") { label in JSONLogHandler(label: label) { captured.append($0) } }
        logger.logLevel = .warning
        let queue = try DatabaseQueue(path: Services.databaseURL(in: test.folder).path)
        try await queue.write { db in try db.execute(sql: "DELETE FROM grdb_migrations WHERE rowid = (SELECT max(rowid) FROM grdb_migrations)") }
        try queue.close()
        try await buildApplication(test.repository, logger: logger).test(.router) { client in
            let given = try await client.execute(uri: "/ready", method: .get, headers: [.init("X-Request-Id")!: "lb-7f3a:42"])
            #expect(given.status == .serviceUnavailable)
            #expect(given.headers[.init("X-Request-Id")!] == "lb-7f3a:42")

            let generated = try await client.execute(uri: "/health", method: .get, headers: [.init("X-Request-Id")!: "bad id\u{7}"])
            let id = try #require(generated.headers[.init("X-Request-Id")!])
            #expect(id != "bad id\u{7}" && !id.isEmpty)
            let none = try await client.execute(uri: "/health", method: .get)
            #expect(none.headers[.init("X-Request-Id")!].map { !$0.isEmpty && $0 != id } == true, "each request gets its own id")
        }
        let objects = captured.all.map { line in
            #expect(line.hasSuffix("\n") && line.dropLast().contains("\n") == false, "one object per line")
            return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
        }
        let warning = try #require(objects.first { $0["message"] as? String == "not ready: migrations pending" })
        #expect(warning["request_id"] as? String == "lb-7f3a:42")
        #expect(warning["level"] as? String == "warning")
        #expect((warning["hoclieu.migrations.pending"] as? String)?.isEmpty == false)
        #expect((warning["ts"] as? String)?.hasSuffix("Z") == true)
    }

    @Test("/metrics: latency histograms per route template, job queue depth, harvest and push counters, store errors")
    func metrics() async throws {
        let test = try await TestRepository(runsJobs: false)
        defer { test.cleanup() }
        try await test.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let pid = try await client.createMaterial(token: token, #"{"kind":"lesson","title":"Phân số","status":"published","reason":"kiểm thử"}"#)
            _ = try await client.execute(uri: "/api/v1/materials/\(pid)", method: .get)
            _ = try await client.execute(uri: "/api/v1/materials/\(pid)", method: .get)
            // A material that does not exist: the store's answer is a 404, not a store failure.
            _ = try await client.execute(uri: "/api/v1/materials/79-760-999999", method: .get)
            _ = try await client.execute(uri: "/no/such/path", method: .get)
            // A taken username: the store refuses it (a conflict the request meets).
            let body = #"{"username":"admin","password":"mat-khau-dai-123","roles":["teacher"]}"#
            #expect(try await client.json(.post, "/api/v1/users", token: token, body: body).status == .conflict)
            _ = try await test.repository.store.createJob(NewJob(kind: "import", ownerID: 1, input: Data("{}".utf8)))

            let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            let lines = text.split(separator: "\n").map(String.init)
            func value(_ prefix: String) -> Double? {
                lines.first { $0.hasPrefix(prefix + " ") }.flatMap { Double($0.split(separator: " ").last!) }
            }
            #expect(value(#"hoclieu_http_request_duration_seconds_count{route="/api/v1/materials/{pid}",method="GET"}"#) == 3)
            #expect(!text.contains(pid), "routes are labelled by template, never by the raw path")
            #expect(value(#"hoclieu_http_request_duration_seconds_count{route="unmatched",method="GET"}"#) == 1)
            #expect(text.contains(#"hoclieu_http_request_duration_seconds_bucket{route="/api/v1/materials/{pid}",method="GET",le="#))
            #expect(value(#"hoclieu_store_errors_total{kind="conflict"}"#) == 1)
            #expect(value("hoclieu_jobs_queued") == 1)
            #expect(value("hoclieu_jobs_running") == 0)
            #expect(value(#"hoclieu_harvest_runs_total{result="completed"}"#) == 0)
            #expect(value(#"hoclieu_pushes_total{treated_as="failed"}"#) == 0)
            #expect(text.contains("# TYPE hoclieu_harvest_records_total counter"))
        }
    }

    @Test("Behind a trusted proxy, sign-ins are attributed to the X-Forwarded-For client; otherwise the header is ignored")
    func forwardedFor() async throws {
        func failedSignInAddresses(trusting proxies: Set<String>, forwardedFor: String) async throws -> [String?] {
            let test = try await TestRepository()
            defer { test.cleanup() }
            var configuration = test.repository.configuration
            configuration.trustedProxies = proxies
            let repository = Services(
                store: test.repository.store, blobs: test.repository.blobs, configuration: configuration, signingKey: test.repository.signingKey)
            var logger = Logger(label: "test")
            logger.logLevel = .error
            try await buildApplication(repository, logger: logger).test(.live) { client in
                let response = try await client.execute(
                    uri: "/api/v1/auth/login", method: .post, headers: [.init("X-Forwarded-For")!: forwardedFor],
                    body: ByteBuffer(string: #"{"username":"admin","password":"wrong-password"}"#))
                #expect(response.status == .unauthorized)
            }
            return try await test.repository.store.auditEvents(AuditQuery(action: "auth.login.failed")).map { $0.details["address"] }
        }
        // The live test client connects from loopback: that is the proxy.
        #expect(try await failedSignInAddresses(trusting: ["127.0.0.1"], forwardedFor: "198.51.100.7") == ["198.51.100.7"])
        #expect(
            try await failedSignInAddresses(trusting: ["127.0.0.1"], forwardedFor: "203.0.113.1, 198.51.100.7") == ["198.51.100.7"],
            "the right-most address the trusted proxy saw, not one the client wrote before it")
        #expect(try await failedSignInAddresses(trusting: ["127.0.0.1"], forwardedFor: "not an address") == ["127.0.0.1"])
        #expect(try await failedSignInAddresses(trusting: [], forwardedFor: "198.51.100.7") == ["127.0.0.1"], "an untrusted peer's header is ignored")
    }

    @Test("A harvest of another instance is counted in /metrics by result and records")
    func harvestCounters() async throws {
        let a = try await TestRepository(runsJobs: false)
        let b = try await TestRepository(runsJobs: false)
        defer { a.cleanup(); b.cleanup() }
        try await a.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            _ = try await client.createMaterial(token: token, #"{"kind":"lesson","title":"Phân số","status":"published","reason":"kiểm thử"}"#)
        }
        _ = try await OAIHarvesterTests.register(b)
        let reports = try await b.repository.runHarvests(fetcher: OAIHarvesterTests.InstanceFetcher(source: a.repository), policy: OAIHarvesterTests.instant)
        #expect(reports.count == 1 && reports[0].created == 1 && reports[0].error == nil)
        try await b.application.test(.router) { client in
            let text = String(buffer: try await client.execute(uri: "/metrics", method: .get).body)
            #expect(text.contains(#"hoclieu_harvest_runs_total{result="completed"} 1"#))
            #expect(text.contains(#"hoclieu_harvest_records_total{outcome="created"} 1"#))
        }
    }
}
