public import Foundation
public import HoclieuXML

/// What a package is, detected from its content (never from its file name).
public enum PackageKind: String, Codable, Sendable {
    case scorm12
    case scorm2004
    case imsContentPackage = "ims_cp"
    case h5p
    case geogebra
    case html5
}

/// One sharable content object of a SCORM package.
public struct SCO: Codable, Sendable, Equatable {
    public var identifier: String
    public var title: String
    public var href: String?
}

/// One entry of a package's organisation tree (the table of contents a player shows).
public struct OutlineItem: Codable, Sendable, Equatable {
    public var identifier: String
    public var title: String
    /// The resource's launch path with the item's parameters; nil for a pure grouping item.
    public var href: String?
    public var isSCO: Bool
    public var children: [OutlineItem]
    /// SCORM 1.2 `adlcp:prerequisites` as written: kept for the record, not enforced by the preview player.
    public var prerequisites: String?

    public init(identifier: String, title: String, href: String?, isSCO: Bool, children: [OutlineItem], prerequisites: String? = nil) {
        self.identifier = identifier
        self.title = title
        self.href = href
        self.isSCO = isSCO
        self.children = children
        self.prerequisites = prerequisites
    }
}

/// What a package says about itself: prefills the material's metadata (the teacher's values win).
public struct PackageReport: Codable, Sendable {
    public var kind: PackageKind
    public var title: String?
    public var description: String?
    public var language: String?
    public var keywords: [String] = []
    public var authors: [String] = []
    public var licence: String?
    /// SCORM/IMS CP `schemaversion`, H5P main library.
    public var version: String?
    /// The file a player opens first.
    public var launch: String?
    public var scos: [SCO] = []
    /// The default organisation as a tree (SCORM and IMS CP).
    public var outline: [OutlineItem] = []
    public var entryCount: Int
    public var expandedBytes: Int64
    /// Problems a player would survive; shown to reviewers.
    public var warnings: [String] = []
}

/// Why a package is refused.
public enum PackageError: Error, Sendable, CustomStringConvertible {
    case archive(ArchiveError)
    /// The manifest is not well-formed XML (line and column in the diagnostics).
    case malformedManifest(path: String, [XMLDiagnostic])
    case invalid(String)
    case notAPackage

    public var description: String {
        switch self {
        case .archive(let error): error.description
        case .malformedManifest(let path, let diagnostics):
            "\(path) không phải XML hợp lệ / is not well-formed XML: "
                + diagnostics.prefix(3).map { "line \($0.line) column \($0.column): \($0.message)" }.joined(separator: "; ")
        case .invalid(let why): why
        case .notAPackage: "không nhận ra gói nội dung (SCORM, IMS CP, H5P, GeoGebra, HTML5) / not a recognised content package"
        }
    }
}

/// Detects and describes SCORM 1.2/2004, IMS CP, H5P, GeoGebra and HTML5 packages.
public enum PackageInspector {
    /// Detects and describes the package at `url`; with `verify`, every entry is also read through and
    /// its CRC checked (as `unzip -t` does), so a damaged upload is refused now, not found out in a preview.
    public static func inspect(_ url: URL, limits: ArchiveLimits = .init(), verify: Bool = true) throws(PackageError) -> PackageReport {
        let archive: SafeArchive
        do { archive = try SafeArchive(url: url, limits: limits) } catch { throw .archive(error) }
        let report = try inspect(archive)
        if verify {
            do { try archive.verify() } catch { throw .archive(error) }
        }
        return report
    }

    /// Detects and describes an archive already opened (its entries are not verified again).
    public static func inspect(_ archive: SafeArchive) throws(PackageError) -> PackageReport {
        do {
            if archive.contains("imsmanifest.xml") { return try manifest(archive) }
            if archive.contains("h5p.json") { return try h5p(archive) }
            if archive.contains("geogebra.xml") {
                return PackageReport(kind: .geogebra, launch: "geogebra.xml", entryCount: archive.paths.count, expandedBytes: archive.expandedBytes)
            }
            for name in ["imsmanifest.xml", "h5p.json"] {
                if let nested = archive.paths.first(where: { $0.hasSuffix("/\(name)") }) {
                    throw PackageError.invalid("\(name) phải ở thư mục gốc của gói / must be at the package root (found \(nested))")
                }
            }
            // AICC course structure files: .crs, .au, .des, .cst, .ort, .pre, .cmp.
            let aicc: Set<String> = ["crs", "au", "des", "cst", "ort", "pre", "cmp"]
            if archive.paths.contains(where: { aicc.contains(pathExtension($0).lowercased()) }) {
                throw PackageError.invalid("gói AICC chưa được hỗ trợ; hãy xuất SCORM / AICC packages are not supported: export SCORM instead")
            }
            let index = archive.paths.first { $0.lowercased() == "index.html" || $0.lowercased() == "index.htm" }
                ?? archive.paths.first { p in p.split(separator: "/").count == 2 && ["index.html", "index.htm"].contains(p.split(separator: "/")[1].lowercased()) }
            if let index { return try html5(archive, index: index) }
            throw PackageError.notAPackage
        } catch let error as PackageError {
            throw error
        } catch let error as ArchiveError {
            throw .archive(error)
        } catch {
            throw .invalid("\(error)")
        }
    }

    /// The extension of a path's last component (`course.CRS` → `CRS`; none for `.hidden`), worked out on
    /// the string: Foundation's `NSString.pathExtension` traps on some names an archive can hold
    /// (`5p.json//_//\u{FFFD}`, found by fuzzing).
    static func pathExtension(_ path: String) -> Substring {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...]
    }

    static func xml(_ archive: SafeArchive, _ path: String) throws -> XMLDocument {
        let data = try archive.data(path)
        do {
            return try XMLDocument(data: data)
        } catch let XMLError.malformed(diagnostics) {
            throw PackageError.malformedManifest(path: path, diagnostics)
        } catch {
            throw PackageError.invalid("\(path): \(error)")
        }
    }

    static func manifest(_ archive: SafeArchive) throws -> PackageReport {
        let doc = try xml(archive, "imsmanifest.xml")
        func first(_ xpath: String) throws -> String? {
            let text = try doc.selectString("normalize-space(\(xpath))")
            return text.isEmpty ? nil : text
        }
        func first(in element: XMLElement, _ xpath: String) throws -> String? {
            let text = try element.selectString("normalize-space(\(xpath))")
            return text.isEmpty ? nil : text
        }
        let schemaVersion = try first("//*[local-name()='metadata'][1]/*[local-name()='schemaversion']")
        let namespaces = Set(try doc.selectStrings("//namespace::*"))
        let kind: PackageKind
        if let v = schemaVersion?.lowercased(), v.contains("2004") || v.contains("cam 1.3") {
            kind = .scorm2004
        } else if schemaVersion == "1.2" || namespaces.contains("http://www.adlnet.org/xsd/adlcp_rootv1p2") {
            kind = .scorm12
        } else if namespaces.contains("http://www.adlnet.org/xsd/adlcp_v1p3") {
            kind = .scorm2004
        } else {
            kind = .imsContentPackage
        }
        var report = PackageReport(kind: kind, entryCount: archive.paths.count, expandedBytes: archive.expandedBytes)
        report.version = schemaVersion
        if let edition = ManifestSchemas.edition(rootNamespace: doc.root?.namespaceURI, schemaVersion: schemaVersion, kind: kind) {
            report.warnings += ManifestSchemas.warnings(for: doc, edition: edition)
        }
        let lomTitle = "//*[local-name()='lom']/*[local-name()='general']/*[local-name()='title']"
        report.description = try first(
            "//*[local-name()='lom']/*[local-name()='general']/*[local-name()='description']//*[local-name()='string' or local-name()='langstring'][1]")
        report.language = try first("//*[local-name()='lom']/*[local-name()='general']/*[local-name()='language'][1]")
        report.keywords = try doc.selectStrings(
            "//*[local-name()='lom']/*[local-name()='general']/*[local-name()='keyword']//*[local-name()='string' or local-name()='langstring']")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }

        // Resources: hrefs that resolve, SCOs, the launch file.
        var hrefByResource: [String: String] = [:]
        var scoResources = Set<String>()
        for resource in try doc.select("//*[local-name()='resource']") {
            guard let id = resource.attribute("identifier") else { continue }
            let base = resource.attribute("base", namespace: "http://www.w3.org/XML/1998/namespace") ?? ""
            if let href = resource.attribute("href") {
                // The file part of the address: `?` and `#` alone (or first) leave an empty path.
                let path = (base + href).prefix { $0 != "?" && $0 != "#" }
                let file = String(path).removingPercentEncoding ?? String(path)
                hrefByResource[id] = base + href
                if !file.hasPrefix("http"), !archive.contains(file) {
                    report.warnings.append("tệp khởi chạy không có trong gói / launch file missing: \(file) (resource \(id))")
                }
            }
            let type = resource.attributes.first { $0.name.lowercased() == "scormtype" }?.value.lowercased()
            if type == "sco" { scoResources.insert(id) }
            for file in try resource.select("*[local-name()='file']/@href") where !file.text.isEmpty {
                let path = base + file.text
                if !path.hasPrefix("http"), !archive.contains(path.removingPercentEncoding ?? path) {
                    report.warnings.append("tệp khai báo không có trong gói / listed file missing: \(path)")
                }
            }
        }
        let organization = try chooseOrganization(doc, launchable: hrefByResource, report: &report)
        report.title = try organization.flatMap { try first(in: $0, "*[local-name()='title']") }
            ?? first("\(lomTitle)//*[local-name()='string' or local-name()='langstring'][1]")
        var withPrerequisites: [String] = []
        for item in try organization?.select(".//*[local-name()='item'][@identifierref]") ?? [] {
            guard let ref = item.attribute("identifierref") else { continue }
            let title = (try? item.selectString("normalize-space(*[local-name()='title'])")) ?? ""
            let href = hrefByResource[ref].map { $0 + (item.attribute("parameters") ?? "") }
            if report.launch == nil { report.launch = href }
            if scoResources.contains(ref) || kind == .imsContentPackage {
                report.scos.append(SCO(identifier: item.attribute("identifier") ?? ref, title: title, href: href))
            }
            if hrefByResource[ref] == nil {
                report.warnings.append("item \(item.attribute("identifier") ?? "?") trỏ tới tài nguyên không có / refers to unknown resource \(ref)")
            }
        }
        if report.launch == nil {
            throw PackageError.invalid("gói không có tệp khởi chạy / no item points at a launchable resource")
        }
        func outline(_ item: XMLElement) -> [OutlineItem] {
            let prerequisites = item.children.first { $0.name == "prerequisites" }?.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if let prerequisites, !prerequisites.isEmpty { withPrerequisites.append(item.attribute("identifier") ?? "?") }
            let children = item.children.filter { $0.name == "item" }.flatMap(outline)
            // `isvisible="false"`: not shown in the table of contents (the player still sequences it);
            // what it holds moves up one level.
            if item.attribute("isvisible")?.trimmingCharacters(in: .whitespaces).lowercased() == "false" { return children }
            let ref = item.attribute("identifierref")
            return [
                OutlineItem(
                    identifier: item.attribute("identifier") ?? "",
                    title: item.children.first { $0.name == "title" }?.text.trimmingCharacters(in: .whitespacesAndNewlines) ?? "",
                    href: ref.flatMap { hrefByResource[$0] }.map { $0 + (item.attribute("parameters") ?? "") },
                    isSCO: ref.map { scoResources.contains($0) } ?? false,
                    children: children,
                    prerequisites: prerequisites?.isEmpty == false ? prerequisites : nil)
            ]
        }
        report.outline = organization?.children.filter { $0.name == "item" }.flatMap(outline) ?? []
        if !withPrerequisites.isEmpty {
            let listed = withPrerequisites.prefix(5).joined(separator: ", ") + (withPrerequisites.count > 5 ? ", …" : "")
            report.warnings.append(
                "điều kiện tiên quyết (adlcp:prerequisites) được giữ nhưng trình phát không áp dụng / "
                    + "prerequisites are kept but not enforced by the player: \(withPrerequisites.count) item (\(listed))")
        }
        return report
    }

    /// The organisation a player shows: the one `<organizations default>` names, as SCORM says. Real
    /// packages name one that does not exist, or one without a launchable item; players (Moodle, SCORM
    /// Cloud) then take the first organisation that has one, and so does this, with a warning. Nil only
    /// when no organisation has a launchable item.
    static func chooseOrganization(_ doc: XMLDocument, launchable: [String: String], report: inout PackageReport) throws -> XMLElement? {
        let container = try doc.select("//*[local-name()='organizations']").first
        let organizations = container?.children.filter { $0.name == "organization" } ?? []
        guard !organizations.isEmpty else {
            report.warnings.append("không có organization / the manifest has no organization")
            return nil
        }
        func hasLaunchableItem(_ organization: XMLElement) throws -> Bool {
            try organization.select(".//*[local-name()='item'][@identifierref]").contains { item in
                item.attribute("identifierref").flatMap { launchable[$0] } != nil
            }
        }
        func name(_ organization: XMLElement) -> String { organization.attribute("identifier") ?? "?" }
        let defaultID = container?.attribute("default")?.trimmingCharacters(in: .whitespacesAndNewlines)
        let named = defaultID.flatMap { id in organizations.first { $0.attribute("identifier") == id } }
        if let named, try hasLaunchableItem(named) { return named }
        guard let fallback = try organizations.first(where: hasLaunchableItem) else { return named ?? organizations[0] }
        if let defaultID, !defaultID.isEmpty, named == nil {
            report.warnings.append(
                "organizations default=\"\(defaultID)\" không trỏ tới organization nào; dùng organization đầu tiên \"\(name(fallback))\" / "
                    + "names no organization; the first one, \"\(name(fallback))\", is used (as Moodle and SCORM Cloud do)")
        } else if let named {
            report.warnings.append(
                "organization mặc định \"\(name(named))\" không có mục khởi chạy được; dùng \"\(name(fallback))\" / "
                    + "the default organization \"\(name(named))\" has no launchable item; \"\(name(fallback))\" is used")
        }
        return fallback
    }

    static func h5p(_ archive: SafeArchive) throws -> PackageReport {
        guard let object = (try? JSONSerialization.jsonObject(with: archive.data("h5p.json"))) as? [String: Any] else {
            throw PackageError.invalid("h5p.json không phải một đối tượng JSON / is not a JSON object")
        }
        guard let title = object["title"] as? String, let main = object["mainLibrary"] as? String,
            let dependencies = object["preloadedDependencies"] as? [[String: Any]]
        else {
            throw PackageError.invalid("h5p.json thiếu title, mainLibrary hoặc preloadedDependencies / lacks required fields")
        }
        guard archive.contains("content/content.json") else { throw PackageError.invalid("thiếu / missing content/content.json") }
        guard (try? JSONSerialization.jsonObject(with: archive.data("content/content.json"))) is [String: Any] else {
            throw PackageError.invalid("content/content.json không phải JSON hợp lệ / is not valid JSON")
        }
        var report = PackageReport(kind: .h5p, entryCount: archive.paths.count, expandedBytes: archive.expandedBytes)
        report.title = title
        report.version = main
        report.language = object["language"] as? String
        report.licence = object["license"] as? String
        report.authors = (object["authors"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        report.launch = "content/content.json"
        if dependencies.isEmpty { report.warnings.append("không khai báo thư viện / no preloaded dependencies") }
        report.warnings += try h5pLibraries(archive)
        // SVG images run scripts when opened directly: refuse any that carry script or event handlers.
        for path in archive.paths where path.lowercased().hasSuffix(".svg") {
            let text = String(decoding: try archive.data(path, limit: 4 << 20), as: UTF8.self).lowercased()
            if text.contains("<script") || text.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) != nil || text.contains("javascript:") {
                throw PackageError.invalid("ảnh SVG chứa mã lệnh / SVG with a script payload: \(path)")
            }
        }
        return report
    }

    /// The H5P core API level the checks are written against; libraries asking for more get a warning.
    static let h5pCoreAPI = (major: 1, minor: 26)

    /// Checks each bundled library: a player could not load one whose `library.json` is broken, whose
    /// folder does not match its name and version, or whose preloaded files are missing (errors);
    /// broken translations or a newer core API are warnings.
    static func h5pLibraries(_ archive: SafeArchive) throws -> [String] {
        var warnings: [String] = []
        let folders = Set(archive.paths.compactMap { p -> String? in
            let parts = p.split(separator: "/")
            return parts.count > 1 && parts[0] != "content" ? String(parts[0]) : nil
        })
        for folder in folders.sorted() {
            guard folder.range(of: #"^[A-Za-z0-9._-]+-[0-9]+\.[0-9]+$"#, options: .regularExpression) != nil else {
                throw PackageError.invalid("thư mục thư viện sai dạng / malformed library folder name: \(folder)")
            }
            guard archive.contains("\(folder)/library.json") else {
                warnings.append("thư mục không có library.json / folder without library.json: \(folder)")
                continue
            }
            guard let library = try? JSONSerialization.jsonObject(with: archive.data("\(folder)/library.json")) as? [String: Any] else {
                throw PackageError.invalid("\(folder)/library.json không phải JSON hợp lệ / is not valid JSON")
            }
            let missing = ["title", "machineName", "majorVersion", "minorVersion", "patchVersion", "runnable"].filter { library[$0] == nil }
            guard missing.isEmpty else {
                throw PackageError.invalid("\(folder)/library.json thiếu / lacks: \(missing.joined(separator: ", "))")
            }
            let expected = "\(library["machineName"]!)-\(library["majorVersion"]!).\(library["minorVersion"]!)"
            guard expected == folder else {
                throw PackageError.invalid("thư mục \(folder) không khớp thư viện / does not match its library \(expected)")
            }
            for key in ["preloadedJs", "preloadedCss"] {
                for entry in library[key] as? [[String: Any]] ?? [] {
                    if let path = entry["path"] as? String, !archive.contains("\(folder)/\(path)") {
                        throw PackageError.invalid("thiếu tệp nạp trước / missing preloaded file: \(folder)/\(path)")
                    }
                }
            }
            if let core = library["coreApi"] as? [String: Any], let major = core["majorVersion"] as? Int, let minor = core["minorVersion"] as? Int,
                (major, minor) > h5pCoreAPI
            {
                warnings.append("\(folder) cần H5P core API \(major).\(minor) / needs H5P core API \(major).\(minor) (checked against \(h5pCoreAPI.major).\(h5pCoreAPI.minor))")
            }
            for path in archive.paths where path.hasPrefix("\(folder)/language/") && path.hasSuffix(".json") {
                if (try? JSONSerialization.jsonObject(with: archive.data(path))) == nil {
                    warnings.append("tệp ngôn ngữ không phải JSON / translation is not valid JSON: \(path)")
                }
            }
        }
        return warnings
    }

    static func html5(_ archive: SafeArchive, index: String) throws -> PackageReport {
        let html = String(decoding: try archive.data(index, limit: 4 << 20), as: UTF8.self)
        var report = PackageReport(kind: .html5, entryCount: archive.paths.count, expandedBytes: archive.expandedBytes)
        report.launch = index
        if let open = html.range(of: "<title>", options: .caseInsensitive),
            let close = html.range(of: "</title>", options: .caseInsensitive, range: open.upperBound..<html.endIndex)
        {
            let title = html[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
            if !title.isEmpty { report.title = title }
        }
        return report
    }
}
