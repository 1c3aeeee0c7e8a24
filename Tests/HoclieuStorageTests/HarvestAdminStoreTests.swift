import Foundation
import HoclieuCore
import HoclieuStorage
import Testing

/// The administration of harvest sources (settings, run history) and the OAI-PMH requests of LMS clients per day:
/// every backend keeps them alike.
@Suite("Store conformance: harvest sources, their runs, OAI-PMH requests per client and day")
struct HarvestAdminStoreTests {
    @Test("A source's settings change and keep where its harvest stands; runs are listed newest first; delete takes the runs", arguments: StoreMakers.all)
    func sourcesAndRuns(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let owner = try await store.createUser(NewUser(username: "qtv.thu", displayName: "QTV", roles: [.admin], passwordHash: "x"))
            let other = try await store.createUser(NewUser(username: "gv.thu", displayName: "GV", roles: [.teacher], passwordHash: "x"))
            let a = try await store.addRemoteRepository(
                NewRemoteRepository(baseURL: "https://a.example/oai", set: nil, metadataPrefix: "oai_dc", intervalSeconds: 3600, trusted: false, ownerID: owner.id))
            let b = try await store.addRemoteRepository(
                NewRemoteRepository(baseURL: "https://b.example/oai", set: "kind:lesson", metadataPrefix: "lom", intervalSeconds: 60, trusted: true, ownerID: owner.id))

            // Runs: one that went through (moves the datestamp), one that stopped (keeps it).
            let t0 = Date(timeIntervalSince1970: 1_790_000_000)
            let stamp = Date(timeIntervalSince1970: 1_789_000_000)
            try await store.recordHarvestRun(
                HarvestRunEntry(
                    repositoryID: a.id, startedAt: t0, finishedAt: t0.addingTimeInterval(5), status: .succeeded, pages: 2, created: 7, updated: 1,
                    withdrawn: 2, unchanged: 3, skipped: 1), lastDatestamp: stamp)
            try await store.recordHarvestRun(
                HarvestRunEntry(
                    repositoryID: a.id, startedAt: t0.addingTimeInterval(60), finishedAt: t0.addingTimeInterval(61), status: .stopped, pages: 1, created: 1,
                    error: "HTTP 500"), lastDatestamp: nil)
            let runs = try await store.harvestRuns(repositoryID: a.id, limit: 10)
            #expect(runs.map(\.status) == [.stopped, .succeeded])
            #expect(runs.last?.created == 7 && runs.last?.withdrawn == 2 && runs.last?.unchanged == 3 && runs.last?.skipped == 1 && runs.last?.pages == 2)
            #expect(runs.last?.startedAt == t0 && runs.last?.finishedAt == t0.addingTimeInterval(5) && runs.last?.error == nil)
            #expect(runs.first?.error == "HTTP 500")
            #expect(try await store.harvestRuns(repositoryID: a.id, limit: 1).map(\.status) == [.stopped])
            #expect(try await store.harvestRuns(repositoryID: b.id, limit: 10).isEmpty)
            var read = try #require(try await store.remoteRepository(id: a.id))
            #expect(read.lastDatestamp == stamp && read.lastError == "HTTP 500" && read.lastRunAt == t0.addingTimeInterval(61))
            // A run of an unknown source is refused and records nothing.
            await #expect(throws: StoreError.self) {
                try await store.recordHarvestRun(HarvestRunEntry(repositoryID: 99_999, startedAt: t0, finishedAt: t0, status: .failed), lastDatestamp: nil)
            }

            // Settings change; the harvest position is kept.
            let changed = try await store.updateRemoteRepository(
                id: a.id,
                NewRemoteRepository(baseURL: "https://a2.example/oai", set: "grade:6", metadataPrefix: "lom", intervalSeconds: 7200, trusted: true, ownerID: other.id))
            #expect(changed.baseURL == "https://a2.example/oai" && changed.set == "grade:6" && changed.metadataPrefix == "lom")
            #expect(changed.intervalSeconds == 7200 && changed.trusted && changed.ownerID == other.id && changed.lastDatestamp == stamp)
            read = try #require(try await store.remoteRepository(id: a.id))
            #expect(read == changed)
            // Onto another registration's URL, set and format: a conflict, nothing changed.
            await #expect(throws: StoreError.self) {
                _ = try await store.updateRemoteRepository(
                    id: a.id,
                    NewRemoteRepository(baseURL: "https://b.example/oai", set: "kind:lesson", metadataPrefix: "lom", intervalSeconds: 60, trusted: true, ownerID: owner.id))
            }
            #expect(try await store.remoteRepository(id: a.id) == changed)
            await #expect(throws: StoreError.self) {
                _ = try await store.updateRemoteRepository(id: 99_999, NewRemoteRepository(baseURL: "https://c.example/oai", set: nil, metadataPrefix: "oai_dc", intervalSeconds: 60, trusted: false, ownerID: owner.id))
            }

            // Delete takes its runs; the other source stays.
            try await store.deleteRemoteRepository(id: a.id)
            #expect(try await store.remoteRepository(id: a.id) == nil)
            #expect(try await store.harvestRuns(repositoryID: a.id, limit: 10).isEmpty)
            #expect(try await store.remoteRepositories().map(\.id) == [b.id])
            await #expect(throws: StoreError.self) { try await store.deleteRemoteRepository(id: a.id) }
        }
    }

    @Test("OAI-PMH requests of client accounts: one upsert per request sums requests and records per account and day", arguments: StoreMakers.all)
    func oaiRequests(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let moodle = try await store.createUser(NewUser(username: "lms.moodle", displayName: "Moodle", roles: [.lmsClient], passwordHash: "x"))
            let canvas = try await store.createUser(NewUser(username: "lms.canvas", displayName: "Canvas", roles: [.lmsClient], passwordHash: "x"))
            // Given requests with these record counts (computed here, summed independently below).
            let requests: [(Int64, String, Int)] = [
                (moodle.id, "2026-12-04", 200), (moodle.id, "2026-12-04", 200), (moodle.id, "2026-12-04", 13), (moodle.id, "2026-12-05", 0),
                (canvas.id, "2026-12-05", 1), (moodle.id, "2026-12-05", 5),
            ]
            for (user, day, records) in requests { try await store.recordOAIRequest(userID: user, day: day, records: records) }
            var expected: [String: (requests: Int, records: Int)] = [:]
            for (user, day, records) in requests {
                let key = "\(user)/\(day)"
                expected[key] = ((expected[key]?.requests ?? 0) + 1, (expected[key]?.records ?? 0) + records)
            }
            let days = try await store.oaiActivity()
            #expect(days.count == expected.count)
            for d in days {
                let want = try #require(expected["\(d.userID)/\(d.day)"])
                #expect(d.requests == want.requests && d.records == want.records, "\(d)")
            }
            // Oldest day first.
            #expect(days.map(\.day) == days.map(\.day).sorted())
        }
    }
}
