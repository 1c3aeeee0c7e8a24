extension RichText {
    /// The text reduced to the restricted HTML that Hoclieu shows.
    ///
    /// Only ``Format/html`` text is rewritten; other formats are returned unchanged and must
    /// be escaped (plain, auto format) or rendered and then sanitised (Markdown may carry
    /// inline HTML) by whoever displays them.
    ///
    /// What is kept:
    /// - elements `p br b strong i em u sub sup ul ol li table thead tbody tfoot caption tr td th span img a`
    ///   and the presentation MathML elements (`math`, `mi`, `mn`, `mo`, `mrow`, `mfrac`, `msqrt`, `msup`…);
    /// - attributes: `img` `src` (http, https, relative or `data:image/png|jpeg|gif|webp`) and `alt`;
    ///   `a` `href` when it is an `http:` or `https:` URL; `td`/`th` `colspan`/`rowspan` (digits);
    ///   a small set of MathML layout attributes (`mathvariant`, `display`, `stretchy`…);
    /// - all text, re-escaped, so LaTeX written as `\(...\)`, `\[...\]` or `$...$` stays as it was.
    ///
    /// What is dropped: `script`, `style`, `iframe`, `object`, `embed`, `svg`, `template`, form
    /// controls and the like *with their content*; any other element (its content is kept);
    /// every other attribute (`style`, `on…` handlers, `srcdoc`, MathML `href`…); comments,
    /// DOCTYPEs and processing instructions; `javascript:`, `vbscript:`, `data:` (except the
    /// images above) and any other non-http URL, however it is encoded or cased.
    /// The output is balanced: every kept element is closed; nesting deeper than 64 elements is
    /// flattened (the text stays). The cost is linear in the length of the input.
    public func sanitised() -> RichText {
        guard format == .html else { return self }
        return RichText(HTMLSanitiser.sanitise(html), format: .html)
    }
}

/// The allow-list HTML sanitiser behind ``RichText/sanitised()``.
enum HTMLSanitiser {
    static let htmlElements: Set<String> = [
        "p", "br", "b", "strong", "i", "em", "u", "sub", "sup", "ul", "ol", "li", "table", "thead", "tbody", "tfoot",
        "caption", "tr", "td", "th", "span", "img", "a",
    ]
    static let mathMLElements: Set<String> = [
        "math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot", "mstyle", "merror",
        "mpadded", "mphantom", "mfenced", "menclose", "msub", "msup", "msubsup", "munder", "mover", "munderover",
        "mmultiscripts", "mprescripts", "none", "mtable", "mtr", "mlabeledtr", "mtd", "semantics", "annotation",
    ]
    /// Elements removed together with everything inside them.
    static let droppedWithContent: Set<String> = [
        "script", "style", "iframe", "object", "embed", "applet", "svg", "template", "noscript", "noembed", "noframes",
        "frame", "frameset", "textarea", "title", "xmp", "plaintext", "select", "button", "form", "head", "audio",
        "video", "canvas", "annotation-xml", "math-annotation", "base", "link", "meta",
    ]
    static let voidElements: Set<String> = ["br", "img", "mspace", "mprescripts", "none"]
    /// HTML elements that never have content or an end tag: dropping one skips nothing after it.
    static let htmlVoidElements: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    ]
    static let mathMLAttributes: Set<String> = [
        "mathvariant", "display", "mathsize", "open", "close", "separators", "linethickness", "fence", "stretchy",
        "separator", "accent", "accentunder", "lspace", "rspace", "notation", "columnalign", "rowalign", "encoding",
        "displaystyle", "scriptlevel", "width", "height", "depth", "form", "largeop", "movablelimits", "symmetric",
        "columnspan", "rowspan", "bevelled", "align",
    ]
    static let mathMLNamespace = "http://www.w3.org/1998/Math/MathML"
    /// Most elements kept open at once; deeper start tags are dropped (their text is kept).
    static let maxDepth = 64

    static func sanitise(_ html: String) -> String {
        var output = ""
        output.reserveCapacity(html.utf8.count)
        var open: [String] = []
        /// Name and nesting depth of a dropped-with-content element being skipped.
        var skipping: (name: String, depth: Int)?

        for token in HTMLTokenizer(html).tokens() {
            if var skip = skipping {
                switch token {
                case .startTag(let name, _, let selfClosing) where name == skip.name && !selfClosing:
                    skip.depth += 1
                    skipping = skip
                case .endTag(let name) where name == skip.name:
                    skip.depth -= 1
                    skipping = skip.depth == 0 ? nil : skip
                default: break
                }
                continue
            }
            switch token {
            case .text(let raw):
                output += escapeText(HTMLText.decodeEntities(raw))
            case .comment, .doctype:
                break
            case .startTag(let name, let attributes, let selfClosing):
                if droppedWithContent.contains(name) {
                    if !selfClosing && !htmlVoidElements.contains(name) { skipping = (name, 1) }
                    continue
                }
                guard htmlElements.contains(name) || mathMLElements.contains(name) else { continue }
                // Deeper nesting than any question needs is flattened (keeps end-tag matching cheap).
                guard open.count < maxDepth || voidElements.contains(name) else { continue }
                output += "<" + name
                for (attribute, value) in keptAttributes(of: name, attributes) {
                    output += " \(attribute)=\"\(HTMLText.escape(value))\""
                }
                output += ">"
                if !voidElements.contains(name) { open.append(name) }
            case .endTag(let name):
                guard let position = open.lastIndex(of: name) else { continue }
                // Close everything opened after it, then the element itself.
                for element in open[position...].reversed() { output += "</\(element)>" }
                open.removeSubrange(position...)
            }
        }
        for element in open.reversed() { output += "</\(element)>" }
        return output
    }

    static func keptAttributes(of element: String, _ attributes: [(name: String, value: String)]) -> [(String, String)] {
        var kept: [(String, String)] = []
        for (name, rawValue) in attributes {
            let value = HTMLText.decodeEntities(rawValue)
            switch (element, name) {
            case ("img", "src"):
                if isSafeURL(value, allowRelative: true, allowDataImages: true) { kept.append((name, value)) }
            case ("img", "alt"):
                kept.append((name, value))
            case ("a", "href"):
                if isSafeURL(value, allowRelative: false, allowDataImages: false) { kept.append((name, value)) }
            case ("td", "colspan"), ("td", "rowspan"), ("th", "colspan"), ("th", "rowspan"):
                if !value.isEmpty, value.count <= 3, value.allSatisfy({ $0.isASCII && $0.isNumber }) { kept.append((name, value)) }
            case ("math", "xmlns"):
                if value == mathMLNamespace { kept.append((name, value)) }
            default:
                if mathMLElements.contains(element), mathMLAttributes.contains(name),
                    value.allSatisfy({ $0.isLetter || $0.isNumber || " .-%#,".contains($0) })
                {
                    kept.append((name, value))
                }
            }
        }
        return kept
    }

    /// `true` for `http:`/`https:` URLs, and optionally for scheme-less relative URLs and
    /// `data:image/(png|jpeg|gif|webp)`. Control characters and whitespace that browsers
    /// ignore inside a scheme (`java\tscript:`) are removed before the scheme is read.
    static func isSafeURL(_ url: String, allowRelative: Bool, allowDataImages: Bool) -> Bool {
        let compact = String(String.UnicodeScalarView(url.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F }))
        guard !compact.isEmpty else { return false }
        let lowered = compact.lowercased()
        // The scheme is what precedes the first ":" if no "/", "?" or "#" comes before it.
        if let colon = lowered.firstIndex(of: ":"),
            !lowered[..<colon].contains(where: { $0 == "/" || $0 == "?" || $0 == "#" || $0 == "\\" })
        {
            let scheme = lowered[..<colon]
            if scheme == "http" || scheme == "https" { return true }
            if allowDataImages, scheme == "data" {
                let rest = lowered[lowered.index(after: colon)...]
                return ["image/png", "image/jpeg", "image/gif", "image/webp"].contains { rest.hasPrefix($0 + ";") || rest.hasPrefix($0 + ",") }
            }
            return false
        }
        // Protocol-relative "//host" inherits the page's scheme (http or https).
        return allowRelative && !lowered.hasPrefix("\\")
    }

    static func escapeText(_ text: String) -> String {
        // Scalars, not Characters: "<" followed by a combining mark is one Character.
        guard text.unicodeScalars.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }
}
