import ArgumentParser
import ConformanceCorpus
import Foundation
import HoclieuApp
import HoclieuCore
import HoclieuServer
import HoclieuStorage
import Testing

@testable import HoclieuCLI

/// CASE packages as real providers write them (`Tests/Fixtures/case`): `LinkURI` fields as plain URI strings
/// (OpenSALT) or as objects (the specification), loose dates, a missing `lastChangeDateTime`, an empty
/// `humanCodingScheme`; read through `hoclieu catalog import`, written back spec-conformant by `catalog export`.
@Suite("CASE import: what real providers write")
struct CASEToleranceTests {
    static func importing(_ fixture: String, in box: Sandbox) async throws -> CatalogImportReport {
        let file = try Fixtures.url("case/\(fixture)")
        return try await box.command(CatalogCommand.Import.self, ["catalog", "import", file.path, "--framework", "OST"]).execute()
    }

    static func date(_ text: String) -> Date? { HoclieuJSON.parseTimestamp(text) }

    @Test("LinkURI fields as plain strings (OpenSALT) and as objects import to the same framework", arguments: ["opensalt-string-uris.json", "linkuri-objects.json"])
    func bothShapes(_ fixture: String) async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let repository = try await box.bootstrap()
        let report = try await Self.importing(fixture, in: box)
        #expect(report.load?.added == 6, "\(report.problems)")
        let items = try await repository.store.catalogItems(framework: "OST")
        #expect(items.map(\.item.code) == ["OST.7", "OST.7.1", "OST.7.1.1", "OST.7.1.1.1", "OST.7.1.1.1.1", "OST.7.1.1.1.2"])
        #expect(items.map(\.item.type) == [.grade, .strand, .topic, .unit, .outcome, .outcome])
        #expect(items.last?.item.statement == "So sánh được hai phân số khác mẫu số.")
        // The provider's own codes are kept; the empty one stays empty.
        #expect(items.map { $0.item.statementEN ?? "" } == ["", "", "SPT.1", "SPT.1.1", "SPT.1.1.a", "SPT.1.1.b"])
    }

    @Test("Loose dates: no time zone (UTC), an offset, fractions, a date alone; a missing lastChangeDateTime is not an error")
    func looseDates() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let repository = try await box.bootstrap()
        let report = try await Self.importing("opensalt-string-uris.json", in: box)
        #expect(report.load != nil, "\(report.problems)")
        let byCode = Dictionary(uniqueKeysWithValues: try await repository.store.catalogItems(framework: "OST").map { ($0.item.code, $0.updatedAt) })
        #expect(byCode["OST.7.1"] == Self.date("2024-03-01T10:00:00.000Z"))
        #expect(byCode["OST.7.1.1"] == Self.date("2024-03-01T00:00:00.000Z"))
        #expect(byCode["OST.7.1.1.1.1"] == Self.date("2024-03-02T08:30:00.123Z"))
        #expect(byCode["OST.7.1.1.1.2"] == Self.date("2024-03-02T01:30:00.000Z"))
        #expect(byCode["OST.7.1.1.1"] != nil, "no lastChangeDateTime: the load time")
    }

    @Test("What Hoclieu writes back is spec-conformant: every LinkURI an object with title, identifier and uri")
    func writesObjects() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        _ = try await box.bootstrap()
        _ = try await Self.importing("opensalt-string-uris.json", in: box)
        let parsed = try HoclieuCommand.parseAsRoot(["catalog", "export", "--framework", "OST", "--data", box.data.path])
        let export = try #require(parsed as? CatalogCommand.Export)
        let package = try #require(try JSONSerialization.jsonObject(with: try await export.export()) as? [String: Any])
        func isLink(_ value: Any?) -> Bool {
            guard let link = value as? [String: Any] else { return false }
            return link["title"] is String && link["identifier"] is String && (link["uri"] as? String)?.hasPrefix("http") == true
        }
        let document = try #require(package["CFDocument"] as? [String: Any])
        #expect(isLink(document["licenseURI"]))
        let items = try #require(package["CFItems"] as? [[String: Any]])
        #expect(!items.isEmpty && items.allSatisfy { isLink($0["CFItemTypeURI"]) })
        let associations = try #require(package["CFAssociations"] as? [[String: Any]])
        #expect(!associations.isEmpty && associations.allSatisfy { isLink($0["originNodeURI"]) && isLink($0["destinationNodeURI"]) })
    }
}
