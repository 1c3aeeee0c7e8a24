import ContentPackages
import Foundation
public import HoclieuCore
public import HoclieuStorage
import NIOPosix

/// A stored file, described for its version: media type, text for the search index and, for a content
/// package, what the package says about itself.
public struct IngestedFile: Sendable {
    public var fileName: String
    public var mediaType: String
    public var extractedText: String?
    public var package: PackageSummary?
    /// A first-page image, already in the blob store (PDFs, when `pdftoppm` is installed).
    public var thumbnail: StoredBlob?
    var report: PackageReport?

    /// The material kind the file most likely is: packages are lessons, or simulations for H5P and GeoGebra.
    public var suggestedKind: MaterialKind {
        switch report?.kind {
        case .h5p?, .geogebra?: .simulation
        case .some: .lesson
        case nil: MediaTypes.kind(for: mediaType)
        }
    }

    /// The metadata with the package's own values filled in where the teacher left a field empty: the
    /// teacher's values always win. The title and language are only taken when the caller says they
    /// were not chosen (a default title made from the file name, a default language).
    public func prefilled(_ metadata: MaterialMetadata, titleChosen: Bool = true, languageChosen: Bool = true) -> MaterialMetadata {
        guard let report else { return metadata }
        var m = metadata
        if !titleChosen, let title = report.title?.trimmingCharacters(in: .whitespacesAndNewlines), !title.isEmpty { m.title = title }
        if !languageChosen, let language = report.language?.trimmingCharacters(in: .whitespaces), !language.isEmpty { m.language = language }
        if m.description.isEmpty, let description = report.description { m.description = description }
        if m.keywords.isEmpty { m.keywords = report.keywords }
        if m.authors.isEmpty { m.authors = report.authors }
        // H5P writes "U" for an undisclosed licence: nothing to prefill then.
        if m.licence == nil, let licence = report.licence, licence != "U", !licence.isEmpty { m.licence = licence }
        // What a package says is not trusted to fit the rules (too many keywords, an over-long title): repaired.
        return m.repaired(fallbackTitle: metadata.title).metadata
    }
}

/// Where an ingested file goes.
public enum IngestTarget: Sendable {
    /// The next version of an existing material the caller may edit.
    case version(of: PersistentIdentifier, note: String?)
    /// The material of the caller with the draft's provenance: created when there is none (with the
    /// draft's metadata, prefilled from the file; `titleChosen: false` lets a package's own title win
    /// over a title made from the file name, `kindChosen: false` lets the file decide the kind), a new
    /// version when its newest file differs.
    case material(MaterialDraft, kindChosen: Bool, titleChosen: Bool)
}

/// What one ingestion did.
public struct IngestOutcome: Sendable, Codable, Equatable {
    public var pid: PersistentIdentifier
    /// The version the file is (an existing one when unchanged).
    public var version: Int
    public var action: ImportAction
    /// The version waits for review and is not the material's current version (a change to a published material).
    public var pending: Bool
}

/// Why a file was not ingested.
public enum IngestError: BilingualError, Equatable {
    case emptyFile
    case linkHasNoFile
    /// The material is in front of the board: what they review must not change under them.
    case underReview

    public var category: ErrorCategory { self == .emptyFile ? .invalid : .conflict }
    public var code: String {
        switch self {
        case .emptyFile: "empty-file"
        case .linkHasNoFile: "link-has-no-file"
        case .underReview: "under-review"
        }
    }
    public var vietnamese: String {
        switch self {
        case .emptyFile: "Tệp rỗng."
        case .linkHasNoFile: "Liên kết không có tệp."
        case .underReview: "Học liệu đang được thẩm định: chưa thể thêm phiên bản. Hãy rút hồ sơ trước nếu cần sửa."
        }
    }
    public var english: String {
        switch self {
        case .emptyFile: "The file is empty."
        case .linkHasNoFile: "A link has no file."
        case .underReview: "The material is under review: no version can be added now. Cancel the submission first if it needs changes."
        }
    }
}

extension Services {
    /// Describes a file already in the blob store. Archives (`.zip`, `.h5p`, `.ggb`, zip media types) are
    /// inspected as content packages on NIO's thread pool; an ordinary zip stays a plain file, and a broken or
    /// hostile package is a ``PackageError`` (`invalid-package`) with the inspector's reason in Vietnamese and English.
    ///
    /// The HTTP upload and `hoclieu import` both go through here, so a file is judged the same way
    /// whichever door it came in by.
    public func describe(_ blob: StoredBlob, fileName: String, declaredType: String?) async throws -> IngestedFile {
        let url = blobs.url(for: blob.contentID)
        let mediaType = MediaTypes.resolve(declared: declaredType, fileName: fileName)
        let report = try await PackageIngest.report(of: url, fileName: fileName, mediaType: mediaType)
        let text = TextExtraction.extract(mediaType: mediaType, byteSize: blob.byteSize) { try Data(contentsOf: url) }
        var thumbnail: StoredBlob?
        if mediaType == "application/pdf", let png = await Thumbnails.pdfFirstPage(url) {
            let writer = try blobs.makeWriter()
            try png.withUnsafeBytes { try writer.write($0) }
            thumbnail = try writer.commit()
        }
        return IngestedFile(
            fileName: fileName, mediaType: mediaType, extractedText: text, package: report.map(PackageIngest.summary), thumbnail: thumbnail,
            report: report)
    }

    /// The one ingest use case, whatever the door (an HTTP upload, `hoclieu import`, an LMS push): a file
    /// already in the blob store is inspected, its metadata prefilled and repaired, and it becomes a version
    /// in one store transaction. Idempotent by content: the same bytes as the current version change nothing.
    /// A change to a published material by anyone but an administrator is stored as a pending version that
    /// the public does not see (``AccessPolicy/changesNeedReview(_:_:)``). On failure nothing is kept.
    public func ingest(_ blob: StoredBlob, fileName: String, declaredType: String?, into target: IngestTarget, by user: User) async throws
        -> IngestOutcome
    {
        var thumbnail: StoredBlob?
        do {
            guard blob.byteSize > 0 else { throw IngestError.emptyFile }
            // Who may write where is decided before the file is even read.
            var existing: Material?
            switch target {
            case .version(let pid, _):
                guard let material = try await store.material(pid), AccessPolicy.canSee(user, material) else {
                    throw AppError.notFound("học liệu \(pid)", "material \(pid)")
                }
                guard AccessPolicy.canEdit(user, material) else { throw AppError.forbidden }
                if AccessPolicy.isLockedForReview(user, material) { throw IngestError.underReview }
                existing = material
            case .material(let draft, _, _):
                if let source = draft.provenance, source.sourceIdentifier != nil {
                    existing = try await store.material(source: source, ownerID: user.id)
                }
            }
            if existing?.kind == .link { throw IngestError.linkHasNoFile }
            let file = try await describe(blob, fileName: fileName, declaredType: declaredType)
            thumbnail = file.thumbnail
            var version = VersionDraft(
                contentID: blob.contentID, fileName: fileName, mediaType: file.mediaType, byteSize: blob.byteSize, createdBy: user.id,
                extractedText: file.extractedText, package: file.package, thumbnail: file.thumbnail?.contentID)
            if existing == nil, case .material(var draft, let kindChosen, let titleChosen) = target {
                if !kindChosen { draft.kind = file.suggestedKind }
                draft.format = file.package?.kind ?? file.mediaType
                draft.metadata = file.prefilled(draft.metadata, titleChosen: titleChosen, languageChosen: false)
                draft.extractedText = file.extractedText
                let created = try await store.createMaterial(draft, ownerID: user.id, firstVersion: version)
                return IngestOutcome(pid: created.pid, version: 1, action: .created, pending: false)
            }
            guard let material = existing else { throw AppError.notFound("học liệu", "material") }
            // The same bytes as the newest version: nothing to do (the thumbnail made again is dropped).
            let versions = try await store.versions(material.pid)
            if let newest = versions.last, newest.contentID == blob.contentID {
                await discard([thumbnail])
                return IngestOutcome(pid: material.pid, version: newest.number, action: .unchanged, pending: newest.number > material.currentVersion)
            }
            if case .version(_, let note) = target { version.note = note }
            version.pending = AccessPolicy.changesNeedReview(user, material)
            let prefilled = file.prefilled(material.metadata)
            if !version.pending, prefilled != material.metadata { version.metadata = prefilled }
            let added = try await store.addVersion(material.pid, version)
            try await store.appendAudit(
                AuditDraft(
                    actorID: user.id, action: version.pending ? "version.added.pending" : "version.added", subject: "material:\(material.pid)",
                    details: ["version": String(added.number), "content": blob.contentID.rawValue]))
            return IngestOutcome(pid: material.pid, version: added.number, action: .updated, pending: version.pending)
        } catch {
            await discard([blob, thumbnail])
            throw error
        }
    }

    /// Removes blobs a failed ingestion stored, unless something else already refers to them.
    public func discard(_ stored: [StoredBlob?]) async {
        for case let blob? in stored where blob.isNew {
            if (try? await store.isReferenced(blob.contentID)) == false { blobs.remove(blob.contentID) }
        }
    }
}

/// Recognises content packages among uploaded files and refuses broken ones.
enum PackageIngest {
    static let archiveTypes: Set<String> = ["application/zip", "application/x-zip-compressed", "application/octet-stream", "application/vnd.geogebra.file"]
    static let archiveExtensions: Set<String> = ["zip", "h5p", "ggb"]

    static func summary(_ report: PackageReport) -> PackageSummary {
        PackageSummary(
            kind: report.kind.rawValue, title: report.title, launch: report.launch, scoCount: report.scos.count,
            entryCount: report.entryCount, expandedBytes: report.expandedBytes, warnings: report.warnings)
    }

    /// The package report of an archive; nil for files that are not archives, or archives that are no
    /// content package (an ordinary zip).
    static func report(of url: URL, fileName: String, mediaType: String) async throws -> PackageReport? {
        let ext = (fileName as NSString).pathExtension.lowercased()
        guard archiveTypes.contains(mediaType) || archiveExtensions.contains(ext) else { return nil }
        let result: Result<PackageReport, PackageError> = try await NIOThreadPool.singleton.runIfActive {
            do throws(PackageError) { return .success(try PackageInspector.inspect(url)) } catch { return .failure(error) }
        }
        switch result {
        case .success(let report):
            return report
        case .failure(.notAPackage):
            return nil
        case .failure(.archive(.unreadable)) where !archiveExtensions.contains(ext):
            return nil  // octet-stream that is not a zip at all
        case .failure(let error):
            throw error
        }
    }
}
