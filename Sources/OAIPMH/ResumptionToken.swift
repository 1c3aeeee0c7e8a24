public import Crypto
public import Foundation
import HoclieuCore

/// A keyset resumption token: where the list stands (the datestamp and serial of the last record sent) and the
/// request it continues (verb, format, set, from/until, the harvester class), signed with HMAC-SHA256 so that it
/// cannot be forged or altered and is honoured by every node that shares the signing key. No server state.
///
/// Every token names a position strictly after the one before it, and a cursor that grows: a token never repeats.
public struct ResumptionToken: Sendable, Equatable, Codable {
    /// The format version of the token text.
    var v = 1
    /// `ListRecords` or `ListIdentifiers`: a token continues the verb that issued it.
    public var verb: String
    public var metadataPrefix: String
    public var set: String?
    /// Lower bound (inclusive) and upper bound (exclusive) of datestamps, epoch milliseconds.
    public var fromMillis: Int64?
    public var beforeMillis: Int64?
    /// The last record sent: its datestamp (epoch milliseconds) and serial.
    public var afterMillis: Int64
    public var afterSerial: Int
    /// Records already sent before the next page (the next page's `cursor`).
    public var cursor: Int
    /// The size of the whole list, counted when the list began.
    public var completeListSize: Int
    /// Which records the harvester may see (`public`, `sector`): a token is only good for the same class.
    public var audience: String
    /// Epoch seconds after which the token is refused.
    public var expires: Int64

    public init(
        verb: String, metadataPrefix: String, set: String?, fromMillis: Int64?, beforeMillis: Int64?, afterMillis: Int64, afterSerial: Int,
        cursor: Int, completeListSize: Int, audience: String, expires: Int64
    ) {
        self.verb = verb
        self.metadataPrefix = metadataPrefix
        self.set = set
        self.fromMillis = fromMillis
        self.beforeMillis = beforeMillis
        self.afterMillis = afterMillis
        self.afterSerial = afterSerial
        self.cursor = cursor
        self.completeListSize = completeListSize
        self.audience = audience
        self.expires = expires
    }

    /// The key tokens are signed with, derived from the service's key (so that a token is never a valid
    /// signature of anything else the service signs).
    public static func tokenKey(from serviceKey: SymmetricKey) -> SymmetricKey {
        SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data("hoclieu/oai-pmh/resumption-token/v1".utf8), using: serviceKey)))
    }

    /// `payload.signature`, both base64url without padding.
    public func encoded(key: SymmetricKey) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let payload = Self.base64url((try? encoder.encode(self)) ?? Data())
        return payload + "." + Self.base64url(Data(HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key)))
    }

    /// The longest token text considered at all.
    static let maxLength = 2048

    /// Checks the signature and the expiry and decodes the token.
    /// - Throws: ``OAIError`` `badResumptionToken` for anything else than a token this service issued, unchanged and unexpired.
    public static func decode(_ text: String, key: SymmetricKey, now: Date) throws(OAIError) -> ResumptionToken {
        let invalid = OAIError.badToken(vi: "resumptionToken không hợp lệ.", en: "The resumptionToken is invalid.")
        guard text.utf8.count <= maxLength else { throw invalid }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw invalid }
        let expected = base64url(Data(HMAC<SHA256>.authenticationCode(for: Data(parts[0].utf8), using: key)))
        guard ConstantTime.equal(expected, parts[1]) else { throw invalid }
        guard let data = unbase64url(String(parts[0])), let token = try? JSONDecoder().decode(ResumptionToken.self, from: data), token.v == 1,
            token.cursor >= 0, token.completeListSize >= 0
        else { throw invalid }
        guard Int64(now.timeIntervalSince1970) < token.expires else {
            throw OAIError.badToken(vi: "resumptionToken đã hết hạn.", en: "The resumptionToken has expired.")
        }
        return token
    }

    /// The expiry as a date (for `expirationDate`).
    public var expirationDate: Date { Date(timeIntervalSince1970: TimeInterval(expires)) }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func unbase64url(_ text: String) -> Data? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }
}
