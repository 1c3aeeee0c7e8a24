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

@Suite("Files, versions and search over HTTP")
struct MaterialFileTests {
    func upload(
        _ client: some TestClientProtocol, token: String, pid: String, name: String, bytes: [UInt8], type: String = "text/plain"
    ) async throws -> (HTTPResponse.Status, [String: Any]) {
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name
        return try await client.execute(
            uri: "/api/v1/materials/\(pid)/versions?filename=\(encoded)", method: .post,
            headers: [.authorization: "Bearer \(token)", .contentType: type], body: ByteBuffer(bytes: bytes)
        ) { response in
            (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
        }
    }

    @Test("Upload versions, download with Content-Disposition and ETag, resolve /id/PID@vN")
    func uploadAndDownload() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let pid = try await client.createMaterial(
                token: token, #"{"kind":"document","title":"Giáo án Hình học","subjects":["TOAN"],"grades":[7],"status":"published","reason":"kiểm thử"}"#)
            let content = Array("Bài giảng về tam giác cân và đường trung tuyến.".utf8)
            let (status, version) = try await upload(client, token: token, pid: pid, name: "giáo án.txt", bytes: content)
            #expect(status == .created)
            #expect(version["number"] as? Int == 1)
            #expect(version["contentID"] as? String == ContentID.of(bytes: content).rawValue)
            let (status2, _) = try await upload(client, token: token, pid: pid, name: "v2.txt", bytes: Array("phiên bản hai".utf8))
            #expect(status2 == .created)

            let etag = try await client.execute(uri: "/api/v1/materials/\(pid)/versions/1/file", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Array(buffer: response.body) == content)
                #expect(response.headers[.contentDisposition] == "attachment; filename=\"giao an.txt\"; filename*=UTF-8''gi%C3%A1o%20%C3%A1n.txt")
                #expect(response.headers[.contentType] == "text/plain")
                return try #require(response.headers[.eTag])
            }
            try await client.execute(uri: "/api/v1/materials/\(pid)/versions/1/file", method: .get, headers: [.ifNoneMatch: etag]) {
                #expect($0.status == .notModified)
            }
            #expect(try await client.json(.get, "/api/v1/materials/\(pid)/versions/3/file").status == .notFound)
            let versions = try await client.json(.get, "/api/v1/materials/\(pid)/versions")
            #expect((versions.body["items"] as? [Any])?.count == 2)

            // Extracted text is searchable, without diacritics.
            let found = try await client.json(.get, "/api/v1/search?q=trung%20tuyen")
            #expect(found.body["total"] as? Int == 0, "the newest version replaced the old text")
            let v2 = try await client.json(.get, "/api/v1/search?q=phien%20ban%20hai")
            #expect(v2.body["total"] as? Int == 1)

            let resolved = try await client.json(.get, "/id/\(pid)@v1")
            #expect((resolved.body["version"] as? [String: Any])?["number"] as? Int == 1)
            #expect((resolved.body["links"] as? [String: String])?["file"] == "/api/v1/materials/\(pid)/versions/1/file")
            try await client.execute(uri: "/id/\(pid)", method: .get, headers: [.accept: "text/html,application/xhtml+xml"]) { response in
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(String(buffer: response.body).contains("<h1>Giáo án Hình học</h1>"))
            }
        }
    }

    @Test("Empty, oversized and path-traversal uploads are refused and leave nothing behind")
    func badUploads() async throws {
        let t = try await TestRepository(maxUploadBytes: 1000)
        defer { t.cleanup() }
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let pid = try await client.createMaterial(token: token, #"{"kind":"document","title":"Tài liệu"}"#)
            let (empty, emptyBody) = try await upload(client, token: token, pid: pid, name: "a.txt", bytes: [])
            #expect(empty == .unprocessableContent && emptyBody["type"] as? String == "/problems/empty-file")
            let (big, _) = try await upload(client, token: token, pid: pid, name: "a.bin", bytes: Array(repeating: 7, count: 1001))
            #expect(big == .contentTooLarge)
            for name in ["../../etc/passwd", "a/b.txt", "..", "a\\b.txt", "x\u{1}y"] {
                let (status, body) = try await upload(client, token: token, pid: pid, name: name, bytes: [1, 2, 3])
                #expect(status == .badRequest, "\(name)")
                #expect(body["type"] as? String == "/problems/unsafe-file-name")
            }
            let (ok, _) = try await upload(client, token: token, pid: pid, name: "ok.bin", bytes: Array(repeating: 7, count: 1000))
            #expect(ok == .created, "exactly at the limit is accepted")
            #expect(t.blobCount == 1, "only the accepted file is stored")
            #expect(try await t.repository.store.versions(try PersistentIdentifier(parsing: pid)).count == 1)
            let tmp = t.repository.blobs.root.appendingPathComponent("tmp")
            #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty)
        }
    }

    @Test("Links need an http(s) URL and take no file")
    func links() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            #expect(try await client.json(.post, "/api/v1/materials", token: token, body: #"{"kind":"link","title":"x","url":"javascript:alert(1)"}"#).status == .unprocessableContent)
            let pid = try await client.createMaterial(token: token, #"{"kind":"link","title":"Học liệu số","url":"https://example.org/a"}"#)
            let (status, _) = try await upload(client, token: token, pid: pid, name: "a.txt", bytes: [1])
            #expect(status == .conflict)
        }
    }

    @Test("Search over HTTP: folding, facets, keyset pages, strict parameters")
    func search() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            for i in 1...25 {
                _ = try await client.createMaterial(
                    token: token, #"{"kind":"lesson","title":"Phân số bài \#(i)","subjects":["TOAN"],"grades":[\#(i % 2 == 0 ? 6 : 7)],"status":"published","reason":"kiểm thử"}"#)
            }
            _ = try await client.createMaterial(token: token, #"{"kind":"lesson","title":"Đường tròn","status":"published","reason":"kiểm thử"}"#)
            let circle = try await client.json(.get, "/api/v1/search?q=duong%20tron")
            #expect(circle.body["total"] as? Int == 1)

            var seen = Set<String>()
            var next: String? = nil
            repeat {
                let page = try await client.json(.get, "/api/v1/search?q=phan%20so&limit=10&facets=grade" + (next.map { "&cursor=\($0)" } ?? ""))
                #expect(page.status == .ok)
                for item in page.body["items"] as? [[String: Any]] ?? [] { seen.insert(item["pid"] as! String) }
                let grades = (page.body["facets"] as? [String: Any])?["grade"] as? [[String: Any]]
                #expect(grades?.count == 2)
                next = page.body["next"] as? String
            } while next != nil
            #expect(seen.count == 25)

            let sixth = try await client.json(.get, "/api/v1/search?q=ph%C3%A2n%20s%E1%BB%91&grade=6")
            #expect(sixth.body["total"] as? Int == 12)
            #expect(try await client.json(.get, "/api/v1/search?limit=").status == .badRequest)
            #expect(try await client.json(.get, "/api/v1/search?limit=0").status == .badRequest)
            #expect(try await client.json(.get, "/api/v1/search?colour=red").status == .badRequest)
            #expect(try await client.json(.get, "/api/v1/search?cursor=zz").status == .badRequest)
            let farCursor = try await client.json(.get, "/api/v1/search?cursor=a6-xpz0")
            #expect(farCursor.status == .ok && (farCursor.body["items"] as? [Any])?.isEmpty == true, "a cursor past the last tier is an empty page")
            #expect(try await client.json(.post, "/api/v1/materials", token: token, body: #"{"kind":"lesson","title":"x","subjects":[""]}"#).status == .unprocessableContent)
            #expect(try await client.json(.get, "/api/v1/search?grade=13").status == .badRequest)
            let listed = try await client.json(.get, "/api/v1/materials?limit=5")
            #expect((listed.body["items"] as? [Any])?.count == 5)
        }
    }
}
