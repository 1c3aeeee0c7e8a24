import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuStorage
import HoclieuApp
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// Materials, their versions and files.
///
/// | method | path | policy |
/// |---|---|---|
/// | POST | /api/v1/materials | contributor (teacher, LMS client, admin) |
/// | GET | /api/v1/materials | anyone (what they may see) |
/// | GET | /api/v1/materials/{pid} | anyone who may see it |
/// | PATCH | /api/v1/materials/{pid} | owner or admin; `status` admin only |
/// | POST | /api/v1/materials/{pid}/versions | owner or admin; raw streamed body |
/// | GET | /api/v1/materials/{pid}/versions | anyone who may see it |
/// | GET | /api/v1/materials/{pid}/versions/{n} | anyone who may see it |
/// | GET | /api/v1/materials/{pid}/versions/{n}/file | anyone who may see it |
/// | GET | /api/v1/materials/{pid}/versions/{n}/thumbnail | anyone who may see it |
/// | GET | /api/v1/materials/{pid}/outline | anyone who may see it; a course package's outline with its members' PIDs |
struct MaterialController {
    let repository: Services
    var store: any Store { repository.store }

    static let metadataFields: Set<String> = [
        "title", "description", "language", "subjects", "grades", "knowledgeUnits", "keywords", "licence", "authors", "school",
    ]

    /// `POST /api/v1/materials`: the fields of ``UpdateRequest`` (with `title` required) beside `kind`, `url`, `format`.
    struct CreateRequest: StrictJSONBody {
        static let fields: Set<String> = UpdateRequest.fields.union(["kind", "url", "format"])
        var kind: MaterialKind
        var format: String?
        var url: String?
        var details: UpdateRequest
        var metadata: MaterialMetadata

        enum CodingKeys: String, CodingKey { case kind, format, url, title }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            kind = try container.decode(MaterialKind.self, forKey: .kind)
            format = try container.decodeIfPresent(String.self, forKey: .format)
            url = try container.decodeIfPresent(String.self, forKey: .url)
            details = try UpdateRequest(from: decoder)
            let title = try container.decode(String.self, forKey: .title)
            metadata = details.apply(to: MaterialMetadata(title: title))
        }
    }

    /// `PATCH /api/v1/materials/{pid}`: any subset of the metadata fields, `visibility`, and — administrators
    /// only, outside the review workflow — `status` with the `reason` recorded in the audit log.
    struct UpdateRequest: StrictJSONBody, MetadataFields {
        static let fields: Set<String> = metadataFields.union(["visibility", "status", "reason"])
        var visibility: Visibility?
        var status: MaterialStatus?
        var reason: String?
        var title: String?
        var description: String?
        var language: String?
        var subjects: [String]?
        var grades: [Int]?
        var knowledgeUnits: [String]?
        var keywords: [String]?
        var licence: String?
        var authors: [String]?
        var school: String?

        /// Whether the request sets the metadata field `name`.
        func changes(_ name: String) -> Bool {
            switch name {
            case "title": title != nil
            case "description": description != nil
            case "language": language != nil
            case "subjects": subjects != nil
            case "grades": grades != nil
            case "knowledgeUnits": knowledgeUnits != nil
            case "keywords": keywords != nil
            case "licence": licence != nil
            case "authors": authors != nil
            case "school": school != nil
            default: false
            }
        }

    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/api/v1/materials", use: create)
        router.get("/api/v1/materials") { request, context in
            try await SearchController(repository: repository).search(request, context: context)
        }
        router.get("/api/v1/materials/{pid}", use: get)
        router.patch("/api/v1/materials/{pid}", use: update)
        router.post("/api/v1/materials/{pid}/versions", use: upload)
        router.get("/api/v1/materials/{pid}/versions", use: versions)
        router.get("/api/v1/materials/{pid}/versions/{n}", use: version)
        router.get("/api/v1/materials/{pid}/versions/{n}/file", use: file)
        router.get("/api/v1/materials/{pid}/versions/{n}/thumbnail", use: thumbnail)
        router.get("/api/v1/materials/{pid}/outline", use: outline)
    }

    /// `GET …/outline`: the course package's outline as the caller may see it (members they may not see are
    /// left out, titles included).
    @Sendable func outline(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let material = try await visibleMaterial(context)
        guard let (nodes, _, _) = try await repository.outline(of: material, for: try Caller.viewer(context)) else {
            throw Problem(.notFound, "not-a-course", vi: "\(material.pid) không phải gói khoá học.", en: "\(material.pid) is not a course package.")
        }
        return try JSONResponse(["items": nodes])
    }

    // MARK: Lookups shared by the routes

    /// The material named by the `{pid}` parameter, if the requester may see it (otherwise 404, never 403).
    func visibleMaterial(_ context: AppRequestContext) async throws -> Material {
        let text = try context.parameters.require("pid")
        let pid = try PersistentIdentifier(parsing: text)
        guard let material = try await store.material(pid), AccessPolicy.canSee(try Caller.viewer(context), material) else {
            throw Problem.notFound("học liệu / material \(pid)")
        }
        return material
    }

    func editableMaterial(_ context: AppRequestContext) async throws -> (Material, User) {
        let user = try Caller.signedIn(context)
        let material = try await visibleMaterial(context)
        guard AccessPolicy.canEdit(user, material) else { throw Problem.forbidden }
        return (material, user)
    }

    /// Version `{n}` of a material the caller may see, if they may see that version (otherwise 404).
    func visibleVersion(_ material: Material, _ context: AppRequestContext) async throws -> MaterialVersion {
        let n = try versionNumber(context)
        guard AccessPolicy.canSeeVersion(try Caller.viewer(context), material, number: n), let version = try await store.version(material.pid, number: n)
        else { throw Problem.notFound("phiên bản / version \(material.pid)@v\(n)") }
        return version
    }

    /// `Cache-Control` of a material's file or thumbnail: shared caches may keep only published, public versions.
    static func cacheControl(_ material: Material, number: Int) -> String {
        AccessPolicy.isPubliclyCacheable(material, number: number) ? "public, max-age=31536000, immutable" : "private, no-store"
    }

    func versionNumber(_ context: AppRequestContext) throws -> Int {
        guard let n = Int(try context.parameters.require("n")), n >= 1 else {
            throw Problem.badRequest("Số phiên bản phải là số nguyên dương.", "The version number must be a positive integer.")
        }
        return n
    }

    static func etag(_ m: Material) -> String { "W/\"\(m.pid.rawValue)-\(Int64((m.updatedAt.timeIntervalSince1970 * 1000).rounded()))\"" }

    // MARK: Handlers

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.contributor(context)
        let body = try await request.decodeStrict(CreateRequest.self, limit: repository.configuration.maxJSONBytes)
        if body.details.status != nil, body.details.status != .draft, !user.has(.admin) {
            throw Problem(
                .forbidden, "review-required", vi: "Chỉ hội đồng thẩm định mới xuất bản học liệu.",
                en: "Only the quality board publishes materials.")
        }
        if let reason = body.details.reason, VietnameseText.trimmed(reason).isEmpty { throw ReviewError.bypassNeedsReason }
        let directStatus = body.details.status.flatMap { $0 == .draft ? nil : $0 }
        if directStatus != nil, VietnameseText.trimmed(body.details.reason ?? "").isEmpty { throw ReviewError.bypassNeedsReason }
        var format = body.format ?? "application/octet-stream"
        var url: String? = nil
        if body.kind == .link {
            guard let given = body.url, let normalised = WebLinks.normalise(given) else {
                throw Problem(
                    .unprocessableContent, "invalid", vi: "Liên kết cần một địa chỉ http(s) hợp lệ.", en: "A link needs a valid http(s) URL.",
                    fieldErrors: ["url": "required"])
            }
            url = normalised
            format = "text/uri-list"
        } else if body.url != nil {
            throw Problem(.unprocessableContent, "invalid", vi: "Chỉ liên kết mới có url.", en: "Only links have a url.")
        }
        let draft = MaterialDraft(
            kind: body.kind, format: format, metadata: body.metadata, visibility: body.details.visibility ?? .public,
            status: .draft, url: url, provenance: Provenance(sourceSystem: "api"))
        var material = try await store.createMaterial(draft, ownerID: user.id, firstVersion: nil)
        try await store.appendAudit(AuditDraft(actorID: user.id, action: "material.created", subject: "material:\(material.pid)"))
        if let directStatus { material = try await repository.setStatusDirectly(material.pid, to: directStatus, reason: body.details.reason, by: user) }
        context.logger.info("material created", metadata: ["hoclieu.pid": "\(material.pid)"])
        return JSONResponse(
            status: .created, headers: [.location: "/api/v1/materials/\(material.pid)", .eTag: Self.etag(material)],
            json: material.jsonText(withProvenance: true))
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        let material = try await visibleMaterial(context)
        let etag = Self.etag(material)
        if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: [.eTag: etag]) }
        let json = material.jsonText(withProvenance: AccessPolicy.canSeeProvenance(try Caller.viewer(context), material))
        return try JSONResponse(headers: [.eTag: etag, .cacheControl: "private, no-cache", .vary: "Authorization"], json: json)
            .response(from: request, context: context)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let (material, user) = try await editableMaterial(context)
        let body = try await request.decodeStrict(UpdateRequest.self, limit: repository.configuration.maxJSONBytes)
        if body.status != nil, !user.has(.admin) {
            throw Problem(
                .forbidden, "review-required", vi: "Trạng thái do hội đồng thẩm định quyết định.",
                en: "Status is decided by the quality board.")
        }
        if AccessPolicy.changesNeedReview(user, material), body.status == nil {
            throw Problem(
                .conflict, "review-required",
                vi: "Học liệu đã xuất bản: thay đổi phải qua hội đồng thẩm định. Hãy gửi thay đổi tới POST /api/v1/materials/\(material.pid)/submissions (thông tin mới, hoặc phiên bản mới đã tải lên).",
                en: "The material is published: changes go through the quality board. Submit the change with POST /api/v1/materials/\(material.pid)/submissions (new metadata, or a new version uploaded first).")
        }
        if [.submitted, .inReview].contains(material.status), !user.has(.admin) {
            throw Problem(
                .conflict, "under-review", vi: "Học liệu đang được thẩm định: chưa thể sửa. Hãy rút hồ sơ trước nếu cần sửa.",
                en: "The material is under review and cannot be edited now; cancel the submission first if it needs changes.")
        }
        if body.status != nil || body.reason != nil, VietnameseText.trimmed(body.reason ?? "").isEmpty { throw ReviewError.bypassNeedsReason }
        if let match = request.headers[.ifMatch], match != Self.etag(material) {
            throw Problem(
                .preconditionFailed, "stale", vi: "Học liệu đã được người khác sửa; hãy tải lại.",
                en: "The material changed since you read it; reload it.")
        }
        var updated = try await store.updateMaterial(material.pid, metadata: body.apply(to: material.metadata), visibility: body.visibility, status: nil)
        var changed = Self.metadataFields.filter { body.changes($0) }.sorted()
        if body.visibility != nil { changed.append("visibility") }
        if !changed.isEmpty {
            try await store.appendAudit(
                AuditDraft(actorID: user.id, action: "material.updated", subject: "material:\(material.pid)", details: ["fields": changed.joined(separator: ",")]))
        }
        if let status = body.status { updated = try await repository.setStatusDirectly(material.pid, to: status, reason: body.reason, by: user) }
        return JSONResponse(headers: [.eTag: Self.etag(updated)], json: updated.jsonText(withProvenance: true))
    }

    @Sendable func upload(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let (material, user) = try await editableMaterial(context)
        guard material.kind != .link else { throw IngestError.linkHasNoFile }
        let query = request.uri.queryParameters
        for (key, value) in query {
            guard key == "filename" || key == "note" else {
                throw Problem.badRequest("Tham số không được hỗ trợ: \(key).", "Unknown parameter: \(key).")
            }
            if value.isEmpty { throw Problem.badRequest("Tham số \(key) để trống.", "Parameter \(key) is empty.") }
        }
        let fileName = try FileNames.validated(query.get("filename") ?? FileNames.fromContentDisposition(request.headers[.contentDisposition]))
        // Streamed to a temporary blob; nothing is kept unless the version row commits.
        let blob = try await repository.storeBody(of: request)
        let outcome = try await repository.ingest(
            blob, fileName: fileName, declaredType: request.headers[.contentType], into: .version(of: material.pid, note: query.get("note")),
            by: user)
        context.logger.info(
            "version stored",
            metadata: [
                "hoclieu.pid": "\(material.pid)", "hoclieu.version": "\(outcome.version)", "hoclieu.bytes": "\(blob.byteSize)",
                "hoclieu.action": "\(outcome.action.rawValue)",
            ])
        guard let version = try await store.version(material.pid, number: outcome.version) else {
            throw Problem.notFound("phiên bản / version \(material.pid)@v\(outcome.version)")
        }
        return try JSONResponse(
            status: outcome.action == .unchanged ? .ok : .created,
            headers: [.location: "/api/v1/materials/\(material.pid)/versions/\(version.number)"], version)
    }

    @Sendable func versions(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let material = try await visibleMaterial(context)
        let viewer = try Caller.viewer(context)
        return try JSONResponse(["items": try await store.versions(material.pid).filter { AccessPolicy.canSeeVersion(viewer, material, number: $0.number) }])
    }

    @Sendable func version(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let material = try await visibleMaterial(context)
        return try JSONResponse(try await visibleVersion(material, context))
    }

    /// `GET …/versions/{n}/thumbnail`: the first-page PNG, when one was made.
    @Sendable func thumbnail(_ request: Request, context: AppRequestContext) async throws -> Response {
        let material = try await visibleMaterial(context)
        let version = try await visibleVersion(material, context)
        guard let thumbnail = version.thumbnail else { throw Problem.notFound("ảnh thu nhỏ / thumbnail \(material.pid)@v\(version.number)") }
        let etag = "\"\(thumbnail.rawValue)\""
        let cache = Self.cacheControl(material, number: version.number)
        if request.headers[.ifNoneMatch] == etag {
            return Response(status: .notModified, headers: [.eTag: etag, .cacheControl: cache, .vary: "Authorization"])
        }
        let body = try await FileIO(threadPool: .singleton).loadFile(path: repository.blobs.url(for: thumbnail).path, context: context)
        return Response(
            status: .ok,
            headers: [.contentType: "image/png", .eTag: etag, .xContentTypeOptions: "nosniff", .cacheControl: cache, .vary: "Authorization"],
            body: body)
    }

    @Sendable func file(_ request: Request, context: AppRequestContext) async throws -> Response {
        let material = try await visibleMaterial(context)
        let version = try await visibleVersion(material, context)
        let etag = "\"\(version.contentID.rawValue)\""
        let cache = Self.cacheControl(material, number: version.number)
        var headers: HTTPFields = [
            .eTag: etag, .contentType: version.mediaType, .contentDisposition: FileNames.contentDisposition(version.fileName),
            .cacheControl: cache, .vary: "Authorization", .xContentTypeOptions: "nosniff",
        ]
        if request.headers[.ifNoneMatch] == etag {
            return Response(status: .notModified, headers: [.eTag: etag, .cacheControl: cache, .vary: "Authorization"])
        }
        headers[.contentLength] = String(version.byteSize)
        let body = try await FileIO(threadPool: .singleton).loadFile(
            path: repository.blobs.url(for: version.contentID).path, context: context)
        return Response(status: .ok, headers: headers, body: body)
    }
}
