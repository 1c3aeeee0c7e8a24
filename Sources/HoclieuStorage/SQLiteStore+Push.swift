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
            // Which harvester classes ever saw a material: set whenever it is published in a visibility, never unset, so
            // a published material made private or school-only becomes a deleted record for them (OAI-PMH, change feed).
            try db.execute(sql: "ALTER TABLE material ADD COLUMN exposedPublic BOOLEAN NOT NULL DEFAULT 0")
            try db.execute(sql: "ALTER TABLE material ADD COLUMN exposedSector BOOLEAN NOT NULL DEFAULT 0")
            try db.execute(
                sql: """
                    UPDATE material SET exposedPublic = (visibility = 'public'), exposedSector = (visibility IN ('public', 'sector'))
                    WHERE status IN ('published', 'withdrawn')
                    """)
            for event in ["INSERT", "UPDATE OF status, visibility"] {
                try db.execute(
                    sql: """
                        CREATE TRIGGER material_exposure_\(event.hasPrefix("INSERT") ? "insert" : "update") AFTER \(event) ON material
                        WHEN NEW.status = 'published' AND NEW.visibility IN ('public', 'sector')
                        BEGIN
                            UPDATE material SET exposedSector = 1, exposedPublic = (exposedPublic OR NEW.visibility = 'public') WHERE id = NEW.id;
                        END
                        """)
            }
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
