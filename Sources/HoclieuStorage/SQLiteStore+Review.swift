public import Foundation
import GRDB
public import HoclieuCore

extension SQLiteStore {
    static let openStates = "('submitted', 'in_review', 'changes_requested', 'resubmitted')"
    static let reviewableStates = "('submitted', 'in_review', 'resubmitted')"

    static func registerReview(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v9-review") { db in
            try db.execute(
                sql: """
                    CREATE TABLE criteriaSet (
                        id TEXT NOT NULL, version INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (id, version)
                    ) WITHOUT ROWID;
                    CREATE TABLE submission (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        materialId INTEGER NOT NULL REFERENCES material(id),
                        pid TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        state TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        proposedMetadata TEXT,
                        note TEXT,
                        criteriaSet TEXT NOT NULL,
                        submittedBy INTEGER NOT NULL,
                        school TEXT,
                        submittedAt TEXT NOT NULL,
                        updatedAt TEXT NOT NULL,
                        round INTEGER NOT NULL DEFAULT 1,
                        decision TEXT,
                        preReview TEXT
                    );
                    CREATE INDEX submission_prereview ON submission(id) WHERE preReview IS NULL;
                    CREATE UNIQUE INDEX submission_open ON submission(materialId)
                        WHERE state IN ('submitted', 'in_review', 'changes_requested', 'resubmitted');
                    CREATE INDEX submission_author ON submission(submittedBy, id);
                    CREATE INDEX submission_state ON submission(state, id);
                    CREATE TABLE assignment (
                        submissionId INTEGER NOT NULL REFERENCES submission(id),
                        reviewerId INTEGER NOT NULL REFERENCES user(id),
                        assignedBy INTEGER NOT NULL,
                        assignedAt TEXT NOT NULL,
                        dueAt TEXT NOT NULL,
                        remindedAt TEXT,
                        escalatedAt TEXT,
                        -- 1 while the reviewer owes a review of the current round
                        pending INTEGER NOT NULL DEFAULT 1,
                        PRIMARY KEY (submissionId, reviewerId)
                    ) WITHOUT ROWID;
                    CREATE INDEX assignment_queue ON assignment(reviewerId, pending, dueAt, submissionId);
                    CREATE INDEX assignment_due ON assignment(pending, dueAt);
                    CREATE TABLE review (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        submissionId INTEGER NOT NULL REFERENCES submission(id),
                        round INTEGER NOT NULL,
                        reviewerId INTEGER NOT NULL,
                        scores TEXT NOT NULL,
                        decision TEXT NOT NULL,
                        reasonCode TEXT,
                        feedback TEXT NOT NULL,
                        internalNotes TEXT NOT NULL,
                        weightedScore REAL NOT NULL,
                        createdAt TEXT NOT NULL,
                        UNIQUE (submissionId, round, reviewerId)
                    );
                    CREATE TABLE auditEvent (
                        seq INTEGER PRIMARY KEY,
                        atMs INTEGER NOT NULL,
                        actorId INTEGER,
                        action TEXT NOT NULL,
                        subject TEXT NOT NULL,
                        details TEXT NOT NULL,
                        previousHash TEXT NOT NULL,
                        hash TEXT NOT NULL
                    );
                    CREATE INDEX auditEvent_subject ON auditEvent(subject, seq);
                    CREATE INDEX auditEvent_actor ON auditEvent(actorId, seq);
                    CREATE INDEX auditEvent_action ON auditEvent(action, seq);
                    CREATE TABLE auditHead (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
                    -- Append-only: the service never edits or deletes an event (the hash chain catches whoever does).
                    CREATE TRIGGER auditEvent_no_update BEFORE UPDATE ON auditEvent BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
                    CREATE TRIGGER auditEvent_no_delete BEFORE DELETE ON auditEvent BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
                    """)
        }
    }

    // MARK: Criteria

    public func saveCriteriaSets(_ sets: [CriteriaSet]) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let rows = try sets.map { ($0, String(decoding: try encoder.encode($0), as: UTF8.self)) }
        try await pool.write { db in
            for (set, json) in rows {
                if let existing = try String.fetchOne(db, sql: "SELECT json FROM criteriaSet WHERE id = ? AND version = ?", arguments: [set.id, set.version]) {
                    guard existing == json else { throw StoreError.conflict("criteria set \(set.key) is published and cannot change; raise its version") }
                    continue
                }
                try db.execute(sql: "INSERT INTO criteriaSet (id, version, json) VALUES (?, ?, ?)", arguments: [set.id, set.version, json])
                try Self.appendAudit(AuditDraft(actorID: 0, action: "criteria.published", subject: "criteria:\(set.key)"), db: db)
            }
        }
    }

    public func criteriaSets() async throws -> [CriteriaSet] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT json FROM criteriaSet ORDER BY id, version").map {
                try JSONDecoder().decode(CriteriaSet.self, from: Data($0.utf8))
            }
        }
    }

    // MARK: Submissions

    static func jsonText<T: Encodable>(_ value: T?) throws -> String? {
        guard let value else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
        guard let text else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try? decoder.decode(type, from: Data(text.utf8))
    }

    static func submission(_ row: Row, assignments: [Assignment]) throws -> Submission {
        Submission(
            id: row["id"], pid: try PersistentIdentifier(parsing: row["pid"]), kind: SubmissionKind(rawValue: row["kind"]) ?? .new,
            state: SubmissionState(rawValue: row["state"]) ?? .submitted, version: row["version"],
            proposedMetadata: decodeJSON(MaterialMetadata.self, row["proposedMetadata"]), note: row["note"], criteriaSet: row["criteriaSet"],
            submittedBy: row["submittedBy"], school: row["school"], submittedAt: row.date("submittedAt"), updatedAt: row.date("updatedAt"),
            round: row["round"], assignments: assignments, decision: decodeJSON(SubmissionDecision.self, row["decision"]),
            preReview: decodeJSON(PreReview.self, row["preReview"]))
    }

    static func assignment(_ row: Row) -> Assignment {
        Assignment(
            reviewerID: row["reviewerId"], assignedBy: row["assignedBy"], assignedAt: row.date("assignedAt"), dueAt: row.date("dueAt"),
            remindedAt: (row["remindedAt"] as String?).flatMap(HoclieuJSON.parseTimestamp),
            escalatedAt: (row["escalatedAt"] as String?).flatMap(HoclieuJSON.parseTimestamp))
    }

    /// Submissions with their assignments, in the order of `rows`.
    static func submissions(_ rows: [Row], db: Database) throws -> [Submission] {
        guard !rows.isEmpty else { return [] }
        let ids = rows.map { $0["id"] as Int64 }
        var byID: [Int64: [Assignment]] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT * FROM assignment WHERE submissionId IN (\(ids.map { _ in "?" }.joined(separator: ","))) ORDER BY assignedAt, reviewerId",
            arguments: StatementArguments(ids))
        {
            byID[row["submissionId"], default: []].append(assignment(row))
        }
        return try rows.map { try submission($0, assignments: byID[$0["id"]] ?? []) }
    }

    static func loadSubmission(_ id: Int64, db: Database) throws -> Submission {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM submission WHERE id = ?", arguments: [id]) else {
            throw StoreError.notFound("submission \(id)")
        }
        return try submissions([row], db: db)[0]
    }

    /// Moves the submission to `state` (with an optional decision) and the material with it; appends the audit event.
    func move(_ s: inout Submission, to state: SubmissionState, decision: SubmissionDecision?, audit: AuditDraft, db: Database) throws {
        let now = Self.now()
        s.state = state
        s.updatedAt = now
        if let decision { s.decision = decision }
        try db.execute(
            sql: "UPDATE submission SET state = ?, updatedAt = ?, decision = ? WHERE id = ?",
            arguments: [state.rawValue, now.dbText, try Self.jsonText(s.decision), s.id])
        if !state.isOpen { try db.execute(sql: "UPDATE assignment SET pending = 0 WHERE submissionId = ?", arguments: [s.id]) }
        try moveMaterial(for: s, db: db)
        try Self.appendAudit(audit, db: db)
    }

    /// The material as the submission's state makes it: its review status and, on approval, the version
    /// and metadata under review.
    func moveMaterial(for s: Submission, db: Database) throws {
        let (old, text) = try load(s.pid, db: db)
        var material = old
        if s.state == .approved {
            if s.version > material.currentVersion,
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM materialVersion WHERE materialId = ? AND number = ?", arguments: [material.pid.serial, s.version])
            {
                let version = Self.version(row, pid: material.pid)
                material.currentVersion = version.number
                if material.kind != .link { material.format = version.package?.kind ?? version.mediaType }
            }
            if let metadata = s.proposedMetadata { material.metadata = metadata.normalised() }
        }
        if let status = ReviewTransition.materialStatus(kind: s.kind, state: s.state) { material.status = status }
        guard material != old else { return }
        material.updatedAt = max(Self.now(), old.updatedAt)
        try self.rewrite(old: old, oldText: text, new: material, newText: text, db: db)
    }

    public func createSubmission(_ new: NewSubmission, audit: AuditDraft) async throws -> Submission {
        try await pool.write { db in
            let (material, _) = try self.load(new.pid, db: db)
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM submission WHERE materialId = ? AND state IN \(Self.openStates)", arguments: [material.pid.serial]) == true
            {
                throw StoreError.conflict("\(new.pid) already has an open submission")
            }
            let now = Self.now()
            try db.execute(
                sql: """
                    INSERT INTO submission (materialId, pid, kind, state, version, proposedMetadata, note, criteriaSet, submittedBy, school,
                        submittedAt, updatedAt, round)
                    VALUES (?, ?, ?, 'submitted', ?, ?, ?, ?, ?, ?, ?, ?, 1)
                    """,
                arguments: [
                    material.pid.serial, new.pid.rawValue, new.kind.rawValue, new.version, try Self.jsonText(new.proposedMetadata), new.note,
                    new.criteriaSet, new.submittedBy, new.school, now.dbText, now.dbText,
                ])
            let s = try Self.loadSubmission(db.lastInsertedRowID, db: db)
            try self.moveMaterial(for: s, db: db)
            var audit = audit
            audit.subject = "submission:\(s.id)"
            audit.details["pid"] = new.pid.rawValue
            audit.details["kind"] = new.kind.rawValue
            audit.details["version"] = String(new.version)
            try Self.appendAudit(audit, db: db)
            return s
        }
    }

    public func submission(id: Int64) async throws -> Submission? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM submission WHERE id = ?", arguments: [id]).map { try Self.submissions([$0], db: db)[0] }
        }
    }

    public func openSubmission(pid: PersistentIdentifier) async throws -> Submission? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM submission WHERE materialId = ? AND state IN \(Self.openStates)", arguments: [pid.serial])
                .map { try Self.submissions([$0], db: db)[0] }
        }
    }

    public func submissions(_ query: SubmissionQuery) async throws -> [Submission] {
        let limit = min(max(query.limit, 1), 500)
        return try await pool.read { db in
            var clauses: [String] = []
            var arguments: [any DatabaseValueConvertible] = []
            if let states = query.states {
                clauses.append("s.state IN (\(states.map { _ in "?" }.joined(separator: ",")))")
                arguments += states.map(\.rawValue).sorted()
            }
            if let author = query.submittedBy {
                clauses.append("s.submittedBy = ?")
                arguments.append(author)
            }
            if let pid = query.pid {
                clauses.append("s.materialId = ?")
                arguments.append(pid.serial)
            }
            let sql: String
            if let reviewer = query.reviewerID {
                // The reviewer's queue: what they owe, earliest due first (overdue at the top), keyset on (dueAt, id).
                var where_ = ["a.reviewerId = ?", "a.pending = 1", "s.state IN \(Self.reviewableStates)"] + clauses
                var args: [any DatabaseValueConvertible] = [reviewer] + arguments
                if let due = query.dueBefore {
                    where_.append("a.dueAt < ?")
                    args.append(due.dbText)
                }
                if let after = query.after, let dueAt = after.dueAt {
                    where_.append("(a.dueAt > ? OR (a.dueAt = ? AND a.submissionId > ?))")
                    args += [dueAt.dbText, dueAt.dbText, after.id]
                }
                sql = """
                    SELECT s.* FROM assignment a JOIN submission s ON s.id = a.submissionId
                    WHERE \(where_.joined(separator: " AND ")) ORDER BY a.dueAt, a.submissionId LIMIT \(limit)
                    """
                arguments = args
            } else {
                if let after = query.after {
                    clauses.append("s.id < ?")
                    arguments.append(after.id)
                }
                if let due = query.dueBefore {
                    clauses.append("EXISTS (SELECT 1 FROM assignment a WHERE a.submissionId = s.id AND a.pending = 1 AND a.dueAt < ?)")
                    arguments.append(due.dbText)
                }
                let where_ = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
                sql = "SELECT s.* FROM submission s \(where_) ORDER BY s.id DESC LIMIT \(limit)"
            }
            return try Self.submissions(Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)), db: db)
        }
    }

    public func assign(submissionID: Int64, reviewers: [Int64], by actorID: Int64, dueAt: Date) async throws -> Submission {
        try await pool.write { db in
            var s = try Self.loadSubmission(submissionID, db: db)
            guard s.state.isReviewable else { throw StoreError.conflict("submission \(submissionID) is \(s.state.rawValue)") }
            let now = Self.now()
            for reviewer in reviewers where !s.assignments.contains(where: { $0.reviewerID == reviewer }) {
                try db.execute(
                    sql: "INSERT INTO assignment (submissionId, reviewerId, assignedBy, assignedAt, dueAt) VALUES (?, ?, ?, ?, ?)",
                    arguments: [submissionID, reviewer, actorID, now.dbText, Self.millisecondPrecision(dueAt).dbText])
                try Self.appendAudit(
                    AuditDraft(actorID: actorID, action: "assignment.added", subject: "submission:\(submissionID)", details: ["reviewer": String(reviewer)]),
                    db: db)
            }
            if s.state != .inReview {
                try self.move(
                    &s, to: .inReview, decision: nil,
                    audit: AuditDraft(actorID: actorID, action: "submission.in_review", subject: "submission:\(submissionID)"), db: db)
            }
            return try Self.loadSubmission(submissionID, db: db)
        }
    }

    public func unassign(submissionID: Int64, reviewerID: Int64, by actorID: Int64) async throws -> Submission {
        try await pool.write { db in
            let s = try Self.loadSubmission(submissionID, db: db)
            guard s.state.isOpen else { throw StoreError.conflict("submission \(submissionID) is \(s.state.rawValue)") }
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM review WHERE submissionId = ? AND round = ? AND reviewerId = ?", arguments: [submissionID, s.round, reviewerID])
                == true
            {
                throw StoreError.conflict("reviewer \(reviewerID) has already reviewed this round")
            }
            try db.execute(sql: "DELETE FROM assignment WHERE submissionId = ? AND reviewerId = ?", arguments: [submissionID, reviewerID])
            guard db.changesCount == 1 else { throw StoreError.notFound("assignment of reviewer \(reviewerID)") }
            try Self.appendAudit(
                AuditDraft(actorID: actorID, action: "assignment.removed", subject: "submission:\(submissionID)", details: ["reviewer": String(reviewerID)]),
                db: db)
            return try Self.loadSubmission(submissionID, db: db)
        }
    }

    static func review(_ row: Row) -> Review {
        Review(
            id: row["id"], submissionID: row["submissionId"], round: row["round"], reviewerID: row["reviewerId"],
            scores: decodeJSON([String: Int].self, row["scores"]) ?? [:], decision: ReviewDecision(rawValue: row["decision"]) ?? .requestChanges,
            reasonCode: (row["reasonCode"] as String?).flatMap(ReasonCode.init(rawValue:)), feedback: row["feedback"],
            internalNotes: row["internalNotes"], weightedScore: row["weightedScore"], createdAt: row.date("createdAt"))
    }

    public func recordReview(_ new: NewReview, rules: ReviewRules) async throws -> (review: Review, submission: Submission) {
        try await pool.write { db in
            var s = try Self.loadSubmission(new.submissionID, db: db)
            guard s.state.isReviewable else { throw StoreError.conflict("submission \(s.id) is \(s.state.rawValue), not open for review") }
            guard s.assignments.contains(where: { $0.reviewerID == new.reviewerID }) else {
                throw StoreError.conflict("reviewer \(new.reviewerID) is not assigned to submission \(s.id)")
            }
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM review WHERE submissionId = ? AND round = ? AND reviewerId = ?", arguments: [s.id, s.round, new.reviewerID])
                == true
            {
                throw StoreError.conflict("reviewer \(new.reviewerID) has already reviewed round \(s.round)")
            }
            let now = Self.now()
            try db.execute(
                sql: """
                    INSERT INTO review (submissionId, round, reviewerId, scores, decision, reasonCode, feedback, internalNotes, weightedScore, createdAt)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    s.id, s.round, new.reviewerID, try Self.jsonText(new.scores), new.decision.rawValue, new.reasonCode?.rawValue, new.feedback,
                    new.internalNotes, new.weightedScore, now.dbText,
                ])
            let review = Self.review(try Row.fetchOne(db, sql: "SELECT * FROM review WHERE id = ?", arguments: [db.lastInsertedRowID])!)
            try db.execute(sql: "UPDATE assignment SET pending = 0 WHERE submissionId = ? AND reviewerId = ?", arguments: [s.id, new.reviewerID])
            var details = ["decision": new.decision.rawValue, "round": String(s.round), "score": String(new.weightedScore)]
            details["reason"] = new.reasonCode?.rawValue
            try Self.appendAudit(AuditDraft(actorID: new.reviewerID, action: "review.recorded", subject: "submission:\(s.id)", details: details), db: db)
            let round = try Row.fetchAll(db, sql: "SELECT * FROM review WHERE submissionId = ? AND round = ?", arguments: [s.id, s.round]).map(Self.review)
            if let outcome = rules.outcome(assigned: s.assignments.count, decisions: round.map(\.decision)) {
                let against = round.filter { $0.decision != .approve }
                let reasons = Dictionary(grouping: against.compactMap(\.reasonCode), by: { $0 }).max { a, b in
                    a.value.count == b.value.count ? a.key.rawValue > b.key.rawValue : a.value.count < b.value.count
                }?.key
                let feedback = round.enumerated().filter { !$0.element.feedback.isEmpty }
                    .map { "[\($0.offset + 1)] \($0.element.feedback)" }.joined(separator: "\n")
                let decision = SubmissionDecision(
                    decision: outcome, reasonCode: outcome == .approve ? nil : reasons, feedback: feedback, decidedBy: nil, decidedAt: now)
                try self.move(
                    &s, to: ReviewTransition.state(after: outcome), decision: decision,
                    audit: AuditDraft(
                        actorID: nil, action: "submission.decided", subject: "submission:\(s.id)",
                        details: ["decision": outcome.rawValue, "by": "rule:\(rules.agreement.rawValue)", "pid": s.pid.rawValue]), db: db)
            }
            return (review, try Self.loadSubmission(s.id, db: db))
        }
    }

    public func decide(submissionID: Int64, _ decision: SubmissionDecision) async throws -> Submission {
        try await pool.write { db in
            var s = try Self.loadSubmission(submissionID, db: db)
            guard s.state.isReviewable else { throw StoreError.conflict("submission \(submissionID) is \(s.state.rawValue): already decided or not in review") }
            var details = ["decision": decision.decision.rawValue, "by": "chair", "pid": s.pid.rawValue]
            details["reason"] = decision.reasonCode?.rawValue
            try self.move(
                &s, to: ReviewTransition.state(after: decision.decision), decision: decision,
                audit: AuditDraft(actorID: decision.decidedBy, action: "submission.decided", subject: "submission:\(submissionID)", details: details),
                db: db)
            return try Self.loadSubmission(submissionID, db: db)
        }
    }

    public func resubmit(submissionID: Int64, version: Int, proposedMetadata: MaterialMetadata?, by actorID: Int64) async throws -> Submission {
        try await pool.write { db in
            var s = try Self.loadSubmission(submissionID, db: db)
            guard s.state == .changesRequested else { throw StoreError.conflict("submission \(submissionID) is \(s.state.rawValue), not waiting for changes") }
            try db.execute(
                sql: "UPDATE submission SET round = round + 1, version = ?, proposedMetadata = coalesce(?, proposedMetadata) WHERE id = ?",
                arguments: [version, try Self.jsonText(proposedMetadata), submissionID])
            // The same reviewers look again.
            try db.execute(sql: "UPDATE assignment SET pending = 1, remindedAt = NULL, escalatedAt = NULL WHERE submissionId = ?", arguments: [submissionID])
            s = try Self.loadSubmission(submissionID, db: db)
            try self.move(
                &s, to: s.assignments.isEmpty ? .resubmitted : .inReview, decision: nil,
                audit: AuditDraft(
                    actorID: actorID, action: "submission.resubmitted", subject: "submission:\(submissionID)",
                    details: ["round": String(s.round), "version": String(version)]), db: db)
            return s
        }
    }

    public func correctMetadata(submissionID: Int64, _ metadata: MaterialMetadata, fields: [String], by actorID: Int64) async throws -> Submission {
        let normalised = metadata.normalised()
        if let problem = (metadata.violations() + normalised.violations()).first { throw StoreError.invalid(problem.message) }
        return try await pool.write { db in
            let s = try Self.loadSubmission(submissionID, db: db)
            guard s.state.isReviewable else { throw StoreError.conflict("submission \(submissionID) is \(s.state.rawValue)") }
            if s.kind == .new {
                let (old, text) = try self.load(s.pid, db: db)
                var material = old
                material.metadata = normalised
                material.updatedAt = max(Self.now(), old.updatedAt)
                try self.rewrite(old: old, oldText: text, new: material, newText: text, db: db)
            } else {
                try db.execute(sql: "UPDATE submission SET proposedMetadata = ? WHERE id = ?", arguments: [try Self.jsonText(normalised), submissionID])
            }
            try Self.appendAudit(
                AuditDraft(
                    actorID: actorID, action: "submission.metadata.corrected", subject: "submission:\(submissionID)",
                    details: ["fields": fields.joined(separator: ","), "pid": s.pid.rawValue]), db: db)
            return try Self.loadSubmission(submissionID, db: db)
        }
    }

    public func cancelSubmission(id: Int64, by actorID: Int64, reason: String?) async throws -> Submission {
        try await pool.write { db in
            var s = try Self.loadSubmission(id, db: db)
            guard s.state.isOpen else { throw StoreError.conflict("submission \(id) is \(s.state.rawValue)") }
            var details: [String: String] = [:]
            details["reason"] = reason
            try self.move(&s, to: .cancelled, decision: nil, audit: AuditDraft(actorID: actorID, action: "submission.cancelled", subject: "submission:\(id)", details: details), db: db)
            return s
        }
    }

    public func reviews(submissionID: Int64) async throws -> [Review] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM review WHERE submissionId = ? ORDER BY round, id", arguments: [submissionID]).map(Self.review)
        }
    }

    public func setStatus(_ pid: PersistentIdentifier, to status: MaterialStatus, audit: AuditDraft) async throws -> Material {
        try await pool.write { db in
            let now = Self.now()
            // An open submission is overtaken: cancelled, so that nothing decides it later.
            if let row = try Row.fetchOne(db, sql: "SELECT id FROM submission WHERE materialId = ? AND state IN \(Self.openStates)", arguments: [pid.serial]) {
                let id: Int64 = row["id"]
                try db.execute(sql: "UPDATE submission SET state = 'cancelled', updatedAt = ? WHERE id = ?", arguments: [now.dbText, id])
                try db.execute(sql: "UPDATE assignment SET pending = 0 WHERE submissionId = ?", arguments: [id])
                try Self.appendAudit(
                    AuditDraft(actorID: audit.actorID, action: "submission.cancelled", subject: "submission:\(id)", details: ["by": audit.action]), db: db)
            }
            let (old, text) = try self.load(pid, db: db)
            var material = old
            material.status = status
            material.updatedAt = max(now, old.updatedAt)
            try self.rewrite(old: old, oldText: text, new: material, newText: text, db: db)
            var audit = audit
            audit.details["from"] = old.status.rawValue
            audit.details["to"] = status.rawValue
            try Self.appendAudit(audit, db: db)
            return material
        }
    }

    public func openAssignmentCounts() async throws -> [Int64: Int] {
        try await pool.read { db in
            var counts: [Int64: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT reviewerId, count(*) AS n FROM assignment WHERE pending = 1 GROUP BY reviewerId") {
                counts[row["reviewerId"]] = row["n"]
            }
            return counts
        }
    }

    public func markOverdue(now: Date, remindBefore: Date, escalateBefore: Date) async throws -> (
        reminded: [OverdueAssignment], escalated: [OverdueAssignment]
    ) {
        try await pool.write { db in
            func take(_ column: String, before: Date, action: String) throws -> [OverdueAssignment] {
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT a.submissionId, a.reviewerId, a.dueAt FROM assignment a JOIN submission s ON s.id = a.submissionId
                        WHERE a.pending = 1 AND a.dueAt < ? AND a.\(column) IS NULL AND s.state IN \(Self.reviewableStates)
                        ORDER BY a.dueAt LIMIT 1000
                        """, arguments: [before.dbText])
                return try rows.map { row in
                    let item = OverdueAssignment(submissionID: row["submissionId"], reviewerID: row["reviewerId"], dueAt: row.date("dueAt"))
                    try db.execute(
                        sql: "UPDATE assignment SET \(column) = ? WHERE submissionId = ? AND reviewerId = ?",
                        arguments: [now.dbText, item.submissionID, item.reviewerID])
                    try Self.appendAudit(
                        AuditDraft(actorID: nil, action: action, subject: "submission:\(item.submissionID)", details: ["reviewer": String(item.reviewerID)]),
                        db: db)
                    return item
                }
            }
            return (try take("remindedAt", before: remindBefore, action: "assignment.reminded"), try take("escalatedAt", before: escalateBefore, action: "assignment.escalated"))
        }
    }

    public func materialsDueForReReview(before: Date, limit: Int) async throws -> [PersistentIdentifier] {
        try await pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT pid FROM material m WHERE status = 'published' AND updatedAt < ?
                    AND NOT EXISTS (SELECT 1 FROM submission s WHERE s.materialId = m.id AND (s.state IN \(Self.openStates) OR s.updatedAt >= ?))
                    ORDER BY updatedAt, id LIMIT ?
                    """,
                arguments: [before.dbText, before.dbText, limit]
            ).map { try PersistentIdentifier(parsing: $0) }
        }
    }

    public func users(withRole role: Role) async throws -> [User] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM user WHERE disabled = 0 AND (',' || roles || ',') LIKE ? ORDER BY id", arguments: ["%,\(role.rawValue),%"])
                .map(Self.user)
        }
    }

    // MARK: Pre-review

    public func submissionsAwaitingPreReview(limit: Int) async throws -> [Int64] {
        try await pool.read { db in
            try Int64.fetchAll(
                db, sql: "SELECT id FROM submission WHERE preReview IS NULL AND state IN \(Self.openStates) ORDER BY id LIMIT ?", arguments: [max(limit, 1)])
        }
    }

    public func savePreReview(submissionID: Int64, _ preReview: PreReview) async throws {
        let json = try Self.jsonText(preReview)
        try await pool.write { db in
            try db.execute(sql: "UPDATE submission SET preReview = ? WHERE id = ?", arguments: [json, submissionID])
        }
    }

    public func extractedTexts(_ pids: [PersistentIdentifier]) async throws -> [PersistentIdentifier: String] {
        guard !pids.isEmpty else { return [:] }
        return try await pool.read { db in
            var texts: [PersistentIdentifier: String] = [:]
            for pid in pids {
                if let row = try Row.fetchOne(db, sql: "SELECT title, description, extractedText FROM material WHERE id = ?", arguments: [pid.serial]) {
                    texts[pid] = [row["title"], row["description"], row["extractedText"] ?? ""].joined(separator: "\n")
                }
            }
            return texts
        }
    }

    public func materialHeadlines(_ pids: [PersistentIdentifier]) async throws -> [PersistentIdentifier: MaterialHeadline] {
        let serials = Array(Set(pids.map(\.serial)))
        guard !serials.isEmpty else { return [:] }
        let wanted = Set(pids)
        return try await pool.read { db in
            var headlines: [PersistentIdentifier: MaterialHeadline] = [:]
            // One statement for the whole page (a page holds at most a few hundred submissions).
            let rows = try Row.fetchCursor(
                db, sql: "SELECT pid, title, kind, subjects FROM material WHERE id IN (\(serials.map { _ in "?" }.joined(separator: ",")))",
                arguments: StatementArguments(serials))
            while let row = try rows.next() {
                let pid = try PersistentIdentifier(parsing: row["pid"])
                guard wanted.contains(pid) else { continue }
                headlines[pid] = MaterialHeadline(
                    title: row["title"], kind: MaterialKind(rawValue: row["kind"]) ?? .document, subjects: Self.lines(row["subjects"]))
            }
            return headlines
        }
    }

    public func publishedMaterials(withContentID contentID: ContentID) async throws -> [PersistentIdentifier] {
        try await pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT m.pid FROM materialVersion v JOIN material m ON m.id = v.materialId
                    WHERE v.contentId = ? AND v.number = m.currentVersion AND m.status = 'published' LIMIT 20
                    """, arguments: [contentID.rawValue]
            ).compactMap { try? PersistentIdentifier(parsing: $0) }
        }
    }

    // MARK: Audit

    /// Appends one event inside the caller's transaction, chained to the head.
    @discardableResult
    static func appendAudit(_ draft: AuditDraft, db: Database) throws -> AuditEvent {
        let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM auditHead WHERE id = 1")
        let seq = (head?["seq"] as Int64? ?? 0) + 1
        let previous = head?["hash"] as String? ?? AuditChain.genesis
        let atMs = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let details = AuditChain.canonicalDetails(draft.details)
        let record = AuditRecord(
            seq: seq, atMilliseconds: atMs, actorID: draft.actorID, action: draft.action, subject: draft.subject, details: details, previousHash: previous,
            hash: "")
        let hash = record.expectedHash
        try db.cachedStatement(
            sql: "INSERT INTO auditEvent (seq, atMs, actorId, action, subject, details, previousHash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [seq, atMs, draft.actorID, draft.action, draft.subject, details, previous, hash])
        try db.cachedStatement(sql: "INSERT INTO auditHead (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash")
            .execute(arguments: [seq, hash])
        var stored = record
        stored.hash = hash
        return stored.event
    }

    @discardableResult
    public func appendAudit(_ draft: AuditDraft) async throws -> AuditEvent {
        try await pool.write { db in try Self.appendAudit(draft, db: db) }
    }

    static func auditRecord(_ row: Row) -> AuditRecord {
        AuditRecord(
            seq: row["seq"], atMilliseconds: row["atMs"], actorID: row["actorId"], action: row["action"], subject: row["subject"],
            details: row["details"], previousHash: row["previousHash"], hash: row["hash"])
    }

    public func auditEvents(_ query: AuditQuery) async throws -> [AuditEvent] {
        try await pool.read { db in
            var clauses = ["seq > ?"]
            var arguments: [any DatabaseValueConvertible] = [query.afterSeq]
            if let actor = query.actorID {
                clauses.append("actorId = ?")
                arguments.append(actor)
            }
            if let action = query.action {
                clauses.append("(action = ? OR action LIKE ?)")
                arguments += [action, action + ".%"]
            }
            if let subject = query.subject {
                clauses.append("subject = ?")
                arguments.append(subject)
            }
            if let from = query.from {
                clauses.append("atMs >= ?")
                arguments.append(Int64((from.timeIntervalSince1970 * 1000).rounded(.down)))
            }
            if let until = query.until {
                clauses.append("atMs <= ?")
                arguments.append(Int64((until.timeIntervalSince1970 * 1000).rounded(.down)))
            }
            return try Row.fetchAll(
                db, sql: "SELECT * FROM auditEvent WHERE \(clauses.joined(separator: " AND ")) ORDER BY seq LIMIT \(min(max(query.limit, 1), 1000))",
                arguments: StatementArguments(arguments)
            ).map { Self.auditRecord($0).event }
        }
    }

    public func auditRecords(afterSeq: Int64, limit: Int) async throws -> [AuditRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM auditEvent WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [afterSeq, max(limit, 1)]).map(Self.auditRecord)
        }
    }

    public func auditHead() async throws -> (seq: Int64, hash: String) {
        try await pool.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT seq, hash FROM auditHead WHERE id = 1")
            return (row?["seq"] ?? 0, row?["hash"] ?? AuditChain.genesis)
        }
    }
}
