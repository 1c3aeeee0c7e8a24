import Foundation
import GRDB
public import HoclieuCore

/// Which bank questions a question-set material holds, so that the board's decision on the set decides its
/// questions: a set in review puts them in review, an approved set publishes them, a set sent back, rejected
/// or withdrawn takes back those that no other published set holds.
extension SQLiteStore {
    static func registerQuestionSets(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v10-question-sets") { db in
            try db.execute(
                sql: """
                    CREATE TABLE questionSetMember (
                        materialId INTEGER NOT NULL,
                        questionId TEXT NOT NULL,
                        position INTEGER NOT NULL,
                        PRIMARY KEY (materialId, questionId)
                    ) WITHOUT ROWID;
                    CREATE INDEX questionSetMember_question ON questionSetMember(questionId);
                    """)
        }
    }

    /// Records the questions of a set (replacing what it held).
    static func setMembers(of materialID: Int, to questions: [QuestionImportOutcome], db: Database) throws {
        try db.execute(sql: "DELETE FROM questionSetMember WHERE materialId = ?", arguments: [materialID])
        for (position, question) in questions.enumerated() {
            try db.execute(
                sql: "INSERT OR IGNORE INTO questionSetMember (materialId, questionId, position) VALUES (?, ?, ?)",
                arguments: [materialID, question.id, position])
        }
    }

    /// The set's questions follow its status (``ReviewTransition/questionStatus(forSet:)``). Moving away from
    /// published leaves alone the questions another published set holds.
    static func syncSetQuestions(_ material: Material, db: Database) throws {
        guard material.kind == .questionSet, let status = ReviewTransition.questionStatus(forSet: material.status) else { return }
        var sql = "SELECT questionId FROM questionSetMember m WHERE m.materialId = ?"
        if status != .published {
            sql += """
                 AND NOT EXISTS (SELECT 1 FROM questionSetMember o JOIN material ON material.id = o.materialId
                    WHERE o.questionId = m.questionId AND o.materialId <> m.materialId AND material.status = 'published')
                """
        }
        for id in try String.fetchAll(db, sql: sql, arguments: [material.pid.serial]) {
            try writeQuestionStatus(id: id, status, db: db)
        }
    }

    /// The bank ids of a set's questions, in order.
    public func questionIDs(inSet pid: PersistentIdentifier) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT questionId FROM questionSetMember WHERE materialId = ? ORDER BY position", arguments: [pid.serial])
        }
    }
}
