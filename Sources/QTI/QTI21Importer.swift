public import Foundation
public import HoclieuCore
import HoclieuXML
public import QuestionFormats

/// Reads IMS QTI 2.1 and 2.2 `assessmentItem` documents (and 2.0 and namespace-less items, unvalidated).
///
/// Interactions: `choiceInteraction` (single choice when the response is single / `maxChoices="1"`,
/// true/false when its two choices are true and false, multiple response otherwise; `fixed="true"` →
/// ``ChoiceOption/doNotShuffle``), `textEntryInteraction` (one → short text, or numeric for `integer`/
/// `float` responses; several, or mixed with `inlineChoiceInteraction` → cloze), `extendedTextInteraction`
/// (essay, a `rubricBlock` for scorers becomes the rubric), `orderInteraction` (ordering),
/// `matchInteraction`/`associateInteraction` (matching). Right answers from `correctResponse`; partial
/// credit from `mapping`; numeric tolerance from `equal` conditions in the response processing.
/// `modalFeedback` becomes option, outcome or general feedback; MathML stays in the rich text; `img`
/// files of a package become ``QuestionMedia``. Every other interaction (hotspots, gap match, sliders,
/// uploads, drawing…) and items mixing block interactions are dropped with the reason.
///
/// QTI 2.1 and 2.2 items are validated against the official schemas (vendored in the module):
/// violations are warnings; items that cannot be understood (no interaction, undeclared response,
/// no right answer) are errors.
public enum QTI21Importer {
    /// Imports one `assessmentItem` document.
    public static func importQuestions(from data: Data, options: QuestionImportOptions = QuestionImportOptions()) -> QuestionImportResult {
        var accumulator = QTIAccumulator(format: .qti21, options: options)
        read(data, path: nil, files: .empty, into: &accumulator)
        return accumulator.finish()
    }

    /// Reads one item file into `accumulator`.
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
            document = try QTIXML.parse(data, maxBytes: accumulator.options.maxBytes, allowDoctype: false)
        } catch {
            accumulator.fileErrors.append(QTIMessages.message(for: error, file: path))
            return
        }
        guard let root = document.root else { return }
        guard root.name == "assessmentItem" else {
            let isTest = root.name == "assessmentTest" || root.name == "assessmentSection"
            accumulator.fileErrors.append(
                .init(
                    code: "notAnItem",
                    vi: "\(QTIMessages.prefix(path))Không phải câu hỏi QTI 2.x: phần tử gốc là <\(root.name)>, cần <assessmentItem>"
                        + (isTest ? " (bài kiểm tra: hãy nhập cả gói)" : ""),
                    en: "\(QTIMessages.prefix(path))Not a QTI 2.x item: the root element is <\(root.name)>, expected <assessmentItem>"
                        + (isTest ? " (a test: import the whole package)" : ""),
                    location: .init(line: root.line, path: "/\(root.name)")
                ))
            return
        }
        guard !accumulator.tooManyQuestions else {
            accumulator.fileErrors.append(Messages.tooManyQuestions(accumulator.options.maxQuestions))
            return
        }
        var context = QTIContext(
            number: accumulator.nextNumber(),
            location: QuestionSourceLocation(line: root.line, path: (path.map { "\($0)#" } ?? "") + "/assessmentItem")
        )
        for warning in QTISchemas.warnings(for: document, namespace: root.namespaceURI, file: path) {
            context.warnings.append(context.message(warning.code, vi: warning.vietnamese, en: warning.english, line: warning.location?.line))
        }
        let reader = QTI21ItemReader(root: root, path: path ?? "", files: files)
        reader.read(into: &accumulator, context: &context)
    }
}

/// One response declaration.
struct ResponseDeclaration {
    var identifier: String
    var cardinality: String
    var baseType: String
    var correct: [String]
    var mapping: [(key: String, value: Double, caseSensitive: Bool)]
    var defaultValue: Double
}

struct QTI21ItemReader {
    let root: XMLElement
    let path: String
    let files: PackageFiles

    static let blockInteractions: Set<String> = [
        "choiceInteraction", "orderInteraction", "matchInteraction", "associateInteraction", "extendedTextInteraction",
    ]
    static let inlineInteractions: Set<String> = ["textEntryInteraction", "inlineChoiceInteraction"]
    static let unsupported: [String: (String, String)] = [
        "gapMatchInteraction": ("kéo thả vào chỗ trống", "gap match"),
        "hottextInteraction": ("chọn từ trong đoạn văn", "hot text"),
        "hotspotInteraction": ("chọn điểm trên hình", "hotspot"),
        "graphicGapMatchInteraction": ("kéo thả trên hình", "graphic gap match"),
        "graphicOrderInteraction": ("sắp xếp trên hình", "graphic order"),
        "graphicAssociateInteraction": ("ghép trên hình", "graphic associate"),
        "selectPointInteraction": ("chọn điểm", "select point"),
        "positionObjectInteraction": ("đặt vật trên hình", "position object"),
        "sliderInteraction": ("thanh trượt", "slider"),
        "uploadInteraction": ("nộp tệp", "file upload"),
        "drawingInteraction": ("vẽ hình", "drawing"),
        "mediaInteraction": ("phương tiện (media)", "media"),
        "customInteraction": ("tuỳ biến", "custom"),
        "portableCustomInteraction": ("tuỳ biến (PCI)", "portable custom"),
        "endAttemptInteraction": ("kết thúc lượt", "end attempt"),
    ]

    init(root: XMLElement, path: String, files: PackageFiles) {
        self.root = root
        self.path = path
        self.files = files
    }

    func read(into accumulator: inout QTIAccumulator, context: inout QTIContext) {
        let title = root.attribute("title") ?? ""
        let identifier = root.attribute("identifier") ?? ""
        guard let body = root.kid("itemBody") else {
            context.error("noItemBody", vi: "câu hỏi không có itemBody", en: "the item has no itemBody")
            accumulator.addInvalid(context, title: title, sourceType: "assessmentItem")
            return
        }
        var declarations: [String: ResponseDeclaration] = [:]
        for declaration in root.kids("responseDeclaration") {
            let parsed = Self.declaration(declaration)
            declarations[parsed.identifier] = parsed
        }
        // Converters (pyslet) and hand-written items state the right answer only in a custom
        // response processing: `match(variable, baseValue)` that sets a positive SCORE.
        for (id, keys) in Self.derivedAnswers(root.kid("responseProcessing")) {
            guard var declaration = declarations[id], declaration.correct.isEmpty, declaration.mapping.isEmpty,
                let best = keys.max(by: { $0.score < $1.score })
            else { continue }
            declaration.correct = best.values
            if keys.count > 1 {
                declaration.mapping = keys.filter { $0.values.count == 1 }.map { (key: $0.values[0], value: $0.score, caseSensitive: true) }
            }
            declarations[id] = declaration
            context.warning(
                "answerFromProcessing", vi: "đáp án đúng của \(id) được đọc từ responseProcessing (không có correctResponse)",
                en: "the right answer of \(id) was read from the responseProcessing (no correctResponse)"
            )
        }
        let interactions = (try? body.select(".//*[substring(local-name(), string-length(local-name()) - 10) = 'Interaction']")) ?? []
        let names = interactions.map(\.name)
        let sourceType = names.isEmpty ? "assessmentItem" : Array(Set(names)).sorted().joined(separator: "+")
        // Unsupported interactions first: the item is dropped with the reason.
        if let other = names.first(where: { !Self.blockInteractions.contains($0) && !Self.inlineInteractions.contains($0) }) {
            let (vi, en) = Self.unsupported[other] ?? (other, other)
            accumulator.addNotImported(
                context, title: title, sourceType: sourceType, outcome: .dropped, code: "unsupportedInteraction",
                vi: "bỏ qua: tương tác \(vi) (\(other)) chưa được hỗ trợ", en: "dropped: \(en) interactions (\(other)) are not supported"
            )
            return
        }
        guard !interactions.isEmpty else {
            context.error("noInteraction", vi: "câu hỏi không có tương tác nào để trả lời", en: "the item has no interaction to answer")
            accumulator.addInvalid(context, title: title, sourceType: sourceType)
            return
        }
        let blocks = interactions.filter { Self.blockInteractions.contains($0.name) }
        if blocks.count > 1 || (blocks.count == 1 && interactions.count > 1) {
            accumulator.addNotImported(
                context, title: title, sourceType: sourceType, outcome: .dropped, code: "compositeItem",
                vi: "bỏ qua: câu hỏi gồm nhiều tương tác (\(sourceType)) chưa được hỗ trợ",
                en: "dropped: items with several interactions (\(sourceType)) are not supported"
            )
            return
        }
        for interaction in interactions {
            let id = interaction.attribute("responseIdentifier") ?? ""
            if declarations[id] == nil {
                context.error(
                    "undeclaredResponse", vi: "tương tác \(interaction.name) dùng biến \"\(id)\" không được khai báo (responseDeclaration)",
                    en: "\(interaction.name) uses the response \"\(id)\", which has no responseDeclaration", line: interaction.line
                )
            }
        }
        guard context.errors.isEmpty else {
            accumulator.addInvalid(context, title: title, sourceType: sourceType)
            return
        }
        if root.kid("templateDeclaration") != nil {
            context.warning(
                "templateNotEvaluated", vi: "biến mẫu (templateDeclaration) không được tính; giữ nguyên văn bản",
                en: "template variables (templateDeclaration) are not evaluated; the text is kept as written"
            )
        }
        if root.attribute("adaptive") == "true" {
            context.warning(
                "adaptiveItem", vi: "câu hỏi thích ứng (adaptive) được nhập như câu hỏi thường", en: "an adaptive item was imported as a plain item")
        }

        var question = Question(id: "", title: title, idNumber: identifier.isEmpty ? nil : identifier, body: .essay(EssayQuestion()))
        question.points = Self.points(root)
        let tolerances = Self.tolerances(root.kid("responseProcessing"))
        let weights = Self.weights(root.kid("responseProcessing"))
        var gapIndex = 0
        var gaps: [ClozeGap] = []
        var rubric: RichText?
        var context2 = context
        let clozeMode = blocks.isEmpty && (interactions.count > 1 || names.contains("inlineChoiceInteraction"))
        let rename: (XMLElement) -> String? = { element in
            switch element.name {
            case "textEntryInteraction", "inlineChoiceInteraction":
                guard clozeMode else { return "" }
                let marker = ClozeQuestion.marker(gapIndex)
                gapIndex += 1
                return marker
            case "choiceInteraction", "orderInteraction", "matchInteraction", "associateInteraction", "extendedTextInteraction":
                return element.kid("prompt").map { XMLMarkup.inner($0) } ?? ""
            case "rubricBlock":
                if element.attribute("view")?.contains("scorer") == true || element.attribute("view")?.contains("tutor") == true {
                    rubric = RichText(XMLMarkup.inner(element).trimmed)
                } else {
                    context2.warning("rubricDropped", vi: "rubricBlock bị bỏ qua", en: "a rubricBlock was left out")
                }
                return ""
            case "feedbackBlock", "feedbackInline", "templateBlock", "templateInline", "printedVariable", "modalFeedback":
                context2.warning(
                    "conditionalContentDropped", vi: "nội dung có điều kiện (\(element.name)) trong thân câu hỏi không được nhập",
                    en: "conditional content (\(element.name)) in the item body was not imported", line: element.line
                )
                return ""
            default:
                return nil
            }
        }
        var stem = XMLMarkup.inner(body, rename: rename).trimmed
        context = context2
        stem = Self.tidy(stem)
        stem = attachMedia(stem, base: path, files: files, field: "questiontext", context: &context)

        if clozeMode {
            for interaction in interactions {
                let declaration = declarations[interaction.attribute("responseIdentifier") ?? ""]!
                let weight = weights[declaration.identifier].map { max(1, Int($0.rounded())) } ?? 1
                if interaction.name == "inlineChoiceInteraction" {
                    let choices = interaction.kids("inlineChoice").map {
                        (
                            id: $0.attribute("identifier") ?? "", html: HTMLText.stripTags(XMLMarkup.inner($0)).trimmed,
                            fixed: $0.attribute("fixed") == "true"
                        )
                    }
                    let fractions = Self.fractions(declaration, ids: choices.map(\.id), multiple: false)
                    let options = choices.map {
                        ChoiceOption(id: $0.id, text: RichText($0.html), fraction: fractions[$0.id] ?? 0, doNotShuffle: $0.fixed)
                    }
                    if !options.contains(where: \.isCorrect) {
                        context.error(
                            "noCorrectAnswer", vi: "chỗ trống \(gaps.count + 1) không có đáp án đúng", en: "gap \(gaps.count + 1) has no right answer"
                        )
                    }
                    gaps.append(
                        ClozeGap(
                            weight: weight, kind: .choice(options: options, display: .dropdown, shuffle: interaction.attribute("shuffle") == "true")))
                } else {
                    gaps.append(
                        ClozeGap(weight: weight, kind: textGap(declaration, interaction: interaction, tolerances: tolerances, context: &context)))
                }
            }
            question.stem = RichText(stem)
            question.body = .cloze(ClozeQuestion(gaps: gaps))
        } else {
            let interaction = interactions[0]
            let declaration = declarations[interaction.attribute("responseIdentifier") ?? ""]!
            question.stem = RichText(stem)
            switch interaction.name {
            case "choiceInteraction":
                question.body = choiceBody(interaction, declaration: declaration, context: &context)
            case "textEntryInteraction":
                switch textGap(declaration, interaction: interaction, tolerances: tolerances, context: &context) {
                case .numeric(let numeric): question.body = .numeric(numeric)
                case .shortText(let text): question.body = .shortText(text)
                case .choice: break
                }
            case "extendedTextInteraction":
                var essay = EssayQuestion(rubric: rubric)
                if let placeholder = interaction.attribute("placeholderText"), !placeholder.isEmpty { essay.responseTemplate = .plain(placeholder) }
                question.body = .essay(essay)
            case "orderInteraction":
                let choices = interaction.kids("simpleChoice").map { (id: $0.attribute("identifier") ?? "", html: XMLMarkup.inner($0).trimmed) }
                let order = declaration.correct
                guard !order.isEmpty, Set(order) == Set(choices.map(\.id)) || order.allSatisfy({ id in choices.contains { $0.id == id } }) else {
                    context.error("noCorrectAnswer", vi: "không có thứ tự đúng (correctResponse)", en: "no right order (correctResponse)")
                    break
                }
                question.body = .ordering(
                    OrderingQuestion(
                        items: order.compactMap { id in
                            choices.first { $0.id == id }.map { OrderingItem(id: $0.id, text: RichText($0.html)) }
                        }))
                if order.count < choices.count {
                    context.warning("orderSubset", vi: "chỉ các mục có trong thứ tự đúng được giữ", en: "only the items of the right order were kept")
                }
            case "matchInteraction", "associateInteraction":
                question.body = matchingBody(interaction, declaration: declaration, context: &context)
            default:
                break
            }
        }
        if case .essay = question.body {
        } else if rubric != nil {
            question.workedSolution = rubric
        }
        applyModalFeedback(&question, context: &context)
        if root.kid("responseProcessing") == nil, question.type != .essay {
            context.warning(
                "noResponseProcessing", vi: "không có responseProcessing; chấm theo correctResponse",
                en: "no responseProcessing; scored from correctResponse")
        }
        accumulator.add(question, context: context, sourceType: sourceType)
    }

    // MARK: Declarations

    static func declaration(_ element: XMLElement) -> ResponseDeclaration {
        let correct = element.kid("correctResponse")?.kids("value").map { $0.text.trimmed } ?? []
        var mapping: [(String, Double, Bool)] = []
        var defaultValue = 0.0
        if let map = element.kid("mapping") {
            defaultValue = map.attribute("defaultValue").flatMap(Double.init) ?? 0
            for entry in map.kids("mapEntry") {
                guard let key = entry.attribute("mapKey"), let value = entry.attribute("mappedValue").flatMap(Double.init) else { continue }
                mapping.append((key, value, entry.attribute("caseSensitive") != "false"))
            }
        }
        return ResponseDeclaration(
            identifier: element.attribute("identifier") ?? "", cardinality: element.attribute("cardinality") ?? "single",
            baseType: element.attribute("baseType") ?? "identifier", correct: correct,
            mapping: mapping.map { (key: $0.0, value: $0.1, caseSensitive: $0.2) }, defaultValue: defaultValue
        )
    }

    /// Points: `MAXSCORE`'s default value, or `SCORE`'s `normalMaximum`, else 1.
    static func points(_ root: XMLElement) -> Double {
        for outcome in root.kids("outcomeDeclaration") {
            let id = outcome.attribute("identifier")
            if id == "MAXSCORE", let value = outcome.kid("defaultValue")?.kid("value").flatMap({ Double($0.text.trimmed) }), value > 0 {
                return value
            }
            if id == "SCORE", let value = outcome.attribute("normalMaximum").flatMap(Double.init), value > 0 { return value }
        }
        return 1
    }

    /// Absolute tolerances written as `<equal toleranceMode="absolute" tolerance="t">` on a response, and
    /// ranges written as `and(gte, lte)`: response → (value, tolerance, score).
    static func tolerances(_ processing: XMLElement?) -> [String: [(value: String, tolerance: Decimal, score: Double?)]] {
        var result: [String: [(String, Decimal, Double?)]] = [:]
        guard let processing else { return [:] }
        for equal in processing.descendants("equal") where equal.attribute("toleranceMode") == "absolute" {
            guard let variable = equal.kid("variable")?.attribute("identifier"), let value = equal.kid("baseValue")?.text.trimmed,
                let tolerance = equal.attribute("tolerance")?.split(separator: " ").first.flatMap({ NumericParsing.parse(String($0)) })
            else { continue }
            // `SCORE = SCORE + weight × score`: the score is the last base value of the assignment.
            let score = equal.parent?.kid("setOutcomeValue")?.descendants("baseValue").last.flatMap { Double($0.text.trimmed) }
            result[variable, default: []].append((value, tolerance, score))
        }
        // Ranges: `and(gte(variable, low), lte(variable, high))` (QTI 1.2 converters) → the middle ± half the width.
        for conjunction in processing.descendants("and") {
            guard let parent = conjunction.parent, parent.name == "responseIf" || parent.name == "responseElseIf" else { continue }
            var lower: [String: Decimal] = [:]
            var upper: [String: Decimal] = [:]
            for bound in conjunction.children {
                guard let variable = bound.kid("variable")?.attribute("identifier"),
                    let value = bound.kid("baseValue").flatMap({ NumericParsing.parse($0.text.trimmed) })
                else { continue }
                switch bound.name {
                case "gte", "gt": lower[variable] = value
                case "lte", "lt": upper[variable] = value
                default: continue
                }
            }
            let score = parent.kids("setOutcomeValue").first?.descendants("baseValue").last.flatMap { Double($0.text.trimmed) }
            for (variable, low) in lower {
                guard let high = upper[variable], high >= low else { continue }
                result[variable, default: []].append(("\((low + high) / 2)", (high - low) / 2, score))
            }
        }
        return result.mapValues { $0.map { (value: $0.0, tolerance: $0.1, score: $0.2) } }
    }

    /// Conditions `match`/`stringMatch`/`equal` (exact) of a response variable against a value, directly
    /// under a `responseIf`/`responseElseIf` that sets a score outcome to a positive value (the last
    /// base value of the assignment, or 1 when it is computed).
    static func derivedAnswers(_ processing: XMLElement?) -> [String: [(values: [String], score: Double)]] {
        guard let processing else { return [:] }
        var result: [String: [(values: [String], score: Double)]] = [:]
        let conditions =
            processing.descendants("match") + processing.descendants("stringMatch")
            + processing.descendants("equal").filter { $0.attribute("toleranceMode") == nil }
        // `and` of `member(value, variable)` and `not(member(…))`: the members are the right choices.
        for conjunction in processing.descendants("and") {
            guard let parent = conjunction.parent, parent.name == "responseIf" || parent.name == "responseElseIf" else { continue }
            var members: [String: [String]] = [:]
            for test in conjunction.children where test.name == "match" || test.name == "stringMatch" {
                guard let variable = test.kid("variable")?.attribute("identifier"), let value = test.kid("baseValue")?.text.trimmed else { continue }
                members[variable, default: []].append(value)
            }
            for member in conjunction.kids("member") {
                guard let variable = member.kid("variable")?.attribute("identifier"), let value = member.kid("baseValue")?.text.trimmed else {
                    continue
                }
                members[variable, default: []].append(value)
            }
            let score = parent.kids("setOutcomeValue").first?.descendants("baseValue").last.flatMap { Double($0.text.trimmed) } ?? 1
            guard score > 0 else { continue }
            for (variable, values) in members { result[variable, default: []].append((values, score)) }
        }
        for condition in conditions {
            guard let parent = condition.parent, parent.name == "responseIf" || parent.name == "responseElseIf",
                let variable = condition.kid("variable")?.attribute("identifier")
            else { continue }
            var values: [String] = []
            if let value = condition.kid("baseValue") {
                values = [value.text.trimmed]
            } else if let container = condition.kid("multiple") ?? condition.kid("ordered") {
                values = container.kids("baseValue").map { $0.text.trimmed }
            }
            guard !values.isEmpty else { continue }
            // The score outcome: SCORE, or any outcome set to a number (converters write SCORE1, FIBSCORE…).
            let numeric = parent.kids("setOutcomeValue").filter { assignment in
                assignment.attribute("identifier") == "SCORE"
                    || assignment.descendants("baseValue").last.map { ["integer", "float"].contains($0.attribute("baseType") ?? "") } == true
            }
            guard let assignment = numeric.first else { continue }
            let score = assignment.descendants("baseValue").last.flatMap { Double($0.text.trimmed) } ?? 1
            guard score > 0 else { continue }
            result[variable, default: []].append((values, score))
        }
        return result
    }

    /// Gap weights written as `<product><baseValue>w</baseValue><mapResponse identifier="R"/></product>`.
    static func weights(_ processing: XMLElement?) -> [String: Double] {
        var result: [String: Double] = [:]
        guard let processing else { return [:] }
        for product in processing.descendants("product") {
            guard let weight = product.kid("baseValue").flatMap({ Double($0.text.trimmed) }),
                let id = product.children.first(where: { $0.name == "mapResponse" || $0.name == "variable" })?.attribute("identifier")
            else { continue }
            result[id] = weight
        }
        return result
    }

    /// Fractions of choices: the mapping when there is one (scaled so that the best total is 1), else the correct response.
    static func fractions(_ declaration: ResponseDeclaration, ids: [String], multiple: Bool) -> [String: Double] {
        var result: [String: Double] = [:]
        if !declaration.mapping.isEmpty {
            let positives = declaration.mapping.filter { $0.value > 0 }.map(\.value)
            let scale = multiple ? positives.reduce(0, +) : (positives.max() ?? 0)
            guard scale > 0 else { return result }
            for entry in declaration.mapping where ids.contains(entry.key) {
                result[entry.key] = max(-1, min(1, entry.value / scale)).rounded(toPlaces: 7)
            }
            return result
        }
        let correct = declaration.correct.filter { ids.contains($0) }
        for id in correct { result[id] = multiple ? (1 / Double(correct.count)).rounded(toPlaces: 7) : 1 }
        return result
    }

    // MARK: Bodies

    func choiceBody(_ interaction: XMLElement, declaration: ResponseDeclaration, context: inout QTIContext) -> QuestionBody {
        let choices = interaction.kids("simpleChoice")
        let multiple = declaration.cardinality != "single" && interaction.attribute("maxChoices") != "1"
        let ids = choices.map { $0.attribute("identifier") ?? "" }
        let fractions = Self.fractions(declaration, ids: ids, multiple: multiple)
        var options: [ChoiceOption] = []
        for (choice, id) in zip(choices, ids) {
            var text = XMLMarkup.inner(choice) { $0.name == "feedbackInline" ? "" : nil }.trimmed
            text = attachMedia(text, base: path, files: files, field: "option/\(id)", context: &context)
            let inlineFeedback = choice.kids("feedbackInline").map { XMLMarkup.inner($0).trimmed }.filter { !$0.isEmpty }.joined(separator: " ")
            options.append(
                ChoiceOption(
                    id: id, text: RichText(text), fraction: fractions[id] ?? 0, feedback: inlineFeedback.isEmpty ? nil : RichText(inlineFeedback),
                    doNotShuffle: choice.attribute("fixed") == "true"
                ))
        }
        let shuffle = interaction.attribute("shuffle") == "true"
        if !multiple {
            let lowered = Set(ids.map { $0.lowercased() })
            let texts = Set(options.map { HTMLText.stripTags($0.text.html).trimmed.lowercased() })
            if options.count == 2, lowered == ["true", "false"] || texts == ["true", "false"] || texts == ["đúng", "sai"] {
                let trueOption = options.first {
                    $0.id.lowercased() == "true" || ["true", "đúng"].contains(HTMLText.stripTags($0.text.html).trimmed.lowercased())
                }!
                let falseOption = options.first { $0 != trueOption }!
                guard options.filter(\.isCorrect).count == 1 else {
                    context.error("noCorrectAnswer", vi: "không tìm thấy đáp án đúng", en: "no correct answer found")
                    return .trueFalse(TrueFalseQuestion(correctAnswer: true))
                }
                return .trueFalse(
                    TrueFalseQuestion(correctAnswer: trueOption.isCorrect, feedbackTrue: trueOption.feedback, feedbackFalse: falseOption.feedback))
            }
            if !options.contains(where: \.isCorrect) {
                context.error("noCorrectAnswer", vi: "không tìm thấy đáp án đúng (correctResponse)", en: "no correct answer found (correctResponse)")
            }
            return .singleChoice(ChoiceQuestion(options: options, shuffle: shuffle))
        }
        if !options.contains(where: { $0.fraction > 0 }) {
            context.error("noCorrectAnswer", vi: "không tìm thấy đáp án đúng (correctResponse)", en: "no correct answer found (correctResponse)")
        }
        return .multipleResponse(ChoiceQuestion(options: options, shuffle: shuffle))
    }

    func textGap(
        _ declaration: ResponseDeclaration, interaction: XMLElement, tolerances: [String: [(value: String, tolerance: Decimal, score: Double?)]],
        context: inout QTIContext
    ) -> ClozeGapKind {
        let numericType = declaration.baseType == "float" || declaration.baseType == "integer"
        var answers: [(String, Double, Bool)] = []
        if !declaration.mapping.isEmpty {
            // Mapped values are fractions when they stay within 1; larger scales are brought back to 0…1.
            let best = declaration.mapping.map(\.value).max() ?? 0
            let scale = best > 1 ? best : 1
            for entry in declaration.mapping where entry.value > 0 {
                answers.append((entry.key, (entry.value / scale).rounded(toPlaces: 7), entry.caseSensitive))
            }
        }
        for value in declaration.correct where !answers.contains(where: { $0.0 == value }) {
            answers.insert((value, 1, true), at: 0)
        }
        if numericType {
            var keys: [NumericKey] = []
            if let toleranceKeys = tolerances[declaration.identifier], !toleranceKeys.isEmpty {
                keys = toleranceKeys.map { NumericKey(answer: $0.value, tolerance: $0.tolerance, fraction: $0.score.map { min(1, max(0, $0)) } ?? 1) }
                for (value, fraction, _) in answers where !keys.contains(where: { $0.answer == value }) {
                    keys.append(NumericKey(answer: value, fraction: fraction))
                }
            } else {
                keys = answers.map { NumericKey(answer: $0.0, fraction: $0.1) }
            }
            if keys.isEmpty { context.error("noCorrectAnswer", vi: "không có đáp án đúng", en: "no correct answer found") }
            let length = interaction.attribute("expectedLength").flatMap(Int.init)
            return .numeric(NumericQuestion(keys: keys, answerBoxLength: length))
        }
        if answers.isEmpty { context.error("noCorrectAnswer", vi: "không có đáp án đúng", en: "no correct answer found") }
        // `match` against the correct response is case-sensitive; a mapping says so per entry.
        let caseSensitive = declaration.mapping.isEmpty || declaration.mapping.allSatisfy(\.caseSensitive)
        return .shortText(ShortTextQuestion(keys: answers.map { ShortTextKey(pattern: $0.0, fraction: $0.1) }, caseSensitive: caseSensitive))
    }

    func matchingBody(_ interaction: XMLElement, declaration: ResponseDeclaration, context: inout QTIContext) -> QuestionBody {
        let sets = interaction.kids("simpleMatchSet")
        let sources: [XMLElement]
        let targets: [XMLElement]
        if interaction.name == "matchInteraction", sets.count == 2 {
            sources = sets[0].kids("simpleAssociableChoice")
            targets = sets[1].kids("simpleAssociableChoice")
        } else {
            sources = interaction.kids("simpleAssociableChoice")
            targets = sources
        }
        func text(_ element: XMLElement) -> String { XMLMarkup.inner(element).trimmed }
        var pairs: [MatchPair] = []
        var used: Set<String> = []
        let entries = declaration.correct.isEmpty ? declaration.mapping.filter { $0.value > 0 }.map(\.key) : declaration.correct
        for value in entries {
            let parts = value.split(separator: " ").map(String.init)
            guard parts.count == 2 else { continue }
            var source = sources.first { $0.attribute("identifier") == parts[0] }
            var target = targets.first { $0.attribute("identifier") == parts[1] }
            if source == nil || target == nil {
                source = sources.first { $0.attribute("identifier") == parts[1] }
                target = targets.first { $0.attribute("identifier") == parts[0] }
            }
            guard let source, let target else { continue }
            let answer = HTMLText.stripTags(text(target)).trimmed
            used.insert(target.attribute("identifier") ?? "")
            pairs.append(MatchPair(id: source.attribute("identifier") ?? qtiOptionID(pairs.count), prompt: RichText(text(source)), answer: answer))
        }
        if pairs.isEmpty { context.error("noCorrectAnswer", vi: "không có cặp ghép đúng (correctResponse)", en: "no right pairs (correctResponse)") }
        let distractors =
            interaction.name == "matchInteraction"
            ? targets.filter { !used.contains($0.attribute("identifier") ?? "") }.map { HTMLText.stripTags(text($0)).trimmed } : []
        return .matching(MatchingQuestion(pairs: pairs, distractors: distractors, shuffle: interaction.attribute("shuffle") == "true"))
    }

    // MARK: Feedback

    func applyModalFeedback(_ question: inout Question, context: inout QTIContext) {
        var general: [String] = []
        var outcome = OutcomeFeedback()
        var hasOutcome = false
        for feedback in root.kids("modalFeedback") {
            var html = XMLMarkup.inner(feedback).trimmed
            html = attachMedia(html, base: path, files: files, field: "feedback", context: &context)
            guard !html.isEmpty else { continue }
            let id = feedback.attribute("identifier") ?? ""
            let show = feedback.attribute("showHide") != "hide"
            switch question.body {
            case .singleChoice(var choice) where show && choice.options.contains(where: { $0.id == id }):
                let index = choice.options.firstIndex { $0.id == id }!
                choice.options[index].feedback = RichText(html)
                question.body = .singleChoice(choice)
                continue
            case .multipleResponse(var choice) where show && choice.options.contains(where: { $0.id == id }):
                let index = choice.options.firstIndex { $0.id == id }!
                choice.options[index].feedback = RichText(html)
                question.body = .multipleResponse(choice)
                continue
            case .trueFalse(var tf) where show && (id.lowercased() == "true" || id.lowercased() == "false"):
                if id.lowercased() == "true" { tf.feedbackTrue = RichText(html) } else { tf.feedbackFalse = RichText(html) }
                question.body = .trueFalse(tf)
                continue
            default: break
            }
            switch id.uppercased() {
            case "CORRECT" where show: outcome.correct = RichText(html); hasOutcome = true
            case "PARTIALLY_CORRECT" where show: outcome.partiallyCorrect = RichText(html); hasOutcome = true
            case "INCORRECT" where show: outcome.incorrect = RichText(html); hasOutcome = true
            default: general.append(html)
            }
        }
        if !general.isEmpty { question.generalFeedback = RichText(general.joined(separator: "\n")) }
        if hasOutcome { question.outcomeFeedback = outcome }
    }

    /// The class of the `<div>` ``QTI21Exporter`` wraps around a stem that is not block content.
    static let stemWrapperClass = "hoclieu-stem"

    /// Removes the empty paragraphs and wrappers left where interactions were, and unwraps the
    /// `<div class="hoclieu-stem">` that ``QTI21Exporter`` puts around stems that are not block content.
    static func tidy(_ html: String) -> String {
        var text = html
        for empty in ["<p></p>", "<div></div>", "<span></span>"] { text = text.replacingOccurrences(of: empty, with: "") }
        text = text.trimmed
        let open = "<div class=\"\(stemWrapperClass)\">"
        if text.hasPrefix(open), text.hasSuffix("</div>") { return String(text.dropFirst(open.count).dropLast(6)) }
        return text
    }
}
