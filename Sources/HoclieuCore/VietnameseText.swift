import Foundation

/// Vietnamese text normalisation shared by indexing and querying.
///
/// Search keeps two forms of every text: the *exact* form (NFC, lower case, diacritics kept)
/// and the *folded* form (marks stripped and `đ` → `d`). Both are produced here so the
/// index and the query side can never disagree.
public enum VietnameseText {
    /// Precomposed Latin letters (U+00C0–U+024F, U+1E00–U+1EFF) mapped to their base letter,
    /// computed once from Unicode's own decompositions; `đ`/`Đ` added by hand (they have none).
    static let baseLetter: [UInt32: Unicode.Scalar] = {
        var table: [UInt32: Unicode.Scalar] = [:]
        for range: ClosedRange<UInt32> in [0xC0...0x24F, 0x1E00...0x1EFF] {
            for value in range {
                guard let scalar = Unicode.Scalar(value) else { continue }
                let decomposed = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars
                if let first = decomposed.first, first.isASCII, decomposed.count > 1 { table[value] = first }
            }
        }
        for (from, to): (Unicode.Scalar, Unicode.Scalar) in [("đ", "d"), ("Đ", "D"), ("ð", "d"), ("Ð", "D")] {
            table[from.value] = to
        }
        return table
    }()

    /// NFC, lower-cased; diacritics kept.
    public static func exact(_ text: String) -> String {
        nfc(text).lowercased()
    }

    /// NFC; text with no combining mark (nearly all input: keyboards and Word write precomposed
    /// Vietnamese) is returned as it is, without the cost of normalising.
    public static func nfc(_ text: String) -> String {
        if isPlainASCII(text) { return text }
        let needsWork = text.unicodeScalars.contains { s in
            switch s.value {
            case 0x300...0x36F, 0x1AB0...0x1AFF, 0x1DC0...0x1DFF, 0x20D0...0x20FF, 0xFE20...0xFE2F, 0x1100...0x11FF, 0x2126, 0x212A, 0x212B,
                0xF900...0xFAFF:
                return true
            default:
                return false
            }
        }
        return needsWork ? text.precomposedStringWithCanonicalMapping : text
    }

    /// NFC, lower-cased, combining marks removed and `đ`/`Đ` mapped to `d`.
    ///
    /// `phân số` → `phan so`; `Đường tròn` → `duong tron`.
    public static func fold(_ text: String) -> String {
        if isPlainASCII(text) { return text.lowercased() }
        return foldExact(exact(text))
    }

    /// ``fold(_:)`` of text already in the exact form (NFC, lower case), such as a token.
    public static func foldExact(_ text: String) -> String {
        if isPlainASCII(text) { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if let base = baseLetter[scalar.value] {
                scalars.append(base)
            } else if (0x300...0x36F).contains(scalar.value) {
                continue  // a combining mark NFC could not compose
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// Whether the text is plain ASCII (nothing to fold or normalise).
    public static func isPlainASCII(_ text: String) -> Bool { text.utf8.allSatisfy { $0 < 0x80 } }

    /// Splits text into word tokens (letters and digits), in the exact form.
    ///
    /// Punctuation and whitespace separate tokens; a token never contains a space.
    public static func tokens(_ text: String) -> [String] {
        var result: [String] = []
        VietnameseTokenizer.forEachToken(text) { exact, _ in result.append(String(decoding: exact, as: UTF8.self)) }
        return result
    }

    /// Whether the token carries any Vietnamese mark or `đ` (its exact and folded forms differ).
    public static func hasMarks(_ token: String) -> Bool {
        fold(token) != exact(token)
    }

    /// Trims spaces, tabs and line breaks at both ends (without bridging to NSString).
    public static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        if first == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return text }
        return String(scalars[first...last])
    }
}
