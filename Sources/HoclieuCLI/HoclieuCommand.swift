public import ArgumentParser
import Foundation
import HoclieuCore
import HoclieuApp
import Logging

/// The `hoclieu` command line.
public struct HoclieuCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "hoclieu",
        abstract: "Hoclieu — kho học liệu số / open learning-resource repository.",
        subcommands: [
            Serve.self, Import.self, Export.self, UserCommand.self, CatalogCommand.self, LTICommand.self, Check.self, AuditCommand.self, Backup.self, Restore.self, MigrateStore.self, Bench.self, ConfigCommand.self,
            OAICommand.self, HarvestCommand.self,
        ])

    public init() {}
}

/// Options every command takes.
///
/// Settings come from flags, the environment (`HOCLIEU_…`), a configuration file (`--config FILE` /
/// `HOCLIEU_CONFIG`) and defaults, in that order of precedence (see ``Settings``).
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Data folder (default: $HOCLIEU_DATA or ./hoclieu-data).")
    var data: String?

    @Option(name: .long, help: "Metadata store: postgres://USER:PASSWORD@HOST:PORT/DB or sqlite:PATH (default: $HOCLIEU_DATABASE_URL, else SQLite in the data folder).")
    var databaseURL: String?

    @Option(name: .long, help: "Configuration file of NAME=value lines (HOCLIEU_… names; default: $HOCLIEU_CONFIG).")
    var config: String?

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    /// The settings from the file, the environment and this command's common flags.
    func settings() throws -> Settings {
        let env = ProcessInfo.processInfo.environment
        var settings = try Settings(file: config ?? env["HOCLIEU_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }, environment: env)
        settings.flag("HOCLIEU_DATA", data)
        settings.flag("HOCLIEU_DATABASE_URL", databaseURL)
        return settings
    }

    var dataURL: URL {
        let path = (try? settings())?["HOCLIEU_DATA"] ?? data ?? "./hoclieu-data"
        return URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    /// The service configuration for this data folder, from flags, environment and file.
    func configuration() throws -> ServerConfiguration {
        try Self.configuration(from: settings())
    }

    /// The service configuration the settings describe.
    static func configuration(from settings: Settings) -> ServerConfiguration {
        let env = settings.dictionary
        let dataPath = env["HOCLIEU_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? "./hoclieu-data"
        var configuration = ServerConfiguration(dataDirectory: URL(fileURLWithPath: dataPath, isDirectory: true).standardizedFileURL)
        if let url = env["HOCLIEU_DATABASE_URL"], !url.isEmpty { configuration.databaseURL = url }
        if let prefix = env["HOCLIEU_PID_PREFIX"] { configuration.pidPrefix = prefix }
        if let limit = env["HOCLIEU_MAX_UPLOAD_BYTES"].flatMap(Int64.init) { configuration.maxUploadBytes = limit }
        if let cost = env["HOCLIEU_BCRYPT_COST"].flatMap(UInt8.init) { configuration.bcryptCost = cost }
        if let jobs = env["HOCLIEU_JOBS"].flatMap(Bool.init) { configuration.runsJobs = jobs }
        if let stale = env["HOCLIEU_JOB_STALE_SECONDS"].flatMap(Double.init), stale >= 2 { configuration.jobStaleAfter = stale }
        if let n = env["HOCLIEU_REVIEWERS"].flatMap(Int.init), (1...9).contains(n) { configuration.reviewRules.reviewersPerSubmission = n }
        if let rule = env["HOCLIEU_REVIEW_AGREEMENT"].flatMap(AgreementRule.init(rawValue:)) { configuration.reviewRules.agreement = rule }
        if let own = env["HOCLIEU_REVIEW_EXCLUDE_OWN_SCHOOL"].flatMap(Bool.init) { configuration.reviewRules.excludeOwnSchool = own }
        if let days = env["HOCLIEU_REVIEW_REMIND_DAYS"].flatMap(Int.init), days > 0 { configuration.reviewRules.remindAfterDays = days }
        if let days = env["HOCLIEU_REVIEW_ESCALATE_DAYS"].flatMap(Int.init), days > 0 { configuration.reviewRules.escalateAfterDays = days }
        if let days = env["HOCLIEU_REREVIEW_DAYS"].flatMap(Int.init), days > 0 { configuration.reviewRules.reReviewAfterDays = days }
        if let auto = env["HOCLIEU_REVIEW_AUTO_ASSIGN"].flatMap(Bool.init) { configuration.autoAssignReviewers = auto }
        if let url = env["HOCLIEU_PUBLIC_URL"], !url.isEmpty { configuration.publicBaseURL = url.hasSuffix("/") ? String(url.dropLast()) : url }
        if let url = env["HOCLIEU_CONTENT_URL"], !url.isEmpty { configuration.contentBaseURL = url.hasSuffix("/") ? String(url.dropLast()) : url }
        if let size = env["HOCLIEU_OAI_PAGE_SIZE"].flatMap(Int.init) { configuration.oaiPageSize = size }
        if let id = env["HOCLIEU_OAI_REPOSITORY_ID"], !id.isEmpty { configuration.oaiRepositoryIdentifier = id }
        if let email = env["HOCLIEU_OAI_ADMIN_EMAIL"], !email.isEmpty { configuration.oaiAdminEmail = email }
        configuration.oidc = OIDCSettings.from(environment: env)
        if let proxies = env["HOCLIEU_TRUSTED_PROXIES"] {
            configuration.trustedProxies = Set(proxies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        return configuration
    }

    func openRepository() throws -> Services {
        try Services.open(try configuration())
    }
}

/// A command whose result is a report, printed readably or as JSON.
protocol ReportingCommand: AsyncParsableCommand {
    associatedtype Report: Encodable & CustomStringConvertible
    var common: CommonOptions { get }
    /// Does the work and returns the report (tests call this directly).
    func execute() async throws -> Report
    /// Whether the report means failure (non-zero exit).
    func failed(_ report: Report) -> Bool
}

extension ReportingCommand {
    func failed(_ report: Report) -> Bool { false }

    func run() async throws {
        let report = try await execute()
        if common.json {
            let encoder = HoclieuJSON.encoder()
            encoder.outputFormatting.insert(.prettyPrinted)
            FileHandle.standardOutput.write(try encoder.encode(report) + Data("\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data((report.description + "\n").utf8))
        }
        if failed(report) { throw ExitCode(1) }
    }
}

/// Bytes as a person reads them.
func humanBytes(_ n: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(n)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
}

extension HoclieuCommand {
    /// Parses the process arguments and runs the chosen command, exiting with its status.
    ///
    /// (Calling `main()` from top-level code picks ArgumentParser's synchronous overload, which
    /// refuses asynchronous subcommands; this does the async dispatch explicitly.)
    public static func runMain() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // A file, storage or package error: one line for a person, never Foundation's error dump.
            if let line = CommandErrorText.line(for: error) {
                FileHandle.standardError.write(Data("hoclieu: \(line)\n".utf8))
                Foundation.exit(1)
            }
            exit(withError: error)
        }
    }
}
