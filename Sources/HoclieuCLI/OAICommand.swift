import ArgumentParser
import Foundation
import HoclieuApp
import OAIPMH

/// `hoclieu oai count`: how many records a full OAI-PMH harvest yields (what harvesters are checked against).
struct OAICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oai", abstract: "Kho OAI-PMH / The OAI-PMH provider.", subcommands: [Count.self])

    struct Count: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Số bản ghi một lần thu hoạch đầy đủ nhận được / Records a full harvest yields (deleted ones included).")

        @OptionGroup var common: CommonOptions
        @Option(help: "A setSpec, e.g. subject:TOAN:grade:6.") var set: String?
        @Flag(help: "Count for a signed-in LMS client (public and sector records) instead of an anonymous harvester.") var sector = false

        func run() async throws {
            var chosen: OAISet?
            if let set {
                guard let parsed = OAISet(spec: set) else { throw ValidationError("no such set: \(set)") }
                chosen = parsed
            }
            let count = try await common.openRepository().oaiRecordCount(audience: sector ? .sector : .public, set: chosen)
            FileHandle.standardOutput.write(Data("\(count)\n".utf8))
        }
    }
}
