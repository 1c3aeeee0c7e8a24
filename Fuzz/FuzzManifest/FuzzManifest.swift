import CommonCartridge
import ContentPackages
import Foundation
import FuzzSupport

/// The cartridge reader from `imsmanifest.xml` on: the manifest is streamed, validated against the
/// CC schema it names, and turned into a plan (resources, organisation, dependencies, the files each
/// resource reads). An input is the manifest, optionally followed by `@@@ path` parts for the files it
/// names (see ``MultipartInput``), zipped together; an input that is already a ZIP is used whole.
enum ManifestTarget {
    static let scratch = ScratchFile("FuzzManifest", extension: "imscc")
    static let limits = ArchiveLimits(maxEntries: 2_000, maxExpandedBytes: 16 << 20, maxRatio: 200)

    static func run(_ data: Data) {
        if MultipartInput.isZip(data) {
            scratch.write(data)
        } else {
            let input = MultipartInput(data)
            let files = [(path: "imsmanifest.xml", data: input.main)] + input.files.filter { $0.path != "imsmanifest.xml" }
            scratch.write(StoredZipWriter.archive(files))
        }
        _ = try? CartridgeReader.read(contentsOf: scratch.url, limits: limits)
    }
}

#if FUZZING
/// libFuzzer's per-input entry point (its own `main` links against it).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    ManifestTarget.run(FuzzDriver.data(bytes, count))
    return 0
}

@_cdecl("FuzzManifest_main")
func fuzzMain(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.main(argc: argc, argv: argv, ManifestTarget.run)
}
#else
/// The replay program of a normal build: `FuzzManifest FILE-OR-FOLDER…` runs each input once.
@main
enum Replay {
    static func main() {
        exit(FuzzDriver.main(argc: CommandLine.argc, argv: CommandLine.unsafeArgv, ManifestTarget.run))
    }
}
#endif
