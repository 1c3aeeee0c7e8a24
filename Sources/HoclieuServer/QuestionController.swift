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
/// | PUT | /api/v1/questions/{id} | ``AccessPolicy/canEditQuestion(_:owner:status:)``: owner's drafts, admin; `If-Match: "v{n}"` required |
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
        router.put("/api/v1/questions/{id}", use: edit)
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

    /// The entity tag of a question's version: `"v3"`. `PUT /api/v1/questions/{id}` takes it in `If-Match`.
    static func etag(_ question: Question) -> String { "\"v\(question.version)\"" }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let question = try await visibleQuestion(context)
        return try JSONResponse(headers: [.eTag: Self.etag(question), .cacheControl: "private, no-store"], question)
    }

    /// The edit's body: the fields of ``QuestionEdit``, each optional (absent: unchanged), unknown fields refused.
    struct EditRequest: StrictJSONBody {
        static let fields: Set<String> = [
            "title", "subject", "grade", "knowledgeUnits", "cognitiveLevel", "points", "stem", "body", "generalFeedback", "workedSolution", "tags",
        ]
        var edit: QuestionEdit
        init(from decoder: any Decoder) throws { edit = try QuestionEdit(from: decoder) }
    }

    /// The version an `If-Match` header names: `"v3"` (the ETag of GET), also `W/"v3"` or `"3"`. Concurrency is
    /// optimistic: the header is required (428 without it), and a version that is no longer current is a 412.
    static func expectedVersion(_ request: Request) throws -> Int {
        guard let header = request.headers[.ifMatch] else {
            throw Problem(
                .preconditionRequired, "if-match-required", vi: "Cần tiêu đề If-Match với phiên bản đang sửa (ETag của câu hỏi, ví dụ \"v3\").",
                en: "An If-Match header with the version being edited is required (the question's ETag, e.g. \"v3\").")
        }
        var text = Substring(header.trimmingCharacters(in: .whitespaces))
        if text.hasPrefix("W/") { text = text.dropFirst(2) }
        if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = text.dropFirst().dropLast() }
        if text.hasPrefix("v") { text = text.dropFirst() }
        guard text.count <= 9, let n = Int(text), n >= 1 else {
            throw Problem.badRequest(
                "If-Match phải là ETag của câu hỏi, ví dụ \"v3\".", "If-Match must be the question's ETag, e.g. \"v3\".")
        }
        return n
    }

    /// `PUT /api/v1/questions/{id}`: edits a question; its next version is stored (tests keep the versions they pinned).
    /// 200 with the question and its new ETag (also when the edit changed nothing); 412 when `If-Match` is not the current
    /// version; 422 when the edited question is invalid; 403 when the caller sees it but may not edit it; 404 when not.
    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try bankReader(context)
        let id = try questionID(context)
        let expected = try Self.expectedVersion(request)
        let body = try await request.decodeStrict(EditRequest.self, limit: repository.configuration.maxJSONBytes)
        switch try await repository.editQuestion(id: id, body.edit, expectedVersion: expected, by: user) {
        case .saved(let question), .unchanged(let question):
            context.logger.info("question edited", metadata: ["hoclieu.question.id": "\(id)", "hoclieu.question.version": "\(question.version)"])
            return try JSONResponse(headers: [.eTag: Self.etag(question), .cacheControl: "private, no-store"], question)
        case .stale(let current):
            var problem = Problem(
                .preconditionFailed, "stale-version",
                vi: "Câu hỏi đã được sửa (phiên bản hiện tại là \(current), bạn sửa trên phiên bản \(expected)). Hãy tải lại rồi sửa tiếp.",
                en: "The question was changed meanwhile (current version \(current), your edit was made on \(expected)). Reload it and edit again.")
            problem.headers[.eTag] = "\"v\(current)\""
            throw problem
        }
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
