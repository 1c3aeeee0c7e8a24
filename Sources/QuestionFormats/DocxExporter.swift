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
/// underline, superscript and subscript are kept; pictures are embedded; MathML becomes Office
/// Math (`mi mn mo mtext mrow mfrac msup msub msubsup msqrt mroot`; other elements as text).
/// Other types, feedback, hints and metadata cannot be written and are reported as narrowings.
///
/// The bytes are deterministic: stored ZIP entries in a fixed order with a fixed timestamp.
public enum DocxExporter {
    /// Exports the questions. Without `includeAnswers` (a question paper for students) the answer lines
    /// and worked solutions are left out.
    public static func export(_ questions: [Question], includeAnswers: Bool = true) -> QuestionExportResult {
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
        var entries = questions.map { QuestionExportEntry(id: $0.id, type: $0.type, exported: false) }
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
                entries[index].narrowings = writer.question(question, number: number + 1)
            }
        }
        for (index, question) in questions.enumerated() where !entries[index].exported {
            entries[index].narrowings = [
                .init(
                    code: "unsupportedType", vi: "Dạng câu hỏi \(question.type.rawValue) không ghi được vào .docx",
                    en: "The \(question.type.rawValue) question type cannot be written to .docx"
                )
            ]
        }
        report.entries = entries
        return QuestionExportResult(data: writer.archive(), report: report)
    }
}

/// Builds `word/document.xml` and its media, then the package.
struct DocxWriter {
    /// Whether answer lines and worked solutions are written (not on a students' question paper).
    var includeAnswers = true
    enum Inline {
        case text(String, DocxStyle)
        case tab
        case image(String)
        case math(String)
    }

    var body = ""
    var media: [(name: String, data: Data)] = []
    var mediaIDs: [Data: String] = [:]

    mutating func paragraph(_ inlines: [Inline]) {
        body += "<w:p>" + inlines.map(xml).joined() + "</w:p>"
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
        case .image(let relationship):
            return """
                <w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="1905000" cy="1428750"/>\
                <wp:docPr id="\(relationship.dropFirst(6))" name="Picture"/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">\
                <pic:pic><pic:nvPicPr><pic:cNvPr id="0" name="Picture"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="\(relationship)"/>\
                <a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="1905000" cy="1428750"/></a:xfrm>\
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
        let stem = paragraphs(question.stem, question: question, note: note)
        for (index, inlines) in stem.enumerated() {
            paragraph(index == 0 ? [.text("Câu \(number).", [.bold]), .text(" ", [])] + inlines : inlines)
        }
        if stem.isEmpty { paragraph([.text("Câu \(number).", [.bold])]) }
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

    /// A rich text as paragraphs of inlines: `<p>`, `<div>`, `<br>`, `<li>`, `<tr>` start a new one.
    mutating func paragraphs(_ text: RichText, question: Question, note: (String, String, String) -> Void) -> [[Inline]] {
        guard text.format == .html else {
            return text.html.components(separatedBy: "\n").filter { !$0.isEmpty }.map { [.text($0, [])] }
        }
        var result: [[Inline]] = []
        var current: [Inline] = []
        var style: [String: Int] = [:]
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
            case "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table":
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
                        current.append(.image(picture(item)))
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
            "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"
        let rootRelationships =
            header + """
                <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
                <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>\
                </Relationships>
                """
        var relationships = header + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
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

