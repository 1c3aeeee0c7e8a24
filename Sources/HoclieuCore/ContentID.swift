public import Foundation
import Crypto

/// The SHA-256 of normalised content, in lower-case hex.
///
/// Files are hashed as bytes; text content (a link, a question) is hashed after NFC
/// normalisation and line-ending normalisation, so that re-importing unchanged content
/// is recognised whatever produced it.
public struct ContentID: Hashable, Sendable, Codable, CustomStringConvertible, RawRepresentable {
    public let rawValue: String
    public var description: String { rawValue }

    /// Accepts 64 lower-case hex digits.
    public init?(rawValue: String) {
        guard rawValue.utf8.count == 64, rawValue.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            return nil
        }
        self.rawValue = rawValue
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = ContentID(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a SHA-256 hex digest"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The content id of a finished hash.
    init(digest: SHA256.Digest) {
        rawValue = digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The content id of bytes held in memory (small content only; files are hashed while streaming).
    public static func of(bytes: some DataProtocol) -> ContentID {
        ContentID(digest: SHA256.hash(data: bytes))
    }

    /// The content id of text: NFC, `\r\n` and `\r` → `\n`, trailing whitespace trimmed.
    public static func of(text: String) -> ContentID {
        let normalised = text.precomposedStringWithCanonicalMapping
            .replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return of(bytes: Data(normalised.utf8))
    }
}

/// A SHA-256 computed piece by piece, for streams.
public struct StreamingHasher: Sendable {
    var hasher = SHA256()
    public init() {}
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
    public mutating func update(_ data: Data) { hasher.update(data: data) }
    public consuming func finish() -> ContentID { ContentID(digest: hasher.finalize()) }
}
