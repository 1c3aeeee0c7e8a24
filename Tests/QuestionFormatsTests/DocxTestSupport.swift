import Foundation

/// Builds .docx files for the tests: a compact description of paragraphs (runs with bold,
/// underline, red, italic, fonts), tables, Office Math and pictures becomes the OOXML parts,
/// zipped by a small stored-zip writer (the test target does not depend on ZIPFoundation).
enum DocxFixture {
    /// A run of text (or a ready-made inline element). A string literal is a plain run.
    struct Run: ExpressibleByStringInterpolation {
        var xml: String

        init(xml: String) { self.xml = xml }

        init(stringLiteral value: String) { self = DocxFixture.run(value) }

        init(stringInterpolation: DefaultStringInterpolation) { self = DocxFixture.run(String(stringInterpolation: stringInterpolation)) }
    }

    struct Style: OptionSet {
        let rawValue: Int
        static let bold = Style(rawValue: 1)
        static let italic = Style(rawValue: 2)
        static let underline = Style(rawValue: 4)
        static let red = Style(rawValue: 8)
        static let superscript = Style(rawValue: 16)
        static let highlight = Style(rawValue: 32)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A run; tabs in `text` become `<w:tab/>`, `\n` becomes `<w:br/>`.
    static func run(_ text: String, _ style: Style = [], font: String? = nil, color: String? = nil, characterStyle: String? = nil) -> Run {
        var properties = characterStyle.map { "<w:rStyle w:val=\"\($0)\"/>" } ?? ""
        if let font { properties += "<w:rFonts w:ascii=\"\(font)\" w:hAnsi=\"\(font)\"/>" }
        if style.contains(.bold) { properties += "<w:b/>" }
        if style.contains(.italic) { properties += "<w:i/>" }
        if style.contains(.underline) { properties += "<w:u w:val=\"single\"/>" }
        if style.contains(.red) {
            properties += "<w:color w:val=\"\(color ?? "FF0000")\"/>"
        } else if let color {
            properties += "<w:color w:val=\"\(color)\"/>"
        }
        if style.contains(.superscript) { properties += "<w:vertAlign w:val=\"superscript\"/>" }
        if style.contains(.highlight) { properties += "<w:highlight w:val=\"yellow\"/>" }
        var content = ""
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            if index > 0 { content += "<w:br/>" }
            for (part, piece) in line.components(separatedBy: "\t").enumerated() {
                if part > 0 { content += "<w:tab/>" }
                if !piece.isEmpty { content += "<w:t xml:space=\"preserve\">\(escape(piece))</w:t>" }
            }
        }
        return Run(xml: "<w:r>" + (properties.isEmpty ? "" : "<w:rPr>\(properties)</w:rPr>") + content + "</w:r>")
    }

    static func b(_ text: String) -> Run { run(text, .bold) }
    static func i(_ text: String) -> Run { run(text, .italic) }
    static func u(_ text: String) -> Run { run(text, .underline) }
    static func red(_ text: String, color: String = "FF0000") -> Run { run(text, .red, color: color) }

    /// A paragraph of runs.
    static func p(_ runs: Run...) -> String { "<w:p>" + runs.map(\.xml).joined() + "</w:p>" }

    /// A paragraph with paragraph style `styleID`.
    static func styled(_ styleID: String, _ runs: Run...) -> String {
        "<w:p><w:pPr><w:pStyle w:val=\"\(styleID)\"/></w:pPr>" + runs.map(\.xml).joined() + "</w:p>"
    }

    /// A paragraph numbered automatically by list `numID` (see ``numberingXML(_:)``).
    static func numbered(_ numID: Int, level: Int = 0, _ runs: Run...) -> String {
        "<w:p><w:pPr><w:numPr><w:ilvl w:val=\"\(level)\"/><w:numId w:val=\"\(numID)\"/></w:numPr></w:pPr>" + runs.map(\.xml).joined() + "</w:p>"
    }

    /// `word/numbering.xml`: abstract lists (id → (format, level text)) and instances
    /// (numId → (abstract id, start override)).
    static func numberingXML(abstracts: [Int: (String, String)], instances: [Int: (Int, Int?)]) -> String {
        var xml =
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:numbering xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
        for (id, (format, text)) in abstracts.sorted(by: { $0.key < $1.key }) {
            xml +=
                "<w:abstractNum w:abstractNumId=\"\(id)\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"\(format)\"/><w:lvlText w:val=\"\(escape(text))\"/></w:lvl></w:abstractNum>"
        }
        for (id, (abstract, start)) in instances.sorted(by: { $0.key < $1.key }) {
            xml += "<w:num w:numId=\"\(id)\"><w:abstractNumId w:val=\"\(abstract)\"/>"
            if let start { xml += "<w:lvlOverride w:ilvl=\"0\"><w:startOverride w:val=\"\(start)\"/></w:lvlOverride>" }
            xml += "</w:num>"
        }
        return xml + "</w:numbering>"
    }

    /// A paragraph per line of `text` (plain runs): quick blocks of ordinary lines.
    static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { p(run(String($0))) }
    }

    /// A table whose cells hold one plain paragraph each.
    static func table(_ rows: [[String]]) -> String {
        "<w:tbl><w:tblPr/>"
            + rows.map { row in
                "<w:tr>" + row.map { "<w:tc><w:tcPr/>" + p(run($0)) + "</w:tc>" }.joined() + "</w:tr>"
            }.joined() + "</w:tbl>"
    }

    /// An inline Office Math formula from OMML content (`m:` elements).
    static func math(_ omml: String) -> Run { Run(xml: "<m:oMath>\(omml)</m:oMath>") }

    /// An OMML run `<m:r><m:t>text</m:t></m:r>`.
    static func mr(_ text: String) -> String { "<m:r><m:t>\(escape(text))</m:t></m:r>" }

    /// A DrawingML picture pointing at relationship `id`.
    static func picture(_ id: String, alt: String = "") -> Run {
        Run(
            xml: """
                <w:r><w:drawing><wp:inline><wp:extent cx="952500" cy="952500"/><wp:docPr id="1" name="Picture 1" descr="\(escape(alt))"/>\
                <a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:blipFill>\
                <a:blip r:embed="\(id)"/></pic:blipFill></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>
                """)
    }

    /// A MathType OLE object with a VML preview picture at relationship `id`.
    static func mathType(_ id: String) -> Run {
        Run(
            xml: """
                <w:r><w:object><v:shape id="_x0000_i1025" style="width:30pt;height:15pt"><v:imagedata r:id="\(id)" o:title=""/></v:shape>\
                <o:OLEObject Type="Embed" ProgID="Equation.DSMT4" ShapeID="_x0000_i1025" DrawAspect="Content" ObjectID="_1" r:id="rIdOle1"/></w:object></w:r>
                """)
    }

    static let namespaces = """
        xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" \
        xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" \
        xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" \
        xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" \
        xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" \
        xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" \
        xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
        """

    static func documentXML(_ blocks: [String]) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document \(namespaces)><w:body>" + blocks.joined()
            + "<w:sectPr/></w:body></w:document>"
    }

    /// The parts of a .docx with `blocks` as its body and `media` (name → bytes) in `word/media/`,
    /// referenced as relationships `rIdImg1`, `rIdImg2`… in order.
    static func parts(
        _ blocks: [String], media: [(String, Data)] = [], documentXML override: String? = nil, stylesFont: String? = nil, numbering: String? = nil,
        stylesXML: String? = nil
    ) -> [(String, Data)] {
        let contentTypes = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/>\
            <Default Extension="wmf" ContentType="image/x-wmf"/>\
            <Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>
            """
        let rootRels = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>
            """
        var documentRels =
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        for (index, (name, _)) in media.enumerated() {
            documentRels +=
                "<Relationship Id=\"rIdImg\(index + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/\(name)\"/>"
        }
        if stylesFont != nil || stylesXML != nil {
            documentRels +=
                "<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
        }
        if numbering != nil {
            documentRels +=
                "<Relationship Id=\"rIdNumbering\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering\" Target=\"numbering.xml\"/>"
        }
        documentRels += "</Relationships>"
        var result: [(String, Data)] = [
            ("[Content_Types].xml", Data(contentTypes.utf8)), ("_rels/.rels", Data(rootRels.utf8)),
            ("word/document.xml", Data((override ?? documentXML(blocks)).utf8)), ("word/_rels/document.xml.rels", Data(documentRels.utf8)),
        ]
        if let stylesXML {
            result.append(("word/styles.xml", Data(stylesXML.utf8)))
        } else if let stylesFont {
            let styles = """
                <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
                <w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr>\
                <w:rFonts w:ascii="\(stylesFont)" w:hAnsi="\(stylesFont)"/></w:rPr></w:rPrDefault></w:docDefaults></w:styles>
                """
            result.append(("word/styles.xml", Data(styles.utf8)))
        }
        if let numbering { result.append(("word/numbering.xml", Data(numbering.utf8))) }
        for (name, data) in media { result.append(("word/media/\(name)", data)) }
        return result
    }

    /// A complete .docx.
    static func docx(
        _ blocks: [String], media: [(String, Data)] = [], stylesFont: String? = nil, numbering: String? = nil, stylesXML: String? = nil
    ) -> Data {
        StoredZip.archive(parts(blocks, media: media, stylesFont: stylesFont, numbering: numbering, stylesXML: stylesXML))
    }
}

/// A minimal ZIP writer: stored (uncompressed) entries, fixed timestamps.
enum StoredZip {
    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ data: Data) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in data { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    /// An archive of `entries`. `claimedSizes` overrides the (method, compressed, uncompressed)
    /// written in the central directory for an entry, to forge a zip bomb's header.
    static func archive(_ entries: [(String, Data)], claimedSizes: [String: (UInt16, UInt32, UInt32)] = [:]) -> Data {
        var out = Data()
        var central = Data()
        func le16(_ v: UInt16, _ d: inout Data) { d.append(UInt8(v & 0xFF)); d.append(UInt8(v >> 8)) }
        func le32(_ v: UInt32, _ d: inout Data) { le16(UInt16(v & 0xFFFF), &d); le16(UInt16(v >> 16), &d) }
        for (name, data) in entries {
            let nameBytes = Data(name.utf8)
            let crc = crc32(data)
            let offset = UInt32(out.count)
            le32(0x0403_4b50, &out); le16(20, &out); le16(0x0800, &out); le16(0, &out); le16(0, &out); le16(0x21, &out)
            le32(crc, &out); le32(UInt32(data.count), &out); le32(UInt32(data.count), &out)
            le16(UInt16(nameBytes.count), &out); le16(0, &out)
            out.append(nameBytes)
            out.append(data)
            let (method, compressed, uncompressed) = claimedSizes[name] ?? (0, UInt32(data.count), UInt32(data.count))
            le32(0x0201_4b50, &central); le16(20, &central); le16(20, &central); le16(0x0800, &central); le16(method, &central)
            le16(0, &central); le16(0x21, &central)
            le32(crc, &central); le32(compressed, &central); le32(uncompressed, &central)
            le16(UInt16(nameBytes.count), &central); le16(0, &central); le16(0, &central); le16(0, &central); le16(0, &central)
            le32(0, &central); le32(offset, &central)
            central.append(nameBytes)
        }
        let centralOffset = UInt32(out.count)
        out.append(central)
        le32(0x0605_4b50, &out); le16(0, &out); le16(0, &out)
        le16(UInt16(entries.count), &out); le16(UInt16(entries.count), &out)
        le32(UInt32(central.count), &out); le32(centralOffset, &out); le16(0, &out)
        return out
    }
}
