public import Foundation
public import HoclieuCore

/// The question file formats this module reads and writes.
public enum QuestionFileFormat: String, Sendable, Codable, Hashable, CaseIterable {
    /// Moodle XML (`<quiz>`).
    case moodleXML
    /// Moodle GIFT text.
    case gift
    /// Aiken text (single-choice questions only).
    case aiken
    /// Word .docx written in Vietnamese teachers' conventions (`DocxImporter`, `DocxExporter`).
    case docx
    /// IMS QTI 1.2 (`questestinterop`), read and written by the `QTI` module.
    case qti12
    /// IMS QTI 2.1/2.2 (`assessmentItem`), read and written by the `QTI` module.
    case qti21
}

/// Where something is in a source file.
public struct QuestionSourceLocation: Sendable, Codable, Hashable, CustomStringConvertible {
    /// 1-based line, 0 when unknown.
    public var line: Int
    /// 1-based column, 0 when unknown.
    public var column: Int
    /// Element path for XML, e.g. `/quiz/question[3]`.
    public var path: String?

    /// Creates a location.
    public init(line: Int, column: Int = 0, path: String? = nil) {
        self.line = line
        self.column = column
        self.path = path
    }

    /// `line 12, column 3 (/quiz/question[2])`, omitting unknown parts.
    public var description: String {
        var text = line > 0 ? "line \(line)" : ""
        if column > 0 { text += ", column \(column)" }
        if let path { text += text.isEmpty ? path : " (\(path))" }
        return text
    }
}

/// A message of an import or export report, in Vietnamese and English.
public struct QuestionFormatMessage: Sendable, Codable, Hashable, CustomStringConvertible {
    /// A stable code, e.g. `noCorrectAnswer`, `malformedXML`, `narrowedToCloze`.
    public var code: String
    /// The message in Vietnamese, e.g. "Câu 7: không tìm thấy đáp án đúng".
    public var vietnamese: String
    /// The message in English, e.g. "Question 7: no correct answer found".
    public var english: String
    /// Where it applies, when known.
    public var location: QuestionSourceLocation?

    /// Creates a message.
    public init(code: String, vi: String, en: String, location: QuestionSourceLocation? = nil) {
        self.code = code
        self.vietnamese = vi
        self.english = en
        self.location = location
    }

    /// `english (location)`.
    public var description: String {
        guard let location, location.line > 0 || location.path != nil else { return english }
        return "\(english) (\(location))"
    }
}

/// What happened to one question of an imported file.
public struct QuestionImportEntry: Sendable, Codable, Hashable {
    /// The outcome.
    public enum Outcome: String, Sendable, Codable, Hashable {
        /// Imported (it is in ``QuestionImportResult/questions``).
        case imported
        /// Valid, but not imported because the file has invalid questions and the import was not partial.
        case held
        /// Invalid: see ``QuestionImportEntry/errors``.
        case invalid
        /// A type Hoclieu cannot represent; see the warnings for why.
        case dropped
        /// Not a question (a Moodle `description`); see the warnings.
        case skipped
    }

    /// 1-based number of the question in the file (categories not counted).
    public var number: Int
    /// The id the question received (also for held questions).
    public var id: String?
    /// The question's title in the file.
    public var title: String
    /// The type as the file names it (`multichoice`, `cloze`, `{T}`…).
    public var sourceType: String
    /// The Hoclieu type it became.
    public var type: QuestionType?
    /// Where the question starts.
    public var location: QuestionSourceLocation
    /// The outcome.
    public var outcome: Outcome
    /// Why it is invalid.
    public var errors: [QuestionFormatMessage]
    /// Narrowings, conversions and notes (nothing here stops an import).
    public var warnings: [QuestionFormatMessage]
    /// Embedded files: name and size in bytes.
    public var media: [MediaNote]

    /// An embedded file noted in the report.
    public struct MediaNote: Sendable, Codable, Hashable {
        /// File name.
        public var name: String
        /// Size in bytes.
        public var byteCount: Int

        /// Creates a note.
        public init(name: String, byteCount: Int) {
            self.name = name
            self.byteCount = byteCount
        }
    }

    /// Creates an entry.
    public init(
        number: Int, id: String? = nil, title: String, sourceType: String, type: QuestionType? = nil,
        location: QuestionSourceLocation, outcome: Outcome, errors: [QuestionFormatMessage] = [],
        warnings: [QuestionFormatMessage] = [], media: [MediaNote] = []
    ) {
        self.number = number
        self.id = id
        self.title = title
        self.sourceType = sourceType
        self.type = type
        self.location = location
        self.outcome = outcome
        self.errors = errors
        self.warnings = warnings
        self.media = media
    }
}

/// Everything an import found: per question, per file, totals.
public struct QuestionImportReport: Sendable, Codable, Hashable {
    /// The format read.
    public var format: QuestionFileFormat
    /// One entry per question of the file, in file order.
    public var entries: [QuestionImportEntry]
    /// Problems with the file as a whole (not well-formed, wrong root, too large…). Any of
    /// them means nothing was imported.
    public var fileErrors: [QuestionFormatMessage]
    /// Notes about the file as a whole.
    public var fileWarnings: [QuestionFormatMessage]
    /// Category (bank folder) paths found, in file order.
    public var categoriesFound: [String]

    /// Creates a report.
    public init(
        format: QuestionFileFormat, entries: [QuestionImportEntry] = [], fileErrors: [QuestionFormatMessage] = [],
        fileWarnings: [QuestionFormatMessage] = [], categoriesFound: [String] = []
    ) {
        self.format = format
        self.entries = entries
        self.fileErrors = fileErrors
        self.fileWarnings = fileWarnings
        self.categoriesFound = categoriesFound
    }

    /// `true` when the file or any question has an error.
    public var hasErrors: Bool { !fileErrors.isEmpty || entries.contains { $0.outcome == .invalid } }
    /// Number of questions imported.
    public var importedCount: Int { entries.filter { $0.outcome == .imported }.count }
    /// Number of invalid questions.
    public var invalidCount: Int { entries.filter { $0.outcome == .invalid }.count }
    /// Number of questions dropped for their type.
    public var droppedCount: Int { entries.filter { $0.outcome == .dropped }.count }
    /// Number of entries skipped (descriptions).
    public var skippedCount: Int { entries.filter { $0.outcome == .skipped }.count }

    /// Imported questions by type.
    public var importedByType: [QuestionType: Int] {
        entries.filter { $0.outcome == .imported }.reduce(into: [:]) { counts, entry in
            if let type = entry.type { counts[type, default: 0] += 1 }
        }
    }

    /// Valid questions (imported or held) by type.
    public var validByType: [QuestionType: Int] {
        entries.filter { $0.outcome == .imported || $0.outcome == .held }.reduce(into: [:]) { counts, entry in
            if let type = entry.type { counts[type, default: 0] += 1 }
        }
    }

    /// Every error: the file's, then the questions'.
    public var allErrors: [QuestionFormatMessage] { fileErrors + entries.flatMap(\.errors) }
}

/// A bank folder (Moodle category).
public struct QuestionCategory: Sendable, Codable, Hashable {
    /// `/`-separated path, as the file wrote it (Moodle: `$course$/Sigma/Tau`).
    public var path: String
    /// Description of the folder.
    public var info: RichText?
    /// External id.
    public var idNumber: String?

    /// Creates a category.
    public init(path: String, info: RichText? = nil, idNumber: String? = nil) {
        self.path = path
        self.info = info
        self.idNumber = idNumber
    }

    /// The path's components without Moodle's context prefix (`$course$`, `$system$`…).
    public var components: [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if let first = parts.first, first.hasPrefix("$"), first.hasSuffix("$") { return Array(parts.dropFirst()) }
        return parts
    }
}

/// What an import returns: the questions (possibly none), the report, the categories.
public struct QuestionImportResult: Sendable, Codable, Hashable {
    /// Imported questions, in file order.
    public var questions: [Question]
    /// What happened.
    public var report: QuestionImportReport
    /// Categories (bank folders) to create, in file order; empty when nothing was imported
    /// (``QuestionImportReport/categoriesFound`` still lists them).
    public var categories: [QuestionCategory]

    /// Creates a result.
    public init(questions: [Question], report: QuestionImportReport, categories: [QuestionCategory]) {
        self.questions = questions
        self.report = report
        self.categories = categories
    }

    /// `true` when something in the file was invalid.
    public var hasErrors: Bool { report.hasErrors }
}

/// How to import.
public struct QuestionImportOptions: Sendable, Hashable {
    /// Import the valid questions of a file that also has invalid ones (they are listed in the
    /// report). Default `false`: one invalid question and nothing is imported.
    public var partial: Bool
    /// Prefix of the ids given to imported questions: `prefix` + the question's number in the file.
    public var idPrefix: String
    /// Largest accepted file, in bytes. Default 32 MiB.
    public var maxBytes: Int
    /// Most questions accepted in one file. Default 100,000.
    public var maxQuestions: Int

    /// Creates options.
    public init(partial: Bool = false, idPrefix: String = "q", maxBytes: Int = 32 << 20, maxQuestions: Int = 100_000) {
        self.partial = partial
        self.idPrefix = idPrefix
        self.maxBytes = maxBytes
        self.maxQuestions = maxQuestions
    }
}

/// What happened to one question in an export.
public struct QuestionExportEntry: Sendable, Codable, Hashable {
    /// The question's id.
    public var id: String
    /// The question's type.
    public var type: QuestionType
    /// Whether it was written at all.
    public var exported: Bool
    /// What was changed or lost on the way.
    public var narrowings: [QuestionFormatMessage]
    /// How many items of the written format the question became (a Đúng/Sai cluster written as four
    /// true/false items is 4; 0 when it was not written).
    public var items: Int

    /// Creates an entry.
    public init(id: String, type: QuestionType, exported: Bool, narrowings: [QuestionFormatMessage] = [], items: Int? = nil) {
        self.id = id
        self.type = type
        self.exported = exported
        self.narrowings = narrowings
        self.items = items ?? (exported ? 1 : 0)
    }
}

/// What an export lost, per question.
public struct QuestionExportReport: Sendable, Codable, Hashable {
    /// The format written.
    public var format: QuestionFileFormat
    /// One entry per question given, in order.
    public var entries: [QuestionExportEntry]

    /// Creates a report.
    public init(format: QuestionFileFormat, entries: [QuestionExportEntry] = []) {
        self.format = format
        self.entries = entries
    }

    /// Questions not written.
    public var droppedCount: Int { entries.filter { !$0.exported }.count }
    /// Every narrowing of every question.
    public var allNarrowings: [QuestionFormatMessage] { entries.flatMap(\.narrowings) }
}

/// The bytes of an export and its report.
public struct QuestionExportResult: Sendable, Codable, Hashable {
    /// The file.
    public var data: Data
    /// What was lost.
    public var report: QuestionExportReport

    /// Creates a result.
    public init(data: Data, report: QuestionExportReport) {
        self.data = data
        self.report = report
    }
}

// MARK: - Shared import machinery

/// Collects entries and applies the import policy shared by every question format (QTI, in its
/// own module, uses it too: hence `package`).
package struct ImportAccumulator {
    package let format: QuestionFileFormat
    package let options: QuestionImportOptions
    package var entries: [QuestionImportEntry] = []
    package var candidates: [(entryIndex: Int, question: Question)] = []
    package var fileErrors: [QuestionFormatMessage] = []
    package var fileWarnings: [QuestionFormatMessage] = []
    package var categories: [QuestionCategory] = []
    package var questionCount = 0

    package init(format: QuestionFileFormat, options: QuestionImportOptions) {
        self.format = format
        self.options = options
    }

    /// The number the next question gets ("Câu n").
    package mutating func nextNumber() -> Int {
        questionCount += 1
        return questionCount
    }

    package var tooManyQuestions: Bool { questionCount >= options.maxQuestions }

    /// Adds a parsed question: validates it and records errors with the question's number.
    package mutating func add(
        _ question: Question, number: Int, sourceType: String, location: QuestionSourceLocation,
        errors parseErrors: [QuestionFormatMessage] = [], warnings: [QuestionFormatMessage] = []
    ) {
        var question = question
        question.id = options.idPrefix + String(number)
        let violations = question.violations().map { violation in
            QuestionFormatMessage(
                code: violation.code.rawValue,
                vi: "Câu \(number): \(violation.messageVietnamese.lowercasedFirst)",
                en: "Question \(number): \(violation.messageEnglish.lowercasedFirst)",
                location: location
            )
        }
        // A parse error and a violation often say the same thing; keep the parser's wording first.
        var errors = parseErrors
        for violation in violations where !errors.contains(where: { $0.code == violation.code }) { errors.append(violation) }
        let entry = QuestionImportEntry(
            number: number, id: question.id, title: question.title, sourceType: sourceType, type: question.type,
            location: location, outcome: errors.isEmpty ? .imported : .invalid, errors: errors, warnings: warnings,
            media: question.media.map { .init(name: $0.name, byteCount: $0.data.count) }
        )
        entries.append(entry)
        if errors.isEmpty { candidates.append((entries.count - 1, question)) }
    }

    /// Records a question that could not be parsed into the model at all.
    package mutating func addInvalid(
        number: Int, title: String, sourceType: String, location: QuestionSourceLocation, errors: [QuestionFormatMessage],
        warnings: [QuestionFormatMessage] = []
    ) {
        entries.append(QuestionImportEntry(
            number: number, title: title, sourceType: sourceType, location: location, outcome: .invalid, errors: errors,
            warnings: warnings
        ))
    }

    /// Records a question dropped (unsupported type) or skipped (description).
    package mutating func addNotImported(
        number: Int, title: String, sourceType: String, location: QuestionSourceLocation, outcome: QuestionImportEntry.Outcome,
        reason: QuestionFormatMessage, warnings: [QuestionFormatMessage] = []
    ) {
        entries.append(QuestionImportEntry(
            number: number, title: title, sourceType: sourceType, location: location, outcome: outcome, warnings: warnings + [reason]
        ))
    }

    /// Applies the policy: everything valid when there is no error or the import is partial;
    /// otherwise nothing (no questions, no categories: the report still lists what was found),
    /// and the valid entries are marked held.
    package func finish() -> QuestionImportResult {
        var entries = entries
        var report = QuestionImportReport(
            format: format, entries: entries, fileErrors: fileErrors, fileWarnings: fileWarnings,
            categoriesFound: categories.map(\.path)
        )
        let blocked = !fileErrors.isEmpty || (!options.partial && report.hasErrors)
        if blocked {
            for (index, _) in candidates { entries[index].outcome = .held }
            report.entries = entries
            return QuestionImportResult(questions: [], report: report, categories: [])
        }
        return QuestionImportResult(questions: candidates.map(\.question), report: report, categories: categories)
    }
}

extension ImportAccumulator {
    /// What every text format does before parsing: the size limit, decoding (bytes that are not
    /// UTF-8 are read as Windows-1252, with a warning) and the empty-file check; then `parse`.
    static func importText(
        _ data: Data, format: QuestionFileFormat, options: QuestionImportOptions, parse: (String, ImportAccumulator) -> ImportAccumulator
    ) -> QuestionImportResult {
        var accumulator = ImportAccumulator(format: format, options: options)
        guard data.count <= options.maxBytes else {
            accumulator.fileErrors.append(Messages.fileTooLarge(options.maxBytes))
            return accumulator.finish()
        }
        let (text, encoding) = TextDecoding.decode(data)
        if let warning = TextDecoding.encodingWarning(encoding) { accumulator.fileWarnings.append(warning) }
        guard !text.allSatisfy(\.isWhitespace) else {
            accumulator.fileErrors.append(Messages.emptyFile)
            return accumulator.finish()
        }
        return parse(text, accumulator).finish()
    }

    /// Reads a file within the size limit and imports its bytes; a file that cannot be read is a file error.
    static func importFile(
        _ url: URL, format: QuestionFileFormat, options: QuestionImportOptions, importer: (Data, QuestionImportOptions) -> QuestionImportResult
    ) -> QuestionImportResult {
        switch readFile(url, maxBytes: options.maxBytes) {
        case .success(let data): return importer(data, options)
        case .failure(let message):
            var accumulator = ImportAccumulator(format: format, options: options)
            accumulator.fileErrors.append(message)
            return accumulator.finish()
        }
    }
}

/// Messages used by several formats (QTI's too).
package enum Messages {
    package static func fileTooLarge(_ limit: Int) -> QuestionFormatMessage {
        .init(code: "fileTooLarge", vi: "Tệp lớn hơn giới hạn \(limit) byte", en: "The file is larger than the \(limit)-byte limit")
    }

    package static var emptyFile: QuestionFormatMessage {
        .init(code: "emptyFile", vi: "Tệp rỗng, không có câu hỏi nào", en: "The file is empty: no questions", location: .init(line: 1, column: 1))
    }

    package static func tooManyQuestions(_ limit: Int) -> QuestionFormatMessage {
        .init(code: "tooManyQuestions", vi: "Tệp có hơn \(limit) câu hỏi", en: "The file has more than \(limit) questions")
    }

    static func question(_ number: Int, code: String, vi: String, en: String, at location: QuestionSourceLocation?) -> QuestionFormatMessage {
        .init(code: code, vi: "Câu \(number): \(vi)", en: "Question \(number): \(en)", location: location)
    }
}

extension String {
    /// The string with its first character lower-cased.
    var lowercasedFirst: String {
        guard let first else { return self }
        return first.lowercased() + dropFirst()
    }

    /// Trimmed of whitespace and newlines.
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// Option ids: a, b, …, z, then a27, a28…
func optionID(_ index: Int) -> String {
    index < 26 ? String(UnicodeScalar(UInt8(97 + index))) : "a\(index + 1)"
}

/// Fractions as Moodle writes percentages: `100`, `50`, `33.33333`, `-100`.
func moodlePercent(_ fraction: Double) -> String {
    let percent = (fraction * 100 * 100_000).rounded() / 100_000
    if percent == percent.rounded() { return String(Int(percent)) }
    var text = String(format: "%.5f", percent)
    while text.hasSuffix("0") { text.removeLast() }
    return text
}

/// A numeric answer as Moodle and GIFT store it: a decimal point, no sign `+`, no exponent
/// (`-1,5` → `-1.5`); `*` and text that is not a number are left as written.
func canonicalNumber(_ key: NumericKey) -> String {
    key.value.map { "\($0)" } ?? key.answer
}

/// The numeric keys (of the question or of its cloze gaps) whose written form is not the
/// canonical one, as a narrowing message; `nil` when there are none.
func writtenFormNarrowing(_ question: Question) -> QuestionFormatMessage? {
    var keys: [NumericKey] = []
    switch question.body {
    case .numeric(let q): keys = q.keys
    case .cloze(let q):
        for gap in q.gaps { if case .numeric(let n) = gap.kind { keys += n.keys } }
    default: break
    }
    let changed = keys.filter { canonicalNumber($0) != $0.answer }.map(\.answer)
    guard !changed.isEmpty else { return nil }
    let list = changed.map { "\"\($0)\"" }.joined(separator: ", ")
    return QuestionFormatMessage(
        code: "numberRewritten",
        vi: "đáp án số \(list) được ghi với dấu chấm thập phân như định dạng yêu cầu",
        en: "numeric answers \(list) are written with a decimal point, as the format requires"
    )
}

/// Parses `100`, `33.33333`, `-50`: a percentage → fraction.
func fractionFromPercent(_ text: String) -> Double? {
    guard let value = Double(text.trimmed), value.isFinite else { return nil }
    return value / 100
}
