import ArgumentParser
import Foundation
import HoclieuApp
import HoclieuServer
import HoclieuStorage
import Hummingbird
import Logging

/// `hoclieu serve`: runs the service on the data folder.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Chạy dịch vụ / Run the service.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port (0: any free port).") var port = 8080
    @Option(help: "Port of the content origin that plays packages (default: port + 1; -1: do not listen).") var contentPort: Int?
    @Option(help: "Address of the content origin (default: $HOCLIEU_CONTENT_URL, else http://HOST:CONTENT-PORT).") var contentURL: String?
    @Option(help: "Web UI folder (default: ./Public when it exists).") var publicDir: String?
    @Option(help: "Catalogue folder loaded at start (default: ./Catalog when it exists).") var catalog: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel = "info"

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "hoclieu")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        var configuration = common.configuration()
        configuration.host = host
        configuration.port = port
        if ProcessInfo.processInfo.environment["HOCLIEU_PUBLIC_URL"] == nil { configuration.publicBaseURL = "http://\(host):\(port)" }
        let content = contentPort ?? (port == 0 ? 0 : port + 1)
        configuration.contentPort = content < 0 ? nil : content
        if let contentURL, !contentURL.isEmpty {
            configuration.contentBaseURL = contentURL.hasSuffix("/") ? String(contentURL.dropLast()) : contentURL
        } else if ProcessInfo.processInfo.environment["HOCLIEU_CONTENT_URL"] == nil {
            configuration.contentBaseURL = "http://\(host):\(content)"
        }
        let folder = URL(fileURLWithPath: publicDir ?? "Public", isDirectory: true)
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("index.html").path) {
            configuration.publicDirectory = folder
        }
        let repository = try Services.open(configuration)
        if let generated = try await repository.bootstrapAdmin(password: ProcessInfo.processInfo.environment["HOCLIEU_ADMIN_PASSWORD"]) {
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
                "hoclieu.data": "\(configuration.dataDirectory.path)", "hoclieu.address": "\(host):\(port)",
                "hoclieu.content": "\(configuration.contentPort.map { "\(host):\($0)" } ?? "-") \(configuration.contentBaseURL)",
            ])
        try await buildApplication(repository, logger: logger).runService()
    }
}
