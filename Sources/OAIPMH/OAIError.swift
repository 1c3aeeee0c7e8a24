public import HoclieuCore

/// An OAI-PMH error condition (OAI-PMH 2.0 §3.6), with its message in Vietnamese and English.
///
/// It travels inside a normal `200 OK` response as `<error code="…">`; the HTTP layer never turns it
/// into another status.
public struct OAIError: BilingualError, Equatable {
    /// The error codes of the protocol, spelled as the protocol spells them.
    public enum Code: String, Sendable, CaseIterable {
        case badArgument, badResumptionToken, badVerb, cannotDisseminateFormat, idDoesNotExist, noRecordsMatch, noMetadataFormats,
            noSetHierarchy
    }

    public var oaiCode: Code
    public var vietnamese: String
    public var english: String

    public init(_ code: Code, vi: String, en: String) {
        self.oaiCode = code
        self.vietnamese = vi
        self.english = en
    }

    public var code: String { oaiCode.rawValue }
    public var category: ErrorCategory {
        switch oaiCode {
        case .idDoesNotExist, .noRecordsMatch, .noMetadataFormats: .notFound
        default: .badRequest
        }
    }

    /// Whether the response's `<request>` element must carry no attributes (§3.6: badVerb and badArgument).
    public var echoesNoArguments: Bool { oaiCode == .badVerb || oaiCode == .badArgument }

    static func badArgument(vi: String, en: String) -> OAIError { OAIError(.badArgument, vi: vi, en: en) }
    static func badToken(vi: String, en: String) -> OAIError { OAIError(.badResumptionToken, vi: vi, en: en) }
}
