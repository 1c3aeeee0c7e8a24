import ConformanceCorpus
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

@Suite("Uploading content packages")
struct PackageUploadTests {
    static let corpus = ConformanceCorpus.root

    func upload(_ client: some TestClientProtocol, token: String, pid: String, file: String, name: String) async throws -> (HTTPResponse.Status, [String: Any]) {
        let bytes = try Data(contentsOf: Self.corpus.appendingPathComponent(file))
        return try await client.execute(
            uri: "/api/v1/materials/\(pid)/versions?filename=\(name)", method: .post,
            headers: [.authorization: "Bearer \(token)", .contentType: "application/zip"], body: ByteBuffer(data: bytes)
        ) { response in
            (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
        }
    }

    @Test("A SCORM package is recognised on upload; a hostile H5P is refused and leaves nothing", .needsCorpus)
    func packages() async throws {
        let t = try await TestRepository(maxUploadBytes: 32 << 20)
        defer { t.cleanup() }
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let lesson = try await client.createMaterial(token: token, #"{"kind":"lesson","title":"Golf"}"#)
            let (status, version) = try await upload(client, token: token, pid: lesson, file: "scorm/scorm12/rustici_singlescobasic.zip", name: "golf.zip")
            #expect(status == .created, "\(version)")
            let package = try #require(version["package"] as? [String: Any])
            #expect(package["kind"] as? String == "scorm12")
            #expect(package["title"] as? String == "Golf Explained - Run-time Basic Calls")
            #expect(package["launch"] as? String == "shared/launchpage.html")
            #expect(try await client.json(.get, "/api/v1/materials/\(lesson)", token: token).body["format"] as? String == "scorm12")

            let simulation = try await client.createMaterial(token: token, #"{"kind":"simulation","title":"SVG"}"#)
            let blobsBefore = t.blobCount
            let (refused, problem) = try await upload(client, token: token, pid: simulation, file: "h5p/negative/lumi_xss-svg.h5p", name: "x.h5p")
            #expect(refused == .unprocessableContent)
            #expect(problem["type"] as? String == "/problems/invalid-package")
            #expect((problem["messages"] as? [String: String])?["en"]?.contains("SVG with a script payload") == true)
            #expect(t.blobCount == blobsBefore, "nothing half-stored")
            #expect(try await t.repository.store.versions(try PersistentIdentifier(parsing: simulation)).isEmpty)
        }
    }
}

@Suite("Metadata prefilled from packages")
struct PrefillTests {
    @Test("A package's LOM fills the fields the teacher left empty; the teacher's values win", .needsCorpus)
    func prefill() async throws {
        let t = try await TestRepository(maxUploadBytes: 32 << 20)
        defer { t.cleanup() }
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let upload = PackageUploadTests()
            let bare = try await client.createMaterial(token: token, #"{"kind":"lesson","title":"Tiếng Trung 6"}"#)
            #expect(try await upload.upload(client, token: token, pid: bare, file: "scorm/ims_cp/tlf_imscp_lom_package.zip", name: "zouba.zip").0 == .created)
            let filled = try #require(try await client.json(.get, "/api/v1/materials/\(bare)", token: token).body["metadata"] as? [String: Any])
            #expect(filled["title"] as? String == "Tiếng Trung 6", "the teacher's title stays")
            #expect((filled["description"] as? String)?.isEmpty == false)
            #expect((filled["keywords"] as? [String])?.isEmpty == false)

            let chosen = try await client.createMaterial(
                token: token, #"{"kind":"lesson","title":"Tiếng Trung 6","description":"Mô tả của giáo viên","keywords":["trung"]}"#)
            #expect(try await upload.upload(client, token: token, pid: chosen, file: "scorm/ims_cp/tlf_imscp_lom_package.zip", name: "zouba.zip").0 == .created)
            let kept = try #require(try await client.json(.get, "/api/v1/materials/\(chosen)", token: token).body["metadata"] as? [String: Any])
            #expect(kept["description"] as? String == "Mô tả của giáo viên")
            #expect(kept["keywords"] as? [String] == ["trung"])
        }
    }
}
