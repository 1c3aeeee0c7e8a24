public import Foundation
import GRDB
public import HoclieuCore

extension SQLiteStore {
    static func registerImports(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7-jobs") { db in
            try db.execute(
                sql: """
                    CREATE TABLE job (
                        id INTEGER PRIMARY KEY,
                        jid TEXT NOT NULL UNIQUE,
                        kind TEXT NOT NULL,
                        status TEXT NOT NULL,
                        progress REAL NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
                        ownerId INTEGER NOT NULL REFERENCES user(id),
                        input BLOB NOT NULL,
                        result BLOB,
                        error TEXT,
                        createdAt TEXT NOT NULL,
                        updatedAt TEXT NOT NULL
                    );
                    CREATE INDEX job_queue ON job(status, id);
                    INSERT INTO counter (name, value) VALUES ('job', 0);
                    """)
        }
    }

    public func applyImport(_ batch: ImportBatch, ownerID: Int64) async throws -> ImportBatchResult {
        for entry in batch.entries where entry.draft.provenance?.sourceIdentifier == nil {
            throw StoreError.invalid("an imported material needs a provenance with a source identifier")
        }
        let metadata = try batch.entries.map { try Self.validate($0.draft) }
        return try await pool.write { db in
            var outcomes: [ImportBatchResult.Outcome] = []
            for (entry, metadata) in zip(batch.entries, metadata) {
                let source = entry.draft.provenance!
                let questions =
                    entry.questions.isEmpty
                    ? [] : try self.importQuestions(entry.questions, ownerID: ownerID, source: source.sourceIdentifier, db: db)
                if let row = try Row.fetchOne(
                    db, sql: "SELECT pid FROM material WHERE sourceSystem = ? AND sourceIdentifier = ? AND ownerId = ?",
                    arguments: [source.sourceSystem, source.sourceIdentifier, ownerID])
                {
                    var (material, _) = try self.load(try PersistentIdentifier(parsing: row["pid"]), db: db)
                    // Compared with the newest version: one waiting for review counts (importing it again adds nothing).
                    let newest = try Row.fetchOne(
                        db, sql: "SELECT number, contentId FROM materialVersion WHERE materialId = ? ORDER BY number DESC LIMIT 1",
                        arguments: [material.pid.serial])
                    guard var version = entry.version, version.contentID.rawValue != newest?["contentId"] as String? else {
                        outcomes.append(
                            .init(pid: material.pid, version: newest?["number"] ?? material.currentVersion, action: .unchanged, questions: questions))
                        continue
                    }
                    // A new edition of a published material waits for the board, whoever imports it.
                    if material.status == .published { version.pending = true }
                    let added = try self.appendVersion(to: &material, version, db: db)
                    outcomes.append(.init(pid: material.pid, version: added.number, action: .updated, questions: questions))
                } else {
                    var material = try self.newMaterial(entry.draft, metadata: metadata, ownerID: ownerID, db: db)
                    if let version = entry.version {
                        try self.insertWithFirstVersion(&material, version, extractedText: entry.draft.extractedText, db: db)
                    } else {
                        try self.insert(material, extractedText: entry.draft.extractedText, db: db)
                    }
                    outcomes.append(.init(pid: material.pid, version: material.currentVersion, action: .created, questions: questions))
                }
            }
            // A question set's questions, for the board's decision on the set (and its status now).
            for outcome in outcomes where !outcome.questions.isEmpty {
                try Self.setMembers(of: outcome.pid.serial, to: outcome.questions, db: db)
                // A published set's new edition waits for the board: its questions stay as they are until approval.
                let material = try self.load(outcome.pid, db: db).0
                if outcome.action == .created || material.status != .published { try Self.syncSetQuestions(material, db: db) }
            }
            return ImportBatchResult(outcomes: outcomes)
        }
    }

    /// Runs `body` over `values` in slices small enough for SQLite's parameter limit.
    private func chunked<T: Sendable, R: Sendable>(_ values: [T], _ body: @escaping @Sendable (Database, [T], String) throws -> [R]) async throws -> [R] {
        var out: [R] = []
        for start in stride(from: 0, to: values.count, by: 500) {
            let slice = Array(values[start..<min(start + 500, values.count)])
            let marks = Array(repeating: "?", count: slice.count).joined(separator: ", ")
            out += try await pool.read { db in try body(db, slice, marks) }
        }
        return out
    }

    public func materials(_ pids: [PersistentIdentifier]) async throws -> [Material] {
        let found = try await chunked(pids) { db, slice, marks in
            try Row.fetchAll(db, sql: "SELECT * FROM material WHERE pid IN (\(marks))", arguments: StatementArguments(slice.map(\.rawValue)))
                .map(Self.material)
        }
        let byPID = Dictionary(found.map { ($0.pid, $0) }, uniquingKeysWith: { a, _ in a })
        return pids.compactMap { byPID[$0] }
    }

    public func currentVersions(of pids: [PersistentIdentifier]) async throws -> [PersistentIdentifier: MaterialVersion] {
        let found = try await chunked(pids) { db, slice, marks in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT m.pid AS materialPid, v.* FROM material m JOIN materialVersion v ON v.materialId = m.id AND v.number = m.currentVersion
                    WHERE m.pid IN (\(marks))
                    """, arguments: StatementArguments(slice.map(\.rawValue))
            ).map { row in Self.version(row, pid: try PersistentIdentifier(parsing: row["materialPid"])) }
        }
        return Dictionary(found.map { ($0.pid, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func materials(sourceSystem: String, sourceIdentifiers: [String], ownerID: Int64) async throws -> [String: Material] {
        let found = try await chunked(sourceIdentifiers) { db, slice, marks in
            try Row.fetchAll(
                db, sql: "SELECT * FROM material WHERE ownerId = ? AND sourceSystem = ? AND sourceIdentifier IN (\(marks))",
                arguments: StatementArguments([ownerID.databaseValue, sourceSystem.databaseValue] + slice.map(\.databaseValue))
            ).map(Self.material)
        }
        return Dictionary(found.compactMap { m in m.provenance?.sourceIdentifier.map { ($0, m) } }, uniquingKeysWith: { a, _ in a })
    }

    public func materialPIDs(after: PersistentIdentifier?, limit: Int) async throws -> [PersistentIdentifier] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT pid FROM material WHERE id > ? ORDER BY id LIMIT ?", arguments: [after?.serial ?? 0, limit])
                .map { try PersistentIdentifier(parsing: $0) }
        }
    }

    // MARK: Jobs

    static func job(_ row: Row) -> Job {
        Job(
            id: row["jid"], kind: row["kind"], status: JobStatus(rawValue: row["status"]) ?? .failed, progress: row["progress"],
            ownerID: row["ownerId"], input: row["input"], result: row["result"], error: row["error"], createdAt: row.date("createdAt"),
            updatedAt: row.date("updatedAt"))
    }

    public func createJob(_ new: NewJob) async throws -> Job {
        try await pool.write { db in try Self.insertJob(new, prefix: self.pidPrefix, db: db) }
    }

    /// Queues a job inside a write transaction.
    static func insertJob(_ new: NewJob, prefix: String, db: Database) throws -> Job {
        let serial = try Int.fetchOne(db, sql: "UPDATE counter SET value = value + 1 WHERE name = 'job' RETURNING value")!
        let jid = PersistentIdentifier(prefix: prefix + "-J", serial: serial).rawValue
        let now = Self.now().dbText
        try db.execute(
            sql: "INSERT INTO job (jid, kind, status, ownerId, input, createdAt, updatedAt) VALUES (?, ?, 'queued', ?, ?, ?, ?)",
            arguments: [jid, new.kind, new.ownerID, new.input, now, now])
        return Self.job(try Row.fetchOne(db, sql: "SELECT * FROM job WHERE jid = ?", arguments: [jid])!)
    }

    public func job(id: String) async throws -> Job? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM job WHERE jid = ?", arguments: [id]).map(Self.job) }
    }

    /// How many times a job may be claimed before a node that dies during it marks it failed.
    public static let maxJobAttempts = JobRules.maxAttempts

    public func claimJob(kinds: Set<String>) async throws -> Job? {
        guard !kinds.isEmpty else { return nil }
        let marks = Array(repeating: "?", count: kinds.count).joined(separator: ", ")
        // Workers poll: an idle poll is a read, so that it never takes the write lock.
        let waiting = try await pool.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM job WHERE status = 'queued' AND kind IN (\(marks)) LIMIT 1", arguments: StatementArguments(kinds.sorted()))
        }
        guard waiting == true else { return nil }
        return try await pool.write { db in
            return try Row.fetchOne(
                db,
                sql: """
                    UPDATE job SET status = 'running', attempts = attempts + 1, updatedAt = ?
                    WHERE id = (SELECT id FROM job WHERE status = 'queued' AND kind IN (\(marks)) ORDER BY id LIMIT 1)
                    RETURNING *
                    """, arguments: StatementArguments([Self.now().dbText] + kinds.sorted())
            ).map(Self.job)
        }
    }

    public func updateJobProgress(id: String, progress: Double) async throws -> Job? {
        try await pool.write { db in
            try Row.fetchOne(
                db, sql: "UPDATE job SET progress = max(progress, ?), updatedAt = ? WHERE jid = ? RETURNING *",
                arguments: [min(max(progress, 0), 1), Self.now().dbText, id]
            ).map(Self.job)
        }
    }

    public func finishJob(id: String, status: JobStatus, result: Data?, error: String?) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE job SET status = ?, progress = CASE WHEN ? = 'succeeded' THEN 1 ELSE progress END, result = ?, error = ?, updatedAt = ? WHERE jid = ?",
                arguments: [status.rawValue, status.rawValue, result, error, Self.now().dbText, id])
        }
    }

    public func cancelJob(id: String) async throws -> Job? {
        try await pool.write { db in
            try Row.fetchOne(
                db,
                sql: """
                    UPDATE job SET status = CASE status WHEN 'queued' THEN 'cancelled' WHEN 'running' THEN 'cancelling' ELSE status END,
                        updatedAt = ?
                    WHERE jid = ? RETURNING *
                    """, arguments: [Self.now().dbText, id]
            ).map(Self.job)
        }
    }

    public func requeueStaleJobs(before: Date) async throws -> Int {
        try await pool.write { db in
            let now = Self.now().dbText
            try db.execute(
                sql: "UPDATE job SET status = 'cancelled', updatedAt = ? WHERE status = 'cancelling' AND updatedAt < ?",
                arguments: [now, before.dbText])
            // A job whose process died while running it this many times is the likely cause: it fails for good
            // instead of taking every node down again.
            try db.execute(
                sql: """
                    UPDATE job SET status = 'failed', updatedAt = ?, error = ?
                    WHERE status = 'running' AND updatedAt < ? AND attempts >= ?
                    """,
                arguments: [
                    now,
                    "Tiến trình dừng giữa chừng \(Self.maxJobAttempts) lần khi làm việc này; không thử lại. / "
                        + "The process stopped during this job \(Self.maxJobAttempts) times; it is not retried.",
                    before.dbText, Self.maxJobAttempts,
                ])
            try db.execute(
                sql: "UPDATE job SET status = 'queued', progress = 0, updatedAt = ? WHERE status = 'running' AND updatedAt < ?",
                arguments: [now, before.dbText])
            return db.changesCount
        }
    }
}
