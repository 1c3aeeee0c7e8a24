import Foundation
import HTTPTypes
public import HoclieuCore
import HoclieuStorage
import HoclieuApp
public import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// An RFC 9457 problem: what went wrong, in Vietnamese and English.
///
/// Body: `{"type": "/problems/{code}", "title", "status", "detail", "messages": {"vi", "en"}, "errors"?, "hint"?}`,
/// served as `application/problem+json`. `detail` repeats both languages so a client that
/// reads only the standard members still shows something useful.
public struct Problem: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// Short machine code, also the last part of `type`.
    public var code: String
    public var vi: String
    public var en: String
    public var hint: String?
    public var fieldErrors: [String: String]
    /// Itemised problems of a file (`problems`: file, line, message, hint each), e.g. a refused catalogue import.
    public var items: [[String: String]] = []
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, vi: String, en: String, hint: String? = nil, fieldErrors: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.vi = vi
        self.en = en
        self.hint = hint
        self.fieldErrors = fieldErrors
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var object: [String: Any] = [
            "type": "/problems/\(code)", "title": status.reasonPhrase, "status": status.code, "detail": "\(vi) / \(en)",
            "messages": ["vi": vi, "en": en], "instance": request.uri.path,
        ]
        if let hint { object["hint"] = hint }
        if !fieldErrors.isEmpty { object["errors"] = fieldErrors }
        if !items.isEmpty { object["problems"] = items }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The problem of an application error: its category decides the status, in this one place.
    public init(_ error: any BilingualError) {
        let status: HTTPResponse.Status =
            switch error.category {
            case .badRequest: .badRequest
            case .invalid: .unprocessableContent
            case .notFound: .notFound
            case .conflict: .conflict
            case .unauthenticated: .unauthorized
            case .forbidden: .forbidden
            case .tooLarge: .contentTooLarge
            case .tooManyRequests: .tooManyRequests
            case .unavailable: .serviceUnavailable
            }
        self.init(status, error.code, vi: error.vietnamese, en: error.english, hint: error.hint)
        if let retry = (error as? AccountError)?.retryAfter { headers[.retryAfter] = String(retry) }
        if error is StoreUnavailableError { headers[.retryAfter] = "2" }
        if error.category == .unauthenticated { headers[.wwwAuthenticate] = "Bearer" }
    }

    // MARK: The common problems

    static func notFound(_ what: String) -> Problem {
        Problem(.notFound, "not-found", vi: "Không tìm thấy \(what).", en: "\(what) was not found.")
    }
    static let unauthenticated = Problem(
        .unauthorized, "unauthenticated", vi: "Cần đăng nhập.", en: "Sign-in is required.")
    static let forbidden = Problem(.forbidden, "forbidden", vi: "Bạn không có quyền làm việc này.", en: "You may not do this.")
    static func badRequest(_ vi: String, _ en: String, hint: String? = nil) -> Problem {
        Problem(.badRequest, "bad-request", vi: vi, en: en, hint: hint)
    }
}

/// Turns every error a handler throws into a problem response, in one place.
///
/// Domain and storage errors know nothing of HTTP; they are mapped here. An unexpected error
/// becomes a 500 whose text never reaches the client; its log line carries the request id.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // A known path with another method is a 405 with Allow, not a 404.
            let allowed = OpenAPIDocument.allowedMethods(for: request.uri.path)
            guard !allowed.isEmpty else { return try Self.problem(for: error, context: context).response(from: request, context: context) }
            var problem = Problem(.methodNotAllowed, "method-not-allowed", vi: "Phương thức không được hỗ trợ.", en: "Method not allowed.")
            problem.headers[.allow] = (allowed.contains("GET") ? allowed + ["HEAD"] : allowed).joined(separator: ", ")
            return try problem.response(from: request, context: context)
        } catch {
            let problem = Self.problem(for: error, context: context)
            return try problem.response(from: request, context: context)
        }
    }

    static func problem(for error: any Error, context: Context) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as PIDError:
            return pidProblem(error)
        case let error as any BilingualError:
            return Problem(error)
        case let error as HTTPError:
            switch error.status {
            case .notFound:
                return Problem(.notFound, "not-found", vi: "Không có đường dẫn này.", en: "There is no such path.")
            case .methodNotAllowed:
                var p = Problem(.methodNotAllowed, "method-not-allowed", vi: "Phương thức không được hỗ trợ.", en: "Method not allowed.")
                p.headers = error.headers
                return p
            case .contentTooLarge:
                return Problem(.contentTooLarge, "too-large", vi: "Nội dung gửi lên quá lớn.", en: "The request body is too large.")
            default:
                return Problem(error.status, "http", vi: error.body ?? error.status.reasonPhrase, en: error.body ?? error.status.reasonPhrase)
            }
        case let error as DecodingError:
            return decodingProblem(error)
        default:
            context.logger.error("unexpected error", metadata: ["hoclieu.error": "\(String(reflecting: error))"])
            return Problem(
                .internalServerError, "internal", vi: "Lỗi máy chủ. Mã yêu cầu: \(context.id).",
                en: "Server error. Request id: \(context.id).")
        }
    }

    static func pidProblem(_ error: PIDError) -> Problem {
        switch error {
        case .checkCharacterMismatch:
            return Problem(
                .badRequest, "pid-check-character",
                vi: "Ký tự kiểm tra của định danh không khớp: có thể gõ nhầm.",
                en: "The identifier's check character does not match: it was probably mistyped.",
                hint: "Kiểm tra lại từng ký tự, nhất là hai ký tự cạnh nhau bị đảo. / Check each character, especially two neighbours swapped.")
        case .malformed(let what):
            return Problem(
                .badRequest, "pid-malformed", vi: "Định danh không đúng dạng (\(what)).", en: "The identifier is malformed (\(what)).",
                hint: "Dạng / form: PREFIX-SERIAL+CHECK, ví dụ / e.g. 79-760-00001K3")
        }
    }

    static func decodingProblem(_ error: DecodingError) -> Problem {
        let path: String
        switch error {
        case .keyNotFound(let key, let context): path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath.map(\.stringValue).joined(separator: ".")
        @unknown default: path = ""
        }
        return Problem(
            .badRequest, "invalid-json", vi: "Dữ liệu JSON không hợp lệ\(path.isEmpty ? "" : " tại \(path)").",
            en: "Invalid JSON\(path.isEmpty ? "" : " at \(path)").")
    }
}
