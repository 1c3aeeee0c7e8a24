import HoclieuCore
import Testing

@Suite("HTTP byte ranges: every form answered, none traps")
struct ByteRangeTests {
    typealias Answer = ByteRange.Answer

    static func partial(_ range: Range<UInt64>, of size: UInt64) -> Answer {
        Answer(status: .partialContent, range: range, contentRange: "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(size)")
    }

    static func whole(_ size: UInt64) -> Answer { Answer(status: .ok, range: 0..<size, contentRange: nil) }

    static func unsatisfiable(_ size: UInt64) -> Answer { Answer(status: .rangeNotSatisfiable, range: 0..<0, contentRange: "bytes */\(size)") }

    @Test("The request that killed the service: a last position of 2^64 − 1 is clamped to the end")
    func largestLastPosition() {
        #expect(ByteRange.answer("bytes=0-18446744073709551615", size: 1000) == Self.partial(0..<1000, of: 1000))
        #expect(ByteRange.answer("bytes=999-18446744073709551615", size: 1000) == Self.partial(999..<1000, of: 1000))
        #expect(ByteRange.answer("bytes=18446744073709551615-18446744073709551615", size: 1000) == Self.unsatisfiable(1000))
        #expect(ByteRange.answer("bytes=0-18446744073709551615", size: .max) == Self.partial(0..<UInt64.max, of: .max))
        #expect(ByteRange.answer("bytes=0-18446744073709551615", size: 0) == Self.unsatisfiable(0))
    }

    @Test("first-last, first- and -suffix")
    func forms() {
        #expect(ByteRange.answer("bytes=0-99", size: 1000) == Self.partial(0..<100, of: 1000))
        #expect(ByteRange.answer("bytes=100-199", size: 1000) == Self.partial(100..<200, of: 1000))
        #expect(ByteRange.answer("bytes=5-5", size: 1000) == Self.partial(5..<6, of: 1000))
        #expect(ByteRange.answer("bytes=900-", size: 1000) == Self.partial(900..<1000, of: 1000))
        #expect(ByteRange.answer("bytes=900-5000", size: 1000) == Self.partial(900..<1000, of: 1000))
        #expect(ByteRange.answer("bytes=-10", size: 1000) == Self.partial(990..<1000, of: 1000))
        #expect(ByteRange.answer("bytes=-5000", size: 1000) == Self.partial(0..<1000, of: 1000))
        #expect(ByteRange.answer("BYTES=0-0", size: 1) == Self.partial(0..<1, of: 1))
        #expect(ByteRange.answer(nil, size: 1000) == Self.whole(1000))
        #expect(Self.partial(0..<100, of: 1000).contentLength == 100)
    }

    @Test("Numbers beyond UInt64 saturate: a suffix is everything, a first position is past the end")
    func beyondUInt64() {
        let huge = "99999999999999999999999999999999999999"
        #expect(ByteRange(header: "bytes=0-\(huge)") == .closed(first: 0, last: .max))
        #expect(ByteRange.answer("bytes=0-\(huge)", size: 1000) == Self.partial(0..<1000, of: 1000))
        #expect(ByteRange.answer("bytes=-\(huge)", size: 1000) == Self.partial(0..<1000, of: 1000))
        #expect(ByteRange.answer("bytes=\(huge)-", size: 1000) == Self.unsatisfiable(1000))
        #expect(ByteRange.answer("bytes=18446744073709551616-", size: .max) == Self.unsatisfiable(.max))
        #expect(ByteRange.answer("bytes=-18446744073709551616", size: .max) == Self.partial(0..<UInt64.max, of: .max))
        #expect(ByteRange.answer("bytes=\(huge)-\(huge)", size: 1000) == Self.unsatisfiable(1000))
    }

    @Test("At or past the end, or an empty suffix: 416 with bytes */size")
    func unsatisfiable() {
        #expect(ByteRange.answer("bytes=1000-", size: 1000) == Self.unsatisfiable(1000))
        #expect(ByteRange.answer("bytes=1000-1000", size: 1000) == Self.unsatisfiable(1000))
        #expect(ByteRange.answer("bytes=999999999-", size: 1000) == Self.unsatisfiable(1000))
        #expect(ByteRange.answer("bytes=-0", size: 1000) == Self.unsatisfiable(1000))
    }

    @Test("An empty representation satisfies no range, but is sent whole without one")
    func zeroSize() {
        for header in ["bytes=0-", "bytes=0-0", "bytes=-1", "bytes=-0", "bytes=0-18446744073709551615"] {
            #expect(ByteRange.answer(header, size: 0) == Self.unsatisfiable(0), "\(header)")
        }
        #expect(ByteRange.answer(nil, size: 0) == Self.whole(0))
        #expect(ByteRange.answer("bytes=5-1", size: 0) == Self.whole(0))
    }

    @Test("Spaces and tabs around the unit, = and - are accepted")
    func whitespace() {
        for header in ["  bytes=10-19  ", "bytes = 10-19", "bytes= 10 - 19", "\tbytes=10-19\t", "bytes=10 -19"] {
            #expect(ByteRange.answer(header, size: 1000) == Self.partial(10..<20, of: 1000), "\(header)")
        }
        #expect(ByteRange.answer("bytes= -10", size: 1000) == Self.partial(990..<1000, of: 1000))
    }

    @Test("Ignored, whole representation: several ranges, last before first, other units, not digits")
    func ignored() {
        let headers = [
            "bytes=0-1,5-9", "bytes=0-1, 5-9", "bytes=0-5,", "bytes=5-1", "bytes=18446744073709551615-0", "items=0-1", "bytes 0-1", "byte=0-1",
            "bytes=", "bytes=-", "bytes=+5-10", "bytes=5--10", "bytes=--5", "bytes=0x10-0x20", "bytes=1.5-2", "bytes=a-b", "bytes=٣-٤", "", "=",
            "bytes=0-1=2", "bytesx=0-1",
        ]
        for header in headers {
            #expect(ByteRange.answer(header, size: 1000) == Self.whole(1000), "\(header)")
            #expect(ByteRange(header: header) == nil, "\(header)")
        }
    }

    @Test("Ranges built directly resolve without trapping, whatever their values")
    func directRanges() {
        #expect(ByteRange.closed(first: 5, last: 1).resolved(size: 10) == nil)
        #expect(ByteRange.closed(first: 0, last: .max).resolved(size: .max) == 0..<UInt64.max)
        #expect(ByteRange.closed(first: .max, last: .max).resolved(size: .max) == nil)
        #expect(ByteRange.from(.max).resolved(size: .max) == nil)
        #expect(ByteRange.from(0).resolved(size: 0) == nil)
        #expect(ByteRange.suffix(.max).resolved(size: .max) == 0..<UInt64.max)
        #expect(ByteRange.suffix(.max).resolved(size: 1) == 0..<1)
        #expect(ByteRange.suffix(1).resolved(size: .max) == (UInt64.max - 1)..<UInt64.max)
    }

    @Test("Every answer to a two-number range lies within the representation", arguments: [0, 1, 2, 999, 1000, UInt64.max - 1, UInt64.max])
    func withinBounds(_ size: UInt64) {
        let positions: [UInt64] = [0, 1, 2, 998, 999, 1000, 1001, .max / 2, .max - 1, .max]
        for first in positions {
            for last in positions {
                for header in ["bytes=\(first)-\(last)", "bytes=\(first)-", "bytes=-\(last)"] {
                    let answer = ByteRange.answer(header, size: size)
                    #expect(answer.range.upperBound <= size, "\(header) size \(size)")
                    switch answer.status {
                    case .partialContent: #expect(!answer.range.isEmpty && answer.contentRange?.hasSuffix("/\(size)") == true)
                    case .rangeNotSatisfiable: #expect(answer.range.isEmpty && answer.contentRange == "bytes */\(size)")
                    case .ok: #expect(answer.range == 0..<size && answer.contentRange == nil)
                    }
                }
            }
        }
    }
}
