import Foundation
public import HoclieuApp
import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The composition root: wires the repository, middleware and every controller.
///
/// Tests build the same application with a temporary data folder and port 0.
public func buildApplication(_ repository: Services, logger: Logger) -> some ApplicationProtocol {
    let configuration = repository.configuration
    return Application(
        responder: HeadResponder(get: buildRouter(repository, logger: logger).buildResponder()),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "hoclieu"),
        services: [IndexMaintenanceService(store: repository.store, interval: .seconds(300), logger: logger) as any Service]
            + (configuration.runsJobs
                ? [
                    JobService(repository: repository, logger: logger), ReviewBackgroundService(repository: repository, logger: logger),
                    // Repositories registered with `harvest add --every …` are harvested here when due.
                    HarvestSchedulerService(repository: repository, fetcher: URLSessionHarvestFetcher(), logger: logger),
                ] : [])
            // The content origin listens beside the main one (see ContentOrigin).
            + (ContentOrigin.buildApplication(repository, logger: logger).map { [$0 as any Service] } ?? []),
        logger: logger)
}

/// Every route of the main origin (the OpenAPI test compares this list with the document); the content
/// origin has its own router (``ContentOrigin/buildRouter(_:)``).
public func buildRouter(_ repository: Services, logger: Logger) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    let metrics = ServiceMetrics()
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ForwardedForMiddleware(trusted: repository.configuration.trustedProxies))
    router.add(middleware: MetricsMiddleware(metrics: metrics))
    router.add(middleware: ProblemMiddleware())
    router.add(middleware: NULCharacterMiddleware())
    router.add(middleware: StoreErrorMetricsMiddleware(metrics: metrics))
    if let folder = repository.configuration.publicDirectory {
        router.add(middleware: FileMiddleware(folder.path, searchForIndexHtml: true, logger: logger))
    }
    router.add(middleware: BearerAuthMiddleware(repository: repository))

    HealthController(repository: repository, metrics: metrics).addRoutes(to: router)
    AuthController(repository: repository).addRoutes(to: router)
    MaterialController(repository: repository).addRoutes(to: router)
    SearchController(repository: repository).addRoutes(to: router)
    IdentifierController(repository: repository).addRoutes(to: router)
    PreviewRedirectController(repository: repository).addRoutes(to: router)
    QuestionController(repository: repository).addRoutes(to: router)
    BlueprintController(repository: repository).addRoutes(to: router)
    CatalogController(repository: repository).addRoutes(to: router)
    CartridgeController(repository: repository).addRoutes(to: router)
    IngestController(repository: repository).addRoutes(to: router)
    ChangesController(repository: repository).addRoutes(to: router)
    ReviewController(repository: repository).addRoutes(to: router)
    ClientController(repository: repository).addRoutes(to: router)
    OrganisationController(repository: repository).addRoutes(to: router)
    ReportController(repository: repository).addRoutes(to: router)
    AdministrationController(repository: repository).addRoutes(to: router)
    LTIController(repository: repository).addRoutes(to: router)
    OIDCController(repository: repository).addRoutes(to: router)
    UploadController(repository: repository).addRoutes(to: router)
    OAIController(repository: repository).addRoutes(to: router)
    let caseProvider = CASEController(repository: repository)
    caseProvider.addRoutes(to: router)
    if let problem = caseProvider.baseProblem {
        logger.warning("CASE provider not served (503): \(problem)", metadata: ["hoclieu.case.base": "\(repository.configuration.publicBaseURL)"])
    } else {
        // Build and encode every CASE response now, so that no client ever waits for a cold package.
        Task { try? await caseProvider.current() }
    }
    router.get("/api/v1/openapi.json") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
    }
    return router
}

/// Answers `HEAD` for every `GET` route (RFC 9110 §9.3.2): the request is routed as a GET and the
/// body dropped; the headers, `Content-Length` included, stay. It wraps the whole router because
/// routing itself decides by method.
struct HeadResponder<Inner: HTTPResponder>: HTTPResponder {
    let get: Inner

    func respond(to request: Request, context: Inner.Context) async throws -> Response {
        // CORS preflight of the CASE provider, for every CASE path: the router would answer a path that has a
        // GET route with 405 before reaching its `/ims/case/v1p0/**` OPTIONS route.
        if request.method == .options, request.uri.path.hasPrefix(CASEController.base + "/") { return CASEController.preflight(request) }
        guard request.method == .head else { return try await get.respond(to: request, context: context) }
        var head = request.head
        head.method = .get
        var response = try await get.respond(to: Request(head: head, body: request.body), context: context)
        // The server derives Content-Length from the body: an empty body that declares the GET's length.
        let length = response.headers[.contentLength].flatMap(Int.init) ?? response.body.contentLength
        response.body = ResponseBody(contentLength: length) { writer in try await writer.finish(nil) }
        return response
    }
}
