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

@Suite("Catalogue loading and JSON API")
struct CatalogAPITests {
    /// A small catalogue folder written to a temporary directory.
    static func folder(toan: String) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("frameworks"), withIntermediateDirectories: true)
        try Data(
            """
            code,name,name_en,grades,compulsory,source
            TOAN,Toán,Mathematics,1-12,1-12,CT_Toan_2018.pdf
            TIN,Tin học,Informatics,3-12,3-9,CT_Tin_hoc_2018.pdf

            """.utf8
        ).write(to: root.appendingPathComponent("subjects.csv"))
        try Data(("code,parent,type,grade,statement,statement_en,associations,status\n" + toan).utf8)
            .write(to: root.appendingPathComponent("frameworks/TOAN.csv"))
        return root
    }

    static let toan = """
        TOAN.6.SD,TOAN.6,strand,6,Số và Đại số,,,
        TOAN.6.SD.1,TOAN.6.SD,topic,6,Số tự nhiên,,,
        TOAN.6.SD.2,TOAN.6.SD,topic,6,Phân số,,,
        TOAN.6.SD.2.1,TOAN.6.SD.2,outcome,6,Nhận biết được phân số với tử số hoặc mẫu số là số nguyên âm.,,,
        TOAN.6.SD.2.2,TOAN.6.SD.2,outcome,6,So sánh được hai phân số cho trước.,,,

        """

    @Test("Loading is idempotent; an edited statement is a new revision; a removed unit is deprecated, still resolvable")
    func loading() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        let first = try await t.repository.loadCatalog(from: try Self.folder(toan: Self.toan))
        #expect(first.added == 12 + 10 + 5)
        let again = try await t.repository.loadCatalog(from: try Self.folder(toan: Self.toan))
        #expect(again.added == 0 && again.revised == 0 && again.deprecated == 0)

        let edited = Self.toan.replacingOccurrences(of: "So sánh được hai phân số cho trước.", with: "So sánh được hai phân số.")
            .replacingOccurrences(of: "TOAN.6.SD.1,TOAN.6.SD,topic,6,Số tự nhiên,,,\n", with: "")
        let report = try await t.repository.loadCatalog(from: try Self.folder(toan: edited))
        #expect(report.revised == 1 && report.deprecated == 1)
        let item = try #require(try await t.repository.store.catalogItem(code: "TOAN.6.SD.2.2"))
        #expect(item.revision == 2 && item.item.statement == "So sánh được hai phân số.")
        #expect(item.uuid == CatalogIdentifiers.uuid(for: "TOAN.6.SD.2.2"), "identifiers never change")
        #expect(try await t.repository.store.catalogItem(code: "TOAN.6.SD.1")?.item.deprecated == true)
    }

    @Test("An invalid catalogue loads nothing and says why")
    func invalid() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        await #expect(throws: CatalogError.self) {
            try await t.repository.loadCatalog(from: try Self.folder(toan: Self.toan + "TOAN.6.SD,TOAN.6,strand,6,Lặp lại,,,\n"))
        }
        #expect(try await t.repository.store.catalogFrameworks().isEmpty)
    }

    @Test("Frameworks, an item with ancestors, children and material counts, type-ahead without diacritics")
    func api() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        _ = try await t.repository.loadCatalog(from: try Self.folder(toan: Self.toan))
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            _ = try await client.createMaterial(
                token: token, #"{"kind":"lesson","title":"So sánh phân số","knowledgeUnits":["TOAN.6.SD.2.2"],"status":"published","reason":"kiểm thử"}"#)

            let frameworks = try await client.json(.get, "/api/v1/catalog/frameworks")
            let items = try #require(frameworks.body["items"] as? [[String: Any]])
            #expect(items.map { ($0["subject"] as? [String: Any])?["code"] as? String } == ["TIN", "TOAN"])

            let topic = try await client.json(.get, "/api/v1/catalog/items/toan.6.sd.2")
            #expect(topic.status == .ok)
            #expect((topic.body["ancestors"] as? [[String: Any]])?.map { $0["code"] as? String } == ["TOAN.6", "TOAN.6.SD"])
            #expect((topic.body["children"] as? [[String: Any]])?.count == 2)
            #expect((topic.body["counts"] as? [String: Int])?["materials"] == 1, "a unit counts its descendants' materials")
            #expect(topic.body["uuid"] as? String == CatalogIdentifiers.uuid(for: "TOAN.6.SD.2").uuidString)
            #expect(try await client.json(.get, "/api/v1/catalog/items/TOAN.99").status == .notFound)

            let typeahead = try await client.json(.get, "/api/v1/catalog/search?q=phan%20s")
            let found = try #require(typeahead.body["items"] as? [[String: Any]])
            #expect(found.first?["code"] as? String == "TOAN.6.SD.2", "the topic before its outcomes")
            #expect(found.count == 3)
            #expect(try await client.json(.get, "/api/v1/catalog/search?q=").status == .badRequest)
        }
    }
}
