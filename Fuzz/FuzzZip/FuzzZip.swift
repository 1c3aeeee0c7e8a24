import ContentPackages
import Foundation
import FuzzSupport

/// The ZIP reader: end records, ZIP64 records and locator, central directory, local headers, stored and
/// deflated data, ranges, then package detection on what it accepted. An input is an archive's bytes.
enum ZipTarget {
    static let scratch = ScratchFile("FuzzZip", extension: "zip")
    /// Small enough that one input cannot spend seconds expanding.
    static let limits = ArchiveLimits(maxEntries: 512, maxExpandedBytes: 4 << 20, maxRatio: 200)

    static func run(_ data: Data) {
        scratch.write(data)
        let archive: SafeArchive
        do { archive = try SafeArchive(url: scratch.url, limits: limits) } catch { return }
        precondition(archive.paths.count <= limits.maxEntries && archive.expandedBytes <= limits.maxExpandedBytes)
        for path in archive.paths.prefix(16) {
            guard let entry = archive.entry(path) else { preconditionFailure("\(path) is listed without an entry") }
            if let bytes = try? archive.data(entry, limit: 1 << 20) {
                precondition(UInt64(bytes.count) == entry.uncompressedSize, "\(path): whole entry of the wrong length")
            }
            let size = entry.uncompressedSize
            for range in [0..<min(size, 10), size / 2..<size, size..<size] {
                guard let reader = try? archive.reader(entry, range: range) else { continue }
                var handedOut: UInt64 = 0
                do {
                    while let chunk = try reader.next(maxBytes: 4096) {
                        precondition(!chunk.isEmpty && chunk.count <= 4096, "\(path): chunk of \(chunk.count) bytes")
                        handedOut += UInt64(chunk.count)
                    }
                    precondition(handedOut == range.upperBound - range.lowerBound, "\(path): \(handedOut) bytes for \(range)")
                } catch {
                    precondition(handedOut <= range.upperBound - range.lowerBound, "\(path): \(handedOut) bytes for \(range)")
                }
            }
        }
        _ = try? archive.verify()
        _ = try? PackageInspector.inspect(archive)
    }
}

#if FUZZING
/// libFuzzer's per-input entry point (its own `main` links against it).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    ZipTarget.run(FuzzDriver.data(bytes, count))
    return 0
}

@_cdecl("FuzzZip_main")
func fuzzMain(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    FuzzDriver.main(argc: argc, argv: argv, ZipTarget.run)
}
#else
/// The replay program of a normal build: `FuzzZip FILE-OR-FOLDER…` runs each input once.
@main
enum Replay {
    static func main() {
        exit(FuzzDriver.main(argc: CommandLine.argc, argv: CommandLine.unsafeArgv, ZipTarget.run))
    }
}
#endif
