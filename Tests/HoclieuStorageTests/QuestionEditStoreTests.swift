import Foundation
import HoclieuCore
import HoclieuStorage
import Testing

@Suite("Store: question edits and submission list headlines")
struct QuestionEditStoreTests {
    @Test("An edit is the next version, audited in its transaction; a stale version stores nothing", arguments: StoreMakers.all)
    func edit(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await store.createUser(NewUser(username: "gv.an", displayName: "gv.an", roles: [.teacher], passwordHash: "x"))
            let question = Question(
                id: "", title: "Câu 1", subject: "TOAN", stem: RichText("<p>\\(x^2 = 4\\)</p>"), body: .numeric(NumericQuestion(keys: [NumericKey(answer: "2")])))
            let created = try #require(try await store.importQuestions([question], ownerID: user.id, source: "de.docx").first)
            // Given the current version 1, when it is edited.
            var edited = try #require(try await store.question(id: created.id))
            edited.stem = RichText("<p>\\(x^2 = 9\\)</p>")
            let audit = AuditDraft(actorID: user.id, action: "question.edited", subject: "question:\(created.id)")
            guard case .saved(let saved) = try await store.editQuestion(edited, expectedVersion: 1, audit: audit) else {
                Issue.record("not saved")
                return
            }
            // Then version 2 is current, version 1 unchanged, the owner and source kept, one audit event.
            #expect(saved.version == 2 && saved.id == created.id)
            #expect(try await store.question(id: created.id)?.stem.html == "<p>\\(x^2 = 9\\)</p>")
            #expect(try await store.question(id: created.id, version: 1)?.stem.html == "<p>\\(x^2 = 4\\)</p>")
            #expect(try await store.question(id: created.id, version: 2)?.version == 2)
            #expect(try await store.questionOwner(id: created.id)?.ownerID == user.id)
            let events = try await store.auditEvents(AuditQuery(action: "question.edited"))
            #expect(events.count == 1 && events.first?.details["version"] == "2" && events.first?.subject == "question:\(created.id)")
            // An edit made on version 1 is stale now; nothing is stored.
            var late = edited
            late.title = "Muộn"
            #expect(try await store.editQuestion(late, expectedVersion: 1, audit: audit) == .stale(currentVersion: 2))
            #expect(try await store.question(id: created.id)?.title == "Câu 1")
            // The same content again makes no version and no event.
            guard case .unchanged(let same) = try await store.editQuestion(saved, expectedVersion: 2, audit: audit) else {
                Issue.record("an edit that changes nothing made a version")
                return
            }
            #expect(same.version == 2)
            #expect(try await store.auditEvents(AuditQuery(action: "question.edited")).count == 1)
            // Search by the edited unit sees the new version.
            var tagged = saved
            tagged.knowledgeUnits = ["TOAN.6.SD.1"]
            guard case .saved = try await store.editQuestion(tagged, expectedVersion: 2, audit: audit) else {
                Issue.record("not saved")
                return
            }
            #expect(try await store.questions(QuestionQuery(unit: "TOAN.6.SD")).items.map(\.id) == [created.id])
            var missing = saved
            missing.id = "79-760-Q-999"
            await #expect(throws: StoreError.self) { try await store.editQuestion(missing, expectedVersion: 1, audit: audit) }
        }
    }

    @Test("Headlines of many materials in one call: title, kind, subjects; unknown ones left out", arguments: StoreMakers.all)
    func headlines(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await store.createUser(NewUser(username: "gv.an", displayName: "gv.an", roles: [.teacher], passwordHash: "x"))
            let a = try await store.createMaterial(
                MaterialDraft(kind: .lesson, format: "text/html", metadata: MaterialMetadata(title: "Phân số", subjects: ["TOAN"])), ownerID: user.id,
                firstVersion: nil)
            let b = try await store.createMaterial(
                MaterialDraft(kind: .simulation, format: "text/html", metadata: MaterialMetadata(title: "Con lắc", subjects: ["VATLY", "KHTN"])),
                ownerID: user.id, firstVersion: nil)
            let unknown = PersistentIdentifier(prefix: "79-760", serial: 99_999)
            let headlines = try await store.materialHeadlines([a.pid, b.pid, a.pid, unknown])
            #expect(headlines.count == 2)
            #expect(headlines[a.pid] == MaterialHeadline(title: "Phân số", kind: .lesson, subjects: ["TOAN"]))
            #expect(headlines[b.pid]?.title == "Con lắc" && headlines[b.pid]?.kind == .simulation && Set(headlines[b.pid]?.subjects ?? []) == ["VATLY", "KHTN"])
            #expect(try await store.materialHeadlines([]).isEmpty)
        }
    }
}
