import Foundation

/// A persistent material identifier (định danh học liệu), e.g. `79-760-00001K3`.
///
/// Layout: `PREFIX-SERIAL` followed by one check character. The prefix is configuration
/// (for instance province and district codes); the serial is the base-31 rendering of a
/// number minted once by the store and never reused.
///
/// The check character is the ISO 7064 pure-system construction over the 31-symbol alphabet
/// `0-9 A-H J K M N P-T V-Y` with radix 2: every alphanumeric character of prefix and serial
/// contributes `value × 2^k (mod 31)`. Because 31 is prime and the alphabet has exactly 31
/// symbols, this detects every single-character substitution (check character included) and
/// every swap of two adjacent characters (a `-` separator included).
public struct PersistentIdentifier: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The 31 symbols, in value order. `I`, `L`, `O`, `U`, `Z` are left out (read as `1`, `1`, `0`; `U`/`Z` invalid).
    public static let alphabet: [Character] = Array("0123456789ABCDEFGHJKMNPQRSTVWXY")
    static let modulus = 31

    /// The canonical text, upper case, with the check character.
    public let rawValue: String

    public var description: String { rawValue }

    /// The prefix part (everything before the last `-`).
    public var prefix: String {
        String(rawValue[..<rawValue.lastIndex(of: "-")!])
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Encoded as its text, e.g. `"79-760-00001K3"`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Decoded from its text; the check character is verified.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid identifier: \(error)"))
        }
    }

    /// Mints the identifier for `serial` under `prefix`.
    /// - Precondition: `prefix` passed ``validatePrefix(_:)``.
    public init(prefix: String, serial: Int) {
        precondition(serial >= 0)
        var digits: [Character] = []
        var n = serial
        repeat {
            digits.append(Self.alphabet[n % Self.modulus])
            n /= Self.modulus
        } while n > 0
        while digits.count < 6 { digits.append("0") }
        let body = "\(prefix.uppercased())-\(String(digits.reversed()))"
        let check = Self.alphabet[Self.checkValue(of: body)!]
        rawValue = body + String(check)
    }

    /// Parses and verifies an identifier typed by a person or read from a link.
    ///
    /// Lower case is accepted; `I`/`L` are read as `1` and `O` as `0`.
    public init(parsing text: String) throws(PIDError) {
        // Canonical text (what the store holds and links carry) is verified on its bytes, without normalising.
        if let canonical = Self.verifiedCanonical(text) {
            rawValue = canonical
            return
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 64 else { throw .malformed("length") }
        var normalised = ""
        for ch in trimmed.uppercased() {
            switch ch {
            case "I", "L": normalised.append("1")
            case "O": normalised.append("0")
            case "-": normalised.append("-")
            default:
                guard Self.alphabet.contains(ch) else { throw .malformed("character '\(ch)'") }
                normalised.append(ch)
            }
        }
        guard let dash = normalised.lastIndex(of: "-"), dash != normalised.startIndex,
            normalised.distance(from: dash, to: normalised.endIndex) >= 3,
            !normalised.contains("--"), normalised.first != "-"
        else { throw .malformed("layout") }
        let body = String(normalised.dropLast())
        guard let expected = Self.checkValue(of: body) else { throw .malformed("layout") }
        guard Self.alphabet[expected] == normalised.last! else { throw .checkCharacterMismatch }
        rawValue = normalised
    }

    /// The serial number encoded in the identifier.
    public var serial: Int {
        let bytes = rawValue.utf8
        let body = bytes[bytes.index(after: bytes.lastIndex(of: UInt8(ascii: "-"))!)...].dropLast()
        return body.reduce(0) { $0 * Self.modulus + Int(Self.byteValues[Int($1)]) }
    }

    /// Each ASCII byte's value in ``alphabet`` (upper case only), or -1.
    static let byteValues: [Int8] = (0..<128).map { byte in
        alphabet.firstIndex(of: Character(Unicode.Scalar(UInt8(byte)))).map(Int8.init) ?? -1
    }

    /// `text` when it is already canonical (upper-case symbols and single inner `-`, the right check character),
    /// else nil (the caller normalises or rejects it).
    static func verifiedCanonical(_ text: String) -> String? {
        let bytes = text.utf8
        guard (3...64).contains(bytes.count), let last = bytes.last, let first = bytes.first, first != UInt8(ascii: "-") else { return nil }
        var sum = 0
        var previousDash = false
        var sinceDash = -1
        for (offset, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "-") {
                guard !previousDash else { return nil }
                previousDash = true
                sinceDash = 0
                sum = (sum + 1) % modulus
                continue
            }
            guard byte < 128, case let value = Int(byteValues[Int(byte)]), value >= 0 else { return nil }
            previousDash = false
            if sinceDash >= 0 { sinceDash += 1 }
            if offset < bytes.count - 1 { sum = ((sum + value) * 2) % modulus }
        }
        // At least one serial symbol and the check character after the last `-`.
        guard sinceDash >= 2, Int(byteValues[Int(last)]) == (modulus - sum) % modulus else { return nil }
        return text
    }

    /// Checks that a configured prefix uses only the alphabet and `-` separators.
    public static func validatePrefix(_ prefix: String) -> Bool {
        let p = prefix.uppercased()
        return !p.isEmpty && p.count <= 24 && p.first != "-" && p.last != "-" && !p.contains("--")
            && p.allSatisfy { $0 == "-" || alphabet.contains($0) }
    }

    static func checkValue(of body: String) -> Int? {
        // Pure system: sum over characters of value * 2^(position from the right, starting at 1)
        // plus the check value must be 0 mod 31.
        // A `-` adds 1 without shifting, so swapping a character with a neighbouring `-` is caught too.
        var sum = 0
        for ch in body {
            if ch == "-" {
                sum = (sum + 1) % modulus
                continue
            }
            guard let v = alphabet.firstIndex(of: ch) else { return nil }
            sum = ((sum + v) * 2) % modulus
        }
        return (modulus - sum) % modulus
    }
}

/// Why a text is not a valid persistent identifier.
public enum PIDError: Error, Equatable, Sendable {
    /// The text is not shaped like an identifier (what is wrong is named).
    case malformed(String)
    /// The text is shaped right but its check character does not match: most likely a typing mistake.
    case checkCharacterMismatch
}

/// A persistent identifier, optionally qualified with a version (`PID@v3`).
public struct VersionedPID: Hashable, Sendable {
    public let pid: PersistentIdentifier
    public let version: Int?

    public init(pid: PersistentIdentifier, version: Int?) {
        self.pid = pid
        self.version = version
    }

    /// Parses `PID` or `PID@vN` (N ≥ 1).
    public init(parsing text: String) throws(PIDError) {
        if let at = text.firstIndex(of: "@") {
            let suffix = text[text.index(after: at)...]
            guard suffix.first == "v" || suffix.first == "V", let n = Int(suffix.dropFirst()), n >= 1 else {
                throw .malformed("version")
            }
            pid = try PersistentIdentifier(parsing: String(text[..<at]))
            version = n
        } else {
            pid = try PersistentIdentifier(parsing: text)
            version = nil
        }
    }

    public var description: String { version.map { "\(pid.rawValue)@v\($0)" } ?? pid.rawValue }
}
