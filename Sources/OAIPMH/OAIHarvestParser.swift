public import Foundation
public import HoclieuCore
import HoclieuXML

/// One record of a harvested page, mapped to Hoclieu's metadata.
public struct HarvestedRecord: Sendable, Equatable {
    /// The remote OAI identifier (provenance: the source identifier).
    public var identifier: String
    public var datestamp: Date?
    public var deleted: Bool
    /// The metadata as the record gave it, before ``MaterialMetadata/repaired(fallbackTitle:)``; nil for a deleted record.
    public var metadata: MaterialMetadata?
    public var kind: MaterialKind?
    /// The resource's web address when the record names one.
    public var url: String?
}

/// One parsed response of a list request (or an OAI error).
public struct HarvestedPage: Sendable {
    public var records: [HarvestedRecord]
    /// The token of the next page; nil or empty at the end of the list.
    public var resumptionToken: String?
    /// An OAI error code (`noRecordsMatch`, `badResumptionToken`…) and its text.
    public var errorCode: String?
    public var errorMessage: String?
}

/// Reads OAI-PMH responses of other repositories, which are hostile input: parsed by libxml2 with no network, no DTD
/// (a DOCTYPE is refused, so no entity can expand) and a size and depth limit; only `oai_dc` and `lom` are mapped.
public enum OAIHarvestParser {
    public enum Failure: BilingualError, Equatable {
        case notXML(String)
        case notOAI

        public var vietnamese: String {
            switch self {
            case .notXML(let why): "Phản hồi không phải XML hợp lệ (\(why))."
            case .notOAI: "Phản hồi không phải là tài liệu OAI-PMH 2.0."
            }
        }
        public var english: String {
            switch self {
            case .notXML(let why): "The response is not valid XML (\(why))."
            case .notOAI: "The response is not an OAI-PMH 2.0 document."
            }
        }
    }

    static let namespaces = [
        "o": "http://www.openarchives.org/OAI/2.0/", "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
        "dc": "http://purl.org/dc/elements/1.1/", "lom": "http://ltsc.ieee.org/xsd/LOM",
    ]

    /// Parses a `ListRecords` or `GetRecord` response.
    /// - Parameter maxBytes: the largest response accepted.
    public static func parse(_ data: Data, maxBytes: Int = 32 << 20) throws -> HarvestedPage {
        let document: XMLDocument
        do {
            document = try XMLDocument(data: data, options: XMLParseOptions(maxBytes: maxBytes, maxDepth: 64, allowDTD: false))
        } catch {
            throw Failure.notXML(String(describing: error).prefix(200).description)
        }
        guard let root = document.root, root.name == "OAI-PMH", root.namespaceURI == namespaces["o"] else { throw Failure.notOAI }
        if let error = try document.select("/o:OAI-PMH/o:error", namespaces: namespaces).first {
            return HarvestedPage(records: [], resumptionToken: nil, errorCode: error.attribute("code") ?? "unknown", errorMessage: error.text)
        }
        var records: [HarvestedRecord] = []
        for record in try document.select("/o:OAI-PMH/*/o:record", namespaces: namespaces) {
            let identifier = try record.selectString("normalize-space(o:header/o:identifier)", namespaces: namespaces)
            guard !identifier.isEmpty else { continue }
            let datestamp = try record.selectString("normalize-space(o:header/o:datestamp)", namespaces: namespaces)
            let deleted = try record.selectString("string(o:header/@status)", namespaces: namespaces) == "deleted"
            var harvested = HarvestedRecord(identifier: identifier, datestamp: OAIDatestamp(datestamp)?.date, deleted: deleted)
            if !deleted {
                if let dc = try record.select("o:metadata/oai_dc:dc", namespaces: namespaces).first {
                    try mapDublinCore(dc, into: &harvested)
                } else if let lom = try record.select("o:metadata/lom:lom", namespaces: namespaces).first {
                    try mapLOM(lom, into: &harvested)
                }
            }
            records.append(harvested)
        }
        let token = try document.selectString("normalize-space(/o:OAI-PMH/*/o:resumptionToken)", namespaces: namespaces)
        return HarvestedPage(records: records, resumptionToken: token.isEmpty ? nil : token)
    }

    static func isSubjectCode(_ s: String) -> Bool { !s.isEmpty && s.count <= 32 && s.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") } }
    static func isUnitCode(_ s: String) -> Bool {
        s.contains(".") && s.count <= 64 && s.first?.isUppercase == true
            && s.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }
    }
    static func webAddress(_ values: [String]) -> String? {
        values.first { $0.hasPrefix("https://") || $0.hasPrefix("http://") }.flatMap(WebLinks.normalise)
    }

    /// A value on one line, runs of white space made one space: list values are kept one per line, and a line break
    /// inside one would split it in two on the next read (and make every later run see a change).
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
    }

    static func mapDublinCore(_ dc: XMLElement, into record: inout HarvestedRecord) throws {
        func values(_ name: String) throws -> [String] {
            try dc.select("dc:\(name)", namespaces: namespaces).map { oneLine($0.text) }.filter { !$0.isEmpty }
        }
        var metadata = MaterialMetadata(title: try values("title").first ?? "")
        metadata.description = try dc.select("dc:description", namespaces: namespaces).map { VietnameseText.trimmed($0.text) }
            .filter { !$0.isEmpty }.joined(separator: "\n\n")
        metadata.authors = try values("creator")
        metadata.language = try values("language").first ?? "vi"
        metadata.licence = try values("rights").first
        metadata.school = try values("publisher").first
        for subject in try values("subject") {
            if isUnitCode(subject) {
                metadata.knowledgeUnits.append(subject)
            } else if isSubjectCode(subject) {
                metadata.subjects.append(subject)
            } else {
                metadata.keywords.append(subject)
            }
        }
        metadata.grades = try values("coverage").compactMap { $0.hasPrefix("grade:") ? Int($0.dropFirst(6)) : nil }
        record.kind = try values("type").compactMap { MaterialKind(rawValue: $0) }.first
        record.url = webAddress(try values("identifier"))
        record.metadata = metadata
    }

    static func mapLOM(_ lom: XMLElement, into record: inout HarvestedRecord) throws {
        func strings(_ path: String) throws -> [String] {
            try lom.select(path, namespaces: namespaces).map { oneLine($0.text) }.filter { !$0.isEmpty }
        }
        var metadata = MaterialMetadata(title: try strings("lom:general/lom:title/lom:string").first ?? "")
        metadata.description = try lom.select("lom:general/lom:description/lom:string", namespaces: namespaces)
            .map { VietnameseText.trimmed($0.text) }.filter { !$0.isEmpty }.joined(separator: "\n\n")
        metadata.keywords = try strings("lom:general/lom:keyword/lom:string")
        metadata.language = try strings("lom:general/lom:language").first ?? "vi"
        metadata.authors = try lom.select("lom:lifeCycle/lom:contribute/lom:entity", namespaces: namespaces).map(\.text).compactMap { card in
            card.split(whereSeparator: \.isNewline).first { $0.hasPrefix("FN:") }
                .map { oneLine(String($0.dropFirst(3)).replacingOccurrences(of: "\\,", with: ",")) }
        }
        metadata.licence = try strings("lom:rights/lom:description/lom:string").first
        for classification in try lom.select("lom:classification", namespaces: namespaces) {
            let purpose = try classification.selectString("normalize-space(lom:purpose/lom:value)", namespaces: namespaces)
            let ids = try classification.select("lom:taxonPath/lom:taxon/lom:id", namespaces: namespaces).map { VietnameseText.trimmed($0.text) }
            if purpose == "discipline" { metadata.subjects += ids.filter(isSubjectCode) }
            if purpose == "educational objective" { metadata.knowledgeUnits += ids.filter(isUnitCode) }
        }
        if let range = try strings("lom:educational/lom:typicalAgeRange/lom:string").first {
            let ages = range.split(separator: "-").compactMap { Int($0) }
            if ages.count == 2, ages[0] >= 6, ages[1] >= ages[0], ages[1] <= 18 { metadata.grades = Array(ages[0] - 5...ages[1] - 6).filter { (1...12).contains($0) } }
        }
        let type = try strings("lom:educational/lom:learningResourceType/lom:value").first
        record.kind = MaterialKind.allCases.first { type != nil && MetadataFormat.learningResourceType($0) == type }
        record.url = webAddress(try strings("lom:technical/lom:location") + strings("lom:general/lom:identifier/lom:entry"))
        record.metadata = metadata
    }
}
