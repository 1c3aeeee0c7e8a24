public import Foundation
public import HoclieuCore

/// What an `Idempotency-Key` found: a new job, the job of an earlier identical request, or an earlier request
/// with the same key and a different body.
public enum IdempotentJob: Sendable, Equatable {
    case created(Job)
    case replayed(Job)
    case mismatch(jobID: String)
}

/// Pushes from LMS clients: jobs keyed by the client's `Idempotency-Key`.
public protocol PushStore: Sendable {
    /// Queues `job` under `key` of its owner in one transaction: when the owner already used the key, nothing is
    /// queued and the earlier job is returned (same `fingerprint`) or refused (another fingerprint).
    func createJob(_ job: NewJob, idempotencyKey key: String, fingerprint: String) async throws -> IdempotentJob
}
