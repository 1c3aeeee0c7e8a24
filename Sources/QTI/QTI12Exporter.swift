public import Foundation
public import HoclieuCore
import HoclieuXML
public import QuestionFormats

/// Writes questions as QTI 1.2 in the IMS Common Cartridge 1.1 profile (`ccv1p1_qtiasiv1p2p1_v1p0.xsd`):
/// an `assessment` with one `section`, or a question bank (`objectbank`).
///
/// Deterministic: same questions, same bytes.
///
/// Types the profile has: single choice (`cc.multiple_choice.v0p1`), multiple response
/// (`cc.multiple_response.v0p1`, all-or-nothing as the profile scores it), true/false
/// (`cc.true_false.v0p1`), essay (`cc.essay.v0p1`), short text (`cc.fib.v0p1`, or
/// `cc.pattern_match.v0p1` with `varsubstring` for `*text*` patterns). The others are narrowed, each
/// with a report entry: a Đúng/Sai cluster becomes four true/false items (stem + statement); numeric →
/// pattern match of the written answers (tolerance and units lost); cloze → essay with the gaps shown
/// as blanks (answers lost); matching and ordering are not written. Lost and reported: hints, worked
/// solution, penalty, partial credit of multiple response, Hoclieu metadata; the media files are not
/// inside the XML (the report lists them).
public enum QTI12Exporter {
    /// What the document holds.
    public enum Container: Sendable, Hashable {
        /// An `assessment` (a quiz) with this title.
        case assessment(title: String)
        /// A question bank (`objectbank`).
        case objectBank
    }

    static let namespace = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
    static let schemaLocation = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2 http://www.imsglobal.org/profile/cc/ccv1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd"

    /// Exports questions in one QTI 1.2 document.
    ///
    /// - Parameter choiceFeedbackForMoodle: per-choice feedback of a multiple-response item is written in
    ///   `continue="No"` conditions after the scoring condition. Moodle's CC 1.1 quiz reader
    ///   (`backup/cc/entity11.quiz.class.php`, `get_general_feedback`) joins the feedback of every
    ///   `continue="Yes"` condition into one general feedback shown to everyone; it finds a choice's own
    ///   feedback by the condition's `varequal` whatever `continue` says (`get_feedback`).
    public static func export(
        _ questions: [Question], container: Container = .assessment(title: "Hoclieu"), identifier: String = "hoclieu-qti12",
        choiceFeedbackForMoodle: Bool = false
    ) throws -> QuestionExportResult {
        var report = QuestionExportReport(format: .qti12)
        let w = try XMLWriter()
        try w.startDocument()
        try w.startElement("questestinterop", namespaceURI: namespace)
        try w.namespaceDeclaration(prefix: "xsi", uri: "http://www.w3.org/2001/XMLSchema-instance")
        try w.attribute("schemaLocation", schemaLocation, prefix: "xsi")
        switch container {
        case .assessment(let title):
            try w.startElement("assessment")
            try w.attribute("ident", qtiIdentifier(identifier, fallback: "assessment"))
            try w.attribute("title", XHTMLWriter.xmlSafe(title))
            try w.startElement("qtimetadata")
            for (label, entry) in [("cc_profile", "cc.exam.v0p1"), ("qmd_assessmenttype", "Examination"), ("qmd_scoretype", "Percentage")] {
                try field(label, entry, w)
            }
            try w.endElement()
            try w.startElement("section")
            try w.attribute("ident", "root_section")
        case .objectBank:
            try w.startElement("objectbank")
            // The profile defines no `cc_profile` value for banks: no bank-level metadata.
            try w.attribute("ident", qtiIdentifier(identifier, fallback: "bank"))
        }
        var written = 0
        for question in questions {
            var narrowings = common(question)
            let items = plan(question, narrowings: &narrowings)
            for item in items { try writeItem(item, w, choiceFeedbackForMoodle: choiceFeedbackForMoodle) }
            written += items.count
            report.entries.append(
                QuestionExportEntry(id: question.id, type: question.type, exported: !items.isEmpty, narrowings: narrowings, items: items.count))
        }
        if written == 0 {
            // The profile needs at least one item; an empty bank gets a placeholder essay saying so.
            try writeItem(
                PlannedItem(
                    ident: "empty", title: "—", profile: "cc.essay.v0p1", stem: RichText.plain("(không có câu hỏi / no questions)"), points: 1,
                    kind: .essay
                ), w)
        }
        if case .assessment = container { try w.endElement() }
        try w.endElement()
        try w.endElement()
        try w.endDocument()
        return QuestionExportResult(data: try w.data(), report: report)
    }

    static func field(_ label: String, _ entry: String, _ w: XMLWriter) throws {
        try w.startElement("qtimetadatafield")
        try text("fieldlabel", label, w)
        try text("fieldentry", entry, w)
        try w.endElement()
    }

    static func text(_ name: String, _ value: String, _ w: XMLWriter) throws {
        try w.startElement(name)
        try w.text(XHTMLWriter.xmlSafe(value))
        try w.endElement()
    }

    // MARK: Planning

    struct Label {
        var ident: String
        var text: RichText
        var fraction: Double
        var feedback: RichText?
    }

    enum Kind {
        case choice(labels: [Label], multiple: Bool, shuffle: Bool)
        case text(patterns: [(pattern: String, fraction: Double, substring: Bool)], caseSensitive: Bool)
        case essay
    }

    struct PlannedItem {
        var ident: String
        var title: String
        var profile: String
        var stem: RichText
        var points: Double
        var kind: Kind
        var generalFeedback: RichText?
        var correctFeedback: RichText?
        var incorrectFeedback: RichText?
    }

    static func message(_ code: String, _ vi: String, _ en: String) -> QuestionFormatMessage {
        QuestionFormatMessage(code: code, vi: vi, en: en)
    }

    static func common(_ question: Question) -> [QuestionFormatMessage] {
        var result: [QuestionFormatMessage] = []
        if !question.hints.isEmpty {
            result.append(message("hintsLost", "QTI 1.2 (CC) không giữ gợi ý; đã bỏ", "QTI 1.2 (CC) has no hints; dropped"))
        }
        if question.workedSolution != nil {
            result.append(message("workedSolutionLost", "lời giải chi tiết không được ghi", "the worked solution is not written"))
        }
        if question.penalty != nil { result.append(message("penaltyLost", "hệ số phạt không được ghi", "the penalty is not written")) }
        if !question.media.isEmpty {
            result.append(
                message(
                    "mediaNotIncluded", "các tệp \(question.media.map(\.name).joined(separator: ", ")) không nằm trong tệp XML; cần đóng gói kèm",
                    "the files \(question.media.map(\.name).joined(separator: ", ")) are not inside the XML; package them alongside"
                ))
        }
        if question.subject != nil || question.grade != nil || !question.knowledgeUnits.isEmpty || question.cognitiveLevel != nil
            || !question.tags.isEmpty
        {
            result.append(message("metadataLost", "siêu dữ liệu Hoclieu không được ghi", "Hoclieu metadata is not written"))
        }
        return result
    }

    static func plan(_ question: Question, narrowings: inout [QuestionFormatMessage]) -> [PlannedItem] {
        let ident = qtiIdentifier(question.idNumber ?? question.id, fallback: "item")
        var item = PlannedItem(
            ident: ident, title: question.title, profile: "", stem: question.stem, points: question.points, kind: .essay,
            generalFeedback: question.generalFeedback, correctFeedback: question.outcomeFeedback?.correct,
            incorrectFeedback: question.outcomeFeedback?.incorrect
        )
        if let partial = question.outcomeFeedback?.partiallyCorrect, !partial.isEmpty {
            narrowings.append(
                message("partialFeedbackLost", "phản hồi \"đúng một phần\" không được ghi", "the partially-correct feedback is not written"))
        }
        switch question.body {
        case .singleChoice(let choice):
            item.profile = "cc.multiple_choice.v0p1"
            item.kind = .choice(labels: labels(choice.options), multiple: false, shuffle: choice.shuffle)
            if choice.options.contains(where: \.doNotShuffle) {
                narrowings.append(message("doNotShuffleLost", "không giữ được phương án cố định vị trí", "per-option \"do not shuffle\" is lost"))
            }
        case .multipleResponse(let choice):
            item.profile = "cc.multiple_response.v0p1"
            item.kind = .choice(labels: labels(choice.options), multiple: true, shuffle: choice.shuffle)
            narrowings.append(
                message(
                    "allOrNothing", "câu nhiều đáp án được chấm đúng hết mới có điểm (hồ sơ CC không có điểm từng phần)",
                    "multiple response is scored all or nothing (the CC profile has no partial credit)"
                ))
        case .trueFalse(let tf):
            item.profile = "cc.true_false.v0p1"
            item.kind = .choice(
                labels: [
                    Label(ident: "true", text: .plain(trueLabel), fraction: tf.correctAnswer ? 1 : 0, feedback: tf.feedbackTrue),
                    Label(ident: "false", text: .plain(falseLabel), fraction: tf.correctAnswer ? 0 : 1, feedback: tf.feedbackFalse),
                ], multiple: false, shuffle: false)
        case .trueFalseCluster(let cluster):
            narrowings.append(
                message(
                    "clusterAsTrueFalse",
                    "Câu Đúng/Sai được tách thành \(cluster.statements.count) câu đúng/sai riêng (mỗi câu gồm phần dẫn và một ý); bảng điểm \(cluster.scoring.fractions.map { "\($0)" }.joined(separator: "/")) không giữ được",
                    "The Đúng/Sai cluster is split into \(cluster.statements.count) true/false items (stem plus one statement each); the scoring table \(cluster.scoring.fractions.map { "\($0)" }.joined(separator: "/")) is lost"
                ))
            return cluster.statements.map { statement in
                var part = item
                part.ident = "\(ident)_\(qtiIdentifier(statement.label, fallback: "s"))"
                part.title = "\(question.title) (\(statement.label))"
                part.stem = RichText(html(question.stem) + "<p>\(HTMLText.escape(statement.label))) " + html(statement.text) + "</p>")
                part.points = question.points / Double(max(cluster.statements.count, 1))
                part.profile = "cc.true_false.v0p1"
                part.kind = .choice(
                    labels: [
                        Label(ident: "true", text: .plain(trueLabel), fraction: statement.isTrue ? 1 : 0, feedback: statement.feedback),
                        Label(ident: "false", text: .plain(falseLabel), fraction: statement.isTrue ? 0 : 1, feedback: statement.feedback),
                    ], multiple: false, shuffle: false)
                return part
            }
        case .shortText(let text):
            let substring = text.keys.contains { isSubstringPattern($0.pattern) }
            item.profile = substring ? "cc.pattern_match.v0p1" : "cc.fib.v0p1"
            item.kind = .text(
                patterns: text.keys.map { key in
                    isSubstringPattern(key.pattern)
                        ? (String(key.pattern.dropFirst().dropLast()), key.fraction, true) : (key.pattern, key.fraction, false)
                }, caseSensitive: text.caseSensitive)
            if text.keys.contains(where: { !isSubstringPattern($0.pattern) && $0.pattern.contains("*") }) {
                narrowings.append(message("wildcardLiteral", "dấu * trong đáp án được so khớp nguyên văn", "* inside answers is matched literally"))
            }
        case .numeric(let numeric):
            item.profile = "cc.pattern_match.v0p1"
            item.kind = .text(patterns: numeric.keys.filter { !$0.isWildcard }.map { ($0.answer, $0.fraction, false) }, caseSensitive: false)
            narrowings.append(
                message(
                    "numericAsPattern",
                    "câu trả lời số được ghi thành so khớp văn bản các đáp án như đã viết (\(numeric.keys.map(\.answer).joined(separator: ", "))); sai số và đơn vị không giữ được",
                    "the numeric question is written as a text match of the answers as written (\(numeric.keys.map(\.answer).joined(separator: ", "))); tolerance and units are lost"
                ))
        case .essay:
            item.profile = "cc.essay.v0p1"
            item.kind = .essay
        case .cloze(let cloze):
            item.profile = "cc.essay.v0p1"
            item.kind = .essay
            var stem = html(question.stem)
            for index in cloze.gaps.indices { stem = stem.replacingOccurrences(of: ClozeQuestion.marker(index), with: "______") }
            item.stem = RichText(stem)
            narrowings.append(
                message(
                    "clozeAsEssay", "câu điền khuyết được ghi thành câu tự luận (các chỗ trống hiện là ______, đáp án không giữ được)",
                    "the cloze is written as an essay (gaps shown as ______; the answers are lost)"
                ))
        case .matching:
            narrowings.append(
                message(
                    "unsupportedInProfile", "hồ sơ QTI của CC không có câu ghép đôi; không ghi",
                    "the CC QTI profile has no matching questions; not written"))
            return []
        case .ordering:
            narrowings.append(
                message(
                    "unsupportedInProfile", "hồ sơ QTI của CC không có câu sắp xếp; không ghi",
                    "the CC QTI profile has no ordering questions; not written"))
            return []
        }
        return [item]
    }

    /// The choice texts of a true/false item: Vietnamese first, and the English word Canvas needs: its QTI
    /// importer keeps an item true/false only when one choice text matches `/true/i` and the other `/false/i`
    /// (`gems/plugins/qti_exporter/lib/qti/choice_interaction.rb`, `process_true_false_question`); Moodle
    /// goes by the identifiers `true`/`false` (`entity11.quiz.class.php`).
    static let trueLabel = "Đúng (True)"
    static let falseLabel = "Sai (False)"

    static func isSubstringPattern(_ pattern: String) -> Bool {
        pattern.count > 2 && pattern.hasPrefix("*") && pattern.hasSuffix("*") && !pattern.dropFirst().dropLast().contains("*")
    }

    static func labels(_ options: [ChoiceOption]) -> [Label] {
        options.map { Label(ident: qtiIdentifier($0.id, fallback: "c"), text: $0.text, fraction: $0.fraction, feedback: $0.feedback) }
    }

    static func html(_ text: RichText) -> String {
        text.format == .html ? text.html : HTMLText.escape(text.html).replacingOccurrences(of: "\n", with: "<br />")
    }

    // MARK: Writing

    static func writeMaterial(_ text: RichText, _ w: XMLWriter) throws {
        try w.startElement("material")
        try w.startElement("mattext")
        try w.attribute("texttype", text.format == .html ? "text/html" : "text/plain")
        try w.text(XHTMLWriter.xmlSafe(text.format == .html ? text.html : text.html))
        try w.endElement()
        try w.endElement()
    }

    static func writeItem(_ item: PlannedItem, _ w: XMLWriter, choiceFeedbackForMoodle: Bool = false) throws {
        try w.startElement("item")
        try w.attribute("ident", item.ident)
        if !item.title.isEmpty { try w.attribute("title", XHTMLWriter.xmlSafe(item.title)) }
        try w.startElement("itemmetadata")
        try w.startElement("qtimetadata")
        try field("cc_profile", item.profile, w)
        try field("cc_weighting", qtiNumber(item.points), w)
        try w.endElement()
        try w.endElement()

        try w.startElement("presentation")
        try writeMaterial(item.stem, w)
        switch item.kind {
        case .choice(let labels, let multiple, let shuffle):
            try w.startElement("response_lid")
            try w.attribute("ident", "response1")
            try w.attribute("rcardinality", multiple ? "Multiple" : "Single")
            try w.startElement("render_choice")
            try w.attribute("shuffle", shuffle ? "Yes" : "No")
            for label in labels {
                try w.startElement("response_label")
                try w.attribute("ident", label.ident)
                try writeMaterial(label.text, w)
                try w.endElement()
            }
            try w.endElement()
            try w.endElement()
        case .text, .essay:
            try w.startElement("response_str")
            try w.attribute("ident", "response1")
            try w.attribute("rcardinality", "Single")
            try w.startElement("render_fib")
            if case .essay = item.kind { try w.attribute("rows", "10") }
            try w.startElement("response_label")
            try w.attribute("ident", "answer1")
            try w.endElement()
            try w.endElement()
            try w.endElement()
        }
        try w.endElement()

        var feedback: [(String, RichText)] = []
        try w.startElement("resprocessing")
        try w.startElement("outcomes")
        try w.startElement("decvar")
        try w.attribute("varname", "SCORE")
        try w.attribute("vartype", "Decimal")
        try w.attribute("minvalue", "0")
        try w.attribute("maxvalue", "100")
        try w.endElement()
        try w.endElement()
        if let general = item.generalFeedback, !general.isEmpty {
            try rule(continues: true, w, condition: { try other(w) }, setScore: nil, feedbackIDs: ["general_fb"])
            feedback.append(("general_fb", general))
        }
        let correctFB = item.correctFeedback.flatMap { $0.isEmpty ? nil : $0 }
        if let correctFB { feedback.append(("correct_fb", correctFB)) }
        switch item.kind {
        case .choice(let labels, let multiple, _):
            if multiple {
                // Moodle counts the correct choices of a multiple-response item only from `varequal case="Yes"`
                // (not under `not`) in the condition that sets SCORE to 100 (`entity11.quiz.class.php`, `get_answers`).
                func perChoice(continues: Bool) throws {
                    for label in labels {
                        guard let text = label.feedback, !text.isEmpty else { continue }
                        try rule(continues: continues, w, condition: { try varequal(label.ident, w) }, setScore: nil, feedbackIDs: ["\(label.ident)_fb"])
                        feedback.append(("\(label.ident)_fb", text))
                    }
                }
                if !choiceFeedbackForMoodle { try perChoice(continues: true) }
                let right = labels.filter { $0.fraction > 0 }
                try rule(
                    continues: false, w,
                    condition: {
                        try w.startElement("and")
                        for label in labels {
                            if right.contains(where: { $0.ident == label.ident }) {
                                try varequal(label.ident, w, caseSensitive: true)
                            } else {
                                try w.startElement("not")
                                try varequal(label.ident, w, caseSensitive: true)
                                try w.endElement()
                            }
                        }
                        try w.endElement()
                    }, setScore: 100, feedbackIDs: correctFB == nil ? [] : ["correct_fb"])
                if choiceFeedbackForMoodle { try perChoice(continues: false) }
            } else {
                // One condition per choice: its score and its own feedback together. One choice is chosen, so
                // `continue="No"` loses nothing, and Moodle reads the feedback as that choice's feedback
                // instead of joining it into the general feedback (`entity11.quiz.class.php`, `get_feedback`,
                // `get_general_feedback`).
                let ordered = labels.enumerated().sorted { ($0.element.fraction, -$0.offset) > ($1.element.fraction, -$1.offset) }.map(\.element)
                for label in ordered {
                    let own = label.feedback.flatMap { $0.isEmpty ? nil : $0 }
                    guard label.fraction > 0 || own != nil else { continue }
                    var ids: [String] = []
                    if let own {
                        ids.append("\(label.ident)_fb")
                        feedback.append(("\(label.ident)_fb", own))
                    }
                    if label.fraction >= 1 - 1e-7, correctFB != nil { ids.append("correct_fb") }
                    try rule(
                        continues: false, w, condition: { try varequal(label.ident, w) }, setScore: label.fraction > 0 ? label.fraction * 100 : nil,
                        feedbackIDs: ids)
                }
            }
        case .text(let patterns, let caseSensitive):
            for pattern in patterns.filter({ $0.fraction > 0 }).sorted(by: { $0.fraction > $1.fraction }) {
                try rule(
                    continues: false, w,
                    condition: {
                        try w.startElement(pattern.substring ? "varsubstring" : "varequal")
                        try w.attribute("respident", "response1")
                        try w.attribute("case", caseSensitive ? "Yes" : "No")
                        try w.text(XHTMLWriter.xmlSafe(pattern.pattern))
                        try w.endElement()
                    }, setScore: pattern.fraction * 100, feedbackIDs: pattern.fraction >= 1 - 1e-7 && correctFB != nil ? ["correct_fb"] : [])
            }
        case .essay:
            try rule(continues: false, w, condition: { try other(w) }, setScore: nil, feedbackIDs: [])
        }
        if let incorrect = item.incorrectFeedback, !incorrect.isEmpty, !isEssay(item.kind) {
            try rule(continues: true, w, condition: { try other(w) }, setScore: nil, feedbackIDs: ["general_incorrect_fb"])
            feedback.append(("general_incorrect_fb", incorrect))
        }
        try w.endElement()
        for (ident, text) in feedback {
            try w.startElement("itemfeedback")
            try w.attribute("ident", ident)
            try w.startElement("flow_mat")
            try writeMaterial(text, w)
            try w.endElement()
            try w.endElement()
        }
        try w.endElement()
    }

    static func isEssay(_ kind: Kind) -> Bool {
        if case .essay = kind { return true }
        return false
    }

    static func rule(continues: Bool, _ w: XMLWriter, condition: () throws -> Void, setScore: Double?, feedbackIDs: [String]) throws {
        try w.startElement("respcondition")
        try w.attribute("continue", continues ? "Yes" : "No")
        try w.startElement("conditionvar")
        try condition()
        try w.endElement()
        if let setScore {
            try w.startElement("setvar")
            try w.attribute("varname", "SCORE")
            try w.attribute("action", "Set")
            try w.text(qtiNumber(setScore))
            try w.endElement()
        }
        for feedbackID in feedbackIDs {
            try w.startElement("displayfeedback")
            try w.attribute("feedbacktype", "Response")
            try w.attribute("linkrefid", feedbackID)
            try w.endElement()
        }
        try w.endElement()
    }

    static func varequal(_ ident: String, _ w: XMLWriter, caseSensitive: Bool = false) throws {
        try w.startElement("varequal")
        try w.attribute("respident", "response1")
        if caseSensitive { try w.attribute("case", "Yes") }
        try w.text(ident)
        try w.endElement()
    }

    static func other(_ w: XMLWriter) throws {
        try w.startElement("other")
        try w.endElement()
    }
}
