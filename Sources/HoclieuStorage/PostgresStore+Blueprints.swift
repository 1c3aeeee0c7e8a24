public import Foundation
public import HoclieuCore
import Logging
import PostgresNIO

/// Test blueprints and assembled tests on PostgreSQL (``SQLiteStore``'s `+Blueprints`).
extension PostgresStore: BlueprintStore {
    static let blueprintMigration = Migration(
        name: "v7-blueprints-tests",
        statements: [
            """
            CREATE TABLE blueprints (
                id BIGSERIAL PRIMARY KEY,
                bid TEXT NOT NULL UNIQUE,
                subject TEXT,
                owner_id BIGINT NOT NULL REFERENCES users(id),
                created_at TIMESTAMPTZ NOT NULL,
                json TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE assembled_tests (
                id BIGSERIAL PRIMARY KEY,
                tid TEXT NOT NULL UNIQUE,
                blueprint_id BIGINT NOT NULL REFERENCES blueprints(id),
                school TEXT,
                owner_id BIGINT NOT NULL REFERENCES users(id),
                created_at TIMESTAMPTZ NOT NULL,
                json TEXT NOT NULL
            )
            """,
            "CREATE INDEX assembled_tests_school ON assembled_tests (school, id)",
            """
            CREATE TABLE test_questions (
                test_id BIGINT NOT NULL REFERENCES assembled_tests(id),
                question_id TEXT NOT NULL,
                PRIMARY KEY (test_id, question_id)
            )
            """,
            "INSERT INTO counters (name, value) VALUES ('blueprint', 0), ('test', 0)",
        ])

    private func mint(_ counter: String, _ letter: String, _ c: PostgresConnection) async throws -> String {
        PersistentIdentifier(prefix: pidPrefix + "-" + letter, serial: try await reserveSerials(counter, count: 1, c)).rawValue
    }

    public func createBlueprint(_ blueprint: Blueprint, ownerID: Int64) async throws -> String {
        let json = String(decoding: try blueprint.jsonData(), as: UTF8.self)
        return try await write { c in
            let id = try await mint("blueprint", "B", c)
            try await c.run(
                """
                INSERT INTO blueprints (bid, subject, owner_id, created_at, json) VALUES (\(id), \(blueprint.subject), \(ownerID), \(Self.now().pg), \(json))
                """, logger)
            return id
        }
    }

    public func blueprintOwner(id: String) async throws -> RecordOwner? {
        try await read { c in
            try await c.row("SELECT u.id, u.school FROM blueprints r JOIN users u ON u.id = r.owner_id WHERE r.bid = \(id)", logger).map {
                RecordOwner(ownerID: try $0.get("id"), school: try $0.get("school"))
            }
        }
    }

    public func testOwner(id: String) async throws -> RecordOwner? {
        try await read { c in
            try await c.row("SELECT u.id, u.school FROM assembled_tests r JOIN users u ON u.id = r.owner_id WHERE r.tid = \(id)", logger).map {
                RecordOwner(ownerID: try $0.get("id"), school: try $0.get("school"))
            }
        }
    }

    public func blueprint(id: String) async throws -> Blueprint? {
        try await read { c in
            try await c.value("SELECT json FROM blueprints WHERE bid = \(id)", as: String.self, logger).map { try Blueprint(jsonData: Data($0.utf8)) }
        }
    }

    public func saveTest(_ test: AssembledTest, blueprintID: String, school: String?, ownerID: Int64) async throws -> String {
        let json = String(decoding: try BlueprintJSON.encoder().encode(test), as: UTF8.self)
        return try await write { c in
            guard let blueprint = try await c.value("SELECT id FROM blueprints WHERE bid = \(blueprintID)", as: Int64.self, logger) else {
                throw StoreError.notFound("ma trận / blueprint \(blueprintID)")
            }
            let id = try await mint("test", "T", c)
            let row = try await c.value(
                """
                INSERT INTO assembled_tests (tid, blueprint_id, school, owner_id, created_at, json)
                VALUES (\(id), \(blueprint), \(school), \(ownerID), \(Self.now().pg), \(json)) RETURNING id
                """, as: Int64.self, logger)!
            for question in Set(test.items.map(\.question.id)) {
                try await c.run("INSERT INTO test_questions (test_id, question_id) VALUES (\(row), \(question))", logger)
            }
            return id
        }
    }

    public func test(id: String) async throws -> AssembledTest? {
        try await read { c in
            try await c.value("SELECT json FROM assembled_tests WHERE tid = \(id)", as: String.self, logger).map {
                try BlueprintJSON.decoder().decode(AssembledTest.self, from: Data($0.utf8))
            }
        }
    }

    public func recentlyUsedQuestions(school: String, lastTests count: Int) async throws -> Set<String> {
        try await read { c in
            Set(
                try await c.rows(
                    """
                    SELECT DISTINCT question_id FROM test_questions
                    WHERE test_id IN (SELECT id FROM assembled_tests WHERE school = \(school) ORDER BY id DESC LIMIT \(Int64(max(0, count))))
                    """, logger
                ).map { try $0.get("question_id", as: String.self) })
        }
    }
}
