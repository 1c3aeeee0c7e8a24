import Foundation
import HoclieuStorage
package import Logging
package import ServiceLifecycle

/// Harvests the registered OAI-PMH repositories (`hoclieu harvest add … --every 6h`) when they are due, inside
/// `serve`: every `pollInterval` it runs ``Services/runHarvests(fetcher:onlyDue:policy:now:)`` with `onlyDue`, the
/// same use case as `hoclieu harvest run --due`. A run that stops is recorded on its repository and retried when
/// it is due again. Nodes started with `HOCLIEU_JOBS=false` do not run it. Runs are idempotent by provenance, so
/// two nodes that happen to harvest the same repository at once create nothing twice.
package struct HarvestSchedulerService<Fetcher: HarvestFetcher>: Service {
    let repository: Services
    let fetcher: Fetcher
    let pollInterval: Duration
    let policy: HarvestPolicy
    let logger: Logger

    package init(repository: Services, fetcher: Fetcher, pollInterval: Duration = .seconds(60), policy: HarvestPolicy = HarvestPolicy(), logger: Logger) {
        self.repository = repository
        self.fetcher = fetcher
        self.pollInterval = pollInterval
        self.policy = policy
        self.logger = logger
    }

    package func run() async throws {
        while !Task.isCancelled {
            do {
                for report in try await repository.runHarvests(fetcher: fetcher, onlyDue: true, policy: policy) {
                    var metadata: Logger.Metadata = [
                        "hoclieu.harvest.repository": "\(report.repository)", "hoclieu.harvest.created": "\(report.created)",
                        "hoclieu.harvest.updated": "\(report.updated)", "hoclieu.harvest.withdrawn": "\(report.withdrawn)",
                    ]
                    if let error = report.error {
                        metadata["hoclieu.error"] = "\(error)"
                        logger.warning("scheduled harvest stopped", metadata: metadata)
                    } else {
                        logger.info("scheduled harvest", metadata: metadata)
                    }
                }
            } catch {
                logger.error("scheduled harvests failed", metadata: ["hoclieu.error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: pollInterval) }
            } catch {
                return
            }
        }
    }
}
