import ContentPackages
import Foundation
import HoclieuCore
import HoclieuXML

// MARK: - The document as the question parser sees it

/// Character formatting that matters to the conventions (answer marks) or to the HTML.
struct DocxStyle: OptionSet, Hashable {
    let rawValue: UInt8
    static let bold = DocxStyle(rawValue: 1)
    static let italic = DocxStyle(rawValue: 2)
    static let underline = DocxStyle(rawValue: 4)
    static let red = DocxStyle(rawValue: 8)
    static let superscript = DocxStyle(rawValue: 16)
    static let `subscript` = DocxStyle(rawValue: 32)
    /// Highlighted (`w:highlight`), the marker pen some teachers use for the answer; never shown.
    static let highlight = DocxStyle(rawValue: 64)
}

/// One character of a line with its formatting; an embedded object (image, formula) is the
/// object replacement character U+FFFC with ``object`` set.
struct DocxAtom {
    var character: Character
    var style: DocxStyle
    /// Index into ``DocxBody/objects``; -1 for a character.
    var object: Int32

    static let objectCharacter: Character = "\u{FFFC}"
}

/// A line of text: a paragraph, or part of one cut at a line break (`w:br`).
struct DocxLine {
    /// 1-based number of the paragraph in document order (paragraphs in tables included).
    var paragraph: Int
    var atoms: [DocxAtom]
    /// The characters of ``atoms``, and the same lower-cased one by one (for matching keywords).
    let characters: [Character]
    let lowered: [Character]

    init(paragraph: Int, atoms: [DocxAtom]) {
        self.paragraph = paragraph
        self.atoms = atoms
        characters = atoms.map(\.character)
        lowered = characters.map { ch in
            guard ch.isUppercase else { return ch }
            let lower = ch.lowercased()
            return lower.count == 1 ? lower.first! : ch
        }
    }

    /// Whether the line shows nothing (whitespace only, no object).
    var isBlank: Bool { characters.allSatisfy { $0.isWhitespace } }
}

/// A Word table: rows of cells, each cell a list of lines.
struct DocxTable {
    var paragraph: Int
    var rows: [[[DocxLine]]]
}

enum DocxBlock {
    case line(DocxLine)
    case table(DocxTable)
}

/// Something embedded in the text.
enum DocxObject {
    /// A picture (`w:drawing` or a VML `v:imagedata`): index into ``DocxBody/media``.
    case image(media: Int, alt: String)
    /// An Office Math formula converted to MathML, with its plain text.
    case math(mathML: String, plain: String)
    /// A MathType (or other OLE) equation kept as its preview picture, when there is one.
    case mathType(media: Int?, progID: String)
}

/// A file of `word/media/`.
struct DocxMediaFile {
    var name: String
    var mediaType: String
    var data: Data
}

/// What the reader found in `word/document.xml`.
struct DocxBody {
    var blocks: [DocxBlock] = []
    var objects: [DocxObject] = []
    var media: [DocxMediaFile] = []
    var paragraphCount = 0
    /// Notes for the whole file (legacy encodings converted, external pictures…).
    var warnings: [QuestionFormatMessage] = []
    /// For formulas with constructs kept as plain text: the OMML element names, by object index.
    var unsupportedMath: [Int: [String]] = [:]

    /// Warnings that belong to the question using an object (MathType previews, formulas kept as text).
    func objectWarnings(_ object: Int) -> [(code: String, vi: String, en: String)] {
        switch objects[object] {
        case .mathType(let media, let progID):
            let kind = progID.isEmpty ? "OLE" : progID
            if media != nil {
                return [
                    (
                        "mathType", "công thức MathType (\(kind)) được giữ dưới dạng hình ảnh xem trước",
                        "a MathType equation (\(kind)) is kept as its preview picture"
                    )
                ]
            }
            return [
                (
                    "mathType", "công thức MathType (\(kind)) không có hình xem trước nên đã bị bỏ",
                    "a MathType equation (\(kind)) has no preview picture and was dropped"
                )
            ]
        case .math:
            guard let names = unsupportedMath[object] else { return [] }
            let list = names.joined(separator: ", ")
            return [
                (
                    "unsupportedMath", "công thức có thành phần \(list) chưa chuyển được sang MathML, giữ dạng chữ",
                    "a formula has \(list), not converted to MathML and kept as plain text"
                )
            ]
        case .image:
            return []
        }
    }
}

// MARK: - Reading

/// Reads the main document part of an open .docx into ``DocxBody``.
struct DocxReader {
    static let w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    static let r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    static let wp = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
    static let v = "urn:schemas-microsoft-com:vml"
    static let o = "urn:schemas-microsoft-com:office:office"
    static let mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    static let m = OMMLConverter.mathNamespace

    struct Relationship {
        var target: String
        var external: Bool
    }

    let archive: SafeArchive
    /// Folder of the main part, e.g. `word/`.
    let baseDirectory: String
    let relationships: [String: Relationship]
    /// The document's styles (run formatting of defaults, paragraph and character styles).
    let styles: DocxStyleSheet?
    let mediaLimit: Int
    /// Word's automatic numbering, when the document has a numbering part.
    var numbering: DocxNumbering?

    var body = DocxBody()
    private var mediaByPath: [String: Int] = [:]
    private var converted: Set<DocxLegacyEncoding> = []
    private var detected: Set<DocxLegacyEncoding> = []
    private var externalImages = 0
    private var missingImages: Set<String> = []
    /// The run format of the paragraph being read (its style over the defaults).
    private var paragraphFormat = DocxRunFormat()

    init(archive: SafeArchive, documentPath: String, relationships: [String: Relationship], styles: DocxStyleSheet?, mediaLimit: Int) {
        self.archive = archive
        if let slash = documentPath.lastIndex(of: "/") {
            baseDirectory = String(documentPath[...slash])
        } else {
            baseDirectory = ""
        }
        self.relationships = relationships
        self.styles = styles
        self.mediaLimit = mediaLimit
    }

    /// Reads `w:body`.
    mutating func read(_ document: XMLElement) -> DocxBody {
        guard let bodyElement = document.children.first(where: { $0.name == "body" }) else { return body }
        body.blocks = blocks(in: bodyElement)
        finishWarnings()
        return body
    }

    private mutating func finishWarnings() {
        for encoding in DocxLegacyEncoding.allCases where converted.contains(encoding) || detected.contains(encoding) {
            let name = encoding == .tcvn3 ? "TCVN3 (ABC)" : "VNI"
            let how = detected.contains(encoding) && !converted.contains(encoding) ? " (nhận ra qua các ký tự đặc trưng)" : ""
            let howEnglish = detected.contains(encoding) && !converted.contains(encoding) ? " (recognised by its characteristic characters)" : ""
            body.warnings.append(
                .init(
                    code: "legacyEncodingConverted", vi: "Văn bản mã \(name) đã được chuyển sang Unicode\(how)",
                    en: "Text in the \(name) encoding was converted to Unicode\(howEnglish)"
                ))
        }
        if externalImages > 0 {
            body.warnings.append(
                .init(
                    code: "externalImage", vi: "Bỏ qua \(externalImages) hình liên kết ra ngoài tệp",
                    en: "\(externalImages) linked (external) pictures were skipped"
                ))
        }
        for path in missingImages.sorted() {
            body.warnings.append(.init(code: "missingImage", vi: "Không đọc được hình \(path)", en: "The picture \(path) could not be read"))
        }
    }

    private mutating func blocks(in container: XMLElement) -> [DocxBlock] {
        var result: [DocxBlock] = []
        for child in container.children {
            guard child.namespaceURI == Self.w else { continue }
            switch child.name {
            case "p":
                result += paragraph(child).map { .line($0) }
            case "tbl":
                result.append(.table(table(child)))
            case "sdt":
                if let content = child.children.first(where: { $0.name == "sdtContent" }) { result += blocks(in: content) }
            case "customXml", "ins", "moveTo":
                result += blocks(in: child)
            default:
                break
            }
        }
        return result
    }

    private mutating func table(_ element: XMLElement) -> DocxTable {
        var rows: [[[DocxLine]]] = []
        let first = body.paragraphCount + 1
        for row in element.children where row.name == "tr" {
            var cells: [[DocxLine]] = []
            for cell in row.children where cell.name == "tc" || cell.name == "sdt" {
                var cellElement: XMLElement? = cell
                if cell.name == "sdt" {
                    let content = cell.children.first(where: { $0.name == "sdtContent" })
                    cellElement = content?.children.first(where: { $0.name == "tc" })
                }
                guard let cellElement else { continue }
                var lines: [DocxLine] = []
                for block in blocks(in: cellElement) {
                    switch block {
                    case .line(let line): lines.append(line)
                    case .table(let inner):
                        // A table inside a cell: its lines, row by row.
                        for innerRow in inner.rows { for innerCell in innerRow { lines += innerCell } }
                    }
                }
                cells.append(lines)
            }
            rows.append(cells)
        }
        return DocxTable(paragraph: first, rows: rows)
    }

    // MARK: Paragraphs

    /// A piece of a paragraph before legacy text is converted and lines are cut.
    private enum Piece {
        case text(String, DocxStyle, encoding: DocxLegacyEncoding?, capitals: Bool, explicitFont: Bool)
        case tab(DocxStyle)
        case lineBreak
        case object(Int, DocxStyle)
    }

    private mutating func paragraph(_ element: XMLElement) -> [DocxLine] {
        body.paragraphCount += 1
        let number = body.paragraphCount
        var pieces: [Piece] = []
        let paragraphStyle = element.children.first(where: { $0.name == "pPr" })?.children.first(where: { $0.name == "pStyle" })?.attribute(
            "val", namespace: Self.w)
        paragraphFormat = styles?.paragraphBase(paragraphStyle) ?? DocxRunFormat()
        // An automatic number ("Câu 1.", "A.") is shown before the text but is not in it.
        if numbering != nil, let numberProperties = element.children.first(where: { $0.name == "pPr" })?.children.first(where: { $0.name == "numPr" })
        {
            let numID = numberProperties.children.first { $0.name == "numId" }?.attribute("val", namespace: Self.w) ?? "0"
            let level = numberProperties.children.first { $0.name == "ilvl" }?.attribute("val", namespace: Self.w).flatMap { Int($0) } ?? 0
            if let (label, suffix) = numbering?.next(numID: numID, level: level) {
                pieces.append(.text(label, [], encoding: nil, capitals: false, explicitFont: true))
                if suffix == "\t" {
                    pieces.append(.tab([]))
                } else if !suffix.isEmpty {
                    pieces.append(.text(suffix, [], encoding: nil, capitals: false, explicitFont: true))
                }
            }
        }
        inline(element, into: &pieces)
        // Text with no legacy font may still be legacy (the font was changed, or lives in a style).
        var unknown = ""
        for case .text(let text, _, let encoding, _, let explicitFont) in pieces where encoding == nil && !explicitFont { unknown += text }
        let guessed = unknown.isEmpty ? nil : DocxLegacyEncoding.detect(unknown)
        if let guessed { detected.insert(guessed) }
        var lines: [DocxLine] = []
        var atoms: [DocxAtom] = []
        for piece in pieces {
            switch piece {
            case .text(let text, let style, let encoding, let capitals, let explicitFont):
                var decoded = text
                if let encoding, !Self.holdsVietnameseUnicode(text) {
                    decoded = encoding.decode(text, capitals: capitals)
                    if decoded != text { converted.insert(encoding) }
                } else if let guessed, !explicitFont {
                    decoded = guessed.decode(text)
                } else {
                    decoded = text.replacingOccurrences(of: "\u{AD}", with: "")
                }
                for ch in decoded { atoms.append(DocxAtom(character: ch, style: style, object: -1)) }
            case .tab(let style):
                atoms.append(DocxAtom(character: "\t", style: style, object: -1))
            case .lineBreak:
                lines.append(DocxLine(paragraph: number, atoms: atoms))
                atoms = []
            case .object(let index, let style):
                atoms.append(DocxAtom(character: DocxAtom.objectCharacter, style: style, object: Int32(index)))
            }
        }
        lines.append(DocxLine(paragraph: number, atoms: atoms))
        return lines
    }

    /// Collects the runs of a paragraph (or of a hyperlink, smart tag, content control… inside it).
    private mutating func inline(_ element: XMLElement, into pieces: inout [Piece]) {
        for child in element.children {
            let namespace = child.namespaceURI
            if namespace == Self.m {
                if child.name == "oMath" || child.name == "oMathPara" { pieces.append(.object(math(child), [])) }
                continue
            }
            if namespace == Self.mc, child.name == "AlternateContent" {
                if let branch = alternative(child) { inline(branch, into: &pieces) }
                continue
            }
            guard namespace == Self.w else { continue }
            switch child.name {
            case "r":
                run(child, into: &pieces)
            case "hyperlink", "smartTag", "ins", "moveTo", "customXml", "fldSimple", "dir", "bdo":
                inline(child, into: &pieces)
            case "sdt":
                if let content = child.children.first(where: { $0.name == "sdtContent" }) { inline(content, into: &pieces) }
            default:
                break  // pPr, del, moveFrom, bookmarks, proofErr…
            }
        }
    }

    /// `mc:Choice` when present (Word writes the modern form there), else `mc:Fallback`.
    private func alternative(_ element: XMLElement) -> XMLElement? {
        element.children.first { $0.name == "Choice" } ?? element.children.first { $0.name == "Fallback" }
    }

    /// Whether text already has Vietnamese letters only Unicode writes (ă đ ơ ư, precomposed tones):
    /// a legacy font name on such text is a leftover, and converting it would garble it.
    static func holdsVietnameseUnicode(_ text: String) -> Bool {
        text.unicodeScalars.contains { (0x0102...0x01B0).contains($0.value) || (0x1EA0...0x1EF9).contains($0.value) }
    }

    /// `FF0000` and the reds close to it (`C00000`, `E31B23`…): much more red than green or blue.
    static func isRed(_ hex: String) -> Bool {
        guard hex.count == 6, let value = UInt32(hex, radix: 16) else { return false }
        let red = (value >> 16) & 0xFF
        let green = (value >> 8) & 0xFF
        let blue = value & 0xFF
        return red >= 0xB0 && green <= 0x60 && blue <= 0x60
    }

    private mutating func run(_ element: XMLElement, into pieces: inout [Piece]) {
        let children = element.children
        let rPr = children.first { $0.name == "rPr" }
        let characterStyle = rPr?.children.first(where: { $0.name == "rStyle" })?.attribute("val", namespace: Self.w)
        let runFormat = paragraphFormat.merging(characterStyle.flatMap { styles?.characterStyles[$0] }).applying(rPr)
        let fontName = runFormat.font
        let encoding = fontName.flatMap(DocxLegacyEncoding.init(fontName:))
        let capitals = encoding == .tcvn3 && fontName.map(DocxLegacyEncoding.isCapitalFont) == true
        // A run whose own font is a Unicode font is not guessed at; inherited fonts are.
        let explicitFont = DocxRunFormat().applying(rPr).font != nil && encoding == nil
        let style = runFormat.style
        func text(_ value: String) {
            guard !value.isEmpty else { return }
            if case .text(let previous, let previousStyle, let previousEncoding, let previousCapitals, let previousExplicit)? = pieces.last,
                previousStyle == style, previousEncoding == encoding, previousCapitals == capitals, previousExplicit == explicitFont
            {
                pieces[pieces.count - 1] = .text(previous + value, style, encoding: encoding, capitals: capitals, explicitFont: explicitFont)
            } else {
                pieces.append(.text(value, style, encoding: encoding, capitals: capitals, explicitFont: explicitFont))
            }
        }
        for child in children {
            switch child.name {
            case "t": text(child.text)
            case "tab", "ptab": pieces.append(.tab(style))
            case "br", "cr": pieces.append(.lineBreak)
            case "noBreakHyphen": text("-")
            case "softHyphen": if encoding == .tcvn3 { text("\u{AD}") }
            case "drawing": if let index = drawing(child) { pieces.append(.object(index, style)) }
            case "pict": if let index = vmlPicture(child) { pieces.append(.object(index, style)) }
            case "object": pieces.append(.object(oleObject(child), style))
            case "AlternateContent":
                if let branch = alternative(child) {
                    for inner in branch.children {
                        if inner.name == "drawing", let index = drawing(inner) { pieces.append(.object(index, style)) }
                        if inner.name == "pict", let index = vmlPicture(inner) { pieces.append(.object(index, style)) }
                    }
                }
            default: break
            }
        }
    }

    // MARK: Objects

    private mutating func math(_ element: XMLElement) -> Int {
        var converter = OMMLConverter()
        let mathML = converter.convert(element)
        body.objects.append(.math(mathML: mathML, plain: OMMLConverter.plainText(element)))
        if !converter.unsupported.isEmpty { body.unsupportedMath[body.objects.count - 1] = converter.unsupported }
        return body.objects.count - 1
    }

    private mutating func drawing(_ element: XMLElement) -> Int? {
        let namespaces = ["a": Self.a, "wp": Self.wp]
        guard let blip = (try? element.select(".//a:blip", namespaces: namespaces))?.first else { return nil }
        let alt = (try? element.select(".//wp:docPr", namespaces: namespaces))?.first?.attribute("descr") ?? ""
        guard let id = blip.attribute("embed", namespace: Self.r) ?? blip.attribute("link", namespace: Self.r),
            let media = media(forRelationship: id)
        else { return nil }
        body.objects.append(.image(media: media, alt: alt))
        return body.objects.count - 1
    }

    private mutating func vmlPicture(_ element: XMLElement) -> Int? {
        guard let data = (try? element.select(".//v:imagedata", namespaces: ["v": Self.v]))?.first,
            let id = data.attribute("id", namespace: Self.r), let media = media(forRelationship: id)
        else { return nil }
        body.objects.append(.image(media: media, alt: data.attribute("title", namespace: Self.o) ?? ""))
        return body.objects.count - 1
    }

    private mutating func oleObject(_ element: XMLElement) -> Int {
        let ole = (try? element.select(".//o:OLEObject", namespaces: ["o": Self.o]))?.first
        let progID = ole?.attribute("ProgID") ?? ""
        var media: Int?
        if let data = (try? element.select(".//v:imagedata", namespaces: ["v": Self.v]))?.first, let id = data.attribute("id", namespace: Self.r) {
            media = self.media(forRelationship: id)
        }
        body.objects.append(.mathType(media: media, progID: progID))
        return body.objects.count - 1
    }

    /// The media file a relationship points to, read once.
    private mutating func media(forRelationship id: String) -> Int? {
        guard let relationship = relationships[id] else {
            missingImages.insert(id)
            return nil
        }
        guard !relationship.external else {
            externalImages += 1
            return nil
        }
        let path = Self.resolve(relationship.target, from: baseDirectory)
        if let index = mediaByPath[path] { return index }
        guard let data = try? archive.data(path, limit: mediaLimit) else {
            missingImages.insert(path)
            return nil
        }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        body.media.append(DocxMediaFile(name: name, mediaType: Self.mediaType(name), data: data))
        mediaByPath[path] = body.media.count - 1
        return body.media.count - 1
    }

    /// A relationship target resolved against the folder of its part (`media/a.png` → `word/media/a.png`;
    /// `/word/x` is absolute; `..` goes up).
    static func resolve(_ target: String, from base: String) -> String {
        var parts: [Substring] = target.hasPrefix("/") ? [] : base.split(separator: "/")
        for part in target.split(separator: "/") {
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
            } else if part != "." {
                parts.append(part)
            }
        }
        return parts.joined(separator: "/")
    }

    static func mediaType(_ name: String) -> String {
        switch name.split(separator: ".").last?.lowercased() ?? "" {
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        case "gif": "image/gif"
        case "bmp": "image/bmp"
        case "tif", "tiff": "image/tiff"
        case "svg": "image/svg+xml"
        case "webp": "image/webp"
        case "wmf": "image/wmf"
        case "emf": "image/emf"
        default: "application/octet-stream"
        }
    }
}
