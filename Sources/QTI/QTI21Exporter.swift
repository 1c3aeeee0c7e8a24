import ContentPackages
public import Foundation
public import HoclieuCore
import HoclieuXML
public import QuestionFormats

/// Writes questions as QTI 2.1: one `assessmentItem` per question, or an IMS content package
/// (zip with `imsmanifest.xml`, items under `items/`, their files under `items/media/<item>/`).
///
/// Deterministic: same questions, same bytes (fixed zip timestamps, entries in question order).
///
/// Mapping: single choice / multiple response / true-false → `choiceInteraction` (`fixed` from
/// ``ChoiceOption/doNotShuffle``, partial credit as a `mapping`); short text → `textEntryInteraction`
/// (string, answers as a mapping); numeric → `textEntryInteraction` (float; tolerances as
/// `equal toleranceMode="absolute"` conditions; the answer-box length as `expectedLength`); essay →
/// `extendedTextInteraction` (the rubric as a scorer `rubricBlock`); matching → `matchInteraction`;
/// ordering → `orderInteraction`; cloze → the text with `inlineChoiceInteraction` and
/// `textEntryInteraction` in place of the gaps (gap weights in the response processing);
/// Đúng/Sai cluster → `matchInteraction` of the statements against Đúng/Sai (narrowed: scored per
/// statement, not by the cluster table). Option, outcome and general feedback → `modalFeedback`
/// driven by the `FEEDBACK` and `FEEDBACK_OUTCOME` outcomes. Lost and reported: hints, penalty,
/// numeric units, `*` wildcards in text patterns (matched literally), Hoclieu metadata.
public enum QTI21Exporter {
    static let namespace = "http://www.imsglobal.org/xsd/imsqti_v2p1"
    static let schemaLocation = "http://www.imsglobal.org/xsd/imsqti_v2p1 http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"

    /// One item document.
    public struct Item: Sendable, Hashable {
        /// The item identifier.
        public var identifier: String
        /// The `assessmentItem` XML.
        public var data: Data
        /// What was lost.
        public var entry: QuestionExportEntry
    }

    /// Writes one question as an `assessmentItem`. Media references stay as written in the question.
    public static func exportItem(_ question: Question) throws -> Item {
        try exportItem(question, mediaDirectory: nil)
    }

    /// Writes questions as a content package (zip bytes).
    public static func export(_ questions: [Question]) throws -> QuestionExportResult {
        var report = QuestionExportReport(format: .qti21)
        var entries: [(path: String, data: Data)] = []
        var resources: [(id: String, href: String, files: [String])] = []
        var usedIdentifiers: Set<String> = []
        for question in questions {
            var item = try exportItem(question, mediaDirectory: "media")
            var identifier = item.identifier
            var suffix = 2
            while !usedIdentifiers.insert(identifier).inserted {
                identifier = "\(item.identifier)_\(suffix)"
                suffix += 1
            }
            if identifier != item.identifier { item = try exportItem(question, mediaDirectory: "media", identifier: identifier) }
            let href = "items/\(identifier).xml"
            entries.append((href, item.data))
            var files = [href]
            for media in question.media.sorted(by: { $0.name < $1.name }) where (try? FileNames.validate(media.name)) != nil {
                let path = "items/media/\(identifier)/\(media.name)"
                entries.append((path, media.data))
                files.append(path)
            }
            resources.append((identifier, href, files))
            report.entries.append(item.entry)
        }
        let manifest = try manifestXML(resources)
        return QuestionExportResult(data: StoredZipWriter.archive([("imsmanifest.xml", manifest)] + entries), report: report)
    }

    static func manifestXML(_ resources: [(id: String, href: String, files: [String])]) throws -> Data {
        let w = try XMLWriter()
        try w.startDocument()
        try w.startElement("manifest", namespaceURI: "http://www.imsglobal.org/xsd/imscp_v1p1")
        try w.namespaceDeclaration(prefix: "imsqti", uri: "http://www.imsglobal.org/xsd/imsqti_metadata_v2p1")
        try w.namespaceDeclaration(prefix: "xsi", uri: "http://www.w3.org/2001/XMLSchema-instance")
        try w.attribute("identifier", "MANIFEST-hoclieu-qti21")
        try w.attribute(
            "schemaLocation",
            "http://www.imsglobal.org/xsd/imscp_v1p1 http://www.imsglobal.org/xsd/imscp_v1p1.xsd http://www.imsglobal.org/xsd/imsqti_metadata_v2p1 http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_metadata_v2p1.xsd",
            prefix: "xsi")
        try w.startElement("metadata")
        try element("schema", "QTIv2.1 Package", w)
        try element("schemaversion", "1.0.0", w)
        try w.endElement()
        try w.startElement("organizations")
        try w.endElement()
        try w.startElement("resources")
        for resource in resources {
            try w.startElement("resource")
            try w.attribute("identifier", "RES-\(resource.id)")
            try w.attribute("type", "imsqti_item_xmlv2p1")
            try w.attribute("href", resource.href)
            try w.startElement("metadata")
            try w.startElement("qtiMetadata", prefix: "imsqti")
            try w.startElement("interactionType", prefix: "imsqti")
            try w.endElement()
            try w.endElement()
            try w.endElement()
            for file in resource.files {
                try w.startElement("file")
                try w.attribute("href", file)
                try w.endElement()
            }
            try w.endElement()
        }
        try w.endElement()
        try w.endElement()
        try w.endDocument()
        return try w.data()
    }

    static func element(_ name: String, _ text: String, _ w: XMLWriter) throws {
        try w.startElement(name)
        try w.text(XHTMLWriter.xmlSafe(text))
        try w.endElement()
    }

    // MARK: Items

    static func exportItem(_ question: Question, mediaDirectory: String?, identifier: String? = nil) throws -> Item {
        let identifier = identifier ?? qtiIdentifier(question.idNumber ?? question.id, fallback: "item")
        var narrowings: [QuestionFormatMessage] = []
        let mediaNames = Set(question.media.map(\.name))
        let source: (String) -> String = { value in
            var name = value
            if name.hasPrefix("@@PLUGINFILE@@/") { name = String(name.dropFirst("@@PLUGINFILE@@/".count)) }
            guard mediaNames.contains(name) else { return value }
            return mediaDirectory.map { "\($0)/\(identifier)/\(name)" } ?? name
        }
        var body = question.body
        var stem = question.stem
        if case .trueFalseCluster(let cluster) = body {
            body = .matching(
                MatchingQuestion(
                    pairs: cluster.statements.map {
                        MatchPair(id: qtiIdentifier($0.label, fallback: "s"), prompt: $0.text, answer: $0.isTrue ? "Đúng" : "Sai")
                    },
                    distractors: Set(cluster.statements.map(\.isTrue)).count == 1 ? [cluster.statements.first?.isTrue == true ? "Sai" : "Đúng"] : [],
                    shuffle: false
                ))
            narrowings.append(
                .init(
                    code: "clusterAsMatching",
                    vi:
                        "Câu Đúng/Sai được ghi thành câu ghép (matchInteraction) các ý với Đúng/Sai; điểm tính theo từng ý, không theo bảng \(cluster.scoring.fractions.map { "\($0)" }.joined(separator: "/"))",
                    en:
                        "The Đúng/Sai cluster is written as a matchInteraction of the statements against Đúng/Sai; scored per statement, not by the table \(cluster.scoring.fractions.map { "\($0)" }.joined(separator: "/"))"
                ))
        }
        if !question.hints.isEmpty { narrowings.append(lost("hints", "gợi ý (hints)", "hints")) }
        if question.penalty != nil { narrowings.append(lost("penalty", "hệ số phạt", "the penalty")) }
        if question.workedSolution != nil, question.type != .essay {
            narrowings.append(lost("workedSolution", "lời giải chi tiết", "the worked solution"))
        }
        if question.subject != nil || question.grade != nil || !question.knowledgeUnits.isEmpty || question.cognitiveLevel != nil
            || !question.tags.isEmpty
        {
            narrowings.append(
                lost(
                    "metadata", "siêu dữ liệu Hoclieu (môn, lớp, đơn vị kiến thức, mức độ, thẻ)",
                    "Hoclieu metadata (subject, grade, knowledge units, level, tags)"))
        }

        let w = try XMLWriter(indent: "")
        try w.startDocument()
        try w.startElement("assessmentItem", namespaceURI: namespace)
        try w.namespaceDeclaration(prefix: "xsi", uri: "http://www.w3.org/2001/XMLSchema-instance")
        try w.attribute("schemaLocation", schemaLocation, prefix: "xsi")
        try w.attribute("identifier", identifier)
        try w.attribute("title", XHTMLWriter.xmlSafe(question.title.isEmpty ? identifier : question.title))
        try w.attribute("adaptive", "false")
        try w.attribute("timeDependent", "false")

        var plan = Plan()
        switch body {
        case .singleChoice(let choice), .multipleResponse(let choice):
            let multiple = question.type == .multipleResponse
            let ids = choice.options.map { qtiIdentifier($0.id, fallback: "c") }
            let correct = zip(choice.options, ids).filter { multiple ? $0.0.fraction > 0 : $0.0.isCorrect }.map(\.1)
            let partial = choice.options.contains { !($0.fraction == 0 || $0.isCorrect) || multiple }
            let mapping = partial ? zip(choice.options, ids).filter { $0.0.fraction != 0 }.map { ($0.1, $0.0.fraction, true) } : []
            plan.responses.append(
                .init(id: "RESPONSE", cardinality: multiple ? "multiple" : "single", baseType: "identifier", correct: correct, mapping: mapping))
            plan.optionFeedback = zip(choice.options, ids).compactMap { option, id in option.feedback.map { (id, $0) } }
        case .trueFalse(let tf):
            plan.responses.append(
                .init(id: "RESPONSE", cardinality: "single", baseType: "identifier", correct: [tf.correctAnswer ? "true" : "false"], mapping: []))
            plan.optionFeedback = [("true", tf.feedbackTrue), ("false", tf.feedbackFalse)].compactMap { id, text in text.map { (id, $0) } }
        case .shortText(let text):
            let best = text.keys.max { $0.fraction < $1.fraction }
            plan.responses.append(
                .init(
                    id: "RESPONSE", cardinality: "single", baseType: "string", correct: best.map { [$0.pattern] } ?? [],
                    mapping: text.keys.map { ($0.pattern, $0.fraction, text.caseSensitive) }
                ))
            if text.keys.contains(where: { $0.pattern.contains("*") }) {
                narrowings.append(
                    .init(
                        code: "wildcardLiteral", vi: "dấu * trong đáp án được so khớp nguyên văn (QTI không có ký tự đại diện)",
                        en: "* in answers is matched literally (QTI has no wildcards)"
                    ))
            }
            if text.keys.contains(where: { $0.feedback != nil }) {
                narrowings.append(lost("keyFeedback", "phản hồi theo đáp án", "feedback per answer"))
            }
        case .numeric(let numeric):
            plan.responses.append(numericResponse("RESPONSE", numeric))
            if !numeric.units.isEmpty { narrowings.append(lost("units", "đơn vị", "units")) }
            if numeric.keys.contains(where: \.isWildcard) { narrowings.append(lost("wildcardKey", "đáp án * (mọi số khác)", "the * answer (any other number)")) }
            if numeric.keys.contains(where: { $0.feedback != nil }) {
                narrowings.append(lost("keyFeedback", "phản hồi theo đáp án", "feedback per answer"))
            }
        case .essay:
            plan.responses.append(.init(id: "RESPONSE", cardinality: "single", baseType: "string", correct: [], mapping: []))
        case .matching(let matching):
            let answers = matching.answerChoices
            let pairs = matching.pairs.map { pair in "\(qtiIdentifier(pair.id, fallback: "p")) T\((answers.firstIndex(of: pair.answer) ?? 0) + 1)" }
            plan.responses.append(
                .init(
                    id: "RESPONSE", cardinality: "multiple", baseType: "directedPair", correct: pairs,
                    mapping: pairs.map { ($0, 1 / Double(max(pairs.count, 1)), true) }
                ))
        case .ordering(let ordering):
            plan.responses.append(
                .init(
                    id: "RESPONSE", cardinality: "ordered", baseType: "identifier",
                    correct: ordering.items.map { qtiIdentifier($0.id, fallback: "o") }, mapping: []
                ))
        case .cloze(let cloze):
            for (index, gap) in cloze.gaps.enumerated() {
                let id = "RESPONSE_\(index + 1)"
                switch gap.kind {
                case .choice(let options, _, _):
                    let ids = options.map { qtiIdentifier($0.id, fallback: "c") }
                    plan.responses.append(
                        .init(
                            id: id, cardinality: gap.isMultipleResponse ? "multiple" : "single", baseType: "identifier",
                            correct: zip(options, ids).filter { $0.0.isCorrect }.map(\.1),
                            mapping: zip(options, ids).filter { $0.0.fraction != 0 }.map { ($0.1, $0.0.fraction, true) }, weight: gap.weight
                        ))
                    if gap.isMultipleResponse {
                        narrowings.append(
                            .init(
                                code: "multipleGapAsSingle", vi: "chỗ trống \(index + 1) cho chọn nhiều được ghi thành danh sách chọn một",
                                en: "gap \(index + 1) (several answers) is written as a single-choice drop-down"
                            ))
                    }
                case .shortText(let text):
                    plan.responses.append(
                        .init(
                            id: id, cardinality: "single", baseType: "string",
                            correct: text.keys.max { $0.fraction < $1.fraction }.map { [$0.pattern] } ?? [],
                            mapping: text.keys.map { ($0.pattern, $0.fraction, text.caseSensitive) }, weight: gap.weight
                        ))
                case .numeric(let numeric):
                    var response = numericResponse(id, numeric)
                    response.weight = gap.weight
                    plan.responses.append(response)
                }
            }
        case .trueFalseCluster:
            break
        }

        for response in plan.responses { try writeDeclaration(response, w) }
        try writeOutcome("SCORE", baseType: "float", defaultValue: "0", w)
        try writeOutcome("MAXSCORE", baseType: "float", defaultValue: qtiNumber(question.points), w)
        try writeOutcome("FEEDBACK", baseType: "identifier", cardinality: "multiple", defaultValue: nil, w)
        try writeOutcome("FEEDBACK_OUTCOME", baseType: "identifier", defaultValue: nil, w)

        // Body.
        try w.startElement("itemBody")
        let fragment = XHTMLWriter.parse(stem.html)
        if fragment == nil {
            narrowings.append(
                .init(
                    code: "markupAsText", vi: "nội dung câu hỏi không phải XHTML hợp lệ; được ghi như văn bản thường",
                    en: "the question text is not well-formed XHTML; written as plain text"
                ))
            stem = .plain(stem.plainText)
        }
        let inline: ((Int) throws -> Void)? = {
            guard case .cloze(let cloze) = body else { return nil }
            return { index in
                guard index >= 0, index < cloze.gaps.count else { return }
                try writeGap(cloze.gaps[index], id: "RESPONSE_\(index + 1)", w)
            }
        }()
        if let fragment, stem.format == .html {
            if XHTMLWriter.isBlockContent(fragment) {
                try XHTMLWriter.writeChildren(of: fragment, w, marker: inline, source: source)
            } else {
                try w.startElement("div")
                try w.attribute("class", QTI21ItemReader.stemWrapperClass)
                try XHTMLWriter.writeChildren(of: fragment, w, marker: inline, source: source)
                try w.endElement()
            }
        } else if !stem.html.isEmpty {
            try w.startElement("div")
            try w.attribute("class", QTI21ItemReader.stemWrapperClass)
            try XHTMLWriter.writeText(stem.html, w, marker: inline)
            try w.endElement()
        }
        try writeInteraction(body, w, narrowings: &narrowings, source: source)
        if case .essay(let essay) = body, let rubric = essay.rubric {
            try w.startElement("rubricBlock")
            try w.attribute("view", "scorer")
            try writeFlow(rubric, w, narrowings: &narrowings, source: source)
            try w.endElement()
        }
        try w.endElement()

        try writeProcessing(plan, hasOutcomeFeedback: question.outcomeFeedback != nil, w)
        // Feedback.
        for (id, text) in plan.optionFeedback {
            try writeModal(outcome: "FEEDBACK", id: id, show: true, text, w, narrowings: &narrowings, source: source)
        }
        if let outcome = question.outcomeFeedback {
            for (id, text) in [("CORRECT", outcome.correct), ("PARTIALLY_CORRECT", outcome.partiallyCorrect), ("INCORRECT", outcome.incorrect)]
            where !text.isEmpty {
                try writeModal(outcome: "FEEDBACK_OUTCOME", id: id, show: true, text, w, narrowings: &narrowings, source: source)
            }
            if outcome.showNumberCorrect { narrowings.append(lost("showNumberCorrect", "hiện số ý đúng", "show number correct")) }
        }
        if let general = question.generalFeedback, !general.isEmpty {
            try writeModal(outcome: "FEEDBACK", id: "GENERAL", show: false, general, w, narrowings: &narrowings, source: source)
        }
        try w.endElement()
        try w.endDocument()
        return Item(
            identifier: identifier, data: try w.data(),
            entry: QuestionExportEntry(id: question.id, type: question.type, exported: true, narrowings: narrowings)
        )
    }

    static func lost(_ what: String, _ vi: String, _ en: String) -> QuestionFormatMessage {
        .init(code: "\(what)Lost", vi: "QTI 2.1 không giữ được \(vi); đã bỏ", en: "QTI 2.1 cannot hold \(en); dropped")
    }

    struct Response {
        var id: String
        var cardinality: String
        var baseType: String
        var correct: [String]
        var mapping: [(String, Double, Bool)]
        var weight: Int = 1
        var tolerances: [(String, Decimal, Double)] = []
        var expectedLength: Int?
    }

    struct Plan {
        var responses: [Response] = []
        var optionFeedback: [(String, RichText)] = []
    }

    static func numericResponse(_ id: String, _ numeric: NumericQuestion) -> Response {
        let keys = numeric.keys.filter { !$0.isWildcard }
        let best = keys.max { $0.fraction < $1.fraction }
        return Response(
            id: id, cardinality: "single", baseType: "float", correct: best.map { [$0.answer] } ?? [],
            mapping: keys.filter { $0.tolerance == 0 }.map { ($0.answer, $0.fraction, true) },
            tolerances: keys.filter { $0.tolerance != 0 }.map { ($0.answer, $0.tolerance, $0.fraction) }, expectedLength: numeric.answerBoxLength
        )
    }

    static func writeDeclaration(_ r: Response, _ w: XMLWriter) throws {
        try w.startElement("responseDeclaration")
        try w.attribute("identifier", r.id)
        try w.attribute("cardinality", r.cardinality)
        try w.attribute("baseType", r.baseType)
        if !r.correct.isEmpty {
            try w.startElement("correctResponse")
            for value in r.correct { try element("value", value, w) }
            try w.endElement()
        }
        if !r.mapping.isEmpty {
            try w.startElement("mapping")
            try w.attribute("defaultValue", "0")
            if r.cardinality != "single" {
                try w.attribute("lowerBound", "0")
                try w.attribute("upperBound", "1")
            }
            var seen: Set<String> = []
            for (key, value, caseSensitive) in r.mapping where seen.insert(key).inserted {
                try w.startElement("mapEntry")
                try w.attribute("mapKey", XHTMLWriter.xmlSafe(key))
                try w.attribute("mappedValue", qtiNumber(value))
                if r.baseType == "string" { try w.attribute("caseSensitive", caseSensitive ? "true" : "false") }
                try w.endElement()
            }
            try w.endElement()
        }
        try w.endElement()
    }

    static func writeOutcome(_ id: String, baseType: String, cardinality: String = "single", defaultValue: String?, _ w: XMLWriter) throws {
        try w.startElement("outcomeDeclaration")
        try w.attribute("identifier", id)
        try w.attribute("cardinality", cardinality)
        try w.attribute("baseType", baseType)
        if let defaultValue {
            try w.startElement("defaultValue")
            try element("value", defaultValue, w)
            try w.endElement()
        }
        try w.endElement()
    }

    static func writeFlow(_ text: RichText, _ w: XMLWriter, narrowings: inout [QuestionFormatMessage], source: (String) -> String) throws {
        if text.format == .html, let fragment = XHTMLWriter.parse(text.html) {
            try XHTMLWriter.writeChildren(of: fragment, w, source: source)
        } else {
            if text.format == .html {
                narrowings.append(
                    .init(
                        code: "markupAsText", vi: "một đoạn văn bản không phải XHTML hợp lệ; ghi như văn bản thường",
                        en: "a text is not well-formed XHTML; written as plain text"))
            }
            try w.text(XHTMLWriter.xmlSafe(text.plainText))
        }
    }

    static func writeInteraction(_ body: QuestionBody, _ w: XMLWriter, narrowings: inout [QuestionFormatMessage], source: (String) -> String) throws {
        switch body {
        case .singleChoice(let choice), .multipleResponse(let choice):
            try w.startElement("choiceInteraction")
            try w.attribute("responseIdentifier", "RESPONSE")
            try w.attribute("shuffle", choice.shuffle ? "true" : "false")
            try w.attribute("maxChoices", { if case .singleChoice = body { return "1" } else { return "0" } }())
            for option in choice.options {
                try w.startElement("simpleChoice")
                try w.attribute("identifier", qtiIdentifier(option.id, fallback: "c"))
                if option.doNotShuffle { try w.attribute("fixed", "true") }
                try writeFlow(option.text, w, narrowings: &narrowings, source: source)
                try w.endElement()
            }
            try w.endElement()
        case .trueFalse:
            try w.startElement("choiceInteraction")
            try w.attribute("responseIdentifier", "RESPONSE")
            try w.attribute("shuffle", "false")
            try w.attribute("maxChoices", "1")
            for (id, text) in [("true", "Đúng"), ("false", "Sai")] {
                try w.startElement("simpleChoice")
                try w.attribute("identifier", id)
                try w.text(text)
                try w.endElement()
            }
            try w.endElement()
        case .shortText, .numeric:
            try w.startElement("p")
            try writeGap(
                ClozeGap(
                    kind: {
                        if case .numeric(let n) = body {
                            return .numeric(n)
                        } else if case .shortText(let s) = body {
                            return .shortText(s)
                        } else {
                            fatalError()
                        }
                    }()), id: "RESPONSE", w)
            try w.endElement()
        case .essay(let essay):
            try w.startElement("extendedTextInteraction")
            try w.attribute("responseIdentifier", "RESPONSE")
            if let template = essay.responseTemplate, !template.isEmpty {
                try w.attribute("placeholderText", XHTMLWriter.xmlSafe(template.plainText))
            }
            try w.endElement()
        case .matching(let matching):
            let answers = matching.answerChoices
            try w.startElement("matchInteraction")
            try w.attribute("responseIdentifier", "RESPONSE")
            try w.attribute("shuffle", matching.shuffle ? "true" : "false")
            try w.attribute("maxAssociations", String(matching.pairs.count))
            try w.startElement("simpleMatchSet")
            for pair in matching.pairs {
                try w.startElement("simpleAssociableChoice")
                try w.attribute("identifier", qtiIdentifier(pair.id, fallback: "p"))
                try w.attribute("matchMax", "1")
                try writeFlow(pair.prompt, w, narrowings: &narrowings, source: source)
                try w.endElement()
            }
            try w.endElement()
            try w.startElement("simpleMatchSet")
            for (index, answer) in answers.enumerated() {
                try w.startElement("simpleAssociableChoice")
                try w.attribute("identifier", "T\(index + 1)")
                try w.attribute("matchMax", String(max(1, matching.pairs.filter { $0.answer == answer }.count)))
                try w.text(XHTMLWriter.xmlSafe(answer))
                try w.endElement()
            }
            try w.endElement()
            try w.endElement()
        case .ordering(let ordering):
            try w.startElement("orderInteraction")
            try w.attribute("responseIdentifier", "RESPONSE")
            try w.attribute("shuffle", "true")
            for item in ordering.items {
                try w.startElement("simpleChoice")
                try w.attribute("identifier", qtiIdentifier(item.id, fallback: "o"))
                try writeFlow(item.text, w, narrowings: &narrowings, source: source)
                try w.endElement()
            }
            try w.endElement()
        case .cloze, .trueFalseCluster:
            break
        }
    }

    static func writeGap(_ gap: ClozeGap, id: String, _ w: XMLWriter) throws {
        switch gap.kind {
        case .choice(let options, _, let shuffle):
            try w.startElement("inlineChoiceInteraction")
            try w.attribute("responseIdentifier", id)
            try w.attribute("shuffle", shuffle ? "true" : "false")
            for option in options {
                try w.startElement("inlineChoice")
                try w.attribute("identifier", qtiIdentifier(option.id, fallback: "c"))
                if option.doNotShuffle { try w.attribute("fixed", "true") }
                try w.text(XHTMLWriter.xmlSafe(option.text.plainText))
                try w.endElement()
            }
            try w.endElement()
        case .shortText:
            try w.startElement("textEntryInteraction")
            try w.attribute("responseIdentifier", id)
            try w.endElement()
        case .numeric(let numeric):
            try w.startElement("textEntryInteraction")
            try w.attribute("responseIdentifier", id)
            if let length = numeric.answerBoxLength { try w.attribute("expectedLength", String(length)) }
            try w.endElement()
        }
    }

    /// Response processing: for each response, `SCORE += weight × (mapped value | match)` with tolerant
    /// `equal` conditions for numeric keys; then `SCORE` scaled to 0…1 by the total weight;
    /// `FEEDBACK` = the choice made; `FEEDBACK_OUTCOME` = CORRECT / PARTIALLY_CORRECT / INCORRECT.
    static func writeProcessing(_ plan: Plan, hasOutcomeFeedback: Bool, _ w: XMLWriter) throws {
        try w.startElement("responseProcessing")
        let totalWeight = plan.responses.map(\.weight).reduce(0, +)
        for r in plan.responses where !(r.correct.isEmpty && r.mapping.isEmpty && r.tolerances.isEmpty) {
            if !r.tolerances.isEmpty {
                // Tolerant keys first, best first; exact keys through the mapping afterwards.
                try w.startElement("responseCondition")
                for (index, key) in r.tolerances.sorted(by: { $0.2 > $1.2 }).enumerated() {
                    try w.startElement(index == 0 ? "responseIf" : "responseElseIf")
                    try w.startElement("equal")
                    try w.attribute("toleranceMode", "absolute")
                    try w.attribute("tolerance", "\(key.1) \(key.1)")
                    try variable(r.id, w)
                    try baseValue("float", key.0, w)
                    try w.endElement()
                    try addToScore(weight: r.weight, w) { try baseValue("float", qtiNumber(key.2), w) }
                    try w.endElement()
                }
                if !r.mapping.isEmpty {
                    try w.startElement("responseElse")
                    try addToScore(weight: r.weight, w) { try mapResponse(r.id, w) }
                    try w.endElement()
                }
                try w.endElement()
            } else if !r.mapping.isEmpty {
                try w.startElement("responseCondition")
                try w.startElement("responseIf")
                try w.startElement("not")
                try w.startElement("isNull")
                try variable(r.id, w)
                try w.endElement()
                try w.endElement()
                try addToScore(weight: r.weight, w) { try mapResponse(r.id, w) }
                try w.endElement()
                try w.endElement()
            } else {
                try w.startElement("responseCondition")
                try w.startElement("responseIf")
                try w.startElement("match")
                try variable(r.id, w)
                try w.startElement("correct")
                try w.attribute("identifier", r.id)
                try w.endElement()
                try w.endElement()
                try addToScore(weight: r.weight, w) { try baseValue("float", "1", w) }
                try w.endElement()
                try w.endElement()
            }
        }
        if totalWeight > 1 {
            try setOutcome("SCORE", w) {
                try w.startElement("divide")
                try variable("SCORE", w)
                try baseValue("float", String(totalWeight), w)
                try w.endElement()
            }
        }
        if plan.responses.count == 1, plan.responses[0].baseType == "identifier", plan.responses[0].cardinality != "ordered",
            !plan.optionFeedback.isEmpty
        {
            try setOutcome("FEEDBACK", w) {
                if plan.responses[0].cardinality == "single" {
                    try w.startElement("multiple")
                    try variable(plan.responses[0].id, w)
                    try w.endElement()
                } else {
                    try variable(plan.responses[0].id, w)
                }
            }
        }
        if hasOutcomeFeedback {
            try w.startElement("responseCondition")
            try w.startElement("responseIf")
            try w.startElement("gte")
            try variable("SCORE", w)
            try baseValue("float", "1", w)
            try w.endElement()
            try setOutcome("FEEDBACK_OUTCOME", w) { try baseValue("identifier", "CORRECT", w) }
            try w.endElement()
            try w.startElement("responseElseIf")
            try w.startElement("gt")
            try variable("SCORE", w)
            try baseValue("float", "0", w)
            try w.endElement()
            try setOutcome("FEEDBACK_OUTCOME", w) { try baseValue("identifier", "PARTIALLY_CORRECT", w) }
            try w.endElement()
            try w.startElement("responseElse")
            try setOutcome("FEEDBACK_OUTCOME", w) { try baseValue("identifier", "INCORRECT", w) }
            try w.endElement()
            try w.endElement()
        }
        try w.endElement()
    }

    static func variable(_ id: String, _ w: XMLWriter) throws {
        try w.startElement("variable")
        try w.attribute("identifier", id)
        try w.endElement()
    }

    static func mapResponse(_ id: String, _ w: XMLWriter) throws {
        try w.startElement("mapResponse")
        try w.attribute("identifier", id)
        try w.endElement()
    }

    static func baseValue(_ type: String, _ value: String, _ w: XMLWriter) throws {
        try w.startElement("baseValue")
        try w.attribute("baseType", type)
        try w.text(value)
        try w.endElement()
    }

    static func setOutcome(_ id: String, _ w: XMLWriter, _ value: () throws -> Void) throws {
        try w.startElement("setOutcomeValue")
        try w.attribute("identifier", id)
        try value()
        try w.endElement()
    }

    /// `SCORE = SCORE + weight × value`.
    static func addToScore(weight: Int, _ w: XMLWriter, _ value: () throws -> Void) throws {
        try setOutcome("SCORE", w) {
            try w.startElement("sum")
            try variable("SCORE", w)
            try w.startElement("product")
            try baseValue("float", String(weight), w)
            try value()
            try w.endElement()
            try w.endElement()
        }
    }

    static func writeModal(
        outcome: String, id: String, show: Bool, _ text: RichText, _ w: XMLWriter, narrowings: inout [QuestionFormatMessage],
        source: (String) -> String
    ) throws {
        try w.startElement("modalFeedback")
        try w.attribute("outcomeIdentifier", outcome)
        try w.attribute("identifier", qtiIdentifier(id, fallback: "f"))
        try w.attribute("showHide", show ? "show" : "hide")
        try writeFlow(text, w, narrowings: &narrowings, source: source)
        try w.endElement()
    }
}
