public import Foundation
public import HoclieuCore
public import HoclieuStorage
import CommonCartridge
import ContentPackages
import NIOPosix
import QTI
import QuestionFormats

/// The metadata an LMS sends with a pushed file (`metadata` part or `X-Hoclieu-Metadata` header). Every
/// field is optional: a package's own metadata fills what is left out, and the board corrects the rest.
public struct PushMetadata: Codable, Sendable, Equatable, MetadataFields {
    public static let fields: Set<String> = [
        "title", "description", "language", "subjects", "grades", "knowledgeUnits", "keywords", "licence", "authors", "kind", "visibility",
    ]
    public var title: String?
    public var description: String?
    public var language: String?
    public var subjects: [String]?
    public var grades: [Int]?
    public var knowledgeUnits: [String]?
    public var keywords: [String]?
    public var licence: String?
    public var authors: [String]?
    public var kind: MaterialKind?
    public var visibility: Visibility?

    public init() {}

    /// Parses the JSON object strictly: an unknown field or a wrong type is a 422 naming it.
    public static func parse(_ data: Data) throws -> PushMetadata {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw AppError(.invalid, code: "invalid-metadata", vi: "Siêu dữ liệu phải là một đối tượng JSON.", en: "The metadata must be a JSON object.")
        }
        if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
            throw AppError(
                .invalid, code: "invalid-metadata", vi: "Trường siêu dữ liệu không được hỗ trợ: \(unknown).", en: "Unsupported metadata field: \(unknown).")
        }
        do {
            return try JSONDecoder().decode(PushMetadata.self, from: data)
        } catch {
            throw AppError(
                .invalid, code: "invalid-metadata", vi: "Siêu dữ liệu không hợp lệ (sai kiểu một trường).", en: "Invalid metadata (a field has the wrong type).")
        }
    }

    /// A push does not name the school: the client's account decides.
    public var school: String? { nil }
}

/// What a push job works on: the pushed file in the blob store and what came with it.
public struct PushJobInput: Codable, Sendable, Equatable {
    public var contentID: ContentID
    public var byteSize: Int64
    public var fileName: String
    public var mediaType: String
    public var metadata: PushMetadata?
    /// The LMS's own identifiers of the course and the resource (`X-Hoclieu-Source-Course`, `-Resource`).
    public var sourceCourse: String?
    public var sourceResource: String?

    public init(
        contentID: ContentID, byteSize: Int64, fileName: String, mediaType: String, metadata: PushMetadata?, sourceCourse: String?, sourceResource: String?
    ) {
        self.contentID = contentID
        self.byteSize = byteSize
        self.fileName = fileName
        self.mediaType = mediaType
        self.metadata = metadata
        self.sourceCourse = sourceCourse
        self.sourceResource = sourceResource
    }

    /// A digest of the whole request (file, name, type, metadata, source ids): an `Idempotency-Key` replayed with
    /// another fingerprint is a different request.
    public var fingerprint: String {
        let metadataJSON = (try? HoclieuJSON.encoder().encode(metadata)).map { String(decoding: $0, as: UTF8.self) } ?? "-"
        return SessionToken.hash(
            [contentID.rawValue, fileName, mediaType, metadataJSON, sourceCourse ?? "-", sourceResource ?? "-"].joined(separator: "\u{0}"))
    }
}

/// What a push did: the materials it touched and their submissions in the review queue.
public struct PushResult: Codable, Sendable, Equatable {
    /// How the file was read: `cartridge`, `questions` or `file`.
    public var treatedAs: String
    public var items: [Item]
    /// Questions put into the bank (question files).
    public var questions: Int?
    public var warnings: [String]

    public struct Item: Codable, Sendable, Equatable {
        public var pid: PersistentIdentifier
        public var version: Int
        public var kind: MaterialKind
        public var title: String
        public var action: ImportAction
        /// The open submission of the material (nil when it is not in the queue, e.g. already published unchanged).
        public var submission: Int64?
        public var provenance: Provenance?
    }
}

extension Services {
    /// The provenance system of pushes by `user` (an LMS client's account): `lms:` + its client id.
    static func pushSource(_ user: User) -> String {
        "lms:" + (user.username.hasPrefix("client.") ? String(user.username.dropFirst("client.".count)) : user.username)
    }

    /// Runs a push (the `push` job): the file enters through the existing doors — a cartridge through
    /// ``importCartridge(at:fileName:ownerID:options:progress:isCancelled:)``, a question file into the bank and as a
    /// question set, anything else through ``ingest(_:fileName:declaredType:into:by:)`` — and every new or changed
    /// material is submitted to the board (never published). Provenance is the client and the LMS's course and
    /// resource identifiers (or the content id when the LMS names none), so a retried push changes nothing.
    public func push(_ input: PushJobInput, by user: User, progress: @escaping @Sendable (Double) -> Void = { _ in }) async throws -> PushResult {
        do {
            let result = try await pushRun(input, by: user, progress: progress)
            counters.push(result)
            return result
        } catch {
            counters.pushFailed()
            throw error
        }
    }

    func pushRun(_ input: PushJobInput, by user: User, progress: @escaping @Sendable (Double) -> Void) async throws -> PushResult {
        let url = blobs.url(for: input.contentID)
        let source = Self.pushSource(user)
        let note = "Đẩy từ LMS / pushed by LMS \(source)" + (input.sourceCourse.map { ", course \($0)" } ?? "")
            + (input.sourceResource.map { ", resource \($0)" } ?? "")
        let ext = (input.fileName as NSString).pathExtension.lowercased()
        if ext == "imscc" || MediaTypes.isCartridge(input.mediaType) {
            var options = CartridgeImportOptions(
                sourceSystem: source + (input.sourceCourse.map { ":" + $0 } ?? ""), status: .submitted,
                visibility: input.metadata?.visibility ?? .public, subject: input.metadata?.subjects?.first)
            options.status = .submitted
            let report = try await importCartridge(at: url, fileName: input.fileName, ownerID: user.id, options: options, progress: progress)
            var items: [PushResult.Item] = []
            for item in [report.coursePackage].compactMap({ $0 }) + report.items {
                let material = try await store.material(item.pid)
                items.append(
                    PushResult.Item(
                        pid: item.pid, version: item.version, kind: item.kind, title: item.title, action: item.action,
                        submission: try await store.openSubmission(pid: item.pid)?.id, provenance: material?.provenance))
            }
            return PushResult(treatedAs: "cartridge", items: items, questions: nil, warnings: report.warnings.map { "\($0.vietnamese) / \($0.english)" })
        }
        let identifier = [input.sourceCourse, input.sourceResource ?? "content:" + input.contentID.rawValue].compactMap { $0 }.joined(separator: "/")
        let provenance = Provenance(sourceSystem: source, sourceIdentifier: identifier)
        let kind = input.metadata?.kind
        if kind == nil || kind == .questionSet, ["xml", "txt", "gift"].contains(ext) || kind == .questionSet, input.byteSize <= 32 << 20 {
            let data = try Data(contentsOf: url)
            if kind == .questionSet || QuestionFormatRegistry.detect(data, fileName: input.fileName) != nil
                || QTIFormats.detect(data, fileName: input.fileName) != nil
            {
                // The one question-set use case: questions into the bank, one question-set material submitted to the board.
                let bank = try await importQuestionSet(
                    data, fileName: input.fileName, subject: input.metadata?.subjects?.first, title: input.metadata?.title, provenance: provenance,
                    visibility: input.metadata?.visibility ?? .sector, note: note, by: user)
                guard let set = bank.set, let pid = try? PersistentIdentifier(parsing: set.pid) else {
                    throw AppError(
                        .invalid, code: "invalid-questions", vi: "Tệp câu hỏi có lỗi; không câu nào được nhập.",
                        en: "The question file has errors; no question was imported.")
                }
                let material = try await store.material(pid)
                let action: ImportAction = bank.created > 0 ? .created : bank.updated > 0 ? .updated : .unchanged
                return PushResult(
                    treatedAs: "questions",
                    items: [
                        PushResult.Item(
                            pid: pid, version: set.version, kind: .questionSet, title: material?.metadata.title ?? input.fileName, action: action,
                            submission: set.submission, provenance: material?.provenance)
                    ], questions: bank.stored.count,
                    warnings: bank.report.entries.flatMap { $0.warnings.map { "\($0.vietnamese) / \($0.english)" } })
            }
        }
        var metadata = MaterialMetadata(title: input.metadata?.title ?? (input.fileName as NSString).deletingPathExtension)
        metadata = input.metadata?.apply(to: metadata) ?? metadata
        let draft = MaterialDraft(
            kind: kind ?? .document, format: input.mediaType, metadata: metadata, visibility: input.metadata?.visibility ?? .public, status: .draft,
            provenance: provenance)
        let blob = StoredBlob(contentID: input.contentID, byteSize: input.byteSize, isNew: false)
        let outcome = try await ingest(
            blob, fileName: input.fileName, declaredType: input.mediaType,
            into: .material(draft, kindChosen: kind != nil, titleChosen: input.metadata?.title != nil), by: user)
        progress(0.8)
        var submission = try await store.openSubmission(pid: outcome.pid)
        let stillDraft = try await store.material(outcome.pid)?.status == .draft
        if submission == nil, outcome.action != .unchanged || stillDraft {
            submission = try await submit(outcome.pid, by: user, SubmitRequest(version: outcome.version, note: note))
        }
        let material = try await store.material(outcome.pid)
        return PushResult(
            treatedAs: "file",
            items: [
                PushResult.Item(
                    pid: outcome.pid, version: outcome.version, kind: material?.kind ?? .document, title: material?.metadata.title ?? metadata.title,
                    action: outcome.action, submission: submission?.id, provenance: material?.provenance)
            ], questions: nil, warnings: [])
    }
}

extension Services {
    /// Refuses a pushed archive that is hostile or broken before any job is queued: absolute or `..` paths,
    /// symbolic links, too many entries, too large once expanded or a suspicious compression ratio (the limits
    /// of ``SafeArchive``). Throws ``PackageError`` (`invalid-package`, 422); the caller discards the blob.
    public func screenPushedArchive(_ blob: StoredBlob, fileName: String, mediaType: String) async throws {
        let ext = (fileName as NSString).pathExtension.lowercased()
        let zipTypes: Set<String> = ["application/zip", "application/x-zip-compressed", "application/vnd.geogebra.file"]
        guard ext == "imscc" || PackageIngest.archiveExtensions.contains(ext) || zipTypes.contains(mediaType) || MediaTypes.isCartridge(mediaType)
        else { return }
        let url = blobs.url(for: blob.contentID)
        let failure: ArchiveError? = try await NIOThreadPool.singleton.runIfActive {
            do throws(ArchiveError) {
                _ = try SafeArchive(url: url)
                return nil
            } catch { return error }
        }
        if let failure { throw PackageError.archive(failure) }
    }
}
