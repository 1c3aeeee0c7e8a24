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
/// - **Đúng/Sai cluster** (``Options/clusterEncoding``): by default one `multichoice` question — the
///   stem, then an `<ol class="hoclieu-dungsai" type="a">` of the statements — whose 16 options are
///   the Đúng/Sai combinations, each worth the table's fraction for the statements it gets right
///   (100/50/25/10/0 %), so Moodle scores the item exactly by the 2025 table and keeps its points;
///   or, on request, a `cloze` with one `{1:MULTICHOICE:=Đúng~Sai}` gap per statement, which Moodle
///   scores proportionally. Either is tagged `hoclieu:type=dungsai`, named in the report, and read
///   back as the cluster by ``MoodleXMLImporter``.
/// - Media: references become `@@PLUGINFILE@@/name`, files go in the element that shows them
///   (``MediaPlacement``).
/// - Defaults Moodle would get wrong are written: `penalty` 1 for true/false, `answernumbering`
///   (``Options/answerNumbering``) for multiple choice, the Hoclieu id as `idnumber`.
/// - Hoclieu metadata with no Moodle field (subject, grade, knowledge units, cognitive level,
///   status, version, author, source, stimulus group, answer-box length) → tags `hoclieu:key=value`.
/// - Lost, and reported: worked solution, per-option "do not shuffle", the written form of numeric
///   answers (`-1,5` is written `-1.5`, the form Moodle stores), tag text beyond Moodle's 50 characters.
/// - Categories: a `category` pseudo-question with the full path (``QuestionCategoryPaths``) before
///   each run of questions of one category.
public enum MoodleXMLExporter {
    /// Choices for a Moodle XML export.
    public struct Options: Sendable, Hashable {
        /// How Đúng/Sai clusters are written (by default so that Moodle scores them by the table).
        public var clusterEncoding: MoodleClusterEncoding
        /// How categories become full Moodle paths.
        public var categoryPaths: QuestionCategoryPaths
        /// `answernumbering` of multiple-choice questions that carry none from an import
        /// (`ABCD`, as Vietnamese papers letter their options).
        public var answerNumbering: String

        /// Creates options; the defaults are the ones a Vietnamese school wants.
        public init(clusterEncoding: MoodleClusterEncoding = .combinations, categoryPaths: QuestionCategoryPaths = QuestionCategoryPaths(), answerNumbering: String = "ABCD") {
            self.clusterEncoding = clusterEncoding
            self.categoryPaths = categoryPaths
            self.answerNumbering = answerNumbering
        }
    }

    /// Exports questions; `categories` supply the info text and idnumber of the category
    /// pseudo-questions written for ``Question/category`` paths.
    ///
    /// Every question after the first category line is preceded by the full path of its own
    /// category (``QuestionCategoryPaths``) whenever it differs from the one in force, so that a
    /// question without a category is never filed under the category of the question before it.
    /// A question's ``Question/idNumber`` — or, when it has none, its Hoclieu ``Question/id`` — is
    /// written as `<idnumber>` (and as a tag `hoclieu:idnumber=…` for clozes, which some Moodle
    /// versions import without it), so that importing Moodle's export again updates the question.
    public static func export(_ questions: [Question], categories: [QuestionCategory] = [], options: Options = Options()) throws -> QuestionExportResult {
        let writer = try XMLWriter()
        try writer.startDocument()
        try writer.startElement("quiz")
        var report = QuestionExportReport(format: .moodleXML)
        var currentCategory: String?
        for question in questions {
            let path = options.categoryPaths.line(for: question, current: currentCategory)
            if let path, path != currentCategory {
                try writeCategory(path, info: categories.first { $0.path == question.category || $0.path == path }, writer)
                currentCategory = path
            }
            var narrowings: [QuestionFormatMessage] = []
            try writeQuestion(question, writer, options: options, narrowings: &narrowings)
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

    static func moodleType(_ question: Question, options: Options) -> String {
        switch question.body {
        case .singleChoice, .multipleResponse: "multichoice"
        case .trueFalse: "truefalse"
        case .trueFalseCluster: options.clusterEncoding == .combinations && encodable(question) ? "multichoice" : "cloze"
        case .cloze: "cloze"
        case .numeric: "numerical"
        case .shortText: "shortanswer"
        case .essay: "essay"
        case .matching: "matching"
        case .ordering: "ordering"
        }
    }

    /// Whether a cluster can be written as combinations (2 to 5 statements).
    static func encodable(_ question: Question) -> Bool {
        guard case .trueFalseCluster(let cluster) = question.body else { return false }
        return (1...ClusterCombinations.maxStatements).contains(cluster.statements.count)
    }

    static func writeQuestion(_ question: Question, _ w: XMLWriter, options: Options, narrowings: inout [QuestionFormatMessage]) throws {
        if hasNonXMLCharacters(question) {
            narrowings.append(.init(
                code: "controlCharactersRemoved", vi: "đã bỏ các ký tự điều khiển mà XML không chứa được",
                en: "control characters that XML cannot carry were removed"
            ))
        }
        var media = MediaPlacement(question)
        try w.startElement("question")
        let type = moodleType(question, options: options)
        try w.attribute("type", type)
        try w.startElement("name")
        try element("text", question.title, w)
        try w.endElement()

        var stem = question.stem
        var extraTags: [String] = []
        switch question.body {
        case .cloze(let cloze):
            stem.html = MoodleCloze.text(stem.html, gaps: cloze.gaps)
        case .trueFalseCluster(let cluster):
            extraTags.append(HoclieuTags.prefix + "type=dungsai")
            if cluster.scoring != .standard {
                extraTags.append(HoclieuTags.prefix + "dungsai-table=" + cluster.scoring.fractions.map { "\($0)" }.joined(separator: ","))
            }
            let table = cluster.scoring.fractions.map { moodlePercent($0) + "%" }.joined(separator: "/")
            if type == "multichoice" {
                stem = HoclieuTags.listText(stem: stem, cluster: cluster)
                let count = 1 << cluster.statements.count
                narrowings.append(.init(
                    code: "clusterAsCombinations",
                    vi: "Câu Đúng/Sai được ghi thành một câu nhiều lựa chọn (multichoice) gồm \(count) tổ hợp Đúng/Sai; mỗi tổ hợp được điểm theo số ý đúng (bảng \(table)), nên Moodle chấm đúng bảng điểm",
                    en: "The Đúng/Sai cluster is written as one multiple-choice question over the \(count) Đúng/Sai combinations, each worth the table's fraction for its number of right statements (\(table)), so Moodle scores it by the table"
                ))
                if cluster.statements.contains(where: { $0.feedback != nil }) {
                    narrowings.append(.init(
                        code: "statementFeedbackLost", vi: "phản hồi của từng ý Đúng/Sai không có chỗ trong tổ hợp; đã bỏ",
                        en: "per-statement feedback has no place in the combinations; dropped"
                    ))
                }
            } else {
                let encoded = HoclieuTags.clozeText(stem: stem, cluster: cluster)
                stem = encoded.stem
                stem.html = MoodleCloze.text(stem.html, gaps: encoded.gaps)
                narrowings.append(.init(
                    code: "clusterAsCloze",
                    vi: "Câu Đúng/Sai được ghi thành câu điền khuyết (cloze) với \(cluster.statements.count) lựa chọn Đúng/Sai; Moodle chấm theo tỉ lệ ý đúng, không theo bảng \(table), và số điểm của câu là số chỗ trống",
                    en: "The Đúng/Sai cluster is written as a cloze with \(cluster.statements.count) Đúng/Sai drop-downs; Moodle scores it proportionally, not by the table \(table), and the item is worth one mark per drop-down"
                ))
            }
        default:
            break
        }
        try richText("questiontext", stem, field: "questiontext", &media, w)
        try richText("generalfeedback", question.generalFeedback ?? RichText(), field: "generalfeedback", &media, w)
        try element("defaultgrade", decimal7(question.points), w)
        if let penalty = question.penalty {
            try element("penalty", decimal7(penalty), w)
        } else if case .trueFalse = question.body {
            // Without it Moodle's import uses its default 0.3333333: a second try at a
            // true/false question would still earn two thirds.
            try element("penalty", decimal7(1), w)
        }
        let idNumber = question.idNumber ?? (question.id.isEmpty ? nil : question.id)
        if let idNumber { try element("idnumber", idNumber, w) }
        if type == "cloze", let idNumber { extraTags.append(HoclieuTags.prefix + "idnumber=" + idNumber) }

        switch question.body {
        case .singleChoice(let choice), .multipleResponse(let choice):
            if case .singleChoice = question.body { try element("single", "true", w) } else { try element("single", "false", w) }
            try element("shuffleanswers", choice.shuffle ? "true" : "false", w)
            if question.extensions["moodle.answernumbering"] == nil { try element("answernumbering", options.answerNumbering, w) }
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
        case .trueFalseCluster(let cluster) where type == "multichoice":
            try element("single", "true", w)
            try element("shuffleanswers", "false", w)
            try element("answernumbering", "none", w)
            try outcomeFeedback(question, &media, w)
            var rounded: Set<String> = []
            for combination in ClusterCombinations.combinations(cluster) {
                var fraction = cluster.scoring.fraction(forCorrectCount: combination.right)
                if !MoodleGrades.isOption(fraction) {
                    let nearest = MoodleGrades.nearest(fraction)
                    if rounded.insert(moodlePercent(fraction)).inserted {
                        narrowings.append(.init(
                            code: "fractionRounded",
                            vi: "Moodle không nhận tỉ lệ điểm \(moodlePercent(fraction))%; đã ghi \(moodlePercent(nearest))%",
                            en: "Moodle does not accept the grade \(moodlePercent(fraction))%; written \(moodlePercent(nearest))%"
                        ))
                    }
                    fraction = nearest
                }
                try w.startElement("answer")
                try w.attribute("fraction", moodlePercent(fraction))
                try w.attribute("format", "html")
                try element("text", combination.text, w)
                try w.startElement("feedback")
                try w.attribute("format", "html")
                try element("text", "", w)
                try w.endElement()
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
        let placed = media.place(text.html, field: field)
        try element("text", placed.html, w)
        for file in placed.files {
            try w.startElement("file")
            try w.attribute("name", xmlSafe(file.name))
            try w.attribute("path", "/")
            try w.attribute("encoding", "base64")
            try w.text(file.data.base64EncodedString())
            try w.endElement()
        }
    }
}

/// Which media go with which text field. Moodle keeps a file in the file area of the text that
/// shows it: `qformat_xml::import_text_with_files` (moodle/moodle `question/format/xml/format.php`)
/// reads the `<file>` children of the element whose `<text>` it imports, and the text must refer to
/// the file as `@@PLUGINFILE@@/name`. So each text's references to the question's media are rewritten
/// to that form and the files go inside that element (a file shown in two texts is written twice);
/// media no text refers to go with the question text.
struct MediaPlacement {
    private var byName: [String: QuestionMedia] = [:]
    /// The files in the question's order (the order they are written in, whichever the text's).
    private var ordered: [QuestionMedia] = []
    private var unreferenced: [QuestionMedia] = []

    init(_ question: Question) {
        for file in question.media where byName[file.name] == nil {
            byName[file.name] = file
            ordered.append(file)
        }
        var referenced: Set<String> = []
        for text in Self.texts(of: question) {
            referenced.formUnion(MoodleFileReferences.rewrite(text, names: Set(byName.keys)).used)
        }
        var seen: Set<String> = []
        unreferenced = question.media.filter { !referenced.contains($0.name) && seen.insert($0.name).inserted }
    }

    /// `html` with its references to the question's media as `@@PLUGINFILE@@/name`, and the files to
    /// write inside the element that holds it.
    mutating func place(_ html: String, field: String) -> (html: String, files: [QuestionMedia]) {
        let rewritten = MoodleFileReferences.rewrite(html, names: Set(byName.keys))
        var files = ordered.filter { rewritten.used.contains($0.name) }
        if field == "questiontext" {
            files += unreferenced.filter { file in !files.contains { $0.name == file.name } }
            unreferenced = []
        }
        return (rewritten.html, files)
    }

    /// Every text of a question that an export may write.
    static func texts(of question: Question) -> [String] {
        var texts = [question.stem.html, question.generalFeedback?.html ?? ""] + question.hints.map(\.html)
        if let feedback = question.outcomeFeedback { texts += [feedback.correct.html, feedback.partiallyCorrect.html, feedback.incorrect.html] }
        func options(_ options: [ChoiceOption]) -> [String] { options.flatMap { [$0.text.html, $0.feedback?.html ?? ""] } }
        switch question.body {
        case .singleChoice(let q), .multipleResponse(let q): texts += options(q.options)
        case .trueFalse(let q): texts += [q.feedbackTrue?.html ?? "", q.feedbackFalse?.html ?? ""]
        case .trueFalseCluster(let q): texts += q.statements.flatMap { [$0.text.html, $0.feedback?.html ?? ""] }
        case .numeric(let q): texts += q.keys.compactMap { $0.feedback?.html }
        case .shortText(let q): texts += q.keys.compactMap { $0.feedback?.html }
        case .essay(let q): texts += [q.rubric?.html ?? "", q.responseTemplate?.html ?? ""]
        case .matching(let q): texts += q.pairs.map(\.prompt.html)
        case .ordering(let q): texts += q.items.map(\.text.html)
        case .cloze(let q):
            for gap in q.gaps {
                switch gap.kind {
                case .choice(let choices, _, _): texts += options(choices)
                case .shortText(let s): texts += s.keys.compactMap { $0.feedback?.html }
                case .numeric(let n): texts += n.keys.compactMap { $0.feedback?.html }
                }
            }
        }
        return texts.filter { !$0.isEmpty }
    }
}

/// References from HTML to files of a question (`src`, `href`, `data`), in Moodle's form.
enum MoodleFileReferences {
    static let prefix = "@@PLUGINFILE@@/"

    /// `html` with every `src`/`href`/`data` attribute naming one of `names` — as `name`, a relative
    /// path ending in `/name`, or `@@PLUGINFILE@@/name` — written `@@PLUGINFILE@@/name` (the name
    /// percent-encoded as Moodle's editors write it); `used` lists the names referred to, in order.
    static func rewrite(_ html: String, names: Set<String>) -> (html: String, used: [String]) {
        guard !names.isEmpty, html.contains("=") else { return (html, []) }
        var used: [String] = []
        var output = ""
        var rest = Substring(html)
        while let match = nextAttribute(in: rest) {
            output += rest[..<match.valueRange.lowerBound]
            let raw = String(rest[match.valueRange])
            if let name = fileName(HTMLText.decodeEntities(raw)), names.contains(name) {
                output += prefix + percentEncoded(name)
                if !used.contains(name) { used.append(name) }
            } else {
                output += raw
            }
            rest = rest[match.valueRange.upperBound...]
        }
        output += rest
        return (output, used)
    }

    /// The file name a reference points to, when it points into the question's own files: no
    /// scheme, no host; the last path component, percent-decoded, without query or fragment.
    static func fileName(_ reference: String) -> String? {
        var value = reference.trimmingCharacters(in: .whitespaces)
        if value.hasPrefix(prefix) { value.removeFirst(prefix.count) }
        if let cut = value.firstIndex(where: { $0 == "?" || $0 == "#" }) { value = String(value[..<cut]) }
        guard !value.isEmpty, !value.hasPrefix("//"), !value.contains(":") else { return nil }
        let last = value.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? value
        return last.removingPercentEncoding ?? last
    }

    static func percentEncoded(_ name: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~!$'()*+,;=@")
        return name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name
    }

    /// The next ` src=`, ` href=` or ` data=` attribute inside a tag: the range of its value.
    private static func nextAttribute(in text: Substring) -> (name: String, valueRange: Range<Substring.Index>)? {
        var index = text.startIndex
        while let open = text[index...].firstIndex(of: "<") {
            guard let close = text[open...].firstIndex(of: ">") else { return nil }
            let tag = text[open..<close]
            var position = tag.startIndex
            while position < tag.endIndex {
                guard let equals = tag[position...].firstIndex(of: "=") else { break }
                let nameStart = tag[..<equals].lastIndex(where: { $0.isWhitespace }).map { tag.index(after: $0) } ?? equals
                let name = tag[nameStart..<equals].lowercased()
                var valueStart = tag.index(after: equals)
                guard valueStart < tag.endIndex else { break }
                let quote = tag[valueStart]
                var valueEnd: Substring.Index
                if quote == "\"" || quote == "'" {
                    valueStart = tag.index(after: valueStart)
                    guard let end = tag[valueStart...].firstIndex(of: quote) else { break }
                    valueEnd = end
                } else {
                    valueEnd = tag[valueStart...].firstIndex(where: \.isWhitespace) ?? tag.endIndex
                }
                if ["src", "href", "data"].contains(name) { return (name, valueStart..<valueEnd) }
                position = valueEnd < tag.endIndex ? tag.index(after: valueEnd) : valueEnd
            }
            index = text.index(after: close)
        }
        return nil
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

    /// A cluster as a multiple-choice stem: the stem followed by the lettered list of statements.
    static func listText(stem: RichText, cluster: TrueFalseCluster) -> RichText {
        RichText(stem.html + clusterListStart + cluster.statements.map { "<li>" + $0.text.html + "</li>" }.joined() + "</ol>", format: stem.format)
    }

    /// The inverse of ``listText(stem:cluster:)`` and of the combinations: the statements from the
    /// list, their truth from the option worth 100 %.
    static func cluster(fromCombinations question: Question, table: ClusterScoringTable) -> (stem: RichText, body: TrueFalseCluster)? {
        guard case .singleChoice(let choice) = question.body, let start = question.stem.html.range(of: clusterListStart),
            question.stem.html.hasSuffix("</ol>")
        else { return nil }
        let list = question.stem.html[start.upperBound...].dropLast("</ol>".count)
        guard list.hasPrefix("<li>"), list.hasSuffix("</li>") else { return nil }
        let items = list.dropFirst(4).dropLast(5).components(separatedBy: "</li><li>")
        let labels = items.indices.map { optionID($0) }
        guard choice.options.count == 1 << items.count, let right = choice.options.first(where: \.isCorrect),
            let answers = ClusterCombinations.answers(in: right.text.html, labels: labels)
        else { return nil }
        let statements = items.enumerated().map { index, item in
            ClusterStatement(label: labels[index], text: RichText(item), isTrue: answers[index])
        }
        return (RichText(String(question.stem.html[..<start.lowerBound]), format: question.stem.format), TrueFalseCluster(statements: statements, scoring: table))
    }

    /// The inverse of ``clozeText(stem:cluster:)``; `nil` when the cloze does not have that shape.
    static func cluster(from question: Question, table: ClusterScoringTable) -> (stem: RichText, body: TrueFalseCluster)? {
        if case .singleChoice = question.body { return cluster(fromCombinations: question, table: table) }
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
