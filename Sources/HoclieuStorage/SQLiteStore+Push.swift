public import Foundation
import GRDB
public import HoclieuCore

extension SQLiteStore {
    /// `v10-push`: the `Idempotency-Key`s of LMS pushes, per owner (the client's account), with the fingerprint
    /// of the request that first used the key and the job it queued.
    static func registerPush(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v10-push") { db in
            try db.execute(
                sql: """
                    CREATE TABLE pushRequest (
                        ownerId INTEGER NOT NULL REFERENCES user(id),
                        idempotencyKey TEXT NOT NULL,
                        fingerprint TEXT NOT NULL,
                        jobId TEXT NOT NULL REFERENCES job(jid),
                        createdAt TEXT NOT NULL,
                        PRIMARY KEY (ownerId, idempotencyKey)
                    )
                    """)
        }
    }

    public func createJob(_ new: NewJob, idempotencyKey key: String, fingerprint: String) async throws -> IdempotentJob {
        try await pool.write { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT fingerprint, jobId FROM pushRequest WHERE ownerId = ? AND idempotencyKey = ?", arguments: [new.ownerID, key])
            {
                let jobID: String = row["jobId"]
                guard (row["fingerprint"] as String) == fingerprint else { return .mismatch(jobID: jobID) }
                guard let job = try Row.fetchOne(db, sql: "SELECT * FROM job WHERE jid = ?", arguments: [jobID]).map(Self.job) else {
                    throw StoreError.notFound("job \(jobID)")
                }
                return .replayed(job)
            }
            let job = try Self.insertJob(new, prefix: self.pidPrefix, db: db)
            try db.execute(
                sql: "INSERT INTO pushRequest (ownerId, idempotencyKey, fingerprint, jobId, createdAt) VALUES (?, ?, ?, ?, ?)",
                arguments: [new.ownerID, key, fingerprint, job.id, Self.now().dbText])
            return .created(job)
        }
    }
}
