import CommonCartridge
import ContentPackages
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

/// Regression tests for the defects found when the service was attacked (issue "Trust first"). Each failed on
/// the code before the fix; the comment names the defect.
@Suite("Trust: access policy and attacks")
struct TrustTests {
    /// A small Common Cartridge 1.3: one page per `(identifier, title, text)`, under one organisation.
    static func cartridge(identifier: String, pages: [(id: String, title: String, text: String)]) -> Data {
        let items = pages.map { #"<item identifier="I_\#($0.id)" identifierref="\#($0.id)"><title>\#($0.title)</title></item>"# }.joined()
        let resources = pages.map {
            #"<resource identifier="\#($0.id)" type="webcontent" href="\#($0.id)/page.html"><file href="\#($0.id)/page.html"/></resource>"#
        }.joined()
        let manifest = """
            <?xml version="1.0" encoding="UTF-8"?>
            <manifest identifier="\(identifier)" xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1">
              <metadata><schema>IMS Common Cartridge</schema><schemaversion>1.3.0</schemaversion></metadata>
              <organizations><organization identifier="O" structure="rooted-hierarchy"><item identifier="root">\(items)</item></organization></organizations>
              <resources>\(resources)</resources>
            </manifest>
            """
        let files = pages.map { ("\($0.id)/page.html", Data("<html><body><h1>\($0.title)</h1><p>\($0.text)</p></body></html>".utf8)) }
        return StoredZipWriter.archive([("imsmanifest.xml", Data(manifest.utf8))] + files)
    }

    static func importCartridge(_ t: TestRepository, _ data: Data, owner: String, options: CartridgeImportOptions = .init()) async throws
        -> CartridgeImportReport
    {
        let url = t.folder.appendingPathComponent("\(UUID().uuidString).imscc")
        try data.write(to: url)
        let user = try #require(try await t.repository.store.credentials(username: owner)?.user)
        return try await t.repository.importCartridge(at: url, fileName: "course.imscc", ownerID: user.id, options: options)
    }

    func get(_ client: some TestClientProtocol, _ uri: String, token: String? = nil) async throws -> (HTTPResponse.Status, String, HTTPFields) {
        try await client.execute(uri: uri, method: .get, headers: token.map { [.authorization: "Bearer \($0)"] } ?? [:]) {
            ($0.status, String(buffer: $0.body), $0.headers)
        }
    }

    // Defect 2: visibility was a plain word in the search index.
    @Test("Typing the index's visibility words finds no one's private draft, and facets count none")
    func visibilityIsNoWord() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("gv.a", roles: [.teacher])
        try await t.addUser("gv.b", roles: [.teacher])
        try await t.application.test(.router) { client in
            let a = try await client.login("gv.a", "password-gv.a")
            let b = try await client.login("gv.b", "password-gv.b")
            _ = try await client.createMaterial(token: a, #"{"kind":"document","title":"Bản nháp riêng","description":"pub sig all own","visibility":"private"}"#)
            for query in ["pub", "pub&status=draft", "sig", "all", "own", "_pub", "own_2"] {
                let anonymous = try await client.json(.get, "/api/v1/search?q=\(query)&facets=status")
                #expect(anonymous.status == .ok && (anonymous.body["items"] as? [Any])?.isEmpty == true, "anonymous q=\(query): \(anonymous.body)")
                let other = try await client.json(.get, "/api/v1/search?q=\(query)&facets=status,visibility", token: b)
                #expect((other.body["items"] as? [Any])?.isEmpty == true, "another teacher q=\(query): \(other.body)")
                #expect("\(other.body["facets"] ?? "")".contains("draft") == false)
            }
            // The owner still finds it by its words.
            let own = try await client.json(.get, "/api/v1/search?q=pub", token: a)
            #expect((own.body["items"] as? [Any])?.count == 1)
        }
    }

    // Defect 3 (and the cartridge-identity half of the export issue): provenance was global.
    @Test("A second teacher's cartridge with the same provenance never replaces the first teacher's published course")
    func provenanceIsScoped() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("gv.a", roles: [.teacher])
        try await t.addUser("gv.b", roles: [.teacher])
        let original = Self.cartridge(identifier: "cctd0015", pages: [("T_000002_R", "Video: Why Program", "Lập trình")])
        let first = try await Self.importCartridge(t, original, owner: "gv.a", options: .init(sourceSystem: "moodle:school-a"))
        let victim = try #require(first.items.first?.pid)
        _ = try await t.repository.store.updateMaterial(victim, metadata: nil, visibility: .public, status: .published)

        // The attacker copies the public provenance and imports other content under it.
        let hostile = Self.cartridge(identifier: "cctd0015", pages: [("T_000002_R", "Video: Why Program", "Nội dung hoá học")])
        let second = try await Self.importCartridge(t, hostile, owner: "gv.b", options: .init(sourceSystem: "moodle:school-a"))
        #expect(second.created == 2 && second.updated == 0)
        let after = try #require(try await t.repository.store.material(victim))
        let teacherA = try #require(try await t.repository.store.credentials(username: "gv.a")?.user.id)
        #expect(after.currentVersion == 1 && after.ownerID == teacherA)
        #expect(try #require(second.items.first?.pid) != victim)

        // Two different courses of one owner that share a template manifest identifier both stay intact.
        let chemistry = Self.cartridge(identifier: "cctd0015", pages: [("T_000002_R", "Bài tập hoá học", "Phản ứng")])
        let third = try await Self.importCartridge(t, chemistry, owner: "gv.a")
        let fourth = try await Self.importCartridge(t, original, owner: "gv.a")
        #expect(third.created == 2 && fourth.created == 2, "different courses: \(third.text)\n\(fourth.text)")
        // The same course again is recognised; `replaces` of someone else's course is refused.
        let again = try await Self.importCartridge(t, original, owner: "gv.a")
        #expect(again.created == 0 && again.unchanged == 2)
        await #expect(throws: AppError.self) {
            try await Self.importCartridge(t, chemistry, owner: "gv.b", options: .init(replaces: first.coursePackage?.pid))
        }
    }

    // Defect 4: a course's members were exported without asking whether the caller may see them.
    @Test("An export leaves out course members the caller may not see, and says so")
    func exportWithholds() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("gv.a", roles: [.teacher])
        try await t.addUser("gv.b", roles: [.teacher])
        let report = try await Self.importCartridge(
            t, Self.cartridge(identifier: "C1", pages: [("R1", "Bài công khai", "a"), ("R2", "Bài nháp bí mật", "b")]), owner: "gv.a")
        let course = try #require(report.coursePackage?.pid)
        let open = try #require(report.items.first { $0.resource == "R1" }?.pid)
        for pid in [course, open] { _ = try await t.repository.store.updateMaterial(pid, metadata: nil, visibility: .public, status: .published) }
        let b = try #require(try await t.repository.store.credentials(username: "gv.b")?.user)
        let (request, withheld) = try await t.repository.cartridgeRequest(ExportSelection(pids: [course]), format: .cc1p3, target: nil, user: b)
        #expect(request.items.map(\.metadata.title) == ["Bài công khai"])
        #expect(withheld.count == 1 && withheld[0].code == "withheld")
        // The outline over HTTP: the hidden member is gone, title included.
        try await t.application.test(.router) { client in
            let token = try await client.login("gv.b", "password-gv.b")
            let outline = try await get(client, "/api/v1/materials/\(course)/outline", token: token)
            #expect(outline.0 == .ok && outline.1.contains("Bài công khai") && !outline.1.contains("bí mật"))
        }
    }

    // Defect 12: `javascript:` links from cartridges were stored and exported again.
    @Test("Cartridge links that are not http(s) are dropped with a warning; a scheme-less host gets https")
    func unsafeLinks() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("gv.a", roles: [.teacher])
        func link(_ href: String) -> Data {
            Data(#"<?xml version="1.0"?><webLink xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imswl_v1p3"><title>L</title><url href="\#(href)"/></webLink>"#.utf8)
        }
        let manifest = """
            <?xml version="1.0" encoding="UTF-8"?>
            <manifest identifier="LINKS" xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1">
              <metadata><schema>IMS Common Cartridge</schema><schemaversion>1.3.0</schemaversion></metadata>
              <organizations/>
              <resources>
                <resource identifier="JS" type="imswl_xmlv1p3"><file href="js.xml"/></resource>
                <resource identifier="YT" type="imswl_xmlv1p3"><file href="yt.xml"/></resource>
              </resources>
            </manifest>
            """
        let data = StoredZipWriter.archive([
            ("imsmanifest.xml", Data(manifest.utf8)), ("js.xml", link("javascript:alert(document.cookie)")), ("yt.xml", link("youtube.com/watch?v=1")),
        ])
        let report = try await Self.importCartridge(t, data, owner: "gv.a")
        #expect(report.warnings.filter { $0.code == "unsafeLink" }.map(\.resource) == ["JS"])
        let jsPID = try #require(report.items.first { $0.resource == "JS" }?.pid)
        let ytPID = try #require(report.items.first { $0.resource == "YT" }?.pid)
        let js = try #require(try await t.repository.store.material(jsPID))
        let yt = try #require(try await t.repository.store.material(ytPID))
        #expect(js.url == nil && yt.url == "https://youtube.com/watch?v=1")
        // The store refuses such a URL from any door.
        await #expect(throws: FieldViolation.self) {
            try await t.repository.store.createMaterial(
                MaterialDraft(kind: .link, format: "text/uri-list", metadata: MaterialMetadata(title: "x"), url: "javascript:alert(1)"),
                ownerID: js.ownerID, firstVersion: nil)
        }
    }

    // Defect 6: an import whose question had another owner's (subject, idNumber) took it over.
    @Test("A question with another owner's idNumber is a new question; theirs is untouched")
    func questionTakeover() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("gv.a", roles: [.teacher])
        try await t.addUser("gv.b", roles: [.teacher])
        let store = t.repository.store
        let a = try #require(try await store.credentials(username: "gv.a")?.user)
        let b = try #require(try await store.credentials(username: "gv.b")?.user)
        func question(_ text: String) -> Question {
            Question(
                id: "", title: "Câu", subject: "TOAN", grade: 6, stem: RichText("<p>\(text)</p>"), idNumber: "DE-1",
                body: .singleChoice(ChoiceQuestion(options: [ChoiceOption(id: "a", text: RichText("1"), correct: true), ChoiceOption(id: "b", text: RichText("2"), correct: false)])))
        }
        let mine = try await store.importQuestions([question("Của A")], ownerID: a.id, source: nil)[0]
        _ = try await store.setQuestionStatus(id: mine.id, .published)
        let theirs = try await store.importQuestions([question("Của B, khác")], ownerID: b.id, source: nil)[0]
        #expect(theirs.action == .created && theirs.id != mine.id)
        let kept = try #require(try await store.question(id: mine.id))
        #expect(kept.status == .published && kept.version == 1 && kept.stem.html.contains("Của A"))
        #expect(try await store.questionOwner(id: mine.id)?.ownerID == a.id)
    }

    // Defects 7 and 8: a published material changed without review; drafts were cached publicly.
    @Test("A change to a published material waits for review; only published public files are publicly cacheable")
    func publishedChangesWait() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("gv.a", roles: [.teacher])
        try await t.application.test(.router) { client in
            let a = try await client.login("gv.a", "password-gv.a")
            let admin = try await client.login("admin", TestRepository.adminPassword)
            let pid = try await client.createMaterial(token: a, #"{"kind":"document","title":"Bài giảng","visibility":"public"}"#)
            func upload(_ text: String) async throws -> HTTPResponse.Status {
                try await client.execute(
                    uri: "/api/v1/materials/\(pid)/versions?filename=bai.txt", method: .post, headers: [.authorization: "Bearer \(a)", .contentType: "text/plain"],
                    body: ByteBuffer(string: text)
                ) { $0.status }
            }
            #expect(try await upload("phiên bản một") == .created)
            // A draft, even public: never in a shared cache.
            #expect(try await get(client, "/api/v1/materials/\(pid)/versions/1/file", token: a).2[.cacheControl] == "private, no-store")
            #expect(try await client.json(.patch, "/api/v1/materials/\(pid)", token: admin, body: #"{"status":"published","reason":"kiểm thử"}"#).status == .ok)
            let published = try await get(client, "/api/v1/materials/\(pid)/versions/1/file")
            #expect(published.0 == .ok && published.2[.cacheControl]?.hasPrefix("public") == true && published.2[.vary] == "Authorization")
            // The same bytes again: nothing new.
            #expect(try await upload("phiên bản một") == .ok)

            // The owner's edit of a published material: metadata refused in place, a new file kept pending.
            let patch = try await client.json(.patch, "/api/v1/materials/\(pid)", token: a, body: #"{"title":"Đổi tên lén"}"#)
            #expect(patch.status == .conflict && (patch.body["type"] as? String)?.hasSuffix("review-required") == true)
            #expect(try await upload("phiên bản hai, chưa duyệt") == .created)
            let material = try await client.json(.get, "/api/v1/materials/\(pid)").body
            #expect(material["currentVersion"] as? Int == 1 && (material["metadata"] as? [String: Any])?["title"] as? String == "Bài giảng")
            #expect(try await get(client, "/api/v1/materials/\(pid)/versions/2/file").0 == .notFound)
            #expect(try await get(client, "/api/v1/materials/\(pid)/versions/2/file", token: a).0 == .ok)
            let list = try await client.json(.get, "/api/v1/materials/\(pid)/versions").body
            #expect((list["items"] as? [Any])?.count == 1)
            // Public JSON names neither the owner nor the provenance; the owner sees both.
            #expect(material["ownerID"] == nil && material["provenance"] == nil)
            #expect(try await client.json(.get, "/api/v1/materials/\(pid)", token: a).body["ownerID"] != nil)
        }
    }

    // Defect 9 and 12 (logout): sign-in throttling, account management, a token with extra spaces.
    @Test("Sign-in is throttled, unknown users cost as much as known ones, accounts can be disabled and sessions ended")
    func signIn() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("gv.a", roles: [.teacher])
        try await t.application.test(.router) { client in
            func login(_ user: String, _ password: String) async throws -> (HTTPResponse.Status, HTTPFields) {
                try await client.execute(
                    uri: "/api/v1/auth/login", method: .post, body: ByteBuffer(string: #"{"username":"\#(user)","password":"\#(password)"}"#)
                ) { ($0.status, $0.headers) }
            }
            #expect(try await login("nobody", "whatever-pw").0 == .unauthorized)
            for _ in 0..<5 { #expect(try await login("gv.a", "wrong-password").0 == .unauthorized) }
            let locked = try await login("gv.a", "password-gv.a")
            #expect(locked.0 == .tooManyRequests && locked.1[.retryAfter] != nil)
            t.repository.loginThrottle.succeed("u:gv.a")

            let admin = try await client.login("admin", TestRepository.adminPassword)
            // Passwords longer than bcrypt reads are refused.
            let long = String(repeating: "mậtkhẩu", count: 8)
            let created = try await client.json(
                .post, "/api/v1/users", token: admin, body: #"{"username":"gv.c","password":"\#(long)","roles":["teacher"]}"#)
            #expect(created.status == .unprocessableContent)

            let first = try await client.login("gv.a", "password-gv.a")
            let second = try await client.login("gv.a", "password-gv.a")
            // A logout with two spaces after Bearer ends the session it names.
            #expect(try await client.execute(uri: "/api/v1/auth/logout", method: .post, headers: [.authorization: "Bearer  \(second)"]) { $0.status } == .noContent)
            #expect(try await client.json(.get, "/api/v1/me", token: second).status == .unauthorized)
            // Changing the password ends the other sessions.
            let third = try await client.login("gv.a", "password-gv.a")
            let changed = try await client.json(.post, "/api/v1/auth/password", token: first, body: #"{"current":"password-gv.a","new":"mật khẩu mới 2026"}"#)
            #expect(changed.status == .noContent, "\(changed.body)")
            #expect(try await client.json(.get, "/api/v1/me", token: first).status == .ok)
            #expect(try await client.json(.get, "/api/v1/me", token: third).status == .unauthorized)
            // Disabling ends every session and refuses sign-in.
            let id = try #require(try await client.json(.get, "/api/v1/me", token: first).body["id"] as? Int)
            #expect(try await client.json(.post, "/api/v1/users/\(id)/disable", token: first).status == .forbidden)
            #expect(try await client.json(.post, "/api/v1/users/\(id)/disable", token: admin).status == .ok)
            #expect(try await client.json(.get, "/api/v1/me", token: first).status == .unauthorized)
            #expect(try await login("gv.a", "mật khẩu mới 2026").0 == .unauthorized)
            #expect(try await client.json(.post, "/api/v1/users/\(id)/enable", token: admin).status == .ok)
            let back = try await client.login("gv.a", "mật khẩu mới 2026")
            #expect(try await client.json(.delete, "/api/v1/users/\(id)/sessions", token: admin).status == .noContent)
            #expect(try await client.json(.get, "/api/v1/me", token: back).status == .unauthorized)
        }
    }

    // Defect 10: every signed-in account read every exam.
    @Test("Tests, variants and answer keys belong to their owner's school and the board; LMS clients read no bank")
    func exams() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await BlueprintAPITests.fillBank(t.repository.store, perCell: 3)
        try await t.addUser("gv.a", roles: [.teacher], school: "THCS Lê Lợi")
        try await t.addUser("gv.same", roles: [.teacher], school: "thcs le-loi")
        try await t.addUser("gv.other", roles: [.teacher], school: "THCS Nguyễn Du")
        try await t.addUser("lms", roles: [.lmsClient])
        try await t.addUser("hoidong", roles: [.reviewer])
        try await t.application.test(.router) { client in
            let a = try await client.login("gv.a", "password-gv.a")
            let body = String(decoding: try BlueprintAPITests.blueprint.jsonData(), as: UTF8.self)
            let blueprint = try #require(try await client.json(.post, "/api/v1/blueprints", token: a, body: body).body["id"] as? String)
            let made = try await client.json(.post, "/api/v1/blueprints/\(blueprint)/tests", token: a, body: #"{"seed":1,"variants":1}"#)
            let test = try #require(made.body["id"] as? String, "\(made.body)")
            let paths = [
                "/api/v1/tests/\(test)", "/api/v1/tests/\(test)/answer-key.csv", "/api/v1/tests/\(test)/variants/101?answers=true",
                "/api/v1/blueprints/\(blueprint)", "/api/v1/blueprints/\(blueprint)/matrix.csv",
            ]
            for (user, allowed) in [("gv.a", true), ("gv.same", true), ("hoidong", true), ("gv.other", false), ("lms", false)] {
                let token = try await client.login(user, "password-\(user)")
                for path in paths {
                    let status = try await get(client, path, token: token).0
                    #expect(allowed ? status == .ok : status == .notFound, "\(user) \(path): \(status)")
                }
            }
            let lms = try await client.login("lms", "password-lms")
            #expect(try await client.json(.get, "/api/v1/questions", token: lms).status == .forbidden)
            // Another teacher sees published questions, not someone's drafts.
            let draft = try await t.repository.store.importQuestions(
                [Question(id: "", title: "Nháp", subject: "TOAN", grade: 6, stem: RichText("<p>Nháp</p>"), body: .essay(EssayQuestion()))],
                ownerID: try #require(try await t.repository.store.credentials(username: "gv.a")?.user.id), source: nil)[0]
            let other = try await client.login("gv.other", "password-gv.other")
            #expect(try await client.json(.get, "/api/v1/questions/\(draft.id)", token: other).status == .notFound)
            #expect(try await client.json(.get, "/api/v1/questions/\(draft.id)", token: a).status == .ok)
            let listed = try await client.json(.get, "/api/v1/questions?limit=200", token: other).body["items"] as? [[String: Any]]
            #expect(listed?.contains { $0["id"] as? String == draft.id } == false && listed?.isEmpty == false)
        }
    }
}
