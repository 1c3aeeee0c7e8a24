/// A small, forgiving HTML tokenizer, written after the WHATWG tokenizer states that matter
/// for sanitising: data, tag open, end tag open, tag name, attributes (quoted, unquoted),
/// self-closing, comments, bogus comments and DOCTYPE, and raw-text elements whose content
/// is never markup (`script`, `style`, `textarea`, `title`, `xmp`, `iframe`, `noembed`,
/// `noframes`, `noscript`, `plaintext`).
///
/// It never throws: malformed markup becomes text or is dropped, as a browser would do.
/// A tag cut off by the end of input is dropped (the browser drops it too).
struct HTMLTokenizer {
    enum Token: Equatable {
        /// Raw text, with character references still encoded.
        case text(String)
        /// A start tag: lower-cased name, attributes (lower-cased names, raw values
        /// with references still encoded) in document order, self-closing flag.
        case startTag(String, [(name: String, value: String)], selfClosing: Bool)
        /// An end tag with its lower-cased name.
        case endTag(String)
        case comment
        case doctype

        static func == (lhs: Token, rhs: Token) -> Bool {
            switch (lhs, rhs) {
            case (.text(let a), .text(let b)): return a == b
            case (.startTag(let a, let x, let s), .startTag(let b, let y, let t)):
                return a == b && s == t && x.count == y.count && zip(x, y).allSatisfy { $0.name == $1.name && $0.value == $1.value }
            case (.endTag(let a), .endTag(let b)): return a == b
            case (.comment, .comment), (.doctype, .doctype): return true
            default: return false
            }
        }
    }

    static let rawTextElements: Set<String> = [
        "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext",
    ]

    private let bytes: [UInt8]

    init(_ html: String) {
        bytes = Array(html.utf8)
    }

    func tokens() -> [Token] {
        var result: [Token] = []
        var i = 0
        var textStart = 0
        let n = bytes.count

        func flushText(upTo end: Int) {
            if end > textStart {
                result.append(.text(String(decoding: bytes[textStart..<end], as: UTF8.self)))
            }
        }

        while i < n {
            guard bytes[i] == UInt8(ascii: "<"), i + 1 < n else {
                i += 1
                continue
            }
            let next = bytes[i + 1]
            if next == UInt8(ascii: "!") {
                flushText(upTo: i)
                if matches(at: i + 2, "--") {
                    // Comment: ends at the first "-->" (or "--!>"), or at the end of input.
                    var j = i + 4
                    var end = n
                    // "<!-->" and "<!--->" are (empty) comments in HTML.
                    if j < n, bytes[j] == UInt8(ascii: ">") {
                        end = j + 1
                    } else if matches(at: j, "->") {
                        end = j + 2
                    } else {
                        while j < n {
                            if matches(at: j, "-->") { end = j + 3; break }
                            if matches(at: j, "--!>") { end = j + 4; break }
                            j += 1
                        }
                    }
                    result.append(.comment)
                    i = end
                } else {
                    let isDoctype = matchesCaseInsensitive(at: i + 2, "doctype")
                    let end = index(of: UInt8(ascii: ">"), from: i + 2).map { $0 + 1 } ?? n
                    result.append(isDoctype ? .doctype : .comment)
                    i = end
                }
                textStart = i
                continue
            }
            if next == UInt8(ascii: "?") {
                // Processing instruction: a bogus comment up to the next ">".
                flushText(upTo: i)
                i = index(of: UInt8(ascii: ">"), from: i + 2).map { $0 + 1 } ?? n
                result.append(.comment)
                textStart = i
                continue
            }
            if next == UInt8(ascii: "/") {
                guard i + 2 < n else { i += 1; continue }
                let first = bytes[i + 2]
                if isASCIILetter(first) {
                    flushText(upTo: i)
                    var j = i + 2
                    while j < n, !isSpace(bytes[j]), bytes[j] != UInt8(ascii: "/"), bytes[j] != UInt8(ascii: ">") { j += 1 }
                    let name = lowercasedName(i + 2, j)
                    // Attributes on end tags are parsed and ignored; skip to the closing ">".
                    guard let close = tagEnd(from: j) else {
                        i = n
                        textStart = n
                        break
                    }
                    result.append(.endTag(name))
                    i = close + 1
                    textStart = i
                } else if first == UInt8(ascii: ">") {
                    // "</>" is ignored entirely.
                    flushText(upTo: i)
                    i += 3
                    textStart = i
                } else {
                    // "</" followed by anything else starts a bogus comment.
                    flushText(upTo: i)
                    i = index(of: UInt8(ascii: ">"), from: i + 2).map { $0 + 1 } ?? n
                    result.append(.comment)
                    textStart = i
                }
                continue
            }
            guard isASCIILetter(next) else {
                // A "<" that starts no tag is text.
                i += 1
                continue
            }
            flushText(upTo: i)
            guard let (token, end) = startTag(at: i) else {
                // Cut off by the end of input: dropped.
                i = n
                textStart = n
                break
            }
            result.append(token)
            i = end
            textStart = i
            if case .startTag(let name, _, let selfClosing) = token, Self.rawTextElements.contains(name), !selfClosing {
                // Everything up to "</name" is text (or up to the end of input).
                var j = i
                var found = n
                while j < n {
                    if bytes[j] == UInt8(ascii: "<"), j + 1 < n, bytes[j + 1] == UInt8(ascii: "/"),
                        matchesCaseInsensitive(at: j + 2, name)
                    {
                        let after = j + 2 + name.utf8.count
                        if after >= n || isSpace(bytes[after]) || bytes[after] == UInt8(ascii: ">") || bytes[after] == UInt8(ascii: "/") {
                            found = j
                            break
                        }
                    }
                    j += 1
                }
                flushText(upTo: found)
                i = found
                textStart = found
            }
        }
        flushText(upTo: n)
        return result
    }

    // MARK: Start tags

    /// Parses a start tag at `start` (`<` followed by a letter). Returns the token and the
    /// index after `>`, or `nil` when the input ends inside the tag.
    private func startTag(at start: Int) -> (Token, Int)? {
        let n = bytes.count
        var j = start + 1
        while j < n, !isSpace(bytes[j]), bytes[j] != UInt8(ascii: "/"), bytes[j] != UInt8(ascii: ">") { j += 1 }
        let name = lowercasedName(start + 1, j)
        var attributes: [(name: String, value: String)] = []
        var selfClosing = false
        while true {
            while j < n, isSpace(bytes[j]) { j += 1 }
            guard j < n else { return nil }
            let b = bytes[j]
            if b == UInt8(ascii: ">") {
                return (.startTag(name, attributes, selfClosing: selfClosing), j + 1)
            }
            if b == UInt8(ascii: "/") {
                j += 1
                if j < n, bytes[j] == UInt8(ascii: ">") { selfClosing = true }
                continue
            }
            // Attribute name: up to whitespace, "/", ">" or "=" (a leading "=" belongs to the name).
            let nameStart = j
            j += 1
            while j < n, !isSpace(bytes[j]), bytes[j] != UInt8(ascii: "/"), bytes[j] != UInt8(ascii: ">"), bytes[j] != UInt8(ascii: "=") {
                j += 1
            }
            let attrName = lowercasedName(nameStart, j)
            while j < n, isSpace(bytes[j]) { j += 1 }
            var value = ""
            if j < n, bytes[j] == UInt8(ascii: "=") {
                j += 1
                while j < n, isSpace(bytes[j]) { j += 1 }
                guard j < n else { return nil }
                let quote = bytes[j]
                if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                    guard let close = index(of: quote, from: j + 1) else { return nil }
                    value = String(decoding: bytes[(j + 1)..<close], as: UTF8.self)
                    j = close + 1
                } else {
                    let valueStart = j
                    while j < n, !isSpace(bytes[j]), bytes[j] != UInt8(ascii: ">") { j += 1 }
                    value = String(decoding: bytes[valueStart..<j], as: UTF8.self)
                }
            }
            // The first of duplicate attributes wins, as in browsers.
            if !attributes.contains(where: { $0.name == attrName }) {
                attributes.append((attrName, value))
            }
        }
    }

    /// Index of the ">" closing an end tag, skipping quoted attribute values.
    private func tagEnd(from start: Int) -> Int? {
        var j = start
        let n = bytes.count
        while j < n {
            let b = bytes[j]
            if b == UInt8(ascii: ">") { return j }
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                guard let close = index(of: b, from: j + 1) else { return nil }
                j = close + 1
                continue
            }
            j += 1
        }
        return nil
    }

    // MARK: Byte helpers

    private func index(of byte: UInt8, from start: Int) -> Int? {
        var j = start
        while j < bytes.count {
            if bytes[j] == byte { return j }
            j += 1
        }
        return nil
    }

    private func matches(at start: Int, _ literal: String) -> Bool {
        var j = start
        for b in literal.utf8 {
            guard j < bytes.count, bytes[j] == b else { return false }
            j += 1
        }
        return true
    }

    private func matchesCaseInsensitive(at start: Int, _ literal: String) -> Bool {
        var j = start
        for b in literal.utf8 {
            guard j < bytes.count, lower(bytes[j]) == lower(b) else { return false }
            j += 1
        }
        return true
    }

    private func lowercasedName(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<end].map(lower), as: UTF8.self)
    }

    private func lower(_ b: UInt8) -> UInt8 {
        (b >= 65 && b <= 90) ? b + 32 : b
    }

    private func isASCIILetter(_ b: UInt8) -> Bool {
        (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
    }

    private func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0C || b == 0x0D
    }
}
