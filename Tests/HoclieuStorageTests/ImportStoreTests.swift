import Foundation
import HoclieuCore
import HoclieuStorage
import Testing

@Suite("Import batches and jobs")
struct ImportStoreTests {
    func owner(_ store: any Store) async throws -> Int64 {
        try await store.createUser(NewUser(username: "gv.nhap", displayName: "GV", roles: [.teacher], passwordHash: "x")).id
    }

    func entry(_ id: String, content: String, owner: Int64, questions: [Question] = []) -> ImportBatch.Entry {
        let contentID = ContentID.of(text: content)
        return ImportBatch.Entry(
            draft: MaterialDraft(
                kind: .document, format: "text/html", metadata: MaterialMetadata(title: "Bài \(id)"),
                provenance: Provenance(sourceSystem: "cc:course-1", sourceIdentifier: id)),
            version: VersionDraft(contentID: contentID, fileName: "\(id).html", mediaType: "text/html", byteSize: Int64(content.utf8.count), createdBy: owner),
            questions: questions)
    }

    @Test("Re-importing creates nothing; a changed file becomes a new version of that material only", arguments: StoreMakers.all)
    func idempotent(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let owner = try await owner(store)
            let question = Question(id: "q", stem: RichText("<p>Trời xanh?</p>"), body: .trueFalse(TrueFalseQuestion(correctAnswer: true)))
            let first = try await store.applyImport(
                ImportBatch(entries: [entry("a", content: "A", owner: owner), entry("b", content: "B", owner: owner, questions: [question])]),
                ownerID: owner)
            #expect(first.outcomes.map(\.action) == [.created, .created])
            #expect(first.outcomes[1].questions.map(\.action) == [.created])

            let again = try await store.applyImport(
                ImportBatch(entries: [entry("a", content: "A", owner: owner), entry("b", content: "B", owner: owner, questions: [question])]),
                ownerID: owner)
            #expect(again.outcomes.map(\.action) == [.unchanged, .unchanged])
            #expect(again.outcomes.map(\.pid) == first.outcomes.map(\.pid))
            #expect(again.outcomes[1].questions.map(\.action) == [.unchanged])

            let changed = try await store.applyImport(
                ImportBatch(entries: [entry("a", content: "A2", owner: owner), entry("b", content: "B", owner: owner)]), ownerID: owner)
            #expect(changed.outcomes.map(\.action) == [.updated, .unchanged])
            #expect(changed.outcomes[0].version == 2)
            #expect(try await store.statistics().materials == 2)
        }
    }

    @Test("An invalid entry stores nothing of the batch", arguments: StoreMakers.all)
    func atomic(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let owner = try await owner(store)
            var bad = entry("b", content: "B", owner: owner)
            bad.version?.createdBy = 999_999  // no such user: the foreign key fails inside the transaction
            await #expect(throws: (any Error).self) {
                try await store.applyImport(ImportBatch(entries: [entry("a", content: "A", owner: owner), bad]), ownerID: owner)
            }
            #expect(try await store.statistics().materials == 0)
            #expect(try await store.material(source: Provenance(sourceSystem: "cc:course-1", sourceIdentifier: "a"), ownerID: owner) == nil)
        }
    }

    @Test("Jobs are claimed once, report progress, can be cancelled and are requeued after a crash", arguments: StoreMakers.all)
    func jobs(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let owner = try await owner(store)
            let a = try await store.createJob(NewJob(kind: "import", ownerID: owner, input: Data("{}".utf8)))
            let b = try await store.createJob(NewJob(kind: "import", ownerID: owner, input: Data("{}".utf8)))
            #expect(a.status == .queued && a.id != b.id)
            #expect(try await store.claimJob(kinds: ["export"]) == nil)
            let claimed = try #require(try await store.claimJob(kinds: ["import"]))
            #expect(claimed.id == a.id && claimed.status == .running)
            #expect(try await store.updateJobProgress(id: a.id, progress: 0.5)?.progress == 0.5)
            #expect(try await store.cancelJob(id: b.id)?.status == .cancelled)
            #expect(try await store.cancelJob(id: a.id)?.status == .cancelling)
            #expect(try await store.updateJobProgress(id: a.id, progress: 0.6)?.status == .cancelling)
            try await store.finishJob(id: a.id, status: .cancelled, result: Data("{\"x\":1}".utf8), error: nil)
            #expect(try await store.job(id: a.id)?.status == .cancelled)
            #expect(try await store.claimJob(kinds: ["import"]) == nil)

            let c = try await store.createJob(NewJob(kind: "import", ownerID: owner, input: Data()))
            _ = try await store.claimJob(kinds: ["import"])
            #expect(try await store.requeueStaleJobs(before: Date(timeIntervalSinceNow: -60)) == 0)
            #expect(try await store.requeueStaleJobs(before: Date(timeIntervalSinceNow: 1)) == 1)
            #expect(try await store.job(id: c.id)?.status == .queued)
        }
    }

    // Issue 11, defect 5: a job whose process died while running it was queued again forever.
    @Test("A job its node died during three times is failed for good, with the reason, not queued a fourth time", arguments: StoreMakers.all)
    func poisonJob(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let owner = try await owner(store)
            let job = try await store.createJob(NewJob(kind: "import", ownerID: owner, input: Data()))
            for attempt in 1...JobRules.maxAttempts {
                #expect(try await store.claimJob(kinds: ["import"])?.id == job.id, "attempt \(attempt)")
                _ = try await store.requeueStaleJobs(before: Date(timeIntervalSinceNow: 1))  // the node died
            }
            let failed = try #require(try await store.job(id: job.id))
            #expect(failed.status == .failed && failed.error?.contains("not retried") == true)
            #expect(try await store.claimJob(kinds: ["import"]) == nil)
        }
    }

    @Test("Statistics count the job queue; a freshly opened store has no pending migrations", arguments: StoreMakers.all)
    func queueDepthAndSchema(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            #expect(try await store.pendingMigrations() == [])
            let owner = try await owner(store)
            for _ in 0..<3 { _ = try await store.createJob(NewJob(kind: "import", ownerID: owner, input: Data())) }
            let empty = try await store.statistics()
            #expect(empty.jobsQueued == 3 && empty.jobsRunning == 0)
            let claimed = try #require(try await store.claimJob(kinds: ["import"]))
            _ = try await store.cancelJob(id: try #require(try await store.claimJob(kinds: ["import"])).id)
            var stats = try await store.statistics()
            #expect(stats.jobsQueued == 1 && stats.jobsRunning == 2, "running and cancelling jobs both occupy a worker")
            try await store.finishJob(id: claimed.id, status: .succeeded, result: nil, error: nil)
            stats = try await store.statistics()
            #expect(stats.jobsQueued == 1 && stats.jobsRunning == 1)
        }
    }
}
