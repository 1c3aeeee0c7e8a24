import ArgumentParser
import Foundation
import HoclieuCore
import HoclieuApp
import HoclieuStorage
import QuestionFormats

/// `hoclieu bench questions`: question-file import speed.
///
/// A bank of `--count` questions (single choice with four options, Đúng/Sai clusters, numeric answers
/// with the 4-character box, short text and essays, in Vietnamese, tagged with units and levels) is
/// written as Moodle XML by the exporter, then imported twice: parsing alone (file → validated
/// questions), and the whole way into a fresh bank (parse, sanitise, store in one transaction).
struct BenchQuestions: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "questions", abstract: "Question import benchmark.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Questions in the generated Moodle XML file.") var count = 2000
    @Option(help: "Parsing runs (the best is reported).") var runs = 3
    @Option(help: "Questions in the bank tests are assembled from.") var bank = 100_000
    @Option(help: "Questions in the generated Word file.") var docx = 500

    struct Report: Encodable, CustomStringConvertible {
        var questions: Int
        var fileBytes: Int
        var parseSeconds: Double
        var parsePerSecond: Double
        var storeSeconds: Double
        var storePerSecond: Double
        var docxQuestions: Int
        var docxBytes: Int
        var docxSeconds: Double
        var docxPerSecond: Double
        var bank: Int
        var indexMilliseconds: Double
        var assemblyMilliseconds: Double
        var assembledQuestions: Int

        var description: String {
            """
            Moodle XML           \(questions) questions, \(humanBytes(Int64(fileBytes)))
            parse + validate     \(String(format: "%.3f", parseSeconds)) s (\(Int(parsePerSecond)) questions/s, best of runs)
            into the bank        \(String(format: "%.3f", storeSeconds)) s (\(Int(storePerSecond)) questions/s: parse, sanitise, store)
            Word .docx           \(docxQuestions) questions, \(humanBytes(Int64(docxBytes))): \(String(format: "%.3f", docxSeconds)) s (\(Int(docxPerSecond)) questions/s)
            bank index           \(bank) questions in \(String(format: "%.1f", indexMilliseconds)) ms
            assembly             \(assembledQuestions) questions × 4 variants in \(String(format: "%.1f", assemblyMilliseconds)) ms (best of runs)
            """
        }
    }

    static func generate(_ count: Int) -> [Question] {
        let topics = ["phân số", "số thập phân", "đường tròn", "tỉ lệ thức", "hàm số bậc nhất", "phương trình", "xác suất", "thống kê"]
        return (0..<count).map { i in
            let topic = topics[i % topics.count]
            let unit = "TOAN.\(6 + i % 4).SD.\(1 + i % 5).\(1 + i % 3)"
            let level = CognitiveLevelReference(framework: "NTVV4", level: "NTVV4.\(1 + i % 4)")
            let stem = RichText("<p>Câu \(i + 1): Cho bài toán về \(topic) với <b>dữ kiện</b> số \(i). Chọn đáp án đúng.</p>")
            let body: QuestionBody
            switch i % 5 {
            case 0, 1:
                body = .singleChoice(
                    ChoiceQuestion(options: (0..<4).map { k in
                        ChoiceOption(id: String(UnicodeScalar(97 + k)!), text: RichText("Phương án \(k + 1) của câu \(i + 1)"), correct: k == i % 4)
                    }))
            case 2:
                body = .trueFalseCluster(
                    TrueFalseCluster(statements: ["a", "b", "c", "d"].enumerated().map { k, label in
                        ClusterStatement(label: label, text: RichText("Mệnh đề \(label) về \(topic) (\(i))"), isTrue: (i + k) % 2 == 0)
                    }))
            case 3:
                body = .numeric(NumericQuestion(keys: [NumericKey(answer: "\(i % 100),\(i % 10)")], answerBoxLength: 4))
            default:
                body = .shortText(ShortTextQuestion(keys: [ShortTextKey(pattern: "\(topic) \(i)", fraction: 1)]))
            }
            return Question(
                id: "bench-\(i)", title: "Câu \(i + 1)", subject: "TOAN", grade: 6 + i % 4, knowledgeUnits: [unit], cognitiveLevel: level,
                stem: stem, idNumber: "BENCH-\(i)", body: body)
        }
    }

    func execute() async throws -> Report {
        let file = try MoodleXMLExporter.export(Self.generate(count)).data
        var best = Double.infinity
        var parsed = 0
        for _ in 0..<max(1, runs) {
            let start = ContinuousClock.now
            let result = MoodleXMLImporter.importQuestions(from: file, options: QuestionImportOptions())
            best = min(best, (ContinuousClock.now - start).seconds)
            guard !result.report.hasErrors else {
                throw ValidationError("the generated file does not import cleanly: \(result.report.allErrors.prefix(3))")
            }
            parsed = result.questions.count
        }
        let repository = try common.openRepository()
        if try await repository.store.userCount() == 0 { _ = try await repository.bootstrapAdmin(password: nil) }
        guard let owner = try await repository.store.credentials(username: "admin")?.user.id else { throw ValidationError("no user 'admin'") }
        let start = ContinuousClock.now
        let imported = try await repository.importQuestionFile(file, fileName: "bench.xml", format: .moodleXML, ownerID: owner)
        let storeSeconds = (ContinuousClock.now - start).seconds
        // Word: the exporter writes the 2025 layout (single choice, Đúng/Sai clusters, numeric answers); read back.
        let word = DocxExporter.export(Self.generate(docx * 5 / 4).filter { [.singleChoice, .trueFalseCluster, .numeric].contains($0.type) }.prefix(docx).map { $0 })
        var docxBest = Double.infinity
        var docxCount = 0
        for _ in 0..<max(1, runs) {
            let start = ContinuousClock.now
            let result = DocxImporter.importQuestions(from: word.data)
            docxBest = min(docxBest, (ContinuousClock.now - start).seconds)
            guard !result.report.hasErrors else { throw ValidationError("the generated .docx does not import cleanly: \(result.report.allErrors.prefix(3))") }
            docxCount = result.questions.count
        }
        let (indexMilliseconds, assemblyMilliseconds, assembled) = try Self.assembly(bank: bank, runs: runs)
        return Report(
            questions: parsed, fileBytes: file.count, parseSeconds: best, parsePerSecond: Double(parsed) / best, storeSeconds: storeSeconds,
            storePerSecond: Double(imported.stored.count) / storeSeconds, docxQuestions: docxCount, docxBytes: word.data.count, docxSeconds: docxBest,
            docxPerSecond: Double(docxCount) / docxBest, bank: bank, indexMilliseconds: indexMilliseconds,
            assemblyMilliseconds: assemblyMilliseconds, assembledQuestions: assembled)
    }

    /// A 40-question test (5 units × 4 levels × 2 single-choice questions, 0.25 points each) with 4 variants,
    /// from a bank of `bank` published questions spread over 10 units, 4 levels and 3 types. Index building
    /// is timed apart: a service keeps the index between tests.
    static func assembly(bank: Int, runs: Int) throws -> (index: Double, assembly: Double, questions: Int) {
        let types: [QuestionType] = [.singleChoice, .trueFalseCluster, .numeric]
        let options = (0..<4).map { k in ChoiceOption(id: "abcd".map(String.init)[k], text: RichText("Phương án \(k)"), correct: k == 0) }
        let content = Question(id: "", stem: RichText("<p>Câu hỏi</p>"), body: .singleChoice(ChoiceQuestion(options: options)))
        let summaries = (0..<bank).map { i in
            BankQuestionSummary(
                id: "Q\(i)", type: types[i % 3], unitCodes: ["TOAN.6.SD.\(1 + i % 10).\(1 + i % 7)"],
                level: CognitiveLevelReference(framework: "NTVV4", level: "NTVV4.\(1 + (i / 30) % 4)"))
        }
        let blueprint = Blueprint(
            title: "bench", subject: "TOAN", grade: 6, framework: "NTVV4", questionTypes: [.singleChoice], totalPoints: 10,
            rows: (1...5).map { unit in
                BlueprintRow(
                    code: "TOAN.6.SD.\(unit)", label: "Chủ đề \(unit)",
                    cells: (1...4).map { BlueprintCell(level: "NTVV4.\($0)", type: .singleChoice, count: 2, pointsPerQuestion: 0.25) })
            })
        var start = ContinuousClock.now
        let index = BankIndex(summaries)
        let indexMilliseconds = (ContinuousClock.now - start).seconds * 1000
        var best = Double.infinity
        var questions = 0
        for run in 0..<max(1, runs) {
            start = ContinuousClock.now
            let test = try Assembler(bank: index).assemble(blueprint, options: AssemblyOptions(seed: UInt64(2025 + run), variantCount: 4)) { key in
                var question = content
                question.id = key.id
                question.version = key.version
                return question
            }
            best = min(best, (ContinuousClock.now - start).seconds * 1000)
            questions = test.items.count
        }
        return (indexMilliseconds, best, questions)
    }
}
