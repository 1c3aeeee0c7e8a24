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

@Suite("Blueprints and assembled tests over HTTP")
struct BlueprintAPITests {
    /// A published bank: for each of two units and two levels, `perCell` single-choice questions.
    static func fillBank(_ store: any Store, perCell: Int) async throws {
        var questions: [Question] = []
        for unit in ["TOAN.6.SD.1", "TOAN.6.SD.2"] {
            for level in ["NTVV4.1", "NTVV4.2"] {
                for n in 0..<perCell {
                    let options = (0..<4).map { k in ChoiceOption(id: "abcd".map(String.init)[k], text: RichText("Phương án \(k)"), correct: k == n % 4) }
                    questions.append(
                        Question(
                            id: "", title: "\(unit) \(level) \(n)", subject: "TOAN", grade: 6, knowledgeUnits: ["\(unit).\(n % 3 + 1)"],
                            cognitiveLevel: CognitiveLevelReference(framework: "NTVV4", level: level),
                            stem: RichText("<p>Câu hỏi \(unit) \(level) số \(n)</p>"), body: .singleChoice(ChoiceQuestion(options: options))))
                }
            }
        }
        for outcome in try await store.importQuestions(questions, ownerID: 1, source: "test") {
            _ = try await store.setQuestionStatus(id: outcome.id, .published)
        }
    }

    static var blueprint: Blueprint {
        Blueprint(
            title: "Kiểm tra giữa kì Toán 6", subject: "TOAN", grade: 6, framework: "NTVV4", questionTypes: [.singleChoice], totalPoints: 4,
            rows: ["TOAN.6.SD.1", "TOAN.6.SD.2"].map { code in
                BlueprintRow(
                    code: code, label: code,
                    cells: [
                        BlueprintCell(level: "NTVV4.1", type: .singleChoice, count: 2, pointsPerQuestion: 0.5),
                        BlueprintCell(level: "NTVV4.2", type: .singleChoice, count: 2, pointsPerQuestion: 0.5),
                    ])
            })
    }

    @Test("Store, check against the bank, assemble reproducibly, export the answer keys; a short bank is reported")
    func flow() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await Self.fillBank(t.repository.store, perCell: 3)
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let body = String(decoding: try Self.blueprint.jsonData(), as: UTF8.self)
            let (created, answer, _) = try await client.json(.post, "/api/v1/blueprints", token: token, body: body)
            #expect(created == .created, "\(answer)")
            let id = try #require(answer["id"] as? String)

            let check = try await client.json(.post, "/api/v1/blueprints/\(id)/check", token: token).body
            let cells = try #require(check["cells"] as? [[String: Any]])
            #expect(cells.count == 4 && cells.allSatisfy { $0["available"] as? Int == 3 && $0["required"] as? Int == 2 }, "\(cells)")

            let first = try await client.json(.post, "/api/v1/blueprints/\(id)/tests", token: token, body: #"{"seed":2025,"variants":2,"school":"THCS A"}"#)
            #expect(first.status == .created, "\(first.body)")
            let test = try #require(first.body["test"] as? [String: Any])
            let variants = try #require(test["variants"] as? [[String: Any]])
            #expect(variants.map { $0["code"] as? Int } == [101, 102])
            let selection = try #require(test["selection"] as? [String: Any])
            #expect((selection["items"] as? [Any])?.count == 8 && selection["totalPoints"] as? Double == 4)

            // Same seed, same test; the stored record reads back equal.
            let again = try await client.json(.post, "/api/v1/blueprints/\(id)/tests", token: token, body: #"{"seed":2025,"variants":2}"#).body
            #expect(NSDictionary(dictionary: try #require(again["test"] as? [String: Any])).isEqual(to: test))
            let testID = try #require(first.body["id"] as? String)
            let stored = try await client.json(.get, "/api/v1/tests/\(testID)", token: token).body
            #expect(NSDictionary(dictionary: stored).isEqual(to: test))
            let key = try await client.execute(uri: "/api/v1/tests/\(testID)/answer-key.csv", method: .get, headers: [.authorization: "Bearer \(token)"]) {
                ($0.status, String(buffer: $0.body))
            }
            #expect(key.0 == .ok && key.1.contains("101") && key.1.contains("102"))
            for format in ["docx", "qti21", "qti12", "moodleXML", "gift"] {
                let file = try await client.execute(
                    uri: "/api/v1/tests/\(testID)/variants/102?format=\(format)", method: .get, headers: [.authorization: "Bearer \(token)"]
                ) { ($0.status, Data(buffer: $0.body)) }
                #expect(file.0 == .ok && file.1.count > 100, "\(format)")
                if format == "docx" {
                    #expect(file.1.starts(with: [0x50, 0x4B, 0x03, 0x04]))
                    // The students' paper is stored uncompressed: its text can be searched in the bytes.
                    #expect(file.1.range(of: Data("Đáp án".utf8)) == nil)
                    let teacher = try await client.execute(
                        uri: "/api/v1/tests/\(testID)/variants/102?answers=true", method: .get, headers: [.authorization: "Bearer \(token)"]
                    ) { Data(buffer: $0.body) }
                    #expect(teacher.range(of: Data("Đáp án".utf8)) != nil)
                }
                if format == "qti21" { #expect(file.1.starts(with: [0x50, 0x4B, 0x03, 0x04])) }
                if format == "qti12" { #expect(String(decoding: file.1, as: UTF8.self).contains("questestinterop")) }
                if format == "moodleXML" { #expect(String(decoding: file.1, as: UTF8.self).components(separatedBy: "<question type=\"multichoice\"").count == 9) }
            }
            #expect(try await client.json(.get, "/api/v1/tests/\(testID)/variants/999", token: token).status == .notFound)

            // Avoiding the school's last test (2 of the 3 questions of each cell), the next test has to reuse some.
            let short = try await client.json(
                .post, "/api/v1/blueprints/\(id)/tests", token: token, body: #"{"seed":7,"school":"THCS A","avoidLastTests":1,"allowPartial":false}"#)
            let avoided = try #require((short.status == .created ? short.body["test"] as? [String: Any] : nil)?["selection"] as? [String: Any])
            #expect((avoided["items"] as? [[String: Any]])?.filter { $0["fromRecent"] as? Bool == true }.count ?? 0 > 0)

            let matrix = try await client.execute(uri: "/api/v1/blueprints/\(id)/matrix.csv", method: .get, headers: [.authorization: "Bearer \(token)"]) {
                String(buffer: $0.body)
            }
            #expect(matrix.contains("TOAN.6.SD.1"))
            let invalid = try await client.json(.post, "/api/v1/blueprints", token: token, body: #"{"title":"x","framework":"NTVV4","questionTypes":[],"totalPoints":10,"rows":[]}"#)
            #expect(invalid.status == .unprocessableContent)
            #expect(try await client.json(.post, "/api/v1/blueprints/\(id)/check").status == .unauthorized)
        }
    }
}
