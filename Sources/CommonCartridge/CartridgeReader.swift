public import ContentPackages
public import Foundation
import HoclieuCore
import HoclieuXML

/// Reads an IMS Common Cartridge (1.0–1.3, thin 1.2/1.3) into a ``CartridgePlan``: what would become
/// materials and questions, with every warning and loss. Nothing is stored and nothing is extracted but
/// the manifest (to a temporary file, removed before returning).
///
/// - The manifest is streamed (libxml2's reader), never held as a tree, and validated while it is read
///   against the official CC 1.0 or 1.1 schema (vendored; no network). Violations are warnings, not a
///   refusal: real exports break `xs:ID` rules all the time. CC 1.2/1.3 and thin cartridges have no
///   schema here (``CartridgePlan/schemaValid`` is nil) and get the structural checks only.
/// - Refused (``CartridgeError``): what is not a ZIP or breaks the archive limits, no manifest, a manifest
///   that is not well-formed or has a DOCTYPE, an unknown root namespace, a path out of the archive,
///   duplicate resource identifiers, circular dependencies, and an archive lacking most of the files
///   its manifest lists.
/// - Worked around: a single missing file (its resource is left out, or the file is left out of a page
///   bundle), module items and dependencies naming unknown resources, unknown resource types, Canvas
///   course settings. Each is in ``CartridgePlan/warnings`` or ``CartridgePlan/dropped``.
///
/// Which resources become materials: every resource of a supported type, except webcontent and
/// associated-content resources that only serve others (the images of a quiz or a discussion: they are
/// dependencies of other resources and no module item shows them). Canvas puts every course file in the
/// manifest as its own webcontent resource: those are real course files and become materials.
public enum CartridgeReader {
    /// The largest `imsmanifest.xml` read.
    public static let maxManifestBytes = 64 << 20
    /// The largest per-resource XML or HTML file read (web links, discussions, LTI links, assignments, QTI).
    public static let maxResourceBytes = 32 << 20

    /// Reads the cartridge at `url` (a file on disk), checking the archive against `limits` first.
    public static func read(
        contentsOf url: URL, limits: ArchiveLimits = .init(), progress: (@Sendable (Double) -> Void)? = nil,
        isCancelled: (@Sendable () -> Bool)? = nil
    ) throws(CartridgeError) -> CartridgePlan {
        let archive: SafeArchive
        do {
            archive = try SafeArchive(url: url, limits: limits)
        } catch {
            throw .archive(error)
        }
        return try read(archive, progress: progress, isCancelled: isCancelled)
    }

    /// Reads an opened archive. `progress` receives 0…1 as resources are processed; `isCancelled` is asked
    /// while the manifest is read and between resources (then ``CartridgeError/cancelled`` is thrown).
    public static func read(
        _ archive: SafeArchive, progress: (@Sendable (Double) -> Void)? = nil, isCancelled: (@Sendable () -> Bool)? = nil
    ) throws(CartridgeError) -> CartridgePlan {
        progress?(0)
        guard let entry = archive.entry("imsmanifest.xml") ?? archive.paths.first(where: { $0.lowercased() == "imsmanifest.xml" }).flatMap(archive.entry)
        else { throw .noManifest }
        guard entry.uncompressedSize <= UInt64(maxManifestBytes) else { throw .manifestTooLarge(limit: maxManifestBytes) }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-cc-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifestURL = directory.appendingPathComponent("imsmanifest.xml")
        try extract(entry, from: archive, to: manifestURL, directory: directory)

        // A first look at the root element chooses the schema; the second pass validates while it reads.
        let root: (name: String, namespace: String)
        do {
            root = try ManifestParser.root(of: manifestURL)
        } catch {
            throw ManifestParser.mapError(error)
        }
        guard root.name == "manifest" else { throw .notACartridge(namespace: root.namespace.isEmpty ? "<\(root.name)>" : root.namespace) }
        guard let family = CartridgeVersion.family(ofNamespace: root.namespace) else { throw .notACartridge(namespace: root.namespace) }

        var warnings: [CartridgeMessage] = []
        let schema: XMLSchema?
        switch CartridgeSchemas.manifestSchema(for: root.namespace) {
        case .some(.success(let compiled)): schema = compiled
        case .some(.failure(let error)):
            schema = nil
            warnings.append(
                CartridgeMessage(
                    code: "schemaUnavailable", vi: "Không nạp được lược đồ của imsmanifest.xml: \(error)",
                    en: "The manifest schema could not be loaded: \(error)", path: "imsmanifest.xml"))
        case .none: schema = nil
        }

        let reader: XMLStreamReader
        do {
            reader = try XMLStreamReader(contentsOf: manifestURL, options: XMLParseOptions(maxBytes: maxManifestBytes), schema: schema)
        } catch {
            throw ManifestParser.mapError(error)
        }
        let model = try ManifestParser.parse(reader, isCancelled: isCancelled)
        var schemaValid: Bool?
        if schema != nil {
            let violations = reader.validationErrors
            schemaValid = violations.isEmpty
            warnings += CartridgeSchemas.messages(for: violations, path: "imsmanifest.xml")
        }

        guard let version = CartridgeVersion.detect(family: family, schema: model.schema, schemaVersion: model.schemaVersion, types: model.resources.map(\.type))
        else { throw .notACartridge(namespace: root.namespace) }
        if family == .plainContentPackage {
            warnings.append(
                CartridgeMessage(
                    code: "contentPackageNamespace",
                    vi: "imsmanifest.xml dùng không gian tên của IMS CP (\(root.namespace)) thay cho CC 1.0; được đọc như CC 1.0",
                    en: "imsmanifest.xml uses the IMS CP namespace (\(root.namespace)) instead of CC 1.0's; read as CC 1.0", path: "imsmanifest.xml"))
        }

        var builder = PlanBuilder(archive: archive, model: model, version: version, isCancelled: isCancelled, progress: progress)
        builder.warnings = warnings
        var plan = try builder.build()
        plan.schemaValid = schemaValid
        progress?(1)
        return plan
    }

    /// Copies the manifest entry to a file of a fresh private directory.
    private static func extract(_ entry: SafeArchive.Entry, from archive: SafeArchive, to url: URL, directory: URL) throws(CartridgeError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw CartridgeError.archive(.unreadable("cannot write a temporary copy of imsmanifest.xml"))
            }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            var written = 0
            try archive.read(entry) { chunk in
                written += chunk.count
                guard written <= maxManifestBytes else { throw CartridgeError.manifestTooLarge(limit: maxManifestBytes) }
                try handle.write(contentsOf: chunk)
            }
        } catch let error as CartridgeError {
            throw error
        } catch let error as ArchiveError {
            throw .archive(error)
        } catch {
            throw .archive(.unreadable("imsmanifest.xml: \(error)"))
        }
    }

    /// The HTML text of a discussion topic (imsdt) or assignment descriptor: its `text`, made a paragraph when
    /// its `texttype` is plain; nil when the file is not XML.
    public static func topicHTML(_ data: Data) -> String? {
        guard let root = try? HoclieuXML.XMLDocument(data: data).root else { return nil }
        return topicHTML(root)
    }

    static func topicHTML(_ root: HoclieuXML.XMLElement) -> String {
        let text = root.firstLocalChild("text")
        let html = text?.text ?? ""
        if let type = text?.attribute("texttype"), type.lowercased() == "text/plain" { return "<p>" + HTMLText.escape(html) + "</p>" }
        return html
    }

    /// The platform settings (`blti:extensions platform="…"` with their `lticm:property` values) of a Basic LTI
    /// link descriptor; empty when it has none or cannot be read.
    public static func ltiPlatformSettings(fromDescriptor data: Data) -> [LTIPlatformSettings] {
        guard let document = try? HoclieuXML.XMLDocument(data: data, options: .init(maxBytes: maxResourceBytes)),
            let extensions = try? document.select("/*/*[local-name()='extensions']")
        else { return [] }
        return extensions.compactMap { node in
            guard let platform = node.attribute("platform"), !platform.isEmpty else { return nil }
            var properties: [String: String] = [:]
            for property in node.children where property.name == "property" {
                if let name = property.attribute("name"), !name.isEmpty {
                    properties[name] = property.text.trimmingCharacters(in: .whitespacesAndNewlines)
                }
            }
            return LTIPlatformSettings(platform: platform, properties: properties)
        }
    }

    /// Whether a file is a Common Cartridge: a zip whose root `imsmanifest.xml` announces one (a cartridge
    /// namespace, or the plain IMS CP namespace with the Common Cartridge schema or CC 1.0 resource types).
    /// Only the head of the manifest is read; ``read(_:progress:isCancelled:)`` decides for good.
    public static func isCartridge(at url: URL) -> Bool {
        guard let archive = try? SafeArchive(url: url), let entry = archive.entry("imsmanifest.xml"), let reader = try? archive.reader(entry)
        else { return false }
        var head = Data()
        while head.count < 256 << 10, let chunk = try? reader.next() { head += chunk }
        let text = String(decoding: head, as: UTF8.self)
        let announced = CartridgeVersion.manifestNamespaces.filter { text.contains("\"\($0.namespace)\"") }.map(\.family)
        if announced.contains(where: { $0 != .plainContentPackage }) { return true }
        guard announced.contains(.plainContentPackage) else { return false }
        return text.lowercased().contains("common cartridge") || CartridgeVersion.v1p0ResourceTypes.contains { text.contains($0) }
    }

    /// Rewrites `$IMS-CC-FILEBASE$/x` references (also written `%24IMS-CC-FILEBASE%24`, `$IMS_CC_FILEBASE$`
    /// and `$IMS_CC_FILE_BASE$`) in an HTML file at `documentPath` into paths relative to that file's folder,
    /// so the page works once the cartridge paths are kept in a package. The rest of the bytes are untouched.
    public static func rewriteFileBase(_ html: Data, documentPath: String) -> Data {
        guard var text = String(data: html, encoding: .utf8) else { return html }
        let depth = max(0, documentPath.split(separator: "/", omittingEmptySubsequences: true).count - 1)
        let up = String(repeating: "../", count: depth)
        var changed = false
        for token in FileBase.tokens where text.contains(token) {
            // `$TOKEN$/x` → `../x`; `$TOKEN$x` (no slash) likewise.
            text = text.replacingOccurrences(of: token + "/", with: up.isEmpty ? "" : up)
            text = text.replacingOccurrences(of: token, with: up.isEmpty ? "" : up)
            changed = true
        }
        return changed ? Data(text.utf8) : html
    }
}

/// The spellings of the cartridge-root placeholder that LMSs write in HTML.
enum FileBase {
    static let tokens = [
        "$IMS-CC-FILEBASE$", "%24IMS-CC-FILEBASE%24", "$IMS_CC_FILEBASE$", "%24IMS_CC_FILEBASE%24", "$IMS_CC_FILE_BASE$",
        "%24IMS_CC_FILE_BASE%24",
    ]
}

extension CartridgeVersion {
    /// Which manifests a root namespace announces.
    enum Family: Equatable {
        case cc(CartridgeVersion)
        /// The plain IMS CP namespace, which some CC 1.0 exporters wrote.
        case plainContentPackage
    }

    /// The manifest namespaces, and what each announces.
    static let manifestNamespaces: [(namespace: String, family: Family)] = [
        ("http://www.imsglobal.org/xsd/imscc/imscp_v1p1", .cc(.v1p0)),
        ("http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1", .cc(.v1p1)),
        ("http://www.imsglobal.org/xsd/imsccv1p2/imscp_v1p1", .cc(.v1p2)),
        ("http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1", .cc(.v1p3)),
        ("http://www.imsglobal.org/xsd/imscp_v1p1", .plainContentPackage),
    ]

    /// Resource types only a CC 1.0 cartridge has (to tell one written in the plain IMS CP namespace).
    static let v1p0ResourceTypes = ["imscc_xmlv1p0", "imsdt_xmlv1p0", "imswl_xmlv1p0", "imsbasiclti_xmlv1p0"]

    static func family(ofNamespace namespace: String) -> Family? {
        manifestNamespaces.first { $0.namespace == namespace }?.family
    }

    /// The version, from the namespace family and the manifest's `schema`/`schemaversion` (thin cartridges)
    /// or, for the plain IMS CP namespace, from CC-only resource types; nil when it is not a cartridge.
    static func detect(family: Family, schema: String, schemaVersion: String, types: [String]) -> CartridgeVersion? {
        let thin = schema.lowercased().contains("thin")
        switch family {
        case .cc(.v1p2): return thin ? .thin1p2 : .v1p2
        case .cc(.v1p3): return thin ? .thin1p3 : .v1p3
        case .cc(let version): return version
        case .plainContentPackage:
            if schema.lowercased().contains("common cartridge") { return .v1p0 }
            return types.contains(where: { type in v1p0ResourceTypes.contains { type.lowercased().contains($0) } }) ? .v1p0 : nil
        }
    }
}

extension ManifestParser {
    static func mapError(_ error: any Error) -> CartridgeError {
        switch error {
        case let error as CartridgeError: return error
        case XMLError.doctypeNotAllowed: return .doctypeRefused
        case XMLError.tooLarge(let limit): return .manifestTooLarge(limit: limit)
        case XMLError.malformed(let diagnostics):
            let first = diagnostics.first
            return .malformedManifest(line: first?.line ?? 0, reason: (first?.message ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        case XMLError.tooDeep(let limit): return .malformedManifest(line: 0, reason: "elements nested deeper than \(limit) levels")
        default: return .malformedManifest(line: 0, reason: "\(error)")
        }
    }
}
