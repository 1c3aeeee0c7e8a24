import CDeflate
public import Foundation

/// A ZIP writer for exports: stored entries in the order given, UTF-8 names, a fixed timestamp
/// (1980-01-01 00:00), so equal input gives equal bytes.
public enum StoredZipWriter {
    /// CRC-32 (zlib's).
    public static func crc32(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { UInt32(CDeflate.crc32(0, $0.bindMemory(to: Bytef.self).baseAddress, uInt($0.count))) }
    }

    /// The archive's bytes.
    public static func archive(_ entries: [(path: String, data: Data)]) -> Data {
        var out = Data()
        var central = Data()
        func le16(_ v: UInt16, _ d: inout Data) {
            d.append(UInt8(v & 0xFF))
            d.append(UInt8(v >> 8))
        }
        func le32(_ v: UInt32, _ d: inout Data) {
            le16(UInt16(v & 0xFFFF), &d)
            le16(UInt16(v >> 16), &d)
        }
        for (name, data) in entries {
            let nameBytes = Data(name.utf8)
            let crc = crc32(data)
            let offset = UInt32(out.count)
            le32(0x0403_4b50, &out)
            for v: UInt16 in [20, 0x0800, 0, 0, 0x21] { le16(v, &out) }
            for v in [crc, UInt32(data.count), UInt32(data.count)] { le32(v, &out) }
            le16(UInt16(nameBytes.count), &out)
            le16(0, &out)
            out.append(nameBytes)
            out.append(data)
            le32(0x0201_4b50, &central)
            for v: UInt16 in [20, 20, 0x0800, 0, 0, 0x21] { le16(v, &central) }
            for v in [crc, UInt32(data.count), UInt32(data.count)] { le32(v, &central) }
            for v: UInt16 in [UInt16(nameBytes.count), 0, 0, 0, 0] { le16(v, &central) }
            le32(0, &central)
            le32(offset, &central)
            central.append(nameBytes)
        }
        let centralOffset = UInt32(out.count)
        out.append(central)
        le32(0x0605_4b50, &out)
        for v: UInt16 in [0, 0, UInt16(entries.count), UInt16(entries.count)] { le16(v, &out) }
        le32(UInt32(central.count), &out)
        le32(centralOffset, &out)
        le16(0, &out)
        return out
    }
}
