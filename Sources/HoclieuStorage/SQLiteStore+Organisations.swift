import Foundation
import GRDB
public import HoclieuCore

extension SQLiteStore {
    static func registerOrganisations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v10-organisations") { db in
            try db.execute(
                sql: """
                    CREATE TABLE organisation (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        kind TEXT NOT NULL CHECK (kind IN ('department', 'school')),
                        name TEXT NOT NULL,
                        key TEXT NOT NULL UNIQUE,
                        code TEXT,
                        parentId INTEGER REFERENCES organisation(id),
                        createdAt TEXT NOT NULL
                    );
                    ALTER TABLE user ADD COLUMN organisationId INTEGER REFERENCES organisation(id);
                    ALTER TABLE user ADD COLUMN subjects TEXT NOT NULL DEFAULT '';
                    CREATE INDEX user_organisation ON user(organisationId);
                    """)
            let now = Self.now().dbText
            try db.execute(
                sql: "INSERT INTO organisation (kind, name, key, parentId, createdAt) VALUES ('department', ?, ?, NULL, ?)",
                arguments: [Self.departmentName, Self.departmentKey, now])
            let department = db.lastInsertedRowID
            // The schools accounts already name become records.
            for school in try String.fetchAll(db, sql: "SELECT DISTINCT school FROM user WHERE school IS NOT NULL AND trim(school) <> '' ORDER BY id") {
                _ = try Self.schoolID(named: school, department: department, now: now, db: db)
            }
            for row in try Row.fetchAll(db, sql: "SELECT id, school FROM user") {
                let school: String? = row["school"]
                let id = try school.flatMap { try Self.schoolID(named: $0, department: department, now: now, db: db) } ?? department
                try db.execute(sql: "UPDATE user SET organisationId = ? WHERE id = ?", arguments: [id, row["id"] as Int64])
            }
        }
    }

    /// The root's name until an administrator changes it.
    static let departmentName = "Sở Giáo dục và Đào tạo"
    /// The department's key: never a school's (those are folded names, without a leading `_`).
    static let departmentKey = "_department"

    /// The organisation an account with this school (or none) belongs to; a school is registered on first use.
    static func organisationID(forSchool school: String?, db: Database) throws -> Int64 {
        let department = try Int64.fetchOne(db, sql: "SELECT id FROM organisation WHERE kind = 'department' ORDER BY id LIMIT 1")!
        guard let school else { return department }
        return try schoolID(named: school, department: department, now: now().dbText, db: db) ?? department
    }

    static func schoolID(named school: String, department: Int64, now: String, db: Database) throws -> Int64? {
        let key = AccessPolicy.schoolKey(school)
        guard !key.isEmpty else { return nil }
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM organisation WHERE key = ?", arguments: [key]) { return id }
        try db.execute(
            sql: "INSERT INTO organisation (kind, name, key, parentId, createdAt) VALUES ('school', ?, ?, ?, ?)",
            arguments: [VietnameseText.trimmed(school), key, department, now])
        return db.lastInsertedRowID
    }

    static let organisationColumns = "organisation.*, (SELECT count(*) FROM user WHERE user.organisationId = organisation.id) AS userCount"

    static func organisation(_ row: Row) -> Organisation {
        Organisation(
            id: row["id"], kind: Organisation.Kind(rawValue: row["kind"]) ?? .school, name: row["name"], key: row["key"], code: row["code"],
            parentID: row["parentId"], createdAt: row.date("createdAt"), userCount: row["userCount"] ?? 0)
    }

    public func organisations() async throws -> [Organisation] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.organisationColumns) FROM organisation ORDER BY kind = 'school', name COLLATE NOCASE, id")
                .map(Self.organisation)
        }
    }

    public func organisation(id: Int64) async throws -> Organisation? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.organisationColumns) FROM organisation WHERE id = ?", arguments: [id]).map(Self.organisation)
        }
    }

    public func createSchool(name: String, code: String?, by actorID: Int64) async throws -> Organisation {
        let name = VietnameseText.trimmed(name)
        let key = AccessPolicy.schoolKey(name)
        guard !key.isEmpty else { throw StoreError.invalid("name") }
        return try await pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM organisation WHERE key = ?", arguments: [key]) == true {
                throw StoreError.conflict("trường / school \(name)")
            }
            let department = try Self.organisationID(forSchool: nil, db: db)
            try db.execute(
                sql: "INSERT INTO organisation (kind, name, key, code, parentId, createdAt) VALUES ('school', ?, ?, ?, ?, ?)",
                arguments: [name, key, code, department, Self.now().dbText])
            let id = db.lastInsertedRowID
            try Self.appendAudit(
                AuditDraft(actorID: actorID, action: "organisation.created", subject: "organisation:\(id)", details: ["name": name, "code": code ?? ""]), db: db)
            return Self.organisation(try Row.fetchOne(db, sql: "SELECT \(Self.organisationColumns) FROM organisation WHERE id = ?", arguments: [id])!)
        }
    }

    public func updateOrganisation(id: Int64, name: String?, code: String?, by actorID: Int64) async throws -> Organisation {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(Self.organisationColumns) FROM organisation WHERE id = ?", arguments: [id]) else {
                throw StoreError.notFound("tổ chức / organisation \(id)")
            }
            var current = Self.organisation(row)
            var details: [String: String] = [:]
            if let name = name.map(VietnameseText.trimmed), name != current.name {
                guard !name.isEmpty else { throw StoreError.invalid("name") }
                // A school's key is how accounts and materials name it: a change of key would be a different school.
                guard current.kind == .department || AccessPolicy.schoolKey(name) == current.key else {
                    throw StoreError.conflict("đổi tên trường thành tên khác khoá / a school's new name must fold to the same key (\(current.key))")
                }
                details["name"] = name
                current.name = name
            }
            if let code, code != current.code {
                details["code"] = code
                current.code = code.isEmpty ? nil : code
            }
            guard !details.isEmpty else { return current }
            try db.execute(sql: "UPDATE organisation SET name = ?, code = ? WHERE id = ?", arguments: [current.name, current.code, id])
            try Self.appendAudit(AuditDraft(actorID: actorID, action: "organisation.updated", subject: "organisation:\(id)", details: details), db: db)
            return current
        }
    }

    public func users(inOrganisation id: Int64) async throws -> [User] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM user WHERE organisationId = ? ORDER BY username", arguments: [id]).map(Self.user)
        }
    }
}
