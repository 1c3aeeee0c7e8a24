import ArgumentParser
import Foundation
import HoclieuApp
import HoclieuCore
import HoclieuStorage

/// `hoclieu bench review`: the quality board at department scale.
///
/// A store with `--submissions` submissions (default 100,000) from teachers of 30 schools, each in review by
/// two of 40 reviewers (never of the author's school), due dates spread over ±30 days. Measured in-process
/// (server-side, no HTTP): a reviewer's queue (page of 50, overdue first; first page and a keyset next page)
/// over random reviewers; decisions through the review use case (scores checked against the criteria, the
/// agreement rule applied, the review, the transition and the audit events written in one transaction: the
/// first `--reviews` submissions have one reviewer, so each review closes its submission); and `audit verify`
/// over `--audit-events` events.
struct BenchReview: ReportingCommand {
    static let configuration = CommandConfiguration(commandName: "review", abstract: "Quality board benchmark.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Submissions in the store.") var submissions = 100_000
    @Option(help: "Queue queries to time.") var queries = 2000
    @Option(help: "Decisions to record (one review each, closing its submission).") var reviews = 2000
    @Option(help: "Audit events to verify.") var auditEvents = 1_000_000
    @Option(help: "Random seed.") var seed: UInt64 = 2018
    @Option(help: "A package to pre-review on top of the store (the `bench ingest` one, 300 MB and 5,000 entries, is generated when missing; empty to skip).")
    var package = "/tmp/hoclieu-bench-ingest/package.zip"

    struct Report: Encodable, CustomStringConvertible {
        var submissions: Int
        var loadSeconds: Double
        var queueQueries: Int
        var queueP50ms: Double
        var queueP95ms: Double
        var queueP99ms: Double
        var reviews: Int
        var reviewsPerSecond: Double
        var decisionsPerSecond: Double
        var auditEvents: Int
        var auditVerifySeconds: Double
        var auditOK: Bool
        var preReviewP95ms: Double
        var packageBytes: Int64?
        var packagePreReviewMs: Double?
        var packageScan: PreReview.PackageScan?

        var description: String {
            """
            submissions            \(submissions) (loaded in \(String(format: "%.1f", loadSeconds)) s; 30 schools, 40 reviewers)
            reviewer queue         \(queueQueries) queries, p50/p95/p99 \(String(format: "%.2f / %.2f / %.2f", queueP50ms, queueP95ms, queueP99ms)) ms (page of 50, overdue first)
            reviews                \(reviews) recorded, \(Int(reviewsPerSecond))/s; decisions \(Int(decisionsPerSecond))/s
            audit verify           \(auditEvents) events in \(String(format: "%.2f", auditVerifySeconds)) s (\(auditOK ? "intact" : "BROKEN"))
            pre-review             p95 \(String(format: "%.1f", preReviewP95ms)) ms per submission (duplicates against the store, findings, curriculum fit)
            """ + (packagePreReviewMs.map { ms in
                let scan = packageScan.map { "\($0.pagesScanned) pages, \(humanBytes(Int64($0.bytesScanned))) read, \($0.pagesSkipped) skipped" } ?? "no scan"
                return "\npackage pre-review     \(String(format: "%.0f", ms)) ms for a \(humanBytes(packageBytes ?? 0)) package (\(scan)), with the store above"
            } ?? "")
        }
    }

    func execute() async throws -> Report {
        try? FileManager.default.removeItem(at: common.dataURL)
        var configuration = try common.configuration()
        configuration.bcryptCost = 4
        // One reviewer decides (the reviewed submissions have one assigned), so a review is a whole decision.
        configuration.reviewRules = ReviewRules(reviewersPerSubmission: 1)
        let repository = try Services.open(configuration)
        guard let store = repository.store as? any ReviewBenchLoading else {
            throw ValidationError("bench review needs a store that bulk-loads review data (ReviewBenchLoading): \(try configuration.storeLocation().backend) does not")
        }
        try await repository.loadCriteria(from: URL(fileURLWithPath: "Catalog/criteria", isDirectory: true))
        guard let criteria = try await repository.currentCriteriaSets().first(where: { $0.id == "lesson" }) else {
            throw ValidationError("run from the repository folder: Catalog/criteria/lesson.v1.json is needed")
        }
        var rng = SplitMix64(seed: seed)
        let schools = (1...30).map { "THCS số \($0)" }
        var reviewers: [User] = []
        for i in 0..<40 {
            reviewers.append(
                try await store.createUser(NewUser(username: "td\(i)", displayName: "TĐ \(i)", roles: [.reviewer], school: schools[i % 30], passwordHash: "-")))
        }
        var teachers: [User] = []
        for i in 0..<300 {
            teachers.append(
                try await store.createUser(NewUser(username: "gv\(i)", displayName: "GV \(i)", roles: [.teacher], school: schools[i % 30], passwordHash: "-")))
        }

        let loadStart = ContinuousClock.now
        var drafts: [MaterialDraft] = []
        drafts.reserveCapacity(submissions)
        for i in 0..<submissions {
            drafts.append(MaterialDraft(kind: .lesson, format: "text/plain", metadata: MaterialMetadata(title: "Bài \(i)", subjects: ["TOAN"], grades: [6], school: schools[i % 30])))
        }
        for batch in stride(from: 0, to: drafts.count, by: 10_000).map({ Array(drafts[$0..<min($0 + 10_000, drafts.count)]) }) {
            _ = try await store.createMaterials(batch, ownerID: teachers[0].id)
        }
        let now = Date()
        var rows: [(pid: PersistentIdentifier, submittedBy: Int64, school: String, reviewers: [Int64], dueAt: Date)] = []
        for i in 0..<submissions {
            let teacher = teachers[Int(rng.next() % UInt64(teachers.count))]
            let eligible = reviewers.filter { $0.school != teacher.school }
            let a = Int(rng.next() % UInt64(eligible.count))
            let b = (a + 1 + Int(rng.next() % UInt64(eligible.count - 1))) % eligible.count
            let due = now.addingTimeInterval(Double(Int(rng.next() % 61) - 30) * 86_400 + Double(rng.next() % 86_400))
            let pid = PersistentIdentifier(prefix: store.pidPrefix, serial: i + 1)
            // The first `reviews` submissions have one reviewer each, so that each of their reviews is a decision.
            rows.append((pid, teacher.id, teacher.school ?? "", i < reviews ? [eligible[a].id] : [eligible[a].id, eligible[b].id], due))
        }
        for chunk in stride(from: 0, to: rows.count, by: 20_000).map({ Array(rows[$0..<min($0 + 20_000, rows.count)]) }) {
            try await store.benchLoadSubmissions(chunk, criteriaSet: criteria.key)
        }
        let loadSeconds = (ContinuousClock.now - loadStart).seconds

        // The reviewer's queue: first page, and the next page by keyset.
        var latencies: [Double] = []
        for q in 0..<queries {
            let reviewer = reviewers[Int(rng.next() % 40)]
            var query = SubmissionQuery(reviewerID: reviewer.id, limit: 50)
            if q % 2 == 1, let first = try await store.submissions(query).last {
                query.after = (first.assignments.first { $0.reviewerID == reviewer.id }?.dueAt, first.id)
            }
            let start = ContinuousClock.now
            let page = try await store.submissions(query)
            latencies.append((ContinuousClock.now - start).seconds * 1000)
            guard page.count == 50 else { throw ValidationError("queue page of \(page.count)") }
        }
        latencies.sort()
        func pct(_ p: Double) -> Double { latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int((Double(latencies.count) * p).rounded(.up)) - 1)] }

        // Reviews through the use case: both reviewers of the first submissions approve.
        let scores = Dictionary(uniqueKeysWithValues: criteria.criteria.map { ($0.code, $0.scale.range.upperBound) })
        let byID = Dictionary(uniqueKeysWithValues: reviewers.map { ($0.id, $0) })
        var work: [(Int64, User)] = []
        var id: Int64 = 1
        while work.count < reviews, id <= Int64(submissions) {
            if let s = try await store.submission(id: id) { for a in s.assignments where work.count < reviews { work.append((id, byID[a.reviewerID]!)) } }
            id += 1
        }
        let reviewStart = ContinuousClock.now
        var decided = 0
        try await withThrowingTaskGroup(of: Int.self) { group in
            for lane in 0..<4 {
                let mine = work.enumerated().filter { $0.offset % 4 == lane }.map(\.element)
                group.addTask {
                    var closed = 0
                    for (submission, reviewer) in mine {
                        let result = try await repository.review(
                            submission, by: reviewer, ReviewInput(scores: scores, decision: .approve, reasonCode: nil, feedback: "", internalNotes: ""))
                        if result.submission.state == .approved { closed += 1 }
                    }
                    return closed
                }
            }
            for try await closed in group { decided += closed }
        }
        let reviewSeconds = (ContinuousClock.now - reviewStart).seconds

        // Pre-review of submissions against the whole store (half of it published by now).
        _ = try await store.benchPublishAll()
        var preReviews: [Double] = []
        for id in stride(from: Int64(submissions), to: Int64(max(submissions - 40, 0)), by: -1) {
            let start = ContinuousClock.now
            _ = try await repository.preReview(of: id)
            preReviews.append((ContinuousClock.now - start).seconds * 1000)
        }
        preReviews.sort()

        // A large package submitted on top of that store: the whole pre-review, the scan inside the package included.
        var packageTiming: (bytes: Int64, ms: Double, scan: PreReview.PackageScan?)?
        if !package.isEmpty {
            let url = URL(fileURLWithPath: package)
            if !FileManager.default.fileExists(atPath: url.path) { try BenchIngest.generate(at: url, entries: 5000, bytes: 300 << 20) }
            let author = teachers[1]
            let material = try await store.createMaterial(
                MaterialDraft(kind: .lesson, format: "application/zip", metadata: MaterialMetadata(title: "Gói lớn", subjects: ["TOAN"], grades: [6], school: author.school)),
                ownerID: author.id, firstVersion: nil)
            let blob = try repository.blobs.store(fileAt: url, limit: 1 << 40)
            let described = try await repository.describe(blob, fileName: url.lastPathComponent, declaredType: "application/zip")
            _ = try await store.addVersion(
                material.pid,
                VersionDraft(
                    contentID: blob.contentID, fileName: url.lastPathComponent, mediaType: described.mediaType, byteSize: blob.byteSize,
                    createdBy: author.id, extractedText: described.extractedText, package: described.package))
            let submission = try await repository.submit(material.pid, by: author, SubmitRequest())
            let start = ContinuousClock.now
            let result = try await repository.preReview(of: submission.id)
            packageTiming = (blob.byteSize, (ContinuousClock.now - start).seconds * 1000, result.packageScan)
        }

        let head = try await store.auditHead()
        if auditEvents > head.seq { try await store.benchAppendAudit(count: auditEvents - Int(head.seq)) }
        let verifyStart = ContinuousClock.now
        let verification = try await repository.verifyAudit()
        let verifySeconds = (ContinuousClock.now - verifyStart).seconds

        return Report(
            submissions: submissions, loadSeconds: loadSeconds, queueQueries: queries, queueP50ms: pct(0.5), queueP95ms: pct(0.95),
            queueP99ms: pct(0.99), reviews: work.count, reviewsPerSecond: Double(work.count) / max(reviewSeconds, 1e-9),
            decisionsPerSecond: Double(decided) / max(reviewSeconds, 1e-9), auditEvents: verification.checked, auditVerifySeconds: verifySeconds,
            auditOK: verification.ok, preReviewP95ms: preReviews.isEmpty ? 0 : preReviews[min(preReviews.count - 1, Int(Double(preReviews.count) * 0.95))],
            packageBytes: packageTiming?.bytes, packagePreReviewMs: packageTiming?.ms, packageScan: packageTiming?.scan)
    }
}
