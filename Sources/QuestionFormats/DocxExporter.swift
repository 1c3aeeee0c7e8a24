import ContentPackages
import Foundation
public import HoclieuCore
import HoclieuXML

/// Writes questions as a Word .docx in the conventions ``DocxImporter`` reads, so that an export
/// imports back to the same questions.
///
/// Single-choice questions go to `PHẦN I`, Đúng/Sai clusters to `PHẦN II`, numeric questions with
/// the exam's 4-character box to `PHẦN III`, and essays and other numeric questions to `PHẦN IV`
/// (parts are only written when the questions are not all of one kind); numbering restarts in each
/// part. Each question is `Câu N.` in bold, its stem, its options `A.`… (an italic letter for an
/// option that must not be shuffled) or statements `a)`…, then the answer line (`Đáp án: B`,
/// `Đáp án: ĐSSĐ`, `Đáp số: -1,5`) and the worked solution after `Lời giải`. Bold, italic,
/// underline, superscript and subscript are kept; pictures are embedded at their own size (up to the
/// text width); tables stay tables and list items keep their bullet or number; MathML becomes Office
/// Math (`mi mn mo mtext mrow mfrac msup msub msubsup msqrt mroot`; other elements as text).
/// Other types are named by a line at the top of the paper; feedback, hints and metadata cannot be
/// written and are reported as narrowings.
///
/// The bytes are deterministic: stored ZIP entries in a fixed order with a fixed timestamp.
public enum DocxExporter {
    /// Exports the questions. Without `includeAnswers` (a question paper for students) the answer lines
    /// and worked solutions are left out. With `paper`, the document is framed as an exam paper: the
    /// header block (department, school, title, subject, time, mã đề, the candidate's name line) and
    /// `HẾT` at the end. Every document is set in Times New Roman 13 pt, in Vietnamese (`vi-VN`).
    ///
    /// A question of a type the paper cannot show (multiple response, true/false, matching, short
    /// text, ordering, cloze) is not left out silently: a visible line at the end of the paper names
    /// it, and the report lists it as not exported. The 2025 layout rules are checked and broken ones
    /// reported: four options in Phần I, four statements in Phần II, a short answer that fits the
    /// four-character box with a decimal comma in Phần III.
    public static func export(_ questions: [Question], includeAnswers: Bool = true, paper: DocxPaper? = nil) -> QuestionExportResult {
        var writer = DocxWriter()
        writer.includeAnswers = includeAnswers
        var report = QuestionExportReport(format: .docx)
        var groups: [[(Int, Question)]] = [[], [], [], []]
        for (index, question) in questions.enumerated() {
            switch question.body {
            case .singleChoice: groups[0].append((index, question))
            case .trueFalseCluster: groups[1].append((index, question))
            case .numeric(let numeric) where numeric.answerBoxLength == NumericQuestion.examAnswerBoxLength: groups[2].append((index, question))
            case .numeric, .essay: groups[3].append((index, question))
            default: break
            }
        }
        if let paper { writer.header(paper) }
        var entries = questions.map { QuestionExportEntry(id: $0.id, type: $0.type, exported: false) }
        // Questions the paper cannot show are named at its top, before the first part, where the
        // teacher sees them and a re-import reads them as part of the preamble.
        let grouped = Set(groups.flatMap { $0.map(\.0) })
        let missing = questions.indices.filter { !grouped.contains($0) }
        if !missing.isEmpty {
            writer.paragraph([.text("Các câu sau không in được trên đề (xem trong ngân hàng câu hỏi):", [.bold, .italic])])
        }
        for index in missing {
            let question = questions[index]
            let name = DocxLayoutRules.typeName(question.type)
            writer.paragraph([.text("[Không in được: câu \(name) \"\(question.title.isEmpty ? question.id : question.title)\", mã \(question.id)]", [.italic])])
            entries[index].narrowings = [
                .init(
                    code: "unsupportedType", vi: "Dạng câu hỏi \(name) không ghi được vào .docx; trên đề chỉ có một dòng báo thiếu",
                    en: "The \(question.type.rawValue) question type cannot be written to .docx; the paper shows a line saying it is missing"
                )
            ]
        }
        let usedGroups = groups.filter { !$0.isEmpty }.count
        let headings = [
            "PHẦN I. Câu trắc nghiệm nhiều phương án lựa chọn.", "PHẦN II. Câu trắc nghiệm đúng sai.",
            "PHẦN III. Câu trắc nghiệm trả lời ngắn.", "PHẦN IV. Tự luận.",
        ]
        for (part, group) in groups.enumerated() where !group.isEmpty {
            // Part III must be named for its answer box to be checked again on import.
            if usedGroups > 1 || part == 2 { writer.paragraph([.text(headings[part], [.bold])]) }
            for (number, (index, question)) in group.enumerated() {
                entries[index].exported = true
                entries[index].narrowings = writer.question(question, number: number + 1) + DocxLayoutRules.violations(question, part: part)
            }
        }
        if paper != nil { writer.paragraph([.text("------ HẾT ------", [.bold])], centered: true) }
        report.entries = entries
        return QuestionExportResult(data: writer.archive(), report: report)
    }
}

/// The framing of an exam paper (the header block of a Vietnamese school test).
public struct DocxPaper: Sendable, Hashable {
    /// The department, e.g. `SỞ GD&ĐT HÀ NỘI`.
    public var department: String
    /// The school, e.g. `TRƯỜNG THCS NGUYỄN DU`.
    public var school: String
    /// The test, e.g. `ĐỀ KIỂM TRA GIỮA HỌC KÌ I`.
    public var title: String
    /// Subject and grade, e.g. `Toán 6`.
    public var subject: String
    /// Working time in minutes.
    public var minutes: Int?
    /// The paper's code (mã đề), e.g. `101`.
    public var code: String?

    /// Creates a header.
    public init(department: String = "", school: String = "", title: String, subject: String = "", minutes: Int? = nil, code: String? = nil) {
        self.department = department
        self.school = school
        self.title = title
        self.subject = subject
        self.minutes = minutes
        self.code = code
    }
}

/// The 2025 general-education exam's layout rules that a paper can break.
enum DocxLayoutRules {
    static func violations(_ question: Question, part: Int) -> [QuestionFormatMessage] {
        var result: [QuestionFormatMessage] = []
        switch question.body {
        case .singleChoice(let choice) where choice.options.count != 4:
            result.append(.init(
                code: "layoutOptionCount", vi: "Phần I: câu có \(choice.options.count) phương án, đề 2025 cần đúng 4 (A, B, C, D)",
                en: "Part I: the question has \(choice.options.count) options; the 2025 layout needs exactly 4 (A, B, C, D)"))
        case .trueFalseCluster(let cluster) where cluster.statements.count != 4:
            result.append(.init(
                code: "layoutStatementCount", vi: "Phần II: câu có \(cluster.statements.count) ý, đề 2025 cần đúng 4 (a, b, c, d)",
                en: "Part II: the question has \(cluster.statements.count) statements; the 2025 layout needs exactly 4 (a, b, c, d)"))
        case .numeric(let numeric):
            for key in numeric.keys where !key.isWildcard {
                if key.answer.contains(".") {
                    result.append(.init(
                        code: "layoutDecimalPoint", vi: "đáp số \"\(key.answer)\" viết bằng dấu chấm; đề tiếng Việt dùng dấu phẩy thập phân",
                        en: "the answer \"\(key.answer)\" is written with a decimal point; Vietnamese papers use a decimal comma"))
                }
                if part == 2, key.answer.trimmingCharacters(in: .whitespaces).count > NumericQuestion.examAnswerBoxLength {
                    result.append(.init(
                        code: "layoutAnswerBox", vi: "Phần III: đáp số \"\(key.answer)\" dài hơn 4 ký tự của ô trả lời",
                        en: "Part III: the answer \"\(key.answer)\" is longer than the 4-character answer box"))
                }
            }
        default:
            break
        }
        return result
    }

    static func typeName(_ type: QuestionType) -> String {
        switch type {
        case .singleChoice: "một lựa chọn"
        case .multipleResponse: "nhiều lựa chọn đúng"
        case .trueFalse: "đúng/sai"
        case .trueFalseCluster: "Đúng/Sai 4 ý"
        case .numeric: "trả lời ngắn"
        case .shortText: "điền từ"
        case .essay: "tự luận"
        case .matching: "ghép đôi"
        case .ordering: "sắp xếp"
        case .cloze: "điền khuyết"
        }
    }
}

/// Builds `word/document.xml` and its media, then the package.
struct DocxWriter {
    /// Whether answer lines and worked solutions are written (not on a students' question paper).
    var includeAnswers = true
    enum Inline {
        case text(String, DocxStyle)
        case tab
        /// A picture: relationship id, width and height in EMU.
        case image(String, Int, Int)
        case math(String)
    }

    var body = ""
    var media: [(name: String, data: Data)] = []
    var mediaIDs: [Data: String] = [:]

    mutating func paragraph(_ inlines: [Inline], centered: Bool = false) {
        body += "<w:p>" + (centered ? "<w:pPr><w:jc w:val=\"center\"/></w:pPr>" : "") + inlines.map(xml).joined() + "</w:p>"
    }

    /// The header block: department and school on the left, the test on the right, then the
    /// candidate's line.
    mutating func header(_ paper: DocxPaper) {
        func cell(_ lines: [(String, DocxStyle)]) -> String {
            "<w:tc><w:tcPr><w:tcW w:w=\"4819\" w:type=\"dxa\"/></w:tcPr>"
                + lines.map { "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>" + xml(.text($0.0, $0.1)) + "</w:p>" }.joined() + "</w:tc>"
        }
        var right: [(String, DocxStyle)] = [(paper.title.uppercased(), [.bold])]
        if !paper.subject.isEmpty { right.append(("Môn: " + paper.subject, [.bold])) }
        if let minutes = paper.minutes { right.append(("Thời gian làm bài: \(minutes) phút, không kể thời gian phát đề", [.italic])) }
        var left: [(String, DocxStyle)] = []
        if !paper.department.isEmpty { left.append((paper.department.uppercased(), DocxStyle())) }
        if !paper.school.isEmpty { left.append((paper.school.uppercased(), .bold)) }
        body += "<w:tbl><w:tblPr><w:tblW w:w=\"9638\" w:type=\"dxa\"/><w:tblLook w:val=\"0000\"/></w:tblPr>"
            + "<w:tblGrid><w:gridCol w:w=\"4819\"/><w:gridCol w:w=\"4819\"/></w:tblGrid><w:tr>"
            + cell(left.isEmpty ? [("", DocxStyle())] : left) + cell(right) + "</w:tr></w:tbl>"
        if let code = paper.code { paragraph([.text("Mã đề \(code)", [.bold])], centered: true) }
        paragraph([.text("Họ và tên thí sinh: ……………………………………… Số báo danh: ……………", [])])
    }

    func xml(_ inline: Inline) -> String {
        switch inline {
        case .text(let text, let style):
            var properties = ""
            if style.contains(.bold) { properties += "<w:b/>" }
            if style.contains(.italic) { properties += "<w:i/>" }
            if style.contains(.underline) { properties += "<w:u w:val=\"single\"/>" }
            if style.contains(.superscript) { properties += "<w:vertAlign w:val=\"superscript\"/>" }
            if style.contains(.subscript) { properties += "<w:vertAlign w:val=\"subscript\"/>" }
            let rPr = properties.isEmpty ? "" : "<w:rPr>\(properties)</w:rPr>"
            return "<w:r>\(rPr)<w:t xml:space=\"preserve\">\(HTMLText.escape(text))</w:t></w:r>"
        case .tab:
            return "<w:r><w:tab/></w:r>"
        case .image(let relationship, let cx, let cy):
            return """
                <w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="\(cx)" cy="\(cy)"/>\
                <wp:docPr id="\(relationship.dropFirst(6))" name="Picture"/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">\
                <pic:pic><pic:nvPicPr><pic:cNvPr id="0" name="Picture"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="\(relationship)"/>\
                <a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="\(cx)" cy="\(cy)"/></a:xfrm>\
                <a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>
                """
        case .math(let omml):
            return omml
        }
    }

    /// Writes one question; returns what could not be written.
    mutating func question(_ question: Question, number: Int) -> [QuestionFormatMessage] {
        var notes: [QuestionFormatMessage] = []
        func note(_ code: String, _ vi: String, _ en: String) {
            if !notes.contains(where: { $0.code == code }) { notes.append(.init(code: code, vi: vi, en: en)) }
        }
        let label: [Inline] = [.text("Câu \(number).", [.bold]), .text(" ", [])]
        var labelled = false
        for block in blocks(question.stem, question: question, note: note) {
            switch block {
            case .paragraph(let inlines):
                paragraph(labelled ? inlines : label + inlines)
                labelled = true
            case .table(let rows):
                if !labelled { paragraph([.text("Câu \(number).", [.bold])]) }
                labelled = true
                table(rows)
            }
        }
        if !labelled { paragraph([.text("Câu \(number).", [.bold])]) }
        switch question.body {
        case .singleChoice(let choice):
            let letters = Array("ABCDEFGH")
            var answer: String?
            for (index, option) in choice.options.prefix(8).enumerated() {
                let text = paragraphs(option.text, question: question, note: note).joined(separator: [.text(" ", [])])
                paragraph([.text("\(letters[index]).", option.doNotShuffle ? [.italic] : []), .text(" ", [])] + text)
                if option.isCorrect, answer == nil { answer = String(letters[index]) }
                if option.feedback != nil { note("feedbackDropped", "phản hồi của phương án không được ghi", "option feedback is not written") }
                if option.fraction != 0, !option.isCorrect {
                    note("partialCreditDropped", "điểm một phần của phương án bị bỏ", "partial credit of an option is dropped")
                }
            }
            if choice.options.count > 8 { note("tooManyOptions", "chỉ ghi 8 phương án đầu", "only the first 8 options are written") }
            if let answer, includeAnswers { paragraph([.text("Đáp án: \(answer)", [])]) }
        case .trueFalseCluster(let cluster):
            for statement in cluster.statements {
                let text = paragraphs(statement.text, question: question, note: note).joined(separator: [.text(" ", [])])
                paragraph([.text("\(statement.label))", []), .text(" ", [])] + text)
            }
            if includeAnswers { paragraph([.text("Đáp án: " + cluster.statements.map { $0.isTrue ? "Đ" : "S" }.joined(), [])]) }
            if cluster.scoring != .standard {
                note("scoringDropped", "bảng điểm Đúng/Sai riêng không được ghi", "the custom cluster scoring table is not written")
            }
        case .numeric(let numeric):
            if let key = numeric.keys.first(where: { $0.fraction >= 1 - QuestionScoring.epsilon && !$0.isWildcard }) {
                if includeAnswers { paragraph([.text("Đáp số: \(key.answer)", [])]) }
                if key.tolerance != 0 { note("toleranceDropped", "sai số cho phép không được ghi", "the tolerance is not written") }
            }
            if numeric.keys.count > 1 { note("extraKeysDropped", "chỉ ghi một đáp số", "only one numeric answer is written") }
            if !numeric.units.isEmpty { note("unitsDropped", "đơn vị không được ghi", "units are not written") }
        default:
            break
        }
        if includeAnswers, let solution = question.workedSolution, !solution.isEmpty {
            paragraph([.text("Lời giải", [.bold])])
            for inlines in paragraphs(solution, question: question, note: note) { paragraph(inlines) }
        }
        if question.generalFeedback != nil || question.outcomeFeedback != nil {
            note("feedbackDropped", "phản hồi chung không được ghi", "general feedback is not written")
        }
        if !question.hints.isEmpty { note("hintsDropped", "gợi ý không được ghi", "hints are not written") }
        if let category = question.category, !category.hasPrefix("Phần ") {
            note("categoryDropped", "thư mục \(category) không được ghi", "the category \(category) is not written")
        }
        return notes
    }

    /// A block of a text on the page.
    enum Block {
        case paragraph([Inline])
        /// Rows of cells, each cell its paragraphs.
        case table([[[[Inline]]]])
    }

    /// A rich text as paragraphs and tables: each `<table>` (not nested) becomes a Word table whose
    /// cells hold their own paragraphs; the text around it, paragraphs.
    mutating func blocks(_ text: RichText, question: Question, note: (String, String, String) -> Void) -> [Block] {
        guard text.format == .html, text.html.range(of: "<table", options: .caseInsensitive) != nil else {
            return paragraphs(text, question: question, note: note).map { .paragraph($0) }
        }
        var result: [Block] = []
        var rest = Substring(text.html)
        while let open = rest.range(of: "<table", options: .caseInsensitive), let close = rest[open.upperBound...].range(of: "</table>", options: .caseInsensitive) {
            result += paragraphs(RichText(String(rest[..<open.lowerBound])), question: question, note: note).map { .paragraph($0) }
            let inner = rest[open.upperBound..<close.lowerBound]
            var rows: [[[[Inline]]]] = []
            for row in Self.elements(["tr"], in: inner) {
                var cells: [[[Inline]]] = []
                for cell in Self.elements(["td", "th"], in: row) {
                    cells.append(paragraphs(RichText(String(cell)), question: question, note: note))
                }
                if !cells.isEmpty { rows.append(cells) }
            }
            if !rows.isEmpty { result.append(.table(rows)) }
            rest = rest[close.upperBound...]
        }
        result += paragraphs(RichText(String(rest)), question: question, note: note).map { .paragraph($0) }
        return result
    }

    /// The contents of each `<name …>…</name>` (of any of `names`) in `html`, in order (not nested).
    static func elements(_ names: [String], in html: Substring) -> [Substring] {
        var result: [Substring] = []
        var rest = html
        while let (open, name) = names.compactMap({ name in rest.range(of: "<" + name, options: .caseInsensitive).map { ($0, name) } })
            .min(by: { $0.0.lowerBound < $1.0.lowerBound })
        {
            guard let tagEnd = rest[open.upperBound...].firstIndex(of: ">") else { break }
            let next = rest[open.upperBound]
            guard next == ">" || next == " " || next == "\t" || next == "\n" || next == "/" else {
                rest = rest[open.upperBound...]
                continue
            }
            let bodyStart = rest.index(after: tagEnd)
            guard let close = rest[bodyStart...].range(of: "</" + name + ">", options: .caseInsensitive) else {
                result.append(rest[bodyStart...])
                break
            }
            result.append(rest[bodyStart..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return result
    }

    /// A table with single borders, as wide as its content.
    mutating func table(_ rows: [[[[Inline]]]]) {
        let columns = rows.map(\.count).max() ?? 1
        let width = 9_638 / max(columns, 1)
        var xml = "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/><w:tblBorders>"
        for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
            xml += "<w:\(side) w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>"
        }
        xml += "</w:tblBorders><w:tblLook w:val=\"0000\"/></w:tblPr><w:tblGrid>"
        xml += String(repeating: "<w:gridCol w:w=\"\(width)\"/>", count: columns) + "</w:tblGrid>"
        for row in rows {
            xml += "<w:tr>"
            for index in 0..<columns {
                let cell = index < row.count ? row[index] : []
                xml += "<w:tc><w:tcPr><w:tcW w:w=\"\(width)\" w:type=\"dxa\"/></w:tcPr>"
                xml += cell.isEmpty ? "<w:p/>" : cell.map { "<w:p>" + $0.map(self.xml).joined() + "</w:p>" }.joined()
                xml += "</w:tc>"
            }
            xml += "</w:tr>"
        }
        body += xml + "</w:tbl>"
    }

    /// A rich text as paragraphs of inlines: `<p>`, `<div>`, `<br>`, `<li>`, `<tr>` start a new one;
    /// a list item starts with its bullet (`•`) or number (`1.`, `2.`…).
    mutating func paragraphs(_ text: RichText, question: Question, note: (String, String, String) -> Void) -> [[Inline]] {
        guard text.format == .html else {
            return text.html.components(separatedBy: "\n").filter { !$0.isEmpty }.map { [.text($0, [])] }
        }
        var result: [[Inline]] = []
        var current: [Inline] = []
        var style: [String: Int] = [:]
        /// Open lists: `nil` for a bulleted one, the next number for a numbered one.
        var lists: [Int?] = []
        func flush() {
            if current.contains(where: { if case .text(let t, _) = $0 { !t.allSatisfy(\.isWhitespace) } else { true } }) { result.append(current) }
            current = []
        }
        func currentStyle() -> DocxStyle {
            var s: DocxStyle = []
            if style["b", default: 0] + style["strong", default: 0] > 0 { s.insert(.bold) }
            if style["i", default: 0] + style["em", default: 0] > 0 { s.insert(.italic) }
            if style["u", default: 0] > 0 { s.insert(.underline) }
            if style["sup", default: 0] > 0 { s.insert(.superscript) }
            if style["sub", default: 0] > 0 { s.insert(.subscript) }
            return s
        }
        let html = text.html
        var index = html.startIndex
        while index < html.endIndex {
            guard html[index] == "<", let close = html[index...].firstIndex(of: ">") else {
                let next = html[index...].firstIndex(of: "<") ?? html.endIndex
                let raw = HTMLText.decodeEntities(String(html[index..<next]))
                let collapsed = raw.replacingOccurrences(of: "\n", with: " ")
                if !collapsed.isEmpty { current.append(.text(collapsed, currentStyle())) }
                index = next == index ? html.index(after: index) : next
                continue
            }
            let tag = String(html[html.index(after: index)..<close])
            let isEnd = tag.hasPrefix("/")
            let name = tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }.lowercased()
            if name == "math", !isEnd, let end = html[close...].range(of: "</math>") {
                let fragment = String(html[index..<end.upperBound])
                if let omml = MathMLToOMML.convert(fragment) {
                    current.append(.math(omml))
                } else {
                    current.append(.text(HTMLText.stripTags(fragment), currentStyle()))
                    note("mathAsText", "công thức MathML được ghi dưới dạng chữ", "a MathML formula is written as plain text")
                }
                index = end.upperBound
                continue
            }
            switch name {
            case "ul", "ol":
                flush()
                if isEnd { _ = lists.popLast() } else { lists.append(name == "ol" ? 1 : nil) }
            case "li":
                flush()
                if !isEnd, let list = lists.last {
                    if let number = list {
                        current.append(.text("\(number). ", []))
                        lists[lists.count - 1] = number + 1
                    } else {
                        current.append(.text("• ", []))
                    }
                }
            case "p", "div", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table":
                flush()
            case "br":
                flush()
            case "td", "th":
                if !isEnd, !current.isEmpty { current.append(.tab) }
            case "b", "strong", "i", "em", "u", "sup", "sub":
                style[name, default: 0] += isEnd ? -1 : 1
            case "img":
                if !isEnd, let source = Self.attribute("src", in: tag) {
                    let file = HTMLText.decodeEntities(source).replacingOccurrences(of: "@@PLUGINFILE@@/", with: "")
                    if let item = question.media.first(where: { $0.name == file }) {
                        let size = ImageSize.extent(of: item.data)
                        current.append(.image(picture(item), size.cx, size.cy))
                    } else {
                        note(
                            "imageDropped", "hình \(file) không có trong câu hỏi nên không được ghi",
                            "the picture \(file) is not among the question's files and is not written")
                    }
                }
            default:
                break
            }
            index = html.index(after: close)
        }
        flush()
        return result
    }

    static func attribute(_ name: String, in tag: String) -> String? {
        guard let range = tag.range(of: name + "=\"") else { return nil }
        guard let end = tag[range.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(tag[range.upperBound..<end])
    }

    /// Adds a picture (once per content) and returns its relationship id.
    mutating func picture(_ item: QuestionMedia) -> String {
        if let id = mediaIDs[item.data] { return id }
        let ext = item.name.split(separator: ".").last.map { "." + $0.lowercased() } ?? ""
        media.append(("image\(media.count + 1)\(ext)", item.data))
        let id = "rIdImg\(media.count)"
        mediaIDs[item.data] = id
        return id
    }

    static let namespaces = """
        xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" \
        xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" \
        xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" \
        xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" \
        xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" \
        xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"
        """

    /// Times New Roman 13 pt, Vietnamese, for the whole document (the usual setting of a Vietnamese
    /// school paper), with a little space after each paragraph.
    static let styles = """
        <w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr>\
        <w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="Times New Roman" w:cs="Times New Roman"/>\
        <w:sz w:val="26"/><w:szCs w:val="26"/><w:lang w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>\
        <w:pPrDefault><w:pPr><w:spacing w:after="60" w:line="276" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>\
        <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style></w:styles>
        """

    /// The package: content types, relationships, the document, media — in that order.
    func archive() -> Data {
        let header = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        var extensions = Set(media.compactMap { $0.name.split(separator: ".").last.map(String.init) })
        extensions.subtract(["rels", "xml"])
        var types = header + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        types += "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        types += "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        for ext in extensions.sorted() {
            types += "<Default Extension=\"\(ext)\" ContentType=\"\(DocxReader.mediaType("x." + ext))\"/>"
        }
        types +=
            "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>"
            + "<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/></Types>"
        let rootRelationships =
            header + """
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
                <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>\
                </Relationships>
                """
        var relationships = header + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        relationships +=
            "<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
        for (index, item) in media.enumerated() {
            relationships +=
                "<Relationship Id=\"rIdImg\(index + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/\(item.name)\"/>"
        }
        relationships += "</Relationships>"
        let document =
            header + "<w:document \(Self.namespaces)><w:body>" + body
            + "<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1134\" w:right=\"1134\" w:bottom=\"1134\" w:left=\"1134\" w:header=\"709\" w:footer=\"709\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>"
        var entries: [(String, Data)] = [
            ("[Content_Types].xml", Data(types.utf8)), ("_rels/.rels", Data(rootRelationships.utf8)),
            ("word/document.xml", Data(document.utf8)), ("word/_rels/document.xml.rels", Data(relationships.utf8)),
            ("word/styles.xml", Data((header + Self.styles).utf8)),
        ]
        for item in media { entries.append(("word/media/" + item.name, item.data)) }
        return StoredZipWriter.archive(entries.map { (path: $0.0, data: $0.1) })
    }
}

/// Presentation MathML (as ``OMMLConverter`` writes it) back to Office Math.
enum MathMLToOMML {
    /// `<m:oMath>…</m:oMath>` (or `m:oMathPara` for `display="block"`); `nil` when the fragment is not well-formed XML.
    static func convert(_ fragment: String) -> String? {
        guard let document = try? XMLDocument(data: Data(fragment.utf8)), let root = document.root, root.name == "math" else { return nil }
        let inner = root.children.map(node).joined()
        if root.attribute("display") == "block" { return "<m:oMathPara><m:oMath>\(inner)</m:oMath></m:oMathPara>" }
        return "<m:oMath>\(inner)</m:oMath>"
    }

    static func run(_ text: String, normal: Bool = false) -> String {
        "<m:r>" + (normal ? "<m:rPr><m:nor/></m:rPr>" : "") + "<m:t xml:space=\"preserve\">\(HTMLText.escape(text))</m:t></m:r>"
    }

    static func argument(_ element: XMLElement?) -> String {
        guard let element else { return "" }
        return node(element)
    }

    static func node(_ element: XMLElement) -> String {
        let children = element.children
        func child(_ index: Int) -> String { index < children.count ? node(children[index]) : "" }
        switch element.name {
        case "mi", "mn": return run(element.text)
        case "mo": return element.text == "\u{2061}" ? "" : run(element.text)
        case "mtext": return run(element.text, normal: true)
        case "mrow", "mstyle", "mpadded": return children.map(node).joined()
        case "mfrac": return "<m:f><m:num>\(child(0))</m:num><m:den>\(child(1))</m:den></m:f>"
        case "msup": return "<m:sSup><m:e>\(child(0))</m:e><m:sup>\(child(1))</m:sup></m:sSup>"
        case "msub": return "<m:sSub><m:e>\(child(0))</m:e><m:sub>\(child(1))</m:sub></m:sSub>"
        case "msubsup": return "<m:sSubSup><m:e>\(child(0))</m:e><m:sub>\(child(1))</m:sub><m:sup>\(child(2))</m:sup></m:sSubSup>"
        case "msqrt": return "<m:rad><m:radPr><m:degHide m:val=\"1\"/></m:radPr><m:deg/><m:e>\(children.map(node).joined())</m:e></m:rad>"
        case "mroot": return "<m:rad><m:deg>\(child(1))</m:deg><m:e>\(child(0))</m:e></m:rad>"
        default: return run(element.text)
        }
    }
}

