import Foundation
import HoclieuCore
import HoclieuXML

// The small XML files of link and topic resources: imswl, Basic LTI (imslticc), imsdt.

extension Planner {
    /// Runs an XML-writing body; a writer error becomes ``CartridgeExportError/invalidText(item:reason:)``.
    func xml(_ item: ExportItem, _ body: (XMLWriter) throws -> Void) throws -> Data {
        do {
            let w = try XMLWriter()
            try w.startDocument()
            try body(w)
            try w.endDocument()
            return try w.data()
        } catch {
            throw CartridgeExportError.invalidText(item: item.identifier, reason: "\(error)")
        }
    }

    /// `<webLink>`: title and URL, opened in a new window.
    func webLink(_ item: ExportItem, url: String) throws -> Data {
        try xml(item) { w in
            try w.startElement("webLink", namespaceURI: profile.webLinkNamespace)
            try w.namespaceDeclaration(prefix: "xsi", uri: CartridgeXML.xsi)
            try w.attribute("schemaLocation", "\(profile.webLinkNamespace) \(profile.webLinkSchema)", prefix: "xsi")
            try text("title", Self.normalized(item.metadata.title), w)
            try w.startElement("url")
            try w.attribute("href", url)
            try w.attribute("target", "_blank")
            try w.endElement()
            try w.endElement()
        }
    }

    /// `<topic>`: title and HTML text.
    func topic(_ item: ExportItem, html: String) throws -> Data {
        try xml(item) { w in
            try w.startElement("topic", namespaceURI: profile.discussionNamespace)
            try w.namespaceDeclaration(prefix: "xsi", uri: CartridgeXML.xsi)
            try w.attribute("schemaLocation", "\(profile.discussionNamespace) \(profile.discussionSchema)", prefix: "xsi")
            try text("title", Self.normalized(item.metadata.title), w)
            try w.startElement("text")
            try w.attribute("texttype", "text/html")
            try w.text(ManifestWriter.xmlSafe(html))
            try w.endElement()
            try w.endElement()
        }
    }

    /// `<cartridge_basiclti_link>` (LTI 1.0/1.1 link): title, description, custom parameters, launch URL
    /// (and `secure_launch_url` for https), vendor Hoclieu. Custom parameter names that are not XML names are
    /// reported and left out.
    mutating func ltiLink(_ item: ExportItem, launchURL: String, custom: [String: String], resource: String) throws -> Data {
        var dropped: [String] = []
        var secretLeftOut = false
        let data = try xml(item) { w in
            try w.startElement("cartridge_basiclti_link", namespaceURI: CartridgeXML.ltiLink)
            try w.namespaceDeclaration(prefix: "blti", uri: CartridgeXML.basicLTI)
            try w.namespaceDeclaration(prefix: "lticm", uri: CartridgeXML.ltiCommonMessages)
            try w.namespaceDeclaration(prefix: "lticp", uri: CartridgeXML.ltiCommonProfile)
            try w.namespaceDeclaration(prefix: "xsi", uri: CartridgeXML.xsi)
            let locations = [
                CartridgeXML.ltiLink, CartridgeXML.ltiLinkSchema, CartridgeXML.basicLTI, CartridgeXML.basicLTISchema,
                CartridgeXML.ltiCommonMessages, CartridgeXML.ltiCommonMessagesSchema, CartridgeXML.ltiCommonProfile,
                CartridgeXML.ltiCommonProfileSchema,
            ]
            try w.attribute("schemaLocation", locations.joined(separator: " "), prefix: "xsi")
            let (title, description) =
                target == .moodle
                ? (MoodleLTIText.safe(Self.normalized(item.metadata.title)), MoodleLTIText.safe(item.metadata.description))
                : (Self.normalized(item.metadata.title), item.metadata.description)
            try text("title", title, w, prefix: "blti")
            if !description.isEmpty { try text("description", description, w, prefix: "blti") }
            let names = custom.keys.sorted()
            let valid = names.filter(Self.isXMLName)
            dropped = names.filter { !Self.isXMLName($0) }
            if !valid.isEmpty {
                try w.startElement("custom", prefix: "blti")
                for name in valid {
                    try w.startElement("property", prefix: "lticm")
                    try w.attribute("name", name)
                    try w.text(ManifestWriter.xmlSafe(custom[name]!))
                    try w.endElement()
                }
                try w.endElement()
            }
            // The platform settings the source link had (Canvas configures the tool it creates from its own:
            // `blti_converter.rb`, `convert_blti_link`).
            for setting in item.ltiSettings.sorted(by: { $0.platform < $1.platform }) {
                try w.startElement("extensions", prefix: "blti")
                try w.attribute("platform", setting.platform)
                for name in setting.properties.keys.sorted() {
                    // A secret never travels in a file anyone who may see the material can download.
                    if name.lowercased() == "shared_secret" {
                        secretLeftOut = true
                        continue
                    }
                    try w.startElement("property", prefix: "lticm")
                    try w.attribute("name", name)
                    try w.text(ManifestWriter.xmlSafe(setting.properties[name]!))
                    try w.endElement()
                }
                try w.endElement()
            }
            try text("launch_url", launchURL, w, prefix: "blti")
            if launchURL.lowercased().hasPrefix("https://") { try text("secure_launch_url", launchURL, w, prefix: "blti") }
            try w.startElement("vendor", prefix: "blti")
            try text("code", "hoclieu", w, prefix: "lticp")
            try text("name", "Hoclieu", w, prefix: "lticp")
            try w.endElement()
            try w.endElement()
        }
        if secretLeftOut {
            losses.append(
                CartridgeMessage(
                    code: "ltiSecretLeftOut", vi: "Khóa bí mật (shared_secret) của công cụ LTI không được ghi vào gói: nhập lại trong LMS",
                    en: "The LTI tool's shared_secret is not written into the cartridge: enter it in the LMS", resource: resource))
        }
        if !dropped.isEmpty {
            losses.append(
                CartridgeMessage(
                    code: "ltiCustomDropped", vi: "Tham số tùy biến LTI có tên không hợp lệ đã bỏ: \(dropped.joined(separator: ", "))",
                    en: "LTI custom parameters with invalid names dropped: \(dropped.joined(separator: ", "))", resource: resource))
        }
        return data
    }

    /// `<assignment>` of the CC 1.3 assignment extension (`assignment_xmlv1p0`): title, instructions, gradable,
    /// the submission formats Canvas maps to its own (`lib/cc/importer/standard/assignment_converter.rb`,
    /// `parse_cc_assignment_data`: `html` → online text entry, `file` → upload). The text is never empty: that
    /// function appends to it.
    func assignment(_ item: ExportItem, html: String, resource: String) throws -> Data {
        try xml(item) { w in
            try w.startElement("assignment")
            try w.namespaceDeclaration(prefix: nil, uri: CartridgeXML.assignment)
            try w.namespaceDeclaration(prefix: "xsi", uri: CartridgeXML.xsi)
            try w.attribute("schemaLocation", "\(CartridgeXML.assignment) \(CartridgeXML.assignmentSchema)", prefix: "xsi")
            try w.attribute("identifier", resource)
            try text("title", Self.normalized(item.metadata.title), w)
            try w.startElement("text")
            try w.attribute("texttype", "text/html")
            // The page Hoclieu keeps starts with the title as a heading: the LMS shows the title already.
            var body = Self.body(of: html)
            let heading = "<h1>\(HTMLText.escape(item.metadata.title))</h1>"
            if body.hasPrefix(heading) { body = String(body.dropFirst(heading.count)).trimmingCharacters(in: .whitespacesAndNewlines) }
            try w.text(ManifestWriter.xmlSafe(body.isEmpty ? "<p>\(HTMLText.escape(item.metadata.title))</p>" : body))
            try w.endElement()
            try text("gradable", "true", w)
            try w.startElement("submission_formats")
            for format in ["html", "file"] {
                try w.startElement("format")
                try w.attribute("type", format)
                try w.endElement()
            }
            try w.endElement()
            try w.endElement()
        }
    }

    /// An assignment: `assignment_xmlv1p0` in CC 1.3, a page (reported) where the version has no such resource.
    mutating func assignmentPlan(_ item: ExportItem, html: String, id: String) -> ResourcePlan {
        if profile.version == "1.3" {
            var plan = ResourcePlan(
                identifier: id, item: item, type: CartridgeXML.assignmentType, href: "\(id)/assignment.xml",
                files: [.init(path: "\(id)/assignment.xml", source: .data(Data()))])
            plan.pendingText = .assignment(html)
            return plan
        }
        losses.append(
            CartridgeMessage(
                code: "assignmentAsPage",
                vi: "Common Cartridge \(profile.version) không có loại bài tập: bài tập được ghi thành trang (không chấm điểm trong LMS)",
                en: "Common Cartridge \(profile.version) has no assignment resource: the assignment is written as a page (not graded in the LMS)",
                resource: id))
        let path = "\(id)/\(Self.safeFileName(item.metadata.title.isEmpty ? "assignment" : item.metadata.title)).html"
        let page = html.lowercased().contains("<html")
            ? html
            : "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\(HTMLText.escape(item.metadata.title))</title></head><body>\n\(html)\n</body></html>\n"
        var plan = ResourcePlan(identifier: id, item: item, type: profile.webContentType, href: path, files: [.init(path: path, source: .data(Data()))])
        plan.pendingText = .page(page)
        return plan
    }

    /// The inside of `<body>` when `html` is a whole page, else `html`.
    static func body(of html: String) -> String {
        guard let open = html.range(of: "<body", options: .caseInsensitive),
            let openEnd = html[open.upperBound...].firstIndex(of: ">")
        else { return html }
        let rest = html[html.index(after: openEnd)...]
        let close = rest.range(of: "</body>", options: [.caseInsensitive, .backwards])?.lowerBound ?? rest.endIndex
        return rest[..<close].trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func text(_ name: String, _ value: String, _ w: XMLWriter, prefix: String? = nil) throws {
        try w.startElement(name, prefix: prefix)
        try w.text(ManifestWriter.xmlSafe(value))
        try w.endElement()
    }

    /// `xs:normalizedString`: no tab, CR or LF.
    static func normalized(_ text: String) -> String {
        String(text.map { $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
    }

    /// An `xs:Name` (letters, digits, `.`, `-`, `_`, `:`, not starting with a digit, `.` or `-`), kept ASCII.
    static func isXMLName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" || first == ":" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-:".contains($0)) }
    }
}

/// LTI titles and descriptions a Moodle import cannot choke on. Moodle's CC 1.1 LTI reader passes them through
/// PHP's `htmlentities()` and writes the result unescaped into `moodle.xml` (`backup/cc/entity11.lti.class.php`,
/// `getValue`, `create_node_course_modules_mod_basiclti`): a character with an HTML 4.01 named entity (`à` →
/// `&agrave;`, `–` → `&ndash;`) becomes an entity XML does not know, the reload fails and the whole course import
/// stops. Vietnamese letters are written decomposed (NFD: base letter + combining marks, which have no named
/// entity and render the same); other characters with a named entity become their ASCII transliteration, or are
/// left out.
enum MoodleLTIText {
    static func safe(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            if !hasHTML4Entity(scalar) {
                out.append(scalar)
                continue
            }
            let ascii = String(scalar).applyingTransform(StringTransform("Any-Latin; Latin-ASCII"), reverse: false) ?? ""
            for s in ascii.unicodeScalars where s.isASCII && !hasHTML4Entity(s) { out.append(s) }
        }
        return String(out)
    }

    /// Whether PHP's `htmlentities()` (HTML 4.01 table) writes this non-ASCII scalar as a named entity.
    static func hasHTML4Entity(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if v < 0xA0 { return false }
        if v <= 0xFF { return true }
        return html4Others.contains(v) || (0x391...0x3A9).contains(v) || (0x3B1...0x3C9).contains(v) || (0x2190...0x2194).contains(v)
            || (0x21D0...0x21D4).contains(v) || (0x2227...0x222B).contains(v) || (0x2308...0x230B).contains(v)
    }

    static let html4Others: Set<UInt32> = [
        0x152, 0x153, 0x160, 0x161, 0x178, 0x192, 0x2C6, 0x2DC, 0x3D1, 0x3D2, 0x3D6, 0x2002, 0x2003, 0x2009, 0x200C, 0x200D, 0x200E, 0x200F,
        0x2013, 0x2014, 0x2018, 0x2019, 0x201A, 0x201C, 0x201D, 0x201E, 0x2020, 0x2021, 0x2022, 0x2026, 0x2030, 0x2032, 0x2033, 0x2039, 0x203A,
        0x203E, 0x2044, 0x20AC, 0x2111, 0x2118, 0x211C, 0x2122, 0x2135, 0x21B5, 0x2200, 0x2202, 0x2203, 0x2205, 0x2207, 0x2208, 0x2209, 0x220B,
        0x220F, 0x2211, 0x2212, 0x2217, 0x221A, 0x221D, 0x221E, 0x2220, 0x2234, 0x223C, 0x2245, 0x2248, 0x2260, 0x2261, 0x2264, 0x2265, 0x2282,
        0x2283, 0x2284, 0x2286, 0x2287, 0x2295, 0x2297, 0x22A5, 0x22C5, 0x2329, 0x232A, 0x25CA, 0x2660, 0x2663, 0x2665, 0x2666,
    ]
}
