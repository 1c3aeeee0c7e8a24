public import Foundation
import GRDB
public import HoclieuCore

extension SQLiteStore {
    static func registerQuestionBank(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5-question-bank") { db in
            try db.execute(
                sql: """
                    CREATE TABLE question (
                        id INTEGER PRIMARY KEY,
                        qid TEXT NOT NULL UNIQUE,
                        subject TEXT,
                        grade INTEGER,
                        type TEXT NOT NULL,
                        status TEXT NOT NULL,
                        level TEXT,
                        units TEXT NOT NULL,
                        points REAL NOT NULL,
                        version INTEGER NOT NULL CHECK (version >= 1),
                        contentId TEXT NOT NULL CHECK (length(contentId) = 64),
                        idNumber TEXT,
                        source TEXT,
                        ownerId INTEGER NOT NULL REFERENCES user(id),
                        createdAt TEXT NOT NULL,
                        updatedAt TEXT NOT NULL,
                        json TEXT NOT NULL
                    );
                    CREATE INDEX question_content ON question(contentId);
                    CREATE INDEX question_idnumber ON question(subject, idNumber) WHERE idNumber IS NOT NULL;
                    CREATE INDEX question_bank ON question(subject, status, type);
                    CREATE TABLE questionVersion (
                        questionId INTEGER NOT NULL REFERENCES question(id),
                        version INTEGER NOT NULL,
                        contentId TEXT NOT NULL,
                        createdAt TEXT NOT NULL,
                        json TEXT NOT NULL,
                        PRIMARY KEY (questionId, version)
                    ) WITHOUT ROWID;
                    CREATE TABLE questionUnit (
                        unit TEXT NOT NULL,
                        questionId INTEGER NOT NULL REFERENCES question(id),
                        PRIMARY KEY (unit, questionId)
                    ) WITHOUT ROWID;
                    CREATE TABLE questionBlob (
                        contentId TEXT NOT NULL CHECK (length(contentId) = 64),
                        questionId INTEGER NOT NULL REFERENCES question(id),
                        PRIMARY KEY (contentId, questionId)
                    ) WITHOUT ROWID;
                    INSERT INTO counter (name, value) VALUES ('question', 0);
                    """)
        }
    }

    /// The stored form of a question: JSON with sorted keys, and the content id of what the question
    /// says (its JSON with the bank's own fields — id, version, status — blanked).
    static func canonical(_ question: Question) throws -> (json: String, contentID: ContentID) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var content = question
        content.id = ""
        content.version = 1
        content.status = .draft
        let contentID = ContentID.of(bytes: try encoder.encode(content))
        return (String(decoding: try encoder.encode(question), as: UTF8.self), contentID)
    }

    static func decodeQuestion(_ json: String) throws -> Question {
        try JSONDecoder().decode(Question.self, from: Data(json.utf8))
    }

    private func mintQuestionID(_ db: Database) throws -> String {
        let serial = try Int.fetchOne(
            db.cachedStatement(sql: "UPDATE counter SET value = value + 1 WHERE name = 'question' RETURNING value"))!
        return PersistentIdentifier(prefix: pidPrefix + "-Q", serial: serial).rawValue
    }

    private static func writeRow(_ q: Question, rowID: Int64?, contentID: ContentID, json: String, ownerID: Int64, source: String?, db: Database) throws -> Int64 {
        let now = Self.now().dbText
        let values: [(any DatabaseValueConvertible)?] = [
            q.id, q.subject, q.grade, q.type.rawValue, q.status.rawValue, q.cognitiveLevel?.level, q.knowledgeUnits.joined(separator: "\n"),
            q.points, q.version, contentID.rawValue, q.idNumber, source, ownerID,
        ]
        if let rowID {
            try db.execute(
                sql: """
                    UPDATE question SET qid = ?, subject = ?, grade = ?, type = ?, status = ?, level = ?, units = ?, points = ?, version = ?,
                        contentId = ?, idNumber = ?, source = ?, ownerId = ?, updatedAt = ?, json = ? WHERE id = ?
                    """,
                arguments: StatementArguments(values + [now, json, rowID]))
            try db.execute(sql: "DELETE FROM questionUnit WHERE questionId = ?", arguments: [rowID])
        } else {
            try db.execute(
                sql: """
                    INSERT INTO question (qid, subject, grade, type, status, level, units, points, version, contentId, idNumber, source,
                        ownerId, createdAt, updatedAt, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: StatementArguments(values + [now, now, json]))
        }
        let id = rowID ?? db.lastInsertedRowID
        for unit in Set(q.knowledgeUnits) {
            try db.execute(sql: "INSERT INTO questionUnit (unit, questionId) VALUES (?, ?)", arguments: [unit, id])
        }
        for media in q.media {
            if let blob = media.contentID {
                try db.execute(sql: "INSERT OR IGNORE INTO questionBlob (contentId, questionId) VALUES (?, ?)", arguments: [blob.rawValue, id])
            }
        }
        try db.execute(
            sql: "INSERT INTO questionVersion (questionId, version, contentId, createdAt, json) VALUES (?, ?, ?, ?, ?)",
            arguments: [id, q.version, contentID.rawValue, now, json])
        return id
    }

    public func importQuestions(_ questions: [Question], ownerID: Int64, source: String?) async throws -> [QuestionImportOutcome] {
        try await pool.write { db in try self.importQuestions(questions, ownerID: ownerID, source: source, db: db) }
    }

    /// ``importQuestions(_:ownerID:source:)`` inside the caller's transaction.
    func importQuestions(_ questions: [Question], ownerID: Int64, source: String?, db: Database) throws -> [QuestionImportOutcome] {
        var outcomes: [QuestionImportOutcome] = []
        for question in questions {
            let (_, contentID) = try Self.canonical(question)
            // Matches are looked for among the importer's own questions only: the same text or idNumber in someone
            // else's bank is theirs, never taken over (nor revealed).
            if let row = try Row.fetchOne(
                db, sql: "SELECT qid, version FROM question WHERE contentId = ? AND subject IS ? AND ownerId = ? LIMIT 1",
                arguments: [contentID.rawValue, question.subject, ownerID])
            {
                outcomes.append(QuestionImportOutcome(id: row["qid"], version: row["version"], action: .unchanged))
                continue
            }
            var q = question
            var rowID: Int64?
            if let idNumber = question.idNumber, !idNumber.isEmpty,
                let row = try Row.fetchOne(
                    db, sql: "SELECT id, qid, version, status FROM question WHERE subject IS ? AND idNumber = ? AND ownerId = ? LIMIT 1",
                    arguments: [question.subject, idNumber, ownerID])
                    // An export writes the Hoclieu id as the idnumber of a question that has none, so a
                    // file coming back from Moodle names the question by its id (the importer's own, too).
                    ?? Row.fetchOne(
                        db, sql: "SELECT id, qid, version, status FROM question WHERE subject IS ? AND qid = ? AND ownerId = ? LIMIT 1",
                        arguments: [question.subject, idNumber, ownerID])
            {
                rowID = row["id"]
                q.id = row["qid"]
                q.version = (row["version"] as Int) + 1
            } else {
                q.id = try mintQuestionID(db)
                q.version = 1
            }
            q.status = .draft  // imported questions wait for review
            let (json, _) = try Self.canonical(q)
            _ = try Self.writeRow(q, rowID: rowID, contentID: contentID, json: json, ownerID: ownerID, source: source, db: db)
            outcomes.append(QuestionImportOutcome(id: q.id, version: q.version, action: rowID == nil ? .created : .updated))
        }
        return outcomes
    }

    public func question(id: String) async throws -> Question? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT json FROM question WHERE qid = ?", arguments: [id]).map(Self.decodeQuestion)
        }
    }

    public func questionOwner(id: String) async throws -> RecordOwner? {
        try await owner(sql: "SELECT u.id, u.school FROM question r JOIN user u ON u.id = r.ownerId WHERE r.qid = ?", id: id)
    }

    /// The owner (id and school) a query of `SELECT user.id, user.school … WHERE … = ?` finds.
    func owner(sql: String, id: String) async throws -> RecordOwner? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: sql, arguments: [id]).map { RecordOwner(ownerID: $0[0], school: $0[1]) }
        }
    }

    public func question(id: String, version: Int) async throws -> Question? {
        try await pool.read { db in
            try String.fetchOne(
                db, sql: "SELECT v.json FROM questionVersion v JOIN question q ON q.id = v.questionId WHERE q.qid = ? AND v.version = ?",
                arguments: [id, version]
            ).map(Self.decodeQuestion)
        }
    }

    public func questions(_ query: QuestionQuery) async throws -> QuestionPage {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let subject = query.subject { conditions.append("subject = ?"); arguments.append(subject) }
        if let grade = query.grade { conditions.append("grade = ?"); arguments.append(grade) }
        if let type = query.type { conditions.append("type = ?"); arguments.append(type.rawValue) }
        if let status = query.status { conditions.append("status = ?"); arguments.append(status.rawValue) }
        if let level = query.level { conditions.append("level = ?"); arguments.append(level) }
        if let unit = query.unit {
            // A unit includes everything below it: `TOAN.6.SD` matches `TOAN.6.SD.2.3`.
            conditions.append("id IN (SELECT questionId FROM questionUnit WHERE unit = ? OR (unit > ? AND unit < ?))")
            arguments += [unit, unit + ".", unit + "/"]
        }
        if let cursor = query.cursor { conditions.append("id < ?"); arguments.append(cursor) }
        if let viewer = query.ownedOrPublishedFor { conditions.append("(ownerId = ? OR status = 'published')"); arguments.append(viewer) }
        let limit = max(1, min(query.limit, 200))
        let sql = "SELECT id, json FROM question" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY id DESC LIMIT \(limit + 1)"
        let statementArguments = StatementArguments(arguments)
        return try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: sql, arguments: statementArguments)
            let items = try rows.prefix(limit).map { try Self.decodeQuestion($0["json"]) }
            return QuestionPage(items: items, next: rows.count > limit ? rows[limit - 1]["id"] : nil)
        }
    }

    public func setQuestionStatus(id: String, _ status: QuestionStatus) async throws -> Question {
        try await pool.write { db in try Self.writeQuestionStatus(id: id, status, db: db) }
    }

    /// A question's status, in its row and its JSON.
    @discardableResult
    static func writeQuestionStatus(id: String, _ status: QuestionStatus, db: Database) throws -> Question {
        guard let json = try String.fetchOne(db, sql: "SELECT json FROM question WHERE qid = ?", arguments: [id]) else {
            throw StoreError.notFound("câu hỏi / question \(id)")
        }
        var question = try decodeQuestion(json)
        guard question.status != status else { return question }
        question.status = status
        let (stored, _) = try canonical(question)
        try db.execute(
            sql: "UPDATE question SET status = ?, json = ?, updatedAt = ? WHERE qid = ?", arguments: [status.rawValue, stored, now().dbText, id])
        return question
    }

    public func editQuestion(_ edited: Question, expectedVersion: Int, audit: AuditDraft) async throws -> QuestionEditOutcome {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, version, contentId, ownerId, source, json FROM question WHERE qid = ?", arguments: [edited.id])
            else { throw StoreError.notFound("câu hỏi / question \(edited.id)") }
            let current: Int = row["version"]
            guard current == expectedVersion else { return .stale(currentVersion: current) }
            var q = edited
            q.version = current
            let (_, contentID) = try Self.canonical(q)
            let stored = try Self.decodeQuestion(row["json"])
            if contentID.rawValue == row["contentId"] as String, stored.status == q.status { return .unchanged(stored) }
            q.version = current + 1
            let (json, _) = try Self.canonical(q)
            _ = try Self.writeRow(q, rowID: row["id"], contentID: contentID, json: json, ownerID: row["ownerId"], source: row["source"], db: db)
            var event = audit
            event.details["version"] = String(q.version)
            _ = try Self.appendAudit(event, db: db)
            return .saved(q)
        }
    }

    public func questionSummaries(subject: String?, status: QuestionStatus?) async throws -> [BankQuestionSummary] {
        try await pool.read { db in
            var sql = "SELECT qid, version, type, units, level, status, points, json_extract(json, '$.cognitiveLevel.framework') AS framework FROM question"
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let subject { conditions.append("subject = ?"); arguments.append(subject) }
            if let status { conditions.append("status = ?"); arguments.append(status.rawValue) }
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
            var summaries: [BankQuestionSummary] = []
            while let row = try cursor.next() {
                guard let type = QuestionType(rawValue: row["type"]), let status = QuestionStatus(rawValue: row["status"]) else { continue }
                let units: String = row["units"]
                let level = (row["level"] as String?).flatMap { level in (row["framework"] as String?).map { CognitiveLevelReference(framework: $0, level: level) } }
                summaries.append(
                    BankQuestionSummary(
                        id: row["qid"], version: row["version"], type: type, unitCodes: units.isEmpty ? [] : units.components(separatedBy: "\n"),
                        level: level, status: status, points: row["points"]))
            }
            return summaries
        }
    }
}
