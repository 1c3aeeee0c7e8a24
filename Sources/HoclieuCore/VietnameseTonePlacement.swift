import Foundation

/// Where the tone mark of a Vietnamese syllable sits, made one canonical form.
///
/// Two spelling styles are in use and both are correct: the old style puts the tone of an open `oa`, `oe`, `uy`
/// on the first vowel (`hòa`, `khỏe`, `thủy`), the new style on the second (`hoà`, `khoẻ`, `thuỷ`); and people
/// type `qúy` for `quý`, `gìa` for `già`. Search treats them as one word by moving the tone, at index and at
/// query time alike (``VietnameseTokenizer`` calls this on every word it yields), to the **new-style** position:
///
/// 1. the vowel with a shape mark (`ă â ê ô ơ ư`; the last one in `ươ`, `uô`, `iê`…);
/// 2. otherwise, with a final consonant, the last vowel (`toán`, `hoàng`, `huỳnh`);
/// 3. otherwise an open `oa`/`oe`/`uy` nucleus takes it on its second vowel (`hoà`, `khoẻ`, `thuỷ`, `khuỷu`) and any
///    other nucleus on its first (`mía`, `của`, `túi`, `hai`).
///
/// The `u` of `qu` and the `i` of `gi` before another vowel belong to the consonant. A word that is not one
/// Vietnamese syllable (a consonant between vowels, two tone marks, letters of other scripts) is left as it is.
public enum VietnameseTonePlacement {
    /// The five tones as combining marks: huyền, sắc, hỏi, ngã, nặng.
    static let toneMarks: [Unicode.Scalar] = ["\u{300}", "\u{301}", "\u{309}", "\u{303}", "\u{323}"]
    /// The vowels without tone, shape marks kept.
    static let vowels: [Unicode.Scalar] = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
    static let shaped: Set<UInt32> = Set(["ă", "â", "ê", "ô", "ơ", "ư"].map { (s: Unicode.Scalar) in s.value })

    /// Below U+1F00: the tone (1–5) of a lower-case toned vowel, 0 otherwise.
    static let toneOf: [UInt8] = tables.tone
    /// Below U+1F00: the toneless vowel of a toned one.
    static let baseOf: [UInt32] = tables.base
    /// Toneless vowel → the six forms (index 0 toneless, 1–5 the tones).
    static let composed: [UInt32: [UInt32]] = tables.composed

    private static let tables: (tone: [UInt8], base: [UInt32], composed: [UInt32: [UInt32]]) = {
        var tone = [UInt8](repeating: 0, count: 0x1F00)
        var base = [UInt32](repeating: 0, count: 0x1F00)
        var composed: [UInt32: [UInt32]] = [:]
        for vowel in vowels {
            var forms = [vowel.value]
            for (i, mark) in toneMarks.enumerated() {
                var text = String.UnicodeScalarView()
                text.append(vowel)
                text.append(mark)
                let nfc = String(text).precomposedStringWithCanonicalMapping.unicodeScalars
                // Every Vietnamese vowel with every tone is one precomposed character.
                guard nfc.count == 1, let scalar = nfc.first, scalar.value < 0x1F00 else { continue }
                tone[Int(scalar.value)] = UInt8(i + 1)
                base[Int(scalar.value)] = vowel.value
                forms.append(scalar.value)
            }
            if forms.count == 6 { composed[vowel.value] = forms }
        }
        return (tone, base, composed)
    }()

    static func isVowel(_ v: UInt32) -> Bool { composed[v] != nil }

    /// Whether the scalar (lower case) is a vowel carrying a tone: the tokenizer's cue to call ``canonicalise(_:)``.
    @inline(__always) public static func hasTone(_ v: UInt32) -> Bool { v < 0x1F00 && toneOf[Int(v)] != 0 }

    /// Moves the tone of one lower-case syllable to the canonical position; returns whether anything moved.
    public static func canonicalise(_ s: inout [UInt32]) -> Bool {
        var tonePosition = -1
        var tone = 0
        for (i, v) in s.enumerated() where hasTone(v) {
            guard tonePosition < 0 else { return false }
            tonePosition = i
            tone = Int(toneOf[Int(v)])
        }
        guard tonePosition >= 0 else { return false }
        var plain = s
        plain[tonePosition] = baseOf[Int(s[tonePosition])]
        // Latin letters only (đ included).
        guard plain.allSatisfy({ (0x61...0x7A).contains($0) || $0 == 0x111 || isVowel($0) }) else { return false }
        guard var start = plain.firstIndex(where: isVowel) else { return false }
        let u: UInt32 = 0x75, i: UInt32 = 0x69, q: UInt32 = 0x71, g: UInt32 = 0x67
        if start == 1, start + 1 < plain.count, isVowel(plain[start + 1]),
            (plain[0] == q && plain[1] == u) || (plain[0] == g && plain[1] == i)
        {
            start += 1
        }
        var end = start
        while end < plain.count, isVowel(plain[end]) { end += 1 }
        // One nucleus: nothing but consonants after it.
        guard !plain[end...].contains(where: isVowel) else { return false }
        let target: Int
        if let marked = (start..<end).last(where: { shaped.contains(plain[$0]) }) {
            target = marked
        } else if end < plain.count {
            target = end - 1
        } else if end - start >= 2 {
            let (a, b) = (plain[start], plain[start + 1])
            let second = (a == 0x6F && (b == 0x61 || b == 0x65)) || (a == u && b == 0x79)  // oa, oe, uy
            target = second ? start + 1 : start
        } else {
            target = start
        }
        guard target != tonePosition, let forms = composed[plain[target]] else { return false }
        plain[target] = forms[tone]
        s = plain
        return true
    }

    /// The word with its tone in the canonical position (``canonicalise(_:)``), for callers holding a `String`.
    public static func canonical(_ word: String) -> String {
        var scalars = word.unicodeScalars.map(\.value)
        guard canonicalise(&scalars) else { return word }
        var view = String.UnicodeScalarView()
        for v in scalars { view.append(Unicode.Scalar(v)!) }
        return String(view)
    }
}
