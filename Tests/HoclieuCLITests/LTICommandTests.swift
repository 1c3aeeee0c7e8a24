import Foundation
import HoclieuCore
import HoclieuStorage
import LTI
import Testing

@testable import HoclieuApp
@testable import HoclieuCLI

@Suite("hoclieu lti")
struct LTICommandTests {
    @Test("add-platform registers a platform once and prints the tool's URLs; rotate-key keeps the old key published")
    func addPlatformAndRotate() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let arguments = [
            "lti", "add-platform", "--issuer", "https://moodle.thcs-a.edu.vn", "--client-id", "abc123", "--deployment-id", "1",
            "--deployment-id", "2", "--auth-url", "https://moodle.thcs-a.edu.vn/mod/lti/auth.php", "--token-url",
            "https://moodle.thcs-a.edu.vn/mod/lti/token.php", "--jwks-url", "https://moodle.thcs-a.edu.vn/mod/lti/certs.php", "--school", "THCS A",
        ]
        let report = try await box.command(LTICommand.AddPlatform.self, arguments).execute()
        #expect(report.platform.deploymentIDs == ["1", "2"])
        #expect(report.platform.school == "THCS A")
        #expect(report.description.contains("/lti/login") && report.description.contains("/lti/jwks"))
        // The same issuer and client id again: refused, in both languages.
        await #expect(throws: AppError.self) { try await box.command(LTICommand.AddPlatform.self, arguments).execute() }
        // A token URL that is not http(s): refused.
        var bad = arguments
        bad[bad.firstIndex(of: "--client-id")! + 1] = "other"
        bad[bad.firstIndex(of: "--token-url")! + 1] = "ftp://x"
        await #expect(throws: AppError.self) { try await box.command(LTICommand.AddPlatform.self, bad).execute() }

        let listed = try await box.command(LTICommand.Platforms.self, ["lti", "platforms"]).execute()
        #expect(listed.platforms.map(\.clientID) == ["abc123"])

        let first = try await box.repository().ltiKeyRing().active.kid
        let rotated = try await box.command(LTICommand.RotateKey.self, ["lti", "rotate-key"]).execute()
        #expect(rotated.kid != first)
        #expect(Set(rotated.published) == [first, rotated.kid])
        // A fresh process (a running service after its cache expires) signs with the new key and still publishes the old one.
        let ring = try await box.repository().ltiKeyRing()
        #expect(ring.active.kid == rotated.kid)
        let jwks = try #require(try JSONSerialization.jsonObject(with: ring.jwksJSON) as? [String: [[String: String]]])
        #expect(Set(jwks["keys"]!.map { $0["kid"]! }) == [first, rotated.kid])
    }

    @Test("registration-url makes a one-time dynamic-registration URL for a school that the service's grant check accepts")
    func registrationURL() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let report = try await box.command(LTICommand.RegistrationURL.self, ["lti", "registration-url", "--school", "THCS A"]).execute()
        #expect(report.registration.school == "THCS A" && report.registration.url.contains("/lti/register?hoclieu_grant="))
        #expect(report.registration.expiresAt > Date().addingTimeInterval(23 * 3600))
        let grant = try #require(URLComponents(string: report.registration.url)?.queryItems?.first { $0.name == "hoclieu_grant" }?.value)
        let opened = try #require(try box.repository().open(grant, as: LTIRegistrationGrant.self))
        #expect(opened.school == "THCS A")
        #expect(try box.repository().open(String(grant.dropLast(2)) + "xx", as: LTIRegistrationGrant.self) == nil)
    }
}
