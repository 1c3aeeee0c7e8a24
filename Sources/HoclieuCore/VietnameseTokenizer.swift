/// A single pass over UTF-8 that yields each word twice: exact (lower case, marks kept, the tone
/// mark in its canonical place: ``VietnameseTonePlacement``, so `hòa` and `hoà` are one word) and
/// folded (marks stripped, `đ` → `d`).
///
/// It does the same as ``VietnameseText/tokens(_:)`` followed by ``VietnameseText/foldExact(_:)``,
/// with flat lookup tables instead of `String` and Unicode-property calls: indexing a million
/// materials spends most of its time here. Text containing a combining mark is normalised to NFC
/// first (rare: keyboards and Word write precomposed Vietnamese).
public enum VietnameseTokenizer {
    /// For U+0000–U+1EFF: the lower-case scalar value (0: not a word character).
    static let lower: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 0x1F00)
        for value in 0..<UInt32(0x1F00) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let isWord =
                scalar.isASCII
                ? (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar))
                : (scalar.properties.isAlphabetic || scalar.properties.numericType != nil)
            guard isWord else { continue }
            let lowered = String(scalar).lowercased().unicodeScalars
            table[Int(value)] = lowered.count == 1 ? lowered.first!.value : value
        }
        return table
    }()

    /// For U+0000–U+1EFF: the ASCII base letter of a lower-case letter with marks (0: none).
    static let base: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 0x1F00)
        for (value, scalar) in VietnameseText.baseLetter where value < 0x1F00 {
            table[Int(value)] = UInt8(scalar.value | 0x20)  // base letters are ASCII; store lower case
        }
        return table
    }()

    /// Calls `body(exact, folded)` for every word of `text`, as UTF-8 byte slices.
    public static func forEachToken(_ text: String, _ body: (ArraySlice<UInt8>, ArraySlice<UInt8>) -> Void) {
        let source = VietnameseText.nfc(text)
        var exact: [UInt8] = []
        var folded: [UInt8] = []
        // The word's scalars, kept for moving its tone (``VietnameseTonePlacement``) when it has one.
        var scalars: [UInt32] = []
        var toned = false
        var irregular = false
        exact.reserveCapacity(64)
        folded.reserveCapacity(64)
        scalars.reserveCapacity(64)
        func flush() {
            if !exact.isEmpty {
                if toned, !irregular, VietnameseTonePlacement.canonicalise(&scalars) {
                    exact.removeAll(keepingCapacity: true)
                    for v in scalars { appendUTF8(v, to: &exact) }
                }
                body(exact[...], folded[...])
                exact.removeAll(keepingCapacity: true)
                folded.removeAll(keepingCapacity: true)
            }
            scalars.removeAll(keepingCapacity: true)
            toned = false
            irregular = false
        }
        func appendUTF8(_ v: UInt32, to bytes: inout [UInt8]) {
            switch v {
            case 0..<0x80: bytes.append(UInt8(v))
            case 0x80..<0x800:
                bytes.append(UInt8(0xC0 | (v >> 6)))
                bytes.append(UInt8(0x80 | (v & 0x3F)))
            case 0x800..<0x10000:
                bytes.append(UInt8(0xE0 | (v >> 12)))
                bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
                bytes.append(UInt8(0x80 | (v & 0x3F)))
            default:
                bytes.append(UInt8(0xF0 | (v >> 18)))
                bytes.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
                bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
                bytes.append(UInt8(0x80 | (v & 0x3F)))
            }
        }
        for scalar in source.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                let b = UInt8(v)
                switch b {
                case 0x61...0x7A, 0x30...0x39:
                    exact.append(b)
                    folded.append(b)
                    scalars.append(v)
                case 0x41...0x5A:
                    exact.append(b | 0x20)
                    folded.append(b | 0x20)
                    scalars.append(v | 0x20)
                default:
                    flush()
                }
            } else if v < 0x1F00 {
                let l = lower[Int(v)]
                if l == 0 {
                    if (0x300...0x36F).contains(v) {
                        // A mark NFC could not compose: part of the word as written, dropped when folding.
                        appendUTF8(v, to: &exact)
                        irregular = true
                        continue
                    }
                    flush()
                    continue
                }
                appendUTF8(l, to: &exact)
                scalars.append(l)
                if VietnameseTonePlacement.hasTone(l) { toned = true }
                let b = l < 0x1F00 ? base[Int(l)] : 0
                if b != 0 { folded.append(b) } else { appendUTF8(l, to: &folded) }
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                // Other scripts: kept as written (lower-cased), nothing to fold.
                irregular = true
                for s in String(scalar).lowercased().unicodeScalars {
                    appendUTF8(s.value, to: &exact)
                    appendUTF8(s.value, to: &folded)
                }
            } else {
                flush()
            }
        }
        flush()
    }
}
