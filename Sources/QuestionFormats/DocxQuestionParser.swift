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
    /// After a solutions heading (`Lời giải`, `Hướng dẫn giải`, `Đáp án và hướng dẫn chấm`, `HƯỚNG DẪN CHẤM`…):
    /// `Câu N` repeating an earlier question's number starts that question's solution, not a new question.
    var inSolutions = false
    /// The part a solutions section is about (its heading's, or the part it appears in).
    var solutionPart: Int?
    /// The question (index into ``drafts``) whose solution the following lines are.
    var solutionTarget: Int?
    /// Whether the solutions heading was for all questions (it came after `HẾT` or a key, was followed at once
    /// by `Câu N`, or a `Câu N` repeated a number of its part): then `Câu N` may name a question of another part.
    /// A `Lời giải` followed by text is one question's own, and the next new number is a new question.
    var sectionConfirmed = false
    /// A solutions heading was just read and nothing yet followed it.
    var headingPending = false

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
        if Self.isSolutionsHeading(line, start) {
            enterSolutions(line, start)
            return
        }
        if inSolutions || keyMode || ended || solutionTarget != nil, solutionLine(line, start) { return }
        headingPending = false
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
                if (draftsByNumber[question.number] ?? []).contains(where: { drafts[$0].part == part }) {
                    accumulator.fileWarnings.append(
                        .init(
                            code: "repeatedNumber",
                            vi: "Câu \(question.number) trùng số với một câu trước trong cùng phần nên được nhập thành câu mới; "
                                + "nếu đây là lời giải, hãy đặt tiêu đề \"Lời giải\" hoặc \"Hướng dẫn giải\" trước các lời giải",
                            en: "Question \(question.number) repeats the number of an earlier question in the same part and was imported as a new question; "
                                + "if it is a solution, put a \"Lời giải\" or \"Hướng dẫn giải\" heading before the solutions",
                            location: .init(line: line.paragraph)))
                }
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

    // MARK: Solutions sections

    /// A heading line that starts worked solutions: `Lời giải`, `LỜI GIẢI CHI TIẾT`, `Hướng dẫn giải`,
    /// `Đáp án và hướng dẫn chấm`, `HƯỚNG DẪN CHẤM` (any capitalisation, with or without diacritics), with
    /// nothing after a colon. `Lời giải: x = 2` is an inline solution, not a heading.
    static func isSolutionsHeading(_ line: DocxLine, _ start: Int) -> Bool {
        let text = line.lowered[start...]
        let words = String(text).split { !$0.isLetter && !$0.isNumber }.map(String.init)
        guard !words.isEmpty, words.count <= 14 else { return false }
        let joined = words.joined(separator: " ")
        let headings = [
            "lời giải", "loi giai", "hướng dẫn giải", "huong dan giai", "hướng dẫn chấm", "huong dan cham", "đáp án và hướng dẫn",
            "dap an va huong dan", "đáp án và lời giải", "dap an va loi giai", "giải chi tiết", "giai chi tiet",
        ]
        guard headings.contains(where: { joined == $0 || joined.hasPrefix($0 + " ") }) else { return false }
        if let colon = text.firstIndex(where: { $0 == ":" || $0 == "." }) {
            return !text[(colon + 1)...].contains { $0.isLetter || $0.isNumber }
        }
        return true
    }

    private mutating func enterSolutions(_ line: DocxLine, _ start: Int) {
        inSolutions = true
        solutionTarget = nil
        sectionConfirmed = ended || keyMode || current == nil || C.isKeyHeader(line, start)
        headingPending = true
        solutionPart = C.partInside(line, start) ?? (ended || keyMode ? keyPart : part)
        if C.isKeyHeader(line, start) {
            // `ĐÁP ÁN VÀ HƯỚNG DẪN CHẤM`: an answer key may follow as well.
            close()
            keyMode = true
            keyPart = solutionPart
        } else if !ended, !keyMode, current != nil {
            // `Lời giải` under a question: its own solution starts (and later `Câu N` may repeat earlier numbers).
            let index = store(line)
            content(index, from: start)
        }
    }

    /// The question a solution numbered `number` belongs to: in the section's part first, then (in a section
    /// for all questions, or for a key line) in any part.
    private mutating func solutionDraft(_ number: Int, anyPart: Bool = false) -> Int? {
        close()
        let candidates = draftsByNumber[number] ?? []
        if let same = candidates.first(where: { drafts[$0].part == solutionPart }) {
            sectionConfirmed = true
            return same
        }
        return anyPart || sectionConfirmed || ended || keyMode ? candidates.first : nil
    }

    /// A line in a solutions or key section. `true` when it was taken as (part of) a solution or a section
    /// boundary; `false` leaves it to the ordinary reading (key lines, new questions, new parts).
    private mutating func solutionLine(_ line: DocxLine, _ start: Int) -> Bool {
        if let number = C.partHeader(line, start) {
            solutionTarget = nil
            if inSolutions, !ended, !keyMode {
                // `PHẦN II` inside the solutions of a part already read: the solutions go on; a new part ends them.
                guard drafts.contains(where: { $0.part == number }) || current?.part == number else {
                    inSolutions = false
                    return false
                }
                solutionPart = number
                return true
            }
            solutionPart = number
            return false
        }
        if C.isEnd(line, start) || C.isKeyHeader(line, start) {
            // `HẾT`, `ĐÁP ÁN`: the solutions (if any) are over; a later solutions heading starts them again.
            solutionTarget = nil
            inSolutions = false
            return false
        }
        if let question = C.questionStart(line, start) {
            if headingPending, !question.bare { sectionConfirmed = true }
            headingPending = false
            let (_, covered) = C.keyItems(line, start, numbersAllowed: true)
            var answerOnly = false
            if let answer = C.answerLine(line, question.contentStart), case .success = answer { answerOnly = true }
            if question.bare, !covered, !answerOnly, solutionTarget != nil, !acceptsBareNumber(question.number) {
                // `1. Ta có…`: a numbered step of the solution.
                appendSolution(line, from: start)
                return true
            }
            if covered || answerOnly, !question.bare, let target = solutionDraft(question.number, anyPart: true) {
                // `Câu 3: B`, `Câu 3. Chọn B` among the solutions: the key of question 3, whatever part it is in.
                keyPart = drafts[target].part
                readKey(line, start)
                // `Câu 3. Chọn B vì…` in a solutions section: what follows explains it. In a bare key, `Câu 5`
                // alone is followed by its `a) Đ` lines.
                solutionTarget = inSolutions && C.skipSpaces(line, question.contentStart) < line.characters.count ? target : nil
                return true
            }
            if covered || answerOnly || (question.bare && !ended && !keyMode) {
                // A key line for the ordinary reading; a bare `3.` may start a new question.
                solutionTarget = nil
                return false
            }
            if !inSolutions, C.skipSpaces(line, question.contentStart) >= line.characters.count {
                // `Câu 5` alone in an answer key: its `a) Đ` lines follow.
                solutionTarget = nil
                return false
            }
            guard let target = solutionDraft(question.number) else {
                solutionTarget = nil
                if !ended, !keyMode { inSolutions = false }
                return false
            }
            solutionTarget = target
            appendSolution(line, from: question.contentStart)
            return true
        }
        guard solutionTarget != nil else { return false }
        let (items, covered) = C.keyItems(line, start, numbersAllowed: false)
        if covered, items.count >= 2, items.allSatisfy({ $0.number != nil && $0.value != nil }) {
            // `1-A 2-B 3-C`: an answer key after the solutions.
            solutionTarget = nil
            return false
        }
        appendSolution(line, from: start)
        return true
    }

    /// Text of a solution for ``solutionTarget``; an `Đáp án: …` / `Chọn B` at its start also gives the answer.
    private mutating func appendSolution(_ line: DocxLine, from start: Int) {
        guard let target = solutionTarget else { return }
        let index = store(line)
        var i = C.skipSpaces(line, start)
        if i < line.characters.count, let afterHeader = solutionHeader(line, i) { i = C.skipSpaces(line, afterHeader) }
        guard i < line.characters.count else { return }
        if let answer = C.answerLine(line, i) { record(answer, line: line, in: &drafts[target]) }
        drafts[target].solution.append(.span(Span(line: index, range: i..<line.characters.count)))
    }

    /// A table of worked solutions: rows whose first cell is a question's number (`6`, `Câu 6`, or `Câu 6: …`)
    /// and whose other cells are its solution; rows without a number continue the previous one. `false`
    /// (nothing taken) when no row names a question or a row reads as an answer key.
    private mutating func solutionTable(_ table: DocxTable) -> Bool {
        var rows: [(number: Int?, lines: [(DocxLine, Int)])] = []
        for row in table.rows {
            let cells = row.map { cell in cell.filter { !$0.isBlank } }
            guard let firstCell = cells.firstIndex(where: { !$0.isEmpty }) else { continue }
            let head = cells[firstCell][0]
            let i = C.skipSpaces(head, 0)
            var number: Int?
            var rest: [(DocxLine, Int)] = []
            if let question = C.questionStart(head, i) {
                number = question.number
                if question.contentStart < head.characters.count { rest.append((head, question.contentStart)) }
            } else {
                var k = i
                if let after = C.firstKeyword(head, k, ["câu", "cau", "bài", "bai"]) { k = C.skipSpaces(head, after) }
                if let (value, end) = C.integer(head, k), C.trimmedEnd(head, end..<head.characters.count).isEmpty { number = value }
            }
            if number == nil { rest.append((head, i)) }
            rest += cells[firstCell].dropFirst().map { ($0, 0) }
            for cell in cells[(firstCell + 1)...] { rest += cell.map { ($0, 0) } }
            if number != nil {
                // An answer-key row (`1 | A`, `1 | a) | Đ`): not a solution table.
                var atoms: [DocxAtom] = []
                for line in cells.joined() {
                    if !atoms.isEmpty { atoms.append(DocxAtom(character: " ", style: [], object: -1)) }
                    atoms += line.atoms
                }
                let joined = DocxLine(paragraph: head.paragraph, atoms: atoms)
                let (items, covered) = C.keyItems(joined, C.skipSpaces(joined, 0), numbersAllowed: true)
                if covered, !items.isEmpty { return false }
            }
            rows.append((number, rest))
        }
        guard rows.contains(where: { $0.number.flatMap { draftsByNumber[$0] } != nil || $0.number == current?.number }) else { return false }
        var target: Int?
        for row in rows {
            if let number = row.number { target = solutionDraft(number) }
            guard let target else { continue }
            solutionTarget = target
            for (line, from) in row.lines where !isLabel(line, C.skipSpaces(line, from)) { appendSolution(line, from: from) }
        }
        solutionTarget = target
        return true
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
        if inSolutions {
            if readKeyTable(table, strict: true) {
                solutionTarget = nil
                return
            }
            if solutionTable(table) { return }
            if let target = solutionTarget {
                drafts[target].solution.append(.table(index))
                return
            }
        }
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
