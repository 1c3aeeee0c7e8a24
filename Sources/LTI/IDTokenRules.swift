public import Foundation

/// The claims of an OpenID Connect id_token that both an LTI launch and an organisation sign-in check the same way.
public protocol IDTokenTimesAndAudience {
    var aud: StringOrArray? { get }
    var azp: String? { get }
    var exp: Double? { get }
    var iat: Double? { get }
}

/// Which of the shared id_token rules a token breaks; each caller answers it with its own error.
public enum IDTokenRuleViolation: Sendable, Equatable {
    case wrongAudience, wrongAuthorizedParty, missingExpiry, expired, missingIssuedAt, issuedAtOutOfRange
}

extension IDTokenTimesAndAudience {
    /// The one place for the rules OpenID Connect Core §3.1.3.7 gives every id_token: `aud` holds the client id,
    /// `azp` names it when present or when there are several audiences, `exp` not passed and `iat` neither in the
    /// future nor older than `maxAge` (both with `leeway`). Nil when the token keeps them all.
    public func violation(clientID: String, now: Date, leeway: TimeInterval, maxAge: TimeInterval) -> IDTokenRuleViolation? {
        let audiences = aud?.values ?? []
        guard audiences.contains(clientID) else { return .wrongAudience }
        if let azp {
            guard azp == clientID else { return .wrongAuthorizedParty }
        } else if audiences.count > 1 {
            return .wrongAuthorizedParty
        }
        let t = now.timeIntervalSince1970
        guard let exp else { return .missingExpiry }
        guard exp.isFinite, t <= exp + leeway else { return .expired }
        guard let iat else { return .missingIssuedAt }
        guard iat.isFinite, iat <= t + leeway, iat >= t - maxAge else { return .issuedAtOutOfRange }
        return nil
    }
}
