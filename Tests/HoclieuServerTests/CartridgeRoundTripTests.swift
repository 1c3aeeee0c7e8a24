import CommonCartridge
import ConformanceCorpus
import ContentPackages
import Foundation
import HoclieuCore
import HoclieuServer
@testable import HoclieuApp
import HoclieuStorage
import Testing

/// Every cartridge of the conformance corpus, through the repository: imported, exported as CC 1.1 for Moodle
/// (which must validate against the official CC 1.1 schemas), and exported as CC 1.3 that, imported into an
/// empty repository, gives the same counts.
@Suite("Common Cartridge corpus round trips")
struct CartridgeRoundTripTests {
    static let corpus = PackageUploadTests.corpus.appendingPathComponent("cc")

    static var cartridges: [String] {
        ConformanceCorpus.files(under: "cc", extensions: ["imscc", "zip"]).filter { !$0.hasPrefix("negative/") }
    }

    static func owner(_ t: TestRepository) async throws -> Int64 {
        try #require(try await t.repository.store.credentials(username: "admin")?.user.id)
    }

    @Test("The corpus is all here", .needsCorpus) func corpusPresent() {
        #expect(Self.cartridges.count == 23)
    }

    @Test(.needsCorpus, arguments: cartridges)
    func roundTrip(_ file: String) async throws {
        let t = try await TestRepository(maxUploadBytes: 64 << 20)
        defer { t.cleanup() }
        let first = try await t.repository.importCartridge(
            at: Self.corpus.appendingPathComponent(file), fileName: (file as NSString).lastPathComponent, ownerID: try await Self.owner(t))
        let course = try #require(first.coursePackage?.pid)
        #expect(first.created == first.items.count + 1)

        // CC 1.1 for Moodle: valid against the official schemas.
        let moodle = t.folder.appendingPathComponent("moodle.imscc")
        let request11 = try await t.repository.cartridgeRequest(ExportSelection(pids: [course]), format: .cc1p1, target: .moodle, user: .localOperator).request
        #expect(request11.items.count == first.counts.materials)
        let report11 = try CartridgeWriter.write(request11, to: moodle)
        #expect(report11.format == .cc1p1)
        let violations = try CartridgeValidator.violations(ofCartridgeAt: moodle)
        #expect(violations.isEmpty, "\(violations.prefix(5))")

        // CC 1.3 into an empty repository: the same counts.
        let cc13 = t.folder.appendingPathComponent("course13.imscc")
        let report13 = try CartridgeWriter.write(
            try await t.repository.cartridgeRequest(ExportSelection(pids: [course]), format: .cc1p3, target: nil, user: .localOperator).request, to: cc13)
        let fresh = try await TestRepository(maxUploadBytes: 64 << 20)
        defer { fresh.cleanup() }
        let again = try await fresh.repository.importCartridge(at: cc13, fileName: "course13.imscc", ownerID: try await Self.owner(fresh))
        #expect(again.version == .v1p3)
        // A question set with nothing QTI (CC) can carry is left out of the export and reported (issue 13).
        let leftOut = report13.losses.filter { $0.code == "emptyQuestionSetLeftOut" }.count
        #expect(again.counts.materials == first.counts.materials - leftOut)
        // Links that are not http(s) (`/web-link`, `javascript:`) were dropped on the first import, with a warning.
        let unsafe = first.warnings.filter { $0.code == "unsafeLink" }.count
        #expect(again.counts.webLinks == first.counts.webLinks - unsafe)
        #expect(again.counts.ltiLinks == first.counts.ltiLinks)
        #expect(again.counts.discussions == first.counts.discussions)
        #expect(again.counts.questionSets == first.counts.questionSets - leftOut)
        // Questions: what was written (a dropped type is a reported loss).
        #expect(again.counts.questions == report13.questionItems, "\(report13.losses.prefix(8))")
        let dropped = report13.losses.filter { $0.code == "questionDropped" }.count
        #expect(report13.questionItems >= first.counts.questions - dropped)
    }

    @Test("A changed cartridge makes a new version of the changed material only", .needsCorpus)
    func changedCartridge() async throws {
        let t = try await TestRepository(maxUploadBytes: 64 << 20)
        defer { t.cleanup() }
        let owner = try await Self.owner(t)
        let original = Self.corpus.appendingPathComponent("ims_sample/ims_cc1p1_validation_cartridge_1.imscc")
        let first = try await t.repository.importCartridge(at: original, fileName: "course.imscc", ownerID: owner)

        // The same cartridge with one page edited.
        let archive = try SafeArchive(url: original)
        let page = "I_00001_R/Learning_Objectives.html"
        let entries = try archive.paths.sorted().map { path in
            (path: path, data: path == page ? try archive.data(path) + Data("<!-- sửa -->".utf8) : try archive.data(path))
        }
        let changed = t.folder.appendingPathComponent("changed.imscc")
        try StoredZipWriter.archive(entries).write(to: changed)
        let second = try await t.repository.importCartridge(at: changed, fileName: "course.imscc", ownerID: owner)
        // The page's own text (not its title) is in the search index.
        let hits = try await t.repository.store.search(SearchRequest(text: "biased", viewer: try await t.repository.store.user(id: owner), limit: 5))
        #expect(hits.total == 1)

        #expect(second.created == 0)
        #expect(second.updated == 1)
        #expect(second.unchanged == first.created - 1)
        let updated = try #require(second.items.first { $0.action == .updated })
        #expect(updated.resource == "I_00001_R")
        #expect(updated.version == 2)
        #expect(second.coursePackage?.action == .unchanged)
    }

    @Test("Catalogue alignment and grades travel as LOM classification and come back on import (CC 1.1 and 1.3)")
    func alignmentRoundTrip() async throws {
        let t = try await TestRepository(maxUploadBytes: 64 << 20)
        defer { t.cleanup() }
        let owner = try await Self.owner(t)
        let writer = try t.repository.blobs.makeWriter()
        let page = Data("<html><body><p>Phân số</p></body></html>".utf8)
        try page.withUnsafeBytes { try writer.write($0) }
        let blob = try writer.commit()
        let material = try await t.repository.store.createMaterial(
            MaterialDraft(
                kind: .lesson, format: "text/html",
                metadata: MaterialMetadata(title: "Phân số", subjects: ["TOAN"], grades: [6], knowledgeUnits: ["TOAN.6.SD.2.3"], licence: "CC-BY-4.0")),
            ownerID: owner,
            firstVersion: VersionDraft(contentID: blob.contentID, fileName: "phan-so.html", mediaType: "text/html", byteSize: blob.byteSize, createdBy: owner))
        for format in [CartridgeExportFormat.cc1p1, .cc1p3] {
            let file = t.folder.appendingPathComponent("\(format.rawValue).imscc")
            _ = try CartridgeWriter.write(
                try await t.repository.cartridgeRequest(ExportSelection(pids: [material.pid]), format: format, target: nil, user: .localOperator).request, to: file)
            #expect(try CartridgeValidator.violations(ofCartridgeAt: file).isEmpty)
            let fresh = try await TestRepository(maxUploadBytes: 64 << 20)
            defer { fresh.cleanup() }
            let report = try await fresh.repository.importCartridge(at: file, fileName: "x.imscc", ownerID: try await Self.owner(fresh))
            let pid = try #require(report.items.first?.pid)
            let imported = try #require(try await fresh.repository.store.material(pid))
            #expect(imported.metadata.knowledgeUnits == ["TOAN.6.SD.2.3"], "\(format)")
            #expect(imported.metadata.subjects == ["TOAN"], "\(format)")
            #expect(imported.metadata.grades == [6], "\(format)")
            #expect(imported.metadata.licence == "CC-BY-4.0", "\(format)")
            #expect(imported.metadata.title == "Phân số", "\(format)")
        }
    }
}
