/// A piece of formatted text in a question: the stem, an option, a feedback, a rubric.
///
/// The text is kept as its author wrote it (``html`` holds HTML, plain text or Markdown
/// depending on ``format``); ``sanitised()`` gives the restricted-HTML form that is safe to
/// show. Maths is MathML inside the HTML, or LaTeX written as `\(...\)`, `\[...\]` or
/// `$...$` in the text, which is kept untouched.
public struct RichText: Sendable, Codable, Hashable {
    /// How ``RichText/html`` is to be read. Raw values are Moodle's format names.
    public enum Format: String, Sendable, Codable, Hashable, CaseIterable {
        /// HTML (restricted on display, see ``RichText/sanitised()``).
        case html
        /// Plain text: `<` and `&` are characters, line breaks are kept.
        case plain = "plain_text"
        /// Markdown.
        case markdown
        /// Moodle's "auto format": plain text where line breaks become `<br>` and URLs links.
        case moodleAutoFormat = "moodle_auto_format"

        /// Parses Moodle's and GIFT's names for a format (`html`, `plain_text`, `plain`, `text`,
        /// `markdown`, `moodle_auto_format`, `moodle`); `nil` for anything else.
        public init?(moodleName: String) {
            switch moodleName.lowercased() {
            case "html": self = .html
            case "plain_text", "plain", "text": self = .plain
            case "markdown": self = .markdown
            case "moodle_auto_format", "moodle": self = .moodleAutoFormat
            default: return nil
            }
        }
    }

    /// The text itself, in ``format``.
    public var html: String
    /// How ``html`` is to be read.
    public var format: Format

    /// Creates a rich text; HTML by default.
    public init(_ html: String = "", format: Format = .html) {
        self.html = html
        self.format = format
    }

    /// Plain text, with `format` ``Format/plain``.
    public static func plain(_ text: String) -> RichText { RichText(text, format: .plain) }

    /// `true` when the text shows nothing: whitespace only, or for HTML, tags without text
    /// and without embedded content (an image or a formula counts as content).
    public var isEmpty: Bool {
        guard format == .html else { return html.allSatisfy(\.isWhitespace) }
        return comparisonKey.isEmpty
    }

    /// What the text shows, for comparing two texts (duplicate options): the plain text with
    /// runs of whitespace collapsed, followed by the sources of its images and a marker per
    /// formula. Two texts that differ only in markup have the same key.
    public var comparisonKey: String {
        guard format == .html else { return html.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        var text = ""
        var embedded: [String] = []
        var mathDepth = 0
        for token in HTMLTokenizer(html).tokens() {
            switch token {
            case .text(let raw):
                text += HTMLText.decodeEntities(raw)
            case .startTag(let name, let attributes, let selfClosing):
                if HTMLText.blockLike.contains(name) { text += " " }
                if name == "math", !selfClosing { mathDepth += 1 }
                if HTMLText.embeddedContent.contains(name) {
                    let source = attributes.first { $0.name == "src" || $0.name == "data" }?.value ?? ""
                    embedded.append("<\(name) \(HTMLText.decodeEntities(source))>")
                }
            case .endTag(let name):
                if HTMLText.blockLike.contains(name) { text += " " }
                if name == "math", mathDepth > 0 {
                    mathDepth -= 1
                    if mathDepth == 0 { embedded.append("<math>") }
                }
            case .comment, .doctype:
                break
            }
        }
        let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return ([words].filter { !$0.isEmpty } + embedded).joined(separator: " ")
    }

    /// The text without markup: HTML tags removed and the common character references
    /// decoded (for comparisons, search, short previews). Non-HTML formats are returned as is.
    public var plainText: String {
        guard format == .html else { return html }
        return HTMLText.stripTags(html)
    }
}

/// Small helpers shared by the sanitiser and by callers that need text out of HTML.
public enum HTMLText {
    /// Removes tags and decodes character references; block tags and `<br>` become a space.
    public static func stripTags(_ html: String) -> String {
        var output = ""
        for token in HTMLTokenizer(html).tokens() {
            switch token {
            case .text(let raw): output += decodeEntities(raw)
            case .startTag(let name, _, _), .endTag(let name):
                if blockLike.contains(name) { output += " " }
            case .comment, .doctype: break
            }
        }
        return output
    }

    /// Escapes `&`, `<`, `>` and `"` so that `text` can be placed in HTML text or in a
    /// double-quoted attribute.
    public static func escape(_ text: String) -> String {
        // Scalars, not Characters: "<" followed by a combining mark is one Character.
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// Decodes numeric character references and every named reference of HTML5 (`&ndash;`,
    /// `&deg;`, `&times;`, `&le;`, `&minus;`… — ``HTMLEntities``), each ending with `;`; anything
    /// else that starts with `&` is left as it is.
    public static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var index = text.startIndex
        while index < text.endIndex {
            let ch = text[index]
            guard ch == "&", let semicolon = text[index...].prefix(HTMLEntities.longestName + 2).firstIndex(of: ";") else {
                out.append(ch)
                index = text.index(after: index)
                continue
            }
            let name = text[text.index(after: index)..<semicolon]
            if let decoded = decodeReference(String(name)) {
                out.append(decoded)
                index = text.index(after: semicolon)
            } else {
                out.append(ch)
                index = text.index(after: index)
            }
        }
        return out
    }

    /// Whether `text` starts with a character reference that ``decodeEntities(_:)`` decodes.
    public static func startsReference(_ text: Substring) -> Bool {
        guard text.first == "&", let semicolon = text.prefix(HTMLEntities.longestName + 2).firstIndex(of: ";") else { return false }
        return decodeReference(String(text[text.index(after: text.startIndex)..<semicolon])) != nil
    }

    /// Like ``escape(_:)``, but an `&` that starts a character reference (`&ndash;`, `&#176;`) is
    /// kept: for text that says it is plain but was written with HTML references, so that they are
    /// not escaped a second time and shown as `&ndash;`.
    public static func escapeKeepingReferences(_ text: String) -> String {
        guard text.contains("&") else { return escape(text) }
        var out = ""
        var index = text.startIndex
        while index < text.endIndex {
            let ch = text[index]
            if ch == "&", startsReference(text[index...]) {
                out.append("&")
            } else {
                out += escape(String(ch))
            }
            index = text.index(after: index)
        }
        return out
    }

    static func decodeReference(_ name: String) -> String? {
        guard name.hasPrefix("#") else { return HTMLEntities.table[name] }
        let digits = name.dropFirst()
        let value: UInt32?
        if digits.first == "x" || digits.first == "X" {
            value = UInt32(digits.dropFirst(), radix: 16)
        } else {
            value = UInt32(digits, radix: 10)
        }
        guard let value, value != 0, let scalar = Unicode.Scalar(value) else { return nil }
        return String(Character(scalar))
    }

    /// Elements that show something without text.
    static let embeddedContent: Set<String> = ["img", "audio", "video", "object", "embed", "iframe", "svg", "canvas", "picture", "source"]

    static let blockLike: Set<String> = [
        "p", "br", "div", "li", "tr", "td", "th", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
    ]
}
