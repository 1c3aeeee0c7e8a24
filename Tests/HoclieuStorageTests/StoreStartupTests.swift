import Foundation
import HoclieuCore
@testable import HoclieuStorage
import Logging
import Testing

/// The PostgreSQL store at a server's start and with text PostgreSQL cannot hold (schemathesis found the second on a
/// PostgreSQL-backed service: a `%00` in a question filter was a 500).
@Suite("Store start-up and NUL text")
struct StoreStartupTests {
    /// A port nothing listens on (privileged, unused on loopback): connections are refused at once.
    static let deadPort = 1

    @Test("An unreachable PostgreSQL is reported within the time limit, with a bilingual message naming the server")
    func unreachableAtStart() async throws {
        let port = Self.deadPort
        var logger = Logger(label: "test.store.postgresql")
        logger.logLevel = .critical
        let store = try PostgresStore.connect(url: "postgres://hoclieu@127.0.0.1:\(port)/nothing", pidPrefix: "79-760", logger: logger)
        let started = ContinuousClock.now
        do {
            try await store.migrated(within: .seconds(2))
            Issue.record("migrations against a closed port succeeded")
        } catch let error as StoreUnavailableError {
            #expect(error.server == "127.0.0.1:\(port)/nothing")
            #expect(error.description.contains("Không kết nối được cơ sở dữ liệu PostgreSQL 127.0.0.1:\(port)/nothing trong 2 giây"))
            #expect(error.description.contains("did not answer within 2 s"))
        }
        // Bounded well below the pool's own minute (a loaded test machine delays timers by seconds).
        #expect(ContinuousClock.now - started < .seconds(30), "the wait is bounded")
        await store.shutdown()
    }

    @Test("withTimeLimit answers on time even when the work ignores cancellation")
    func timeLimit() async throws {
        struct Late: Error {}
        let never = Task<Void, Never> { try? await Task.sleep(for: .seconds(30)) }
        let started = ContinuousClock.now
        await #expect(throws: Late.self) {
            // Awaiting another task's value is not interrupted by cancellation: a task group would wait 30 s here.
            try await withTimeLimit(.milliseconds(200), onTimeout: { Late() }) { await never.value }
        }
        #expect(ContinuousClock.now - started < .seconds(20), "not the 30 s of the awaited task")
        never.cancel()
        #expect(try await withTimeLimit(.seconds(5), onTimeout: { Late() }) { 42 } == 42)
    }

    @Test("A NUL character in a filter or a title is never a database failure", arguments: StoreMakers.all)
    func nulText(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            // SQLite finds nothing; PostgreSQL cannot bind the text and says it is invalid input (a 422, not a 500).
            do {
                let page = try await store.questions(QuestionQuery(unit: "CN\u{0}.3", level: "\u{0}"))
                #expect(page.items.isEmpty)
            } catch let error as StoreError {
                // Invalid input (the store's own checks, or PostgreSQL refusing the text), never a driver error.
                guard case .invalid = error else { Issue.record("\(error)"); return }
            }
            let user = try await store.createUser(NewUser(username: "gv.nul", displayName: "GV", roles: [.teacher], passwordHash: "x"))
            let draft = MaterialDraft(
                kind: .document, format: "application/pdf", metadata: MaterialMetadata(title: "Phân\u{0}số", subjects: ["TOAN"], grades: [6]),
                visibility: .public, status: .draft)
            do {
                // SQLite stores it (GRDB reads text up to the NUL: what it returns is not this test's concern).
                let created = try await store.createMaterial(draft, ownerID: user.id, firstVersion: nil)
                #expect(try await store.material(created.pid) != nil)
            } catch let error as StoreError {
                // Invalid input (the store's own checks, or PostgreSQL refusing the text), never a driver error.
                guard case .invalid = error else { Issue.record("\(error)"); return }
            }
        }
    }
}
