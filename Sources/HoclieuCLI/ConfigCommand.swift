import ArgumentParser
import Foundation
import HoclieuApp
import HoclieuServer
import Logging

/// `hoclieu config show`: the effective configuration `serve` would use, each value with its source, secrets masked.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Cấu hình / The effective configuration.", subcommands: [Show.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "In cấu hình hiệu lực / Print the effective configuration (flags > environment > file > defaults; secrets masked).")

        @OptionGroup var options: ServeOptions

        struct Row: Encodable {
            var name: String
            var value: String
            var source: SettingSource
        }

        /// The rows, in the order of ``ServerConfiguration/effectiveSettings(logFormat:logLevel:settings:)``.
        func rows() throws -> [Row] {
            let settings = try options.settings()
            let (configuration, format, level) = try ServeOptions.configuration(settings)
            return configuration.effectiveSettings(logFormat: format.rawValue, logLevel: level.rawValue, settings: settings).map {
                Row(name: $0.name, value: $0.value, source: settings.source($0.name))
            }
        }

        func run() async throws {
            let rows = try rows()
            if options.common.json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                FileHandle.standardOutput.write(try encoder.encode(rows) + Data("\n".utf8))
            } else {
                let width = rows.map(\.name.count).max() ?? 0
                let text = rows.map { $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  \($0.value)  (\($0.source.rawValue))" }
                FileHandle.standardOutput.write(Data((text.joined(separator: "\n") + "\n").utf8))
            }
        }
    }
}
