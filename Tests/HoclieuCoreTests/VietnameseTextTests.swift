import Foundation
import HoclieuCore
import Testing

@Suite("Vietnamese text")
struct VietnameseTextTests {
    @Test(arguments: [
        ("Phân số", "phan so"), ("Đường tròn", "duong tron"), ("ĐƯỜNG THẲNG", "duong thang"),
        ("Nhận biết, Thông hiểu", "nhan biet, thong hieu"), ("Toán 6", "toan 6"), ("", ""),
    ])
    func folding(input: String, expected: String) {
        #expect(VietnameseText.fold(input) == expected)
    }

    @Test("Decomposed input folds like precomposed input")
    func decomposed() {
        let decomposed = "Phân số".decomposedStringWithCanonicalMapping
        #expect(VietnameseText.fold(decomposed) == "phan so")
        #expect(VietnameseText.exact(decomposed) == "phân số")
        #expect(VietnameseText.exact(decomposed).unicodeScalars.count == "phân số".unicodeScalars.count)
    }

    @Test("Tokens split on punctuation, keep marks, lower-case")
    func tokens() {
        #expect(VietnameseText.tokens("Bài 3: Phép cộng, phép trừ (lớp 6)") == ["bài", "3", "phép", "cộng", "phép", "trừ", "lớp", "6"])
        #expect(VietnameseText.hasMarks("Đường"))
        #expect(!VietnameseText.hasMarks("duong"))
    }

    @Test("Content ids normalise text")
    func contentID() {
        #expect(ContentID.of(text: "Phân số\r\n") == ContentID.of(text: "Phân số".decomposedStringWithCanonicalMapping))
        #expect(ContentID.of(text: "a") != ContentID.of(text: "b"))
        #expect(ContentID.of(bytes: Data()).rawValue == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("Metadata is normalised and validated")
    func metadata() {
        var m = MaterialMetadata(title: "  Phân số ", subjects: ["toan", "TOAN"], grades: [6, 6, 13])
        m = m.normalised()
        #expect(m.title == "Phân số")
        #expect(m.subjects == ["TOAN"])
        #expect(m.violations().map(\.field) == ["grades"])
        #expect(MaterialMetadata(title: "").violations().first?.problem == .required)
    }
}

@Suite("JSON")
struct JSONTests {
    @Test("The hand-written material JSON equals the encoder's and decodes back")
    func materialJSON() throws {
        let material = Material(
            pid: PersistentIdentifier(prefix: "79-760", serial: 42), kind: .lesson, format: "application/pdf",
            metadata: MaterialMetadata(
                title: "Phân số \"đặc biệt\"\n\\ / tab\t\u{1}\u{8}", description: "Mô tả", subjects: ["TOAN"], grades: [6, 7],
                knowledgeUnits: ["TOAN.6.SD"], keywords: ["phân số"], licence: "CC-BY-4.0", authors: ["Nguyễn Văn A"], school: "THCS A"),
            visibility: .sector, status: .published, ownerID: 3, currentVersion: 2, url: nil,
            provenance: Provenance(sourceSystem: "cli", sourceIdentifier: "a.pdf"),
            createdAt: Date(timeIntervalSince1970: 1_700_000_000.123), updatedAt: Date(timeIntervalSince1970: 1_700_000_100.5))
        let encoded = String(decoding: try HoclieuJSON.encoder().encode(material), as: UTF8.self)
        #expect(material.jsonText(withProvenance: true) == encoded)
        let decoded = try HoclieuJSON.decoder().decode(Material.self, from: Data(material.jsonText(withProvenance: true).utf8))
        #expect(decoded == material)
        // The public form never names the owner or the provenance.
        #expect(!material.jsonText.contains("ownerID") && !material.jsonText.contains("provenance") && !material.jsonText.contains("a.pdf"))
        var bare = material
        bare.provenance = nil
        bare.metadata.licence = nil
        bare.url = "https://example.org/a?b=c"
        #expect(bare.jsonText(withProvenance: true) == String(decoding: try HoclieuJSON.encoder().encode(bare), as: UTF8.self))
    }

    @Test("Timestamps: milliseconds, UTC, round trip")
    func timestamps() {
        let date = Date(timeIntervalSince1970: 1_764_383_783.123)
        #expect(HoclieuJSON.timestamp(date) == "2025-11-29T02:36:23.123Z")
        #expect(HoclieuJSON.parseTimestamp("2025-11-29T02:36:23.123Z") == date)
        #expect(HoclieuJSON.parseTimestamp("2025-11-29T02:36:23Z") == Date(timeIntervalSince1970: 1_764_383_783))
        #expect(HoclieuJSON.parseTimestamp("yesterday") == nil)
    }
}

@Suite("Web links")
struct WebLinkTests {
    @Test(arguments: [
        ("https://vi.wikipedia.org/wiki/Phân_số", "https://vi.wikipedia.org/wiki/Ph%C3%A2n_s%E1%BB%91"),
        ("  HTTP://example.org  ", "http://example.org"),
        ("https://example.org:8443/a?b=c#d", "https://example.org:8443/a?b=c#d"),
    ])
    func accepted(input: String, expected: String) {
        #expect(WebLinks.normalise(input) == expected)
    }

    @Test(arguments: ["javascript:alert(1)", "ftp://example.org", "https://", "https://Ï", "https://a b.org", "https://example.org/a b", "file:///etc/passwd"])
    func refused(input: String) {
        #expect(WebLinks.normalise(input) == nil)
    }
}

@Suite("Vietnamese tone placement and highlighting")
struct TonePlacementTests {
    @Test(arguments: [
        ("hòa", "hoà"), ("hoà", "hoà"), ("thủy", "thuỷ"), ("qúy", "quý"), ("quý", "quý"), ("khỏe", "khoẻ"), ("hủy", "huỷ"), ("gìa", "già"),
        ("toán", "toán"), ("hoàng", "hoàng"), ("của", "của"), ("mía", "mía"), ("người", "người"), ("thuở", "thuở"), ("giữa", "giữa"),
        ("khuỷu", "khuỷu"), ("khúyu", "khuỷu".replacingOccurrences(of: "ỷ", with: "ý")), ("gì", "gì"), ("café", "café"), ("résumé", "résumé"),
    ])
    func canonical(input: String, expected: String) {
        #expect(VietnameseTonePlacement.canonical(input) == expected)
    }

    @Test("Tokens carry the canonical placement in the exact form; the folded form is unchanged")
    func tokens() {
        #expect(VietnameseText.tokens("Hòa bình, THỦY điện") == ["hoà", "bình", "thuỷ", "điện"])
        #expect(VietnameseText.tokens("Hòa".decomposedStringWithCanonicalMapping) == ["hoà"])
        var folded: [String] = []
        VietnameseTokenizer.forEachToken("Hòa hoà") { _, f in folded.append(String(decoding: f, as: UTF8.self)) }
        #expect(folded == ["hoa", "hoa"])
    }

    @Test("Highlighting escapes everything and marks only matched words")
    func highlight() {
        let h = SearchHighlight(query: "hoá <script>", lastIsPrefix: false)
        #expect(h.marked("<script>alert('x')</script> Hóa học & HOÀ") == "&lt;<mark>script</mark>&gt;alert(&#39;x&#39;)&lt;/<mark>script</mark>&gt; <mark>Hóa</mark> học &amp; <mark>HOÀ</mark>")
        let typing = SearchHighlight(query: "phuong tr", lastIsPrefix: true)
        #expect(typing.marked("Phương trình") == "<mark>Phương</mark> <mark>trình</mark>")
        #expect(SearchHighlight(query: "tr", lastIsPrefix: false).marked("trình") == "trình")
        let long = String(repeating: "chữ ", count: 100) + "mục tiêu" + String(repeating: " chữ", count: 100)
        let snippet = SearchHighlight(query: "tiêu", lastIsPrefix: false).snippet(long)
        #expect(snippet.hasPrefix("… ") && snippet.hasSuffix(" …") && snippet.contains("mục <mark>tiêu</mark>"))
        #expect(snippet.count < 200)
        #expect(SearchHighlight(query: "vắng", lastIsPrefix: false).snippet(long) == "")
    }
}
