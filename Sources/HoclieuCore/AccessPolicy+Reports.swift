/// The reports of the department (`/api/v1/reports/…`).
public enum Report: String, Sendable, CaseIterable {
    /// Coverage of the programme: subject × grade, and units.
    case coverage
    /// The board's throughput: submissions per week, time to decision, reasons.
    case reviewThroughput = "review-throughput"
    /// Contributions per organisation (school).
    case contributions
    /// Push and harvest activity per LMS client.
    case lmsActivity = "lms-activity"
}

/// What a caller may see of a report.
public enum ReportScope: Sendable, Equatable {
    /// Nothing: sign in first.
    case unauthenticated
    /// Nothing: the caller is known and may not see it.
    case forbidden
    /// The whole report.
    case all
    /// Only the rows of the caller's own school (its name as the account records it).
    case school(String)
}

extension AccessPolicy {
    /// Who may see which report, in one place:
    ///
    /// | report | sees |
    /// |---|---|
    /// | coverage | anyone; what it counts is ``coverageVisibilities(_:)`` and, with ``canUseQuestionBank(_:)``, questions |
    /// | review throughput, LMS activity | administrators and the board |
    /// | contributions | administrators and the board (all schools); a school administrator (their school) |
    public static func reportScope(_ viewer: User?, _ report: Report) -> ReportScope {
        if report == .coverage { return .all }
        guard let viewer else { return .unauthenticated }
        if viewer.has(.admin) || viewer.isBoard { return .all }
        if report == .contributions, viewer.has(.schoolAdmin), let school = viewer.school { return .school(school) }
        return .forbidden
    }

    /// The visibilities of the published materials the coverage report counts for `viewer`: every one for
    /// administrators and the board (who see every published material), public and sector for signed-in
    /// readers of the sector, public only for anonymous visitors (an open repository shows what it offers).
    /// School-only materials are left out for everyone else (a count per cell would mix schools).
    public static func coverageVisibilities(_ viewer: User?) -> Set<Visibility> {
        guard let viewer else { return [.public] }
        if viewer.has(.admin) || viewer.isBoard { return Set(Visibility.allCases) }
        return viewer.readsSector ? [.public, .sector] : [.public]
    }
}
