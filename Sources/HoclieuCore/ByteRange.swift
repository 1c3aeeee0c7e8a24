/// An HTTP `Range: bytes=…` request (RFC 9110 §14.1.2) and the answer to it for a representation of a
/// known size: the status, the bytes to send and the `Content-Range` text. Pure, with no HTTP library.
///
/// Single ranges only: a header with several ranges (a comma) is ignored and the whole representation
/// is sent, which the RFC allows; so is a header that is not a byte range at all or whose last position
/// is before its first. Every number comes from a client, so every step saturates or compares before it
/// adds: `bytes=0-18446744073709551615`, `bytes=-99999999999999999999999` or a first position beyond
/// `UInt64` are answered, never a trap.
///
/// | header | size 1000 | answer |
/// |---|---|---|
/// | `bytes=0-99` | | 206, `0..<100`, `bytes 0-99/1000` |
/// | `bytes=900-` | | 206, `900..<1000`, `bytes 900-999/1000` |
/// | `bytes=-10` | | 206, `990..<1000`, `bytes 990-999/1000` |
/// | `bytes=0-18446744073709551615` | | 206, `0..<1000`, `bytes 0-999/1000` |
/// | `bytes=1000-` | | 416, `bytes */1000` |
/// | `bytes=5-1`, `bytes=0-1,5-9`, `items=0-1` | | 200, everything |
public enum ByteRange: Equatable, Sendable {
    /// `bytes=first-last` (both inclusive; `last` may lie beyond the end and is clamped to it).
    case closed(first: UInt64, last: UInt64)
    /// `bytes=first-`: from `first` to the end.
    case from(UInt64)
    /// `bytes=-length`: the last `length` bytes.
    case suffix(UInt64)

    /// The status of an answer; its raw value is the HTTP status code.
    public enum Status: Int, Sendable {
        /// No usable range: the whole representation.
        case ok = 200
        /// One range of the representation.
        case partialContent = 206
        /// The range starts at or after the end (or asks for no bytes): nothing is sent.
        case rangeNotSatisfiable = 416
    }

    /// What to send for a request.
    public struct Answer: Equatable, Sendable {
        public let status: Status
        /// The bytes of the representation to send; empty for ``Status/rangeNotSatisfiable``.
        public let range: Range<UInt64>
        /// The `Content-Range` value (`bytes 0-99/1000`, or `bytes */1000` with a 416); nil with a 200.
        public let contentRange: String?

        /// The `Content-Length` of the body.
        public var contentLength: UInt64 { range.upperBound - range.lowerBound }

        public init(status: Status, range: Range<UInt64>, contentRange: String?) {
            self.status = status
            self.range = range
            self.contentRange = contentRange
        }
    }

    /// The range a `Range` header asks for; nil when it is not a single, valid byte range (the header is
    /// then ignored). Unit and spaces around `=` and `-` are accepted as clients send them; positions are
    /// digits only, and a position too large for `UInt64` saturates to `UInt64.max`.
    public init?(header: String) {
        var bytes = Substring(header).utf8[...]
        func trim(_ s: inout Substring.UTF8View.SubSequence) {
            while let b = s.first, b == 0x20 || b == 0x09 { s.removeFirst() }
            while let b = s.last, b == 0x20 || b == 0x09 { s.removeLast() }
        }
        trim(&bytes)
        guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { return nil }
        var unit = bytes[..<equals]
        trim(&unit)
        guard unit.count == 5, zip(unit, "bytes".utf8).allSatisfy({ $0 | 0x20 == $1 }) else { return nil }
        let spec = bytes[bytes.index(after: equals)...]
        guard !spec.contains(UInt8(ascii: ",")), let dash = spec.firstIndex(of: UInt8(ascii: "-")) else { return nil }
        var first = spec[..<dash], last = spec[spec.index(after: dash)...]
        trim(&first)
        trim(&last)
        switch (first.isEmpty, last.isEmpty) {
        case (true, true): return nil
        case (true, false):
            guard let length = Self.position(last) else { return nil }
            self = .suffix(length)
        case (false, true):
            guard let start = Self.position(first) else { return nil }
            self = .from(start)
        case (false, false):
            guard let start = Self.position(first), let end = Self.position(last), start <= end else { return nil }
            self = .closed(first: start, last: end)
        }
    }

    /// The bytes of a representation of `size` bytes this range selects; nil when it cannot be satisfied
    /// (it starts at or after the end, is an empty suffix, or its last position is before its first).
    public func resolved(size: UInt64) -> Range<UInt64>? {
        switch self {
        case .closed(let first, let last):
            guard first < size, first <= last else { return nil }
            // `size - 1` cannot underflow (first < size); `min(…) + 1` cannot overflow (≤ size).
            return first..<(min(last, size - 1) + 1)
        case .from(let first):
            guard first < size else { return nil }
            return first..<size
        case .suffix(let length):
            guard length > 0, size > 0 else { return nil }
            return (size - min(length, size))..<size
        }
    }

    /// The answer to a `Range` header (nil: no header) for a representation of `size` bytes.
    public static func answer(_ header: String?, size: UInt64) -> Answer {
        guard let header, let wanted = ByteRange(header: header) else {
            return Answer(status: .ok, range: 0..<size, contentRange: nil)
        }
        guard let range = wanted.resolved(size: size) else {
            return Answer(status: .rangeNotSatisfiable, range: 0..<0, contentRange: "bytes */\(size)")
        }
        return Answer(status: .partialContent, range: range, contentRange: "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)")
    }

    /// `1*DIGIT` as a number, saturating at `UInt64.max`; nil when empty or not all digits.
    static func position(_ digits: Substring.UTF8View.SubSequence) -> UInt64? {
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in digits {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(byte - 0x30))
            value = o1 || o2 ? .max : sum
        }
        return value
    }
}
