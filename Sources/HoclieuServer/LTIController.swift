import Foundation
import HTTPTypes
import HoclieuApp
import HoclieuCore
import HoclieuStorage
import Hummingbird
import LTI
import Logging
import NIOCore

/// The LTI 1.3 tool: login initiation, launch, deep-linking picker, score posts, the tool's key set,
/// and the administrators' registration API.
///
/// | method | path | policy |
/// |---|---|---|
/// | GET | /lti/jwks | anyone (public keys) |
/// | GET, POST | /lti/login | anyone: a registered platform's login initiation |
/// | POST | /lti/launch | the platform's signed `id_token` and the browser's state cookie; no bearer token |
/// | POST | /lti/deep-link | a sealed picker context from an instructor's deep-linking launch |
/// | POST | /lti/score | a sealed score ticket from a learner's launch with an AGS line item (not for question sets) |
/// | POST | /lti/quiz | a sealed quiz attempt from a question-set launch; the server scores the answers |
/// | GET | /lti/register | a one-time registration grant made by an administrator (LTI Dynamic Registration) |
/// | POST | /api/v1/lti/registrations | administrators: a one-time registration URL for an LMS |
/// | GET, POST | /api/v1/lti/platforms | administrators |
/// | DELETE | /api/v1/lti/platforms/{id} | administrators |
/// | GET | /api/v1/lti/scores | teachers and administrators |
///
/// A refused launch is a bilingual HTML page with the reason; no session is opened by any route here.
struct LTIController {
    let repository: Services

    static let cookiePrefix = "hoclieu_lti_"
    static let formLimit = 256 * 1024

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/lti/jwks", use: jwks)
        router.get("/lti/login", use: login)
        router.post("/lti/login", use: login)
        router.post("/lti/launch", use: launch)
        router.post("/lti/deep-link", use: deepLink)
        router.post("/lti/score", use: score)
        router.post("/lti/quiz", use: quiz)
        router.get("/lti/register", use: register)
        router.post("/api/v1/lti/registrations", use: registrationURL)
        router.get("/api/v1/lti/platforms", use: listPlatforms)
        router.post("/api/v1/lti/platforms", use: addPlatform)
        router.delete("/api/v1/lti/platforms/{id}", use: deletePlatform)
        router.get("/api/v1/lti/scores", use: scores)
    }

    // MARK: Tool endpoints

    @Sendable func jwks(_ request: Request, context: AppRequestContext) async throws -> Response {
        let ring = try await repository.ltiKeyRing()
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"],
            body: .init(byteBuffer: ByteBuffer(bytes: ring.jwksJSON)))
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        var fields = Self.queryFields(request.uri.query ?? "")
        if request.method == .post {
            for (name, value) in try await Self.form(request).raw { fields[name] = value }
        }
        do {
            let redirect = try await repository.ltiBeginLogin(
                LTILoginRequest(
                    issuer: fields["iss"], loginHint: fields["login_hint"], targetLinkURI: fields["target_link_uri"],
                    messageHint: fields["lti_message_hint"], clientID: fields["client_id"], deploymentID: fields["lti_deployment_id"]))
            var headers: HTTPFields = [.location: redirect.location.absoluteString, .cacheControl: "no-store"]
            headers[.setCookie] = cookie(for: redirect.state)
            return Response(status: .found, headers: headers)
        } catch let error as any BilingualError {
            context.logger.info("LTI login refused", metadata: ["hoclieu.lti.error": "\(error.code)"])
            return Self.errorPage(error)
        }
    }

    @Sendable func launch(_ request: Request, context: AppRequestContext) async throws -> Response {
        let fields = try await Self.form(request)
        do {
            guard let token = fields["id_token"] else { throw LTIError.missingClaim("id_token") }
            let state = fields["state"]
            let browserState = state.flatMap { request.cookies[Self.cookieName($0)]?.value }
            let launch = try await repository.ltiLaunch(idToken: token, state: state, browserState: browserState)
            context.logger.info(
                "LTI launch", metadata: ["hoclieu.lti.platform": "\(launch.platform.issuer)", "hoclieu.lti.message": "\(launch.messageType.rawValue)"])
            var response: Response
            switch launch.messageType {
            case .deepLinkingRequest:
                guard launch.claims.isInstructor else { throw LTIError.notInstructor }
                let sealed = try repository.ltiDeepLinkContext(launch)
                let materials = try await repository.ltiPickable(query: "", platform: launch.platform)
                let level = try await repository.ltiCatalogLevel(nil)
                response = Self.page(LTIPages.picker(context: sealed, query: "", level: level, materials: materials))
            case .resourceLink:
                let link = try await repository.ltiResolve(launch)
                let scores = try await repository.ltiLineItemScores(launch)
                let names = scores == nil ? [:] : await repository.ltiLearnerNames(launch)
                if let quiz = try await repository.ltiQuiz(launch, link: link) {
                    // A question set is a quiz scored on the server: no score ticket reaches the page.
                    response = Self.page(LTIPages.quiz(quiz, scores: scores, names: names))
                } else {
                    let ticket = try repository.ltiScoreTicket(launch, pid: link.material.pid)
                    response = Self.page(
                        LTIPages.player(
                            link: link, location: playerLocation(link, platform: launch.platform),
                            contentOrigin: ContentOrigin.origin(of: repository.configuration.contentBaseURL), scoreTicket: ticket, scores: scores, names: names))
                }
            case .deepLinkingResponse:
                throw LTIError.unsupportedMessage(launch.messageType.rawValue)
            }
            if let state { response.headers[.setCookie] = expiredCookie(state) }
            return response
        } catch let error as any BilingualError {
            context.logger.info("LTI launch refused", metadata: ["hoclieu.lti.error": "\(error.code)"])
            return Self.errorPage(error)
        }
    }

    @Sendable func deepLink(_ request: Request, context: AppRequestContext) async throws -> Response {
        let fields = try await Self.form(request)
        let pids = Self.formValues(fields.raw, "pid")
        do {
            guard let sealed = fields["context"], let picker = repository.ltiOpenDeepLinkContext(sealed) else { throw LTIError.invalidState }
            let query = String((fields["q"] ?? "").prefix(500))
            if fields["action"] == "select", !pids.isEmpty {
                let policy = VersionPolicy(rawValue: fields["policy"] ?? "") ?? .latest
                let (returnURL, jwt) = try await repository.ltiDeepLinkingResponse(picker, pids: pids, policy: policy)
                return Self.page(LTIPages.autoPost(to: returnURL, jwt: jwt))
            }
            let platform = try await repository.ltiPlatform(of: picker)
            // A catalogue button names the node; a search keeps the node the picker was at.
            let level = try await repository.ltiCatalogLevel(fields["node"] ?? fields["at"])
            let materials = try await repository.ltiPickable(query: query, platform: platform, unit: level.unit)
            return Self.page(LTIPages.picker(context: sealed, query: query, level: level, materials: materials))
        } catch let error as any BilingualError {
            return Self.errorPage(error)
        }
    }

    struct ScoreBody: StrictJSONBody {
        static let fields: Set<String> = ["ticket", "scoreGiven", "scoreMaximum", "completed"]
        var ticket: String
        var scoreGiven: Double
        var scoreMaximum: Double
        var completed: Bool?
    }

    @Sendable func quiz(_ request: Request, context: AppRequestContext) async throws -> Response {
        let fields = try await Self.form(request)
        do {
            guard let attempt = fields["attempt"] else { throw LTIError.invalidState }
            let result = try await repository.ltiSubmitQuiz(attempt: attempt, answers: fields.raw)
            if let post = result.post, post.status == .failed {
                context.logger.warning("AGS score post failed", metadata: ["hoclieu.lti.score": "\(post.id)", "hoclieu.lti.error": "\(post.lastError ?? "")"])
            }
            return Self.page(LTIPages.quizResult(title: "Kết quả / Result", result))
        } catch let error as any BilingualError {
            return Self.errorPage(error)
        }
    }

    @Sendable func score(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeStrict(ScoreBody.self, limit: 16 * 1024)
        let result = try await repository.ltiPostScore(
            ticket: body.ticket, scoreGiven: body.scoreGiven, scoreMaximum: body.scoreMaximum, completed: body.completed ?? true)
        if result.status == .failed {
            context.logger.warning("AGS score post failed", metadata: ["hoclieu.lti.score": "\(result.id)", "hoclieu.lti.error": "\(result.lastError ?? "")"])
        }
        return try JSONResponse(status: result.status == .posted ? .ok : .accepted, result).response(from: request, context: context)
    }

    // MARK: Dynamic registration

    @Sendable func register(_ request: Request, context: AppRequestContext) async throws -> Response {
        let q = Self.queryFields(request.uri.query ?? "")
        do {
            let platform = try await repository.ltiRegister(
                grant: q["hoclieu_grant"], openidConfiguration: q["openid_configuration"], registrationToken: q["registration_token"])
            context.logger.info("LTI platform registered", metadata: ["hoclieu.lti.platform": "\(platform.issuer)", "hoclieu.lti.client": "\(platform.clientID)"])
            return Self.page(LTIPages.registered(platform))
        } catch let error as any BilingualError {
            context.logger.info("LTI registration refused", metadata: ["hoclieu.lti.error": "\(error.code)"])
            return Self.errorPage(error)
        }
    }

    struct RegistrationBody: StrictJSONBody {
        static let fields: Set<String> = ["school"]
        var school: String?
    }

    @Sendable func registrationURL(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try Caller.signedIn(context)
        guard user.has(.admin) else { throw Problem.forbidden }
        let body = try await request.decodeStrict(RegistrationBody.self, limit: 16 * 1024)
        return try JSONResponse(status: .created, try repository.ltiRegistrationURL(school: body.school, by: user)).response(from: request, context: context)
    }

    // MARK: Administration

    @Sendable func listPlatforms(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try Caller.signedIn(context)
        return try JSONResponse(try await repository.ltiPlatforms(by: user)).response(from: request, context: context)
    }

    /// The registration body is the platform type itself (``LTIPlatform``), without `id` and `createdAt`.
    struct PlatformBody: StrictJSONBody {
        static let fields: Set<String> = ["issuer", "clientId", "deploymentIds", "authUrl", "tokenUrl", "jwksUrl", "school"]
        var platform: LTIPlatform
        init(from decoder: any Decoder) throws { platform = try LTIPlatform(from: decoder) }
    }

    @Sendable func addPlatform(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try Caller.signedIn(context)
        guard user.has(.admin) else { throw Problem.forbidden }
        let body = try await request.decodeStrict(PlatformBody.self, limit: 64 * 1024)
        let stored = try await repository.addLTIPlatform(body.platform, by: user)
        return try JSONResponse(status: .created, stored).response(from: request, context: context)
    }

    @Sendable func deletePlatform(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try Caller.signedIn(context)
        guard user.has(.admin) else { throw Problem.forbidden }
        guard let id = Int64(try context.parameters.require("id")), id > 0 else { throw Problem.badRequest("id không hợp lệ.", "Invalid id.") }
        try await repository.deleteLTIPlatform(id: id, by: user)
        return Response(status: .noContent)
    }

    @Sendable func scores(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try Caller.signedIn(context)
        let failed = request.uri.queryParameters.get("failed")
        guard failed == nil || failed == "true" || failed == "false" else { throw Problem.badRequest("failed phải là true hoặc false.", "failed must be true or false.") }
        let list = try await repository.ltiScores(by: user, failedOnly: failed == "true")
        return try JSONResponse(list).response(from: request, context: context)
    }

    // MARK: Where the player is

    /// The one place that decides where a launched material plays: the content origin's player for the version
    /// (signed for the platform's viewer when the material is not public), or the identifier page for a material
    /// without a file.
    func playerLocation(_ link: LTIResolvedLink, platform: LTIPlatform) -> String {
        let m = link.material
        guard link.version > 0 else { return "\(repository.configuration.publicBaseURL)/id/\(m.pid.rawValue)" }
        return PreviewRedirectController.playerURL(repository, m, number: link.version, viewer: repository.ltiViewer(platform)).url
    }

    // MARK: Helpers

    static func cookieName(_ state: String) -> String { cookiePrefix + String(state.prefix(16).filter { $0.isLetter || $0.isNumber }) }

    func cookie(for state: String) -> String {
        let secure = repository.configuration.publicBaseURL.lowercased().hasPrefix("https:")
        // A platform posts the launch from another site: only `SameSite=None; Secure` survives that in browsers.
        return "\(Self.cookieName(state))=\(state); Path=/lti/; Max-Age=600; HttpOnly" + (secure ? "; Secure; SameSite=None" : "; SameSite=Lax")
    }

    func expiredCookie(_ state: String) -> String { "\(Self.cookieName(state))=; Path=/lti/; Max-Age=0; HttpOnly" }

    /// Decoded form fields: the first value of each name, with all values kept in `raw`.
    struct Form {
        var raw: [(String, String)]
        subscript(_ name: String) -> String? { raw.first { $0.0 == name }?.1 }
    }

    static func form(_ request: Request) async throws -> Form {
        let buffer = try await request.body.collect(upTo: formLimit)
        return Form(raw: pairs(String(decoding: buffer.readableBytesView, as: UTF8.self)))
    }

    static func formValues(_ raw: [(String, String)], _ name: String) -> [String] { raw.filter { $0.0 == name }.map(\.1) }

    static func pairs(_ encoded: String) -> [(String, String)] {
        encoded.split(separator: "&").prefix(1000).compactMap { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            guard let name = kv.first else { return nil }
            return (decode(name), kv.count > 1 ? decode(kv[1]) : "")
        }
    }

    static func queryFields(_ query: String) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in pairs(query) where out[k] == nil { out[k] = v }
        return out
    }

    static let csp = "default-src 'none'; img-src * data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; frame-src *; form-action *; base-uri 'none'"

    static func page(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .contentSecurityPolicy: csp, .xContentTypeOptions: "nosniff",
                .referrerPolicy: "no-referrer"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func errorPage(_ error: any BilingualError) -> Response {
        let problem = Problem(error)
        return page(LTIPages.error(vi: error.vietnamese, en: error.english, code: error.code), status: problem.status)
    }
}
