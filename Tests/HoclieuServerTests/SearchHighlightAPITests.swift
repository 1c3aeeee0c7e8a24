import Foundation
import HTTPTypes
import HoclieuApp
import HoclieuCore
import HoclieuServer
import HoclieuStorage
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

@Suite("Search highlighting over HTTP")
struct SearchHighlightAPITests {
    @Test("Each hit carries an escaped highlight (no HTML injection from a title); the last word typed matches as a prefix")
    func highlight() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("gv.a", roles: [.teacher])
        let owner = try #require(try await t.repository.store.credentials(username: "gv.a")).user.id
        let title = "<script>alert(1)</script> Hóa học \"lớp\" 10"
        _ = try await t.repository.store.createMaterial(
            MaterialDraft(
                kind: .lesson, format: "text/plain",
                metadata: MaterialMetadata(title: title, description: "Bài về phản ứng hoá học & <b>chất</b>."), status: .published),
            ownerID: owner, firstVersion: nil)
        try await t.application.test(.router) { client in
            for q in ["hoa", "hoà", "hóa", "hoá phả"] {
                let items = try await client.execute(uri: "/api/v1/search?q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", method: .get) {
                    (try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [String: Any])?["items"] as? [[String: Any]] ?? []
                }
                let hit = try #require(items.first, "\(q)")
                let highlight = try #require(hit["highlight"] as? [String: String])
                // "phả" is unfinished: it begins "phản" (and only matches as a prefix).
                let phan = q.hasSuffix("phả") ? "<mark>phản</mark>" : "phản"
                #expect(highlight["title"] == "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Hóa</mark> học &quot;lớp&quot; 10", "\(q)")
                #expect(highlight["snippet"] == "Bài về \(phan) ứng <mark>hoá</mark> học &amp; &lt;b&gt;chất&lt;/b&gt;.", "\(q)")
                // The material's own fields stay as written.
                #expect((hit["metadata"] as? [String: Any])?["title"] as? String == title)
            }
            let plain = try await client.execute(uri: "/api/v1/search", method: .get) {
                (try JSONSerialization.jsonObject(with: Data(buffer: $0.body)) as? [String: Any])?["items"] as? [[String: Any]] ?? []
            }
            #expect(plain.count == 1 && plain[0]["highlight"] == nil)
        }
    }
}
