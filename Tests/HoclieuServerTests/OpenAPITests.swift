import Foundation
import HTTPTypes
import HoclieuServer
@testable import HoclieuApp
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import Testing

@Suite("OpenAPI document and authorisation matrix")
struct OpenAPITests {
    func document(_ t: TestRepository) async throws -> [String: Any] {
        try await t.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            }
        }
    }

    @Test("The document lists exactly the router's routes")
    func everyRouteDocumented() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        let doc = try await document(t)
        #expect(doc["openapi"] as? String == "3.1.0")
        let paths = try #require(doc["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, ops in ops.keys.map { "\($0.uppercased()) \(path)" } })
        let router = buildRouter(t.repository, logger: Logger(label: "test"))
        let routed = Set(router.routes.map { route in
            "\(route.method.rawValue) /" + route.path.description.split(separator: "/").map { segment in
                segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : segment == "**" ? "{path}" : String(segment)
            }.joined(separator: "/")
        })
        #expect(documented == routed, "only documented: \(documented.subtracting(routed)); only routed: \(routed.subtracting(documented))")
    }

    @Test("Every secured operation refuses anonymous callers with 401")
    func anonymousMatrix() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        let doc = try await document(t)
        let paths = try #require(doc["paths"] as? [String: [String: [String: Any]]])
        let secured = paths.flatMap { path, operations in
            operations.filter { $0.value["security"] != nil }.map { (path: path, method: $0.key) }
        }
        let pid = "79-760-0000017"
        try await t.application.test(.router) { client in
            var checked = 0
            for (path, method) in secured {
                do {
                    let uri = path.replacingOccurrences(of: "{pid}", with: pid).replacingOccurrences(of: "{n}", with: "1")
                    let status = try await client.execute(uri: uri, method: HTTPRequest.Method(method.uppercased())!, body: ByteBuffer(string: "{}")) { $0.status }
                    #expect(status == .unauthorized, "\(method) \(path)")
                    checked += 1
                }
            }
            #expect(checked >= 6)
        }
    }
}
