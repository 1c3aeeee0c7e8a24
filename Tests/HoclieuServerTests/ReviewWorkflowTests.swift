import CommonCartridge
import ContentPackages
import Foundation
import GRDB
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

/// The quality board's workflow, driven through HTTP with several users and roles.
@Suite("Quality board review")
struct ReviewWorkflowTests {
    /// `Catalog/criteria` of this repository (data in git: present on a fresh clone).
    static var criteriaFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Catalog/criteria", isDirectory: true)
    }

    /// Passing scores for every criterion of the lesson set.
    static func scores(_ set: CriteriaSet, failing: String? = nil) -> String {
        let pairs = set.criteria.map { c in "\"\(c.code)\":\(c.code == failing ? c.scale.range.lowerBound : c.scale.range.upperBound)" }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    struct Board {
        var t: TestRepository
        var tokens: [String: String] = [:]
        var ids: [String: Int64] = [:]
        var lesson: CriteriaSet
    }

    /// A repository with a teacher of school A, three reviewers (one of school A), a chair and the criteria loaded.
    /// - Parameter runsJobs: false where the test runs the background work itself (the service polls every 2 s and
    ///   would race it on a loaded machine).
    static func board(_ rules: ReviewRules = ReviewRules(), autoAssign: Bool = true, runsJobs: Bool = true) async throws -> Board {
        let t = try await TestRepository(runsJobs: runsJobs, reviewRules: rules, autoAssign: autoAssign)
        try await t.repository.loadCriteria(from: criteriaFolder)
        try await t.addUser("gv.a", roles: [.teacher], school: "THCS A")
        try await t.addUser("gv.b", roles: [.teacher], school: "THCS B")
        try await t.addUser("td.1", roles: [.reviewer], school: "THCS B")
        try await t.addUser("td.2", roles: [.reviewer], school: "THCS C")
        try await t.addUser("td.a", roles: [.reviewer], school: "thcs a")
        try await t.addUser("chu.tich", roles: [.chair], school: "Phòng GD")
        let lesson = try #require(try await t.repository.currentCriteriaSets().first { $0.id == "lesson" })
        var b = Board(t: t, lesson: lesson)
        for name in ["gv.a", "gv.b", "td.1", "td.2", "td.a", "chu.tich"] {
            b.ids[name] = try #require(try await t.repository.store.credentials(username: name)?.user.id)
        }
        return b
    }

    static func signIn(_ b: inout Board, _ client: some TestClientProtocol) async throws {
        for name in ["gv.a", "gv.b", "td.1", "td.2", "td.a", "chu.tich"] { b.tokens[name] = try await client.login(name, "password-\(name)") }
        b.tokens["admin"] = try await client.login("admin", TestRepository.adminPassword)
    }

    /// A teacher's lesson with one file.
    static func lesson(_ client: some TestClientProtocol, token: String, title: String = "Phân số bằng nhau") async throws -> String {
        let pid = try await client.createMaterial(
            token: token, #"{"kind":"lesson","title":"\#(title)","subjects":["TOAN"],"grades":[6],"licence":"CC-BY-4.0","visibility":"public"}"#)
        let status = try await client.execute(
            uri: "/api/v1/materials/\(pid)/versions?filename=bai.txt", method: .post,
            headers: [.authorization: "Bearer \(token)", .contentType: "text/plain"], body: ByteBuffer(string: "\(title) nội dung")
        ) { $0.status }
        #expect(status == .created)
        return pid
    }

    @Test("Submit → automatic assignment (not own school) → changes requested → resubmit → approved by all → public; authors never see internal notes")
    func lifecycle() async throws {
        let board = try await Self.board()
        defer { board.t.cleanup() }
        try await board.t.application.test(.router) { client in
            var b = board
            try await Self.signIn(&b, client)
            let teacher = b.tokens["gv.a"]!
            let pid = try await Self.lesson(client, token: teacher)
            #expect(try await client.json(.get, "/api/v1/materials/\(pid)").status == .notFound, "a draft is not public")

            let submitted = try await client.json(.post, "/api/v1/materials/\(pid)/submissions", token: teacher, body: #"{"note":"Xin thẩm định"}"#)
            #expect(submitted.status == .created, "\(submitted.body)")
            let id = try #require(submitted.body["id"] as? Int)
            #expect(submitted.body["state"] as? String == "in_review")
            #expect(submitted.body["criteriaSet"] as? String == "lesson@1")
            // The own-school reviewer (td.a, "thcs a") is never chosen; the two others are.
            let full = try await client.json(.get, "/api/v1/submissions/\(id)", token: b.tokens["chu.tich"]).body
            let assigned = Set((full["assignments"] as? [[String: Any]] ?? []).compactMap { $0["reviewerID"] as? Int })
            #expect(assigned == [Int(b.ids["td.1"]!), Int(b.ids["td.2"]!)])
            #expect(try await client.json(.post, "/api/v1/materials/\(pid)/submissions", token: teacher, body: "{}").status == .conflict, "double submission")
            // Under review, nothing changes under the reviewers.
            #expect(try await client.json(.patch, "/api/v1/materials/\(pid)", token: teacher, body: #"{"title":"Đổi"}"#).status == .conflict)
            // Still invisible to the public and other teachers while in review.
            #expect(try await client.json(.get, "/api/v1/materials/\(pid)").status == .notFound)
            #expect(try await client.json(.get, "/api/v1/materials/\(pid)", token: b.tokens["gv.b"]).status == .notFound)
            #expect(try await client.json(.get, "/api/v1/submissions/\(id)", token: b.tokens["gv.b"]).status == .notFound)

            // The reviewer's queue lists it.
            let queue = try await client.json(.get, "/api/v1/submissions?queue=mine", token: b.tokens["td.1"]).body
            #expect((queue["items"] as? [[String: Any]])?.compactMap { $0["id"] as? Int }.contains(id) == true)
            // An assigned reviewer corrects the metadata (recorded as their change); others may not.
            let corrected = try await client.json(.patch, "/api/v1/submissions/\(id)/metadata", token: b.tokens["td.1"], body: #"{"keywords":["phân số"]}"#)
            #expect(corrected.status == .ok, "\(corrected.body)")
            #expect(try await client.json(.get, "/api/v1/materials/\(pid)", token: teacher).body["metadata"].flatMap { ($0 as? [String: Any])?["keywords"] as? [String] } == ["phân số"])
            #expect(try await client.json(.patch, "/api/v1/submissions/\(id)/metadata", token: b.tokens["td.a"], body: #"{"keywords":["x"]}"#).status == .forbidden)
            // Not assigned: td.a may not review (own school), the chair is not a reviewer of it.
            let own = try await client.json(.post, "/api/v1/submissions/\(id)/reviews", token: b.tokens["td.a"], body: #"{"scores":\#(Self.scores(b.lesson)),"decision":"approve"}"#)
            #expect(own.status == .conflict && (own.body["type"] as? String)?.hasSuffix("conflict-of-interest") == true, "\(own.body)")
            // Scores must cover every required criterion; a failing required criterion cannot be approved.
            let partial = try await client.json(.post, "/api/v1/submissions/\(id)/reviews", token: b.tokens["td.1"], body: #"{"scores":{"CURRICULUM":4},"decision":"approve"}"#)
            #expect(partial.status == .unprocessableContent, "\(partial.body)")
            let failing = try await client.json(
                .post, "/api/v1/submissions/\(id)/reviews", token: b.tokens["td.1"], body: #"{"scores":\#(Self.scores(b.lesson, failing: "ACCURACY")),"decision":"approve"}"#)
            #expect(failing.status == .conflict, "\(failing.body)")
            let noReason = try await client.json(
                .post, "/api/v1/submissions/\(id)/reviews", token: b.tokens["td.1"], body: #"{"scores":\#(Self.scores(b.lesson)),"decision":"reject","feedback":"x"}"#)
            #expect(noReason.status == .unprocessableContent)

            // Round 1: one approves, one asks for changes.
            let r1 = try await client.json(
                .post, "/api/v1/submissions/\(id)/reviews", token: b.tokens["td.1"],
                body: #"{"scores":\#(Self.scores(b.lesson)),"decision":"approve","feedback":"Tốt","internalNotes":"ghi chú nội bộ 1"}"#)
            #expect(r1.status == .created && r1.body["state"] as? String == "in_review", "\(r1.body)")
            #expect(try await client.json(.post, "/api/v1/submissions/\(id)/reviews", token: b.tokens["td.1"], body: #"{"scores":\#(Self.scores(b.lesson)),"decision":"approve"}"#).status == .conflict, "one review per round")
            let r2 = try await client.json(
                .post, "/api/v1/submissions/\(id)/reviews", token: b.tokens["td.2"],
                body: #"{"scores":\#(Self.scores(b.lesson, failing: "META")),"decision":"request_changes","reasonCode":"incomplete_metadata","feedback":"Thiếu mô tả","internalNotes":"bí mật hội đồng"}"#)
            #expect(r2.body["state"] as? String == "changes_requested", "\(r2.body)")
            #expect((r2.body["decision"] as? [String: Any])?["reasonCode"] as? String == "incomplete_metadata")

            // The author reads the feedback, not the internal notes nor who reviewed.
            let mine = try await client.json(.get, "/api/v1/submissions/\(id)", token: teacher)
            let text = String(decoding: try JSONSerialization.data(withJSONObject: mine.body), as: UTF8.self)
            #expect(text.contains("Thiếu mô tả") && !text.contains("bí mật") && !text.contains("nội bộ"))
            #expect((mine.body["reviews"] as? [[String: Any]])?.allSatisfy { $0["reviewerID"] == nil } == true)
            let boardView = String(decoding: try JSONSerialization.data(withJSONObject: try await client.json(.get, "/api/v1/submissions/\(id)", token: b.tokens["td.2"]).body), as: UTF8.self)
            #expect(boardView.contains("bí mật hội đồng"))
            #expect(try await client.json(.get, "/api/v1/materials/\(pid)", token: teacher).body["status"] as? String == "changes_requested")

            // The author fixes it and resubmits: the same reviewers, round 2.
            #expect(try await client.json(.patch, "/api/v1/materials/\(pid)", token: teacher, body: #"{"description":"Bài học về phân số bằng nhau"}"#).status == .ok)
            let again = try await client.json(.post, "/api/v1/materials/\(pid)/submissions", token: teacher, body: "{}")
            #expect(again.status == .created && again.body["round"] as? Int == 2 && again.body["state"] as? String == "in_review", "\(again.body)")
            for reviewer in ["td.1", "td.2"] {
                let r = try await client.json(.post, "/api/v1/submissions/\(id)/reviews", token: b.tokens[reviewer], body: #"{"scores":\#(Self.scores(b.lesson)),"decision":"approve"}"#)
                #expect(r.status == .created, "\(r.body)")
            }
            let done = try await client.json(.get, "/api/v1/submissions/\(id)", token: teacher).body
            #expect(done["state"] as? String == "approved")
            let published = try await client.json(.get, "/api/v1/materials/\(pid)")
            #expect(published.status == .ok && published.body["status"] as? String == "published")
            // Once published, metadata changes are submissions, not edits.
            #expect(try await client.json(.patch, "/api/v1/materials/\(pid)", token: teacher, body: #"{"title":"Đổi"}"#).status == .conflict)

            // Every step is in the audit log, and the chain verifies.
            let audit = try await client.json(.get, "/api/v1/audit?subject=submission:\(id)&limit=100", token: b.tokens["admin"]).body
            let actions = (audit["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            for expected in ["submission.created", "assignment.added", "submission.metadata.corrected", "review.recorded", "submission.decided", "submission.resubmitted"] {
                #expect(actions.contains(expected), "\(expected) in \(actions)")
            }
            #expect(try await client.json(.get, "/api/v1/audit", token: teacher).status == .forbidden)
            #expect(try await b.t.repository.verifyAudit().ok)
        }
    }

    @Test("A change to a published material stays pending until approved; the published version stays current")
    func changeOfPublished() async throws {
        let board = try await Self.board(ReviewRules(reviewersPerSubmission: 1))
        defer { board.t.cleanup() }
        try await board.t.application.test(.router) { client in
            var b = board
            try await Self.signIn(&b, client)
            let teacher = b.tokens["gv.a"]!
            let pid = try await Self.lesson(client, token: teacher, title: "Góc")
            let first = try await client.json(.post, "/api/v1/materials/\(pid)/submissions", token: teacher, body: "{}")
            let id = try #require(first.body["id"] as? Int)
            let reviewer = try #require((first.body["assignments"] as? [[String: Any]])?.first?["reviewerID"] as? Int)
            #expect(reviewer == 0, "the author does not learn who reviews")
            let who = try #require(try await b.t.repository.store.submission(id: Int64(id))?.assignments.first?.reviewerID)
            let token = b.tokens[who == b.ids["td.1"] ? "td.1" : "td.2"]!
            #expect(try await client.json(.post, "/api/v1/submissions/\(id)/reviews", token: token, body: #"{"scores":\#(Self.scores(b.lesson)),"decision":"approve"}"#).status == .created)
            #expect(try await client.json(.get, "/api/v1/materials/\(pid)").body["currentVersion"] as? Int == 1)

            // Version 2 is uploaded: pending, unseen by the public; submitted as a change.
            let upload = try await client.execute(
                uri: "/api/v1/materials/\(pid)/versions?filename=bai2.txt", method: .post,
                headers: [.authorization: "Bearer \(teacher)", .contentType: "text/plain"], body: ByteBuffer(string: "Góc phiên bản 2")
            ) { $0.status }
            #expect(upload == .created)
            #expect(try await client.json(.post, "/api/v1/materials/\(pid)/submissions", token: teacher, body: "{}").body["kind"] as? String == "change")
            #expect(try await client.json(.get, "/api/v1/materials/\(pid)/versions/2").status == .notFound)
            let change = try #require(try await b.t.repository.store.openSubmission(pid: try PersistentIdentifier(parsing: pid)))
            let changeReviewer = try #require(change.assignments.first?.reviewerID)
            let changeToken = b.tokens[changeReviewer == b.ids["td.1"] ? "td.1" : "td.2"]!
            let approved = try await client.json(.post, "/api/v1/submissions/\(change.id)/reviews", token: changeToken, body: #"{"scores":\#(Self.scores(b.lesson)),"decision":"approve"}"#)
            #expect(approved.body["state"] as? String == "approved")
            let now = try await client.json(.get, "/api/v1/materials/\(pid)").body
            #expect(now["currentVersion"] as? Int == 2 && now["status"] as? String == "published")

            // Withdrawn by the chair: the public no longer sees it; the audit log says why.
            let gone = try await client.json(.post, "/api/v1/materials/\(pid)/withdraw", token: b.tokens["chu.tich"], body: #"{"reason":"Trùng lặp"}"#)
            #expect(gone.status == .ok && gone.body["status"] as? String == "withdrawn")
            #expect(try await client.json(.get, "/api/v1/materials/\(pid)").status == .notFound)
            let tombstone = try await client.json(.get, "/id/\(pid)")
            #expect(tombstone.status == .gone && (tombstone.body["detail"] as? String)?.contains("Góc") == true, "the PID still resolves: \(tombstone.body)")
            #expect(try await client.json(.post, "/api/v1/materials/\(pid)/withdraw", token: b.tokens["td.1"], body: #"{"reason":"x"}"#).status == .forbidden)
            let events = try await client.json(.get, "/api/v1/audit?subject=material:\(pid)", token: b.tokens["admin"]).body["items"] as? [[String: Any]] ?? []
            #expect(events.contains { $0["action"] as? String == "material.withdrawn" && ($0["details"] as? [String: String])?["reason"] == "Trùng lặp" })
        }
    }

    @Test("Illegal steps answer 409 (or 422) with the reason: own work, own school, unreviewed approval, direct publishing without a reason")
    func illegalTransitions() async throws {
        let board = try await Self.board(autoAssign: false)
        defer { board.t.cleanup() }
        try await board.t.application.test(.router) { client in
            var b = board
            try await Self.signIn(&b, client)
            let pid = try await Self.lesson(client, token: b.tokens["gv.a"]!)
            // A draft cannot be reviewed or decided: there is no submission.
            let s = try await client.json(.post, "/api/v1/materials/\(pid)/submissions", token: b.tokens["gv.a"], body: "{}")
            #expect(s.body["state"] as? String == "submitted", "no automatic assignment configured")
            let id = try #require(s.body["id"] as? Int)
            let chair = b.tokens["chu.tich"]!
            // The chair may not assign the author, nor a reviewer of the author's school.
            for (name, code) in [("gv.a", "conflict-of-interest"), ("td.a", "conflict-of-interest")] {
                let r = try await client.json(.post, "/api/v1/submissions/\(id)/assignments", token: chair, body: #"{"reviewers":[\#(b.ids[name]!)]}"#)
                #expect(r.status == .conflict && (r.body["type"] as? String)?.hasSuffix(code) == true, "\(name): \(r.body)")
            }
            // A teacher is not a reviewer.
            let teacher = try await client.json(.post, "/api/v1/submissions/\(id)/assignments", token: chair, body: #"{"reviewers":[\#(b.ids["gv.b"]!)]}"#)
            #expect(teacher.status == .conflict, "\(teacher.body)")
            // Nobody reviews before being assigned; the chair cannot approve an unreviewed submission.
            #expect(try await client.json(.post, "/api/v1/submissions/\(id)/reviews", token: b.tokens["td.1"], body: #"{"scores":\#(Self.scores(b.lesson)),"decision":"approve"}"#).status == .conflict)
            let early = try await client.json(.post, "/api/v1/submissions/\(id)/decision", token: chair, body: #"{"decision":"approve"}"#)
            #expect(early.status == .conflict, "\(early.body)")
            // Publishing directly needs a reason, and only an administrator may.
            let other = try await Self.lesson(client, token: b.tokens["gv.b"]!, title: "Khác")
            #expect(try await client.json(.patch, "/api/v1/materials/\(other)", token: b.tokens["admin"], body: #"{"status":"published"}"#).status == .unprocessableContent)
            #expect(try await client.json(.patch, "/api/v1/materials/\(other)", token: b.tokens["gv.b"], body: #"{"status":"published","reason":"x"}"#).status == .forbidden)
            let direct = try await client.json(.patch, "/api/v1/materials/\(other)", token: b.tokens["admin"], body: #"{"status":"published","reason":"Bộ sưu tập đã thẩm định năm 2025"}"#)
            #expect(direct.status == .ok && direct.body["status"] as? String == "published")
            let bypass = try await client.json(.get, "/api/v1/audit?action=material.status.direct", token: b.tokens["admin"]).body["items"] as? [[String: Any]] ?? []
            #expect(bypass.contains { ($0["details"] as? [String: String])?["reason"] == "Bộ sưu tập đã thẩm định năm 2025" })
            // The author cancels; a cancelled submission takes no decision.
            #expect(try await client.json(.post, "/api/v1/submissions/\(id)/cancel", token: b.tokens["gv.b"], body: "{}").status == .notFound)
            #expect(try await client.json(.post, "/api/v1/submissions/\(id)/cancel", token: b.tokens["gv.a"], body: "{}").body["state"] as? String == "cancelled")
            #expect(try await client.json(.post, "/api/v1/submissions/\(id)/decision", token: chair, body: #"{"decision":"reject","reasonCode":"other","feedback":"x"}"#).status == .conflict)
            #expect(try await client.json(.get, "/api/v1/materials/\(pid)", token: b.tokens["gv.a"]).body["status"] as? String == "draft")
        }
    }

    @Test("Parallel decisions on one submission: exactly one wins")
    func concurrentDecisions() async throws {
        let board = try await Self.board(ReviewRules(reviewersPerSubmission: 1), autoAssign: false)
        defer { board.t.cleanup() }
        try await board.t.application.test(.router) { client in
            var b = board
            try await Self.signIn(&b, client)
            let pid = try await Self.lesson(client, token: b.tokens["gv.a"]!)
            let id = try #require(try await client.json(.post, "/api/v1/materials/\(pid)/submissions", token: b.tokens["gv.a"], body: "{}").body["id"] as? Int)
            #expect(try await client.json(.post, "/api/v1/submissions/\(id)/assignments", token: b.tokens["chu.tich"], body: #"{"reviewers":[\#(b.ids["td.1"]!),\#(b.ids["td.2"]!)]}"#).status == .ok)
            // One review, so the chair may decide; eight decisions race, half approve and half reject.
            let r = try await client.json(.post, "/api/v1/submissions/\(id)/reviews", token: b.tokens["td.1"], body: #"{"scores":\#(Self.scores(b.lesson)),"decision":"request_changes","reasonCode":"other","feedback":"?"}"#)
            #expect(r.status == .created)
            let chair = b.tokens["chu.tich"]!
            let admin = b.tokens["admin"]!
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<8 {
                    group.addTask {
                        let body = i % 2 == 0 ? #"{"decision":"approve"}"# : #"{"decision":"reject","reasonCode":"duplicate","feedback":"Trùng"}"#
                        return try await client.json(.post, "/api/v1/submissions/\(id)/decision", token: i % 3 == 0 ? admin : chair, body: body).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.count { $0 == .ok } == 1, "\(statuses)")
            #expect(statuses.count { $0 == .conflict } == 7, "\(statuses)")
            let decided = try #require(try await b.t.repository.store.submission(id: Int64(id)))
            let material = try #require(try await b.t.repository.store.material(try PersistentIdentifier(parsing: pid)))
            #expect((decided.state == .approved) == (material.status == .published))
            #expect((decided.state == .rejected) == (material.status == .rejected))
            let decisions = try await b.t.repository.store.auditEvents(AuditQuery(action: "submission.decided", subject: "submission:\(id)"))
            #expect(decisions.count == 1)
        }
    }

    @Test("Editing or deleting one audit row is detected by the chain")
    func auditTampering() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        for i in 0..<50 { try await t.repository.store.appendAudit(AuditDraft(actorID: 1, action: "test.event", subject: "x:\(i)", details: ["i": String(i)])) }
        #expect(try await t.repository.verifyAudit(pageSize: 7).ok)
        let path = Services.databaseURL(in: t.folder).path
        // The service's own connection refuses: the log is append-only.
        let queue = try DatabaseQueue(path: path)
        #expect(throws: (any Error).self) { try queue.write { try $0.execute(sql: "UPDATE auditEvent SET details = '{}' WHERE seq = 20") } }
        // Someone with the file drops the guard and edits a row.
        try await queue.write { db in
            try db.execute(sql: "DROP TRIGGER auditEvent_no_update")
            try db.execute(sql: #"UPDATE auditEvent SET details = '{"i":"99"}' WHERE seq = 20"#)
        }
        let edited = try await t.repository.verifyAudit(pageSize: 7)
        #expect(!edited.ok && edited.problem?.contains("event 20") == true && edited.checked == 19, "\(edited)")
        try await queue.write { db in
            try db.execute(sql: #"UPDATE auditEvent SET details = '{"i":"19"}' WHERE seq = 20"#)
            try db.execute(sql: "DROP TRIGGER auditEvent_no_delete")
            try db.execute(sql: "DELETE FROM auditEvent WHERE seq = 31")
        }
        let deleted = try await t.repository.verifyAudit()
        #expect(!deleted.ok && deleted.problem?.contains("31") == true, "\(String(describing: deleted.problem))")
        try await queue.write { db in try db.execute(sql: "DELETE FROM auditEvent WHERE seq > 30") }
        let truncated = try await t.repository.verifyAudit()
        #expect(!truncated.ok && truncated.problem?.contains("head") == true, "\(String(describing: truncated.problem))")
    }

    @Test("Pre-review: exact and near duplicates of published materials with the overlap, missing licence, curriculum fit")
    func preReview() async throws {
        let board = try await Self.board(autoAssign: false, runsJobs: false)
        defer { board.t.cleanup() }
        _ = try await board.t.repository.loadCatalog(from: try CatalogAPITests.folder(toan: CatalogAPITests.toan))
        let lesson = (1...60).map { "Phân số bằng nhau khi tử số và mẫu số cùng nhân với một số tự nhiên khác không lần \($0)" }.joined(separator: ". ")
        try await board.t.application.test(.router) { client in
            var b = board
            try await Self.signIn(&b, client)
            func upload(_ pid: String, _ text: String, token: String) async throws {
                let status = try await client.execute(
                    uri: "/api/v1/materials/\(pid)/versions?filename=bai.txt", method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "text/plain"], body: ByteBuffer(string: text)) { $0.status }
                #expect(status == .created)
            }
            // Published earlier by another school: the same lesson text, and an unrelated one.
            let original = try await client.createMaterial(token: b.tokens["gv.b"]!, #"{"kind":"lesson","title":"Phân số bằng nhau","subjects":["TOAN"],"grades":[6]}"#)
            try await upload(original, lesson, token: b.tokens["gv.b"]!)
            _ = try await b.t.repository.setStatusDirectly(try PersistentIdentifier(parsing: original), to: .published, reason: "kiểm thử", by: .localOperator)
            // Same file: exact. Same text lightly edited: near.
            let copy = try await client.createMaterial(token: b.tokens["gv.a"]!, #"{"kind":"lesson","title":"Phân số bằng nhau (bản của tôi)","subjects":["TOAN"],"grades":[6],"knowledgeUnits":["TOAN.6.SD.2.2"]}"#)
            try await upload(copy, lesson, token: b.tokens["gv.a"]!)
            let near = try await client.createMaterial(token: b.tokens["gv.a"]!, #"{"kind":"lesson","title":"Phân số bằng nhau","subjects":["TOAN"],"grades":[6],"licence":"CC-BY-4.0"}"#)
            try await upload(near, lesson.replacingOccurrences(of: "lần 7.", with: "lần bảy."), token: b.tokens["gv.a"]!)
            // An HTML5 package whose page has an image without alt text, a missing file and a video without captions.
            let package = try await client.createMaterial(token: b.tokens["gv.a"]!, #"{"kind":"simulation","title":"Mô phỏng phân số","subjects":["TOAN"],"grades":[6],"licence":"CC-BY-4.0"}"#)
            let zip = StoredZipWriter.archive([
                ("index.html", Data(#"<html><body><img src="hinh.png"><img src="mat.png" alt="mất"><video src="v.mp4"></video></body></html>"#.utf8)),
                ("hinh.png", Data("x".utf8)), ("v.mp4", Data("x".utf8)),
            ])
            let uploaded = try await client.execute(
                uri: "/api/v1/materials/\(package)/versions?filename=mo-phong.zip", method: .post,
                headers: [.authorization: "Bearer \(b.tokens["gv.a"]!)", .contentType: "application/zip"], body: ByteBuffer(data: zip)) { $0.status }
            #expect(uploaded == .created)
            var ids: [String: Int] = [:]
            for (name, pid) in [("copy", copy), ("near", near), ("package", package)] {
                ids[name] = try #require(try await client.json(.post, "/api/v1/materials/\(pid)/submissions", token: b.tokens["gv.a"], body: "{}").body["id"] as? Int)
            }
            #expect(try await b.t.repository.runPendingPreReviews() == 3)
            #expect(try await b.t.repository.runPendingPreReviews() == 0, "each submission once")

            let copyView = try await client.json(.get, "/api/v1/submissions/\(ids["copy"]!)", token: b.tokens["td.1"]).body
            let copyCheck = try #require(copyView["preReview"] as? [String: Any])
            let copyDuplicates = copyCheck["duplicates"] as? [[String: Any]] ?? []
            #expect(copyDuplicates.first?["pid"] as? String == original && copyDuplicates.first?["exact"] as? Bool == true, "\(copyDuplicates)")
            let codes = Set((copyCheck["findings"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String })
            #expect(codes.isSuperset(of: ["duplicate", "licence-missing"]), "\(codes)")
            let tagged = copyCheck["tagged"] as? [[String: Any]] ?? []
            #expect(tagged.first?["code"] as? String == "TOAN.6.SD.2.2")

            // The author does not see it: it names published materials they may not be allowed to see.
            #expect(try await client.json(.get, "/api/v1/submissions/\(ids["copy"]!)", token: b.tokens["gv.a"]).body["preReview"] == nil)
            let nearCheck = try #require(try await client.json(.get, "/api/v1/submissions/\(ids["near"]!)", token: b.tokens["td.1"]).body["preReview"] as? [String: Any])
            let nearest = try #require((nearCheck["duplicates"] as? [[String: Any]])?.first)
            #expect(nearest["pid"] as? String == original && nearest["exact"] as? Bool == false)
            #expect((nearest["similarity"] as? Double ?? 0) >= 0.8, "\(nearest)")
            #expect((nearest["overlap"] as? [String])?.isEmpty == false)
            #expect((nearCheck["findings"] as? [[String: Any]] ?? []).contains { $0["code"] as? String == "near-duplicate" })
            #expect(!(nearCheck["findings"] as? [[String: Any]] ?? []).contains { $0["code"] as? String == "licence-missing" })

            // Inside the package: one finding per kind of problem, with where it is; the extent of the scan.
            let packageCheck = try #require(try await client.json(.get, "/api/v1/submissions/\(ids["package"]!)", token: b.tokens["td.1"]).body["preReview"] as? [String: Any])
            let packageFindings = (packageCheck["findings"] as? [[String: Any]] ?? []).reduce(into: [String: String]()) { $0[$1["code"] as? String ?? ""] = $1["en"] as? String }
            #expect(packageFindings["img-alt"] == "1 images without alt text: index.html: hinh.png", "\(packageFindings)")
            #expect(packageFindings["link-missing"]?.hasSuffix("index.html: mat.png") == true, "\(packageFindings)")
            #expect(packageFindings["video-captions"] != nil && packageFindings["outside-resource"] == nil, "\(packageFindings)")
            let scan = try #require(packageCheck["packageScan"] as? [String: Any])
            #expect(scan["pagesScanned"] as? Int == 1 && scan["pagesSkipped"] as? Int == 0)
        }
    }

    @Test("A question file imported for review becomes one question set the board reviews by the question criteria; its decision is the questions'")
    func questionSets() async throws {
        let board = try await Self.board()
        defer { board.t.cleanup() }
        let question = try #require(try await board.t.repository.currentCriteriaSets().first { $0.id == "question" })
        try await board.t.application.test(.router) { client in
            var b = board
            try await Self.signIn(&b, client)
            func upload(_ text: String, _ query: String, token: String) async throws -> (status: HTTPResponse.Status, body: [String: Any]) {
                try await client.execute(
                    uri: "/api/v1/question-imports\(query)", method: .post, headers: [.authorization: "Bearer \(token)"], body: ByteBuffer(string: text)
                ) { ($0.status, (try? JSONSerialization.jsonObject(with: Data(buffer: $0.body))) as? [String: Any] ?? [:]) }
            }
            func statuses(_ ids: [String]) async throws -> [String] {
                var out: [String] = []
                for id in ids { out.append(try await client.json(.get, "/api/v1/questions/\(id)", token: b.tokens["chu.tich"]).body["status"] as? String ?? "?") }
                return out
            }
            func approveAll(_ submission: Int) async throws {
                let full = try await client.json(.get, "/api/v1/submissions/\(submission)", token: b.tokens["chu.tich"]).body
                for reviewer in (full["assignments"] as? [[String: Any]] ?? []).compactMap({ $0["reviewerID"] as? Int }) {
                    let name = try #require(b.ids.first { $0.value == Int64(reviewer) }?.key)
                    let r = try await client.json(
                        .post, "/api/v1/submissions/\(submission)/reviews", token: b.tokens[name], body: #"{"scores":\#(Self.scores(question)),"decision":"approve"}"#)
                    #expect(r.status == .created || r.status == .ok, "\(r.body)")
                }
            }
            let gift = "::C1:: 2 + 3 bằng bao nhiêu? {=5 ~4 ~6}\n\n::C2:: Hà Nội là thủ đô của Việt Nam. {T}\n"
            let first = try await upload(gift, "?filename=de-kiem-tra.gift&subject=TOAN&submit=true&title=%C4%90%E1%BB%81%20ki%E1%BB%83m%20tra%2015%20ph%C3%BAt", token: b.tokens["gv.a"]!)
            #expect(first.status == .created, "\(first.body)")
            let set = try #require(first.body["set"] as? [String: Any])
            let pid = try #require(set["pid"] as? String)
            let submission = try #require(set["submission"] as? Int)
            let ids = (first.body["stored"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids.count == 2)
            let material = try await client.json(.get, "/api/v1/materials/\(pid)", token: b.tokens["gv.a"]).body
            #expect(material["kind"] as? String == "question_set" && (material["metadata"] as? [String: Any])?["title"] as? String == "Đề kiểm tra 15 phút", "\(material)")
            let full = try await client.json(.get, "/api/v1/submissions/\(submission)", token: b.tokens["chu.tich"]).body
            #expect(full["criteriaSet"] as? String == question.key, "reviewed against the question criteria")
            #expect(try await statuses(ids) == ["inReview", "inReview"], "in review with their set")
            // Teachers cannot use them in a test yet: the bank shows other teachers published questions only.
            #expect(try await client.json(.get, "/api/v1/questions/\(ids[0])", token: b.tokens["gv.b"]).status == .notFound)

            try await approveAll(submission)
            #expect(try await client.json(.get, "/api/v1/submissions/\(submission)", token: b.tokens["chu.tich"]).body["state"] as? String == "approved")
            #expect(try await statuses(ids) == ["published", "published"], "the set's approval publishes its questions")
            #expect(try await client.json(.get, "/api/v1/questions/\(ids[0])", token: b.tokens["gv.b"]).status == .ok)

            // The same file again: nothing new, no new submission.
            let again = try await upload(gift, "?filename=de-kiem-tra.gift&subject=TOAN&submit=true&title=%C4%90%E1%BB%81%20ki%E1%BB%83m%20tra%2015%20ph%C3%BAt", token: b.tokens["gv.a"]!)
            #expect(again.status == .ok && (again.body["set"] as? [String: Any])?["submission"] == nil, "\(again.status) \(again.body["set"] ?? "-")")

            // A new edition with one more question: a change submission; the new question waits, the published ones stay.
            let changed = try await upload(gift + "\n::C3:: 10 chia 2 bằng {=5}\n", "?filename=de-kiem-tra.gift&subject=TOAN&submit=true&title=%C4%90%E1%BB%81%20ki%E1%BB%83m%20tra%2015%20ph%C3%BAt", token: b.tokens["gv.a"]!)
            let change = try #require((changed.body["set"] as? [String: Any])?["submission"] as? Int, "\(changed.body)")
            let newID = try #require((changed.body["stored"] as? [[String: Any]] ?? []).first { $0["action"] as? String == "created" }?["id"] as? String)
            #expect(try await statuses(ids + [newID]) == ["published", "published", "draft"])
            let rejected = try await client.json(
                .post, "/api/v1/submissions/\(change)/decision", token: b.tokens["chu.tich"],
                body: #"{"decision":"reject","reasonCode":"inaccurate_content","feedback":"Câu 3 sai"}"#)
            #expect(rejected.status == .ok || rejected.status == .conflict, "\(rejected.body)")

            // Another teacher's set that is rejected takes its questions back to draft.
            let other = try await upload("::D1:: 1 + 1 = {=2}\n", "?filename=khac.gift&subject=TOAN&submit=true", token: b.tokens["gv.b"]!)
            let otherSubmission = try #require((other.body["set"] as? [String: Any])?["submission"] as? Int)
            let otherIDs = (other.body["stored"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            let full2 = try await client.json(.get, "/api/v1/submissions/\(otherSubmission)", token: b.tokens["chu.tich"]).body
            for reviewer in (full2["assignments"] as? [[String: Any]] ?? []).compactMap({ $0["reviewerID"] as? Int }) {
                let name = try #require(b.ids.first { $0.value == Int64(reviewer) }?.key)
                let r = try await client.json(
                    .post, "/api/v1/submissions/\(otherSubmission)/reviews", token: b.tokens[name],
                    body: #"{"scores":\#(Self.scores(question)),"decision":"reject","reasonCode":"duplicate","feedback":"Trùng ngân hàng"}"#)
                #expect(r.status == .created || r.status == .ok, "\(r.body)")
            }
            #expect(try await client.json(.get, "/api/v1/submissions/\(otherSubmission)", token: b.tokens["chu.tich"]).body["state"] as? String == "rejected")
            #expect(try await statuses(otherIDs) == ["draft"])
        }
    }

    @Test("Automatic assignment goes to reviewers of the material's subject first, then to reviewers of any subject; never to other subjects' reviewers")
    func reviewersOfTheSubject() async throws {
        let board = try await Self.board()
        defer { board.t.cleanup() }
        for (name, subjects) in [("td.toan", ["TOAN"]), ("td.van", ["NGUVAN"]), ("td.toanly", ["vatly", "toan"])] {
            _ = try await board.t.repository.store.createUser(
                NewUser(username: name, displayName: name, roles: [.reviewer], school: "THCS D", passwordHash: "-", subjects: subjects))
        }
        try await board.t.application.test(.router) { client in
            var b = board
            try await Self.signIn(&b, client)
            var ids: [String: Int] = [:]
            for name in ["td.toan", "td.van", "td.toanly", "td.1", "td.2"] {
                ids[name] = Int(try #require(try await b.t.repository.store.credentials(username: name)?.user.id))
            }
            #expect(try await b.t.repository.store.credentials(username: "td.toanly")?.user.subjects == ["TOAN", "VATLY"])
            func assigned(_ title: String, _ subject: String) async throws -> Set<Int> {
                let pid = try await client.createMaterial(
                    token: b.tokens["gv.a"]!, #"{"kind":"lesson","title":"\#(title)","subjects":["\#(subject)"],"grades":[6],"licence":"CC-BY-4.0"}"#)
                let submitted = try await client.json(.post, "/api/v1/materials/\(pid)/submissions", token: b.tokens["gv.a"], body: "{}")
                let id = try #require(submitted.body["id"] as? Int, "\(submitted.body)")
                let full = try await client.json(.get, "/api/v1/submissions/\(id)", token: b.tokens["chu.tich"]).body
                return Set((full["assignments"] as? [[String: Any]] ?? []).compactMap { $0["reviewerID"] as? Int })
            }
            #expect(try await assigned("Phân số", "TOAN") == [ids["td.toan"]!, ids["td.toanly"]!], "the two mathematics reviewers")
            let literature = try await assigned("Truyện ngắn", "NGUVAN")
            #expect(literature.contains(ids["td.van"]!) && literature.isSubset(of: [ids["td.van"]!, ids["td.1"]!, ids["td.2"]!]), "\(literature)")
            let history = try await assigned("Lịch sử địa phương", "LICHSU")
            #expect(history.isSubset(of: [ids["td.1"]!, ids["td.2"]!]) && history.count == 2, "only reviewers of any subject: \(history)")
        }
    }

    @Test("Notices: reviewers see assignments, reminders and escalations, the chair the escalations, authors the decisions")
    func notices() async throws {
        let board = try await Self.board()
        defer { board.t.cleanup() }
        try await board.t.application.test(.router) { client in
            var b = board
            try await Self.signIn(&b, client)
            func kinds(_ name: String) async throws -> [String] {
                (try await client.json(.get, "/api/v1/notifications", token: b.tokens[name]).body["items"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            }
            let pid = try await Self.lesson(client, token: b.tokens["gv.a"]!)
            let id = try #require(try await client.json(.post, "/api/v1/materials/\(pid)/submissions", token: b.tokens["gv.a"], body: "{}").body["id"] as? Int)
            #expect(try await kinds("td.1") == ["assigned"])
            let (chair, author0, ownSchool) = (try await kinds("chu.tich"), try await kinds("gv.a"), try await kinds("td.a"))
            #expect(chair.isEmpty && author0.isEmpty && ownSchool.isEmpty)
            // Past the due date: reminded; later still: escalated, and the chair sees it.
            _ = try await b.t.repository.remindOverdueReviewers(now: Date().addingTimeInterval(8 * 86_400))
            #expect(try await kinds("td.1") == ["reminder"])
            _ = try await b.t.repository.remindOverdueReviewers(now: Date().addingTimeInterval(15 * 86_400))
            #expect(try await kinds("td.1") == ["escalated"])
            // The chair's list reads assignments past due (escalation comes after the due date), as of 15 days on.
            let chairUser = try #require(try await b.t.repository.store.credentials(username: "chu.tich")?.user)
            let escalations = try await b.t.repository.notices(for: chairUser, now: Date().addingTimeInterval(15 * 86_400))
            #expect(escalations.map(\.kind) == [.escalated, .escalated], "both reviewers' assignments")
            #expect(Set(escalations.compactMap(\.reviewer)) == [b.ids["td.1"]!, b.ids["td.2"]!])
            // Both approve: the notices go away and the author hears the decision.
            for name in ["td.1", "td.2"] {
                _ = try await client.json(.post, "/api/v1/submissions/\(id)/reviews", token: b.tokens[name], body: #"{"scores":\#(Self.scores(b.lesson)),"decision":"approve"}"#)
            }
            let (reviewerAfter, chairAfter) = (try await kinds("td.1"), try await kinds("chu.tich"))
            #expect(reviewerAfter.isEmpty && chairAfter.isEmpty)
            let author = try await client.json(.get, "/api/v1/notifications", token: b.tokens["gv.a"]).body["items"] as? [[String: Any]] ?? []
            #expect(author.first?["kind"] as? String == "decision" && author.first?["state"] as? String == "approved")
            #expect((author.first?["en"] as? String)?.contains("was approved") == true)
        }
    }

    @Test("Periodic re-review: a material not looked at for the configured days goes under re-review, still visible; once per period")
    func periodicReReview() async throws {
        let board = try await Self.board(ReviewRules(reReviewAfterDays: 30))
        defer { board.t.cleanup() }
        try await board.t.application.test(.router) { client in
            var b = board
            try await Self.signIn(&b, client)
            let pid = try await Self.lesson(client, token: b.tokens["gv.a"]!)
            let published = try await client.json(
                .patch, "/api/v1/materials/\(pid)", token: b.tokens["admin"], body: #"{"status":"published","reason":"kiểm thử"}"#)
            #expect(published.status == .ok, "\(published.body)")
            #expect(try await b.t.repository.runPeriodicReReviews() == 0, "published today")
            let later = Date().addingTimeInterval(31 * 86_400)
            #expect(try await b.t.repository.runPeriodicReReviews(now: later) == 1)
            #expect(try await b.t.repository.runPeriodicReReviews(now: later) == 0, "it has an open re-review now")
            #expect(try await client.json(.get, "/api/v1/materials/\(pid)").status == .ok, "still visible while re-reviewed")
            let open = try await b.t.repository.store.openSubmission(pid: try PersistentIdentifier(parsing: pid))
            #expect(open?.kind == .rereview)
        }
    }

    @Test("A cartridge imported as submitted lands in the board's queue, one submission per material, nothing published")
    func cartridgeSubmitted() async throws {
        let board = try await Self.board()
        defer { board.t.cleanup() }
        let data = TrustTests.cartridge(identifier: "KHOA", pages: [("R1", "Trang một", "một"), ("R2", "Trang hai", "hai")])
        let url = board.t.folder.appendingPathComponent("khoa.imscc")
        try data.write(to: url)
        let report = try await board.t.repository.importCartridge(
            at: url, fileName: "khoa.imscc", ownerID: board.ids["gv.a"]!, options: CartridgeImportOptions(status: .submitted))
        let pids = ([report.coursePackage].compactMap { $0 } + report.items).map(\.pid)
        #expect(pids.count == 3 && report.warnings.filter { $0.code == "not-submitted" }.isEmpty, "\(report.warnings)")
        for pid in pids {
            let open = try #require(try await board.t.repository.store.openSubmission(pid: pid), "\(pid)")
            #expect(open.state == .inReview && open.assignments.count == 2)
            #expect(try await board.t.repository.store.material(pid)?.status == .inReview)
        }
    }

    @Test("A catalogue unit whose wording changes puts the published materials tagged with it under re-review; they stay visible")
    func catalogueChangeReReviews() async throws {
        let board = try await Self.board()
        defer { board.t.cleanup() }
        let repository = board.t.repository
        _ = try await repository.loadCatalog(from: try CatalogAPITests.folder(toan: CatalogAPITests.toan))
        let tagged = try await repository.store.createMaterial(
            MaterialDraft(kind: .link, format: "text/uri-list", metadata: MaterialMetadata(title: "So sánh phân số", knowledgeUnits: ["TOAN.6.SD.2.2"]), url: "https://example.org/a"),
            ownerID: board.ids["gv.a"]!, firstVersion: nil)
        let other = try await repository.store.createMaterial(
            MaterialDraft(kind: .link, format: "text/uri-list", metadata: MaterialMetadata(title: "Khác", knowledgeUnits: ["TOAN.6.SD"]), url: "https://example.org/b"),
            ownerID: board.ids["gv.a"]!, firstVersion: nil)
        for pid in [tagged.pid, other.pid] { _ = try await repository.setStatusDirectly(pid, to: .published, reason: "kiểm thử", by: .localOperator) }
        let changed = CatalogAPITests.toan.replacingOccurrences(of: "So sánh được hai phân số cho trước.", with: "So sánh được hai phân số cho trước bằng nhiều cách.")
        let report = try await repository.loadCatalog(from: try CatalogAPITests.folder(toan: changed))
        #expect(report.changedCodes == ["TOAN.6.SD.2.2"] && report.rereviews == 1, "\(report)")
        let open = try #require(try await repository.store.openSubmission(pid: tagged.pid))
        #expect(open.kind == .rereview && open.note?.contains("TOAN.6.SD.2.2") == true)
        #expect(try await repository.store.material(tagged.pid)?.status == .published, "still visible while re-reviewed")
        #expect(try await repository.store.openSubmission(pid: other.pid) == nil)
        #expect(try await repository.loadCatalog(from: try CatalogAPITests.folder(toan: changed)).rereviews == 0)
    }

    @Test("Criteria sets: every shipped set is valid; a published id@version never changes")
    func criteria() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.repository.loadCriteria(from: Self.criteriaFolder)
        let sets = try await t.repository.currentCriteriaSets()
        #expect(Set(sets.map(\.id)) == ["lesson", "simulation", "question", "course"])
        for set in sets { #expect(set.problems().isEmpty, "\(set.id)") }
        #expect(Set(sets.flatMap(\.kinds)) == Set(MaterialKind.allCases), "every kind has criteria")
        var changed = try #require(sets.first)
        changed.criteria[0].weight = 9
        await #expect(throws: StoreError.self) { try await t.repository.store.saveCriteriaSets([changed]) }
        try await t.repository.loadCriteria(from: Self.criteriaFolder)  // idempotent
    }
}

/// LMS client credentials: shown once, hashed, scoped, revocable, rate limited, last use recorded.
@Suite("LMS client credentials")
struct ClientCredentialTests {
    @Test("A client credential works as bearer and basic; sector material needs harvest:sector; revoked and wrong secrets are 401")
    func credentials() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("gv.a", roles: [.teacher], school: "THCS A")
        try await t.application.test(.router) { client in
            let admin = try await client.login("admin", TestRepository.adminPassword)
            let sector = try await client.createMaterial(token: admin, #"{"kind":"link","url":"https://example.org/s","title":"Ngành","visibility":"sector","status":"published","reason":"kiểm thử"}"#)
            let made = try await client.json(.post, "/api/v1/clients", token: admin, body: #"{"name":"Moodle trường A","scopes":["harvest"]}"#)
            #expect(made.status == .created && made.headers[.cacheControl] == "no-store")
            let token = try #require(made.body["token"] as? String)
            let secret = try #require(made.body["secret"] as? String)
            let clientInfo = try #require(made.body["client"] as? [String: Any])
            let clientID = try #require(clientInfo["clientID"] as? String)
            let number = try #require(clientInfo["id"] as? Int)
            // The list never shows a secret, nor its hash.
            let list = try await client.execute(uri: "/api/v1/clients", method: .get, headers: [.authorization: "Bearer \(admin)"]) { String(buffer: $0.body) }
            #expect(list.contains(clientID) && !list.contains(secret) && !list.contains(SessionToken.hash(secret)))

            // harvest only: public material yes, sector material no (as anonymous).
            #expect(try await client.json(.get, "/api/v1/me", token: token).status == .ok)
            #expect(try await client.json(.get, "/api/v1/materials/\(sector)", token: token).status == .notFound)
            let search = try await client.json(.get, "/api/v1/search?q=Ngành", token: token).body
            #expect((search["items"] as? [[String: Any]])?.isEmpty == true)
            // A teacher (a person) sees sector material.
            let teacher = try await client.login("gv.a", "password-gv.a")
            #expect(try await client.json(.get, "/api/v1/materials/\(sector)", token: teacher).status == .ok)

            // harvest:sector sees it, by HTTP basic too.
            let wide = try await client.json(.post, "/api/v1/clients", token: admin, body: #"{"name":"Canvas Sở","scopes":["harvest","harvest:sector"]}"#).body
            let wideID = try #require((wide["client"] as? [String: Any])?["clientID"] as? String)
            let basic = "Basic " + Data("\(wideID):\(try #require(wide["secret"] as? String))".utf8).base64EncodedString()
            #expect(try await client.json(.get, "/api/v1/materials/\(sector)", headers: [.authorization: basic]).status == .ok)
            #expect(try await client.json(.get, "/api/v1/materials/\(sector)", token: try #require(wide["token"] as? String)).status == .ok)

            // Wrong secret, unknown client: 401.
            #expect(try await client.json(.get, "/api/v1/me", token: "\(clientID).wrong").status == .unauthorized)
            #expect(try await client.json(.get, "/api/v1/me", token: "hlc_nobody.\(secret)").status == .unauthorized)
            // Use is recorded.
            let used = try #require(try await t.repository.store.client(clientID: clientID))
            #expect(used.client.lastUsedAt != nil)
            // Revoked: 401 at once; the audit log has both events.
            #expect(try await client.json(.delete, "/api/v1/clients/\(number)", token: admin).status == .ok)
            let revoked = try await client.json(.get, "/api/v1/me", token: token)
            #expect(revoked.status == .unauthorized && (revoked.body["type"] as? String)?.hasSuffix("client-revoked") == true)
            let events = try await t.repository.store.auditEvents(AuditQuery(subject: "client:\(number)")).map(\.action)
            #expect(events == ["client.created", "client.revoked"])
            #expect(try await client.json(.post, "/api/v1/clients", token: admin, body: #"{"name":"x","scopes":[]}"#).status == .unprocessableContent)
        }
    }

    @Test("A client over its request rate gets 429 with Retry-After")
    func rateLimited() async throws {
        // One request a second after a burst of 20: a loaded machine cannot send the 60 slowly enough to stay under it.
        let t = try await TestRepository(clientRate: (perSecond: 1, burst: 20))
        defer { t.cleanup() }
        let issued = try await t.repository.createClient(name: "Vội", scopes: [.harvest], by: .localOperator)
        try await t.application.test(.router) { client in
            var statuses: [HTTPResponse.Status] = []
            var retryAfter: String?
            for _ in 0..<60 {
                let r = try await client.json(.get, "/api/v1/me", token: issued.token)
                statuses.append(r.status)
                if r.status == .tooManyRequests { retryAfter = r.headers[.retryAfter] }
            }
            #expect(statuses.prefix(20).allSatisfy { $0 == .ok }, "the burst is served")
            #expect(statuses.contains(.tooManyRequests) && retryAfter != nil)
        }
    }
}

/// Organisations: a school administrator manages the teachers of their own school, nothing else.
@Suite("School administrators")
struct SchoolAdminTests {
    @Test("A school admin creates and disables teachers of their school only; never board members, admins or other schools")
    func schoolAdmin() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("qt.lel", roles: [.schoolAdmin], school: "THCS Lê Lợi")
        try await t.addUser("gv.khac", roles: [.teacher], school: "THCS Khác")
        try await t.application.test(.router) { client in
            let sa = try await client.login("qt.lel", "password-qt.lel")
            let mine = try await client.json(.post, "/api/v1/users", token: sa, body: #"{"username":"gv.moi","password":"password-moi","roles":["teacher"],"school":"thcs le loi"}"#)
            #expect(mine.status == .created, "\(mine.body)")
            let id = try #require(mine.body["id"] as? Int)
            for body in [
                #"{"username":"gv.x","password":"password-x","roles":["teacher"],"school":"THCS Khác"}"#,
                #"{"username":"gv.y","password":"password-y","roles":["reviewer"],"school":"THCS Lê Lợi"}"#,
                #"{"username":"gv.z","password":"password-z","roles":["admin"],"school":"THCS Lê Lợi"}"#,
                #"{"username":"gv.w","password":"password-w","roles":["teacher"]}"#,
            ] {
                #expect(try await client.json(.post, "/api/v1/users", token: sa, body: body).status == .forbidden, "\(body)")
            }
            #expect(try await client.json(.post, "/api/v1/users/\(id)/disable", token: sa).status == .ok)
            #expect(try await client.json(.post, "/api/v1/users/\(id)/enable", token: sa).status == .ok)
            let other = try #require(try await t.repository.store.credentials(username: "gv.khac")?.user.id)
            #expect(try await client.json(.post, "/api/v1/users/\(other)/disable", token: sa).status == .forbidden)
            let teacher = try await client.login("gv.khac", "password-gv.khac")
            #expect(try await client.json(.post, "/api/v1/users", token: teacher, body: #"{"username":"gv.v","password":"password-v","roles":["teacher"]}"#).status == .forbidden)
        }
    }
}

/// Organisations as records: the department at the root, schools under it, every account in one.
@Suite("Organisations")
struct OrganisationTests {
    @Test("Accounts belong to their school (one record per folded name) or to the department; schools registered, corrected, listed with their accounts")
    func organisations() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("qt.lel", roles: [.schoolAdmin], school: "THCS Lê Lợi")
        try await t.addUser("gv.lel", roles: [.teacher], school: "thcs le loi")
        try await t.addUser("gv.khac", roles: [.teacher], school: "THCS Khác")
        try await t.addUser("qt.khac", roles: [.schoolAdmin], school: "THCS Khác")
        try await t.addUser("td.so", roles: [.reviewer])
        try await t.application.test(.router) { client in
            let admin = try await client.login("admin", TestRepository.adminPassword)
            let sa = try await client.login("qt.lel", "password-qt.lel")
            let teacher = try await client.login("gv.lel", "password-gv.lel")
            let otherSA = try await client.login("qt.khac", "password-qt.khac")

            let list = try await client.json(.get, "/api/v1/organisations", token: teacher)
            #expect(list.status == .ok)
            let items = try #require(list.body["items"] as? [[String: Any]])
            #expect(items.first?["kind"] as? String == "department")
            let byKey = Dictionary(uniqueKeysWithValues: items.map { ($0["key"] as? String ?? "", $0) })
            #expect(Set(byKey.keys) == ["_department", "thcs_le_loi", "thcs_khac"], "\(byKey.keys)")
            #expect(byKey["thcs_le_loi"]?["userCount"] as? Int == 2, "two spellings, one school")
            #expect(byKey["thcs_le_loi"]?["parentID"] as? Int == items.first?["id"] as? Int)
            #expect(byKey["_department"]?["userCount"] as? Int == 2, "the administrator and the reviewer")
            let lelID = try #require(byKey["thcs_le_loi"]?["id"] as? Int)
            let khacID = try #require(byKey["thcs_khac"]?["id"] as? Int)

            // Members: administrators and the school's own administrator list them; nobody else.
            let seenBySA = try await client.json(.get, "/api/v1/organisations/\(lelID)", token: sa).body
            #expect(Set((seenBySA["users"] as? [[String: Any]] ?? []).compactMap { $0["username"] as? String }) == ["qt.lel", "gv.lel"])
            #expect(try await client.json(.get, "/api/v1/organisations/\(lelID)", token: teacher).body["users"] == nil)
            #expect(try await client.json(.get, "/api/v1/organisations/\(lelID)", token: otherSA).body["users"] == nil)
            let own = try await client.json(.get, "/api/v1/users", token: sa)
            #expect((own.body["items"] as? [[String: Any]])?.count == 2)
            #expect(try await client.json(.get, "/api/v1/users?organisation=\(khacID)", token: sa).status == .forbidden)
            #expect(try await client.json(.get, "/api/v1/users", token: teacher).status == .forbidden)
            #expect(try await client.json(.get, "/api/v1/users?organisation=\(khacID)", token: admin).status == .ok)

            // A new account names a school: it joins that record.
            let made = try await client.json(.post, "/api/v1/users", token: sa, body: #"{"username":"gv.moi","password":"password-moi","roles":["teacher"],"school":"THCS LÊ LỢI"}"#)
            #expect(made.body["organisationID"] as? Int == lelID, "\(made.body)")

            // Registering and correcting schools: administrators only; a school's key never changes.
            let created = try await client.json(.post, "/api/v1/organisations", token: admin, body: #"{"name":"THCS Nguyễn Du","code":"79760123"}"#)
            #expect(created.status == .created && created.body["key"] as? String == "thcs_nguyen_du", "\(created.body)")
            #expect(try await client.json(.post, "/api/v1/organisations", token: admin, body: #"{"name":"thcs nguyen du"}"#).status == .conflict)
            #expect(try await client.json(.post, "/api/v1/organisations", token: sa, body: #"{"name":"THCS Mới"}"#).status == .forbidden)
            #expect(try await client.json(.post, "/api/v1/organisations", token: admin, body: #"{"name":"   "}"#).status == .unprocessableContent)
            let renamed = try await client.json(.patch, "/api/v1/organisations/\(lelID)", token: admin, body: #"{"name":"THCS LÊ LỢI","code":"79760001"}"#)
            #expect(renamed.status == .ok && renamed.body["name"] as? String == "THCS LÊ LỢI" && renamed.body["code"] as? String == "79760001")
            #expect(try await client.json(.patch, "/api/v1/organisations/\(lelID)", token: admin, body: #"{"name":"THCS Lê Lai"}"#).status == .conflict)
            #expect(try await client.json(.patch, "/api/v1/organisations/999999", token: admin, body: #"{"code":"1"}"#).status == .notFound)

            let audit = try await client.json(.get, "/api/v1/audit?action=organisation", token: admin).body["items"] as? [[String: Any]] ?? []
            #expect(audit.compactMap { $0["action"] as? String } == ["organisation.created", "organisation.updated"])
        }
    }
}

/// Web sessions: an HttpOnly cookie, and a CSRF token on every state-changing request made with it.
@Suite("Cookie sessions")
struct CookieSessionTests {
    @Test("Sign-in sets HttpOnly SameSite=Lax cookies; a cookie alone reads, writes need X-CSRF-Token; logout clears them")
    func cookies() async throws {
        let t = try await TestRepository(publicBaseURL: "https://hoclieu.example.vn")
        defer { t.cleanup() }
        try await t.addUser("gv.a", roles: [.teacher])
        try await t.application.test(.router) { client in
            let login = try await client.execute(
                uri: "/api/v1/auth/login", method: .post, body: ByteBuffer(string: #"{"username":"gv.a","password":"password-gv.a"}"#)
            ) { response in
                (response.headers[values: .setCookie], (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
            }
            let session = try #require(login.0.first { $0.hasPrefix("hoclieu_session=") })
            #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax") && session.contains("Secure"))
            let csrfCookie = try #require(login.0.first { $0.hasPrefix("hoclieu_csrf=") })
            #expect(!csrfCookie.contains("HttpOnly"))
            let csrf = try #require(login.1["csrfToken"] as? String)
            let token = String(session.dropFirst("hoclieu_session=".count).prefix { $0 != ";" })
            let cookie: HTTPFields = [.cookie: "hoclieu_session=\(token); hoclieu_csrf=\(csrf)"]
            #expect(try await client.json(.get, "/api/v1/me", headers: cookie).status == .ok)
            // A write from another site's page carries the cookie but not the header.
            let forged = try await client.json(.post, "/api/v1/materials", body: #"{"kind":"lesson","title":"Giả"}"#, headers: cookie)
            #expect(forged.status == .forbidden && (forged.body["type"] as? String)?.hasSuffix("csrf") == true, "\(forged.body)")
            var wrong = cookie
            wrong[HTTPField.Name("X-CSRF-Token")!] = "sai" + csrf
            #expect(try await client.json(.post, "/api/v1/materials", body: #"{"kind":"lesson","title":"Giả"}"#, headers: wrong).status == .forbidden)
            var good = cookie
            good[HTTPField.Name("X-CSRF-Token")!] = csrf
            #expect(try await client.json(.post, "/api/v1/materials", body: #"{"kind":"lesson","title":"Thật"}"#, headers: good).status == .created)
            // Logout ends the session and clears both cookies.
            let cleared = try await client.execute(uri: "/api/v1/auth/logout", method: .post, headers: good) { $0.headers[values: .setCookie] }
            #expect(cleared.count == 2 && cleared.allSatisfy { $0.contains("Max-Age=0") })
            #expect(try await client.json(.get, "/api/v1/me", headers: cookie).status == .unauthorized)
        }
    }
}
