import ContentPackages
import Foundation
import HoclieuXML

/// Word's automatic numbering (`word/numbering.xml`): many teachers let Word write `Câu 1.`,
/// `Câu 2.`… and the option letters `A.`, `B.`… as list numbers, which are not in the text.
/// This gives each numbered paragraph the label Word would show, so the conventions see it.
struct DocxNumbering {
    struct Level {
        var start = 1
        /// `decimal`, `upperLetter`, `lowerLetter`, `upperRoman`, `lowerRoman`, `decimalZero`, `bullet`, `none`…
        var format = "decimal"
        /// E.g. `Câu %1.`, `%1.`, `%1)`.
        var text = "%1."
        /// What follows the label: `tab` (Word's default), `space` or `nothing`.
        var suffix = "tab"
    }

    /// Levels by `w:numId`, with the `w:startOverride`s of the instance applied.
    private var levels: [String: [Int: Level]] = [:]
    /// Current counters by `w:numId`, one per level.
    private var counters: [String: [Int]] = [:]

    /// Reads the numbering part; `nil` when the document has none.
    init?(archive: SafeArchive, path: String) {
        guard let data = try? archive.data(path, limit: 8 << 20), let xml = try? XMLDocument(data: data), let root = xml.root else { return nil }
        let w = DocxReader.w
        var abstracts: [String: [Int: Level]] = [:]
        for abstract in root.children where abstract.name == "abstractNum" {
            guard let id = abstract.attribute("abstractNumId", namespace: w) else { continue }
            var result: [Int: Level] = [:]
            for level in abstract.children where level.name == "lvl" {
                guard let index = level.attribute("ilvl", namespace: w).flatMap({ Int($0) }) else { continue }
                result[index] = Self.level(level, base: Level())
            }
            abstracts[id] = result
        }
        for num in root.children where num.name == "num" {
            guard let id = num.attribute("numId", namespace: w),
                let abstractID = num.children.first(where: { $0.name == "abstractNumId" })?.attribute("val", namespace: w)
            else { continue }
            var result = abstracts[abstractID] ?? [:]
            for override in num.children where override.name == "lvlOverride" {
                guard let index = override.attribute("ilvl", namespace: w).flatMap({ Int($0) }) else { continue }
                var level = result[index] ?? Level()
                if let start = override.children.first(where: { $0.name == "startOverride" })?.attribute("val", namespace: w).flatMap({ Int($0) }) {
                    level.start = start
                }
                if let redefined = override.children.first(where: { $0.name == "lvl" }) { level = Self.level(redefined, base: level) }
                result[index] = level
            }
            levels[id] = result
        }
    }

    private static func level(_ element: XMLElement, base: Level) -> Level {
        let w = DocxReader.w
        var level = base
        for child in element.children {
            let value = child.attribute("val", namespace: w)
            switch child.name {
            case "start": if let value, let start = Int(value) { level.start = start }
            case "numFmt": if let value { level.format = value }
            case "lvlText": if let value { level.text = value }
            case "suff": if let value { level.suffix = value }
            default: break
            }
        }
        return level
    }

    /// The label of the next paragraph numbered `numId` at level `ilvl` (and what follows it),
    /// advancing the counters; `nil` for bullets, unknown lists and `numId` 0 (numbering removed).
    mutating func next(numID: String, level index: Int) -> (label: String, suffix: String)? {
        guard numID != "0", let list = levels[numID], let level = list[index], (0..<9).contains(index) else { return nil }
        var values = counters[numID] ?? (0..<9).map { (list[$0]?.start ?? 1) - 1 }
        values[index] += 1
        for deeper in (index + 1)..<9 { values[deeper] = (list[deeper]?.start ?? 1) - 1 }
        counters[numID] = values
        guard level.format != "bullet", level.format != "none" else { return nil }
        var label = level.text
        for n in stride(from: 8, through: 0, by: -1) where label.contains("%\(n + 1)") {
            label = label.replacingOccurrences(of: "%\(n + 1)", with: Self.format(values[n], list[n]?.format ?? "decimal"))
        }
        let suffix = level.suffix == "space" ? " " : level.suffix == "nothing" ? "" : "\t"
        return (label, suffix)
    }

    static func format(_ value: Int, _ format: String) -> String {
        switch format {
        case "upperLetter", "lowerLetter":
            guard value >= 1 else { return String(value) }
            let letter = String(UnicodeScalar(UInt8(65 + (value - 1) % 26)))
            let text = String(repeating: letter, count: (value - 1) / 26 + 1)
            return format == "upperLetter" ? text : text.lowercased()
        case "upperRoman", "lowerRoman":
            let text = roman(value)
            return format == "upperRoman" ? text : text.lowercased()
        case "decimalZero":
            return value < 10 ? "0\(value)" : String(value)
        default:
            return String(value)
        }
    }

    static func roman(_ value: Int) -> String {
        guard value > 0, value < 4000 else { return String(value) }
        let table: [(Int, String)] = [
            (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
            (4, "IV"), (1, "I"),
        ]
        var rest = value
        var text = ""
        for (amount, symbol) in table {
            while rest >= amount {
                text += symbol
                rest -= amount
            }
        }
        return text
    }
}
