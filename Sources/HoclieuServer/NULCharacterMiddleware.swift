import Foundation
import HTTPTypes
import Hummingbird

/// Refuses a request whose path or query carries U+0000 (`%00`) with a 400 problem, before any handler.
///
/// No identifier, code or search term contains it, and PostgreSQL cannot take it in any text parameter (SQLite would
/// merely find nothing), so both stores give the same answer: a clear 400 instead of a database error.
struct NULCharacterMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.hasNUL(request.uri.path) || Self.hasNUL(request.uri.query ?? "") {
            throw Problem.badRequest(
                "Đường dẫn hoặc tham số chứa ký tự NUL (%00).", "The path or a query parameter contains a NUL character (%00).")
        }
        return try await next(request, context)
    }

    /// Whether `text` holds a raw or percent-encoded NUL.
    static func hasNUL(_ text: String) -> Bool {
        text.utf8.contains(0) || text.range(of: "%00", options: .literal) != nil
    }
}
