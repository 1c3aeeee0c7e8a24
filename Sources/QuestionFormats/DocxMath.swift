import HoclieuCore
import HoclieuXML

/// Office Math (OMML, `m:oMath`) to presentation MathML.
///
/// The common constructs are translated: runs (`m:r`, numbers → `mn`, letters → `mi`, the
/// rest → `mo`, normal text → `mtext`), fractions (`m:f` → `mfrac`), scripts (`m:sSup`,
/// `m:sSub`, `m:sSubSup`), radicals (`m:rad` → `msqrt`/`mroot`), delimiters (`m:d`),
/// functions (`m:func`), n-ary operators (`m:nary`), accents and bars, lower/upper limits,
/// boxes, matrices (`m:m`) and equation arrays (`m:eqArr`). Anything else becomes an
/// `mtext` holding its plain text, and its name is listed in ``unsupported``.
struct OMMLConverter {
    static let mathNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/math"
    static let wordNamespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    /// Names of the OMML elements that were kept as plain text.
    private(set) var unsupported: [String] = []

    /// `<math xmlns=…>…</math>` for an `m:oMath` or `m:oMathPara` element.
    mutating func convert(_ element: XMLElement) -> String {
        let display = element.name == "oMathPara"
        var body = ""
        if display {
            for child in element.children where child.name == "oMath" { body += "<mrow>" + children(child) + "</mrow>" }
        } else {
            body = children(element)
        }
        let attribute = display ? " display=\"block\"" : ""
        return "<math xmlns=\"http://www.w3.org/1998/Math/MathML\"\(attribute)>" + body + "</math>"
    }

    /// The plain text of a formula (its `m:t` and `w:t` texts).
    static func plainText(_ element: XMLElement) -> String { element.text }

    private mutating func children(_ element: XMLElement) -> String {
        var out = ""
        for child in element.children { out += node(child) }
        return out
    }

    /// An argument (`m:e`, `m:num`…) as one `mrow`; empty when absent.
    private mutating func argument(_ element: XMLElement, _ name: String) -> String {
        guard let child = element.children.first(where: { $0.name == name }) else { return "<mrow></mrow>" }
        return "<mrow>" + children(child) + "</mrow>"
    }

    /// `m:val` of the property `name` inside the element's `…Pr` child.
    private func property(_ element: XMLElement, _ name: String) -> String? {
        guard let pr = element.children.first(where: { $0.name.hasSuffix("Pr") && $0.namespaceURI == Self.mathNamespace }),
            let item = pr.children.first(where: { $0.name == name })
        else { return nil }
        return item.attribute("val", namespace: Self.mathNamespace) ?? ""
    }

    private func isOn(_ value: String?) -> Bool {
        guard let value else { return false }
        return value.isEmpty || value == "1" || value == "on" || value == "true"
    }

    private mutating func node(_ element: XMLElement) -> String {
        let name = element.name
        if element.namespaceURI == Self.wordNamespace {
            // Word runs inside a formula (text typed in normal mode); properties are skipped.
            if name == "r" { return "<mtext>" + HTMLText.escape(element.text) + "</mtext>" }
            return ""
        }
        guard element.namespaceURI == Self.mathNamespace else { return "" }
        if name.hasSuffix("Pr") { return "" }
        switch name {
        case "r":
            return run(element)
        case "e", "num", "den", "sub", "sup", "deg", "fName", "lim", "oMath":
            return "<mrow>" + children(element) + "</mrow>"
        case "f":
            return "<mfrac>" + argument(element, "num") + argument(element, "den") + "</mfrac>"
        case "sSup":
            return "<msup>" + argument(element, "e") + argument(element, "sup") + "</msup>"
        case "sSub":
            return "<msub>" + argument(element, "e") + argument(element, "sub") + "</msub>"
        case "sSubSup":
            return "<msubsup>" + argument(element, "e") + argument(element, "sub") + argument(element, "sup") + "</msubsup>"
        case "rad":
            let degree = element.children.first { $0.name == "deg" }
            if isOn(property(element, "degHide")) || degree == nil || degree!.text.allSatisfy(\.isWhitespace) {
                return "<msqrt>" + argument(element, "e") + "</msqrt>"
            }
            return "<mroot>" + argument(element, "e") + argument(element, "deg") + "</mroot>"
        case "d":
            let open = property(element, "begChr") ?? "("
            let close = property(element, "endChr") ?? ")"
            let separator = property(element, "sepChr") ?? "|"
            var out = "<mrow>"
            if !open.isEmpty { out += "<mo>" + HTMLText.escape(open) + "</mo>" }
            let items = element.children.filter { $0.name == "e" }
            for (index, item) in items.enumerated() {
                if index > 0 { out += "<mo>" + HTMLText.escape(separator) + "</mo>" }
                out += "<mrow>" + children(item) + "</mrow>"
            }
            if !close.isEmpty { out += "<mo>" + HTMLText.escape(close) + "</mo>" }
            return out + "</mrow>"
        case "func":
            return "<mrow>" + argument(element, "fName") + "<mo>&#x2061;</mo>" + argument(element, "e") + "</mrow>"
        case "nary":
            let symbol = "<mo>" + HTMLText.escape(property(element, "chr") ?? "\u{222B}") + "</mo>"
            let hideSub = isOn(property(element, "subHide"))
            let hideSup = isOn(property(element, "supHide"))
            let underOver = property(element, "limLoc") == "undOvr"
            let sub = argument(element, "sub")
            let sup = argument(element, "sup")
            let operatorPart: String
            switch (hideSub, hideSup) {
            case (true, true): operatorPart = symbol
            case (false, true): operatorPart = (underOver ? "<munder>" : "<msub>") + symbol + sub + (underOver ? "</munder>" : "</msub>")
            case (true, false): operatorPart = (underOver ? "<mover>" : "<msup>") + symbol + sup + (underOver ? "</mover>" : "</msup>")
            case (false, false):
                operatorPart = (underOver ? "<munderover>" : "<msubsup>") + symbol + sub + sup + (underOver ? "</munderover>" : "</msubsup>")
            }
            return "<mrow>" + operatorPart + argument(element, "e") + "</mrow>"
        case "acc":
            let accent = property(element, "chr") ?? "\u{0302}"
            return "<mover accent=\"true\">" + argument(element, "e") + "<mo>" + HTMLText.escape(accent) + "</mo></mover>"
        case "bar":
            if property(element, "pos") == "bot" { return "<munder>" + argument(element, "e") + "<mo>_</mo></munder>" }
            return "<mover>" + argument(element, "e") + "<mo>\u{00AF}</mo></mover>"
        case "groupChr":
            let symbol = "<mo>" + HTMLText.escape(property(element, "chr") ?? "\u{23DF}") + "</mo>"
            if property(element, "pos") == "top" { return "<mover>" + argument(element, "e") + symbol + "</mover>" }
            return "<munder>" + argument(element, "e") + symbol + "</munder>"
        case "limLow":
            return "<munder>" + argument(element, "e") + argument(element, "lim") + "</munder>"
        case "limUpp":
            return "<mover>" + argument(element, "e") + argument(element, "lim") + "</mover>"
        case "box", "borderBox", "phant":
            return argument(element, "e")
        case "m":
            var out = "<mtable>"
            for row in element.children where row.name == "mr" {
                out += "<mtr>"
                for cell in row.children where cell.name == "e" { out += "<mtd><mrow>" + children(cell) + "</mrow></mtd>" }
                out += "</mtr>"
            }
            return out + "</mtable>"
        case "eqArr":
            var out = "<mtable>"
            for row in element.children where row.name == "e" { out += "<mtr><mtd><mrow>" + children(row) + "</mrow></mtd></mtr>" }
            return out + "</mtable>"
        default:
            unsupported.append("m:" + name)
            return "<mtext>" + HTMLText.escape(element.text) + "</mtext>"
        }
    }

    /// Function names written as one identifier.
    static let functionNames: Set<String> = [
        "sin", "cos", "tan", "tg", "cot", "cotg", "log", "ln", "lg", "lim", "exp", "max", "min", "arcsin", "arccos", "arctan",
    ]

    private func run(_ element: XMLElement) -> String {
        var text = ""
        var normal = false
        for child in element.children {
            switch child.name {
            case "t": text += child.text
            case "rPr":
                if child.children.contains(where: { $0.name == "nor" }) { normal = true }
            default: break
            }
        }
        if normal { return "<mtext>" + HTMLText.escape(text) + "</mtext>" }
        return Self.tokens(text)
    }

    /// `mn` for numbers (a decimal point or comma between digits stays inside), `mi` for
    /// letters (the known function names as one `mi`), `mo` for everything else; spaces dropped.
    static func tokens(_ text: String) -> String {
        let chars = Array(text)
        var out = ""
        var i = 0
        while i < chars.count {
            let ch = chars[i]
            if ch.isWhitespace {
                i += 1
            } else if ch.isNumber {
                var j = i + 1
                while j < chars.count {
                    if chars[j].isNumber {
                        j += 1
                    } else if (chars[j] == "." || chars[j] == ","), j + 1 < chars.count, chars[j + 1].isNumber {
                        j += 2
                    } else {
                        break
                    }
                }
                out += "<mn>" + HTMLText.escape(String(chars[i..<j])) + "</mn>"
                i = j
            } else if ch.isLetter {
                var j = i + 1
                while j < chars.count, chars[j].isLetter { j += 1 }
                let word = String(chars[i..<j])
                if functionNames.contains(word) {
                    out += "<mi>" + word + "</mi>"
                } else {
                    for letter in word { out += "<mi>" + HTMLText.escape(String(letter)) + "</mi>" }
                }
                i = j
            } else {
                out += "<mo>" + HTMLText.escape(String(ch)) + "</mo>"
                i += 1
            }
        }
        return out
    }
}
