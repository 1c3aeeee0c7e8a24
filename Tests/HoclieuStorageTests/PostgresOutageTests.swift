import Foundation
import HoclieuCore
@testable import HoclieuStorage
import Logging
import PostgresNIO
import Testing

/// A database that does not answer makes calls fail fast with ``StoreUnavailableError``; a busy one makes them wait.
@Suite("PostgreSQL store: an unreachable database fails fast, a busy pool waits")
struct PostgresOutageTests {
    /// 127.0.0.1, port 1: nothing listens there, connections are refused.
    static let closedURL = "postgres://hoclieu@127.0.0.1:1/hoclieu"

    @Test("Nothing listening: open, and every call of a store that connects in the background, fail within seconds (5 s each by default, not the pool's minute) as unavailable")
    func closedPort() async throws {
        let clock = ContinuousClock()
        var failure: (any Error)?
        let opening = await clock.measure {
            do {
                _ = try await PostgresStore.open(url: Self.closedURL, pidPrefix: "79-760", logger: PostgresTestDatabase.logger)
            } catch {
                failure = error
            }
        }
        #expect(failure as? StoreUnavailableError != nil, "open: \(String(describing: failure))")
        #expect(opening < .seconds(30), "open took \(opening) (the pool alone waits a minute)")

        let store = try PostgresStore.connect(url: Self.closedURL, pidPrefix: "79-760", logger: PostgresTestDatabase.logger)
        for _ in 0..<3 {
            var error: (any Error)?
            let took = await clock.measure {
                do { _ = try await store.statistics() } catch let e { error = e }
            }
            #expect(error as? StoreUnavailableError != nil, "statistics: \(String(describing: error))")
            #expect(took < .seconds(30), "a call took \(took) (the pool alone waits a minute)")
        }
        await store.shutdown()
    }

    @Test("connect_timeout in the URL sets how long a lease waits for an unanswering database")
    func connectTimeout() async throws {
        let settings = try PostgresStore.ConnectionSettings(url: Self.closedURL + "?connect_timeout=0.4")
        #expect(settings.unavailableAfter == .milliseconds(400))
        #expect(try PostgresStore.ConnectionSettings(url: Self.closedURL).unavailableAfter == .seconds(5))
        #expect(throws: StoreError.self) { try PostgresStore.ConnectionSettings(url: Self.closedURL + "?connect_timeout=x") }

        let store = try PostgresStore.connect(url: Self.closedURL + "?connect_timeout=0.4", pidPrefix: "79-760", logger: PostgresTestDatabase.logger)
        let took = try await ContinuousClock().measure {
            await #expect(throws: StoreUnavailableError.self) { _ = try await store.statistics() }
        }
        #expect(took < .seconds(30), "took \(took)")
        await store.shutdown()
    }

    @Test("Every connection busy longer than the wait: a further call waits for one instead of failing", .needsPostgres)
    func busyPoolWaits() async throws {
        try await PostgresTestDatabase.with { store in
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The pool's 16 connections each sleep 6 s, longer than the 5 s an unanswering database is given.
                for _ in 0..<16 {
                    group.addTask { try await store.read { c in try await c.run("SELECT pg_sleep(6)", store.logger) } }
                }
                try await Task.sleep(for: .milliseconds(300))
                group.addTask { _ = try await store.statistics() }
                try await group.waitForAll()
            }
            #expect(started.duration(to: .now) >= .seconds(6))
        }
    }

    @Test("Signs of life are recent answers only: a lease queued before an outage does not count the answers before it as life")
    func contactWindow() {
        let contact = Contact()
        let window = Duration.seconds(3)
        #expect(!contact.alive(window: window), "never answered")
        let answered = ContinuousClock.now
        contact.answered()
        #expect(contact.alive(window: window, now: answered + .seconds(2)))
        // A lease that began just before the last answer, asking 4 s later while the database is gone.
        #expect(!contact.alive(window: window, now: answered + .seconds(4)))
    }
}
