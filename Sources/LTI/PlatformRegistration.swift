public import Foundation

/// One LMS platform registered with this tool: the values an administrator copies from the LMS.
public struct PlatformRegistration: Codable, Sendable, Equatable, Identifiable {
    /// The store's id.
    public var id: Int64
    /// The platform's issuer (`iss` of its tokens).
    public var issuer: String
    /// The client id the platform gave this tool (`aud` of its tokens).
    public var clientID: String
    /// Deployment ids accepted for this registration.
    public var deploymentIDs: [String]
    /// The platform's OIDC authorisation endpoint.
    public var authURL: URL
    /// The platform's OAuth 2 token endpoint (for Assignment and Grade Services).
    public var tokenURL: URL
    /// The platform's public key set.
    public var jwksURL: URL
    /// The organisation (school) whose materials the platform's teachers see, if any.
    public var school: String?
    public var createdAt: Date

    public init(
        id: Int64, issuer: String, clientID: String, deploymentIDs: [String], authURL: URL, tokenURL: URL, jwksURL: URL,
        school: String? = nil, createdAt: Date = Date()
    ) {
        self.id = id
        self.issuer = issuer
        self.clientID = clientID
        self.deploymentIDs = deploymentIDs
        self.authURL = authURL
        self.tokenURL = tokenURL
        self.jwksURL = jwksURL
        self.school = school
        self.createdAt = createdAt
    }
}
