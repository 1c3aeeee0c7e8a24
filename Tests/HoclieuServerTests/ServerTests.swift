import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuServer
@testable import HoclieuApp
import HoclieuStorage
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

@Suite("HTTP API")
struct ServerTests {
    @Test("Health and Prometheus metrics")
    func healthAndMetrics() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.application.test(.router) { client in
            let (status, body, _) = try await client.json(.get, "/health")
            #expect(status == .ok && body["status"] as? String == "ok")
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                #expect(text.contains("# TYPE hoclieu_materials gauge"))
                #expect(text.contains("hoclieu_http_requests_total{method=\"GET\",status=\"200\"} 1"))
            }
        }
    }

    @Test("Login: right password gives a token, wrong one a bilingual 401")
    func login() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let me = try await client.json(.get, "/api/v1/me", token: token)
            #expect(me.body["username"] as? String == "admin")
            let wrong = try await client.json(.post, "/api/v1/auth/login", body: #"{"username":"admin","password":"nope"}"#)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.contentType] == "application/problem+json")
            #expect((wrong.body["messages"] as? [String: String])?["vi"] == "Sai tên đăng nhập hoặc mật khẩu.")
            let bogus = try await client.json(.get, "/api/v1/me", token: "not-a-token")
            #expect(bogus.status == .unauthorized)
            try await client.execute(uri: "/api/v1/auth/logout", method: .post, headers: [.authorization: "Bearer \(token)"]) { #expect($0.status == .noContent) }
            #expect(try await client.json(.get, "/api/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test("Bad JSON: unknown fields, invalid UTF-8, wrong types, not an object")
    func badJSON() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let unknown = try await client.json(.post, "/api/v1/materials", token: token, body: #"{"kind":"document","title":"x","colour":"red"}"#)
            #expect(unknown.status == .badRequest && unknown.body["type"] as? String == "/problems/unknown-fields")
            let invalid = try await client.execute(
                uri: "/api/v1/materials", method: .post, headers: [.authorization: "Bearer \(token)"],
                body: ByteBuffer(bytes: Array(#"{"kind":"document","title":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8))
            ) { $0.status }
            #expect(invalid == .badRequest)
            let wrongType = try await client.json(.post, "/api/v1/materials", token: token, body: #"{"kind":"document","title":5}"#)
            #expect(wrongType.status == .badRequest && wrongType.body["type"] as? String == "/problems/invalid-json")
            let array = try await client.json(.post, "/api/v1/materials", token: token, body: "[]")
            #expect(array.status == .badRequest)
            let nul = try await client.json(.post, "/api/v1/materials", token: token, body: #"{"kind":"document","title":"a\u0000b"}"#)
            #expect(nul.status == .unprocessableContent, "a NUL would cut the stored text short")
            let badGrade = try await client.json(.post, "/api/v1/materials", token: token, body: #"{"kind":"document","title":"x","grades":[13]}"#)
            #expect(badGrade.status == .unprocessableContent)
            #expect(try await t.repository.store.statistics().materials == 0, "nothing was created")
        }
    }

    @Test("Teachers create drafts; only admins set status; others cannot edit")
    func roles() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("gv.an", roles: [.teacher])
        try await t.addUser("gv.binh", roles: [.teacher])
        try await t.addUser("hd.chi", roles: [.reviewer])
        try await t.application.test(.router) { client in
            let an = try await client.login("gv.an", "password-gv.an")
            let binh = try await client.login("gv.binh", "password-gv.binh")
            let chi = try await client.login("hd.chi", "password-hd.chi")
            let selfPublish = try await client.json(.post, "/api/v1/materials", token: an, body: #"{"kind":"lesson","title":"Bài 1","status":"published","reason":"kiểm thử"}"#)
            #expect(selfPublish.status == .forbidden)
            let pid = try await client.createMaterial(token: an, #"{"kind":"lesson","title":"Bài 1"}"#)
            #expect(try await client.json(.get, "/api/v1/materials/\(pid)", token: an).body["status"] as? String == "draft")
            #expect(try await client.json(.get, "/api/v1/materials/\(pid)").status == .notFound, "anonymous cannot see a draft")
            #expect(try await client.json(.get, "/api/v1/materials/\(pid)", token: binh).status == .notFound)
            #expect(try await client.json(.patch, "/api/v1/materials/\(pid)", token: an, body: #"{"status":"published","reason":"kiểm thử"}"#).status == .forbidden)
            #expect(try await client.json(.post, "/api/v1/materials", token: chi, body: #"{"kind":"lesson","title":"x"}"#).status == .forbidden)
            let admin = try await client.login("admin", TestRepository.adminPassword)
            #expect(try await client.json(.patch, "/api/v1/materials/\(pid)", token: admin, body: #"{"status":"published","reason":"kiểm thử"}"#).status == .ok)
            #expect(try await client.json(.get, "/api/v1/materials/\(pid)").status == .ok, "published and public")
            #expect(try await client.json(.patch, "/api/v1/materials/\(pid)", token: binh, body: #"{"title":"mine"}"#).status == .forbidden)
        }
    }

    @Test("Metadata updates use If-Match against lost updates")
    func ifMatch() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let created = try await client.json(.post, "/api/v1/materials", token: token, body: #"{"kind":"document","title":"Một"}"#)
            let pid = try #require(created.body["pid"] as? String)
            let etag = try #require(created.headers[.eTag])
            let first = try await client.json(.patch, "/api/v1/materials/\(pid)", token: token, body: #"{"title":"Hai"}"#, headers: [.ifMatch: etag])
            #expect(first.status == .ok && (first.body["metadata"] as? [String: Any])?["title"] as? String == "Hai")
            let stale = try await client.json(.patch, "/api/v1/materials/\(pid)", token: token, body: #"{"title":"Ba"}"#, headers: [.ifMatch: etag])
            #expect(stale.status == .preconditionFailed)
            try await client.execute(uri: "/api/v1/materials/\(pid)", method: .get, headers: [.authorization: "Bearer \(token)", .ifNoneMatch: first.headers[.eTag]!]) {
                #expect($0.status == .notModified)
            }
        }
    }

    @Test("Unknown PIDs are 404; a wrong check character is 400 with a hint")
    func identifiers() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.application.test(.router) { client in
            let unknown = PersistentIdentifier(prefix: "79-760", serial: 999).rawValue
            #expect(try await client.json(.get, "/api/v1/materials/\(unknown)").status == .notFound)
            #expect(try await client.json(.get, "/id/\(unknown)").status == .notFound)
            var chars = Array(unknown)
            chars.swapAt(chars.count - 3, chars.count - 2)
            if chars == Array(unknown) { chars[chars.count - 2] = chars[chars.count - 2] == "1" ? "2" : "1" }
            let typo = try await client.json(.get, "/api/v1/materials/\(String(chars))")
            #expect(typo.status == .badRequest)
            #expect(typo.body["type"] as? String == "/problems/pid-check-character")
            #expect(typo.body["hint"] != nil)
            #expect(try await client.json(.get, "/id/hello").status == .badRequest)
            #expect(try await client.json(.get, "/id/\(unknown)@v0").status == .badRequest)
        }
    }

    @Test("Undeclared methods answer 405 with Allow; unknown paths 404 problem+json")
    func methodNotAllowed() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.application.test(.router) { client in
            let r = try await client.json(.delete, "/health")
            #expect(r.status == .methodNotAllowed)
            #expect(r.headers[.allow] == "GET, HEAD")
            let nothing = try await client.json(.get, "/no/such/path")
            #expect(nothing.status == .notFound && nothing.headers[.contentType] == "application/problem+json")
        }
    }
}
