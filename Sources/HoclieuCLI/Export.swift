import ArgumentParser
import CommonCartridge
import Foundation
import HoclieuCore
import HoclieuApp
import HoclieuStorage
import QuestionFormats

/// `hoclieu export --format moodleXML|gift… (--all | ID…) --out FILE`: questions of the bank as a file
/// other systems read, with the fidelity report (what each question lost on the way).
///
/// `hoclieu export --format cc1.1|cc1.2|cc1.3|thin-cc1.3 [--target moodle|canvas] (--all | PID…) --out FILE`:
/// materials (a course package brings its outline and members) as a Common Cartridge, with the export report.
struct Export: ReportingCommand {
    static let configuration = CommandConfiguration(abstract: "Xuất câu hỏi hoặc gói Common Cartridge / Export questions or a Common Cartridge.")

    @OptionGroup var common: CommonOptions
    @Option(
        help: "Format: \(QuestionExports.writable.map(\.rawValue).joined(separator: ", ")) (questions), or \(CartridgeExportFormat.allCases.map(\.rawValue).joined(separator: ", ")) (materials).")
    var format: String
    @Option(help: "Cartridge for one LMS's importer: \(CartridgeTarget.allCases.map(\.rawValue).joined(separator: ", ")) (see Connectors/).")
    var target: String?
    @Flag(help: "Every question matching the filters.") var all = false
    @Option(help: "Only this subject (with --all).") var subject: String?
    @Option(help: "Only this status (with --all), e.g. published.") var status: String?
    @Option(help: "Hoclieu's public address for the links a cartridge carries (default: $HOCLIEU_PUBLIC_URL).") var publicURL: String?
    @Option(help: "The file to write.") var out: String
    @Option(help: "Questions: the test's title, for category paths ($course$/<subject> <grade>/<title>/…) and the Word paper's header.")
    var title: String?
    @Flag(help: "Word: the teacher's copy, with answers and worked solutions (default: the students' paper).") var answers = false
    @Option(help: "Word, with --title: the school (and department, after a '|': 'Sở GD&ĐT Hà Nội|Trường THPT Chu Văn An').") var school: String?
    @Option(help: "Word, with --title: working time in minutes.") var minutes: Int?
    @Option(help: "Word, with --title: the paper's code (mã đề).") var code: String?
    @Argument(help: "Question ids.") var ids: [String] = []

    struct Report: Encodable, CustomStringConvertible {
        var file: String
        var questions: Int
        var bytes: Int
        var export: QuestionExportReport?
        var materials: Int?
        var cartridge: CartridgeExportReport?

        var description: String {
            if let cartridge {
                return (["\(cartridge.format.rawValue)\(cartridge.target.map { " (\($0.rawValue))" } ?? ""): \(materials ?? 0) materials → \(file) "
                    + "(\(humanBytes(Int64(bytes))), \(cartridge.files) files)"]
                    + cartridge.losses.map { "  ! \($0.vietnamese) / \($0)" }).joined(separator: "\n")
            }
            guard let export else { return file }
            return (["\(export.format.rawValue): \(questions) questions → \(file) (\(humanBytes(Int64(bytes))))"]
                + export.entries.flatMap { entry in entry.narrowings.map { "  ! \($0.vietnamese) / \($0)" } })
                .joined(separator: "\n")
        }
    }

    func failed(_ report: Report) -> Bool { (report.export?.droppedCount ?? 0) > 0 }

    func execute() async throws -> Report {
        if let cartridge = CartridgeExportFormat(rawValue: format) { return try await exportCartridge(cartridge) }
        guard let format = QuestionFileFormat(rawValue: format), let exporter = QuestionExports.writer(format) else {
            throw ValidationError("format '\(self.format)' cannot be written")
        }
        guard all != !ids.isEmpty else { throw ValidationError("give question ids or --all") }
        let status = try status.map { name in
            guard let status = QuestionStatus(rawValue: name) else { throw ValidationError("unknown status '\(name)'") }
            return status
        }
        let repository = try common.openRepository()
        var questions: [Question] = []
        if all {
            var query = QuestionQuery(subject: subject, status: status, limit: 200)
            while true {
                let page = try await repository.store.questions(query)
                questions += page.items
                guard let next = page.next else { break }
                query.cursor = next
            }
            questions.reverse()  // oldest first, as they were imported
        } else {
            for id in ids {
                guard let question = try await repository.store.question(id: id) else { throw ValidationError("no question '\(id)'") }
                questions.append(question)
            }
        }
        // Media come back from the blob store into the file.
        for q in questions.indices {
            for m in questions[q].media.indices {
                if let blob = questions[q].media[m].contentID, questions[q].media[m].data.isEmpty {
                    questions[q].media[m].data = try Data(contentsOf: repository.blobs.url(for: blob))
                }
            }
        }
        // A category in a file applies to every question after it: questions without one go first, so
        // that reading the file back gives each question the category it had.
        let ordered = questions.filter { $0.category == nil } + questions.filter { $0.category != nil }
        let paths = QuestionCategoryPaths(title: title)
        let result: QuestionExportResult
        switch format {
        case .moodleXML: result = try MoodleXMLExporter.export(ordered, options: .init(categoryPaths: paths))
        case .gift: result = GIFTExporter.export(ordered, categoryPaths: paths)
        case .docx:
            let schoolParts = school?.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) } ?? []
            let paper = title.map { title in
                DocxPaper(
                    department: schoolParts.count == 2 ? schoolParts[0] : "", school: schoolParts.last ?? "", title: title,
                    subject: subject.map { QuestionCategoryPaths.gdptSubjects[$0] ?? $0 } ?? "", minutes: minutes, code: code)
            }
            result = DocxExporter.export(ordered, includeAnswers: answers, paper: paper)
        default: result = try exporter(ordered)
        }
        try result.data.write(to: URL(fileURLWithPath: out), options: .atomic)
        return Report(file: out, questions: questions.count, bytes: result.data.count, export: result.report)
    }

    func exportCartridge(_ format: CartridgeExportFormat) async throws -> Report {
        let target = try target.map { name in
            guard let target = CartridgeTarget(rawValue: name) else { throw ValidationError("unknown target '\(name)'") }
            return target
        }
        if target == .moodle, format != .cc1p1 { throw ValidationError("Moodle imports Common Cartridge 1.1 only: use --format cc1.1") }
        guard all != !ids.isEmpty else { throw ValidationError("give PIDs or --all") }
        let pids = try ids.map { id in
            do { return try PersistentIdentifier(parsing: id) } catch { throw ValidationError("not a PID: '\(id)'") }
        }
        var configuration = try common.configuration()
        if let publicURL, !publicURL.isEmpty { configuration.publicBaseURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL }
        let repository = try Services.open(configuration)
        let (request, withheld) = try await repository.cartridgeRequest(
            ExportSelection(all: all, pids: pids), format: format, target: target, user: .localOperator)
        let url = URL(fileURLWithPath: out)
        var report = try CartridgeWriter.write(request, to: url)
        report.losses = withheld + report.losses
        let bytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        return Report(file: out, questions: 0, bytes: bytes, materials: request.items.count, cartridge: report)
    }
}
