public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Limits applied to an archive before anything is read from it.
public struct ArchiveLimits: Sendable {
    public var maxEntries: Int
    /// Total bytes once every entry is expanded.
    public var maxExpandedBytes: Int64
    /// Largest expansion ratio of one entry (zip bombs expand 1,000× and more).
    public var maxRatio: Double

    public init(maxEntries: Int = 50_000, maxExpandedBytes: Int64 = 8 << 30, maxRatio: Double = 200) {
        self.maxEntries = maxEntries
        self.maxExpandedBytes = maxExpandedBytes
        self.maxRatio = maxRatio
    }
}

/// Why an archive is refused.
public enum ArchiveError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(String)
    case unsafePath(String)
    case symlink(String)
    case tooManyEntries(limit: Int)
    case tooLarge(limit: Int64)
    case suspiciousRatio(path: String, ratio: Int)
    case missingEntry(String)
    case entryTooLarge(path: String, limit: Int)

    public var description: String {
        switch self {
        case .unreadable(let why): "không đọc được tệp nén / unreadable archive: \(why)"
        case .unsafePath(let path): "đường dẫn không an toàn / unsafe path in archive: \(path)"
        case .symlink(let path): "liên kết tượng trưng / symbolic link in archive: \(path)"
        case .tooManyEntries(let limit): "quá nhiều tệp (giới hạn \(limit)) / more than \(limit) entries"
        case .tooLarge(let limit): "dung lượng giải nén quá lớn / expands beyond \(limit) bytes"
        case .suspiciousRatio(let path, let ratio): "tỉ lệ nén bất thường (zip bomb?) / compression ratio \(ratio):1 in \(path)"
        case .missingEntry(let path): "thiếu tệp / missing entry: \(path)"
        case .entryTooLarge(let path, let limit): "tệp quá lớn / \(path) is larger than \(limit) bytes"
        }
    }

    /// The Vietnamese half of ``description``.
    public var vietnamese: String { description.components(separatedBy: " / ").first ?? description }
    /// The English half of ``description``.
    public var english: String { description.components(separatedBy: " / ").dropFirst().joined(separator: " / ") }
}

/// A ZIP archive checked as a whole before use — no absolute or `..` paths, no symlinks, bounded entry
/// count, expanded size and compression ratio — with its central directory kept as an index, so entries
/// are read by path and never extracted to disk.
///
/// Every read is a positioned `pread` on one shared descriptor, so any number of requests read the same
/// archive at once with no lock. Bytes are counted as they expand (a header cannot understate a size) and
/// CRCs are checked. ZIP64 archives (over 4 GB or 65,535 entries) are read too.
///
/// Every size, offset and count read from the file is compared before it is added or converted (ZIP64
/// fields reach 2^64 − 1): a crafted value is an ``ArchiveError``, never an arithmetic trap.
public final class SafeArchive: Sendable {
    /// One file of the archive, as its central directory describes it.
    public struct Entry: Sendable, Equatable {
        public let path: String
        /// 0 stored, 8 deflated.
        public let method: UInt16
        public let crc32: UInt32
        public let compressedSize: UInt64
        public let uncompressedSize: UInt64
        let headerOffset: UInt64
        let encrypted: Bool

        /// Stored entries can be read from any offset (HTTP Range straight from the file).
        public var isStored: Bool { method == 0 }
    }

    private let descriptor: Int32
    public let entries: [String: Entry]
    /// File paths in central-directory order, normalised to `/` separators.
    public let paths: [String]
    /// Total bytes once every entry is expanded.
    public let expandedBytes: Int64
    public let fileSize: UInt64

    public init(url: URL, limits: ArchiveLimits = .init()) throws(ArchiveError) {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable("\(url.lastPathComponent): \(String(cString: strerror(errno)))") }
        do throws(ArchiveError) {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw ArchiveError.unreadable("fstat failed") }
            fileSize = UInt64(max(info.st_size, 0))
            (paths, entries) = try Self.readCentralDirectory(fd: fd, fileSize: fileSize, limits: limits)
            // Each path's size was added, checked, into a total within `maxExpandedBytes` (≤ Int64.max).
            expandedBytes = Int64(clamping: entries.values.reduce(UInt64(0)) { $0 &+ $1.uncompressedSize })
            descriptor = fd
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(descriptor) }

    public func entry(_ path: String) -> Entry? { entries[path] }

    public func contains(_ path: String) -> Bool { entries[path] != nil }

    /// The entry's bytes, at most `limit` of them, its CRC checked.
    public func data(_ path: String, limit: Int = 16 << 20) throws(ArchiveError) -> Data {
        guard let entry = entries[path] else { throw .missingEntry(path) }
        return try data(entry, limit: limit)
    }

    /// Reads every entry through, as `unzip -t` does: a truncated or corrupted archive fails here, once,
    /// rather than in front of a learner.
    public func verify() throws(ArchiveError) {
        for path in paths { try read(entries[path]!) { _ in } }
    }

    /// The whole entry, at most `limit` bytes once expanded, its CRC checked.
    public func data(_ entry: Entry, limit: Int = 16 << 20) throws(ArchiveError) -> Data {
        guard limit >= 0, entry.uncompressedSize <= UInt64(limit) else { throw .entryTooLarge(path: entry.path, limit: limit) }
        var data = Data(capacity: Int(entry.uncompressedSize))
        try read(entry) { data.append($0) }
        return data
    }

    /// Streams the entry's bytes in chunks; `range` (offsets in the expanded entry) skips what is before
    /// it and stops after it. Stored entries are read straight at the range; deflated ones are expanded
    /// from their start. The CRC is checked when the whole entry is read.
    public func read(_ entry: Entry, range: Range<UInt64>? = nil, chunkSize: Int = 64 << 10, _ consume: (Data) throws -> Void) throws(ArchiveError) {
        let reader = try EntryReader(self, entry, range: range)
        while let chunk = try reader.next(maxBytes: chunkSize) {
            do { try consume(chunk) } catch let error as ArchiveError { throw error } catch { throw .unreadable("\(entry.path): \(error)") }
        }
    }

    /// A reader for one entry that hands out its bytes a chunk at a time (for streaming responses).
    public func reader(_ entry: Entry, range: Range<UInt64>? = nil) throws(ArchiveError) -> EntryReader {
        try EntryReader(self, entry, range: range)
    }

    /// Where the entry's data starts, checked to lie, with its compressed size, within the file.
    func dataOffset(_ entry: Entry) throws(ArchiveError) -> UInt64 {
        // fileSize ≤ Int64.max (it is an off_t), so once the header is inside the file no sum below overflows.
        guard entry.headerOffset <= fileSize, fileSize - entry.headerOffset >= 30 else {
            throw .unreadable("\(entry.path): local header beyond the end of the archive")
        }
        let header = try pread(at: entry.headerOffset, count: 30)
        guard header.le32(0) == 0x0403_4b50 else { throw .unreadable("\(entry.path): bad local header") }
        let start = entry.headerOffset + 30 + UInt64(header.le16(26)) + UInt64(header.le16(28))
        guard start <= fileSize, entry.compressedSize <= fileSize - start else {
            throw .unreadable("\(entry.path): data beyond the end of the archive")
        }
        return start
    }

    /// `a + b` for sizes and offsets that come from the file; `.unreadable` when the sum does not fit.
    static func sum(_ a: UInt64, _ b: UInt64, _ what: @autoclosure () -> String) throws(ArchiveError) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw .unreadable("\(what()): offset or size out of range") }
        return sum
    }

    func pread(at offset: UInt64, count: Int) throws(ArchiveError) -> Data {
        try Self.pread(descriptor, at: offset, count: count)
    }

    func pread(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) {
        try Self.pread(descriptor, at: offset, into: buffer)
    }

    // MARK: Reading the structures

    private static func pread(_ fd: Int32, at offset: UInt64, count: Int) throws(ArchiveError) -> Data {
        var data = Data(count: count)
        var failure: ArchiveError?
        data.withUnsafeMutableBytes { buffer in
            do throws(ArchiveError) { try pread(fd, at: offset, into: buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        return data
    }

    private static func pread(_ fd: Int32, at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(ArchiveError) {
        // Offsets come from the file: one past off_t is an error, not a trap in the conversion.
        guard let start = off_t(exactly: offset), off_t.max - start >= off_t(buffer.count) else {
            throw .unreadable("offset \(offset) is beyond any file")
        }
        var done = 0
        while done < buffer.count {
            #if canImport(Glibc)
            let n = Glibc.pread(fd, buffer.baseAddress! + done, buffer.count - done, start + off_t(done))
            #else
            let n = Darwin.pread(fd, buffer.baseAddress! + done, buffer.count - done, start + off_t(done))
            #endif
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw .unreadable(n == 0 ? "unexpected end of archive" : String(cString: strerror(errno))) }
            done += n
        }
    }

    private static func readCentralDirectory(fd: Int32, fileSize: UInt64, limits: ArchiveLimits) throws(ArchiveError) -> ([String], [String: Entry]) {
        // The end-of-central-directory record sits in the last 22 + 65,535 (comment) bytes.
        guard fileSize >= 22 else { throw .unreadable("too short to be a ZIP archive") }
        let tailLength = Int(min(fileSize, 22 + 65_535))
        let tail = try pread(fd, at: fileSize - UInt64(tailLength), count: tailLength)
        var eocd = -1
        var i = tail.count - 22
        while i >= 0 {
            if tail.le32(i) == 0x0605_4b50 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw .unreadable("no end-of-central-directory record") }
        var count = UInt64(tail.le16(eocd + 10))
        var size = UInt64(tail.le32(eocd + 12))
        var offset = UInt64(tail.le32(eocd + 16))
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            // ZIP64: the locator sits just before the classic record and points at the ZIP64 record.
            let eocdPosition = fileSize - UInt64(tailLength) + UInt64(eocd)
            guard eocdPosition >= 20 else { throw .unreadable("ZIP64 locator missing") }
            let locator = try pread(fd, at: eocdPosition - 20, count: 20)
            guard locator.le32(0) == 0x0706_4b50 else { throw .unreadable("ZIP64 locator missing") }
            // The ZIP64 record comes before its locator.
            let recordOffset = locator.le64(8)
            guard recordOffset <= eocdPosition - 20, eocdPosition - 20 - recordOffset >= 56 else {
                throw .unreadable("ZIP64 end-of-central-directory record out of place (offset \(recordOffset))")
            }
            let record = try pread(fd, at: recordOffset, count: 56)
            guard record.le32(0) == 0x0606_4b50 else { throw .unreadable("bad ZIP64 end-of-central-directory record") }
            count = record.le64(32)
            size = record.le64(40)
            offset = record.le64(48)
        }
        guard count <= UInt64(max(limits.maxEntries, 0)) else { throw .tooManyEntries(limit: limits.maxEntries) }
        guard offset <= fileSize, size <= fileSize - offset, size <= 512 << 20 else {
            throw .unreadable("central directory beyond the end of the archive")
        }
        let directory = try pread(fd, at: offset, count: Int(size))
        var entries: [String: Entry] = [:]
        var paths: [String] = []
        entries.reserveCapacity(Int(count))
        var total: UInt64 = 0
        var p = 0
        for _ in 0..<count {
            guard p + 46 <= directory.count, directory.le32(p) == 0x0201_4b50 else { throw .unreadable("bad central directory entry") }
            let madeBy = directory.le16(p + 4)
            let flags = directory.le16(p + 8)
            let method = directory.le16(p + 10)
            let crc = directory.le32(p + 16)
            var compressed = UInt64(directory.le32(p + 20))
            var uncompressed = UInt64(directory.le32(p + 24))
            let nameLength = Int(directory.le16(p + 28))
            let extraLength = Int(directory.le16(p + 30))
            let commentLength = Int(directory.le16(p + 32))
            let external = directory.le32(p + 38)
            var headerOffset = UInt64(directory.le32(p + 42))
            let nameStart = p + 46
            guard nameStart + nameLength + extraLength + commentLength <= directory.count else { throw .unreadable("bad central directory entry") }
            let nameBytes = directory.subdata(in: nameStart..<(nameStart + nameLength))
            let raw = String(data: nameBytes, encoding: .utf8) ?? String(decoding: nameBytes, as: UTF8.self)
            // ZIP64 extended information: the 0xFFFFFFFF fields, in this order.
            var e = nameStart + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = directory.le16(e)
                let fieldEnd = e + 4 + Int(directory.le16(e + 2))
                // A field that claims more than the extra area holds would read the next record (or past the end).
                guard fieldEnd <= extraEnd else {
                    if id == 0x0001 { throw .unreadable("\(raw): ZIP64 extra field longer than its record") }
                    break
                }
                var f = e + 4
                if id == 0x0001 {
                    if uncompressed == 0xFFFF_FFFF, f + 8 <= fieldEnd { uncompressed = directory.le64(f); f += 8 }
                    if compressed == 0xFFFF_FFFF, f + 8 <= fieldEnd { compressed = directory.le64(f); f += 8 }
                    if headerOffset == 0xFFFF_FFFF, f + 8 <= fieldEnd { headerOffset = directory.le64(f); f += 8 }
                }
                e = fieldEnd
            }
            p = extraEnd + commentLength

            let path = try SafeArchive.checkedPath(raw)
            if madeBy >> 8 == 3, (external >> 16) & 0o170000 == 0o120000 { throw .symlink(raw) }
            if path.hasSuffix("/") { continue }
            let (sum, overflow) = total.addingReportingOverflow(uncompressed)
            guard !overflow, sum <= UInt64(max(limits.maxExpandedBytes, 0)) else { throw .tooLarge(limit: limits.maxExpandedBytes) }
            total = sum
            if uncompressed > 1 << 20 {
                let ratio = Double(uncompressed) / Double(max(compressed, 1))
                // Up to 2^64 / 1: beyond Int for the message, which then says Int.max.
                if ratio > limits.maxRatio { throw .suspiciousRatio(path: path, ratio: ratio < Double(Int.max) ? Int(ratio) : .max) }
            }
            if entries[path] == nil { paths.append(path) }
            entries[path] = Entry(
                path: path, method: method, crc32: crc, compressedSize: compressed, uncompressedSize: uncompressed,
                headerOffset: headerOffset, encrypted: flags & 1 != 0)
        }
        return (paths, entries)
    }

    /// The entry path with `/` separators, or why it is unsafe to use.
    static func checkedPath(_ raw: String) throws(ArchiveError) -> String {
        let path = raw.replacingOccurrences(of: "\\", with: "/")
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if path.hasPrefix("/") || parts.contains("..") || path.contains("\0") || (path.count > 1 && path.dropFirst().hasPrefix(":")) {
            throw .unsafePath(raw)
        }
        return path
    }
}

extension Data {
    func le16(_ i: Int) -> UInt16 { UInt16(self[startIndex + i]) | UInt16(self[startIndex + i + 1]) << 8 }
    func le32(_ i: Int) -> UInt32 { UInt32(le16(i)) | UInt32(le16(i + 2)) << 16 }
    func le64(_ i: Int) -> UInt64 { UInt64(le32(i)) | UInt64(le32(i + 4)) << 32 }
}
