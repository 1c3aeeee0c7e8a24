import ConformanceCorpus
import ContentPackages
import Foundation
import Testing
import ZIPFoundation

/// What real SCORM players tolerate in a manifest, on packages written for these tests (`Tests/Fixtures/scorm`),
/// zipped as an author would.
@Suite("SCORM manifests as real players read them")
struct ManifestToleranceTests {
    /// The fixture folder zipped (its content at the root of the archive).
    static func zipped(_ fixture: String) throws -> URL {
        let folder = try Fixtures.url("scorm/\(fixture)")
        let zip = FileManager.default.temporaryDirectory.appendingPathComponent("\(fixture)-\(UUID().uuidString).zip")
        try FileManager.default.zipItem(at: folder, to: zip, shouldKeepParent: false)
        return zip
    }

    static func flatten(_ items: [OutlineItem]) -> [OutlineItem] { items.flatMap { [$0] + flatten($0.children) } }

    @Test("<organizations default> naming a missing organisation: the first one is used, with a warning")
    func missingDefaultOrganisation() throws {
        let zip = try Self.zipped("scorm12-default-org-missing")
        defer { try? FileManager.default.removeItem(at: zip) }
        let report = try PackageInspector.inspect(zip)
        #expect(report.kind == .scorm12)
        #expect(report.title == "Phân số — bài kiểm tra SCORM 1.2")
        #expect(report.launch == "index.html")
        #expect(
            report.warnings.contains { $0.contains("default=\"ORG-TOC\"") && $0.contains("\"mm-ORG-TOC\", is used") }, "\(report.warnings)")
    }

    @Test("isvisible=\"false\" items are left out of the outline, what they hold moves up; nested items under an item with its own resource stay")
    func outlineTolerance() throws {
        let zip = try Self.zipped("scorm12-default-org-missing")
        defer { try? FileManager.default.removeItem(at: zip) }
        let report = try PackageInspector.inspect(zip)
        #expect(report.outline.map(\.identifier) == ["ITEM-INTRO", "ITEM-UNDER-HIDDEN", "ITEM-LESSON"])
        #expect(!Self.flatten(report.outline).contains { $0.identifier == "ITEM-HIDDEN" })
        let lesson = try #require(report.outline.last)
        #expect(lesson.href == "lesson.html" && lesson.isSCO)
        #expect(lesson.children.map(\.identifier) == ["ITEM-QUIZ"])
        #expect(lesson.children.first?.href == "quiz.html?lan=2")
        // Several items share one resource: each is its own SCO entry.
        #expect(report.scos.map(\.identifier) == ["ITEM-INTRO", "ITEM-HIDDEN", "ITEM-UNDER-HIDDEN", "ITEM-LESSON", "ITEM-QUIZ"])
        #expect(report.scos.filter { $0.href == "index.html" }.count == 2)
    }

    @Test("adlcp:prerequisites is kept on the outline item and reported as not enforced")
    func prerequisites() throws {
        let zip = try Self.zipped("scorm12-default-org-missing")
        defer { try? FileManager.default.removeItem(at: zip) }
        let report = try PackageInspector.inspect(zip)
        let lesson = try #require(report.outline.first { $0.identifier == "ITEM-LESSON" })
        #expect(lesson.prerequisites == "ITEM-INTRO")
        #expect(report.outline.first?.prerequisites == nil)
        #expect(report.warnings.contains { $0.contains("not enforced") && $0.contains("ITEM-LESSON") }, "\(report.warnings)")
    }

    @Test("Refused only when no organisation has a launchable item")
    func nothingLaunchable() throws {
        let zip = try Self.zipped("scorm12-nothing-launchable")
        defer { try? FileManager.default.removeItem(at: zip) }
        #expect {
            try PackageInspector.inspect(zip)
        } throws: { error in
            "\(error)".contains("no item points at a launchable resource")
        }
    }
}
