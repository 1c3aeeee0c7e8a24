import CASE
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
///
/// Every body is built and encoded once (see ``CASESnapshot``) and served with ETag and
/// Last-Modified; errors are `imsx_StatusInfo` bodies.
final class CASEController: Sendable {
    let repository: Services
    let snapshot = Mutex<CASESnapshot?>(nil)
    static let base = "/ims/case/v1p0"

    init(repository: Services) { self.repository = repository }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("\(Self.base)/CFDocuments", use: documents)
        router.get("\(Self.base)/CFPackages/{id}") { request, context in
            try await self.serve(request, context) { snapshot, id in snapshot.packages[id] }
        }
        for kind in CASESnapshot.Kind.allCases {
            router.get("\(Self.base)/\(kind.rawValue)/{id}") { request, context in
                try await self.serve(request, context) { snapshot, id in snapshot.bodies[kind]?[id] }
            }
        }
    }

    /// The snapshot, built from the store on first use.
    func current() async throws -> CASESnapshot {
        if let built = snapshot.withLock({ $0 }) { return built }
        var inputs: [CASEFrameworkInput] = []
        for framework in try await repository.store.catalogFrameworks() {
            let items = try await repository.store.catalogItems(framework: framework.subject.code)
            inputs.append(CASEFrameworkInput(subject: framework.subject, items: items.map { ($0.item, $0.updatedAt) }))
        }
        let built = try CASESnapshot(frameworks: inputs, baseURL: repository.configuration.publicBaseURL + Self.base)
        snapshot.withLock { $0 = built }
        return built
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

    func respond(_ request: Request, _ body: CASESnapshot.Body) -> Response {
        var headers: HTTPFields = [
            .eTag: body.etag, .lastModified: Self.httpDate(body.lastModified), .accessControlAllowOrigin: "*",
            .cacheControl: "public, max-age=0, must-revalidate",
        ]
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == body.etag }) {
            return Response(status: .notModified, headers: headers)
        }
        if request.headers[.ifNoneMatch] == nil, let since = request.headers[.ifModifiedSince], since == Self.httpDate(body.lastModified) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body.bytes)))
    }

    func serve(_ request: Request, _ context: AppRequestContext, _ lookup: (CASESnapshot, String) -> CASESnapshot.Body?) async throws -> Response {
        let id = try context.parameters.require("id").lowercased()
        guard Self.isUUID(id) else {
            return Self.statusInfo(.badRequest, "sourcedId is not a UUID", field: "sourcedId", value: "invaliduuid")
        }
        guard let body = lookup(try await current(), id) else {
            return Self.statusInfo(.notFound, "No object with this sourcedId", field: "sourcedId", value: "unknownobject")
        }
        return respond(request, body)
    }

    /// `GET CFDocuments` with `limit`, `offset`, `sort`, `orderBy`, `filter` (CASE 1.0 §4.x: `field op 'value'`
    /// conditions joined by ` AND ` or ` OR `; operators `=`, `!=`, `>`, `>=`, `<`, `<=`, `~` (contains)).
    @Sendable func documents(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let fields = ["identifier", "title", "creator", "lastChangeDateTime", "language", "version", "adoptionStatus", "publisher", "description", "uri"]
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
        let snapshot = try await current()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func value(_ document: CASE.CFDocument, _ field: String) -> String {
            guard let object = try? JSONSerialization.jsonObject(with: encoder.encode(document)) as? [String: Any] else { return "" }
            return (object[field] as? String) ?? ""
        }
        var documents = snapshot.documents
        if let filter = query.get("filter") {
            guard let conditions = Self.parseFilter(filter), conditions.terms.allSatisfy({ fields.contains($0.field) }) else {
                return Self.statusInfo(.badRequest, "Unreadable filter: \(filter)", field: "filter", value: "invalid_selection_field")
            }
            documents = documents.filter { document in
                let results = conditions.terms.map { $0.matches(value(document, $0.field)) }
                return conditions.isOr ? results.contains(true) : !results.contains(false)
            }
        }
        if let sort = query.get("sort") {
            guard fields.contains(sort) else { return Self.statusInfo(.badRequest, "Cannot sort on \(sort)", field: "sort", value: "invalid_sort_field") }
            let descending = query.get("orderBy")?.lowercased() == "desc"
            documents.sort { descending ? value($0, sort) > value($1, sort) : value($0, sort) < value($1, sort) }
        }
        if let order = query.get("orderBy"), !["asc", "desc"].contains(order.lowercased()) {
            return Self.statusInfo(.badRequest, "orderBy is asc or desc", field: "orderBy", value: "invalid_sort_field")
        }
        let page = Array(documents.dropFirst(offset).prefix(limit))
        let bytes = try encoder.encode(["CFDocuments": page])
        var headers: HTTPFields = [.contentType: "application/json", .accessControlAllowOrigin: "*", .lastModified: Self.httpDate(snapshot.lastModified)]
        headers[HTTPField.Name("X-Total-Count")!] = String(documents.count)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    struct Condition {
        var field: String
        var op: String
        var value: String

        func matches(_ actual: String) -> Bool {
            switch op {
            case "=": actual == value
            case "!=": actual != value
            case ">": actual > value
            case ">=": actual >= value
            case "<": actual < value
            case "<=": actual <= value
            case "~": actual.localizedCaseInsensitiveContains(value)
            default: false
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
