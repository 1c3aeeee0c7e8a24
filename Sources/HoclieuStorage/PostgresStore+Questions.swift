public import Foundation
public import HoclieuCore
import Logging
import PostgresNIO

/// The question bank on PostgreSQL (``SQLiteStore``'s `+Questions` and `+QuestionSets`, method by method).
extension PostgresStore: QuestionStore {
    static let questionMigration = Migration(
        name: "v6-question-bank",
        statements: [
            "CREATE INDEX questions_content ON questions (content_id)",
            "CREATE INDEX questions_id_number ON questions (subject, id_number) WHERE id_number IS NOT NULL",
            "CREATE INDEX questions_bank ON questions (subject, status, type)",
            """
            CREATE TABLE question_versions (
                question_id BIGINT NOT NULL REFERENCES questions(id),
                version INTEGER NOT NULL,
                content_id TEXT NOT NULL,
                created_at TIMESTAMPTZ NOT NULL,
                json TEXT NOT NULL,
                PRIMARY KEY (question_id, version)
            )
            """,
            """
            CREATE TABLE question_units (
                unit TEXT COLLATE "C" NOT NULL,
                question_id BIGINT NOT NULL REFERENCES questions(id),
                PRIMARY KEY (unit, question_id)
            )
            """,
        ])

    private func mintQuestionID(_ c: PostgresConnection) async throws -> (row: Int64, id: String) {
        let serial = try await reserveSerials("question", count: 1, c)
        return (Int64(serial), PersistentIdentifier(prefix: pidPrefix + "-Q", serial: serial).rawValue)
    }

    private static func writeRow(
        _ q: Question, rowID: Int64, isNew: Bool, contentID: ContentID, json: String, ownerID: Int64, source: String?, _ c: PostgresConnection,
        _ logger: Logger
    ) async throws {
        let now = Self.now()
        let units = q.knowledgeUnits.joined(separator: "\n")
        let grade = q.grade.map { Int32(clamping: $0) }
        if isNew {
            try await c.run(
                """
                INSERT INTO questions (id, qid, subject, grade, type, status, level, units, points, version, content_id, id_number, source,
                    owner_id, created_at, updated_at, json)
                VALUES (\(rowID), \(q.id), \(q.subject), \(grade), \(q.type.rawValue), \(q.status.rawValue), \(q.cognitiveLevel?.level), \(units),
                    \(q.points), \(Int32(clamping: q.version)), \(contentID.rawValue), \(q.idNumber), \(source), \(ownerID), \(now.pg), \(now.pg),
                    \(json))
                """, logger)
        } else {
            try await c.run(
                """
                UPDATE questions SET qid = \(q.id), subject = \(q.subject), grade = \(grade), type = \(q.type.rawValue),
                    status = \(q.status.rawValue), level = \(q.cognitiveLevel?.level), units = \(units), points = \(q.points),
                    version = \(Int32(clamping: q.version)), content_id = \(contentID.rawValue), id_number = \(q.idNumber), source = \(source),
                    owner_id = \(ownerID), updated_at = \(now.pg), json = \(json)
                WHERE id = \(rowID)
                """, logger)
            try await c.run("DELETE FROM question_units WHERE question_id = \(rowID)", logger)
        }
        for unit in Set(q.knowledgeUnits) {
            try await c.run("INSERT INTO question_units (unit, question_id) VALUES (\(unit), \(rowID))", logger)
        }
        for media in q.media {
            if let blob = media.contentID {
                try await c.run(
                    "INSERT INTO question_blobs (content_id, question_id) VALUES (\(blob.rawValue), \(rowID)) ON CONFLICT DO NOTHING", logger)
            }
        }
        try await c.run(
            """
            INSERT INTO question_versions (question_id, version, content_id, created_at, json)
            VALUES (\(rowID), \(Int32(clamping: q.version)), \(contentID.rawValue), \(now.pg), \(json))
            """, logger)
    }

    public func importQuestions(_ questions: [Question], ownerID: Int64, source: String?) async throws -> [QuestionImportOutcome] {
        try await write { c in try await importQuestions(questions, ownerID: ownerID, source: source, c) }
    }

    /// ``importQuestions(_:ownerID:source:)`` inside the caller's transaction.
    func importQuestions(_ questions: [Question], ownerID: Int64, source: String?, _ c: PostgresConnection) async throws -> [QuestionImportOutcome] {
        // One importer at a time per owner: two nodes importing the same file would both find no match and both create.
        try await c.run("SELECT pg_advisory_xact_lock(7917601, \(Int32(truncatingIfNeeded: ownerID)))", logger)
        var outcomes: [QuestionImportOutcome] = []
        for question in questions {
            let (_, contentID) = try SQLiteStore.canonical(question)
            // Matches are looked for among the importer's own questions only.
            if let row = try await c.row(
                """
                SELECT qid, version FROM questions WHERE content_id = \(contentID.rawValue) AND subject IS NOT DISTINCT FROM \(question.subject)::text
                AND owner_id = \(ownerID) ORDER BY id LIMIT 1
                """, logger)
            {
                outcomes.append(
                    QuestionImportOutcome(id: try row.get("qid"), version: Int(try row.get("version", as: Int32.self)), action: .unchanged))
                continue
            }
            var q = question
            var rowID: Int64
            var isNew = false
            var found: PostgresRandomAccessRow?
            if let idNumber = question.idNumber, !idNumber.isEmpty {
                found = try await c.row(
                    """
                    SELECT id, qid, version FROM questions WHERE subject IS NOT DISTINCT FROM \(question.subject)::text
                    AND id_number = \(idNumber) AND owner_id = \(ownerID) ORDER BY id LIMIT 1
                    """, logger)
                if found == nil {
                    // An export writes the Hoclieu id as the idnumber of a question that has none.
                    found = try await c.row(
                        """
                        SELECT id, qid, version FROM questions WHERE subject IS NOT DISTINCT FROM \(question.subject)::text
                        AND qid = \(idNumber) AND owner_id = \(ownerID) ORDER BY id LIMIT 1
                        """, logger)
                }
            }
            if let found {
                rowID = try found.get("id")
                q.id = try found.get("qid")
                q.version = Int(try found.get("version", as: Int32.self)) + 1
            } else {
                (rowID, q.id) = try await mintQuestionID(c)
                q.version = 1
                isNew = true
            }
            q.status = .draft  // imported questions wait for review
            let (json, _) = try SQLiteStore.canonical(q)
            try await Self.writeRow(q, rowID: rowID, isNew: isNew, contentID: contentID, json: json, ownerID: ownerID, source: source, c, logger)
            outcomes.append(QuestionImportOutcome(id: q.id, version: q.version, action: isNew ? .created : .updated))
        }
        return outcomes
    }

    public func question(id: String) async throws -> Question? {
        try await read { c in
            try await c.value("SELECT json FROM questions WHERE qid = \(id)", as: String.self, logger).map(SQLiteStore.decodeQuestion)
        }
    }

    public func questionOwner(id: String) async throws -> RecordOwner? {
        try await read { c in
            try await c.row("SELECT u.id, u.school FROM questions r JOIN users u ON u.id = r.owner_id WHERE r.qid = \(id)", logger).map {
                RecordOwner(ownerID: try $0.get("id"), school: try $0.get("school"))
            }
        }
    }

    public func questionIDs(inSet pid: PersistentIdentifier) async throws -> [String] {
        try await read { c in
            try await c.rows(
                "SELECT question_id FROM question_set_members WHERE material_id = \(Int64(pid.serial)) ORDER BY position", logger
            ).map { try $0.get("question_id") }
        }
    }

    /// Records the questions of a set (replacing what it held), inside the caller's transaction.
    static func setMembers(of materialID: Int, to questions: [QuestionImportOutcome], _ c: PostgresConnection, _ logger: Logger) async throws {
        try await c.run("DELETE FROM question_set_members WHERE material_id = \(Int64(materialID))", logger)
        for (position, question) in questions.enumerated() {
            try await c.run(
                """
                INSERT INTO question_set_members (material_id, question_id, position) VALUES (\(Int64(materialID)), \(question.id), \(Int32(position)))
                ON CONFLICT DO NOTHING
                """, logger)
        }
    }

    public func question(id: String, version: Int) async throws -> Question? {
        try await read { c in
            try await c.value(
                """
                SELECT v.json FROM question_versions v JOIN questions q ON q.id = v.question_id
                WHERE q.qid = \(id) AND v.version = \(Int32(clamping: version))
                """, as: String.self, logger
            ).map(SQLiteStore.decodeQuestion)
        }
    }

    public func editQuestion(_ edited: Question, expectedVersion: Int, audit: AuditDraft) async throws -> QuestionEditOutcome {
        try await write { c in
            guard let row = try await c.row(
                "SELECT id, version, content_id, owner_id, source, json FROM questions WHERE qid = \(edited.id) FOR UPDATE", logger)
            else { throw StoreError.notFound("câu hỏi / question \(edited.id)") }
            let current = Int(try row.get("version", as: Int32.self))
            guard current == expectedVersion else { return .stale(currentVersion: current) }
            var q = edited
            q.version = current
            let (_, contentID) = try SQLiteStore.canonical(q)
            let stored = try SQLiteStore.decodeQuestion(try row.get("json"))
            if contentID.rawValue == (try row.get("content_id", as: String.self)), stored.status == q.status { return .unchanged(stored) }
            q.version = current + 1
            let (json, _) = try SQLiteStore.canonical(q)
            try await Self.writeRow(
                q, rowID: try row.get("id"), isNew: false, contentID: contentID, json: json, ownerID: try row.get("owner_id"),
                source: try row.get("source", as: String?.self), c, logger)
            var event = audit
            event.details["version"] = String(q.version)
            try await Self.appendAudit(event, c, logger)
            return .saved(q)
        }
    }

    public func questions(_ query: QuestionQuery) async throws -> QuestionPage {
        let limit = max(1, min(query.limit, 200))
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 256, interpolationCount: 10)
        sql.appendLiteral("SELECT id, json FROM questions WHERE TRUE")
        if let subject = query.subject {
            sql.appendLiteral(" AND subject = ")
            sql.appendInterpolation(subject)
        }
        if let grade = query.grade {
            sql.appendLiteral(" AND grade = ")
            sql.appendInterpolation(Int64(grade))
        }
        if let type = query.type {
            sql.appendLiteral(" AND type = ")
            sql.appendInterpolation(type.rawValue)
        }
        if let status = query.status {
            sql.appendLiteral(" AND status = ")
            sql.appendInterpolation(status.rawValue)
        }
        if let level = query.level {
            sql.appendLiteral(" AND level = ")
            sql.appendInterpolation(level)
        }
        if let unit = query.unit {
            // A unit includes everything below it: `TOAN.6.SD` matches `TOAN.6.SD.2.3` (byte order, as SQLite's).
            sql.appendLiteral(" AND id IN (SELECT question_id FROM question_units WHERE unit = ")
            sql.appendInterpolation(unit)
            sql.appendLiteral(" OR (unit > ")
            sql.appendInterpolation(unit + ".")
            sql.appendLiteral(" AND unit < ")
            sql.appendInterpolation(unit + "/")
            sql.appendLiteral("))")
        }
        if let cursor = query.cursor {
            sql.appendLiteral(" AND id < ")
            sql.appendInterpolation(cursor)
        }
        if let viewer = query.ownedOrPublishedFor {
            sql.appendLiteral(" AND (owner_id = ")
            sql.appendInterpolation(viewer)
            sql.appendLiteral(" OR status = 'published')")
        }
        sql.appendLiteral(" ORDER BY id DESC LIMIT ")
        sql.appendInterpolation(Int64(limit + 1))
        let statement = PostgresQuery(stringInterpolation: sql)
        return try await read { c in
            let rows = try await c.rows(statement, logger)
            let items = try rows.prefix(limit).map { try SQLiteStore.decodeQuestion(try $0.get("json")) }
            return QuestionPage(items: items, next: rows.count > limit ? try rows[limit - 1].get("id", as: Int64.self) : nil)
        }
    }

    public func setQuestionStatus(id: String, _ status: QuestionStatus) async throws -> Question {
        try await write { c in try await Self.writeQuestionStatus(id: id, status, c, logger) }
    }

    /// A question's status, in its row and its JSON (``SQLiteStore/writeQuestionStatus(id:_:db:)``).
    @discardableResult
    static func writeQuestionStatus(id: String, _ status: QuestionStatus, _ c: PostgresConnection, _ logger: Logger) async throws -> Question {
        guard let json = try await c.value("SELECT json FROM questions WHERE qid = \(id) FOR UPDATE", as: String.self, logger) else {
            throw StoreError.notFound("câu hỏi / question \(id)")
        }
        var question = try SQLiteStore.decodeQuestion(json)
        guard question.status != status else { return question }
        question.status = status
        let (stored, _) = try SQLiteStore.canonical(question)
        try await c.run("UPDATE questions SET status = \(status.rawValue), json = \(stored), updated_at = \(now().pg) WHERE qid = \(id)", logger)
        return question
    }

    public func questionSummaries(subject: String?, status: QuestionStatus?) async throws -> [BankQuestionSummary] {
        try await read { c in
            let rows = try await c.rows(
                """
                SELECT qid, version, type, units, level, status, points, (json::jsonb) #>> '{cognitiveLevel,framework}' AS framework
                FROM questions
                WHERE (\(subject)::text IS NULL OR subject = \(subject)::text) AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue)::text)
                ORDER BY id
                """, logger)
            var summaries: [BankQuestionSummary] = []
            for row in rows {
                guard let type = QuestionType(rawValue: try row.get("type")), let status = QuestionStatus(rawValue: try row.get("status")) else {
                    continue
                }
                let units = try row.get("units", as: String.self)
                let framework = try row.get("framework", as: String?.self)
                let level = try row.get("level", as: String?.self).flatMap { level in framework.map { CognitiveLevelReference(framework: $0, level: level) } }
                summaries.append(
                    BankQuestionSummary(
                        id: try row.get("qid"), version: Int(try row.get("version", as: Int32.self)), type: type,
                        unitCodes: units.isEmpty ? [] : units.components(separatedBy: "\n"), level: level, status: status,
                        points: try row.get("points")))
            }
            return summaries
        }
    }
}
