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
    public var created: Int { stored.filter { $0.action == .created }.count }
    public var updated: Int { stored.filter { $0.action == .updated }.count }
    public var unchanged: Int { stored.filter { $0.action == .unchanged }.count }
    /// Valid questions by type.
    public var byType: [String: Int] {
        Dictionary(report.validByType.map { ($0.key.rawValue, $0.value) }, uniquingKeysWith: +)
    }
    /// Whether nothing reached the bank because the file had errors (and partial import was not asked).
    public var refused: Bool { report.hasErrors && stored.isEmpty }

    enum CodingKeys: String, CodingKey { case fileName, format, refused, created, updated, unchanged, byType, stored, report }

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
        let options = QuestionImportOptions(partial: partial)
        // Parsing is CPU work on untrusted bytes: on NIO's thread pool, never on a request's task.
        let result: QuestionImportResult = try await NIOThreadPool.singleton.runIfActive {
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

    /// Questions as the bank keeps them: the subject filled in where missing, rich texts sanitised, media
    /// moved into the blob store (appended to `stored`, so that a failure can discard them).
    func bankReady(_ imported: [Question], subject: String?, stored: inout [StoredBlob]) throws -> [Question] {
        try imported.map { question in
            var question = question
            if question.subject == nil { question.subject = subject }
            for i in question.media.indices where !question.media[i].data.isEmpty {
                let writer = try blobs.makeWriter(limit: configuration.maxUploadBytes)
                try question.media[i].data.withUnsafeBytes { try writer.write($0) }
                let blob = try writer.commit()
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
