import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuStorage
import Hummingbird
import HoclieuApp
import Logging
import NIOCore
import NIOPosix

/// Reads `Authorization` and puts the caller into the context: a session's user (`Bearer <session token>`),
/// or an LMS client credential with its scopes (`Bearer <clientID>.<secret>`, or HTTP basic with the client id
/// and secret).
///
/// It never answers by itself: a missing header leaves the request anonymous, and a bad or
/// expired credential is recorded for the policies to answer (401, or 429 for a client over its rate) —
/// after routing, so an undeclared method still gets its 405.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let repository: Services

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        var context = context
        let lower = header.lowercased()
        if lower.hasPrefix("bearer "), case let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces), !token.isEmpty, token.count <= 200 {
            if token.hasPrefix("hlc_"), let dot = token.firstIndex(of: ".") {
                await authenticateClient(String(token[..<dot]), String(token[token.index(after: dot)...]), &context)
            } else if token.count <= 128, let user = try await repository.store.sessionUser(tokenHash: SessionToken.hash(token), now: Date()) {
                context.user = user
            } else {
                var problem = Problem(
                    .unauthorized, "session-expired", vi: "Phiên đăng nhập không hợp lệ hoặc đã hết hạn.",
                    en: "The session is invalid or has expired.")
                problem.headers[.wwwAuthenticate] = "Bearer error=\"invalid_token\""
                context.credentialProblem = problem
            }
        } else if lower.hasPrefix("basic "), header.count <= 400,
            let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)).flatMap({ String(data: $0, encoding: .utf8) }),
            let colon = decoded.firstIndex(of: ":")
        {
            await authenticateClient(String(decoded[..<colon]), String(decoded[decoded.index(after: colon)...]), &context)
        } else {
            var problem = Problem(.unauthorized, "bad-credentials", vi: "Tiêu đề Authorization không hợp lệ.", en: "Malformed Authorization header.")
            problem.headers[.wwwAuthenticate] = "Bearer error=\"invalid_request\""
            context.credentialProblem = problem
        }
        return try await next(request, context)
    }

    func authenticateClient(_ clientID: String, _ secret: String, _ context: inout Context) async {
        do {
            context.user = try await repository.authenticateClient(clientID: clientID, secret: secret)
        } catch {
            var problem = (error as? any BilingualError).map { Problem($0) } ?? Problem.unauthenticated
            if case .rateLimited(let wait) = error as? ClientError {
                problem.headers[.retryAfter] = String(wait)
            } else {
                problem.headers[.wwwAuthenticate] = "Basic realm=\"hoclieu\", Bearer"
            }
            context.credentialProblem = problem
        }
    }
}

/// Who is calling, checked at the top of each handler; what they may see or change is ``AccessPolicy``'s.
enum Caller {
    /// Whoever is calling: a user, or nil for anonymous; bad credentials are a 401.
    static func viewer(_ context: AppRequestContext) throws -> User? {
        if let problem = context.credentialProblem { throw problem }
        return context.user
    }

    /// Any signed-in user.
    static func signedIn(_ context: AppRequestContext) throws -> User {
        guard let user = try viewer(context) else {
            var problem = Problem.unauthenticated
            problem.headers[.wwwAuthenticate] = "Bearer"
            throw problem
        }
        return user
    }

    /// Teachers, LMS clients and administrators may contribute materials.
    static func contributor(_ context: AppRequestContext) throws -> User {
        let user = try signedIn(context)
        guard user.has(.teacher) || user.has(.lmsClient) || user.has(.admin) else { throw Problem.forbidden }
        return user
    }

    /// The board's chair and administrators.
    static func chair(_ context: AppRequestContext) throws -> User {
        let user = try signedIn(context)
        guard user.has(.chair) || user.has(.admin) else { throw Problem.forbidden }
        return user
    }

    static func admin(_ context: AppRequestContext) throws -> User {
        let user = try signedIn(context)
        guard user.has(.admin) else { throw Problem.forbidden }
        return user
    }
}
