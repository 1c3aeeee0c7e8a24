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

@Suite("IMS CASE 1.0 provider")
struct CASETests {
    /// A public address consumers can reach: CASE URIs are built from it.
    static let publicBase = "https://hoclieu.example.vn"

    static func codeMinor(_ body: [String: Any]) -> String? {
        ((body["imsx_codeMinor"] as? [String: Any])?["imsx_codeMinorField"] as? [[String: String]])?.first?["imsx_codeMinorFieldValue"]
    }

    func get(_ client: some TestClientProtocol, _ uri: String, headers: HTTPFields = [:]) async throws -> (HTTPResponse.Status, [String: Any], HTTPFields) {
        try await client.execute(uri: uri, method: .get, headers: headers) { response in
            (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:], response.headers)
        }
    }

    @Test("Documents, packages, items, associations, definitions; ETag/304; CORS; imsx errors")
    func provider() async throws {
        let t = try await TestRepository(publicBaseURL: Self.publicBase)
        defer { t.cleanup() }
        _ = try await t.repository.loadCatalog(from: try CatalogAPITests.folder(toan: CatalogAPITests.toan))
        try await t.application.test(.router) { client in
            let base = "/ims/case/v1p0"
            let (status, list, headers) = try await get(client, "\(base)/CFDocuments")
            #expect(status == .ok && headers[.accessControlAllowOrigin] == "*")
            let documents = try #require(list["CFDocuments"] as? [[String: Any]])
            #expect(documents.count == 2)
            let toanID = CatalogIdentifiers.uuid(for: "TOAN").uuidString.lowercased()
            #expect(documents.contains { $0["identifier"] as? String == toanID })
            #expect(documents.allSatisfy { ($0["CFPackageURI"] as? [String: Any])?["uri"] != nil })

            let (_, package, packageHeaders) = try await get(client, "\(base)/CFPackages/\(toanID)")
            let items = try #require(package["CFItems"] as? [[String: Any]])
            #expect(items.count == 12 + 5)
            let codes = items.compactMap { $0["humanCodingScheme"] as? String }
            #expect(codes.contains("TOAN.6.SD.2.2"))
            let associations = try #require(package["CFAssociations"] as? [[String: Any]])
            #expect(associations.filter { $0["associationType"] as? String == "isChildOf" }.count == items.count)
            #expect((package["CFDefinitions"] as? [String: Any])?["CFItemTypes"] as? [Any] != nil)
            let etag = try #require(packageHeaders[.eTag])
            #expect(try await get(client, "\(base)/CFPackages/\(toanID)", headers: [.ifNoneMatch: etag]).0 == .notModified)
            #expect(try await get(client, "\(base)/CFPackages/\(toanID)", headers: [.ifModifiedSince: packageHeaders[.lastModified]!]).0 == .notModified)

            let itemID = CatalogIdentifiers.uuid(for: "TOAN.6.SD.2.2").uuidString.lowercased()
            let (_, item, _) = try await get(client, "\(base)/CFItems/\(itemID)")
            #expect(item["fullStatement"] as? String == "So sánh được hai phân số cho trước.")
            #expect((item["CFDocumentURI"] as? [String: Any])?["identifier"] as? String == toanID)
            #expect(item["educationLevel"] as? [String] == ["06"])
            let (_, itemAssociations, _) = try await get(client, "\(base)/CFItemAssociations/\(itemID)")
            let linked = try #require(itemAssociations["CFAssociations"] as? [[String: Any]])
            #expect(linked.count == 1)
            let associationID = try #require(linked.first?["identifier"] as? String)
            let (_, association, _) = try await get(client, "\(base)/CFAssociations/\(associationID)")
            #expect(association["associationType"] as? String == "isChildOf")
            let typeID = try #require((item["CFItemTypeURI"] as? [String: Any])?["identifier"] as? String)
            #expect(try await get(client, "\(base)/CFItemTypes/\(typeID)").1["CFItemTypes"] != nil)

            let (missing, error, _) = try await get(client, "\(base)/CFItems/\(UUID().uuidString.lowercased())")
            #expect(missing == .notFound)
            #expect(error["imsx_codeMajor"] as? String == "failure")
            let (bad, badError, _) = try await get(client, "\(base)/CFItems/not-a-uuid")
            #expect(bad == .notFound)
            #expect(Self.codeMinor(badError) == "unknownobject")
            #expect(try await get(client, "\(base)/CFConcepts/\(toanID)").0 == .notFound)

            // limit, offset, sort, orderBy, filter.
            let sorted = try await get(client, "\(base)/CFDocuments?sort=title&orderBy=desc&limit=1")
            #expect((sorted.1["CFDocuments"] as? [[String: Any]])?.first?["title"] as? String == "Chương trình GDPT 2018 – Toán")
            let filtered = try await get(client, "\(base)/CFDocuments?filter=title~'Tin'")
            #expect((filtered.1["CFDocuments"] as? [Any])?.count == 1)
            let unsortable = try await get(client, "\(base)/CFDocuments?sort=colour")
            #expect(unsortable.0 == .ok && (unsortable.1["CFDocuments"] as? [Any])?.count == 2)
            #expect(try await get(client, "\(base)/CFDocuments?filter=nonsense").0 == .badRequest)
        }
    }
}
