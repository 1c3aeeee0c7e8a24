public import Foundation
public import HoclieuCore
public import HoclieuXML

/// What a metadata encoder gets for one record.
public struct OAIRecordContext: Sendable {
    public var material: Material
    /// The record's OAI identifier (`oai:hoclieu.example.vn:79-760-1K3`).
    public var identifier: String
    /// The material's resolvable address (`…/id/{pid}`).
    public var landingURL: String

    public init(material: Material, identifier: String, landingURL: String) {
        self.material = material
        self.identifier = identifier
        self.landingURL = landingURL
    }
}

/// One metadata format of the provider: its prefix, namespace and schema, and how a record is written in it.
/// Adding a format is adding one of these to ``MetadataFormatRegistry``.
public struct MetadataFormat: Sendable {
    public var prefix: String
    public var namespace: String
    public var schema: String
    /// Writes the record's metadata as one element (the child of `<metadata>`), declaring its own namespaces.
    public var encode: @Sendable (OAIRecordContext, XMLWriter) throws -> Void

    public init(prefix: String, namespace: String, schema: String, encode: @escaping @Sendable (OAIRecordContext, XMLWriter) throws -> Void) {
        self.prefix = prefix
        self.namespace = namespace
        self.schema = schema
        self.encode = encode
    }
}

/// The formats the provider disseminates, in the order `ListMetadataFormats` lists them.
public struct MetadataFormatRegistry: Sendable {
    public var formats: [MetadataFormat]

    public init(_ formats: [MetadataFormat]) { self.formats = formats }

    /// `oai_dc` (required by the protocol) and IEEE LOM.
    public static let standard = MetadataFormatRegistry([.oaiDC, .lom])

    public func format(_ prefix: String) -> MetadataFormat? { formats.first { $0.prefix == prefix } }
}

let xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

extension XMLWriter {
    /// `<name>text</name>` with characters XML cannot carry removed.
    func element(_ name: String, prefix: String? = nil, _ text: String, attributes: [(String, String)] = []) throws {
        try startElement(name, prefix: prefix)
        for (key, value) in attributes { try attribute(key, value) }
        try self.text(XMLText.safe(text))
        try endElement()
    }
}

extension MetadataFormat {
    /// Simple Dublin Core in its OAI container (`oai_dc.xsd`).
    public static let oaiDC = MetadataFormat(
        prefix: "oai_dc", namespace: "http://www.openarchives.org/OAI/2.0/oai_dc/", schema: "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
    ) { record, w in
        let m = record.material
        let md = m.metadata
        try w.startElement("dc", prefix: "oai_dc", namespaceURI: "http://www.openarchives.org/OAI/2.0/oai_dc/")
        try w.namespaceDeclaration(prefix: "dc", uri: "http://purl.org/dc/elements/1.1/")
        try w.attribute(
            "schemaLocation", "http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd", prefix: "xsi",
            namespaceURI: xsiNamespace)
        try w.element("title", prefix: "dc", md.title)
        for author in md.authors { try w.element("creator", prefix: "dc", author) }
        for subject in md.subjects { try w.element("subject", prefix: "dc", subject) }
        for unit in md.knowledgeUnits { try w.element("subject", prefix: "dc", unit) }
        for keyword in md.keywords { try w.element("subject", prefix: "dc", keyword) }
        if !md.description.isEmpty { try w.element("description", prefix: "dc", md.description) }
        if let school = md.school { try w.element("publisher", prefix: "dc", school) }
        try w.element("date", prefix: "dc", String(OAIDatestamp.format(m.createdAt).prefix(10)))
        try w.element("type", prefix: "dc", m.kind.rawValue)
        for grade in md.grades { try w.element("coverage", prefix: "dc", "grade:\(grade)") }
        try w.element("format", prefix: "dc", m.format)
        try w.element("identifier", prefix: "dc", record.landingURL)
        try w.element("identifier", prefix: "dc", m.pid.rawValue)
        if let url = m.url { try w.element("relation", prefix: "dc", url) }
        try w.element("language", prefix: "dc", md.language)
        if let licence = md.licence { try w.element("rights", prefix: "dc", licence) }
        try w.endElement()
    }

    /// IEEE 1484.12.1 LOM (XML binding 1484.12.3), with LOMv1.0 vocabularies.
    public static let lom = MetadataFormat(
        prefix: "lom", namespace: "http://ltsc.ieee.org/xsd/LOM", schema: "http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd"
    ) { record, w in
        let m = record.material
        let md = m.metadata
        let language = md.language.isEmpty ? "vi" : md.language
        func langString(_ name: String, _ text: String, language: String) throws {
            try w.startElement(name)
            try w.element("string", text, attributes: [("language", language)])
            try w.endElement()
        }
        func vocabulary(_ name: String, _ value: String) throws {
            try w.startElement(name)
            try w.element("source", "LOMv1.0")
            try w.element("value", value)
            try w.endElement()
        }
        try w.startElement("lom", namespaceURI: "http://ltsc.ieee.org/xsd/LOM")
        try w.attribute("schemaLocation", "http://ltsc.ieee.org/xsd/LOM http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd", prefix: "xsi", namespaceURI: xsiNamespace)

        try w.startElement("general")
        try w.startElement("identifier")
        try w.element("catalog", "URI")
        try w.element("entry", record.landingURL)
        try w.endElement()
        try w.startElement("identifier")
        try w.element("catalog", "PID")
        try w.element("entry", m.pid.rawValue)
        try w.endElement()
        try langString("title", md.title, language: language)
        try w.element("language", language)
        if !md.description.isEmpty { try langString("description", md.description, language: language) }
        for keyword in md.keywords { try langString("keyword", keyword, language: language) }
        try w.endElement()

        if !md.authors.isEmpty {
            try w.startElement("lifeCycle")
            for author in md.authors {
                try w.startElement("contribute")
                try vocabulary("role", "author")
                try w.element("entity", "BEGIN:VCARD\nVERSION:3.0\nFN:\(vCardEscaped(author))\nEND:VCARD")
                try w.endElement()
            }
            try w.endElement()
        }

        try w.startElement("technical")
        if m.format.contains("/") { try w.element("format", m.format) }
        try w.element("location", m.url ?? record.landingURL)
        try w.endElement()

        try w.startElement("educational")
        if let type = learningResourceType(m.kind) { try vocabulary("learningResourceType", type) }
        try vocabulary("context", "school")
        if let youngest = md.grades.min(), let oldest = md.grades.max() {
            // Vietnamese grade g is for pupils of about g + 5 to g + 6 years.
            try langString("typicalAgeRange", "\(youngest + 5)-\(oldest + 6)", language: "en")
        }
        try w.element("language", language)
        try w.endElement()

        try w.startElement("rights")
        try vocabulary("copyrightAndOtherRestrictions", md.licence == nil ? "no" : "yes")
        if let licence = md.licence { try langString("description", licence, language: "x-none") }
        try w.endElement()

        /// One `classification` of a purpose, a `taxonPath` per id under the named source.
        func classification(_ purpose: String, source: String, language: String, ids: [String]) throws {
            guard !ids.isEmpty else { return }
            try w.startElement("classification")
            try vocabulary("purpose", purpose)
            for id in ids {
                try w.startElement("taxonPath")
                try langString("source", source, language: language)
                try w.startElement("taxon")
                try w.element("id", id)
                try w.endElement()
                try w.endElement()
            }
            try w.endElement()
        }
        try classification("discipline", source: "Hoclieu subjects", language: "en", ids: md.subjects)
        try classification("educational objective", source: "GDPT 2018", language: "vi", ids: md.knowledgeUnits)
        try w.endElement()
    }

    /// The LOMv1.0 learning resource type closest to a kind (none for links and course packages).
    static func learningResourceType(_ kind: MaterialKind) -> String? {
        switch kind {
        case .lesson: "lecture"
        case .simulation: "simulation"
        case .document: "narrative text"
        case .video: "lecture"
        case .questionSet: "exercise"
        case .link, .coursePackage: nil
        }
    }

    static func vCardEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ",", with: "\\,").replacingOccurrences(of: ";", with: "\\;")
            .replacingOccurrences(of: "\n", with: " ")
    }
}
