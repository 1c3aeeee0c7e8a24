public import Foundation
public import HoclieuCore

/// One question file format: its names, and how to read and write it.
public struct QuestionFormatDescriptor: Sendable {
    /// The format.
    public let format: QuestionFileFormat
    /// Display name.
    public let name: String
    /// File extensions, lower case, without the dot (the first is the one to write).
    public let fileExtensions: [String]
    /// Media type of the files.
    public let mediaType: String
    /// Reads a file.
    public let importer: @Sendable (Data, QuestionImportOptions) -> QuestionImportResult
    /// Writes questions (`nil` when the format is read-only here).
    public let exporter: (@Sendable ([Question], [QuestionCategory]) throws -> QuestionExportResult)?
}

/// The question formats, as data: callers (the CLI, the ingest API) look a format up here
/// instead of switching over formats themselves.
public enum QuestionFormatRegistry {
    /// Every format, in order of preference for detection.
    public static let all: [QuestionFormatDescriptor] = [
        QuestionFormatDescriptor(
            format: .moodleXML, name: "Moodle XML", fileExtensions: ["xml"], mediaType: "application/xml",
            importer: { MoodleXMLImporter.importQuestions(from: $0, options: $1) },
            exporter: { try MoodleXMLExporter.export($0, categories: $1) }
        ),
        QuestionFormatDescriptor(
            format: .gift, name: "GIFT", fileExtensions: ["gift", "txt"], mediaType: "text/plain",
            importer: { GIFTImporter.importQuestions(from: $0, options: $1) },
            exporter: { questions, _ in GIFTExporter.export(questions) }
        ),
        QuestionFormatDescriptor(
            format: .aiken, name: "Aiken", fileExtensions: ["txt", "aiken"], mediaType: "text/plain",
            importer: { AikenImporter.importQuestions(from: $0, options: $1) },
            exporter: nil
        ),
        QuestionFormatDescriptor(
            format: .docx, name: "Word (.docx)", fileExtensions: ["docx"], mediaType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            importer: { DocxImporter.importQuestions(from: $0, options: $1) }, exporter: { questions, _ in DocxExporter.export(questions) }
        ),
    ]

    /// The descriptor of a format. Formats read by another module (QTI, through `QTIFormats`) get a
    /// descriptor whose import answers with a file error and which has no exporter.
    public static func descriptor(for format: QuestionFileFormat) -> QuestionFormatDescriptor {
        all.first { $0.format == format } ?? QuestionFormatDescriptor(
            format: format, name: format.rawValue, fileExtensions: [], mediaType: "application/octet-stream",
            importer: { _, options in
                var accumulator = ImportAccumulator(format: format, options: options)
                accumulator.fileErrors.append(.init(
                    code: "formatNotRegistered", vi: "Định dạng \(format.rawValue) không được đọc ở đây", en: "The \(format.rawValue) format is not read here"
                ))
                return accumulator.finish()
            },
            exporter: nil
        )
    }

    /// Guesses the format of a file from its first bytes (and its name when the bytes say
    /// little): XML whose root is `<quiz>` → Moodle XML; text with an `ANSWER:` line and no GIFT
    /// answer block → Aiken; text with a `{…}` answer block, a `::title::` or `$CATEGORY:` → GIFT.
    /// `nil` when nothing fits.
    public static func detect(_ data: Data, fileName: String? = nil) -> QuestionFileFormat? {
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return data.range(of: Data("word/".utf8)) != nil ? .docx : nil }
        let head = TextDecoding.decode(data.prefix(64 * 1024)).text
        let trimmed = head.drop { $0.isWhitespace }
        if trimmed.hasPrefix("<") {
            return head.contains("<quiz") ? .moodleXML : nil
        }
        // Moodle's "embedded answers" text format ({1:MULTICHOICE:…} outside any XML) is not GIFT.
        if !MoodleCloze.parse(head).gaps.isEmpty { return nil }
        let lines = TextDecoding.lines(head).map { $0.trimmed }.filter { !$0.isEmpty && !$0.hasPrefix("//") }
        let hasAnswerLine = lines.contains { $0.hasPrefix("ANSWER:") }
        let hasGIFTBlock = lines.contains { $0.contains("{") } || lines.contains { $0.hasPrefix("::") || $0.hasPrefix("$CATEGORY:") }
        if hasAnswerLine && !hasGIFTBlock { return .aiken }
        if hasGIFTBlock { return .gift }
        if let ext = fileName?.split(separator: ".").last?.lowercased() {
            if ext == "gift" { return .gift }
            if ext == "aiken" { return .aiken }
        }
        return nil
    }

    /// Detects the format and imports; a file whose format cannot be recognised gives a
    /// result with one file error and no questions.
    public static func importQuestions(from data: Data, fileName: String? = nil, options: QuestionImportOptions = QuestionImportOptions()) -> QuestionImportResult {
        guard let format = detect(data, fileName: fileName) else {
            var accumulator = ImportAccumulator(format: .gift, options: options)
            accumulator.fileErrors.append(.init(
                code: "unknownFormat", vi: "Không nhận ra định dạng tệp câu hỏi (Moodle XML, GIFT hay Aiken)",
                en: "Unrecognised question file format (expected Moodle XML, GIFT or Aiken)"
            ))
            return accumulator.finish()
        }
        return descriptor(for: format).importer(data, options)
    }
}
