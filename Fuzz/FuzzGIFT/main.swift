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
@_cdecl("FuzzGIFT_main")
func fuzzMain(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.main(argc: argc, argv: argv, GIFTTarget.run)
}
#else
exit(FuzzDriver.main(argc: CommandLine.argc, argv: CommandLine.unsafeArgv, GIFTTarget.run))
#endif
