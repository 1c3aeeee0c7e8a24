import Foundation
import QuestionFormats
import Testing

/// The TCVN3 (ABC) and VNI Windows tables, on real words read off the code charts, and on
/// every Vietnamese letter.
@Suite("Docx legacy encodings")
struct DocxLegacyEncodingTests {
    /// Every Vietnamese vowel with every tone (NFC), lower case: a ă â e ê i o ô ơ u ư y × 6 tones.
    static let vowels: [String] = {
        let bases = ["a", "a\u{306}", "a\u{302}", "e", "e\u{302}", "i", "o", "o\u{302}", "o\u{31B}", "u", "u\u{31B}", "y"]
        let tones = ["", "\u{300}", "\u{309}", "\u{303}", "\u{301}", "\u{323}"]
        return bases.flatMap { base in tones.map { (base + $0).precomposedStringWithCanonicalMapping } }
    }()

    @Test(
        "TCVN3 words",
        arguments: [
            ("Ph©n sè", "Phân số"), ("Tr\u{AD}êng häc", "Trường học"), ("§¹i häc", "Đại học"), ("ViÖt Nam", "Việt Nam"),
            ("Gi¶i ph\u{AD}¬ng tr×nh", "Giải phương trình"), ("tÝch ph©n", "tích phân"), ("§óng hay sai", "Đúng hay sai"),
            ("chuyÓn ®éng", "chuyển động"), ("\u{AD}íc l\u{AD}îng", "ước lượng"), ("ch÷ sè", "chữ số"), ("bËc hai", "bậc hai"),
            ("s¾p xÕp", "sắp xếp"), ("mÆt ph¼ng", "mặt phẳng"), ("tû lÖ", "tỷ lệ"), ("kü n¨ng", "kỹ năng"), ("®å thÞ", "đồ thị"),
            ("gãc", "góc"), ("sù", "sự"), ("ThÓ tÝch", "Thể tích"), ("nghiÖm", "nghiệm"), ("lín h¬n", "lớn hơn"), ("Tæng", "Tổng"),
            ("cña", "của"), ("mçi", "mỗi"), ("ba c¹nh", "ba cạnh"), ("ho¹t ®éng", "hoạt động"), ("khÐo lÐo", "khéo léo"),
            ("kÒ bï", "kề bù"), ("sÏ", "sẽ"), ("bÎ", "bẻ"), ("nÆng", "nặng"), ("b»ng", "bằng"), ("hÑp", "hẹp"),
            ("l·i", "lãi"), ("ngò", "ngũ"), ("ñng hé", "ủng hộ"), ("ý kiÕn", "ý kiến"), ("Hoµng", "Hoàng"), ("chiÕc", "chiếc"),
            ("bÊt ph\u{AD}¬ng", "bất phương"), ("ChÝnh x¸c", "Chính xác"), ("tØ sè", "tỉ số"), ("cÇu thñ", "cầu thủ"), ("®Ó", "để"),
            ("nh\u{AD}ng", "nhưng"), ("tõ", "từ"), ("th\u{AD}íc", "thước"), ("®ç", "đỗ"), ("sè häc", "số học"), ("nhá", "nhỏ"),
            ("dÔ", "dễ"), ("c«", "cô"), ("x©y", "xây"), ("¨n", "ăn"), ("«n tËp", "ôn tập"), ("Ých", "ích"), ("ø", "ứ"),
            ("kú", "kỳ"), ("nh÷ng", "những"), ("ch÷a", "chữa"), ("bØ", "bỉ"), ("lÜnh", "lĩnh"), ("bÞ", "bị"), ("­", "ư"),
            ("ö", "ử"), ("õ", "ừ"), ("ú", "ỳ"), ("ý", "ý"), ("ü", "ỹ"), ("þ", "ỵ"), ("û", "ỷ"), ("×", "ì"), ("ì", "ỡ"), ("ß", "ò"),
        ])
    func tcvn3(_ legacy: String, _ unicode: String) {
        #expect(DocxLegacyEncoding.tcvn3.decode(legacy) == unicode)
    }

    @Test("TCVN3 capital fonts (.VnTimeH) draw the same codes as capitals")
    func tcvn3Capitals() {
        #expect(DocxLegacyEncoding.isCapitalFont(".VnTimeH"))
        #expect(!DocxLegacyEncoding.isCapitalFont(".VnTime"))
        #expect(DocxLegacyEncoding.tcvn3.decode("®Ò kiÓm tra häc kú", capitals: true) == "ĐỀ KIỂM TRA HỌC KỲ")
        #expect(DocxLegacyEncoding.tcvn3.decode("¡¢£¤¥¦§") == "ĂÂÊÔƠƯĐ")
    }

    @Test("The TCVN3 table holds every lower-case Vietnamese letter, and every capital through the capital fonts")
    func tcvn3Complete() {
        let everyByte = String(String.UnicodeScalarView((0xA0...0xFF).map { Unicode.Scalar(UInt8($0)) }))
        let decoded = Set(DocxLegacyEncoding.tcvn3.decode(everyByte).map(String.init))
        let capitals = Set(DocxLegacyEncoding.tcvn3.decode(everyByte, capitals: true).map(String.init))
        let lettersOutsideASCII = Self.vowels.filter { !$0.unicodeScalars.allSatisfy(\.isASCII) } + ["đ"]
        #expect(lettersOutsideASCII.count == 67)
        #expect(lettersOutsideASCII.filter { !decoded.contains($0) } == [])
        #expect(lettersOutsideASCII.map { $0.uppercased() }.filter { !capitals.contains($0) } == [])
    }

    @Test(
        "VNI words",
        arguments: [
            ("Phaân soá", "Phân số"), ("Tröôøng hoïc", "Trường học"), ("Ñaïi hoïc", "Đại học"), ("Vieät Nam", "Việt Nam"),
            ("Haøm soá", "Hàm số"), ("phöông trình", "phương trình"), ("tích phaân", "tích phân"), ("Giaûi", "Giải"),
            ("nghieäm", "nghiệm"), ("chöõ soá", "chữ số"), ("baäc hai", "bậc hai"), ("saép xeáp", "sắp xếp"), ("maët phaúng", "mặt phẳng"),
            ("tæ leä", "tỉ lệ"), ("kyõ naêng", "kỹ năng"), ("ñoà thò", "đồ thị"), ("nghóa", "nghĩa"), ("yù kieán", "ý kiến"),
            ("lyù thuyeát", "lý thuyết"), ("Ñuùng", "Đúng"), ("ÑEÀ KIEÅM TRA", "ĐỀ KIỂM TRA"), ("TRÖÔØNG", "TRƯỜNG"), ("chaün", "chẵn"),
            ("löôïng", "lượng"), ("Bình Döông", "Bình Dương"), ("ÑAÙP AÙN", "ĐÁP ÁN"), ("Kyø thi", "Kỳ thi"), ("hoaït ñoäng", "hoạt động"),
        ])
    func vni(_ legacy: String, _ unicode: String) {
        #expect(DocxLegacyEncoding.vni.decode(legacy) == unicode)
    }

    /// VNI from its chart, written independently of the decoder: a base letter followed by the
    /// diacritic byte (tone only `ù ø û õ ï`, circumflex `â á à å ã ä`, breve `ê é è ú ü ë`, in the
    /// order none/sắc/huyền/hỏi/ngã/nặng), ơ/ư as `ô`/`ö`, i and ỵ as single bytes, đ as `ñ`.
    static func vniEncode(_ letter: String) -> String {
        let upper = letter != letter.lowercased()
        let scalars = Array(letter.lowercased().decomposedStringWithCanonicalMapping.unicodeScalars)
        var base = String(scalars[0])
        var shape: Unicode.Scalar?
        var tone: Unicode.Scalar?
        for mark in scalars.dropFirst() {
            if ["\u{302}", "\u{306}", "\u{31B}"].contains(mark) { shape = mark } else { tone = mark }
        }
        let tones: [Unicode.Scalar: Int] = ["\u{301}": 1, "\u{300}": 2, "\u{309}": 3, "\u{303}": 4, "\u{323}": 5]
        let t = tone.flatMap { tones[$0] } ?? 0
        var result: String
        if base == "d" { return upper ? "Ñ" : "ñ" }
        if base == "i", t > 0 {
            result = ["", "í", "ì", "æ", "ó", "ò"][t]
        } else if base == "y", t == 5 {
            result = "î"
        } else if shape == "\u{31B}" {
            base = base == "o" ? "ô" : "ö"
            result = base + ["", "ù", "ø", "û", "õ", "ï"][t]
        } else if shape == "\u{302}" {
            result = base + ["â", "á", "à", "å", "ã", "ä"][t]
        } else if shape == "\u{306}" {
            result = base + ["ê", "é", "è", "ú", "ü", "ë"][t]
        } else {
            result = base + ["", "ù", "ø", "û", "õ", "ï"][t]
        }
        return upper ? result.uppercased() : result
    }

    @Test("VNI decodes every Vietnamese letter, lower and upper case, all tones")
    func vniComplete() {
        let letters = Self.vowels + ["đ"]
        let all = letters + letters.map { $0.uppercased() }
        #expect(all.count == 146)
        let wrong = all.filter { DocxLegacyEncoding.vni.decode(Self.vniEncode($0)) != $0 }
        #expect(wrong == [])
        #expect(Self.vniEncode("ự") == "öï")
        #expect(Self.vniEncode("Ẵ") == "AÜ")
    }

    @Test("Detection: legacy text by its characteristic characters; Unicode Vietnamese, even without toned letters, is left alone")
    func detection() {
        #expect(DocxLegacyEncoding.detect("Trong c¸c sè sau, sè nµo lµ sè nguyªn tè?") == .tcvn3)
        #expect(DocxLegacyEncoding.detect("Trong caùc soá sau, soá naøo laø soá chaün?") == .vni)
        #expect(DocxLegacyEncoding.detect("Trong các số sau, số nào là số nguyên tố?") == nil)
        #expect(DocxLegacyEncoding.detect("Mùa xuân, Tuân") == nil)
        #expect(DocxLegacyEncoding.detect("Hoà và Xuân") == nil)
        #expect(DocxLegacyEncoding.detect("Sóng 5 µm") == nil)
        #expect(DocxLegacyEncoding(fontName: ".VnTime") == .tcvn3)
        #expect(DocxLegacyEncoding(fontName: "VNI-Times") == .vni)
        #expect(DocxLegacyEncoding(fontName: "Times New Roman") == nil)
    }
}
