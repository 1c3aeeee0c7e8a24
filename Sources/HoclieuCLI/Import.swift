import ArgumentParser
import CommonCartridge
import Foundation
import HoclieuCore
import HoclieuApp
import HoclieuStorage
import QuestionFormats

/// `hoclieu import FILE…`: each file (or http(s) URL) becomes a material, question files (Moodle XML,
/// `.gift`, `.aiken`, or any supported file with `--questions`) go into the question bank, and Common
/// Cartridges (`.imscc`, or a zip whose manifest is a cartridge's) become a course package and its materials.
///
/// Re-importing is idempotent: a file is identified by its path under the `cli` source, within the owner's
/// materials; unchanged bytes are reported as `unchanged`, changed bytes become a new version of the same material.
struct Import: ReportingCommand {
    static let configuration = CommandConfiguration(abstract: "Nhập tệp thành học liệu / Import files as materials.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "Files, or http(s) URLs for links.") var inputs: [String]
    @Option(help: "Kind: lesson, simulation, document, video, link… (default: from the file type).") var kind: String?
    @Option(help: "Title (default: the file name without extension).") var title: String?
    @Option(help: "Description.") var description: String?
    @Option(help: "Subject code (repeatable).") var subject: [String] = []
    @Option(help: "Grade 1–12 (repeatable).") var grade: [Int] = []
    @Option(help: "Knowledge-unit code (repeatable).") var unit: [String] = []
    @Option(help: "Keyword (repeatable).") var keyword: [String] = []
    @Option(help: "Licence, e.g. CC-BY-4.0.") var licence: String?
    @Option(help: "Author (repeatable).") var author: [String] = []
    @Option(help: "School.") var school: String?
    @Option(help: "Visibility: public, sector, school, private.") var visibility = "public"
    @Option(help: "Status: draft (default) or published (an operator's import).") var status = "draft"
    @Option(help: "Owner username.") var owner = "admin"
    @Flag(help: "Read the files as question files (needed for .txt Aiken/GIFT; Moodle XML, .gift and .aiken are recognised anyway).")
    var questions = false
    @Option(help: "Question file format: \(QuestionFileFormat.allCases.map(\.rawValue).joined(separator: ", ")) (default: detected).")
    var format: String?
    @Flag(help: "Import the valid questions of a question file that also has invalid ones.") var partial = false
    @Option(help: "Provenance system of a cartridge's materials (default: cc:<manifest identifier>#<fingerprint>).") var source: String?
    @Option(help: "PID of your own course package that the cartridge is a new edition of.") var replaces: String?

    struct Item: Encodable {
        var input: String
        var action: String
        var pid: String?
        var version: Int?
        var error: String?
    }

    struct Report: Encodable, CustomStringConvertible {
        var items: [Item]
        /// The question files, with their full reports.
        var questionFiles: [QuestionBankImport] = []
        /// The Common Cartridges, with their import reports.
        var cartridges: [CartridgeImportReport] = []
        var created: Int { items.filter { $0.action == "created" }.count }
        var failed: Int { items.filter { $0.action == "failed" }.count + questionFiles.filter(\.refused).count }
        var description: String {
            let materials = items.map { item in
                "\(item.action.padding(toLength: 9, withPad: " ", startingAt: 0)) \(item.pid.map { "\($0)\(item.version.map { "@v\($0)" } ?? "")" } ?? "-") \(item.input)\(item.error.map { " — \($0)" } ?? "")"
            }
            let questions = questionFiles.map { file in
                let types = file.byType.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                let head = "\(file.refused ? "refused" : "questions") \(file.fileName ?? "-"): \(file.created) created, \(file.updated) updated, "
                    + "\(file.unchanged) unchanged (\(file.report.format.rawValue); \(types.isEmpty ? "none valid" : types))"
                let messages = file.report.fileErrors.map { "  ✗ \($0.vietnamese) / \($0)" }
                    + file.report.entries.flatMap { entry in
                        entry.errors.map { "  ✗ \($0.vietnamese) / \($0)" } + entry.warnings.map { "  ! \($0.vietnamese) / \($0)" }
                    }
                return ([head] + messages).joined(separator: "\n")
            }
            return (materials + questions + cartridges.map(\.text)).joined(separator: "\n")
        }

        enum CodingKeys: String, CodingKey { case items, questionFiles, cartridges, created, failed }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(items, forKey: .items)
            try c.encode(questionFiles, forKey: .questionFiles)
            try c.encode(cartridges, forKey: .cartridges)
            try c.encode(created, forKey: .created)
            try c.encode(failed, forKey: .failed)
        }
    }

    /// Whether an input is a question file: asked for, or unmistakable (a Moodle XML `<quiz>`, `.gift`, `.aiken`).
    func isQuestionFile(_ url: URL) -> Bool {
        if questions || format != nil { return true }
        let ext = url.pathExtension.lowercased()
        if ext == "gift" || ext == "aiken" { return true }
        guard ext == "xml", let handle = FileHandle(forReadingAtPath: url.path), let head = try? handle.read(upToCount: 4096) else { return false }
        try? handle.close()
        return QuestionFormatRegistry.detect(head, fileName: url.lastPathComponent) == .moodleXML
    }

    func failed(_ report: Report) -> Bool { report.failed > 0 }

    func execute() async throws -> Report {
        guard let visibility = Visibility(rawValue: visibility) else { throw ValidationError("unknown visibility '\(self.visibility)'") }
        guard let status = MaterialStatus(rawValue: status) else { throw ValidationError("unknown status '\(self.status)'") }
        let kind = try kind.map { name in
            guard let kind = MaterialKind(rawValue: name) else { throw ValidationError("unknown kind '\(name)'") }
            return kind
        }
        let repository = try common.openRepository()
        guard let ownerUser = try await repository.store.credentials(username: owner)?.user else {
            throw ValidationError("no user '\(owner)' (hoclieu user add)")
        }
        let ownerID = ownerUser.id
        var items: [Item] = []
        var questionFiles: [QuestionBankImport] = []
        var cartridges: [CartridgeImportReport] = []
        let questionFormat = try format.map { name in
            guard let format = QuestionFileFormat(rawValue: name) else { throw ValidationError("unknown question format '\(name)'") }
            return format
        }
        for input in inputs {
            let url = URL(fileURLWithPath: input)
            if !input.hasPrefix("http://"), !input.hasPrefix("https://") {
                do {
                    _ = try InputFile.check(input)
                } catch {
                    items.append(Item(input: input, action: "failed", error: error.description))
                    continue
                }
            }
            if !input.hasPrefix("http://"), !input.hasPrefix("https://"), !questions, format == nil, CartridgeReader.isCartridge(at: url) {
                do {
                    let options = CartridgeImportOptions(
                        sourceSystem: source, replaces: try replaces.map(PersistentIdentifier.init(parsing:)), status: status, visibility: visibility,
                        subject: subject.first)
                    cartridges.append(
                        try await repository.importCartridge(at: url, fileName: url.lastPathComponent, ownerID: ownerID, options: options))
                } catch {
                    items.append(Item(input: input, action: "failed", error: Self.explain(error)))
                }
                continue
            }
            if !input.hasPrefix("http://"), !input.hasPrefix("https://"), isQuestionFile(url) {
                do {
                    let data = try Data(contentsOf: url)
                    questionFiles.append(
                        try await repository.importQuestionFile(
                            data, fileName: url.lastPathComponent, format: questionFormat, partial: partial, subject: subject.first, ownerID: ownerID))
                } catch {
                    items.append(Item(input: input, action: "failed", error: Self.explain(error)))
                }
                continue
            }
            do {
                items.append(try await importOne(input, kind: kind, visibility: visibility, status: status, owner: ownerUser, repository: repository))
            } catch {
                items.append(Item(input: input, action: "failed", error: Self.explain(error)))
            }
        }
        if status != .draft {
            // The operator bypassed the board (e.g. an already-reviewed collection): on the record.
            try await repository.store.appendAudit(
                AuditDraft(
                    actorID: User.localOperator.id, action: "material.status.direct", subject: "import",
                    details: ["reason": "hoclieu import --status \(status.rawValue)", "inputs": String(inputs.count), "owner": owner]))
        }
        return Report(items: items, questionFiles: questionFiles, cartridges: cartridges)
    }

    static func explain(_ error: any Error) -> String { CommandErrorText.line(for: error) ?? "\(error)" }

    func metadata(defaultTitle: String) -> MaterialMetadata {
        MaterialMetadata(
            title: title ?? defaultTitle, description: description ?? "", subjects: subject, grades: grade, knowledgeUnits: unit,
            keywords: keyword, licence: licence, authors: author, school: school)
    }

    func importOne(
        _ input: String, kind: MaterialKind?, visibility: Visibility, status: MaterialStatus, owner: User, repository: Services
    ) async throws -> Item {
        let store = repository.store
        if input.hasPrefix("http://") || input.hasPrefix("https://") {
            guard let link = WebLinks.normalise(input) else {
                throw AppError(.invalid, code: "invalid-url", vi: "Địa chỉ URL không hợp lệ.", en: "Invalid URL.")
            }
            let source = Provenance(sourceSystem: "cli", sourceIdentifier: link)
            if let existing = try await store.material(source: source, ownerID: owner.id) {
                return Item(input: input, action: "unchanged", pid: existing.pid.rawValue)
            }
            let draft = MaterialDraft(
                kind: .link, format: "text/uri-list", metadata: metadata(defaultTitle: input), visibility: visibility, status: status,
                url: link, provenance: source)
            let material = try await store.createMaterial(draft, ownerID: owner.id, firstVersion: nil)
            return Item(input: input, action: "created", pid: material.pid.rawValue)
        }

        let url = URL(fileURLWithPath: input).standardizedFileURL.resolvingSymlinksInPath()
        let fileName = try FileNames.validate(url.lastPathComponent)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw AppError(.notFound, code: "no-such-file", vi: "Không có tệp \(input).", en: "No such file: \(input).")
        }
        let blob = try repository.blobs.store(fileAt: url, limit: repository.configuration.maxUploadBytes)
        // The file's own path is its identity: the same path again is the same material (a changed file a new
        // version), while two different `bai1.zip` in two folders are two materials.
        let draft = MaterialDraft(
            kind: kind ?? .document, format: "application/octet-stream", metadata: metadata(defaultTitle: (fileName as NSString).deletingPathExtension),
            visibility: visibility, status: status, provenance: Provenance(sourceSystem: "cli", sourceIdentifier: url.path))
        let outcome = try await repository.ingest(
            blob, fileName: fileName, declaredType: nil, into: .material(draft, kindChosen: kind != nil, titleChosen: title != nil), by: owner)
        return Item(input: input, action: outcome.action.rawValue, pid: outcome.pid.rawValue, version: outcome.version)
    }
}
