import Foundation
import HoclieuCore

/// How manifest paths become archive paths (the same rules as `SafeArchive`'s entry names).
enum PathRules {
    /// A URL (`http:`, `mailto:`…) rather than a path inside the cartridge.
    static func isExternal(_ raw: String) -> Bool {
        let value = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if value.hasPrefix("file:") { return false }
        if value.contains("://") { return true }
        return ["mailto:", "data:", "javascript:", "tel:"].contains { value.hasPrefix($0) }
    }

    /// `base` + `raw`, normalised (`./` dropped, `a/../b` → `b`, `\` → `/`); nil for an empty path.
    /// Throws for absolute paths, drive letters, `file:` URLs and `..` that climbs out of the archive.
    static func resolve(_ raw: String, base: String) throws(CartridgeError) -> String? {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        var prefix = base.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\\", with: "/")
        if !prefix.isEmpty, !prefix.hasSuffix("/") { prefix += "/" }
        let combined = prefix + trimmed.replacingOccurrences(of: "\\", with: "/")
        if combined.hasPrefix("/") || combined.lowercased().hasPrefix("file:") || combined.contains("\0") { throw .unsafePath(raw) }
        if combined.count >= 2, combined.first!.isLetter, combined.dropFirst().first == ":" { throw .unsafePath(raw) }
        var parts: [Substring] = []
        for part in combined.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." || part == "%2e%2e" || part == "%2E%2E" {
                guard !parts.isEmpty else { throw .unsafePath(raw) }
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }

    static func isHTML(_ path: String) -> Bool {
        let ext = (path as NSString).pathExtension.lowercased()
        return ext == "html" || ext == "htm" || ext == "xhtml"
    }

    /// The last path component, percent-decoded.
    static func fileName(_ path: String) -> String {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        return last.removingPercentEncoding ?? last
    }
}

/// Local files an HTML page uses: `$IMS-CC-FILEBASE$` references and relative `src`/`href`/`data` values.
enum HTMLReferences {
    /// Scans the bytes (the tokens and attribute names are ASCII): Foundation's `range(of:)` on `String` was most
    /// of the time spent planning a cartridge of many pages.
    static func localFiles(in data: Data, documentPath: String) -> [String] {
        let html = [UInt8](data)
        var found: [String] = []
        let stops = Set("\"'<>) \n\r\t?#".utf8)
        func text(_ range: Range<Int>) -> String { String(decoding: html[range], as: UTF8.self) }
        // Cartridge-root references.
        for token in FileBase.tokens.map({ Array($0.utf8) }) {
            var search = 0
            while let start = find(token, in: html, from: search) {
                var end = start + token.count
                while end < html.count, !stops.contains(html[end]) { end += 1 }
                search = end
                var value = text(start + token.count..<end)
                while value.hasPrefix("/") { value.removeFirst() }
                value = HTMLText.decodeEntities(value)
                if let path = try? PathRules.resolve(value.removingPercentEncoding ?? value, base: "") { found.append(path) }
                if let path = try? PathRules.resolve(value, base: "") { found.append(path) }
            }
        }
        // Relative references.
        let directory = documentPath.split(separator: "/").dropLast().joined(separator: "/")
        for attribute in ["src=", "href=", "data=", "SRC=", "HREF="].map({ Array($0.utf8) }) {
            var search = 0
            while let match = find(attribute, in: html, from: search) {
                let afterName = match + attribute.count
                search = afterName
                guard afterName < html.count else { break }
                let quote = html[afterName]
                guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { continue }
                guard let close = html[(afterName + 1)...].firstIndex(of: quote) else { break }
                search = close
                var value = HTMLText.decodeEntities(text(afterName + 1..<close)).trimmingCharacters(in: .whitespaces)
                if value.isEmpty || value.hasPrefix("#") || value.hasPrefix("/") || value.hasPrefix("$") || value.hasPrefix("%24") || PathRules.isExternal(value) {
                    continue
                }
                if let cut = value.firstIndex(where: { $0 == "?" || $0 == "#" }) { value = String(value[..<cut]) }
                if let path = try? PathRules.resolve(value.removingPercentEncoding ?? value, base: directory) { found.append(path) }
            }
        }
        return found
    }

    /// The first index of `needle` in `bytes` at or after `from`.
    static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, bytes.count >= needle.count else { return nil }
        var i = from
        while i <= bytes.count - needle.count {
            if bytes[i] == first, bytes[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}

extension HTMLReferences {
    /// The bytes with whitespace removed from `xmlns` attribute values (`"http: //…"` → `"http://…"`).
    static func repairNamespaceURIs(_ data: Data) -> Data {
        let text = String(decoding: data, as: UTF8.self)
        guard let pattern = try? NSRegularExpression(pattern: #"xmlns(:[A-Za-z_][A-Za-z0-9_.-]*)?\s*=\s*"([^"]*)""#) else { return data }
        let result = NSMutableString(string: text)
        for match in pattern.matches(in: text, range: NSRange(location: 0, length: result.length)).reversed() {
            let valueRange = match.range(at: 2)
            let value = result.substring(with: valueRange).filter { !$0.isWhitespace }
            result.replaceCharacters(in: valueRange, with: value)
        }
        return Data((result as String).utf8)
    }
}

extension HTMLText {
    /// The inside of `<body>` when the text is a whole HTML document, else the text.
    static func body(_ html: String) -> String {
        guard let open = html.range(of: "<body", options: .caseInsensitive), let start = html[open.upperBound...].firstIndex(of: ">") else {
            return html
        }
        let after = html.index(after: start)
        let end = html.range(of: "</body>", options: [.caseInsensitive, .backwards], range: after..<html.endIndex)?.lowerBound ?? html.endIndex
        return String(html[after..<end]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The text without tags, trimmed.
    static func plain(_ html: String) -> String { stripTags(html).trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// LOM values → ``MaterialMetadata``.
enum Metadata {
    static func course(_ lom: LOMValues) -> MaterialMetadata {
        MaterialMetadata(
            title: lom.title ?? "", description: lom.description ?? "", language: language(lom) ?? "vi", keywords: lom.keywords,
            licence: licence(rights: lom.rights, restrictions: lom.copyrightRestrictions), authors: lom.authors)
    }

    static func resource(_ lom: LOMValues, course: LOMValues, title: String) -> MaterialMetadata {
        let units = knowledgeUnits(lom.disciplineTaxa)
        return MaterialMetadata(
            title: title, description: lom.description ?? "", language: language(lom) ?? language(course) ?? "vi",
            subjects: units.compactMap { $0.split(separator: ".").first.map(String.init) }, grades: lom.grades, knowledgeUnits: units,
            keywords: lom.keywords,
            licence: licence(rights: lom.rights, restrictions: lom.copyrightRestrictions)
                ?? licence(rights: course.rights, restrictions: course.copyrightRestrictions),
            authors: lom.authors.isEmpty ? course.authors : lom.authors)
    }

    /// Catalogue alignment read back from LOM `discipline` taxon paths: the deepest code of each path (the
    /// knowledge unit, e.g. `TOAN.6.SD.2.3`; its ancestors `TOAN`, `TOAN.6`… are the path above it). Only ids
    /// shaped like catalogue codes count: other systems' free-text taxa are not knowledge units.
    static func knowledgeUnits(_ taxa: [String]) -> [String] {
        let codes = taxa.filter { $0.range(of: #"^[A-Z][A-Z0-9_]*(\.[A-Za-z0-9_-]+)+$"#, options: .regularExpression) != nil }
        var units: [String] = []
        for code in codes where !codes.contains(where: { $0.hasPrefix(code + ".") }) && !units.contains(code) { units.append(code) }
        return units
    }

    private static func language(_ lom: LOMValues) -> String? {
        guard let value = (lom.language ?? lom.titleLanguage)?.trimmingCharacters(in: .whitespaces), !value.isEmpty, value.lowercased() != "x-none" else {
            return nil
        }
        return value
    }

    /// An SPDX-like identifier for a rights text: Creative Commons licences by URL or name (`CC-BY-SA-4.0`,
    /// `CC0-1.0`), `public-domain`, `all-rights-reserved`; nil when nothing is recognisable.
    static func licence(rights: String?, restrictions: String?) -> String? {
        guard let rights, !rights.isEmpty else { return nil }
        let text = rights.lowercased()
        if text.contains("publicdomain/zero") || text.range(of: #"\bcc0\b"#, options: .regularExpression) != nil { return "CC0-1.0" }
        if text.contains("publicdomain/mark") || text.contains("public domain") { return "public-domain" }
        var elements: [String] = []
        var version: String?
        if let url = text.range(of: #"creativecommons\.org/licenses/([a-z-]+)/([0-9.]+)"#, options: .regularExpression) {
            let parts = text[url].split(separator: "/")
            if parts.count >= 4 {
                elements = parts[2].split(separator: "-").map(String.init)
                version = String(parts[3])
            }
        } else if text.contains("creative commons") || text.range(of: #"\bcc[ -]by\b"#, options: .regularExpression) != nil {
            elements = ["by"]
            if text.contains("noncommercial") || text.contains("non-commercial") || text.range(of: #"\bnc\b"#, options: .regularExpression) != nil {
                elements.append("nc")
            }
            if text.contains("noderiv") || text.contains("no deriv") || text.range(of: #"\bnd\b"#, options: .regularExpression) != nil {
                elements.append("nd")
            } else if text.contains("sharealike") || text.contains("share alike") || text.contains("share-alike")
                || text.range(of: #"\bsa\b"#, options: .regularExpression) != nil
            {
                elements.append("sa")
            }
            if let v = text.range(of: #"\b[1-4]\.0\b"#, options: .regularExpression) { version = String(text[v]) }
        }
        if elements.first == "by" {
            return "CC-" + elements.map { $0.uppercased() }.joined(separator: "-") + "-" + (version ?? "4.0")
        }
        if text.contains("all rights reserved") || text.contains("copyrighted") { return "all-rights-reserved" }
        _ = restrictions
        return nil
    }
}
