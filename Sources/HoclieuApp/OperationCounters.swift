import Synchronization

/// Counts of this process's background work since it started (harvest runs and records, LMS pushes), for
/// `/metrics`. Per node, like Prometheus counters: a scraper sums the nodes.
public final class OperationCounters: Sendable {
    /// A copy of the counts.
    public struct Counts: Sendable, Equatable {
        /// Harvest runs that went through, stopped early (an OAI error, a loop, invalid XML…), or failed with an error.
        public var harvestRunsCompleted = 0
        public var harvestRunsStopped = 0
        public var harvestRunsFailed = 0
        /// Harvested records by outcome: created, updated, withdrawn, unchanged, skipped.
        public var harvestRecords: [String: Int] = [:]
        /// Pushes by how they were treated (cartridge, questions, file) and failed pushes.
        public var pushes: [String: Int] = [:]
        public var pushesFailed = 0
    }

    private let counts = Mutex(Counts())

    public init() {}

    /// The counts now.
    public var snapshot: Counts { counts.withLock { $0 } }

    func harvestRun(_ report: HarvestRunReport) {
        counts.withLock { c in
            if report.error == nil { c.harvestRunsCompleted += 1 } else { c.harvestRunsStopped += 1 }
            for (outcome, n) in [
                ("created", report.created), ("updated", report.updated), ("withdrawn", report.withdrawn), ("unchanged", report.unchanged),
                ("skipped", report.skipped),
            ] {
                c.harvestRecords[outcome, default: 0] += n
            }
        }
    }

    func harvestFailed() { counts.withLock { $0.harvestRunsFailed += 1 } }

    func push(_ result: PushResult) { counts.withLock { $0.pushes[result.treatedAs, default: 0] += 1 } }

    func pushFailed() { counts.withLock { $0.pushesFailed += 1 } }
}
