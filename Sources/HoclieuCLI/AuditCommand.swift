import ArgumentParser
import Foundation
import HoclieuApp
import HoclieuCore

/// `hoclieu audit verify`: walks the audit log's hash chain; an edited or deleted event fails it.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Nhật ký kiểm toán / The audit log.", subcommands: [Verify.self])

    struct Verify: ReportingCommand {
        static let configuration = CommandConfiguration(abstract: "Kiểm tra chuỗi băm của nhật ký / Verify the audit log's hash chain.")

        @OptionGroup var common: CommonOptions

        struct Report: Encodable, CustomStringConvertible {
            var ok: Bool
            var events: Int
            var problem: String?
            var seconds: Double

            var description: String {
                ok
                    ? "OK: \(events) sự kiện, chuỗi băm nguyên vẹn / \(events) events, hash chain intact (\(String(format: "%.2f", seconds)) s)"
                    : "LỖI / TAMPERED: \(problem ?? "") (\(events) events verified before it)"
            }
        }

        func failed(_ report: Report) -> Bool { !report.ok }

        func execute() async throws -> Report {
            if case .sqlite(let file) = try common.configuration().storeLocation(), !FileManager.default.fileExists(atPath: file.path) {
                throw ValidationError("no database in \(common.dataURL.path)")
            }
            let repository = try common.openRepository()
            let start = ContinuousClock.now
            let result = try await repository.verifyAudit()
            let elapsed = ContinuousClock.now - start
            return Report(
                ok: result.ok, events: result.checked, problem: result.problem,
                seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
    }
}
