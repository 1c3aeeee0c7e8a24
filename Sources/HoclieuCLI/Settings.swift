import ArgumentParser
import Foundation
import HoclieuApp
import HoclieuCore

/// Where a setting's value came from; later sources win: flag > environment > file > default.
enum SettingSource: String, Encodable, Comparable {
    case `default`, file, environment, flag

    static func < (a: Self, b: Self) -> Bool { a.order < b.order }
    private var order: Int {
        switch self {
        case .default: 0
        case .file: 1
        case .environment: 2
        case .flag: 3
        }
    }
}

/// The service's settings by name (`HOCLIEU_…`), merged from a configuration file, the environment and flags.
///
/// The file (`--config FILE` / `HOCLIEU_CONFIG`) holds `NAME=value` lines with the environment's names, `#`
/// comments and blank lines — the format of a systemd `EnvironmentFile`, so one file serves both. An
/// unknown name in the file is an error (a misspelt setting must not be silently ignored).
struct Settings {
    /// Every setting a file may hold, with a one-line description.
    static let known: [(name: String, help: String)] = [
        ("HOCLIEU_DATA", "data folder (blobs, signing key, SQLite database)"),
        ("HOCLIEU_DATABASE_URL", "metadata store: postgres://… or sqlite:PATH (default: SQLite in the data folder)"),
        ("HOCLIEU_HOST", "address to bind (serve)"),
        ("HOCLIEU_PORT", "port (serve)"),
        ("HOCLIEU_CONTENT_PORT", "port of the content origin (serve; -1: none)"),
        ("HOCLIEU_LOG_FORMAT", "text or json (serve)"),
        ("HOCLIEU_LOG_LEVEL", "trace, debug, info, notice, warning, error (serve)"),
        ("HOCLIEU_PID_PREFIX", "persistent identifier prefix"),
        ("HOCLIEU_MAX_UPLOAD_BYTES", "largest upload"),
        ("HOCLIEU_BCRYPT_COST", "bcrypt cost of new password hashes"),
        ("HOCLIEU_JOBS", "whether this node runs background jobs"),
        ("HOCLIEU_JOB_STALE_SECONDS", "seconds without progress before a running job of a dead node is queued again (default 60)"),
        ("HOCLIEU_PUBLIC_URL", "address clients reach the service at"),
        ("HOCLIEU_TRUSTED_PROXIES", "reverse proxies whose X-Forwarded-For is believed (comma-separated addresses)"),
        ("HOCLIEU_CONTENT_URL", "separate origin packages are played from"),
        ("HOCLIEU_ADMIN_PASSWORD", "password of the first admin account (secret)"),
        ("HOCLIEU_REVIEWERS", "reviewers per submission"),
        ("HOCLIEU_REVIEW_AGREEMENT", "agreement rule of the reviewers"),
        ("HOCLIEU_REVIEW_EXCLUDE_OWN_SCHOOL", "reviewers never review their own school"),
        ("HOCLIEU_REVIEW_REMIND_DAYS", "days before a reviewer is reminded"),
        ("HOCLIEU_REVIEW_ESCALATE_DAYS", "days before the chair is told"),
        ("HOCLIEU_REREVIEW_DAYS", "days before a published material is reviewed again"),
        ("HOCLIEU_REVIEW_AUTO_ASSIGN", "assign reviewers automatically"),
        ("HOCLIEU_OAI_PAGE_SIZE", "OAI-PMH records per page"),
        ("HOCLIEU_OAI_REPOSITORY_ID", "OAI-PMH repository identifier"),
        ("HOCLIEU_OAI_ADMIN_EMAIL", "OAI-PMH administrator address"),
        ("HOCLIEU_OIDC_ISSUER", "OpenID Connect provider"),
        ("HOCLIEU_OIDC_CLIENT_ID", "OpenID Connect client id"),
        ("HOCLIEU_OIDC_CLIENT_SECRET", "OpenID Connect client secret (secret)"),
        ("HOCLIEU_OIDC_ALLOWED_DOMAINS", "e-mail domains allowed to sign in"),
        ("HOCLIEU_OIDC_DEFAULT_ROLE", "role of provisioned accounts"),
        ("HOCLIEU_OIDC_SCHOOL_CLAIM", "claim holding the school"),
    ]

    private(set) var values: [String: (value: String, source: SettingSource)] = [:]

    /// Reads the file (when given) and the environment's `HOCLIEU_…` variables.
    init(file: String?, environment: [String: String]) throws {
        if let file { try read(file: file) }
        for (name, value) in environment where name.hasPrefix("HOCLIEU_") && name != "HOCLIEU_CONFIG" {
            values[name] = (value, .environment)
        }
    }

    /// A value given as a command-line flag (wins over everything else); nil leaves the setting alone.
    mutating func flag(_ name: String, _ value: String?) {
        if let value { values[name] = (value, .flag) }
    }

    subscript(name: String) -> String? { values[name]?.value }

    /// Where a setting came from.
    func source(_ name: String) -> SettingSource { values[name]?.source ?? .default }

    /// The values by name (for readers that take an environment-shaped dictionary).
    var dictionary: [String: String] { values.mapValues(\.value) }

    private mutating func read(file: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read the configuration file \(file): \(error.localizedDescription)")
        }
        let names = Set(Self.known.map(\.name))
        var problems: [String] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                problems.append("\(file):\(index + 1): expected NAME=value")
                continue
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            guard names.contains(name) else {
                problems.append("\(file):\(index + 1): unknown setting '\(name)'")
                continue
            }
            values[name] = (value, .file)
        }
        if !problems.isEmpty { throw ValidationError("configuration file: " + problems.joined(separator: "; ")) }
    }

    /// Whether a setting's value must never be printed.
    static func isSecret(_ name: String) -> Bool { name.contains("PASSWORD") || name.contains("SECRET") }

    /// A value as it may be printed: secrets as `***`, passwords in URLs masked.
    static func printable(_ name: String, _ value: String) -> String {
        if isSecret(name) { return value.isEmpty ? "" : "***" }
        return StoreLocation.masked(value)
    }
}

extension ServerConfiguration {
    /// The effective value of every setting, as a person reads them, secrets masked.
    func effectiveSettings(logFormat: String, logLevel: String, settings: Settings) -> [(name: String, value: String)] {
        let location = (try? storeLocation().description) ?? (databaseURL.map(StoreLocation.masked) ?? "")
        var rows: [(String, String)] = [
            ("HOCLIEU_DATA", dataDirectory.path),
            ("HOCLIEU_DATABASE_URL", location),
            ("HOCLIEU_HOST", host),
            ("HOCLIEU_PORT", String(port)),
            ("HOCLIEU_CONTENT_PORT", contentPort.map(String.init) ?? "-1"),
            ("HOCLIEU_LOG_FORMAT", logFormat),
            ("HOCLIEU_LOG_LEVEL", logLevel),
            ("HOCLIEU_PID_PREFIX", pidPrefix),
            ("HOCLIEU_MAX_UPLOAD_BYTES", String(maxUploadBytes)),
            ("HOCLIEU_BCRYPT_COST", String(bcryptCost)),
            ("HOCLIEU_JOBS", String(runsJobs)),
            ("HOCLIEU_PUBLIC_URL", publicBaseURL),
            ("HOCLIEU_CONTENT_URL", contentBaseURL),
            ("HOCLIEU_TRUSTED_PROXIES", trustedProxies.sorted().joined(separator: ",")),
            ("HOCLIEU_ADMIN_PASSWORD", Settings.printable("HOCLIEU_ADMIN_PASSWORD", settings["HOCLIEU_ADMIN_PASSWORD"] ?? "")),
            ("HOCLIEU_REVIEWERS", String(reviewRules.reviewersPerSubmission)),
            ("HOCLIEU_REVIEW_AGREEMENT", reviewRules.agreement.rawValue),
            ("HOCLIEU_REVIEW_EXCLUDE_OWN_SCHOOL", String(reviewRules.excludeOwnSchool)),
            ("HOCLIEU_REVIEW_REMIND_DAYS", String(reviewRules.remindAfterDays)),
            ("HOCLIEU_REVIEW_ESCALATE_DAYS", String(reviewRules.escalateAfterDays)),
            ("HOCLIEU_REREVIEW_DAYS", reviewRules.reReviewAfterDays.map(String.init) ?? ""),
            ("HOCLIEU_REVIEW_AUTO_ASSIGN", String(autoAssignReviewers)),
            ("HOCLIEU_OAI_PAGE_SIZE", String(oaiPageSize)),
            ("HOCLIEU_OAI_REPOSITORY_ID", oaiRepositoryIdentifier ?? ""),
            ("HOCLIEU_OAI_ADMIN_EMAIL", oaiAdminEmail ?? ""),
        ]
        for name in ["HOCLIEU_OIDC_ISSUER", "HOCLIEU_OIDC_CLIENT_ID", "HOCLIEU_OIDC_CLIENT_SECRET", "HOCLIEU_OIDC_ALLOWED_DOMAINS",
            "HOCLIEU_OIDC_DEFAULT_ROLE", "HOCLIEU_OIDC_SCHOOL_CLAIM"]
        {
            rows.append((name, Settings.printable(name, settings[name] ?? "")))
        }
        return rows
    }
}
