import ArgumentParser
import CommonCartridge
import Foundation
import HoclieuCore
import HoclieuApp
import HoclieuStorage
import Synchronization
import ZIPFoundation

/// `hoclieu bench cartridge`: imports a generated Common Cartridge 1.1 (by default 500 MB, 10,000
/// resources) into a fresh data folder, exports the imported set again as CC 1.1, and compares both
/// with the standard tools on the same files in the same run: the import with `unzip -o` of the archive
/// to disk, the export with `zip -r` of the unzipped folder.
///
/// Generate the cartridge in a separate run (`--generate-only`) so that the import's peak resident
/// memory is measured alone.
struct BenchCartridge: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "cartridge", abstract: "Common Cartridge import/export benchmark.")

    @OptionGroup var common: CommonOptions
    @Option(help: "The cartridge to import (generated when missing).") var file = "/tmp/hoclieu-bench-cartridge/course.imscc"
    @Option(help: "Resources in a generated cartridge.") var resources = 10_000
    @Option(help: "Approximate size of a generated cartridge, in MB.") var megabytes = 500
    @Flag(help: "Only generate the cartridge.") var generateOnly = false
    @Flag(help: "Skip the export half.") var skipExport = false

    struct Report: Encodable, CustomStringConvertible {
        var file: String
        var bytes: Int64
        var resources: Int
        var materials: Int
        var questions: Int
        var warnings: Int
        var importSeconds: Double
        /// Import phases: reading and checking the manifest (the plan), storing the files, the database transaction.
        var planSeconds: Double?
        var filesSeconds: Double?
        var syncSeconds: Double?
        var exportRequestSeconds: Double?
        var unzipSeconds: Double?
        var importRatio: Double?
        var peakResidentMBAfterImport: Double
        var exportSeconds: Double?
        var exportBytes: Int64?
        var zipSeconds: Double?
        /// Export speed as a share of `zip -r`'s (1 = as fast; ≥ 0.8 is the target).
        var exportSpeedVsZip: Double?

        var description: String {
            if materials == 0 && importSeconds == 0 { return "generated              \(file) (\(humanBytes(bytes)), \(resources) resources)" }
            func s(_ x: Double?) -> String { x.map { String(format: "%.2f s", $0) } ?? "-" }
            return """
            cartridge              \(file) (\(humanBytes(bytes)), \(resources) resources)
            import                 \(s(importSeconds)) (\(materials) materials, \(questions) questions, \(warnings) warnings)
              manifest and plan    \(s(planSeconds))
              files into blobs     \(s(filesSeconds))
              syncfs (durable)     \(s(syncSeconds))
              one transaction      \(s(planSeconds.flatMap { p in filesSeconds.flatMap { f in syncSeconds.map { importSeconds - p - f - $0 } } }))
            unzip -o               \(s(unzipSeconds))
            import / unzip -o      \(importRatio.map { String(format: "%.2f×", $0) } ?? "-") (target ≤ 3×)
            peak resident memory   \(String(format: "%.1f", peakResidentMBAfterImport)) MB after the import (whole process; target ≤ 150 MB)
            export cc1.1           \(s(exportSeconds))\(exportBytes.map { " (\(humanBytes($0)))" } ?? "") (reading the materials: \(s(exportRequestSeconds)))
            zip -r                 \(s(zipSeconds))
            export speed / zip -r  \(exportSpeedVsZip.map { String(format: "%.2f", $0) } ?? "-") (target ≥ 0.8)
            """
        }
    }

    func execute() async throws -> Report {
        let url = URL(fileURLWithPath: file)
        if !FileManager.default.fileExists(atPath: url.path) {
            try Self.generate(at: url, resources: resources, bytes: Int64(megabytes) << 20)
        }
        let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? 0
        if generateOnly {
            return Report(
                file: url.path, bytes: size, resources: resources, materials: 0, questions: 0, warnings: 0, importSeconds: 0,
                peakResidentMBAfterImport: BenchIngest.peakResidentMB())
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-bench-unzip-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let unzip = try BenchIngest.time("/usr/bin/unzip", ["-o", "-qq", url.path, "-d", scratch.path])

        let repository = try common.openRepository()
        let admin = try await BenchIngest.adminID(repository)
        let start = Date()
        let marks = PhaseMarks()
        let report = try await repository.importCartridge(
            at: url, fileName: url.lastPathComponent, ownerID: admin, progress: { marks.progress($0, since: start) })
        let importSeconds = Date().timeIntervalSince(start)
        let (planned, stored, synced) = marks.phases
        let peak = BenchIngest.peakResidentMB()

        var exportSeconds: Double?
        var exportBytes: Int64?
        var zipSeconds: Double?
        var exportRequestSeconds: Double?
        if !skipExport {
            let out = scratch.deletingLastPathComponent().appendingPathComponent("hoclieu-bench-export-\(UUID().uuidString).imscc")
            defer { try? FileManager.default.removeItem(at: out) }
            let exportStart = Date()
            let (request, _) = try await repository.cartridgeRequest(ExportSelection(all: true), format: .cc1p1, target: nil, user: .localOperator)
            exportRequestSeconds = Date().timeIntervalSince(exportStart)
            _ = try CartridgeWriter.write(request, to: out)
            exportSeconds = Date().timeIntervalSince(exportStart)
            exportBytes = (try FileManager.default.attributesOfItem(atPath: out.path)[.size] as? NSNumber)?.int64Value
            let zipped = scratch.deletingLastPathComponent().appendingPathComponent("hoclieu-bench-zip-\(UUID().uuidString).zip")
            defer { try? FileManager.default.removeItem(at: zipped) }
            zipSeconds = try BenchIngest.time("/usr/bin/zip", ["-r", "-q", zipped.path, "."], in: scratch)
        }
        return Report(
            file: url.path, bytes: size, resources: resources, materials: report.counts.materials, questions: report.counts.questions,
            warnings: report.warnings.count, importSeconds: importSeconds, planSeconds: planned, filesSeconds: stored.flatMap { s in planned.map { s - $0 } }, syncSeconds: synced.flatMap { s in stored.map { s - $0 } },
            exportRequestSeconds: exportRequestSeconds, unzipSeconds: unzip, importRatio: unzip.map { importSeconds / $0 },
            peakResidentMBAfterImport: peak, exportSeconds: exportSeconds, exportBytes: exportBytes, zipSeconds: zipSeconds,
            exportSpeedVsZip: zipSeconds.flatMap { zip in exportSeconds.map { zip / $0 } })
    }

    /// When the import's progress passed the end of planning (0.3) and of storing files (0.9).
    final class PhaseMarks: Sendable {
        private let marks = Mutex<(Double?, Double?, Double?)>((nil, nil, nil))
        func progress(_ value: Double, since start: Date) {
            marks.withLock { m in
                if m.0 == nil, value >= 0.3 - 1e-9 { m.0 = Date().timeIntervalSince(start) }
                if m.1 == nil, value >= 0.9 - 1e-9 { m.1 = Date().timeIntervalSince(start) }
                if m.2 == nil, value >= 0.95 - 1e-9 { m.2 = Date().timeIntervalSince(start) }
            }
        }
        var phases: (Double?, Double?, Double?) { marks.withLock { $0 } }
    }

    /// A CC 1.1 cartridge of about `bytes`: one module per 100 resources; of every 20 resources, 12 are files
    /// (half media that do not compress, half HTML pages), 3 web links, 2 discussion topics, 2 HTML pages with
    /// an image of their own, and 1 assessment of 5 questions.
    static func generate(at url: URL, resources: Int, bytes: Int64) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: url)
        let archive = try Archive(url: url, accessMode: .create)
        let mediaCount = max(resources * 6 / 20, 1)
        let perMedia = Int(bytes / Int64(mediaCount))
        var entries: [(path: String, data: () -> Data, compress: Bool)] = []
        var items = ""
        var declarations = ""
        var noise = NoiseBytes()
        let page = "<html><body><h1>Bài học</h1>" + String(repeating: "<p>Phân số và số thập phân: so sánh, cộng, trừ. </p>", count: 40) + "</body></html>"
        for i in 0..<resources {
            let id = "R\(i)"
            if i % 100 == 0 { items += (i == 0 ? "" : "</item>\n") + "<item identifier=\"M\(i / 100)\"><title>Chủ đề \(i / 100 + 1)</title>\n" }
            items += "<item identifier=\"I\(i)\" identifierref=\"\(id)\"><title>Học liệu \(i + 1)</title></item>\n"
            switch i % 20 {
            case 0..<6:
                let path = "web_resources/media\(i).mp4"
                entries.append((path, { noise.next(perMedia) }, false))
                declarations += "<resource identifier=\"\(id)\" type=\"webcontent\" href=\"\(path)\"><file href=\"\(path)\"/></resource>\n"
            case 6..<12:
                let path = "web_resources/page\(i).html"
                entries.append((path, { Data(page.utf8) }, true))
                declarations += "<resource identifier=\"\(id)\" type=\"webcontent\" href=\"\(path)\"><file href=\"\(path)\"/></resource>\n"
            case 12..<15:
                let path = "links/link\(i).xml"
                let xml = """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <webLink xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imswl_v1p1"><title>Liên kết \(i)</title><url href="https://hoclieu.example.vn/tai-lieu/\(i)"/></webLink>
                    """
                entries.append((path, { Data(xml.utf8) }, true))
                declarations += "<resource identifier=\"\(id)\" type=\"imswl_xmlv1p1\"><file href=\"\(path)\"/></resource>\n"
            case 15..<17:
                let path = "topics/topic\(i).xml"
                let xml = """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <topic xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imsdt_v1p1"><title>Thảo luận \(i)</title><text texttype="text/html">&lt;p&gt;Em hãy nêu ví dụ về phân số.&lt;/p&gt;</text></topic>
                    """
                entries.append((path, { Data(xml.utf8) }, true))
                declarations += "<resource identifier=\"\(id)\" type=\"imsdt_xmlv1p1\"><file href=\"\(path)\"/></resource>\n"
            case 17..<19:
                let folder = "pages/p\(i)"
                let html = "<html><body><p>Hình minh hoạ</p><img src=\"$IMS-CC-FILEBASE$/\(folder)/hinh.png\"/></body></html>"
                entries.append(("\(folder)/index.html", { Data(html.utf8) }, true))
                entries.append(("\(folder)/hinh.png", { noise.next(2048) }, false))
                declarations += "<resource identifier=\"\(id)\" type=\"webcontent\" href=\"\(folder)/index.html\"><file href=\"\(folder)/index.html\"/><file href=\"\(folder)/hinh.png\"/></resource>\n"
            default:
                let path = "assessments/quiz\(i).xml"
                entries.append((path, { Data(quiz(i).utf8) }, true))
                declarations += "<resource identifier=\"\(id)\" type=\"imsqti_xmlv1p2/imscc_xmlv1p1/assessment\"><file href=\"\(path)\"/></resource>\n"
            }
        }
        items += resources > 0 ? "</item>\n" : ""
        let manifest = """
            <?xml version="1.0" encoding="UTF-8"?>
            <manifest identifier="HOCLIEU_BENCH" xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
              xmlns:lomimscc="http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest">
            <metadata><schema>IMS Common Cartridge</schema><schemaversion>1.1.0</schemaversion>
            <lomimscc:lom><lomimscc:general><lomimscc:title><lomimscc:string language="vi">Khoá học mẫu (bench)</lomimscc:string></lomimscc:title></lomimscc:general></lomimscc:lom></metadata>
            <organizations><organization identifier="O1" structure="rooted-hierarchy"><item identifier="ROOT">
            \(items)</item></organization></organizations>
            <resources>
            \(declarations)</resources>
            </manifest>
            """
        try archive.addEntry("imsmanifest.xml", data: Data(manifest.utf8), compress: true)
        for entry in entries { try archive.addEntry(entry.path, data: entry.data(), compress: entry.compress) }
    }

    /// A CC-profile QTI 1.2 assessment of five single-choice questions.
    static func quiz(_ n: Int) -> String {
        let items = (1...5).map { k in
            """
            <item ident="q\(n)_\(k)" title="Câu \(k)"><presentation><material><mattext texttype="text/html">&lt;p&gt;Bài \(n), câu \(k): \(k) + \(n % 7) = ?&lt;/p&gt;</mattext></material>
            <response_lid ident="r" rcardinality="Single"><render_choice>
            <response_label ident="a"><material><mattext>\(k + n % 7)</mattext></material></response_label>
            <response_label ident="b"><material><mattext>\(k + n % 7 + 1)</mattext></material></response_label>
            </render_choice></response_lid></presentation>
            <resprocessing><outcomes><decvar varname="SCORE" vartype="Decimal" minvalue="0" maxvalue="100"/></outcomes>
            <respcondition continue="No"><conditionvar><varequal respident="r">a</varequal></conditionvar><setvar action="Set" varname="SCORE">100</setvar></respcondition>
            </resprocessing></item>
            """
        }.joined(separator: "\n")
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2"><assessment ident="A\(n)" title="Kiểm tra \(n)">
            <qtimetadata><qtimetadatafield><fieldlabel>cc_profile</fieldlabel><fieldentry>cc.exam.v0p1</fieldentry></qtimetadatafield></qtimetadata>
            <section ident="root_section">
            \(items)
            </section></assessment></questestinterop>
            """
    }
}
