import ArgumentParser
import Foundation
import HoclieuCore
import HoclieuApp
import HoclieuStorage

/// `hoclieu user …`: accounts.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Tài khoản / User accounts.", subcommands: [Add.self])

    /// `hoclieu user add NAME --role teacher [--password P]`.
    struct Add: ReportingCommand {
        static let configuration = CommandConfiguration(abstract: "Thêm tài khoản / Add a user.")

        @OptionGroup var common: CommonOptions
        @Argument(help: "Username (a–z, 0–9, . _ - @).") var username: String
        @Option(name: .long, help: "Role: admin, teacher, reviewer, chair, school_admin, lms_client (repeatable).") var role: [String] = ["teacher"]
        @Option(name: .long, help: "Display name.") var name: String?
        @Option(name: .long, help: "School.") var school: String?
        @Option(name: .long, help: "A subject this reviewer reviews (repeatable; none: any subject), e.g. TOAN.") var subject: [String] = []
        @Option(name: .long, help: "E-mail address (a sign-in with the organisation's OpenID Connect provider finds the account by it).")
        var email: String?
        @Option(name: .long, help: "Password (default: $HOCLIEU_NEW_PASSWORD, or one is generated and shown once).")
        var password: String?

        struct Report: Encodable, CustomStringConvertible {
            var user: User
            var generatedPassword: String?
            var description: String {
                var text = "Đã tạo / created: \(user.username) [\(user.roles.map(\.rawValue).sorted().joined(separator: ", "))] id \(user.id)"
                if let generatedPassword { text += "\nMật khẩu / password: \(generatedPassword)" }
                return text
            }
        }

        func execute() async throws -> Report {
            let roles = try role.map { name in
                guard let role = Role(rawValue: name) else { throw ValidationError("unknown role '\(name)'") }
                return role
            }
            guard User.isValidUsername(username) else { throw ValidationError("invalid username '\(username)'") }
            let address = try email.map { text in
                guard let address = User.normalisedEmail(text) else { throw ValidationError("invalid e-mail address '\(text)'") }
                return address
            }
            let chosen = password ?? ProcessInfo.processInfo.environment["HOCLIEU_NEW_PASSWORD"]
            let actual = chosen ?? String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16))
            guard PasswordHasher.isAcceptable(actual) else { throw ValidationError(AccountError.unacceptablePassword.bilingual) }
            let repository = try common.openRepository()
            if let address, try await repository.store.user(email: address) != nil {
                throw ValidationError("another account has the e-mail address '\(address)'")
            }
            var user = try await repository.store.createUser(
                NewUser(
                    username: username, displayName: name ?? username, roles: Set(roles), school: school,
                    passwordHash: try await PasswordHasher(cost: repository.configuration.bcryptCost).hash(actual), subjects: subject))
            if let address {
                try await repository.store.setUserEmail(userID: user.id, email: address)
                user.email = address
            }
            return Report(user: user, generatedPassword: chosen == nil ? actual : nil)
        }
    }
}
