import Foundation
import HoclieuCore
@testable import HoclieuApp
import HoclieuStorage
import Logging
import Testing

@Suite("Scheduled harvests in serve")
struct HarvestSchedulerTests {
    @Test("The scheduler harvests a due repository from another instance, and leaves it alone until its interval has passed")
    func harvestsWhenDue() async throws {
        let a = try await TestRepository()
        defer { a.cleanup() }
        let b = try await TestRepository()
        defer { b.cleanup() }
        try await OAIProviderTests.fill(a, count: 30)
        let expected = try await a.repository.store.harvestCount(HarvestQuery(statuses: [.published], visibilities: [.public]))
        let registered = try await OAIHarvesterTests.register(b)
        #expect(registered.lastRunAt == nil)
        var logger = Logger(label: "test-scheduler")
        logger.logLevel = .critical
        let service = HarvestSchedulerService(
            repository: b.repository, fetcher: OAIHarvesterTests.InstanceFetcher(source: a.repository), pollInterval: .milliseconds(50),
            policy: OAIHarvesterTests.instant, logger: logger)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        // When the service has run once, B holds A's public records, in review.
        var runAt: Date?
        for _ in 0..<200 {
            runAt = try await b.repository.store.remoteRepositories().first?.lastRunAt
            if runAt != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let firstRun = try #require(runAt)
        let onB = try await OAIHarvesterTests.harvested(b)
        #expect(onB.count == expected)
        #expect(onB.allSatisfy { $0.status == .submitted })
        // The interval (an hour) has not passed: several polls later the repository was not harvested again.
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await b.repository.store.remoteRepositories().first?.lastRunAt == firstRun)
    }

    /// Counts the list requests it answers, and holds the first one back a little (a run in progress).
    final class CountingFetcher: HarvestFetcher, @unchecked Sendable {
        let inner: OAIHarvesterTests.InstanceFetcher
        let lock = NSLock()
        var firstPages = 0
        init(source: Services) { inner = OAIHarvesterTests.InstanceFetcher(source: source) }
        func get(_ url: URL) async throws -> HarvestHTTPResponse {
            if url.query?.contains("metadataPrefix") == true {
                lock.withLock { firstPages += 1 }
                try await Task.sleep(for: .milliseconds(200))
            }
            return try await inner.get(url)
        }
    }

    @Test("Two nodes over one store run a due repository once: the lease; a lease that ran out is taken over")
    func oneNodeAtATime() async throws {
        let a = try await TestRepository()
        defer { a.cleanup() }
        let b = try await TestRepository()
        defer { b.cleanup() }
        try await OAIProviderTests.fill(a, count: 30)
        let registered = try await OAIHarvesterTests.register(b)
        // A second node over B's data folder: its own process state (node id), the same store.
        let second = try Services.open(b.repository.configuration)
        #expect(second.nodeID != b.repository.nodeID)
        let fetcher = CountingFetcher(source: a.repository)
        async let one = b.repository.runHarvests(fetcher: fetcher, onlyDue: true, policy: OAIHarvesterTests.instant)
        async let two = second.runHarvests(fetcher: fetcher, onlyDue: true, policy: OAIHarvesterTests.instant)
        let reports = try await one + two
        #expect(reports.count == 1, "the repository ran on one node only")
        #expect(fetcher.firstPages == 1)
        #expect(reports.first?.error == nil)
        // Run and released: not due again on either node.
        #expect(try await second.runHarvests(fetcher: fetcher, onlyDue: true, policy: OAIHarvesterTests.instant).isEmpty)

        // A node that stopped mid-run: its lease runs out and another node takes the repository over, not before.
        let store = b.repository.store
        let now = Date()
        let current = try #require(try await store.remoteRepositories().first { $0.id == registered.id })
        #expect(try await store.claimHarvestRun(repositoryID: current.id, holder: "dead", until: now.addingTimeInterval(60), lastRunAt: current.lastRunAt, now: now))
        #expect(try await !store.claimHarvestRun(repositoryID: current.id, holder: second.nodeID, until: now.addingTimeInterval(60), lastRunAt: current.lastRunAt, now: now))
        #expect(try await store.claimHarvestRun(
            repositoryID: current.id, holder: second.nodeID, until: now.addingTimeInterval(200), lastRunAt: current.lastRunAt, now: now.addingTimeInterval(61)))
        // A stale view of the last run (another node ran it since) is refused too.
        try await store.releaseHarvestRun(repositoryID: current.id, holder: second.nodeID)
        #expect(try await !store.claimHarvestRun(repositoryID: current.id, holder: second.nodeID, until: now.addingTimeInterval(60), lastRunAt: nil, now: now))
    }
}
