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
            .deletingLastPathComponent()  // Tests/CommonCartridgeTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // repository root
            .deletingLastPathComponent()  // folder holding the repository and `shared`
            .appendingPathComponent("shared/conformance", isDirectory: true)
    }()

    /// A file of `cc/`, which must exist.
    static func url(_ relativePath: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        let url = root.appendingPathComponent("cc").appendingPathComponent(relativePath)
        try #require(
            FileManager.default.fileExists(atPath: url.path),
            "Conformance corpus entry missing: \(url.path) (set HOCLIEU_CONFORMANCE_DIR or provide ../shared/conformance)",
            sourceLocation: sourceLocation
        )
        return url
    }

    /// Every archive under `cc/`, relative to it, sorted.
    static var cartridges: [String] {
        let base = root.appendingPathComponent("cc")
        guard let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        var found: [String] = []
        for case let url as URL in enumerator where ["imscc", "zip"].contains(url.pathExtension.lowercased()) {
            found.append(String(url.path.dropFirst(base.path.count + 1)))
        }
        return found.sorted()
    }
}
