import CommonCartridge
import ConformanceCorpus
import ContentPackages
import Foundation
import HoclieuCore
@testable import HoclieuApp
import HoclieuStorage
import HoclieuXML
import Testing

/// Real cartridges of the corpus imported and exported again for Moodle (CC 1.1) and Canvas (CC 1.3), each
/// export read for what the importers' code needs (issue 13). The importer code each check encodes is named
/// in `CartridgeConsumerTests` (CommonCartridgeTests), which drives the same rules on self-made files.
@Suite("Cartridge exports of the corpus, read the way Moodle and Canvas import them", .needsCorpus)
struct CartridgeConsumerGoldenTests {
    static let qti = ["q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"]

    /// Moodle, `backup/cc/entities.class.php`, `update_sources` + `full_path`.
    static func moodlePath(_ value: String, document: String) -> String {
        let stripped = value.replacingOccurrences(of: "$IMS-CC-FILEBASE$", with: "")
        var parts: [String] = []
        for part in document.split(separator: "/").dropLast().map(String.init) + stripped.split(separator: "/").map(String.init) {
            if part == "." || part.isEmpty { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() } } else { parts.append(part) }
        }
        return parts.joined(separator: "/").removingPercentEncoding ?? ""
    }

    /// Canvas, `lib/cc/importer/standard/converter.rb`, `replace_urls` + `get_canvas_att_replacement_url`.
    static func canvasFinds(_ value: String, in archive: SafeArchive) -> Bool {
        var v = value.removingPercentEncoding ?? value
        for token in ["$IMS-CC-FILEBASE$", "$IMS_CC_FILEBASE$"] { v = v.replacingOccurrences(of: token, with: "") }
        while v.hasPrefix("../") || v.hasPrefix("/") { v = v.hasPrefix("/") ? String(v.dropFirst()) : String(v.dropFirst(3)) }
        return archive.contains(v) || archive.paths.contains { $0.hasSuffix("/" + v) }
    }

    struct Measured {
        var references = 0
        var local = 0
        var unresolved: [String] = []
    }

    /// Every local `src`/`href` of the pages, discussions and assignments of a written cartridge.
    static func checkReferences(_ url: URL) throws -> Measured {
        let archive = try SafeArchive(url: url)
        let pattern = try NSRegularExpression(pattern: #"(?i)\b(?:src|href)\s*=\s*"([^"]*)""#)
        var measured = Measured()
        for path in archive.paths where path.hasSuffix(".html") || path.hasSuffix(".htm") || path.hasSuffix("/topic.xml") || path.hasSuffix("/assignment.xml") {
            var text = String(decoding: try archive.data(path, limit: 64 << 20), as: UTF8.self)
            if path.hasSuffix(".xml") { text = try XMLDocument(data: Data(text.utf8)).selectString("string(//*[local-name()='text'])") }
            let ns = text as NSString
            for match in pattern.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                let value = HTMLText.decodeEntities(ns.substring(with: match.range(at: 1))).trimmingCharacters(in: .whitespaces)
                measured.references += 1
                let lower = value.lowercased()
                if value.isEmpty || value.hasPrefix("#") || value == "about:blank" || lower.hasPrefix("http:") || lower.hasPrefix("https:")
                    || lower.hasPrefix("mailto:") || lower.hasPrefix("data:") || lower.hasPrefix("javascript:") || value.hasPrefix("//")
                {
                    continue
                }
                measured.local += 1
                let ok = !value.contains("?") && !value.contains("$") && !lower.contains("%24") && canvasFinds(value, in: archive)
                    && archive.contains(moodlePath(value, document: path))
                if !ok { measured.unresolved.append("\(path): \(value)") }
            }
        }
        return measured
    }

    /// Issue 13, point 2: a thin export of a service that only knows its listening address (no
    /// `HOCLIEU_PUBLIC_URL`) is refused with a message saying what to set; with a public address it is written.
    @Test("A thin export needs the public address: refused on the listening address, written with HOCLIEU_PUBLIC_URL")
    func thinExportNeedsPublicURL() async throws {
        let file = CartridgeRoundTripTests.corpus.appendingPathComponent("ims_sample/ims_cc1p1_validation_cartridge_1.imscc")
        let local = try await TestRepository(maxUploadBytes: 64 << 20)
        defer { local.cleanup() }
        #expect(!local.repository.configuration.publicBaseURL.hasPrefix("https://"))
        let imported = try await local.repository.importCartridge(at: file, fileName: "course.imscc", ownerID: try await CartridgeRoundTripTests.owner(local))
        let course = try #require(imported.coursePackage?.pid)
        do {
            _ = try await local.repository.exportCartridge(ExportSelection(pids: [course]), format: .thinCC1p3, target: .canvas, user: .localOperator)
            Issue.record("a thin export to \(local.repository.configuration.publicBaseURL) was written")
        } catch let error as CartridgeExportError {
            guard case .publicURLRequired = error else { Issue.record("\(error)"); return }
            let message = try #require(ErrorText.bilingual(error))
            #expect(message.contains("HOCLIEU_PUBLIC_URL") && message.contains("--public-url"))
        }

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-public-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let repository = try Services.open(
            ServerConfiguration(dataDirectory: folder, port: 0, pidPrefix: "79-760", maxUploadBytes: 64 << 20, bcryptCost: 4, publicBaseURL: "https://hoclieu.edu.vn"))
        _ = try await repository.bootstrapAdmin(password: TestRepository.adminPassword)
        let owner = try #require(try await repository.store.credentials(username: "admin")?.user.id)
        let again = try await repository.importCartridge(at: file, fileName: "course.imscc", ownerID: owner)
        let result = try await repository.exportCartridge(
            ExportSelection(pids: [try #require(again.coursePackage?.pid)]), format: .thinCC1p3, target: .canvas, user: .localOperator)
        let archive = try SafeArchive(url: repository.blobs.url(for: result.contentID))
        let links = try archive.paths.filter { $0.hasSuffix("/weblink.xml") }.map { String(decoding: try archive.data($0), as: UTF8.self) }
        #expect(!links.isEmpty)
        #expect(links.allSatisfy { $0.contains("https://hoclieu.edu.vn/id/") })
    }

    @Test(arguments: CartridgeRoundTripTests.cartridges)
    func corpusExport(_ file: String) async throws {
        let t = try await TestRepository(maxUploadBytes: 64 << 20)
        defer { t.cleanup() }
        let first = try await t.repository.importCartridge(
            at: CartridgeRoundTripTests.corpus.appendingPathComponent(file), fileName: (file as NSString).lastPathComponent,
            ownerID: try await CartridgeRoundTripTests.owner(t))
        let course = try #require(first.coursePackage?.pid)
        for (format, target) in [(CartridgeExportFormat.cc1p1, CartridgeTarget.moodle), (.cc1p3, .canvas)] {
            let out = t.folder.appendingPathComponent("\(format.rawValue).imscc")
            let request = try await t.repository.cartridgeRequest(ExportSelection(pids: [course]), format: format, target: target, user: .localOperator).request
            _ = try CartridgeWriter.write(request, to: out)
            let archive = try SafeArchive(url: out)

            // Every local reference resolves inside the cartridge, with no query string or Canvas token.
            let measured = try Self.checkReferences(out)
            #expect(measured.unresolved.isEmpty, "\(format.rawValue): \(measured.unresolved.prefix(5))")

            // No item directly under the root shows a resource (one section / module per loose item).
            let manifest = try XMLDocument(data: try archive.data("imsmanifest.xml", limit: 64 << 20))
            let top = try manifest.select("/*/*[local-name()='organizations']/*/*[local-name()='item']/*[local-name()='item']")
            #expect(top.allSatisfy { $0.attribute("identifierref") == nil }, "\(format.rawValue)")

            // Multiple-response items: the correct choices are marked the way Moodle finds them.
            for path in archive.paths where path.hasSuffix("/assessment.xml") || path.hasSuffix("/questionbank.xml") {
                let document = try XMLDocument(data: try archive.data(path, limit: 64 << 20))
                for item in try document.select("//q:item[.//q:fieldentry='cc.multiple_response.v0p1']", namespaces: Self.qti) {
                    let ident = item.attribute("ident") ?? ""
                    let correct = try document.selectStrings(
                        "//q:item[@ident='\(ident)']//q:setvar[@varname='SCORE'][.=100]/../q:conditionvar//q:varequal[@case='Yes'][not(parent::q:not)]",
                        namespaces: Self.qti)
                    #expect(!correct.isEmpty, "\(path) \(ident)")
                }
            }
            if format == .cc1p1 {
                let head = String(decoding: try archive.data("imsmanifest.xml", limit: 64 << 20).prefix(500), as: UTF8.self).lowercased()
                    .filter { !$0.isWhitespace && $0 != "\"" && $0 != "'" }
                #expect(head.contains("xmlns=http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"))
                #expect(try CartridgeValidator.violations(ofCartridgeAt: out).isEmpty)
                for path in archive.paths where path.hasSuffix("/lti.xml") {
                    let title = try XMLDocument(data: try archive.data(path)).selectString("string(//*[local-name()='title'])")
                    #expect(!title.unicodeScalars.contains { (0xA0...0xFF).contains($0.value) }, "\(path): \(title)")
                }
            }
            print("issue13 \(file) \(format.rawValue): references \(measured.references), local \(measured.local), unresolved \(measured.unresolved.count)")
        }
    }
}
