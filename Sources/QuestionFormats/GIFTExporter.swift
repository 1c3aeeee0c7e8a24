import Foundation
public import HoclieuCore

/// Writes questions as GIFT (UTF-8, LF line ends, deterministic).
///
/// Every text carries its format (`[html]`, `[moodle]`, `[plain]`, `[markdown]`) and is escaped
/// (`\~ \= \# \{ \} \: \\`, line breaks as `\n`). The idnumber and tags, including the Hoclieu
/// metadata tags `hoclieu:key=value` (see ``MoodleXMLExporter``), are written as comments
/// `// [id:…]` and `// [tag:…]`, which other GIFT readers ignore and ``GIFTImporter`` reads back.
///
/// GIFT cannot hold everything; the report lists, per question:
/// - Đúng/Sai cluster → four true/false questions titled `title (a)`…`(d)`, the stem repeated in each,
///   kept together in a category of their own (`<category>/<title>`) with idnumbers `<id>-a`…`<id>-d`
///   (GIFT has one answer block per question, and a shuffled quiz would pull them apart);
/// - ordering → matching of each item to its position (`1`, `2`, …);
/// - cloze → dropped (GIFT has one answer block per question);
/// - lost: points other than 1, penalty, hints, outcome feedback, media, worked solution,
///   essay rubric and template, short-answer case sensitivity, units, answer-box length,
///   per-option "do not shuffle" and the shuffle setting.
/// Numeric answers are written with a decimal point, as Moodle's GIFT reader requires (reported
/// when the written form was `-1,5`).
public enum GIFTExporter {
    /// Exports questions as GIFT text; `categoryPaths` makes every category a full Moodle path
    /// (``QuestionCategoryPaths``), and a question without one never inherits the previous one's.
    public static func export(_ questions: [Question], categoryPaths: QuestionCategoryPaths = QuestionCategoryPaths()) -> QuestionExportResult {
        var output = ""
        var report = QuestionExportReport(format: .gift)
        var category: String?
        for question in questions {
            var narrowings: [QuestionFormatMessage] = []
            lostFields(question, &narrowings)
            if case .numeric = question.body, let rewritten = writtenFormNarrowing(question) { narrowings.append(rewritten) }
            if question.type != .trueFalseCluster, let path = categoryPaths.line(for: question, current: category), path != category {
                output += "$CATEGORY: \(path)\n\n"
                category = path
            }
            var exported = true
            switch question.body {
            case .cloze:
                exported = false
                narrowings.append(message("clozeDropped", "GIFT không biểu diễn được câu nhiều chỗ trống; câu hỏi không được xuất", "GIFT cannot express a cloze with gaps; the question was not exported"))
            case .trueFalseCluster(let cluster):
                // GIFT has one answer block per question: the cluster becomes one true/false question
                // per statement. They are kept together in a category of their own (the cluster's
                // category + its title) with idnumbers sharing a stem, so a teacher can add the group
                // to a quiz as a whole; the next question declares its category again.
                let stem = question.idNumber ?? question.id
                let group = (categoryPaths.path(for: question)) + "/" + QuestionCategoryPaths.component(question.title.isEmpty ? stem : question.title)
                output += "$CATEGORY: \(group)\n\n"
                category = group
                narrowings.append(message(
                    "clusterAsTrueFalse",
                    "câu Đúng/Sai được tách thành \(cluster.statements.count) câu đúng/sai riêng (GIFT chỉ có một khối đáp án mỗi câu), đặt chung trong danh mục \"\(group)\" với mã \(stem)-\(cluster.statements.first?.label ?? "a")…\(stem)-\(cluster.statements.last?.label ?? "d"); hãy đưa cả danh mục vào đề và không xáo trộn riêng từng câu; bảng điểm theo số ý đúng bị mất",
                    "the Đúng/Sai cluster was split into \(cluster.statements.count) true/false questions (GIFT has one answer block per question), kept together in the category \"\(group)\" with idnumbers \(stem)-\(cluster.statements.first?.label ?? "a")…\(stem)-\(cluster.statements.last?.label ?? "d"); add the whole category to a quiz and do not shuffle them apart; the table scoring by number right is lost"
                ))
                for statement in cluster.statements {
                    var single = question
                    single.title = "\(question.title) (\(statement.label))"
                    single.idNumber = "\(stem)-\(statement.label)"
                    single.stem = RichText(question.stem.html + "<br>" + statement.label + ") " + statement.text.html, format: .html)
                    single.body = .trueFalse(TrueFalseQuestion(correctAnswer: statement.isTrue, feedbackTrue: statement.feedback, feedbackFalse: statement.feedback))
                    output += block(single)
                }
            case .ordering(let ordering):
                narrowings.append(message("orderingAsMatching", "câu sắp xếp được ghi thành câu ghép đôi mục → vị trí", "the ordering question was written as matching item → position"))
                var matching = question
                matching.body = .matching(MatchingQuestion(pairs: ordering.items.enumerated().map { index, item in
                    MatchPair(id: item.id, prompt: item.text, answer: String(index + 1))
                }))
                output += block(matching)
            default:
                output += block(question)
            }
            var items: Int?
            if case .trueFalseCluster(let cluster) = question.body { items = cluster.statements.count }
            report.entries.append(QuestionExportEntry(id: question.id, type: question.type, exported: exported, narrowings: narrowings, items: items))
        }
        return QuestionExportResult(data: Data(output.utf8), report: report)
    }

    static func message(_ code: String, _ vi: String, _ en: String) -> QuestionFormatMessage {
        .init(code: code, vi: vi, en: en)
    }

    static func lostFields(_ question: Question, _ narrowings: inout [QuestionFormatMessage]) {
        var lost: [(String, String)] = []
        if question.points != 1 { lost.append(("số điểm", "points")) }
        if question.penalty != nil { lost.append(("hệ số phạt", "penalty")) }
        if !question.hints.isEmpty { lost.append(("gợi ý", "hints")) }
        if question.outcomeFeedback != nil { lost.append(("phản hồi theo kết quả", "outcome feedback")) }
        if !question.media.isEmpty { lost.append(("tệp đính kèm", "media files")) }
        if question.workedSolution != nil { lost.append(("lời giải chi tiết", "worked solution")) }
        if !question.extensions.isEmpty { lost.append(("thiết lập Moodle", "Moodle settings")) }
        switch question.body {
        case .singleChoice(let q), .multipleResponse(let q):
            if q.options.contains(where: \.doNotShuffle) { lost.append(("giữ cố định phương án", "per-option do-not-shuffle")) }
        case .essay(let q):
            if q.rubric != nil || q.responseTemplate != nil { lost.append(("hướng dẫn chấm, mẫu trả lời", "rubric and response template")) }
        case .shortText(let q):
            if q.caseSensitive { lost.append(("phân biệt chữ hoa", "case sensitivity")) }
        case .numeric(let q):
            if !q.units.isEmpty { lost.append(("đơn vị", "units")) }
            if q.answerBoxLength != nil { lost.append(("độ dài ô trả lời", "answer-box length")) }
        default: break
        }
        guard !lost.isEmpty else { return }
        narrowings.append(message(
            "fieldsLost", "GIFT không có chỗ cho: " + lost.map(\.0).joined(separator: ", "),
            "GIFT has no place for: " + lost.map(\.1).joined(separator: ", ")
        ))
    }

    /// GIFT escaping of a text.
    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "~", "=", "#", "{", "}", ":", "\\": out += "\\" + String(ch)
            case "\n": out += "\\n"
            case "\r": break
            default: out.append(ch)
            }
        }
        return out
    }

    static func formatTag(_ format: RichText.Format) -> String {
        switch format {
        case .html: "[html]"
        case .plain: "[plain]"
        case .markdown: "[markdown]"
        case .moodleAutoFormat: "[moodle]"
        }
    }

    static func text(_ rich: RichText) -> String { formatTag(rich.format) + escape(rich.html) }

    static func feedback(_ rich: RichText?) -> String {
        guard let rich, !rich.html.isEmpty else { return "" }
        return "#" + text(rich)
    }

    static func weight(_ fraction: Double) -> String { "%" + moodlePercent(fraction) + "%" }

    static func block(_ question: Question) -> String {
        var out = ""
        if let idNumber = question.idNumber ?? (question.id.isEmpty ? nil : question.id) { out += "// [id:\(idNumber)]\n" }
        for tag in question.tags + HoclieuTags.tags(for: question) { out += "// [tag:\(tag)]\n" }
        if !question.title.isEmpty { out += "::" + escape(question.title) + "::" }
        out += text(question.stem)
        var answers: [String] = []
        switch question.body {
        case .singleChoice(let q):
            answers = q.options.map { option in
                let marker = option.isCorrect ? "=" : (option.fraction == 0 ? "~" : "~" + weight(option.fraction))
                return marker + text(option.text) + feedback(option.feedback)
            }
        case .multipleResponse(let q):
            answers = q.options.map { "~" + weight($0.fraction) + text($0.text) + feedback($0.feedback) }
        case .trueFalse(let q):
            let right = q.correctAnswer ? q.feedbackTrue : q.feedbackFalse
            let wrong = q.correctAnswer ? q.feedbackFalse : q.feedbackTrue
            var line = q.correctAnswer ? "TRUE" : "FALSE"
            if right != nil || wrong != nil { line += "#" + (wrong.map(text) ?? "") + "#" + (right.map(text) ?? "") }
            answers = [line]
        case .numeric(let q):
            var lines = ["#"]
            for key in q.keys {
                if key.isWildcard {
                    lines.append("~" + feedback(key.feedback))
                    continue
                }
                let value = key.tolerance == 0 ? canonicalNumber(key) : canonicalNumber(key) + ":" + "\(key.tolerance)"
                let marker = abs(key.fraction - 1) < QuestionScoring.epsilon ? "=" : "=" + weight(key.fraction)
                lines.append(marker + value + feedback(key.feedback))
            }
            answers = lines
        case .shortText(let q):
            answers = q.keys.map { key in
                let marker = abs(key.fraction - 1) < QuestionScoring.epsilon ? "=" : "=" + weight(key.fraction)
                return marker + escape(key.pattern) + feedback(key.feedback)
            }
        case .essay:
            answers = []
        case .matching(let q):
            answers = q.pairs.map { "=" + text($0.prompt) + " -> " + escape($0.answer) }
                + q.distractors.map { "= -> " + escape($0) }
        case .ordering, .cloze, .trueFalseCluster:
            answers = []  // handled by the caller
        }
        if let general = question.generalFeedback, !general.html.isEmpty {
            answers.append("####" + text(general))
        }
        if answers.isEmpty {
            out += "{}\n\n"
        } else {
            out += "{\n" + answers.map { "\t" + $0 }.joined(separator: "\n") + "\n}\n\n"
        }
        return out
    }
}
