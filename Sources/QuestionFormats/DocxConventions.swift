import Foundation
import HoclieuCore

/// The textual conventions of Vietnamese tests, read from a ``DocxLine``: question, part, option
/// and statement markers, answer lines, solution headers, the end marker and answer keys.
///
/// Every function looks at the line from an index and answers with indexes into its atoms, so
/// the caller keeps the formatting of what it cuts out. Keywords are matched on the lower-cased
/// characters; letters that carry meaning (`A`–`H`, `Đ`/`S`) on the original ones.
enum DocxConventions {
    static func isSpace(_ ch: Character) -> Bool { ch == " " || ch == "\t" || ch == "\u{A0}" || ch == "\u{2003}" || ch == "\u{2002}" }

    static func skipSpaces(_ line: DocxLine, _ i: Int) -> Int {
        var i = i
        while i < line.characters.count, isSpace(line.characters[i]) { i += 1 }
        return i
    }

    /// The index after `word` when the lower-cased line has it at `i` followed by a non-letter.
    static func keyword(_ line: DocxLine, _ i: Int, _ word: String) -> Int? {
        var j = i
        for ch in word {
            guard j < line.lowered.count, line.lowered[j] == ch else { return nil }
            j += 1
        }
        if j < line.lowered.count, line.lowered[j].isLetter { return nil }
        return j
    }

    static func firstKeyword(_ line: DocxLine, _ i: Int, _ words: [String]) -> Int? {
        for word in words { if let end = keyword(line, i, word) { return end } }
        return nil
    }

    /// Digits at `i` (at most `maxDigits`): the value and the index after them.
    static func integer(_ line: DocxLine, _ i: Int, maxDigits: Int = 5) -> (Int, Int)? {
        var j = i
        var value = 0
        while j < line.characters.count, j - i < maxDigits, let digit = line.characters[j].wholeNumberValue, line.characters[j].isASCII {
            value = value * 10 + digit
            j += 1
        }
        guard j > i, j >= line.characters.count || !line.characters[j].isNumber else { return nil }
        return (value, j)
    }

    static func trimmedEnd(_ line: DocxLine, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, line.characters[lower].isWhitespace { lower += 1 }
        while upper > lower, line.characters[upper - 1].isWhitespace { upper -= 1 }
        return lower..<upper
    }

    // MARK: Question start

    struct QuestionStart {
        var number: Int
        /// Where the question's own text starts.
        var contentStart: Int
        /// Written as a bare `N.` without `Câu`/`Bài`/`Question`.
        var bare: Bool
    }

    static let questionWords = ["câu", "cau", "bài", "bai", "question", "ví dụ"]

    /// `Câu 12.`, `Câu 12:`, `CÂU 12 (0,25 điểm):`, `Bài 3.`, `Question 4`, or a bare `12.` / `12)`.
    static func questionStart(_ line: DocxLine, _ i: Int) -> QuestionStart? {
        let count = line.characters.count
        if let afterWord = firstKeyword(line, i, questionWords) {
            let j = skipSpaces(line, afterWord)
            guard let (number, afterNumber) = integer(line, j) else { return nil }
            var k = skipSpaces(line, afterNumber)
            // An optional remark in parentheses: "(NB)", "(0,5 điểm)".
            if k < count, line.characters[k] == "(", let close = line.characters[k..<min(count, k + 40)].firstIndex(of: ")") {
                k = skipSpaces(line, close + 1)
            }
            if k < count, ".:)".contains(line.characters[k]) { k += 1 }
            guard k >= count || k > afterNumber || !line.characters[k].isLetter else { return nil }
            return QuestionStart(number: number, contentStart: skipSpaces(line, k), bare: false)
        }
        guard let (number, afterNumber) = integer(line, i), afterNumber < count,
            line.characters[afterNumber] == "." || line.characters[afterNumber] == ")"
        else { return nil }
        let k = afterNumber + 1
        guard k >= count || isSpace(line.characters[k]) || line.atoms[k].object >= 0 else { return nil }
        return QuestionStart(number: number, contentStart: skipSpaces(line, k), bare: true)
    }

    // MARK: Parts and end

    /// `Phần I`, `PHẦN II.`, `Phần 3:` → 1, 2, 3.
    static func partHeader(_ line: DocxLine, _ i: Int) -> Int? {
        guard let afterWord = firstKeyword(line, i, ["phần", "phan", "part"]) else { return nil }
        let j = skipSpaces(line, afterWord)
        guard j > afterWord else { return nil }
        if let (number, _) = integer(line, j, maxDigits: 1), (1...9).contains(number) { return number }
        var k = j
        var roman = ""
        while k < line.lowered.count, "ivx".contains(line.lowered[k]) {
            roman.append(line.lowered[k])
            k += 1
        }
        guard !roman.isEmpty, k >= line.lowered.count || !line.lowered[k].isLetter else { return nil }
        return romanValues[roman]
    }

    static let romanValues = ["i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9]
    static let romanNumerals = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]

    static let decoration: Set<Character> = ["-", "–", "—", "_", "*", "=", ".", "~", " ", "\t", "…"]

    /// `HẾT`, `--- HẾT ---`, `----- Hết -----` (and what may follow a decorated `HẾT` on its line).
    static func isEnd(_ line: DocxLine, _ i: Int) -> Bool {
        var j = i
        while j < line.lowered.count, decoration.contains(line.lowered[j]) { j += 1 }
        let decorated = j > i
        guard let after = firstKeyword(line, j, ["hết", "het"]) else { return false }
        var k = after
        while k < line.lowered.count, decoration.contains(line.lowered[k]) { k += 1 }
        return k >= line.lowered.count || decorated
    }

    /// `ĐÁP ÁN`, `BẢNG ĐÁP ÁN`, `ĐÁP ÁN VÀ HƯỚNG DẪN GIẢI`, `HƯỚNG DẪN CHẤM`…: a heading with no answer on it.
    static func isKeyHeader(_ line: DocxLine, _ i: Int) -> Bool {
        let words = String(line.lowered[i...]).split { !$0.isLetter && !$0.isNumber }.joined(separator: " ")
        if words == "đáp án" || words == "dap an" || words == "answer key" || words == "answers" { return true }
        for prefix in [
            "bảng đáp án", "đáp án và", "đáp án chi tiết", "đáp án tham khảo", "đáp án phần", "đáp án trắc nghiệm", "đáp án đề", "hướng dẫn chấm",
        ]
        where words.hasPrefix(prefix) {
            return true
        }
        return false
    }

    /// The part named in a key heading (`ĐÁP ÁN PHẦN II`).
    static func partInside(_ line: DocxLine, _ i: Int) -> Int? {
        var j = i
        while j < line.lowered.count {
            if line.lowered[j] == "p", j == 0 || !line.lowered[j - 1].isLetter, let part = partHeader(line, j) { return part }
            j += 1
        }
        return nil
    }

    // MARK: Options and statements

    struct Marker {
        /// 0 for A / a.
        var index: Int
        /// The atoms of the mark: `*`, the letter and its `.`/`)`.
        var markStart: Int
        var letter: Int
        var contentStart: Int
        var starred: Bool
    }

    /// A mark at `i`: optional `*`, a letter in `letters`, then `.` or `)` and a space, tab, object or end.
    static func marker(_ line: DocxLine, _ i: Int, letters: ClosedRange<Character>, punctuation: String = ".)") -> Marker? {
        let count = line.characters.count
        var j = i
        var starred = false
        if j < count, line.characters[j] == "*" {
            starred = true
            j = skipSpaces(line, j + 1)
        }
        guard j + 1 < count else { return nil }
        let letter = line.characters[j]
        guard letters.contains(letter), punctuation.contains(line.characters[j + 1]) else { return nil }
        let after = j + 2
        guard after >= count || isSpace(line.characters[after]) || line.atoms[after].object >= 0 else { return nil }
        let index = Int(letter.unicodeScalars.first!.value) - Int(letters.lowerBound.unicodeScalars.first!.value)
        return Marker(index: index, markStart: i, letter: j, contentStart: skipSpaces(line, after), starred: starred)
    }

    /// Marks on a line: one at `i` (any letter), then further ones after a tab or two spaces, each
    /// with the letter after the previous one. Inside a stem (`i` is not a mark) the first later
    /// mark must be the first letter.
    static func markers(_ line: DocxLine, _ i: Int, letters: ClosedRange<Character>, punctuation: String = ".)") -> [Marker] {
        var result: [Marker] = []
        if let first = marker(line, i, letters: letters, punctuation: punctuation) { result.append(first) }
        var j = result.first?.contentStart ?? i
        let count = line.characters.count
        while j < count {
            let ch = line.characters[j]
            guard ch == "\t" || (ch == " " && j + 1 < count && isSpace(line.characters[j + 1])) else {
                j += 1
                continue
            }
            let k = skipSpaces(line, j)
            if let next = marker(line, k, letters: letters, punctuation: punctuation), next.index == (result.last.map { $0.index + 1 } ?? 0) {
                result.append(next)
                j = next.contentStart
            } else {
                j = k
            }
        }
        return result
    }

    /// A truth mark at the end of a statement: `(Đ)`, `[S]`, `(Đúng)`, or `Đ`/`S`/`Đúng`/`Sai` after a
    /// tab, two spaces, an arrow, a dash or a full stop. The value and where the statement text ends.
    static func truthSuffix(_ line: DocxLine, _ range: Range<Int>) -> (Bool, Int)? {
        let chars = line.characters
        var end = range.upperBound
        while end > range.lowerBound, chars[end - 1].isWhitespace || chars[end - 1] == "." { end -= 1 }
        guard end > range.lowerBound else { return nil }
        if chars[end - 1] == ")" || chars[end - 1] == "]" {
            let open: Character = chars[end - 1] == ")" ? "(" : "["
            var k = end - 2
            while k >= max(range.lowerBound, end - 10), chars[k] != open { k -= 1 }
            guard k >= range.lowerBound, chars[k] == open else { return nil }
            let inner = String(chars[(k + 1)..<(end - 1)]).trimmingCharacters(in: .whitespaces)
            guard let value = truthWord(inner, strict: false) else { return nil }
            return (value, k)
        }
        var start = end
        while start > range.lowerBound, chars[start - 1].isLetter { start -= 1 }
        guard start > range.lowerBound, let value = truthWord(String(chars[start..<end]), strict: true) else { return nil }
        // What separates the mark from the statement.
        var k = start
        var spaces = 0
        while k > range.lowerBound, isSpace(chars[k - 1]) {
            if chars[k - 1] == "\t" { spaces += 2 } else { spaces += 1 }
            k -= 1
        }
        guard k > range.lowerBound else { return nil }
        let before = chars[k - 1]
        if spaces >= 2 || "→⇒:".contains(before) || (spaces >= 1 && ".;-–=>".contains(before)) {
            var textEnd = k
            while textEnd > range.lowerBound, "→⇒:-–=>".contains(chars[textEnd - 1]) || isSpace(chars[textEnd - 1]) { textEnd -= 1 }
            return (value, textEnd)
        }
        return nil
    }

    /// `Đ`, `Đúng`, `S`, `Sai` (any case unless `strict`, where single letters must be capitals).
    static func truthWord(_ word: String, strict: Bool) -> Bool? {
        switch word {
        case "Đ", "Đúng", "ĐÚNG", "D": return true
        case "S", "Sai", "SAI": return false
        default: break
        }
        guard !strict else { return nil }
        switch word.lowercased() {
        case "đ", "đúng", "d", "dung", "true", "t": return true
        case "s", "sai", "false", "f": return false
        default: return nil
        }
    }

    // MARK: Answers

    enum AnswerValue: Equatable {
        /// An option letter, 0 for A.
        case letter(Int)
        /// Statement truths by label index (0 for a).
        case truths([Int: Bool])
        /// A number as written.
        case number(String)
    }

    /// `Đáp án: B`, `Đáp án: ĐSSĐ`, `Đáp số: -1,5`, `ĐS: 2.5`, `Chọn C`. `nil` when the line is no
    /// answer line; `.failure` with the text when it is one whose value cannot be read.
    static func answerLine(_ line: DocxLine, _ i: Int) -> Result<AnswerValue, AnswerError>? {
        var j: Int
        var choiceOnly = false
        if let after = firstKeyword(line, i, ["đáp án", "dap an", "đáp số", "dap so", "answer"]) {
            j = after
        } else if let after = firstKeyword(line, i, ["đs", "ds"]) {
            let k = skipSpaces(line, after)
            guard k < line.characters.count, line.characters[k] == ":" else { return nil }
            j = after
        } else if let after = firstKeyword(line, i, ["chọn", "chon"]) {
            j = skipSpaces(line, after)
            if let more = firstKeyword(line, j, ["đáp án", "phương án", "câu", "đáp số"]) { j = more }
            choiceOnly = true
        } else {
            return nil
        }
        j = skipSpaces(line, j)
        var separated = false
        if j < line.characters.count, ":.-=".contains(line.characters[j]) {
            j = skipSpaces(line, j + 1)
            separated = true
        }
        if let after = firstKeyword(line, j, ["đúng là", "là"]) { j = skipSpaces(line, after) }
        let rest = String(line.characters[j...]).trimmingCharacters(in: .whitespaces)
        if let found = value(line, j, allowNumber: !choiceOnly) {
            if choiceOnly, case .letter = found.value { return .success(found.value) }
            if !choiceOnly { return .success(found.value) }
        }
        // "Đáp án của bài toán là…" in a stem is no answer line; "Đáp án: ?" is an unreadable one.
        if choiceOnly || !separated { return nil }
        return .failure(AnswerError(text: rest))
    }

    struct AnswerError: Error {
        var text: String
    }

    /// An answer value at `i`: statements (`a) Đ, b) S…`), an Đ/S string of 4 (`ĐSSĐ`), a letter
    /// A–H, or (when allowed) a number. The value and the index after it.
    static func value(_ line: DocxLine, _ i: Int, allowNumber: Bool = true) -> (value: AnswerValue, end: Int)? {
        let chars = line.characters
        let count = chars.count
        guard i < count else { return nil }
        if let (truths, end) = statementTruths(line, i) { return (.truths(truths), end) }
        // Đ/S string: "ĐSSĐ", or the four letters separated by single spaces, commas or dashes ("Đ S S Đ").
        var j = i
        var truths: [Int: Bool] = [:]
        var end = i
        while j < count, truths.count < 4,
            let value = truthWord(String(chars[j]), strict: true) ?? (chars[j] == "đ" ? true : chars[j] == "s" ? false : nil)
        {
            guard j + 1 >= count || !chars[j + 1].isLetter || truthWord(String(chars[j + 1]), strict: true) != nil || "đs".contains(chars[j + 1])
            else { break }
            truths[truths.count] = value
            j += 1
            end = j
            var k = j
            if k < count, ",-".contains(chars[k]) { k += 1 }
            if k < count, chars[k] == " " { k += 1 }
            if k > j, k < count, truthWord(String(chars[k]), strict: true) != nil || "đs".contains(chars[k]) { j = k }
        }
        if truths.count == 4, end >= count || !chars[end].isLetter { return (.truths(truths), end) }
        // Letter.
        if ("A"..."H").contains(chars[i]), i + 1 >= count || !chars[i + 1].isLetter {
            return (.letter(Int(chars[i].unicodeScalars.first!.value) - 65), i + 1)
        }
        guard allowNumber else { return nil }
        // Number: sign, digits, one separator.
        j = i
        if "+-−".contains(chars[j]) { j += 1 }
        var digits = 0
        var separator = false
        while j < count {
            if chars[j].isASCII, chars[j].isNumber {
                digits += 1
            } else if (chars[j] == "," || chars[j] == "."), !separator, j + 1 < count, chars[j + 1].isASCII, chars[j + 1].isNumber {
                separator = true
            } else {
                break
            }
            j += 1
        }
        guard digits > 0, j >= count || !chars[j].isLetter || chars[j].isWhitespace else { return nil }
        return (.number(String(chars[i..<j])), j)
    }

    /// `a) Đ, b) S, c) S, d) Đ` / `a-Đ b-S …` / `aĐ bS cS dĐ`: truths by label.
    static func statementTruths(_ line: DocxLine, _ i: Int) -> ([Int: Bool], Int)? {
        let chars = line.characters
        let count = chars.count
        var j = i
        var truths: [Int: Bool] = [:]
        var end = i
        while j < count {
            j = skipSeparators(line, j)
            guard j < count, ("a"..."h").contains(chars[j]) else { break }
            let label = Int(chars[j].unicodeScalars.first!.value) - 97
            var k = j + 1
            if k < count, ").:-=".contains(chars[k]) { k += 1 }
            k = skipSpaces(line, k)
            var wordEnd = k
            while wordEnd < count, chars[wordEnd].isLetter { wordEnd += 1 }
            guard wordEnd > k, let value = truthWord(String(chars[k..<wordEnd]), strict: false) else { break }
            truths[label] = value
            j = wordEnd
            end = wordEnd
        }
        return truths.isEmpty ? nil : (truths, end)
    }

    static func skipSeparators(_ line: DocxLine, _ i: Int) -> Int {
        var j = i
        while j < line.characters.count, isSpace(line.characters[j]) || ",;|/".contains(line.characters[j]) { j += 1 }
        return j
    }

    // MARK: Answer keys

    struct KeyItem {
        var number: Int?
        var value: AnswerValue?
    }

    /// Reads a key line: `1-A 2-B`, `1A 2C`, `1.A`, `Câu 1: A`, `13-ĐSSĐ`, `Câu 13: a) Đ, b) S…`,
    /// `Câu 19: 2,5`, `Câu 13` alone (items with no value), `a) Đ` alone (no number). `covered`
    /// says whether the whole line was read.
    static func keyItems(_ line: DocxLine, _ i: Int, numbersAllowed: Bool) -> (items: [KeyItem], covered: Bool) {
        var items: [KeyItem] = []
        var j = i
        let count = line.characters.count
        while true {
            j = skipSeparators(line, j)
            while j < count, line.characters[j] == "." { j = skipSeparators(line, j + 1) }
            guard j < count else { return (items, true) }
            var k = j
            if let after = firstKeyword(line, k, ["câu", "cau", "question", "bài"]) { k = skipSpaces(line, after) }
            if let (number, afterNumber) = integer(line, k) {
                var m = skipSpaces(line, afterNumber)
                // "1-A", "1. A", "1: -1,5"; but in "19 -1,5" the dash is the number's sign.
                let isSign = m > afterNumber && m + 1 < count && "-–".contains(line.characters[m]) && line.characters[m + 1].isNumber
                if m < count, "-.:)–".contains(line.characters[m]), !isSign { m = skipSpaces(line, m + 1) }
                if m >= count {
                    items.append(KeyItem(number: number, value: nil))
                    return (items, true)
                }
                guard let (value, end) = value(line, m, allowNumber: numbersAllowed) else { return (items, false) }
                items.append(KeyItem(number: number, value: value))
                j = end
                continue
            }
            guard k == j, let (truths, end) = statementTruths(line, j) else { return (items, false) }
            items.append(KeyItem(number: nil, value: .truths(truths)))
            j = end
        }
    }
}
