import Foundation
import HTTPTypes
@testable import HoclieuApp
import HoclieuCore
import HoclieuServer
import HoclieuStorage
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The reports (`docs/reports-api.md`) against counts this test works out from what it seeded.
@Suite("Reports API")
struct ReportsAPITests {
    /// Units `TOAN.6.SD.1.1`, `TOAN.6.SD.1.2`, `TOAN.6.SD.2.1` (grade 6) and `TOAN.7.HH.1.1` (grade 7), with outcomes.
    static let catalogue = """
        TOAN.6.SD,TOAN.6,strand,6,Số và Đại số,,,
        TOAN.6.SD.1,TOAN.6.SD,topic,6,Số tự nhiên,,,
        TOAN.6.SD.1.1,TOAN.6.SD.1,unit,6,Tập hợp,,,
        TOAN.6.SD.1.1.1,TOAN.6.SD.1.1,outcome,6,Nhận biết được tập hợp.,,,
        TOAN.6.SD.1.2,TOAN.6.SD.1,unit,6,Phép cộng và phép trừ,,,
        TOAN.6.SD.2,TOAN.6.SD,topic,6,Phân số,,,
        TOAN.6.SD.2.1,TOAN.6.SD.2,unit,6,Phân số bằng nhau,,,
        TOAN.7.HH,TOAN.7,strand,7,Hình học,,,
        TOAN.7.HH.1,TOAN.7.HH,topic,7,Góc,,,
        TOAN.7.HH.1.1,TOAN.7.HH.1,unit,7,Góc đối đỉnh,,,

        """

    struct Seed {
        var kind: MaterialKind
        var subjects: [String]
        var grades: [Int]
        var units: [String]
        var visibility: Visibility
        var status: MaterialStatus
    }

    static let seeds: [Seed] = [
        Seed(kind: .lesson, subjects: ["TOAN"], grades: [6], units: ["TOAN.6.SD.1.1.1"], visibility: .public, status: .published),
        Seed(kind: .video, subjects: ["TOAN"], grades: [6], units: ["TOAN.6.SD.1.1"], visibility: .sector, status: .published),
        Seed(kind: .lesson, subjects: ["TOAN"], grades: [6, 7], units: ["TOAN.6.SD.1.1", "TOAN.6.SD.1.1.1", "TOAN.7.HH.1.1"], visibility: .public, status: .published),
        Seed(kind: .document, subjects: ["TOAN"], grades: [6], units: ["TOAN.6.SD.2.1"], visibility: .public, status: .draft),
        Seed(kind: .simulation, subjects: ["TOAN"], grades: [6], units: ["TOAN.6.SD.2.1"], visibility: .private, status: .published),
        Seed(kind: .simulation, subjects: ["TOAN"], grades: [6], units: ["TOAN.6.SD.2.1"], visibility: .school, status: .published),
        Seed(kind: .document, subjects: ["TIN"], grades: [3], units: [], visibility: .public, status: .published),
        Seed(kind: .questionSet, subjects: ["TOAN"], grades: [7], units: [], visibility: .public, status: .published),
        Seed(kind: .video, subjects: ["TOAN"], grades: [7], units: ["TOAN.7.HH.1.1"], visibility: .public, status: .withdrawn),
    ]

    /// (subject, grade, level, unit, published)
    static let questionSeeds: [(String, Int, String, String, Bool)] = [
        ("TOAN", 6, "NTVV4.1", "TOAN.6.SD.1.2", true), ("TOAN", 6, "NTVV4.2", "TOAN.6.SD.1.2", true),
        ("TOAN", 6, "NTVV4.1", "TOAN.6.SD.1.1.1", true), ("TOAN", 6, "NTVV4.1", "TOAN.6.SD.2.1", false),
        ("TOAN", 7, "NTVV4.3", "TOAN.7.HH.1.1", true),
    ]

    static func seed(_ t: TestRepository) async throws {
        _ = try await t.repository.loadCatalog(from: try CatalogAPITests.folder(toan: catalogue))
        try await t.addUser("gv.a", roles: [.teacher], school: "THCS A")
        let owner = try #require(try await t.repository.store.credentials(username: "gv.a")).user.id
        for (i, s) in seeds.enumerated() {
            _ = try await t.repository.store.createMaterial(
                MaterialDraft(
                    kind: s.kind, format: "text/plain",
                    metadata: MaterialMetadata(title: "Học liệu \(i)", subjects: s.subjects, grades: s.grades, knowledgeUnits: s.units, school: "THCS A"),
                    visibility: s.visibility, status: s.status),
                ownerID: owner, firstVersion: nil)
        }
        var questions: [Question] = []
        for (n, q) in questionSeeds.enumerated() {
            let options = (0..<2).map { k in ChoiceOption(id: "ab".map(String.init)[k], text: RichText("Phương án \(k)"), correct: k == 0) }
            questions.append(
                Question(
                    id: "", title: "Câu \(n)", subject: q.0, grade: q.1, knowledgeUnits: [q.3],
                    cognitiveLevel: CognitiveLevelReference(framework: "NTVV4", level: q.2),
                    stem: RichText("<p>Câu hỏi số \(n)</p>"), body: .singleChoice(ChoiceQuestion(options: options))))
        }
        for (outcome, q) in zip(try await t.repository.store.importQuestions(questions, ownerID: owner, source: "test"), questionSeeds) where q.4 {
            _ = try await t.repository.store.setQuestionStatus(id: outcome.id, .published)
        }
    }

    /// What the caller's coverage counts, written out: anonymous public; a teacher public and sector; admin every visibility.
    static func expectedVisibilities(_ who: String?) -> Set<Visibility> {
        switch who {
        case nil: [.public]
        case "gv.a": [.public, .sector]
        default: [.public, .sector, .school, .private]
        }
    }

    static func get(_ client: some TestClientProtocol, _ uri: String, token: String?, accept: String? = nil)
        async throws -> (HTTPResponse.Status, HTTPFields, String)
    {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if let accept { headers[.accept] = accept }
        return try await client.execute(uri: uri, method: .get, headers: headers) { ($0.status, $0.headers, String(buffer: $0.body)) }
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("Coverage: subject × grade and units, per caller, counted from the seeds; gaps; CSV with BOM as an attachment")
    func coverage() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await Self.seed(t)
        try await t.application.test(.router) { client in
            let tokens: [String?: String] = [
                "gv.a": try await client.login("gv.a", "password-gv.a"), "admin": try await client.login("admin", TestRepository.adminPassword),
            ]
            for who in [nil, "gv.a", "admin"] as [String?] {
                let counted = Self.seeds.filter { $0.status == .published && Self.expectedVisibilities(who).contains($0.visibility) }
                let questionsVisible = who != nil
                let (status, _, body) = try await Self.get(client, "/api/v1/reports/coverage", token: who.flatMap { tokens[$0] })
                #expect(status == .ok, "\(body)")
                let json = try Self.object(body)
                #expect(json["questionsVisible"] as? Bool == questionsVisible)
                let cells = try #require(json["cells"] as? [[String: Any]])
                // One cell per subject and grade of the catalogue: TOAN 1–12, TIN 3–12.
                #expect(cells.count == 12 + 10)
                for (subject, grade) in [("TOAN", 6), ("TOAN", 7), ("TIN", 3), ("TOAN", 8)] {
                    let cell = try #require(cells.first { $0["subject"] as? String == subject && $0["grade"] as? Int == grade })
                    let inCell = counted.filter { $0.subjects.contains(subject) && $0.grades.contains(grade) }
                    var byKind: [String: Int] = [:]
                    for s in inCell { byKind[s.kind.rawValue, default: 0] += 1 }
                    #expect(cell["materials"] as? Int == inCell.count, "\(who ?? "anonymous") \(subject) \(grade)")
                    #expect((cell["materialsByKind"] as? [String: Int]) ?? [:] == byKind, "\(who ?? "anonymous") \(subject) \(grade)")
                    let questions = Self.questionSeeds.filter { $0.4 && $0.0 == subject && $0.1 == grade }
                    if questionsVisible {
                        #expect(cell["questions"] as? Int == questions.count)
                        var byLevel: [String: Int] = [:]
                        for q in questions { byLevel[q.2, default: 0] += 1 }
                        #expect((cell["questionsByLevel"] as? [String: Int]) ?? [:] == byLevel)
                    } else {
                        #expect(cell["questions"] is NSNull)
                        #expect(cell["questionsByLevel"] is NSNull)
                    }
                }
                // Drill-down: a material counts for a unit when tagged with it or anything below it (a code under it), once.
                let (unitStatus, _, unitBody) = try await Self.get(client, "/api/v1/reports/coverage?subject=TOAN&grade=6", token: who.flatMap { tokens[$0] })
                #expect(unitStatus == .ok)
                let units = try #require(try Self.object(unitBody)["units"] as? [[String: Any]])
                #expect(units.map { $0["code"] as? String } == ["TOAN.6.SD.1.1", "TOAN.6.SD.1.2", "TOAN.6.SD.2.1"])
                for unit in units {
                    let code = try #require(unit["code"] as? String)
                    func under(_ tag: String) -> Bool { tag == code || tag.hasPrefix(code + ".") }
                    let materials = counted.filter { $0.units.contains(where: under) }
                    #expect(unit["materials"] as? Int == materials.count, "\(who ?? "anonymous") \(code)")
                    #expect(unit["noMaterial"] as? Bool == materials.isEmpty)
                    let questions = Self.questionSeeds.filter { $0.4 && under($0.3) }
                    if questionsVisible {
                        #expect(unit["questions"] as? Int == questions.count, "\(code)")
                        #expect(unit["noQuestion"] as? Bool == questions.isEmpty)
                    } else {
                        #expect(unit["noQuestion"] is NSNull)
                    }
                }
            }

            // The admin's grade-6 cell: units without material and without question, and the gap flag.
            let (_, _, adminBody) = try await Self.get(client, "/api/v1/reports/coverage", token: tokens["admin"])
            let cell6 = try #require((try Self.object(adminBody)["cells"] as? [[String: Any]])?.first { $0["subject"] as? String == "TOAN" && $0["grade"] as? Int == 6 })
            #expect(cell6["units"] as? Int == 3)
            #expect(cell6["unitsWithoutMaterial"] as? Int == 1)  // TOAN.6.SD.1.2 has only questions
            #expect(cell6["unitsWithoutQuestion"] as? Int == 1)  // TOAN.6.SD.2.1's only question is a draft
            #expect(cell6["gap"] as? Bool == true)

            // CSV, by parameter and by Accept: UTF-8 with BOM, an attachment, the same numbers.
            for (uri, accept) in [("/api/v1/reports/coverage?format=csv", nil), ("/api/v1/reports/coverage", "text/csv")] as [(String, String?)] {
                let (status, headers, body) = try await Self.get(client, uri, token: tokens["admin"], accept: accept)
                #expect(status == .ok)
                #expect(headers[.contentType] == "text/csv; charset=utf-8")
                #expect(headers[.contentDisposition] == "attachment; filename=\"hoclieu-coverage.csv\"")
                #expect(body.unicodeScalars.first == "\u{FEFF}")
                let records = try CSV.parse(String(body.dropFirst()))
                let header = try #require(records.first?.fields)
                #expect(header.prefix(4) == ["subject", "subjectName", "grade", "materials"])
                #expect(header.contains("kind:lesson") && header.contains("level:NTVV4.1") && header.last == "gap")
                let row = try #require(records.first { $0.fields.first == "TOAN" && $0.fields[2] == "6" }?.fields)
                let field = { (name: String) in row[header.firstIndex(of: name)!] }
                let all = Self.seeds.filter { $0.status == .published && $0.subjects.contains("TOAN") && $0.grades.contains(6) }
                #expect(field("subjectName") == "Toán")
                #expect(field("materials") == String(all.count))
                #expect(field("kind:simulation") == String(all.filter { $0.kind == .simulation }.count))
                #expect(field("questions") == "3" && field("level:NTVV4.1") == "2" && field("gap") == "true")
            }
            let (_, unitHeaders, unitCSV) = try await Self.get(client, "/api/v1/reports/coverage?subject=TOAN&grade=6&format=csv", token: nil)
            #expect(unitHeaders[.contentDisposition] == "attachment; filename=\"hoclieu-coverage-TOAN-6.csv\"")
            let unitRows = try CSV.parse(String(unitCSV.dropFirst()))
            #expect(unitRows.first?.fields.prefix(4) == ["code", "topic", "statement", "materials"])
            #expect(unitRows.dropFirst().map { $0.fields[0] } == ["TOAN.6.SD.1.1", "TOAN.6.SD.1.2", "TOAN.6.SD.2.1"])
            #expect(unitRows[1].fields[1] == "TOAN.6.SD.1" && unitRows[1].fields[2] == "Tập hợp" && unitRows[1].fields[3] == "2")

            // Bad input: bilingual 400s and 404s.
            for (uri, expected) in [
                ("/api/v1/reports/coverage?subject=TOAN", HTTPResponse.Status.badRequest), ("/api/v1/reports/coverage?grade=6", .badRequest),
                ("/api/v1/reports/coverage?subject=TOAN&grade=13", .badRequest), ("/api/v1/reports/coverage?format=xlsx", .badRequest),
                ("/api/v1/reports/coverage?subject=HOA&grade=6", .notFound), ("/api/v1/reports/coverage?subject=TIN&grade=2", .notFound),
                ("/api/v1/reports/coverage?x=1", .badRequest),
            ] {
                let (status, _, body) = try await Self.get(client, uri, token: nil)
                #expect(status == expected, "\(uri): \(body)")
            }
        }
    }

    @Test("Review throughput, contributions per school and LMS activity: counted from what was done, and only for those allowed")
    func throughputContributionsActivity() async throws {
        let t = try await TestRepository(runsJobs: false, autoAssign: false)
        defer { t.cleanup() }
        let store = t.repository.store
        try await t.repository.loadCriteria(from: ReviewWorkflowTests.criteriaFolder)
        try await t.addUser("gv.a", roles: [.teacher], school: "THCS A")
        try await t.addUser("gv.b", roles: [.teacher], school: "THCS B")
        try await t.addUser("qt.a", roles: [.schoolAdmin], school: "THCS A")
        try await t.addUser("chutich", roles: [.chair])
        let teacherA = try #require(try await store.credentials(username: "gv.a")).user
        let teacherB = try #require(try await store.credentials(username: "gv.b")).user
        let chair = try #require(try await store.credentials(username: "chutich")).user

        // Five submissions of school A: three rejected (two reasons), one sent back, one waiting; school B: two drafts.
        let verdicts: [(ReviewDecision, ReasonCode)?] = [
            (.reject, .inaccurateContent), (.reject, .duplicate), (.reject, .inaccurateContent), (.requestChanges, .technicalQuality), nil,
        ]
        var submissionIDs: [Int64] = []
        for (i, verdict) in verdicts.enumerated() {
            let material = try await store.createMaterial(
                MaterialDraft(kind: .lesson, format: "text/plain", metadata: MaterialMetadata(title: "Bài \(i)", subjects: ["TOAN"], grades: [6])),
                ownerID: teacherA.id, firstVersion: nil)
            let submission = try await t.repository.submit(material.pid, by: teacherA, SubmitRequest())
            submissionIDs.append(submission.id)
            if let (decision, reason) = verdict {
                _ = try await t.repository.decide(submission.id, by: chair, decision: decision, reason: reason, feedback: "Xem lại / see again")
            }
        }
        for i in 0..<2 {
            _ = try await store.createMaterial(
                MaterialDraft(kind: .video, format: "text/plain", metadata: MaterialMetadata(title: "Video \(i)")), ownerID: teacherB.id, firstVersion: nil)
        }
        // The decision times as the store recorded them; the median worked out here.
        var hours: [Double] = []
        for id in submissionIDs {
            let s = try #require(try await store.submission(id: id))
            if s.state == .rejected, let decision = s.decision { hours.append(decision.decidedAt.timeIntervalSince(s.submittedAt) / 3600) }
        }
        hours.sort()
        let median = (hours[1] * 100).rounded() / 100

        // An LMS client with two queued pushes and one material; a harvest source with one harvested material.
        let admin = try #require(try await store.credentials(username: "admin")).user
        let issued = try await t.repository.createClient(name: "Moodle Quận 1", scopes: [.push], by: admin)
        for key in ["k1", "k2"] {
            _ = try await store.createJob(
                NewJob(kind: "push", ownerID: issued.client.userID, input: Data("{}".utf8)), idempotencyKey: key, fingerprint: key)
        }
        _ = try await store.createMaterial(
            MaterialDraft(kind: .document, format: "text/plain", metadata: MaterialMetadata(title: "Đẩy từ Moodle")), ownerID: issued.client.userID,
            firstVersion: nil)
        let source = try await store.addRemoteRepository(
            NewRemoteRepository(baseURL: "https://kho.example.edu.vn/oai", set: nil, metadataPrefix: "oai_dc", intervalSeconds: 3600, trusted: false, ownerID: admin.id))
        _ = try await store.createMaterial(
            MaterialDraft(
                kind: .document, format: "text/plain", metadata: MaterialMetadata(title: "Thu thập"),
                provenance: Provenance(sourceSystem: "oai:" + source.baseURL, sourceIdentifier: "oai:kho:1")),
            ownerID: admin.id, firstVersion: nil)

        try await t.application.test(.router) { client in
            let chairToken = try await client.login("chutich", "password-chutich")
            let teacherToken = try await client.login("gv.a", "password-gv.a")
            let schoolAdminToken = try await client.login("qt.a", "password-qt.a")
            let adminToken = try await client.login("admin", TestRepository.adminPassword)

            // Who may see what.
            for uri in ["/api/v1/reports/review-throughput", "/api/v1/reports/contributions", "/api/v1/reports/lms-activity"] {
                #expect(try await Self.get(client, uri, token: nil).0 == .unauthorized)
                #expect(try await Self.get(client, uri, token: teacherToken).0 == .forbidden)
                #expect(try await Self.get(client, uri, token: chairToken).0 == .ok)
                #expect(try await Self.get(client, uri, token: adminToken).0 == .ok)
            }
            #expect(try await Self.get(client, "/api/v1/reports/review-throughput", token: schoolAdminToken).0 == .forbidden)

            // Throughput.
            let (_, _, body) = try await Self.get(client, "/api/v1/reports/review-throughput", token: chairToken)
            let report = try Self.object(body)
            #expect(report["submitted"] as? Int == 5 && report["rejected"] as? Int == 3 && report["open"] as? Int == 2)
            #expect(report["approved"] as? Int == 0 && report["decided"] as? Int == 3)
            #expect(report["medianHoursToDecision"] as? Double == median)
            let weeks = try #require(report["weeks"] as? [[String: Any]])
            #expect(weeks.map { $0["submitted"] as? Int ?? 0 }.reduce(0, +) == 5)
            let reasons = try #require(report["rejectionReasons"] as? [[String: Any]])
            #expect(reasons.map { "\($0["reasonCode"]!)=\($0["count"]!)" } == ["inaccurate_content=2", "duplicate=1"])
            #expect(reasons.first?["vi"] as? String == "Nội dung chưa chính xác")
            let reviewReasons = try #require(report["reviewReasons"] as? [[String: Any]])
            #expect(reviewReasons.isEmpty)  // the chair decided; no reviewer's review was recorded
            let (_, headers, csv) = try await Self.get(client, "/api/v1/reports/review-throughput?format=csv&table=reasons", token: chairToken)
            #expect(headers[.contentDisposition] == "attachment; filename=\"hoclieu-review-reasons.csv\"")
            let rows = try CSV.parse(String(csv.dropFirst()))
            #expect(rows.map(\.fields) == [
                ["kind", "decision", "reasonCode", "vi", "en", "count"],
                ["rejection", "reject", "inaccurate_content", "Nội dung chưa chính xác", "Inaccurate content", "2"],
                ["rejection", "reject", "duplicate", "Trùng với học liệu đã có", "Duplicate of an existing material", "1"],
            ])
            // A period before everything: nothing.
            let (_, _, empty) = try await Self.get(client, "/api/v1/reports/review-throughput?from=2020-01-01&to=2020-01-31", token: chairToken)
            #expect(try Self.object(empty)["submitted"] as? Int == 0)
            #expect(try await Self.get(client, "/api/v1/reports/review-throughput?from=2020-02-01&to=2020-01-31", token: chairToken).0 == .badRequest)
            #expect(try await Self.get(client, "/api/v1/reports/review-throughput?from=yesterday", token: chairToken).0 == .badRequest)

            // Contributions: every organisation for the board, their own school for a school administrator.
            let (_, _, contributionBody) = try await Self.get(client, "/api/v1/reports/contributions", token: chairToken)
            let organisations = try #require(try Self.object(contributionBody)["organisations"] as? [[String: Any]])
            let schoolA = try #require(organisations.first { $0["name"] as? String == "THCS A" })
            #expect(schoolA["materials"] as? Int == 5 && schoolA["submissions"] as? Int == 5 && schoolA["contributors"] as? Int == 1)
            #expect(schoolA["materialsByStatus"] as? [String: Int] == ["rejected": 3, "changes_requested": 1, "submitted": 1])
            let schoolB = try #require(organisations.first { $0["name"] as? String == "THCS B" })
            #expect(schoolB["materials"] as? Int == 2 && schoolB["submissions"] as? Int == 0 && schoolB["materialsByStatus"] as? [String: Int] == ["draft": 2])
            let (_, _, ownBody) = try await Self.get(client, "/api/v1/reports/contributions?format=csv", token: schoolAdminToken)
            let own = try CSV.parse(String(ownBody.dropFirst()))
            #expect(own.count == 2 && own[1].fields[1] == "THCS A" && own[1].fields[4] == "5")

            // LMS activity.
            let (_, _, activityBody) = try await Self.get(client, "/api/v1/reports/lms-activity", token: adminToken)
            let activity = try Self.object(activityBody)
            let clients = try #require(activity["clients"] as? [[String: Any]])
            #expect(clients.count == 1)
            #expect(clients.first?["name"] as? String == "Moodle Quận 1" && clients.first?["pushes"] as? Int == 2)
            #expect(clients.first?["pushesByStatus"] as? [String: Int] == ["queued": 2] && clients.first?["materials"] as? Int == 1)
            #expect(clients.first?["lastUsedAt"] is NSNull)
            let sources = try #require(activity["harvestSources"] as? [[String: Any]])
            #expect(sources.first?["baseURL"] as? String == "https://kho.example.edu.vn/oai" && sources.first?["materials"] as? Int == 1)
            #expect(sources.first?["lastRunAt"] is NSNull)
            #expect(sources.first?["lastRunStatus"] is NSNull && sources.first?["lastRunAdded"] as? Int == 0)
            // Runs and the OAI-PMH requests of clients are recorded now: nothing is left unrecorded.
            #expect(activity["notRecorded"] as? [String] == [])
            let (_, _, sourcesCSV) = try await Self.get(client, "/api/v1/reports/lms-activity?table=sources", token: adminToken, accept: "text/csv")
            let sourceRows = try CSV.parse(String(sourcesCSV.dropFirst()))
            #expect(sourceRows.first?.fields[9] == "materials" && sourceRows.last?.fields[9] == "1")
        }
    }
}
