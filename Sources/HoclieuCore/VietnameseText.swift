import Foundation

/// Vietnamese text normalisation shared by indexing and querying.
///
/// Search keeps two forms of every text: the *exact* form (NFC, lower case, diacritics kept)
/// and the *folded* form (marks stripped and `đ` → `d`). Both are produced here so the
/// index and the query side can never disagree.
public enum VietnameseText {
    /// NFC, lower-cased; diacritics kept.
    public static func exact(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping.lowercased()
    }

    /// NFC, lower-cased, combining marks removed and `đ`/`Đ` mapped to `d`.
    ///
    /// `phân số` → `phan so`; `Đường tròn` → `duong tron`.
    public static func fold(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.lowercased().decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark:
                continue
            default:
                switch scalar {
                case "đ", "Đ", "ð": scalars.append("d")
                default: scalars.append(scalar)
                }
            }
        }
        return String(scalars).precomposedStringWithCanonicalMapping
    }

    /// Splits text into word tokens (letters and digits), in the exact form.
    ///
    /// Punctuation and whitespace separate tokens; a token never contains a space.
    public static func tokens(_ text: String) -> [String] {
        var result: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in exact(text).unicodeScalars {
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil
                || scalar.properties.generalCategory == .nonspacingMark
            {
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
