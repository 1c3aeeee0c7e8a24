public import Foundation
public import Testing

/// The shared conformance corpus (`<repo>/../shared/conformance`: files other systems produced), for every
/// test target. Found from this file's path, so it works from any working directory and through symlinked
/// checkouts; `HOCLIEU_CONFORMANCE_DIR` may point elsewhere.
///
/// A fresh clone has no corpus beside it: the tests that need it carry the ``Testing/Trait/needsCorpus``
/// trait and are skipped with the reason printed. With `HOCLIEU_REQUIRE_CORPUS=1` (CI) they run anyway, so
/// a missing corpus fails them with the path it was looked for at: never a silent skip where it must be.
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

    /// Whether the corpus is there: a folder at ``root`` that holds something.
    public static let isPresent: Bool = {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else { return false }
        return !((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).isEmpty
    }()

    /// `HOCLIEU_REQUIRE_CORPUS=1` (or `true`, `yes`): a missing corpus is a failure, not a skip.
    public static let isRequired: Bool = {
        let value = ProcessInfo.processInfo.environment["HOCLIEU_REQUIRE_CORPUS"]?.lowercased() ?? ""
        return ["1", "true", "yes"].contains(value)
    }()

    /// Whether the tests that need the corpus run: it is there, or it is required (and then they fail).
    public static var testsRun: Bool { isPresent || isRequired }

    /// Why a corpus test was skipped, as Swift Testing prints it.
    public static var skipReason: String {
        "needs the conformance corpus, absent at \(root.path) (put shared/conformance beside the repository "
            + "or set HOCLIEU_CONFORMANCE_DIR; HOCLIEU_REQUIRE_CORPUS=1 makes its absence a failure)"
    }

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

/// Small files the project writes itself (`Tests/Fixtures/`): synthetic packages, manifests, question
/// files and CASE packages, so every module has real-file tests on a fresh clone without the corpus.
public enum Fixtures {
    /// `Tests/Fixtures` of this checkout.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .resolvingSymlinksInPath()
        .deletingLastPathComponent()  // Tests/ConformanceCorpus
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fixtures", isDirectory: true)

    /// A fixture file or folder (relative to `Tests/Fixtures`), which must exist.
    public static func url(_ relativePath: String) throws -> URL {
        let url = root.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else { throw ConformanceCorpus.Missing(path: url.path) }
        return url
    }

    /// The bytes of a fixture file.
    public static func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: try url(relativePath))
    }
}

extension Trait where Self == ConditionTrait {
    /// The test (or suite) reads the external conformance corpus: skipped, with the reason printed, when
    /// the corpus is absent, unless `HOCLIEU_REQUIRE_CORPUS=1` asks for it to fail instead.
    public static var needsCorpus: Self {
        .enabled(if: ConformanceCorpus.testsRun, Comment(rawValue: ConformanceCorpus.skipReason))
    }
}
