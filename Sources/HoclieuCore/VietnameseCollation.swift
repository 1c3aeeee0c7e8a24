import Foundation

/// Vietnamese alphabetical order (a ă â b c d đ e ê … o ô ơ … u ư …), as a dictionary or a list of subjects
/// sorts: letters first, ignoring case and tone marks; then tones (none, huyền, sắc, hỏi, ngã, nặng) break ties.
/// Code-point order puts `Âm nhạc`, `Đạo đức` and `Địa lí` after `Toán`; this puts them where readers look.
public enum VietnameseCollation {
    /// The Vietnamese alphabet, with the Latin letters Vietnamese does not use in their usual places.
    static let letters: [String] = [
        "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "ô", "ơ", "p", "q", "r", "s", "t",
        "u", "ư", "v", "w", "x", "y", "z",
    ]
    static let rank: [String: UInt32] = Dictionary(uniqueKeysWithValues: letters.enumerated().map { ($0.element, UInt32($0.offset)) })
    /// Tone marks in their order: huyền, sắc, hỏi, ngã, nặng.
    static let tones: [Unicode.Scalar: UInt8] = ["\u{300}": 1, "\u{301}": 2, "\u{309}": 3, "\u{303}": 4, "\u{323}": 5]
    /// Marks that make another letter: breve (ă), circumflex (â ê ô), horn (ơ ư).
    static let letterMarks: Set<Unicode.Scalar> = ["\u{306}", "\u{302}", "\u{31B}"]

    /// The sort key of `text`: primary weights (letters, digits, the rest) and the tones.
    public static func key(_ text: String) -> (primary: [UInt32], tones: [UInt8]) {
        var primary: [UInt32] = []
        var toneMarks: [UInt8] = []
        var pending: String?
        func flush() {
            guard let letter = pending else { return }
            primary.append(1000 + (rank[letter] ?? 500))
            pending = nil
        }
        for scalar in text.lowercased().decomposedStringWithCanonicalMapping.unicodeScalars {
            if let tone = tones[scalar] {
                if !toneMarks.isEmpty { toneMarks[toneMarks.count - 1] = tone }
                continue
            }
            if letterMarks.contains(scalar), let base = pending {
                pending = String(String.UnicodeScalarView(base.unicodeScalars + [scalar])).precomposedStringWithCanonicalMapping
                continue
            }
            flush()
            if rank[String(scalar)] != nil {
                pending = String(scalar)
                toneMarks.append(0)
            } else if let digit = scalar.properties.numericType != nil ? Int(String(scalar)) : nil {
                primary.append(100 + UInt32(digit))
            } else if scalar.properties.isWhitespace {
                primary.append(1)
            } else if scalar.properties.generalCategory == .nonspacingMark {
                continue
            } else {
                primary.append(2000 + scalar.value)
            }
        }
        flush()
        return (primary, toneMarks)
    }

    /// Whether `a` sorts before `b` in Vietnamese order (ties broken by code points, so the order is total).
    public static func areInIncreasingOrder(_ a: String, _ b: String) -> Bool {
        let (ka, kb) = (key(a), key(b))
        if ka.primary != kb.primary { return ka.primary.lexicographicallyPrecedes(kb.primary) }
        if ka.tones != kb.tones { return ka.tones.lexicographicallyPrecedes(kb.tones) }
        return a < b
    }
}
