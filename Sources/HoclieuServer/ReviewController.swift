import Foundation
import HTTPTypes
import HoclieuApp
import HoclieuCore
import HoclieuStorage
import Hummingbird

/// The quality board: criteria, submissions, assignments, reviews, decisions, withdrawal, the audit log.
///
/// | method | path | policy |
/// |---|---|---|
/// | GET | /api/v1/criteria | anyone (the criteria are published) |
/// | POST | /api/v1/materials/{pid}/submissions | the owner or an administrator |
/// | POST | /api/v1/materials/{pid}/withdraw | chair, administrator |
/// | POST | /api/v1/materials/{pid}/rereview | chair, administrator |
/// | GET | /api/v1/submissions | signed in: the board and administrators see all, authors their own |
/// | GET | /api/v1/submissions/{id} | the author (no internal notes, no reviewer names), the board, administrators |
/// | POST | /api/v1/submissions/{id}/assignments | chair, administrator |
/// | DELETE | /api/v1/submissions/{id}/assignments/{reviewer} | chair, administrator |
/// | POST | /api/v1/submissions/{id}/reviews | an assigned reviewer |
/// | PATCH | /api/v1/submissions/{id}/metadata | an assigned reviewer or the chair: corrects the metadata under review |
/// | POST | /api/v1/submissions/{id}/decision | chair, administrator |
/// | POST | /api/v1/submissions/{id}/cancel | the author, chair, administrator |
/// | GET | /api/v1/audit | administrators |
struct ReviewController {
    let repository: Services
    var store: any Store { repository.store }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/criteria", use: criteria)
        router.post("/api/v1/materials/{pid}/submissions", use: submit)
        router.post("/api/v1/materials/{pid}/withdraw", use: withdraw)
        router.post("/api/v1/materials/{pid}/rereview", use: rereview)
        router.get("/api/v1/submissions", use: list)
        router.get("/api/v1/submissions/{id}", use: get)
        router.post("/api/v1/submissions/{id}/assignments", use: assign)
        router.delete("/api/v1/submissions/{id}/assignments/{reviewer}", use: unassign)
        router.post("/api/v1/submissions/{id}/reviews", use: review)
        router.patch("/api/v1/submissions/{id}/metadata", use: correct)
        router.post("/api/v1/submissions/{id}/decision", use: decide)
        router.post("/api/v1/submissions/{id}/cancel", use: cancel)
        router.get("/api/v1/audit", use: audit)
        router.get("/api/v1/notifications") { _, context in
            let user = try Caller.signedIn(context)
            return try JSONResponse(headers: [.cacheControl: "private, no-store"], ["items": try await repository.notices(for: user)])
        }
    }

    // MARK: Bodies

    struct SubmitBody: StrictJSONBody {
        static let fields: Set<String> = MaterialController.metadataFields.union(["version", "note"])
        var version: Int?
        var note: String?
        var metadata: MaterialController.UpdateRequest
        var changesMetadata: Bool

        enum CodingKeys: String, CodingKey { case version, note }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            version = try container.decodeIfPresent(Int.self, forKey: .version)
            note = try container.decodeIfPresent(String.self, forKey: .note)
            metadata = try MaterialController.UpdateRequest(from: decoder)
            let any = try decoder.container(keyedBy: AnyKey.self)
            changesMetadata = !Set(any.allKeys.map(\.stringValue)).isDisjoint(with: MaterialController.metadataFields)
        }
    }

    struct ReasonBody: StrictJSONBody {
        static let fields: Set<String> = ["reason"]
        var reason: String
    }

    struct AssignBody: StrictJSONBody {
        static let fields: Set<String> = ["reviewers"]
        /// Reviewer ids; omitted: automatic assignment.
        var reviewers: [Int64]?
    }

    struct ReviewBody: StrictJSONBody {
        static let fields: Set<String> = ["scores", "decision", "reasonCode", "feedback", "internalNotes"]
        var scores: [String: Int]
        var decision: ReviewDecision
        var reasonCode: ReasonCode?
        var feedback: String?
        var internalNotes: String?
    }

    struct DecisionBody: StrictJSONBody {
        static let fields: Set<String> = ["decision", "reasonCode", "feedback"]
        var decision: ReviewDecision
        var reasonCode: ReasonCode?
        var feedback: String?
    }

    struct CancelBody: StrictJSONBody {
        static let fields: Set<String> = ["reason"]
        var reason: String?
    }

    // MARK: Views

    /// A submission as `viewer` may read it: the board sees reviews and the pre-review whole; the author sees scores,
    /// verdicts and feedback, never internal notes, who reviewed, or the pre-review's duplicates.
    struct SubmissionView: Encodable {
        var submission: Submission
        var reviews: [ReviewView]
        var title: String?
        /// The material's kind and subjects (lists carry them beside the title).
        var kind: MaterialKind?
        var subjects: [String]?

        struct ReviewView: Encodable {
            var round: Int
            var reviewerID: Int64?
            var scores: [String: Int]
            var decision: ReviewDecision
            var reasonCode: ReasonCode?
            var feedback: String
            var internalNotes: String?
            var weightedScore: Double
            var createdAt: Date
        }

        init(_ s: Submission, reviews: [Review], title: String?, board: Bool, headline: MaterialHeadline? = nil) {
            var s = s
            if !board {
                s.assignments = s.assignments.map { Assignment(reviewerID: 0, assignedBy: 0, assignedAt: $0.assignedAt, dueAt: $0.dueAt) }
                // The pre-review names published materials the author may not be allowed to see (school, private): board only.
                s.preReview = nil
            }
            submission = s
            self.title = title ?? headline?.title
            kind = headline?.kind
            subjects = headline?.subjects
            self.reviews = reviews.map {
                ReviewView(
                    round: $0.round, reviewerID: board ? $0.reviewerID : nil, scores: $0.scores, decision: $0.decision, reasonCode: $0.reasonCode,
                    feedback: $0.feedback, internalNotes: board ? $0.internalNotes : nil, weightedScore: $0.weightedScore, createdAt: $0.createdAt)
            }
        }

        func encode(to encoder: any Encoder) throws {
            try submission.encode(to: encoder)
            var container = encoder.container(keyedBy: AnyKey.self)
            try container.encode(reviews, forKey: AnyKey("reviews"))
            try container.encodeIfPresent(title, forKey: AnyKey("title"))
            try container.encodeIfPresent(kind, forKey: AnyKey("materialKind"))
            try container.encodeIfPresent(subjects, forKey: AnyKey("subjects"))
        }
    }

    func pid(_ context: AppRequestContext) throws -> PersistentIdentifier { try PersistentIdentifier(parsing: try context.parameters.require("pid")) }

    func submissionID(_ context: AppRequestContext) throws -> Int64 {
        guard let id = Int64(try context.parameters.require("id")), id > 0 else { throw Problem.notFound("hồ sơ / submission") }
        return id
    }

    /// The submission, if `user` may read it (404 otherwise, never 403).
    func readable(_ id: Int64, by user: User) async throws -> Submission {
        guard let s = try await store.submission(id: id), user.isBoard || user.has(.admin) || s.submittedBy == user.id else {
            throw Problem.notFound("hồ sơ / submission \(id)")
        }
        return s
    }

    func view(_ s: Submission, for user: User, status: HTTPResponse.Status = .ok) async throws -> JSONResponse {
        let board = user.isBoard || user.has(.admin)
        let title = try await store.material(s.pid)?.metadata.title
        return try JSONResponse(
            status: status, headers: [.cacheControl: "private, no-store"],
            SubmissionView(s, reviews: try await store.reviews(submissionID: s.id), title: title, board: board))
    }

    // MARK: Handlers

    @Sendable func criteria(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        try JSONResponse(["items": try await repository.currentCriteriaSets()])
    }

    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.signedIn(context)
        let pid = try pid(context)
        let body = try await request.decodeStrict(SubmitBody.self, limit: repository.configuration.maxJSONBytes)
        var metadata: MaterialMetadata?
        if body.changesMetadata, let material = try await store.material(pid), AccessPolicy.canSee(user, material) {
            metadata = body.metadata.apply(to: material.metadata)
        }
        let submission = try await repository.submit(pid, by: user, SubmitRequest(version: body.version, metadata: metadata, note: body.note))
        return try await view(submission, for: user, status: .created)
    }

    @Sendable func withdraw(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.chair(context)
        let body = try await request.decodeStrict(ReasonBody.self, limit: repository.configuration.maxJSONBytes)
        return JSONResponse(json: try await repository.withdraw(try pid(context), by: user, reason: body.reason).jsonText(withProvenance: true))
    }

    @Sendable func rereview(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.chair(context)
        let body = try await request.decodeStrict(ReasonBody.self, limit: repository.configuration.maxJSONBytes)
        return try await view(try await repository.requestReReview(try pid(context), by: user, reason: body.reason), for: user, status: .created)
    }

    /// `GET /api/v1/submissions?queue=mine&state=…&overdue=true&after=…&limit=…`: the board lists all (or, with
    /// `queue=mine`, what the caller owes, overdue first); anyone else lists their own submissions.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.signedIn(context)
        let q = request.uri.queryParameters
        for (key, value) in q {
            guard ["queue", "state", "overdue", "after", "limit", "pid"].contains(String(key)) else {
                throw Problem.badRequest("Tham số không được hỗ trợ: \(key).", "Unknown parameter: \(key).")
            }
            if value.isEmpty { throw Problem.badRequest("Tham số \(key) để trống.", "Parameter \(key) is empty.") }
        }
        var query = SubmissionQuery()
        if let limit = q.get("limit") {
            guard let n = Int(limit), (1...200).contains(n) else { throw Problem.badRequest("limit phải từ 1 đến 200.", "limit must be 1–200.") }
            query.limit = n
        }
        if let states = q.get("state") {
            var set = Set<SubmissionState>()
            for name in states.split(separator: ",") {
                guard let state = SubmissionState(rawValue: String(name)) else { throw Problem.badRequest("Trạng thái không hợp lệ: \(name).", "Unknown state: \(name).") }
                set.insert(state)
            }
            query.states = set
        }
        if let pid = q.get("pid") { query.pid = try PersistentIdentifier(parsing: pid) }
        if let overdue = q.get("overdue") {
            guard overdue == "true" || overdue == "false" else { throw Problem.badRequest("overdue là true hoặc false.", "overdue is true or false.") }
            if overdue == "true" { query.dueBefore = Date() }
        }
        let board = user.isBoard || user.has(.admin)
        if let queue = q.get("queue") {
            guard queue == "mine" else { throw Problem.badRequest("queue chỉ nhận giá trị mine.", "queue takes only the value mine.") }
            query.reviewerID = user.id
        } else if !board {
            query.submittedBy = user.id
        }
        if let after = q.get("after") { query.after = try Self.cursor(after) }
        let items = try await store.submissions(query)
        var headers: HTTPFields = [.cacheControl: "private, no-store"]
        if items.count == query.limit, let last = items.last {
            let due = query.reviewerID != nil ? last.assignments.first(where: { $0.reviewerID == user.id })?.dueAt : nil
            headers[HTTPField.Name("Link")!] = "<?after=\(Self.cursorText(due: due, id: last.id))>; rel=\"next\""
        }
        // Titles, kinds and subjects of the page's materials in one query (not one per submission).
        let headlines = try await store.materialHeadlines(items.map(\.pid))
        let views = items.map { SubmissionView($0, reviews: [], title: nil, board: board, headline: headlines[$0.pid]) }
        return try JSONResponse(headers: headers, ["items": views])
    }

    static func cursorText(due: Date?, id: Int64) -> String {
        due.map { "\(Int64(($0.timeIntervalSince1970 * 1000).rounded()))_\(id)" } ?? String(id)
    }

    static func cursor(_ text: String) throws -> (dueAt: Date?, id: Int64) {
        let parts = text.split(separator: "_")
        if parts.count == 2, let ms = Int64(parts[0]), let id = Int64(parts[1]) { return (Date(timeIntervalSince1970: Double(ms) / 1000), id) }
        if parts.count == 1, let id = Int64(parts[0]) { return (nil, id) }
        throw Problem.badRequest("Con trỏ trang không hợp lệ.", "Invalid page cursor.")
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.signedIn(context)
        return try await view(try await readable(try submissionID(context), by: user), for: user)
    }

    @Sendable func assign(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.chair(context)
        let body = try await request.decodeStrict(AssignBody.self, limit: repository.configuration.maxJSONBytes)
        return try await view(try await repository.assignReviewers(try submissionID(context), reviewers: body.reviewers, by: user), for: user)
    }

    @Sendable func unassign(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.chair(context)
        guard let reviewer = Int64(try context.parameters.require("reviewer")) else { throw Problem.notFound("người thẩm định / reviewer") }
        return try await view(try await repository.unassignReviewer(try submissionID(context), reviewerID: reviewer, by: user), for: user)
    }

    @Sendable func review(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.signedIn(context)
        guard user.isBoard else { throw Problem.forbidden }
        let body = try await request.decodeStrict(ReviewBody.self, limit: repository.configuration.maxJSONBytes)
        let id = try submissionID(context)
        _ = try await readable(id, by: user)
        let (_, submission) = try await repository.review(
            id, by: user,
            ReviewInput(
                scores: body.scores, decision: body.decision, reasonCode: body.reasonCode, feedback: body.feedback ?? "",
                internalNotes: body.internalNotes ?? ""))
        return try await view(submission, for: user, status: .created)
    }

    @Sendable func correct(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.signedIn(context)
        guard user.isBoard else { throw Problem.forbidden }
        let id = try submissionID(context)
        _ = try await readable(id, by: user)
        let body = try await request.decodeStrict(MetadataBody.self, limit: repository.configuration.maxJSONBytes)
        let fields = MaterialController.metadataFields.filter { body.changes.changes($0) }.sorted()
        return try await view(try await repository.correctMetadata(id, by: user, fields: fields) { body.changes.apply(to: $0) }, for: user)
    }

    /// The metadata fields of a material, for a reviewer's correction.
    struct MetadataBody: StrictJSONBody {
        static let fields = MaterialController.metadataFields
        var changes: MaterialController.UpdateRequest
        init(from decoder: any Decoder) throws { changes = try MaterialController.UpdateRequest(from: decoder) }
    }

    @Sendable func decide(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.chair(context)
        let body = try await request.decodeStrict(DecisionBody.self, limit: repository.configuration.maxJSONBytes)
        let submission = try await repository.decide(
            try submissionID(context), by: user, decision: body.decision, reason: body.reasonCode, feedback: body.feedback ?? "")
        return try await view(submission, for: user)
    }

    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.signedIn(context)
        let body = try await request.decodeStrict(CancelBody.self, limit: repository.configuration.maxJSONBytes)
        let id = try submissionID(context)
        _ = try await readable(id, by: user)
        return try await view(try await repository.cancelSubmission(id, by: user, reason: body.reason), for: user)
    }

    /// `GET /api/v1/audit?after=&limit=&actor=&action=&subject=&from=&until=`, administrators only.
    @Sendable func audit(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        _ = try Caller.admin(context)
        let q = request.uri.queryParameters
        var query = AuditQuery()
        for (key, value) in q {
            guard !value.isEmpty else { throw Problem.badRequest("Tham số \(key) để trống.", "Parameter \(key) is empty.") }
            switch key {
            case "after": query.afterSeq = try Self.integer(value, key)
            case "limit":
                let n = try Self.integer(value, key)
                guard (1...1000).contains(n) else { throw Problem.badRequest("limit phải từ 1 đến 1000.", "limit must be 1–1000.") }
                query.limit = Int(n)
            case "actor": query.actorID = try Self.integer(value, key)
            case "action": query.action = String(value)
            case "subject": query.subject = String(value)
            case "from", "until":
                guard let date = HoclieuJSON.parseTimestamp(String(value)) ?? ISO8601DateFormatter().date(from: String(value)) else {
                    throw Problem.badRequest("Thời điểm không hợp lệ: \(key).", "Invalid timestamp: \(key).")
                }
                if key == "from" { query.from = date } else { query.until = date }
            default: throw Problem.badRequest("Tham số không được hỗ trợ: \(key).", "Unknown parameter: \(key).")
            }
        }
        let events = try await store.auditEvents(query)
        var headers: HTTPFields = [.cacheControl: "private, no-store"]
        if events.count == query.limit, let last = events.last { headers[HTTPField.Name("Link")!] = "<?after=\(last.seq)>; rel=\"next\"" }
        return try JSONResponse(headers: headers, ["items": events])
    }

    static func integer(_ value: Substring, _ key: Substring) throws -> Int64 {
        guard let n = Int64(value), n >= 0 else { throw Problem.badRequest("\(key) phải là số nguyên không âm.", "\(key) must be a non-negative integer.") }
        return n
    }
}

/// A coding key made from any string.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
