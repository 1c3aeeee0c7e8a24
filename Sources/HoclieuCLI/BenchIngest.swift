import ArgumentParser
import Foundation
import HoclieuCore
import HoclieuApp
import HoclieuStorage
import ZIPFoundation

/// `hoclieu bench ingest`: ingests a generated SCORM-like package the way an upload is ingested, and
/// compares the time with `unzip -t` on the same file in the same run.
///
/// Ingestion is what happens after the upload's bytes arrived: the file goes into the blob store
/// (copied, hashed with SHA-256, fsynced), the archive is checked and indexed, the manifest is parsed and
/// validated against the SCORM schema, every entry is expanded and its CRC checked (the `unzip -t`
/// part), and the version row is written. The package (a manifest with one SCO per folder, HTML pages
/// that compress and media that does not) is generated once and reused; generate it in a separate run
/// (`--generate-only`) to measure peak memory with `/usr/bin/time -v` on ingestion alone.
struct BenchIngest: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "ingest", abstract: "Package ingestion benchmark.")

    @OptionGroup var common: CommonOptions
    @Option(help: "The package to ingest (generated when missing).") var file = "/tmp/hoclieu-bench-ingest/package.zip"
    @Option(help: "Entries in a generated package.") var entries = 5000
    @Option(help: "Approximate size of a generated package file, in MB.") var megabytes = 300
    @Flag(help: "Only generate the package.") var generateOnly = false

    struct Report: Encodable, CustomStringConvertible {
        var file: String
        var bytes: Int64
        var entries: Int
        var expandedBytes: Int64
        var kind: String?
        var warnings: Int
        var ingestSeconds: Double
        var unzipTestSeconds: Double?
        var ratioToUnzip: Double?
        var peakResidentMB: Double

        var description: String {
            if kind == nil { return "generated            \(file) (\(humanBytes(bytes)), \(entries) entries)" }
            return """
            package              \(file) (\(humanBytes(bytes)), \(entries) entries, \(humanBytes(expandedBytes)) expanded, \(kind ?? "-"), \(warnings) warnings)
            ingestion            \(String(format: "%.2f", ingestSeconds)) s (\(String(format: "%.0f", Double(bytes) / 1_048_576 / max(ingestSeconds, 1e-9))) MB/s)
            unzip -t             \(unzipTestSeconds.map { String(format: "%.2f s", $0) } ?? "not installed")
            ingestion / unzip -t \(ratioToUnzip.map { String(format: "%.2f×", $0) } ?? "-")
            peak resident memory \(String(format: "%.1f", peakResidentMB)) MB (whole process)
            """
        }
    }

    func execute() async throws -> Report {
        let url = URL(fileURLWithPath: file)
        if !FileManager.default.fileExists(atPath: url.path) {
            try Self.generate(at: url, entries: entries, bytes: Int64(megabytes) << 20)
        }
        let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? 0
        if generateOnly {
            return Report(file: url.path, bytes: size, entries: entries, expandedBytes: 0, kind: nil, warnings: 0, ingestSeconds: 0, peakResidentMB: Self.peakResidentMB())
        }
        let unzip = try Self.time("/usr/bin/unzip", ["-tqq", url.path])

        let repository = try common.openRepository()
        let admin = try await Self.adminID(repository)
        let start = Date()
        let material = try await repository.store.createMaterial(
            MaterialDraft(kind: .lesson, format: "application/zip", metadata: MaterialMetadata(title: "bench ingest"), visibility: .private, status: .draft),
            ownerID: admin, firstVersion: nil)
        let blob = try repository.blobs.store(fileAt: url, limit: 1 << 40)
        let described = try await repository.describe(blob, fileName: url.lastPathComponent, declaredType: "application/zip")
        _ = try await repository.store.addVersion(
            material.pid,
            VersionDraft(
                contentID: blob.contentID, fileName: url.lastPathComponent, mediaType: described.mediaType, byteSize: blob.byteSize,
                createdBy: admin, extractedText: described.extractedText, package: described.package))
        let seconds = Date().timeIntervalSince(start)
        return Report(
            file: url.path, bytes: size, entries: described.package?.entryCount ?? 0, expandedBytes: described.package?.expandedBytes ?? 0,
            kind: described.package?.kind, warnings: described.package?.warnings.count ?? 0, ingestSeconds: seconds, unzipTestSeconds: unzip,
            ratioToUnzip: unzip.map { seconds / $0 }, peakResidentMB: Self.peakResidentMB())
    }

    /// The bench's owner: `admin`, created in an empty bench folder.
    static func adminID(_ repository: Services) async throws -> Int64 {
        if try await repository.store.userCount() == 0 { _ = try await repository.bootstrapAdmin(password: nil) }
        guard let id = try await repository.store.credentials(username: "admin")?.user.id else { throw ValidationError("no user 'admin'") }
        return id
    }

    /// Wall time of a command (run in `directory` when given), nil when it is not installed; a failure is an error.
    static func time(_ executable: String, _ arguments: [String], in directory: URL? = nil) throws -> Double? {
        guard FileManager.default.isExecutableFile(atPath: executable) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("\(executable) \(arguments.joined(separator: " ")) failed") }
        return Date().timeIntervalSince(start)
    }

    static func peakResidentMB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// A SCORM 1.2 package of about `bytes` on disk: `imsmanifest.xml` with one SCO per folder of 50
    /// files; a third of the files are HTML pages (Vietnamese text, which deflates to almost nothing), the
    /// rest media that do not compress.
    static func generate(at url: URL, entries: Int, bytes: Int64) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let archive = try Archive(url: url, accessMode: .create)
        // Two entries in three are media that do not compress: they make up the file's size.
        let perEntry = Int(bytes * 3 / 2 / Int64(max(entries - 1, 1)))
        let folders = (entries - 1 + 49) / 50
        var manifest = """
            <?xml version="1.0" encoding="UTF-8"?>
            <manifest identifier="bench" version="1.0" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
              xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
            <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
            <organizations default="org"><organization identifier="org"><title>Bài giảng điện tử (bench)</title>

            """
        var resources = "<resources>\n"
        var names: [String] = []
        for i in 0..<(entries - 1) {
            let folder = i / 50
            names.append(i % 3 == 0 ? "sco\(folder)/page\(i).html" : "sco\(folder)/media\(i).bin")
        }
        for folder in 0..<folders {
            manifest += "<item identifier=\"i\(folder)\" identifierref=\"r\(folder)\"><title>Bài \(folder + 1)</title></item>\n"
            let files = names[(folder * 50)..<min(folder * 50 + 50, names.count)]
            resources += "<resource identifier=\"r\(folder)\" type=\"webcontent\" adlcp:scormtype=\"sco\" href=\"\(files.first!)\">"
                + files.map { "<file href=\"\($0)\"/>" }.joined() + "</resource>\n"
        }
        manifest += "</organization></organizations>\n" + resources + "</resources></manifest>\n"
        try archive.addEntry("imsmanifest.xml", data: Data(manifest.utf8), compress: false)
        let text = Data(String(repeating: "<p>Phân số và số thập phân: học sinh nhận biết, so sánh và thực hiện phép tính với phân số. </p>\n", count: perEntry / 100 + 1).utf8)
        var noise = NoiseBytes()
        for (i, name) in names.enumerated() {
            try archive.addEntry(name, data: i % 3 == 0 ? text.prefix(perEntry) : noise.next(perEntry), compress: true)
        }
    }
}
