import ContentPackages
import Foundation
import Testing

/// ZIP bytes written field by field (APPNOTE 6.3), for archives no tool would write: sizes and offsets
/// near 2^64 in ZIP64 fields.
struct ZipBytes {
    var bytes = Data()
    var offset: UInt64 { UInt64(bytes.count) }

    mutating func u16(_ v: UInt16) { bytes.append(contentsOf: [UInt8(v & 0xFF), UInt8(v >> 8)]) }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }

    /// A local file header without extra field, then the entry's data as given.
    mutating func local(_ name: String, method: UInt16 = 0, crc: UInt32 = 0, data: Data) {
        let nameBytes = Data(name.utf8)
        u32(0x0403_4b50); u16(20); u16(0x0800); u16(method); u16(0); u16(0x21); u32(crc)
        u32(UInt32(data.count)); u32(UInt32(data.count)); u16(UInt16(nameBytes.count)); u16(0)
        bytes.append(nameBytes)
        bytes.append(data)
    }

    /// A central directory record. Each value given in `zip64` goes to a ZIP64 extra field (uncompressed,
    /// compressed, offset, in that order) with 0xFFFFFFFF in its classic field. `extraLength` overrides the
    /// extra field length the record declares (to make a field that claims more than it holds).
    mutating func central(
        _ name: String, method: UInt16 = 0, crc: UInt32 = 0, compressed: UInt64, uncompressed: UInt64, offset: UInt64,
        zip64: Bool = false, zip64FieldLength: UInt16? = nil, extraLength: UInt16? = nil
    ) {
        let nameBytes = Data(name.utf8)
        var extra = ZipBytes()
        if zip64 {
            extra.u16(0x0001); extra.u16(zip64FieldLength ?? 24); extra.u64(uncompressed); extra.u64(compressed); extra.u64(offset)
        }
        let classic = { (v: UInt64) in zip64 ? 0xFFFF_FFFF : UInt32(v) }
        u32(0x0201_4b50); u16(45); u16(45); u16(0x0800); u16(method); u16(0); u16(0x21); u32(crc)
        u32(classic(compressed)); u32(classic(uncompressed)); u16(UInt16(nameBytes.count)); u16(extraLength ?? UInt16(extra.bytes.count))
        u16(0); u16(0); u16(0); u32(0); u32(classic(offset))
        bytes.append(nameBytes)
        bytes.append(extra.bytes.prefix(Int(extraLength ?? UInt16(extra.bytes.count))))
    }

    /// The classic end-of-central-directory record.
    mutating func end(count: UInt16, size: UInt32, offset: UInt32) {
        u32(0x0605_4b50); u16(0); u16(0); u16(count); u16(count); u32(size); u32(offset); u16(0)
    }

    /// A ZIP64 end record, its locator (pointing at `recordOffset`, where the record is unless told
    /// otherwise) and a classic record full of 0xFF.
    mutating func zip64End(count: UInt64, size: UInt64, offset: UInt64, recordOffset: UInt64? = nil) {
        let here = self.offset
        u32(0x0606_4b50); u64(44); u16(45); u16(45); u32(0); u32(0); u64(count); u64(count); u64(size); u64(offset)
        u32(0x0706_4b50); u32(0); u64(recordOffset ?? here); u32(1)
        end(count: 0xFFFF, size: 0xFFFF_FFFF, offset: 0xFFFF_FFFF)
    }

    func write() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("crafted-\(UUID().uuidString).zip")
        try bytes.write(to: url)
        return url
    }
}

/// Each of these archives trapped the process (arithmetic overflow or an out-of-range read) before the
/// archive reader used checked arithmetic; each must now be a thrown error.
@Suite("Crafted ZIP64 values near 2^64 are errors, never a crash")
struct CraftedArchiveTests {
    static let page = Data("<html><title>x</title></html>".utf8)

    /// A one-entry archive whose central record carries `compressed`, `uncompressed` and `offset` in a
    /// ZIP64 extra field; the local header is a real one at offset 0.
    static func oneEntry(method: UInt16 = 8, compressed: UInt64, uncompressed: UInt64, offset: UInt64 = 0) -> ZipBytes {
        var zip = ZipBytes()
        zip.local("index.html", method: method, data: page)
        let directory = zip.offset
        zip.central("index.html", method: method, compressed: compressed, uncompressed: uncompressed, offset: offset, zip64: true)
        zip.end(count: 1, size: UInt32(zip.offset - directory), offset: UInt32(directory))
        return zip
    }

    @Test("Total expanded size: a 1-byte entry then a ZIP64 entry of 2^64 − 1 bytes")
    func totalExpandedOverflow() throws {
        var zip = ZipBytes()
        zip.local("a.txt", data: Data("x".utf8))
        let second = zip.offset
        zip.local("b.txt", data: Data("y".utf8))
        let directory = zip.offset
        zip.central("a.txt", compressed: 1, uncompressed: 1, offset: 0)
        zip.central("b.txt", method: 8, compressed: 1, uncompressed: .max, offset: second, zip64: true)
        zip.end(count: 2, size: UInt32(zip.offset - directory), offset: UInt32(directory))
        let url = try zip.write()
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: ArchiveError.tooLarge(limit: ArchiveLimits().maxExpandedBytes)) { try SafeArchive(url: url) }
        #expect(throws: PackageError.self) { try PackageInspector.inspect(url) }
    }

    @Test("Total expanded size: entries of 2^63 − 1 and 2^63 + 1 bytes under a limit of Int64.max")
    func totalExpandedOverflowAtLargestLimit() throws {
        var zip = ZipBytes()
        zip.local("a.bin", data: Data("x".utf8))
        let second = zip.offset
        zip.local("b.bin", data: Data("y".utf8))
        let directory = zip.offset
        let largest = UInt64(Int64.max)
        zip.central("a.bin", method: 8, compressed: largest, uncompressed: largest, offset: 0, zip64: true)
        zip.central("b.bin", method: 8, compressed: largest + 2, uncompressed: largest + 2, offset: second, zip64: true)
        zip.end(count: 2, size: UInt32(zip.offset - directory), offset: UInt32(directory))
        let url = try zip.write()
        defer { try? FileManager.default.removeItem(at: url) }
        let limits = ArchiveLimits(maxExpandedBytes: .max, maxRatio: 200)
        #expect(throws: ArchiveError.tooLarge(limit: .max)) { try SafeArchive(url: url, limits: limits) }
    }

    @Test("A compression ratio too large for Int (2^63 bytes from nothing) is a suspicious ratio")
    func ratioBeyondInt() throws {
        let url = try Self.oneEntry(compressed: 0, uncompressed: UInt64(Int64.max)).write()
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: ArchiveError.suspiciousRatio(path: "index.html", ratio: Int.max)) {
            try SafeArchive(url: url, limits: ArchiveLimits(maxExpandedBytes: .max))
        }
    }

    @Test("A ZIP64 locator pointing past Int64.max", arguments: [UInt64(1) << 63, UInt64.max, UInt64.max - 55])
    func locatorBeyondInt64(_ recordOffset: UInt64) throws {
        var zip = ZipBytes()
        zip.local("index.html", data: Self.page)
        let directory = zip.offset
        zip.central("index.html", compressed: UInt64(Self.page.count), uncompressed: UInt64(Self.page.count), offset: 0)
        zip.zip64End(count: 1, size: zip.offset - directory, offset: directory, recordOffset: recordOffset)
        let url = try zip.write()
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: ArchiveError.self) { try SafeArchive(url: url) }
        #expect(throws: PackageError.self) { try PackageInspector.inspect(url) }
    }

    @Test("A ZIP64 central directory whose offset + size overflows", arguments: [UInt64.max - 4, UInt64.max, UInt64(1) << 63])
    func directoryBeyondEnd(_ offset: UInt64) throws {
        var zip = ZipBytes()
        zip.local("index.html", data: Self.page)
        let directory = zip.offset
        zip.central("index.html", compressed: UInt64(Self.page.count), uncompressed: UInt64(Self.page.count), offset: 0)
        zip.zip64End(count: 1, size: zip.offset - directory, offset: offset)
        let url = try zip.write()
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: ArchiveError.self) { try SafeArchive(url: url) }
    }

    @Test("Local header offset + compressed size overflows when the entry is read")
    func entryDataOverflow() throws {
        let url = try Self.oneEntry(compressed: .max - 20, uncompressed: UInt64(Self.page.count)).write()
        defer { try? FileManager.default.removeItem(at: url) }
        let archive = try SafeArchive(url: url)
        #expect(throws: ArchiveError.self) { try archive.data("index.html") }
        #expect(throws: ArchiveError.self) { try archive.verify() }
        #expect(throws: PackageError.self) { try PackageInspector.inspect(url) }
    }

    @Test("A local header offset past Int64.max", arguments: [UInt64.max, UInt64.max - 29, UInt64(1) << 63, UInt64(Int64.max) - 10])
    func headerOffsetBeyondInt64(_ offset: UInt64) throws {
        let url = try Self.oneEntry(method: 0, compressed: UInt64(Self.page.count), uncompressed: UInt64(Self.page.count), offset: offset).write()
        defer { try? FileManager.default.removeItem(at: url) }
        let archive = try SafeArchive(url: url)
        #expect(throws: ArchiveError.self) { try archive.data("index.html") }
        #expect(throws: ArchiveError.self) { try archive.reader(archive.entry("index.html")!, range: 1..<5) }
        #expect(throws: PackageError.self) { try PackageInspector.inspect(url) }
    }

    @Test("A ZIP64 extra field that claims more bytes than the record holds is not read past its end")
    func extraFieldOverrun() throws {
        var zip = ZipBytes()
        zip.local("index.html", data: Self.page)
        let directory = zip.offset
        // The extra field declares 4 bytes: only the ZIP64 header (id 1, length 24) fits; its values are missing.
        zip.central("index.html", compressed: 1, uncompressed: 1, offset: 0, zip64: true, extraLength: 4)
        zip.end(count: 1, size: UInt32(zip.offset - directory), offset: UInt32(directory))
        let url = try zip.write()
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: ArchiveError.self) { try SafeArchive(url: url) }
    }

    @Test("The same archive with honest ZIP64 values is read (the builder writes what the reader expects)")
    func honestControl() throws {
        let stored = ZipBytes.honest(Self.page)
        let url = try stored.write()
        defer { try? FileManager.default.removeItem(at: url) }
        let archive = try SafeArchive(url: url)
        #expect(try archive.data("index.html") == Self.page)
        #expect(try PackageInspector.inspect(url).kind == .html5)
    }
}

extension ZipBytes {
    /// A stored one-entry archive with every size and offset in ZIP64 records, as big-archive tools write it.
    static func honest(_ page: Data) -> ZipBytes {
        var zip = ZipBytes()
        let crc = StoredZipWriter.crc32(page)
        zip.local("index.html", crc: crc, data: page)
        let directory = zip.offset
        zip.central("index.html", crc: crc, compressed: UInt64(page.count), uncompressed: UInt64(page.count), offset: 0, zip64: true)
        zip.zip64End(count: 1, size: zip.offset - directory, offset: directory)
        return zip
    }
}

@Suite("ZIP writers refuse what their 16-bit fields cannot hold")
struct ZipWriterFieldTests {
    @Test("A path longer than 65,535 bytes is an invalid path, not a trap in the name-length field")
    func longPath() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("long-path-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let zip = try StreamingZipWriter(url: folder.appendingPathComponent("x.zip"))
        let long = String(repeating: "a", count: 0x1_0000)
        #expect(throws: ZipWriteError.invalidPath(long)) { try zip.add(path: long, data: Data("x".utf8)) }
        try zip.add(path: String(repeating: "b", count: 0xFFFF), data: Data("y".utf8))
        _ = try zip.finish()
        let archive = try SafeArchive(url: folder.appendingPathComponent("x.zip"))
        #expect(try archive.data(String(repeating: "b", count: 0xFFFF)) == Data("y".utf8))
    }
}

@Suite("Entry readers hand out exactly their range")
struct EntryReaderRangeTests {
    @Test("An empty range of a stored or deflated entry gives no chunk at all, not an empty one", arguments: [UInt16(0), 8])
    func emptyRange(_ method: UInt16) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("empty-range-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: url) }
        let page = Data(String(repeating: "<p>phân số</p>", count: 50).utf8)
        let zip = ZipBytes.honest(page).bytes
        try (method == 0 ? zip : Self.deflated(page)).write(to: url)
        let archive = try SafeArchive(url: url)
        let entry = try #require(archive.entry("index.html"))
        let size = entry.uncompressedSize
        for range in [size..<size, 0..<0, size / 2..<size / 2] {
            let reader = try archive.reader(entry, range: range)
            #expect(try reader.next(maxBytes: 64) == nil, "\(range)")
        }
        var all = Data()
        let reader = try archive.reader(entry, range: 3..<size)
        while let chunk = try reader.next(maxBytes: 7) {
            #expect(!chunk.isEmpty && chunk.count <= 7)
            all.append(chunk)
        }
        #expect(all == page.dropFirst(3))
    }

    /// A one-entry archive whose entry is deflated (method 8): the page as one stored deflate block, a valid
    /// raw deflate stream written by hand.
    static func deflated(_ page: Data) -> Data {
        var stream = Data([0x01])  // final block, stored
        let length = UInt16(page.count)
        stream.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)])
        stream.append(page)
        var zip = ZipBytes()
        let crc = StoredZipWriter.crc32(page)
        let nameBytes = Data("index.html".utf8)
        zip.u32(0x0403_4b50); zip.u16(20); zip.u16(0x0800); zip.u16(8); zip.u16(0); zip.u16(0x21); zip.u32(crc)
        zip.u32(UInt32(stream.count)); zip.u32(UInt32(page.count)); zip.u16(UInt16(nameBytes.count)); zip.u16(0)
        zip.bytes.append(nameBytes)
        zip.bytes.append(stream)
        let directory = zip.offset
        zip.central(
            "index.html", method: 8, crc: crc, compressed: UInt64(stream.count), uncompressed: UInt64(page.count), offset: 0)
        zip.end(count: 1, size: UInt32(zip.offset - directory), offset: UInt32(directory))
        return zip.bytes
    }
}

@Suite("Manifest addresses that are only a query or a fragment")
struct ManifestHrefTests {
    @Test("href=\"?\" or \"#\" is a missing launch file (a warning), not an index out of range", arguments: ["?", "#", "?#", "#?x", "?a=1"])
    func queryOnly(_ href: String) throws {
        let manifest = """
            <manifest identifier="M" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"><organizations default="O">
            <organization identifier="O"><title>t</title><item identifier="I" identifierref="R"><title>x</title></item></organization>
            </organizations><resources><resource identifier="R" type="webcontent" href="\(href)"/></resources></manifest>
            """
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("href-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: url) }
        try StoredZipWriter.archive([("imsmanifest.xml", Data(manifest.utf8))]).write(to: url)
        let report = try PackageInspector.inspect(url)
        #expect(report.kind == .imsContentPackage && report.launch == href)
        #expect(report.warnings.contains { $0.contains("launch file missing") }, "\(report.warnings)")
    }
}

@Suite("Entry names that Foundation's path functions choke on")
struct EntryNameTests {
    /// The fuzzer's input (FuzzZip, crash-c665c3f3…): an entry named `5p.json\\_\\` + an invalid UTF-8 byte,
    /// which becomes `5p.json//_//\u{FFFD}` and trapped in `NSString.pathExtension` (AICC detection).
    @Test("An entry named 5p.json\\\\_\\\\ + 0xF9 is not a package, not a crash")
    func slashesAndReplacementCharacter() throws {
        var zip = ZipBytes()
        let name = Data("5p.json\\\\_\\\\".utf8) + Data([0xF9])
        zip.u32(0x0403_4b50); zip.u16(20); zip.u16(0); zip.u16(0); zip.u16(0); zip.u16(0x21); zip.u32(0)
        zip.u32(0); zip.u32(0); zip.u16(UInt16(name.count)); zip.u16(0)
        zip.bytes.append(name)
        let directory = zip.offset
        zip.u32(0x0201_4b50); zip.u16(20); zip.u16(20); zip.u16(0); zip.u16(0); zip.u16(0); zip.u16(0x21); zip.u32(0)
        zip.u32(0); zip.u32(0); zip.u16(UInt16(name.count)); zip.u16(0); zip.u16(0); zip.u16(0); zip.u16(0); zip.u32(0); zip.u32(0)
        zip.bytes.append(name)
        zip.end(count: 1, size: UInt32(zip.offset - directory), offset: UInt32(directory))
        let url = try zip.write()
        defer { try? FileManager.default.removeItem(at: url) }
        let archive = try SafeArchive(url: url)
        #expect(archive.paths == ["5p.json//_//\u{FFFD}"])
        #expect {
            try PackageInspector.inspect(url)
        } throws: { error in
            guard case PackageError.notAPackage = error else { return false }
            return true
        }
    }

    @Test("AICC files are still recognised by their extension, whatever its case")
    func aicc() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("aicc-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: url) }
        try StoredZipWriter.archive([("course/KHOAHOC.CRS", Data("[Course]".utf8)), (".au", Data())]).write(to: url)
        #expect {
            try PackageInspector.inspect(url)
        } throws: { error in
            guard case PackageError.invalid(let why) = error else { return false }
            return why.contains("AICC")
        }
    }
}
