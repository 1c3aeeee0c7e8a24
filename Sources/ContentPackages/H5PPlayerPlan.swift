import Foundation

/// What an H5P player must load to run a package: the main library, the libraries' scripts and
/// styles in dependency order (each library after everything it preloads), the content parameters,
/// and the libraries the package needs but does not carry.
///
/// Built from `h5p.json` (`mainLibrary`, `preloadedDependencies`) and each library's `library.json`
/// (`preloadedDependencies`, `preloadedJs`, `preloadedCss`), as the H5P specification lays them out:
/// a library `H5P.MultiChoice` 1.14 lives in the folder `H5P.MultiChoice-1.14/`.
public struct H5PPlayerPlan: Sendable, Equatable {
    /// `"H5P.MultiChoice 1.14"`: the name the H5P core runs (`machineName major.minor`).
    public var mainLibrary: String
    /// Package paths of the scripts, in load order.
    public var scripts: [String]
    /// Package paths of the style sheets, in load order.
    public var styles: [String]
    /// `content/content.json`, as text.
    public var contentJSON: String
    /// The package title (`h5p.json`).
    public var title: String
    /// Libraries asked for (`machineName major.minor`) that the package does not carry.
    public var missing: [String]

    /// The most libraries a plan follows (a package with more is refused).
    public static let maxLibraries = 500

    /// Reads the plan from an archive; throws ``PackageError`` when `h5p.json`, a `library.json` or
    /// the content is unreadable. Missing libraries are listed, not thrown: the player says which.
    public static func make(_ archive: SafeArchive) throws -> H5PPlayerPlan {
        func object(_ path: String) throws -> [String: Any] {
            guard archive.contains(path), let value = try? JSONSerialization.jsonObject(with: archive.data(path, limit: 8 << 20)) as? [String: Any]
            else { throw PackageError.invalid("\(path) thiếu hoặc không phải JSON / is missing or not JSON") }
            return value
        }
        let manifest = try object("h5p.json")
        guard let mainName = manifest["mainLibrary"] as? String else {
            throw PackageError.invalid("h5p.json thiếu mainLibrary / lacks mainLibrary")
        }
        _ = try object("content/content.json")
        let contentJSON = String(decoding: try archive.data("content/content.json", limit: 16 << 20), as: UTF8.self)

        var scripts: [String] = []
        var styles: [String] = []
        var missing: [String] = []
        var done: Set<String> = []
        var visiting: Set<String> = []
        var mainLibrary: String? = nil

        func dependencies(_ value: Any?) -> [(name: String, folder: String, label: String)] {
            // Versions are numbers by the specification, but some tools write them as strings ("1").
            func number(_ value: Any?) -> Int? { (value as? Int) ?? (value as? String).flatMap { Int($0) } }
            return (value as? [[String: Any]] ?? []).compactMap { dependency in
                guard let name = dependency["machineName"] as? String, let major = number(dependency["majorVersion"]),
                    let minor = number(dependency["minorVersion"])
                else { return nil }
                return (name, "\(name)-\(major).\(minor)", "\(name) \(major).\(minor)")
            }
        }
        // Depth first, each library after its own preloaded dependencies; a cycle is broken where it closes.
        func visit(_ library: (name: String, folder: String, label: String)) throws {
            guard !done.contains(library.folder), !visiting.contains(library.folder) else { return }
            guard done.count + visiting.count < maxLibraries else {
                throw PackageError.invalid("quá nhiều thư viện / too many libraries (more than \(maxLibraries))")
            }
            guard archive.contains("\(library.folder)/library.json") else {
                if !missing.contains(library.label) { missing.append(library.label) }
                return
            }
            visiting.insert(library.folder)
            let description = try object("\(library.folder)/library.json")
            for dependency in dependencies(description["preloadedDependencies"]) { try visit(dependency) }
            for (key, into) in [("preloadedCss", false), ("preloadedJs", true)] {
                for file in description[key] as? [[String: Any]] ?? [] {
                    guard let path = file["path"] as? String else { continue }
                    let full = "\(library.folder)/\(path)"
                    guard archive.contains(full) else {
                        missing.append("\(library.label): \(path)")
                        continue
                    }
                    if into { scripts.append(full) } else { styles.append(full) }
                }
            }
            visiting.remove(library.folder)
            done.insert(library.folder)
        }
        for dependency in dependencies(manifest["preloadedDependencies"]) {
            if dependency.name == mainName { mainLibrary = dependency.label }
            try visit(dependency)
        }
        guard let mainLibrary else {
            throw PackageError.invalid("h5p.json không nạp thư viện chính \(mainName) / does not preload its main library")
        }
        return H5PPlayerPlan(
            mainLibrary: mainLibrary, scripts: scripts, styles: styles, contentJSON: contentJSON,
            title: manifest["title"] as? String ?? mainName, missing: missing)
    }
}
