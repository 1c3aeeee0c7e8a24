public import Foundation

/// One LMS platform registered with the LTI 1.3 tool: the values an administrator copies from the LMS
/// (or that dynamic registration exchanges). The one type the store, the `LTI` module, the use cases, the
/// admin API and the command line share.
public struct LTIPlatform: Codable, Sendable, Equatable, Identifiable {
    /// The store's id (0 before it is stored).
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
    /// The organisation (school) whose materials the platform's teachers also see, if any.
    public var school: String?
    public var createdAt: Date

    public init(
        id: Int64 = 0, issuer: String, clientID: String, deploymentIDs: [String], authURL: URL, tokenURL: URL, jwksURL: URL,
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

    /// The JSON names (admin API, CLI `--json`); `id` and `createdAt` may be absent in a registration request.
    public enum CodingKeys: String, CodingKey {
        case id, issuer, clientID = "clientId", deploymentIDs = "deploymentIds", authURL = "authUrl", tokenURL = "tokenUrl", jwksURL = "jwksUrl"
        case school, createdAt
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func url(_ key: CodingKeys) throws -> URL {
            let text = try c.decode(String.self, forKey: key)
            guard let url = URL(string: text.trimmingCharacters(in: .whitespaces)) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not a URL")
            }
            return url
        }
        id = try c.decodeIfPresent(Int64.self, forKey: .id) ?? 0
        issuer = try c.decode(String.self, forKey: .issuer)
        clientID = try c.decode(String.self, forKey: .clientID)
        deploymentIDs = try c.decode([String].self, forKey: .deploymentIDs)
        authURL = try url(.authURL)
        tokenURL = try url(.tokenURL)
        jwksURL = try url(.jwksURL)
        school = try c.decodeIfPresent(String.self, forKey: .school)
        createdAt = try c.decodeIfPresent(Date.self, forKey: .createdAt) ?? Date()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(issuer, forKey: .issuer)
        try c.encode(clientID, forKey: .clientID)
        try c.encode(deploymentIDs, forKey: .deploymentIDs)
        try c.encode(authURL.absoluteString, forKey: .authURL)
        try c.encode(tokenURL.absoluteString, forKey: .tokenURL)
        try c.encode(jwksURL.absoluteString, forKey: .jwksURL)
        try c.encodeIfPresent(school, forKey: .school)
        try c.encode(createdAt, forKey: .createdAt)
    }

    /// The fields that fail the registration rules (issuer and client id present and bounded, 1–100 deployment ids,
    /// http(s) endpoint URLs with a host), by their JSON names; empty when the registration is acceptable.
    public func violations() -> [String] {
        var problems: [String] = []
        if issuer.isEmpty || issuer.count > 500 { problems.append("issuer") }
        if clientID.isEmpty || clientID.count > 200 { problems.append("clientId") }
        if deploymentIDs.isEmpty || deploymentIDs.count > 100 || deploymentIDs.contains(where: { $0.isEmpty || $0.count > 255 }) {
            problems.append("deploymentIds")
        }
        for (url, name) in [(authURL, "authUrl"), (tokenURL, "tokenUrl"), (jwksURL, "jwksUrl")] {
            let scheme = url.scheme?.lowercased() ?? ""
            if url.absoluteString.count > 2000 || !["https", "http"].contains(scheme) || (url.host ?? "").isEmpty { problems.append(name) }
        }
        return problems
    }

    /// The same registration with its text fields trimmed and blank deployment ids and school dropped.
    public func normalised() -> LTIPlatform {
        var p = self
        p.issuer = issuer.trimmingCharacters(in: .whitespaces)
        p.clientID = clientID.trimmingCharacters(in: .whitespaces)
        p.deploymentIDs = deploymentIDs.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        p.school = school.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) }
        return p
    }
}
