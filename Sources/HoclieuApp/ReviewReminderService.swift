import Foundation
import HoclieuStorage
package import Logging
package import ServiceLifecycle

/// Reminds reviewers of overdue assignments and escalates to the chair later (times from ``ReviewRules``):
/// a background job that marks each assignment once per step, so any number of nodes may run it.
package struct ReviewReminderService: Service {
    let repository: Services
    let interval: Duration
    let logger: Logger

    package init(repository: Services, interval: Duration = .seconds(3600), logger: Logger) {
        self.repository = repository
        self.interval = interval
        self.logger = logger
    }

    package func run() async throws {
        while !Task.isCancelled {
            do {
                let (reminded, escalated) = try await repository.remindOverdueReviewers()
                if reminded + escalated > 0 {
                    logger.info("review reminders", metadata: ["hoclieu.review.reminded": "\(reminded)", "hoclieu.review.escalated": "\(escalated)"])
                }
            } catch {
                logger.error("review reminders failed", metadata: ["hoclieu.error": "\(error)"])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
