public import Foundation
public import HoclieuCore
public import HoclieuStorage

/// Why the quality board's workflow refused a step; every case is a 409 (or 422 for bad scores) with the reason.
public enum ReviewError: BilingualError, Equatable {
    case notSubmittable(MaterialStatus)
    case nothingToSubmit
    case noCriteria(MaterialKind)
    case ownWork
    case ownSchool(String)
    case notEligible(String)
    case notEnoughReviewers(have: Int, need: Int)
    case notReviewable(SubmissionState)
    case scores([FieldViolation])
    case requiredCriteriaFail([String])
    case reasonRequired
    case feedbackRequired
    case bypassNeedsReason
    case noReviewsYet
    case notPublished(MaterialStatus)

    public var category: ErrorCategory {
        switch self {
        case .noCriteria: .unavailable
        case .scores, .reasonRequired, .feedbackRequired, .bypassNeedsReason: .invalid
        default: .conflict
        }
    }

    public var code: String {
        switch self {
        case .ownWork, .ownSchool: "conflict-of-interest"
        case .scores, .requiredCriteriaFail: "criteria"
        case .bypassNeedsReason: "reason-required"
        default: category == .conflict ? "illegal-transition" : category.defaultCode
        }
    }

    public var vietnamese: String {
        switch self {
        case .notSubmittable(let s): "Học liệu đang ở trạng thái \(s.rawValue): không thể gửi thẩm định lúc này."
        case .nothingToSubmit: "Không có gì mới để gửi thẩm định: hãy tải lên phiên bản mới hoặc sửa thông tin mô tả."
        case .noCriteria(let k): "Chưa có bộ tiêu chí thẩm định cho loại học liệu \(k.rawValue)."
        case .ownWork: "Không ai thẩm định học liệu của chính mình."
        case .ownSchool(let s): "Người thẩm định cùng trường với tác giả (\(s))."
        case .notEligible(let who): "\(who) không phải thành viên hội đồng thẩm định đang hoạt động."
        case .notEnoughReviewers(let have, let need): "Chỉ có \(have) người thẩm định phù hợp, cần \(need)."
        case .notReviewable(let s): "Hồ sơ đang ở trạng thái \(s.rawValue): không thể thẩm định hay quyết định."
        case .scores(let v): "Điểm tiêu chí chưa hợp lệ: " + v.map(\.message).joined(separator: "; ")
        case .requiredCriteriaFail(let codes): "Không thể duyệt khi tiêu chí bắt buộc chưa đạt: \(codes.joined(separator: ", "))."
        case .reasonRequired: "Quyết định không duyệt cần mã lý do."
        case .feedbackRequired: "Quyết định không duyệt cần nhận xét cho tác giả."
        case .bypassNeedsReason: "Xuất bản trực tiếp (bỏ qua thẩm định) cần ghi rõ lý do."
        case .noReviewsYet: "Chưa có đánh giá nào trong vòng này: chủ tịch hội đồng chưa thể duyệt."
        case .notPublished(let s): "Học liệu đang ở trạng thái \(s.rawValue), chưa xuất bản."
        }
    }

    public var english: String {
        switch self {
        case .notSubmittable(let s): "The material is \(s.rawValue): it cannot be submitted for review now."
        case .nothingToSubmit: "Nothing new to submit: upload a new version or change the metadata."
        case .noCriteria(let k): "No review criteria are published for materials of kind \(k.rawValue)."
        case .ownWork: "Nobody reviews their own submission."
        case .ownSchool(let s): "The reviewer is from the author's school (\(s))."
        case .notEligible(let who): "\(who) is not an active member of the quality board."
        case .notEnoughReviewers(let have, let need): "Only \(have) eligible reviewers; \(need) are needed."
        case .notReviewable(let s): "The submission is \(s.rawValue): it cannot be reviewed or decided."
        case .scores(let v): "Invalid criterion scores: " + v.map(\.message).joined(separator: "; ")
        case .requiredCriteriaFail(let codes): "Cannot approve while required criteria fail: \(codes.joined(separator: ", "))."
        case .reasonRequired: "A decision other than approval needs a reason code."
        case .feedbackRequired: "A decision other than approval needs feedback for the author."
        case .bypassNeedsReason: "Publishing directly (without review) needs a recorded reason."
        case .noReviewsYet: "No review in this round yet: the chair cannot approve."
        case .notPublished(let s): "The material is \(s.rawValue), not published."
        }
    }
}

/// What an author sends with a submission.
public struct SubmitRequest: Sendable {
    /// The version to review (default: the newest, pending or current).
    public var version: Int?
    /// New metadata for a published material (applied on approval).
    public var metadata: MaterialMetadata?
    public var note: String?

    public init(version: Int? = nil, metadata: MaterialMetadata? = nil, note: String? = nil) {
        self.version = version
        self.metadata = metadata
        self.note = note
    }
}

/// A reviewer's scores and verdict.
public struct ReviewInput: Sendable {
    public var scores: [String: Int]
    public var decision: ReviewDecision
    public var reasonCode: ReasonCode?
    public var feedback: String
    public var internalNotes: String

    public init(scores: [String: Int], decision: ReviewDecision, reasonCode: ReasonCode?, feedback: String, internalNotes: String) {
        self.scores = scores
        self.decision = decision
        self.reasonCode = reasonCode
        self.feedback = feedback
        self.internalNotes = internalNotes
    }
}

/// The result of `hoclieu audit verify`.
public struct AuditVerification: Sendable {
    public var checked: Int
    public var problem: String?
    public var ok: Bool { problem == nil }
}

extension Services {
    // MARK: Criteria

    /// Reads `*.json` criteria sets from a folder and stores new ones (a published `id@version` never changes).
    public func loadCriteria(from directory: URL) async throws {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return }
        var sets: [CriteriaSet] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            let set = try JSONDecoder().decode(CriteriaSet.self, from: Data(contentsOf: directory.appendingPathComponent(name)))
            let problems = set.problems()
            guard problems.isEmpty else { throw AppError(.invalid, vi: "Bộ tiêu chí \(name) lỗi: \(problems.joined(separator: "; "))", en: "Criteria set \(name): \(problems.joined(separator: "; "))") }
            sets.append(set)
        }
        try await store.saveCriteriaSets(sets)
    }

    /// The newest version of every criteria set.
    public func currentCriteriaSets() async throws -> [CriteriaSet] {
        var newest: [String: CriteriaSet] = [:]
        for set in try await store.criteriaSets() where (newest[set.id]?.version ?? 0) < set.version { newest[set.id] = set }
        return newest.values.sorted { $0.id < $1.id }
    }

    /// The criteria set a submission of this kind is reviewed by.
    func criteria(for kind: MaterialKind) async throws -> CriteriaSet {
        guard let set = try await currentCriteriaSets().first(where: { $0.kinds.contains(kind) }) else { throw ReviewError.noCriteria(kind) }
        return set
    }

    /// The criteria set a submission recorded.
    /// Published sets never change (`id@version` is immutable in the store), so each is read once per process.
    public func criteria(of submission: Submission) async throws -> CriteriaSet? {
        if let cached = criteriaCache.get(submission.criteriaSet) { return cached }
        guard let set = try await store.criteriaSets().first(where: { $0.key == submission.criteriaSet }) else { return nil }
        criteriaCache.put(set)
        return set
    }

    // MARK: The author's side

    /// Submits a material (or a change to a published one) for review; a submission the board sent back is
    /// resubmitted. Reviewers are assigned at once when ``ServerConfiguration/autoAssignReviewers`` is on.
    public func submit(_ pid: PersistentIdentifier, by user: User, _ request: SubmitRequest) async throws -> Submission {
        guard let material = try await store.material(pid), AccessPolicy.canSee(user, material) else { throw StoreError.notFound("học liệu / material \(pid)") }
        guard AccessPolicy.canEdit(user, material) else { throw AppError.forbidden }
        let versions = try await store.versions(pid)
        let newest = versions.map(\.number).max() ?? 0
        if let version = request.version, !versions.contains(where: { $0.number == version }) { throw StoreError.notFound("phiên bản / version \(pid)@v\(version)") }
        let version = request.version ?? newest
        // A material without a file (a harvested record, a link) is reviewed on its metadata; pre-review says so.
        if let metadata = request.metadata, let problem = metadata.normalised().violations().first { throw StoreError.invalid(problem.message) }

        if let open = try await store.openSubmission(pid: pid) {
            guard open.state == .changesRequested else { throw ReviewError.notSubmittable(material.status) }
            return try await store.resubmit(submissionID: open.id, version: version, proposedMetadata: request.metadata, by: user.id)
        }
        let kind: SubmissionKind
        switch material.status {
        case .draft, .rejected, .changesRequested:
            kind = .new
            if let metadata = request.metadata { _ = try await store.updateMaterial(pid, metadata: metadata, visibility: nil, status: nil) }
        case .published:
            kind = .change
            let changesMetadata = request.metadata.map { $0.normalised() != material.metadata } ?? false
            guard version > material.currentVersion || changesMetadata else { throw ReviewError.nothingToSubmit }
        default:
            throw ReviewError.notSubmittable(material.status)
        }
        let criteria = try await criteria(for: material.kind)
        let submission = try await store.createSubmission(
            NewSubmission(
                pid: pid, kind: kind, version: kind == .change && version <= material.currentVersion ? material.currentVersion : version,
                proposedMetadata: kind == .change ? request.metadata : nil, note: request.note, criteriaSet: criteria.key, submittedBy: user.id,
                school: user.school ?? material.metadata.school),
            audit: AuditDraft(actorID: user.id, action: "submission.created", subject: ""))
        guard configuration.autoAssignReviewers else { return submission }
        // Too few eligible reviewers is not the author's problem: the chair assigns later.
        return (try? await assignReviewers(submission.id, reviewers: nil, by: .localOperator)) ?? submission
    }

    /// The author takes back an open submission (or an administrator cancels it).
    public func cancelSubmission(_ id: Int64, by user: User, reason: String?) async throws -> Submission {
        guard let s = try await store.submission(id: id) else { throw StoreError.notFound("hồ sơ / submission \(id)") }
        guard s.submittedBy == user.id || user.has(.admin) || user.has(.chair) else { throw AppError.forbidden }
        return try await store.cancelSubmission(id: id, by: user.id, reason: reason)
    }

    // MARK: Assignment

    /// Whether `reviewer` may review `submission`; the reason when not.
    func eligibility(_ reviewer: User, for submission: Submission, material: Material) -> ReviewError? {
        if reviewer.id == submission.submittedBy || reviewer.id == material.ownerID { return .ownWork }
        guard reviewer.isBoard, !reviewer.disabled else { return .notEligible(reviewer.username) }
        if configuration.reviewRules.excludeOwnSchool, AccessPolicy.sameSchool(reviewer.school, submission.school ?? material.metadata.school) {
            return .ownSchool(reviewer.school ?? "")
        }
        return nil
    }

    /// Assigns reviewers: the chair's choice (`reviewers`), or automatically the least-loaded eligible reviewers
    /// (ties by id, so the load goes round the board) until the submission has ``ReviewRules/reviewersPerSubmission``.
    public func assignReviewers(_ submissionID: Int64, reviewers: [Int64]?, by actor: User) async throws -> Submission {
        guard actor.has(.chair) || actor.has(.admin) else { throw AppError.forbidden }
        guard let s = try await store.submission(id: submissionID) else { throw StoreError.notFound("hồ sơ / submission \(submissionID)") }
        guard s.state.isReviewable else { throw ReviewError.notReviewable(s.state) }
        guard let material = try await store.material(s.pid) else { throw StoreError.notFound("học liệu / material \(s.pid)") }
        let rules = configuration.reviewRules
        var chosen: [Int64] = []
        if let reviewers {
            for id in reviewers {
                guard let user = try await store.user(id: id) else { throw StoreError.notFound("người dùng / user \(id)") }
                if let problem = eligibility(user, for: s, material: material) { throw problem }
                chosen.append(id)
            }
        } else {
            let needed = rules.reviewersPerSubmission - s.assignments.count
            guard needed > 0 else { return s }
            let load = try await store.openAssignmentCounts()
            // Reviewers of the material's subjects first, then those who review any subject; the least loaded
            // first within each (ties by id), so the work goes round them. A reviewer of other subjects only is not a candidate.
            let subjects = Set(material.metadata.subjects.map { $0.uppercased() })
            func generalist(_ user: User) -> Int { user.subjects.isEmpty ? 1 : 0 }
            let candidates = try await store.users(withRole: .reviewer).filter { user in
                eligibility(user, for: s, material: material) == nil && !s.assignments.contains { $0.reviewerID == user.id }
                    && (user.subjects.isEmpty || !subjects.isDisjoint(with: user.subjects))
            }.sorted { (generalist($0), load[$0.id] ?? 0, $0.id) < (generalist($1), load[$1.id] ?? 0, $1.id) }
            guard candidates.count >= needed else { throw ReviewError.notEnoughReviewers(have: candidates.count, need: needed) }
            chosen = candidates.prefix(needed).map(\.id)
        }
        let due = Date().addingTimeInterval(TimeInterval(rules.remindAfterDays) * 86_400)
        return try await store.assign(submissionID: submissionID, reviewers: chosen, by: actor.id, dueAt: due)
    }

    /// Removes a reviewer (reassignment), chair or administrator.
    public func unassignReviewer(_ submissionID: Int64, reviewerID: Int64, by actor: User) async throws -> Submission {
        guard actor.has(.chair) || actor.has(.admin) else { throw AppError.forbidden }
        return try await store.unassign(submissionID: submissionID, reviewerID: reviewerID, by: actor.id)
    }

    // MARK: Reviews and decisions

    /// A reviewer assigned to the submission (or the chair) corrects the metadata under review; recorded as their
    /// change in the audit log.
    public func correctMetadata(_ submissionID: Int64, by reviewer: User, fields: [String], change: (MaterialMetadata) -> MaterialMetadata) async throws -> Submission {
        guard let s = try await store.submission(id: submissionID) else { throw StoreError.notFound("hồ sơ / submission \(submissionID)") }
        guard reviewer.has(.chair) || s.assignments.contains(where: { $0.reviewerID == reviewer.id }) else { throw AppError.forbidden }
        guard let material = try await store.material(s.pid) else { throw StoreError.notFound("học liệu / material \(s.pid)") }
        if let problem = eligibility(reviewer, for: s, material: material), reviewer.isBoard { throw problem }
        guard s.state.isReviewable else { throw ReviewError.notReviewable(s.state) }
        return try await store.correctMetadata(submissionID: submissionID, change(s.proposedMetadata ?? material.metadata), fields: fields, by: reviewer.id)
    }

    /// Records a reviewer's review; the agreement rule may close the submission with it.
    public func review(_ submissionID: Int64, by reviewer: User, _ input: ReviewInput) async throws -> (review: Review, submission: Submission) {
        guard reviewer.isBoard else { throw AppError.forbidden }
        guard let s = try await store.submission(id: submissionID) else { throw StoreError.notFound("hồ sơ / submission \(submissionID)") }
        guard let material = try await store.material(s.pid) else { throw StoreError.notFound("học liệu / material \(s.pid)") }
        if let problem = eligibility(reviewer, for: s, material: material) { throw problem }
        guard s.state.isReviewable else { throw ReviewError.notReviewable(s.state) }
        guard let criteria = try await criteria(of: s) else { throw ReviewError.noCriteria(material.kind) }
        let problems = criteria.scoreProblems(input.scores)
        guard problems.isEmpty else { throw ReviewError.scores(problems) }
        try checkVerdict(input.decision, reason: input.reasonCode, feedback: input.feedback)
        if input.decision == .approve {
            let failed = criteria.failedRequired(input.scores)
            guard failed.isEmpty else { throw ReviewError.requiredCriteriaFail(failed) }
        }
        return try await store.recordReview(
            NewReview(
                submissionID: submissionID, reviewerID: reviewer.id, scores: input.scores, decision: input.decision, reasonCode: input.reasonCode,
                feedback: VietnameseText.trimmed(input.feedback), internalNotes: VietnameseText.trimmed(input.internalNotes),
                weightedScore: criteria.weightedScore(input.scores)),
            rules: configuration.reviewRules)
    }

    func checkVerdict(_ decision: ReviewDecision, reason: ReasonCode?, feedback: String) throws {
        guard decision != .approve else { return }
        guard reason != nil else { throw ReviewError.reasonRequired }
        guard !VietnameseText.trimmed(feedback).isEmpty else { throw ReviewError.feedbackRequired }
    }

    /// The chair's decision (when reviews disagree or a reviewer is missing); only one decision ever wins.
    public func decide(_ submissionID: Int64, by chair: User, decision: ReviewDecision, reason: ReasonCode?, feedback: String) async throws -> Submission {
        guard chair.has(.chair) || chair.has(.admin) else { throw AppError.forbidden }
        guard let s = try await store.submission(id: submissionID) else { throw StoreError.notFound("hồ sơ / submission \(submissionID)") }
        guard s.state.isReviewable else { throw ReviewError.notReviewable(s.state) }
        if chair.id == s.submittedBy { throw ReviewError.ownWork }
        try checkVerdict(decision, reason: reason, feedback: feedback)
        if decision == .approve, try await store.reviews(submissionID: submissionID).filter({ $0.round == s.round }).isEmpty { throw ReviewError.noReviewsYet }
        return try await store.decide(
            submissionID: submissionID,
            SubmissionDecision(decision: decision, reasonCode: reason, feedback: VietnameseText.trimmed(feedback), decidedBy: chair.id, decidedAt: Date()))
    }

    // MARK: Outside the workflow

    /// Withdraws a published material (tombstone: the PID still resolves; harvesters see it deleted).
    public func withdraw(_ pid: PersistentIdentifier, by actor: User, reason: String) async throws -> Material {
        guard actor.has(.chair) || actor.has(.admin) else { throw AppError.forbidden }
        let reason = VietnameseText.trimmed(reason)
        guard !reason.isEmpty else { throw ReviewError.bypassNeedsReason }
        guard let material = try await store.material(pid) else { throw StoreError.notFound("học liệu / material \(pid)") }
        guard material.status == .published else { throw ReviewError.notPublished(material.status) }
        return try await store.setStatus(pid, to: .withdrawn, audit: AuditDraft(actorID: actor.id, action: "material.withdrawn", subject: "material:\(pid)", details: ["reason": reason]))
    }

    /// Puts a published material under re-review (it stays visible until the board decides).
    public func requestReReview(_ pid: PersistentIdentifier, by actor: User, reason: String) async throws -> Submission {
        guard actor.has(.chair) || actor.has(.admin) else { throw AppError.forbidden }
        guard let material = try await store.material(pid) else { throw StoreError.notFound("học liệu / material \(pid)") }
        guard material.status == .published else { throw ReviewError.notPublished(material.status) }
        let criteria = try await criteria(for: material.kind)
        let submission = try await store.createSubmission(
            NewSubmission(
                pid: pid, kind: .rereview, version: material.currentVersion, proposedMetadata: nil, note: reason, criteriaSet: criteria.key,
                submittedBy: actor.id, school: material.metadata.school),
            audit: AuditDraft(actorID: actor.id, action: "submission.rereview", subject: "", details: ["reason": reason]))
        guard configuration.autoAssignReviewers else { return submission }
        return (try? await assignReviewers(submission.id, reviewers: nil, by: .localOperator)) ?? submission
    }

    /// Puts every published material tagged with one of `codes` under re-review (a catalogue unit's wording
    /// changed or it was deprecated); materials with an open submission are left alone. Returns how many.
    func reReviewTagged(with codes: [String]) async throws -> Int {
        guard !codes.isEmpty, !(try await currentCriteriaSets().isEmpty) else { return 0 }
        var count = 0
        for chunk in stride(from: 0, to: codes.count, by: 50).map({ Array(codes[$0..<min($0 + 50, codes.count)]) }) {
            var cursor: SearchCursor?
            repeat {
                let page = try await store.search(
                    SearchRequest(
                        filters: SearchFilters([.knowledgeUnit: chunk, .status: ["published"]]), viewer: .localOperator, limit: 100, cursor: cursor))
                for pid in page.pids {
                    guard try await store.openSubmission(pid: pid) == nil, let material = try await store.material(pid) else { continue }
                    let units = material.metadata.knowledgeUnits.filter(chunk.contains)
                    _ = try await requestReReview(pid, by: .localOperator, reason: "Danh mục thay đổi / catalogue changed: \(units.joined(separator: ", "))")
                    count += 1
                }
                cursor = page.next
            } while cursor != nil
        }
        return count
    }

    /// Periodic re-review (``ReviewRules/reReviewAfterDays``): puts under re-review, still visible, the published
    /// materials not looked at for that long (at most `limit` per run, oldest first). Returns how many.
    @discardableResult
    public func runPeriodicReReviews(now: Date = Date(), limit: Int = 200) async throws -> Int {
        guard let days = configuration.reviewRules.reReviewAfterDays, !(try await currentCriteriaSets().isEmpty) else { return 0 }
        let due = try await store.materialsDueForReReview(before: now.addingTimeInterval(-Double(days) * 86_400), limit: limit)
        for pid in due {
            _ = try await requestReReview(pid, by: .localOperator, reason: "Thẩm định lại định kỳ (\(days) ngày) / periodic re-review (\(days) days)")
        }
        return due.count
    }

    /// An administrator sets a status directly (e.g. migrating an already-reviewed collection); the reason is
    /// recorded in the audit log. Nobody else bypasses the board.
    public func setStatusDirectly(_ pid: PersistentIdentifier, to status: MaterialStatus, reason: String?, by actor: User) async throws -> Material {
        guard actor.has(.admin) else { throw AppError.forbidden }
        guard let reason = reason.map(VietnameseText.trimmed), !reason.isEmpty else { throw ReviewError.bypassNeedsReason }
        return try await store.setStatus(
            pid, to: status, audit: AuditDraft(actorID: actor.id, action: "material.status.direct", subject: "material:\(pid)", details: ["reason": reason]))
    }

    // MARK: Reminders

    /// Marks assignments past due for a reminder and, later, for escalation to the chair (the reminder job).
    public func remindOverdueReviewers(now: Date = Date()) async throws -> (reminded: Int, escalated: Int) {
        let rules = configuration.reviewRules
        // Due dates are set `remindAfterDays` after assignment; escalation comes `escalate - remind` days after that.
        let escalateBefore = now.addingTimeInterval(-TimeInterval(max(rules.escalateAfterDays - rules.remindAfterDays, 0)) * 86_400)
        let marked = try await store.markOverdue(now: now, remindBefore: now, escalateBefore: escalateBefore)
        return (marked.reminded.count, marked.escalated.count)
    }

    // MARK: Notices

    /// What needs the user's attention, newest first: for a reviewer, their assignments (new, reminded, overdue
    /// and escalated); for the chair, every escalated assignment; for an author, decisions on their submissions.
    /// Derived from the workflow's state, so a notice disappears once it is dealt with (a review recorded, a
    /// resubmission made).
    public func notices(for user: User, now: Date = Date(), limit: Int = 50) async throws -> [BoardNotice] {
        var notices: [BoardNotice] = []
        func title(_ s: Submission) async throws -> String { try await store.material(s.pid)?.metadata.title ?? s.pid.rawValue }
        if user.isBoard {
            for s in try await store.submissions(SubmissionQuery(reviewerID: user.id, limit: limit)) {
                guard let a = s.assignments.first(where: { $0.reviewerID == user.id }) else { continue }
                let kind: BoardNotice.Kind = a.escalatedAt != nil ? .escalated : a.remindedAt != nil ? .reminder : a.dueAt < now ? .overdue : .assigned
                notices.append(
                    BoardNotice(kind: kind, submission: s.id, pid: s.pid.rawValue, title: try await title(s), at: a.escalatedAt ?? a.remindedAt ?? a.assignedAt, dueAt: a.dueAt))
            }
        }
        if user.has(.chair) {
            let overdue = try await store.submissions(SubmissionQuery(states: [.inReview, .resubmitted, .submitted], dueBefore: now, limit: 200))
            for s in overdue {
                for a in s.assignments where a.escalatedAt != nil && a.reviewerID != user.id {
                    notices.append(
                        BoardNotice(kind: .escalated, submission: s.id, pid: s.pid.rawValue, title: try await title(s), at: a.escalatedAt!, dueAt: a.dueAt, reviewer: a.reviewerID))
                }
            }
        }
        for s in try await store.submissions(SubmissionQuery(submittedBy: user.id, states: [.changesRequested, .approved, .rejected], limit: limit)) {
            notices.append(
                BoardNotice(kind: .decision, submission: s.id, pid: s.pid.rawValue, title: try await title(s), at: s.updatedAt, state: s.state.rawValue))
        }
        return Array(notices.sorted { ($0.at, $0.submission) > ($1.at, $1.submission) }.prefix(limit))
    }

    // MARK: Audit

    /// Verifies the whole audit chain, page by page.
    public func verifyAudit(pageSize: Int = 20_000) async throws -> AuditVerification {
        var verifier = AuditChain.Verifier()
        var after: Int64 = 0
        while true {
            let page = try await store.auditRecords(afterSeq: after, limit: pageSize)
            for record in page { verifier.check(record) }
            guard let last = page.last, verifier.problem == nil else { break }
            after = last.seq
        }
        let head = try await store.auditHead()
        verifier.finish(headSeq: head.seq, headHash: head.hash)
        return AuditVerification(checked: verifier.checked, problem: verifier.problem)
    }
}

/// Something on the board that needs a user's attention (``Services/notices(for:now:limit:)``).
public struct BoardNotice: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// A submission assigned to the reviewer.
        case assigned
        /// The assignment is past its due date.
        case overdue
        /// A reminder was sent (after `HOCLIEU_REVIEW_REMIND_DAYS`).
        case reminder
        /// Escalated to the chair (after `HOCLIEU_REVIEW_ESCALATE_DAYS`).
        case escalated
        /// The board decided on the user's submission (approved, changes requested, rejected).
        case decision
    }

    public var kind: Kind
    public var submission: Int64
    public var pid: String
    public var title: String
    public var at: Date
    public var dueAt: Date?
    /// For the chair: whose assignment is escalated.
    public var reviewer: Int64?
    /// For a decision: the submission's state.
    public var state: String?
    public var vi: String
    public var en: String

    public init(kind: Kind, submission: Int64, pid: String, title: String, at: Date, dueAt: Date? = nil, reviewer: Int64? = nil, state: String? = nil) {
        self.kind = kind
        self.submission = submission
        self.pid = pid
        self.title = title
        self.at = at
        self.dueAt = dueAt
        self.reviewer = reviewer
        self.state = state
        switch kind {
        case .assigned: (vi, en) = ("Được phân công thẩm định \"\(title)\".", "Assigned to review \"\(title)\".")
        case .overdue: (vi, en) = ("Quá hạn thẩm định \"\(title)\".", "Review of \"\(title)\" is overdue.")
        case .reminder: (vi, en) = ("Nhắc: hãy thẩm định \"\(title)\".", "Reminder: please review \"\(title)\".")
        case .escalated: (vi, en) = ("Hồ sơ \"\(title)\" quá hạn lâu, đã báo chủ tịch.", "\"\(title)\" is long overdue and was escalated to the chair.")
        case .decision:
            switch state {
            case "approved": (vi, en) = ("\"\(title)\" đã được duyệt.", "\"\(title)\" was approved.")
            case "rejected": (vi, en) = ("\"\(title)\" bị từ chối; xem nhận xét.", "\"\(title)\" was rejected; see the feedback.")
            default: (vi, en) = ("\"\(title)\" cần chỉnh sửa; xem nhận xét.", "\"\(title)\" needs changes; see the feedback.")
            }
        }
    }
}
