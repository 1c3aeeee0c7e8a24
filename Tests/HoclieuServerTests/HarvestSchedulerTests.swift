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
}
