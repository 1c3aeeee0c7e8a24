import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuStorage
import HoclieuApp
import Hummingbird
import Logging
import NIOCore
import QuestionFormats

/// Blueprints (ma trận đề + bản đặc tả) and the tests assembled from them.
///
/// "exam" below is ``AccessPolicy/canSeeExam(_:owner:)``: the owner, their school's teachers, the board and
/// administrators; never an LMS client. Others get a 404.
///
/// | method | path | policy |
/// |---|---|---|
/// | POST | /api/v1/blueprints | teacher, reviewer or admin; JSON, or the matrix as CSV (`text/csv`) |
/// | GET | /api/v1/blueprints/{id} | exam |
/// | GET | /api/v1/blueprints/{id}/matrix.csv | exam |
/// | GET | /api/v1/blueprints/{id}/specification.csv | exam |
/// | POST | /api/v1/blueprints/{id}/check | exam: which cells the bank can fill, which are short |
/// | POST | /api/v1/blueprints/{id}/tests | exam and contributor: assemble a test and its variants |
/// | GET | /api/v1/tests/{id} | exam |
/// | GET | /api/v1/tests/{id}/answer-key.csv | exam |
/// | GET | /api/v1/tests/{id}/variants/{code} | exam; `?format=docx` (default; `&answers=true` for the teacher's copy), `qti21`, `moodleXML`, `gift` |
struct BlueprintController {
    let repository: Services

    static let maxBytes = 4 << 20

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/api/v1/blueprints", use: create)
        router.get("/api/v1/blueprints/{id}", use: get)
        router.get("/api/v1/blueprints/{id}/matrix.csv", use: matrix)
        router.get("/api/v1/blueprints/{id}/specification.csv", use: specification)
        router.post("/api/v1/blueprints/{id}/check", use: check)
        router.post("/api/v1/blueprints/{id}/tests", use: assemble)
        router.get("/api/v1/tests/{id}", use: test)
        router.get("/api/v1/tests/{id}/answer-key.csv", use: answerKey)
        router.get("/api/v1/tests/{id}/variants/{code}", use: variant)
    }

    /// The blueprint of `{id}`, if the caller may see it (``AccessPolicy/canSeeExam(_:owner:)``; otherwise 404).
    func blueprint(_ context: AppRequestContext) async throws -> (String, Blueprint) {
        let viewer = try Caller.signedIn(context)
        let id = try context.parameters.require("id")
        guard id.count <= 64, let owner = try await repository.store.blueprintOwner(id: id), AccessPolicy.canSeeExam(viewer, owner: owner),
            let blueprint = try await repository.store.blueprint(id: id)
        else { throw Problem.notFound("ma trận / blueprint \(id)") }
        return (id, blueprint)
    }

    static func csv(_ text: String, name: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\""],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The bank the blueprint draws from: published questions of its subject.
    func bank(for blueprint: Blueprint) async throws -> [BankQuestionSummary] {
        try await repository.store.questionSummaries(subject: blueprint.subject, status: .published)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.contributor(context)
        guard AccessPolicy.canUseQuestionBank(user) else { throw Problem.forbidden }
        let buffer = try await request.body.collect(upTo: Self.maxBytes)
        let bytes = Array(buffer.readableBytesView)
        let blueprint: Blueprint
        if request.headers[.contentType]?.lowercased().hasPrefix("text/csv") == true {
            do {
                blueprint = try Blueprint(matrixCSVBytes: bytes)
            } catch {
                throw Problem(.unprocessableContent, "invalid-blueprint", vi: "Ma trận CSV không đọc được: \(error)", en: "The matrix CSV cannot be read: \(error)")
            }
        } else {
            do {
                blueprint = try Blueprint(jsonData: Data(bytes))
            } catch {
                throw Problem.badRequest("Ma trận phải là JSON hoặc CSV (text/csv).", "A blueprint is JSON, or the matrix as CSV (text/csv).")
            }
        }
        let errors = blueprint.errors()
        guard errors.isEmpty else {
            throw Problem(
                .unprocessableContent, "invalid-blueprint", vi: errors.map(\.vietnamese).joined(separator: " "),
                en: errors.map(\.english).joined(separator: " "))
        }
        let id = try await repository.store.createBlueprint(blueprint, ownerID: user.id)
        return try JSONResponse(status: .created, headers: [.location: "/api/v1/blueprints/\(id)"], ["id": id])
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (_, blueprint) = try await blueprint(context)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: try blueprint.jsonData())))
    }

    @Sendable func matrix(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (id, blueprint) = try await blueprint(context)
        return Self.csv(blueprint.matrixCSV(), name: "ma-tran-\(id).csv")
    }

    @Sendable func specification(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (id, blueprint) = try await blueprint(context)
        return Self.csv(blueprint.specificationCSV(), name: "ban-dac-ta-\(id).csv")
    }

    @Sendable func check(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let (_, blueprint) = try await blueprint(context)
        return try JSONResponse(BlueprintCheck(blueprint: blueprint, bank: try await bank(for: blueprint)))
    }

    struct AssembleRequest: StrictJSONBody {
        static let fields: Set<String> = ["seed", "variants", "firstCode", "school", "avoidLastTests", "allowPartial"]
        var seed: UInt64?
        var variants: Int?
        var firstCode: Int?
        var school: String?
        var avoidLastTests: Int?
        var allowPartial: Bool?
    }

    /// `POST /api/v1/blueprints/{id}/tests`: draws the questions (seeded), makes the variants, stores
    /// the test pinned to the question versions. A bank that cannot fill every cell is a 422 listing the
    /// shortfalls, unless `allowPartial`.
    @Sendable func assemble(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.contributor(context)
        let (id, blueprint) = try await blueprint(context)
        let body = try await request.decodeStrict(AssembleRequest.self, limit: repository.configuration.maxJSONBytes)
        let variants = body.variants ?? 4
        guard (1...26).contains(variants) else { throw Problem.badRequest("variants phải từ 1 đến 26.", "variants must be 1–26.") }
        let school = body.school ?? user.school
        var recent: Set<String> = []
        if let last = body.avoidLastTests, last > 0, let school {
            recent = try await repository.store.recentlyUsedQuestions(school: school, lastTests: min(last, 100))
        }
        let options = AssemblyOptions(
            seed: body.seed ?? UInt64.random(in: 1...UInt64(Int64.max)), variantCount: variants, firstVariantCode: body.firstCode ?? 101,
            recentlyUsed: recent, allowPartial: body.allowPartial ?? false)
        let assembler = Assembler(bank: BankIndex(try await bank(for: blueprint)))
        let selection: TestSelection
        do {
            selection = try assembler.select(blueprint, options: options)
        } catch {
            throw Problem(.unprocessableContent, "bank-short", vi: "Ngân hàng câu hỏi chưa đủ: \(error)", en: "The bank cannot fill the blueprint: \(error)")
        }
        // The variants need the full questions, at the versions the selection pinned.
        var content: [QuestionKey: Question] = [:]
        for item in selection.items {
            content[item.question] = try await repository.store.question(id: item.question.id, version: item.question.version)
        }
        let test: AssembledTest
        do {
            test = AssembledTest(
                selection: selection,
                variants: try Assembler.variants(of: selection, count: variants, firstCode: options.firstVariantCode) { content[$0] })
        } catch {
            throw Problem(.conflict, "bank-changed", vi: "Ngân hàng vừa thay đổi; hãy thử lại.", en: "The bank changed during assembly; try again: \(error)")
        }
        let testID = try await repository.store.saveTest(test, blueprintID: id, school: school, ownerID: user.id)
        struct Created: Encodable {
            var id: String
            var test: AssembledTest
        }
        return try JSONResponse(status: .created, headers: [.location: "/api/v1/tests/\(testID)"], Created(id: testID, test: test))
    }

    /// The assembled test of `{id}`, if the caller may see it: tests, variants and answer keys are their owner's,
    /// their school's and the board's, never another school's or an LMS client's (otherwise 404).
    func storedTest(_ context: AppRequestContext) async throws -> (String, AssembledTest) {
        let viewer = try Caller.signedIn(context)
        let id = try context.parameters.require("id")
        guard id.count <= 64, let owner = try await repository.store.testOwner(id: id), AccessPolicy.canSeeExam(viewer, owner: owner),
            let test = try await repository.store.test(id: id)
        else { throw Problem.notFound("đề / test \(id)") }
        return (id, test)
    }

    @Sendable func test(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        try JSONResponse(try await storedTest(context).1)
    }

    /// `GET /api/v1/tests/{id}/variants/{code}`: one variant (mã đề) as a question paper in the order and with
    /// the option order of that variant, from the pinned question versions. What the format cannot hold is
    /// listed in the `Hoclieu-Narrowed` header (count) — the full report is the format exporter's.
    @Sendable func variant(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (id, test) = try await storedTest(context)
        let code = try context.parameters.require("code")
        guard let variant = test.variants.first(where: { String($0.code) == code }) else { throw Problem.notFound("mã đề / variant \(code)") }
        let query = request.uri.queryParameters
        try QuestionController.checkParameters(query, allowed: ["format", "answers"])
        let answers: Bool
        switch query.get("answers") {
        case nil, "false": answers = false
        case "true": answers = true
        default: throw Problem.badRequest("answers phải là true hoặc false.", "answers must be true or false.")
        }
        let name = query.get("format") ?? QuestionFileFormat.docx.rawValue
        guard let format = QuestionFileFormat(rawValue: name), let exporter = QuestionExports.writer(format) else {
            throw Problem.badRequest("Định dạng không xuất được: \(name).", "Cannot export as \(name).")
        }
        var questions: [Question] = []
        for item in variant.questions.sorted(by: { $0.number < $1.number || ($0.number == $1.number && $0.part.rawValue < $1.part.rawValue) }) {
            guard let question = try await repository.store.question(id: item.question.id, version: item.question.version) else {
                throw Problem.notFound("câu hỏi / question \(item.question)")
            }
            questions.append(item.presented(question))
        }
        // A Word file is a paper to print: the students' copy carries no answers unless asked.
        let result = format == .docx ? DocxExporter.export(questions, includeAnswers: answers) : try exporter(questions)
        let file = QuestionExports.file(format)
        return Response(
            status: .ok,
            headers: [
                .contentType: file.mediaType,
                .contentDisposition: "attachment; filename=\"de-\(id)-\(variant.code).\(file.fileExtension)\"",
                HTTPField.Name("Hoclieu-Narrowed")!: String(result.report.entries.filter { !$0.narrowings.isEmpty }.count),
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: result.data)))
    }

    @Sendable func answerKey(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (id, test) = try await storedTest(context)
        return Self.csv(test.answerKeyCSV(), name: "dap-an-\(id).csv")
    }
}
