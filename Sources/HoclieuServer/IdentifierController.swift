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
/// `Accept: text/html` gets the material's page (``MaterialPage``, with the player embedded from the
/// content origin); anything else gets JSON.
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
        let shown = version ?? versions.last
        var player: String? = nil
        if let file = shown {
            links["file"] = "/api/v1/materials/\(material.pid)/versions/\(file.number)/file"
            player = PreviewRedirectController.playerURL(repository, material, number: file.number, viewer: viewer).url
            links["player"] = player
        }
        let resolution = Resolution(pid: id.description, material: material, version: version, versions: versions, links: links)
        if Self.prefersHTML(request.headers[.accept]) {
            let page = MaterialPage.render(
                .init(
                    material: material, version: shown, versions: versions, selfPath: "/id/\(id.description)",
                    publicBaseURL: repository.configuration.publicBaseURL, playerURL: material.kind == .link ? nil : player,
                    contentOrigin: ContentOrigin.origin(of: repository.configuration.contentBaseURL)))
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8", .vary: "Accept, Authorization", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: page)))
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
}
