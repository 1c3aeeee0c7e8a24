public import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a streamed archive could not be written.
public enum ZipWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file could not be opened, read, written or closed.
    case io(path: String, reason: String)
    /// The same path was added twice.
    case duplicatePath(String)
    /// An empty path, an absolute path, one with `..`, `\` or a NUL, or one longer than a ZIP name field
    /// holds (65,535 bytes of UTF-8).
    case invalidPath(String)
    /// The producer wrote more or fewer bytes than it declared.
    case sizeMismatch(path: String, declared: UInt64, written: UInt64)
    /// The writer is already finished (or failed earlier).
    case finished

    public var description: String {
        switch self {
        case .io(let path, let reason): "lỗi đọc/ghi tệp / I/O error: \(path): \(reason)"
        case .duplicatePath(let path): "tệp trùng trong gói / duplicate archive path: \(path)"
        case .invalidPath(let path): "đường dẫn không hợp lệ / invalid archive path: \(path)"
        case .sizeMismatch(let path, let declared, let written):
            "kích thước không khớp / \(path): declared \(declared) bytes, wrote \(written)"
        case .finished: "gói đã đóng / the archive is already finished"
        }
    }
}

/// A ZIP writer that streams stored (uncompressed) entries to a file, so an archive of any size is written
/// with a fixed amount of memory (a 1 MB output buffer and a 1 MB read buffer).
///
/// Every entry's size is known before its bytes (a file's size from `fstat`, an archive entry's from its
/// central directory, or declared by the producer); the CRC-32 is computed while the bytes are copied and
/// patched into the local header afterwards, so each source is read once and no data descriptors are
/// needed. ZIP64 records are written when an entry or offset reaches 4 GiB or there are 65,535 entries or
/// more. Same records as ``StoredZipWriter``: entries in the order added, UTF-8 names, fixed timestamp
/// (1980-01-01 00:00): equal input gives equal bytes.
///
/// ```swift
/// let zip = try StreamingZipWriter(url: out)
/// try zip.add(path: "imsmanifest.xml", data: manifest)
/// try zip.add(path: "R_1/video.mp4", contentsOf: blobURL)
/// let bytes = try zip.finish()
/// ```
/// A writer is a single-thread object (not `Sendable`). If anything throws, call ``abandon()`` (or just
/// remove the file): the archive is incomplete.
public final class StreamingZipWriter {
    private struct CentralEntry {
        var name: [UInt8]
        var crc: UInt32
        var size: UInt64
        var offset: UInt64
    }

    /// The archive being written.
    public let url: URL
    private var descriptor: Int32
    private var output: UnsafeMutableRawBufferPointer
    private var outputCount = 0
    /// Bytes already handed to the file (the archive offset of `output[0]`).
    private var flushedBytes: UInt64 = 0
    private let readBuffer: UnsafeMutableRawBufferPointer
    private var entries: [CentralEntry] = []
    private var paths: Set<String> = []
    private var isFinished = false

    /// Size of the output buffer and of each read from a source file.
    public static let chunkSize = 1 << 20

    /// Creates (or truncates) the archive at `url`.
    public init(url: URL) throws(ZipWriteError) {
        self.url = url
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: url.path, reason: Self.errorText()) }
        descriptor = fd
        output = .allocate(byteCount: Self.chunkSize, alignment: 16)
        readBuffer = .allocate(byteCount: Self.chunkSize, alignment: 16)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        output.deallocate()
        readBuffer.deallocate()
    }

    /// Entries added so far.
    public var count: Int { entries.count }

    /// Bytes of the archive so far (all of it after ``finish()``).
    public var bytesWritten: UInt64 { flushedBytes + UInt64(outputCount) }

    /// Adds an entry with these bytes.
    public func add(path: String, data: Data) throws(ZipWriteError) {
        try add(path: path, size: UInt64(data.count)) { write throws(ZipWriteError) in try write(data) }
    }

    /// Adds an entry with the contents of a file, read in 1 MB chunks.
    public func add(path: String, contentsOf file: URL) throws(ZipWriteError) {
        let fd = open(file.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io(path: file.path, reason: Self.errorText()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: file.path, reason: Self.errorText()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .io(path: file.path, reason: "not a regular file") }
        let size = UInt64(info.st_size)
        let (name, offset) = try begin(path: path, size: size)
        var crc: UInt32 = 0
        var copied: UInt64 = 0
        while true {
            let n = read(fd, readBuffer.baseAddress, readBuffer.count)
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw .io(path: file.path, reason: Self.errorText()) }
            if n == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: readBuffer[0..<n])
            copied += UInt64(n)
            guard copied <= size else { break }
            crc = StoredZipWriter.crc32(crc, chunk)
            try append(chunk)
        }
        guard copied == size else { throw .sizeMismatch(path: path, declared: size, written: copied) }
        try end(name: name, crc: crc, size: size, offset: offset)
    }

    /// Adds an entry of `size` bytes whose contents `produce` hands over, in chunks of any size, through
    /// the function it is given (e.g. the entries of another archive as they expand).
    public func add(
        path: String, size: UInt64, _ produce: (_ write: (Data) throws(ZipWriteError) -> Void) throws -> Void
    ) throws(ZipWriteError) {
        let (name, offset) = try begin(path: path, size: size)
        var crc: UInt32 = 0
        var copied: UInt64 = 0
        let write = { (chunk: Data) throws(ZipWriteError) -> Void in
            copied += UInt64(chunk.count)
            guard copied <= size else { throw ZipWriteError.sizeMismatch(path: path, declared: size, written: copied) }
            var failure: ZipWriteError?
            chunk.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                crc = StoredZipWriter.crc32(crc, bytes)
                do throws(ZipWriteError) { try self.append(bytes) } catch { failure = error }
            }
            if let failure { throw failure }
        }
        do {
            try produce(write)
        } catch let error as ZipWriteError {
            throw error
        } catch {
            throw .io(path: path, reason: "\(error)")
        }
        guard copied == size else { throw .sizeMismatch(path: path, declared: size, written: copied) }
        try end(name: name, crc: crc, size: size, offset: offset)
    }

    /// Writes the central directory and closes the file. Returns the archive's size in bytes.
    @discardableResult
    public func finish() throws(ZipWriteError) -> UInt64 {
        guard !isFinished else { throw .finished }
        let centralOffset = bytesWritten
        for entry in entries {
            try append(ZipRecords.centralHeader(name: entry.name, crc: entry.crc, size: entry.size, offset: entry.offset))
        }
        let centralSize = bytesWritten - centralOffset
        try append(ZipRecords.end(count: entries.count, centralSize: centralSize, centralOffset: centralOffset))
        try flush()
        isFinished = true
        let rc = close(descriptor)
        descriptor = -1
        guard rc == 0 else { throw .io(path: url.path, reason: Self.errorText()) }
        return flushedBytes
    }

    /// Closes and removes the unfinished archive.
    public func abandon() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        isFinished = true
        unlink(url.path)
    }

    // MARK: Entries

    private func begin(path: String, size: UInt64) throws(ZipWriteError) -> ([UInt8], UInt64) {
        guard !isFinished else { throw .finished }
        guard Self.isSafe(path) else { throw .invalidPath(path) }
        guard paths.insert(path).inserted else { throw .duplicatePath(path) }
        let name = Array(path.utf8)
        let offset = bytesWritten
        // The CRC is not known yet: written as 0 and patched in `end`.
        try append(ZipRecords.localHeader(name: name, crc: 0, size: size))
        return (name, offset)
    }

    private func end(name: [UInt8], crc: UInt32, size: UInt64, offset: UInt64) throws(ZipWriteError) {
        try patchCRC(crc, headerOffset: offset)
        entries.append(CentralEntry(name: name, crc: crc, size: size, offset: offset))
    }

    private func patchCRC(_ crc: UInt32, headerOffset: UInt64) throws(ZipWriteError) {
        guard crc != 0 else { return }
        let position = headerOffset + UInt64(ZipRecords.localCRCOffset)
        var bytes: [UInt8] = []
        ZipRecords.append32(crc, &bytes)
        if position >= flushedBytes {
            // Still in the output buffer (a small entry).
            let start = Int(position - flushedBytes)
            for (i, b) in bytes.enumerated() { output[start + i] = b }
            return
        }
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, 4, off_t(position)) }
        guard written == 4 else { throw .io(path: url.path, reason: Self.errorText()) }
        // A header straddling the buffer boundary: the part still buffered is patched too.
        if position + 4 > flushedBytes {
            let inFile = Int(flushedBytes - position)
            for i in inFile..<4 { output[i - inFile] = bytes[i] }
        }
    }

    static func isSafe(_ path: String) -> Bool {
        guard !path.isEmpty, path.utf8.count <= 0xFFFF, !path.hasPrefix("/"), !path.contains("\\"), !path.contains("\0") else { return false }
        return !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0.isEmpty }
    }

    // MARK: Output

    private func append(_ bytes: [UInt8]) throws(ZipWriteError) {
        var failure: ZipWriteError?
        bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            do throws(ZipWriteError) { try append(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    private func append(_ bytes: UnsafeRawBufferPointer) throws(ZipWriteError) {
        guard descriptor >= 0 else { throw .finished }
        var rest = bytes
        // Large chunks bypass the buffer once it is empty.
        while !rest.isEmpty {
            if outputCount == 0, rest.count >= output.count {
                try writeAll(rest)
                flushedBytes += UInt64(rest.count)
                return
            }
            let n = min(rest.count, output.count - outputCount)
            (output.baseAddress! + outputCount).copyMemory(from: rest.baseAddress!, byteCount: n)
            outputCount += n
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            if outputCount == output.count { try flush() }
        }
    }

    private func flush() throws(ZipWriteError) {
        guard outputCount > 0 else { return }
        try writeAll(UnsafeRawBufferPointer(rebasing: output[0..<outputCount]))
        flushedBytes += UInt64(outputCount)
        outputCount = 0
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(ZipWriteError) {
        var done = 0
        while done < bytes.count {
            let n = write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw .io(path: url.path, reason: Self.errorText()) }
            done += n
        }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
