public import Foundation
public import HoclieuCore
import Logging
import PostgresNIO

/// The job queue on PostgreSQL: a job is claimed with `FOR UPDATE SKIP LOCKED`, so workers on every node
/// poll the same queue and each queued job runs once.
extension PostgresStore: JobStore {
    static let jobColumns = "jid, kind, status, progress, owner_id, input, result, error, created_at, updated_at"

    static func job(_ row: PostgresRandomAccessRow) throws -> Job {
        Job(
            id: try row.get("jid"), kind: try row.get("kind"), status: JobStatus(rawValue: try row.get("status")) ?? .failed,
            progress: try row.get("progress"), ownerID: try row.get("owner_id"), input: try row.get("input"), result: try row.get("result"),
            error: try row.get("error"), createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }

    public func createJob(_ new: NewJob) async throws -> Job {
        try await write { c in try await insertJob(new, c) }
    }

    /// Queues a job inside the caller's transaction.
    func insertJob(_ new: NewJob, _ c: PostgresConnection) async throws -> Job {
        let serial = try await reserveSerials("job", count: 1, c)
        let jid = PersistentIdentifier(prefix: pidPrefix + "-J", serial: serial).rawValue
        let now = Self.now()
        let row = try await c.row(
            """
            INSERT INTO jobs (id, jid, kind, status, owner_id, input, created_at, updated_at)
            VALUES (\(Int64(serial)), \(jid), \(new.kind), 'queued', \(new.ownerID), \(new.input), \(now.pg), \(now.pg))
            RETURNING \(unescaped: Self.jobColumns)
            """, logger)
        return try Self.job(row!)
    }

    public func job(id: String) async throws -> Job? {
        try await read { c in try await c.row("SELECT \(unescaped: Self.jobColumns) FROM jobs WHERE jid = \(id)", logger).map(Self.job) }
    }

    public func claimJob(kinds: Set<String>) async throws -> Job? {
        guard !kinds.isEmpty else { return nil }
        let kinds = kinds.sorted()
        // A row another worker is claiming is skipped, not waited for: two claimers never get the same job.
        return try await write { c in
            try await c.row(
                """
                UPDATE jobs SET status = 'running', attempts = attempts + 1, updated_at = \(Self.now().pg)
                WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND kind = ANY(\(kinds)) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
                RETURNING \(unescaped: Self.jobColumns)
                """, logger
            ).map(Self.job)
        }
    }

    public func updateJobProgress(id: String, progress: Double) async throws -> Job? {
        try await write { c in
            try await c.row(
                """
                UPDATE jobs SET progress = greatest(progress, \(min(max(progress, 0), 1))), updated_at = \(Self.now().pg) WHERE jid = \(id)
                RETURNING \(unescaped: Self.jobColumns)
                """, logger
            ).map(Self.job)
        }
    }

    public func finishJob(id: String, status: JobStatus, result: Data?, error: String?) async throws {
        try await write { c in
            try await c.run(
                """
                UPDATE jobs SET status = \(status.rawValue), progress = CASE WHEN \(status.rawValue) = 'succeeded' THEN 1 ELSE progress END,
                    result = \(result), error = \(error), updated_at = \(Self.now().pg)
                WHERE jid = \(id)
                """, logger)
        }
    }

    public func cancelJob(id: String) async throws -> Job? {
        try await write { c in
            try await c.row(
                """
                UPDATE jobs SET status = CASE status WHEN 'queued' THEN 'cancelled' WHEN 'running' THEN 'cancelling' ELSE status END,
                    updated_at = \(Self.now().pg)
                WHERE jid = \(id) RETURNING \(unescaped: Self.jobColumns)
                """, logger
            ).map(Self.job)
        }
    }

    public func requeueStaleJobs(before: Date) async throws -> Int {
        try await write { c in
            let now = Self.now()
            try await c.run(
                "UPDATE jobs SET status = 'cancelled', updated_at = \(now.pg) WHERE status = 'cancelling' AND updated_at < \(before.pg)", logger)
            let attempts = Int32(SQLiteStore.maxJobAttempts)
            try await c.run(
                """
                UPDATE jobs SET status = 'failed', updated_at = \(now.pg), error = \(
                    "Tiến trình dừng giữa chừng \(attempts) lần khi làm việc này; không thử lại. / "
                    + "The process stopped during this job \(attempts) times; it is not retried.")
                WHERE status = 'running' AND updated_at < \(before.pg) AND attempts >= \(attempts)
                """, logger)
            return try await c.rows(
                """
                UPDATE jobs SET status = 'queued', progress = 0, updated_at = \(now.pg) WHERE status = 'running' AND updated_at < \(before.pg)
                RETURNING id
                """, logger
            ).count
        }
    }
}

/// Pushes keyed by the client's `Idempotency-Key`.
extension PostgresStore: PushStore {
    public func createJob(_ new: NewJob, idempotencyKey key: String, fingerprint: String) async throws -> IdempotentJob {
        // Two nodes taking the same new key at once: the loser's insert violates the key, and its second round finds
        // the winner's job (SQLite's single writer orders them the same way).
        for attempt in 0..<2 {
            do {
                return try await write { c in
                    if let row = try await c.row(
                        "SELECT fingerprint, job_id FROM push_requests WHERE owner_id = \(new.ownerID) AND idempotency_key = \(key)", logger)
                    {
                        let jobID = try row.get("job_id", as: String.self)
                        guard try row.get("fingerprint", as: String.self) == fingerprint else { return .mismatch(jobID: jobID) }
                        guard let job = try await c.row("SELECT \(unescaped: Self.jobColumns) FROM jobs WHERE jid = \(jobID)", logger).map(Self.job)
                        else { throw StoreError.notFound("job \(jobID)") }
                        return .replayed(job)
                    }
                    let job = try await insertJob(new, c)
                    try await c.run(
                        """
                        INSERT INTO push_requests (owner_id, idempotency_key, fingerprint, job_id, created_at)
                        VALUES (\(new.ownerID), \(key), \(fingerprint), \(job.id), \(Self.now().pg))
                        """, logger)
                    return .created(job)
                }
            } catch StoreError.conflict("push_requests_pkey") where attempt == 0 {
                continue
            }
        }
        throw StoreError.conflict("idempotency key \(key)")
    }
}
