import Foundation
import HTTPTypes
import HoclieuApp
import HoclieuCore
import Hummingbird
import LTI
import Logging
import NIOCore

/// Sign-in with the department's OpenID Connect provider (Google Workspace, Microsoft 365…), and the list of
/// sign-in methods the web UI offers.
///
/// | method | path | policy |
/// |---|---|---|
/// | GET | /api/v1/auth/methods | anyone |
/// | GET | /auth/oidc/login | anyone; 404 page when not configured |
/// | GET | /auth/oidc/callback | the provider's redirect with `code` and `state`; the browser's state cookie |
///
/// A refused sign-in is a bilingual HTML page with the reason and opens no session; a successful one sets the
/// same cookies as password sign-in and redirects to `/`.
struct OIDCController {
    let repository: Services

    /// Binds the login's `state` to the browser: HttpOnly, for the callback path only, ten minutes. `SameSite=Lax`
    /// is sent with the provider's top-level redirect back.
    static let stateCookie = "hoclieu_oidc_state"
    /// Readable by the web UI: the next page load adopts the cookie session (and removes the marker).
    static let signInMarker = "hoclieu_signin"

    struct Methods: Encodable {
        var password = true
        var oidc: Bool
        /// Where the browser starts an organisation sign-in (when `oidc`).
        var oidcLoginURL: String?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/auth/methods", use: methods)
        router.get("/auth/oidc/login", use: login)
        router.get("/auth/oidc/callback", use: callback)
    }

    @Sendable func methods(_ request: Request, context: AppRequestContext) async throws -> Response {
        let configured = repository.configuration.oidc != nil
        return try JSONResponse(Methods(oidc: configured, oidcLoginURL: configured ? "/auth/oidc/login" : nil)).response(from: request, context: context)
    }

    var secure: String { repository.configuration.publicBaseURL.lowercased().hasPrefix("https:") ? "; Secure" : "" }

    @Sendable func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        do {
            let redirect = try await repository.oidcBeginLogin()
            var headers: HTTPFields = [.location: redirect.location.absoluteString, .cacheControl: "no-store"]
            headers[.setCookie] = "\(Self.stateCookie)=\(redirect.state); Path=/auth/oidc/; Max-Age=600; HttpOnly; SameSite=Lax\(secure)"
            return Response(status: .found, headers: headers)
        } catch let error as any BilingualError {
            context.logger.info("OIDC login refused", metadata: ["hoclieu.oidc.error": "\(error.code)"])
            return errorPage(error)
        }
    }

    @Sendable func callback(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        do {
            let session = try await repository.oidcCompleteLogin(
                code: query.get("code"), state: query.get("state"), browserState: request.cookies[Self.stateCookie]?.value,
                providerError: query.get("error"), address: context.clientAddress)
            context.logger.info("signed in", metadata: ["hoclieu.user": "\(session.user.username)", "hoclieu.auth.method": "oidc"])
            var headers: HTTPFields = [.location: "/", .cacheControl: "no-store"]
            headers.append(HTTPField(name: .setCookie, value: expiredStateCookie))
            // Tells the web UI, once, that this page load follows an organisation sign-in (its session is in the cookie).
            headers.append(HTTPField(name: .setCookie, value: "\(Self.signInMarker)=oidc; Path=/; Max-Age=60; SameSite=Lax\(secure)"))
            for cookie in AuthController(repository: repository).sessionCookies(session.token, expiresAt: session.expiresAt) {
                headers.append(HTTPField(name: .setCookie, value: cookie))
            }
            return Response(status: .found, headers: headers)
        } catch let error as any BilingualError {
            context.logger.info("OIDC sign-in refused", metadata: ["hoclieu.oidc.error": "\(error.code)"])
            var response = errorPage(error)
            response.headers.append(HTTPField(name: .setCookie, value: expiredStateCookie))
            return response
        }
    }

    var expiredStateCookie: String { "\(Self.stateCookie)=; Path=/auth/oidc/; Max-Age=0; HttpOnly; SameSite=Lax\(secure)" }

    func errorPage(_ error: any BilingualError) -> Response {
        let e = HTMLText.escape
        let html = LTIPages.shell(
            "Không đăng nhập được / Sign-in failed",
            """
            <div class="error" role="alert"><h1>Không đăng nhập được</h1><p>\(e(error.vietnamese))</p>
            <h2 class="en" lang="en">Sign-in failed</h2><p class="en" lang="en">\(e(error.english))</p>
            <p><small>Mã lỗi / Error code: <code>\(e(error.code))</code></small></p>
            <p><a href="/">Về trang chủ / Back to Hoclieu</a></p></div>
            """)
        return LTIController.page(html, status: Problem(error).status)
    }
}
