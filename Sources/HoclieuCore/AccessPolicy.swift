/// Who owns a record that is not a material (a question, a blueprint, an assembled test), as far as
/// access is concerned.
public struct RecordOwner: Sendable, Equatable {
    public var ownerID: Int64
    /// The owner's school, when they have one.
    public var school: String?

    public init(ownerID: Int64, school: String?) {
        self.ownerID = ownerID
        self.school = school
    }
}

/// The one access policy: who may see or change what.
///
/// Every read and write path asks it, or asks a store query derived from it (the search index's
/// visibility terms implement ``canSee(_:_:)`` and say so). Anonymous callers are `nil`.
///
/// | thing | sees | changes |
/// |---|---|---|
/// | material | admin; owner; reviewer unless draft; anyone when published + public; signed-in when published + sector; same school when published + school | admin; owner (teacher or LMS client) |
/// | material owner and provenance | admin, owner, reviewer | — |
/// | question | admin, reviewer, owner; teachers when published; never an LMS client | board sets status; owner edits own drafts; admin edits any |
/// | blueprint, test, variant, answer key | admin, reviewer (the board), owner, teachers of the owner's school; never an LMS client | owner |
public enum AccessPolicy {
    // MARK: Materials

    /// Whether `viewer` may see the material at all (metadata, files, previews, its place in outlines,
    /// exports, counts).
    public static func canSee(_ viewer: User?, _ m: Material) -> Bool {
        if let viewer, viewer.has(.admin) || viewer.id == m.ownerID { return true }
        if let viewer, viewer.isBoard, m.status != .draft { return true }
        guard m.status == .published else { return false }
        switch m.visibility {
        case .public: return true
        case .sector: return viewer?.readsSector ?? false
        case .school: return sameSchool(viewer?.school, m.metadata.school)
        case .private: return false
        }
    }

    /// Whether `user` may change metadata or add versions.
    public static func canEdit(_ user: User?, _ m: Material) -> Bool {
        guard let user else { return false }
        return user.has(.admin) || (user.id == m.ownerID && (user.has(.teacher) || user.has(.lmsClient)))
    }

    /// Whether a change by `user` to a published material takes effect at once (administrators) or
    /// waits for review (everyone else): a published version is never replaced behind the board's back.
    public static func changesNeedReview(_ user: User, _ m: Material) -> Bool {
        m.status == .published && !user.has(.admin)
    }

    /// Whether `viewer` sees the tombstone of a withdrawn material: whoever could see it while it was published
    /// (its identifier keeps resolving, to a "withdrawn" answer).
    public static func seesTombstone(_ viewer: User?, _ m: Material) -> Bool {
        guard m.status == .withdrawn else { return false }
        var published = m
        published.status = .published
        return canSee(viewer, published)
    }

    /// Whether the material is in front of the board (submitted or in review), so that `user` may not change it:
    /// reviewers must see what was submitted. Administrators are not held.
    public static func isLockedForReview(_ user: User, _ m: Material) -> Bool {
        (m.status == .submitted || m.status == .inReview) && !user.has(.admin)
    }

    /// Whether `viewer` may see who owns the material and where it came from (owner id, provenance).
    public static func canSeeProvenance(_ viewer: User?, _ m: Material) -> Bool {
        guard let viewer else { return false }
        return viewer.has(.admin) || viewer.isBoard || viewer.id == m.ownerID
    }

    /// Whether `viewer` may see version `number` of a visible material: versions after the current one
    /// are changes waiting for review, seen by those who may edit or review.
    public static func canSeeVersion(_ viewer: User?, _ m: Material, number: Int) -> Bool {
        guard canSee(viewer, m) else { return false }
        if number <= m.currentVersion { return true }
        guard let viewer else { return false }
        return canEdit(viewer, m) || viewer.isBoard
    }

    /// Whether shared caches may keep the material's files: only a published, public material's
    /// current (or older) versions. Everything else is `private, no-store`.
    public static func isPubliclyCacheable(_ m: Material, number: Int) -> Bool {
        m.status == .published && m.visibility == .public && number <= m.currentVersion
    }

    // MARK: The question bank and exams

    /// Whether `viewer` may read the question bank at all: people, not LMS clients (which never see keys).
    public static func canUseQuestionBank(_ viewer: User?) -> Bool {
        guard let viewer else { return false }
        return viewer.has(.admin) || viewer.isBoard || viewer.has(.teacher)
    }

    /// Whether `viewer` may see a question (with its key: a teacher composing a test needs it).
    /// Published questions are the shared bank; drafts are their owner's and the board's.
    public static func canSeeQuestion(_ viewer: User?, owner: RecordOwner, status: QuestionStatus) -> Bool {
        guard let viewer, canUseQuestionBank(viewer) else { return false }
        return viewer.has(.admin) || viewer.isBoard || viewer.id == owner.ownerID || status == .published
    }

    /// Whether `user` may edit a question's content (which makes a new version): administrators any question; its
    /// owner, a teacher, while it is a draft (new, or returned by the board). A question in review or published is
    /// the board's: its owner may not change it behind the board (a published question's pinned versions stay as
    /// they are either way). Callers ask ``canSeeQuestion(_:owner:status:)`` first: who may not see it gets a 404.
    public static func canEditQuestion(_ user: User?, owner: RecordOwner, status: QuestionStatus) -> Bool {
        guard let user, canUseQuestionBank(user) else { return false }
        if user.has(.admin) { return true }
        return user.id == owner.ownerID && user.has(.teacher) && status == .draft
    }

    /// Whether `user` may see, continue, finish or abandon a resumable upload: only whoever started it (administrators
    /// included, everyone else is told it does not exist). Finishing still asks ``canEdit(_:_:)`` of the material.
    public static func canUseUpload(_ user: User, ownerID: Int64) -> Bool {
        user.id == ownerID
    }

    /// The status of a question's new version after an edit: a published question's edited version goes back
    /// to draft (new content is published only by the board); otherwise the status stays.
    public static func statusAfterEdit(_ status: QuestionStatus) -> QuestionStatus {
        status == .published ? .draft : status
    }

    /// Whether `viewer` may see a blueprint, an assembled test, its variants and its answer key: the
    /// owner, the board, administrators, and the teachers of the owner's school (its subject group).
    public static func canSeeExam(_ viewer: User?, owner: RecordOwner) -> Bool {
        guard let viewer, canUseQuestionBank(viewer) else { return false }
        if viewer.has(.admin) || viewer.isBoard || viewer.id == owner.ownerID { return true }
        return viewer.has(.teacher) && sameSchool(viewer.school, owner.school)
    }

    // MARK: Accounts

    /// Whether `actor` may create, disable or enable an account of `school` with `roles`: department administrators
    /// any; a school administrator only teachers of their own school.
    public static func canManageAccount(_ actor: User, school: String?, roles: Set<Role>) -> Bool {
        if actor.has(.admin) { return true }
        return actor.has(.schoolAdmin) && sameSchool(actor.school, school) && roles.isSubset(of: [.teacher])
    }

    /// Whether `actor` may list the accounts of a school (`school` nil: the department's own accounts):
    /// department administrators any; a school administrator their own school's.
    public static func canListAccounts(_ actor: User, school: String?) -> Bool {
        if actor.has(.admin) { return true }
        return actor.has(.schoolAdmin) && sameSchool(actor.school, school)
    }

    // MARK: Schools

    /// The key schools are compared by, everywhere (access checks and the search index): folded,
    /// lower case, every character other than a–z and 0–9 one `_`. "THCS Lê Lợi" and "thcs le-loi" are one school.
    public static func schoolKey(_ name: String) -> String {
        var key = ""
        var lastWasSeparator = true
        for scalar in VietnameseText.fold(VietnameseText.trimmed(name)).lowercased().unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                key.unicodeScalars.append(scalar)
                lastWasSeparator = false
            } else if !lastWasSeparator {
                key.append("_")
                lastWasSeparator = true
            }
        }
        return key.hasSuffix("_") ? String(key.dropLast()) : key
    }

    /// Whether two school names name the same school (both present and equal by ``schoolKey(_:)``).
    public static func sameSchool(_ a: String?, _ b: String?) -> Bool {
        guard let a, let b else { return false }
        let key = schoolKey(a)
        return !key.isEmpty && key == schoolKey(b)
    }
}
