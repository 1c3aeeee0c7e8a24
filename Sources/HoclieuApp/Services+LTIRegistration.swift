public import Foundation
public import HoclieuCore
import HoclieuStorage
public import LTI

/// An administrator's consent to one dynamic registration, sealed into the registration URL they paste into
/// the LMS: one use (its id is recorded when used), 24 hours, and the organisation the platform is scoped to.
public struct LTIRegistrationGrant: Codable, Sendable {
    public var id: String
    public var school: String?
    public var expires: Double
}

/// The registration URL an administrator pastes into the LMS.
public struct LTIRegistrationURL: Codable, Sendable {
    public var url: String
    public var expiresAt: Date
    public var school: String?
}

extension Services {
    /// How long a registration URL stays usable.
    static let ltiRegistrationLifetime: TimeInterval = 24 * 3600

    /// A one-time registration URL (administrators): `…/lti/register?hoclieu_grant=…`, to which the LMS adds
    /// `openid_configuration` and `registration_token`. Dynamic registration needs no other consent: the grant is it.
    public func ltiRegistrationURL(school: String?, by user: User) throws -> LTIRegistrationURL {
        guard user.has(.admin) else { throw AppError.forbidden }
        let school = school.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : String($0.trimmingCharacters(in: .whitespaces).prefix(200)) }
        let expires = Date().addingTimeInterval(Self.ltiRegistrationLifetime)
        let grant = try seal(LTIRegistrationGrant(id: Self.randomToken(), school: school, expires: expires.timeIntervalSince1970))
        var components = URLComponents(string: configuration.publicBaseURL + "/lti/register")!
        components.queryItems = [URLQueryItem(name: "hoclieu_grant", value: grant)]
        return LTIRegistrationURL(url: components.url!.absoluteString, expiresAt: expires, school: school)
    }

    /// IMS LTI Dynamic Registration 1.0, the tool's side: reads the platform's OpenID configuration (its issuer
    /// must be on the configuration URL's origin), posts Hoclieu's registration with the platform's registration
    /// token, and stores the platform with the client id and deployment it answered, scoped to the grant's school.
    public func ltiRegister(grant token: String?, openidConfiguration: String?, registrationToken: String?) async throws -> LTIPlatform {
        guard let token, let grant = open(token, as: LTIRegistrationGrant.self) else {
            throw AppError(
                .forbidden, code: "lti-registration-grant", vi: "Địa chỉ đăng ký không hợp lệ: hãy lấy địa chỉ mới từ quản trị Hoclieu.",
                en: "The registration address is not valid: get a new one from a Hoclieu administrator.")
        }
        guard grant.expires > Date().timeIntervalSince1970 else {
            throw AppError(
                .forbidden, code: "lti-registration-expired", vi: "Địa chỉ đăng ký đã hết hạn.", en: "The registration address has expired.")
        }
        guard let raw = openidConfiguration, raw.count <= 2000, let configURL = URL(string: raw), ["https", "http"].contains(configURL.scheme?.lowercased() ?? ""),
            configURL.host?.isEmpty == false
        else {
            throw AppError(
                .badRequest, code: "lti-registration-config", vi: "Thiếu hoặc sai openid_configuration.", en: "openid_configuration is missing or not a URL.")
        }
        let bearer = registrationToken.flatMap { $0.isEmpty || $0.count > 4000 ? nil : $0 }
        let auth = bearer.map { [("Authorization", "Bearer \($0)")] } ?? []
        func failure(_ vi: String, _ en: String) -> AppError { AppError(.badRequest, code: "lti-registration-failed", vi: vi, en: en) }

        let config: DynamicRegistration.PlatformConfiguration
        do {
            config = try JSONDecoder().decode(
                DynamicRegistration.PlatformConfiguration.self, from: try await lti.transport.get(configURL, headers: auth, maxBytes: 256 * 1024))
        } catch {
            throw failure("Không đọc được cấu hình của nền tảng: \(error).", "The platform's configuration cannot be read: \(error).")
        }
        if let problem = config.issuerProblem(configurationURL: configURL) {
            throw failure("Cấu hình của nền tảng không hợp lệ: \(problem).", "The platform's configuration is not valid: \(problem).")
        }
        guard let registrationEndpoint = URL(string: config.registrationEndpoint), let authURL = URL(string: config.authorizationEndpoint),
            let tokenURL = URL(string: config.tokenEndpoint), let jwksURL = URL(string: config.jwksURI)
        else { throw failure("Cấu hình của nền tảng thiếu địa chỉ.", "The platform's configuration lacks an endpoint.") }
        // One use: the grant is spent before anything is registered.
        guard try await store.consumeLTINonce("registration:" + grant.id, expiresAt: Date(timeIntervalSince1970: grant.expires), now: Date()) else {
            throw AppError(
                .forbidden, code: "lti-registration-used", vi: "Địa chỉ đăng ký này đã được dùng.", en: "This registration address has already been used.")
        }
        let body = try JSONEncoder().encode(DynamicRegistration.ToolRegistration.hoclieu(base: configuration.publicBaseURL))
        let answer: DynamicRegistration.RegistrationResponse
        do {
            let (status, data) = try await lti.transport.post(
                registrationEndpoint, headers: [("Content-Type", "application/json"), ("Accept", "application/json")] + auth, body: body, maxBytes: 256 * 1024)
            guard (200..<300).contains(status) else { throw AGSFailure("HTTP \(status): \(String(decoding: data.prefix(300), as: UTF8.self))") }
            answer = try JSONDecoder().decode(DynamicRegistration.RegistrationResponse.self, from: data)
        } catch {
            throw failure("Nền tảng không nhận đăng ký: \(error).", "The platform refused the registration: \(error).")
        }
        guard let deployment = answer.deploymentID, !deployment.isEmpty else {
            throw failure("Nền tảng không trả về deployment_id.", "The platform answered no deployment_id.")
        }
        return try await addLTIPlatform(
            LTIPlatform(
                issuer: config.issuer, clientID: answer.clientID, deploymentIDs: [deployment], authURL: authURL, tokenURL: tokenURL, jwksURL: jwksURL,
                school: grant.school), by: .localOperator)
    }
}
