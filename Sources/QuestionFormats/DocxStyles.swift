import ContentPackages
import Foundation
import HoclieuXML

/// The formatting of a run as far as the conventions care: bold, italic, underline, red,
/// super/subscript, and the font (which tells a legacy encoding).
struct DocxRunFormat: Equatable {
    var style: DocxStyle = []
    /// What a layer switched off explicitly (`<w:b w:val="0"/>`), so it stays off when merged.
    var off: DocxStyle = []
    var font: String?

    /// This format with the properties of an `rPr` (or a style's `rPr`) applied on top.
    func applying(_ rPr: XMLElement?) -> DocxRunFormat {
        var result = self
        guard let rPr else { return result }
        let w = DocxReader.w
        func set(_ flag: DocxStyle, _ on: Bool) {
            if on {
                result.style.insert(flag)
                result.off.remove(flag)
            } else {
                result.style.remove(flag)
                result.off.insert(flag)
            }
        }
        for property in rPr.children {
            let value = property.attribute("val", namespace: w)
            let on = value.map { !["0", "false", "off", "none"].contains($0.lowercased()) } ?? true
            switch property.name {
            case "b": set(.bold, on)
            case "i": set(.italic, on)
            case "u": set(.underline, on)
            case "color": if let value { set(.red, DocxReader.isRed(value)) }
            case "highlight": set(.highlight, on)
            case "vertAlign":
                set(.superscript, value == "superscript")
                set(.subscript, value == "subscript")
            case "rFonts":
                if let font = property.attribute("ascii", namespace: w) ?? property.attribute("hAnsi", namespace: w) { result.font = font }
            default:
                break
            }
        }
        return result
    }

    /// `other` (a character style) laid over this format.
    func merging(_ other: DocxRunFormat?) -> DocxRunFormat {
        guard let other else { return self }
        return DocxRunFormat(style: style.subtracting(other.off).union(other.style), off: off.union(other.off), font: other.font ?? font)
    }
}

/// The run formatting of the document's styles (`word/styles.xml`): defaults, paragraph styles
/// and character styles, each resolved through its `w:basedOn` chain.
struct DocxStyleSheet {
    /// `w:docDefaults` run properties.
    var defaults = DocxRunFormat()
    /// Paragraph styles, including the defaults.
    var paragraphStyles: [String: DocxRunFormat] = [:]
    /// Character styles, on their own (laid over the paragraph's format).
    var characterStyles: [String: DocxRunFormat] = [:]
    var defaultParagraphStyle: String?

    init?(archive: SafeArchive, path: String) {
        guard let data = try? archive.data(path, limit: 8 << 20), let xml = try? XMLDocument(data: data), let root = xml.root else { return nil }
        let w = DocxReader.w
        if let defaults = root.children.first(where: { $0.name == "docDefaults" }),
            let rPr = defaults.children.first(where: { $0.name == "rPrDefault" })?.children.first(where: { $0.name == "rPr" })
        {
            self.defaults = DocxRunFormat().applying(rPr)
        }
        var raw: [String: (type: String, basedOn: String?, rPr: XMLElement?)] = [:]
        for style in root.children where style.name == "style" {
            guard let id = style.attribute("styleId", namespace: w) else { continue }
            let type = style.attribute("type", namespace: w) ?? "paragraph"
            let children = style.children
            raw[id] = (type, children.first { $0.name == "basedOn" }?.attribute("val", namespace: w), children.first { $0.name == "rPr" })
            if type == "paragraph", style.attribute("default", namespace: w) == "1" { defaultParagraphStyle = id }
        }
        func resolve(_ id: String, base: DocxRunFormat, depth: Int = 0) -> DocxRunFormat {
            guard let entry = raw[id], depth < 16 else { return base }
            let parent = entry.basedOn.map { resolve($0, base: base, depth: depth + 1) } ?? base
            return parent.applying(entry.rPr)
        }
        for (id, entry) in raw {
            switch entry.type {
            case "paragraph": paragraphStyles[id] = resolve(id, base: defaults)
            case "character": characterStyles[id] = resolve(id, base: DocxRunFormat())
            default: break
            }
        }
    }

    /// The run format every run of a paragraph with style `id` starts from.
    func paragraphBase(_ id: String?) -> DocxRunFormat {
        if let id, let format = paragraphStyles[id] { return format }
        if let id = defaultParagraphStyle, let format = paragraphStyles[id] { return format }
        return defaults
    }
}
