import ArgumentParser
import Foundation
import HoclieuCore
import HoclieuStorage
import Testing

@testable import HoclieuApp
@testable import HoclieuCLI

/// The PostgreSQL server of `HOCLIEU_TEST_DATABASE_URL` (`.ci/pg-start.sh` starts a throwaway one), reached through
/// `psql` for what the tests do as an administrator (databases made and dropped, rows counted, a forced failure).
enum TestPostgreSQL {
    static let serverURL: String? = ProcessInfo.processInfo.environment["HOCLIEU_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    static let psqlPath: String? = ["/usr/bin/psql", "/usr/lib/postgresql/15/bin/psql"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let available = serverURL != nil && psqlPath != nil
    static let skipReason =
        "HOCLIEU_TEST_DATABASE_URL is not set or psql is missing: PostgreSQL migration/restore tests skipped (.ci/pg-start.sh starts a throwaway PostgreSQL 15)"

    /// Runs one SQL command with `psql` and returns its unaligned output.
    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(psqlPath))
        process.arguments = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("psql: \(String(decoding: message, as: UTF8.self))") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func count(_ url: String, _ table: String) throws -> Int { Int(try psql(url, "SELECT count(*) FROM \(table)")) ?? -1 }

    /// Makes an empty database (no tables), runs `body` with its URL, then drops it.
    static func withDatabase(_ body: (String) async throws -> Void) async throws {
        let server = try #require(serverURL)
        let name = "hoclieu_mig_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12)
        try psql(server, "CREATE DATABASE \(name)")
        var url = try #require(URLComponents(string: server))
        url.path = "/" + name
        let target = try #require(url.string)
        do {
            try await body(target)
        } catch {
            _ = try? psql(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            throw error
        }
        try psql(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }
}

extension Trait where Self == ConditionTrait {
    /// Enabled when a PostgreSQL server for tests is configured (and `psql` is installed); otherwise skipped with the reason.
    static var needsPostgreSQLServer: Self { .enabled(if: TestPostgreSQL.available, Comment(rawValue: TestPostgreSQL.skipReason)) }
}

/// A data folder with something in every kind of table the copy carries.
struct MigrationFixture {
    let box: Sandbox
    let repository: Services
    let pids: [PersistentIdentifier]

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func make() async throws -> MigrationFixture {
        let box = try Sandbox()
        let repository = try await box.bootstrap()
        try await repository.loadCriteria(from: repositoryRoot.appendingPathComponent("Catalog/criteria", isDirectory: true))
        _ = try await box.command(
            UserCommand.Add.self, ["user", "add", "gv.an", "--role", "teacher", "--school", "THCS Lê Lợi", "--password", "mat-khau-123"]
        ).execute()
        var files = [String]()
        for i in 0..<6 { files.append(try box.file("bai-\(i).txt", "Bài \(i): phân số, đường tròn và hình học lớp \(6 + i % 3)")) }
        let imported = try await box.command(Import.self, ["import"] + files + ["--status", "published", "--subject", "TOAN", "--grade", "6"]).execute()
        let pids = try imported.items.map { try PersistentIdentifier(parsing: try #require($0.pid)) }
        #expect(pids.count == 6)
        let admin = try #require(try await repository.store.credentials(username: "admin")).user
        // A second version of the first material, and a draft submitted to the board (audit events).
        let blob = try repository.blobs.store(Data("Bài 0, bản sửa".utf8))
        _ = try await repository.ingest(blob, fileName: "bai-0-v2.txt", declaredType: "text/plain", into: .version(of: pids[0], note: "sửa"), by: admin)
        let draft = try await box.command(Import.self, ["import", try box.file("nhap.txt", "Bản nháp về tam giác")]).execute()
        let draftPID = try PersistentIdentifier(parsing: try #require(draft.items.first?.pid))
        _ = try await repository.submit(draftPID, by: admin, SubmitRequest(note: "xin duyệt"))
        // Questions, an LMS client, an LTI platform, a harvest source, the catalogue.
        _ = try await box.command(
            Import.self, ["import", try box.file("cau-hoi.gift", "::Q1:: Hai cộng hai bằng mấy? {=4 ~3 ~5}\n\n::Q2:: Trái Đất hình cầu. {T}\n")]
        ).execute()
        _ = try await repository.createClient(name: "Moodle THCS", scopes: [.harvest], by: .localOperator)
        _ = try await repository.addRemoteRepository(url: "https://kho.example.edu.vn/oai", set: nil, prefix: "oai_dc", every: 3600, trusted: false, owner: "admin")
        _ = try await box.command(
            LTICommand.AddPlatform.self,
            [
                "lti", "add-platform", "--issuer", "https://moodle.example.edu.vn", "--client-id", "abc", "--deployment-id", "1",
                "--auth-url", "https://moodle.example.edu.vn/auth", "--token-url", "https://moodle.example.edu.vn/token",
                "--jwks-url", "https://moodle.example.edu.vn/jwks",
            ]
        ).execute()
        _ = try await repository.loadCatalog(from: repositoryRoot.appendingPathComponent("Catalog", isDirectory: true))
        return MigrationFixture(box: box, repository: repository, pids: pids + [draftPID])
    }
}

@Suite("migrate-store: SQLite to PostgreSQL")
struct MigrateStoreTests {
    @Test("every table a SQLite store has is copied or named as deliberately left out")
    func everySQLiteTableCovered() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let store = try SQLiteStore(path: Services.databaseURL(in: box.root).path, pidPrefix: "79-760")
        #expect(try await StoreCopy.uncoveredTables(in: store) == [])
        #expect(StoreCopy.copiedTables.count >= 35)
        // The rule itself: an unknown table is not covered.
        #expect(!StoreCopy.covers(sqliteTable: "newThing"))
    }

    @Test("migrate-store copies everything, verifies counts, audit chain and check; identifiers continue", .needsPostgreSQLServer)
    func migrateEverything() async throws {
        let fixture = try await MigrationFixture.make()
        defer { fixture.box.cleanup() }
        let source = try await fixture.repository.verifyAudit()
        #expect(source.ok && source.checked > 0)
        try await TestPostgreSQL.withDatabase { url in
            let command = try fixture.box.command(MigrateStore.self, ["migrate-store", "--to", url])
            let report = try await command.execute()
            #expect(!command.failed(report))
            #expect(report.check.ok, "\(report.check)")
            #expect(report.auditOK)
            #expect(report.auditEvents == source.checked)
            #expect(report.description.contains("blobs were not moved"))
            for table in report.tables { #expect(table.source == table.target, "\(table.table)") }
            // Every PostgreSQL table is one the copy fills.
            let tables = try TestPostgreSQL.psql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").split(separator: "\n")
            #expect(
                tables.map(String.init).filter { StoreCopy.uncopiedPostgresTables[$0] == nil && !StoreCopy.copiedPostgresTables.contains($0) } == [])
            // The search rows the trigger filled: one for each material copied.
            #expect(
                try TestPostgreSQL.psql(url, "SELECT count(*) FROM material_search") == TestPostgreSQL.psql(url, "SELECT count(*) FROM materials"))
            let filled = Set(report.tables.filter { $0.target > 0 }.map(\.table))
            for table in [
                "users", "materials", "material_versions", "questions", "question_versions", "audit_events", "submissions", "lms_clients",
                "lti_platforms", "remote_repositories", "catalog_items", "criteria_sets", "oai_records", "counters", "organisations",
            ] {
                #expect(filled.contains(table), "\(table) is empty in the fixture")
            }
            // Same hashes on both sides.
            let head = try TestPostgreSQL.psql(url, "SELECT hash FROM audit_head")
            #expect(head.count == 64)

            // The migrated store works as a service: search, the old identifiers, and a fresh one.
            var configuration = try fixture.box.repository().configuration
            configuration.databaseURL = url
            let migrated = try Services.open(configuration)
            // The same answers as the store it came from (terms computed on PostgreSQL as its own writes compute them).
            let found = try await fixture.box.repository().store.search(SearchRequest(text: "duong tron")).total
            #expect(found > 0)
            #expect(try await migrated.store.search(SearchRequest(text: "duong tron")).total == found)
            for pid in fixture.pids { #expect(try await migrated.store.material(pid) != nil) }
            let highest = fixture.pids.map(\.serial).max() ?? 0
            let fresh = try await migrated.store.createMaterial(
                MaterialDraft(kind: .document, format: "text/plain", metadata: MaterialMetadata(title: "Sau khi chuyển")), ownerID: 1, firstVersion: nil)
            #expect(fresh.pid.serial > highest)
            #expect(!fixture.pids.contains(fresh.pid))
            let user = try await migrated.store.createUser(NewUser(username: "gv.moi", displayName: "Mới", roles: [.teacher], passwordHash: "x"))
            #expect(user.id > 2)
            // The chain goes on from the copied head.
            _ = try await migrated.store.appendAudit(AuditDraft(actorID: 1, action: "test.after-migration", subject: "store", details: [:]))
            let continued = try await migrated.verifyAudit()
            #expect(continued.ok && continued.checked == source.checked + 1)

            // A second run finds the target full and refuses, in both languages, writing nothing.
            let materials = try TestPostgreSQL.count(url, "materials")
            let again = try fixture.box.command(MigrateStore.self, ["migrate-store", "--to", url])
            let error = await #expect(throws: StoreCopyError.self) { try await again.execute() }
            let line = CommandErrorText.line(for: try #require(error))
            #expect(line?.contains("không trống") == true && line?.contains("not empty") == true)
            #expect(try TestPostgreSQL.count(url, "materials") == materials)
        }
    }

    @Test("a migration that fails midway leaves the target empty", .needsPostgreSQLServer)
    func failedMigrationRollsBack() async throws {
        let fixture = try await MigrationFixture.make()
        defer { fixture.box.cleanup() }
        try await TestPostgreSQL.withDatabase { url in
            // The schema first (as a node would make it), then a forced error on a table copied late.
            var configuration = try fixture.box.repository().configuration
            configuration.databaseURL = url
            #expect(try await Services.open(configuration).store.pendingMigrations() == [])
            try TestPostgreSQL.psql(
                url,
                """
                CREATE FUNCTION refuse_copy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'forced failure'; END $$;
                CREATE TRIGGER refuse_copy BEFORE INSERT ON remote_repositories FOR EACH ROW EXECUTE FUNCTION refuse_copy();
                """)
            let command = try fixture.box.command(MigrateStore.self, ["migrate-store", "--to", url])
            await #expect(throws: (any Error).self) { try await command.execute() }
            for table in ["materials", "material_versions", "users", "audit_events", "questions", "catalog_items", "oai_records"] {
                #expect(try TestPostgreSQL.count(url, table) == 0, "\(table)")
            }
            // The seeds the copy deletes are back.
            #expect(try TestPostgreSQL.count(url, "organisations") == 1)
            #expect(try TestPostgreSQL.psql(url, "SELECT string_agg(value::text, ',') FROM counters").split(separator: ",").allSatisfy { $0 == "0" })
            // With the obstacle gone, the same migration succeeds into the same database.
            try TestPostgreSQL.psql(url, "DROP TRIGGER refuse_copy ON remote_repositories")
            let report = try await command.execute()
            #expect(report.check.ok && report.auditOK)
        }
    }

    @Test("migrate-store refuses a source that is not SQLite and a target that is not PostgreSQL")
    func refusesWrongStores() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        _ = try await box.bootstrap()
        await #expect(throws: (any Error).self) {
            try await box.command(MigrateStore.self, ["migrate-store", "--to", "sqlite:/tmp/x.sqlite"]).execute()
        }
        await #expect(throws: (any Error).self) {
            try await box.command(MigrateStore.self, ["migrate-store", "--from", "sqlite:/nonexistent/h.sqlite", "--to", "postgres://u@127.0.0.1:1/x"]).execute()
        }
    }
}
