public import Crypto
public import Foundation
public import HoclieuCore
public import HoclieuXML

/// One record as the provider serves it: a material, and whether it is reported as deleted (withdrawn).
public struct OAIRecord: Sendable {
    public var material: Material
    public var deleted: Bool
    /// The record as ``OAIProvider/render(_:format:)`` wrote it for the format asked, when the source has it stored
    /// and current: written as it is instead of being encoded again.
    public var rendered: Data?

    public init(material: Material, deleted: Bool, rendered: Data? = nil) {
        self.material = material
        self.deleted = deleted
        self.rendered = rendered
    }
}

/// Which records a list request selects (the protocol's `from`, `until` and `set`).
public struct OAIListFilter: Sendable, Equatable {
    /// Inclusive lower bound of datestamps.
    public var from: Date?
    /// Exclusive upper bound (the second after `until`, or the day after a day-granularity `until`).
    public var before: Date?
    public var set: OAISet?

    public init(from: Date? = nil, before: Date? = nil, set: OAISet? = nil) {
        self.from = from
        self.before = before
        self.set = set
    }
}

/// Where the provider's records come from, already restricted to what one harvester class may see
/// (the application layer implements it over the store and the access policy).
public protocol OAIRecordSource: Sendable {
    /// Which harvester class this source serves (`public`, `sector`): resumption tokens are bound to it.
    var audience: String { get }
    func earliestDatestamp() async throws -> Date?
    /// The record of a persistent identifier, when it exists and this harvester class may know it.
    func record(_ pid: PersistentIdentifier) async throws -> OAIRecord?
    /// Up to `limit` records after `(afterMillis, afterSerial)` in datestamp order; with `prefix` (ListRecords), each
    /// with its stored rendering in that format when the source has a current one.
    func page(_ filter: OAIListFilter, after: (millis: Int64, serial: Int)?, limit: Int, prefix: String?) async throws -> [OAIRecord]
    func count(_ filter: OAIListFilter) async throws -> Int
    func sets() async throws -> [OAISet.Description]
}

/// The provider's fixed description and tuning.
public struct OAIProviderSettings: Sendable {
    public var repositoryName: String
    /// The address of `/oai`, as harvesters reach it.
    public var baseURL: String
    /// The namespace of record identifiers (`oai:{repositoryIdentifier}:{pid}`), a domain name.
    public var repositoryIdentifier: String
    public var adminEmail: String
    /// Records per `ListRecords`/`ListIdentifiers` page.
    public var pageSize: Int
    /// How long a resumption token stays good.
    public var tokenLifetime: TimeInterval
    /// The resolvable address of a material.
    public var landingURL: @Sendable (PersistentIdentifier) -> String

    public init(
        repositoryName: String, baseURL: String, repositoryIdentifier: String, adminEmail: String, pageSize: Int = 200,
        tokenLifetime: TimeInterval = 24 * 3600, landingURL: @escaping @Sendable (PersistentIdentifier) -> String
    ) {
        self.repositoryName = repositoryName
        self.baseURL = baseURL
        self.repositoryIdentifier = repositoryIdentifier
        self.adminEmail = adminEmail
        self.pageSize = pageSize
        self.tokenLifetime = tokenLifetime
        self.landingURL = landingURL
    }

    /// Whether `name` may be a repository identifier (oai-identifier: a domain name whose labels start with a letter).
    public static func isRepositoryIdentifier(_ name: String) -> Bool {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { label in
            guard let first = label.first, first.isASCII, first.isLetter else { return false }
            return label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}

/// The OAI-PMH 2.0 provider: checks a request, asks a ``OAIRecordSource`` and writes the response document.
/// Protocol errors are responses too (`<error>`); only a failure of the source throws.
public struct OAIProvider: Sendable {
    public var settings: OAIProviderSettings
    public var formats: MetadataFormatRegistry
    let tokenKey: SymmetricKey

    static let namespace = "http://www.openarchives.org/OAI/2.0/"
    static let schemaLocation = "http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"

    /// - Parameter signingKey: the service's key (shared by every node); tokens are signed with a key derived from it.
    public init(settings: OAIProviderSettings, formats: MetadataFormatRegistry = .standard, signingKey: SymmetricKey) {
        self.settings = settings
        self.formats = formats
        self.tokenKey = ResumptionToken.tokenKey(from: signingKey)
    }

    /// The identifier of a material's record.
    public func identifier(_ pid: PersistentIdentifier) -> String { "oai:\(settings.repositoryIdentifier):\(pid.rawValue)" }

    /// A published material's `<record>` (header and metadata) in `format`, as a list response writes it: what a
    /// source stores ahead of time and hands back in ``OAIRecord/rendered``.
    public func render(_ material: Material, format: MetadataFormat) throws -> Data {
        let w = try XMLWriter(indent: "")
        try write(OAIRecord(material: material, deleted: false), format: format, headerOnly: false, w)
        return try w.fragment()
    }

    /// Identifies what ``render(_:format:)`` writes: the settings a record shows, the formats and the rendering's
    /// version (raise ``renderingVersion`` when an encoder changes). Records stored under another key are stale.
    public var renderingKey: Int64 {
        let text = [
            "v\(Self.renderingVersion)", settings.repositoryIdentifier, settings.landingURL(PersistentIdentifier(prefix: "VN", serial: 1)),
        ] + formats.formats.map(\.prefix)
        let digest = SHA256.hash(data: Data(text.joined(separator: "\n").utf8))
        return digest.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }
    }

    /// The version of the record encoders (part of ``renderingKey``).
    public static let renderingVersion = 1

    /// The material named by a record identifier of this repository.
    func pid(fromIdentifier identifier: String) -> PersistentIdentifier? {
        let prefix = "oai:\(settings.repositoryIdentifier):"
        guard identifier.hasPrefix(prefix) else { return nil }
        return try? PersistentIdentifier(parsing: String(identifier.dropFirst(prefix.count)))
    }

    /// Answers one request (its arguments in the order they came).
    public func respond(to pairs: [(String, String)], source: some OAIRecordSource, now: Date = Date()) async throws -> Data {
        let request: OAIRequest
        do {
            request = try OAIRequest.parse(pairs)
        } catch {
            return try document(now: now, request: nil) { w in try Self.write(error, w) }
        }
        do {
            let body = try await answer(request, source: source, now: now)
            return try document(now: now, request: request) { w in try body(w) }
        } catch let error as OAIError {
            return try document(now: now, request: error.echoesNoArguments ? nil : request) { w in try Self.write(error, w) }
        }
    }

    static func write(_ error: OAIError, _ w: XMLWriter) throws {
        try w.element("error", "\(error.english) / \(error.vietnamese)", attributes: [("code", error.oaiCode.rawValue)])
    }

    /// The envelope: `responseDate`, `request` (with the verb and arguments unless `request` is nil), and the body.
    func document(now: Date, request: OAIRequest?, body: (XMLWriter) throws -> Void) throws -> Data {
        let w = try XMLWriter(indent: "")
        try w.startDocument()
        try w.startElement("OAI-PMH", namespaceURI: Self.namespace)
        try w.attribute("schemaLocation", Self.schemaLocation, prefix: "xsi", namespaceURI: xsiNamespace)
        try w.element("responseDate", OAIDatestamp.format(now))
        var attributes: [(String, String)] = []
        if let request {
            attributes.append(("verb", request.verb.rawValue))
            attributes += request.arguments.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        try w.element("request", settings.baseURL, attributes: attributes)
        try body(w)
        try w.endElement()
        try w.endDocument()
        return try w.data()
    }

    typealias Body = (XMLWriter) throws -> Void

    func answer(_ request: OAIRequest, source: some OAIRecordSource, now: Date) async throws -> Body {
        let arguments = request.arguments
        switch request.verb {
        case .identify:
            let earliest = try await source.earliestDatestamp() ?? now
            let settings = self.settings
            return { w in
                try w.startElement("Identify")
                try w.element("repositoryName", settings.repositoryName)
                try w.element("baseURL", settings.baseURL)
                try w.element("protocolVersion", "2.0")
                try w.element("adminEmail", settings.adminEmail)
                try w.element("earliestDatestamp", OAIDatestamp.format(earliest))
                try w.element("deletedRecord", "persistent")
                try w.element("granularity", "YYYY-MM-DDThh:mm:ssZ")
                try w.endElement()
            }
        case .listMetadataFormats:
            if let identifier = arguments["identifier"] {
                guard let pid = pid(fromIdentifier: identifier), try await source.record(pid) != nil else { throw Self.unknown(identifier) }
            }
            let formats = self.formats.formats
            return { w in
                try w.startElement("ListMetadataFormats")
                for format in formats {
                    try w.startElement("metadataFormat")
                    try w.element("metadataPrefix", format.prefix)
                    try w.element("schema", format.schema)
                    try w.element("metadataNamespace", format.namespace)
                    try w.endElement()
                }
                try w.endElement()
            }
        case .listSets:
            if arguments["resumptionToken"] != nil {
                // Every set fits in one response: no token was ever issued for ListSets.
                throw OAIError.badToken(vi: "ListSets không dùng resumptionToken.", en: "ListSets issues no resumption tokens.")
            }
            let sets = try await source.sets()
            return { w in
                try w.startElement("ListSets")
                for set in sets {
                    try w.startElement("set")
                    try w.element("setSpec", set.spec)
                    try w.element("setName", set.name)
                    try w.endElement()
                }
                try w.endElement()
            }
        case .getRecord:
            let format = try format(arguments["metadataPrefix"]!)
            let identifier = arguments["identifier"]!
            guard let pid = pid(fromIdentifier: identifier), let record = try await source.record(pid) else { throw Self.unknown(identifier) }
            return { w in
                try w.startElement("GetRecord")
                try self.write(record, format: format, headerOnly: false, w)
                try w.endElement()
            }
        case .listIdentifiers, .listRecords:
            return try await list(request, source: source, now: now)
        }
    }

    static func unknown(_ identifier: String) -> OAIError {
        OAIError(
            .idDoesNotExist, vi: "Không có bản ghi \(OAIRequest.quoted(identifier)) trong kho này.",
            en: "No record \(OAIRequest.quoted(identifier)) in this repository.")
    }

    func format(_ prefix: String) throws(OAIError) -> MetadataFormat {
        guard let format = formats.format(prefix) else {
            throw OAIError(
                .cannotDisseminateFormat, vi: "Kho không cung cấp định dạng \(OAIRequest.quoted(prefix)).",
                en: "The metadata format \(OAIRequest.quoted(prefix)) is not supported by this repository.")
        }
        return format
    }

    /// The filter of a fresh list request: `from`/`until` of one granularity, in order, and a known set.
    static func filter(_ arguments: [String: String]) throws(OAIError) -> OAIListFilter {
        var filter = OAIListFilter()
        var granularities: [OAIDatestamp.Granularity] = []
        if let text = arguments["from"] {
            guard let from = OAIDatestamp(text) else {
                throw OAIError.badArgument(vi: "from không phải là ngày giờ UTC hợp lệ.", en: "from is not a valid UTC datestamp.")
            }
            filter.from = from.date
            granularities.append(from.granularity)
        }
        if let text = arguments["until"] {
            guard let until = OAIDatestamp(text) else {
                throw OAIError.badArgument(vi: "until không phải là ngày giờ UTC hợp lệ.", en: "until is not a valid UTC datestamp.")
            }
            // Inclusive at its granularity: until=…T10:00:00Z takes the whole second, until=2026-12-05 the whole day.
            filter.before = until.date.addingTimeInterval(until.granularity == .day ? 86400 : 1)
            granularities.append(until.granularity)
        }
        if granularities.count == 2, granularities[0] != granularities[1] {
            throw OAIError.badArgument(vi: "from và until phải cùng độ chi tiết.", en: "from and until must have the same granularity.")
        }
        if let from = filter.from, let before = filter.before, before <= from {
            throw OAIError.badArgument(vi: "until ở trước from.", en: "until is earlier than from.")
        }
        if let spec = arguments["set"] {
            // A set this repository could never have selects nothing.
            guard let set = OAISet(spec: spec) else {
                throw OAIError(.noRecordsMatch, vi: "Không có tập \(OAIRequest.quoted(spec)).", en: "There is no set \(OAIRequest.quoted(spec)).")
            }
            filter.set = set
        }
        return filter
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
    static func date(millis: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(millis) / 1000) }

    func list(_ request: OAIRequest, source: some OAIRecordSource, now: Date) async throws -> Body {
        let headerOnly = request.verb == .listIdentifiers
        let token: ResumptionToken
        let filter: OAIListFilter
        if let text = request.arguments["resumptionToken"] {
            token = try ResumptionToken.decode(text, key: tokenKey, now: now)
            guard token.verb == request.verb.rawValue, token.audience == source.audience else {
                throw OAIError.badToken(vi: "resumptionToken thuộc về yêu cầu khác.", en: "The resumptionToken belongs to another request.")
            }
            var f = OAIListFilter(from: token.fromMillis.map(Self.date(millis:)), before: token.beforeMillis.map(Self.date(millis:)))
            if let spec = token.set {
                guard let set = OAISet(spec: spec) else { throw OAIError.badToken(vi: "resumptionToken không hợp lệ.", en: "The resumptionToken is invalid.") }
                f.set = set
            }
            filter = f
        } else {
            let prefix = request.arguments["metadataPrefix"]!
            _ = try format(prefix)
            filter = try Self.filter(request.arguments)
            let size = try await source.count(filter)
            guard size > 0 else {
                throw OAIError(.noRecordsMatch, vi: "Không có bản ghi nào khớp với yêu cầu.", en: "The combination of arguments results in an empty list.")
            }
            token = ResumptionToken(
                verb: request.verb.rawValue, metadataPrefix: prefix, set: filter.set?.spec, fromMillis: filter.from.map(Self.millis),
                beforeMillis: filter.before.map(Self.millis), afterMillis: Int64.min, afterSerial: -1, cursor: 0, completeListSize: size,
                audience: source.audience, expires: 0)
        }
        guard let format = formats.format(token.metadataPrefix) else {
            throw OAIError.badToken(vi: "resumptionToken không hợp lệ.", en: "The resumptionToken is invalid.")
        }
        let pageSize = max(1, settings.pageSize)
        let after = token.afterSerial < 0 ? nil : (millis: token.afterMillis, serial: token.afterSerial)
        // One record more than a page: whether another page follows is known without a second query.
        let fetched = try await source.page(filter, after: after, limit: pageSize + 1, prefix: headerOnly ? nil : format.prefix)
        let records = Array(fetched.prefix(pageSize))
        // A list element holds at least one record (the records after a token can only vanish by becoming invisible).
        guard !records.isEmpty else {
            throw OAIError(.noRecordsMatch, vi: "Không có bản ghi nào khớp với yêu cầu.", en: "The combination of arguments results in an empty list.")
        }
        let (cursorAfter, overflow) = token.cursor.addingReportingOverflow(records.count)
        guard !overflow else { throw OAIError.badToken(vi: "resumptionToken không hợp lệ.", en: "The resumptionToken is invalid.") }
        var next: ResumptionToken?
        if fetched.count > pageSize, let last = records.last {
            var n = token
            n.afterMillis = Self.millis(last.material.updatedAt)
            n.afterSerial = last.material.pid.serial
            n.cursor = cursorAfter
            // The list grew while it was harvested: the size is at least what has been seen.
            n.completeListSize = max(token.completeListSize, cursorAfter + 1)
            n.expires = Int64(now.addingTimeInterval(settings.tokenLifetime).timeIntervalSince1970)
            next = n
        }
        let isContinuation = request.arguments["resumptionToken"] != nil
        let completeListSize = max(token.completeListSize, cursorAfter)
        let key = tokenKey
        let verb = request.verb.rawValue
        return { w in
            try w.startElement(verb)
            for record in records { try self.write(record, format: format, headerOnly: headerOnly, w) }
            if let next {
                try w.startElement("resumptionToken")
                try w.attribute("expirationDate", OAIDatestamp.format(next.expirationDate))
                try w.attribute("completeListSize", String(completeListSize))
                try w.attribute("cursor", String(token.cursor))
                try w.text(next.encoded(key: key))
                try w.endElement()
            } else if isContinuation {
                // The last page of a resumed list: an empty token ends it (§3.5).
                try w.startElement("resumptionToken")
                try w.attribute("completeListSize", String(completeListSize))
                try w.attribute("cursor", String(token.cursor))
                try w.endElement()
            }
            try w.endElement()
        }
    }

    func write(_ record: OAIRecord, format: MetadataFormat, headerOnly: Bool, _ w: XMLWriter) throws {
        if !headerOnly, !record.deleted, let rendered = record.rendered { return try w.raw(rendered) }
        let m = record.material
        if !headerOnly { try w.startElement("record") }
        try w.startElement("header")
        if record.deleted { try w.attribute("status", "deleted") }
        try w.element("identifier", identifier(m.pid))
        try w.element("datestamp", OAIDatestamp.format(m.updatedAt))
        for spec in OAISet.specs(of: m) { try w.element("setSpec", spec) }
        try w.endElement()
        if !headerOnly, !record.deleted {
            try w.startElement("metadata")
            try format.encode(OAIRecordContext(material: m, identifier: identifier(m.pid), landingURL: settings.landingURL(m.pid)), w)
            try w.endElement()
        }
        if !headerOnly { try w.endElement() }
    }
}

extension OAIProvider {
    /// How many records (headers of `ListIdentifiers`, records of `ListRecords` and `GetRecord`, deleted ones included)
    /// a response of this provider holds: its `<header>` elements, counted in one pass over the bytes. Text content
    /// never holds a literal `<`, so a metadata value cannot be counted.
    public static func recordCount(_ response: Data) -> Int {
        let pattern = Array("<header".utf8)
        return response.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Int in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard bytes.count > pattern.count else { return 0 }
            var count = 0
            var i = 0
            let last = bytes.count - pattern.count
            while i < last {
                if bytes[i] == 0x3C, bytes[i + 1] == 0x68 {
                    var matches = true
                    for k in 2..<pattern.count where bytes[i + k] != pattern[k] {
                        matches = false
                        break
                    }
                    let next = bytes[i + pattern.count]
                    if matches, next == 0x3E || next == 0x20 {
                        count += 1
                        i += pattern.count
                        continue
                    }
                }
                i += 1
            }
            return count
        }
    }
}
