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

@Suite("JSON change feed over HTTP")
struct ChangeFeedTests {
    /// Every event from the beginning, `limit` per page; returns the events and the last cursor.
    static func all(_ client: some TestClientProtocol, auth: String?, limit: Int, since: String? = nil) async throws -> (
        events: [[String: Any]], cursor: String, pages: Int
    ) {
        var events: [[String: Any]] = []
        var cursor = since
        var pages = 0
        while true {
            let uri = "/api/v1/changes?limit=\(limit)" + (cursor.map { "&since=\($0)" } ?? "")
            let page = try await client.json(.get, uri, headers: auth.map { [.authorization: $0] } ?? [:])
            #expect(page.status == .ok, "\(page.body)")
            pages += 1
            events += page.body["items"] as? [[String: Any]] ?? []
            cursor = try #require(page.body["next"] as? String)
            guard page.body["hasMore"] as? Bool == true, pages < 100 else { break }
        }
        return (events, cursor!, pages)
    }

    @Test("Keyset pages; anonymous callers see public changes, a harvest:sector client sector ones too; withdrawals appear; a forged cursor is refused")
    func feed() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        let sector = try await t.repository.createClient(name: "Moodle Sở", scopes: [.harvest, .harvestSector], by: User.localOperator)
        let publicOnly = try await t.repository.createClient(name: "Moodle", scopes: [.harvest], by: User.localOperator)
        try await t.application.test(.router) { client in
            let admin = try await client.login("admin", TestRepository.adminPassword)
            func make(_ title: String, _ visibility: Visibility, published: Bool = true) async throws -> String {
                let status = published ? #","status":"published","reason":"kiểm thử""# : ""
                return try await client.createMaterial(
                    token: admin,
                    #"{"kind":"link","url":"https://example.org/\#(title)","title":"\#(title)","visibility":"\#(visibility.rawValue)"\#(status)}"#)
            }
            let a = try await make("a", .public)
            let b = try await make("b", .public)
            let s = try await make("s", .sector)
            let p = try await make("p", .private)
            let d = try await make("d", .public, published: false)
            _ = d

            // Anonymous, one event per page: exactly the published public materials, oldest first.
            let anonymous = try await Self.all(client, auth: nil, limit: 1)
            #expect(anonymous.events.compactMap { $0["pid"] as? String } == [a, b])
            #expect(anonymous.events.allSatisfy { $0["type"] as? String == "published" && $0["version"] as? Int != nil })
            #expect((anonymous.events.first?["links"] as? [String: String])?["json"] == "/id/\(a)")
            #expect(anonymous.pages == 2)
            // A harvest-only client is a public harvester; a harvest:sector one sees sector material too.
            let plain = try await Self.all(client, auth: "Bearer \(publicOnly.token)", limit: 10)
            #expect(plain.events.compactMap { $0["pid"] as? String } == [a, b])
            let wide = try await Self.all(client, auth: "Bearer \(sector.token)", limit: 2)
            #expect(Set(wide.events.compactMap { $0["pid"] as? String }) == [a, b, s])

            // Polling from the last cursor: nothing new, then the withdrawal of a.
            #expect(try await Self.all(client, auth: nil, limit: 10, since: anonymous.cursor).events.isEmpty)
            try await Task.sleep(for: .milliseconds(5))
            let withdrawn = try await client.json(.post, "/api/v1/materials/\(a)/withdraw", token: admin, body: #"{"reason":"sai kiến thức"}"#)
            #expect(withdrawn.status == .ok, "\(withdrawn.body)")
            let later = try await Self.all(client, auth: nil, limit: 10, since: anonymous.cursor)
            #expect(later.events.count == 1)
            #expect(later.events.first?["pid"] as? String == a)
            #expect(later.events.first?["type"] as? String == "withdrawn")
            // The feed and OAI-PMH agree (the same audience decision): the withdrawn record is a deleted OAI record.
            let oai = try await client.execute(uri: "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:hoclieu.local:\(a)", method: .get) {
                String(buffer: $0.body)
            }
            #expect(oai.contains("status=\"deleted\""))

            // A published public material made private: withdrawn in the feed and deleted in OAI-PMH for those who saw it;
            // a material that was never public stays unknown to them.
            try await Task.sleep(for: .milliseconds(5))
            let hidden = try await client.json(.patch, "/api/v1/materials/\(b)", token: admin, body: #"{"visibility":"private"}"#)
            #expect(hidden.status == .ok, "\(hidden.body)")
            let afterHiding = try await Self.all(client, auth: nil, limit: 10, since: later.cursor)
            #expect(afterHiding.events.compactMap { $0["pid"] as? String } == [b])
            #expect(afterHiding.events.first?["type"] as? String == "withdrawn")
            #expect(try await Self.all(client, auth: nil, limit: 1).events.compactMap { $0["pid"] as? String } == [a, b])
            func getRecord(_ pid: String) async throws -> String {
                try await client.execute(uri: "/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:hoclieu.local:\(pid)", method: .get) {
                    String(buffer: $0.body)
                }
            }
            #expect(try await getRecord(b).contains("status=\"deleted\""))
            #expect(try await getRecord(p).contains("idDoesNotExist"))
            let listed = try await client.execute(uri: "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc", method: .get) { String(buffer: $0.body) }
            #expect(listed.components(separatedBy: "status=\"deleted\"").count - 1 == 2, "a withdrawn, b hidden")
            #expect(!listed.contains(p) && !listed.contains(s))
            #expect(try await t.repository.oaiRecordCount(audience: .public, set: nil) == 2)

            // Forged or broken cursors, and limits out of range.
            let cursor = anonymous.cursor
            let forged = String(cursor.dropLast()) + (cursor.hasSuffix("A") ? "B" : "A")
            #expect(try await client.json(.get, "/api/v1/changes?since=\(forged)").status == .badRequest)
            #expect(try await client.json(.get, "/api/v1/changes?since=djEuMC4w.x").status == .badRequest)
            #expect(try await client.json(.get, "/api/v1/changes?limit=0").status == .badRequest)
            #expect(try await client.json(.get, "/api/v1/changes?limit=1001").status == .badRequest)
            #expect(try await client.json(.get, "/api/v1/changes?offset=3").status == .badRequest)
            #expect(try await client.json(.get, "/api/v1/changes", headers: [.authorization: "Bearer hlc_nothing.wrong"]).status == .unauthorized)
        }
    }

    @Test("published means new to the consumer since its cursor: an edit of a first version is updated, a sector material made public is published to public harvesters and updated to sector ones")
    func publishedOrUpdated() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        let sector = try await t.repository.createClient(name: "Moodle Sở", scopes: [.harvest, .harvestSector], by: User.localOperator)
        try await t.application.test(.router) { client in
            let admin = try await client.login("admin", TestRepository.adminPassword)
            func make(_ title: String, _ visibility: Visibility) async throws -> String {
                try await client.createMaterial(
                    token: admin,
                    #"{"kind":"link","url":"https://example.org/\#(title)","title":"\#(title)","visibility":"\#(visibility.rawValue)","status":"published","reason":"kiểm thử"}"#)
            }
            let a = try await make("a", .public)
            let s = try await make("s", .sector)
            let anonymous = try await Self.all(client, auth: nil, limit: 10)
            let wide = try await Self.all(client, auth: "Bearer \(sector.token)", limit: 10)
            #expect(anonymous.events.map { $0["type"] as? String } == ["published"])
            #expect(wide.events.map { $0["type"] as? String } == ["published", "published"])
            try await Task.sleep(for: .milliseconds(5))
            // An edit of a's metadata (still its first version), s made public, and a new material n.
            #expect(try await client.json(.patch, "/api/v1/materials/\(a)", token: admin, body: #"{"title":"a, sửa"}"#).status == .ok)
            #expect(try await client.json(.patch, "/api/v1/materials/\(s)", token: admin, body: #"{"visibility":"public"}"#).status == .ok)
            let n = try await make("n", .public)
            func types(_ page: (events: [[String: Any]], cursor: String, pages: Int)) -> [String: String] {
                Dictionary(uniqueKeysWithValues: page.events.compactMap { e in (e["pid"] as? String).map { ($0, e["type"] as? String ?? "") } })
            }
            let publicLater = types(try await Self.all(client, auth: nil, limit: 10, since: anonymous.cursor))
            #expect(publicLater == [a: "updated", s: "published", n: "published"])
            let sectorLater = types(try await Self.all(client, auth: "Bearer \(sector.token)", limit: 10, since: wide.cursor))
            #expect(sectorLater == [a: "updated", s: "updated", n: "published"])
            // From the start, everything is new.
            #expect(Set(types(try await Self.all(client, auth: nil, limit: 10)).values) == ["published"])
        }
    }
}
