import Foundation
import HoclieuCore
import HoclieuXML
import QuestionFormats

/// Writes question HTML as XHTML elements through an ``XMLWriter``.
///
/// The HTML is parsed as an XML fragment (after turning the HTML-only spellings `<br>`, `<img …>`,
/// `&nbsp;` into XML); text that is not well-formed XML even then is written as plain text and the
/// caller is told (`false`), so it can report the narrowing.
struct XHTMLWriter {
    static let blockElements: Set<String> = [
        "p", "div", "table", "ul", "ol", "dl", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "hr", "address", "math",
    ]
    static let mathNamespace = "http://www.w3.org/1998/Math/MathML"

    /// A parsed fragment: the wrapper element holding it, or `nil` if the HTML is not XML.
    static func parse(_ html: String) -> XMLElement? {
        var text = html
        for (from, to) in [("&nbsp;", "&#160;"), ("<br>", "<br/>"), ("<hr>", "<hr/>")] { text = text.replacingOccurrences(of: from, with: to) }
        text = closeVoidElements(text)
        let wrapped = "<hoclieu-fragment>\(text)</hoclieu-fragment>"
        guard let document = try? XMLDocument(data: Data(wrapped.utf8), options: XMLParseOptions(maxBytes: 16 << 20, maxDepth: 64)) else {
            return nil
        }
        return document.root
    }

    /// `<img …>` → `<img … />` (HTML void elements that were not closed).
    static func closeVoidElements(_ html: String) -> String {
        var result = ""
        var rest = Substring(html)
        while let open = rest.range(of: "<img") ?? rest.range(of: "<input") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: ">") else { break }
            var tag = String(rest[open.lowerBound...close])
            if !tag.hasSuffix("/>") { tag = String(tag.dropLast()) + " />" }
            result += tag
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    /// Whether the fragment is only block elements and whitespace (so it can stand in an `itemBody`).
    static func isBlockContent(_ fragment: XMLElement) -> Bool {
        for node in XMLMarkup.childNodes(fragment) {
            switch node {
            case .text(let text): if !text.allSatisfy(\.isWhitespace) { return false }
            case .element(let element): if !blockElements.contains(element.name) { return false }
            }
        }
        return true
    }

    /// Writes the children of `fragment`. `marker` is called for each `{#n}` in text (0-based n) when
    /// given; `source` rewrites `src`/`href` values.
    static func writeChildren(
        of fragment: XMLElement, _ w: XMLWriter, marker: ((Int) throws -> Void)? = nil, source: (String) -> String = { $0 }
    ) throws {
        for node in XMLMarkup.childNodes(fragment) {
            switch node {
            case .text(let text):
                try writeText(text, w, marker: marker)
            case .element(let element):
                if element.namespaceURI == mathNamespace, element.name == "math" {
                    try w.startElement("math", namespaceURI: mathNamespace)
                } else {
                    try w.startElement(element.name)
                }
                for attribute in element.attributes {
                    if attribute.prefix == "xml" {
                        try w.attribute(attribute.name, attribute.value, prefix: "xml")
                    } else if attribute.prefix == nil {
                        let value = ["src", "href", "data"].contains(attribute.name) ? source(attribute.value) : attribute.value
                        try w.attribute(attribute.name, value)
                    }
                }
                try writeChildren(of: element, w, marker: marker, source: source)
                try w.endElement()
            }
        }
    }

    static func writeText(_ text: String, _ w: XMLWriter, marker: ((Int) throws -> Void)?) throws {
        guard let marker else { return try w.text(xmlSafe(text)) }
        var rest = Substring(text)
        while let open = rest.range(of: "{#"), let close = rest[open.upperBound...].firstIndex(of: "}"),
            let number = Int(rest[open.upperBound..<close])
        {
            if open.lowerBound > rest.startIndex { try w.text(xmlSafe(String(rest[..<open.lowerBound]))) }
            try marker(number - 1)
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { try w.text(xmlSafe(String(rest))) }
    }

    /// `text` without the characters XML 1.0 cannot carry.
    static func xmlSafe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !isXMLCharacter($0) }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter(isXMLCharacter)))
    }

    static func isXMLCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v != 0xFFFE && v != 0xFFFF)
    }
}

/// A ZIP writer for exports: stored entries in the order given, UTF-8 names, a fixed timestamp
/// (1980-01-01 00:00), so equal input gives equal bytes.
enum QTIZipWriter {
    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ data: Data) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in data { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    static func archive(_ entries: [(path: String, data: Data)]) -> Data {
        var out = Data()
        var central = Data()
        func le16(_ v: UInt16, _ d: inout Data) {
            d.append(UInt8(v & 0xFF))
            d.append(UInt8(v >> 8))
        }
        func le32(_ v: UInt32, _ d: inout Data) {
            le16(UInt16(v & 0xFFFF), &d)
            le16(UInt16(v >> 16), &d)
        }
        for (name, data) in entries {
            let nameBytes = Data(name.utf8)
            let crc = crc32(data)
            let offset = UInt32(out.count)
            le32(0x0403_4b50, &out)
            for v: UInt16 in [20, 0x0800, 0, 0, 0x21] { le16(v, &out) }
            for v in [crc, UInt32(data.count), UInt32(data.count)] { le32(v, &out) }
            le16(UInt16(nameBytes.count), &out)
            le16(0, &out)
            out.append(nameBytes)
            out.append(data)
            le32(0x0201_4b50, &central)
            for v: UInt16 in [20, 20, 0x0800, 0, 0, 0x21] { le16(v, &central) }
            for v in [crc, UInt32(data.count), UInt32(data.count)] { le32(v, &central) }
            for v: UInt16 in [UInt16(nameBytes.count), 0, 0, 0, 0] { le16(v, &central) }
            le32(0, &central)
            le32(offset, &central)
            central.append(nameBytes)
        }
        let centralOffset = UInt32(out.count)
        out.append(central)
        le32(0x0605_4b50, &out)
        for v: UInt16 in [0, 0, UInt16(entries.count), UInt16(entries.count)] { le16(v, &out) }
        le32(UInt32(central.count), &out)
        le32(centralOffset, &out)
        le16(0, &out)
        return out
    }
}

/// QTI identifiers are XML NCNames; anything else is rewritten (letters, digits, `-`, `_`, `.`, a letter first).
func qtiIdentifier(_ raw: String, fallback: String) -> String {
    let allowed = raw.unicodeScalars.map { scalar -> Character in
        let c = Character(scalar)
        return c.isLetter || c.isNumber || c == "-" || c == "_" || c == "." ? c : "_"
    }
    var id = String(allowed)
    if id.isEmpty { id = fallback }
    if let first = id.first, !(first.isLetter || first == "_") { id = "_" + id }
    return id
}

/// Numbers as QTI writes them: no exponent, no trailing zeros.
func qtiNumber(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    var text = String(format: "%.7f", value)
    while text.hasSuffix("0") { text.removeLast() }
    return text
}
