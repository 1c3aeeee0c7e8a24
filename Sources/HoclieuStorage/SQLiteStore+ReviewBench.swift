package import Foundation
import GRDB
package import HoclieuCore

/// A capability of some stores, beyond ``Store``: bulk loading of review data for `hoclieu bench review`
/// (bypassing the workflow's checks and the audit log, so never used by the service).
package protocol ReviewBenchLoading: Store {
    /// The configured identifier prefix, as the store mints identifiers with it.
    var pidPrefix: String { get }
    /// Submissions for existing materials, each with its reviewers and due date, in review; one transaction.
    func benchLoadSubmissions(_ rows: [(pid: PersistentIdentifier, submittedBy: Int64, school: String, reviewers: [Int64], dueAt: Date)], criteriaSet: String) async throws
    /// Marks every second material published; returns how many.
    func benchPublishAll() async throws -> Int
    /// Appends `count` audit events.
    func benchAppendAudit(count: Int) async throws
}

extension SQLiteStore: ReviewBenchLoading {
    /// Benchmarks only: submissions for existing materials `pids` in one transaction, each with the given
    /// reviewers and due date, in review. Bypasses the workflow's checks and the audit log.
    package func benchLoadSubmissions(_ rows: [(pid: PersistentIdentifier, submittedBy: Int64, school: String, reviewers: [Int64], dueAt: Date)], criteriaSet: String) async throws {
        try await pool.write { db in
            let now = Self.now().dbText
            let submission = try db.makeStatement(
                sql: """
                    INSERT INTO submission (materialId, pid, kind, state, version, criteriaSet, submittedBy, school, submittedAt, updatedAt, round)
                    VALUES (?, ?, 'new', 'in_review', 1, ?, ?, ?, ?, ?, 1)
                    """)
            let assignment = try db.makeStatement(
                sql: "INSERT INTO assignment (submissionId, reviewerId, assignedBy, assignedAt, dueAt) VALUES (?, ?, 0, ?, ?)")
            for row in rows {
                try submission.execute(arguments: [row.pid.serial, row.pid.rawValue, criteriaSet, row.submittedBy, row.school, now, now])
                let id = db.lastInsertedRowID
                for reviewer in row.reviewers { try assignment.execute(arguments: [id, reviewer, now, row.dueAt.dbText]) }
            }
            try db.execute(sql: "UPDATE material SET status = 'in_review'")
        }
    }

    /// Benchmarks only: marks every second material published (index terms rewritten).
    package func benchPublishAll() async throws -> Int {
        try await pool.write { db in
            var n = 0
            for row in try Row.fetchAll(db, sql: "SELECT pid FROM material WHERE id % 2 = 0") {
                let (old, text) = try self.load(try PersistentIdentifier(parsing: row["pid"]), db: db)
                var new = old
                new.status = .published
                try self.rewrite(old: old, oldText: text, new: new, newText: text, db: db)
                n += 1
            }
            return n
        }
    }

    /// Benchmarks only: `count` audit events appended in transactions of 10,000.
    package func benchAppendAudit(count: Int) async throws {
        var left = count
        while left > 0 {
            let n = min(left, 10_000)
            try await pool.write { db in
                for i in 0..<n {
                    try Self.appendAudit(
                        AuditDraft(actorID: Int64(i % 40), action: "review.recorded", subject: "submission:\(i)", details: ["decision": "approve", "round": "1"]),
                        db: db)
                }
            }
            left -= n
        }
    }
}
