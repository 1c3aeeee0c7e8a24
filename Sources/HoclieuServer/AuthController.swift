import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuStorage
import HoclieuApp
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// Sign-in and accounts.
///
/// | method | path | policy |
/// |---|---|---|
/// | POST | /api/v1/auth/login | anyone; throttled per account and address |
/// | POST | /api/v1/auth/logout | signed in |
/// | POST | /api/v1/auth/password | signed in; the current password is required |
/// | GET | /api/v1/me | signed in |
/// | POST | /api/v1/users | admin; a school admin for teachers of their own school |
/// | POST | /api/v1/users/{id}/disable | admin; a school admin for teachers of their own school |
/// | POST | /api/v1/users/{id}/enable | admin; a school admin for teachers of their own school |
/// | DELETE | /api/v1/users/{id}/sessions | the user themself or admin |
struct AuthController {
    let repository: Services

    struct LoginRequest: StrictJSONBody {
        static let fields: Set<String> = ["username", "password"]
        var username: String
        var password: String
    }

    struct LoginResponse: Encodable {
        var token: String
        var tokenType = "Bearer"
        var expiresAt: Date
        var user: User
        /// For a browser using the session cookie: send it back as `X-CSRF-Token` on state-changing requests.
        var csrfToken: String
    }

    /// `Set-Cookie` values of a web session (or, with `token` nil, the ones that end it).
    func sessionCookies(_ token: String?, expiresAt: Date? = nil) -> [String] {
        let secure = repository.configuration.publicBaseURL.lowercased().hasPrefix("https://") ? "; Secure" : ""
        let maxAge = expiresAt.map { String(max(0, Int($0.timeIntervalSinceNow))) } ?? "0"
        return [
            "\(WebSession.cookie)=\(token ?? ""); Path=/; HttpOnly; SameSite=Lax; Max-Age=\(maxAge)\(secure)",
            "\(WebSession.csrfCookie)=\(token.map(repository.csrfToken(forSession:)) ?? ""); Path=/; SameSite=Lax; Max-Age=\(maxAge)\(secure)",
        ]
    }

    struct PasswordRequest: StrictJSONBody {
        static let fields: Set<String> = ["current", "new"]
        var current: String
        var new: String
    }

    struct CreateUserRequest: StrictJSONBody {
        static let fields: Set<String> = ["username", "displayName", "password", "roles", "school", "subjects", "email"]
        var username: String
        var displayName: String?
        var password: String
        var roles: [Role]
        var school: String?
        /// The subjects a reviewer reviews (subject codes); none: any.
        var subjects: [String]?
        /// Recorded so that a sign-in with the organisation's OpenID Connect provider finds this account.
        var email: String?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/api/v1/auth/login", use: login)
        router.post("/api/v1/auth/logout", use: logout)
        router.post("/api/v1/auth/password", use: changePassword)
        router.get("/api/v1/me") { _, context in try JSONResponse(try Caller.signedIn(context)) }
        router.post("/api/v1/users", use: createUser)
        router.post("/api/v1/users/{id}/disable") { _, context in try await setDisabled(true, context: context) }
        router.post("/api/v1/users/{id}/enable") { _, context in try await setDisabled(false, context: context) }
        router.delete("/api/v1/users/{id}/sessions", use: revokeSessions)
    }

    /// The bearer token of the request, trimmed as the authentication middleware reads it.
    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else { return nil }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeStrict(LoginRequest.self, limit: repository.configuration.maxJSONBytes)
        let address = context.clientAddress
        let session = try await repository.signIn(username: body.username, password: body.password, address: address)
        context.logger.info("signed in", metadata: ["hoclieu.user": "\(session.user.username)"])
        var headers: HTTPFields = [.cacheControl: "no-store"]
        for cookie in sessionCookies(session.token, expiresAt: session.expiresAt) { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return try JSONResponse(
            headers: headers,
            LoginResponse(token: session.token, expiresAt: session.expiresAt, user: session.user, csrfToken: repository.csrfToken(forSession: session.token)))
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try Caller.signedIn(context)
        if let token = Self.bearerToken(request) ?? BearerAuthMiddleware.cookie(WebSession.cookie, in: request) {
            try await repository.store.deleteSession(tokenHash: SessionToken.hash(token))
        }
        var headers: HTTPFields = [:]
        for cookie in sessionCookies(nil) { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .noContent, headers: headers)
    }

    @Sendable func changePassword(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try Caller.signedIn(context)
        let body = try await request.decodeStrict(PasswordRequest.self, limit: repository.configuration.maxJSONBytes)
        try await repository.changePassword(of: user, current: body.current, new: body.new, keepingToken: Self.bearerToken(request))
        return Response(status: .noContent)
    }

    func userID(_ context: AppRequestContext) throws -> Int64 {
        guard let id = Int64(try context.parameters.require("id")), id > 0 else {
            throw Problem.badRequest("Mã tài khoản phải là số nguyên dương.", "The account id must be a positive integer.")
        }
        return id
    }

    func setDisabled(_ disabled: Bool, context: AppRequestContext) async throws -> JSONResponse {
        let admin = try Caller.signedIn(context)
        return try JSONResponse(try await repository.setDisabled(disabled, userID: try userID(context), by: admin))
    }

    @Sendable func revokeSessions(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try Caller.signedIn(context)
        try await repository.revokeSessions(userID: try userID(context), by: user)
        return Response(status: .noContent)
    }

    @Sendable func createUser(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let admin = try Caller.signedIn(context)
        guard admin.has(.admin) || admin.has(.schoolAdmin) else { throw Problem.forbidden }
        let body = try await request.decodeStrict(CreateUserRequest.self, limit: repository.configuration.maxJSONBytes)
        guard AccessPolicy.canManageAccount(admin, school: body.school, roles: Set(body.roles)) else {
            throw Problem(
                .forbidden, "forbidden", vi: "Quản trị trường chỉ tạo tài khoản giáo viên của trường mình.",
                en: "A school administrator creates only teacher accounts of their own school.")
        }
        guard User.isValidUsername(body.username) else {
            throw Problem(
                .unprocessableContent, "invalid", vi: "Tên đăng nhập chỉ gồm a–z, 0–9, . _ - @ (3–64 ký tự).",
                en: "Usernames use a–z, 0–9, . _ - @ (3–64 characters).")
        }
        guard PasswordHasher.isAcceptable(body.password) else { throw AccountError.unacceptablePassword }
        guard !body.roles.isEmpty else {
            throw Problem(.unprocessableContent, "invalid", vi: "Cần ít nhất một vai trò.", en: "At least one role is required.")
        }
        let email = try body.email.map { text in
            guard let email = User.normalisedEmail(text) else {
                throw Problem(.unprocessableContent, "invalid", vi: "Địa chỉ thư điện tử không hợp lệ.", en: "The e-mail address is not valid.")
            }
            return email
        }
        if let email {
            guard try await repository.store.user(email: email) == nil else {
                throw Problem(.conflict, "conflict", vi: "Địa chỉ thư điện tử đã thuộc tài khoản khác.", en: "Another account has this e-mail address.")
            }
        }
        var user = try await repository.store.createUser(
            NewUser(
                username: body.username, displayName: body.displayName ?? body.username, roles: Set(body.roles), school: body.school,
                passwordHash: try await PasswordHasher(cost: repository.configuration.bcryptCost).hash(body.password), subjects: body.subjects ?? []))
        try await repository.store.appendAudit(
            AuditDraft(
                actorID: admin.id, action: "user.created", subject: "user:\(user.id)",
                details: ["roles": user.roles.map(\.rawValue).sorted().joined(separator: ","), "username": user.username]))
        if let email {
            try await repository.store.setUserEmail(userID: user.id, email: email)
            user.email = email
        }
        return try JSONResponse(status: .created, user)
    }
}
