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

@Suite("Editing a question over HTTP")
struct QuestionEditTests {
    static func question(_ stem: String) -> Question {
        Question(
            id: "", title: "Phân số", subject: "TOAN", grade: 6, stem: RichText(stem),
            body: .singleChoice(
                ChoiceQuestion(options: [
                    ChoiceOption(id: "a", text: RichText("$\\frac{5}{6}$"), correct: true), ChoiceOption(id: "b", text: RichText("$\\frac{2}{5}$"), correct: false),
                ])))
    }

    /// The question's JSON with some members replaced (what the edit form sends back).
    static func edit(_ question: [String: Any], _ changes: [String: Any]) throws -> String {
        var body: [String: Any] = [:]
        for key in ["title", "stem", "body", "knowledgeUnits"] { body[key] = question[key] }
        for (key, value) in changes { body[key] = value }
        return String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
    }

    @Test("The owner edits a draft: a new version, the old one kept; If-Match required and checked; audited; refused to others")
    func edit() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("gv.a", roles: [.teacher], school: "THCS A")
        try await t.addUser("gv.b", roles: [.teacher], school: "THCS A")
        try await t.addUser("hoi.dong", roles: [.reviewer])
        let ownerID = try #require(try await t.repository.store.credentials(username: "gv.a")?.user.id)
        let id = try await t.repository.store.importQuestions([Self.question("<p>Tính \\(\\frac{1}{2}+\\frac{1}{3}\\)</p>")], ownerID: ownerID, source: nil)[0].id
        try await t.application.test(.router) { client in
            let owner = try await client.login("gv.a", "password-gv.a")
            let other = try await client.login("gv.b", "password-gv.b")
            let reviewer = try await client.login("hoi.dong", "password-hoi.dong")
            let admin = try await client.login("admin", TestRepository.adminPassword)

            // Given the question as GET shows it, with its ETag.
            let first = try await client.json(.get, "/api/v1/questions/\(id)", token: owner)
            #expect(first.status == .ok && first.headers[.eTag] == "\"v1\"")
            let stem = ["html": "<p>Tính \\(\\frac{1}{2}+\\frac{1}{4}\\) và $x^2$</p>", "format": "html"]
            let body = try Self.edit(first.body, ["stem": stem, "knowledgeUnits": ["TOAN.6.SD"]])

            // Without If-Match: 428, bilingual.
            let missing = try await client.json(.put, "/api/v1/questions/\(id)", token: owner, body: body)
            #expect(missing.status == .preconditionRequired)
            #expect((missing.body["messages"] as? [String: String])?["vi"]?.contains("If-Match") == true)

            // When the owner edits with the current version.
            let saved = try await client.json(.put, "/api/v1/questions/\(id)", token: owner, body: body, headers: [.ifMatch: "\"v1\""])
            #expect(saved.status == .ok, "\(saved.body)")
            #expect(saved.body["version"] as? Int == 2 && saved.headers[.eTag] == "\"v2\"")
            #expect((saved.body["stem"] as? [String: Any])?["html"] as? String == stem["html"])
            #expect(saved.body["knowledgeUnits"] as? [String] == ["TOAN.6.SD"] && saved.body["status"] as? String == "draft")

            // Then version 1 is kept as it was (tests pin versions), version 2 is current.
            let v1 = try await client.json(.get, "/api/v1/questions/\(id)/versions/1", token: owner).body
            #expect(((v1["stem"] as? [String: Any])?["html"] as? String)?.contains("frac{1}{3}") == true)
            let v2 = try await client.json(.get, "/api/v1/questions/\(id)/versions/2", token: owner).body
            #expect(((v2["stem"] as? [String: Any])?["html"] as? String)?.contains("frac{1}{4}") == true)

            // A second edit made on version 1 is stale: 412, nothing stored.
            let stale = try await client.json(
                .put, "/api/v1/questions/\(id)", token: owner, body: try Self.edit(first.body, ["title": "Khác"]), headers: [.ifMatch: "\"v1\""])
            #expect(stale.status == .preconditionFailed && stale.headers[.eTag] == "\"v2\"")
            #expect((stale.body["messages"] as? [String: String])?["en"]?.contains("current version 2") == true)
            let malformed = try await client.json(.put, "/api/v1/questions/\(id)", token: owner, body: body, headers: [.ifMatch: "\"v99999999999999999999\""])
            #expect(malformed.status == .badRequest)

            // Invalid content (no right option; a grade out of range; an unknown field): refused with reasons, nothing stored.
            // The body as the question's JSON has it: `{"type": "singleChoice", "options": […], …}`.
            var noKey = try #require(saved.body["body"] as? [String: Any])
            #expect(noKey["type"] as? String == "singleChoice")
            var options = try #require(noKey["options"] as? [[String: Any]])
            #expect(options.count == 2)
            for i in options.indices { options[i]["fraction"] = 0 }
            noKey["options"] = options
            let invalid = try await client.json(
                .put, "/api/v1/questions/\(id)", token: owner, body: try Self.edit(saved.body, ["body": noKey]), headers: [.ifMatch: "\"v2\""])
            #expect(invalid.status == .unprocessableContent, "\(invalid.body)")
            #expect((invalid.body["messages"] as? [String: String])?["vi"]?.isEmpty == false)
            let badGrade = try await client.json(.put, "/api/v1/questions/\(id)", token: owner, body: #"{"grade":13}"#, headers: [.ifMatch: "\"v2\""])
            #expect(badGrade.status == .unprocessableContent)
            let unknown = try await client.json(.put, "/api/v1/questions/\(id)", token: owner, body: #"{"status":"published"}"#, headers: [.ifMatch: "\"v2\""])
            #expect(unknown.status == .badRequest)
            #expect(try await client.json(.get, "/api/v1/questions/\(id)", token: owner).body["version"] as? Int == 2)

            // Others: a teacher who may not see the draft gets 404, the board sees it but may not edit it (403).
            let edit2 = try Self.edit(saved.body, ["title": "Của người khác"])
            #expect(try await client.json(.put, "/api/v1/questions/\(id)", token: other, body: edit2, headers: [.ifMatch: "\"v2\""]).status == .notFound)
            #expect(try await client.json(.put, "/api/v1/questions/\(id)", token: reviewer, body: edit2, headers: [.ifMatch: "\"v2\""]).status == .forbidden)
            // An edit that changes nothing makes no version.
            let same = try await client.json(.put, "/api/v1/questions/\(id)", token: owner, body: body, headers: [.ifMatch: "\"v2\""])
            #expect(same.status == .ok && same.body["version"] as? Int == 2)

            // Published: the owner may no longer edit it; an administrator may, and the edit is a draft for the board.
            #expect(try await client.json(.put, "/api/v1/questions/\(id)/status", token: admin, body: #"{"status":"published"}"#).status == .ok)
            let refused = try await client.json(.put, "/api/v1/questions/\(id)", token: owner, body: edit2, headers: [.ifMatch: "\"v2\""])
            #expect(refused.status == .forbidden && refused.body["type"] as? String == "/problems/question-not-editable")
            let byAdmin = try await client.json(.put, "/api/v1/questions/\(id)", token: admin, body: edit2, headers: [.ifMatch: "W/\"v2\""])
            #expect(byAdmin.status == .ok && byAdmin.body["version"] as? Int == 3 && byAdmin.body["status"] as? String == "draft")
            #expect(try await client.json(.get, "/api/v1/questions/\(id)/versions/2", token: owner).body["status"] as? String == "draft")
        }
        // Each stored edit is one audit event with the versions.
        let events = try await t.repository.store.auditEvents(AuditQuery(action: "question.edited", subject: "question:\(id)"))
        #expect(events.map { $0.details["version"] } == ["2", "3"] && events.map { $0.details["from"] } == ["1", "2"])
    }
}
