import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuStorage
import Hummingbird
import HoclieuApp
import Logging
import NIOCore
import NIOPosix

/// Reads `Authorization: Bearer …` and puts the session's user into the context.
///
/// It never answers by itself: a missing header leaves the request anonymous, and a bad or
/// expired token is recorded for the policies to answer with 401 — after routing, so an
/// undeclared method still gets its 405.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let store: any Store

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        var context = context
        if header.lowercased().hasPrefix("bearer "), case let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces),
            !token.isEmpty, token.count <= 128
        {
            if let user = try await store.sessionUser(tokenHash: SessionToken.hash(token), now: Date()) {
                context.user = user
            } else {
                var problem = Problem(
                    .unauthorized, "session-expired", vi: "Phiên đăng nhập không hợp lệ hoặc đã hết hạn.",
                    en: "The session is invalid or has expired.")
                problem.headers[.wwwAuthenticate] = "Bearer error=\"invalid_token\""
                context.credentialProblem = problem
            }
        } else {
            var problem = Problem(.unauthorized, "bad-credentials", vi: "Tiêu đề Authorization không hợp lệ.", en: "Malformed Authorization header.")
            problem.headers[.wwwAuthenticate] = "Bearer error=\"invalid_request\""
            context.credentialProblem = problem
        }
        return try await next(request, context)
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
