import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuStorage
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// Sign-in and accounts.
///
/// | method | path | policy |
/// |---|---|---|
/// | POST | /api/v1/auth/login | anyone |
/// | POST | /api/v1/auth/logout | signed in |
/// | GET | /api/v1/me | signed in |
/// | POST | /api/v1/users | admin |
struct AuthController {
    let repository: Repository

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
    }

    struct CreateUserRequest: StrictJSONBody {
        static let fields: Set<String> = ["username", "displayName", "password", "roles", "school"]
        var username: String
        var displayName: String?
        var password: String
        var roles: [Role]
        var school: String?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/api/v1/auth/login", use: login)
        router.post("/api/v1/auth/logout", use: logout)
        router.get("/api/v1/me") { _, context in try JSONResponse(try Policy.signedIn(context)) }
        router.post("/api/v1/users", use: createUser)
    }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let body = try await request.decodeStrict(LoginRequest.self, limit: repository.configuration.maxJSONBytes)
        let hasher = PasswordHasher(cost: repository.configuration.bcryptCost)
        guard let found = try await repository.store.credentials(username: body.username),
            try await hasher.verify(body.password, hash: found.passwordHash)
        else {
            throw Problem(.unauthorized, "bad-credentials", vi: "Sai tên đăng nhập hoặc mật khẩu.", en: "Wrong username or password.")
        }
        let token = SessionToken.make()
        let expiresAt = Date().addingTimeInterval(repository.configuration.sessionLifetime)
        try await repository.store.createSession(tokenHash: SessionToken.hash(token), userID: found.user.id, expiresAt: expiresAt)
        context.logger.info("signed in", metadata: ["hoclieu.user": "\(found.user.username)"])
        return try JSONResponse(LoginResponse(token: token, expiresAt: expiresAt, user: found.user))
    }

    @Sendable func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try Policy.signedIn(context)
        if let header = request.headers[.authorization] {
            try await repository.store.deleteSession(tokenHash: SessionToken.hash(String(header.dropFirst(7))))
        }
        return Response(status: .noContent)
    }

    @Sendable func createUser(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        _ = try Policy.admin(context)
        let body = try await request.decodeStrict(CreateUserRequest.self, limit: repository.configuration.maxJSONBytes)
        guard User.isValidUsername(body.username) else {
            throw Problem(
                .unprocessableContent, "invalid", vi: "Tên đăng nhập chỉ gồm a–z, 0–9, . _ - @ (3–64 ký tự).",
                en: "Usernames use a–z, 0–9, . _ - @ (3–64 characters).")
        }
        guard PasswordHasher.isAcceptable(body.password) else {
            throw Problem(.unprocessableContent, "invalid", vi: "Mật khẩu cần 8–128 ký tự.", en: "Passwords need 8–128 characters.")
        }
        guard !body.roles.isEmpty else {
            throw Problem(.unprocessableContent, "invalid", vi: "Cần ít nhất một vai trò.", en: "At least one role is required.")
        }
        let user = try await repository.store.createUser(
            NewUser(
                username: body.username, displayName: body.displayName ?? body.username, roles: Set(body.roles), school: body.school,
                passwordHash: try await PasswordHasher(cost: repository.configuration.bcryptCost).hash(body.password)))
        return try JSONResponse(status: .created, user)
    }
}
