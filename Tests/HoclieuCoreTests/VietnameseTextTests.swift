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
