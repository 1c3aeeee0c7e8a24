import ArgumentParser
import Foundation
import HoclieuApp
import HoclieuStorage

/// `hoclieu harvest add|list|run`: harvesting other OAI-PMH repositories into this one.
struct HarvestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "harvest", abstract: "Thu hoạch kho OAI-PMH khác / Harvest other OAI-PMH repositories.",
        subcommands: [Add.self, List.self, Run.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Đăng ký một kho / Register a repository.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The repository's OAI-PMH base URL.") var url: String
        @Option(help: "A setSpec to harvest.") var set: String?
        @Option(help: "oai_dc or lom.") var prefix = "oai_dc"
        @Option(help: "Interval between runs: 30m, 6h, 1d.") var every = "6h"
        @Flag(help: "Publish its records at once (default: they enter review as submissions).") var trusted = false
        @Option(help: "The account harvested materials belong to.") var owner = "admin"

        func run() async throws {
            guard let seconds = HarvestCommand.seconds(every) else { throw ValidationError("--every: use e.g. 30m, 6h or 1d") }
            let repository = try await common.openRepository().addRemoteRepository(
                url: url, set: set, prefix: prefix, every: seconds, trusted: trusted, owner: owner)
            FileHandle.standardOutput.write(Data("#\(repository.id) \(repository.baseURL) \(repository.metadataPrefix)\n".utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Các kho đã đăng ký / Registered repositories.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            for r in try await common.openRepository().store.remoteRepositories() {
                let line = "#\(r.id) \(r.baseURL) set=\(r.set ?? "-") prefix=\(r.metadataPrefix) every=\(r.intervalSeconds)s "
                    + "trusted=\(r.trusted) last=\(r.lastDatestamp.map { "\($0)" } ?? "-") error=\(r.lastError ?? "-")\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Thu hoạch ngay / Harvest now (incremental).")
        @OptionGroup var common: CommonOptions
        @Flag(help: "Only the repositories whose interval has passed.") var due = false

        func run() async throws {
            let reports = try await common.openRepository().runHarvests(fetcher: URLSessionHarvestFetcher(), onlyDue: due)
            for report in reports { FileHandle.standardOutput.write(Data((report.description + "\n").utf8)) }
            if reports.contains(where: { $0.error != nil }) { throw ExitCode(2) }
        }
    }

    /// `30m`, `6h`, `1d`, or plain seconds (``HarvestInterval/seconds(_:)``).
    static func seconds(_ text: String) -> Int? { HarvestInterval.seconds(text) }
}
