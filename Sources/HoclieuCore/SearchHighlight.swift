/// Marks the words of a text that a search query matched, as HTML that is safe to insert: every character of
/// the text is escaped, and only the `<mark>`/`</mark>` tags this type writes are markup.
///
/// A word matches a query word the way search does (``VietnameseText/fold(_:)`` on both sides, so with or
/// without diacritics and in either tone-placement style), and the query's last word also matches a word it
/// begins when ``lastIsPrefix`` (search as you type).
public struct SearchHighlight: Sendable {
    let words: [String]
    let lastIsPrefix: Bool

    /// The query's words; `lastIsPrefix` as search decided it.
    public init(query: String, lastIsPrefix: Bool) {
        words = VietnameseText.tokens(query).map(VietnameseText.foldExact)
        self.lastIsPrefix = lastIsPrefix
    }

    /// Whether there is anything to mark.
    public var isEmpty: Bool { words.isEmpty }

    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        s.properties.isAlphabetic || s.properties.numericType != nil || (0x300...0x36F).contains(s.value)
    }

    func matches(_ word: String) -> Bool {
        let folded = VietnameseText.fold(word)
        for (i, w) in words.enumerated() {
            if folded == w || (lastIsPrefix && i == words.count - 1 && folded.hasPrefix(w)) { return true }
        }
        return false
    }

    /// The text split into runs: words (matched or not) and what lies between them.
    func runs(_ text: String) -> [(text: Substring, marked: Bool)] {
        var result: [(Substring, Bool)] = []
        var index = text.startIndex
        while index < text.endIndex {
            let isWord = text[index].unicodeScalars.first.map(Self.isWordScalar) ?? false
            var end = text.index(after: index)
            while end < text.endIndex, (text[end].unicodeScalars.first.map(Self.isWordScalar) ?? false) == isWord { end = text.index(after: end) }
            let run = text[index..<end]
            result.append((run, isWord && matches(String(run))))
            index = end
        }
        return result
    }

    /// `&`, `<`, `>`, `"` and `'` as character references.
    public static func escape(_ text: some StringProtocol) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func html(_ runs: some Sequence<(text: Substring, marked: Bool)>) -> String {
        runs.map { $0.marked ? "<mark>" + escape($0.text) + "</mark>" : escape($0.text) }.joined()
    }

    /// The whole text, escaped, its matched words in `<mark>`.
    public func marked(_ text: String) -> String { Self.html(runs(text)) }

    /// Up to about `length` characters of the text around its first matched word, escaped and marked, with `…`
    /// where it was cut; "" when no word matched.
    public func snippet(_ text: String, length: Int = 160) -> String {
        let all = runs(text)
        guard let first = all.firstIndex(where: \.marked) else { return "" }
        // Start a few runs before the match (about a third of the length), end when the length is reached.
        var start = first
        var before = 0
        while start > 0, before + all[start - 1].text.count <= length / 3 {
            start -= 1
            before += all[start].text.count
        }
        var end = first
        var count = before
        while end < all.count, count + all[end].text.count <= length || end == first {
            count += all[end].text.count
            end += 1
        }
        return (start > 0 ? "… " : "") + Self.html(all[start..<end]).trimmingSpaces + (end < all.count ? " …" : "")
    }
}

extension String {
    fileprivate var trimmingSpaces: String { VietnameseText.trimmed(self) }
}
