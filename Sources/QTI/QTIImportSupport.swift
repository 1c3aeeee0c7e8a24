import Foundation
import HoclieuCore
import HoclieuXML
import QuestionFormats

/// QTI imports follow the policy of every question format: they use the shared accumulator, with
/// entry points that take a ``QTIContext``.
typealias QTIAccumulator = ImportAccumulator

extension ImportAccumulator {
    /// Adds a parsed question with the context's media, messages and location.
    mutating func add(_ question: Question, context: QTIContext, sourceType: String) {
        var question = question
        question.media = context.media
        add(question, number: context.number, sourceType: sourceType, location: context.location, errors: context.errors, warnings: context.warnings)
    }

    /// Records an item that could not be read into the model at all.
    mutating func addInvalid(_ context: QTIContext, title: String, sourceType: String) {
        addInvalid(
            number: context.number, title: title, sourceType: sourceType, location: context.location, errors: context.errors,
            warnings: context.warnings)
    }

    /// Records an item dropped (a type Hoclieu cannot hold) or skipped (not a question).
    mutating func addNotImported(
        _ context: QTIContext, title: String, sourceType: String, outcome: QuestionImportEntry.Outcome, code: String, vi: String, en: String
    ) {
        addNotImported(
            number: context.number, title: title, sourceType: sourceType, location: context.location, outcome: outcome,
            reason: context.message(code, vi: vi, en: en), warnings: context.warnings)
    }
}

/// Per-question reading state: its number, where it is, messages and media.
struct QTIContext {
    let number: Int
    var location: QuestionSourceLocation
    var errors: [QuestionFormatMessage] = []
    var warnings: [QuestionFormatMessage] = []
    var media: [QuestionMedia] = []

    init(number: Int, location: QuestionSourceLocation) {
        self.number = number
        self.location = location
    }

    func message(_ code: String, vi: String, en: String, line: Int? = nil) -> QuestionFormatMessage {
        var place = location
        if let line, line > 0 { place.line = line }
        return QuestionFormatMessage(code: code, vi: "Câu \(number): \(vi)", en: "Question \(number): \(en)", location: place)
    }

    mutating func error(_ code: String, vi: String, en: String, line: Int? = nil) {
        errors.append(message(code, vi: vi, en: en, line: line))
    }

    mutating func warning(_ code: String, vi: String, en: String, line: Int? = nil) {
        guard !warnings.contains(where: { $0.code == code && $0.english.hasSuffix(en) }) else { return }
        warnings.append(message(code, vi: vi, en: en, line: line))
    }

    /// Adds a media file once (by name).
    mutating func addMedia(_ media: QuestionMedia) {
        if !self.media.contains(where: { $0.name == media.name }) { self.media.append(media) }
    }
}

/// File-level messages of QTI (the ones every format shares are in `Messages`).
enum QTIMessages {



    static var noQuestions: QuestionFormatMessage {
        .init(code: "noQuestions", vi: "Tệp không có câu hỏi nào", en: "The file has no questions")
    }

    static func internalSubset(_ file: String?) -> QuestionFormatMessage {
        .init(
            code: "doctypeNotAllowed",
            vi: "\(prefix(file))Khai báo DOCTYPE có khai báo thực thể (ENTITY), không được chấp nhận",
            en: "\(prefix(file))The DOCTYPE declaration declares entities, which is not accepted"
        )
    }

    static func prefix(_ file: String?) -> String { file.map { "\($0): " } ?? "" }

    /// A parser error as a report message.
    static func message(for error: any Error, file: String? = nil) -> QuestionFormatMessage {
        let p = prefix(file)
        guard let error = error as? XMLError else {
            return .init(code: "malformedXML", vi: "\(p)Không đọc được XML: \(error)", en: "\(p)Cannot read the XML: \(error)")
        }
        switch error {
        case .malformed(let diagnostics):
            let first = diagnostics.first
            let line = first?.line ?? 0
            let column = first?.column ?? 0
            let detail = (first?.message ?? "not well-formed").trimmingCharacters(in: .whitespacesAndNewlines)
            return .init(
                code: "malformedXML", vi: "\(p)Tệp XML hỏng ở dòng \(line), cột \(column): \(detail)",
                en: "\(p)Malformed XML at line \(line), column \(column): \(detail)", location: .init(line: line, column: column, path: file)
            )
        case .doctypeNotAllowed:
            return .init(
                code: "doctypeNotAllowed", vi: "\(p)Tệp có khai báo DOCTYPE, không được chấp nhận",
                en: "\(p)The file has a DOCTYPE declaration, which is not accepted"
            )
        case .tooLarge(let limit):
            return Messages.fileTooLarge(limit)
        case .tooDeep(let limit):
            return .init(
                code: "tooDeep", vi: "\(p)Các phần tử XML lồng nhau quá \(limit) cấp", en: "\(p)XML elements are nested deeper than \(limit) levels")
        default:
            return .init(code: "malformedXML", vi: "\(p)Không đọc được XML: \(error)", en: "\(p)Cannot read the XML: \(error)")
        }
    }
}

/// Parsing untrusted XML for QTI: no network, no entity expansion. QTI 1.2 files often carry a
/// `<!DOCTYPE questestinterop SYSTEM "ims_qtiasiv1p2p1.dtd">` line (some with element declarations
/// in an internal subset), so a DOCTYPE is accepted when `allowDoctype` is set (the DTD is never
/// loaded); one whose internal subset declares entities (XXE, billion laughs) is always refused.
enum QTIXML {
    static func parse(_ data: Data, maxBytes: Int, allowDoctype: Bool) throws -> XMLDocument {
        var data = data
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data = data.dropFirst(3) }
        if allowDoctype, hasInternalSubset(data) { throw QTIParseRefusal.internalSubset }
        return try XMLDocument(data: Data(data), options: XMLParseOptions(maxBytes: maxBytes, maxDepth: 128, allowDTD: allowDoctype))
    }

    /// Whether a `<!DOCTYPE` declaration has an internal subset that declares entities (`<!ENTITY`):
    /// element and attribute declarations (IMS rendering extensions) are harmless, entities are not.
    static func hasInternalSubset(_ data: Data) -> Bool {
        let head = String(decoding: data.prefix(256 * 1024), as: UTF8.self)
        guard let start = head.range(of: "<!DOCTYPE", options: .caseInsensitive) else { return false }
        var quote: Character?
        var index = start.upperBound
        while index < head.endIndex {
            let ch = head[index]
            if let q = quote {
                if ch == q { quote = nil }
            } else if ch == "\"" || ch == "'" {
                quote = ch
            } else if ch == "[" {
                guard let end = head[index...].range(of: "]") else { return true }
                return head[index..<end.lowerBound].range(of: "<!ENTITY", options: .caseInsensitive) != nil
            } else if ch == ">" {
                return false
            }
            index = head.index(after: index)
        }
        return true
    }

    static func isBlank(_ data: Data) -> Bool {
        data.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF }
    }
}

/// Thrown by ``QTIXML/parse(_:maxBytes:allowDoctype:)`` for a DOCTYPE with an internal subset.
enum QTIParseRefusal: Error {
    case internalSubset
}

/// Mixed content (text and elements in order) of an element, serialised back to markup.
///
/// HoclieuXML exposes child *elements*; the text between them is recovered with XPath, one probe per
/// child node (text or element, and the text itself).
enum XMLMarkup {
    /// A child node of an element.
    enum Node {
        case element(XMLElement)
        case text(String)
    }

    static func childNodes(_ element: XMLElement) -> [Node] {
        let elements = element.children
        guard let countText = try? element.selectString("count(node())"), let count = Int(countText) else { return elements.map { .element($0) } }
        if elements.isEmpty {
            let text = element.text
            return text.isEmpty ? [] : [.text(text)]
        }
        var result: [Node] = []
        var elementIndex = 0
        for index in 1...max(count, 1) where count > 0 {
            let probe =
                (try? element.selectString(
                    "concat(count(node()[\(index)][self::text()]), count(node()[\(index)][self::*]), '|', node()[\(index)][self::text()])"
                )) ?? ""
            if probe.hasPrefix("01"), elementIndex < elements.count {
                result.append(.element(elements[elementIndex]))
                elementIndex += 1
            } else if probe.hasPrefix("10") {
                result.append(.text(String(probe.dropFirst(3))))
            }
            // Anything else is a comment or a processing instruction: left out.
        }
        return result
    }

    static let voidElements: Set<String> = ["img", "br", "hr", "input", "col", "area", "source", "track", "wbr", "embed", "param"]

    /// The markup of the children of `element` (its "inner HTML"). `rename` may change an element
    /// into something else (returning markup), or `nil` to serialise it as is.
    static func inner(_ element: XMLElement, rename: ((XMLElement) -> String?)? = nil) -> String {
        var out = ""
        for node in childNodes(element) {
            switch node {
            case .text(let text): out += HTMLText.escapeText(text)
            case .element(let child): out += outer(child, rename: rename)
            }
        }
        return out
    }

    /// The markup of `element` itself. Prefixes are dropped; MathML gets its namespace back on `<math>`.
    static func outer(_ element: XMLElement, rename: ((XMLElement) -> String?)? = nil) -> String {
        if let replaced = rename?(element) { return replaced }
        let name = element.name
        var out = "<" + name
        if name == "math", let ns = element.namespaceURI { out += " xmlns=\"\(HTMLText.escape(ns))\"" }
        for attribute in element.attributes {
            let attributeName = attribute.prefix == "xml" ? "xml:\(attribute.name)" : attribute.name
            if attribute.prefix != nil, attribute.prefix != "xml" { continue }
            out += " \(attributeName)=\"\(HTMLText.escape(attribute.value))\""
        }
        let content = inner(element, rename: rename)
        if content.isEmpty, voidElements.contains(name) { return out + " />" }
        return out + ">" + content + "</\(name)>"
    }
}

extension HTMLText {
    /// Escapes `&`, `<` and `>` for HTML text.
    static func escapeText(_ text: String) -> String {
        guard text.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" }) else { return text }
        return text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

extension String {
    var lowercasedFirst: String {
        guard let first else { return self }
        return first.lowercased() + dropFirst()
    }

    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }

    var nonEmpty: String? { trimmed.isEmpty ? nil : self }
}

extension XMLElement {
    /// Child elements with this local name, whatever their namespace.
    func kids(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }

    /// The first child element with this local name, whatever its namespace.
    func kid(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    /// Descendants with this local name, in document order, whatever their namespace.
    func descendants(_ name: String) -> [XMLElement] {
        (try? select(".//*[local-name()='\(name)']")) ?? []
    }
}

/// Option ids: a, b, …, z, then a27, a28…
func qtiOptionID(_ index: Int) -> String {
    index < 26 ? String(UnicodeScalar(UInt8(97 + index))) : "a\(index + 1)"
}

/// Media found in a package, by normalised path inside the package.
struct PackageFiles: Sendable {
    /// Reads the bytes of a file by its normalised path; `nil` when absent or refused.
    let read: @Sendable (String) -> Data?
    /// Every file path in the package.
    let paths: Set<String>

    static let empty = PackageFiles(read: { _ in nil }, paths: [])

    /// Normalises `reference` (relative to the file at `base`) to a package path; `nil` for URLs,
    /// absolute paths or paths that climb out of the package.
    static func resolve(_ reference: String, relativeTo base: String) -> String? {
        var ref = reference.trimmed
        for token in [
            "$IMS_CC_FILE_BASE$", "$IMS-CC-FILEBASE$", "$IMS_CC_FILEBASE$", "%24IMS_CC_FILE_BASE%24", "%24IMS-CC-FILEBASE%24", "%24IMS_CC_FILEBASE%24",
        ] where ref.hasPrefix(token) {
            ref = String(ref.dropFirst(token.count))
            if ref.hasPrefix("/") { ref.removeFirst() }
            return normalise(ref, directory: [])
        }
        if ref.contains("://") || ref.hasPrefix("/") || ref.hasPrefix("data:") || ref.isEmpty { return nil }
        if let q = ref.firstIndex(where: { $0 == "?" || $0 == "#" }) { ref = String(ref[..<q]) }
        ref = ref.removingPercentEncoding ?? ref
        let directory = base.split(separator: "/").dropLast().map(String.init)
        return normalise(ref, directory: directory)
    }

    private static func normalise(_ ref: String, directory: [String]) -> String? {
        var parts = directory
        for part in ref.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            } else {
                parts.append(String(part))
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }
}

/// Makes media from the `src`/`href`/`data` references of an HTML text: each file found in the
/// package becomes a ``QuestionMedia`` (named by its file name) and the reference is rewritten to
/// that name. References to files not in the package get a warning.
func attachMedia(_ html: String, base: String, files: PackageFiles, field: String, context: inout QTIContext) -> String {
    guard !files.paths.isEmpty else { return html }
    var result = html
    for attribute in ["src", "href", "data"] {
        var searchStart = result.startIndex
        while let range = result.range(of: " \(attribute)=\"", range: searchStart..<result.endIndex) {
            guard let close = result[range.upperBound...].firstIndex(of: "\"") else { break }
            let value = HTMLText.decodeEntities(String(result[range.upperBound..<close]))
            searchStart = close
            guard var path = PackageFiles.resolve(value, relativeTo: base) else { continue }
            if !files.paths.contains(path) {
                // Respondus and Canvas write paths relative to a files folder, not to the QTI file:
                // a single package file ending with the same path is the one meant.
                let matches = files.paths.filter { $0.hasSuffix("/" + path) }
                if matches.count == 1, let only = matches.first { path = only }
            }
            guard files.paths.contains(path), let data = files.read(path) else {
                if attribute != "href" {
                    context.warning("missingMedia", vi: "tệp \"\(value)\" không có trong gói", en: "file \"\(value)\" is not in the package")
                }
                continue
            }
            let name = String(path.split(separator: "/").last ?? "")
            guard (try? FileNames.validate(name)) != nil else { continue }
            context.addMedia(QuestionMedia(name: name, mediaType: MediaTypes.resolve(declared: nil, fileName: name), data: data, field: field))
            let replacement = HTMLText.escape(name)
            result.replaceSubrange(range.upperBound..<close, with: replacement)
            searchStart = result.index(range.upperBound, offsetBy: replacement.count)
        }
    }
    return result
}
