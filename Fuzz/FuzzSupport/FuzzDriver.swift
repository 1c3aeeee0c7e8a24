public import Foundation

#if FUZZING
/// libFuzzer's entry point for programs that keep their own `main` (compiler-rt `FuzzerInterface.h`).
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32
#endif

/// Runs a fuzz target one of two ways, chosen when it is compiled.
///
/// - Built with `-Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library`
///   (`.ci/fuzz.sh`): libFuzzer drives `body` with mutated inputs and takes libFuzzer's arguments
///   (`-max_total_time=60 Fuzz/Corpus/FuzzZip`).
/// - Built normally (`swift build`): a replay program. Each argument is a file or a folder of files,
///   and every file is run through `body` once, so the seed corpus and any crash file reproduce
///   without sanitizers and under a debugger.
///
/// A target reports a broken invariant by trapping (`precondition`), which libFuzzer records as a crash.
public enum FuzzDriver {
    /// The target's body; set once, before libFuzzer or the replay starts, and only read afterwards.
    nonisolated(unsafe) private static var body: ((Data) -> Void)?

    /// Runs `body` as the program's main; returns the exit status.
    public static func main(
        argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>, _ body: @escaping (Data) -> Void
    ) -> Int32 {
        Self.body = body
        #if FUZZING
        var argc = argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
        return LLVMFuzzerRunDriver(&argc, &argv) { bytes, count in
            FuzzDriver.body?(FuzzDriver.data(bytes, count))
            return 0
        }
        #else
        let arguments = (1..<Int(argc)).compactMap { argv[$0].map { String(cString: $0) } }
        return replay(arguments, body)
        #endif
    }

    /// The bytes libFuzzer hands over, as `Data` (nil with no bytes).
    public static func data(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Data {
        guard let bytes, count > 0 else { return Data() }
        return Data(bytes: bytes, count: count)
    }

    /// Runs every file named (or found in a folder named) through `body`; 2 when nothing was given or a
    /// path cannot be read.
    static func replay(_ paths: [String], _ body: (Data) -> Void) -> Int32 {
        guard !paths.isEmpty else {
            FileHandle.standardError.write(Data("usage: \(CommandLine.arguments.first ?? "fuzz") FILE-OR-FOLDER…  (replays each input once)\n".utf8))
            return 2
        }
        var count = 0
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                FileHandle.standardError.write(Data("no such file: \(path)\n".utf8))
                return 2
            }
            let files = isFolder.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { "\(path)/\($0)" }
                : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FileHandle.standardError.write(Data("unreadable: \(file)\n".utf8))
                    return 2
                }
                body(data)
                count += 1
            }
        }
        print("replayed \(count) input(s)")
        return 0
    }
}

/// A file of this process for targets whose API reads from disk; rewritten for each input.
public struct ScratchFile: Sendable {
    public let url: URL

    /// A path under the temporary folder named after the target and the process.
    public init(_ name: String, extension ext: String) {
        let folder = FileManager.default.temporaryDirectory
        url = folder.appendingPathComponent("\(name)-\(ProcessInfo.processInfo.processIdentifier).\(ext)")
    }

    /// Replaces the file's content with `data`.
    public func write(_ data: Data) {
        do {
            try data.write(to: url)
        } catch {
            preconditionFailure("cannot write the scratch file \(url.path): \(error)")
        }
    }
}

/// An input that stands for several files: the main part, then parts that each start with a line
/// `@@@ path` (`\n@@@ word/numbering.xml\n…`). Lets one input carry a manifest and the files it names,
/// or a document and its numbering, while the fuzzer mutates all of them.
public struct MultipartInput {
    public var main: Data
    public var files: [(path: String, data: Data)] = []

    static let marker = Data("\n@@@ ".utf8)

    public init(_ data: Data) {
        var parts: [Data] = []
        var rest = data[...]
        while let found = rest.range(of: Self.marker) {
            parts.append(Data(rest[..<found.lowerBound]))
            rest = rest[found.upperBound...]
        }
        parts.append(Data(rest))
        main = parts[0]
        var seen = Set<String>()
        for part in parts.dropFirst() {
            let newline = part.firstIndex(of: 0x0A) ?? part.endIndex
            // Paths stay short and distinct so the ZIP writer gets what a real producer would give it.
            let path = String(decoding: part[..<newline].prefix(200), as: UTF8.self)
            guard !path.isEmpty, seen.insert(path).inserted else { continue }
            files.append((path, Data(part[newline...].dropFirst())))
        }
    }

    /// Whether the input is already a ZIP archive (then it is used as it is).
    public static func isZip(_ data: Data) -> Bool { data.starts(with: [0x50, 0x4B, 0x03, 0x04]) }
}
