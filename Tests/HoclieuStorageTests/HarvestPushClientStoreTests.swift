import Foundation
import HoclieuCore
import HoclieuStorage
import Testing

/// What several nodes share through the store: the OAI-PMH harvest order, LMS pushes keyed by `Idempotency-Key`,
/// and LMS client credentials. Every backend must agree on them (a harvest resumed on another node, a push retried
/// on another node).
@Suite("Store conformance: harvest keyset, idempotent pushes, LMS clients")
struct HarvestPushClientStoreTests {
    func teacher(_ store: any Store, _ name: String) async throws -> User {
        try await store.createUser(NewUser(username: name, displayName: name, roles: [.teacher], passwordHash: "x"))
    }

    @Test("Harvest pages in keyset order cover every visible material once; counts and filters agree", arguments: StoreMakers.all)
    func harvestKeyset(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await teacher(store, "gv.thu")
            var drafts: [MaterialDraft] = []
            for i in 0..<30 {
                let visibility: Visibility = i % 10 == 3 ? .private : .public
                let status: MaterialStatus = i % 10 == 7 ? .draft : .published
                drafts.append(
                    MaterialDraft(
                        kind: i % 2 == 0 ? .lesson : .document, format: "text/html",
                        metadata: MaterialMetadata(title: "Bài \(i)", subjects: ["TOAN"], grades: [6 + i % 3]), visibility: visibility, status: status))
            }
            #expect(try await store.createMaterials(drafts, ownerID: user.id) == 30)
            let query = HarvestQuery(statuses: [.published], visibilities: [.public])
            let expected = (0..<30).filter { $0 % 10 != 3 && $0 % 10 != 7 }.count
            #expect(try await store.harvestCount(query) == expected)

            var seen: [Material] = []
            var after: HarvestPosition?
            while true {
                let page = try await store.harvestPage(query, after: after, limit: 7)
                guard let last = page.last else { break }
                #expect(page.count <= 7)
                seen += page
                after = HarvestPosition(after: last)
            }
            #expect(seen.count == expected)
            #expect(Set(seen.map(\.pid)).count == expected, "no material twice")
            let positions = seen.map { HarvestPosition(after: $0) }
            #expect(zip(positions, positions.dropFirst()).allSatisfy { ($0.updatedAt, $0.serial) < ($1.updatedAt, $1.serial) }, "keyset order")

            var grade7 = query
            grade7.grade = 7
            let sevens = (0..<30).filter { $0 % 10 != 3 && $0 % 10 != 7 && $0 % 3 == 1 }.count
            #expect(try await store.harvestCount(grade7) == sevens)
            #expect(try await store.harvestPage(grade7, after: nil, limit: 100).count == sevens)
        }
    }

    @Test("A push retried with the same Idempotency-Key queues nothing new; another body under the key is refused", arguments: StoreMakers.all)
    func idempotentPushes(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let lms = try await teacher(store, "lms.a")
            let other = try await teacher(store, "lms.b")
            let job = NewJob(kind: "push", ownerID: lms.id, input: Data("{\"a\":1}".utf8))
            guard case .created(let first) = try await store.createJob(job, idempotencyKey: "k-1", fingerprint: "f-1") else {
                Issue.record("the first push was not queued")
                return
            }
            #expect(try await store.createJob(job, idempotencyKey: "k-1", fingerprint: "f-1") == .replayed(first))
            #expect(try await store.createJob(job, idempotencyKey: "k-1", fingerprint: "f-2") == .mismatch(jobID: first.id))
            // Keys belong to their owner: another client's "k-1" is its own push.
            let theirs = NewJob(kind: "push", ownerID: other.id, input: Data())
            guard case .created(let second) = try await store.createJob(theirs, idempotencyKey: "k-1", fingerprint: "f-1") else {
                Issue.record("another owner's key was taken for this owner's")
                return
            }
            #expect(second.id != first.id)
            #expect(try await store.statistics().jobsQueued == 2)
        }
    }

    @Test("LMS clients: created with a user of their own, found by client id, touched, revoked", arguments: StoreMakers.all)
    func clients(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let admin = try await store.createUser(NewUser(username: "qtv", displayName: "QTV", roles: [.admin], passwordHash: "x"))
            let client = try await store.createClient(clientID: "moodle-thcs-a", name: "Moodle THCS A", scopes: [.harvest, .push], secretHash: "h", by: admin.id)
            #expect(client.scopes == [.harvest, .push] && client.revokedAt == nil)
            let found = try #require(try await store.client(clientID: "moodle-thcs-a"))
            #expect(found.client.id == client.id && found.secretHash == "h" && found.user.id == client.userID)
            #expect(try await store.client(clientID: "no-such-client") == nil)
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            try await store.touchClient(id: client.id, at: now)
            #expect(try await store.clients().first { $0.id == client.id }?.lastUsedAt == now)
            let revoked = try await store.revokeClient(id: client.id, by: admin.id)
            #expect(revoked.revokedAt != nil)
        }
    }
}

/// Sessions live in the store so that any node honours a sign-in made on another.
@Suite("Store conformance: sessions")
struct SessionStoreTests {
    @Test("A session is found until it expires or is deleted; ending a user's other sessions keeps the current one", arguments: StoreMakers.all)
    func sessions(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let lan = try await store.createUser(NewUser(username: "gv.lan", displayName: "Lan", roles: [.teacher], passwordHash: "x"))
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            try await store.createSession(tokenHash: "h-1", userID: lan.id, expiresAt: now.addingTimeInterval(3600))
            try await store.createSession(tokenHash: "h-2", userID: lan.id, expiresAt: now.addingTimeInterval(3600))
            try await store.createSession(tokenHash: "h-3", userID: lan.id, expiresAt: now.addingTimeInterval(-1))
            #expect(try await store.sessionUser(tokenHash: "h-1", now: now)?.id == lan.id)
            #expect(try await store.sessionUser(tokenHash: "h-3", now: now) == nil, "expired")
            #expect(try await store.sessionUser(tokenHash: "nope", now: now) == nil)
            try await store.deleteSessions(userID: lan.id, except: "h-2")
            #expect(try await store.sessionUser(tokenHash: "h-1", now: now) == nil)
            #expect(try await store.sessionUser(tokenHash: "h-2", now: now)?.id == lan.id)
            try await store.deleteSession(tokenHash: "h-2")
            #expect(try await store.sessionUser(tokenHash: "h-2", now: now) == nil)

            try await store.createSession(tokenHash: "h-4", userID: lan.id, expiresAt: now.addingTimeInterval(3600))
            _ = try await store.setUserDisabled(userID: lan.id, disabled: true)
            #expect(try await store.sessionUser(tokenHash: "h-4", now: now) == nil, "a disabled account's sessions are not honoured")
        }
    }
}
