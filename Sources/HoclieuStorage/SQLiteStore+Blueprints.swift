public import Foundation
import GRDB
public import HoclieuCore

extension SQLiteStore {
    static func registerBlueprints(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6-blueprints-tests") { db in
            try db.execute(
                sql: """
                    CREATE TABLE blueprint (
                        id INTEGER PRIMARY KEY,
                        bid TEXT NOT NULL UNIQUE,
                        subject TEXT,
                        ownerId INTEGER NOT NULL REFERENCES user(id),
                        createdAt TEXT NOT NULL,
                        json TEXT NOT NULL
                    );
                    CREATE TABLE assembledTest (
                        id INTEGER PRIMARY KEY,
                        tid TEXT NOT NULL UNIQUE,
                        blueprintId INTEGER NOT NULL REFERENCES blueprint(id),
                        school TEXT,
                        ownerId INTEGER NOT NULL REFERENCES user(id),
                        createdAt TEXT NOT NULL,
                        json TEXT NOT NULL
                    );
                    CREATE INDEX assembledTest_school ON assembledTest(school, id);
                    CREATE TABLE testQuestion (
                        testId INTEGER NOT NULL REFERENCES assembledTest(id),
                        questionId TEXT NOT NULL,
                        PRIMARY KEY (testId, questionId)
                    ) WITHOUT ROWID;
                    INSERT INTO counter (name, value) VALUES ('blueprint', 0), ('test', 0);
                    """)
        }
    }

    private func mint(_ counter: String, _ letter: String, db: Database) throws -> String {
        let serial = try Int.fetchOne(db, sql: "UPDATE counter SET value = value + 1 WHERE name = ? RETURNING value", arguments: [counter])!
        return PersistentIdentifier(prefix: pidPrefix + "-" + letter, serial: serial).rawValue
    }

    public func createBlueprint(_ blueprint: Blueprint, ownerID: Int64) async throws -> String {
        let json = String(decoding: try blueprint.jsonData(), as: UTF8.self)
        return try await pool.write { db in
            let id = try self.mint("blueprint", "B", db: db)
            try db.execute(
                sql: "INSERT INTO blueprint (bid, subject, ownerId, createdAt, json) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, blueprint.subject, ownerID, Self.now().dbText, json])
            return id
        }
    }

    public func blueprintOwner(id: String) async throws -> RecordOwner? {
        try await owner(sql: "SELECT u.id, u.school FROM blueprint r JOIN user u ON u.id = r.ownerId WHERE r.bid = ?", id: id)
    }

    public func testOwner(id: String) async throws -> RecordOwner? {
        try await owner(sql: "SELECT u.id, u.school FROM assembledTest r JOIN user u ON u.id = r.ownerId WHERE r.tid = ?", id: id)
    }

    public func blueprint(id: String) async throws -> Blueprint? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT json FROM blueprint WHERE bid = ?", arguments: [id]).map { try Blueprint(jsonData: Data($0.utf8)) }
        }
    }

    public func saveTest(_ test: AssembledTest, blueprintID: String, school: String?, ownerID: Int64) async throws -> String {
        let json = String(decoding: try BlueprintJSON.encoder().encode(test), as: UTF8.self)
        return try await pool.write { db in
            guard let blueprint = try Int64.fetchOne(db, sql: "SELECT id FROM blueprint WHERE bid = ?", arguments: [blueprintID]) else {
                throw StoreError.notFound("ma trận / blueprint \(blueprintID)")
            }
            let id = try self.mint("test", "T", db: db)
            try db.execute(
                sql: "INSERT INTO assembledTest (tid, blueprintId, school, ownerId, createdAt, json) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id, blueprint, school, ownerID, Self.now().dbText, json])
            let row = db.lastInsertedRowID
            for question in Set(test.items.map(\.question.id)) {
                try db.execute(sql: "INSERT INTO testQuestion (testId, questionId) VALUES (?, ?)", arguments: [row, question])
            }
            return id
        }
    }

    public func test(id: String) async throws -> AssembledTest? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT json FROM assembledTest WHERE tid = ?", arguments: [id]).map {
                try BlueprintJSON.decoder().decode(AssembledTest.self, from: Data($0.utf8))
            }
        }
    }

    public func recentlyUsedQuestions(school: String, lastTests count: Int) async throws -> Set<String> {
        try await pool.read { db in
            Set(
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT questionId FROM testQuestion
                        WHERE testId IN (SELECT id FROM assembledTest WHERE school = ? ORDER BY id DESC LIMIT ?)
                        """, arguments: [school, max(0, count)]))
        }
    }
}
