import Foundation
public import HoclieuCore
import HoclieuXML

/// Writes questions as Moodle XML.
///
/// The output is deterministic (same questions, same bytes): elements in a fixed order,
/// extensions sorted by key, numbers with Moodle's seven decimals.
///
/// Mapping:
/// - single choice / multiple response → `multichoice` (`single` true/false); true/false →
///   `truefalse`; numeric → `numerical` (with units); short text → `shortanswer`; essay → `essay`;
///   matching → `matching` (distractors as sub-questions without text); ordering → `ordering`
///   (the qtype_ordering plugin); cloze → `cloze` in Moodle's embedded-answer syntax.
/// - **Đúng/Sai cluster → `cloze`**: the stem, then an `<ol class="hoclieu-dungsai" type="a">` with one
///   item per statement ending in a `{1:MULTICHOICE:=Đúng~Sai}` gap, tagged `hoclieu:type=dungsai`.
///   It stays one item in Moodle (four separate true/false questions would break the shared stem
///   and the item's points), but Moodle scores it proportionally (3 of 4 right = 0.75, not 0.5):
///   the report says so. ``MoodleXMLImporter`` rebuilds the cluster from the tag.
/// - Hoclieu metadata with no Moodle field (subject, grade, knowledge units, cognitive level,
///   status, version, author, source, stimulus group, answer-box length) → tags `hoclieu:key=value`.
/// - Lost, and reported: worked solution, per-option "do not shuffle", the written form of numeric
///   answers (`-1,5` is written `-1.5`, the form Moodle stores), tag text beyond Moodle's 50 characters.
/// - Categories: a `category` pseudo-question before each run of questions of one category.
public enum MoodleXMLExporter {
    /// Exports questions; `categories` supply the info text and idnumber of the category
    /// pseudo-questions written for ``Question/category`` paths.
    public static func export(_ questions: [Question], categories: [QuestionCategory] = []) throws -> QuestionExportResult {
        let writer = try XMLWriter()
        try writer.startDocument()
        try writer.startElement("quiz")
        var report = QuestionExportReport(format: .moodleXML)
        var currentCategory: String?
        for question in questions {
            if let category = question.category, category != currentCategory {
                try writeCategory(category, info: categories.first { $0.path == category }, writer)
                currentCategory = category
            }
            var narrowings: [QuestionFormatMessage] = []
            try writeQuestion(question, writer, narrowings: &narrowings)
            report.entries.append(QuestionExportEntry(id: question.id, type: question.type, exported: true, narrowings: narrowings))
        }
        // Categories given without questions are written too, so a folder tree survives.
        let used = Set(questions.compactMap(\.category))
        for category in categories where !used.contains(category.path) {
            try writeCategory(category.path, info: category, writer)
        }
        try writer.endElement()
        try writer.endDocument()
        return QuestionExportResult(data: try writer.data(), report: report)
    }

    static func writeCategory(_ path: String, info: QuestionCategory?, _ w: XMLWriter) throws {
        try w.startElement("question")
        try w.attribute("type", "category")
        try w.startElement("category")
        try element("text", path, w)
        try w.endElement()
        if let text = info?.info {
            try w.startElement("info")
            try w.attribute("format", text.format.rawValue)
            try element("text", text.html, w)
            try w.endElement()
        }
        if let idNumber = info?.idNumber { try element("idnumber", idNumber, w) }
        try w.endElement()
    }

    static func element(_ name: String, _ text: String, _ w: XMLWriter) throws {
        try w.startElement(name)
        try w.text(xmlSafe(text))
        try w.endElement()
    }

    /// `text` without the characters XML 1.0 cannot carry (``XMLText/safe(_:)``).
    static func xmlSafe(_ text: String) -> String { XMLText.safe(text) }

    /// Whether any text of a value (walked by reflection; file bytes excluded) holds a character XML cannot carry.
    static func hasNonXMLCharacters(_ value: Any) -> Bool {
        if let text = value as? String { return text.unicodeScalars.contains { !XMLText.isXMLCharacter($0) } }
        if value is Data { return false }
        return Mirror(reflecting: value).children.contains { hasNonXMLCharacters($0.value) }
    }

    static func decimal7(_ value: Double) -> String { String(format: "%.7f", value) }

    static func moodleType(_ question: Question) -> String {
        switch question.body {
        case .singleChoice, .multipleResponse: "multichoice"
        case .trueFalse: "truefalse"
        case .trueFalseCluster, .cloze: "cloze"
        case .numeric: "numerical"
        case .shortText: "shortanswer"
        case .essay: "essay"
        case .matching: "matching"
        case .ordering: "ordering"
        }
    }

    static func writeQuestion(_ question: Question, _ w: XMLWriter, narrowings: inout [QuestionFormatMessage]) throws {
        if hasNonXMLCharacters(question) {
            narrowings.append(.init(
                code: "controlCharactersRemoved", vi: "đã bỏ các ký tự điều khiển mà XML không chứa được",
                en: "control characters that XML cannot carry were removed"
            ))
        }
        var media = MediaPlacement(question)
        try w.startElement("question")
        try w.attribute("type", moodleType(question))
        try w.startElement("name")
        try element("text", question.title, w)
        try w.endElement()

        var stem = question.stem
        var extraTags: [String] = []
        switch question.body {
        case .cloze(let cloze):
            stem.html = MoodleCloze.text(stem.html, gaps: cloze.gaps)
        case .trueFalseCluster(let cluster):
            let encoded = HoclieuTags.clozeText(stem: stem, cluster: cluster)
            stem = encoded.stem
            stem.html = MoodleCloze.text(stem.html, gaps: encoded.gaps)
            extraTags.append(HoclieuTags.prefix + "type=dungsai")
            if cluster.scoring != .standard {
                extraTags.append(HoclieuTags.prefix + "dungsai-table=" + cluster.scoring.fractions.map { "\($0)" }.joined(separator: ","))
            }
            narrowings.append(.init(
                code: "clusterAsCloze",
                vi: "Câu Đúng/Sai được ghi thành câu điền khuyết (cloze) với 4 lựa chọn Đúng/Sai; Moodle chấm theo tỉ lệ ý đúng, không theo bảng \(cluster.scoring.fractions.map { "\($0)" }.joined(separator: "/"))",
                en: "The Đúng/Sai cluster is written as a cloze with 4 Đúng/Sai drop-downs; Moodle scores it proportionally, not by the table \(cluster.scoring.fractions.map { "\($0)" }.joined(separator: "/"))"
            ))
        default:
            break
        }
        try richText("questiontext", stem, field: "questiontext", &media, w)
        try richText("generalfeedback", question.generalFeedback ?? RichText(), field: "generalfeedback", &media, w)
        try element("defaultgrade", decimal7(question.points), w)
        if let penalty = question.penalty { try element("penalty", decimal7(penalty), w) }
        if let idNumber = question.idNumber { try element("idnumber", idNumber, w) }

        switch question.body {
        case .singleChoice(let choice), .multipleResponse(let choice):
            if case .singleChoice = question.body { try element("single", "true", w) } else { try element("single", "false", w) }
            try element("shuffleanswers", choice.shuffle ? "true" : "false", w)
            try outcomeFeedback(question, &media, w)
            for option in choice.options {
                try w.startElement("answer")
                try w.attribute("fraction", moodlePercent(option.fraction))
                try richTextContent(option.text, field: "option/\(option.id)", &media, w)
                try richText("feedback", option.feedback ?? RichText(), field: "option/\(option.id)/feedback", &media, w)
                try w.endElement()
            }
            if choice.options.contains(where: \.doNotShuffle) {
                narrowings.append(.init(
                    code: "doNotShuffleLost", vi: "Moodle không có tuỳ chọn giữ cố định từng phương án; đã bỏ",
                    en: "Moodle has no per-option \"do not shuffle\"; dropped"
                ))
            }
        case .trueFalse(let tf):
            for (value, feedback) in [(true, tf.feedbackTrue), (false, tf.feedbackFalse)] {
                try w.startElement("answer")
                try w.attribute("fraction", value == tf.correctAnswer ? "100" : "0")
                try w.attribute("format", "moodle_auto_format")
                try element("text", value ? "true" : "false", w)
                try richText("feedback", feedback ?? RichText(), field: "\(value)/feedback", &media, w)
                try w.endElement()
            }
        case .shortText(let q):
            try element("usecase", q.caseSensitive ? "1" : "0", w)
            for (index, key) in q.keys.enumerated() {
                try w.startElement("answer")
                try w.attribute("fraction", moodlePercent(key.fraction))
                try w.attribute("format", "moodle_auto_format")
                try element("text", key.pattern, w)
                try richText("feedback", key.feedback ?? RichText(), field: "answer/\(index)/feedback", &media, w)
                try w.endElement()
            }
        case .numeric(let q):
            for (index, key) in q.keys.enumerated() {
                try w.startElement("answer")
                try w.attribute("fraction", moodlePercent(key.fraction))
                try w.attribute("format", "moodle_auto_format")
                try element("text", canonicalNumber(key), w)
                try element("tolerance", "\(key.tolerance)", w)
                try richText("feedback", key.feedback ?? RichText(), field: "answer/\(index)/feedback", &media, w)
                try w.endElement()
            }
            if !q.units.isEmpty {
                try w.startElement("units")
                for unit in q.units {
                    try w.startElement("unit")
                    try element("multiplier", "\(unit.multiplier)", w)
                    try element("unit_name", unit.name, w)
                    try w.endElement()
                }
                try w.endElement()
            }
            if let box = q.answerBoxLength { extraTags.append(HoclieuTags.prefix + "answerbox=\(box)") }
        case .essay(let q):
            try richText("graderinfo", q.rubric ?? RichText(), field: "graderinfo", &media, w)
            try richText("responsetemplate", q.responseTemplate ?? RichText(), field: "responsetemplate", &media, w)
        case .matching(let q):
            try element("shuffleanswers", q.shuffle ? "true" : "false", w)
            try outcomeFeedback(question, &media, w)
            for (index, pair) in q.pairs.enumerated() {
                try w.startElement("subquestion")
                try richTextContent(pair.prompt, field: "subquestion/\(index)", &media, w)
                try w.startElement("answer")
                try element("text", pair.answer, w)
                try w.endElement()
                try w.endElement()
            }
            for distractor in q.distractors {
                try w.startElement("subquestion")
                try w.attribute("format", "html")
                try element("text", "", w)
                try w.startElement("answer")
                try element("text", distractor, w)
                try w.endElement()
                try w.endElement()
            }
        case .ordering(let q):
            try outcomeFeedback(question, &media, w)
            for (index, item) in q.items.enumerated() {
                try w.startElement("answer")
                try w.attribute("fraction", String(index + 1))
                try richTextContent(item.text, field: "answer/\(index)", &media, w)
                try w.endElement()
            }
        case .cloze, .trueFalseCluster:
            try outcomeFeedback(question, &media, w)
        }

        // Simple Moodle settings kept from an import.
        for (key, value) in question.extensions.sorted(by: { $0.key < $1.key }) {
            guard key.hasPrefix("moodle."), !key.hasPrefix("moodle.hint.") else { continue }
            let name = String(key.dropFirst("moodle.".count))
            guard !MoodleXMLReader.commonElements.contains(name), isSimpleName(name) else {
                narrowings.append(.init(
                    code: "extensionSkipped", vi: "bỏ thiết lập \(key)", en: "setting \(key) skipped"
                ))
                continue
            }
            try element(name, value, w)
        }
        for (index, hint) in question.hints.enumerated() {
            try w.startElement("hint")
            try richTextContent(hint, field: "hint/\(index)", &media, w)
            let prefix = "moodle.hint.\(index)."
            for (key, value) in question.extensions.sorted(by: { $0.key < $1.key }) where key.hasPrefix(prefix) {
                let name = String(key.dropFirst(prefix.count))
                guard isSimpleName(name) else { continue }
                try element(name, value, w)
            }
            try w.endElement()
        }
        let tags = question.tags + HoclieuTags.tags(for: question) + extraTags
        let longTags = tags.filter { $0.count > maxTagLength }
        if !longTags.isEmpty {
            narrowings.append(.init(
                code: "tagTooLong",
                vi: "Moodle cắt thẻ dài hơn \(maxTagLength) ký tự: " + longTags.joined(separator: "; "),
                en: "Moodle cuts tags longer than \(maxTagLength) characters: " + longTags.joined(separator: "; ")
            ))
        }
        if !tags.isEmpty {
            try w.startElement("tags")
            for tag in tags {
                try w.startElement("tag")
                try element("text", tag, w)
                try w.endElement()
            }
            try w.endElement()
        }
        try w.endElement()

        if let rewritten = writtenFormNarrowing(question) { narrowings.append(rewritten) }
        if let solution = question.workedSolution, !solution.isEmpty {
            narrowings.append(.init(
                code: "workedSolutionLost", vi: "Moodle XML không có chỗ cho lời giải chi tiết; đã bỏ",
                en: "Moodle XML has no field for the worked solution; dropped"
            ))
        }
    }

    /// Moodle's limit on a tag name.
    static let maxTagLength = 50

    static func isSimpleName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } && !name.first!.isNumber
    }

    static func outcomeFeedback(_ question: Question, _ media: inout MediaPlacement, _ w: XMLWriter) throws {
        guard let feedback = question.outcomeFeedback else { return }
        try richText("correctfeedback", feedback.correct, field: "correctfeedback", &media, w)
        try richText("partiallycorrectfeedback", feedback.partiallyCorrect, field: "partiallycorrectfeedback", &media, w)
        try richText("incorrectfeedback", feedback.incorrect, field: "incorrectfeedback", &media, w)
        if feedback.showNumberCorrect {
            try w.startElement("shownumcorrect")
            try w.endElement()
        }
    }

    /// `<name format="…"><text>…</text><file …/>…</name>`.
    static func richText(_ name: String, _ text: RichText, field: String, _ media: inout MediaPlacement, _ w: XMLWriter) throws {
        try w.startElement(name)
        try richTextContent(text, field: field, &media, w)
        try w.endElement()
    }

    /// The `format` attribute, `<text>` and `<file>` children of the current element.
    static func richTextContent(_ text: RichText, field: String, _ media: inout MediaPlacement, _ w: XMLWriter) throws {
        try w.attribute("format", text.format.rawValue)
        try element("text", text.html, w)
        for file in media.take(field) {
            try w.startElement("file")
            try w.attribute("name", xmlSafe(file.name))
            try w.attribute("path", "/")
            try w.attribute("encoding", "base64")
            try w.text(file.data.base64EncodedString())
            try w.endElement()
        }
    }
}

/// Which media go with which text field: by their recorded field, or the question text when
/// the field is unknown or not written.
struct MediaPlacement {
    private var byField: [String: [QuestionMedia]] = [:]

    init(_ question: Question) {
        let known = Self.fields(of: question)
        for file in question.media {
            let field = file.field.flatMap { known.contains($0) ? $0 : nil } ?? "questiontext"
            byField[field, default: []].append(file)
        }
    }

    mutating func take(_ field: String) -> [QuestionMedia] {
        byField.removeValue(forKey: field) ?? []
    }

    static func fields(of question: Question) -> Set<String> {
        var fields: Set<String> = ["questiontext", "generalfeedback"]
        if question.outcomeFeedback != nil { fields.formUnion(["correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"]) }
        for index in question.hints.indices { fields.insert("hint/\(index)") }
        switch question.body {
        case .singleChoice(let q), .multipleResponse(let q):
            for option in q.options { fields.formUnion(["option/\(option.id)", "option/\(option.id)/feedback"]) }
        case .trueFalse:
            fields.formUnion(["true/feedback", "false/feedback"])
        case .shortText(let q):
            for index in q.keys.indices { fields.insert("answer/\(index)/feedback") }
        case .numeric(let q):
            for index in q.keys.indices { fields.insert("answer/\(index)/feedback") }
        case .essay:
            fields.formUnion(["graderinfo", "responsetemplate"])
        case .matching(let q):
            for index in q.pairs.indices { fields.insert("subquestion/\(index)") }
        case .ordering(let q):
            for index in q.items.indices { fields.insert("answer/\(index)") }
        case .cloze, .trueFalseCluster:
            break
        }
        return fields
    }
}

/// Hoclieu metadata carried through formats that lack the fields, as tags `hoclieu:key=value`.
enum HoclieuTags {
    static let prefix = "hoclieu:"
    static let clusterListStart = "<ol class=\"hoclieu-dungsai\" type=\"a\">"
    static let trueText = "Đúng"
    static let falseText = "Sai"

    /// The metadata tags of a question (defaults are not written).
    static func tags(for question: Question) -> [String] {
        var tags: [String] = []
        if let subject = question.subject { tags.append(prefix + "subject=" + subject) }
        if let grade = question.grade { tags.append(prefix + "grade=\(grade)") }
        for unit in question.knowledgeUnits { tags.append(prefix + "ku=" + unit) }
        if let level = question.cognitiveLevel { tags.append(prefix + "level=\(level.framework)/\(level.level)") }
        if question.status != .draft { tags.append(prefix + "status=" + question.status.rawValue) }
        if question.version != 1 { tags.append(prefix + "version=\(question.version)") }
        if let author = question.author { tags.append(prefix + "author=" + author) }
        if let source = question.source { tags.append(prefix + "source=" + source) }
        if let group = question.stimulusGroup { tags.append(prefix + "group=" + group) }
        return tags
    }

    /// A cluster as a cloze: the stem followed by a lettered list of statements, each ending in a gap.
    static func clozeText(stem: RichText, cluster: TrueFalseCluster) -> (stem: RichText, gaps: [ClozeGap]) {
        var html = stem.html + clusterListStart
        var gaps: [ClozeGap] = []
        for (index, statement) in cluster.statements.enumerated() {
            html += "<li>" + statement.text.html + " " + ClozeQuestion.marker(index) + "</li>"
            gaps.append(ClozeGap(kind: .choice(
                options: [
                    ChoiceOption(id: "a", text: RichText(trueText), correct: statement.isTrue, feedback: statement.feedback),
                    ChoiceOption(id: "b", text: RichText(falseText), correct: !statement.isTrue, feedback: statement.feedback),
                ],
                display: .dropdown, shuffle: false
            )))
        }
        html += "</ol>"
        return (RichText(html, format: stem.format), gaps)
    }

    /// The inverse of ``clozeText(stem:cluster:)``; `nil` when the cloze does not have that shape.
    static func cluster(from question: Question, table: ClusterScoringTable) -> (stem: RichText, body: TrueFalseCluster)? {
        guard case .cloze(let cloze) = question.body, let start = question.stem.html.range(of: clusterListStart),
            question.stem.html.hasSuffix("</ol>")
        else { return nil }
        let stemHTML = String(question.stem.html[..<start.lowerBound])
        let list = question.stem.html[start.upperBound...].dropLast("</ol>".count)
        guard list.hasPrefix("<li>"), list.hasSuffix("</li>") else { return nil }
        let items = list.dropFirst(4).dropLast(5).components(separatedBy: "</li><li>")
        guard items.count == cloze.gaps.count else { return nil }
        var statements: [ClusterStatement] = []
        for (index, item) in items.enumerated() {
            let suffix = " " + ClozeQuestion.marker(index)
            guard item.hasSuffix(suffix), case .choice(let options, _, _) = cloze.gaps[index].kind, options.count == 2,
                options[0].text.html == trueText, options[1].text.html == falseText
            else { return nil }
            statements.append(ClusterStatement(
                label: optionID(index), text: RichText(String(item.dropLast(suffix.count))), isTrue: options[0].isCorrect,
                feedback: options[0].feedback
            ))
        }
        return (RichText(stemHTML, format: question.stem.format), TrueFalseCluster(statements: statements, scoring: table))
    }
}
