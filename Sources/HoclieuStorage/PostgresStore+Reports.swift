public import Foundation
public import HoclieuCore
import PostgresNIO

/// The report queries (``ReportStore``) on PostgreSQL: the same `GROUP BY`s as ``SQLiteStore``'s.
extension PostgresStore {
    public func publishedMaterialTags(visibilities: Set<Visibility>) async throws -> [MaterialTagCount] {
        let list = visibilities.map(\.rawValue).sorted()
        guard !list.isEmpty else { return [] }
        let lines = SQLiteStore.lines
        return try await read { c in
            try await c.rows(
                """
                SELECT kind, subjects, grades, knowledge_units, count(*) AS n FROM materials
                WHERE status = 'published' AND visibility = ANY(\(list)::text[])
                GROUP BY kind, subjects, grades, knowledge_units
                """, logger
            ).map { row in
                MaterialTagCount(
                    kind: MaterialKind(rawValue: try row.get("kind")) ?? .document, subjects: lines(try row.get("subjects")),
                    grades: lines(try row.get("grades")).compactMap { Int($0) }, knowledgeUnits: lines(try row.get("knowledge_units")),
                    count: Int(try row.get("n", as: Int64.self)))
            }
        }
    }

    public func publishedQuestionTags() async throws -> [QuestionTagCount] {
        let lines = SQLiteStore.lines
        return try await read { c in
            try await c.rows(
                """
                SELECT subject, grade, level, units, count(*) AS n FROM questions WHERE status = 'published'
                GROUP BY subject, grade, level, units
                """, logger
            ).map { row in
                QuestionTagCount(
                    subject: try row.get("subject", as: String?.self), grade: (try row.get("grade", as: Int32?.self)).map(Int.init),
                    level: try row.get("level", as: String?.self), units: lines(try row.get("units")), count: Int(try row.get("n", as: Int64.self)))
            }
        }
    }

    public func reviewActivity(from: Date?, before: Date?) async throws -> ReviewActivity {
        // Open bounds as the widest dates PostgreSQL keeps: one query text for every case.
        let low = (from ?? Date(timeIntervalSince1970: -62_000_000_000)).pg
        let high = (before ?? Date(timeIntervalSince1970: 200_000_000_000)).pg
        return try await read { c in
            let submissions = try await c.rows(
                """
                SELECT id, submitted_at, state, decision FROM submissions WHERE submitted_at >= \(low) AND submitted_at < \(high)
                ORDER BY submitted_at, id
                """, logger
            ).map { row in
                SubmissionTiming(
                    id: try row.get("id"), submittedAt: try row.date("submitted_at"),
                    state: SubmissionState(rawValue: try row.get("state")) ?? .submitted,
                    decision: SQLiteStore.decodeJSON(SubmissionDecision.self, try row.get("decision", as: String?.self)))
            }
            let reasons = try await c.rows(
                """
                SELECT r.decision, r.reason_code, count(*) AS n FROM reviews r JOIN submissions s ON s.id = r.submission_id
                WHERE r.decision <> 'approve' AND s.submitted_at >= \(low) AND s.submitted_at < \(high)
                GROUP BY r.decision, r.reason_code ORDER BY r.decision, r.reason_code
                """, logger
            ).compactMap { row -> ReviewReasonCount? in
                guard let decision = ReviewDecision(rawValue: try row.get("decision")) else { return nil }
                return ReviewReasonCount(
                    decision: decision, reasonCode: (try row.get("reason_code", as: String?.self)).flatMap(ReasonCode.init(rawValue:)),
                    count: Int(try row.get("n", as: Int64.self)))
            }
            return ReviewActivity(submissions: submissions, reviewReasons: reasons)
        }
    }

    public func contributionCounts() async throws -> [ContributionCount] {
        try await read { c in
            var counts: [Int64: ContributionCount] = [:]
            func update(_ org: Int64, _ change: (inout ContributionCount) -> Void) {
                var entry = counts[org]
                    ?? ContributionCount(organisationID: org, contributors: 0, materialsByStatus: [:], submissions: 0, questions: 0, questionsPublished: 0)
                change(&entry)
                counts[org] = entry
            }
            for row in try await c.rows(
                """
                SELECT u.organisation_id AS org, m.status, count(*) AS n FROM materials m JOIN users u ON u.id = m.owner_id
                WHERE u.organisation_id IS NOT NULL GROUP BY u.organisation_id, m.status
                """, logger)
            {
                let n = Int(try row.get("n", as: Int64.self))
                if let status = MaterialStatus(rawValue: try row.get("status")) { update(try row.get("org")) { $0.materialsByStatus[status, default: 0] += n } }
            }
            for row in try await c.rows(
                """
                SELECT u.organisation_id AS org, count(*) AS n FROM submissions s JOIN materials m ON m.id = s.material_id
                JOIN users u ON u.id = m.owner_id WHERE u.organisation_id IS NOT NULL GROUP BY u.organisation_id
                """, logger)
            {
                let n = Int(try row.get("n", as: Int64.self))
                update(try row.get("org")) { $0.submissions = n }
            }
            for row in try await c.rows(
                """
                SELECT u.organisation_id AS org, count(*) AS n, count(*) FILTER (WHERE q.status = 'published') AS published
                FROM questions q JOIN users u ON u.id = q.owner_id WHERE u.organisation_id IS NOT NULL GROUP BY u.organisation_id
                """, logger)
            {
                let n = Int(try row.get("n", as: Int64.self))
                let published = Int(try row.get("published", as: Int64.self))
                update(try row.get("org")) {
                    $0.questions = n
                    $0.questionsPublished = published
                }
            }
            for row in try await c.rows(
                """
                SELECT u.organisation_id AS org, count(*) AS n FROM users u
                WHERE u.organisation_id IS NOT NULL AND (EXISTS (SELECT 1 FROM materials m WHERE m.owner_id = u.id)
                    OR EXISTS (SELECT 1 FROM questions q WHERE q.owner_id = u.id))
                GROUP BY u.organisation_id
                """, logger)
            {
                let n = Int(try row.get("n", as: Int64.self))
                update(try row.get("org")) { $0.contributors = n }
            }
            return counts.values.sorted { $0.organisationID < $1.organisationID }
        }
    }

    public func lmsActivityCounts() async throws -> LMSActivityCounts {
        try await read { c in
            var activity = LMSActivityCounts(pushesByOwner: [:], lastPushByOwner: [:], materialsByOwner: [:], materialsBySourceSystem: [:])
            for row in try await c.rows(
                "SELECT owner_id, status, count(*) AS n, max(created_at) AS last FROM jobs WHERE kind = 'push' GROUP BY owner_id, status", logger)
            {
                let owner: Int64 = try row.get("owner_id")
                if let status = JobStatus(rawValue: try row.get("status")) {
                    activity.pushesByOwner[owner, default: [:]][status, default: 0] += Int(try row.get("n", as: Int64.self))
                }
                if let last = try row.optionalDate("last"), last > activity.lastPushByOwner[owner] ?? .distantPast { activity.lastPushByOwner[owner] = last }
            }
            for row in try await c.rows(
                """
                SELECT m.owner_id, m.status, count(*) AS n FROM materials m
                WHERE m.owner_id IN (SELECT user_id FROM lms_clients) GROUP BY m.owner_id, m.status
                """, logger)
            {
                if let status = MaterialStatus(rawValue: try row.get("status")) {
                    activity.materialsByOwner[try row.get("owner_id"), default: [:]][status, default: 0] += Int(try row.get("n", as: Int64.self))
                }
            }
            for row in try await c.rows(
                "SELECT source_system, count(*) AS n FROM materials WHERE source_system IS NOT NULL GROUP BY source_system", logger)
            {
                activity.materialsBySourceSystem[try row.get("source_system")] = Int(try row.get("n", as: Int64.self))
            }
            return activity
        }
    }
}
