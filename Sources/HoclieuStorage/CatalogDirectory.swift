public import Foundation
public import HoclieuCore

/// Reads a catalogue folder (`Catalog/`) from disk for ``CatalogReader``.
public enum CatalogDirectory {
    /// The catalogue files under `root`: `subjects.csv`, `cognitive-levels.csv`, `frameworks/*.csv`.
    public static func files(at root: URL) throws -> [(path: String, contents: Data)] {
        var files: [(path: String, contents: Data)] = []
        for name in ["subjects.csv", "cognitive-levels.csv"] {
            let url = root.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: url.path) { files.append((name, try Data(contentsOf: url))) }
        }
        let frameworks = root.appendingPathComponent("frameworks", isDirectory: true)
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: frameworks.path)) ?? []).sorted() where name.hasSuffix(".csv") {
            files.append(("frameworks/\(name)", try Data(contentsOf: frameworks.appendingPathComponent(name))))
        }
        return files
    }

    /// Reads and checks the catalogue under `root`.
    public static func read(_ root: URL) throws -> (CatalogData, [CatalogDiagnostic]) {
        CatalogReader.read(files: try files(at: root))
    }
}
