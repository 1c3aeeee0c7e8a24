public import Foundation

/// IMS LTI Dynamic Registration 1.0: what the platform publishes (its OpenID configuration) and what the
/// tool posts to the platform's registration endpoint, with the platform's answer.
public enum DynamicRegistration {
    /// The platform's OpenID configuration (`openid_configuration` URL), the fields the tool needs.
    public struct PlatformConfiguration: Decodable, Sendable, Equatable {
        public var issuer: String
        public var authorizationEndpoint: String
        public var tokenEndpoint: String
        public var jwksURI: String
        public var registrationEndpoint: String
        public var platform: LTIPlatformConfiguration?

        public struct LTIPlatformConfiguration: Decodable, Sendable, Equatable {
            public var productFamilyCode: String?
            public var version: String?
            enum CodingKeys: String, CodingKey {
                case productFamilyCode = "product_family_code"
                case version
            }
        }

        enum CodingKeys: String, CodingKey {
            case issuer, authorizationEndpoint = "authorization_endpoint", tokenEndpoint = "token_endpoint", jwksURI = "jwks_uri"
            case registrationEndpoint = "registration_endpoint", platform = "https://purl.imsglobal.org/spec/lti-platform-configuration"
        }

        /// The spec's rule: the issuer is an https URL (http on a loopback host, for tests) on the same scheme and
        /// host as the configuration URL it was read from. Returns the problem, or nil.
        public func issuerProblem(configurationURL: URL) -> String? {
            guard let iss = URL(string: issuer), let scheme = iss.scheme?.lowercased(), let host = iss.host?.lowercased() else {
                return "issuer \(issuer) is not a URL"
            }
            let loopback = host == "127.0.0.1" || host == "localhost" || host == "::1"
            guard scheme == "https" || (scheme == "http" && loopback) else { return "issuer \(issuer) is not https" }
            guard scheme == configurationURL.scheme?.lowercased(), host == configurationURL.host?.lowercased() else {
                return "issuer \(issuer) does not match the configuration URL's origin"
            }
            return nil
        }
    }

    /// The tool's registration request (OpenID Connect Dynamic Client Registration with the LTI tool configuration).
    public struct ToolRegistration: Encodable, Sendable {
        public var applicationType = "web"
        public var responseTypes = ["id_token"]
        public var grantTypes = ["implicit", "client_credentials"]
        public var initiateLoginURI: String
        public var redirectURIs: [String]
        public var clientName: String
        public var jwksURI: String
        public var logoURI: String?
        public var tokenEndpointAuthMethod = "private_key_jwt"
        public var scope: String
        public var toolConfiguration: ToolConfiguration

        public struct ToolConfiguration: Encodable, Sendable {
            public var domain: String
            public var targetLinkURI: String
            public var description: String
            public var claims: [String]
            public var messages: [Message]
            enum CodingKeys: String, CodingKey {
                case domain, targetLinkURI = "target_link_uri", description, claims, messages
            }
        }

        public struct Message: Encodable, Sendable {
            public var type: String
            public var targetLinkURI: String
            public var label: String
            public var placements: [String]?
            enum CodingKeys: String, CodingKey {
                case type, targetLinkURI = "target_link_uri", label, placements
            }
        }

        enum CodingKeys: String, CodingKey {
            case applicationType = "application_type", responseTypes = "response_types", grantTypes = "grant_types"
            case initiateLoginURI = "initiate_login_uri", redirectURIs = "redirect_uris", clientName = "client_name", jwksURI = "jwks_uri"
            case logoURI = "logo_uri", tokenEndpointAuthMethod = "token_endpoint_auth_method", scope
            case toolConfiguration = "https://purl.imsglobal.org/spec/lti-tool-configuration"
        }

        /// Hoclieu's registration: login, launch and key set under `base`; deep linking offered in the LMS's
        /// content pickers; the AGS score scope.
        public static func hoclieu(base: String) -> ToolRegistration {
            let launch = base + "/lti/launch"
            let domain = URL(string: base).flatMap { u in u.host.map { h in u.port.map { "\(h):\($0)" } ?? h } } ?? base
            return ToolRegistration(
                initiateLoginURI: base + "/lti/login", redirectURIs: [launch], clientName: "Hoclieu", jwksURI: base + "/lti/jwks", logoURI: nil,
                scope: [AGSClient.scoreScope, "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly", AGSClient.membershipScope]
                    .joined(separator: " "),
                toolConfiguration: ToolConfiguration(
                    domain: domain, targetLinkURI: launch, description: "Kho học liệu mở / Open learning-resource repository",
                    claims: ["iss", "sub", "name"],
                    messages: [
                        Message(type: "LtiDeepLinkingRequest", targetLinkURI: launch, label: "Hoclieu", placements: ["ContentArea"]),
                        Message(type: "LtiResourceLinkRequest", targetLinkURI: launch, label: "Hoclieu", placements: nil),
                    ]))
        }
    }

    /// The platform's answer: the client id it gave the tool and the deployment made for it.
    public struct RegistrationResponse: Decodable, Sendable, Equatable {
        public var clientID: String
        public var deploymentID: String?

        struct ToolConfiguration: Decodable {
            var deploymentID: String?
            enum CodingKeys: String, CodingKey { case deploymentID = "deployment_id" }
        }
        enum CodingKeys: String, CodingKey {
            case clientID = "client_id", toolConfiguration = "https://purl.imsglobal.org/spec/lti-tool-configuration"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            clientID = try c.decode(String.self, forKey: .clientID)
            deploymentID = try c.decodeIfPresent(ToolConfiguration.self, forKey: .toolConfiguration)?.deploymentID
        }
    }
}
