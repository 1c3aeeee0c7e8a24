public import CommonCartridge
public import ContentPackages
public import Foundation
public import HoclieuCore
public import HoclieuStorage
import NIOPosix
import QuestionFormats
import Synchronization

/// How a cartridge's materials are stored.
public struct CartridgeImportOptions: Sendable, Codable, Equatable {
    /// The provenance system of the materials. When nil, a cartridge is its own identity: `cc:` + the manifest
    /// identifier + a fingerprint of its resources' identifiers and titles, so two different courses that share a
    /// template identifier (`cctd0015`) never update each other. Naming the source (e.g. `moodle:thpt-a`) says that
    /// every cartridge from it with the same resource identifiers is the same course.
    public var sourceSystem: String?
    /// The course package this import is a new edition of (`--replaces PID`): its materials are updated in
    /// place. It must be the importer's own.
    public var replaces: PersistentIdentifier?
    /// Status of new materials: `draft` (default) or `submitted` (straight to the review queue).
    public var status: MaterialStatus
    public var visibility: Visibility
    /// Subject of the imported questions when the file does not say (the bank is per subject).
    public var subject: String?

    public init(
        sourceSystem: String? = nil, replaces: PersistentIdentifier? = nil, status: MaterialStatus = .draft, visibility: Visibility = .public,
        subject: String? = nil
    ) {
        self.sourceSystem = sourceSystem
        self.replaces = replaces
        self.status = status
        self.visibility = visibility
        self.subject = subject
    }
}

/// What a cartridge import did: JSON for programs, ``text`` for people.
public struct CartridgeImportReport: Sendable, Codable {
    /// One material of the import.
    public struct Item: Sendable, Codable, Equatable {
        /// The manifest resource identifier (`imsmanifest` for the course package itself).
        public var resource: String
        public var type: String
        public var kind: MaterialKind
        public var title: String
        public var pid: PersistentIdentifier
        public var version: Int
        public var action: ImportBatchResult.Outcome.Action
        /// Questions of a question set: valid ones, and what the bank did with them.
        public var questions: Int?
        public var questionsCreated: Int?
    }

    /// Counts by what the cartridge holds (course package excluded).
    public struct Counts: Sendable, Codable, Equatable {
        public var materials = 0
        public var files = 0
        public var pages = 0
        public var webLinks = 0
        public var ltiLinks = 0
        public var discussions = 0
        public var assignments = 0
        public var questionSets = 0
        public var questions = 0
    }

    public var fileName: String
    public var version: CartridgeVersion
    public var identifier: String
    public var title: String
    /// nil when no official schema exists for the version (CC 1.2, 1.3, thin).
    public var schemaValid: Bool?
    public var coursePackage: Item?
    public var items: [Item]
    public var counts: Counts
    public var created: Int
    public var updated: Int
    public var unchanged: Int
    /// Defects worked around (schema violations, unknown references…).
    public var warnings: [CartridgeMessage]
    /// What was left out or narrowed, and why (question narrowings included).
    public var dropped: [CartridgeMessage]

    /// The report for people: one line per material, then every warning and loss, in Vietnamese and English.
    public var text: String {
        var lines = [
            "\(fileName): Common Cartridge \(version.rawValue) \"\(title)\" — \(created) tạo mới / created, \(updated) cập nhật / updated, "
                + "\(unchanged) không đổi / unchanged",
            "schema: " + (schemaValid.map { $0 ? "hợp lệ / valid" : "không hợp lệ, đã nhập kèm cảnh báo / invalid, imported with warnings" }
                ?? "không có lược đồ chính thức / no official schema (structure checked)"),
        ]
        for item in (coursePackage.map { [$0] } ?? []) + items {
            lines.append("\(item.action.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(item.pid)@v\(item.version) \(item.kind.rawValue) \(item.title)")
        }
        lines += warnings.map { "  ! \($0.vietnamese) / \($0)" }
        lines += dropped.map { "  − \($0.vietnamese) / \($0)" }
        return lines.joined(separator: "\n")
    }
}

extension Services {
    /// Imports a Common Cartridge: every resource becomes a material (files, HTML pages with their files as
    /// HTML5 packages, web and LTI links, discussion topics, assignments, question sets whose questions also go
    /// into the bank), and the organisation becomes a course package naming them. Everything is stored in one
    /// transaction: on any error, or when `isCancelled` turns true, nothing is kept.
    ///
    /// Re-importing the same cartridge creates nothing; a changed resource becomes a new version of its material.
    /// Blocking work (reading the archive, hashing files) runs on NIO's thread pool.
    public func importCartridge(
        at url: URL, fileName: String, ownerID: Int64, options: CartridgeImportOptions = .init(),
        progress: @escaping @Sendable (Double) -> Void = { _ in }, isCancelled: @escaping @Sendable () -> Bool = { false }
    ) async throws -> CartridgeImportReport {
        // Blobs stored on the way, kept outside the blocking closure so that a failure can discard them the
        // safe way (a blob another upload has meanwhile referred to stays).
        var resolved = options
        if let replaced = options.replaces {
            // One identity rule: a cartridge updates an earlier import only when it is the importer's own.
            guard let course = try await store.material(replaced), course.ownerID == ownerID, course.kind == .coursePackage,
                let source = course.provenance?.sourceSystem
            else {
                throw AppError(
                    .conflict, code: "not-your-course", vi: "\(replaced) không phải gói khoá học của bạn nên không thể thay thế.",
                    en: "\(replaced) is not a course package of yours, so it cannot be replaced.")
            }
            resolved.sourceSystem = source
        }
        // "Submitted" means in front of the board: the materials are stored as drafts and each one new or changed is
        // then submitted through the one workflow (a status alone would leave them waiting in no queue).
        let submitAfterwards = resolved.status == .submitted
        if submitAfterwards { resolved.status = .draft }
        let options = resolved
        let stored = Mutex<[StoredBlob]>([])
        let prepared: PreparedCartridge
        do {
            prepared = try await NIOThreadPool.singleton.runIfActive { () throws -> PreparedCartridge in
                let archive: SafeArchive
                do throws(ArchiveError) { archive = try SafeArchive(url: url) } catch { throw CartridgeError.archive(error) }
                let plan = try CartridgeReader.read(archive, progress: { progress($0 * 0.3) }, isCancelled: isCancelled)
                var prepared = PreparedCartridge(plan: plan, fileName: fileName)
                defer { stored.withLock { $0 = prepared.blobs } }
                try self.prepare(&prepared, archive: archive, ownerID: ownerID, options: options, progress: progress, isCancelled: isCancelled)
                return prepared
            }
        } catch {
            await discard(stored.withLock { $0 })
            throw error
        }
        do {
            if isCancelled() { throw CancellationError() }
            let result = try await store.applyImport(prepared.batch, ownerID: ownerID)
            var report = prepared.report(result)
            if submitAfterwards, let owner = try await store.user(id: ownerID) {
                for item in [report.coursePackage].compactMap({ $0 }) + report.items where item.action != .unchanged {
                    do {
                        _ = try await submit(item.pid, by: owner, SubmitRequest(note: "Common Cartridge \(fileName)"))
                    } catch {
                        let reason = error as? any BilingualError
                        report.warnings.append(
                            CartridgeMessage(
                                code: "not-submitted", vi: "\(item.pid) chưa được gửi thẩm định: \(reason?.vietnamese ?? "\(error)")",
                                en: "\(item.pid) was not submitted for review: \(reason?.english ?? "\(error)")", resource: item.resource))
                    }
                }
            }
            progress(1)
            return report
        } catch {
            await discard(prepared.blobs)
            throw error
        }
    }

    /// The provenance system of a cartridge imported without a named source: `cc:` + its manifest identifier +
    /// `#` + 16 hex digits of a SHA-256 over its resources' identifiers and titles. Identifiers alone collide
    /// (template identifiers several exporters leave in); with the titles, two different courses never do, while
    /// the same course exported again (content changed, structure not) is recognised.
    static func identity(of plan: CartridgePlan, fileName: String) -> String {
        let lines = plan.resources.map { "\($0.identifier)\t\($0.metadata.title)" }.sorted().joined(separator: "\n")
        let fingerprint = ContentID.of(text: lines).rawValue.prefix(16)
        return "cc:" + (plan.identifier.isEmpty ? fileName : plan.identifier) + "#" + fingerprint
    }

    /// Stores the files of a plan as blobs and builds the batch (blocking). The blobs stored so far are in
    /// `prepared.blobs`, also when it throws.
    func prepare(
        _ prepared: inout PreparedCartridge, archive: SafeArchive, ownerID: Int64, options: CartridgeImportOptions,
        progress: @Sendable (Double) -> Void, isCancelled: @Sendable () -> Bool
    ) throws {
        let plan = prepared.plan
        let fileName = prepared.fileName
        let sourceSystem = options.sourceSystem ?? Self.identity(of: plan, fileName: fileName)
        for (index, resource) in plan.resources.enumerated() {
            if isCancelled() { throw CancellationError() }
            let file = try storeContent(resource, archive: archive, options: options, prepared: &prepared)
            let metadata = Self.importable(resource.metadata, fallbackTitle: resource.identifier, warnings: &prepared.warnings, resource: resource.identifier)
            var url: String?
            switch resource.content {
            case .webLink(let link, _), .ltiLink(let link, _):
                // Only http(s): a `javascript:` or `data:` link would run in whoever opens it, here or in an LMS.
                url = WebLinks.normalise(link) ?? WebLinks.withoutScheme(link).flatMap(WebLinks.normalise)
                if url == nil {
                    prepared.warnings.append(
                        CartridgeMessage(
                            code: "unsafeLink", vi: "Liên kết không phải http(s) đã bị bỏ: \(link.prefix(80))",
                            en: "A link that is not http(s) was dropped: \(link.prefix(80))", resource: resource.identifier))
                }
            default: break
            }
            prepared.batch.entries.append(
                ImportBatch.Entry(
                    draft: MaterialDraft(
                        kind: resource.kind, format: resource.format, metadata: metadata, visibility: options.visibility, status: options.status,
                        url: url, provenance: Provenance(sourceSystem: sourceSystem, sourceIdentifier: resource.identifier),
                        extractedText: file.text),
                    version: VersionDraft(
                        contentID: file.blob.contentID, fileName: file.name, mediaType: file.mediaType, byteSize: file.blob.byteSize,
                        note: "Common Cartridge \(plan.version.rawValue): \(resource.identifier)", createdBy: ownerID, extractedText: file.text,
                        package: file.package),
                    questions: file.questions))
            progress(0.3 + 0.6 * Double(index + 1) / Double(max(plan.resources.count, 1)))
        }
        // The course package: the outline, naming its materials by provenance.
        let items = Self.outline(plan)
        let listed = Set(Self.sources(items))
        let structure = CourseStructure(
            sourceSystem: sourceSystem, origin: "IMS Common Cartridge \(plan.version.rawValue)", items: items,
            unlisted: plan.resources.map(\.identifier).filter { !listed.contains($0) })
        let data = try structure.jsonData()
        let blob = try storeBlob(data, prepared: &prepared)
        let titles = Self.titles(structure.items).joined(separator: "\n")
        prepared.batch.entries.append(
            ImportBatch.Entry(
                draft: MaterialDraft(
                    kind: .coursePackage, format: "imscc",
                    metadata: Self.importable(plan.metadata, fallbackTitle: fileName, warnings: &prepared.warnings, resource: nil),
                    visibility: options.visibility, status: options.status,
                    provenance: Provenance(sourceSystem: sourceSystem, sourceIdentifier: "imsmanifest"), extractedText: titles),
                version: VersionDraft(
                    contentID: blob.contentID, fileName: "course.json", mediaType: CourseStructure.mediaType, byteSize: blob.byteSize,
                    note: "Common Cartridge \(plan.version.rawValue): \(fileName)", createdBy: ownerID, extractedText: titles)))
        prepared.resourceForEntry.append(nil)
        // Every file durable at once, before the rows that refer to them are committed.
        try blobs.syncFileSystem()
        progress(0.95)
    }

    /// A stored version file and what the index and the bank need of it.
    struct StoredContent {
        var blob: StoredBlob
        var name: String
        var mediaType: String
        var text: String?
        var package: PackageSummary?
        var questions: [Question] = []
    }

    private func storeContent(
        _ resource: PlannedResource, archive: SafeArchive, options: CartridgeImportOptions, prepared: inout PreparedCartridge
    ) throws -> StoredContent {
        prepared.resourceForEntry.append(resource)
        switch resource.content {
        case .file(let path):
            guard let entry = archive.entry(path) else { throw CartridgeError.missingFiles([path]) }
            let name = (path as NSString).lastPathComponent
            let mediaType = MediaTypes.resolve(declared: nil, fileName: name)
            // A file small enough for text extraction is kept as it streams by, not read back from the blob.
            let keep = entry.uncompressedSize <= UInt64(TextExtraction.maxBytes)
            var kept = Data()
            let writer = try blobs.makeWriter(limit: configuration.maxUploadBytes)
            do {
                try archive.read(entry) { chunk in
                    if keep { kept.append(chunk) }
                    try chunk.withUnsafeBytes { try writer.write($0) }
                }
            } catch {
                writer.abort()
                throw error
            }
            let blob = try writer.commit(deferringSync: true)
            prepared.blobs.append(blob)
            let text = TextExtraction.extract(mediaType: mediaType, byteSize: blob.byteSize) { kept }
            return StoredContent(blob: blob, name: name, mediaType: mediaType, text: text)
        case .bundle(let launch, let files):
            var entries: [(path: String, data: Data)] = []
            var text: String?
            for path in files.sorted() {
                guard archive.contains(path) else { throw CartridgeError.missingFiles([path]) }
                var data = try archive.data(path, limit: Int(min(configuration.maxUploadBytes, Int64(Int.max))))
                if ["html", "htm", "xhtml"].contains((path as NSString).pathExtension.lowercased()) {
                    data = CartridgeReader.rewriteFileBase(data, documentPath: path)
                    if path == launch { text = TextExtraction.extract(mediaType: "text/html", byteSize: Int64(data.count)) { data } }
                }
                entries.append((path, data))
            }
            let zip = StoredZipWriter.archive(entries)
            let blob = try storeBlob(zip, prepared: &prepared)
            let package = PackageSummary(
                kind: "html5", title: resource.metadata.title, launch: launch, scoCount: 0, entryCount: entries.count,
                expandedBytes: Int64(entries.reduce(0) { $0 + $1.data.count }), warnings: [])
            return StoredContent(
                blob: blob, name: ((launch as NSString).deletingPathExtension as NSString).lastPathComponent + ".zip", mediaType: "application/zip",
                text: text, package: package)
        case .webLink(_, let descriptor), .ltiLink(_, let descriptor):
            return try storeDescriptor(descriptor, archive: archive, text: nil, prepared: &prepared)
        case .text(let html, let descriptor) where resource.format == "imsdt":
            return try storeDescriptor(
                descriptor, archive: archive, mediaType: Self.discussionMediaType, text: RichText(html).plainText, prepared: &prepared)
        case .text(let html, _):
            // An assignment is kept as the page a student reads (previewable, exported as a page).
            let page = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>\(HTMLText.escape(resource.metadata.title))</title></head>"
                + "<body><h1>\(HTMLText.escape(resource.metadata.title))</h1>\n\(RichText(html).sanitised().html)\n</body></html>\n"
            let blob = try storeBlob(Data(page.utf8), prepared: &prepared)
            return StoredContent(blob: blob, name: "assignment.html", mediaType: "text/html", text: RichText(html).plainText)
        case .questions(let result, let isBank, _):
            let questions = try bankReady(result.questions, subject: options.subject, stored: &prepared.blobs)
            let file = QuestionSetFile(title: resource.metadata.title, isBank: isBank, questions: questions)
            let blob = try storeBlob(try file.jsonData(), prepared: &prepared)
            let text = questions.map { $0.stem.plainText }.joined(separator: "\n")
            var content = StoredContent(blob: blob, name: "questions.json", mediaType: QuestionSetFile.mediaType, text: text)
            content.questions = questions
            return content
        }
    }

    private func storeDescriptor(
        _ path: String, archive: SafeArchive, mediaType: String = "application/xml", text: String?, prepared: inout PreparedCartridge
    ) throws -> StoredContent {
        guard archive.contains(path) else { throw CartridgeError.missingFiles([path]) }
        let blob = try storeBlob(try archive.data(path), prepared: &prepared)
        return StoredContent(blob: blob, name: (path as NSString).lastPathComponent, mediaType: mediaType, text: text)
    }

    private func storeBlob(_ data: Data, prepared: inout PreparedCartridge) throws -> StoredBlob {
        let blob = try blobs.store(data, limit: configuration.maxUploadBytes, deferringSync: true)
        prepared.blobs.append(blob)
        return blob
    }

    /// Metadata the store accepts (``MaterialMetadata/repaired(fallbackTitle:)``); every repaired field is a warning.
    static func importable(_ metadata: MaterialMetadata, fallbackTitle: String, warnings: inout [CartridgeMessage], resource: String?) -> MaterialMetadata {
        let (repaired, changed) = metadata.repaired(fallbackTitle: fallbackTitle)
        for field in changed {
            warnings.append(
                CartridgeMessage(
                    code: "metadataRepaired", vi: "Trường \(field) đã được sửa cho hợp lệ (cắt bớt hoặc bỏ giá trị không hợp lệ)",
                    en: "The field \(field) was repaired (cut to its limit or invalid values left out)", resource: resource))
        }
        return repaired
    }

    /// The organisation as a course outline; without one, every resource in manifest order.
    static func outline(_ plan: CartridgePlan) -> [CourseStructure.Node] {
        let planned = Set(plan.resources.map(\.identifier))
        func node(_ item: CartridgeItem) -> CourseStructure.Node? {
            let children = item.children.compactMap(node)
            let source = item.resource.flatMap { planned.contains($0) ? $0 : nil }
            if source == nil, children.isEmpty { return nil }
            return CourseStructure.Node(title: item.title, source: source, children: children)
        }
        if plan.organisation.isEmpty {
            return plan.resources.map { CourseStructure.Node(title: $0.metadata.title, source: $0.identifier) }
        }
        return plan.organisation.compactMap(node)
    }

    static func titles(_ nodes: [CourseStructure.Node]) -> [String] {
        nodes.flatMap { [$0.title] + titles($0.children) }
    }

    static func sources(_ nodes: [CourseStructure.Node]) -> [String] {
        nodes.flatMap { ($0.source.map { [$0] } ?? []) + sources($0.children) }
    }

    /// The media type of a discussion topic's file (the cartridge's imsdt XML, kept as it was).
    static let discussionMediaType = "application/vnd.ims.imsdt+xml"
}

/// A plan whose files are in the blob store, with the batch that stores its materials.
struct PreparedCartridge: Sendable {
    var plan: CartridgePlan
    var fileName: String
    var batch = ImportBatch(entries: [])
    /// The planned resource of each batch entry (nil for the course package).
    var resourceForEntry: [PlannedResource?] = []
    var blobs: [StoredBlob] = []
    var warnings: [CartridgeMessage] = []

    init(plan: CartridgePlan, fileName: String) {
        self.plan = plan
        self.fileName = fileName
    }

    func report(_ result: ImportBatchResult) -> CartridgeImportReport {
        var counts = CartridgeImportReport.Counts()
        var items: [CartridgeImportReport.Item] = []
        var coursePackage: CartridgeImportReport.Item?
        var dropped = plan.dropped
        for ((entry, outcome), resource) in zip(zip(batch.entries, result.outcomes), resourceForEntry) {
            var item = CartridgeImportReport.Item(
                resource: resource?.identifier ?? "imsmanifest", type: resource?.type ?? "imsmanifest", kind: entry.draft.kind,
                title: entry.draft.metadata.title, pid: outcome.pid, version: outcome.version, action: outcome.action)
            guard let resource else {
                coursePackage = item
                continue
            }
            counts.materials += 1
            switch resource.content {
            case .file: counts.files += 1
            case .bundle: counts.pages += 1
            case .webLink: counts.webLinks += 1
            case .ltiLink: counts.ltiLinks += 1
            case .text: if resource.format == "imsdt" { counts.discussions += 1 } else { counts.assignments += 1 }
            case .questions(let result, _, let descriptor):
                counts.questionSets += 1
                counts.questions += result.questions.count
                item.questions = result.questions.count
                item.questionsCreated = outcome.questions.filter { $0.action == .created }.count
                for entry in result.report.entries {
                    for message in entry.errors + entry.warnings {
                        dropped.append(
                            CartridgeMessage(
                                code: message.code, vi: message.vietnamese, en: message.english, resource: resource.identifier,
                                path: descriptor,
                                line: message.location?.line ?? 0))
                    }
                }
                for message in result.report.fileErrors {
                    dropped.append(CartridgeMessage(code: message.code, vi: message.vietnamese, en: message.english, resource: resource.identifier))
                }
            }
            items.append(item)
        }
        let all = items + (coursePackage.map { [$0] } ?? [])
        return CartridgeImportReport(
            fileName: fileName, version: plan.version, identifier: plan.identifier, title: coursePackage?.title ?? plan.metadata.title,
            schemaValid: plan.schemaValid, coursePackage: coursePackage, items: items, counts: counts,
            created: all.filter { $0.action == .created }.count, updated: all.filter { $0.action == .updated }.count,
            unchanged: all.filter { $0.action == .unchanged }.count, warnings: plan.warnings + warnings, dropped: dropped)
    }
}
