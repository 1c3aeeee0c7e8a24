public import Foundation
import HoclieuCore
import HoclieuXML

/// Reads Moodle XML question files (`<quiz><question type="…">…</quiz>`).
///
/// Types: `multichoice` (single → single choice, multiple → multiple response), `truefalse`,
/// `shortanswer`, `numerical` (with units), `essay`, `matching`, `ordering`, `cloze`/`multianswer`
/// (Moodle's `{1:MULTICHOICE:…}` syntax), `gapselect` and `ddwtos` (narrowed to a cloze of
/// drop-down gaps, with a warning). `description` items are skipped with a note; `category`
/// pseudo-questions become ``QuestionCategory`` values and the category of the questions after
/// them. Any other type (`ddmarker`, `ddimageortext`, `calculated`, `random`…) is dropped and
/// listed with the reason.
///
/// Kept on the question: the name (title), texts with their formats, `<file>` attachments as
/// ``QuestionMedia`` (with the field they belong to), the legacy `<image>`/`<image_base64>` pair
/// (turned into an `<img>` at the end of the stem, as Moodle does), default grade, penalty,
/// `idnumber`, tags, hints, combined feedback, and every other simple setting
/// (`hidden`, `answernumbering`, `responseformat`…) in ``Question/extensions`` under `moodle.<name>`,
/// so that ``MoodleXMLExporter`` writes them back. Tags of the form `hoclieu:key=value`
/// carry Hoclieu metadata (subject, grade, knowledge units, level, status…) through Moodle.
///
/// Parsing goes through ``HoclieuXML`` (no network, no DTD, no entity expansion; a DOCTYPE is
/// refused). The file is parsed once and walked once: the cost is linear in its size.
public enum MoodleXMLImporter {
    /// Imports the questions of a Moodle XML document.
    public static func importQuestions(from data: Data, options: QuestionImportOptions = QuestionImportOptions()) -> QuestionImportResult {
        var reader = MoodleXMLReader(options: options)
        reader.read(data)
        return reader.accumulator.finish()
    }

    /// Imports the questions of a Moodle XML file (the size limit is checked before reading).
    public static func importQuestions(contentsOf url: URL, options: QuestionImportOptions = QuestionImportOptions()) -> QuestionImportResult {
        ImportAccumulator.importFile(url, format: .moodleXML, options: options, importer: importQuestions(from:options:))
    }
}

/// Reads a local file with a size limit; the failure is a report message.
func readFile(_ url: URL, maxBytes: Int) -> Result<Data, QuestionFormatMessage> {
    let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue
    guard let size else {
        return .failure(.init(code: "unreadableFile", vi: "Không đọc được tệp \(url.lastPathComponent)", en: "Cannot read \(url.lastPathComponent)"))
    }
    guard size <= maxBytes else { return .failure(Messages.fileTooLarge(maxBytes)) }
    guard let data = FileManager.default.contents(atPath: url.path) else {
        return .failure(.init(code: "unreadableFile", vi: "Không đọc được tệp \(url.lastPathComponent)", en: "Cannot read \(url.lastPathComponent)"))
    }
    guard data.count <= maxBytes else { return .failure(Messages.fileTooLarge(maxBytes)) }
    return .success(data)
}

extension QuestionFormatMessage: Error {}

/// The child elements of an element, by name, read once.
struct ChildMap {
    let all: [XMLElement]
    let names: [String]
    private let byName: [String: [XMLElement]]

    init(_ element: XMLElement) {
        all = element.children
        names = all.map(\.name)
        var map: [String: [XMLElement]] = [:]
        for (child, name) in zip(all, names) { map[name, default: []].append(child) }
        byName = map
    }

    func first(_ name: String) -> XMLElement? { byName[name]?.first }
    func all(_ name: String) -> [XMLElement] { byName[name] ?? [] }
    func has(_ name: String) -> Bool { byName[name] != nil }

    /// Trimmed text of the first child with that name.
    func string(_ name: String) -> String? { first(name).map { $0.text.trimmed } }
}

struct MoodleXMLReader {
    var accumulator: ImportAccumulator
    var currentCategory: String?

    init(options: QuestionImportOptions) {
        accumulator = ImportAccumulator(format: .moodleXML, options: options)
    }

    /// Elements read explicitly for every question (all others become extensions or warnings).
    static let commonElements: Set<String> = [
        "name", "questiontext", "generalfeedback", "defaultgrade", "penalty", "idnumber", "tags", "hint",
        "image", "image_base64", "correctfeedback", "partiallycorrectfeedback", "incorrectfeedback", "shownumcorrect",
    ]

    mutating func read(_ data: Data) {
        guard data.count <= accumulator.options.maxBytes else {
            accumulator.fileErrors.append(Messages.fileTooLarge(accumulator.options.maxBytes))
            return
        }
        guard !data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else {
            accumulator.fileErrors.append(Messages.emptyFile)
            return
        }
        var data = data
        // A file saved by a Windows editor without an encoding declaration: read it as
        // Windows-1252, as the GIFT and Aiken readers do, rather than refusing it.
        if String(validating: data, as: UTF8.self) == nil, !Self.declaresEncoding(data) {
            let (text, encoding) = TextDecoding.decode(data)
            if let warning = TextDecoding.encodingWarning(encoding) { accumulator.fileWarnings.append(warning) }
            data = Data(text.utf8)
        }
        let document: XMLDocument
        do {
            document = try XMLDocument(data: data, options: XMLParseOptions(maxBytes: accumulator.options.maxBytes, maxDepth: 64))
        } catch let error as XMLError {
            accumulator.fileErrors.append(Self.message(for: error))
            return
        } catch {
            accumulator.fileErrors.append(.init(code: "malformedXML", vi: "Tệp XML hỏng: \(error)", en: "Malformed XML: \(error)"))
            return
        }
        guard let root = document.root else { return }
        guard root.name == "quiz" else {
            accumulator.fileErrors.append(.init(
                code: "notMoodleXML",
                vi: "Không phải tệp câu hỏi Moodle XML: phần tử gốc là <\(root.name)>, cần <quiz>",
                en: "Not a Moodle XML question file: the root element is <\(root.name)>, expected <quiz>",
                location: .init(line: root.line, path: "/\(root.name)")
            ))
            return
        }
        var position = 0
        for element in root.children {
            position += 1
            let path = "/quiz/\(element.name)[\(position)]"
            guard element.name == "question" else {
                accumulator.fileWarnings.append(.init(
                    code: "unknownElement", vi: "Bỏ qua phần tử <\(element.name)>", en: "Ignored element <\(element.name)>",
                    location: .init(line: element.line, path: path)
                ))
                continue
            }
            let location = QuestionSourceLocation(line: element.line, path: "/quiz/question[\(position)]")
            let type = element.attribute("type") ?? ""
            if type == "category" {
                readCategory(element, location: location)
                continue
            }
            guard !accumulator.tooManyQuestions else {
                accumulator.fileErrors.append(Messages.tooManyQuestions(accumulator.options.maxQuestions))
                return
            }
            readQuestion(element, type: type, location: location)
        }
        if accumulator.entries.isEmpty, accumulator.categories.isEmpty {
            accumulator.fileWarnings.append(.init(code: "noQuestions", vi: "Tệp không có câu hỏi nào", en: "The file has no questions"))
        }
    }

    /// Whether the XML declaration names an encoding (`<?xml … encoding="…"?>`), or the file
    /// starts with a UTF-16 byte-order mark; libxml2 then decodes it itself.
    static func declaresEncoding(_ data: Data) -> Bool {
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) { return true }
        let head = String(decoding: data.prefix(200), as: UTF8.self)
        guard head.hasPrefix("<?xml"), let end = head.range(of: "?>") else { return false }
        return head[..<end.lowerBound].contains("encoding")
    }

    static func message(for error: XMLError) -> QuestionFormatMessage {
        switch error {
        case .malformed(let diagnostics):
            let first = diagnostics.first
            let line = first?.line ?? 0
            let column = first?.column ?? 0
            let detail = first?.message ?? "not well-formed"
            return .init(
                code: "malformedXML",
                vi: "Tệp XML hỏng ở dòng \(line), cột \(column): \(detail)",
                en: "Malformed XML at line \(line), column \(column): \(detail)",
                location: .init(line: line, column: column)
            )
        case .doctypeNotAllowed:
            return .init(
                code: "doctypeNotAllowed", vi: "Tệp có khai báo DOCTYPE, không được chấp nhận",
                en: "The file has a DOCTYPE declaration, which is not accepted"
            )
        case .tooLarge(let limit):
            return Messages.fileTooLarge(limit)
        case .tooDeep(let limit):
            return .init(code: "tooDeep", vi: "Các phần tử XML lồng nhau quá \(limit) cấp", en: "XML elements are nested deeper than \(limit) levels")
        default:
            return .init(code: "malformedXML", vi: "Không đọc được XML: \(error)", en: "Cannot read the XML: \(error)")
        }
    }

    mutating func readCategory(_ element: XMLElement, location: QuestionSourceLocation) {
        let children = ChildMap(element)
        guard let path = children.first("category").map({ ChildMap($0).string("text") ?? $0.text.trimmed }), !path.isEmpty else {
            accumulator.fileWarnings.append(.init(
                code: "emptyCategory", vi: "Thư mục câu hỏi không có tên", en: "A category has no path", location: location
            ))
            return
        }
        let info = children.first("info").flatMap { element -> RichText? in
            let text = ChildMap(element).string("text") ?? ""
            guard !text.isEmpty else { return nil }
            return RichText(text, format: element.attribute("format").flatMap(RichText.Format.init(moodleName:)) ?? .html)
        }
        let idNumber = children.string("idnumber").flatMap { $0.isEmpty ? nil : $0 }
        accumulator.categories.append(QuestionCategory(path: path, info: info, idNumber: idNumber))
        currentCategory = path
    }

    // MARK: Questions

    mutating func readQuestion(_ element: XMLElement, type: String, location: QuestionSourceLocation) {
        let number = accumulator.nextNumber()
        let children = ChildMap(element)
        let title = children.first("name").flatMap { ChildMap($0).string("text") } ?? ""
        var context = QuestionContext(number: number, location: location)

        switch type {
        case "description":
            accumulator.addNotImported(
                number: number, title: title, sourceType: type, location: location, outcome: .skipped,
                reason: context.message(
                    "descriptionSkipped", vi: "mô tả (description) không phải câu hỏi, đã bỏ qua",
                    en: "a description is not a question; skipped"
                )
            )
            return
        case "multichoice", "truefalse", "shortanswer", "numerical", "essay", "matching", "ordering", "cloze", "multianswer",
            "gapselect", "ddwtos":
            break
        default:
            let reason: (String, String)
            switch type {
            case "ddmarker", "ddimageortext":
                reason = ("kéo thả trên hình (\(type)) chưa được hỗ trợ", "drag and drop onto an image (\(type)) is not supported")
            case "calculated", "calculatedsimple", "calculatedmulti":
                reason = ("câu hỏi tính toán với tập dữ liệu (\(type)) chưa được hỗ trợ", "calculated questions with datasets (\(type)) are not supported")
            case "random", "randomsamatch":
                reason = ("câu hỏi ngẫu nhiên (\(type)) là quy tắc chọn câu, không phải câu hỏi", "random questions (\(type)) are selection rules, not questions")
            case "":
                reason = ("thiếu thuộc tính type", "the type attribute is missing")
            default:
                reason = ("loại câu hỏi \"\(type)\" chưa được hỗ trợ", "question type \"\(type)\" is not supported")
            }
            accumulator.addNotImported(
                number: number, title: title, sourceType: type, location: location, outcome: .dropped,
                reason: context.message("unsupportedType", vi: "bỏ qua: " + reason.0, en: "dropped: " + reason.1)
            )
            return
        }

        // Shared parts.
        var stem = context.richText(children.first("questiontext"), field: "questiontext") ?? RichText()
        let generalFeedback = context.richText(children.first("generalfeedback"), field: "generalfeedback")
        var question = Question(id: "", title: title, category: currentCategory, body: .essay(EssayQuestion()))
        if let grade = children.string("defaultgrade") {
            if let value = Double(grade) { question.points = value } else {
                context.error("invalidGrade", vi: "điểm mặc định \"\(grade)\" không phải là số", en: "the default grade \"\(grade)\" is not a number")
            }
        }
        if let penalty = children.string("penalty"), !penalty.isEmpty {
            if let value = Double(penalty) { question.penalty = value } else {
                context.error("invalidPenalty", vi: "hệ số phạt \"\(penalty)\" không phải là số", en: "the penalty \"\(penalty)\" is not a number")
            }
        }
        question.idNumber = children.string("idnumber").flatMap { $0.isEmpty ? nil : $0 }
        question.generalFeedback = generalFeedback
        for (index, hint) in children.all("hint").enumerated() {
            let hintChildren = ChildMap(hint)
            question.hints.append(context.richText(hint, field: "hint/\(index)") ?? RichText())
            for flag in hintChildren.names where flag != "text" && flag != "file" {
                question.extensions["moodle.hint.\(index).\(flag)"] = hintChildren.string(flag) ?? ""
            }
        }
        if children.has("correctfeedback") || children.has("partiallycorrectfeedback") || children.has("incorrectfeedback") || children.has("shownumcorrect") {
            question.outcomeFeedback = OutcomeFeedback(
                correct: context.richText(children.first("correctfeedback"), field: "correctfeedback") ?? RichText(),
                partiallyCorrect: context.richText(children.first("partiallycorrectfeedback"), field: "partiallycorrectfeedback") ?? RichText(),
                incorrect: context.richText(children.first("incorrectfeedback"), field: "incorrectfeedback") ?? RichText(),
                showNumberCorrect: children.has("shownumcorrect")
            )
        }
        if let image = children.string("image"), !image.isEmpty {
            context.legacyImage(name: image, base64: children.string("image_base64"), stem: &stem)
        }
        var tags: [String] = []
        if let tagsElement = children.first("tags") {
            for tag in ChildMap(tagsElement).all("tag") {
                let text = ChildMap(tag).string("text") ?? tag.text.trimmed
                if !text.isEmpty { tags.append(text) }
            }
        }

        // Type-specific parts.
        var handled = Self.commonElements
        let body: QuestionBody
        switch type {
        case "multichoice":
            handled.formUnion(["single", "shuffleanswers", "answer"])
            let single = Self.flag(children.string("single"), default: true)
            let options = readChoiceOptions(children.all("answer"), context: &context)
            let choice = ChoiceQuestion(options: options, shuffle: Self.flag(children.string("shuffleanswers"), default: true))
            body = single ? .singleChoice(choice) : .multipleResponse(choice)
        case "truefalse":
            handled.insert("answer")
            body = .trueFalse(readTrueFalse(children.all("answer"), context: &context))
        case "shortanswer":
            handled.formUnion(["usecase", "answer"])
            var keys: [ShortTextKey] = []
            for (index, answer) in children.all("answer").enumerated() {
                let answerChildren = ChildMap(answer)
                keys.append(ShortTextKey(
                    pattern: answerChildren.string("text") ?? "",
                    fraction: context.fraction(answer),
                    feedback: context.richText(answerChildren.first("feedback"), field: "answer/\(index)/feedback")
                ))
            }
            body = .shortText(ShortTextQuestion(keys: keys, caseSensitive: Self.flag(children.string("usecase"), default: false)))
        case "numerical":
            handled.formUnion(["answer", "units"])
            body = .numeric(readNumerical(children, context: &context))
        case "essay":
            handled.formUnion(["graderinfo", "responsetemplate"])
            body = .essay(EssayQuestion(
                rubric: context.richText(children.first("graderinfo"), field: "graderinfo"),
                responseTemplate: context.richText(children.first("responsetemplate"), field: "responsetemplate")
            ))
        case "matching":
            handled.formUnion(["subquestion", "shuffleanswers"])
            body = .matching(readMatching(children, context: &context))
        case "ordering":
            handled.insert("answer")
            var items: [OrderingItem] = []
            // qtype_ordering writes the position in `fraction`; keep file order when it does not.
            var answers = children.all("answer")
            let positions = answers.map { $0.attribute("fraction").flatMap { Double($0) } }
            if positions.allSatisfy({ $0 != nil }) {
                answers = zip(answers, positions).enumerated()
                    .sorted { ($0.element.1!, $0.offset) < ($1.element.1!, $1.offset) }
                    .map(\.element.0)
            }
            for (index, answer) in answers.enumerated() {
                items.append(OrderingItem(id: optionID(index), text: context.richText(answer, field: "answer/\(index)") ?? RichText()))
            }
            body = .ordering(OrderingQuestion(items: items))
        case "gapselect", "ddwtos":
            handled.formUnion(["selectoption", "dragbox", "shuffleanswers"])
            let (text, cloze) = readGapSelect(stem: stem, children: children, type: type, context: &context)
            stem.html = text
            body = .cloze(cloze)
        default:  // cloze, multianswer
            let parsed = MoodleCloze.parse(stem.html)
            stem.html = parsed.text
            for (index, gap) in parsed.gaps.enumerated() {
                for error in gap.errors {
                    context.error("invalidGap", vi: "chỗ trống \(index + 1): \(error.vi)", en: "gap \(index + 1): \(error.en)")
                }
            }
            body = .cloze(ClozeQuestion(gaps: parsed.gaps.map(\.gap)))
        }
        question.body = body
        question.stem = stem

        // Everything else: simple settings are kept, structured unknowns are reported.
        for (child, name) in zip(children.all, children.names) where !handled.contains(name) {
            if child.children.isEmpty {
                if question.extensions["moodle.\(name)"] == nil { question.extensions["moodle.\(name)"] = child.text.trimmed }
            } else {
                context.warning(
                    "elementNotImported", vi: "phần tử <\(name)> không được nhập", en: "element <\(name)> was not imported", line: child.line
                )
            }
        }
        question.media = context.media
        Self.applyTags(tags, to: &question, context: &context)
        accumulator.add(question, number: number, sourceType: type, location: location, errors: context.errors, warnings: context.warnings)
    }

    static func flag(_ text: String?, default value: Bool) -> Bool {
        guard let text = text?.lowercased(), !text.isEmpty else { return value }
        return text == "1" || text == "true" || text == "yes"
    }

    func readChoiceOptions(_ answers: [XMLElement], context: inout QuestionContext) -> [ChoiceOption] {
        var options: [ChoiceOption] = []
        for (index, answer) in answers.enumerated() {
            let id = optionID(index)
            let answerChildren = ChildMap(answer)
            options.append(ChoiceOption(
                id: id,
                text: context.richText(answer, field: "option/\(id)") ?? RichText(),
                fraction: context.fraction(answer),
                feedback: context.richText(answerChildren.first("feedback"), field: "option/\(id)/feedback")
            ))
        }
        return options
    }

    /// Moodle writes the answers `true` and `false`; like Moodle, other texts (old localised
    /// exports) are read by position, first = true, with a warning.
    func readTrueFalse(_ answers: [XMLElement], context: inout QuestionContext) -> TrueFalseQuestion {
        var result = TrueFalseQuestion(correctAnswer: true)
        var seen: Set<Bool> = []
        var right: [Bool] = []
        for (index, answer) in answers.enumerated() {
            let answerChildren = ChildMap(answer)
            let text = (answerChildren.string("text") ?? "").lowercased()
            let value: Bool
            switch text {
            case "true": value = true
            case "false": value = false
            default:
                guard index < 2 else {
                    context.error("invalidTrueFalse", vi: "đáp án đúng/sai thừa \"\(text)\"", en: "extra true/false answer \"\(text)\"", line: answer.line)
                    continue
                }
                value = index == 0
                context.warning(
                    "trueFalseByPosition", vi: "đáp án \"\(text)\" được hiểu là \(value ? "đúng" : "sai") theo vị trí",
                    en: "answer \"\(text)\" read as \(value) from its position", line: answer.line
                )
            }
            seen.insert(value)
            let feedback = context.richText(answerChildren.first("feedback"), field: "\(value)/feedback")
            if value { result.feedbackTrue = feedback } else { result.feedbackFalse = feedback }
            if context.fraction(answer) >= 1 - QuestionScoring.epsilon { right.append(value) }
        }
        if seen.count == 2, right.count == 1 {
            result.correctAnswer = right[0]
        } else {
            context.error("noCorrectAnswer", vi: "không tìm thấy đáp án đúng", en: "no correct answer found")
        }
        return result
    }

    func readNumerical(_ children: ChildMap, context: inout QuestionContext) -> NumericQuestion {
        var keys: [NumericKey] = []
        for (index, answer) in children.all("answer").enumerated() {
            let answerChildren = ChildMap(answer)
            var tolerance: Decimal = 0
            if let text = answerChildren.string("tolerance"), !text.isEmpty {
                if let value = NumericParsing.parse(text) { tolerance = value } else {
                    context.error("invalidTolerance", vi: "sai số \"\(text)\" không phải là số", en: "the tolerance \"\(text)\" is not a number")
                }
            }
            keys.append(NumericKey(
                answer: answerChildren.string("text") ?? "",
                tolerance: tolerance,
                fraction: context.fraction(answer),
                feedback: context.richText(answerChildren.first("feedback"), field: "answer/\(index)/feedback")
            ))
        }
        var units: [NumericUnit] = []
        if let unitsElement = children.first("units") {
            for unit in ChildMap(unitsElement).all("unit") {
                let unitChildren = ChildMap(unit)
                let name = unitChildren.string("unit_name") ?? ""
                let multiplier = unitChildren.string("multiplier").flatMap(NumericParsing.parse) ?? 1
                units.append(NumericUnit(name: name, multiplier: multiplier))
            }
        }
        return NumericQuestion(keys: keys, units: units)
    }

    func readMatching(_ children: ChildMap, context: inout QuestionContext) -> MatchingQuestion {
        var pairs: [MatchPair] = []
        var distractors: [String] = []
        for (index, sub) in children.all("subquestion").enumerated() {
            let subChildren = ChildMap(sub)
            let prompt = context.richText(sub, field: "subquestion/\(index)") ?? RichText()
            let answer = subChildren.first("answer").flatMap { ChildMap($0).string("text") } ?? ""
            if prompt.html.trimmed.isEmpty {
                distractors.append(answer)
            } else {
                pairs.append(MatchPair(id: optionID(pairs.count), prompt: prompt, answer: answer))
            }
        }
        return MatchingQuestion(pairs: pairs, distractors: distractors, shuffle: Self.flag(children.string("shuffleanswers"), default: true))
    }

    /// `gapselect`/`ddwtos`: `[[n]]` places choice n; the gap offers the choices of the same group.
    func readGapSelect(stem: RichText, children: ChildMap, type: String, context: inout QuestionContext) -> (String, ClozeQuestion) {
        struct Choice {
            var text: String
            var group: String
        }
        let choices = (children.all("selectoption") + children.all("dragbox")).map { element -> Choice in
            let c = ChildMap(element)
            return Choice(text: c.string("text") ?? "", group: c.string("group") ?? "1")
        }
        var text = ""
        var gaps: [ClozeGap] = []
        var rest = Substring(stem.html)
        while let open = rest.range(of: "[["), let close = rest[open.upperBound...].range(of: "]]") {
            let numberText = rest[open.upperBound..<close.lowerBound]
            text += rest[..<open.lowerBound]
            if let n = Int(numberText), n >= 1, n <= choices.count {
                let right = choices[n - 1]
                let group = choices.enumerated().filter { $0.element.group == right.group }
                let options = group.enumerated().map { position, item in
                    ChoiceOption(id: optionID(position), text: RichText(item.element.text), fraction: item.offset == n - 1 ? 1 : 0)
                }
                gaps.append(ClozeGap(kind: .choice(options: options, display: .dropdown, shuffle: Self.flag(children.string("shuffleanswers"), default: false))))
                text += ClozeQuestion.marker(gaps.count - 1)
            } else {
                context.error("invalidGap", vi: "chỗ trống [[\(numberText)]] không có lựa chọn tương ứng", en: "gap [[\(numberText)]] has no matching choice")
                text += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        text += rest
        context.warning(
            "narrowedToCloze",
            vi: "\(type) được chuyển thành câu điền khuyết chọn từ danh sách; kiểu kéo thả và nhóm lựa chọn dùng chung không giữ được",
            en: "\(type) was converted to a cloze with drop-down gaps; drag-and-drop and shared choice groups are not kept"
        )
        return (text, ClozeQuestion(gaps: gaps))
    }

    // MARK: Hoclieu metadata in tags

    static func applyTags(_ tags: [String], to question: inout Question, context: inout QuestionContext) {
        var clusterTable: ClusterScoringTable?
        var isCluster = false
        for tag in tags {
            guard tag.hasPrefix(HoclieuTags.prefix), let equals = tag.firstIndex(of: "=") else {
                question.tags.append(tag)
                continue
            }
            let key = String(tag[tag.index(tag.startIndex, offsetBy: HoclieuTags.prefix.count)..<equals])
            let value = String(tag[tag.index(after: equals)...])
            switch key {
            case "subject": question.subject = value
            case "grade": question.grade = Int(value)
            case "ku": question.knowledgeUnits.append(value)
            case "level":
                let parts = value.split(separator: "/", maxSplits: 1).map(String.init)
                if parts.count == 2 { question.cognitiveLevel = CognitiveLevelReference(framework: parts[0], level: parts[1]) }
            case "status": question.status = QuestionStatus(rawValue: value) ?? question.status
            case "version": question.version = Int(value) ?? question.version
            case "author": question.author = value
            case "source": question.source = value
            case "group": question.stimulusGroup = value
            case "answerbox":
                if case .numeric(var numeric) = question.body, let length = Int(value) {
                    numeric.answerBoxLength = length
                    question.body = .numeric(numeric)
                }
            case "idnumber":
                // Written for clozes, whose import in some Moodle versions drops <idnumber>.
                if question.idNumber == nil { question.idNumber = value }
            case "type": isCluster = value == "dungsai"
            case "dungsai-table":
                let fractions = value.split(separator: ",").compactMap { Double($0) }
                clusterTable = ClusterScoringTable(fractions: fractions)
            default:
                question.tags.append(tag)
            }
        }
        if isCluster {
            if let cluster = HoclieuTags.cluster(from: question, table: clusterTable ?? .standard) {
                question.stem = cluster.stem
                question.body = .trueFalseCluster(cluster.body)
                // Settings of the encoding, not of the question.
                question.extensions["moodle.answernumbering"] = nil
            } else {
                context.warning(
                    "clusterNotRecognised", vi: "thẻ hoclieu:type=dungsai nhưng cấu trúc không khớp; giữ nguyên dạng câu hỏi",
                    en: "tagged hoclieu:type=dungsai but the structure does not match; kept as it is"
                )
            }
        }
    }
}

/// Per-question reading state: messages and media.
struct QuestionContext {
    let number: Int
    let location: QuestionSourceLocation
    var errors: [QuestionFormatMessage] = []
    var warnings: [QuestionFormatMessage] = []
    var media: [QuestionMedia] = []

    init(number: Int, location: QuestionSourceLocation) {
        self.number = number
        self.location = location
    }

    func message(_ code: String, vi: String, en: String, line: Int? = nil) -> QuestionFormatMessage {
        var where_ = location
        if let line { where_.line = line }
        return Messages.question(number, code: code, vi: vi, en: en, at: where_)
    }

    mutating func error(_ code: String, vi: String, en: String, line: Int? = nil) {
        errors.append(message(code, vi: vi, en: en, line: line))
    }

    mutating func warning(_ code: String, vi: String, en: String, line: Int? = nil) {
        warnings.append(message(code, vi: vi, en: en, line: line))
    }

    /// The `fraction` attribute as a fraction (percent ÷ 100); an error if it is not a number.
    mutating func fraction(_ answer: XMLElement) -> Double {
        guard let text = answer.attribute("fraction") else { return 0 }
        guard let value = fractionFromPercent(text) else {
            error("invalidFraction", vi: "tỉ lệ điểm \"\(text)\" không phải là số", en: "the fraction \"\(text)\" is not a number", line: answer.line)
            return 0
        }
        return value
    }

    /// A `format` + `<text>` + `<file>`* element as rich text (`nil` when absent or empty);
    /// files are collected with `field`.
    mutating func richText(_ element: XMLElement?, field: String) -> RichText? {
        guard let element else { return nil }
        let children = ChildMap(element)
        for file in children.all("file") { addFile(file, field: field) }
        let text = children.string("text") ?? ""
        guard !text.isEmpty else { return nil }
        let formatName = element.attribute("format")
        var format = RichText.Format.html
        if let formatName {
            if let parsed = RichText.Format(moodleName: formatName) { format = parsed } else {
                warning("unknownFormat", vi: "định dạng \"\(formatName)\" không rõ, coi là HTML", en: "unknown format \"\(formatName)\", read as HTML", line: element.line)
            }
        }
        return RichText(text, format: format)
    }

    mutating func addFile(_ file: XMLElement, field: String) {
        let name = file.attribute("name") ?? ""
        guard (try? FileNames.validate(name)) != nil else {
            warning("invalidFileName", vi: "tệp đính kèm có tên không hợp lệ \"\(name)\", bỏ qua", en: "attached file with an invalid name \"\(name)\" skipped", line: file.line)
            return
        }
        let encoding = file.attribute("encoding") ?? "base64"
        guard encoding == "base64", let data = Data(base64Encoded: file.text.filter { !$0.isWhitespace }) else {
            warning("invalidFile", vi: "tệp đính kèm \"\(name)\" không giải mã được, bỏ qua", en: "attached file \"\(name)\" could not be decoded; skipped", line: file.line)
            return
        }
        media.append(QuestionMedia(name: name, mediaType: MediaTypes.resolve(declared: nil, fileName: name), data: data, field: field))
    }

    /// Moodle 1.9's `<image>` + `<image_base64>`: a file, and an `<img>` at the end of the stem.
    mutating func legacyImage(name: String, base64: String?, stem: inout RichText) {
        let fileName = name.split(separator: "/").last.map(String.init) ?? name
        guard let base64, let data = Data(base64Encoded: base64.filter { !$0.isWhitespace }), (try? FileNames.validate(fileName)) != nil else {
            warning("legacyImageLost", vi: "ảnh cũ \"\(name)\" không có dữ liệu, bỏ qua", en: "legacy image \"\(name)\" has no data; skipped")
            return
        }
        media.append(QuestionMedia(name: fileName, mediaType: MediaTypes.resolve(declared: nil, fileName: fileName), data: data, field: "questiontext"))
        stem.html += "<img src=\"@@PLUGINFILE@@/\(HTMLText.escape(fileName))\" alt=\"\" />"
        warning(
            "legacyImageConverted", vi: "ảnh theo kiểu Moodle 1.9 (<image>) được chuyển vào nội dung câu hỏi",
            en: "Moodle 1.9 image field (<image>) moved into the question text"
        )
    }
}
