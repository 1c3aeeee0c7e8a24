import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuStorage
import HoclieuApp
import Hummingbird
import Logging
import NIOCore
import QuestionFormats

/// The question bank.
///
/// | method | path | policy |
/// |---|---|---|
/// | POST | /api/v1/question-imports | contributor; raw file body (Moodle XML, GIFT, Aiken…) |
/// | GET | /api/v1/questions | teacher, reviewer, admin: their own and the published ones (the board and admins: all) |
/// | GET | /api/v1/questions/{id} | ``AccessPolicy/canSeeQuestion(_:owner:status:)`` (otherwise 404) |
/// | GET | /api/v1/questions/{id}/versions/{n} | as above |
/// | PUT | /api/v1/questions/{id}/status | reviewer or admin |
///
/// Exam questions are not public, and an LMS client never reads the bank (it would read the keys).
struct QuestionController {
    let repository: Services

    /// Question files are read whole (they are small next to packages: 2,000 questions are ~2 MB).
    static let maxFileBytes = 32 << 20
    static let importParameters: Set<String> = ["filename", "format", "partial", "subject", "submit", "title"]
    static let listParameters: Set<String> = ["subject", "grade", "type", "status", "unit", "level", "limit", "cursor"]

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/api/v1/question-imports", use: importFile)
        router.get("/api/v1/questions", use: list)
        router.get("/api/v1/questions/{id}", use: get)
        router.get("/api/v1/questions/{id}/versions/{n}", use: version)
        router.put("/api/v1/questions/{id}/status", use: setStatus)
    }

    static func checkParameters(_ query: Parameters, allowed: Set<String>) throws {
        let unknown = Set(query.map { String($0.key) }).subtracting(allowed).sorted()
        guard unknown.isEmpty else {
            throw Problem(
                .badRequest, "unknown-parameters", vi: "Tham số không được hỗ trợ: \(unknown.joined(separator: ", ")).",
                en: "Unknown parameters: \(unknown.joined(separator: ", ")).")
        }
        for (key, value) in query where value.isEmpty {
            throw Problem.badRequest("Tham số \(key) để trống.", "Parameter \(key) is empty.")
        }
    }

    /// `POST /api/v1/question-imports`: 201 when questions were stored, 200 when the bank already had them
    /// all, 422 with the full report when the file's errors kept everything out.
    @Sendable func importFile(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.contributor(context)
        let query = request.uri.queryParameters
        try Self.checkParameters(query, allowed: Self.importParameters)
        let format = try query.get("format").map { name in
            guard let format = QuestionFileFormat(rawValue: name) else {
                throw Problem.badRequest(
                    "Định dạng không được hỗ trợ: \(name).", "Unknown format: \(name).",
                    hint: "Allowed: \(QuestionFormatRegistry.all.map(\.format.rawValue).joined(separator: ", "))")
            }
            return format
        }
        let partial: Bool
        switch query.get("partial") {
        case nil, "false": partial = false
        case "true": partial = true
        default: throw Problem.badRequest("partial phải là true hoặc false.", "partial must be true or false.")
        }
        let fileName = try query.get("filename").map { try FileNames.validated($0) }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxFileBytes)
        } catch {
            throw Problem(.contentTooLarge, "too-large", vi: "Tệp câu hỏi quá lớn.", en: "The question file is larger than \(Self.maxFileBytes) bytes.")
        }
        guard buffer.readableBytes > 0 else { throw Problem(.unprocessableContent, "empty-file", vi: "Tệp rỗng.", en: "The file is empty.") }
        let asSet: Bool
        switch query.get("submit") {
        case nil, "false": asSet = false
        case "true": asSet = true
        default: throw Problem.badRequest("submit phải là true hoặc false.", "submit must be true or false.")
        }
        let data = Data(buffer.readableBytesView)
        let result =
            asSet
            ? try await repository.importQuestionSet(
                data, fileName: fileName, format: format, partial: partial, subject: query.get("subject"), title: query.get("title"), by: user)
            : try await repository.importQuestionFile(data, fileName: fileName, format: format, partial: partial, subject: query.get("subject"), ownerID: user.id)
        context.logger.info(
            "questions imported",
            metadata: ["hoclieu.import.created": "\(result.created)", "hoclieu.import.refused": "\(result.refused)"])
        let status: HTTPResponse.Status = result.refused ? .unprocessableContent : result.created + result.updated > 0 || result.set?.version == 1 && result.set?.submission != nil ? .created : .ok
        return try JSONResponse(status: status, result)
    }

    /// The caller, when they may read the question bank at all.
    func bankReader(_ context: AppRequestContext) throws -> User {
        let user = try Caller.signedIn(context)
        guard AccessPolicy.canUseQuestionBank(user) else { throw Problem.forbidden }
        return user
    }

    /// Question `{id}` in its current state, if the caller may see it (otherwise 404).
    func visibleQuestion(_ context: AppRequestContext) async throws -> Question {
        let user = try bankReader(context)
        let id = try questionID(context)
        guard let question = try await repository.store.question(id: id), let owner = try await repository.store.questionOwner(id: id),
            AccessPolicy.canSeeQuestion(user, owner: owner, status: question.status)
        else { throw Problem.notFound("câu hỏi / question \(id)") }
        return question
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try bankReader(context)
        let query = request.uri.queryParameters
        try Self.checkParameters(query, allowed: Self.listParameters)
        var filter = QuestionQuery(subject: query.get("subject"), unit: query.get("unit"), level: query.get("level"))
        if let grade = query.get("grade") {
            guard let n = Int(grade), (1...12).contains(n) else { throw Problem.badRequest("grade phải từ 1 đến 12.", "grade must be 1–12.") }
            filter.grade = n
        }
        if let type = query.get("type") {
            guard let t = QuestionType(rawValue: type) else { throw Problem.badRequest("Loại câu hỏi không có: \(type).", "Unknown question type: \(type).") }
            filter.type = t
        }
        if let status = query.get("status") {
            guard let s = QuestionStatus(rawValue: status) else { throw Problem.badRequest("Trạng thái không có: \(status).", "Unknown status: \(status).") }
            filter.status = s
        }
        if let limit = query.get("limit") {
            guard let n = Int(limit), (1...200).contains(n) else { throw Problem.badRequest("limit phải từ 1 đến 200.", "limit must be 1–200.") }
            filter.limit = n
        }
        if let cursor = query.get("cursor") {
            guard let n = Int64(cursor), n > 0 else { throw Problem.badRequest("cursor không hợp lệ.", "Invalid cursor.") }
            filter.cursor = n
        }
        if !(user.has(.admin) || user.isBoard) { filter.ownedOrPublishedFor = user.id }
        let page = try await repository.store.questions(filter)
        struct Page: Encodable {
            var items: [Question]
            var next: String?
        }
        return try JSONResponse(Page(items: page.items, next: page.next.map(String.init)))
    }

    func questionID(_ context: AppRequestContext) throws -> String {
        let id = try context.parameters.require("id")
        guard id.count <= 64 else { throw Problem.badRequest("Mã câu hỏi quá dài.", "The question id is too long.") }
        return id
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        try JSONResponse(try await visibleQuestion(context))
    }

    @Sendable func version(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let id = try await visibleQuestion(context).id
        guard let n = Int(try context.parameters.require("n")), n >= 1 else {
            throw Problem.badRequest("Số phiên bản phải là số nguyên dương.", "The version number must be a positive integer.")
        }
        guard let question = try await repository.store.question(id: id, version: n) else {
            throw Problem.notFound("câu hỏi / question \(id)@v\(n)")
        }
        return try JSONResponse(question)
    }

    struct StatusRequest: StrictJSONBody {
        static let fields: Set<String> = ["status"]
        var status: QuestionStatus
    }

    /// `PUT /api/v1/questions/{id}/status`: the quality board moves a question through review.
    @Sendable func setStatus(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.signedIn(context)
        guard user.has(.admin) || user.isBoard else {
            throw Problem(.forbidden, "review-required", vi: "Chỉ hội đồng thẩm định đổi trạng thái câu hỏi.", en: "Only the quality board changes a question's status.")
        }
        let id = try questionID(context)
        let body = try await request.decodeStrict(StatusRequest.self, limit: repository.configuration.maxJSONBytes)
        return try JSONResponse(try await repository.store.setQuestionStatus(id: id, body.status))
    }
}
