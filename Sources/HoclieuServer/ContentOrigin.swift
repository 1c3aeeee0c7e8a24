import Foundation
public import HoclieuApp
import HoclieuCore
import HoclieuStorage
import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore

/// The content origin: a second listener that answers only package playback (``PreviewController``),
/// with no API, no web UI, no cookies and no credentials, under strict headers. Packages run there with
/// their frames sharing one origin (so SCORM API discovery through `parent` works) while the main
/// origin's API, tokens and storage stay out of their reach.
public enum ContentOrigin {
    /// The policy of every content-origin response: the package's own scripts (inline ones too: packages
    /// rely on them), styles, frames, media and fonts from the content origin only; `connect-src 'self'`,
    /// so a package cannot call the main origin's API; no plugins. Deliberately no `sandbox`: it would
    /// give every frame of a package its own opaque origin and break multi-frame packages.
    public static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        + "img-src 'self' data: blob:; media-src 'self' data: blob:; font-src 'self' data:; frame-src 'self'; "
        + "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'"

    /// The origins of the main site, the only pages a player posts its messages to (SCORM calls, xAPI
    /// statements): the public address and the address this node listens on, each as `scheme://host[:port]`.
    public static func embedOrigins(_ configuration: ServerConfiguration) -> [String] {
        var origins: [String] = []
        for address in [configuration.publicBaseURL, "http://\(configuration.host):\(configuration.port)"] {
            let origin = origin(of: address)
            if !origin.isEmpty, !origins.contains(origin) { origins.append(origin) }
        }
        return origins
    }

    /// `scheme://host[:port]` of an address (empty when it has none).
    public static func origin(of address: String) -> String {
        guard let url = URL(string: address), let scheme = url.scheme, let host = url.host else { return "" }
        return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
    }

    /// Sets the content origin's headers (and drops any cookie a handler might have set).
    static func secure(_ headers: inout HTTPFields) {
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        // Other origins may embed the player in a frame, but may not read its resources as subresources.
        headers[.crossOriginResourcePolicy] = "same-origin"
        // A signed reference in the address must not travel to other sites.
        headers[.referrerPolicy] = "no-referrer"
        headers[.setCookie] = nil
    }

    /// The content origin's router: the playback routes only.
    public static func buildRouter(_ repository: Services) -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        // Errors become problems here too (not through ProblemMiddleware, which answers 405 for the main
        // origin's paths): on the content origin every other path is simply not found.
        router.add(middleware: HeadersMiddleware())
        // The players' own scripts (the H5P run-time, jQuery): `Public/vendor/` at `/vendor/…`, and nothing else of `Public/`.
        if let folder = repository.configuration.publicDirectory {
            router.add(
                middleware: FileMiddleware(
                    folder.appendingPathComponent("vendor").path, urlBasePath: "/vendor", logger: Logger(label: "hoclieu.content")))
        }
        PreviewController(repository: repository, packages: PreviewPackages()).addRoutes(to: router)
        return router
    }

    /// The content origin's listener on `configuration.contentPort` (nil when the configuration has none).
    public static func buildApplication(_ repository: Services, logger: Logger) -> (any ApplicationProtocol)? {
        guard let port = repository.configuration.contentPort else { return nil }
        return buildApplication(repository, port: port, logger: logger)
    }

    /// The content origin's listener on a given port (tests: 0), HEAD answered for every GET.
    public static func buildApplication(_ repository: Services, port: Int, logger: Logger) -> some ApplicationProtocol {
        let configuration = repository.configuration
        return Application(
            responder: HeadResponder(get: buildRouter(repository).buildResponder()),
            configuration: .init(address: .hostname(configuration.host, port: port), serverName: "hoclieu-content"),
            logger: logger)
    }

    /// Maps errors to problems and puts the content origin's headers on every response, errors included.
    struct HeadersMiddleware<Context: RequestContext>: RouterMiddleware {
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            var response: Response
            do {
                response = try await next(request, context)
            } catch {
                response = try ProblemMiddleware<Context>.problem(for: error, context: context).response(from: request, context: context)
            }
            ContentOrigin.secure(&response.headers)
            return response
        }
    }
}

/// Previews on the main origin: they check access and send the browser to the content origin.
///
/// | method | path | middleware | policy |
/// |---|---|---|---|
/// | GET | /preview/{ref} | bearer (optional) | the caller may see the version (or a valid signed reference): 302 to the content origin |
/// | GET | /preview/{ref}/{path…} | bearer (optional) | the same, for one entry |
/// | POST | /api/v1/materials/{pid}/versions/{n}/preview | bearer (optional) | anyone who may see the version: its content-origin address |
///
/// The main origin never serves package bytes itself.
struct PreviewRedirectController {
    let repository: Services

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/preview/{ref}", use: redirect)
        router.get("/preview/{ref}/**", use: redirect)
        router.post("/api/v1/materials/{pid}/versions/{n}/preview", use: issue)
    }

    /// The content-origin address of a version's player for a viewer: plain when anyone may see it,
    /// signed for this viewer otherwise.
    static func playerURL(_ repository: Services, _ material: Material, number: Int, viewer: User?) -> (url: String, expires: Date?) {
        let base = repository.configuration.contentBaseURL + "/preview/"
        if AccessPolicy.canSeeVersion(nil, material, number: number) { return (base + "\(material.pid.rawValue)@v\(number)/", nil) }
        let expires = Date().addingTimeInterval(PreviewController.signedLifetime)
        let reference = PreviewController.signedReference(material.pid, version: number, expires: expires, viewer: viewer?.id, key: repository.signingKey)
        return (base + reference + "/", expires)
    }

    /// `POST /api/v1/materials/{pid}/versions/{n}/preview`: the address to preview a version at.
    @Sendable func issue(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let materials = MaterialController(repository: repository)
        let material = try await materials.visibleMaterial(context)
        let n = try await materials.visibleVersion(material, context).number
        let player = Self.playerURL(repository, material, number: n, viewer: try Caller.viewer(context))
        guard let expires = player.expires else { return try JSONResponse(["url": player.url]) }
        return try JSONResponse(["url": player.url, "expires": HoclieuJSON.timestamp(expires)])
    }

    /// `GET /preview/{ref}[/{path…}]` on the main origin: after the access check, a redirect to the same
    /// place on the content origin (signed for this caller when the version is not public).
    @Sendable func redirect(_ request: Request, context: AppRequestContext) async throws -> Response {
        let reference = try context.parameters.require("ref")
        let parsed = try PreviewController.parse(reference, key: repository.signingKey)
        let notFound = Problem.notFound("bản xem thử / preview \(parsed.ref.pid)@v\(parsed.number)")
        guard let material = try await repository.store.material(parsed.ref.pid) else { throw notFound }
        let location: String
        if parsed.viewer != nil {
            // Already signed by this service: the content origin checks it again.
            location = repository.configuration.contentBaseURL + "/preview/" + reference + "/"
        } else {
            guard AccessPolicy.canSeeVersion(try Caller.viewer(context), material, number: parsed.number) else { throw notFound }
            location = Self.playerURL(repository, material, number: parsed.number, viewer: try Caller.viewer(context)).url
        }
        // "/preview/{ref}/a/b" -> "a/b", as the client wrote it (still percent-encoded).
        let rest = request.uri.path.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).dropFirst(3).first.map(String.init) ?? ""
        let query = request.uri.query.map { "?" + $0 } ?? ""
        return Response(
            status: .found,
            headers: [.location: location + rest + query, .cacheControl: "private, no-store", .referrerPolicy: "no-referrer"])
    }
}
