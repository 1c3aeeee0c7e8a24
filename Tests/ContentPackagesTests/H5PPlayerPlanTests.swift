import ConformanceCorpus
import ContentPackages
import Foundation
import Testing
import ZIPFoundation

@Suite("H5P player plan: libraries in dependency order")
struct H5PPlayerPlanTests {
    @Test("Multiple Choice: every library after the ones it preloads; nothing missing", .needsCorpus)
    func multipleChoice() throws {
        let archive = try SafeArchive(url: ConformanceCorpus.root.appendingPathComponent("h5p/moodle/multiple-choice-2-6.h5p"))
        let plan = try H5PPlayerPlan.make(archive)
        #expect(plan.mainLibrary == "H5P.MultiChoice 1.14")
        #expect(plan.missing.isEmpty, "\(plan.missing)")
        #expect(plan.contentJSON.hasPrefix("{"))
        let question = try #require(plan.scripts.firstIndex { $0.hasPrefix("H5P.Question-1.4/") })
        let choice = try #require(plan.scripts.firstIndex { $0.hasPrefix("H5P.MultiChoice-1.14/") })
        let joubel = try #require(plan.scripts.firstIndex { $0.hasPrefix("H5P.JoubelUI-1.3/") })
        #expect(question < choice && joubel < question)
        #expect(plan.scripts.allSatisfy { archive.contains($0) } && plan.styles.allSatisfy { archive.contains($0) })
        #expect(Set(plan.scripts).count == plan.scripts.count)
    }

    @Test("A package without one of its libraries: the plan names it", .needsCorpus)
    func missingLibrary() throws {
        // The Drag Text package with its H5P.Question library left out.
        let source = try SafeArchive(url: ConformanceCorpus.root.appendingPathComponent("h5p/lumi/H5P.DragText.h5p"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("h5p-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("partial.h5p")
        let writer = try Archive(url: url, accessMode: .create)
        for path in source.paths where !path.hasPrefix("H5P.Question-1.4/") && !path.hasSuffix("/") {
            let data = try source.data(path)
            try writer.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), provider: { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            })
        }
        let plan = try H5PPlayerPlan.make(try SafeArchive(url: url))
        #expect(plan.mainLibrary == "H5P.DragText 1.8")
        #expect(plan.missing == ["H5P.Question 1.4"])
    }
}
