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

@Suite("The question bank over HTTP")
struct QuestionBankTests {
    static let questions = PackageUploadTests.corpus.appendingPathComponent("moodle-question")

    func importFile(
        _ client: some TestClientProtocol, token: String, _ data: Data, query: String = ""
    ) async throws -> (status: HTTPResponse.Status, body: [String: Any]) {
        try await client.execute(
            uri: "/api/v1/question-imports\(query)", method: .post, headers: [.authorization: "Bearer \(token)"], body: ByteBuffer(data: data)
        ) { response in
            (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
        }
    }

    @Test("Moodle XML with media: stored as drafts, sanitised, media as blobs; re-import changes nothing", .needsCorpus)
    func moodle() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        let file = try Data(contentsOf: Self.questions.appendingPathComponent("xml/format_xml_fixtures/multichoice.xml"))
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let first = try await importFile(client, token: token, file, query: "?filename=multichoice.xml&subject=TOAN")
            #expect(first.status == .created, "\(first.body)")
            #expect(first.body["created"] as? Int == 1 && first.body["format"] as? String == "moodleXML")
            let stored = try #require((first.body["stored"] as? [[String: Any]])?.first)
            let id = try #require(stored["id"] as? String)
            #expect(id.hasPrefix("79-760-Q-"))
            let blobs = t.blobCount
            #expect(blobs == 5, "the five images are blobs")

            let question = try await client.json(.get, "/api/v1/questions/\(id)", token: token).body
            #expect(question["status"] as? String == "draft" && question["subject"] as? String == "TOAN")
            let media = try #require(question["media"] as? [[String: Any]])
            #expect(media.count == 5 && media.allSatisfy { ($0["contentID"] as? String)?.count == 64 && ($0["data"] as? String) == "" })

            let again = try await importFile(client, token: token, file, query: "?filename=multichoice.xml&subject=TOAN")
            #expect(again.status == .ok && again.body["unchanged"] as? Int == 1 && again.body["created"] as? Int == 0)
            #expect(t.blobCount == blobs)
        }
    }

    @Test("GIFT counts by type; Aiken with errors is refused whole unless partial import is asked", .needsCorpus)
    func policy() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let gift = try await importFile(client, token: token, Data(contentsOf: Self.questions.appendingPathComponent("gift/questions.gift.txt")))
            // The file holds "2-08 TSL" twice ({T} and {TRUE}): the bank keeps it once.
            #expect(gift.status == .created && gift.body["created"] as? Int == 8 && gift.body["unchanged"] as? Int == 1)
            let ids = try #require(gift.body["stored"] as? [[String: Any]]).compactMap { $0["id"] as? String }
            #expect(ids.count == 9 && Set(ids).count == 8)
            let byType = try #require(gift.body["byType"] as? [String: Int])
            #expect(byType["trueFalse"] == 3 && byType.values.reduce(0, +) == 9, "\(byType)")

            let aiken = try Data(contentsOf: Self.questions.appendingPathComponent("other-formats/aiken/aiken_errors.txt"))
            let refused = try await importFile(client, token: token, aiken, query: "?format=aiken")
            #expect(refused.status == .unprocessableContent && refused.body["refused"] as? Bool == true)
            let report = try #require(refused.body["report"] as? [String: Any])
            let entries = try #require(report["entries"] as? [[String: Any]])
            #expect(entries.filter { $0["outcome"] as? String == "invalid" }.count == 3)
            let partial = try await importFile(client, token: token, aiken, query: "?format=aiken&partial=true")
            #expect(partial.status == .created && partial.body["created"] as? Int == 3)
            let list = try await client.json(.get, "/api/v1/questions?type=singleChoice&limit=2", token: token).body
            #expect((list["items"] as? [Any])?.count == 2 && list["next"] is String)
        }
    }

    @Test("QTI 2.1 items and QTI 1.2 files go through the same door, detected or named", .needsCorpus)
    func qti() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        let qti = PackageUploadTests.corpus.appendingPathComponent("qti")
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let item = try await importFile(client, token: token, Data(contentsOf: qti.appendingPathComponent("v2p1/qtisdk_ims_samples/items/2_1/choice.xml")))
            #expect(item.status == .created && item.body["format"] as? String == "qti21" && item.body["byType"] as? [String: Int] == ["singleChoice": 1])
            let named = try await importFile(
                client, token: token, Data(contentsOf: qti.appendingPathComponent("v2p1/qtisdk_ims_samples/items/2_1/choice.xml")), query: "?format=qti21")
            #expect(named.status == .ok && named.body["unchanged"] as? Int == 1)
        }
    }

    @Test("A changed question with the same idnumber becomes version 2; the old version stays readable")
    func versions() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        @Sendable func moodle(_ stem: String) -> Data {
            Data("""
                <?xml version="1.0" encoding="UTF-8"?>
                <quiz><question type="truefalse"><name><text>Phân số</text></name>
                <questiontext format="html"><text><![CDATA[<p>\(stem)</p><script>alert(1)</script>]]></text></questiontext>
                <idnumber>PS-1</idnumber><defaultgrade>1</defaultgrade>
                <answer fraction="100" format="moodle_auto_format"><text>true</text></answer>
                <answer fraction="0" format="moodle_auto_format"><text>false</text></answer></question></quiz>
                """.utf8)
        }
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let first = try await importFile(client, token: token, moodle("1/2 lớn hơn 1/3"))
            let id = try #require(((first.body["stored"] as? [[String: Any]])?.first?["id"]) as? String)
            let second = try await importFile(client, token: token, moodle("1/2 lớn hơn 1/4"))
            #expect(second.body["updated"] as? Int == 1)
            let current = try await client.json(.get, "/api/v1/questions/\(id)", token: token).body
            #expect(current["version"] as? Int == 2)
            let stem = try #require((current["stem"] as? [String: Any])?["html"] as? String)
            #expect(stem.contains("1/4") && !stem.contains("<script"), "sanitised: \(stem)")
            let old = try await client.json(.get, "/api/v1/questions/\(id)/versions/1", token: token).body
            #expect(((old["stem"] as? [String: Any])?["html"] as? String)?.contains("1/3") == true)
        }
    }

    @Test("Access: anonymous 401, teachers import but cannot publish, the board publishes", .needsCorpus)
    func access() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("teacher1", roles: [.teacher])
        try await t.addUser("board1", roles: [.reviewer])
        try await t.application.test(.router) { client in
            #expect(try await client.json(.get, "/api/v1/questions").status == .unauthorized)
            let teacher = try await client.login("teacher1", "password-teacher1")
            let imported = try await importFile(
                client, token: teacher, Data(contentsOf: Self.questions.appendingPathComponent("other-formats/aiken/questions.aiken.txt")))
            #expect(imported.status == .created)
            let id = try #require(((imported.body["stored"] as? [[String: Any]])?.first?["id"]) as? String)
            #expect(try await client.json(.put, "/api/v1/questions/\(id)/status", token: teacher, body: #"{"status":"published"}"#).status == .forbidden)
            let board = try await client.login("board1", "password-board1")
            let published = try await client.json(.put, "/api/v1/questions/\(id)/status", token: board, body: #"{"status":"published"}"#)
            #expect(published.status == .ok && published.body["status"] as? String == "published")
            let list = try await client.json(.get, "/api/v1/questions?status=published", token: teacher).body
            #expect((list["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            let hostile = try await importFile(
                client, token: teacher, Data(#"<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]><quiz>&x;</quiz>"#.utf8))
            #expect(hostile.status == .unprocessableContent)
        }
    }
}
