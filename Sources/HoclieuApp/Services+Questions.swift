public import Foundation
public import HoclieuCore
public import HoclieuStorage
import NIOPosix
import QTI
public import QuestionFormats

/// The outcome of importing one question file into the bank: the format's own report (per question:
/// type, source location, errors and narrowings) and what the bank did with each valid question.
public struct QuestionBankImport: Sendable, Encodable {
    public var fileName: String?
    public var report: QuestionImportReport
    public var stored: [QuestionImportOutcome]
    /// The question-set material the import made for the board, and its submission (``Services/importQuestionSet``).
    public var set: SetSubmission?

    /// A question set in the board's hands.
    public struct SetSubmission: Sendable, Encodable {
        public var pid: String
        public var version: Int
        /// The open submission; nil when the set was already published and nothing changed.
        public var submission: Int64?
        /// The submission's state, or the material's status when there is none.
        public var state: String
    }
    public var created: Int { stored.filter { $0.action == .created }.count }
    public var updated: Int { stored.filter { $0.action == .updated }.count }
    public var unchanged: Int { stored.filter { $0.action == .unchanged }.count }
    /// Valid questions by type.
    public var byType: [String: Int] {
        Dictionary(report.validByType.map { ($0.key.rawValue, $0.value) }, uniquingKeysWith: +)
    }
    /// Whether nothing reached the bank because the file had errors (and partial import was not asked).
    public var refused: Bool { report.hasErrors && stored.isEmpty }

    enum CodingKeys: String, CodingKey { case fileName, format, refused, created, updated, unchanged, byType, stored, report, set }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(fileName, forKey: .fileName)
        try c.encode(report.format, forKey: .format)
        try c.encode(refused, forKey: .refused)
        try c.encode(created, forKey: .created)
        try c.encode(updated, forKey: .updated)
        try c.encode(unchanged, forKey: .unchanged)
        try c.encode(byType, forKey: .byType)
        try c.encode(stored, forKey: .stored)
        try c.encode(report, forKey: .report)
        try c.encodeIfPresent(set, forKey: .set)
    }
}

extension Services {
    /// Reads a question file (format detected unless given) and puts its valid questions into the bank
    /// as drafts: rich texts sanitised, media moved into the blob store. By the format's policy a file
    /// with an invalid question stores nothing unless `partial` is asked. Re-importing the same file
    /// changes nothing; a changed question with the same `idNumber` becomes a new version.
    public func importQuestionFile(
        _ data: Data, fileName: String?, format: QuestionFileFormat? = nil, partial: Bool = false, subject: String? = nil, ownerID: Int64
    ) async throws -> QuestionBankImport {
        let result = try await parseQuestionFile(data, fileName: fileName, format: format, partial: partial)
        var stored: [StoredBlob] = []
        do {
            let questions = try bankReady(result.questions, subject: subject, stored: &stored)
            let outcomes = questions.isEmpty ? [] : try await store.importQuestions(questions, ownerID: ownerID, source: fileName)
            return QuestionBankImport(fileName: fileName, report: result.report, stored: outcomes)
        } catch {
            await discard(stored)
            throw error
        }
    }

    /// Imports a question file as a **set for the board**: its questions go into the bank and into one
    /// question-set material (kind `question_set`, the file's questions as `QuestionSetFile`), which is
    /// submitted for review against the question criteria. While the set is reviewed its questions are
    /// `inReview`; the board's decision on the set is theirs (published, or back to draft). The same file
    /// again changes nothing; a changed file of the same name is a new edition of the set (a change
    /// submission when the set is published).
    public func importQuestionSet(
        _ data: Data, fileName: String?, format: QuestionFileFormat? = nil, partial: Bool = false, subject: String? = nil, title: String? = nil,
        provenance: Provenance? = nil, visibility: Visibility = .sector, note: String? = nil, by user: User
    ) async throws -> QuestionBankImport {
        let result = try await parseQuestionFile(data, fileName: fileName, format: format, partial: partial)
        var stored: [StoredBlob] = []
        let outcome: ImportBatchResult.Outcome
        do {
            let questions = try bankReady(result.questions, subject: subject, stored: &stored)
            guard !questions.isEmpty else { return QuestionBankImport(fileName: fileName, report: result.report, stored: []) }
            let name = title.map(VietnameseText.trimmed).flatMap { $0.isEmpty ? nil : $0 } ?? "Bộ câu hỏi: \(fileName ?? "không tên")"
            let file = QuestionSetFile(title: name, isBank: true, questions: questions)
            let blob = try blobs.store(try file.jsonData(), limit: configuration.maxUploadBytes)
            stored.append(blob)
            let text = questions.map { $0.stem.plainText }.joined(separator: "\n")
            let subjects = Array(Set(questions.compactMap(\.subject))).sorted()
            let grades = Array(Set(questions.compactMap(\.grade))).sorted()
            let units = Array(Set(questions.flatMap(\.knowledgeUnits))).sorted()
            let draft = MaterialDraft(
                kind: .questionSet, format: QuestionSetFile.mediaType,
                metadata: MaterialMetadata(title: name, subjects: subjects, grades: grades, knowledgeUnits: units, school: user.school),
                visibility: visibility, status: .draft,
                provenance: provenance ?? Provenance(sourceSystem: "question-file", sourceIdentifier: fileName ?? blob.contentID.rawValue), extractedText: text)
            let version = VersionDraft(
                contentID: blob.contentID, fileName: "questions.json", mediaType: QuestionSetFile.mediaType, byteSize: blob.byteSize,
                note: fileName, createdBy: user.id, extractedText: text)
            outcome = try await store.applyImport(ImportBatch(entries: [.init(draft: draft, version: version, questions: questions)]), ownerID: user.id)
                .outcomes[0]
        } catch {
            await discard(stored)
            throw error
        }
        var bankImport = QuestionBankImport(fileName: fileName, report: result.report, stored: outcome.questions)
        guard let material = try await store.material(outcome.pid) else { return bankImport }
        let open = try await store.submissions(
            SubmissionQuery(states: [.submitted, .inReview, .resubmitted, .changesRequested], pid: outcome.pid, limit: 1)
        ).first
        // A changed file answers a request for changes: it is resubmitted.
        if let open, !(open.state == .changesRequested && outcome.action != .unchanged) {
            bankImport.set = .init(pid: outcome.pid.rawValue, version: outcome.version, submission: open.id, state: open.state.rawValue)
        } else if open != nil || outcome.action != .unchanged || [.draft, .changesRequested, .rejected].contains(material.status) {
            let submission = try await submit(outcome.pid, by: user, SubmitRequest(version: outcome.version, note: note ?? fileName))
            bankImport.set = .init(pid: outcome.pid.rawValue, version: outcome.version, submission: submission.id, state: submission.state.rawValue)
        } else {
            bankImport.set = .init(pid: outcome.pid.rawValue, version: outcome.version, submission: nil, state: material.status.rawValue)
        }
        return bankImport
    }

    /// Edits a question of the bank: the edit applied to its current version, sanitised and validated, stored as the
    /// next version with a `question.edited` audit event in the same transaction. `expectedVersion` is the version the
    /// edit was made on (optimistic concurrency: ``QuestionEditOutcome/stale(currentVersion:)`` when someone changed it
    /// first). Who may see the question but not edit it is refused (forbidden); who may not see it is told it does not
    /// exist. Tests keep the versions they pinned; a published question's edit is a draft for the board.
    public func editQuestion(id: String, _ edit: QuestionEdit, expectedVersion: Int, by user: User) async throws -> QuestionEditOutcome {
        guard AccessPolicy.canUseQuestionBank(user) else { throw AppError.forbidden }
        guard let current = try await store.question(id: id), let owner = try await store.questionOwner(id: id),
            AccessPolicy.canSeeQuestion(user, owner: owner, status: current.status)
        else { throw AppError.notFound("câu hỏi \(id)", "Question \(id)") }
        guard AccessPolicy.canEditQuestion(user, owner: owner, status: current.status) else {
            throw AppError(
                .forbidden, code: "question-not-editable",
                vi: "Chỉ người soạn sửa được câu hỏi của mình khi câu hỏi còn là bản nháp (câu hỏi đang thẩm định hoặc đã xuất bản thuộc về hội đồng).",
                en: "Only its author may edit a question, and only while it is a draft (a question in review or published is the board's).")
        }
        var edited = edit.applied(to: current).sanitised()
        edited.id = current.id
        edited.status = current.status
        // Only a change of content sends a published question back to the board (saving it unchanged does nothing).
        if edited != current { edited.status = AccessPolicy.statusAfterEdit(current.status) }
        if let grade = edited.grade, !(1...12).contains(grade) {
            throw AppError(.invalid, code: "invalid-question", vi: "Lớp phải từ 1 đến 12.", en: "The grade must be 1–12.")
        }
        guard edited.points.isFinite, edited.points > 0, edited.points <= 1000 else {
            throw AppError(.invalid, code: "invalid-question", vi: "Điểm phải lớn hơn 0 và không quá 1000.", en: "Points must be above 0 and at most 1000.")
        }
        let violations = edited.violations()
        guard violations.isEmpty else {
            throw AppError(
                .invalid, code: "invalid-question", vi: violations.map(\.messageVietnamese).joined(separator: " "),
                en: violations.map(\.messageEnglish).joined(separator: " "))
        }
        return try await store.editQuestion(
            edited, expectedVersion: expectedVersion,
            audit: AuditDraft(actorID: user.id, action: "question.edited", subject: "question:\(id)", details: ["from": String(expectedVersion)]))
    }

    /// Parses a question file (format detected unless given) off the request's task.
    func parseQuestionFile(_ data: Data, fileName: String?, format: QuestionFileFormat?, partial: Bool) async throws -> QuestionImportResult {
        let options = QuestionImportOptions(partial: partial)
        // Parsing is CPU work on untrusted bytes: on NIO's thread pool, never on a request's task.
        return try await NIOThreadPool.singleton.runIfActive {
            switch format {
            case .qti12?, .qti21?:
                return QTIFormats.importQuestions(from: data, fileName: fileName, options: options)
            case let format?:
                return QuestionFormatRegistry.descriptor(for: format).importer(data, options)
            case nil:
                // QTI lives in its own module (it builds on QuestionFormats): asked after the registry's formats.
                if QuestionFormatRegistry.detect(data, fileName: fileName) == nil, QTIFormats.detect(data, fileName: fileName) != nil {
                    return QTIFormats.importQuestions(from: data, fileName: fileName, options: options)
                }
                return QuestionFormatRegistry.importQuestions(from: data, fileName: fileName, options: options)
            }
        }
    }

    /// Questions as the bank keeps them: the subject filled in where missing, rich texts sanitised, media
    /// moved into the blob store (appended to `stored`, so that a failure can discard them).
    func bankReady(_ imported: [Question], subject: String?, stored: inout [StoredBlob]) throws -> [Question] {
        try imported.map { question in
            var question = question
            if question.subject == nil { question.subject = subject }
            for i in question.media.indices where !question.media[i].data.isEmpty {
                let blob = try blobs.store(question.media[i].data, limit: configuration.maxUploadBytes)
                stored.append(blob)
                question.media[i].contentID = blob.contentID
                question.media[i].data = Data()
            }
            return question.sanitised()
        }
    }
}

/// The question file writers, QTI included (QTI builds on QuestionFormats, so it is not in its registry).
public enum QuestionExports {
    /// The writer of a format; nil for formats that are only read.
    public static func writer(_ format: QuestionFileFormat) -> (@Sendable ([Question]) throws -> QuestionExportResult)? {
        switch format {
        case .qti12: return { try QTI12Exporter.export($0, container: .objectBank) }
        case .qti21: return { try QTI21Exporter.export($0) }
        default:
            guard let exporter = QuestionFormatRegistry.descriptor(for: format).exporter else { return nil }
            return { questions in try exporter(questions, []) }
        }
    }

    /// File extension and media type of a written file.
    public static func file(_ format: QuestionFileFormat) -> (fileExtension: String, mediaType: String) {
        switch format {
        case .qti12: ("xml", "application/xml")
        case .qti21: ("zip", "application/zip")
        default: (QuestionFormatRegistry.descriptor(for: format).fileExtensions.first ?? "dat", QuestionFormatRegistry.descriptor(for: format).mediaType)
        }
    }

    /// Every format that can be written.
    public static var writable: [QuestionFileFormat] { QuestionFileFormat.allCases.filter { writer($0) != nil } }
}
