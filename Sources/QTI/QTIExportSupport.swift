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

    /// `text` without the characters XML 1.0 cannot carry (``XMLText/safe(_:)``).
    static func xmlSafe(_ text: String) -> String { XMLText.safe(text) }
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
