public import Foundation
import HoclieuCore
public import JWTKit

/// One `ltiResourceLink` content item of a deep-linking response.
public struct ResourceLinkItem: Codable, Sendable, Equatable {
    /// A maximum score makes the platform create a gradebook column (AGS line item).
    public struct LineItem: Codable, Sendable, Equatable {
        public var scoreMaximum: Double
        public var label: String?
        public init(scoreMaximum: Double, label: String?) {
            self.scoreMaximum = scoreMaximum
            self.label = label
        }
    }
    public struct Thumbnail: Codable, Sendable, Equatable {
        public var url: String
        public init(url: String) { self.url = url }
    }
    public var type = "ltiResourceLink"
    public var title: String
    public var text: String?
    public var url: String
    public var thumbnail: Thumbnail?
    public var custom: [String: String]
    public var lineItem: LineItem?

    public init(title: String, text: String?, url: String, thumbnail: Thumbnail? = nil, custom: [String: String], lineItem: LineItem? = nil) {
        self.title = title
        self.text = text
        self.url = url
        self.thumbnail = thumbnail
        self.custom = custom
        self.lineItem = lineItem
    }
}

/// How a linked material is resolved at launch: always the version picked, or the latest published.
public enum VersionPolicy: String, Codable, Sendable, CaseIterable {
    case pinned
    case latest
}

/// The custom parameters this tool puts on a resource link and reads back at launch.
public enum LinkParameter {
    public static let pid = "hoclieu_pid"
    public static let version = "hoclieu_version"
    public static let versionPolicy = "hoclieu_version_policy"
}

/// The `LtiDeepLinkingResponse` JWT this tool signs and posts back to the platform.
public struct DeepLinkingResponse: JWTPayload, Equatable {
    public var iss: String
    public var aud: String
    public var azp: String?
    public var iat: Int
    public var exp: Int
    public var nonce: String
    public var messageType = LTIMessageType.deepLinkingResponse.rawValue
    public var version = "1.3.0"
    public var deploymentID: String
    public var contentItems: [ResourceLinkItem]
    public var data: String?

    enum CodingKeys: String, CodingKey {
        case iss, aud, azp, iat, exp, nonce
        case messageType = "https://purl.imsglobal.org/spec/lti/claim/message_type"
        case version = "https://purl.imsglobal.org/spec/lti/claim/version"
        case deploymentID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
        case contentItems = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
        case data = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
    }

    /// The response to `launch` (which must be a deep-linking request) carrying `items`.
    public init(answering launch: VerifiedLaunch, items: [ResourceLinkItem], now: Date = Date()) {
        let t = Int(now.timeIntervalSince1970)
        iss = launch.platform.clientID
        aud = launch.platform.issuer
        azp = nil
        iat = t
        exp = t + 600
        nonce = UUID().uuidString
        deploymentID = launch.claims.deploymentID ?? ""
        contentItems = items
        data = launch.claims.deepLinkingSettings?.data
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// The client assertion of the OAuth 2 JWT bearer grant (RFC 7523) a tool sends to a platform's
/// token endpoint for an AGS access token.
public struct ClientAssertion: JWTPayload, Equatable {
    public var iss: String
    public var sub: String
    public var aud: String
    public var iat: Int
    public var exp: Int
    public var jti: String

    public init(clientID: String, tokenURL: URL, now: Date = Date()) {
        let t = Int(now.timeIntervalSince1970)
        iss = clientID
        sub = clientID
        aud = tokenURL.absoluteString
        iat = t
        exp = t + 300
        jti = UUID().uuidString
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}
