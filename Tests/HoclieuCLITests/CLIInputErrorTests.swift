import Foundation
import Testing

/// The `hoclieu` executable built beside the test bundle.
private let executable: URL = {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var folder = bundle.deletingLastPathComponent()
    // `…/debug/hoclieuPackageTests.xctest` (Linux) or `…/debug/hoclieuPackageTests.xctest/Contents/MacOS/…` (macOS).
    while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("hoclieu").path), folder.pathComponents.count > 1 {
        folder.deleteLastPathComponent()
    }
    return folder.appendingPathComponent("hoclieu")
}()

/// Every command given a missing file, a folder, an empty or unreadable file, or a file of the wrong kind answers
/// with one line in Vietnamese and English and a non-zero exit: never Foundation's `Error Domain=…` dump.
/// Runs the real executable, as a person would.
@Suite("Command line: bad input files")
struct CLIInputErrorTests {
    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    /// A temporary folder with a data folder (admin created by `user add`) and files of each kind.
    final class Workspace {
        let root: URL
        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-cli-errors-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root.appendingPathComponent("folder"), withIntermediateDirectories: true)
            try Data("nội dung".utf8).write(to: root.appendingPathComponent("folder/bai.txt"))
            try Data().write(to: root.appendingPathComponent("empty.json"))
            try Data().write(to: root.appendingPathComponent("empty.zip"))
            // A PNG signature and a few bytes: no command reads it as a question file, a framework or a backup.
            try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D]).write(to: root.appendingPathComponent("photo.png"))
            try Data("Đây không phải bản sao lưu.".utf8).write(to: root.appendingPathComponent("notes.txt"))
        }
        deinit { try? FileManager.default.removeItem(at: root) }
        func path(_ name: String) -> String { root.appendingPathComponent(name).path }
    }

    static func run(_ arguments: [String], in workspace: Workspace) throws -> Run {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments + ["--data", workspace.path("data")]
        var environment = ProcessInfo.processInfo.environment
        environment["HOCLIEU_BCRYPT_COST"] = "4"
        process.environment = environment
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self), error: String(decoding: err, as: UTF8.self))
    }

    /// `(arguments, what the one line must say)`; `{w}` is the workspace folder.
    static let table: [([String], String)] = [
        (["import", "{w}/missing.pdf"], "no such file or folder: {w}/missing.pdf"),
        (["import", "{w}/folder"], "is a folder, not a file"),
        (["import", "{w}/empty.json"], "the file is empty: {w}/empty.json"),
        (["import", "--questions", "{w}/photo.png"], "Unrecognised question file format"),
        (["import", "--questions", "{w}/folder"], "is a folder, not a file"),
        (["catalog", "import", "{w}/missing.json"], "no such file or folder"),
        (["catalog", "import", "{w}/folder"], "is a folder, not a file"),
        (["catalog", "import", "{w}/empty.json"], "the file is empty"),
        (["catalog", "import", "{w}/photo.png"], "expected a CASE CFPackage (.json) or a framework CSV (.csv)"),
        (["catalog", "validate", "{w}/missing"], "no such file or folder"),
        (["catalog", "validate", "{w}/notes.txt"], "is a file, not a folder"),
        (["restore", "{w}/missing.zip"], "no such file or folder"),
        (["restore", "{w}/folder"], "is a folder, not a file"),
        (["restore", "{w}/empty.zip"], "the file is empty"),
        (["restore", "{w}/notes.txt"], "a .zip backup made by `hoclieu backup`"),
        (["backup", "{w}/folder"], "cannot write there"),
        (["export", "--format", "gift", "--all", "--out", "{w}/folder"], "could not be read or written"),
    ]

    @Test("One bilingual line and a non-zero exit for each bad input", arguments: table.indices)
    func badInput(_ index: Int) throws {
        let workspace = try Workspace()
        _ = try Self.run(["user", "add", "admin", "--role", "admin", "--password", "admin-test-pw"], in: workspace)
        let (template, expected) = Self.table[index]
        let arguments = template.map { $0.replacingOccurrences(of: "{w}", with: workspace.root.path) }
        let run = try Self.run(arguments, in: workspace)
        let text = run.output + run.error
        #expect(run.status != 0, "\(arguments): exit \(run.status)\n\(text)")
        #expect(!text.contains("Error Domain") && !text.contains("NSCocoaErrorDomain") && !text.contains("UserInfo"), "\(arguments):\n\(text)")
        let line = try #require(
            text.split(separator: "\n").first { $0.contains(expected.replacingOccurrences(of: "{w}", with: workspace.root.path)) },
            "\(arguments):\n\(text)")
        #expect(line.contains(" / "), "Vietnamese and English: \(line)")
        if !arguments.contains("import") || arguments.contains("catalog") {
            // Commands without a report: the line alone, on standard error.
            #expect(run.output.isEmpty, "\(arguments): \(run.output)")
            #expect(run.error.split(separator: "\n").count == 1, "\(arguments):\n\(run.error)")
        }
    }

    @Test("An unreadable file is named as such", .enabled(if: geteuid() != 0, "root reads every file: no unreadable file can be made"))
    func unreadable() throws {
        let workspace = try Workspace()
        _ = try Self.run(["user", "add", "admin", "--role", "admin", "--password", "admin-test-pw"], in: workspace)
        let file = workspace.path("secret.json")
        try Data("{}".utf8).write(to: URL(fileURLWithPath: file))
        chmod(file, 0)
        for arguments in [["import", file], ["catalog", "import", file], ["restore", file]] {
            let run = try Self.run(arguments, in: workspace)
            #expect(run.status != 0)
            #expect((run.output + run.error).contains("cannot read the file (permission denied)"), "\(arguments): \(run.output + run.error)")
        }
    }
}
