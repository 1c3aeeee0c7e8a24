import ArgumentParser
import Foundation
import HoclieuApp
import HoclieuServer
import HoclieuStorage
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// `hoclieu serve`: runs the service on the data folder.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Chạy dịch vụ / Run the service.")

    @OptionGroup var options: ServeOptions
    var common: CommonOptions { options.common }
    var catalog: String? { options.catalog }
    var publicDir: String? { options.publicDir }

    func run() async throws {
        let settings = try options.settings()
        var (configuration, format, level) = try ServeOptions.configuration(settings)
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "hoclieu")
        logger.logLevel = level
        let folder = URL(fileURLWithPath: publicDir ?? "Public", isDirectory: true)
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("index.html").path) {
            configuration.publicDirectory = folder
        }
        // The effective configuration, secrets masked: one line an operator can compare across nodes.
        logger.info(
            "configuration",
            metadata: Dictionary(
                uniqueKeysWithValues: configuration.effectiveSettings(logFormat: format.rawValue, logLevel: level.rawValue, settings: settings).map {
                    ("hoclieu.config.\($0.name.dropFirst("HOCLIEU_".count).lowercased())", Logger.MetadataValue.string($0.value))
                }))
        // The PostgreSQL pool runs under the service group below (first in, last out: graceful shutdown closes it after the
        // server and the background jobs have finished).
        let repository = try Services.open(configuration, runsStoreClient: false)
        let startup = ServeStartup(
            repository: repository, application: buildApplication(repository, logger: logger), logger: logger,
            adminPassword: settings["HOCLIEU_ADMIN_PASSWORD"], catalog: catalog, storeTimeout: .seconds(10))
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let pool = repository.storeService { services.append(.init(service: pool)) }
        services.append(.init(service: startup, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup))
        try await ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
    }
}

/// What `serve` does once the store's pool runs: waits (with a limit) for the database and its migrations, creates the
/// first administrator, loads the catalogue, then runs the application (its server, jobs and content origin).
struct ServeStartup<App: ApplicationProtocol>: Service {
    let repository: Services
    let application: App
    let logger: Logger
    let adminPassword: String?
    let catalog: String?
    let storeTimeout: Duration

    func run() async throws {
        let configuration = repository.configuration
        try await repository.waitForStore(within: storeTimeout)
        if let generated = try await repository.bootstrapAdmin(password: adminPassword) {
            // Shown once, on the operator's terminal; never logged.
            FileHandle.standardOutput.write(
                Data("Tài khoản quản trị / admin account: admin  mật khẩu / password: \(generated)\n".utf8))
        }
        let catalogFolder = URL(fileURLWithPath: catalog ?? "Catalog", isDirectory: true)
        if FileManager.default.fileExists(atPath: catalogFolder.appendingPathComponent("subjects.csv").path) {
            let report = try await repository.loadCatalog(from: catalogFolder)
            logger.info(
                "catalogue loaded",
                metadata: [
                    "hoclieu.catalog.added": "\(report.added)", "hoclieu.catalog.revised": "\(report.revised)",
                    "hoclieu.catalog.deprecated": "\(report.deprecated)", "hoclieu.catalog.unchanged": "\(report.unchanged)",
                ])
        } else if catalog != nil {
            throw ValidationError("no subjects.csv in \(catalogFolder.path)")
        }
        logger.info(
            "starting",
            metadata: [
                "hoclieu.data": "\(configuration.dataDirectory.path)", "hoclieu.address": "\(configuration.host):\(configuration.port)",
                "hoclieu.content": "\(configuration.contentPort.map { "\(configuration.host):\($0)" } ?? "-") \(configuration.contentBaseURL)",
                "hoclieu.store": "\((try? configuration.storeLocation().description) ?? "?")",
            ])
        try await application.run()
    }
}

/// The options of `serve` (and `config show`, which prints what `serve` would use).
struct ServeOptions: ParsableArguments {
    @OptionGroup var common: CommonOptions
    @Option(help: "Address to bind (default: $HOCLIEU_HOST, else 127.0.0.1).") var host: String?
    @Option(help: "Port (0: any free port; default: $HOCLIEU_PORT, else 8080).") var port: Int?
    @Option(help: "Port of the content origin that plays packages (default: $HOCLIEU_CONTENT_PORT, else port + 1; -1: do not listen).") var contentPort: Int?
    @Option(help: "Address of the content origin (default: $HOCLIEU_CONTENT_URL, else http://HOST:CONTENT-PORT).") var contentURL: String?
    @Option(help: "Web UI folder (default: ./Public when it exists).") var publicDir: String?
    @Option(help: "Catalogue folder loaded at start (default: ./Catalog when it exists).") var catalog: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error (default: $HOCLIEU_LOG_LEVEL, else info).") var logLevel: String?
    @Option(help: "Log format: text, or json (one object per line; default: $HOCLIEU_LOG_FORMAT, else text).") var logFormat: String?

    /// The settings with this command's flags on top.
    func settings() throws -> Settings {
        var settings = try common.settings()
        settings.flag("HOCLIEU_HOST", host)
        settings.flag("HOCLIEU_PORT", port.map(String.init))
        settings.flag("HOCLIEU_CONTENT_PORT", contentPort.map(String.init))
        settings.flag("HOCLIEU_CONTENT_URL", contentURL)
        settings.flag("HOCLIEU_LOG_LEVEL", logLevel)
        settings.flag("HOCLIEU_LOG_FORMAT", logFormat)
        return settings
    }

    /// The service configuration from flags, environment, file and defaults, and the log settings.
    static func configuration(_ settings: Settings) throws -> (ServerConfiguration, logFormat: LogFormat, logLevel: Logger.Level) {
        var problems: [String] = []
        var configuration = CommonOptions.configuration(from: settings)
        let host = settings["HOCLIEU_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        var port = 8080
        if let text = settings["HOCLIEU_PORT"] {
            if let value = Int(text) { port = value } else { problems.append("HOCLIEU_PORT '\(text)' is not a number") }
        }
        configuration.host = host
        configuration.port = port
        if settings["HOCLIEU_PUBLIC_URL"].map(\.isEmpty) ?? true { configuration.publicBaseURL = "http://\(host):\(port)" }
        var content = port == 0 ? 0 : port &+ 1
        if let text = settings["HOCLIEU_CONTENT_PORT"] {
            if let value = Int(text) { content = value } else { problems.append("HOCLIEU_CONTENT_PORT '\(text)' is not a number") }
        }
        configuration.contentPort = content < 0 ? nil : content
        if settings["HOCLIEU_CONTENT_URL"].map(\.isEmpty) ?? true { configuration.contentBaseURL = "http://\(host):\(content)" }
        let formatText = settings["HOCLIEU_LOG_FORMAT"] ?? "text"
        let format = LogFormat(rawValue: formatText)
        if format == nil { problems.append("HOCLIEU_LOG_FORMAT '\(formatText)': use text or json") }
        let levelText = settings["HOCLIEU_LOG_LEVEL"] ?? "info"
        let level = Logger.Level(rawValue: levelText)
        if level == nil { problems.append("HOCLIEU_LOG_LEVEL '\(levelText)': use trace, debug, info, notice, warning or error") }
        problems += configuration.problems()
        guard problems.isEmpty, let format, let level else { throw ConfigurationError(problems: problems) }
        return (configuration, format, level)
    }

}
