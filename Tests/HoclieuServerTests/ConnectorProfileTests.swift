import CommonCartridge
import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuServer
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import OAIPMH
import Testing

/// `Connectors/*/profile.json`: what the exporter, the admin UI and school IT staff read about each LMS.
@Suite("Connector profiles")
struct ConnectorProfileTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Connectors", isDirectory: true)

    @Test("Every connector folder has a profile that parses and names existing cartridge targets, formats, sets, scopes and routes")
    func profiles() async throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter {
            var directory: ObjCBool = false
            return FileManager.default.fileExists(atPath: Self.folder.appendingPathComponent($0).path, isDirectory: &directory) && directory.boolValue
        }.sorted()
        #expect(Set(names).isSuperset(of: ["canvas", "generic-oai", "google-classroom", "k12online", "moodle"]))
        let t = try await TestRepository()
        defer { t.cleanup() }
        let paths: [String: Any] = try await t.application.test(.router) { client in
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                ((try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])?["paths"] as? [String: Any]) ?? [:]
            }
        }
        for name in names {
            let folder = Self.folder.appendingPathComponent(name)
            let data = try Data(contentsOf: folder.appendingPathComponent("profile.json"))
            let profile = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(name)")
            #expect(profile["connector"] as? String == name)
            let readme = try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8)
            #expect(!readme.isEmpty)
            if let lti = profile["lti"] as? String {
                let file = folder.appendingPathComponent(lti)
                #expect((try? JSONSerialization.jsonObject(with: Data(contentsOf: file))) != nil, "\(name): \(lti)")
            }
            if let cartridge = profile["cartridge"] as? [String: Any] {
                let format = try #require(cartridge["format"] as? String)
                #expect(CartridgeExportFormat(rawValue: format) != nil, "\(name): format \(format)")
                if let target = cartridge["target"] as? String { #expect(CartridgeTarget(rawValue: target) != nil, "\(name): target \(target)") }
                for other in cartridge["alternatives"] as? [String] ?? [] { #expect(CartridgeExportFormat(rawValue: other) != nil, "\(name): \(other)") }
                // Moodle's importer takes CC 1.1 only: the exporter refuses anything else with that target.
                if cartridge["target"] as? String == "moodle" { #expect(format == "cc1.1") }
            }
            if let harvest = profile["harvest"] as? [String: Any] {
                #expect(paths[try #require(harvest["path"] as? String)] != nil, "\(name): harvest path")
                for prefix in harvest["metadataPrefixes"] as? [String] ?? [] { #expect(["oai_dc", "lom"].contains(prefix), "\(name): \(prefix)") }
                for spec in harvest["sets"] as? [String] ?? [] { #expect(OAISet(spec: spec) != nil, "\(name): set \(spec)") }
                if let scope = harvest["scope"] as? String { #expect(ClientScope(rawValue: scope) != nil, "\(name): scope \(scope)") }
            }
            for key in ["push", "changes"] {
                guard let section = profile[key] as? [String: Any] else { continue }
                #expect(paths[try #require(section["path"] as? String)] != nil, "\(name): \(key) path")
                if let scope = section["scope"] as? String { #expect(ClientScope(rawValue: scope) != nil, "\(name): scope \(scope)") }
            }
        }
    }
}
