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
        isPlainASCII(text) ? text.lowercased() : text.precomposedStringWithCanonicalMapping.lowercased()
    }

    /// NFC, lower-cased, combining marks removed and `đ`/`Đ` mapped to `d`.
    ///
    /// `phân số` → `phan so`; `Đường tròn` → `duong tron`.
    public static func fold(_ text: String) -> String {
        if isPlainASCII(text) { return text.lowercased() }
        var scalars = String.UnicodeScalarView()
        for scalar in exact(text).unicodeScalars {
            if let base = baseLetter[scalar.value] {
                scalars.append(base)
            } else if (0x300...0x36F).contains(scalar.value) {
                continue  // a combining mark NFC could not compose
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars).lowercased()
    }

    static func isPlainASCII(_ text: String) -> Bool { text.utf8.allSatisfy { $0 < 0x80 } }

    /// Splits text into word tokens (letters and digits), in the exact form.
    ///
    /// Punctuation and whitespace separate tokens; a token never contains a space.
    public static func tokens(_ text: String) -> [String] {
        var result: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in exact(text).unicodeScalars {
            let isWordPart =
                scalar.isASCII
                ? (("a"..."z").contains(scalar) || ("0"..."9").contains(scalar))
                : (scalar.properties.isAlphabetic || scalar.properties.numericType != nil
                    || scalar.properties.generalCategory == .nonspacingMark)
            if isWordPart {
                current.append(scalar)
            } else if !current.isEmpty {
                result.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { result.append(String(current)) }
        return result
    }

    /// Whether the token carries any Vietnamese mark or `đ` (its exact and folded forms differ).
    public static func hasMarks(_ token: String) -> Bool {
        fold(token) != exact(token)
    }
}
