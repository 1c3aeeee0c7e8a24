import ArgumentParser
import Foundation
import HoclieuApp
import HoclieuCore
import HoclieuStorage
import LTI

/// `hoclieu lti …`: the LTI 1.3 tool's platform registrations and keys.
struct LTICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lti", abstract: "Công cụ LTI 1.3 / LTI 1.3 tool.", subcommands: [AddPlatform.self, Platforms.self, RegistrationURL.self, RotateKey.self])

    /// `hoclieu lti add-platform --issuer … --client-id … --deployment-id … --auth-url … --token-url … --jwks-url …`.
    struct AddPlatform: ReportingCommand {
        static let configuration = CommandConfiguration(commandName: "add-platform", abstract: "Đăng ký một LMS / Register an LMS platform.")

        @OptionGroup var common: CommonOptions
        @Option(name: .long, help: "The platform's issuer (iss).") var issuer: String
        @Option(name: .customLong("client-id"), help: "The client id the platform gave Hoclieu.") var clientID: String
        @Option(name: .customLong("deployment-id"), help: "A deployment id (repeatable).") var deploymentID: [String]
        @Option(name: .customLong("auth-url"), help: "The platform's OIDC authorisation endpoint.") var authURL: String
        @Option(name: .customLong("token-url"), help: "The platform's OAuth 2 token endpoint.") var tokenURL: String
        @Option(name: .customLong("jwks-url"), help: "The platform's public key set.") var jwksURL: String
        @Option(name: .long, help: "The school whose materials the platform's teachers may also pick.") var school: String?

        struct Report: Encodable, CustomStringConvertible {
            var platform: LTIPlatform
            var toolJWKS: String
            var loginURL: String
            var launchURL: String
            var description: String {
                """
                Đã đăng ký / registered: \(platform.issuer) (client \(platform.clientID)) id \(platform.id)
                Khai báo trong LMS / enter in the LMS:
                  OIDC login initiation URL: \(loginURL)
                  Redirect / launch URL:     \(launchURL)
                  Public keyset URL:         \(toolJWKS)
                """
            }
        }

        func execute() async throws -> Report {
            let repository = try common.openRepository()
            func url(_ text: String, _ option: String) throws -> URL {
                guard let url = URL(string: text) else { throw ValidationError("--\(option): not a URL / không phải URL") }
                return url
            }
            let stored = try await repository.addLTIPlatform(
                LTIPlatform(
                    issuer: issuer, clientID: clientID, deploymentIDs: deploymentID, authURL: try url(authURL, "auth-url"),
                    tokenURL: try url(tokenURL, "token-url"), jwksURL: try url(jwksURL, "jwks-url"), school: school),
                by: .localOperator)
            _ = try await repository.ltiKeyRing()
            let base = repository.configuration.publicBaseURL
            return Report(platform: stored, toolJWKS: base + "/lti/jwks", loginURL: base + "/lti/login", launchURL: base + "/lti/launch")
        }
    }

    /// `hoclieu lti platforms`.
    struct Platforms: ReportingCommand {
        static let configuration = CommandConfiguration(abstract: "Liệt kê LMS đã đăng ký / List registered platforms.")
        @OptionGroup var common: CommonOptions

        struct Report: Encodable, CustomStringConvertible {
            var platforms: [LTIPlatform]
            var description: String {
                platforms.isEmpty
                    ? "Chưa có nền tảng nào / no platforms"
                    : platforms.map { "\($0.id)\t\($0.issuer)\t\($0.clientID)\t\($0.deploymentIDs.joined(separator: ","))" }.joined(separator: "\n")
            }
        }

        func execute() async throws -> Report {
            Report(platforms: try await common.openRepository().ltiPlatforms(by: .localOperator))
        }
    }

    /// `hoclieu lti registration-url [--school …]`: a one-time LTI Dynamic Registration URL to paste into the LMS.
    struct RegistrationURL: ReportingCommand {
        static let configuration = CommandConfiguration(
            commandName: "registration-url", abstract: "Địa chỉ đăng ký động dùng một lần / A one-time dynamic registration URL.")
        @OptionGroup var common: CommonOptions
        @Option(name: .long, help: "The school the platform's launches are scoped to.") var school: String?

        struct Report: Encodable, CustomStringConvertible {
            var registration: LTIRegistrationURL
            var description: String {
                """
                Dán vào LMS (dùng một lần, hết hạn \(registration.expiresAt)) / paste into the LMS (one use, expires \(registration.expiresAt)):
                \(registration.url)
                """
            }
        }

        func execute() async throws -> Report {
            Report(registration: try common.openRepository().ltiRegistrationURL(school: school, by: .localOperator))
        }
    }

    /// `hoclieu lti rotate-key`: a new signing key; the old one stays published for the grace period.
    struct RotateKey: ReportingCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-key", abstract: "Đổi khóa ký của công cụ / Rotate the tool's signing key.")
        @OptionGroup var common: CommonOptions

        struct Report: Encodable, CustomStringConvertible {
            var kid: String
            var published: [String]
            var description: String {
                "Khóa mới / new key: \(kid)\nĐang công bố / published: \(published.joined(separator: ", ")) (khóa cũ giữ \(Int(LTIRuntime.grace / 86400)) ngày / old keys kept \(Int(LTIRuntime.grace / 86400)) days)"
            }
        }

        func execute() async throws -> Report {
            let repository = try common.openRepository()
            _ = try await repository.ltiKeyRing()
            let key = try await repository.rotateLTIKey()
            let ring = try await repository.ltiKeyRing()
            return Report(kid: key.kid, published: ring.published.map(\.kid))
        }
    }
}
