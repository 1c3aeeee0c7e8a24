public import Foundation
public import HoclieuCore
import Logging
import PostgresNIO

/// The quality board on PostgreSQL (``SQLiteStore``'s `+Review`, method by method): criteria sets, submissions,
/// assignments, reviews, decisions and the audit chain. A write locks the submission row it changes (`FOR UPDATE`), so
/// two nodes acting on one submission queue one behind the other as SQLite's single writer makes them.
extension PostgresStore: ReviewStore {
    static let reviewMigration = Migration(
        name: "v9-review",
        statements: [
            "CREATE TABLE criteria_sets (id TEXT NOT NULL, version INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (id, version))",
            """
            CREATE TABLE submissions (
                id BIGSERIAL PRIMARY KEY,
                material_id BIGINT NOT NULL REFERENCES materials(id),
                pid TEXT NOT NULL,
                kind TEXT NOT NULL,
                state TEXT NOT NULL,
                version INTEGER NOT NULL,
                proposed_metadata TEXT,
                note TEXT,
                criteria_set TEXT NOT NULL,
                submitted_by BIGINT NOT NULL,
                school TEXT,
                submitted_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                round INTEGER NOT NULL DEFAULT 1,
                decision TEXT,
                pre_review TEXT
            )
            """,
            "CREATE INDEX submissions_pre_review ON submissions (id) WHERE pre_review IS NULL",
            """
            CREATE UNIQUE INDEX submissions_open ON submissions (material_id)
                WHERE state IN ('submitted', 'in_review', 'changes_requested', 'resubmitted')
            """,
            "CREATE INDEX submissions_author ON submissions (submitted_by, id)",
            "CREATE INDEX submissions_state ON submissions (state, id)",
            """
            CREATE TABLE assignments (
                submission_id BIGINT NOT NULL REFERENCES submissions(id),
                reviewer_id BIGINT NOT NULL REFERENCES users(id),
                assigned_by BIGINT NOT NULL,
                assigned_at TIMESTAMPTZ NOT NULL,
                due_at TIMESTAMPTZ NOT NULL,
                reminded_at TIMESTAMPTZ,
                escalated_at TIMESTAMPTZ,
                pending BOOLEAN NOT NULL DEFAULT TRUE,
                PRIMARY KEY (submission_id, reviewer_id)
            )
            """,
            "CREATE INDEX assignments_queue ON assignments (reviewer_id, pending, due_at, submission_id)",
            "CREATE INDEX assignments_due ON assignments (pending, due_at)",
            """
            CREATE TABLE reviews (
                id BIGSERIAL PRIMARY KEY,
                submission_id BIGINT NOT NULL REFERENCES submissions(id),
                round INTEGER NOT NULL,
                reviewer_id BIGINT NOT NULL,
                scores TEXT NOT NULL,
                decision TEXT NOT NULL,
                reason_code TEXT,
                feedback TEXT NOT NULL,
                internal_notes TEXT NOT NULL,
                weighted_score DOUBLE PRECISION NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                UNIQUE (submission_id, round, reviewer_id)
            )
            """,
        ])

    // MARK: Criteria

    public func saveCriteriaSets(_ sets: [CriteriaSet]) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let rows = try sets.map { ($0, String(decoding: try encoder.encode($0), as: UTF8.self)) }
        try await write { c in
            try await c.run("SELECT pg_advisory_xact_lock(7917604)", logger)
            for (set, json) in rows {
                if let existing = try await c.value(
                    "SELECT json FROM criteria_sets WHERE id = \(set.id) AND version = \(Int32(clamping: set.version))", as: String.self, logger)
                {
                    guard existing == json else { throw StoreError.conflict("criteria set \(set.key) is published and cannot change; raise its version") }
                    continue
                }
                try await c.run("INSERT INTO criteria_sets (id, version, json) VALUES (\(set.id), \(Int32(clamping: set.version)), \(json))", logger)
                try await Self.appendAudit(AuditDraft(actorID: 0, action: "criteria.published", subject: "criteria:\(set.key)"), c, logger)
            }
        }
    }

    public func criteriaSets() async throws -> [CriteriaSet] {
        try await read { c in
            try await c.rows("SELECT json FROM criteria_sets ORDER BY id COLLATE \"C\", version", logger).map {
                try JSONDecoder().decode(CriteriaSet.self, from: Data(try $0.get("json", as: String.self).utf8))
            }
        }
    }

    // MARK: Submissions

    static func submission(_ row: PostgresRandomAccessRow, assignments: [Assignment]) throws -> Submission {
        Submission(
            id: try row.get("id"), pid: try PersistentIdentifier(parsing: try row.get("pid")),
            kind: SubmissionKind(rawValue: try row.get("kind")) ?? .new, state: SubmissionState(rawValue: try row.get("state")) ?? .submitted,
            version: Int(try row.get("version", as: Int32.self)),
            proposedMetadata: SQLiteStore.decodeJSON(MaterialMetadata.self, try row.get("proposed_metadata")), note: try row.get("note"),
            criteriaSet: try row.get("criteria_set"), submittedBy: try row.get("submitted_by"), school: try row.get("school"),
            submittedAt: try row.date("submitted_at"), updatedAt: try row.date("updated_at"), round: Int(try row.get("round", as: Int32.self)),
            assignments: assignments, decision: SQLiteStore.decodeJSON(SubmissionDecision.self, try row.get("decision")),
            preReview: SQLiteStore.decodeJSON(PreReview.self, try row.get("pre_review")))
    }

    static func assignment(_ row: PostgresRandomAccessRow) throws -> Assignment {
        Assignment(
            reviewerID: try row.get("reviewer_id"), assignedBy: try row.get("assigned_by"), assignedAt: try row.date("assigned_at"),
            dueAt: try row.date("due_at"), remindedAt: try row.optionalDate("reminded_at"), escalatedAt: try row.optionalDate("escalated_at"))
    }

    static let submissionColumns = """
        s.id, s.pid, s.kind, s.state, s.version, s.proposed_metadata, s.note, s.criteria_set, s.submitted_by, s.school, s.submitted_at,
        s.updated_at, s.round, s.decision, s.pre_review
        """

    /// Submissions with their assignments, in the order of `rows`.
    static func submissions(_ rows: [PostgresRandomAccessRow], _ c: PostgresConnection, _ logger: Logger) async throws -> [Submission] {
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.get("id", as: Int64.self) }
        var byID: [Int64: [Assignment]] = [:]
        for row in try await c.rows(
            "SELECT * FROM assignments WHERE submission_id = ANY(\(ids)) ORDER BY assigned_at, reviewer_id", logger)
        {
            byID[try row.get("submission_id"), default: []].append(try assignment(row))
        }
        return try rows.map { try submission($0, assignments: byID[try $0.get("id")] ?? []) }
    }

    /// A submission with its assignments; `lock` holds its row until the transaction ends.
    static func loadSubmission(_ id: Int64, lock: Bool = true, _ c: PostgresConnection, _ logger: Logger) async throws -> Submission {
        guard let row = try await c.row(
            "SELECT \(unescaped: submissionColumns) FROM submissions s WHERE s.id = \(id)\(unescaped: lock ? " FOR UPDATE" : "")", logger)
        else { throw StoreError.notFound("submission \(id)") }
        return try await submissions([row], c, logger)[0]
    }

    /// Moves the submission to `state` (with an optional decision) and the material with it; appends the audit event.
    func move(_ s: inout Submission, to state: SubmissionState, decision: SubmissionDecision?, audit: AuditDraft, _ c: PostgresConnection) async throws {
        let now = Self.now()
        s.state = state
        s.updatedAt = now
        if let decision { s.decision = decision }
        try await c.run(
            "UPDATE submissions SET state = \(state.rawValue), updated_at = \(now.pg), decision = \(try SQLiteStore.jsonText(s.decision)) WHERE id = \(s.id)",
            logger)
        if !state.isOpen { try await c.run("UPDATE assignments SET pending = FALSE WHERE submission_id = \(s.id)", logger) }
        try await moveMaterial(for: s, c)
        try await Self.appendAudit(audit, c, logger)
    }

    /// The material as the submission's state makes it: its review status and, on approval, the version
    /// and metadata under review.
    func moveMaterial(for s: Submission, _ c: PostgresConnection) async throws {
        let (old, text) = try await load(s.pid, c)
        var material = old
        if s.state == .approved {
            if s.version > material.currentVersion,
                let row = try await c.row(
                    """
                    SELECT * FROM material_versions WHERE material_id = \(Int64(material.pid.serial)) AND number = \(Int32(clamping: s.version))
                    """, logger)
            {
                let version = try Self.version(row, pid: material.pid)
                material.currentVersion = version.number
                if material.kind != .link { material.format = version.package?.kind ?? version.mediaType }
            }
            if let metadata = s.proposedMetadata { material.metadata = metadata.normalised() }
        }
        if let status = ReviewTransition.materialStatus(kind: s.kind, state: s.state) { material.status = status }
        guard material != old else { return }
        material.updatedAt = max(Self.now(), old.updatedAt)
        try await self.rewrite(old: old, new: material, newText: text, c, logger)
    }

    public func createSubmission(_ new: NewSubmission, audit: AuditDraft) async throws -> Submission {
        let conflict = StoreError.conflict("\(new.pid) already has an open submission")
        do {
            return try await write { c in
                let (material, _) = try await load(new.pid, c)
                if try await c.value(
                    "SELECT 1 FROM submissions WHERE material_id = \(Int64(material.pid.serial)) AND state IN \(unescaped: SQLiteStore.openStates)",
                    as: Int32.self, logger) != nil
                {
                    throw conflict
                }
                let now = Self.now()
                let id = try await c.value(
                    """
                    INSERT INTO submissions (material_id, pid, kind, state, version, proposed_metadata, note, criteria_set, submitted_by, school,
                        submitted_at, updated_at, round)
                    VALUES (\(Int64(material.pid.serial)), \(new.pid.rawValue), \(new.kind.rawValue), 'submitted', \(Int32(clamping: new.version)),
                        \(try SQLiteStore.jsonText(new.proposedMetadata)), \(new.note), \(new.criteriaSet), \(new.submittedBy), \(new.school),
                        \(now.pg), \(now.pg), 1)
                    RETURNING id
                    """, as: Int64.self, logger)!
                let s = try await Self.loadSubmission(id, c, logger)
                try await moveMaterial(for: s, c)
                var audit = audit
                audit.subject = "submission:\(s.id)"
                audit.details["pid"] = new.pid.rawValue
                audit.details["kind"] = new.kind.rawValue
                audit.details["version"] = String(new.version)
                try await Self.appendAudit(audit, c, logger)
                return s
            }
        } catch StoreError.conflict("submissions_open") {
            throw conflict
        }
    }

    public func submission(id: Int64) async throws -> Submission? {
        try await read { c in
            guard let row = try await c.row("SELECT \(unescaped: Self.submissionColumns) FROM submissions s WHERE s.id = \(id)", logger) else {
                return nil
            }
            return try await Self.submissions([row], c, logger)[0]
        }
    }

    public func openSubmission(pid: PersistentIdentifier) async throws -> Submission? {
        try await read { c in
            guard let row = try await c.row(
                """
                SELECT \(unescaped: Self.submissionColumns) FROM submissions s
                WHERE s.material_id = \(Int64(pid.serial)) AND s.state IN \(unescaped: SQLiteStore.openStates)
                """, logger)
            else { return nil }
            return try await Self.submissions([row], c, logger)[0]
        }
    }

    public func submissions(_ query: SubmissionQuery) async throws -> [Submission] {
        let limit = Int64(min(max(query.limit, 1), 500))
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 512, interpolationCount: 10)
        func filters() {
            if let states = query.states {
                sql.appendLiteral(" AND s.state = ANY(")
                sql.appendInterpolation(states.map(\.rawValue).sorted())
                sql.appendLiteral("::text[])")
            }
            if let author = query.submittedBy {
                sql.appendLiteral(" AND s.submitted_by = ")
                sql.appendInterpolation(author)
            }
            if let pid = query.pid {
                sql.appendLiteral(" AND s.material_id = ")
                sql.appendInterpolation(Int64(pid.serial))
            }
        }
        if let reviewer = query.reviewerID {
            // The reviewer's queue: what they owe, earliest due first (overdue at the top), keyset on (due_at, id).
            sql.appendLiteral("SELECT \(Self.submissionColumns) FROM assignments a JOIN submissions s ON s.id = a.submission_id WHERE a.reviewer_id = ")
            sql.appendInterpolation(reviewer)
            sql.appendLiteral(" AND a.pending AND s.state IN \(SQLiteStore.reviewableStates)")
            filters()
            if let due = query.dueBefore {
                sql.appendLiteral(" AND a.due_at < ")
                sql.appendInterpolation(due.pg)
            }
            if let after = query.after, let dueAt = after.dueAt {
                sql.appendLiteral(" AND (a.due_at, a.submission_id) > (")
                sql.appendInterpolation(dueAt.pg)
                sql.appendLiteral(", ")
                sql.appendInterpolation(after.id)
                sql.appendLiteral(")")
            }
            sql.appendLiteral(" ORDER BY a.due_at, a.submission_id LIMIT ")
            sql.appendInterpolation(limit)
        } else {
            sql.appendLiteral("SELECT \(Self.submissionColumns) FROM submissions s WHERE TRUE")
            filters()
            if let after = query.after {
                sql.appendLiteral(" AND s.id < ")
                sql.appendInterpolation(after.id)
            }
            if let due = query.dueBefore {
                sql.appendLiteral(" AND EXISTS (SELECT 1 FROM assignments a WHERE a.submission_id = s.id AND a.pending AND a.due_at < ")
                sql.appendInterpolation(due.pg)
                sql.appendLiteral(")")
            }
            sql.appendLiteral(" ORDER BY s.id DESC LIMIT ")
            sql.appendInterpolation(limit)
        }
        let statement = PostgresQuery(stringInterpolation: sql)
        return try await read { c in try await Self.submissions(try await c.rows(statement, logger), c, logger) }
    }

    public func assign(submissionID: Int64, reviewers: [Int64], by actorID: Int64, dueAt: Date) async throws -> Submission {
        try await write { c in
            var s = try await Self.loadSubmission(submissionID, c, logger)
            guard s.state.isReviewable else { throw StoreError.conflict("submission \(submissionID) is \(s.state.rawValue)") }
            let now = Self.now()
            for reviewer in reviewers where !s.assignments.contains(where: { $0.reviewerID == reviewer }) {
                try await c.run(
                    """
                    INSERT INTO assignments (submission_id, reviewer_id, assigned_by, assigned_at, due_at)
                    VALUES (\(submissionID), \(reviewer), \(actorID), \(now.pg), \(SQLiteStore.millisecondPrecision(dueAt).pg))
                    """, logger)
                try await Self.appendAudit(
                    AuditDraft(actorID: actorID, action: "assignment.added", subject: "submission:\(submissionID)", details: ["reviewer": String(reviewer)]),
                    c, logger)
            }
            if s.state != .inReview {
                try await move(
                    &s, to: .inReview, decision: nil,
                    audit: AuditDraft(actorID: actorID, action: "submission.in_review", subject: "submission:\(submissionID)"), c)
            }
            return try await Self.loadSubmission(submissionID, c, logger)
        }
    }

    public func unassign(submissionID: Int64, reviewerID: Int64, by actorID: Int64) async throws -> Submission {
        try await write { c in
            let s = try await Self.loadSubmission(submissionID, c, logger)
            guard s.state.isOpen else { throw StoreError.conflict("submission \(submissionID) is \(s.state.rawValue)") }
            if try await c.value(
                """
                SELECT 1 FROM reviews WHERE submission_id = \(submissionID) AND round = \(Int32(clamping: s.round)) AND reviewer_id = \(reviewerID)
                """, as: Int32.self, logger) != nil
            {
                throw StoreError.conflict("reviewer \(reviewerID) has already reviewed this round")
            }
            guard try await c.value(
                "DELETE FROM assignments WHERE submission_id = \(submissionID) AND reviewer_id = \(reviewerID) RETURNING 1", as: Int32.self, logger) != nil
            else { throw StoreError.notFound("assignment of reviewer \(reviewerID)") }
            try await Self.appendAudit(
                AuditDraft(actorID: actorID, action: "assignment.removed", subject: "submission:\(submissionID)", details: ["reviewer": String(reviewerID)]),
                c, logger)
            return try await Self.loadSubmission(submissionID, c, logger)
        }
    }

    static func review(_ row: PostgresRandomAccessRow) throws -> Review {
        Review(
            id: try row.get("id"), submissionID: try row.get("submission_id"), round: Int(try row.get("round", as: Int32.self)),
            reviewerID: try row.get("reviewer_id"), scores: SQLiteStore.decodeJSON([String: Int].self, try row.get("scores")) ?? [:],
            decision: ReviewDecision(rawValue: try row.get("decision")) ?? .requestChanges,
            reasonCode: try row.get("reason_code", as: String?.self).flatMap(ReasonCode.init(rawValue:)), feedback: try row.get("feedback"),
            internalNotes: try row.get("internal_notes"), weightedScore: try row.get("weighted_score"), createdAt: try row.date("created_at"))
    }

    public func recordReview(_ new: NewReview, rules: ReviewRules) async throws -> (review: Review, submission: Submission) {
        try await write { c in
            var s = try await Self.loadSubmission(new.submissionID, c, logger)
            guard s.state.isReviewable else { throw StoreError.conflict("submission \(s.id) is \(s.state.rawValue), not open for review") }
            guard s.assignments.contains(where: { $0.reviewerID == new.reviewerID }) else {
                throw StoreError.conflict("reviewer \(new.reviewerID) is not assigned to submission \(s.id)")
            }
            let round = Int32(clamping: s.round)
            if try await c.value(
                "SELECT 1 FROM reviews WHERE submission_id = \(s.id) AND round = \(round) AND reviewer_id = \(new.reviewerID)", as: Int32.self, logger)
                != nil
            {
                throw StoreError.conflict("reviewer \(new.reviewerID) has already reviewed round \(s.round)")
            }
            let now = Self.now()
            let review = try Self.review(
                try await c.row(
                    """
                    INSERT INTO reviews (submission_id, round, reviewer_id, scores, decision, reason_code, feedback, internal_notes, weighted_score,
                        created_at)
                    VALUES (\(s.id), \(round), \(new.reviewerID), \(try SQLiteStore.jsonText(new.scores)), \(new.decision.rawValue),
                        \(new.reasonCode?.rawValue), \(new.feedback), \(new.internalNotes), \(new.weightedScore), \(now.pg))
                    RETURNING *
                    """, logger)!)
            try await c.run("UPDATE assignments SET pending = FALSE WHERE submission_id = \(s.id) AND reviewer_id = \(new.reviewerID)", logger)
            var details = ["decision": new.decision.rawValue, "round": String(s.round), "score": String(new.weightedScore)]
            details["reason"] = new.reasonCode?.rawValue
            try await Self.appendAudit(
                AuditDraft(actorID: new.reviewerID, action: "review.recorded", subject: "submission:\(s.id)", details: details), c, logger)
            let roundReviews = try await c.rows("SELECT * FROM reviews WHERE submission_id = \(s.id) AND round = \(round) ORDER BY id", logger)
                .map(Self.review)
            if let outcome = rules.outcome(assigned: s.assignments.count, decisions: roundReviews.map(\.decision)) {
                let against = roundReviews.filter { $0.decision != .approve }
                let reasons = Dictionary(grouping: against.compactMap(\.reasonCode), by: { $0 }).max { a, b in
                    a.value.count == b.value.count ? a.key.rawValue > b.key.rawValue : a.value.count < b.value.count
                }?.key
                let feedback = roundReviews.enumerated().filter { !$0.element.feedback.isEmpty }
                    .map { "[\($0.offset + 1)] \($0.element.feedback)" }.joined(separator: "\n")
                let decision = SubmissionDecision(
                    decision: outcome, reasonCode: outcome == .approve ? nil : reasons, feedback: feedback, decidedBy: nil, decidedAt: now)
                try await move(
                    &s, to: ReviewTransition.state(after: outcome), decision: decision,
                    audit: AuditDraft(
                        actorID: nil, action: "submission.decided", subject: "submission:\(s.id)",
                        details: ["decision": outcome.rawValue, "by": "rule:\(rules.agreement.rawValue)", "pid": s.pid.rawValue]), c)
            }
            return (review, try await Self.loadSubmission(s.id, c, logger))
        }
    }

    public func decide(submissionID: Int64, _ decision: SubmissionDecision) async throws -> Submission {
        try await write { c in
            var s = try await Self.loadSubmission(submissionID, c, logger)
            guard s.state.isReviewable else { throw StoreError.conflict("submission \(submissionID) is \(s.state.rawValue): already decided or not in review") }
            var details = ["decision": decision.decision.rawValue, "by": "chair", "pid": s.pid.rawValue]
            details["reason"] = decision.reasonCode?.rawValue
            try await move(
                &s, to: ReviewTransition.state(after: decision.decision), decision: decision,
                audit: AuditDraft(actorID: decision.decidedBy, action: "submission.decided", subject: "submission:\(submissionID)", details: details), c)
            return try await Self.loadSubmission(submissionID, c, logger)
        }
    }

    public func resubmit(submissionID: Int64, version: Int, proposedMetadata: MaterialMetadata?, by actorID: Int64) async throws -> Submission {
        try await write { c in
            var s = try await Self.loadSubmission(submissionID, c, logger)
            guard s.state == .changesRequested else { throw StoreError.conflict("submission \(submissionID) is \(s.state.rawValue), not waiting for changes") }
            try await c.run(
                """
                UPDATE submissions SET round = round + 1, version = \(Int32(clamping: version)),
                    proposed_metadata = coalesce(\(try SQLiteStore.jsonText(proposedMetadata))::text, proposed_metadata)
                WHERE id = \(submissionID)
                """, logger)
            // The same reviewers look again.
            try await c.run(
                "UPDATE assignments SET pending = TRUE, reminded_at = NULL, escalated_at = NULL WHERE submission_id = \(submissionID)", logger)
            s = try await Self.loadSubmission(submissionID, c, logger)
            try await move(
                &s, to: s.assignments.isEmpty ? .resubmitted : .inReview, decision: nil,
                audit: AuditDraft(
                    actorID: actorID, action: "submission.resubmitted", subject: "submission:\(submissionID)",
                    details: ["round": String(s.round), "version": String(version)]), c)
            return s
        }
    }

    public func correctMetadata(submissionID: Int64, _ metadata: MaterialMetadata, fields: [String], by actorID: Int64) async throws -> Submission {
        let normalised = metadata.normalised()
        if let problem = (metadata.violations() + normalised.violations()).first { throw StoreError.invalid(problem.message) }
        return try await write { c in
            let s = try await Self.loadSubmission(submissionID, c, logger)
            guard s.state.isReviewable else { throw StoreError.conflict("submission \(submissionID) is \(s.state.rawValue)") }
            if s.kind == .new {
                let (old, text) = try await load(s.pid, c)
                var material = old
                material.metadata = normalised
                material.updatedAt = max(Self.now(), old.updatedAt)
                try await self.rewrite(old: old, new: material, newText: text, c, logger)
            } else {
                try await c.run(
                    "UPDATE submissions SET proposed_metadata = \(try SQLiteStore.jsonText(normalised)) WHERE id = \(submissionID)", logger)
            }
            try await Self.appendAudit(
                AuditDraft(
                    actorID: actorID, action: "submission.metadata.corrected", subject: "submission:\(submissionID)",
                    details: ["fields": fields.joined(separator: ","), "pid": s.pid.rawValue]), c, logger)
            return try await Self.loadSubmission(submissionID, c, logger)
        }
    }

    public func cancelSubmission(id: Int64, by actorID: Int64, reason: String?) async throws -> Submission {
        try await write { c in
            var s = try await Self.loadSubmission(id, c, logger)
            guard s.state.isOpen else { throw StoreError.conflict("submission \(id) is \(s.state.rawValue)") }
            var details: [String: String] = [:]
            details["reason"] = reason
            try await move(
                &s, to: .cancelled, decision: nil,
                audit: AuditDraft(actorID: actorID, action: "submission.cancelled", subject: "submission:\(id)", details: details), c)
            return s
        }
    }

    public func reviews(submissionID: Int64) async throws -> [Review] {
        try await read { c in
            try await c.rows("SELECT * FROM reviews WHERE submission_id = \(submissionID) ORDER BY round, id", logger).map(Self.review)
        }
    }

    public func setStatus(_ pid: PersistentIdentifier, to status: MaterialStatus, audit: AuditDraft) async throws -> Material {
        try await write { c in
            let now = Self.now()
            let (old, text) = try await load(pid, c)
            // An open submission is overtaken: cancelled, so that nothing decides it later.
            if let id = try await c.value(
                "SELECT id FROM submissions WHERE material_id = \(Int64(pid.serial)) AND state IN \(unescaped: SQLiteStore.openStates) FOR UPDATE",
                as: Int64.self, logger)
            {
                try await c.run("UPDATE submissions SET state = 'cancelled', updated_at = \(now.pg) WHERE id = \(id)", logger)
                try await c.run("UPDATE assignments SET pending = FALSE WHERE submission_id = \(id)", logger)
                try await Self.appendAudit(
                    AuditDraft(actorID: audit.actorID, action: "submission.cancelled", subject: "submission:\(id)", details: ["by": audit.action]), c,
                    logger)
            }
            var material = old
            material.status = status
            material.updatedAt = max(now, old.updatedAt)
            try await self.rewrite(old: old, new: material, newText: text, c, logger)
            var audit = audit
            audit.details["from"] = old.status.rawValue
            audit.details["to"] = status.rawValue
            try await Self.appendAudit(audit, c, logger)
            return material
        }
    }

    public func openAssignmentCounts() async throws -> [Int64: Int] {
        try await read { c in
            var counts: [Int64: Int] = [:]
            for row in try await c.rows("SELECT reviewer_id, count(*) AS n FROM assignments WHERE pending GROUP BY reviewer_id", logger) {
                counts[try row.get("reviewer_id")] = Int(try row.get("n", as: Int64.self))
            }
            return counts
        }
    }

    public func markOverdue(now: Date, remindBefore: Date, escalateBefore: Date) async throws -> (
        reminded: [OverdueAssignment], escalated: [OverdueAssignment]
    ) {
        try await write { c in
            func take(_ column: String, before: Date, action: String) async throws -> [OverdueAssignment] {
                // SKIP LOCKED: two nodes running the reminder job at once never remind twice.
                let rows = try await c.rows(
                    """
                    SELECT a.submission_id, a.reviewer_id, a.due_at FROM assignments a JOIN submissions s ON s.id = a.submission_id
                    WHERE a.pending AND a.due_at < \(before.pg) AND a.\(unescaped: column) IS NULL AND s.state IN \(unescaped: SQLiteStore.reviewableStates)
                    ORDER BY a.due_at LIMIT 1000 FOR UPDATE OF a SKIP LOCKED
                    """, logger)
                var items: [OverdueAssignment] = []
                for row in rows {
                    let item = OverdueAssignment(
                        submissionID: try row.get("submission_id"), reviewerID: try row.get("reviewer_id"), dueAt: try row.date("due_at"))
                    try await c.run(
                        """
                        UPDATE assignments SET \(unescaped: column) = \(now.pg)
                        WHERE submission_id = \(item.submissionID) AND reviewer_id = \(item.reviewerID)
                        """, logger)
                    try await Self.appendAudit(
                        AuditDraft(actorID: nil, action: action, subject: "submission:\(item.submissionID)", details: ["reviewer": String(item.reviewerID)]),
                        c, logger)
                    items.append(item)
                }
                return items
            }
            let reminded = try await take("reminded_at", before: remindBefore, action: "assignment.reminded")
            let escalated = try await take("escalated_at", before: escalateBefore, action: "assignment.escalated")
            return (reminded, escalated)
        }
    }

    public func materialsDueForReReview(before: Date, limit: Int) async throws -> [PersistentIdentifier] {
        try await read { c in
            try await c.rows(
                """
                SELECT pid FROM materials m WHERE status = 'published' AND updated_at < \(before.pg)
                AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.material_id = m.id
                    AND (s.state IN \(unescaped: SQLiteStore.openStates) OR s.updated_at >= \(before.pg)))
                ORDER BY updated_at, id LIMIT \(Int64(max(limit, 0)))
                """, logger
            ).map { try PersistentIdentifier(parsing: try $0.get("pid")) }
        }
    }

    public func users(withRole role: Role) async throws -> [User] {
        try await read { c in
            try await c.rows(
                "SELECT \(unescaped: Self.userColumns) FROM users WHERE NOT disabled AND (',' || roles || ',') LIKE \("%,\(role.rawValue),%") ORDER BY id",
                logger
            ).map(Self.user)
        }
    }

    // MARK: Pre-review

    public func submissionsAwaitingPreReview(limit: Int) async throws -> [Int64] {
        try await read { c in
            try await c.rows(
                """
                SELECT id FROM submissions WHERE pre_review IS NULL AND state IN \(unescaped: SQLiteStore.openStates)
                ORDER BY id LIMIT \(Int64(max(limit, 1)))
                """, logger
            ).map { try $0.get("id", as: Int64.self) }
        }
    }

    public func savePreReview(submissionID: Int64, _ preReview: PreReview) async throws {
        let json = try SQLiteStore.jsonText(preReview)
        try await write { c in try await c.run("UPDATE submissions SET pre_review = \(json) WHERE id = \(submissionID)", logger) }
    }

    public func extractedTexts(_ pids: [PersistentIdentifier]) async throws -> [PersistentIdentifier: String] {
        guard !pids.isEmpty else { return [:] }
        return try await read { c in
            var texts: [PersistentIdentifier: String] = [:]
            for row in try await c.rows(
                "SELECT pid, title, description, extracted_text FROM materials WHERE id = ANY(\(pids.map { Int64($0.serial) }))", logger)
            {
                let pid = try PersistentIdentifier(parsing: try row.get("pid"))
                guard pids.contains(pid) else { continue }
                texts[pid] = [try row.get("title"), try row.get("description"), try row.get("extracted_text", as: String?.self) ?? ""]
                    .joined(separator: "\n")
            }
            return texts
        }
    }

    public func materialHeadlines(_ pids: [PersistentIdentifier]) async throws -> [PersistentIdentifier: MaterialHeadline] {
        let serials = Array(Set(pids.map { Int64($0.serial) }))
        guard !serials.isEmpty else { return [:] }
        let wanted = Set(pids)
        return try await read { c in
            var headlines: [PersistentIdentifier: MaterialHeadline] = [:]
            for row in try await c.rows("SELECT pid, title, kind, subjects FROM materials WHERE id = ANY(\(serials))", logger) {
                let pid = try PersistentIdentifier(parsing: try row.get("pid"))
                guard wanted.contains(pid) else { continue }
                headlines[pid] = MaterialHeadline(
                    title: try row.get("title"), kind: MaterialKind(rawValue: try row.get("kind")) ?? .document,
                    subjects: SQLiteStore.lines(try row.get("subjects")))
            }
            return headlines
        }
    }

    public func publishedMaterials(withContentID contentID: ContentID) async throws -> [PersistentIdentifier] {
        try await read { c in
            try await c.rows(
                """
                SELECT m.pid FROM material_versions v JOIN materials m ON m.id = v.material_id
                WHERE v.content_id = \(contentID.rawValue) AND v.number = m.current_version AND m.status = 'published' ORDER BY m.id LIMIT 20
                """, logger
            ).compactMap { try? PersistentIdentifier(parsing: try $0.get("pid")) }
        }
    }

    // MARK: Audit

    @discardableResult
    public func appendAudit(_ draft: AuditDraft) async throws -> AuditEvent {
        try await write { c in try await Self.appendAudit(draft, c, logger) }
    }

    static func auditRecord(_ row: PostgresRandomAccessRow) throws -> AuditRecord {
        AuditRecord(
            seq: try row.get("seq"), atMilliseconds: try row.get("at_ms"), actorID: try row.get("actor_id"), action: try row.get("action"),
            subject: try row.get("subject"), details: try row.get("details"), previousHash: try row.get("previous_hash"), hash: try row.get("hash"))
    }

    public func auditEvents(_ query: AuditQuery) async throws -> [AuditEvent] {
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 256, interpolationCount: 8)
        sql.appendLiteral("SELECT * FROM audit_events WHERE seq > ")
        sql.appendInterpolation(query.afterSeq)
        if let actor = query.actorID {
            sql.appendLiteral(" AND actor_id = ")
            sql.appendInterpolation(actor)
        }
        if let action = query.action {
            // SQLite's `action LIKE ?` with `action.%`: `_` and `%` in the prefix are wildcards there too.
            sql.appendLiteral(" AND (action = ")
            sql.appendInterpolation(action)
            sql.appendLiteral(" OR ascii_lower(action) LIKE ascii_lower(")
            sql.appendInterpolation(action + ".%")
            sql.appendLiteral("))")
        }
        if let subject = query.subject {
            sql.appendLiteral(" AND subject = ")
            sql.appendInterpolation(subject)
        }
        if let from = query.from {
            sql.appendLiteral(" AND at_ms >= ")
            sql.appendInterpolation(Int64((from.timeIntervalSince1970 * 1000).rounded(.down)))
        }
        if let until = query.until {
            sql.appendLiteral(" AND at_ms <= ")
            sql.appendInterpolation(Int64((until.timeIntervalSince1970 * 1000).rounded(.down)))
        }
        sql.appendLiteral(" ORDER BY seq LIMIT ")
        sql.appendInterpolation(Int64(min(max(query.limit, 1), 1000)))
        let statement = PostgresQuery(stringInterpolation: sql)
        return try await read { c in try await c.rows(statement, logger).map { try Self.auditRecord($0).event } }
    }

    public func auditRecords(afterSeq: Int64, limit: Int) async throws -> [AuditRecord] {
        try await read { c in
            try await c.rows("SELECT * FROM audit_events WHERE seq > \(afterSeq) ORDER BY seq LIMIT \(Int64(max(limit, 1)))", logger).map(Self.auditRecord)
        }
    }

    public func auditHead() async throws -> (seq: Int64, hash: String) {
        try await read { c in
            guard let row = try await c.row("SELECT seq, hash FROM audit_head WHERE id = 1", logger) else { return (0, AuditChain.genesis) }
            return (try row.get("seq"), try row.get("hash"))
        }
    }
}
extension PostgresStore: Store {}
