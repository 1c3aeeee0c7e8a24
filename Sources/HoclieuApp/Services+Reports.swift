public import Foundation
public import HoclieuCore
public import HoclieuStorage

/// A value encoded as JSON `null` when absent (reports keep every key, so a table has fixed columns).
@propertyWrapper
public struct NullEncoded<Value: Encodable & Sendable & Equatable>: Encodable, Sendable, Equatable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

/// A report as a table, for CSV.
public struct ReportTable: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String]]

    public init(columns: [String], rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }

    /// RFC 4180 text that spreadsheets open as UTF-8: a byte-order mark, CRLF line ends, every cell neutralised
    /// against formula injection (``CSV/spreadsheetCell(_:)``).
    public var csv: String {
        "\u{FEFF}" + ([columns] + rows).map { $0.map(CSV.spreadsheetCell).joined(separator: ",") + "\r\n" }.joined()
    }
}

// MARK: Coverage

/// One subject × grade cell of the coverage report.
public struct CoverageCell: Encodable, Sendable, Equatable {
    public var subject: String
    public var subjectName: String
    public var grade: Int
    public var materials: Int
    public var materialsByKind: [String: Int]
    @NullEncoded public var questions: Int?
    @NullEncoded public var questionsByLevel: [String: Int]?
    public var units: Int
    public var unitsWithoutMaterial: Int
    @NullEncoded public var unitsWithoutQuestion: Int?
    public var gap: Bool
}

/// One unit (bài) of a coverage drill-down.
public struct CoverageUnit: Encodable, Sendable, Equatable {
    public var code: String
    public var statement: String
    @NullEncoded public var topic: String?
    public var materials: Int
    public var materialsByKind: [String: Int]
    @NullEncoded public var questions: Int?
    @NullEncoded public var questionsByLevel: [String: Int]?
    public var noMaterial: Bool
    @NullEncoded public var noQuestion: Bool?
}

/// Coverage of the programme: subject × grade, or the units of one subject and grade.
public struct CoverageReport: Encodable, Sendable {
    public var report: String
    public var generatedAt: Date
    /// Visibilities of the published materials counted for the caller.
    public var scope: [String]
    public var questionsVisible: Bool
    public var kinds: [String]
    public var levels: [String]
    public var cells: [CoverageCell]?
    public var subject: String?
    public var subjectName: String?
    public var grade: Int?
    public var units: [CoverageUnit]?

    /// The CSV table: cells, or units for a drill-down.
    public var table: ReportTable {
        let kindColumns = kinds.map { "kind:\($0)" }
        let levelColumns = levels.map { "level:\($0)" }
        func number(_ n: Int?) -> String { n.map(String.init) ?? "" }
        func byLevel(_ counts: [String: Int]?) -> [String] { levels.map { level in counts.map { String($0[level] ?? 0) } ?? "" } }
        if let units {
            return ReportTable(
                columns: ["code", "topic", "statement", "materials"] + kindColumns + ["questions"] + levelColumns + ["noMaterial", "noQuestion"],
                rows: units.map { u in
                    [u.code, u.topic ?? "", u.statement, String(u.materials)] + kinds.map { String(u.materialsByKind[$0] ?? 0) }
                        + [number(u.questions)] + byLevel(u.questionsByLevel) + [String(u.noMaterial), u.noQuestion.map(String.init) ?? ""]
                })
        }
        return ReportTable(
            columns: ["subject", "subjectName", "grade", "materials"] + kindColumns + ["questions"] + levelColumns
                + ["units", "unitsWithoutMaterial", "unitsWithoutQuestion", "gap"],
            rows: (cells ?? []).map { c in
                [c.subject, c.subjectName, String(c.grade), String(c.materials)] + kinds.map { String(c.materialsByKind[$0] ?? 0) }
                    + [number(c.questions)] + byLevel(c.questionsByLevel)
                    + [String(c.units), String(c.unitsWithoutMaterial), number(c.unitsWithoutQuestion), String(c.gap)]
            })
    }
}

// MARK: Review throughput

/// One ISO week of submissions.
public struct ThroughputWeek: Encodable, Sendable, Equatable {
    /// `2026-W49`.
    public var week: String
    /// The Monday, `YYYY-MM-DD`.
    public var weekStart: String
    public var submitted: Int
    public var approved: Int
    public var rejected: Int
    public var cancelled: Int
    @NullEncoded public var medianHoursToDecision: Double?
}

/// A reason code and how often it was given.
public struct ReasonRow: Encodable, Sendable, Equatable {
    public var reasonCode: String
    @NullEncoded public var decision: String?
    public var vi: String
    public var en: String
    public var count: Int
}

/// The board's throughput over submissions made in a period.
public struct ThroughputReport: Encodable, Sendable {
    public var report = "review-throughput"
    public var generatedAt: Date
    @NullEncoded public var from: String?
    @NullEncoded public var to: String?
    public var submitted: Int
    public var approved: Int
    public var rejected: Int
    public var cancelled: Int
    public var open: Int
    public var decided: Int
    @NullEncoded public var medianHoursToDecision: Double?
    public var weeks: [ThroughputWeek]
    public var rejectionReasons: [ReasonRow]
    public var reviewReasons: [ReasonRow]

    /// `weeks` (the default) or `reasons`.
    public func table(_ name: String?) -> ReportTable {
        if name == "reasons" {
            return ReportTable(
                columns: ["kind", "decision", "reasonCode", "vi", "en", "count"],
                rows: rejectionReasons.map { ["rejection", "reject", $0.reasonCode, $0.vi, $0.en, String($0.count)] }
                    + reviewReasons.map { ["review", $0.decision ?? "", $0.reasonCode, $0.vi, $0.en, String($0.count)] })
        }
        return ReportTable(
            columns: ["week", "weekStart", "submitted", "approved", "rejected", "cancelled", "medianHoursToDecision"],
            rows: weeks.map { w in
                [w.week, w.weekStart, String(w.submitted), String(w.approved), String(w.rejected), String(w.cancelled),
                 w.medianHoursToDecision.map { String($0) } ?? ""]
            })
    }
}

// MARK: Contributions

/// What one organisation's accounts contributed.
public struct ContributionRow: Encodable, Sendable, Equatable {
    public var organisationId: Int64
    public var name: String
    public var kind: String
    public var contributors: Int
    public var materials: Int
    public var materialsByStatus: [String: Int]
    public var submissions: Int
    public var questions: Int
    public var questionsPublished: Int
}

/// Contributions per organisation.
public struct ContributionsReport: Encodable, Sendable {
    public var report = "contributions"
    public var generatedAt: Date
    public var organisations: [ContributionRow]

    public var table: ReportTable {
        let statuses = MaterialStatus.allCases.map(\.rawValue)
        return ReportTable(
            columns: ["organisationId", "name", "kind", "contributors", "materials"] + statuses.map { "status:\($0)" }
                + ["submissions", "questions", "questionsPublished"],
            rows: organisations.map { o in
                [String(o.organisationId), o.name, o.kind, String(o.contributors), String(o.materials)]
                    + statuses.map { String(o.materialsByStatus[$0] ?? 0) } + [String(o.submissions), String(o.questions), String(o.questionsPublished)]
            })
    }
}

// MARK: LMS activity

/// One LMS client's pushes and what they produced.
public struct ClientActivityRow: Encodable, Sendable, Equatable {
    public var clientId: String
    public var name: String
    public var revoked: Bool
    public var createdAt: Date
    @NullEncoded public var lastUsedAt: Date?
    public var pushes: Int
    public var pushesByStatus: [String: Int]
    @NullEncoded public var lastPushAt: Date?
    public var materials: Int
    public var materialsByStatus: [String: Int]
    /// OAI-PMH requests the client made with its credential (all days).
    public var oaiRequests: Int
    /// Records (headers, records, deleted records) those requests served.
    public var oaiRecords: Int
    /// The last day (`YYYY-MM-DD`, UTC) it harvested.
    @NullEncoded public var lastOAIDay: String?
}

/// The OAI-PMH harvests of one LMS client on one day.
public struct OAIDayRow: Encodable, Sendable, Equatable {
    public var clientId: String
    public var name: String
    /// `YYYY-MM-DD` (UTC).
    public var day: String
    public var requests: Int
    public var records: Int
}

/// One configured harvest source and its last run.
public struct HarvestSourceRow: Encodable, Sendable, Equatable {
    public var id: Int64
    public var baseURL: String
    public var setSpec: String
    public var metadataPrefix: String
    public var trusted: Bool
    public var intervalSeconds: Int
    @NullEncoded public var lastRunAt: Date?
    @NullEncoded public var lastError: String?
    @NullEncoded public var lastDatestamp: Date?
    /// Materials whose provenance is this source.
    public var materials: Int
    /// How the last recorded run ended (`succeeded`, `stopped`, `failed`), and what it did.
    @NullEncoded public var lastRunStatus: String?
    public var lastRunAdded: Int
    public var lastRunUpdated: Int
    public var lastRunDeleted: Int
}

/// Push and harvest activity per LMS client, as far as the store records it.
public struct LMSActivityReport: Encodable, Sendable {
    public var report = "lms-activity"
    public var generatedAt: Date
    public var clients: [ClientActivityRow]
    public var harvestSources: [HarvestSourceRow]
    /// OAI-PMH harvests per client and day (UTC), oldest day first.
    public var oaiHarvests: [OAIDayRow]
    /// What the store does not record, so the report cannot count it (nothing now: harvest runs and the OAI-PMH
    /// requests of clients are recorded).
    public var notRecorded: [String] = []

    /// `clients` (the default), `sources` or `oai` (harvests per client and day).
    public func table(_ name: String?) -> ReportTable {
        func time(_ date: Date?) -> String { date.map(HoclieuJSON.timestamp) ?? "" }
        if name == "sources" {
            return ReportTable(
                columns: [
                    "id", "baseURL", "setSpec", "metadataPrefix", "trusted", "intervalSeconds", "lastRunAt", "lastError", "lastDatestamp", "materials",
                    "lastRunStatus", "lastRunAdded", "lastRunUpdated", "lastRunDeleted",
                ],
                rows: harvestSources.map { s in
                    [String(s.id), s.baseURL, s.setSpec, s.metadataPrefix, String(s.trusted), String(s.intervalSeconds), time(s.lastRunAt),
                     s.lastError ?? "", time(s.lastDatestamp), String(s.materials), s.lastRunStatus ?? "", String(s.lastRunAdded),
                     String(s.lastRunUpdated), String(s.lastRunDeleted)]
                })
        }
        if name == "oai" {
            return ReportTable(
                columns: ["clientId", "name", "day", "requests", "records"],
                rows: oaiHarvests.map { [$0.clientId, $0.name, $0.day, String($0.requests), String($0.records)] })
        }
        let jobs = [JobStatus.queued, .running, .succeeded, .failed, .cancelled].map(\.rawValue)
        let statuses = MaterialStatus.allCases.map(\.rawValue)
        return ReportTable(
            columns: ["clientId", "name", "revoked", "createdAt", "lastUsedAt", "pushes"] + jobs.map { "push:\($0)" } + ["lastPushAt", "materials"]
                + statuses.map { "status:\($0)" } + ["oaiRequests", "oaiRecords", "lastOAIDay"],
            rows: clients.map { c in
                [c.clientId, c.name, String(c.revoked), time(c.createdAt), time(c.lastUsedAt), String(c.pushes)]
                    + jobs.map { String(c.pushesByStatus[$0] ?? 0) } + [time(c.lastPushAt), String(c.materials)]
                    + statuses.map { String(c.materialsByStatus[$0] ?? 0) } + [String(c.oaiRequests), String(c.oaiRecords), c.lastOAIDay ?? ""]
            })
    }
}

// MARK: The use cases

extension Services {
    /// Throws the bilingual 401/403 unless `viewer` may see `report`; returns what they may see.
    func reportScope(_ viewer: User?, _ report: Report) throws -> ReportScope {
        switch AccessPolicy.reportScope(viewer, report) {
        case .unauthenticated: throw AppError(.unauthenticated, vi: "Cần đăng nhập.", en: "Sign-in is required.")
        case .forbidden: throw AppError(.forbidden, vi: "Bạn không được xem báo cáo này.", en: "You may not see this report.")
        case let scope: return scope
        }
    }

    /// Coverage of the programme for `viewer`: subject × grade, or (with both `subject` and `grade`) the
    /// units of one cell. A material counts in a cell when it lists the subject and the grade; in a unit when it
    /// is tagged with the unit or one of its descendants (once per unit).
    public func coverageReport(viewer: User?, subject: String? = nil, grade: Int? = nil) async throws -> CoverageReport {
        _ = try reportScope(viewer, .coverage)
        let visibilities = AccessPolicy.coverageVisibilities(viewer)
        let questionsVisible = AccessPolicy.canUseQuestionBank(viewer)
        var subjects = try await store.catalogFrameworks().map(\.subject)
        if let subject {
            guard let grade, let found = subjects.first(where: { $0.code == subject.uppercased() }), found.grades.contains(grade) else {
                throw AppError(
                    .notFound, vi: "Không có môn \(subject) lớp \(grade.map(String.init) ?? "?") trong chương trình.",
                    en: "The programme has no subject \(subject) in grade \(grade.map(String.init) ?? "?").")
            }
            subjects = [found]
        }
        // The catalogue tree: every item's parent, and the units of each subject and grade.
        var parent: [String: String] = [:]
        var units: [String: [CatalogItem]] = [:]
        for s in subjects {
            for stored in try await store.catalogItems(framework: s.code) where !stored.item.deprecated {
                parent[stored.item.code] = stored.item.parent
                if stored.item.type == .unit { units["\(s.code)/\(stored.item.grade)", default: []].append(stored.item) }
            }
        }
        let unitCodes = Set(units.values.joined().map(\.code))
        /// The units a list of tags reaches (each tag or one of its ancestors).
        func unitsReached(_ tags: [String]) -> Set<String> {
            var found = Set<String>()
            for tag in tags {
                var code: String? = tag
                var steps = 0
                while let c = code, steps < 16 {
                    if unitCodes.contains(c) { found.insert(c); break }
                    code = parent[c]
                    steps += 1
                }
            }
            return found
        }
        var cellKinds: [String: [String: Int]] = [:]
        var unitKinds: [String: [String: Int]] = [:]
        for row in try await store.publishedMaterialTags(visibilities: visibilities) {
            for s in Set(row.subjects) { for g in Set(row.grades) { cellKinds["\(s)/\(g)", default: [:]][row.kind.rawValue, default: 0] += row.count } }
            for unit in unitsReached(row.knowledgeUnits) { unitKinds[unit, default: [:]][row.kind.rawValue, default: 0] += row.count }
        }
        var cellLevels: [String: [String: Int]] = [:]
        var unitLevels: [String: [String: Int]] = [:]
        var levels = Set<String>()
        if questionsVisible {
            for row in try await store.publishedQuestionTags() {
                let level = row.level ?? ""
                levels.insert(level)
                if let s = row.subject, let g = row.grade { cellLevels["\(s.uppercased())/\(g)", default: [:]][level, default: 0] += row.count }
                for unit in unitsReached(row.units) { unitLevels[unit, default: [:]][level, default: 0] += row.count }
            }
        }
        func total(_ counts: [String: Int]?) -> Int { counts?.values.reduce(0, +) ?? 0 }
        var report = CoverageReport(
            report: subject == nil ? "coverage" : "coverage-units", generatedAt: Date(), scope: visibilities.map(\.rawValue).sorted(),
            questionsVisible: questionsVisible, kinds: MaterialKind.allCases.map(\.rawValue), levels: levels.sorted())
        if let s = subjects.first, let grade, subject != nil {
            report.subject = s.code
            report.subjectName = s.name
            report.grade = grade
            report.units = (units["\(s.code)/\(grade)"] ?? []).map { unit in
                let questions = questionsVisible ? total(unitLevels[unit.code]) : nil
                return CoverageUnit(
                    code: unit.code, statement: unit.statement, topic: unit.parent, materials: total(unitKinds[unit.code]),
                    materialsByKind: unitKinds[unit.code] ?? [:], questions: questions,
                    questionsByLevel: questionsVisible ? unitLevels[unit.code] ?? [:] : nil, noMaterial: unitKinds[unit.code] == nil,
                    noQuestion: questions.map { $0 == 0 })
            }
            return report
        }
        report.cells = subjects.flatMap { s in
            s.grades.map { g in
                let key = "\(s.code)/\(g)"
                let cellUnits = units[key] ?? []
                let withoutMaterial = cellUnits.filter { unitKinds[$0.code] == nil }.count
                let questions = questionsVisible ? total(cellLevels[key]) : nil
                let withoutQuestion = questionsVisible ? cellUnits.filter { unitLevels[$0.code] == nil }.count : nil
                let materials = total(cellKinds[key])
                return CoverageCell(
                    subject: s.code, subjectName: s.name, grade: g, materials: materials, materialsByKind: cellKinds[key] ?? [:],
                    questions: questions, questionsByLevel: questionsVisible ? cellLevels[key] ?? [:] : nil, units: cellUnits.count,
                    unitsWithoutMaterial: withoutMaterial, unitsWithoutQuestion: withoutQuestion,
                    gap: materials == 0 || withoutMaterial > 0 || (questions.map { $0 == 0 } ?? false) || (withoutQuestion ?? 0) > 0)
            }
        }
        return report
    }

    /// The median of `values` (the mean of the middle two when their number is even); nil when empty.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        let value = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        return (value * 100).rounded() / 100
    }

    /// The board's throughput for submissions first made from `from` to `to` (whole UTC days, inclusive).
    public func reviewThroughputReport(viewer: User?, from: Date? = nil, to: Date? = nil) async throws -> ThroughputReport {
        _ = try reportScope(viewer, .reviewThroughput)
        let before = try to.map { date in
            guard let next = Self.utcCalendar.date(byAdding: .day, value: 1, to: date) else {
                throw AppError(.badRequest, vi: "Ngày không hợp lệ.", en: "Invalid date.")
            }
            return next
        }
        let activity = try await store.reviewActivity(from: from, before: before)
        let calendar = Self.isoCalendar
        var weeks: [String: (start: Date, subs: [SubmissionTiming])] = [:]
        for s in activity.submissions {
            let parts = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: s.submittedAt)
            let key = String(format: "%04d-W%02d", parts.yearForWeekOfYear ?? 0, parts.weekOfYear ?? 0)
            let start = calendar.date(from: parts) ?? s.submittedAt
            weeks[key, default: (start, [])].subs.append(s)
        }
        func hours(_ list: [SubmissionTiming]) -> [Double] {
            list.compactMap { s in
                guard s.state == .approved || s.state == .rejected, let decision = s.decision else { return nil }
                return decision.decidedAt.timeIntervalSince(s.submittedAt) / 3600
            }
        }
        func count(_ list: [SubmissionTiming], _ state: SubmissionState) -> Int { list.filter { $0.state == state }.count }
        let all = activity.submissions
        var rejection: [String: Int] = [:]
        for s in all where s.state == .rejected { rejection[s.decision?.reasonCode?.rawValue ?? "", default: 0] += 1 }
        func reasonRow(_ code: String, decision: String?, count: Int) -> ReasonRow {
            let text: (vi: String, en: String) = ReasonCode(rawValue: code)?.text ?? (vi: "Không ghi lý do", en: "No reason given")
            return ReasonRow(reasonCode: code, decision: decision, vi: text.vi, en: text.en, count: count)
        }
        let day = Self.dayFormatter
        return ThroughputReport(
            generatedAt: Date(), from: from.map(day.string(from:)), to: to.map(day.string(from:)), submitted: all.count,
            approved: count(all, .approved), rejected: count(all, .rejected), cancelled: count(all, .cancelled),
            open: all.filter { $0.state.isOpen }.count, decided: hours(all).count, medianHoursToDecision: Self.median(hours(all)),
            weeks: weeks.sorted { $0.key < $1.key }.map { key, week in
                ThroughputWeek(
                    week: key, weekStart: day.string(from: week.start), submitted: week.subs.count, approved: count(week.subs, .approved),
                    rejected: count(week.subs, .rejected), cancelled: count(week.subs, .cancelled), medianHoursToDecision: Self.median(hours(week.subs)))
            },
            rejectionReasons: rejection.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { reasonRow($0.key, decision: "reject", count: $0.value) },
            reviewReasons: activity.reviewReasons.map { reasonRow($0.reasonCode?.rawValue ?? "", decision: $0.decision.rawValue, count: $0.count) })
    }

    static var utcCalendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    static var isoCalendar: Calendar {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    /// `YYYY-MM-DD` in UTC, both ways.
    public static var dayFormatter: DateFormatter {
        let formatter = DateFormatter()
        formatter.calendar = utcCalendar
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter
    }

    /// Contributions per organisation: all of them for administrators and the board, a school administrator's own school.
    public func contributionsReport(viewer: User?) async throws -> ContributionsReport {
        let scope = try reportScope(viewer, .contributions)
        let counts = Dictionary(uniqueKeysWithValues: try await store.contributionCounts().map { ($0.organisationID, $0) })
        var organisations = try await store.organisations()
        if case .school(let school) = scope { organisations = organisations.filter { $0.key == AccessPolicy.schoolKey(school) } }
        return ContributionsReport(
            generatedAt: Date(),
            organisations: organisations.sorted { ($0.name, $0.id) < ($1.name, $1.id) }.map { o in
                let c = counts[o.id]
                let byStatus = Dictionary(uniqueKeysWithValues: (c?.materialsByStatus ?? [:]).map { ($0.key.rawValue, $0.value) })
                return ContributionRow(
                    organisationId: o.id, name: o.name, kind: o.kind.rawValue, contributors: c?.contributors ?? 0,
                    materials: byStatus.values.reduce(0, +), materialsByStatus: byStatus, submissions: c?.submissions ?? 0,
                    questions: c?.questions ?? 0, questionsPublished: c?.questionsPublished ?? 0)
            })
    }

    /// Counts one OAI-PMH request of an LMS client (its account) that served `records` records, on today's date (UTC).
    public func recordOAIRequest(by client: User, records: Int, at now: Date = Date()) async throws {
        guard client.has(.lmsClient) else { return }
        try await store.recordOAIRequest(userID: client.id, day: Self.dayFormatter.string(from: now), records: records)
    }

    /// Push and OAI-PMH harvest activity per LMS client and the configured harvest sources with their last runs.
    public func lmsActivityReport(viewer: User?) async throws -> LMSActivityReport {
        _ = try reportScope(viewer, .lmsActivity)
        let counts = try await store.lmsActivityCounts()
        let oai = try await store.oaiActivity()
        var oaiByUser: [Int64: (requests: Int, records: Int, last: String)] = [:]
        for d in oai {
            let (requests, records, last) = oaiByUser[d.userID] ?? (0, 0, "")
            oaiByUser[d.userID] = (requests + d.requests, records + d.records, max(last, d.day))
        }
        let allClients = try await store.clients()
        let clients = allClients.map { c in
            let pushes = Dictionary(uniqueKeysWithValues: (counts.pushesByOwner[c.userID] ?? [:]).map { ($0.key.rawValue, $0.value) })
            let materials = Dictionary(uniqueKeysWithValues: (counts.materialsByOwner[c.userID] ?? [:]).map { ($0.key.rawValue, $0.value) })
            return ClientActivityRow(
                clientId: c.clientID, name: c.name, revoked: c.revokedAt != nil, createdAt: c.createdAt, lastUsedAt: c.lastUsedAt,
                pushes: pushes.values.reduce(0, +), pushesByStatus: pushes, lastPushAt: counts.lastPushByOwner[c.userID],
                materials: materials.values.reduce(0, +), materialsByStatus: materials, oaiRequests: oaiByUser[c.userID]?.requests ?? 0,
                oaiRecords: oaiByUser[c.userID]?.records ?? 0, lastOAIDay: oaiByUser[c.userID]?.last)
        }
        var sources: [HarvestSourceRow] = []
        for r in try await store.remoteRepositories() {
            let last = try await store.harvestRuns(repositoryID: r.id, limit: 1).first
            sources.append(
                HarvestSourceRow(
                    id: r.id, baseURL: r.baseURL, setSpec: r.set ?? "", metadataPrefix: r.metadataPrefix, trusted: r.trusted,
                    intervalSeconds: r.intervalSeconds, lastRunAt: r.lastRunAt, lastError: r.lastError, lastDatestamp: r.lastDatestamp,
                    materials: counts.materialsBySourceSystem["oai:" + r.baseURL] ?? 0, lastRunStatus: last?.status.rawValue,
                    lastRunAdded: last?.created ?? 0, lastRunUpdated: last?.updated ?? 0, lastRunDeleted: last?.withdrawn ?? 0))
        }
        let byUser = Dictionary(allClients.map { ($0.userID, $0) }, uniquingKeysWith: { a, _ in a })
        let days = oai.compactMap { d in
            byUser[d.userID].map { OAIDayRow(clientId: $0.clientID, name: $0.name, day: d.day, requests: d.requests, records: d.records) }
        }
        return LMSActivityReport(generatedAt: Date(), clients: clients, harvestSources: sources, oaiHarvests: days)
    }
}
