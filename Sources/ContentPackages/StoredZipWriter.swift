import CDeflate
public import Foundation

/// A ZIP writer for exports: stored entries in the order given, UTF-8 names, a fixed timestamp
/// (1980-01-01 00:00), so equal input gives equal bytes. The whole archive is built in memory: for small
/// exports (a Word file, a QTI package). Large ones stream to disk with ``StreamingZipWriter``, which
/// writes the same records.
public enum StoredZipWriter {
    /// CRC-32 (zlib's).
    public static func crc32(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { crc32(0, $0) }
    }

    /// CRC-32 continued over more bytes (start with 0).
    static func crc32(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard bytes.count > 0 else { return crc }
        var result = uLong(crc)
        var start = bytes.baseAddress!.assumingMemoryBound(to: Bytef.self)
        var remaining = bytes.count
        // zlib takes a 32-bit length.
        while remaining > 0 {
            let n = min(remaining, 1 << 30)
            result = CDeflate.crc32(result, start, uInt(n))
            start += n
            remaining -= n
        }
        return UInt32(truncatingIfNeeded: result)
    }

    /// The archive's bytes.
    public static func archive(_ entries: [(path: String, data: Data)]) -> Data {
        var out: [UInt8] = []
        var central: [UInt8] = []
        for (name, data) in entries {
            let nameBytes = Array(name.utf8)
            let crc = crc32(data)
            let offset = UInt64(out.count)
            out += ZipRecords.localHeader(name: nameBytes, crc: crc, size: UInt64(data.count))
            out += data
            central += ZipRecords.centralHeader(name: nameBytes, crc: crc, size: UInt64(data.count), offset: offset)
        }
        let centralOffset = UInt64(out.count)
        out += central
        out += ZipRecords.end(count: entries.count, centralSize: UInt64(central.count), centralOffset: centralOffset)
        return Data(out)
    }
}
