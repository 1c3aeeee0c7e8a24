import Foundation
import HoclieuXML

/// What Moodle's Moodle XML import (`qformat_xml`, moodle/moodle `question/format/xml/format.php`,
/// with `qformat_default::importprocess` in `question/format.php`) would make of a file, reduced to
/// the points where an export can go wrong without an import error:
///
/// - **files**: `qformat_xml::import_text_with_files` takes the `<file>` children of the element whose
///   `<text>` it reads, and the text shows a file through `@@PLUGINFILE@@/name`. A reference to a file
///   not in that element is a dead link; a file no text of its element refers to is an orphan; a
///   relative `src` that is not `@@PLUGINFILE@@/…` points nowhere in Moodle.
/// - **fractions**: `importprocess` matches each answer's fraction with `match_grade_options` against
///   `question_bank::fraction_options_full()` (`lib/questionlib.php`) and refuses the question when one
///   is not on the list.
/// - **categories**: a `category` pseudo-question sets the category of every question after it
///   (`qformat_default::importprocess`, `create_category_path`); the path as written.
/// - **idnumber**: `qformat_xml::import_headers` reads `<idnumber>`.
/// - **penalty**: `import_headers` falls back to `defaultquestion()->penalty`, 0.3333333.
struct MoodleImportCheck {
    struct Item {
        var type: String
        var name: String
        var category: String?
        var idNumber: String?
        var penalty: Double
        var tags: [String]
        var element: XMLElement
    }

    var items: [Item] = []
    var problems: [String] = []

    /// `question_bank::fraction_options_full()`: 0, ±1 and ± these.
    static let fractions: [Double] = [
        0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05,
    ]

    static func isGradeOption(_ fraction: Double) -> Bool {
        ([0, 1, -1] + fractions + fractions.map { -$0 }).contains { abs($0 - fraction) < 0.0000005 }
    }

    init(_ data: Data) throws {
        let document = try XMLDocument(data: data)
        guard let root = document.root, root.name == "quiz" else {
            problems.append("the root is not <quiz>")
            return
        }
        var category: String?
        for question in root.children(named: "question") {
            let type = question.attribute("type") ?? ""
            if type == "category" {
                category = question.firstChild(named: "category")?.firstChild(named: "text")?.text.trimmingCharacters(in: .whitespacesAndNewlines)
                continue
            }
            let name = question.firstChild(named: "name")?.firstChild(named: "text")?.text ?? ""
            let idNumber = question.firstChild(named: "idnumber")?.text.trimmingCharacters(in: .whitespacesAndNewlines)
            let penalty = question.firstChild(named: "penalty").flatMap { Double($0.text.trimmingCharacters(in: .whitespaces)) } ?? 0.3333333
            let tags = question.firstChild(named: "tags")?.children(named: "tag").compactMap { $0.firstChild(named: "text")?.text } ?? []
            items.append(Item(type: type, name: name, category: category, idNumber: idNumber, penalty: penalty, tags: tags, element: question))
            checkFiles(question, question: name)
            if ["multichoice", "truefalse", "shortanswer", "numerical"].contains(type) {
                for answer in question.children(named: "answer") {
                    let fraction = (Double(answer.attribute("fraction") ?? "0") ?? .nan) / 100
                    if !Self.isGradeOption(fraction) { problems.append("\(name): fraction \(fraction) is not a Moodle grade option") }
                }
            }
        }
    }

    /// Every element with a `<text>` child: its `@@PLUGINFILE@@` references against its `<file>`s.
    mutating func checkFiles(_ element: XMLElement, question: String) {
        if let text = element.firstChild(named: "text")?.text {
            let files = Set(element.children(named: "file").compactMap { $0.attribute("name") })
            let references = Self.references(in: text)
            for reference in references {
                if reference.hasPrefix("@@PLUGINFILE@@/") {
                    let name = String(reference.dropFirst("@@PLUGINFILE@@/".count)).removingPercentEncoding ?? ""
                    if !files.contains(name) { problems.append("\(question): <\(element.name)> shows \(name) but does not carry it") }
                } else if !reference.contains(":") {
                    problems.append("\(question): <\(element.name)> refers to \(reference), which Moodle cannot resolve")
                }
            }
            let named = Set(references.filter { $0.hasPrefix("@@PLUGINFILE@@/") }.compactMap { $0.dropFirst("@@PLUGINFILE@@/".count).removingPercentEncoding })
            for file in files where !named.contains(file) { problems.append("\(question): <\(element.name)> carries \(file), which its text does not show") }
        }
        for child in element.children where child.name != "text" && child.name != "file" { checkFiles(child, question: question) }
    }

    /// The values of `src` and `href` attributes in HTML, in double or single quotes.
    static func references(in html: String) -> [String] {
        var result: [String] = []
        for attribute in ["src=\"", "href=\"", "src='", "href='"] {
            let quote = attribute.last!
            var rest = Substring(html)
            while let start = rest.range(of: attribute) {
                rest = rest[start.upperBound...]
                guard let end = rest.firstIndex(of: quote) else { break }
                result.append(String(rest[..<end]))
                rest = rest[end...]
            }
        }
        return result
    }
}
