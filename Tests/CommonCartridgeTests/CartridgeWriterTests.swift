import CommonCartridge
import ContentPackages
import ConformanceCorpus
import Foundation
import HoclieuCore
import HoclieuXML
import QuestionFormats
import Testing

/// Cartridges written from real files of the conformance corpus, read back and checked.
@Suite("Cartridge export: schema-valid CC 1.1, well-formed CC 1.2/1.3/thin, deterministic, streaming")
struct CartridgeWriterTests {
    static let corpus = ConformanceCorpus.root
    static let schemas = corpus.appendingPathComponent("schemas")

    /// A private directory, removed by the caller.
    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ccexport-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Questions of several Moodle types (two of them have no CC QTI counterpart and are narrowed or dropped).
    static func questions() throws -> [Question] {
        let dir = corpus.appendingPathComponent("moodle-question/xml/qtype_fixtures")
        var all: [Question] = []
        for name in ["multichoice", "truefalse", "shortanswer", "essay", "ddwtos", "gapselect"] {
            let data = try Data(contentsOf: dir.appendingPathComponent("\(name)_testquestion.moodle.xml"))
            all += QuestionFormatRegistry.importQuestions(from: data, fileName: "\(name).xml").questions
        }
        return all
    }

    static func request(_ format: CartridgeExportFormat, in dir: URL, target: CartridgeTarget? = nil) throws -> CartridgeExportRequest {
        let html = dir.appendingPathComponent("bai-giang.html")
        if !FileManager.default.fileExists(atPath: html.path) {
            try Data("<!DOCTYPE html><html><body><p>Phân số</p></body></html>".utf8).write(to: html)
        }
        let scorm = corpus.appendingPathComponent("scorm/scorm12/rustici_singlesco_scorm12.zip")
        let launch = try #require(try SafeArchive(url: scorm).paths.sorted().first { $0.hasSuffix(".html") })
        let pdf = corpus.appendingPathComponent("vn-gdpt2018/official-moet-pdf/CT_Tin_hoc_2018.pdf")
        let taxon = TaxonPath(
            source: "GDPT 2018",
            taxa: [.init(id: "TOAN", entry: "Toán"), .init(id: "TOAN.6", entry: "Lớp 6"), .init(id: "TOAN.6.SD.2.3", entry: "Phân số")])
        func meta(_ title: String) -> MaterialMetadata {
            MaterialMetadata(
                title: title, description: "Mô tả \(title)", grades: [6], keywords: ["phân số", "toán 6"], licence: "CC-BY-4.0",
                authors: ["Nguyễn Văn A"])
        }
        func item(_ id: String, _ title: String, _ content: ExportItem.Content, lti: String? = nil) -> ExportItem {
            ExportItem(
                identifier: id, pid: "HL-\(id)", metadata: meta(title), taxonPaths: [taxon], landingURL: "https://hoclieu.example.vn/id/HL-\(id)",
                ltiLaunchURL: lti, content: content)
        }
        let questions = try questions()
        let items = [
            item("R_page", "Bài giảng phân số", .file(source: html, fileName: "Bài giảng phân số.html", mediaType: "text/html")),
            item("R_pdf", "Chương trình Tin học", .file(source: pdf, fileName: "CT Tin học 2018.pdf", mediaType: "application/pdf")),
            item("R_scorm", "Golf (SCORM 1.2)", .package(source: scorm, fileName: "golf.zip", launch: launch)),
            item("R_link", "Trang tham khảo", .webLink(url: "https://vi.wikipedia.org/wiki/Phân_số")),
            item(
                "R_lti", "Mô phỏng", .ltiLink(launchURL: "https://tool.example.vn/launch", customParameters: ["unit": "TOAN.6", "bad name": "x"]),
                lti: "https://hoclieu.example.vn/lti/launch"),
            item("R_topic", "Thảo luận", .discussion(html: "<p>Vì sao <b>1/2 = 2/4</b>?</p>")),
            item("R_quiz", "Kiểm tra 15 phút", .questions(questions, isBank: false)),
            item("R_bank", "Ngân hàng câu hỏi", .questions(questions, isBank: true)),
        ]
        let outline = [
            ExportNode(
                title: "Chương 1", children: [
                    ExportNode(title: "Bài 1", children: [ExportNode(title: "Bài giảng", item: "R_page"), ExportNode(title: "", item: "R_scorm")]),
                    ExportNode(title: "Tài liệu", item: "R_pdf"),
                ]),
            ExportNode(title: "Luyện tập", children: ["R_link", "R_lti", "R_topic", "R_quiz"].map { ExportNode(title: "", item: $0) }),
        ]
        return CartridgeExportRequest(
            format: format, target: target, identifier: "hoclieu-export-1", metadata: meta("Toán 6 — Phân số"), organisation: outline,
            items: items)
    }

    /// Unzips into a directory with the system `unzip` (it must read our archives too).
    static func unzip(_ archive: URL, to dir: URL) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
        p.arguments = ["-qq", "-o", archive.path, "-d", dir.path]
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    static func compile(_ path: String, catalog: Bool = true) throws -> XMLSchema {
        try XMLSchema(
            contentsOf: schemas.appendingPathComponent(path), allowedDirectories: [schemas],
            catalog: catalog ? schemas.appendingPathComponent("catalog.xml") : nil)
    }

    // MARK: CC 1.1

    @Test("CC 1.1 (target Moodle): the manifest and every descriptor validate against the official CC 1.1 schemas", .needsCorpus)
    func cc11SchemaValid() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("course.imscc")
        let report = try CartridgeWriter.write(try Self.request(.cc1p1, in: dir, target: .moodle), to: out)
        #expect(report.resourceTypes["webcontent"] == 3)
        #expect(report.resourceTypes["imsqti_xmlv1p2/imscc_xmlv1p1/question-bank"] == 1)

        let archive = try SafeArchive(url: out)
        let manifest = try XMLDocument(data: try archive.data("imsmanifest.xml"))
        // The manifest the way Moodle validates it (its driver imports the whole CC 1.1 set), and with the official root schema.
        let moodle = try Self.compile("cc/v1p1_moodle/cc11libxml2validator.xsd", catalog: false)
        #expect(moodle.validate(manifest).map(\.description) == [])
        #expect(try Self.compile("cc/v1p1/ccv1p1_imscp_v1p2_v1p0.xsd").validate(manifest).map(\.description) == [])

        let bySuffix = [
            "weblink.xml": "cc/v1p1/ccv1p1_imswl_v1p1.xsd", "topic.xml": "cc/v1p1/ccv1p1_imsdt_v1p1.xsd", "lti.xml": "cc/v1p1/imslticc_v1p0p1.xsd",
            "assessment.xml": "cc/v1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd", "questionbank.xml": "cc/v1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd",
        ]
        var checked = 0
        for path in archive.paths {
            guard let schema = bySuffix.first(where: { path.hasSuffix("/" + $0.key) })?.value else { continue }
            let document = try XMLDocument(data: try archive.data(path))
            #expect(try Self.compile(schema).validate(document).map(\.description) == [], "\(path)")
            checked += 1
        }
        #expect(checked == 5)
        try Self.checkStructure(out, profileNamespace: "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1", version: "1.1")

        // Losses: the narrowed question types, the shortened taxon paths, the SCORM package, the bad LTI parameter.
        let codes = Set(report.losses.map(\.code))
        #expect(codes.contains("taxonPathShortened"))
        #expect(codes.contains("packageTrackingLost"))
        #expect(codes.contains("ltiCustomDropped"))
        let questionLosses = report.losses.filter { $0.resource == "R_quiz" }
        #expect(questionLosses.contains { $0.english.contains("ddwtos") || $0.english.contains("cloze") || $0.english.contains("gapselect") || $0.code == "questionDropped" })
        #expect(!questionLosses.isEmpty)
    }

    @Test("Moodle imports CC 1.1 only: another format for Moodle is refused with a bilingual message", .needsCorpus)
    func moodleNeedsCC11() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("x.imscc")
        #expect(throws: CartridgeExportError.formatNotAccepted(format: .cc1p3, target: .moodle)) {
            try CartridgeWriter.write(try Self.request(.cc1p3, in: dir, target: .moodle), to: out)
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    // MARK: CC 1.2, 1.3, thin

    @Test("CC 1.2 and 1.3: every reference resolves, every file is in the zip and in the manifest, namespaces of the version", .needsCorpus, arguments: [
        (CartridgeExportFormat.cc1p2, "1.2"), (.cc1p3, "1.3"),
    ])
    func laterVersions(format: CartridgeExportFormat, version: String) throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("course.imscc")
        let report = try CartridgeWriter.write(try Self.request(format, in: dir, target: .canvas), to: out)
        let p = "v" + version.replacingOccurrences(of: ".", with: "p")
        #expect(report.resourceTypes["imswl_xml\(p)"] == 1)
        #expect(report.resourceTypes["imsdt_xml\(p)"] == 1)
        #expect(report.resourceTypes["imsqti_xmlv1p2/imscc_xml\(p)/assessment"] == 1)
        #expect(!report.losses.contains { $0.code == "taxonPathShortened" })
        try Self.checkStructure(out, profileNamespace: "http://www.imsglobal.org/xsd/imscc\(p)/imscp_v1p1", version: version)
    }

    @Test("Thin CC 1.3: links only, LTI where Hoclieu is a tool, web links to the landing page otherwise", .needsCorpus)
    func thin() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("thin.imscc")
        let report = try CartridgeWriter.write(try Self.request(.thinCC1p3, in: dir), to: out)
        #expect(report.resourceTypes == ["imswl_xmlv1p3": 7, "imsbasiclti_xmlv1p0": 1])
        #expect(report.losses.filter { $0.code == "linkedNotIncluded" }.count == 6)
        let manifest = try Self.checkStructure(out, profileNamespace: "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1", version: "1.3")
        #expect(manifest.contains("<schema>IMS Thin Common Cartridge</schema>"))
        let archive = try SafeArchive(url: out)
        #expect(archive.paths.allSatisfy { $0 == "imsmanifest.xml" || $0.hasSuffix("/weblink.xml") || $0.hasSuffix("/lti.xml") })
        let link = String(decoding: try archive.data("R_page/weblink.xml"), as: UTF8.self)
        #expect(link.contains("https://hoclieu.example.vn/id/HL-R_page"))
    }

    /// Checks a cartridge the way an importer would: references, files, namespaces. Returns the manifest text.
    @discardableResult
    static func checkStructure(_ out: URL, profileNamespace: String, version: String) throws -> String {
        let archive = try SafeArchive(url: out)
        let data = try archive.data("imsmanifest.xml")
        let text = String(decoding: data, as: UTF8.self)
        let document = try XMLDocument(data: data)
        let root = try #require(document.root)
        #expect(root.name == "manifest")
        #expect(root.namespaceURI == profileNamespace)
        #expect(text.contains("<schemaversion>\(version).0</schemaversion>"))
        // Every namespace declared on the root belongs to this version.
        let p = "imscc" + "v" + version.replacingOccurrences(of: ".", with: "p")
        let declared = text.split(separator: " ").filter { $0.hasPrefix("xmlns") }.map { $0.split(separator: "\"")[1] }
        #expect(!declared.isEmpty)
        for ns in declared where ns != "http://www.w3.org/2001/XMLSchema-instance" { #expect(ns.contains(p), "\(ns)") }

        let resources = Set(Self.attributes("identifier", of: "resource", in: text))
        let refs = Self.attributes("identifierref", of: "item", in: text) + Self.attributes("identifierref", of: "dependency", in: text)
        #expect(!refs.isEmpty)
        for ref in refs { #expect(resources.contains(ref), "\(ref)") }
        let files = Self.attributes("href", of: "file", in: text)
        for file in files { #expect(archive.contains(file), "\(file)") }
        let listed = Set(files)
        for path in archive.paths where path != "imsmanifest.xml" { #expect(listed.contains(path), "\(path) is not in the manifest") }
        #expect(archive.paths.first == "imsmanifest.xml")
        try archive.verify()
        return text
    }

    /// Values of `attribute` on every `<element …>` start tag (the writer's own output: one attribute syntax).
    static func attributes(_ attribute: String, of element: String, in text: String) -> [String] {
        var values: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "<\(element) ") {
            let tagEnd = rest[start.upperBound...].firstIndex(of: ">") ?? rest.endIndex
            let tag = rest[start.upperBound..<tagEnd]
            if let a = tag.range(of: " \(attribute)=\"") ?? (tag.hasPrefix("\(attribute)=\"") ? tag.range(of: "\(attribute)=\"") : nil) {
                let valueEnd = tag[a.upperBound...].firstIndex(of: "\"")!
                values.append(String(tag[a.upperBound..<valueEnd]))
            }
            rest = rest[tagEnd...]
        }
        return values
    }

    // MARK: Determinism, other tools, size

    @Test("Two exports of the same request are byte-identical, and unzip -t reads them", .needsCorpus)
    func deterministic() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for format in CartridgeExportFormat.allCases {
            let a = dir.appendingPathComponent("a-\(format.rawValue).imscc")
            let b = dir.appendingPathComponent("b-\(format.rawValue).imscc")
            _ = try CartridgeWriter.write(try Self.request(format, in: dir), to: a)
            _ = try CartridgeWriter.write(try Self.request(format, in: dir), to: b)
            #expect(try Data(contentsOf: a) == Data(contentsOf: b), "\(format)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
        p.arguments = ["-tqq", dir.appendingPathComponent("a-cc1.1.imscc").path]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let unpacked = dir.appendingPathComponent("unpacked")
        #expect(try Self.unzip(dir.appendingPathComponent("a-cc1.3.imscc"), to: unpacked) == 0)
        #expect(FileManager.default.fileExists(atPath: unpacked.appendingPathComponent("R_pdf/CT_Tin_hoc_2018.pdf").path))
    }

    @Test("A 50 MB blob streams into the cartridge and reads back with its CRC")
    func largeFile() throws {
        let dir = try Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let blob = dir.appendingPathComponent("video.bin")
        FileManager.default.createFile(atPath: blob.path, contents: nil)
        let handle = try FileHandle(forWritingTo: blob)
        var state: UInt64 = 42
        for _ in 0..<50 {
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            for i in stride(from: 0, to: chunk.count, by: 8) {
                state = state &* 6_364_136_223_846_793_005 &+ 1
                withUnsafeBytes(of: state) { for j in 0..<8 { chunk[i + j] = $0[j] } }
            }
            handle.write(Data(chunk))
        }
        try handle.close()
        let request = CartridgeExportRequest(
            format: .cc1p1, identifier: "big", metadata: MaterialMetadata(title: "Video"),
            items: [
                ExportItem(
                    identifier: "R_video", pid: "HL-1", metadata: MaterialMetadata(title: "Video"), landingURL: "https://h.example/id/HL-1",
                    content: .file(source: blob, fileName: "Video bài học.mp4", mediaType: "video/mp4"))
            ])
        let out = dir.appendingPathComponent("big.imscc")
        let report = try CartridgeWriter.write(request, to: out)
        #expect(report.bytes > 50 << 20)
        let archive = try SafeArchive(url: out)
        let entry = try #require(archive.entry("R_video/Video_bai_hoc.mp4"))
        #expect(entry.uncompressedSize == 50 << 20)
        try archive.verify()
    }
}

/// Export speed on a directory of files, against `zip -qr` on the same files. Runs only when
/// `HOCLIEU_CC_BENCH_DIR` names a directory (e.g. 200 MB of random files); prints both times.
@Suite("Cartridge export speed (opt-in)")
struct CartridgeWriterBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["HOCLIEU_CC_BENCH_DIR"] != nil))
    func speedAgainstZip() throws {
        let source = URL(fileURLWithPath: ProcessInfo.processInfo.environment["HOCLIEU_CC_BENCH_DIR"]!)
        let names = try FileManager.default.contentsOfDirectory(atPath: source.path).sorted()
        let items = names.enumerated().map { i, name in
            ExportItem(
                identifier: "R_\(i)", pid: "HL-\(i)", metadata: MaterialMetadata(title: name), landingURL: "https://h.example/id/HL-\(i)",
                content: .file(source: source.appendingPathComponent(name), fileName: name, mediaType: "application/octet-stream"))
        }
        let out = source.deletingLastPathComponent().appendingPathComponent("bench.imscc")
        let clock = ContinuousClock()
        let ours = try clock.measure {
            _ = try CartridgeWriter.write(CartridgeExportRequest(format: .cc1p1, identifier: "bench", metadata: MaterialMetadata(title: "b"), items: items), to: out)
        }
        let zipOut = source.deletingLastPathComponent().appendingPathComponent("bench-zip.zip")
        try? FileManager.default.removeItem(at: zipOut)
        let zip = try clock.measure {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
            p.currentDirectoryURL = source
            p.arguments = ["-qr", zipOut.path, "."]
            try p.run()
            p.waitUntilExit()
        }
        print("CartridgeWriter: \(ours)  zip -qr: \(zip)  files: \(names.count)")
    }
}
