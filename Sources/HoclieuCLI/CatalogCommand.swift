import ArgumentParser
import Foundation
import HoclieuCore
import HoclieuStorage

/// `hoclieu catalog …`: the knowledge-unit catalogue.
struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog", abstract: "Danh mục đơn vị kiến thức / Knowledge-unit catalogue.", subcommands: [Validate.self])

    /// `hoclieu catalog validate [DIR]`: every rule of `Catalog/README.md`, each problem with file, line and a fix.
    struct Validate: ReportingCommand {
        static let configuration = CommandConfiguration(abstract: "Kiểm tra dữ liệu danh mục / Check catalogue files.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "The catalogue folder.") var directory = "Catalog"

        struct Count: Encodable {
            var framework: String
            var grades: Int
            var strands: Int
            var topics: Int
            var units: Int
            var outcomes: Int
        }

        struct Report: Encodable, CustomStringConvertible {
            var problems: [CatalogDiagnostic]
            var subjects: Int
            var counts: [Count]
            var levels: Int

            var description: String {
                var lines = problems.map(\.description)
                lines.append(problems.isEmpty ? "OK: danh mục hợp lệ / the catalogue is valid" : "\(problems.count) lỗi / problems")
                lines.append("subjects \(subjects), cognitive levels \(levels)")
                lines.append("framework  grades strands topics units outcomes")
                for c in counts {
                    lines.append(
                        "\(c.framework.padding(toLength: 10, withPad: " ", startingAt: 0)) \(c.grades) \(c.strands) \(c.topics) \(c.units) \(c.outcomes)")
                }
                return lines.joined(separator: "\n")
            }
        }

        func failed(_ report: Report) -> Bool { !report.problems.isEmpty }

        func execute() async throws -> Report {
            let (data, problems) = try CatalogDirectory.read(URL(fileURLWithPath: directory, isDirectory: true))
            let counts = data.items.keys.sorted().map { code in
                let items = data.items[code]!
                func n(_ t: CatalogItemType) -> Int { items.filter { $0.type == t }.count }
                return Count(framework: code, grades: n(.grade), strands: n(.strand), topics: n(.topic), units: n(.unit), outcomes: n(.outcome))
            }
            return Report(problems: problems, subjects: data.subjects.count, counts: counts, levels: data.levels.count)
        }
    }
}
