import ContentPackages
import Foundation
import FuzzSupport
import QuestionFormats

/// The Word question parser. An input is `word/document.xml`, optionally followed by `@@@ path` parts
/// (`word/numbering.xml`, `word/styles.xml`, relationships, media; see ``MultipartInput``), zipped
/// into a .docx, so mutations reach the paragraph and question rules rather than dying in the ZIP
/// layer; an input that is already a ZIP is read as a whole .docx.
enum DocxTarget {
    static func run(_ data: Data) {
        let file: Data
        if MultipartInput.isZip(data) {
            file = data
        } else {
            let input = MultipartInput(data)
            file = StoredZipWriter.archive([(path: "word/document.xml", data: input.main)] + input.files.filter { $0.path != "word/document.xml" })
        }
        let result = DocxImporter.importQuestions(from: file, options: QuestionImportOptions(partial: true, maxBytes: 4 << 20))
        precondition(result.questions.count <= result.report.entries.count, "more questions than report entries")
    }
}

#if FUZZING
/// libFuzzer's per-input entry point (its own `main` links against it).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    DocxTarget.run(FuzzDriver.data(bytes, count))
    return 0
}

@_cdecl("FuzzDocx_main")
func fuzzMain(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.main(argc: argc, argv: argv, DocxTarget.run)
}
#else
/// The replay program of a normal build: `FuzzDocx FILE-OR-FOLDER…` runs each input once.
@main
enum Replay {
    static func main() {
        exit(FuzzDriver.main(argc: CommandLine.argc, argv: CommandLine.unsafeArgv, DocxTarget.run))
    }
}
#endif
