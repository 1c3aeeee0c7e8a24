import ConformanceCorpus
import ContentPackages
import Foundation
import Testing
import ZIPFoundation

@Suite("The archive index: ranges, ZIP64, corruption")
struct SafeArchiveTests {
    func temporary(_ name: String = "zip") -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("safearchive-\(UUID().uuidString).\(name)")
    }

    func zip(_ entries: [(String, Data, CompressionMethod)]) throws -> URL {
        let url = temporary()
        let archive = try Archive(url: url, accessMode: .create)
        for (path, data, method) in entries {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: method) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return url
    }

    /// Bytes that do not compress to nothing, so deflated entries stay a few hundred KiB.
    func noise(_ count: Int) -> Data {
        var state: UInt32 = 2018
        return Data((0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(truncatingIfNeeded: state >> 24) & 0x3F
        })
    }

    @Test("Any byte range of a stored or deflated entry, and whole entries with their CRC")
    func ranges() throws {
        let body = noise(300_000)
        let url = try zip([("video.mp4", body, .none), ("page.html", body, .deflate)])
        defer { try? FileManager.default.removeItem(at: url) }
        let archive = try SafeArchive(url: url)
        #expect(archive.paths == ["video.mp4", "page.html"])
        for path in archive.paths {
            let entry = try #require(archive.entry(path))
            #expect(try archive.data(entry, limit: 1 << 20) == body)
            for range: Range<UInt64> in [0..<1, 65_530..<65_600, 299_000..<300_000, 123_456..<223_456] {
                var got = Data()
                try archive.read(entry, range: range, chunkSize: 4096) { got.append($0) }
                #expect(got == body.subdata(in: Int(range.lowerBound)..<Int(range.upperBound)), "\(path) \(range)")
            }
        }
        try archive.verify()
    }

    @Test("A corrupted byte fails verification with a CRC or data error")
    func corruption() throws {
        let url = try zip([("a.html", noise(100_000), .deflate), ("b.bin", noise(50_000), .none)])
        defer { try? FileManager.default.removeItem(at: url) }
        var bytes = try Data(contentsOf: url)
        bytes[60_000] ^= 0x55  // inside a.html's deflated data
        bytes[bytes.count - 200 - 30_000] ^= 0x01  // inside b.bin
        try bytes.write(to: url)
        let archive = try SafeArchive(url: url)
        #expect(throws: ArchiveError.self) { try archive.verify() }
        #expect(throws: ArchiveError.self) { try archive.data("b.bin") }
    }

    @Test("Truncated archives and garbage are unreadable, not a crash or a hang")
    func truncated() throws {
        let url = try zip([("a.html", noise(100_000), .deflate)])
        defer { try? FileManager.default.removeItem(at: url) }
        let bytes = try Data(contentsOf: url)
        for cut in [10, 21, bytes.count / 2, bytes.count - 23] {
            let part = temporary()
            defer { try? FileManager.default.removeItem(at: part) }
            try bytes.prefix(cut).write(to: part)
            #expect(throws: ArchiveError.self) { _ = try SafeArchive(url: part).data("a.html") }
        }
        let garbage = temporary()
        defer { try? FileManager.default.removeItem(at: garbage) }
        try noise(5000).write(to: garbage)
        #expect(throws: ArchiveError.self) { try SafeArchive(url: garbage) }
    }

    @Test("A header that understates the expanded size is caught by counting bytes")
    func lyingHeader() throws {
        let url = try zip([("index.html", Data(count: 900_000), .deflate)])
        defer { try? FileManager.default.removeItem(at: url) }
        var bytes = try Data(contentsOf: url)
        let central = try #require(bytes.firstRange(of: Data([0x50, 0x4b, 0x01, 0x02]))).lowerBound
        bytes.replaceSubrange((central + 24)..<(central + 28), with: [0x00, 0x10, 0x00, 0x00])  // claims 4,096 bytes
        try bytes.write(to: url)
        let archive = try SafeArchive(url: url)
        #expect(archive.expandedBytes == 4096)
        #expect(throws: ArchiveError.unreadable("index.html: expands beyond its declared size")) { try archive.verify() }
    }

    @Test("A symlink entry is refused")
    func symlink() throws {
        let url = temporary()
        defer { try? FileManager.default.removeItem(at: url) }
        let archive = try Archive(url: url, accessMode: .create)
        try archive.addEntry(with: "index.html", type: .file, uncompressedSize: Int64(1)) { (_: Int64, _: Int) in Data("x".utf8) }
        try archive.addEntry(with: "passwd", type: .symlink, uncompressedSize: Int64(11)) { (_: Int64, _: Int) in Data("/etc/passwd".utf8) }
        #expect(throws: ArchiveError.symlink("passwd")) { try SafeArchive(url: url) }
    }

    @Test("ZIP64: sizes and offsets in the ZIP64 extra field and end record")
    func zip64() throws {
        let content = Data("<html><title>ZIP64</title></html>".utf8)
        let url = temporary()
        defer { try? FileManager.default.removeItem(at: url) }
        try Self.zip64Archive(name: "index.html", content: content).write(to: url)
        let archive = try SafeArchive(url: url)
        #expect(archive.paths == ["index.html"])
        #expect(try archive.data("index.html") == content)
        let report = try PackageInspector.inspect(url)
        #expect(report.kind == .html5 && report.title == "ZIP64")
    }

    /// A one-entry stored archive written the way tools write archives over 4 GB: every size and offset
    /// in the classic fields is 0xFFFFFFFF and the real values are in ZIP64 records.
    static func zip64Archive(name: String, content: Data) -> Data {
        var out = Data()
        func u16(_ v: Int) { out.append(contentsOf: [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)]) }
        func u32(_ v: UInt32) { for i in 0..<4 { out.append(UInt8(v >> (8 * UInt32(i)) & 0xFF)) } }
        func u64(_ v: UInt64) { for i in 0..<8 { out.append(UInt8(v >> (8 * UInt64(i)) & 0xFF)) } }
        let crc = content.crc32(checksum: 0)
        let nameBytes = Data(name.utf8)
        // Local header with a ZIP64 extra (uncompressed, compressed).
        u32(0x0403_4b50); u16(45); u16(0x0800); u16(0); u16(0); u16(0); u32(crc); u32(0xFFFF_FFFF); u32(0xFFFF_FFFF)
        u16(nameBytes.count); u16(20); out.append(nameBytes)
        u16(1); u16(16); u64(UInt64(content.count)); u64(UInt64(content.count))
        out.append(content)
        // Central directory entry with a ZIP64 extra (uncompressed, compressed, local header offset).
        let directoryOffset = UInt64(out.count)
        u32(0x0201_4b50); u16(45); u16(45); u16(0x0800); u16(0); u16(0); u16(0); u32(crc); u32(0xFFFF_FFFF); u32(0xFFFF_FFFF)
        u16(nameBytes.count); u16(28); u16(0); u16(0); u16(0); u32(0); u32(0xFFFF_FFFF); out.append(nameBytes)
        u16(1); u16(24); u64(UInt64(content.count)); u64(UInt64(content.count)); u64(0)
        let directorySize = UInt64(out.count) - directoryOffset
        // ZIP64 end of central directory record, its locator, then the classic record full of 0xFF.
        let recordOffset = UInt64(out.count)
        u32(0x0606_4b50); u64(44); u16(45); u16(45); u32(0); u32(0); u64(1); u64(1); u64(directorySize); u64(directoryOffset)
        u32(0x0706_4b50); u32(0); u64(recordOffset); u32(1)
        u32(0x0605_4b50); u16(0); u16(0); u16(0xFFFF); u16(0xFFFF); u32(0xFFFF_FFFF); u32(0xFFFF_FFFF); u16(0)
        return out
    }
}

@Suite("Manifests are checked against the official schemas")
struct ManifestSchemaTests {
    func package(manifest: Data, files: [String: Data] = [:]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("manifest-\(UUID().uuidString).zip")
        let archive = try Archive(url: url, accessMode: .create)
        for (path, data) in [("imsmanifest.xml", manifest)] + files.sorted(by: { $0.key < $1.key }) {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count)) { (position: Int64, size: Int) in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return url
    }

    @Test("ADL SCORM 2004 4th edition test-suite manifests are SCORM 2004 and schema-valid", .needsCorpus, arguments: ["CM-01", "CO-03", "CT-01", "OB-01a", "SX-02"])
    func adl(_ name: String) throws {
        let folder = corpus.appendingPathComponent("scorm/scorm2004/adl_4ed_testsuite_lms_course_manifests/LMSTestPackage_\(name)")
        let url = try package(manifest: Data(contentsOf: folder.appendingPathComponent("imsmanifest.xml")))
        defer { try? FileManager.default.removeItem(at: url) }
        let report = try PackageInspector.inspect(url)
        #expect(report.kind == .scorm2004)
        #expect(!report.warnings.contains { $0.contains("schema") }, "\(report.warnings)")
        #expect(report.warnings.contains { $0.contains("launch file missing") })  // the manifests come without their SCOs
    }

    @Test("A SCORM 1.2 manifest that breaks its schema plays, with the violation as a warning")
    func invalid12() throws {
        let manifest = """
            <?xml version="1.0"?>
            <manifest identifier="m1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
              <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
              <organizations default="o1"><organization identifier="o1"><title>Phân số</title>
                <item identifier="i1" identifierref="r1"><title>Bài 1</title><colour>red</colour></item></organization></organizations>
              <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html"><file href="index.html"/></resource></resources>
            </manifest>
            """
        let url = try package(manifest: Data(manifest.utf8), files: ["index.html": Data("<html></html>".utf8)])
        defer { try? FileManager.default.removeItem(at: url) }
        let report = try PackageInspector.inspect(url)
        #expect(report.kind == .scorm12 && report.title == "Phân số" && report.launch == "index.html")
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.contains("does not match the SCORM 1.2 schema: line 5") == true, "\(report.warnings)")
        #expect(report.warnings.first?.contains("colour") == true)
    }
}

@Suite("Organisation trees")
struct OutlineTests {
    @Test("The golf course's organisation is a tree of SCOs with their launch paths", .needsCorpus)
    func golf() throws {
        let report = try PackageInspector.inspect(corpus.appendingPathComponent("scorm/scorm12/rustici_RuntimeMinimumCalls_SCORM12.zip"))
        #expect(report.outline.count == 4)
        let first = try #require(report.outline.first)
        #expect(first.href == nil && !first.children.isEmpty)
        #expect(first.children.first?.href == "Playing/Playing.html" && first.children.first?.isSCO == true)
        #expect(report.outline.flatMap(\.children).count == report.scos.count - report.outline.filter { $0.href != nil }.count)
    }
}
