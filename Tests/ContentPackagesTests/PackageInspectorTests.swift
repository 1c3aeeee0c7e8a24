import ContentPackages
import ConformanceCorpus
import Foundation
import Testing
import ZIPFoundation

let corpus = ConformanceCorpus.root

@Suite("Content packages from the conformance corpus")
struct CorpusPackageTests {
    /// Every real package: expected kind, title, launch file, SCO count and warnings.
    static let acceptedTable: [(String, PackageKind, String, String, Int, String?)] = [
        ("scorm/scorm12/moodle_RuntimeMinimumCalls_SCORM12-mini.zip", .scorm12, "Golf Explained - Minimum Run-time Calls", "Playing/Playing.html", 9, nil),
        ("scorm/scorm12/reload_scorm12_openequella.zip", .scorm12, "Free", "sco1.htm", 2, nil),
        ("scorm/scorm12/rustici_RuntimeMinimumCalls_SCORM12.zip", .scorm12, "Golf Explained - Minimum Run-time Calls", "Playing/Playing.html", 18, nil),
        ("scorm/scorm12/rustici_singlesco_scorm12.zip", .scorm12, "Golf Explained - CP Single SCO", "shared/launchpage.html", 1, nil),
        ("scorm/scorm12/rustici_singlescobasic.zip", .scorm12, "Golf Explained - Run-time Basic Calls", "shared/launchpage.html", 1, nil),
        // Filed under ims_cp in the corpus, but its manifest is SCORM 1.2 (schemaversion 1.2): content decides.
        ("scorm/ims_cp/moodle_imscp_singlescobasic.zip", .scorm12, "Golf Explained - Run-time Basic Calls", "shared/launchpage.html", 1, nil),
        ("scorm/ims_cp/tlf_imscp_lom_package.zip", .imsContentPackage, "Zou ba! Visiting China: Is this your first visit?", "index.html", 1,
         "does not match the IMS CP 1.1.4 schema: line 2: Element '{http://www.imsglobal.org/xsd/imscp_v1p1}manifest', attribute 'identifier': '273953' is not a valid value of the atomic type 'xs:ID'"),
        ("h5p/lumi/H5P.DragText.h5p", .h5p, "Drag the Words", "content/content.json", 0, nil),
        ("h5p/lumi/greetingcard1.h5p", .h5p, "Greeting card 1", "content/content.json", 0, nil),
        ("h5p/lumi/long_content_file_name.h5p", .h5p, "Greeting", "content/content.json", 0, nil),
        ("h5p/lumi/validator_valid2.h5p", .h5p, "Greeting card", "content/content.json", 0, nil),
        ("h5p/lumi/validator_valid3-3-images.h5p", .h5p, "agamotto", "content/content.json", 0, nil),
        ("h5p/moodle/atto_drag.h5p", .h5p, "Drag the Words", "content/content.json", 0, nil),
        ("h5p/moodle/basic_essay.h5p", .h5p, "Essay", "content/content.json", 0, nil),
        ("h5p/moodle/filltheblanks.h5p", .h5p, "Geography", "content/content.json", 0, nil),
        ("h5p/moodle/find-the-words.h5p", .h5p, "Find The Words", "content/content.json", 0, nil),
        ("h5p/moodle/greeting-card.h5p", .h5p, "Greeting card", "content/content.json", 0, nil),
        ("h5p/moodle/guess-the-answer.h5p", .h5p, "Guess the Answer", "content/content.json", 0, nil),
        ("h5p/moodle/ipsums.h5p", .h5p, "Ipsums", "content/content.json", 0, nil),
        ("h5p/moodle/multiple-choice-2-6.h5p", .h5p, "Multiple Choice", "content/content.json", 0, nil),
        // Lumi's validator fixture: its library declares core API 1.19, which current H5P core (1.26) provides.
        ("h5p/negative/lumi_validator_invalid-core-version.h5p", .h5p, "Greeting card", "content/content.json", 0, nil),
        // A broken translation: the player still works, reviewers see the warning.
        ("h5p/negative/lumi_validator_invalid-language-file-json.h5p", .h5p, "Greeting card", "content/content.json", 0, "translation is not valid JSON"),
    ]

    /// Packages refused, with the reason each gets.
    static let refusedTable: [(String, String)] = [
        ("scorm/aicc/moodle_validaicc.zip", "AICC packages are not supported"),
        ("scorm/negative/moodle_badscorm.zip", "must be at the package root (found badscorm/imsmanifest.xml)"),
        ("scorm/negative/moodle_invalid.zip", "not a recognised content package"),
        ("scorm/negative/moodle_singlescobasic_missingorg.zip", "no item points at a launchable resource"),
        ("scorm/negative/moodle_validscorm_nonfunctional.zip", "line 2 column 1"),
        ("h5p/moodle/essay.zip", "not a recognised content package"),
        ("h5p/moodle/h5ptest.zip", "h5p.json phải ở thư mục gốc"),
        ("h5p/negative/lumi_validator_2-invalid-libraries.h5p", "H5P.GreetingCard2-1.0/library.json thiếu / lacks: title"),
        ("h5p/negative/lumi_validator_broken-content-json.h5p", "content/content.json"),
        ("h5p/negative/lumi_validator_broken-h5p-json.h5p", "h5p.json"),
        ("h5p/negative/lumi_validator_corrupt_archive.h5p", "unreadable archive"),
        ("h5p/negative/lumi_validator_invalid-h5p-json-schema.h5p", "lacks required fields"),
        ("h5p/negative/lumi_validator_invalid-library-directory-name.h5p", "does not match its library H5P.AnotherLibrary-1.0"),
        ("h5p/negative/lumi_validator_invalid-library-json.h5p", "lacks: majorVersion"),
        ("h5p/negative/lumi_validator_malformed-library-directory.h5p", "malformed library folder name: library!"),
        ("h5p/negative/lumi_validator_missing-preloaded-js.h5p", "missing preloaded file: H5P.GreetingCard-1.0/greetingcard.js"),
        ("h5p/negative/lumi_xss-svg.h5p", "SVG with a script payload: content/images/xss.svg"),
    ]

    @Test("Real packages: kind, title, launch file, SCOs, warnings", .needsCorpus, arguments: acceptedTable.indices)
    func accepted(_ index: Int) throws {
        let (path, kind, title, launch, scos, warning) = Self.acceptedTable[index]
        let url = corpus.appendingPathComponent(path)
        try #require(FileManager.default.fileExists(atPath: url.path), "the shared corpus must sit beside the repository: \(url.path)")
        let report = try PackageInspector.inspect(url)
        #expect(report.kind == kind)
        #expect(report.title == title)
        #expect(report.launch == launch)
        #expect(report.scos.count == scos)
        if let warning {
            #expect(report.warnings.contains { $0.contains(warning) }, "\(report.warnings)")
        } else {
            #expect(report.warnings.isEmpty, "\(report.warnings)")
        }
        #expect(report.entryCount > 0 && report.expandedBytes > 0)
    }

    @Test("Broken packages: a specific reason each", .needsCorpus, arguments: refusedTable.indices)
    func refused(_ index: Int) throws {
        let (path, reason) = Self.refusedTable[index]
        let url = corpus.appendingPathComponent(path)
        try #require(FileManager.default.fileExists(atPath: url.path), "the shared corpus must sit beside the repository: \(url.path)")
        do {
            _ = try PackageInspector.inspect(url)
            Issue.record("\(path) was accepted")
        } catch {
            #expect(error.description.contains(reason), "\(error.description)")
        }
    }

    @Test("SCORM 1.2 metadata from a manifest with LOM", .needsCorpus)
    func scormMetadata() throws {
        let report = try PackageInspector.inspect(corpus.appendingPathComponent("scorm/scorm12/rustici_RuntimeMinimumCalls_SCORM12.zip"))
        #expect(report.version == "1.2")
        #expect(report.scos.first?.href == "Playing/Playing.html")
        #expect(Set(report.scos.map(\.identifier)).count == report.scos.count)
    }
}

@Suite("Hostile archives are refused before anything is read")
struct HostileArchiveTests {
    func archive(_ entries: [(String, Data)], compression: CompressionMethod = .deflate) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).zip")
        let zip = try Archive(url: url, accessMode: .create)
        for (path, data) in entries {
            try zip.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: compression) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return url
    }

    @Test("zip-slip and absolute paths")
    func paths() throws {
        for path in ["../evil.html", "a/../../evil.html", "/etc/evil", "a\\..\\..\\evil"] {
            let url = try archive([("index.html", Data("<title>x</title>".utf8)), (path, Data("x".utf8))])
            defer { try? FileManager.default.removeItem(at: url) }
            #expect(throws: ArchiveError.self) { try SafeArchive(url: url) }
        }
    }

    @Test("zip bombs: ratio, total size, entry count")
    func bombs() throws {
        let zeros = Data(count: 8 << 20)
        let bomb = try archive([("index.html", zeros)])
        defer { try? FileManager.default.removeItem(at: bomb) }
        #expect(throws: ArchiveError.self) { try SafeArchive(url: bomb) }
        #expect(throws: ArchiveError.tooLarge(limit: 1000)) {
            try SafeArchive(url: bomb, limits: ArchiveLimits(maxExpandedBytes: 1000, maxRatio: 1_000_000))
        }
        let many = try archive((0..<30).map { ("f\($0).txt", Data("x".utf8)) })
        defer { try? FileManager.default.removeItem(at: many) }
        #expect(throws: ArchiveError.tooManyEntries(limit: 10)) { try SafeArchive(url: many, limits: ArchiveLimits(maxEntries: 10)) }
    }

    @Test("An entry is read within its byte limit whatever its header claims")
    func entryLimit() throws {
        let url = try archive([("index.html", Data(repeating: 0x41, count: 5000))], compression: .none)
        defer { try? FileManager.default.removeItem(at: url) }
        let zip = try SafeArchive(url: url)
        #expect(throws: ArchiveError.entryTooLarge(path: "index.html", limit: 100)) { try zip.data("index.html", limit: 100) }
        #expect(try zip.data("index.html").count == 5000)
    }

    @Test("An HTML5 package is found at the root or one folder down")
    func html5() throws {
        let url = try archive([("lesson/index.html", Data("<html><title>Bài 1: Phân số</title></html>".utf8)), ("lesson/app.js", Data())])
        defer { try? FileManager.default.removeItem(at: url) }
        let report = try PackageInspector.inspect(url)
        #expect(report.kind == .html5 && report.title == "Bài 1: Phân số" && report.launch == "lesson/index.html")
    }
}
