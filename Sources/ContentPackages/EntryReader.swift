import CDeflate
public import Foundation

/// Hands out one archive entry's bytes a chunk at a time, so a response can stream an entry of any size
/// in constant memory. Stored entries are read at any offset; deflated ones are expanded with zlib from
/// their start, and bytes before the wanted range are dropped as they come.
///
/// Expanded bytes are counted against the size the central directory declares (a lying header cannot
/// get past the archive limits) and, when the whole entry is read, its CRC-32 is checked. Positions are
/// within the file: ``SafeArchive`` checked that the data start plus the compressed size fits in it.
///
/// Not thread-safe: one reader serves one response, from one task at a time.
public final class EntryReader {
    public let entry: SafeArchive.Entry
    /// The bytes of the expanded entry this reader hands out.
    public let range: Range<UInt64>
    private let archive: SafeArchive
    private let dataStart: UInt64
    private let checksWholeEntry: Bool
    private var produced: UInt64 = 0
    private var compressedRead: UInt64 = 0
    private var crc: uLong = crc32(0, nil, 0)
    private var stream: UnsafeMutablePointer<z_stream>?
    private let input: UnsafeMutableRawBufferPointer
    private var ended = false

    init(_ archive: SafeArchive, _ entry: SafeArchive.Entry, range: Range<UInt64>?) throws(ArchiveError) {
        guard !entry.encrypted else { throw .unreadable("\(entry.path): encrypted entries are not supported") }
        guard entry.method == 0 || entry.method == 8 else {
            throw .unreadable("\(entry.path): compression method \(entry.method) is not supported")
        }
        if entry.method == 0, entry.compressedSize != entry.uncompressedSize { throw .unreadable("\(entry.path): stored sizes differ") }
        let wanted = range ?? 0..<entry.uncompressedSize
        guard wanted.upperBound <= entry.uncompressedSize else { throw .unreadable("\(entry.path): range beyond the entry") }
        self.archive = archive
        self.entry = entry
        self.range = wanted
        checksWholeEntry = range == nil || wanted == 0..<entry.uncompressedSize
        dataStart = try archive.dataOffset(entry)
        input = .allocate(byteCount: entry.method == 8 ? 64 << 10 : 0, alignment: 8)
        if entry.method == 8 {
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            guard hoclieu_inflate_init_raw(stream) == Z_OK else {
                stream.deallocate()
                input.deallocate()
                throw .unreadable("\(entry.path): zlib could not start")
            }
            self.stream = stream
        }
    }

    deinit {
        if let stream {
            inflateEnd(stream)
            stream.deallocate()
        }
        input.deallocate()
    }

    /// The next bytes of the range (at most `maxBytes`), or nil once it has all been handed out.
    public func next(maxBytes: Int = 64 << 10) throws(ArchiveError) -> Data? {
        let maxBytes = max(maxBytes, 1)
        while produced < range.upperBound {
            if entry.method == 0 {
                if produced < range.lowerBound { produced = range.lowerBound }
                // An empty range (`size..<size`) has nothing to hand out: no empty chunk.
                guard produced < range.upperBound else { return nil }
                let count = Int(min(UInt64(maxBytes), range.upperBound - produced))
                let chunk = try archive.pread(at: SafeArchive.sum(dataStart, produced, entry.path), count: count)
                produced += UInt64(count)
                if checksWholeEntry { checksum(chunk) }
                try finishIfDone()
                return chunk
            }
            let chunk = try inflate(maxBytes: maxBytes)
            let chunkStart = produced - UInt64(chunk.count)
            let overlap = (chunkStart..<produced).clamped(to: range)
            if checksWholeEntry { checksum(chunk) }
            try finishIfDone()
            if !overlap.isEmpty {
                let lower = Int(overlap.lowerBound - chunkStart)
                return lower == 0 && overlap.count == chunk.count ? chunk : chunk.subdata(in: lower..<(lower + overlap.count))
            }
        }
        return nil
    }

    private func checksum(_ chunk: Data) {
        chunk.withUnsafeBytes { crc = crc32(crc, $0.bindMemory(to: Bytef.self).baseAddress, uInt($0.count)) }
    }

    private func finishIfDone() throws(ArchiveError) {
        guard checksWholeEntry, produced == entry.uncompressedSize else { return }
        if entry.method == 8, !ended { _ = try inflate(maxBytes: 1) }  // the stream must end here too
        guard UInt32(truncatingIfNeeded: crc) == entry.crc32 else { throw .unreadable("\(entry.path): CRC mismatch") }
    }

    /// Expands up to `maxBytes` more bytes and advances `produced`.
    private func inflate(maxBytes: Int) throws(ArchiveError) -> Data {
        guard let stream else { return Data() }
        var output = Data(count: maxBytes)
        var have = 0
        while have < maxBytes, !ended {
            if stream.pointee.avail_in == 0 {
                let count = Int(min(UInt64(input.count), entry.compressedSize - compressedRead))
                guard count > 0 else { throw .unreadable("\(entry.path): the compressed data ends early") }
                try archive.pread(
                    at: SafeArchive.sum(dataStart, compressedRead, entry.path), into: UnsafeMutableRawBufferPointer(rebasing: input[0..<count]))
                compressedRead += UInt64(count)
                stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_in = uInt(count)
            }
            let status = output.withUnsafeMutableBytes { buffer in
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self) + have
                stream.pointee.avail_out = uInt(maxBytes - have)
                defer { have = maxBytes - Int(stream.pointee.avail_out) }
                return CDeflate.inflate(stream, Z_NO_FLUSH)
            }
            switch status {
            case Z_STREAM_END: ended = true
            case Z_OK: break
            case Z_BUF_ERROR where stream.pointee.avail_in == 0 || stream.pointee.avail_out == 0: break
            default: throw .unreadable("\(entry.path): corrupted compressed data (zlib \(status))")
            }
        }
        output.count = have
        produced += UInt64(have)
        // Bytes are counted: a header that understates the size does not get past the limits.
        guard produced <= entry.uncompressedSize else { throw .unreadable("\(entry.path): expands beyond its declared size") }
        if ended, produced < entry.uncompressedSize { throw .unreadable("\(entry.path): shorter than its declared size") }
        return output
    }
}
