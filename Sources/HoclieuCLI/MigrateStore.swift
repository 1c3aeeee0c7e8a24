import ArgumentParser
import Foundation
import HoclieuApp
import HoclieuCore
import HoclieuStorage
import Logging

/// `hoclieu migrate-store --from sqlite:PATH --to postgres://…`: moves a SQLite store into an empty PostgreSQL
/// database (service stopped), then verifies the copy.
///
/// The copy is ``StoreCopy/copy(from:to:batchRows:)``: one table list, every row of every table, one transaction
/// (a failure leaves the target empty). Then, on the target: the row counts of every table equal the source's, the
/// audit log's hash chain verifies (the events are copied with their hashes), and `hoclieu check` is green against the
/// data folder's blobs. Blobs are not moved: the PostgreSQL nodes use the same blob folder.
struct MigrateStore: ReportingCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store", abstract: "Chuyển kho SQLite sang PostgreSQL / Move a SQLite store into an empty PostgreSQL database.")

    @OptionGroup var common: CommonOptions
    @Option(help: "The SQLite store: sqlite:PATH (default: the data folder's hoclieu.sqlite).") var from: String?
    @Option(help: "The empty PostgreSQL database: postgres://USER[:PASSWORD]@HOST:PORT/DATABASE.") var to: String

    struct Report: Encodable, CustomStringConvertible {
        var from: String
        var to: String
        var tables: [StoreCopy.Report.TableCount]
        var rows: Int
        var seconds: Double
        var auditEvents: Int
        var auditOK: Bool
        var auditProblem: String?
        var check: Check.Report
        var blobs: String

        var description: String {
            var lines = [
                "Đã chuyển / migrated \(rows) rows in \(tables.count) tables from \(from) to \(to) (\(String(format: "%.1f", seconds)) s)"
            ]
            let width = tables.map(\.table.count).max() ?? 0
            for t in tables {
                lines.append("  \(t.table.padding(toLength: width, withPad: " ", startingAt: 0))  \(t.source) → \(t.target)")
            }
            lines.append(
                auditOK
                    ? "audit: \(auditEvents) sự kiện, chuỗi băm nguyên vẹn / \(auditEvents) events, hash chain intact"
                    : "audit: LỖI / BROKEN: \(auditProblem ?? "")")
            lines.append("check: " + check.description.replacingOccurrences(of: "\n", with: "\n  "))
            lines.append(
                "Tệp (blob) không di chuyển, vẫn ở / blobs were not moved; they stay in \(blobs): give every PostgreSQL node this folder (HOCLIEU_DATA)")
            return lines.joined(separator: "\n")
        }
    }

    func failed(_ report: Report) -> Bool { !report.auditOK || !report.check.ok }

    func execute() async throws -> Report {
        let configuration = try common.configuration()
        let source: URL
        switch try StoreLocation(databaseURL: from, dataDirectory: configuration.dataDirectory) {
        case .sqlite(let url): source = url
        case .postgreSQL: throw ValidationError("--from must be a SQLite store (sqlite:PATH)")
        }
        guard FileManager.default.fileExists(atPath: source.path) else { throw InputFileError.missing(source.path) }
        guard case .postgreSQL(let url) = try StoreLocation(databaseURL: to, dataDirectory: configuration.dataDirectory) else {
            throw ValidationError("--to must be a PostgreSQL database (postgres://USER@HOST:PORT/DATABASE)")
        }
        let sqlite = try SQLiteStore(path: source.path, pidPrefix: configuration.pidPrefix)
        let copy = try await Self.copy(sqlite, into: url, pidPrefix: configuration.pidPrefix)

        // Verify on the target as the service will open it: the audit chain and `hoclieu check`.
        var target = configuration
        target.databaseURL = url
        let services = try Services.open(target)
        let audit = try await services.verifyAudit()
        let check = try await Check.check(services.store, services.blobs)
        return Report(
            from: "sqlite:\(source.path)", to: StoreLocation.masked(url), tables: copy.tables, rows: copy.rows, seconds: copy.seconds,
            auditEvents: audit.checked, auditOK: audit.ok, auditProblem: audit.problem, check: check,
            blobs: Services.blobsURL(in: configuration.dataDirectory).path)
    }

    /// Opens the PostgreSQL store at `url` (running its migrations), copies `sqlite` into it, and closes it.
    static func copy(_ sqlite: SQLiteStore, into url: String, pidPrefix: String) async throws -> StoreCopy.Report {
        var logger = Logger(label: "hoclieu.migrate-store")
        logger.logLevel = .warning
        let postgres = try await PostgresStore.open(url: url, pidPrefix: pidPrefix, logger: logger)
        do {
            let report = try await StoreCopy.copy(from: sqlite, to: postgres)
            await postgres.shutdown()
            return report
        } catch {
            await postgres.shutdown()
            throw error
        }
    }
}
