import ContentPackages
import Foundation
import HTTPTypes
import HoclieuApp
import HoclieuCore
import Hummingbird
import Logging
import NIOCore
import OAIPMH

/// The OAI-PMH 2.0 provider.
///
/// | method | path | middleware | policy |
/// |---|---|---|---|
/// | GET | /oai | bearer | anyone; what each caller harvests is ``Services/harvestAudience(for:)`` |
/// | POST | /oai | bearer | the same, arguments as `application/x-www-form-urlencoded` |
///
/// Harvesters authenticate with a bearer token or HTTP Basic (an LMS client's username and password); anonymous
/// harvesters get public records. Protocol errors are `200 OK` with `<error>` (OAI-PMH §3.6); bad credentials are a 401.
struct OAIController {
    let repository: Services
    /// Largest accepted form body.
    static let maxFormBytes = 16 * 1024

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/oai") { request, context in
            try await answer(OAIRequest.formPairs(request.uri.query ?? ""), request: request, context: context)
        }
        router.post("/oai") { request, context in
            let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            guard type == "application/x-www-form-urlencoded" else {
                throw Problem(
                    .unsupportedMediaType, "unsupported-media-type", vi: "Yêu cầu POST tới /oai phải là application/x-www-form-urlencoded.",
                    en: "POST requests to /oai must be application/x-www-form-urlencoded.")
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: Self.maxFormBytes)
            } catch {
                throw Problem(
                    .contentTooLarge, "too-large", vi: "Thân yêu cầu vượt quá \(Self.maxFormBytes) byte.",
                    en: "The request body is over \(Self.maxFormBytes) bytes.")
            }
            return try await answer(OAIRequest.formPairs(String(buffer: body)), request: request, context: context)
        }
    }

    /// The caller: whoever the authentication middleware recognised (a bearer token), else HTTP Basic credentials of
    /// an account, else anonymous.
    func harvester(_ request: Request, context: AppRequestContext) async throws -> User? {
        if let user = context.user { return user }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic ") else {
            return try Caller.viewer(context)
        }
        let refused: Problem = {
            var problem = Problem(.unauthorized, "bad-credentials", vi: "Tên đăng nhập hoặc mật khẩu không đúng.", en: "Wrong username or password.")
            problem.headers[.wwwAuthenticate] = "Basic realm=\"hoclieu-oai\", charset=\"UTF-8\""
            return problem
        }()
        let encoded = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard encoded.utf8.count <= 512, let data = Data(base64Encoded: encoded), let text = String(data: data, encoding: .utf8),
            let colon = text.firstIndex(of: ":")
        else { throw refused }
        do {
            return try await repository.harvester(
                username: String(text[..<colon]), password: String(text[text.index(after: colon)...]),
                address: context.clientAddress)
        } catch let error as AccountError where error == .badCredentials {
            throw refused
        }
    }

    func answer(_ pairs: [(String, String)], request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try await harvester(request, context: context)
        let xml = try await repository.oaiProvider.respond(to: pairs, source: repository.oaiSource(for: viewer))
        if let viewer, viewer.has(.lmsClient) {
            // The LMS activity report counts a client's harvests: one upsert per request, never one per record.
            do {
                try await repository.recordOAIRequest(by: viewer, records: OAIProvider.recordCount(xml))
            } catch {
                context.logger.warning("OAI request not counted", metadata: ["hoclieu.error": "\(error)"])
            }
        }
        var headers: HTTPFields = [.contentType: "text/xml; charset=utf-8"]
        // What a harvester sees depends on who it is: never from a shared cache.
        headers[.cacheControl] = viewer == nil ? "no-cache" : "private, no-cache"
        headers[.vary] = "Accept-Encoding"
        // Harvesters that ask for gzip get it (a ListRecords page is ≈ 8 times smaller); level 1: the CPU is the bottleneck.
        if xml.count >= CASEController.gzipThreshold, CASEController.acceptsGzip(request), let gzipped = Gzip.compress(Data(xml), level: 1) {
            headers[.contentEncoding] = "gzip"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: gzipped)))
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: xml)))
    }
}
