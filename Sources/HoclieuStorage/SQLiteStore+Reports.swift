public import Foundation
import GRDB
public import HoclieuCore

/// The report queries (``ReportStore``): one `GROUP BY` per count, no schema of their own.
extension SQLiteStore {
    public func publishedMaterialTags(visibilities: Set<Visibility>) async throws -> [MaterialTagCount] {
        let list = visibilities.map(\.rawValue).sorted()
        guard !list.isEmpty else { return [] }
        let marks = Array(repeating: "?", count: list.count).joined(separator: ", ")
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT kind, subjects, grades, knowledgeUnits, count(*) AS n FROM material
                    WHERE status = 'published' AND visibility IN (\(marks))
                    GROUP BY kind, subjects, grades, knowledgeUnits
                    """, arguments: StatementArguments(list)
            ).map { row in
                MaterialTagCount(
                    kind: MaterialKind(rawValue: row["kind"]) ?? .document, subjects: Self.lines(row["subjects"]),
                    grades: Self.lines(row["grades"]).compactMap { Int($0) }, knowledgeUnits: Self.lines(row["knowledgeUnits"]), count: row["n"])
            }
        }
    }

    public func publishedQuestionTags() async throws -> [QuestionTagCount] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT subject, grade, level, units, count(*) AS n FROM question WHERE status = 'published'
                    GROUP BY subject, grade, level, units
                    """
            ).map { row in
                QuestionTagCount(subject: row["subject"], grade: row["grade"], level: row["level"], units: Self.lines(row["units"]), count: row["n"])
            }
        }
    }

    public func reviewActivity(from: Date?, before: Date?) async throws -> ReviewActivity {
        var conditions = ["1"]
        var arguments = StatementArguments()
        if let from {
            conditions.append("submittedAt >= ?")
            arguments += [from.dbText]
        }
        if let before {
            conditions.append("submittedAt < ?")
            arguments += [before.dbText]
        }
        let filter = conditions.joined(separator: " AND ")
        let bounds = arguments
        return try await pool.read { db in
            let submissions = try Row.fetchAll(
                db, sql: "SELECT id, submittedAt, state, decision FROM submission WHERE \(filter) ORDER BY submittedAt, id", arguments: bounds
            ).map { row in
                SubmissionTiming(
                    id: row["id"], submittedAt: row.date("submittedAt"), state: SubmissionState(rawValue: row["state"]) ?? .submitted,
                    decision: Self.decodeJSON(SubmissionDecision.self, row["decision"]))
            }
            let reasons = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.decision, r.reasonCode, count(*) AS n FROM review r JOIN submission s ON s.id = r.submissionId
                    WHERE r.decision <> 'approve' AND \(filter.replacingOccurrences(of: "submittedAt", with: "s.submittedAt"))
                    GROUP BY r.decision, r.reasonCode ORDER BY r.decision, r.reasonCode
                    """, arguments: bounds
            ).compactMap { row -> ReviewReasonCount? in
                guard let decision = ReviewDecision(rawValue: row["decision"]) else { return nil }
                return ReviewReasonCount(decision: decision, reasonCode: (row["reasonCode"] as String?).flatMap(ReasonCode.init(rawValue:)), count: row["n"])
            }
            return ReviewActivity(submissions: submissions, reviewReasons: reasons)
        }
    }

    public func contributionCounts() async throws -> [ContributionCount] {
        try await pool.read { db in
            var counts: [Int64: ContributionCount] = [:]
            func entry(_ id: Int64) -> ContributionCount {
                counts[id] ?? ContributionCount(organisationID: id, contributors: 0, materialsByStatus: [:], submissions: 0, questions: 0, questionsPublished: 0)
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT u.organisationId AS org, m.status, count(*) AS n FROM material m JOIN user u ON u.id = m.ownerId
                    WHERE u.organisationId IS NOT NULL GROUP BY u.organisationId, m.status
                    """)
            {
                var c = entry(row["org"])
                if let status = MaterialStatus(rawValue: row["status"]) { c.materialsByStatus[status, default: 0] += row["n"] as Int }
                counts[c.organisationID] = c
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT u.organisationId AS org, count(*) AS n FROM submission s JOIN material m ON m.id = s.materialId
                    JOIN user u ON u.id = m.ownerId WHERE u.organisationId IS NOT NULL GROUP BY u.organisationId
                    """)
            {
                var c = entry(row["org"])
                c.submissions = row["n"]
                counts[c.organisationID] = c
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT u.organisationId AS org, count(*) AS n, coalesce(sum(q.status = 'published'), 0) AS published
                    FROM question q JOIN user u ON u.id = q.ownerId WHERE u.organisationId IS NOT NULL GROUP BY u.organisationId
                    """)
            {
                var c = entry(row["org"])
                c.questions = row["n"]
                c.questionsPublished = row["published"]
                counts[c.organisationID] = c
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT u.organisationId AS org, count(*) AS n FROM user u
                    WHERE u.organisationId IS NOT NULL AND (EXISTS (SELECT 1 FROM material m WHERE m.ownerId = u.id)
                        OR EXISTS (SELECT 1 FROM question q WHERE q.ownerId = u.id))
                    GROUP BY u.organisationId
                    """)
            {
                var c = entry(row["org"])
                c.contributors = row["n"]
                counts[c.organisationID] = c
            }
            return counts.values.sorted { $0.organisationID < $1.organisationID }
        }
    }

    public func lmsActivityCounts() async throws -> LMSActivityCounts {
        try await pool.read { db in
            var activity = LMSActivityCounts(pushesByOwner: [:], lastPushByOwner: [:], materialsByOwner: [:], materialsBySourceSystem: [:])
            for row in try Row.fetchAll(
                db, sql: "SELECT ownerId, status, count(*) AS n, max(createdAt) AS last FROM job WHERE kind = 'push' GROUP BY ownerId, status")
            {
                let owner: Int64 = row["ownerId"]
                if let status = JobStatus(rawValue: row["status"]) { activity.pushesByOwner[owner, default: [:]][status, default: 0] += row["n"] as Int }
                if let last = HoclieuJSON.parseTimestamp(row["last"] as String? ?? ""), last > activity.lastPushByOwner[owner] ?? .distantPast {
                    activity.lastPushByOwner[owner] = last
                }
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT m.ownerId, m.status, count(*) AS n FROM material m
                    WHERE m.ownerId IN (SELECT userId FROM lmsClient) GROUP BY m.ownerId, m.status
                    """)
            {
                if let status = MaterialStatus(rawValue: row["status"]) {
                    activity.materialsByOwner[row["ownerId"], default: [:]][status, default: 0] += row["n"] as Int
                }
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT sourceSystem, count(*) AS n FROM material WHERE sourceSystem IS NOT NULL GROUP BY sourceSystem")
            {
                activity.materialsBySourceSystem[row["sourceSystem"]] = row["n"]
            }
            return activity
        }
    }
}
