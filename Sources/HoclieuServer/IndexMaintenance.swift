import HoclieuStorage
import HoclieuApp
import Logging
import ServiceLifecycle

/// Merges the search index's segments in the background, a little at a time, so that reads
/// keep walking few segments per term however the data arrived (bulk imports leave many). At start it first
/// brings the stored OAI-PMH records up to date (records stored before an upgrade or under another address).
struct IndexMaintenanceService: Service {
    let store: any Store
    let interval: Duration
    let logger: Logger

    func run() async throws {
        do {
            var after = 0
            var batches = 0
            while !Task.isCancelled, let last = try await store.refreshRenderedRecords(after: after, limit: 2000) {
                after = last
                batches += 1
            }
            logger.debug("stored OAI-PMH records refreshed", metadata: ["hoclieu.oai.batches": "\(batches)"])
        } catch {
            // Harvests still work: a record without a current stored copy is encoded when it is asked for.
            logger.error("refreshing stored OAI-PMH records failed", metadata: ["hoclieu.error": "\(error)"])
        }
        // Sleeping ends at graceful shutdown; a round in progress finishes (it is short).
        while !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            do {
                let more = try await store.maintainSearchIndex(budget: .seconds(2))
                logger.debug("search index maintenance", metadata: ["hoclieu.index.more": "\(more)"])
            } catch {
                logger.error("search index maintenance failed", metadata: ["hoclieu.error": "\(error)"])
            }
        }
    }
}
