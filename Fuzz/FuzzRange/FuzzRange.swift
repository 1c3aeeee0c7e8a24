import Foundation
import FuzzSupport
import HoclieuCore

/// The HTTP `Range` parser and its answer. An input is a header value; it is answered for
/// representations of several sizes (empty, tiny, ordinary, 2^64 − 1, and one taken from the input),
/// and every answer must lie within the representation and say so in its `Content-Range`.
enum RangeTarget {
    static func run(_ data: Data) {
        let header = String(decoding: data, as: UTF8.self)
        var fromInput: UInt64 = 0
        for byte in data.prefix(8) { fromInput = fromInput << 8 | UInt64(byte) }
        let parsed = ByteRange(header: header)
        for size: UInt64 in [0, 1, 1000, .max, fromInput] {
            let answer = ByteRange.answer(header, size: size)
            precondition(answer.range.upperBound <= size, "\(header): \(answer.range) beyond \(size)")
            switch answer.status {
            case .ok:
                precondition(parsed == nil && answer.range == 0..<size && answer.contentRange == nil, "\(header): 200 with \(answer)")
            case .partialContent:
                precondition(!answer.range.isEmpty, "\(header): empty 206")
                precondition(answer.contentRange == "bytes \(answer.range.lowerBound)-\(answer.range.upperBound - 1)/\(size)", "\(header)")
                precondition(parsed?.resolved(size: size) == answer.range, "\(header): answer differs from the parsed range")
            case .rangeNotSatisfiable:
                precondition(answer.range.isEmpty && answer.contentRange == "bytes */\(size)", "\(header): 416 with \(answer)")
            }
        }
    }
}

#if FUZZING
/// libFuzzer's per-input entry point (its own `main` links against it).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    RangeTarget.run(FuzzDriver.data(bytes, count))
    return 0
}

@_cdecl("FuzzRange_main")
func fuzzMain(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.main(argc: argc, argv: argv, RangeTarget.run)
}
#else
/// The replay program of a normal build: `FuzzRange FILE-OR-FOLDER…` runs each input once.
@main
enum Replay {
    static func main() {
        exit(FuzzDriver.main(argc: CommandLine.argc, argv: CommandLine.unsafeArgv, RangeTarget.run))
    }
}
#endif
