import ConformanceCorpus
import ContentPackages
import Foundation
import HoclieuCore
import Testing

@Suite("Pre-review checks inside a package: links, outside resources, alt text, captions")
struct PackageContentChecksTests {
    static func archive(_ entries: [(String, String)], in folder: URL) throws -> SafeArchive {
        let url = folder.appendingPathComponent(UUID().uuidString + ".zip")
        try StoredZipWriter.archive(entries.map { ($0.0, Data($0.1.utf8)) }).write(to: url)
        return try SafeArchive(url: url)
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("checks-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("A page with every kind of problem: each counted, with its file and reference")
    func everyProblem() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = """
            <!DOCTYPE html><html><head>
            <link rel="stylesheet" href="css/style.css"><link rel=stylesheet href="https://cdn.example.com/x.css">
            <script src="js/missing.js"></script>
            <script>var s = "<img src='fromscript.png'>"; document.write('<a href="' + url + '">');</script>
            <!-- <img src="commented.png"> -->
            </head><body>
            <IMG SRC="img/a.png"><img src="img/b.png" alt=""><img src='img/c.png' alt="Hình tam giác">
            <img src="img/gone.png" alt="x"><img src="../../etc/passwd" alt="climb">
            <video src="media/v.mp4"></video>
            <video controls><source src="media/w.mp4" type="video/mp4"><track kind="captions" src="media/w.vtt" srclang="vi"></video>
            <video><source src="media/x.mp4"><track kind="chapters" src="media/x.vtt"></video>
            <a href="https://vi.wikipedia.org/wiki/Ph%C3%A2n_s%E1%BB%91">Wikipedia</a> <a href="#top">top</a>
            <a href="mailto:gv@example.edu.vn">mail</a> <a href="javascript:void(0)">js</a> <a href="bai2/">bài 2</a>
            <a href="trang%202.html?x=1#y">trang 2</a> <iframe src="//www.youtube.com/embed/abc"></iframe>
            <a href="{{link}}">template</a>
            </body></html>
            """
        let archive = try Self.archive(
            [
                ("index.html", page), ("css/style.css", "body{}"), ("img/a.png", "x"), ("img/b.png", "x"), ("img/c.png", "x"),
                ("media/v.mp4", "x"), ("media/w.mp4", "x"), ("media/w.vtt", "WEBVTT"), ("media/x.mp4", "x"), ("media/x.vtt", "WEBVTT"), ("bai2/index.html", "<p>hai</p>"),
                ("trang 2.html", "<p>2</p>"), ("empty.html", ""),
            ], in: folder)
        let report = PackageContentChecks.check(archive, launch: "empty.html?lang=vi")
        #expect(report.pagesScanned == 4)
        #expect(report.count(.imageWithoutAlt) == 1, "only the one with no alt at all: \(report)")
        #expect(report.examples["img-alt"]?.first == .init(file: "index.html", detail: "img/a.png"))
        #expect(report.count(.videoWithoutCaptions) == 2, "v.mp4 (no track) and x.mp4 (chapters only): \(report)")
        #expect(Set(report.examples["video-captions"]?.map(\.detail) ?? []) == ["media/v.mp4", "media/x.mp4"])
        #expect(report.count(.missingFile) == 3, "missing.js, gone.png, and the path climbing out: \(report)")
        #expect(Set(report.examples["link-missing"]?.map(\.detail) ?? []) == ["js/missing.js", "img/gone.png", "../../etc/passwd"])
        #expect(report.count(.outsideResource) == 2, "the CDN style sheet and the protocol-relative frame")
        #expect(report.count(.outsideLink) == 1)
        #expect(report.count(.emptyLaunch) == 1)
    }

    @Test("Bounds: pages over the size or count limits are skipped and counted, never read")
    func bounded() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let big = String(repeating: "<img src=a.png>", count: 1000)
        let archive = try Self.archive([("a.html", big), ("b.html", "<img src=b.png>"), ("c.html", "<p>")], in: folder)
        let report = PackageContentChecks.check(archive, launch: nil, limits: .init(maxPages: 1, maxPageBytes: 1000))
        #expect(report.pagesScanned == 1 && report.pagesSkipped == 2)
        #expect(report.count(.imageWithoutAlt) == 1)
        #expect(report.examples["img-alt"]?.count == 1)
        let capped = PackageContentChecks.check(archive, launch: nil, limits: .init(examplesPerCode: 2))
        #expect(capped.count(.imageWithoutAlt) == 1001 && capped.examples["img-alt"]?.count == 2)
    }

    @Test("Hostile markup: unterminated tags, comments, quotes and scripts end the scan without a trap")
    func hostileMarkup() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for page in ["<", "<img", "<img src=\"x", "<!--", "<script>", "</", "<a href=", "<<<>>>", "<img alt", "<!doctype", "<video><source"] {
            let archive = try Self.archive([("p.html", page)], in: folder)
            _ = PackageContentChecks.check(archive, launch: "p.html")
        }
    }

    @Test("The nested-frame SCORM fixtures reference only files they contain")
    func fixtures() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["scorm12-nested-frames", "scorm2004-nested-frames"] {
            let root = try Fixtures.url("scorm/\(name)")
            let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])!
                .compactMap { $0 as? URL }.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            let entries = try files.map { url in
                (String(url.resolvingSymlinksInPath().path.dropFirst(root.resolvingSymlinksInPath().path.count + 1)), try String(contentsOf: url, encoding: .utf8))
            }
            let report = PackageContentChecks.check(try Self.archive(entries, in: folder), launch: nil)
            #expect(report.pagesScanned > 0, "\(name)")
            #expect(report.count(.missingFile) == 0, "\(name): \(report.examples)")
            #expect(report.count(.outsideResource) == 0, "\(name): \(report.examples)")
        }
    }

    @Test("Real SCORM packages from other tools: every page scanned within bounds", .needsCorpus)
    func corpus() throws {
        let paths = ConformanceCorpus.files(under: "scorm", extensions: ["zip"])
        #expect(!paths.isEmpty)
        var pages = 0
        for path in paths {
            guard let archive = try? SafeArchive(url: try ConformanceCorpus.url("scorm/" + path)) else { continue }
            let report = PackageContentChecks.check(archive, launch: nil)
            pages += report.pagesScanned
            #expect(report.pagesSkipped == 0, "\(path)")
        }
        #expect(pages > 0)
    }

    @Test("Licences: a package's restrictions must survive in the declared licence")
    func licences() {
        func permits(_ package: String, _ declared: String) -> Bool { LicenceTerms(package).permits(LicenceTerms(declared)) }
        #expect(permits("CC BY 4.0", "CC-BY-SA-4.0"))
        #expect(permits("CC BY-NC-SA 4.0", "CC BY-NC-SA 4.0"))
        #expect(!permits("CC BY-NC 4.0", "CC-BY-4.0"))
        #expect(!permits("https://creativecommons.org/licenses/by-nd/4.0/", "CC BY 4.0"))
        #expect(!permits("CC BY-SA 4.0", "CC BY 4.0"))
        #expect(!permits("© 2024 Công ty X. Bản quyền thuộc về công ty.", "CC-BY-4.0"))
        #expect(permits("All rights reserved", "All rights reserved"))
        #expect(permits("CC0 1.0", "CC BY 4.0"))
    }
}
