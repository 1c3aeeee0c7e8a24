import CASE
import ContentPackages
import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuStorage
import HoclieuApp
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// IMS CASE 1.0 provider over the catalogue.
///
/// | method | path | policy |
/// |---|---|---|
/// | GET | /ims/case/v1p0/CFDocuments | anyone (CORS) |
/// | GET | /ims/case/v1p0/{CFDocuments, CFPackages, CFItems, CFAssociations, CFItemAssociations, CFItemTypes, CFSubjects, CFLicenses, CFConcepts, CFAssociationGroupings}/{sourcedId} | anyone (CORS) |
/// | GET | /ims/case/v1p0/CFRubrics/{sourcedId} | anyone (CORS): 404 `unknownobject`, no rubrics are published |
/// | OPTIONS | /ims/case/v1p0/** | CORS preflight (browser clients that send `Authorization`) |
///
/// Every body is built and encoded once (see ``CASESnapshot``) and served with ETag and
/// Last-Modified; errors are `imsx_StatusInfo` bodies. When the public base URL cannot be published in CASE
/// URIs (``CASEBaseURL/problem(_:)``: loopback, `0.0.0.0`, not http(s), a non-ASCII host), every CASE
/// request answers 503 with the reason: consumers keep the URIs they read, so wrong ones must never go out.
final class CASEController: Sendable {
    let repository: Services
    /// The bodies, with the catalogue state they were built from and when that was last compared.
    struct Built: Sendable {
        var snapshot: CASESnapshot
        var fingerprint: [CatalogFrameworkSummary]
        var checked: ContinuousClock.Instant
    }
    let built = Mutex<Built?>(nil)
    /// gzip bodies by their ETag, made on first request (a package of 2 MB is ≈ 10 times smaller).
    let gzipped = Mutex<[String: Data]>([:])
    /// Bodies smaller than this are sent as they are.
    static let gzipThreshold = 1024
    /// How long a built snapshot is served before the catalogue is compared again.
    static let recheck: Duration = .seconds(1)
    /// Why CASE is not served (nil: it is).
    let baseProblem: String?
    static let base = "/ims/case/v1p0"

    init(repository: Services) {
        self.repository = repository
        baseProblem = CASEBaseURL.problem(repository.configuration.publicBaseURL)
    }

    /// The 503 answered while the base URL is unusable.
    func unavailable() -> Response? {
        guard let baseProblem else { return nil }
        return Self.statusInfo(
            .serviceUnavailable, "CASE không được phục vụ / CASE is not served: \(baseProblem)", field: "publicBaseURL",
            value: "internal_server_error")
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("\(Self.base)/CFDocuments", use: documents)
        // A CASE 1.0 endpoint: answered in the binding's own error shape, never the API's problem details.
        router.get("\(Self.base)/CFRubrics/{id}") { _, _ in
            self.unavailable() ?? Self.statusInfo(.notFound, "No rubric with this sourcedId: Hoclieu publishes no rubrics", field: "sourcedId", value: "unknownobject")
        }
        router.on("\(Self.base)/**", method: .options) { request, _ in Self.preflight(request) }
        router.get("\(Self.base)/CFPackages/{id}") { request, context in
            try await self.serve(request, context) { snapshot, id in snapshot.packages[id] }
        }
        for kind in CASESnapshot.Kind.allCases {
            router.get("\(Self.base)/\(kind.rawValue)/{id}") { request, context in
                try await self.serve(request, context) { snapshot, id in snapshot.bodies[kind]?[id] }
            }
        }
    }

    /// The snapshot: built from the store on first use, and again whenever the catalogue changed (a
    /// `hoclieu catalog import` in another process, another node of the same database). The store is asked at
    /// most once a second for its frameworks' item counts and last changes; equal answers keep the bodies.
    func current() async throws -> CASESnapshot {
        let now = ContinuousClock.now
        if let cached = built.withLock({ $0 }), now - cached.checked < Self.recheck { return cached.snapshot }
        let frameworks = try await repository.store.catalogFrameworks()
        if let cached = built.withLock({ $0 }), cached.fingerprint == frameworks {
            built.withLock { $0?.checked = now }
            return cached.snapshot
        }
        var inputs: [CASEFrameworkInput] = []
        for framework in frameworks {
            let items = try await repository.store.catalogItems(framework: framework.subject.code)
            inputs.append(CASEFrameworkInput(subject: framework.subject, items: items.map { ($0.item, $0.updatedAt) }))
        }
        let snapshot = try CASESnapshot(frameworks: inputs, baseURL: repository.configuration.publicBaseURL + Self.base)
        built.withLock { $0 = Built(snapshot: snapshot, fingerprint: frameworks, checked: now) }
        return snapshot
    }

    /// Response headers a browser client may read (CORS).
    static let exposedHeaders = "ETag, Last-Modified, Link, X-Total-Count"

    /// The CORS preflight of a browser client: any origin, GET/HEAD, the request headers it asks for
    /// (`Authorization` among them); the answer may be cached for a day.
    static func preflight(_ request: Request) -> Response {
        let asked = request.headers[.accessControlRequestHeaders] ?? ""
        let allowed = ["Authorization", "Accept", "Accept-Encoding", "If-None-Match", "If-Modified-Since"]
        var headers: HTTPFields = [
            .accessControlAllowOrigin: "*", .accessControlAllowMethods: "GET, HEAD, OPTIONS",
            .accessControlAllowHeaders: asked.isEmpty ? allowed.joined(separator: ", ") : asked, .accessControlMaxAge: "86400",
        ]
        headers[.vary] = "Access-Control-Request-Headers"
        return Response(status: .noContent, headers: headers)
    }

    static func statusInfo(_ status: HTTPResponse.Status, _ description: String, field: String, value: String) -> Response {
        let body = (try? JSONEncoder().encode(CASE.StatusInfo(description: description, field: field, value: value))) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/json", .accessControlAllowOrigin: "*"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func isUUID(_ text: String) -> Bool {
        text.range(of: "^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", options: .regularExpression) != nil
    }

    static let httpDate: @Sendable (Date) -> String = { date in
        var t = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&t, &parts)
        var buffer = [Int8](repeating: 0, count: 64)
        let n = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether the client takes gzip (`Accept-Encoding: gzip`, not with `q=0`).
    static func acceptsGzip(_ request: Request) -> Bool {
        guard let accepted = request.headers[.acceptEncoding]?.lowercased() else { return false }
        return accepted.split(separator: ",").contains { coding in
            let parts = coding.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.first == "gzip" || parts.first == "*" else { return false }
            return !parts.dropFirst().contains { $0.replacingOccurrences(of: " ", with: "").hasPrefix("q=0") && Double($0.dropFirst(2)) == 0 }
        }
    }

    func respond(_ request: Request, _ body: CASESnapshot.Body) -> Response {
        // The gzip form is another representation: its own ETag (`"…-gzip"`), either matches If-None-Match.
        let gzipETag = body.etag.hasSuffix("\"") ? String(body.etag.dropLast()) + "-gzip\"" : body.etag + "-gzip"
        var bytes = body.bytes
        var etag = body.etag
        var encoded = false
        if body.bytes.count >= Self.gzipThreshold, Self.acceptsGzip(request) {
            if let cached = gzipped.withLock({ $0[body.etag] }) {
                bytes = cached
                encoded = true
            } else if let compressed = Gzip.compress(body.bytes) {
                gzipped.withLock { cache in
                    if cache.count > 512 { cache.removeAll() }
                    cache[body.etag] = compressed
                }
                bytes = compressed
                encoded = true
            }
            if encoded { etag = gzipETag }
        }
        var headers: HTTPFields = [
            .eTag: etag, .lastModified: Self.httpDate(body.lastModified), .accessControlAllowOrigin: "*",
            .accessControlExposeHeaders: Self.exposedHeaders, .cacheControl: "public, max-age=0, must-revalidate", .vary: "Accept-Encoding",
        ]
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: { [body.etag, gzipETag].contains($0.trimmingCharacters(in: .whitespaces)) })
        {
            return Response(status: .notModified, headers: headers)
        }
        if request.headers[.ifNoneMatch] == nil, let since = request.headers[.ifModifiedSince], since == Self.httpDate(body.lastModified) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "application/json"
        if encoded { headers[.contentEncoding] = "gzip" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    func serve(_ request: Request, _ context: AppRequestContext, _ lookup: (CASESnapshot, String) -> CASESnapshot.Body?) async throws -> Response {
        if let refused = unavailable() { return refused }
        let id = try context.parameters.require("id").lowercased()
        // A malformed id names no object: 404 `unknownobject`, as the binding's table 2.4 and OpenCASE answer.
        guard Self.isUUID(id) else {
            return Self.statusInfo(.notFound, "No object with this sourcedId", field: "sourcedId", value: "unknownobject")
        }
        guard let body = lookup(try await current(), id) else {
            return Self.statusInfo(.notFound, "No object with this sourcedId", field: "sourcedId", value: "unknownobject")
        }
        return respond(request, body)
    }

    /// `GET CFDocuments` with `limit`, `offset`, `sort`, `orderBy`, `filter` (CASE 1.0 §4.x: `field op 'value'`
    /// conditions joined by ` AND ` or ` OR `; operators `=`, `!=`, `>`, `>=`, `<`, `<=`, `~` (contains)).
    @Sendable func documents(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let refused = unavailable() { return refused }
        let query = request.uri.queryParameters
        let fields = [
            "identifier", "sourcedId", "title", "creator", "lastChangeDateTime", "language", "version", "adoptionStatus", "publisher", "description",
            "uri", "subject",
        ]
        var limit = 100
        var offset = 0
        if let text = query.get("limit") {
            guard let n = Int(text), n >= 1 else { return Self.statusInfo(.badRequest, "limit must be a positive integer", field: "limit", value: "invalid_selection_field") }
            limit = n
        }
        if let text = query.get("offset") {
            guard let n = Int(text), n >= 0 else { return Self.statusInfo(.badRequest, "offset must be 0 or more", field: "offset", value: "invalid_selection_field") }
            offset = n
        }
        // §3.4: `fields` names the keys each object keeps; blank or unknown names are refused.
        var selected: Set<String>?
        if let text = query.get("fields") {
            let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !names.isEmpty, names.allSatisfy({ Self.documentFields.contains($0) }) else {
                return Self.statusInfo(.badRequest, "Unknown or blank fields: '\(text)'", field: "fields", value: "invalid_selection_field")
            }
            selected = Set(names)
        }
        let snapshot = try await current()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        /// The values of a field (`subject` has several; `sourcedId` is the identifier).
        func values(_ document: CASE.CFDocument, _ field: String) -> [String] {
            if field == "sourcedId" { return [document.identifier] }
            guard let object = try? JSONSerialization.jsonObject(with: encoder.encode(document)) as? [String: Any] else { return [] }
            if let list = object[field] as? [String] { return list }
            return [(object[field] as? String) ?? ""]
        }
        func value(_ document: CASE.CFDocument, _ field: String) -> String { values(document, field).first ?? "" }
        var documents = snapshot.documents
        if let filter = query.get("filter") {
            guard let conditions = Self.parseFilter(filter), conditions.terms.allSatisfy({ fields.contains($0.field) }) else {
                return Self.statusInfo(.badRequest, "Unreadable filter: \(filter)", field: "filter", value: "invalid_selection_field")
            }
            documents = documents.filter { document in
                let results = conditions.terms.map { term in values(document, term.field).contains { term.matches($0) } }
                return conditions.isOr ? results.contains(true) : !results.contains(false)
            }
        }
        // §3.2: a sort on a field that cannot be sorted on keeps the default order.
        if let sort = query.get("sort"), fields.contains(sort) {
            let descending = query.get("orderBy")?.lowercased() == "desc"
            documents.sort { a, b in
                descending
                    ? VietnameseCollation.areInIncreasingOrder(value(b, sort), value(a, sort))
                    : VietnameseCollation.areInIncreasingOrder(value(a, sort), value(b, sort))
            }
        }
        if let order = query.get("orderBy"), !["asc", "desc"].contains(order.lowercased()) {
            return Self.statusInfo(.badRequest, "orderBy is asc or desc", field: "orderBy", value: "invalid_sort_field")
        }
        let page = Array(documents.dropFirst(offset).prefix(limit))
        let bytes: Data
        if let selected {
            let objects = try page.map { document in
                let object = try JSONSerialization.jsonObject(with: encoder.encode(document)) as? [String: Any] ?? [:]
                var kept = object.filter { selected.contains($0.key) }
                if selected.contains("sourcedId") { kept["sourcedId"] = document.identifier }
                return kept
            }
            bytes = try JSONSerialization.data(withJSONObject: ["CFDocuments": objects], options: [.sortedKeys, .withoutEscapingSlashes])
        } else {
            bytes = try encoder.encode(["CFDocuments": page])
        }
        var headers: HTTPFields = [
            .contentType: "application/json", .accessControlAllowOrigin: "*", .accessControlExposeHeaders: Self.exposedHeaders,
            .lastModified: Self.httpDate(snapshot.lastModified),
        ]
        headers[HTTPField.Name("X-Total-Count")!] = String(documents.count)
        if let link = pageLinks(request, total: documents.count, limit: limit, offset: offset) { headers[HTTPField.Name("Link")!] = link }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// Every key a CFDocument of the list may carry (what `fields` may name).
    static let documentFields: Set<String> = [
        "identifier", "sourcedId", "uri", "creator", "title", "lastChangeDateTime", "officialSourceURL", "publisher", "description", "subject",
        "subjectURI", "language", "version", "adoptionStatus", "licenseURI", "notes", "CFPackageURI",
    ]

    /// RFC 8288 `Link` header for a page of `total` objects: `first`, `prev`, `next` and `last`, each the same
    /// request (its other parameters kept as sent) with another `offset`. Nil when everything fits on one page.
    func pageLinks(_ request: Request, total: Int, limit: Int, offset: Int) -> String? {
        guard limit < total || offset > 0 else { return nil }
        let others = (request.uri.query ?? "").split(separator: "&").filter { part in
            let name = part.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return name != "limit" && name != "offset" && !name.isEmpty
        }
        func link(_ start: Int, _ rel: String) -> String {
            let query = (others + ["limit=\(limit)", "offset=\(start)"]).joined(separator: "&")
            return "<\(repository.configuration.publicBaseURL)\(request.uri.path)?\(query)>; rel=\"\(rel)\""
        }
        let lastStart = total == 0 ? 0 : ((total - 1) / limit) * limit
        var links = [link(0, "first")]
        if offset > 0 { links.append(link(max(0, offset - limit), "prev")) }
        // `limit` and `offset` come from the client: no arithmetic that can overflow (a trap is a denial of service).
        let next = offset.addingReportingOverflow(limit)
        if !next.overflow, next.partialValue < total { links.append(link(next.partialValue, "next")) }
        links.append(link(lastStart, "last"))
        return links.joined(separator: ", ")
    }

    struct Condition {
        var field: String
        var op: String
        var value: String

        /// Case-insensitive (§3.3): `language='VI'` finds `vi`.
        func matches(_ actual: String) -> Bool {
            let actual = actual.lowercased().precomposedStringWithCanonicalMapping
            let value = value.lowercased().precomposedStringWithCanonicalMapping
            switch op {
            case "=": return actual == value
            case "!=": return actual != value
            case ">": return actual > value
            case ">=": return actual >= value
            case "<": return actual < value
            case "<=": return actual <= value
            case "~": return actual.contains(value)
            default: return false
            }
        }
    }

    static func parseFilter(_ text: String) -> (terms: [Condition], isOr: Bool)? {
        let isOr = text.contains(" OR ")
        if isOr && text.contains(" AND ") { return nil }
        var terms: [Condition] = []
        for part in text.components(separatedBy: isOr ? " OR " : " AND ") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let match = trimmed.range(of: "^([A-Za-z]+)\\s*(!=|>=|<=|=|>|<|~)\\s*'(.*)'$", options: .regularExpression), match == trimmed.startIndex..<trimmed.endIndex
            else { return nil }
            let field = String(trimmed.prefix { $0.isLetter })
            var rest = trimmed.dropFirst(field.count).trimmingCharacters(in: .whitespaces)
            let op = ["!=", ">=", "<=", "=", ">", "<", "~"].first { rest.hasPrefix($0) }!
            rest = String(rest.dropFirst(op.count)).trimmingCharacters(in: .whitespaces)
            terms.append(Condition(field: field, op: op, value: String(rest.dropFirst().dropLast())))
        }
        return (terms, isOr)
    }
}
