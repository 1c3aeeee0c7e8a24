import ArgumentParser
import CASE
import Foundation
import HoclieuCore
import HoclieuApp
import HoclieuStorage

/// `hoclieu catalog …`: the knowledge-unit catalogue.
struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog", abstract: "Danh mục đơn vị kiến thức / Knowledge-unit catalogue.",
        subcommands: [Validate.self, Import.self, Export.self])

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
            let (data, problems) = try CatalogDirectory.read(try InputFile.checkFolder(directory))
            let counts = data.items.keys.sorted().map { code in
                let items = data.items[code]!
                func n(_ t: CatalogItemType) -> Int { items.filter { $0.type == t }.count }
                return Count(framework: code, grades: n(.grade), strands: n(.strand), topics: n(.topic), units: n(.unit), outcomes: n(.outcome))
            }
            return Report(problems: problems, subjects: data.subjects.count, counts: counts, levels: data.levels.count)
        }
    }

    /// `hoclieu catalog import FILE`: a department's framework as CSV (the `Catalog/` columns) or a CASE 1.0
    /// CFPackage (`.json`). Every catalogue rule applies; an invalid file loads nothing.
    struct Import: ReportingCommand {
        static let configuration = CommandConfiguration(abstract: "Nhập khung chương trình (CSV hoặc CASE) / Import a framework.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "A .csv framework or a CASE CFPackage .json.") var file: String
        @Option(help: "Framework code (a CSV file: default the first segment of its codes; a CASE package from another provider: required).")
        var framework: String?
        @Option(help: "Grade for CASE items that carry no educationLevel.") var grade: Int?

        func failed(_ report: CatalogImportReport) -> Bool { report.load == nil }

        func execute() async throws -> CatalogImportReport {
            let repository = try common.openRepository()
            let url = try InputFile.check(file)
            guard ["json", "csv"].contains(url.pathExtension.lowercased()) else {
                throw InputFileError.wrongKind(file, expected: "gói CASE CFPackage (.json) hoặc khung CSV (.csv) / a CASE CFPackage (.json) or a framework CSV (.csv)")
            }
            // The one implementation, shared with `POST /api/v1/catalog/imports`.
            return try await repository.importCatalog(
                try Data(contentsOf: url), fileName: file, format: url.pathExtension.lowercased(), framework: framework, grade: grade)
        }
    }

    /// `hoclieu catalog export --framework CODE --format case|csv [--out FILE]`.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Xuất khung chương trình / Export a framework.")

        @OptionGroup var common: CommonOptions
        @Option(help: "Framework code, e.g. TOAN.") var framework: String
        @Option(help: "case (CFPackage JSON) or csv (the Catalog/ columns).") var format = "case"
        @Option(help: "Output file (default: standard output).") var out: String?

        func run() async throws {
            let target = try out.map { path throws(InputFileError) in try InputFile.checkOutput(path) }
            let bytes = try await export()
            if let target { try bytes.write(to: target) } else { FileHandle.standardOutput.write(bytes) }
        }

        func export() async throws -> Data {
            let repository = try common.openRepository()
            let store = repository.store
            guard let summary = try await store.catalogFrameworks().first(where: { $0.subject.code == framework }) else {
                throw ValidationError("no framework \(framework) in this store")
            }
            let items = try await store.catalogItems(framework: framework)
            switch format {
            case "case":
                let snapshot = try CASESnapshot(
                    frameworks: [CASEFrameworkInput(subject: summary.subject, items: items.map { ($0.item, $0.updatedAt) })],
                    baseURL: repository.configuration.publicBaseURL + "/ims/case/v1p0")
                return snapshot.packages[CatalogIdentifiers.uuid(for: framework).uuidString.lowercased()]!.bytes
            case "csv":
                var lines = ["code,parent,type,grade,statement,statement_en,associations,status"]
                for stored in items {
                    let item = stored.item
                    lines.append(
                        [
                            item.code, item.parent ?? "", item.type.rawValue, String(item.grade), item.statement, item.statementEN ?? "",
                            item.associations.map { "\($0.type.rawValue):\($0.target)" }.joined(separator: ";"), item.deprecated ? "deprecated" : "",
                        ].map(CSV.escape).joined(separator: ","))
                }
                return Data((lines.joined(separator: "\n") + "\n").utf8)
            default:
                throw ValidationError("format is case or csv")
            }
        }
    }
}
