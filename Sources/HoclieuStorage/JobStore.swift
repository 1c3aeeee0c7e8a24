public import Foundation

/// The queue of background jobs (imports, exports, pushes), shared by every node over one store:
/// a queued job is claimed by exactly one worker.
public protocol JobStore: Sendable {
    /// Queues a job; it is claimed by ``claimJob(kinds:)``.
    func createJob(_ job: NewJob) async throws -> Job
    func job(id: String) async throws -> Job?
    /// Claims the oldest queued job of one of `kinds` for this worker (running); nil when there is none.
    func claimJob(kinds: Set<String>) async throws -> Job?
    /// Records progress (0…1) and returns the job as it is now: a job asked to stop is `cancelling`.
    func updateJobProgress(id: String, progress: Double) async throws -> Job?
    /// Ends a job: succeeded, failed or cancelled, with its result (the report) and error text.
    func finishJob(id: String, status: JobStatus, result: Data?, error: String?) async throws
    /// Asks a job to stop: a queued one is cancelled at once, a running one becomes `cancelling`.
    func cancelJob(id: String) async throws -> Job?
    /// Puts running jobs whose node stopped (no progress since `before`) back in the queue, and ends those
    /// that were being cancelled; returns how many were queued again (imports are idempotent and atomic).
    func requeueStaleJobs(before: Date) async throws -> Int
}
