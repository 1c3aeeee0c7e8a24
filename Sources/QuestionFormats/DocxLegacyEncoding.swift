import Foundation

/// The pre-Unicode Vietnamese encodings still found in teachers' Word files, and their
/// conversion to Unicode.
///
/// In a .docx written from such a file, every byte of the old encoding is stored as the
/// Windows-1252 / Latin-1 character with the same code (`0xA9` → `©`), so TCVN3 "Phân số"
/// appears as `Ph©n sè` and VNI "Phân số" as `Phaân soá`. The font tells which encoding was
/// meant (`.VnTime`, `.VnArial`… for TCVN3; `VNI-Times`, `VNI-Helve`… for VNI); when the font
/// is lost, the characteristic characters give it away (see ``detect(_:)``).
public enum DocxLegacyEncoding: String, Sendable, Hashable, CaseIterable {
    /// TCVN 5712:1993 VN3, the "ABC" encoding: one byte per letter, lower case only; the
    /// capital-letter fonts (`.VnTimeH`, `.VnArialH`…) draw the same codes as capitals.
    case tcvn3
    /// VNI Windows: a base letter followed by a byte for its diacritics and tone.
    case vni

    /// The encoding a font name implies: `.Vn…` fonts are TCVN3, `VNI-…` fonts are VNI.
    public init?(fontName: String) {
        let name = fontName.trimmingCharacters(in: .whitespaces).lowercased()
        if name.hasPrefix(".vn") {
            self = .tcvn3
        } else if name.hasPrefix("vni-") || name.hasPrefix("vni ") || name.hasPrefix("vni_") {
            self = .vni
        } else {
            return nil
        }
    }

    /// Whether a TCVN3 font draws capitals only (`.VnTimeH`, `.VnArialH`, `.VnAvantH`…).
    public static func isCapitalFont(_ fontName: String) -> Bool {
        let name = fontName.trimmingCharacters(in: .whitespaces)
        return name.lowercased().hasPrefix(".vn") && name.hasSuffix("H")
    }

    /// Converts text in this encoding to Unicode (NFC). Characters that are not part of the
    /// encoding (ASCII, punctuation) are kept.
    /// - Parameter capitals: the text was drawn with a TCVN3 capital font, so it is upper-cased.
    public func decode(_ text: String, capitals: Bool = false) -> String {
        switch self {
        case .tcvn3:
            var out = String.UnicodeScalarView()
            for scalar in text.unicodeScalars {
                var code = scalar.value
                // Symbol-charset fonts are stored in the private use area, U+F000 + byte.
                if code >= 0xF000, code <= 0xF0FF { code -= 0xF000 }
                if code >= 0xA0, code <= 0xFF, let mapped = Self.tcvn3Table[Int(code - 0xA0)] {
                    out.append(contentsOf: mapped.unicodeScalars)
                } else {
                    out.append(scalar)
                }
            }
            let result = String(out)
            return capitals ? result.uppercased() : result
        case .vni:
            return Self.decodeVNI(text)
        }
    }

    /// The encoding whose characteristic characters `text` shows, if any: text that already
    /// holds Vietnamese Unicode letters (ă đ ơ ư, the precomposed tones, combining marks) is
    /// never legacy. TCVN3 is recognised by its lower-case letters in `§`–`¹` (`©` â, `¸` á,
    /// `µ` à, `®` đ, soft hyphen ư…), which VNI never uses: two of them are needed. VNI is
    /// recognised by characters Vietnamese never writes — `ñ` (đ), `ö` (ư), `ø ï û ä å ë ü` (tones),
    /// or a vowel followed by `ù`, `õ` or `ú` — two of them, or one with two more vowels followed by
    /// a VNI diacritic byte that Unicode text might also hold (`aâ`, `oá`…).
    public static func detect(_ text: String) -> DocxLegacyEncoding? {
        var tcvnSigns = 0
        var vniStrong = 0
        var vniWeak = 0
        var previous: Unicode.Scalar = " "
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if (0x0100...0x01B0).contains(v) || (0x1EA0...0x1EF9).contains(v) || (0x0300...0x0323).contains(v) { return nil }
            if (0xA7...0xAE).contains(v) || (0xB5...0xB9).contains(v) {
                tcvnSigns += 1
            } else if vniNeverVietnamese.contains(scalar) {
                vniStrong += 1
            } else if vniDetectionBases.contains(previous), vniModifiers[scalar] != nil {
                if vniToneAfterVowel.contains(scalar) { vniStrong += 1 } else { vniWeak += 1 }
            }
            previous = scalar
        }
        if tcvnSigns >= 2 { return .tcvn3 }
        if vniStrong >= 2 || (vniStrong >= 1 && vniStrong + vniWeak >= 3) { return .vni }
        return nil
    }

    /// VNI bytes that are no letter of Unicode Vietnamese.
    static let vniNeverVietnamese: Set<Unicode.Scalar> = ["ñ", "Ñ", "ö", "Ö", "ø", "Ø", "ï", "Ï", "û", "Û", "ä", "Ä", "å", "Å", "ë", "Ë", "ü", "Ü"]
    /// VNI diacritic bytes that Unicode Vietnamese never writes right after a vowel.
    static let vniToneAfterVowel: Set<Unicode.Scalar> = ["ù", "Ù", "õ", "Õ", "ú", "Ú"]
    static let vniDetectionBases: Set<Unicode.Scalar> = ["a", "e", "o", "u", "y", "A", "E", "O", "U", "Y", "ô", "Ô", "ö", "Ö"]

    // MARK: TCVN3

    /// TCVN3 (ABC) bytes 0xA0–0xFF → Unicode; `nil` where the byte keeps its Latin-1 meaning.
    /// From the TCVN 5712:1993 VN3 code chart: the capitals Ă Â Ê Ô Ơ Ư Đ at A1–A7, the
    /// lower-case ă â ê ô ơ ư đ at A8–AE, then each vowel with its five tones in the order
    /// huyền, hỏi, ngã, sắc, nặng (à ả ã á ạ at B5–B9 …), leaving gaps where Latin-1 has
    /// characters that must stay usable.
    static let tcvn3Table: [Character?] = {
        let pairs: [(UInt8, Character)] = [
            (0xA1, "Ă"), (0xA2, "Â"), (0xA3, "Ê"), (0xA4, "Ô"), (0xA5, "Ơ"), (0xA6, "Ư"), (0xA7, "Đ"),
            (0xA8, "ă"), (0xA9, "â"), (0xAA, "ê"), (0xAB, "ô"), (0xAC, "ơ"), (0xAD, "ư"), (0xAE, "đ"),
            (0xB5, "à"), (0xB6, "ả"), (0xB7, "ã"), (0xB8, "á"), (0xB9, "ạ"),
            (0xBB, "ằ"), (0xBC, "ẳ"), (0xBD, "ẵ"), (0xBE, "ắ"), (0xC6, "ặ"),
            (0xC7, "ầ"), (0xC8, "ẩ"), (0xC9, "ẫ"), (0xCA, "ấ"), (0xCB, "ậ"),
            (0xCC, "è"), (0xCE, "ẻ"), (0xCF, "ẽ"), (0xD0, "é"), (0xD1, "ẹ"),
            (0xD2, "ề"), (0xD3, "ể"), (0xD4, "ễ"), (0xD5, "ế"), (0xD6, "ệ"),
            (0xD7, "ì"), (0xD8, "ỉ"), (0xDC, "ĩ"), (0xDD, "í"), (0xDE, "ị"),
            (0xDF, "ò"), (0xE1, "ỏ"), (0xE2, "õ"), (0xE3, "ó"), (0xE4, "ọ"),
            (0xE5, "ồ"), (0xE6, "ổ"), (0xE7, "ỗ"), (0xE8, "ố"), (0xE9, "ộ"),
            (0xEA, "ờ"), (0xEB, "ở"), (0xEC, "ỡ"), (0xED, "ớ"), (0xEE, "ợ"),
            (0xEF, "ù"), (0xF1, "ủ"), (0xF2, "ũ"), (0xF3, "ú"), (0xF4, "ụ"),
            (0xF5, "ừ"), (0xF6, "ử"), (0xF7, "ữ"), (0xF8, "ứ"), (0xF9, "ự"),
            (0xFA, "ỳ"), (0xFB, "ỷ"), (0xFC, "ỹ"), (0xFD, "ý"), (0xFE, "ỵ"),
        ]
        var table = [Character?](repeating: nil, count: 0x60)
        for (byte, character) in pairs { table[Int(byte) - 0xA0] = character }
        return table
    }()

    // MARK: VNI

    /// What a VNI diacritic byte adds to the vowel before it.
    struct VNIModifier {
        /// U+0302 circumflex, U+0306 breve, or `nil`.
        var shape: Unicode.Scalar?
        /// U+0300 huyền, U+0301 sắc, U+0309 hỏi, U+0303 ngã, U+0323 nặng, or `nil`.
        var tone: Unicode.Scalar?
    }

    /// VNI Windows diacritic bytes (lower- and upper-case forms): tone only `ù ø û õ ï`,
    /// circumflex `â á à å ã ä` (alone, sắc, huyền, hỏi, ngã, nặng), breve `ê é è ú ü ë` (same order).
    static let vniModifiers: [Unicode.Scalar: VNIModifier] = {
        let grave: Unicode.Scalar = "\u{300}", acute: Unicode.Scalar = "\u{301}", hook: Unicode.Scalar = "\u{309}"
        let tilde: Unicode.Scalar = "\u{303}", dot: Unicode.Scalar = "\u{323}"
        let hat: Unicode.Scalar = "\u{302}", breve: Unicode.Scalar = "\u{306}"
        let rows: [(String, String, Unicode.Scalar?, Unicode.Scalar?)] = [
            ("ù", "Ù", nil, acute), ("ø", "Ø", nil, grave), ("û", "Û", nil, hook), ("õ", "Õ", nil, tilde), ("ï", "Ï", nil, dot),
            ("â", "Â", hat, nil), ("á", "Á", hat, acute), ("à", "À", hat, grave), ("å", "Å", hat, hook), ("ã", "Ã", hat, tilde),
            ("ä", "Ä", hat, dot),
            ("ê", "Ê", breve, nil), ("é", "É", breve, acute), ("è", "È", breve, grave), ("ú", "Ú", breve, hook), ("ü", "Ü", breve, tilde),
            ("ë", "Ë", breve, dot),
        ]
        var map: [Unicode.Scalar: VNIModifier] = [:]
        for (lower, upper, shape, tone) in rows {
            map[lower.unicodeScalars.first!] = VNIModifier(shape: shape, tone: tone)
            map[upper.unicodeScalars.first!] = VNIModifier(shape: shape, tone: tone)
        }
        return map
    }()

    /// Letters a VNI diacritic byte may follow: the plain vowels, and `ô`/`ö` which are VNI's ơ/ư.
    static let vniVowelBases: [Unicode.Scalar: String] = [
        "a": "a", "e": "e", "o": "o", "u": "u", "y": "y", "A": "A", "E": "E", "O": "O", "U": "U", "Y": "Y",
        "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư",
    ]

    /// VNI letters written with one byte: đ, ơ, ư (when no tone follows) and the i/y forms.
    static let vniSingles: [Unicode.Scalar: Character] = [
        "ñ": "đ", "Ñ": "Đ", "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư",
        "ì": "ì", "Ì": "Ì", "í": "í", "Í": "Í", "æ": "ỉ", "Æ": "Ỉ", "ó": "ĩ", "Ó": "Ĩ", "ò": "ị", "Ò": "Ị", "î": "ỵ", "Î": "Ỵ",
    ]

    static func decodeVNI(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = ""
        out.reserveCapacity(scalars.count)
        var i = 0
        while i < scalars.count {
            let scalar = scalars[i]
            if let base = vniVowelBases[scalar], i + 1 < scalars.count, let modifier = vniModifiers[scalars[i + 1]],
                let composed = compose(base, modifier)
            {
                out.append(composed)
                i += 2
                continue
            }
            if let single = vniSingles[scalar] {
                out.append(single)
            } else {
                out.unicodeScalars.append(scalar)
            }
            i += 1
        }
        return out
    }

    /// The base letter with the modifier's shape and tone, precomposed; `nil` for a shape the
    /// letter cannot take (only a/e/o take a circumflex, only a a breve, ơ/ư none).
    static func compose(_ base: String, _ modifier: VNIModifier) -> Character? {
        let letter = base.lowercased()
        if let shape = modifier.shape {
            if shape == "\u{302}", !["a", "e", "o"].contains(letter) { return nil }
            if shape == "\u{306}", letter != "a" { return nil }
        }
        var scalars = String.UnicodeScalarView(base.unicodeScalars)
        if let shape = modifier.shape { scalars.append(shape) }
        if let tone = modifier.tone { scalars.append(tone) }
        let composed = String(scalars).precomposedStringWithCanonicalMapping
        return composed.count == 1 ? composed.first : nil
    }
}
