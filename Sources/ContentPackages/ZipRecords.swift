// The ZIP records both writers produce (APPNOTE 6.3.x): stored entries, UTF-8 names (flag bit 11), a fixed
// MS-DOS timestamp (1980-01-01 00:00), no extra field unless ZIP64 needs one. One place for the layout, so the
// in-memory ``StoredZipWriter`` and the streaming ``StreamingZipWriter`` write the same bytes for the same input.

enum ZipRecords {
    static let localSignature: UInt32 = 0x0403_4b50
    static let centralSignature: UInt32 = 0x0201_4b50
    static let endSignature: UInt32 = 0x0605_4b50
    static let zip64EndSignature: UInt32 = 0x0606_4b50
    static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    /// Bit 11: names are UTF-8.
    static let utf8Flag: UInt16 = 0x0800
    /// 1980-01-01 in MS-DOS date format (time 00:00:00 is 0).
    static let fixedDate: UInt16 = 0x21
    static let max32: UInt64 = 0xFFFF_FFFF
    static let max16 = 0xFFFF
    /// Offset of the CRC field inside a local header (followed by the two 32-bit sizes).
    static let localCRCOffset = 14

    static func append16(_ v: UInt16, _ d: inout [UInt8]) {
        d.append(UInt8(v & 0xFF))
        d.append(UInt8(v >> 8))
    }

    static func append32(_ v: UInt32, _ d: inout [UInt8]) {
        append16(UInt16(v & 0xFFFF), &d)
        append16(UInt16(v >> 16), &d)
    }

    static func append64(_ v: UInt64, _ d: inout [UInt8]) {
        append32(UInt32(v & 0xFFFF_FFFF), &d)
        append32(UInt32(v >> 32), &d)
    }

    /// Whether an entry of this size needs ZIP64 sizes (in its local header and central record).
    static func needsZip64Sizes(_ size: UInt64) -> Bool { size >= max32 }

    /// A local file header for a stored entry. With ZIP64 sizes the 32-bit fields hold 0xFFFFFFFF and a
    /// ZIP64 extra field carries both sizes.
    static func localHeader(name: [UInt8], crc: UInt32, size: UInt64) -> [UInt8] {
        let zip64 = needsZip64Sizes(size)
        var h: [UInt8] = []
        h.reserveCapacity(30 + name.count + (zip64 ? 20 : 0))
        append32(localSignature, &h)
        for v: UInt16 in [zip64 ? 45 : 20, utf8Flag, 0, 0, fixedDate] { append16(v, &h) }
        append32(crc, &h)
        let size32 = zip64 ? UInt32(max32) : UInt32(size)
        append32(size32, &h)
        append32(size32, &h)
        append16(UInt16(name.count), &h)
        append16(zip64 ? 20 : 0, &h)
        h += name
        if zip64 {
            append16(0x0001, &h)
            append16(16, &h)
            append64(size, &h)
            append64(size, &h)
        }
        return h
    }

    /// The central directory record of a stored entry whose local header starts at `offset`.
    static func centralHeader(name: [UInt8], crc: UInt32, size: UInt64, offset: UInt64) -> [UInt8] {
        let bigSize = needsZip64Sizes(size)
        let bigOffset = offset >= max32
        var extra: [UInt8] = []
        if bigSize || bigOffset {
            append16(0x0001, &extra)
            append16(UInt16((bigSize ? 16 : 0) + (bigOffset ? 8 : 0)), &extra)
            if bigSize {
                append64(size, &extra)
                append64(size, &extra)
            }
            if bigOffset { append64(offset, &extra) }
        }
        let version: UInt16 = extra.isEmpty ? 20 : 45
        var h: [UInt8] = []
        h.reserveCapacity(46 + name.count + extra.count)
        append32(centralSignature, &h)
        for v: UInt16 in [version, version, utf8Flag, 0, 0, fixedDate] { append16(v, &h) }
        append32(crc, &h)
        let size32 = bigSize ? UInt32(max32) : UInt32(size)
        append32(size32, &h)
        append32(size32, &h)
        // name length, extra length, comment length, disk number, internal attributes
        for v: UInt16 in [UInt16(name.count), UInt16(extra.count), 0, 0, 0] { append16(v, &h) }
        append32(0, &h)  // external attributes
        append32(bigOffset ? UInt32(max32) : UInt32(offset), &h)
        h += name
        h += extra
        return h
    }

    /// The end of the archive: a ZIP64 end record and locator when the entry count, the central
    /// directory's size or its offset do not fit the classic record, then the classic record.
    static func end(count: Int, centralSize: UInt64, centralOffset: UInt64) -> [UInt8] {
        var d: [UInt8] = []
        let zip64 = count >= max16 || centralSize >= max32 || centralOffset >= max32
        if zip64 {
            let recordOffset = centralOffset + centralSize
            append32(zip64EndSignature, &d)
            append64(44, &d)  // size of the rest of the record
            for v: UInt16 in [45, 45] { append16(v, &d) }
            append32(0, &d)  // this disk
            append32(0, &d)  // disk with the central directory
            append64(UInt64(count), &d)
            append64(UInt64(count), &d)
            append64(centralSize, &d)
            append64(centralOffset, &d)
            append32(zip64LocatorSignature, &d)
            append32(0, &d)
            append64(recordOffset, &d)
            append32(1, &d)  // total disks
        }
        append32(endSignature, &d)
        let count16 = UInt16(min(count, max16))
        for v: UInt16 in [0, 0, count16, count16] { append16(v, &d) }
        append32(UInt32(min(centralSize, max32)), &d)
        append32(UInt32(min(centralOffset, max32)), &d)
        append16(0, &d)  // comment length
        return d
    }
}
