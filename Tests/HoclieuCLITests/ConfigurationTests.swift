import ArgumentParser
import Foundation
import HoclieuApp
import HoclieuStorage
import Testing

@testable import HoclieuCLI

@Suite("Configuration: file, environment and flags; the store location")
struct ConfigurationTests {
    func show(_ arguments: [String]) throws -> [String: ConfigCommand.Show.Row] {
        let parsed = try HoclieuCommand.parseAsRoot(["config", "show"] + arguments)
        let command = try #require(parsed as? ConfigCommand.Show)
        return Dictionary(uniqueKeysWithValues: try command.rows().map { ($0.name, $0) })
    }

    @Test("config show: flags > environment > file > defaults, each value with its source, secrets masked")
    func precedence() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        setenv("HOCLIEU_PID_PREFIX", "79-760", 1)  // the value every CLI test uses
        let file = try box.file(
            "hoclieu.conf",
            """
            # a systemd EnvironmentFile is a configuration file too
            HOCLIEU_PORT=7000
            HOCLIEU_PID_PREFIX=01-001
            HOCLIEU_OAI_PAGE_SIZE = 50
            HOCLIEU_ADMIN_PASSWORD="mat-khau-quan-tri"
            HOCLIEU_OIDC_ISSUER=https://accounts.google.com
            HOCLIEU_OIDC_CLIENT_ID=hoclieu-client
            HOCLIEU_OIDC_CLIENT_SECRET=bi-mat-oidc
            """)
        let rows = try show([
            "--config", file, "--port", "9000", "--data", box.data.path, "--database-url", "postgres://hoclieu:mat-khau-db@10.0.0.5:5432/hoclieu",
        ])
        #expect(rows["HOCLIEU_PORT"]?.value == "9000" && rows["HOCLIEU_PORT"]?.source == .flag)
        #expect(rows["HOCLIEU_CONTENT_PORT"]?.value == "9001" && rows["HOCLIEU_CONTENT_PORT"]?.source == .default)
        #expect(rows["HOCLIEU_PID_PREFIX"]?.value == "79-760" && rows["HOCLIEU_PID_PREFIX"]?.source == .environment)
        #expect(rows["HOCLIEU_OAI_PAGE_SIZE"]?.value == "50" && rows["HOCLIEU_OAI_PAGE_SIZE"]?.source == .file)
        #expect(rows["HOCLIEU_HOST"]?.value == "127.0.0.1" && rows["HOCLIEU_HOST"]?.source == .default)
        #expect(rows["HOCLIEU_ADMIN_PASSWORD"]?.value == "***")
        #expect(rows["HOCLIEU_OIDC_CLIENT_SECRET"]?.value == "***")
        #expect(rows["HOCLIEU_OIDC_CLIENT_ID"]?.value == "hoclieu-client" && rows["HOCLIEU_OIDC_CLIENT_ID"]?.source == .file)
        #expect(rows["HOCLIEU_DATABASE_URL"]?.value == "postgres://hoclieu:***@10.0.0.5:5432/hoclieu")
        #expect(rows["HOCLIEU_DATA"]?.value == box.data.path && rows["HOCLIEU_DATA"]?.source == .flag)
        #expect(!rows.values.contains { $0.value.contains("mat-khau") || $0.value.contains("bi-mat") }, "no secret is printed")
    }

    @Test("A misspelt setting in the file, a bad log format or an unknown database scheme is refused with its name")
    func refusals() throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let file = try box.file("bad.conf", "HOCLIEU_PROT=7000\n")
        #expect(throws: (any Error).self) { try show(["--config", file]) }
        do {
            _ = try show(["--config", file])
        } catch {
            #expect("\(error)".contains("bad.conf:1: unknown setting 'HOCLIEU_PROT'"))
        }
        do {
            _ = try show(["--log-format", "xml", "--database-url", "mysql://u:p@h/db"])
            Issue.record("accepted")
        } catch let error as ConfigurationError {
            #expect(error.problems.contains { $0.contains("HOCLIEU_LOG_FORMAT 'xml'") })
            #expect(error.problems.contains { $0.contains("HOCLIEU_DATABASE_URL 'mysql://u:***@h/db'") })
        }
    }

    @Test("--database-url sqlite:PATH keeps the database there; blobs stay in the data folder")
    func sqliteElsewhere() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let database = box.root.appendingPathComponent("db/elsewhere.sqlite")
        _ = try await box.command(
            UserCommand.Add.self, ["user", "add", "gv.lan", "--role", "teacher", "--password", "mat-khau-123", "--database-url", "sqlite:\(database.path)"]
        ).execute()
        #expect(FileManager.default.fileExists(atPath: database.path))
        #expect(!FileManager.default.fileExists(atPath: Services.databaseURL(in: box.data).path))
        let store = try Services.openStore(.sqlite(database), pidPrefix: "79-760")
        #expect(try await store.credentials(username: "gv.lan") != nil)
    }
}
