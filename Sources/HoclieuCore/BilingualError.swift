/// What kind of failure an error is, independent of how it reaches a person (an HTTP status, a CLI
/// exit line). The server maps each category to one status in one place.
public enum ErrorCategory: String, Sendable, Equatable {
    /// The request itself is malformed (a bad parameter, an unknown option).
    case badRequest
    /// The content is understood but not acceptable (a broken package, a metadata rule).
    case invalid
    /// The thing does not exist, or the caller may not know that it does.
    case notFound
    /// It already exists, or it belongs to someone else.
    case conflict
    /// Sign-in is required.
    case unauthenticated
    /// The caller is known but may not do this.
    case forbidden
    /// Larger than a configured limit.
    case tooLarge
    /// Too many attempts; try again later.
    case tooManyRequests
    /// The service cannot do this now (a missing configuration, a stopped component).
    case unavailable

    /// The machine code of an error of this category that names no code of its own.
    public var defaultCode: String {
        switch self {
        case .badRequest: "bad-request"
        case .invalid: "invalid"
        case .notFound: "not-found"
        case .conflict: "conflict"
        case .unauthenticated: "unauthenticated"
        case .forbidden: "forbidden"
        case .tooLarge: "too-large"
        case .tooManyRequests: "too-many-requests"
        case .unavailable: "unavailable"
        }
    }
}

/// An error that people read: one message in Vietnamese and the same in English, a short machine
/// code and a category.
///
/// Every module's errors that reach a person conform to it (directly or by an extension in the
/// module that knows both), so the HTTP layer (`ProblemMiddleware`) and the command line each have
/// **one** mapping: category → status, `vietnamese / english` → text.
public protocol BilingualError: Error, Sendable {
    /// The message in Vietnamese.
    var vietnamese: String { get }
    /// The message in English.
    var english: String { get }
    /// What kind of failure this is.
    var category: ErrorCategory { get }
    /// A short machine code (`invalid-package`, `not-found`…), the last part of a problem's `type`.
    var code: String { get }
    /// An optional hint on how to fix it, in both languages.
    var hint: String? { get }
}

extension BilingualError {
    public var category: ErrorCategory { .invalid }
    public var code: String { category.defaultCode }
    public var hint: String? { nil }
    /// `vietnamese / english`, as one line for logs and the command line.
    public var bilingual: String { "\(vietnamese) / \(english)" }
}

/// A bilingual error made on the spot by a use case: the common failures of the application layer.
public struct AppError: BilingualError, Equatable {
    public var category: ErrorCategory
    public var code: String
    public var vietnamese: String
    public var english: String
    public var hint: String?

    public init(_ category: ErrorCategory, code: String? = nil, vi: String, en: String, hint: String? = nil) {
        self.category = category
        self.vietnamese = vi
        self.english = en
        self.hint = hint
        self.code = code ?? category.defaultCode
    }

    /// Not found (also what a caller who may not see a thing is told).
    public static func notFound(_ vi: String, _ en: String) -> AppError {
        AppError(.notFound, vi: "Không tìm thấy \(vi).", en: "\(en) was not found.")
    }
    /// The caller may not do this.
    public static let forbidden = AppError(.forbidden, vi: "Bạn không có quyền làm việc này.", en: "You may not do this.")
    /// Sign-in is required.
    public static let unauthenticated = AppError(.unauthenticated, vi: "Cần đăng nhập.", en: "Sign-in is required.")
}

extension FieldViolation: BilingualError {
    public var vietnamese: String {
        switch problem {
        case .required: "Trường \(field) là bắt buộc."
        case .tooLong(let max): "Trường \(field) dài quá \(max) ký tự."
        case .tooMany(let max): "Trường \(field) có quá \(max) giá trị."
        case .outOfRange(let min, let max): "Trường \(field) phải nằm trong khoảng \(min)–\(max)."
        case .invalid: "Trường \(field) không hợp lệ."
        }
    }
    public var english: String {
        switch problem {
        case .required: "\(field) is required."
        case .tooLong(let max): "\(field) is longer than \(max) characters."
        case .tooMany(let max): "\(field) has more than \(max) values."
        case .outOfRange(let min, let max): "\(field) must be between \(min) and \(max)."
        case .invalid: "\(field) is not valid."
        }
    }
}
