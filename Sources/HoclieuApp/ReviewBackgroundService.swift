import Foundation
import HoclieuStorage
package import Logging
package import ServiceLifecycle

/// The quality board's background work: the pre-review of new submissions (polled every `pollInterval`), and
/// reminders of overdue assignments with escalation to the chair later (every `reminderInterval`, times from
/// ``ReviewRules``), and on that beat the removal of expired resumable uploads. Each step marks what it did in the store, so any number of nodes may run it.
package struct ReviewBackgroundService: Service {
    let repository: Services
    let pollInterval: Duration
    let reminderInterval: Duration
    let logger: Logger

    package init(repository: Services, pollInterval: Duration = .seconds(2), reminderInterval: Duration = .seconds(3600), logger: Logger) {
        self.repository = repository
        self.pollInterval = pollInterval
        self.reminderInterval = reminderInterval
        self.logger = logger
    }

    package func run() async throws {
        var lastReminder = ContinuousClock.now - reminderInterval
        while !Task.isCancelled {
            do {
                let ran = try await repository.runPendingPreReviews()
                if ran > 0 { logger.debug("pre-reviews", metadata: ["hoclieu.review.prereviews": "\(ran)"]) }
            } catch {
                logger.error("pre-review failed", metadata: ["hoclieu.error": "\(error)"])
            }
            if ContinuousClock.now - lastReminder >= reminderInterval {
                lastReminder = ContinuousClock.now
                do {
                    let (reminded, escalated) = try await repository.remindOverdueReviewers()
                    if reminded + escalated > 0 {
                        logger.info("review reminders", metadata: ["hoclieu.review.reminded": "\(reminded)", "hoclieu.review.escalated": "\(escalated)"])
                    }
                } catch {
                    logger.error("review reminders failed", metadata: ["hoclieu.error": "\(error)"])
                }
                // Housekeeping on the same hourly beat: resumable uploads nobody continued (state and bytes).
                do {
                    let swept = try await repository.sweepExpiredUploads(now: Date())
                    if swept > 0 { logger.info("expired uploads removed", metadata: ["hoclieu.upload.expired": "\(swept)"]) }
                } catch {
                    logger.error("upload sweep failed", metadata: ["hoclieu.error": "\(error)"])
                }
                do {
                    let due = try await repository.runPeriodicReReviews()
                    if due > 0 { logger.info("periodic re-reviews", metadata: ["hoclieu.review.rereviews": "\(due)"]) }
                } catch {
                    logger.error("periodic re-review failed", metadata: ["hoclieu.error": "\(error)"])
                }
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: pollInterval) }
            } catch {
                return
            }
        }
    }
}
