public import Foundation

/// Reading numbers the way Vietnamese students write them.
public enum NumericParsing {
    /// Parses a written number: optional surrounding whitespace, an optional sign
    /// (`+`, `-` or the minus sign `−`), digits with at most one decimal separator, which may be
    /// a comma or a point (`-1,5`, `+2.25`, ` 3 `, `,5`), and an optional exponent (`1.5e3`).
    /// Grouping separators are not accepted (`1,234` is 1.234, `1.234,5` is refused).
    /// Returns `nil` for anything else, including empty text and NaN/infinity spellings.
    public static func parse(_ text: String) -> Decimal? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 64 else { return nil }
        var normalized = ""
        var scalars = Substring(trimmed).unicodeScalars[...]
        if let first = scalars.first, first == "+" || first == "-" || first == "\u{2212}" {
            if first != "+" { normalized.append("-") }
            scalars = scalars.dropFirst()
        }
        var integerDigits = 0
        var fractionDigits = 0
        var seenSeparator = false
        while let scalar = scalars.first, scalar != "e", scalar != "E" {
            if scalar.properties.numericType == .decimal, scalar.isASCII {
                normalized.unicodeScalars.append(scalar)
                if seenSeparator { fractionDigits += 1 } else { integerDigits += 1 }
            } else if scalar == "," || scalar == "." {
                guard !seenSeparator else { return nil }
                seenSeparator = true
                normalized.append(".")
            } else {
                return nil
            }
            scalars = scalars.dropFirst()
        }
        // A separator needs digits after it ("5," is refused, ",5" is 0.5).
        guard integerDigits + fractionDigits > 0, !seenSeparator || fractionDigits > 0 else { return nil }
        if !scalars.isEmpty {
            scalars = scalars.dropFirst()
            var exponent = ""
            if let sign = scalars.first, sign == "+" || sign == "-" {
                exponent.unicodeScalars.append(sign)
                scalars = scalars.dropFirst()
            }
            var digits = 0
            for scalar in scalars {
                guard scalar.isASCII, scalar.properties.numericType == .decimal else { return nil }
                exponent.unicodeScalars.append(scalar)
                digits += 1
            }
            guard digits > 0, digits <= 3 else { return nil }
            normalized += "e" + exponent
        }
        return Decimal(string: normalized, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// Whether a written answer fits an answer box of `length` characters (every character
    /// counts: sign, digits, decimal separator). Surrounding whitespace does not count.
    public static func fits(_ written: String, boxLength length: Int) -> Bool {
        written.trimmingCharacters(in: .whitespacesAndNewlines).count <= length
    }
}

/// Moodle-style short-answer matching.
public enum ShortTextMatching {
    /// Whether `response` matches `pattern`: the whole response, after trimming and
    /// collapsing runs of whitespace on both sides, Unicode NFC, case folded unless
    /// `caseSensitive`. `*` in the pattern matches any run of characters (including none);
    /// `\*` is a literal star.
    public static func matches(_ response: String, pattern: String, caseSensitive: Bool) -> Bool {
        let text = normalise(response, caseSensitive: caseSensitive)
        let tokens = patternTokens(normalise(pattern, caseSensitive: caseSensitive))
        return glob(Array(text), tokens)
    }

    static func normalise(_ text: String, caseSensitive: Bool) -> String {
        let collapsed = text.precomposedStringWithCanonicalMapping
            .split(whereSeparator: \.isWhitespace)
            .joined(separator: " ")
        return caseSensitive ? collapsed : collapsed.lowercased()
    }

    enum PatternToken: Equatable {
        case literal(Character)
        case star
    }

    static func patternTokens(_ pattern: String) -> [PatternToken] {
        var tokens: [PatternToken] = []
        var escaped = false
        for ch in pattern {
            if escaped {
                tokens.append(.literal(ch))
                escaped = false
            } else if ch == "\\" {
                escaped = true
            } else if ch == "*" {
                if tokens.last != .star { tokens.append(.star) }
            } else {
                tokens.append(.literal(ch))
            }
        }
        if escaped { tokens.append(.literal("\\")) }
        return tokens
    }

    /// Linear-backtracking wildcard match (one remembered star), O(n·m) worst case.
    static func glob(_ text: [Character], _ pattern: [PatternToken]) -> Bool {
        var t = 0
        var p = 0
        var starP = -1
        var starT = 0
        while t < text.count {
            if p < pattern.count, case .literal(let ch) = pattern[p], ch == text[t] {
                t += 1
                p += 1
            } else if p < pattern.count, pattern[p] == .star {
                starP = p
                starT = t
                p += 1
            } else if starP >= 0 {
                p = starP + 1
                starT += 1
                t = starT
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == .star { p += 1 }
        return p == pattern.count
    }
}
