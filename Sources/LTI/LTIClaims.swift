public import Foundation
public import JWTKit

/// The claim names of LTI 1.3 core, Deep Linking 2.0 and Assignment and Grade Services.
public enum LTIClaim {
    public static let messageType = "https://purl.imsglobal.org/spec/lti/claim/message_type"
    public static let version = "https://purl.imsglobal.org/spec/lti/claim/version"
    public static let deploymentID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
    public static let targetLinkURI = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
    public static let resourceLink = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
    public static let roles = "https://purl.imsglobal.org/spec/lti/claim/roles"
    public static let custom = "https://purl.imsglobal.org/spec/lti/claim/custom"
    public static let context = "https://purl.imsglobal.org/spec/lti/claim/context"
    public static let deepLinkingSettings = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
    public static let contentItems = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
    public static let deepLinkingData = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
    public static let agsEndpoint = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
}

/// The LTI message types this tool handles.
public enum LTIMessageType: String, Codable, Sendable {
    case resourceLink = "LtiResourceLinkRequest"
    case deepLinkingRequest = "LtiDeepLinkingRequest"
    case deepLinkingResponse = "LtiDeepLinkingResponse"
}

/// A string or an array of strings (`aud` may be either).
public struct StringOrArray: Codable, Sendable, Equatable {
    public var values: [String]
    public init(_ values: [String]) { self.values = values }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let one = try? c.decode(String.self) { values = [one] } else { values = try c.decode([String].self) }
    }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if values.count == 1 { try c.encode(values[0]) } else { try c.encode(values) }
    }
}

/// The `resource_link` claim.
public struct ResourceLinkClaim: Codable, Sendable, Equatable {
    public var id: String
    public var title: String?
}

/// The `context` claim (the course).
public struct ContextClaim: Codable, Sendable, Equatable {
    public var id: String
    public var label: String?
    public var title: String?
}

/// The deep-linking settings a platform sends with `LtiDeepLinkingRequest`.
public struct DeepLinkingSettings: Codable, Sendable, Equatable {
    public var deepLinkReturnURL: String
    public var acceptTypes: [String]
    public var acceptMultiple: Bool?
    /// Opaque data to send back unchanged.
    public var data: String?

    enum CodingKeys: String, CodingKey {
        case deepLinkReturnURL = "deep_link_return_url"
        case acceptTypes = "accept_types"
        case acceptMultiple = "accept_multiple"
        case data
    }

    /// Lenient where platforms differ: `data` that is not a string (some send an object) is dropped.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        deepLinkReturnURL = try c.decode(String.self, forKey: .deepLinkReturnURL)
        acceptTypes = (try? c.decodeIfPresent([String].self, forKey: .acceptTypes)) ?? []
        acceptMultiple = try? c.decodeIfPresent(Bool.self, forKey: .acceptMultiple)
        data = try? c.decodeIfPresent(String.self, forKey: .data)
    }

    public init(deepLinkReturnURL: String, acceptTypes: [String], acceptMultiple: Bool?, data: String?) {
        self.deepLinkReturnURL = deepLinkReturnURL
        self.acceptTypes = acceptTypes
        self.acceptMultiple = acceptMultiple
        self.data = data
    }
}

/// The Assignment and Grade Services endpoint claim.
public struct AGSEndpointClaim: Codable, Sendable, Equatable {
    public var scope: [String]
    public var lineitems: String?
    public var lineitem: String?
}

/// The Names and Role Provisioning Services claim.
public struct NRPSClaim: Codable, Sendable, Equatable {
    public var contextMembershipsURL: String
    enum CodingKeys: String, CodingKey { case contextMembershipsURL = "context_memberships_url" }
}

/// The claims of a platform's `id_token`, as this tool reads them. Decoding never fails on an
/// unknown or missing LTI claim: ``LaunchVerifier`` checks presence and says which is missing.
public struct LaunchClaims: JWTPayload, Equatable, IDTokenTimesAndAudience {
    public var iss: String?
    public var sub: String?
    public var aud: StringOrArray?
    public var azp: String?
    public var exp: Double?
    public var iat: Double?
    public var nonce: String?
    public var name: String?
    public var messageType: String?
    public var version: String?
    public var deploymentID: String?
    public var targetLinkURI: String?
    public var resourceLink: ResourceLinkClaim?
    public var roles: [String]?
    public var custom: [String: String]?
    public var context: ContextClaim?
    public var deepLinkingSettings: DeepLinkingSettings?
    public var ags: AGSEndpointClaim?
    public var nrps: NRPSClaim?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, azp, exp, iat, nonce, name
        case messageType = "https://purl.imsglobal.org/spec/lti/claim/message_type"
        case version = "https://purl.imsglobal.org/spec/lti/claim/version"
        case deploymentID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
        case targetLinkURI = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
        case resourceLink = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
        case roles = "https://purl.imsglobal.org/spec/lti/claim/roles"
        case custom = "https://purl.imsglobal.org/spec/lti/claim/custom"
        case context = "https://purl.imsglobal.org/spec/lti/claim/context"
        case deepLinkingSettings = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
        case ags = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
        case nrps = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        iss = try? c.decodeIfPresent(String.self, forKey: .iss)
        sub = try? c.decodeIfPresent(String.self, forKey: .sub)
        aud = try? c.decodeIfPresent(StringOrArray.self, forKey: .aud)
        azp = try? c.decodeIfPresent(String.self, forKey: .azp)
        exp = try? c.decodeIfPresent(Double.self, forKey: .exp)
        iat = try? c.decodeIfPresent(Double.self, forKey: .iat)
        nonce = try? c.decodeIfPresent(String.self, forKey: .nonce)
        name = try? c.decodeIfPresent(String.self, forKey: .name)
        messageType = try? c.decodeIfPresent(String.self, forKey: .messageType)
        version = try? c.decodeIfPresent(String.self, forKey: .version)
        deploymentID = try? c.decodeIfPresent(String.self, forKey: .deploymentID)
        targetLinkURI = try? c.decodeIfPresent(String.self, forKey: .targetLinkURI)
        resourceLink = try? c.decodeIfPresent(ResourceLinkClaim.self, forKey: .resourceLink)
        roles = try? c.decodeIfPresent([String].self, forKey: .roles)
        custom = try? c.decodeIfPresent([String: String].self, forKey: .custom)
        context = try? c.decodeIfPresent(ContextClaim.self, forKey: .context)
        deepLinkingSettings = try? c.decodeIfPresent(DeepLinkingSettings.self, forKey: .deepLinkingSettings)
        ags = try? c.decodeIfPresent(AGSEndpointClaim.self, forKey: .ags)
        nrps = try? c.decodeIfPresent(NRPSClaim.self, forKey: .nrps)
    }

    /// Signature checks happen in ``LaunchVerifier``; claim checks too (with its clock and reasons).
    public func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// Whether the roles claim names an instructor, content developer or administrator of the context
    /// or the institution.
    public var isInstructor: Bool {
        (roles ?? []).contains { role in
            role.hasSuffix("#Instructor") || role.hasSuffix("#Administrator") || role.hasSuffix("#ContentDeveloper")
                || role.hasSuffix("/Instructor") || role == "Instructor"
        }
    }
}
