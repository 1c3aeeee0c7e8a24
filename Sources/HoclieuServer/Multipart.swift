import Foundation
import HoclieuCore

/// A `multipart/form-data` body (RFC 7578) already on disk, read through a memory map: only the part headers
/// are copied, never the file.
struct MultipartForm {
    struct Part {
        var name: String
        var fileName: String?
        var contentType: String?
        /// The part's bytes in the mapped body.
        var range: Range<Int>
    }

    let data: Data
    let parts: [Part]

    static let maxParts = 16
    static let maxHeaderBytes = 8 << 10

    /// The boundary of a `multipart/form-data` content type (1–70 characters, RFC 2046).
    static func boundary(_ contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() where piece.lowercased().hasPrefix("boundary=") {
            var value = String(piece.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    enum Failure: Error { case malformed(String) }

    /// Reads the parts of the body in `url`; a malformed body throws ``Failure``.
    init(url: URL, boundary: String) throws {
        data = try Data(contentsOf: url, options: .alwaysMapped)
        let delimiter = Data(("--" + boundary).utf8)
        let nextDelimiter = Data(("\r\n--" + boundary).utf8)
        let crlf = Data("\r\n".utf8)
        let headerEnd = Data("\r\n\r\n".utf8)
        guard var cursor = data.range(of: delimiter)?.upperBound else { throw Failure.malformed("no boundary") }
        var parts: [Part] = []
        while true {
            // After a delimiter: "--" ends the body, CRLF starts a part.
            guard cursor + 2 <= data.endIndex else { throw Failure.malformed("truncated") }
            if data[cursor] == UInt8(ascii: "-"), data[cursor + 1] == UInt8(ascii: "-") { break }
            // Transport padding (spaces, tabs) may precede the CRLF.
            while cursor < data.endIndex, data[cursor] == 0x20 || data[cursor] == 0x09 { cursor += 1 }
            guard data.range(of: crlf, in: cursor..<min(data.endIndex, cursor + 2)) != nil else { throw Failure.malformed("no line break after boundary") }
            cursor += 2
            guard let end = data.range(of: headerEnd, in: cursor..<min(data.endIndex, cursor + Self.maxHeaderBytes)) else {
                throw Failure.malformed("part headers too long or unterminated")
            }
            let headers = String(decoding: data[cursor..<end.lowerBound], as: UTF8.self)
            let bodyStart = end.upperBound
            guard let next = data.range(of: nextDelimiter, in: bodyStart..<data.endIndex) else { throw Failure.malformed("unterminated part") }
            var part = Part(name: "", fileName: nil, contentType: nil, range: bodyStart..<next.lowerBound)
            for line in headers.components(separatedBy: "\r\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let field = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if field == "content-type" { part.contentType = value }
                if field == "content-disposition" {
                    part.name = Self.parameter("name", in: value) ?? ""
                    part.fileName = FileNames.fromContentDisposition(value)
                }
            }
            parts.append(part)
            guard parts.count <= Self.maxParts else { throw Failure.malformed("more than \(Self.maxParts) parts") }
            cursor = next.upperBound
        }
        self.parts = parts
    }

    /// A `name="…"` parameter of a Content-Disposition value.
    static func parameter(_ name: String, in value: String) -> String? {
        for piece in value.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where piece.lowercased().hasPrefix(name + "=") {
            var v = String(piece.dropFirst(name.count + 1))
            if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
            return v
        }
        return nil
    }

    func part(_ name: String) -> Part? { parts.first { $0.name == name } }
}
