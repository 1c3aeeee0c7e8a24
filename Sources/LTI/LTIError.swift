public import HoclieuCore

/// Why an LTI launch, login or deep-linking request was refused. Each case reads in Vietnamese and
/// English; the server shows them on a plain HTML page and never opens a session.
public enum LTIError: BilingualError, Equatable {
    /// The token is not three base64url parts of JSON.
    case malformedToken
    /// The header names an algorithm other than RS256.
    case unsupportedAlgorithm(String)
    /// The header has no `kid`.
    case missingKeyID
    /// The platform's key set has no key with this `kid`, even after fetching it again.
    case unknownKeyID(String)
    /// The signature does not verify against the platform's key.
    case badSignature
    /// No platform is registered with this issuer (and client id).
    case unknownPlatform(issuer: String)
    /// A required claim is absent.
    case missingClaim(String)
    /// `aud` does not name this tool's client id.
    case wrongAudience
    /// `azp` is absent with several audiences, or names someone else.
    case wrongAuthorizedParty
    /// `exp` has passed.
    case expired
    /// `iat` is in the future (beyond the allowed clock skew) or too old.
    case issuedAtOutOfRange
    /// The nonce was not issued by this tool for this browser, or was already used.
    case nonceReplayed
    /// The `state` parameter is missing, unknown, expired, or not bound to this browser.
    case invalidState
    /// The deployment id is not registered for the platform.
    case unknownDeployment(String)
    /// The `target_link_uri` points somewhere other than this tool.
    case foreignTargetLink(String)
    /// The message type or LTI version is not one this tool handles.
    case unsupportedMessage(String)
    /// The platform's key set could not be fetched or read.
    case keySetUnavailable(String)
    /// Deep linking is only for instructors.
    case notInstructor

    public var category: ErrorCategory {
        switch self {
        case .keySetUnavailable: .unavailable
        case .notInstructor: .forbidden
        case .unknownPlatform: .notFound
        default: .unauthenticated
        }
    }

    public var code: String {
        switch self {
        case .malformedToken: "lti-malformed-token"
        case .unsupportedAlgorithm: "lti-algorithm"
        case .missingKeyID: "lti-missing-kid"
        case .unknownKeyID: "lti-unknown-kid"
        case .badSignature: "lti-bad-signature"
        case .unknownPlatform: "lti-unknown-platform"
        case .missingClaim: "lti-missing-claim"
        case .wrongAudience: "lti-wrong-aud"
        case .wrongAuthorizedParty: "lti-wrong-azp"
        case .expired: "lti-expired"
        case .issuedAtOutOfRange: "lti-iat"
        case .nonceReplayed: "lti-nonce"
        case .invalidState: "lti-state"
        case .unknownDeployment: "lti-deployment"
        case .foreignTargetLink: "lti-target-link"
        case .unsupportedMessage: "lti-message-type"
        case .keySetUnavailable: "lti-jwks-unavailable"
        case .notInstructor: "lti-not-instructor"
        }
    }

    public var vietnamese: String {
        switch self {
        case .malformedToken: "Mã thông báo (id_token) không đúng định dạng JWT."
        case .unsupportedAlgorithm(let a): "Thuật toán ký \(a) không được chấp nhận (chỉ RS256)."
        case .missingKeyID: "Mã thông báo không ghi khóa ký (kid)."
        case .unknownKeyID(let k): "Không tìm thấy khóa ký \(k) trong bộ khóa của nền tảng."
        case .badSignature: "Chữ ký của mã thông báo không hợp lệ."
        case .unknownPlatform(let i): "Nền tảng \(i) chưa được đăng ký với Hoclieu."
        case .missingClaim(let c): "Mã thông báo thiếu trường bắt buộc \(c)."
        case .wrongAudience: "Mã thông báo không dành cho công cụ này (aud sai)."
        case .wrongAuthorizedParty: "Bên được ủy quyền (azp) không khớp với công cụ này."
        case .expired: "Mã thông báo đã hết hạn."
        case .issuedAtOutOfRange: "Thời điểm phát hành (iat) của mã thông báo không hợp lệ."
        case .nonceReplayed: "Mã thông báo đã được dùng rồi hoặc không do lần đăng nhập này tạo ra (nonce)."
        case .invalidState: "Phiên đăng nhập LTI không hợp lệ hoặc đã hết hạn (state). Hãy mở lại hoạt động từ LMS."
        case .unknownDeployment(let d): "Mã triển khai \(d) chưa được đăng ký."
        case .foreignTargetLink(let u): "Địa chỉ đích \(u) không thuộc Hoclieu."
        case .unsupportedMessage(let m): "Loại thông điệp LTI \(m) không được hỗ trợ."
        case .keySetUnavailable(let r): "Không lấy được bộ khóa công khai của nền tảng: \(r)."
        case .notInstructor: "Chỉ giáo viên mới được chọn học liệu."
        }
    }

    public var english: String {
        switch self {
        case .malformedToken: "The id_token is not a well-formed JWT."
        case .unsupportedAlgorithm(let a): "Signing algorithm \(a) is not accepted (RS256 only)."
        case .missingKeyID: "The token names no signing key (kid)."
        case .unknownKeyID(let k): "Key \(k) is not in the platform's key set."
        case .badSignature: "The token's signature is not valid."
        case .unknownPlatform(let i): "Platform \(i) is not registered with Hoclieu."
        case .missingClaim(let c): "The token lacks the required claim \(c)."
        case .wrongAudience: "The token is not meant for this tool (wrong aud)."
        case .wrongAuthorizedParty: "The authorized party (azp) does not match this tool."
        case .expired: "The token has expired."
        case .issuedAtOutOfRange: "The token's issued-at time (iat) is not acceptable."
        case .nonceReplayed: "The token was already used or was not made for this login (nonce)."
        case .invalidState: "The LTI login is invalid or has expired (state). Open the activity again from the LMS."
        case .unknownDeployment(let d): "Deployment \(d) is not registered."
        case .foreignTargetLink(let u): "Target link \(u) does not belong to Hoclieu."
        case .unsupportedMessage(let m): "LTI message type \(m) is not supported."
        case .keySetUnavailable(let r): "The platform's public key set could not be fetched: \(r)."
        case .notInstructor: "Only instructors may pick materials."
        }
    }
}
