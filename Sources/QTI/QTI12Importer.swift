public import Foundation
public import HoclieuCore
import HoclieuXML
public import QuestionFormats

/// Reads IMS QTI 1.2 (`questestinterop`) question files and the dialects LMSs write.
///
/// - **IMS Common Cartridge profile**: `assessment`/`section`/`item` or an `objectbank`, the type in
///   the `cc_profile` metadata field (`cc.multiple_choice.v0p1`, `cc.multiple_response.v0p1`,
///   `cc.true_false.v0p1`, `cc.fib.v0p1` → short text, `cc.essay.v0p1`, `cc.pattern_match.v0p1`).
/// - **Canvas**: the `question_type` metadata field (`multiple_choice_question`, `true_false_question`,
///   `short_answer_question`, `essay_question`, `matching_question`, `numerical_question`,
///   `multiple_answers_question`, `fill_in_multiple_blanks_question` and `multiple_dropdowns_question`
///   → cloze); `text_only_question` is skipped; `calculated_question`, `file_upload_question`,
///   `hot_spot_question`, `categorization_question`, `ordering_question` are dropped with their reason.
/// - **Blackboard 6**: QTI `.dat` files (`bbmd_questiontype`) and question pools (`<POOL>`, not QTI
///   at all, read here because the same export carries both).
/// - **D2L** question libraries (`qmd_questiontype` in `qti_metadatafield`), **Respondus** and
///   **Sakai Samigo** exports, and the IMS 1.2.1 specification examples (type from the structure).
///
/// Without a type in the metadata the type is read from the structure: one `response_lid` →
/// single choice (true/false when its two labels say so) or multiple response (`rcardinality`),
/// one `response_str` → short text when the processing names answers, essay otherwise, one
/// `response_num` → numeric, several responses → matching (when each has its own prompt and the same
/// labels) or cloze. Right answers come from `resprocessing` (`varequal`, `vargte`/`varlte`,
/// `and`/`or`/`not`, `setvar` Set/Add), feedback from `itemfeedback` through `displayfeedback`.
/// `mattext` (HTML when `texttype` says so), `matimage` (→ `<img>` and a ``QuestionMedia`` when the
/// package holds the file) make the texts. `response_xy`, `response_grp` and `render_hotspot` items are
/// dropped with a reason, never silently.
///
/// Parsing: HoclieuXML, no network, no entity expansion; the usual `<!DOCTYPE questestinterop SYSTEM
/// "ims_qtiasiv1p2p1.dtd">` line is accepted (the DTD is not loaded), an internal DTD subset is not.
public enum QTI12Importer {
    /// Imports the items of a QTI 1.2 document (or a Blackboard pool).
    public static func importQuestions(from data: Data, options: QuestionImportOptions = QuestionImportOptions()) -> QuestionImportResult {
        var accumulator = QTIAccumulator(format: .qti12, options: options)
        read(data, path: nil, files: .empty, into: &accumulator)
        if accumulator.entries.isEmpty, accumulator.fileErrors.isEmpty { accumulator.fileWarnings.append(QTIMessages.noQuestions) }
        return accumulator.finish()
    }

    /// Reads one QTI 1.2 file into `accumulator`; `path` is its place in a package (for messages and
    /// for resolving media in `files`).
    static func read(_ data: Data, path: String?, files: PackageFiles, into accumulator: inout QTIAccumulator) {
        guard data.count <= accumulator.options.maxBytes else {
            accumulator.fileErrors.append(Messages.fileTooLarge(accumulator.options.maxBytes))
            return
        }
        guard !QTIXML.isBlank(data) else {
            accumulator.fileErrors.append(Messages.emptyFile)
            return
        }
        let document: XMLDocument
        do {
            document = try QTIXML.parse(data, maxBytes: accumulator.options.maxBytes, allowDoctype: true)
        } catch QTIParseRefusal.internalSubset {
            accumulator.fileErrors.append(QTIMessages.internalSubset(path))
            return
        } catch {
            accumulator.fileErrors.append(QTIMessages.message(for: error, file: path))
            return
        }
        guard let root = document.root else { return }
        var reader = QTI12Reader(accumulator: accumulator, path: path, files: files)
        switch root.name {
        case "questestinterop":
            reader.readInterop(root)
        case "item":
            // A bare item (Sakai Samigo writes one item per file).
            reader.readItem(root, category: nil, position: 1)
        case "POOL":
            reader.readBlackboardPool(root)
        default:
            reader.accumulator.fileErrors.append(
                .init(
                    code: "notQTI12",
                    vi: "\(QTIMessages.prefix(path))Không phải tệp QTI 1.2: phần tử gốc là <\(root.name)>, cần <questestinterop>",
                    en: "\(QTIMessages.prefix(path))Not a QTI 1.2 file: the root element is <\(root.name)>, expected <questestinterop>",
                    location: .init(line: root.line, path: "/\(root.name)")
                ))
        }
        accumulator = reader.accumulator
    }
}

// MARK: - Reader

struct QTI12Reader {
    var accumulator: QTIAccumulator
    let path: String?
    let files: PackageFiles

    init(accumulator: QTIAccumulator, path: String?, files: PackageFiles) {
        self.accumulator = accumulator
        self.path = path
        self.files = files
    }

    var base: String { path ?? "" }

    mutating func readInterop(_ root: XMLElement) {
        var itemPosition = 0
        func walk(_ element: XMLElement, categoryPath: [String]) {
            for child in element.children {
                switch child.name {
                case "item":
                    itemPosition += 1
                    guard !accumulator.tooManyQuestions else {
                        if !accumulator.fileErrors.contains(where: { $0.code == "tooManyQuestions" }) {
                            accumulator.fileErrors.append(Messages.tooManyQuestions(accumulator.options.maxQuestions))
                        }
                        return
                    }
                    readItem(child, category: categoryPath.isEmpty ? nil : categoryPath.joined(separator: "/"), position: itemPosition)
                case "assessment", "section", "objectbank":
                    var next = categoryPath
                    if child.name == "section", let title = child.attribute("title")?.trimmed, !title.isEmpty, title != "root_section" {
                        next.append(title.replacingOccurrences(of: "/", with: "-"))
                        let path = next.joined(separator: "/")
                        if !accumulator.categories.contains(where: { $0.path == path }) {
                            accumulator.categories.append(QuestionCategory(path: path))
                        }
                    }
                    walk(child, categoryPath: next)
                default:
                    continue
                }
            }
        }
        walk(root, categoryPath: [])
    }

    // MARK: Item model

    struct Label {
        var ident: String
        var html: String
        var element: XMLElement
    }

    enum ResponseKind: String {
        case lid = "response_lid", str = "response_str", num = "response_num", xy = "response_xy", grp = "response_grp"
    }

    struct Response {
        var ident: String
        var kind: ResponseKind
        var multiple: Bool
        var ordered: Bool
        var prompt: String
        var labels: [Label]
        var renders: [String]
        var element: XMLElement

        /// Whether a condition tests this response: by its ident, by one of its label idents (D2L
        /// names the `response_label` of a fill-in-the-blank), or without naming any.
        func isTested(by test: Test) -> Bool {
            test.respident == ident || test.respident.isEmpty || (kind != .lid && labels.contains { $0.ident == test.respident })
        }
    }

    /// One piece of the presentation: text, or the place of a response.
    enum Part {
        case html(String)
        case response(Int)
    }

    /// A test in a `conditionvar`.
    struct Test {
        enum Op: String { case equal = "varequal", gte = "vargte", lte = "varlte", gt = "vargt", lt = "varlt", substring = "varsubstring" }
        var respident: String
        var op: Op
        var value: String
        var caseSensitive: Bool
    }

    struct Rule {
        var positives: [Test] = []
        var negatives: [Test] = []
        var isOther = false
        var score: Double?
        var action = "Set"
        var feedbackIDs: [String] = []
        var continues = false
    }

    struct Item {
        var metadata: [String: String] = [:]
        var parts: [Part] = []
        var responses: [Response] = []
        var rules: [Rule] = []
        var feedback: [String: (html: String, isSolution: Bool)] = [:]
        var maxScore: Double?
        /// Blackboard matching: the answer texts, in label order (its labels carry no text).
        var rightMatches: [String] = []
    }

    // MARK: Reading an item

    mutating func readItem(_ element: XMLElement, category: String?, position: Int) {
        let number = accumulator.nextNumber()
        let location = QuestionSourceLocation(line: element.line, path: (path.map { "\($0)#" } ?? "") + "item[\(position)]")
        var context = QTIContext(number: number, location: location)
        let title = element.attribute("title") ?? element.attribute("label") ?? ""
        var item = Item()
        item.metadata = Self.metadata(element)
        if let presentation = element.kid("presentation") {
            readFlow(presentation, into: &item, context: &context)
        }
        for processing in element.kids("resprocessing") {
            let scoring = ScoringVariables(processing)
            if let max = scoring.maxValue { item.maxScore = max }
            for condition in processing.kids("respcondition") {
                item.rules.append(Self.rule(condition, maxScore: item.maxScore ?? 100, counts: scoring.counts))
            }
        }
        for feedback in element.kids("itemfeedback") {
            guard let ident = feedback.attribute("ident") else { continue }
            let isSolution = feedback.kid("solution") != nil
            let html = materials(in: feedback, context: &context, field: "feedback/\(ident)")
            item.feedback[ident] = (html, isSolution)
        }
        let sourceType = Self.sourceType(item.metadata, item: item)
        var question = Question(id: "", title: title, category: category, body: .essay(EssayQuestion()))
        if let points = Self.points(item.metadata) { question.points = points }
        question.idNumber = element.attribute("ident")

        switch Self.classify(item, sourceType: sourceType) {
        case .skip(let vi, let en):
            accumulator.addNotImported(context, title: title, sourceType: sourceType, outcome: .skipped, code: "notAQuestion", vi: vi, en: en)
            return
        case .drop(let vi, let en):
            accumulator.addNotImported(
                context, title: title, sourceType: sourceType, outcome: .dropped, code: "unsupportedType", vi: "bỏ qua: " + vi, en: "dropped: " + en
            )
            return
        case .build(let intent):
            build(intent, item: item, question: &question, context: &context)
        }
        applyFeedback(item, question: &question)
        accumulator.add(question, context: context, sourceType: sourceType)
    }

    static func metadata(_ item: XMLElement) -> [String: String] {
        var result: [String: String] = [:]
        guard let metadata = item.kid("itemmetadata") else { return result }
        for field in metadata.descendants("fieldlabel") {
            guard let parent = field.parent, let entry = parent.kid("fieldentry") else { continue }
            result[field.text.trimmed] = entry.text.trimmed
        }
        for child in metadata.children where child.children.isEmpty {
            result[child.name] = child.text.trimmed
        }
        return result
    }

    static func sourceType(_ metadata: [String: String], item: Item) -> String {
        for key in ["question_type", "cc_profile", "bbmd_questiontype", "qmd_questiontype", "qmd_itemtype"] {
            if let value = metadata[key], !value.isEmpty { return value }
        }
        let kinds = item.responses.map(\.kind.rawValue)
        return kinds.isEmpty ? "item" : Array(Set(kinds)).sorted().joined(separator: "+")
    }

    static func points(_ metadata: [String: String]) -> Double? {
        for key in ["points_possible", "qmd_weighting", "cc_weighting"] {
            if let value = metadata[key].flatMap(Double.init), value > 0 { return value }
        }
        return nil
    }

    /// Walks `presentation` (and `flow`s) collecting text parts and responses in order.
    mutating func readFlow(_ element: XMLElement, into item: inout Item, context: inout QTIContext) {
        for child in element.children {
            switch child.name {
            case "material", "flow_mat":
                let html = materials(in: child, context: &context, field: "questiontext")
                if !html.isEmpty { item.parts.append(.html(html)) }
            case "flow" where child.attribute("class") == "RIGHT_MATCH_BLOCK":
                for answer in child.kids("flow") { item.rightMatches.append(materials(in: answer, context: &context, field: "answer")) }
            case "flow":
                readFlow(child, into: &item, context: &context)
                if child.attribute("class")?.lowercased() == "block" { item.parts.append(.html("")) }
            case "response_lid", "response_str", "response_num", "response_xy", "response_grp":
                let kind = ResponseKind(rawValue: child.name)!
                let cardinality = child.attribute("rcardinality")?.lowercased() ?? "single"
                var prompt = ""
                for material in child.kids("material") { prompt += materials(in: material, context: &context, field: "questiontext") }
                var labels: [Label] = []
                var renders: [String] = []
                for render in child.children where render.name.hasPrefix("render_") {
                    renders.append(render.name)
                    for label in render.descendants("response_label") {
                        let ident = label.attribute("ident") ?? ""
                        var html = materials(in: label, context: &context, field: "option/\(ident)")
                        if html.isEmpty, label.children.isEmpty { html = HTMLText.escape(label.text.trimmed) }
                        labels.append(Label(ident: ident, html: html, element: label))
                    }
                }
                item.responses.append(
                    Response(
                        ident: child.attribute("ident") ?? "", kind: kind, multiple: cardinality != "single", ordered: cardinality == "ordered",
                        prompt: prompt, labels: labels,
                        renders: renders, element: child
                    ))
                item.parts.append(.response(item.responses.count - 1))
            case "matbreak":
                item.parts.append(.html("<br />"))
            default:
                continue
            }
        }
    }

    /// The HTML of every material below `element` (not inside response labels when `element` is not one).
    mutating func materials(in element: XMLElement, context: inout QTIContext, field: String) -> String {
        var html = ""
        for child in element.children {
            switch child.name {
            case "mattext", "matemtext":
                html += materialText(child)
            case "matimage":
                guard let uri = child.attribute("uri") ?? child.attribute("label") else { continue }
                let alt = child.attribute("label").map { " alt=\"\(HTMLText.escape($0))\"" } ?? " alt=\"\""
                html += "<img src=\"\(HTMLText.escape(uri))\"\(alt) />"
            case "mataudio", "matvideo":
                guard let uri = child.attribute("uri") else { continue }
                html +=
                    "<\(child.name == "mataudio" ? "audio" : "video") controls=\"controls\" src=\"\(HTMLText.escape(uri))\"></\(child.name == "mataudio" ? "audio" : "video")>"
            case "mat_extension":
                // Blackboard: <mat_extension><mat_formattedtext type="HTML">…</mat_formattedtext></mat_extension>.
                for formatted in child.kids("mat_formattedtext") {
                    let text = formatted.text.trimmed
                    html += formatted.attribute("type")?.uppercased() == "HTML" || text.hasPrefix("<") ? text : HTMLText.escape(text)
                }
            case "matbreak":
                html += "<br />"
            case "material", "flow_mat", "flow_label", "solutionmaterial", "flow", "solution", "hint", "hintmaterial":
                html += materials(in: child, context: &context, field: field)
            default:
                continue
            }
        }
        return attachMedia(html, base: base, files: files, field: field, context: &context)
    }

    /// `mattext`: HTML kept as HTML (escaped or CDATA or inline XHTML), plain text escaped.
    func materialText(_ element: XMLElement) -> String {
        let type = (element.attribute("texttype") ?? "text/plain").lowercased()
        let raw: String = element.children.isEmpty ? element.text : XMLMarkup.inner(element)
        if type.contains("html") || !element.children.isEmpty { return raw.trimmed }
        let text = raw.trimmed
        // Many exporters write HTML but say text/plain; recognise obvious markup.
        if text.hasPrefix("<"), text.hasSuffix(">") { return text }
        return HTMLText.escapeKeepingReferences(text).replacingOccurrences(of: "\n", with: "<br />")
    }

    // MARK: Response processing

    /// The rule of one `respcondition`; only the `setvar`s whose variable `counts` (the scoring
    /// variable, see ``ScoringVariables``) give it a score.
    static func rule(_ condition: XMLElement, maxScore: Double, counts: (String) -> Bool = { _ in true }) -> Rule {
        var rule = Rule()
        rule.continues = condition.attribute("continue")?.lowercased() == "yes"
        if let conditionvar = condition.kid("conditionvar") { collect(conditionvar, negated: false, into: &rule) }
        for setvar in condition.kids("setvar") where counts(ScoringVariables.name(of: setvar)) {
            let action = setvar.attribute("action") ?? "Set"
            // Blackboard writes `SCORE.max` for "the item's maximum".
            let text = setvar.text.trimmed
            guard let value = Double(text) ?? (text.lowercased().hasSuffix(".max") ? maxScore : nil) else { continue }
            rule.action = action
            switch action.lowercased() {
            case "add": rule.score = (rule.score ?? 0) + value
            case "subtract": rule.score = (rule.score ?? 0) - value
            default: rule.score = value
            }
        }
        // A condition that only counts something else (Respondus_Incorrect) gives no credit.
        if rule.score == nil, condition.kids("setvar").contains(where: { !counts(ScoringVariables.name(of: $0)) }) { rule.score = 0 }
        rule.feedbackIDs = condition.kids("displayfeedback").compactMap { $0.attribute("linkrefid") }
        return rule
    }

    static func collect(_ element: XMLElement, negated: Bool, into rule: inout Rule) {
        for child in element.children {
            switch child.name {
            case "not": collect(child, negated: !negated, into: &rule)
            case "and", "or": collect(child, negated: negated, into: &rule)
            case "other": rule.isOther = true
            default:
                guard let op = Test.Op(rawValue: child.name) else { continue }
                let test = Test(
                    respident: child.attribute("respident") ?? "", op: op, value: child.text.trimmed,
                    caseSensitive: child.attribute("case")?.lowercased() == "yes"
                )
                if negated { rule.negatives.append(test) } else { rule.positives.append(test) }
            }
        }
    }

    // MARK: Classification

    enum Intent {
        case singleChoice, multipleResponse, trueFalse, shortText, essay, numeric, matching, clozeBrackets, cloze, fillBlanksBrackets, ordering
    }

    enum Decision {
        case build(Intent)
        case drop(String, String)
        case skip(String, String)
    }

    static func classify(_ item: Item, sourceType: String) -> Decision {
        let type = sourceType.lowercased()
        switch type {
        case "text_only_question", "text", "stimulus":
            return .skip("đoạn văn/mô tả (\(sourceType)) không phải câu hỏi, đã bỏ qua", "\(sourceType) is a text, not a question; skipped")
        case "calculated_question", "formula", "calculated", "arithmetic", "significant figures":
            return .drop("câu hỏi tính toán (\(sourceType)) chưa được hỗ trợ", "calculated questions (\(sourceType)) are not supported")
        case "audio recording":
            return .drop("câu hỏi ghi âm (\(sourceType)) chưa được hỗ trợ", "audio recording questions (\(sourceType)) are not supported")
        case "file_upload_question", "file upload", "upload":
            return .drop("câu hỏi nộp tệp (\(sourceType)) chưa được hỗ trợ", "file upload questions (\(sourceType)) are not supported")
        case "hot_spot_question", "hot spot", "hotspot":
            return .drop("câu hỏi chọn điểm trên hình (\(sourceType)) chưa được hỗ trợ", "hot spot questions (\(sourceType)) are not supported")
        case "categorization_question", "categorization":
            return .drop("câu hỏi phân loại (\(sourceType)) chưa được hỗ trợ", "categorization questions (\(sourceType)) are not supported")
        default: break
        }
        let kinds = item.responses.map(\.kind)
        if kinds.contains(.xy) || item.responses.contains(where: { $0.renders.contains("render_hotspot") }) {
            return .drop("câu hỏi chọn điểm trên hình (\(sourceType)) chưa được hỗ trợ", "hot spot questions (\(sourceType)) are not supported")
        }
        if kinds.contains(.grp) {
            return .drop("câu hỏi ghép nhóm (response_grp) chưa được hỗ trợ", "grouped responses (response_grp) are not supported")
        }
        if item.responses.isEmpty {
            if type.contains("essay") || type == "long answer" { return .build(.essay) }
            return .skip("mục không có ô trả lời nào, không phải câu hỏi; đã bỏ qua", "the item has no response; not a question, skipped")
        }
        switch type {
        case "multiple_choice_question", "cc.multiple_choice.v0p1", "multiple choice", "either/or", "mcq": return .build(.singleChoice)
        case "multiple_answers_question", "cc.multiple_response.v0p1", "multiple answer", "multi-select", "multiple response":
            return .build(.multipleResponse)
        case "true_false_question", "cc.true_false.v0p1", "true/false", "true false": return .build(.trueFalse)
        case "short_answer_question", "cc.fib.v0p1", "cc.pattern_match.v0p1", "short answer", "fill in the blank": return .build(.shortText)
        case "essay_question", "cc.essay.v0p1", "essay", "long answer", "short response": return .build(.essay)
        case "numerical_question", "numeric": return .build(.numeric)
        case "matching_question", "matching": return .build(.matching)
        case "multiple_dropdowns_question": return .build(.clozeBrackets)
        case "fill_in_multiple_blanks_question": return .build(.fillBlanksBrackets)
        case "ordering_question", "ordering", "jumbled sentence":
            return .drop(
                "câu hỏi sắp xếp kiểu \(sourceType) chưa được hỗ trợ ở QTI 1.2", "\(sourceType) ordering questions are not supported in QTI 1.2")
        default: break
        }
        // From the structure.
        if item.responses.count == 1 {
            let response = item.responses[0]
            switch response.kind {
            case .lid:
                if response.ordered { return .build(.ordering) }
                if response.multiple { return .build(.multipleResponse) }
                if isTrueFalse(response.labels) { return .build(.trueFalse) }
                return .build(.singleChoice)
            case .num: return .build(.numeric)
            case .str:
                let answered = item.rules.contains { $0.positives.contains { $0.respident == response.ident } }
                return .build(answered ? .shortText : .essay)
            default: break
            }
        }
        let lids = item.responses.filter { $0.kind == .lid }
        if lids.count == item.responses.count, lids.allSatisfy({ !$0.prompt.isEmpty }),
            Set(lids.map { $0.labels.map(\.html) }).count == 1
        {
            return .build(.matching)
        }
        return .build(.cloze)
    }

    static func isTrueFalse(_ labels: [Label]) -> Bool {
        guard labels.count == 2 else { return false }
        let texts = Set(labels.map { HTMLText.stripTags($0.html).trimmed.lowercased() })
        return texts == ["true", "false"] || texts == ["đúng", "sai"] || texts == ["t", "f"]
    }

    // MARK: Building

    /// The text parts before the first response (or all text for single-response items).
    func stemHTML(_ item: Item) -> String {
        item.parts.compactMap { if case .html(let h) = $0 { return h } else { return nil } }.filter { !$0.isEmpty }.joined(separator: "\n")
    }

    /// Score per label ident of a response: `Set` rules that test that label alone (or with others in an `and`).
    static func labelScores(_ response: Response, rules: [Rule]) -> [String: Double] {
        var scores: [String: Double] = [:]
        for rule in rules where !rule.isOther {
            let mine = rule.positives.filter { response.isTested(by: $0) }
            guard !mine.isEmpty, let score = rule.score else { continue }
            for test in mine where test.op == .equal {
                if rule.action.lowercased() == "add" || rule.action.lowercased() == "subtract" {
                    scores[test.value, default: 0] += score / Double(mine.count)
                } else {
                    scores[test.value] = max(scores[test.value] ?? -Double.infinity, score)
                }
            }
        }
        return scores
    }

    mutating func build(_ intent: Intent, item: Item, question: inout Question, context: inout QTIContext) {
        question.stem = RichText(stemHTML(item))
        switch intent {
        case .singleChoice, .trueFalse, .multipleResponse:
            guard let response = item.responses.first(where: { $0.kind == .lid }) else {
                context.error("noChoices", vi: "không có danh sách lựa chọn (response_lid)", en: "no choice list (response_lid)")
                return
            }
            if item.responses.count > 1 {
                context.warning("extraResponses", vi: "chỉ ô trả lời đầu tiên được nhập", en: "only the first response was imported")
            }
            let options = choiceOptions(response, item: item, multiple: intent == .multipleResponse, context: &context)
            if intent == .trueFalse {
                guard Self.isTrueFalse(response.labels) || response.labels.count == 2 else {
                    context.error("invalidTrueFalse", vi: "câu đúng/sai cần đúng 2 lựa chọn", en: "a true/false question needs exactly 2 choices")
                    return
                }
                let texts = response.labels.map { HTMLText.stripTags($0.html).trimmed.lowercased() }
                let trueIndex = texts.firstIndex { $0 == "true" || $0 == "đúng" || $0 == "t" } ?? 0
                let falseIndex = 1 - trueIndex
                let correct = options.filter(\.isCorrect)
                guard correct.count == 1, let index = options.firstIndex(of: correct[0]) else {
                    context.error("noCorrectAnswer", vi: "không tìm thấy đáp án đúng", en: "no correct answer found")
                    question.body = .trueFalse(TrueFalseQuestion(correctAnswer: true))
                    return
                }
                question.body = .trueFalse(
                    TrueFalseQuestion(
                        correctAnswer: index == trueIndex, feedbackTrue: options[trueIndex].feedback, feedbackFalse: options[falseIndex].feedback
                    ))
                return
            }
            let shuffle = response.element.descendants("render_choice").first?.attribute("shuffle")?.lowercased() == "yes"
            if intent == .multipleResponse {
                question.body = .multipleResponse(ChoiceQuestion(options: options, shuffle: shuffle))
            } else {
                if !options.contains(where: \.isCorrect) {
                    context.error("noCorrectAnswer", vi: "không tìm thấy đáp án đúng", en: "no correct answer found")
                }
                question.body = .singleChoice(ChoiceQuestion(options: options, shuffle: shuffle))
            }
        case .shortText:
            guard let response = item.responses.first(where: { $0.kind == .str || $0.kind == .num }) ?? item.responses.first else { return }
            let keys = textKeys(response, item: item)
            if keys.isEmpty { context.error("noCorrectAnswer", vi: "không tìm thấy đáp án đúng", en: "no correct answer found") }
            question.body = .shortText(
                ShortTextQuestion(keys: keys, caseSensitive: item.rules.contains { $0.positives.contains(where: \.caseSensitive) }))
        case .essay:
            question.body = .essay(EssayQuestion())
        case .numeric:
            guard let response = item.responses.first else { return }
            let keys = numericKeys(response, item: item)
            if keys.isEmpty { context.error("noCorrectAnswer", vi: "không tìm thấy đáp án đúng", en: "no correct answer found") }
            question.body = .numeric(NumericQuestion(keys: keys))
        case .matching:
            var pairs: [MatchPair] = []
            var used: Set<String> = []
            var allAnswers: [String] = []
            var emptyPrompts: [String] = []
            var usedParts: Set<Int> = []
            for (index, original) in item.responses.enumerated() where original.kind == .lid {
                var response = original
                // Blackboard: the prompt is the text just before the response, the answers are listed apart.
                if HTMLText.stripTags(response.prompt).trimmed.isEmpty,
                    let place = item.parts.firstIndex(where: { if case .response(index) = $0 { return true } else { return false } }),
                    let before = item.parts[..<place].indices.last(where: { i in
                        if case .html(let h) = item.parts[i] { return !h.isEmpty } else { return true }
                    }),
                    case .html = item.parts[before], !usedParts.contains(before),
                    // Never the question text itself (the first text of the item).
                    item.parts[..<before].contains(where: { if case .html(let h) = $0 { return !h.isEmpty } else { return false } })
                {
                    if case .html(let h) = item.parts[before] { response.prompt = h }
                    usedParts.insert(before)
                }
                for i in response.labels.indices where response.labels[i].html.isEmpty && i < item.rightMatches.count {
                    response.labels[i].html = item.rightMatches[i]
                }
                for label in response.labels {
                    let text = HTMLText.stripTags(label.html).trimmed
                    if !allAnswers.contains(text) { allAnswers.append(text) }
                }
                var scores = Self.labelScores(response, rules: item.rules)
                if scores.isEmpty {
                    // Unscored conditions (Blackboard matching only shows "correct" feedback): the tested label is right.
                    for rule in item.rules where !rule.isOther && rule.score == nil {
                        for test in rule.positives where test.respident == response.ident && test.op == .equal { scores[test.value] = 1 }
                    }
                }
                guard let best = scores.filter({ $0.value > 0 }).max(by: { $0.value < $1.value }),
                    let label = response.labels.first(where: { $0.ident == best.key })
                else {
                    context.error(
                        "noCorrectAnswer", vi: "ý ghép \"\(HTMLText.stripTags(response.prompt).trimmed)\" không có đáp án đúng",
                        en: "the prompt \"\(HTMLText.stripTags(response.prompt).trimmed)\" has no right answer"
                    )
                    continue
                }
                let answer = HTMLText.stripTags(label.html).trimmed
                // Canvas writes a pair with an empty left side for each extra (distractor) answer.
                if HTMLText.stripTags(response.prompt).trimmed.isEmpty, !response.prompt.contains("<img") {
                    emptyPrompts.append(answer)
                    continue
                }
                used.insert(answer)
                pairs.append(MatchPair(id: qtiOptionID(pairs.count), prompt: RichText(response.prompt), answer: answer))
            }
            if !emptyPrompts.isEmpty {
                context.warning(
                    "emptyPromptAsDistractor", vi: "các cặp không có vế trái được coi là đáp án gây nhiễu",
                    en: "pairs without a left side were read as distractor answers"
                )
            }
            if !usedParts.isEmpty {
                question.stem = RichText(
                    item.parts.indices.compactMap { i -> String? in
                        guard !usedParts.contains(i), case .html(let h) = item.parts[i], !h.isEmpty else { return nil }
                        return h
                    }.joined(separator: "\n"))
            }
            question.body = .matching(MatchingQuestion(pairs: pairs, distractors: allAnswers.filter { !used.contains($0) && !$0.isEmpty }))
        case .ordering:
            guard let response = item.responses.first(where: { $0.kind == .lid }) else { return }
            let best = item.rules.filter { !$0.isOther && $0.positives.filter { $0.respident == response.ident }.count > 1 }
                .max { ($0.score ?? 0) < ($1.score ?? 0) }
            let order = best?.positives.filter { $0.respident == response.ident }.map(\.value) ?? []
            let items = order.compactMap { ident in
                response.labels.first { $0.ident == ident }.map { OrderingItem(id: $0.ident, text: RichText($0.html)) }
            }
            if items.count < 2 { context.error("noCorrectAnswer", vi: "không tìm thấy thứ tự đúng", en: "no right order found") }
            question.body = .ordering(OrderingQuestion(items: items))
        case .clozeBrackets, .fillBlanksBrackets:
            buildBracketCloze(item, choice: intent == .clozeBrackets, question: &question, context: &context)
        case .cloze:
            buildFlowCloze(item, question: &question, context: &context)
        }
    }

    func choiceOptions(_ response: Response, item: Item, multiple: Bool, context: inout QTIContext) -> [ChoiceOption] {
        var scores = Self.labelScores(response, rules: item.rules)
        // Canvas/CC multiple response: one rule, an `and` of the right labels (and `not` the others).
        let andRules = item.rules.filter { rule in rule.positives.filter { $0.respident == response.ident }.count > 1 && (rule.score ?? 0) > 0 }
        var fractions: [String: Double] = [:]
        if let best = andRules.max(by: { ($0.score ?? 0) < ($1.score ?? 0) }) {
            let right = best.positives.filter { $0.respident == response.ident }.map(\.value)
            for ident in right { fractions[ident] = 1 / Double(right.count) }
            scores = [:]
        } else if multiple {
            let positive = scores.values.filter { $0 > 0 }.reduce(0, +)
            if positive > 0 { for (ident, score) in scores { fractions[ident] = max(-1, score / positive) } }
        } else {
            let best = scores.values.max() ?? 0
            if best > 0 { for (ident, score) in scores where score > 0 { fractions[ident] = score / best } }
        }
        var feedbackByLabel: [String: String] = [:]
        for rule in item.rules where !rule.isOther {
            let mine = rule.positives.filter { $0.respident == response.ident }
            guard mine.count == 1 else { continue }
            let html = rule.feedbackIDs.filter { !Self.outcomeFeedbackIDs.contains($0.lowercased()) }
                .compactMap { item.feedback[$0]?.html }.filter { !$0.isEmpty }.joined(separator: "\n")
            if !html.isEmpty { feedbackByLabel[mine[0].value] = [feedbackByLabel[mine[0].value], html].compactMap { $0 }.joined(separator: "\n") }
        }
        return response.labels.enumerated().map { index, label in
            ChoiceOption(
                id: qtiOptionID(index), text: RichText(label.html), fraction: (fractions[label.ident] ?? 0).rounded(toPlaces: 7),
                feedback: feedbackByLabel[label.ident].map { RichText($0) }
            )
        }
    }

    func textKeys(_ response: Response, item: Item) -> [ShortTextKey] {
        var keys: [ShortTextKey] = []
        var best = 0.0
        var raw: [(String, Double?)] = []
        for rule in item.rules where !rule.isOther {
            for test in rule.positives where response.isTested(by: test) && (test.op == .equal || test.op == .substring) {
                guard !test.value.isEmpty else { continue }
                let pattern = test.op == .substring ? "*\(test.value)*" : test.value
                raw.append((pattern, rule.score))
                best = max(best, rule.score ?? 0)
            }
        }
        for (pattern, score) in raw where !keys.contains(where: { $0.pattern == pattern }) {
            let fraction = best > 0 ? max(0, (score ?? best) / best) : 1
            keys.append(ShortTextKey(pattern: pattern, fraction: fraction))
        }
        return keys.filter { $0.fraction > 0 }
    }

    func numericKeys(_ response: Response, item: Item) -> [NumericKey] {
        var keys: [NumericKey] = []
        for rule in item.rules where !rule.isOther && (rule.score ?? 1) > 0 {
            let mine = rule.positives.filter { response.isTested(by: $0) }
            guard !mine.isEmpty else { continue }
            let exact = mine.first { $0.op == .equal }.flatMap { NumericParsing.parse($0.value) != nil ? $0.value : nil }
            let lower = mine.first { $0.op == .gte || $0.op == .gt }.flatMap { NumericParsing.parse($0.value) }
            let upper = mine.first { $0.op == .lte || $0.op == .lt }.flatMap { NumericParsing.parse($0.value) }
            if let exact, let value = NumericParsing.parse(exact) {
                var tolerance: Decimal = 0
                if let lower { tolerance = max(tolerance, value - lower) }
                if let upper { tolerance = max(tolerance, upper - value) }
                keys.append(NumericKey(answer: exact, tolerance: tolerance))
            } else if let lower, let upper {
                let middle = (lower + upper) / 2
                keys.append(NumericKey(answer: "\(middle)", tolerance: (upper - lower) / 2))
            }
        }
        var seen: Set<String> = []
        return keys.filter { seen.insert("\($0.answer)|\($0.tolerance)").inserted }
    }

    /// Canvas's `[name]` placeholders: the stem holds `[color1]`; the responses are `response_color1`.
    func buildBracketCloze(_ item: Item, choice: Bool, question: inout Question, context: inout QTIContext) {
        var html = question.stem.html
        var gaps: [ClozeGap] = []
        for response in item.responses {
            let name = HTMLText.stripTags(response.prompt).trimmed
            // Classic Canvas names the blank in the response's material; New Quizzes by its ident.
            let byIdent = response.ident.hasPrefix("response_") ? String(response.ident.dropFirst("response_".count)) : response.ident
            let range = [name, byIdent].filter { !$0.isEmpty }.lazy.compactMap { html.range(of: "[\($0)]") }.first
            guard let range else {
                context.error(
                    "missingPlaceholder", vi: "không tìm thấy chỗ trống [\(name)] trong nội dung",
                    en: "the blank [\(name)] is not in the question text"
                )
                continue
            }
            let kind: ClozeGapKind
            if choice {
                var options = choiceOptions(response, item: item, multiple: false, context: &context)
                for index in options.indices { options[index].text = RichText(HTMLText.stripTags(options[index].text.html).trimmed) }
                kind = .choice(options: options, display: .dropdown, shuffle: false)
            } else {
                // Canvas lists every accepted answer of a blank as a label.
                var keys: [ShortTextKey] = []
                for label in response.labels {
                    let text = HTMLText.stripTags(label.html).trimmed
                    if !text.isEmpty, !keys.contains(where: { $0.pattern == text }) { keys.append(ShortTextKey(pattern: text)) }
                }
                kind = .shortText(ShortTextQuestion(keys: keys))
            }
            html.replaceSubrange(range, with: ClozeQuestion.marker(gaps.count))
            gaps.append(ClozeGap(kind: kind))
        }
        question.stem = RichText(html)
        question.body = .cloze(ClozeQuestion(gaps: gaps))
    }

    /// Responses placed in the text flow (IMS fill-in-the-blank examples): each becomes a gap where it stands.
    func buildFlowCloze(_ item: Item, question: inout Question, context: inout QTIContext) {
        var html = ""
        var gaps: [ClozeGap] = []
        for part in item.parts {
            switch part {
            case .html(let text): html += text.isEmpty ? "" : (html.isEmpty ? text : " " + text)
            case .response(let index):
                let response = item.responses[index]
                if !response.prompt.isEmpty { html += " " + response.prompt }
                let kind: ClozeGapKind
                switch response.kind {
                case .lid:
                    var options = choiceOptions(response, item: item, multiple: response.multiple, context: &context)
                    for i in options.indices { options[i].text = RichText(HTMLText.stripTags(options[i].text.html).trimmed) }
                    kind = .choice(options: options, display: response.multiple ? .multipleVertical : .dropdown, shuffle: false)
                case .num:
                    kind = .numeric(NumericQuestion(keys: numericKeys(response, item: item)))
                default:
                    kind = .shortText(ShortTextQuestion(keys: textKeys(response, item: item)))
                }
                html += " " + ClozeQuestion.marker(gaps.count)
                gaps.append(ClozeGap(kind: kind))
            }
        }
        question.stem = RichText(html.trimmed)
        question.body = .cloze(ClozeQuestion(gaps: gaps))
    }

    /// Feedback idents that belong to the whole item (Canvas, Blackboard), never to one option.
    static let outcomeFeedbackIDs: Set<String> = [
        "correct_fb", "correct", "general_incorrect_fb", "incorrect", "incorrect_fb", "general_fb", "general",
    ]

    func applyFeedback(_ item: Item, question: inout Question) {
        var general: [String] = []
        var correct = ""
        var incorrect = ""
        var solution: [String] = []
        let optionFeedback = Set(item.rules.filter { $0.positives.count == 1 }.flatMap(\.feedbackIDs))
        for (ident, feedback) in item.feedback.sorted(by: { $0.key < $1.key }) where !feedback.html.isEmpty {
            let key = ident.lowercased()
            if feedback.isSolution {
                solution.append(feedback.html)
            } else if key == "correct_fb" || key == "correct" {
                correct = feedback.html
            } else if key == "general_incorrect_fb" || key == "incorrect" || key == "incorrect_fb" {
                incorrect = feedback.html
            } else if key == "general_fb" || key == "general" || !optionFeedback.contains(ident) && !isReferencedOnlyByOptions(ident, item) {
                general.append(feedback.html)
            }
        }
        if !general.isEmpty { question.generalFeedback = RichText(general.joined(separator: "\n")) }
        if !solution.isEmpty { question.workedSolution = RichText(solution.joined(separator: "\n")) }
        if !correct.isEmpty || !incorrect.isEmpty {
            question.outcomeFeedback = OutcomeFeedback(correct: RichText(correct), incorrect: RichText(incorrect))
        }
    }

    func isReferencedOnlyByOptions(_ ident: String, _ item: Item) -> Bool {
        let referencing = item.rules.filter { $0.feedbackIDs.contains(ident) }
        return !referencing.isEmpty && referencing.allSatisfy { $0.positives.count == 1 || $0.isOther }
    }

    // MARK: Blackboard pool

    mutating func readBlackboardPool(_ root: XMLElement) {
        var position = 0
        for element in root.children where element.name.hasPrefix("QUESTION_") {
            position += 1
            guard !accumulator.tooManyQuestions else {
                accumulator.fileErrors.append(Messages.tooManyQuestions(accumulator.options.maxQuestions))
                return
            }
            let number = accumulator.nextNumber()
            var context = QTIContext(number: number, location: QuestionSourceLocation(line: element.line, path: "/POOL/\(element.name)[\(position)]"))
            let type = String(element.name.dropFirst("QUESTION_".count))
            let id = element.attribute("id") ?? ""
            let bodyText = element.kid("BODY")?.kid("TEXT")?.text.trimmed ?? ""
            let isHTML = element.kid("BODY")?.kid("FLAGS")?.kid("ISHTML")?.attribute("value") != "false"
            var question = Question(id: "", title: id, stem: isHTML ? RichText(bodyText) : .plain(bodyText), body: .essay(EssayQuestion()))
            question.idNumber = id
            if let points = root.kid("QUESTIONLIST")?.kids("QUESTION").first(where: { $0.attribute("id") == id })?.attribute("points").flatMap(
                Double.init),
                points > 0
            {
                question.points = points
            }
            let answers = element.kids("ANSWER").map { (id: $0.attribute("id") ?? "", text: $0.kid("TEXT")?.text.trimmed ?? "") }
            let gradable = element.kid("GRADABLE")
            let correctIDs = gradable?.kids("CORRECTANSWER").compactMap { $0.attribute("answer_id") } ?? []
            let feedbackCorrect = gradable?.kid("FEEDBACK_WHEN_CORRECT")?.text.trimmed ?? ""
            let feedbackIncorrect = gradable?.kid("FEEDBACK_WHEN_INCORRECT")?.text.trimmed ?? ""
            if !feedbackCorrect.isEmpty || !feedbackIncorrect.isEmpty {
                question.outcomeFeedback = OutcomeFeedback(correct: RichText(feedbackCorrect), incorrect: RichText(feedbackIncorrect))
            }
            switch type {
            case "TRUEFALSE":
                guard let right = answers.first(where: { correctIDs.contains($0.id) }) else {
                    context.error("noCorrectAnswer", vi: "không tìm thấy đáp án đúng", en: "no correct answer found")
                    accumulator.add(question, context: context, sourceType: element.name)
                    continue
                }
                question.body = .trueFalse(TrueFalseQuestion(correctAnswer: right.text.lowercased() == "true"))
            case "MULTIPLECHOICE", "MULTIPLEANSWER":
                let right = Set(correctIDs)
                let options = answers.enumerated().map { index, answer in
                    ChoiceOption(
                        id: qtiOptionID(index), text: RichText(answer.text),
                        fraction: right.contains(answer.id) ? (type == "MULTIPLEANSWER" ? 1 / Double(max(right.count, 1)) : 1) : 0
                    )
                }
                question.body =
                    type == "MULTIPLEANSWER" ? .multipleResponse(ChoiceQuestion(options: options)) : .singleChoice(ChoiceQuestion(options: options))
            case "ESSAY":
                question.body = .essay(EssayQuestion())
            case "FILLINBLANK":
                question.body = .shortText(ShortTextQuestion(keys: answers.filter { !$0.text.isEmpty }.map { ShortTextKey(pattern: $0.text) }))
            case "MATCH":
                let choices = element.kids("CHOICE").map {
                    (id: $0.attribute("id") ?? "", text: HTMLText.stripTags($0.kid("TEXT")?.text ?? "").trimmed)
                }
                var pairs: [MatchPair] = []
                var used: Set<String> = []
                for answer in answers {
                    guard let link = gradable?.kids("CORRECTANSWER").first(where: { $0.attribute("answer_id") == answer.id }),
                        let choice = choices.first(where: { $0.id == link.attribute("choice_id") })
                    else {
                        context.error(
                            "noCorrectAnswer", vi: "ý ghép \"\(answer.text)\" không có đáp án", en: "the prompt \"\(answer.text)\" has no answer")
                        continue
                    }
                    used.insert(choice.text)
                    pairs.append(MatchPair(id: qtiOptionID(pairs.count), prompt: RichText(answer.text), answer: choice.text))
                }
                question.body = .matching(MatchingQuestion(pairs: pairs, distractors: choices.map(\.text).filter { !used.contains($0) }))
            default:
                accumulator.addNotImported(
                    context, title: id, sourceType: element.name, outcome: .dropped, code: "unsupportedType",
                    vi: "bỏ qua: loại câu hỏi Blackboard \(type) chưa được hỗ trợ", en: "dropped: Blackboard question type \(type) is not supported"
                )
                continue
            }
            accumulator.add(question, context: context, sourceType: element.name)
        }
    }
}

extension Double {
    /// Rounded to `places` decimals (fractions such as 1/3 kept to Moodle's precision).
    func rounded(toPlaces places: Int) -> Double {
        let factor = pow(10, Double(places))
        return (self * factor).rounded() / factor
    }
}
