public import Foundation

/// The shared conformance corpus (`<repo>/../shared/conformance`: files other systems produced), for every
/// test target. Found from this file's path, so it works from any working directory and through symlinked
/// checkouts; `HOCLIEU_CONFORMANCE_DIR` may point elsewhere. A missing entry is an error naming the path:
/// tests never pass silently without the corpus.
public enum ConformanceCorpus {
    public static let root: URL = {
        if let override = ProcessInfo.processInfo.environment["HOCLIEU_CONFORMANCE_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        return URL(fileURLWithPath: #filePath)
            .resolvingSymlinksInPath()
            .deletingLastPathComponent()  // Tests/ConformanceCorpus
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // repository root
            .deletingLastPathComponent()  // folder holding the repository and `shared`
            .appendingPathComponent("shared/conformance", isDirectory: true)
    }()

    /// A corpus entry that is not there.
    public struct Missing: Error, CustomStringConvertible {
        public let path: String
        public var description: String {
            "Conformance corpus entry missing: \(path). These tests need the shared corpus at <repo>/../shared/conformance "
                + "(see shared/conformance/README.md) or HOCLIEU_CONFORMANCE_DIR."
        }
    }

    /// A corpus file or folder (relative to the corpus root), which must exist.
    public static func url(_ relativePath: String) throws -> URL {
        let url = root.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(path: url.path) }
        return url
    }

    /// The bytes of a corpus file.
    public static func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: try url(relativePath))
    }

    /// The files under a corpus folder with one of `extensions`, relative to that folder, sorted.
    public static func files(under folder: String, extensions: Set<String>) -> [String] {
        let base = root.appendingPathComponent(folder)
        guard let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        var found: [String] = []
        for case let url as URL in enumerator where extensions.contains(url.pathExtension.lowercased()) {
            found.append(String(url.path.dropFirst(base.path.count + 1)))
        }
        return found.sorted()
    }
}
