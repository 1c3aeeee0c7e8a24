import Foundation
import HoclieuCore

/// Pass 3 of ``DocxQuestionParser``: answers resolved, HTML written, question validated and reported.
extension DocxQuestionParser {
    /// The media files and objects a question's texts use.
    struct MediaCollector {
        var media: [QuestionMedia] = []
        var names: Set<String> = []
        var objects: [Int] = []
    }

    /// Builds, validates and adds one question.
    mutating func build(_ draft: Draft) {
        let number = accumulator.nextNumber()
        let location = QuestionSourceLocation(line: draft.paragraph)
        let partName = draft.part.map { "Phần " + C.romanNumerals[$0] }
        let labelVi = "Câu \(draft.number)" + (partName.map { " (\($0))" } ?? "")
        let labelEn = "Question \(draft.number)" + (draft.part.map { " (part \(C.romanNumerals[$0]))" } ?? "")
        var errors: [QuestionFormatMessage] = []
        func error(_ code: String, _ vi: String, _ en: String, paragraph: Int? = nil) {
            errors.append(.init(code: code, vi: "\(labelVi): \(vi)", en: "\(labelEn): \(en)", location: .init(line: paragraph ?? draft.paragraph)))
        }
        for unreadable in draft.unreadableAnswers {
            error(
                "answerUnreadable", "không đọc được đáp án \"\(unreadable.text)\"", "cannot read the answer \"\(unreadable.text)\"",
                paragraph: unreadable.paragraph)
        }
        var collector = MediaCollector()
        let stem = RichText(blockHTML(draft.stem, field: "questiontext", into: &collector))
        let solution = draft.solution.isEmpty ? nil : RichText(blockHTML(draft.solution, field: "workedsolution", into: &collector))

        let expected: QuestionType? =
            switch draft.kind {
            case .choice: .singleChoice
            case .cluster: .trueFalseCluster
            case .shortAnswer: .numeric
            case .free, nil: nil
            }
        let hasNumber = draft.answers.contains { if case .number = $0.value { true } else { false } }
        let type: QuestionType
        if let expected {
            type = expected
        } else if !draft.options.isEmpty {
            type = .singleChoice
        } else if !draft.statements.isEmpty {
            type = .trueFalseCluster
        } else if hasNumber {
            type = .numeric
        } else if draft.answers.isEmpty && draft.unreadableAnswers.isEmpty {
            type = .essay
        } else {
            type = .singleChoice
        }

        let body: QuestionBody
        let sourceType: String
        switch type {
        case .trueFalseCluster:
            sourceType = "truefalsecluster"
            if draft.statements.isEmpty {
                error(
                    "noStatements", "không tìm thấy các ý a), b), c), d) của câu Đúng/Sai",
                    "no statements a), b), c), d) found for the true/false cluster")
            }
            if !draft.options.isEmpty {
                error("unexpectedOptions", "câu Đúng/Sai không được có phương án A, B, C, D", "a true/false cluster cannot have options A, B, C, D")
            }
            body = .trueFalseCluster(cluster(draft, into: &collector, error: error))
        case .numeric:
            sourceType = "numerical"
            if !draft.options.isEmpty {
                error(
                    "unexpectedOptions", "câu trả lời ngắn không được có phương án A, B, C, D",
                    "a short-answer question cannot have options A, B, C, D")
            }
            body = .numeric(numeric(draft, error: error))
        case .essay:
            sourceType = "essay"
            body = .essay(EssayQuestion())
        default:
            sourceType = "multichoice"
            if draft.options.isEmpty {
                error("noOptions", "không tìm thấy các phương án A, B, C, D", "no options A, B, C, D found")
            }
            body = .singleChoice(choice(draft, into: &collector, error: error))
        }

        var question = Question(
            id: "", title: labelVi, stem: stem, workedSolution: solution, category: partName, media: collector.media, body: body
        )
        question.id = accumulator.options.idPrefix + String(number)
        for violation in question.violations() where !errors.contains(where: { $0.code == violation.code.rawValue }) {
            error(violation.code.rawValue, violation.messageVietnamese.lowercasedFirst, violation.messageEnglish.lowercasedFirst)
        }
        var warnings: [QuestionFormatMessage] = []
        for object in collector.objects {
            for (code, vi, en) in self.body.objectWarnings(object) where !warnings.contains(where: { $0.code == code }) {
                warnings.append(.init(code: code, vi: "\(labelVi): \(vi)", en: "\(labelEn): \(en)", location: location))
            }
        }
        accumulator.add(question, number: number, sourceType: sourceType, location: location, errors: errors, warnings: warnings)
    }

    // MARK: Choice

    private func isMarked(_ mark: Span, _ content: [Span], _ kind: DocxStyle, wholeText: Bool) -> Bool {
        let markAtoms = lines[mark.line].atoms[mark.range].filter { !$0.character.isWhitespace && $0.character != "*" }
        if markAtoms.contains(where: { $0.style.contains(kind) }) { return true }
        guard wholeText else { return false }
        var any = false
        for span in content {
            for atom in lines[span.line].atoms[span.range] where atom.object < 0 && !atom.character.isWhitespace {
                guard atom.style.contains(kind) else { return false }
                any = true
            }
        }
        return any
    }

    private func letterName(_ index: Int) -> String { String(UnicodeScalar(UInt8(65 + min(max(index, 0), 25)))) }

    private func choice(_ draft: Draft, into collector: inout MediaCollector, error: (String, String, String, Int?) -> Void) -> ChoiceQuestion {
        let options = draft.options
        let letters = options.map(\.index)
        if Set(letters).count != letters.count {
            error("duplicateOptionLetters", "các chữ cái phương án bị trùng", "option letters repeat", nil)
        }
        var chosen: [(letter: Int, paragraph: Int)] = options.filter(\.starred).map { ($0.index, lines[$0.mark.line].paragraph) }
        for answer in draft.answers { if case .letter(let letter) = answer.value { chosen.append((letter, answer.paragraph)) } }
        // Formatting that sets exactly one option apart.
        var formatted: (letter: Int, kind: DocxStyle)?
        var ambiguous: [DocxStyle] = []
        for kind in [DocxStyle.underline, .red, .bold, .highlight] {
            let marked = options.filter { isMarked($0.mark, $0.content, kind, wholeText: true) }
            if marked.count == 1, formatted == nil {
                formatted = (marked[0].index, kind)
            } else if marked.count > 1, marked.count < options.count {
                ambiguous.append(kind)
            }
        }
        var hidden: DocxStyle = []
        let distinct = Array(Set(chosen.map(\.letter))).sorted()
        var correct: Int?
        if distinct.count > 1 {
            let list = distinct.map(letterName).joined(separator: ", ")
            error(
                "conflictingAnswers", "các đáp án được ghi không khớp nhau (\(list))", "the answers given disagree (\(list))", chosen.last?.paragraph)
            correct = chosen.first?.letter  // the question is invalid anyway; one answer keeps the report to the point
        } else if let only = distinct.first {
            correct = only
            if let formatted, formatted.letter == only { hidden = formatted.kind }
        } else if let formatted {
            correct = formatted.letter
            hidden = formatted.kind
        }
        if correct == nil, distinct.isEmpty {
            if ambiguous.isEmpty {
                error("noCorrectAnswer", "không tìm thấy đáp án đúng", "no correct answer found", nil)
            } else {
                let names = ambiguous.map(Self.styleName)
                error(
                    "noCorrectAnswer", "nhiều phương án cùng được đánh dấu (\(names.map(\.vi).joined(separator: ", "))): không tìm thấy đáp án đúng",
                    "several options carry the same mark (\(names.map(\.en).joined(separator: ", "))): no correct answer found", nil
                )
            }
        } else if let correct, !letters.contains(correct), !options.isEmpty {
            error(
                "noCorrectAnswer", "đáp án \(letterName(correct)) không có trong các phương án",
                "the answer \(letterName(correct)) is not among the options", nil)
        }
        var choiceOptions: [ChoiceOption] = []
        for (n, option) in options.enumerated() {
            let html = option.content.map { inlineHTML($0, hidden: hidden.union(.red), field: "answer[\(n)]", into: &collector) }
                .filter { !$0.isEmpty }.joined(separator: "<br />")
            let letterAtom = lines[option.mark.line].atoms[option.mark.range].first { $0.character.isLetter }
            choiceOptions.append(
                ChoiceOption(
                    id: optionID(n), text: RichText(html), correct: option.index == correct,
                    doNotShuffle: letterAtom?.style.contains(.italic) == true
                ))
        }
        return ChoiceQuestion(options: choiceOptions, shuffle: true)
    }

    static func styleName(_ kind: DocxStyle) -> (vi: String, en: String) {
        switch kind {
        case .underline: ("gạch chân", "underline")
        case .red: ("chữ đỏ", "red text")
        case .highlight: ("tô sáng", "highlight")
        default: ("in đậm", "bold")
        }
    }

    // MARK: Đúng/Sai

    private func cluster(_ draft: Draft, into collector: inout MediaCollector, error: (String, String, String, Int?) -> Void) -> TrueFalseCluster {
        let statements = draft.statements
        var keyed: [Int: Bool] = [:]
        var conflicts: Set<Int> = []
        for answer in draft.answers {
            guard case .truths(let truths) = answer.value else { continue }
            for (label, value) in truths {
                if let previous = keyed[label], previous != value { conflicts.insert(label) }
                keyed[label] = value
            }
        }
        var formatted: [Int: Bool]?
        for kind in [DocxStyle.underline, .red, .bold, .highlight] {
            let marked = statements.filter { isMarked($0.mark, [], kind, wholeText: false) }.map(\.index)
            guard !marked.isEmpty else { continue }
            if kind == .bold || kind == .highlight, marked.count == statements.count { continue }  // every letter so: a style, not a mark
            formatted = Dictionary(uniqueKeysWithValues: statements.map { ($0.index, marked.contains($0.index)) })
            break
        }
        var missing: [String] = []
        var result: [ClusterStatement] = []
        for (n, statement) in statements.enumerated() {
            let label = String(UnicodeScalar(UInt8(97 + min(statement.index, 25))))
            if let suffix = statement.truth, let key = keyed[statement.index], suffix != key { conflicts.insert(statement.index) }
            let value = statement.truth ?? keyed[statement.index] ?? formatted?[statement.index]
            if value == nil { missing.append(label + ")") }
            let html = statement.content.map { inlineHTML($0, hidden: [.red], field: "statement[\(n)]", into: &collector) }
                .filter { !$0.isEmpty }.joined(separator: "<br />")
            result.append(ClusterStatement(label: label, text: RichText(html), isTrue: value ?? false))
        }
        if !conflicts.isEmpty {
            let list = conflicts.sorted().map { String(UnicodeScalar(UInt8(97 + min($0, 25)))) + ")" }.joined(separator: ", ")
            error("conflictingAnswers", "đáp án Đúng/Sai của ý \(list) không khớp nhau", "the true/false answers for \(list) disagree", nil)
        }
        if !missing.isEmpty, !statements.isEmpty {
            let list = missing.joined(separator: ", ")
            error("noCorrectAnswer", "không tìm thấy đáp án Đúng/Sai của ý \(list)", "no true/false answer found for \(list)", nil)
        }
        // A cluster of the wrong size is reported for its size only, not again for its scoring table.
        var scoring = ClusterScoringTable.standard
        if result.count != scoring.fractions.count - 1 {
            scoring.fractions = (0...result.count).map { $0 < scoring.fractions.count ? scoring.fractions[$0] : 1 }
        }
        return TrueFalseCluster(statements: result, scoring: scoring)
    }

    // MARK: Numeric

    private func numeric(_ draft: Draft, error: (String, String, String, Int?) -> Void) -> NumericQuestion {
        var written: [(text: String, paragraph: Int)] = []
        for answer in draft.answers { if case .number(let text) = answer.value { written.append((text, answer.paragraph)) } }
        var values: [Decimal] = []
        for item in written {
            guard let value = NumericParsing.parse(item.text) else { continue }
            if !values.contains(value) { values.append(value) }
        }
        if values.count > 1 {
            let list = written.map(\.text).joined(separator: ", ")
            error(
                "conflictingAnswers", "các đáp số được ghi không khớp nhau (\(list))", "the numeric answers given disagree (\(list))",
                written.last?.paragraph)
        }
        if written.isEmpty {
            error("noCorrectAnswer", "không tìm thấy đáp số (Đáp số: …)", "no numeric answer found (Đáp số: …)", nil)
        }
        let keys = written.first.map { [NumericKey(answer: $0.text)] } ?? []
        return NumericQuestion(keys: keys, answerBoxLength: draft.kind == .shortAnswer ? NumericQuestion.examAnswerBoxLength : nil)
    }

    // MARK: HTML

    /// Paragraphs (`<p>`) and tables; a text of one paragraph is written without `<p>`.
    func blockHTML(_ pieces: [Piece], field: String, into collector: inout MediaCollector) -> String {
        var html = ""
        var paragraphs = 0
        var single = ""
        for piece in pieces {
            switch piece {
            case .span(let span):
                let inner = inlineHTML(span, hidden: [.red], field: field, into: &collector)
                if !inner.isEmpty {
                    html += "<p>" + inner + "</p>"
                    paragraphs += 1
                    single = inner
                }
            case .table(let index):
                html += "<table><tbody>"
                for row in tables[index].rows {
                    html += "<tr>"
                    for cell in row {
                        let lineIndexes = cell
                        var cellHTML: [String] = []
                        for line in lineIndexes {
                            let inner = inlineHTML(line, range: 0..<line.atoms.count, hidden: [.red], field: field, into: &collector)
                            if !inner.isEmpty { cellHTML.append(inner) }
                        }
                        html += "<td>" + cellHTML.joined(separator: "<br />") + "</td>"
                    }
                    html += "</tr>"
                }
                html += "</tbody></table>"
                paragraphs += 2
            }
        }
        return paragraphs == 1 ? single : html
    }

    func inlineHTML(_ span: Span, hidden: DocxStyle, field: String, into collector: inout MediaCollector) -> String {
        inlineHTML(lines[span.line], range: span.range, hidden: hidden, field: field, into: &collector)
    }

    /// The atoms of a range as HTML: `b i u sup sub` for the formatting not `hidden`, pictures as
    /// `<img src="@@PLUGINFILE@@/name">`, formulas as MathML, tabs as spaces; outer whitespace trimmed.
    func inlineHTML(_ line: DocxLine, range: Range<Int>, hidden: DocxStyle, field: String, into collector: inout MediaCollector) -> String {
        let trimmed = C.trimmedEnd(line, range)
        guard !trimmed.isEmpty else { return "" }
        let shown: [(DocxStyle, String)] = [(.bold, "b"), (.italic, "i"), (.underline, "u"), (.superscript, "sup"), (.subscript, "sub")]
        var html = ""
        var open: DocxStyle = []
        func closeAll() {
            for (style, tag) in shown.reversed() where open.contains(style) { html += "</\(tag)>" }
            open = []
        }
        var text = ""
        // Spaces take the formatting of what follows them only when it continues the current run.
        var pending = ""
        for index in trimmed {
            let atom = line.atoms[index]
            if atom.object < 0, atom.character == "\t" || atom.character == " " || atom.character == "\u{A0}" {
                pending.append(atom.character == "\t" ? " " : atom.character)
                continue
            }
            let style = atom.style.subtracting(hidden).intersection([.bold, .italic, .underline, .superscript, .subscript])
            if style != open {
                html += HTMLText.escape(text)
                text = ""
                closeAll()
                html += HTMLText.escape(pending)
                for (flag, tag) in shown where style.contains(flag) { html += "<\(tag)>" }
                open = style
            } else {
                text += pending
            }
            pending = ""
            if atom.object >= 0 {
                html += HTMLText.escape(text)
                text = ""
                html += objectHTML(Int(atom.object), field: field, into: &collector)
            } else {
                text.append(atom.character)
            }
        }
        html += HTMLText.escape(text)
        closeAll()
        return html
    }

    private func objectHTML(_ index: Int, field: String, into collector: inout MediaCollector) -> String {
        collector.objects.append(index)
        func image(_ media: Int, alt: String) -> String {
            let file = body.media[media]
            if collector.names.insert(file.name).inserted {
                collector.media.append(QuestionMedia(name: file.name, mediaType: file.mediaType, data: file.data, field: field))
            }
            return "<img src=\"@@PLUGINFILE@@/\(HTMLText.escape(file.name))\" alt=\"\(HTMLText.escape(alt))\" />"
        }
        switch body.objects[index] {
        case .image(let media, let alt): return image(media, alt: alt)
        case .math(let mathML, _): return mathML
        case .mathType(let media, _): return media.map { image($0, alt: "MathType") } ?? ""
        }
    }
}
