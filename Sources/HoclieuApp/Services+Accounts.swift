import Crypto
public import Foundation
public import HoclieuCore
public import HoclieuStorage
import HummingbirdBcrypt
import NIOPosix
import Synchronization

/// bcrypt on its own small thread pool, so hashing never blocks an event loop and never takes the
/// threads that serve files: a flood of sign-in attempts waits here (or is refused when the queue is
/// full), while downloads go on.
public struct PasswordHasher: Sendable {
    public var cost: UInt8

    public init(cost: UInt8 = 12) { self.cost = cost }

    /// One thread: bcrypt is meant to be slow, and a 2-core machine keeps the other core for everything else.
    static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()
    /// At most this many sign-in checks wait or run at once; more is a 429, not an ever-growing queue.
    static let maxQueuedChecks = 64
    static let queuedChecks = Atomic(0)

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await Self.pool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`; throws ``AccountError/busy`` when too many checks are waiting.
    public func verify(_ password: String, hash: String) async throws -> Bool {
        let (_, waiting) = Self.queuedChecks.wrappingAdd(1, ordering: .relaxed)
        defer { Self.queuedChecks.wrappingSubtract(1, ordering: .relaxed) }
        guard waiting <= Self.maxQueuedChecks else { throw AccountError.busy }
        return try await Self.pool.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// bcrypt reads at most 72 bytes of a password: longer ones would silently match any password that
    /// shares the first 72 bytes, so they are refused.
    public static let maxPasswordBytes = 72
    public static let minPasswordCharacters = 8

    /// Passwords: at least 8 characters and at most 72 bytes of UTF-8.
    public static func isAcceptable(_ password: String) -> Bool {
        password.count >= minPasswordCharacters && password.utf8.count <= maxPasswordBytes
    }
}

/// Why a sign-in or an account change failed.
public enum AccountError: BilingualError, Equatable {
    /// Wrong username or password (the same answer for an unknown username, a wrong password and a
    /// disabled account, so the answer does not reveal which accounts exist).
    case badCredentials
    /// Too many failed attempts for this account or address; retry after the given seconds.
    case throttled(retryAfter: Int)
    /// The password hashing queue is full.
    case busy
    /// The password does not meet the rules.
    case unacceptablePassword
    /// The current password given for a change is wrong.
    case wrongCurrentPassword

    public var category: ErrorCategory {
        switch self {
        case .badCredentials, .wrongCurrentPassword: .unauthenticated
        case .throttled, .busy: .tooManyRequests
        case .unacceptablePassword: .invalid
        }
    }
    public var code: String {
        switch self {
        case .badCredentials, .wrongCurrentPassword: "bad-credentials"
        case .throttled, .busy: "too-many-attempts"
        case .unacceptablePassword: "invalid-password"
        }
    }
    public var vietnamese: String {
        switch self {
        case .badCredentials: "Sai tên đăng nhập hoặc mật khẩu."
        case .throttled(let s): "Đăng nhập sai quá nhiều lần; hãy thử lại sau \(s) giây."
        case .busy: "Máy chủ đang bận xử lý đăng nhập; hãy thử lại sau ít giây."
        case .unacceptablePassword:
            "Mật khẩu cần ít nhất \(PasswordHasher.minPasswordCharacters) ký tự và tối đa \(PasswordHasher.maxPasswordBytes) byte."
        case .wrongCurrentPassword: "Mật khẩu hiện tại không đúng."
        }
    }
    public var english: String {
        switch self {
        case .badCredentials: "Wrong username or password."
        case .throttled(let s): "Too many failed sign-ins; try again in \(s) seconds."
        case .busy: "The server is busy with sign-ins; try again in a few seconds."
        case .unacceptablePassword:
            "Passwords need at least \(PasswordHasher.minPasswordCharacters) characters and at most \(PasswordHasher.maxPasswordBytes) bytes."
        case .wrongCurrentPassword: "The current password is wrong."
        }
    }
    /// Seconds a client should wait (`Retry-After`).
    public var retryAfter: Int? {
        switch self {
        case .throttled(let s): s
        case .busy: 2
        default: nil
        }
    }
}

/// Failed sign-ins per account and per address, with exponential backoff.
///
/// After ``freeFailures`` failures an account is locked for 1 s, then 2, 4, … up to ``maxLock``; an
/// address gets ``freeAddressFailures`` (a whole school behind one NAT address shares it); a success clears
/// the account's count. Counts live in memory (per node): several nodes each throttle
/// on their own, which still bounds guessing to a few attempts per lock period per node.
public final class LoginThrottle: Sendable {
    struct Entry {
        var failures: Int
        var lockedUntil: Date
    }
    let entries = Mutex<[String: Entry]>([:])
    public let freeFailures: Int
    public let freeAddressFailures: Int
    public let maxLock: TimeInterval

    public init(freeFailures: Int = 5, freeAddressFailures: Int = 100, maxLock: TimeInterval = 900) {
        self.freeFailures = freeFailures
        self.freeAddressFailures = freeAddressFailures
        self.maxLock = maxLock
    }

    /// Throws ``AccountError/throttled(retryAfter:)`` when any key is locked now.
    func check(_ keys: [String], now: Date = Date()) throws {
        let wait = entries.withLock { map in keys.compactMap { map[$0]?.lockedUntil.timeIntervalSince(now) }.max() ?? 0 }
        if wait > 0 { throw AccountError.throttled(retryAfter: Int(wait.rounded(.up))) }
    }

    func fail(_ keys: [String], now: Date = Date()) {
        entries.withLock { map in
            if map.count > 100_000 { map = map.filter { $0.value.lockedUntil > now } }  // bounded memory under a spray of addresses
            for key in keys {
                var entry = map[key] ?? Entry(failures: 0, lockedUntil: .distantPast)
                entry.failures += 1
                let free = key.hasPrefix("a:") ? freeAddressFailures : freeFailures
                if entry.failures >= free {
                    let exponent = min(entry.failures - free, 20)
                    entry.lockedUntil = now.addingTimeInterval(min(pow(2, Double(exponent)), maxLock))
                }
                map[key] = entry
            }
        }
    }

    func succeed(_ key: String) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}

/// Bearer tokens: 32 random bytes, base64url; only their SHA-256 is stored.
public enum SessionToken {
    public static func make() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func hash(_ token: String) -> String { ContentID.of(bytes: Data(token.utf8)).rawValue }
}

/// Web sessions in cookies: the cookie names and the CSRF token bound to a session.
public enum WebSession {
    /// HttpOnly, SameSite=Lax: the session token.
    public static let cookie = "hoclieu_session"
    /// Readable by the page's script: the CSRF token it sends back in ``header`` with every state-changing request.
    public static let csrfCookie = "hoclieu_csrf"
    public static let header = "X-CSRF-Token"
}

extension Services {
    /// The CSRF token of a session: an HMAC of the session token's hash under the service's signing key, so it
    /// cannot be made without the session and needs no storage.
    public func csrfToken(forSession token: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(("csrf:" + SessionToken.hash(token)).utf8), using: signingKey)
        return Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// A new session: the token (shown once) and its user.
public struct SignIn: Sendable {
    public var token: String
    public var expiresAt: Date
    public var user: User
}

extension Services {
    /// A bcrypt hash of a random password at the configured cost, compared against when the username is
    /// unknown, so that an unknown username costs as much time as a wrong password.
    private func dummyHash() async throws -> String {
        if let hash = DummyHash.value.withLock({ $0 }) { return hash }
        let hash = try await PasswordHasher(cost: configuration.bcryptCost).hash(UUID().uuidString)
        DummyHash.value.withLock { $0 = hash }
        return hash
    }

    /// Signs in: throttled per account and per address, the same answer and the same bcrypt work for an
    /// unknown user, a wrong password and a disabled account.
    public func signIn(username: String, password: String, address: String?) async throws -> SignIn {
        let accountKey = "u:" + username.lowercased()
        let keys = [accountKey] + (address.map { ["a:" + $0] } ?? [])
        try loginThrottle.check(keys)
        let hasher = PasswordHasher(cost: configuration.bcryptCost)
        let found = try await store.credentials(username: username)
        // Passwords longer than bcrypt reads are never valid; the hash is still computed (on a prefix).
        let candidate = password.utf8.count <= PasswordHasher.maxPasswordBytes ? password : String(decoding: password.utf8.prefix(72), as: UTF8.self)
        let hash: String
        if let found { hash = found.passwordHash } else { hash = try await dummyHash() }
        let matches = try await hasher.verify(candidate, hash: hash)
        guard let found, matches, password.utf8.count <= PasswordHasher.maxPasswordBytes, !found.user.disabled else {
            loginThrottle.fail(keys)
            var details = ["username": String(username.prefix(64))]
            details["address"] = address
            try? await store.appendAudit(AuditDraft(actorID: found?.user.id, action: "auth.login.failed", subject: "user:\(found?.user.id ?? 0)", details: details))
            throw AccountError.badCredentials
        }
        loginThrottle.succeed(accountKey)
        var details: [String: String] = [:]
        details["address"] = address
        return try await startSession(for: found.user, details: details)
    }

    /// A new session for `user` (whichever way they signed in), audited as `auth.login` with `details`.
    func startSession(for user: User, details: [String: String]) async throws -> SignIn {
        let token = SessionToken.make()
        let expiresAt = Date().addingTimeInterval(configuration.sessionLifetime)
        try await store.createSession(tokenHash: SessionToken.hash(token), userID: user.id, expiresAt: expiresAt)
        try await store.appendAudit(AuditDraft(actorID: user.id, action: "auth.login", subject: "user:\(user.id)", details: details))
        return SignIn(token: token, expiresAt: expiresAt, user: user)
    }

    /// Changes the caller's own password (the current one is required) and ends every other session.
    public func changePassword(of user: User, current: String, new: String, keepingToken token: String?) async throws {
        guard PasswordHasher.isAcceptable(new) else { throw AccountError.unacceptablePassword }
        let key = "u:" + user.username.lowercased()
        try loginThrottle.check([key])
        let hasher = PasswordHasher(cost: configuration.bcryptCost)
        guard let found = try await store.credentials(username: user.username), current.utf8.count <= PasswordHasher.maxPasswordBytes,
            try await hasher.verify(current, hash: found.passwordHash)
        else {
            loginThrottle.fail([key])
            throw AccountError.wrongCurrentPassword
        }
        try await store.setPasswordHash(userID: user.id, hash: try await hasher.hash(new))
        try await store.appendAudit(AuditDraft(actorID: user.id, action: "auth.password.changed", subject: "user:\(user.id)"))
        try await store.deleteSessions(userID: user.id, except: token.map(SessionToken.hash))
    }

    /// Disables (or enables again) an account; disabling ends all its sessions. Department administrators, and school
    /// administrators for the teachers of their school (``AccessPolicy/canManageAccount(_:school:roles:)``).
    public func setDisabled(_ disabled: Bool, userID: Int64, by actor: User) async throws -> User {
        guard actor.has(.admin) || actor.has(.schoolAdmin) else { throw AppError.forbidden }
        if !actor.has(.admin) {
            guard let target = try await store.user(id: userID), AccessPolicy.canManageAccount(actor, school: target.school, roles: target.roles) else {
                throw AppError.forbidden
            }
        }
        guard actor.id != userID || !disabled else {
            throw AppError(.conflict, vi: "Không thể tự khoá tài khoản của mình.", en: "You cannot disable your own account.")
        }
        let user = try await store.setUserDisabled(userID: userID, disabled: disabled)
        if disabled { try await store.deleteSessions(userID: userID, except: nil) }
        try await store.appendAudit(AuditDraft(actorID: actor.id, action: disabled ? "user.disabled" : "user.enabled", subject: "user:\(userID)"))
        return user
    }

    /// Ends every session of a user: the user themself, or an administrator.
    public func revokeSessions(userID: Int64, by actor: User) async throws {
        guard actor.has(.admin) || actor.id == userID else { throw AppError.forbidden }
        guard try await store.user(id: userID) != nil else { throw AppError.notFound("tài khoản \(userID)", "account \(userID)") }
        try await store.deleteSessions(userID: userID, except: nil)
        try await store.appendAudit(AuditDraft(actorID: actor.id, action: "user.sessions.revoked", subject: "user:\(userID)"))
    }
}

enum DummyHash {
    static let value = Mutex<String?>(nil)
}
