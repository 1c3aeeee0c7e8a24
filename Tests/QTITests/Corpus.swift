import Foundation
import Testing

/// The shared conformance corpus (`<repo>/../shared/conformance`), found from this file's path;
/// `HOCLIEU_CONFORMANCE_DIR` may point elsewhere. A missing file fails the test that needs it.
enum Corpus {
    static let root: URL = {
        if let override = ProcessInfo.processInfo.environment["HOCLIEU_CONFORMANCE_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        return URL(fileURLWithPath: #filePath)
            .resolvingSymlinksInPath()
            .deletingLastPathComponent()  // Tests/QTITests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // repository root
            .deletingLastPathComponent()  // folder holding the repository and `shared`
            .appendingPathComponent("shared/conformance", isDirectory: true)
    }()

    /// A file or folder of `qti/`, which must exist.
    static func url(_ relativePath: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        let url = root.appendingPathComponent("qti").appendingPathComponent(relativePath)
        try #require(
            FileManager.default.fileExists(atPath: url.path),
            "Conformance corpus entry missing: \(url.path) (set HOCLIEU_CONFORMANCE_DIR or provide ../shared/conformance)",
            sourceLocation: sourceLocation
        )
        return url
    }

    /// The bytes of a file of `qti/`.
    static func data(_ relativePath: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Data {
        try Data(contentsOf: try url(relativePath, sourceLocation: sourceLocation))
    }
}
