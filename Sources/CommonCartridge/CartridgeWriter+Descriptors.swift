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
            try text("title", Self.normalized(item.metadata.title), w, prefix: "blti")
            if !item.metadata.description.isEmpty { try text("description", item.metadata.description, w, prefix: "blti") }
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
            try text("launch_url", launchURL, w, prefix: "blti")
            if launchURL.lowercased().hasPrefix("https://") { try text("secure_launch_url", launchURL, w, prefix: "blti") }
            try w.startElement("vendor", prefix: "blti")
            try text("code", "hoclieu", w, prefix: "lticp")
            try text("name", "Hoclieu", w, prefix: "lticp")
            try w.endElement()
            try w.endElement()
        }
        if !dropped.isEmpty {
            losses.append(
                CartridgeMessage(
                    code: "ltiCustomDropped", vi: "Tham số tùy biến LTI có tên không hợp lệ đã bỏ: \(dropped.joined(separator: ", "))",
                    en: "LTI custom parameters with invalid names dropped: \(dropped.joined(separator: ", "))", resource: resource))
        }
        return data
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
