import Foundation
import HoclieuCore

/// Moodle's embedded-answers (cloze, `multianswer`) syntax:
/// `{weight:TYPE:answer~answer…}` where TYPE is `MULTICHOICE` (`MC`), `MULTICHOICE_V` (`MCV`),
/// `MULTICHOICE_H` (`MCH`), the same with `S` for shuffled (`MULTICHOICE_S`, `MCS`, `MCVS`, `MCHS`…),
/// `MULTIRESPONSE` (`MR`), `MULTIRESPONSE_H` (`MRH`) and their shuffled forms, `SHORTANSWER`
/// (`SA`, `MW`), `SHORTANSWER_C` (`SAC`, `MWC`, case sensitive), `NUMERICAL` (`NM`).
/// An answer is `=text` (100 %) or `%n%text`, then an optional `#feedback`; numerical answers
/// are `value:tolerance`.
///
/// Escaping follows what Moodle's parser undoes (`qtype_multianswer_extract_question`, moodle/moodle
/// `question/type/multianswer/questiontype.php`): an answer ends at the first `~`, `#` or `}` not
/// preceded by `\` or `&`, a feedback at the first `~` or `}` not preceded by `\`; then character
/// references are decoded (`html_entity_decode`) and only `\}` and `\#` lose their backslash.
/// So the writer escapes `}` and `#` with a backslash and writes `~`, `\` and `&` as the references
/// `&#126;`, `&#92;` and `&#38;` (a `\~` would reach the student as `\~`).
enum MoodleCloze {
    struct ParsedGap {
        var gap: ClozeGap
        var typeName: String
        var errors: [(vi: String, en: String)]
    }

    struct Parsed {
        /// The text with gaps replaced by `{#1}`, `{#2}`…
        var text: String
        var gaps: [ParsedGap]
    }

    static let typeNames: [String: (kind: Kind, display: ClozeChoiceDisplay, shuffle: Bool)] = {
        var table: [String: (Kind, ClozeChoiceDisplay, Bool)] = [:]
        for (names, display, shuffle) in [
            (["MULTICHOICE", "MC"], ClozeChoiceDisplay.dropdown, false),
            (["MULTICHOICE_S", "MCS"], .dropdown, true),
            (["MULTICHOICE_V", "MCV"], .vertical, false),
            (["MULTICHOICE_VS", "MCVS"], .vertical, true),
            (["MULTICHOICE_H", "MCH"], .horizontal, false),
            (["MULTICHOICE_HS", "MCHS"], .horizontal, true),
            (["MULTIRESPONSE", "MR"], .multipleVertical, false),
            (["MULTIRESPONSE_S", "MRS"], .multipleVertical, true),
            (["MULTIRESPONSE_H", "MRH"], .multipleHorizontal, false),
            (["MULTIRESPONSE_HS", "MRHS"], .multipleHorizontal, true),
        ] {
            for name in names { table[name] = (.choice, display, shuffle) }
        }
        for name in ["SHORTANSWER", "SA", "MW"] { table[name] = (.shortText, .dropdown, false) }
        for name in ["SHORTANSWER_C", "SAC", "MWC"] { table[name] = (.shortTextCaseSensitive, .dropdown, false) }
        for name in ["NUMERICAL", "NM"] { table[name] = (.numeric, .dropdown, false) }
        return table
    }()

    enum Kind {
        case choice, shortText, shortTextCaseSensitive, numeric
    }

    /// Finds the gaps of a question text. Text that only looks like a gap (`{1:FOO:…}`,
    /// LaTeX braces) is left alone.
    static func parse(_ source: String) -> Parsed {
        let chars = Array(source)
        var text = ""
        var gaps: [ParsedGap] = []
        var i = 0
        while i < chars.count {
            if chars[i] == "{", let (gap, end) = gapAt(chars, i) {
                gaps.append(gap)
                text += ClozeQuestion.marker(gaps.count - 1)
                i = end
            } else {
                text.append(chars[i])
                i += 1
            }
        }
        return Parsed(text: text, gaps: gaps)
    }

    /// Parses `{n:TYPE:…}` or `{n:TYPE}` starting at `start`; returns the gap and the index after `}`.
    private static func gapAt(_ chars: [Character], _ start: Int) -> (ParsedGap, Int)? {
        var i = start + 1
        var weightText = ""
        while i < chars.count, chars[i].isASCII, chars[i].isNumber {
            weightText.append(chars[i])
            i += 1
        }
        guard i < chars.count, chars[i] == ":" else { return nil }
        i += 1
        var name = ""
        while i < chars.count, chars[i].isASCII, chars[i].isLetter || chars[i] == "_" {
            name.append(chars[i])
            i += 1
        }
        guard let spec = typeNames[name.uppercased()], i < chars.count else { return nil }
        var body = ""
        if chars[i] == ":" {
            i += 1
            // Up to the first unescaped "}".
            var closed = false
            while i < chars.count {
                if chars[i] == "\\", i + 1 < chars.count {
                    body.append(chars[i])
                    body.append(chars[i + 1])
                    i += 2
                    continue
                }
                if chars[i] == "}" {
                    closed = true
                    break
                }
                body.append(chars[i])
                i += 1
            }
            guard closed else { return nil }
        } else if chars[i] != "}" {
            return nil
        }
        let weight = weightText.isEmpty ? 1 : (Int(weightText) ?? 1)
        return (makeGap(weight: weight, typeName: name.uppercased(), spec: spec, body: body), i + 1)
    }

    private static func makeGap(weight: Int, typeName: String, spec: (kind: Kind, display: ClozeChoiceDisplay, shuffle: Bool), body: String) -> ParsedGap {
        var errors: [(vi: String, en: String)] = []
        let answers = body.isEmpty ? [] : splitUnescaped(body, on: "~")
        struct Answer {
            var fraction: Double
            var text: String
            var feedback: String?
        }
        var parsed: [Answer] = []
        for raw in answers {
            var rest = Substring(raw)
            var fraction = 0.0
            if rest.hasPrefix("=") {
                fraction = 1
                rest = rest.dropFirst()
            } else if rest.hasPrefix("%"), let close = rest.dropFirst().firstIndex(of: "%") {
                let number = rest[rest.index(after: rest.startIndex)..<close]
                if let value = Double(number) {
                    fraction = value / 100
                } else {
                    errors.append(("tỉ lệ điểm \"%\(number)%\" không hợp lệ", "the grade \"%\(number)%\" is not a number"))
                }
                rest = rest[rest.index(after: close)...]
            }
            let parts = splitUnescaped(String(rest), on: "#", maxSplits: 1)
            let text = unescape(HTMLText.decodeEntities(parts[0]))
            let feedback = parts.count > 1 ? unescape(HTMLText.decodeEntities(parts[1])) : nil
            parsed.append(Answer(fraction: fraction, text: text, feedback: feedback?.isEmpty == true ? nil : feedback))
        }
        let kind: ClozeGapKind
        switch spec.kind {
        case .choice:
            let options = parsed.enumerated().map { index, answer in
                ChoiceOption(
                    id: optionID(index), text: RichText(answer.text), fraction: answer.fraction,
                    feedback: answer.feedback.map { RichText($0) }
                )
            }
            kind = .choice(options: options, display: spec.display, shuffle: spec.shuffle)
        case .shortText, .shortTextCaseSensitive:
            kind = .shortText(ShortTextQuestion(
                keys: parsed.map { ShortTextKey(pattern: $0.text, fraction: $0.fraction, feedback: $0.feedback.map { RichText($0) }) },
                caseSensitive: spec.kind == .shortTextCaseSensitive
            ))
        case .numeric:
            var keys: [NumericKey] = []
            for answer in parsed {
                let parts = answer.text.split(separator: ":", maxSplits: 1).map { String($0).trimmed }
                var tolerance: Decimal = 0
                if parts.count == 2 {
                    if let value = NumericParsing.parse(parts[1]) {
                        tolerance = value
                    } else {
                        errors.append(("sai số \"\(parts[1])\" không phải là số", "the tolerance \"\(parts[1])\" is not a number"))
                    }
                }
                keys.append(NumericKey(
                    answer: parts.first ?? "", tolerance: tolerance, fraction: answer.fraction, feedback: answer.feedback.map { RichText($0) }
                ))
            }
            kind = .numeric(NumericQuestion(keys: keys))
        }
        return ParsedGap(gap: ClozeGap(weight: weight, kind: kind), typeName: typeName, errors: errors)
    }

    /// Splits on unescaped `separator` (not after `\\`, nor a `#` after `&`, which starts a reference),
    /// keeping escapes in the parts.
    static func splitUnescaped(_ text: String, on separator: Character, maxSplits: Int = .max) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for ch in text {
            if escaped {
                current.append(ch)
                escaped = false
            } else if ch == "\\" {
                current.append(ch)
                escaped = true
            } else if ch == separator, parts.count < maxSplits, !(ch == "#" && current.hasSuffix("&")) {
                parts.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        parts.append(current)
        return parts
    }

    /// Removes the backslash of `\}` and `\#`, as Moodle does (a `\~` keeps its backslash there).
    static func unescape(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        return text.replacingOccurrences(of: "\\}", with: "}").replacingOccurrences(of: "\\#", with: "#")
    }

    /// A text as Moodle's parser reads it back unchanged (see the type's notes).
    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "}": out += "\\}"
            case "#": out += "\\#"
            case "~": out += "&#126;"
            case "\\": out += "&#92;"
            case "&": out += "&#38;"
            default: out.append(ch)
            }
        }
        return out
    }

    // MARK: Writing

    /// The Moodle syntax of a gap.
    static func syntax(_ gap: ClozeGap) -> String {
        func answer(_ fraction: Double, _ text: String, _ feedback: RichText?) -> String {
            let prefix = abs(fraction - 1) < QuestionScoring.epsilon ? "=" : "%\(moodlePercent(fraction))%"
            var result = prefix + escape(text)
            if let feedback, !feedback.html.isEmpty { result += "#" + escape(feedback.html) }
            return result
        }
        switch gap.kind {
        case .choice(let options, let display, let shuffle):
            let name: String
            switch (display, shuffle) {
            case (.dropdown, false): name = "MULTICHOICE"
            case (.dropdown, true): name = "MULTICHOICE_S"
            case (.vertical, false): name = "MULTICHOICE_V"
            case (.vertical, true): name = "MULTICHOICE_VS"
            case (.horizontal, false): name = "MULTICHOICE_H"
            case (.horizontal, true): name = "MULTICHOICE_HS"
            case (.multipleVertical, false): name = "MULTIRESPONSE"
            case (.multipleVertical, true): name = "MULTIRESPONSE_S"
            case (.multipleHorizontal, false): name = "MULTIRESPONSE_H"
            case (.multipleHorizontal, true): name = "MULTIRESPONSE_HS"
            }
            return "{\(gap.weight):\(name):" + options.map { answer($0.fraction, $0.text.html, $0.feedback) }.joined(separator: "~") + "}"
        case .shortText(let q):
            let name = q.caseSensitive ? "SHORTANSWER_C" : "SHORTANSWER"
            return "{\(gap.weight):\(name):" + q.keys.map { answer($0.fraction, $0.pattern, $0.feedback) }.joined(separator: "~") + "}"
        case .numeric(let q):
            let keys = q.keys.map { key in
                answer(key.fraction, key.tolerance == 0 ? canonicalNumber(key) : "\(canonicalNumber(key)):\(key.tolerance)", key.feedback)
            }
            return "{\(gap.weight):NUMERICAL:" + keys.joined(separator: "~") + "}"
        }
    }

    /// The stem with each `{#n}` marker replaced by its gap's syntax.
    static func text(_ stem: String, gaps: [ClozeGap]) -> String {
        var result = stem
        // Highest first so that {#1} does not match the start of {#10}: markers end with "}" anyway.
        for (index, gap) in gaps.enumerated().reversed() {
            result = result.replacingOccurrences(of: ClozeQuestion.marker(index), with: syntax(gap))
        }
        return result
    }
}
