import Foundation
import HoclieuCore

/// Turns the lines of a .docx into questions: collects drafts line by line, reads the answer key,
/// then resolves answers, builds, validates and reports each question. Linear in the document.
struct DocxQuestionParser {
    typealias C = DocxConventions

    /// A range of atoms of one line.
    struct Span {
        var line: Int
        var range: Range<Int>
    }

    enum Piece {
        case span(Span)
        case table(Int)
    }

    enum Mode {
        case stem, options, statements, solution
    }

    struct OptionDraft {
        var index: Int
        var starred: Bool
        var mark: Span
        var content: [Span]
    }

    struct StatementDraft {
        var index: Int
        var mark: Span
        var content: [Span]
        var truth: Bool?
    }

    /// What a part's questions are: the 2025 layout by its numeral (I choice, II Đúng/Sai, III short
    /// answer) unless its heading says otherwise ("tự luận", "đúng sai", "trả lời ngắn", "nhiều phương án").
    enum PartKind {
        case choice, cluster, shortAnswer, free
    }

    struct Draft {
        var number: Int
        var part: Int?
        var kind: PartKind?
        var paragraph: Int
        var bare: Bool
        var stem: [Piece] = []
        var options: [OptionDraft] = []
        var statements: [StatementDraft] = []
        var solution: [Piece] = []
        var mode: Mode = .stem
        /// Answers read from `Đáp án:` / `Chọn` lines and from the key, with where they came from.
        var answers: [(value: C.AnswerValue, paragraph: Int, fromKey: Bool)] = []
        var unreadableAnswers: [(text: String, paragraph: Int)] = []
    }

    struct KeyEntry {
        var part: Int?
        var number: Int
        var value: C.AnswerValue
        var paragraph: Int
    }

    let body: DocxBody
    var accumulator: ImportAccumulator
    var lines: [DocxLine] = []
    var tables: [DocxTable] = []
    var drafts: [Draft] = []
    /// Indexes into ``drafts`` by written number (keys and key lines look questions up by number).
    var draftsByNumber: [Int: [Int]] = [:]
    var current: Draft?
    var part: Int?
    var partKind: PartKind?
    var ended = false
    var keyMode = false
    var keyPart: Int?
    var keyQuestion: Int?
    var keys: [KeyEntry] = []

    init(body: DocxBody, accumulator: ImportAccumulator) {
        self.body = body
        self.accumulator = accumulator
        self.accumulator.fileWarnings = body.warnings
    }

    // MARK: Pass 1: lines → drafts and key entries

    mutating func parse() {
        for block in body.blocks {
            switch block {
            case .line(let line): process(line)
            case .table(let table): process(table)
            }
        }
        close()
        if drafts.isEmpty {
            accumulator.fileErrors.append(
                .init(
                    code: "noQuestions", vi: "Không tìm thấy câu hỏi nào (các câu phải bắt đầu bằng \"Câu 1.\", \"Bài 1.\" hoặc \"1.\")",
                    en: "No questions found (questions must start with \"Câu 1.\", \"Bài 1.\" or \"1.\")"
                ))
            return
        }
        applyKeys()
        for draft in drafts {
            guard !accumulator.tooManyQuestions else {
                accumulator.fileErrors.append(Messages.tooManyQuestions(accumulator.options.maxQuestions))
                return
            }
            build(draft)
        }
    }

    private mutating func store(_ line: DocxLine) -> Int {
        lines.append(line)
        return lines.count - 1
    }

    private mutating func close() {
        if let draft = current {
            drafts.append(draft)
            draftsByNumber[draft.number, default: []].append(drafts.count - 1)
        }
        current = nil
    }

    private mutating func setPart(_ number: Int, header: DocxLine) {
        close()
        part = number
        partKind = Self.kind(of: header, number: number)
        let path = "Phần " + C.romanNumerals[number]
        if !accumulator.categories.contains(where: { $0.path == path }) {
            let text = String(header.characters).trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\u{FFFC}", with: "")
            accumulator.categories.append(QuestionCategory(path: path, info: .plain(text)))
        }
    }

    static func kind(of header: DocxLine, number: Int) -> PartKind {
        let text = String(header.lowered).split(whereSeparator: { !$0.isLetter }).joined(separator: " ")
        if text.contains("tự luận") { return .free }
        if text.contains("đúng sai") { return .cluster }
        if text.contains("trả lời ngắn") { return .shortAnswer }
        if text.contains("nhiều phương án") || text.contains("trắc nghiệm") { return .choice }
        switch number {
        case 1: return .choice
        case 2: return .cluster
        case 3: return .shortAnswer
        default: return .free
        }
    }

    private mutating func process(_ line: DocxLine) {
        let start = C.skipSpaces(line, 0)
        guard start < line.characters.count else { return }
        if ended {
            readKey(line, start)
            return
        }
        if let number = C.partHeader(line, start) {
            if keyMode {
                keyPart = number
                keyQuestion = nil
                let rest = keyRest(line, start)
                if rest < line.characters.count { readKey(line, rest) }
            } else {
                setPart(number, header: line)
            }
            return
        }
        if C.isEnd(line, start) {
            close()
            ended = true
            return
        }
        if C.isKeyHeader(line, start) {
            close()
            keyMode = true
            keyPart = C.partInside(line, start) ?? keyPart
            return
        }
        if let question = C.questionStart(line, start) {
            if keyMode || isKeyLineForExistingQuestion(line, question) {
                if readKey(line, start) { return }
                keyMode = false
            }
            if question.bare, !acceptsBareNumber(question.number) {
                // "1. Ta có…" inside a solution, or an instruction: ordinary text.
            } else {
                close()
                current = Draft(number: question.number, part: part, kind: partKind, paragraph: line.paragraph, bare: question.bare)
                let index = store(line)
                content(index, from: question.contentStart)
                return
            }
        }
        if keyMode {
            readKey(line, start)
            return
        }
        let (items, covered) = C.keyItems(line, start, numbersAllowed: false)
        if covered, items.count >= 2, items.allSatisfy({ $0.number != nil && $0.value != nil }) {
            close()
            keyMode = true
            readKey(line, start)
            return
        }
        guard current != nil else { return }
        let index = store(line)
        content(index, from: start)
    }

    /// After `Phần II` on a key line: where the rest starts (`PHẦN I: 1A 2B`).
    private func keyRest(_ line: DocxLine, _ start: Int) -> Int {
        var j = start
        while j < line.characters.count, !line.characters[j].isNumber, line.characters[j] != ":" { j += 1 }
        if j < line.characters.count, line.characters[j] == ":" { j += 1 }
        return j
    }

    /// A bare `N.` starts a question only in a document numbered that way: the first one, or the
    /// number after the previous bare-numbered question.
    private func acceptsBareNumber(_ number: Int) -> Bool {
        let previous = current ?? drafts.last
        guard let previous else { return number == 1 }
        if previous.part != part { return number == 1 }
        return previous.bare && number == previous.number + 1
    }

    /// `Câu 3: B` when question 3 already exists (with options): a key line, not a new question.
    private func isKeyLineForExistingQuestion(_ line: DocxLine, _ question: C.QuestionStart) -> Bool {
        let (items, covered) = C.keyItems(line, C.skipSpaces(line, 0), numbersAllowed: false)
        guard covered, items.count >= 1, items.allSatisfy({ $0.value != nil }) else { return false }
        if let current, current.number == question.number, current.part == part { return true }
        return (draftsByNumber[question.number] ?? []).contains { drafts[$0].part == part }
    }

    /// Reads key entries from a line; `false` when the line is not a key line at all.
    @discardableResult
    private mutating func readKey(_ line: DocxLine, _ start: Int) -> Bool {
        if let number = C.partHeader(line, start) {
            keyPart = number
            keyQuestion = nil
            let rest = keyRest(line, start)
            if rest < line.characters.count { readKey(line, rest) }
            return true
        }
        if C.isKeyHeader(line, start) {
            keyPart = C.partInside(line, start) ?? keyPart
            return true
        }
        var (items, covered) = C.keyItems(line, start, numbersAllowed: true)
        if !covered, let question = C.questionStart(line, start) {
            // "Câu 3. Chọn B" / "Câu 3: Đáp án B" in a key section.
            keyQuestion = question.number
            if let answer = C.answerLine(line, question.contentStart), case .success(let value) = answer {
                items = [C.KeyItem(number: question.number, value: value)]
                covered = true
            } else {
                return true
            }
        }
        if !covered, let answer = C.answerLine(line, start), case .success(let value) = answer, let number = keyQuestion {
            items = [C.KeyItem(number: number, value: value)]
        }
        guard !items.isEmpty else { return false }
        for item in items {
            if let number = item.number { keyQuestion = number }
            guard let value = item.value, let number = item.number ?? keyQuestion else { continue }
            keys.append(KeyEntry(part: keyPart, number: number, value: value, paragraph: line.paragraph))
        }
        return true
    }

    // MARK: Question content

    private mutating func content(_ index: Int, from start: Int) {
        guard var draft = current else { return }
        defer { current = draft }
        let line = lines[index]
        let count = line.characters.count
        let i = C.skipSpaces(line, start)
        guard i < count else { return }
        let whole = Span(line: index, range: i..<count)
        if let afterHeader = solutionHeader(line, i) {
            draft.mode = .solution
            let rest = C.skipSpaces(line, afterHeader)
            if rest < count {
                if let answer = C.answerLine(line, rest) { record(answer, line: line, in: &draft) }
                draft.solution.append(.span(Span(line: index, range: rest..<count)))
            }
            return
        }
        if let answer = C.answerLine(line, i) {
            record(answer, line: line, in: &draft)
            if draft.mode == .solution { draft.solution.append(.span(whole)) }
            return
        }
        if draft.mode == .solution {
            draft.solution.append(.span(whole))
            return
        }
        let options = C.markers(line, i, letters: "A"..."H")
        if let first = options.first, draft.mode != .statements {
            if first.markStart > i { draft.stem.append(.span(Span(line: index, range: i..<first.markStart))) }
            for (n, marker) in options.enumerated() {
                let end = n + 1 < options.count ? options[n + 1].markStart : count
                draft.options.append(
                    OptionDraft(
                        index: marker.index, starred: marker.starred, mark: Span(line: index, range: marker.markStart..<marker.contentStart),
                        content: [Span(line: index, range: C.trimmedEnd(line, marker.contentStart..<end))]
                    ))
            }
            draft.mode = .options
            return
        }
        if draft.kind == .cluster || ((draft.kind == nil || draft.kind == .free) && draft.options.isEmpty) {
            let statements = C.markers(line, i, letters: "a"..."h")
            if let first = statements.first {
                if first.markStart > i { draft.stem.append(.span(Span(line: index, range: i..<first.markStart))) }
                for (n, marker) in statements.enumerated() {
                    let end = n + 1 < statements.count ? statements[n + 1].markStart : count
                    var range = C.trimmedEnd(line, marker.contentStart..<end)
                    var truth: Bool?
                    if let (value, textEnd) = C.truthSuffix(line, range) {
                        truth = value
                        range = C.trimmedEnd(line, range.lowerBound..<textEnd)
                    }
                    draft.statements.append(
                        StatementDraft(
                            index: marker.index, mark: Span(line: index, range: marker.markStart..<marker.contentStart),
                            content: [Span(line: index, range: range)], truth: truth
                        ))
                }
                draft.mode = .statements
                return
            }
        }
        switch draft.mode {
        case .options where !draft.options.isEmpty:
            draft.options[draft.options.count - 1].content.append(whole)
        case .statements where !draft.statements.isEmpty:
            var range = whole.range
            if let (value, textEnd) = C.truthSuffix(line, range) {
                draft.statements[draft.statements.count - 1].truth = value
                range = C.trimmedEnd(line, range.lowerBound..<textEnd)
            }
            draft.statements[draft.statements.count - 1].content.append(Span(line: index, range: range))
        default:
            draft.stem.append(.span(whole))
        }
    }

    private func record(_ answer: Result<C.AnswerValue, C.AnswerError>, line: DocxLine, in draft: inout Draft) {
        switch answer {
        case .success(let value): draft.answers.append((value, line.paragraph, false))
        case .failure(let error): draft.unreadableAnswers.append((error.text, line.paragraph))
        }
    }

    /// `Lời giải`, `Hướng dẫn giải`, `Giải:`, `Lời giải chi tiết:`: the index after the heading.
    private func solutionHeader(_ line: DocxLine, _ i: Int) -> Int? {
        var end: Int?
        if let after = C.firstKeyword(line, i, ["lời giải", "loi giai", "hướng dẫn giải", "huong dan giai", "bài giải", "giải chi tiết"]) {
            end = after
        } else if let after = C.firstKeyword(line, i, ["giải", "giai", "hướng dẫn", "lg"]) {
            let k = C.skipSpaces(line, after)
            guard k >= line.characters.count || line.characters[k] == ":" || line.characters[k] == "." else { return nil }
            end = after
        }
        guard var j = end else { return nil }
        j = C.skipSpaces(line, j)
        if let after = C.keyword(line, j, "chi tiết") { j = C.skipSpaces(line, after) }
        if j < line.characters.count, ":.".contains(line.characters[j]) { j += 1 }
        return j
    }

    private mutating func process(_ table: DocxTable) {
        let index = tables.count
        tables.append(table)
        if ended || keyMode {
            readKeyTable(table, strict: false)
            return
        }
        if readKeyTable(table, strict: true) {
            close()
            return
        }
        let hasMarks = table.rows.contains { row in
            row.contains { cell in
                cell.contains { line in
                    let i = C.skipSpaces(line, 0)
                    return C.marker(line, i, letters: "A"..."H") != nil || C.questionStart(line, i) != nil
                        || C.marker(line, i, letters: "a"..."d") != nil
                }
            }
        }
        if hasMarks || current == nil {
            // Options laid out in a table, or a whole test written in a table: read the cells as lines.
            for row in table.rows { for cell in row { for line in cell { process(line) } } }
            return
        }
        if current!.mode == .solution {
            current!.solution.append(.table(index))
        } else {
            current!.stem.append(.table(index))
        }
    }

    /// Reads an answer table: rows `Câu | 1 | 2 …` over `Đáp án | A | C …`, rows of
    /// `number | value` pairs, or cells holding `1-A`. With `strict`, only a table made entirely
    /// of such cells with at least one letter or Đ/S value counts (so a data table in a stem stays).
    @discardableResult
    private mutating func readKeyTable(_ table: DocxTable, strict: Bool) -> Bool {
        var found: [KeyEntry] = []
        var tablePart = keyPart
        let rows = table.rows.map { row in row.map { cell in cell.filter { !$0.isBlank } } }
        func cellLine(_ cell: [DocxLine]) -> DocxLine? { cell.count == 1 ? cell[0] : cell.first }
        var r = 0
        var unreadable = false
        var rowNumber: Int?
        while r < rows.count {
            let row = rows[r]
            let lines = row.map(cellLine)
            // A part label in the first cell: "PHẦN I".
            if let first = lines.first, let line = first, let number = C.partHeader(line, C.skipSpaces(line, 0)) {
                tablePart = number
            }
            let numbers: [Int?] = lines.map { line in
                guard let line else { return nil }
                let i = C.skipSpaces(line, 0)
                var k = i
                if let after = C.firstKeyword(line, k, ["câu", "cau"]) { k = C.skipSpaces(line, after) }
                guard let (value, end) = C.integer(line, k), C.trimmedEnd(line, end..<line.characters.count).isEmpty else { return nil }
                return value
            }
            let numberCells = numbers.compactMap { $0 }.count
            if numberCells >= 2, numberCells >= lines.count - 1, r + 1 < rows.count {
                // Horizontal layout: this row numbers the answers of the next one.
                let next = rows[r + 1].map(cellLine)
                for (column, number) in numbers.enumerated() {
                    guard let number, column < next.count, let line = next[column] else { continue }
                    let i = C.skipSpaces(line, 0)
                    if let (value, end) = C.value(line, i), C.trimmedEnd(line, end..<line.characters.count).isEmpty {
                        found.append(KeyEntry(part: tablePart, number: number, value: value, paragraph: line.paragraph))
                    } else if C.trimmedEnd(line, i..<line.characters.count).count > 0 {
                        unreadable = true
                    }
                }
                r += 2
                continue
            }
            // One row read as one line: "1 | A | 3 | C", "Câu 1 | a) Đ | b) S…", "1 | a) | Đ", "| b) | S".
            var atoms: [DocxAtom] = []
            for line in lines {
                guard let line else { continue }
                if !atoms.isEmpty { atoms.append(DocxAtom(character: " ", style: [], object: -1)) }
                atoms += line.atoms
            }
            let joined = DocxLine(paragraph: lines.compactMap { $0?.paragraph }.first ?? table.paragraph, atoms: atoms)
            let start = C.skipSpaces(joined, 0)
            if start < joined.characters.count {
                let (items, covered) = C.keyItems(joined, start, numbersAllowed: true)
                if covered, !items.isEmpty {
                    for item in items {
                        if let number = item.number { rowNumber = number }
                        guard let value = item.value, let number = item.number ?? rowNumber else { continue }
                        found.append(KeyEntry(part: tablePart, number: number, value: value, paragraph: joined.paragraph))
                    }
                } else if C.partHeader(joined, start) == nil, !lines.allSatisfy({ $0.map { isLabel($0, C.skipSpaces($0, 0)) } ?? true }) {
                    unreadable = true
                }
            }
            r += 1
        }
        let informative = found.contains { entry in
            if case .number = entry.value { return false }
            return true
        }
        if strict, unreadable || !informative { return false }
        keys += found
        keyPart = tablePart
        return true
    }

    /// Header cells of an answer table: `Câu`, `Đáp án`, `Phần I`, `Câu hỏi`.
    private func isLabel(_ line: DocxLine, _ i: Int) -> Bool {
        let words = String(line.lowered[i...]).split { !$0.isLetter && !$0.isNumber }.joined(separator: " ")
        return ["câu", "câu hỏi", "đáp án", "đa", "câu số", "question", "answer", "ý", "lệnh hỏi", "đáp án đ s", "chọn", ""].contains(words)
            || C.partHeader(line, i) != nil
    }

    // MARK: Pass 2: the key

    private mutating func applyKeys() {
        for key in keys {
            let numbered = draftsByNumber[key.number] ?? []
            var candidates = numbered.filter { key.part == nil || drafts[$0].part == key.part }
            if candidates.isEmpty, key.part != nil { candidates = numbered }
            candidates = candidates.filter { fits(key.value, drafts[$0]) }
            guard let target = candidates.first(where: { !drafts[$0].answers.contains { $0.fromKey } }) ?? candidates.first else {
                accumulator.fileWarnings.append(
                    .init(
                        code: "keyWithoutQuestion", vi: "Đáp án của câu \(key.number) không ứng với câu hỏi nào",
                        en: "The key's answer for question \(key.number) matches no question", location: .init(line: key.paragraph)
                    ))
                continue
            }
            drafts[target].answers.append((key.value, key.paragraph, true))
        }
    }

    private func fits(_ value: C.AnswerValue, _ draft: Draft) -> Bool {
        switch value {
        case .letter: return !draft.options.isEmpty || draft.kind == .choice
        case .truths: return !draft.statements.isEmpty || draft.kind == .cluster
        case .number: return draft.kind == .shortAnswer || (draft.options.isEmpty && draft.statements.isEmpty)
        }
    }
}
