import Foundation

/// Turns the bytes of a text question file into a string.
enum TextDecoding {
    enum Encoding: Equatable {
        case utf8, utf16, windows1252
    }

    /// UTF-8 (a BOM is dropped); UTF-16 with a BOM; otherwise Windows-1252, the encoding of
    /// files saved by Windows editors in Western locales (every byte decodes, so it never fails).
    static func decode(_ data: Data) -> (text: String, encoding: Encoding) {
        var bytes = data[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]),
            let text = String(data: Data(bytes), encoding: .utf16)
        {
            return (text, .utf16)
        }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, .utf8) }
        var scalars = String.UnicodeScalarView()
        for byte in bytes {
            if byte >= 0x80 && byte <= 0x9F {
                scalars.append(Unicode.Scalar(windows1252High[Int(byte - 0x80)])!)
            } else {
                scalars.append(Unicode.Scalar(byte))
            }
        }
        return (String(scalars), .windows1252)
    }

    /// Windows-1252 0x80–0x9F (the five undefined bytes map to the C1 controls, as WHATWG does).
    static let windows1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    /// Lines, split on LF, CRLF or CR.
    static func lines(_ text: String) -> [String] {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    static func encodingWarning(_ encoding: Encoding) -> QuestionFormatMessage? {
        switch encoding {
        case .utf8: return nil
        case .utf16:
            return .init(code: "decodedUTF16", vi: "Tệp mã hoá UTF-16, đã chuyển sang UTF-8", en: "The file is UTF-16; converted to UTF-8")
        case .windows1252:
            return .init(
                code: "decodedWindows1252", vi: "Tệp không phải UTF-8; đã đọc theo bảng mã Windows-1252",
                en: "The file is not UTF-8; read as Windows-1252"
            )
        }
    }
}
