public import Foundation
public import HoclieuCore

/// A sign-in with an external OpenID Connect provider, waiting for its callback.
public struct StoredOIDCLogin: Sendable, Equatable {
    public var nonce: String
    /// The PKCE code verifier (kept here, never sent to the browser).
    public var codeVerifier: String

    public init(nonce: String, codeVerifier: String) {
        self.nonce = nonce
        self.codeVerifier = codeVerifier
    }
}

/// An account provisioned at its first sign-in with an external provider.
public struct NewExternalUser: Sendable {
    public var user: NewUser
    public var email: String
    public var issuer: String
    public var subject: String

    public init(user: NewUser, email: String, issuer: String, subject: String) {
        self.user = user
        self.email = email
        self.issuer = issuer
        self.subject = subject
    }
}

/// Accounts' e-mail addresses, links to external identities (issuer, subject) and the pending OpenID Connect
/// logins (so any node may receive the callback of a login another node began).
public protocol OIDCStore: Sendable {
    /// Records a login's state until `expiresAt`.
    func saveOIDCLogin(state: String, login: StoredOIDCLogin, expiresAt: Date) async throws
    /// Takes (and deletes) a pending login; nil when unknown or expired. Each state is usable once.
    func takeOIDCLogin(state: String, now: Date) async throws -> StoredOIDCLogin?
    /// The account linked to `(issuer, subject)`.
    func user(issuer: String, subject: String) async throws -> User?
    /// The account that has `email` recorded (compared without regard to case).
    func user(email: String) async throws -> User?
    /// Records (or clears, with nil) an account's e-mail address. Throws ``StoreError/conflict(_:)`` when another
    /// account has it.
    func setUserEmail(userID: Int64, email: String?) async throws
    /// Links an account to `(issuer, subject)` and appends `audit` in the same transaction.
    func linkExternalIdentity(issuer: String, subject: String, userID: Int64, audit: AuditDraft) async throws
    /// Creates an account with its e-mail address and external identity, and appends `user.created` to the audit
    /// log, in one transaction. A taken username gets a numeric suffix.
    func createExternalUser(_ new: NewExternalUser, auditDetails: [String: String]) async throws -> User
}
