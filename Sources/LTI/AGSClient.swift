public import Foundation
public import HoclieuCore

/// A score for one learner on one line item (AGS 2.0 `application/vnd.ims.lis.v1.score+json`).
public struct AGSScore: Codable, Sendable, Equatable {
    public var userId: String
    public var scoreGiven: Double
    public var scoreMaximum: Double
    public var activityProgress: String
    public var gradingProgress: String
    public var timestamp: String
    public var comment: String?

    public init(userID: String, scoreGiven: Double, scoreMaximum: Double, completed: Bool = true, timestamp: Date = Date(), comment: String? = nil) {
        self.userId = userID
        self.scoreGiven = scoreGiven
        self.scoreMaximum = scoreMaximum
        self.activityProgress = completed ? "Completed" : "InProgress"
        self.gradingProgress = completed ? "FullyGraded" : "Pending"
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        self.timestamp = f.string(from: timestamp)
        self.comment = comment
    }
}

/// Why a score post failed, in both languages.
public struct AGSFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
    public init(_ reason: String) { self.reason = reason }
}

/// Posts scores to a platform's line item with a client-credentials access token obtained by the
/// JWT bearer grant; transient failures are retried with exponential back-off.
public actor AGSClient {
    public static let scoreScope = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
    public static let scoreMediaType = "application/vnd.ims.lis.v1.score+json"
    public static let membershipScope = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
    public static let membershipMediaType = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"

    private let transport: any LTIHTTPTransport
    private let keys: @Sendable () async throws -> ToolKeyRing
    private let attempts: Int
    private let baseDelay: Duration
    private var tokens: [String: (token: String, expires: Date)] = [:]

    public init(
        transport: any LTIHTTPTransport, keys: @escaping @Sendable () async throws -> ToolKeyRing, attempts: Int = 4,
        baseDelay: Duration = .milliseconds(250)
    ) {
        self.transport = transport
        self.keys = keys
        self.attempts = max(1, attempts)
        self.baseDelay = baseDelay
    }

    /// Posts `score` to `lineItem` (the line item URL; `/scores` is appended to its path).
    /// - Returns: how many attempts it took.
    @discardableResult
    public func post(_ score: AGSScore, lineItem: String, platform: LTIPlatform) async throws -> Int {
        guard let url = Self.scoresURL(lineItem) else { throw AGSFailure("line item URL \(lineItem) is not valid") }
        let body = try JSONEncoder().encode(score)
        var last = AGSFailure("not attempted")
        for attempt in 1...attempts {
            do {
                let token = try await accessToken(platform, scope: Self.scoreScope)
                let (status, response) = try await transport.post(
                    url, headers: [("Content-Type", Self.scoreMediaType), ("Authorization", "Bearer \(token)")], body: body, maxBytes: 64 * 1024)
                if (200..<300).contains(status) { return attempt }
                last = AGSFailure("HTTP \(status): \(String(decoding: response.prefix(200), as: UTF8.self))")
                if status == 401 { tokens[Self.cacheKey(platform, Self.scoreScope)] = nil }
                // A 4xx other than 401/408/429 will not get better by retrying.
                if (400..<500).contains(status), ![401, 408, 429].contains(status) { throw last }
            } catch let failure as AGSFailure {
                last = failure
                if failure.reason.hasPrefix("HTTP 4"), !["HTTP 401", "HTTP 408", "HTTP 429"].contains(where: failure.reason.hasPrefix) { throw failure }
            } catch {
                last = AGSFailure(String(describing: error))
            }
            if attempt < attempts {
                try await Task.sleep(for: baseDelay * (1 << (attempt - 1)))
            }
        }
        throw last
    }

    /// `lineItem` with `/scores` appended to its path, its query kept.
    public static func scoresURL(_ lineItem: String) -> URL? {
        guard var c = URLComponents(string: lineItem), c.scheme != nil else { return nil }
        c.path = (c.path.hasSuffix("/") ? String(c.path.dropLast()) : c.path) + "/scores"
        return c.url
    }

    /// Names and Role Provisioning Services: the context's members, `user_id` → name (the first page the platform
    /// answers, at most 1 MB), for a teacher's per-learner view. One attempt: a view can show ids instead.
    public func memberNames(_ membershipsURL: String, platform: LTIPlatform) async throws -> [String: String] {
        guard let url = URL(string: membershipsURL), url.scheme != nil else { throw AGSFailure("memberships URL \(membershipsURL) is not valid") }
        let token = try await accessToken(platform, scope: Self.membershipScope)
        let data = try await transport.get(
            url, headers: [("Accept", Self.membershipMediaType), ("Authorization", "Bearer \(token)")], maxBytes: 1 << 20)
        struct Container: Decodable {
            struct Member: Decodable {
                var user_id: String
                var name: String?
                var given_name: String?
                var family_name: String?
            }
            var members: [Member]
        }
        let container = try JSONDecoder().decode(Container.self, from: data)
        var names: [String: String] = [:]
        for m in container.members.prefix(10_000) {
            let name = m.name ?? [m.family_name, m.given_name].compactMap { $0 }.joined(separator: " ")
            if !name.isEmpty { names[m.user_id] = String(name.prefix(200)) }
        }
        return names
    }

    static func cacheKey(_ platform: LTIPlatform, _ scope: String) -> String { platform.issuer + "|" + platform.clientID + "|" + scope }

    private func accessToken(_ platform: LTIPlatform, scope: String) async throws -> String {
        let cacheKey = Self.cacheKey(platform, scope)
        if let cached = tokens[cacheKey], cached.expires > Date().addingTimeInterval(30) { return cached.token }
        let assertion = try await keys().sign(ClientAssertion(clientID: platform.clientID, tokenURL: platform.tokenURL))
        var form = URLComponents()
        form.queryItems = [
            URLQueryItem(name: "grant_type", value: "client_credentials"),
            URLQueryItem(name: "client_assertion_type", value: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            URLQueryItem(name: "client_assertion", value: assertion),
            URLQueryItem(name: "scope", value: scope),
        ]
        let body = Data((form.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B").utf8)
        let (status, data) = try await transport.post(
            platform.tokenURL, headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")], body: body,
            maxBytes: 64 * 1024)
        guard (200..<300).contains(status) else {
            throw AGSFailure("token endpoint HTTP \(status): \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        struct TokenResponse: Decodable {
            var access_token: String
            var expires_in: Double?
        }
        guard let response = try? JSONDecoder().decode(TokenResponse.self, from: data) else { throw AGSFailure("token endpoint answered no access_token") }
        let lifetime = min(max(response.expires_in ?? 3600, 0), 86_400)
        tokens[cacheKey] = (response.access_token, Date().addingTimeInterval(lifetime))
        return response.access_token
    }
}
