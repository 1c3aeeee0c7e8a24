import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuStorage
import HoclieuApp
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// Resolves persistent identifiers.
///
/// | method | path | policy |
/// |---|---|---|
/// | GET | /id/{pid} | anyone who may see the material |
/// | GET | /id/{pid}@v{n} | same |
///
/// `Accept: text/html` gets a small page; anything else gets JSON.
struct IdentifierController {
    let repository: Services

    struct Resolution: Encodable {
        var pid: String
        /// Not encoded: the JSON answer carries ``Material/jsonText(withProvenance:)`` instead.
        var material: Material
        var version: MaterialVersion?
        var versions: [MaterialVersion]
        var links: [String: String]

        enum CodingKeys: String, CodingKey { case pid, version, versions, links }
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/id/{pid}", use: resolve)
    }

    @Sendable func resolve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try VersionedPID(parsing: try context.parameters.require("pid"))
        let viewer = try Caller.viewer(context)
        guard let material = try await repository.store.material(id.pid), AccessPolicy.canSee(viewer, material) else {
            if let material = try await repository.store.material(id.pid), AccessPolicy.seesTombstone(viewer, material) {
                // A persistent identifier never dies: a withdrawn material answers 410 with its title.
                throw Problem(
                    .gone, "withdrawn", vi: "Học liệu \(id.pid) «\(material.metadata.title)» đã bị rút khỏi kho.",
                    en: "Material \(id.pid) “\(material.metadata.title)” has been withdrawn from the repository.")
            }
            throw Problem.notFound("định danh / identifier \(id.pid)")
        }
        let versions = try await repository.store.versions(id.pid).filter { AccessPolicy.canSeeVersion(viewer, material, number: $0.number) }
        var version: MaterialVersion? = nil
        if let n = id.version {
            guard let v = versions.first(where: { $0.number == n }) else { throw Problem.notFound("phiên bản / version \(id.description)") }
            version = v
        }
        var links = ["self": "/id/\(id.description)", "api": "/api/v1/materials/\(material.pid)"]
        if let file = version ?? versions.last { links["file"] = "/api/v1/materials/\(material.pid)/versions/\(file.number)/file" }
        let resolution = Resolution(pid: id.description, material: material, version: version, versions: versions, links: links)
        if Self.prefersHTML(request.headers[.accept]) {
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .vary: "Accept"],
                body: .init(byteBuffer: ByteBuffer(string: Self.html(resolution))))
        }
        // The material as the caller may see it (owner and provenance only for those the policy allows).
        var object = try JSONSerialization.jsonObject(with: try HoclieuJSON.encoder().encode(resolution)) as? [String: Any] ?? [:]
        object["material"] = try JSONSerialization.jsonObject(
            with: Data(material.jsonText(withProvenance: AccessPolicy.canSeeProvenance(viewer, material)).utf8))
        let body = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .vary: "Accept, Authorization"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// HTML when the client lists `text/html` before any JSON type.
    static func prefersHTML(_ accept: String?) -> Bool {
        guard let accept = accept?.lowercased() else { return false }
        guard let html = accept.range(of: "text/html") else { return false }
        if let json = accept.range(of: "json") { return html.lowerBound < json.lowerBound }
        return true
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func html(_ r: Resolution) -> String {
        let m = r.material
        var rows = [
            ("Định danh / Identifier", r.pid), ("Loại / Kind", m.kind.rawValue), ("Môn / Subjects", m.metadata.subjects.joined(separator: ", ")),
            ("Lớp / Grades", m.metadata.grades.map(String.init).joined(separator: ", ")), ("Giấy phép / Licence", m.metadata.licence ?? "—"),
            ("Tác giả / Authors", m.metadata.authors.joined(separator: ", ")), ("Trạng thái / Status", m.status.rawValue),
        ]
        if let v = r.version { rows.append(("Phiên bản / Version", "\(v.number) — \(v.fileName)")) }
        let table = rows.map { "<tr><th>\(escape($0.0))</th><td>\(escape($0.1))</td></tr>" }.joined()
        let file = r.links["file"].map { "<p><a href=\"\(escape($0))\">Tải tệp / Download</a></p>" } ?? ""
        return """
            <!doctype html><html lang="vi"><head><meta charset="utf-8"><title>\(escape(m.metadata.title))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1"></head>
            <body><h1>\(escape(m.metadata.title))</h1><p>\(escape(m.metadata.description))</p><table>\(table)</table>\(file)</body></html>
            """
    }
}
