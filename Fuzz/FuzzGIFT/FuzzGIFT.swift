import Foundation
import FuzzSupport
import QuestionFormats

/// The GIFT parser: an input is GIFT text (bytes that are not UTF-8 are read as Windows-1252, as
/// teachers' files are). Every question it returns must be counted in its report.
enum GIFTTarget {
    static func run(_ data: Data) {
        let result = GIFTImporter.importQuestions(from: data, options: QuestionImportOptions(partial: true))
        precondition(result.questions.count <= result.report.entries.count, "more questions than report entries")
    }
}

#if FUZZING
/// libFuzzer's per-input entry point (its own `main` links against it).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    GIFTTarget.run(FuzzDriver.data(bytes, count))
    return 0
}

@_cdecl("FuzzGIFT_main")
func fuzzMain(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.main(argc: argc, argv: argv, GIFTTarget.run)
}
#else
/// The replay program of a normal build: `FuzzGIFT FILE-OR-FOLDER…` runs each input once.
@main
enum Replay {
    static func main() {
        exit(FuzzDriver.main(argc: CommandLine.argc, argv: CommandLine.unsafeArgv, GIFTTarget.run))
    }
}
#endif
