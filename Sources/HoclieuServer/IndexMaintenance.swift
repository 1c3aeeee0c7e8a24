import HoclieuStorage
import HoclieuApp
import Logging
import ServiceLifecycle

/// Merges the search index's segments in the background, a little at a time, so that reads
/// keep walking few segments per term however the data arrived (bulk imports leave many).
struct IndexMaintenanceService: Service {
    let store: any Store
    let interval: Duration
    let logger: Logger

    func run() async throws {
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
