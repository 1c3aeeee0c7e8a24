import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuServer
@testable import HoclieuApp
import HoclieuStorage
import Hummingbird
import HummingbirdTesting
import JWTKit
import LTI
import NIOCore
import NIOFoundationCompat
import Testing

/// A platform stand-in on a live loopback port: its key set, an OAuth token endpoint and AGS score
/// endpoints (one that records, one that is down).
actor PlatformRecorder {
    struct Received: Sendable {
        var path: String
        var userID: String?
        var scoreGiven: Double?
        var scoreMaximum: Double?
    }
    var scores: [Received] = []
    func add(_ path: String, _ body: [String: Any]) {
        scores.append(Received(path: path, userID: body["userId"] as? String, scoreGiven: body["scoreGiven"] as? Double, scoreMaximum: body["scoreMaximum"] as? Double))
    }
    func last() -> Received? { scores.last }
    var count: Int { scores.count }
}

struct LaunchClaimsPayload: JWTPayload {
    var iss: String
    var aud: String
    var sub = "learner-42"
    var iat: Int
    var exp: Int
    var nonce: String
    var messageType = "LtiResourceLinkRequest"
    var version = "1.3.0"
    var deploymentID = "dep-1"
    var targetLinkURI: String
    var resourceLink = ["id": "rl-1"]
    var roles: [String]
    var custom: [String: String]
    var ags: [String: [String]]?
    var agsLineItem: AGSLine?
    var deepLinking: DeepLinkingSettings?
    var nrps: [String: String]?
    struct DeepLinkingSettings: Codable, Sendable {
        var deep_link_return_url: String
        var accept_types: [String]
        var accept_multiple: Bool
    }
    struct AGSLine: Codable, Sendable {
        var scope: [String]
        var lineitem: String
    }
    enum CodingKeys: String, CodingKey {
        case iss, aud, sub, iat, exp, nonce
        case messageType = "https://purl.imsglobal.org/spec/lti/claim/message_type"
        case version = "https://purl.imsglobal.org/spec/lti/claim/version"
        case deploymentID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
        case targetLinkURI = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
        case resourceLink = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
        case roles = "https://purl.imsglobal.org/spec/lti/claim/roles"
        case custom = "https://purl.imsglobal.org/spec/lti/claim/custom"
        case agsLineItem = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
        case deepLinking = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
        case nrps = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
    }
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

@Suite("LTI question-set quiz, server-side scoring and the teacher's score view (HTTP)")
struct LTIQuizTests {
    static let issuer = "https://lms.quiz.example"
    static let learner = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
    static let instructor = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"

    /// Three questions: single choice (1 point), a Đúng/Sai cluster (1 point, scored by the 0.1/0.25/0.5/1 table),
    /// a numeric answer with a tolerance (1 point).
    static let questions: [Question] = [
        Question(
            id: "q-choice", title: "Chọn", stem: RichText("Số nào là số nguyên tố?"),
            body: .singleChoice(ChoiceQuestion(options: [
                ChoiceOption(id: "a", text: RichText("Bốn"), correct: false), ChoiceOption(id: "b", text: RichText("Năm"), correct: true),
            ]))),
        Question(
            id: "q-cluster", title: "Đúng/Sai", stem: RichText("Xét các mệnh đề:"),
            body: .trueFalseCluster(TrueFalseCluster(statements: [
                ClusterStatement(label: "a", text: RichText("2 là số chẵn"), isTrue: true),
                ClusterStatement(label: "b", text: RichText("9 là số nguyên tố"), isTrue: false),
                ClusterStatement(label: "c", text: RichText("1/2 = 0,5"), isTrue: true),
                ClusterStatement(label: "d", text: RichText("0 là số tự nhiên"), isTrue: true),
            ]))),
        Question(
            id: "q-numeric", title: "Số", stem: RichText("3 : 2 = ?"),
            body: .numeric(NumericQuestion(keys: [NumericKey(answer: "1,5", tolerance: 0.01)]))),
    ]

    func platformApp(ring: ToolKeyRing, recorder: PlatformRecorder) -> some ApplicationProtocol {
        let router = Router()
        router.get("/jwks") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: ring.jwksJSON)))
        }
        router.post("/token") { request, _ in
            let form = String(buffer: try await request.body.collect(upTo: 64 * 1024))
            guard form.contains("client_assertion=") else { return Response(status: .badRequest) }
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"access_token":"t-1","token_type":"Bearer","expires_in":3600}"#)))
        }
        // Names and Role Provisioning Services: the course's members, behind the membership scope's token.
        router.get("/memberships") { request, _ in
            guard request.headers[.authorization] == "Bearer t-1", request.headers[.accept] == AGSClient.membershipMediaType else {
                return Response(status: .unauthorized)
            }
            let members = #"{"id":"m","context":{"id":"c1"},"members":[{"user_id":"learner-42","name":"Nguyễn Văn A","roles":["Learner"]}]}"#
            return Response(status: .ok, headers: [.contentType: AGSClient.membershipMediaType], body: .init(byteBuffer: ByteBuffer(string: members)))
        }
        router.post("/lineitems/{id}/scores") { request, context in
            let id = try context.parameters.require("id")
            if id == "broken" { return Response(status: .internalServerError) }
            guard request.headers[.authorization] == "Bearer t-1", request.headers[.contentType] == AGSClient.scoreMediaType else {
                return Response(status: .unauthorized)
            }
            let body = try JSONSerialization.jsonObject(with: Data(buffer: try await request.body.collect(upTo: 64 * 1024))) as? [String: Any] ?? [:]
            await recorder.add(request.uri.path, body)
            return Response(status: .ok)
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    /// Login initiation and a signed launch; returns the launch response's status and page.
    func launch(
        _ client: some TestClientProtocol, ring: ToolKeyRing, clientID: String, roles: [String], pid: String, lineItem: String?,
        deepLinking: Bool = false, memberships: String? = nil
    ) async throws -> (HTTPResponse.Status, String) {
        let (status, page, _) = try await launchWithHeaders(
            client, ring: ring, clientID: clientID, roles: roles, pid: pid, lineItem: lineItem, deepLinking: deepLinking, memberships: memberships)
        return (status, page)
    }

    func launchWithHeaders(
        _ client: some TestClientProtocol, ring: ToolKeyRing, clientID: String, roles: [String], pid: String, lineItem: String?,
        deepLinking: Bool = false, memberships: String? = nil
    ) async throws -> (HTTPResponse.Status, String, HTTPFields) {
        let target = "http://hoclieu.test/lti/launch"
        let query = "iss=\(Self.issuer)&login_hint=u1&target_link_uri=\(target)&client_id=\(clientID)"
            .addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!
        let (location, cookie) = try await client.execute(uri: "/lti/login?" + query, method: .get) { response in
            #expect(response.status == .found)
            return (response.headers[.location] ?? "", (response.headers[.setCookie] ?? "").components(separatedBy: ";")[0])
        }
        let items = URLComponents(string: location)?.queryItems ?? []
        let state = try #require(items.first { $0.name == "state" }?.value)
        let nonce = try #require(items.first { $0.name == "nonce" }?.value)
        let now = Int(Date().timeIntervalSince1970)
        let token = try await ring.sign(
            LaunchClaimsPayload(
                iss: Self.issuer, aud: clientID, iat: now, exp: now + 300, nonce: nonce,
                messageType: deepLinking ? "LtiDeepLinkingRequest" : "LtiResourceLinkRequest", targetLinkURI: target, roles: roles,
                custom: [LinkParameter.pid: pid], agsLineItem: lineItem.map { .init(scope: [AGSClient.scoreScope], lineitem: $0) },
                deepLinking: deepLinking
                    ? .init(deep_link_return_url: "https://lms.quiz.example/return", accept_types: ["ltiResourceLink"], accept_multiple: true) : nil,
                nrps: memberships.map { ["context_memberships_url": $0, "service_versions": "2.0"] }))
        let form = "id_token=\(token)&state=\(state.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
        return try await client.execute(
            uri: "/lti/launch", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie], body: ByteBuffer(string: form)
        ) { ($0.status, String(buffer: $0.body), $0.headers) }
    }

    static func hidden(_ html: String, _ name: String) -> String? {
        guard let r = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[r.upperBound...]
        return rest.prefix { $0 != "\"" }.replacingOccurrences(of: "&amp;", with: "&")
    }

    @Test("A question set launched by a learner is a quiz without answers; the server scores the answers and AGS receives that score; a client score is refused; the instructor sees posted and failed scores")
    func quizScoredOnTheServer() async throws {
        let t = try await TestRepository(publicBaseURL: "http://hoclieu.test")
        defer { t.cleanup() }
        let platformRing = try await ToolKeyRing(keys: [try ToolKey.generate()])
        let recorder = PlatformRecorder()
        // The question set, stored as a cartridge import stores it.
        let data = try QuestionSetFile(title: "Kiểm tra 15 phút", isBank: false, questions: Self.questions).jsonData()
        let writer = try t.repository.blobs.makeWriter()
        try data.withUnsafeBytes { try writer.write($0) }
        let blob = try writer.commit()
        let set = try await t.repository.store.createMaterial(
            MaterialDraft(kind: .questionSet, format: "qti12", metadata: MaterialMetadata(title: "Kiểm tra 15 phút", subjects: ["TOAN"]), status: .published),
            ownerID: 1,
            firstVersion: VersionDraft(
                contentID: blob.contentID, fileName: "questions.json", mediaType: QuestionSetFile.mediaType, byteSize: blob.byteSize, createdBy: 1))

        try await platformApp(ring: platformRing, recorder: recorder).test(.live) { platform in
            let base = "http://127.0.0.1:\(try #require(platform.port))"
            try await t.application.test(.router) { client in
                let admin = try await client.login("admin", TestRepository.adminPassword)
                let clientID = "quiz-tool"
                let registered = try await client.json(
                    .post, "/api/v1/lti/platforms", token: admin,
                    body: #"{"issuer":"\#(Self.issuer)","clientId":"\#(clientID)","deploymentIds":["dep-1"],"authUrl":"\#(base)/auth","tokenUrl":"\#(base)/token","jwksUrl":"\#(base)/jwks"}"#)
                #expect(registered.status == .created)

                // Given a learner's launch with a line item
                let (status, page) = try await launch(
                    client, ring: platformRing, clientID: clientID, roles: [Self.learner], pid: set.pid.rawValue, lineItem: base + "/lineitems/1")
                #expect(status == .ok, "\(page.prefix(300))")
                #expect(page.contains("action=\"/lti/quiz\"") && page.contains("Nộp bài"))
                // No answers and no score ticket in the page.
                #expect(!page.contains("1,5") && !page.contains("data-ticket") && !page.contains("fraction") && !page.contains("isTrue"))
                #expect(!page.contains("id=\"scores\""), "a learner does not see the class's scores")
                let attempt = try #require(Self.hidden(page, "attempt"))

                // When the learner answers: right choice, 3 of 4 statements right (0.5), 1.5 with a decimal point
                let answers = [
                    ("attempt", attempt), ("q0", "b"), ("q1.a", "true"), ("q1.b", "false"), ("q1.c", "true"), ("q1.d", "false"), ("q2", "1.5"),
                    ("scoreGiven", "3"),
                ]
                let form = answers.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&")
                let result = try await client.execute(
                    uri: "/lti/quiz", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: form)
                ) { ($0.status, String(buffer: $0.body)) }

                // Then the server's score (2.5 of 3) is shown and is what the platform received
                #expect(result.0 == .ok)
                #expect(result.1.contains("<strong id=\"total\">2.50/3</strong>"), "\(result.1.prefix(400))")
                #expect(result.1.contains("class=\"posted\""))
                let received = try #require(await recorder.last())
                #expect(received.path == "/lineitems/1/scores")
                #expect(received.scoreGiven == 2.5 && received.scoreMaximum == 3)
                #expect(received.userID == "learner-42")

                // A forged attempt is refused with a clear page
                let forged = try await client.execute(
                    uri: "/lti/quiz", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "attempt=\(attempt.dropLast(2))xx&q0=b")
                ) { ($0.status, String(buffer: $0.body)) }
                #expect(forged.0.code >= 400 && forged.0.code < 500 && forged.1.contains("Không mở được"))

                // A client-supplied score for a question set is refused, even with a valid sealed ticket
                let ticket = try t.repository.seal(
                    LTIScoreTicket(platformID: 1, lineItem: base + "/lineitems/1", userID: "learner-42", pid: set.pid.rawValue, expires: Date().timeIntervalSince1970 + 60))
                let refused = try await client.json(.post, "/lti/score", body: #"{"ticket":"\#(ticket)","scoreGiven":3,"scoreMaximum":3}"#)
                #expect(refused.status == .forbidden && refused.body["type"] as? String == "/problems/lti-score-server-side")
                #expect(await recorder.count == 1)

                // A post that fails (the platform's endpoint is down) is recorded as failed
                let (_, brokenPage) = try await launch(
                    client, ring: platformRing, clientID: clientID, roles: [Self.learner], pid: set.pid.rawValue, lineItem: base + "/lineitems/broken")
                let brokenAttempt = try #require(Self.hidden(brokenPage, "attempt"))
                let failed = try await client.execute(
                    uri: "/lti/quiz", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                    body: ByteBuffer(string: "attempt=\(brokenAttempt.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)&q0=a")
                ) { String(buffer: $0.body) }
                #expect(failed.contains("class=\"failed\"") && failed.contains("0/3"))

                // The instructor of each line item sees its scores with their status
                let (_, teacherPage) = try await launch(
                    client, ring: platformRing, clientID: clientID, roles: [Self.instructor], pid: set.pid.rawValue, lineItem: base + "/lineitems/1")
                #expect(teacherPage.contains("Scores sent to the LMS") && teacherPage.contains("learner-42") && teacherPage.contains("Đã gửi / Posted"))
                #expect(teacherPage.contains("2.50/3") && !teacherPage.contains("Nguyễn Văn A"))
                // With Names and Role Provisioning Services, the teacher sees the learner's name
                let (_, namedPage) = try await launch(
                    client, ring: platformRing, clientID: clientID, roles: [Self.instructor], pid: set.pid.rawValue, lineItem: base + "/lineitems/1",
                    memberships: base + "/memberships")
                #expect(namedPage.contains("Nguyễn Văn A (learner-42)"))
                let (_, brokenTeacher) = try await launch(
                    client, ring: platformRing, clientID: clientID, roles: [Self.instructor], pid: set.pid.rawValue, lineItem: base + "/lineitems/broken")
                #expect(brokenTeacher.contains("Gửi không được / Failed: HTTP 500") || brokenTeacher.contains("Gửi không được / Failed"))
                #expect(!brokenTeacher.contains("Đã gửi / Posted"))

                // Another material plays in the content-origin player; its score comes from the player's run-time,
                // accepted by the launch page only from that frame and the content origin, and sent with a sealed ticket.
                let lessonWriter = try t.repository.blobs.makeWriter()
                try Data("<html><body>Bài học</body></html>".utf8).withUnsafeBytes { try lessonWriter.write($0) }
                let lessonBlob = try lessonWriter.commit()
                let lesson = try await t.repository.store.createMaterial(
                    MaterialDraft(kind: .lesson, format: "text/html", metadata: MaterialMetadata(title: "Bài học", subjects: ["TOAN"]), status: .published),
                    ownerID: 1,
                    firstVersion: VersionDraft(
                        contentID: lessonBlob.contentID, fileName: "bai.html", mediaType: "text/html", byteSize: lessonBlob.byteSize, createdBy: 1))
                let (_, playerPage, playerHeaders) = try await launchWithHeaders(
                    client, ring: platformRing, clientID: clientID, roles: [Self.learner], pid: lesson.pid.rawValue, lineItem: base + "/lineitems/1")
                // The page may call its own origin's /lti/score (and nothing else).
                #expect(playerHeaders[.contentSecurityPolicy]?.contains("connect-src 'self'") == true)
                #expect(playerPage.contains("data-ticket=") && playerPage.contains("data-origin=\"\(t.repository.configuration.contentBaseURL)\""))
                #expect(playerPage.contains("ev.source !== player.contentWindow || ev.origin !== holder.dataset.origin"))
                // An H5P activity's top-level answered/completed statement (not a sub-content's) carries the score too.
                #expect(playerPage.contains("(ev.data || {}).hoclieuXAPI") && playerPage.contains("(Array.isArray(parent) && parent.length)"))
                #expect(playerPage.contains("<iframe id=\"player\" src=\"\(t.repository.configuration.contentBaseURL)/preview/\(lesson.pid.rawValue)@v1/"))
            }
        }
    }

    static func form(_ pairs: [(String, String)]) -> ByteBuffer {
        ByteBuffer(string: pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&"))
    }

    @Test("The deep-linking picker browses the catalogue (môn → lớp → chủ đề → yêu cầu cần đạt), narrows the materials to a node, searches without diacritics inside it, and signs a multi-select")
    func pickerBrowsesTheCatalogue() async throws {
        let t = try await TestRepository(publicBaseURL: "http://hoclieu.test")
        defer { t.cleanup() }
        _ = try await t.repository.loadCatalog(from: try CatalogAPITests.folder(toan: CatalogAPITests.toan))
        let platformRing = try await ToolKeyRing(keys: [try ToolKey.generate()])
        try await platformApp(ring: platformRing, recorder: PlatformRecorder()).test(.live) { platform in
            let base = "http://127.0.0.1:\(try #require(platform.port))"
            try await t.application.test(.router) { client in
                let admin = try await client.login("admin", TestRepository.adminPassword)
                func create(_ title: String, unit: String) async throws -> String {
                    let made = try await client.json(
                        .post, "/api/v1/materials", token: admin,
                        body: #"{"kind":"lesson","title":"\#(title)","subjects":["TOAN"],"grades":[6],"knowledgeUnits":["\#(unit)"],"status":"published","reason":"kiểm thử LTI"}"#)
                    #expect(made.status == .created, "\(made.body)")
                    return try #require(made.body["pid"] as? String)
                }
                let fractions = try await create("Phân số âm", unit: "TOAN.6.SD.2.1")
                let naturals = try await create("Số tự nhiên và phép đếm", unit: "TOAN.6.SD.1")
                _ = try await client.json(
                    .post, "/api/v1/lti/platforms", token: admin,
                    body: #"{"issuer":"\#(Self.issuer)","clientId":"picker","deploymentIds":["dep-1"],"authUrl":"\#(base)/auth","tokenUrl":"\#(base)/token","jwksUrl":"\#(base)/jwks"}"#)
                let (status, page) = try await launch(
                    client, ring: platformRing, clientID: "picker", roles: [Self.instructor], pid: "", lineItem: nil, deepLinking: true)
                #expect(status == .ok, "\(page.prefix(300))")
                #expect(page.contains("value=\"subject:TOAN\"") && page.contains(fractions) && page.contains(naturals))
                let context = try #require(Self.hidden(page, "context"))
                func pick(_ pairs: [(String, String)]) async throws -> String {
                    try await client.execute(
                        uri: "/lti/deep-link", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                        body: Self.form([("context", context)] + pairs)
                    ) { String(buffer: $0.body) }
                }
                // môn → lớp → mạch
                let subject = try await pick([("node", "subject:TOAN")])
                #expect(subject.contains("value=\"TOAN.6\"") && subject.contains("Lớp TOAN.6"))
                let grade = try await pick([("node", "TOAN.6")])
                #expect(grade.contains("value=\"TOAN.6.SD\""))
                // chủ đề Phân số → its outcomes, and only the materials tagged below it
                let topic = try await pick([("node", "TOAN.6.SD.2")])
                #expect(topic.contains("value=\"TOAN.6.SD.2.1\"") && topic.contains("value=\"TOAN.6.SD.2.2\"") && topic.contains("Yêu cầu cần đạt"))
                #expect(topic.contains(fractions) && !topic.contains(naturals))
                #expect(topic.contains("Toán") && topic.contains("name=\"at\" value=\"TOAN.6.SD.2\""))
                // a search without diacritics stays inside the node
                let searched = try await pick([("at", "TOAN.6.SD.2"), ("q", "phan so"), ("action", "search")])
                #expect(searched.contains(fractions) && !searched.contains(naturals))
                let other = try await pick([("at", "TOAN.6.SD.2"), ("q", "so tu nhien"), ("action", "search")])
                #expect(!other.contains(naturals))
                // multi-select: one signed response with both links
                let chosen = try await pick([("action", "select"), ("pid", fractions), ("pid", naturals), ("policy", "latest")])
                let jwt = try #require(Self.hidden(chosen, "JWT"))
                let payload = try #require(Data(base64URLEncoded: String(jwt.split(separator: ".")[1])))
                let claims = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
                let items = try #require(claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"] as? [[String: Any]])
                #expect(items.count == 2)
                #expect(Set(items.compactMap { ($0["custom"] as? [String: String])?[LinkParameter.pid] }) == [fractions, naturals])
            }
        }
    }
}
