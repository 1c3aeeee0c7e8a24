public import CommonCartridge
public import Foundation
public import HoclieuCore
import HoclieuStorage
import NIOPosix

/// What to export: every material the user may see, or the given ones (a course package brings its outline
/// and the materials it names).
public struct ExportSelection: Sendable, Codable, Equatable {
    public var all: Bool
    public var pids: [PersistentIdentifier]

    public init(all: Bool = false, pids: [PersistentIdentifier] = []) {
        self.all = all
        self.pids = pids
    }
}

/// One entry of a course package's outline: a folder, or a material of the repository.
public struct OutlineNode: Sendable, Codable, Equatable {
    public var title: String
    /// The material shown here; nil for a folder (or a member that no longer exists).
    public var pid: PersistentIdentifier?
    public var kind: MaterialKind?
    public var children: [OutlineNode]
}

/// What an export job works on.
package struct ExportJobInput: Codable, Sendable {
    var selection: ExportSelection
    var format: CartridgeExportFormat
    var target: CartridgeTarget?

    package init(selection: ExportSelection, format: CartridgeExportFormat, target: CartridgeTarget?) {
        self.selection = selection
        self.format = format
        self.target = target
    }
}

/// A written cartridge (in the blob store) and its export report.
public struct CartridgeExportResult: Sendable, Codable {
    public var contentID: ContentID
    public var fileName: String
    public var byteSize: Int64
    public var materials: Int
    public var report: CartridgeExportReport
}

extension Services {
    /// Writes the selection as a cartridge into the blob store (for `POST /api/v1/exports`).
    func exportCartridge(
        _ selection: ExportSelection, format: CartridgeExportFormat, target: CartridgeTarget?, user: User,
        progress: @escaping @Sendable (Double) -> Void = { _ in }, isCancelled: @escaping @Sendable () -> Bool = { false }
    ) async throws -> CartridgeExportResult {
        let (request, withheld) = try await cartridgeRequest(selection, format: format, target: target, user: user)
        progress(0.2)
        if isCancelled() { throw CancellationError() }
        let file = blobs.temporaryFileURL(suffix: ".imscc")
        defer { try? FileManager.default.removeItem(at: file) }  // gone already once adopted
        var report = try await NIOThreadPool.singleton.runIfActive { try CartridgeWriter.write(request, to: file) }
        report.losses = withheld + report.losses
        progress(0.9)
        if isCancelled() { throw CancellationError() }
        let blob = try blobs.adopt(fileAt: file)
        let name = Self.exportFileName(request, format: format)
        return CartridgeExportResult(contentID: blob.contentID, fileName: name, byteSize: blob.byteSize, materials: request.items.count, report: report)
    }

    /// A file name for the cartridge: the course title made safe, and the format.
    static func exportFileName(_ request: CartridgeExportRequest, format: CartridgeExportFormat) -> String {
        let folded = VietnameseText.fold(request.metadata.title).lowercased()
        let base = String(folded.map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(60)).split(separator: "-").joined(separator: "-")
        return "\(base.isEmpty ? "hoclieu" : base)-\(format.rawValue).imscc"
    }

    /// Reads the selected materials and their files into an export request (files stay on disk: blobs), as
    /// `user` may see them: a PID they may not see is not found; with `all`, only what they may see; course
    /// members they may not see are left out and listed in `withheld` (for the export report).
    public func cartridgeRequest(
        _ selection: ExportSelection, format: CartridgeExportFormat, target: CartridgeTarget?, user: User
    ) async throws -> (request: CartridgeExportRequest, withheld: [CartridgeMessage]) {
        var pids = selection.pids
        if selection.all {
            var after: PersistentIdentifier?
            while true {
                let page = try await store.materialPIDs(after: after, limit: 500)
                pids += page
                guard let last = page.last else { break }
                after = last
            }
        }
        // Batched reads: a course of 10,000 materials is a handful of queries, not 30,000.
        var selected = try await store.materials(pids)
        if selection.all {
            selected = selected.filter { AccessPolicy.canSee(user, $0) }
        } else {
            let visible = Set(selected.filter { AccessPolicy.canSee(user, $0) }.map(\.pid))
            for pid in pids where !visible.contains(pid) { throw StoreError.notFound("học liệu / material \(pid)") }
        }
        var exported: [Material] = []
        var seen = Set<PersistentIdentifier>()
        var organisation: [ExportNode] = []
        var course: Material?
        var withheld: [CartridgeMessage] = []
        for material in selected {
            if material.kind == .coursePackage {
                guard let (nodes, members, hidden) = try await outline(of: material, for: user) else { continue }
                // With --all the course packages only give the outline: their members are exported once.
                course = course ?? material
                organisation.append(ExportNode(title: material.metadata.title, children: Self.exportNodes(nodes)))
                for member in members where seen.insert(member.pid).inserted { exported.append(member) }
                if hidden > 0 {
                    withheld.append(
                        CartridgeMessage(
                            code: "withheld", vi: "\(hidden) học liệu của \(material.pid) không được xuất vì bạn không có quyền xem",
                            en: "\(hidden) members of \(material.pid) were left out: you may not see them"))
                }
            } else if seen.insert(material.pid).inserted {
                exported.append(material)
            }
        }
        let versions = try await store.currentVersions(of: exported.map(\.pid))
        var taxonCache: [String: TaxonPath?] = [:]
        var items: [ExportItem] = []
        for material in exported {
            if let item = try await exportItem(material, version: versions[material.pid], taxonCache: &taxonCache) { items.append(item) }
        }
        // Materials outside any course package go at the top level after the courses.
        if !organisation.isEmpty {
            let placed = Set(Self.itemIdentifiers(organisation))
            organisation += items.filter { !placed.contains($0.identifier) }.map { ExportNode(title: $0.metadata.title, item: $0.identifier) }
        }
        let single = pids.count == 1 ? course : nil
        let metadata = single?.metadata ?? MaterialMetadata(title: "Hoclieu", description: "Học liệu xuất từ Hoclieu / Materials exported from Hoclieu")
        // Deterministic: the identifier depends only on what is exported.
        let identifier = "HOCLIEU_" + String(ContentID.of(text: items.map(\.identifier).joined(separator: ",")).rawValue.prefix(16))
        let request = CartridgeExportRequest(
            format: format, target: target, identifier: identifier, metadata: metadata, organisation: organisation, items: items)
        return (request, withheld)
    }

    static func itemIdentifiers(_ nodes: [ExportNode]) -> [String] {
        nodes.flatMap { ($0.item.map { [$0] } ?? []) + itemIdentifiers($0.children) }
    }

    /// A course package's outline as `viewer` may see it: its members resolved by provenance among the
    /// package owner's own materials (a forged outline cannot name anyone else's), and every member the
    /// viewer may not see left out with its title (`withheld` counts them). nil when the material is no course
    /// package (or has no outline yet).
    public func outline(of material: Material, for viewer: User?) async throws
        -> (nodes: [OutlineNode], members: [Material], withheld: Int)?
    {
        guard material.kind == .coursePackage, material.currentVersion > 0,
            let version = try await store.version(material.pid, number: material.currentVersion), version.mediaType == CourseStructure.mediaType
        else { return nil }
        let structure = try HoclieuJSON.decoder().decode(CourseStructure.self, from: Data(contentsOf: blobs.url(for: version.contentID)))
        let sources = Self.sources(structure.items) + structure.unlisted
        let bySource = try await store.materials(sourceSystem: structure.sourceSystem, sourceIdentifiers: sources, ownerID: material.ownerID)
        var members: [Material] = []
        var listed = Set<PersistentIdentifier>()
        func nodes(_ list: [CourseStructure.Node]) -> [OutlineNode] {
            list.compactMap { node in
                let member = node.source.flatMap { bySource[$0] }
                if let member {
                    guard AccessPolicy.canSee(viewer, member) else { return nil }
                    if listed.insert(member.pid).inserted { members.append(member) }
                } else if node.source != nil, node.children.isEmpty {
                    return nil  // a member that no longer exists
                }
                return OutlineNode(title: node.title, pid: member?.pid, kind: member?.kind, children: nodes(node.children))
            }
        }
        let outline = nodes(structure.items)
        for source in structure.unlisted {
            if let member = bySource[source], AccessPolicy.canSee(viewer, member), listed.insert(member.pid).inserted { members.append(member) }
        }
        let withheld = Set(bySource.values.filter { !AccessPolicy.canSee(viewer, $0) }.map(\.pid)).count
        return (outline, members, withheld)
    }

    static func exportNodes(_ nodes: [OutlineNode]) -> [ExportNode] {
        nodes.map { ExportNode(title: $0.title, item: $0.pid.map(exportIdentifier), children: exportNodes($0.children)) }
    }

    /// `R_` + the PID with its separators replaced: a valid `xs:ID`, stable across exports.
    static func exportIdentifier(_ pid: PersistentIdentifier) -> String {
        "R_" + pid.rawValue.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    /// One material as an export item; nil for a material with nothing to export (no file, no link).
    func exportItem(_ material: Material, version: MaterialVersion?, taxonCache: inout [String: TaxonPath?]) async throws -> ExportItem? {
        let content: ExportItem.Content
        var ltiSettings: [LTIPlatformSettings] = []
        if material.kind == .link, let url = material.url {
            content = material.format == "imsbasiclti" ? .ltiLink(launchURL: url, customParameters: [:]) : .webLink(url: url)
            // The link's own descriptor (kept as its version file) brings its platform settings back.
            if material.format == "imsbasiclti", let version, let data = try? Data(contentsOf: blobs.url(for: version.contentID)) {
                ltiSettings = CartridgeReader.ltiPlatformSettings(fromDescriptor: data)
            }
        } else if let version {
            let file = blobs.url(for: version.contentID)
            switch version.mediaType {
            case QuestionSetFile.mediaType:
                var set = try HoclieuJSON.decoder().decode(QuestionSetFile.self, from: Data(contentsOf: file))
                for q in set.questions.indices {
                    for m in set.questions[q].media.indices {
                        if let blob = set.questions[q].media[m].contentID, set.questions[q].media[m].data.isEmpty {
                            set.questions[q].media[m].data = try Data(contentsOf: blobs.url(for: blob))
                        }
                    }
                }
                content = .questions(set.questions, isBank: set.isBank)
            case CourseStructure.mediaType:
                return nil
            default:
                if material.format == "canvas-assignment", version.mediaType == "text/html", version.package == nil {
                    content = .assignment(html: String(decoding: try Data(contentsOf: file), as: UTF8.self))
                } else if version.mediaType == Self.discussionMediaType {
                    content = .discussion(html: (try? Data(contentsOf: file)).flatMap(CartridgeReader.topicHTML) ?? "")
                } else if let package = version.package {
                    content = .package(source: file, fileName: version.fileName, launch: package.launch)
                } else {
                    content = .file(source: file, fileName: version.fileName, mediaType: version.mediaType)
                }
            }
        } else {
            return nil
        }
        return ExportItem(
            identifier: Self.exportIdentifier(material.pid), pid: material.pid.rawValue, metadata: material.metadata,
            taxonPaths: try await taxonPaths(material.metadata.knowledgeUnits, cache: &taxonCache),
            landingURL: configuration.publicBaseURL + "/id/" + material.pid.rawValue, content: content, ltiSettings: ltiSettings)
    }

    /// The catalogue path (môn → … → unit) of each knowledge unit, as LOM taxon paths (looked up once per unit).
    func taxonPaths(_ units: [String], cache: inout [String: TaxonPath?]) async throws -> [TaxonPath] {
        var paths: [TaxonPath] = []
        for unit in units {
            if let known = cache[unit] {
                if let known { paths.append(known) }
                continue
            }
            var taxa: [TaxonPath.Taxon] = []
            var code: String? = unit
            var framework = "GDPT 2018"
            while let current = code, taxa.count < 10, let stored = try await store.catalogItem(code: current) {
                taxa.insert(TaxonPath.Taxon(id: stored.item.code, entry: stored.item.statement), at: 0)
                framework = stored.framework
                code = stored.item.parent
            }
            // A unit the catalogue does not know (yet) still travels, as its code alone.
            let path = TaxonPath(source: framework, taxa: taxa.isEmpty ? [TaxonPath.Taxon(id: unit, entry: unit)] : taxa)
            cache[unit] = path
            paths.append(path)
        }
        return paths
    }
}
