public import Foundation
public import HoclieuCore
public import HoclieuStorage
import Logging
import OAIPMH
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP answer of a remote repository.
public struct HarvestHTTPResponse: Sendable {
    public var status: Int
    /// The `Retry-After` header, when there is one.
    public var retryAfter: String?
    public var body: Data

    public init(status: Int, retryAfter: String? = nil, body: Data) {
        self.status = status
        self.retryAfter = retryAfter
        self.body = body
    }
}

/// How the harvester reaches remote repositories (HTTP in production; another instance in process in tests).
public protocol HarvestFetcher: Sendable {
    func get(_ url: URL) async throws -> HarvestHTTPResponse
}

/// Plain HTTP(S) GETs through URLSession, with a timeout and a size limit.
public struct URLSessionHarvestFetcher: HarvestFetcher {
    public var maxBytes: Int
    public var timeout: TimeInterval

    public init(maxBytes: Int = 32 << 20, timeout: TimeInterval = 60) {
        self.maxBytes = maxBytes
        self.timeout = timeout
    }

    public func get(_ url: URL) async throws -> HarvestHTTPResponse {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.setValue("Hoclieu-harvester/1.0", forHTTPHeaderField: "User-Agent")
        let limit = maxBytes
        return try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { return continuation.resume(throwing: error) }
                let http = response as? HTTPURLResponse
                let body = data ?? Data()
                guard body.count <= limit else {
                    return continuation.resume(throwing: HarvestStop(vi: "phản hồi lớn hơn \(limit) byte", en: "a response over \(limit) bytes"))
                }
                continuation.resume(
                    returning: HarvestHTTPResponse(status: http?.statusCode ?? 0, retryAfter: http?.value(forHTTPHeaderField: "Retry-After"), body: body))
            }.resume()
        }
    }
}

/// Why a harvest run stopped early (what was harvested before it is kept; the next run resumes).
public struct HarvestStop: BilingualError, Equatable {
    public var vietnamese: String
    public var english: String
    public var category: ErrorCategory { .unavailable }
    public var code: String { "harvest-stopped" }

    public init(vi: String, en: String) {
        self.vietnamese = vi
        self.english = en
    }
}

/// Retries and limits of a run.
public struct HarvestPolicy: Sendable {
    /// Attempts per request (network errors, 5xx, 429/503).
    public var maxAttempts = 4
    /// First back-off; doubled at each attempt.
    public var backoff: Duration = .seconds(2)
    /// The longest `Retry-After` waited for; a longer one stops the run (resumed next run).
    public var maxRetryAfterSeconds = 120
    /// Restarts after `badResumptionToken` (from the last good datestamp).
    public var maxRestarts = 2
    public var maxPages = 1_000_000
    /// How long a node's claim on a repository's run lasts; it is extended after every page, so only a node that
    /// stopped (crashed, cut off) lets it run out and another node take the repository over.
    public var lease: Duration = .seconds(600)
    /// How the harvester waits (tests make it instant).
    public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    public init() {}
}

/// What one run of one remote repository did.
public struct HarvestRunReport: Sendable, Codable, CustomStringConvertible {
    public var repository: String
    public var pages = 0
    public var created = 0
    public var updated = 0
    public var withdrawn = 0
    public var unchanged = 0
    /// Records that could not become materials (their metadata broke a rule even after repair).
    public var skipped = 0
    public var restarts = 0
    public var lastDatestamp: Date?
    /// Why the run stopped early; nil when it went through.
    public var error: String?

    public var description: String {
        "\(repository): \(pages) pages, \(created) created, \(updated) updated, \(withdrawn) withdrawn, \(unchanged) unchanged, \(skipped) skipped"
            + (restarts > 0 ? ", \(restarts) restarts" : "") + (error.map { "\n  STOPPED: \($0)" } ?? "")
    }
}

extension Services {
    /// Registers a remote OAI-PMH repository to harvest (`hoclieu harvest add`, `POST /api/v1/harvest/sources`).
    /// - Parameters:
    ///   - every: seconds between runs.
    ///   - trusted: its records are published at once; otherwise they enter review as submissions.
    ///   - owner: the account the harvested materials belong to.
    ///   - actor: who asks (``AccessPolicy/canAdminister(_:_:)``); the command line's operator by default.
    public func addRemoteRepository(
        url: String, set: String?, prefix: String, every: Int, trusted: Bool, owner: String, by actor: User = .localOperator
    ) async throws -> RemoteRepository {
        guard AccessPolicy.canAdminister(actor, .harvestSources) else { throw AppError.forbidden }
        return try await store.addRemoteRepository(
            try await remoteRepositorySettings(url: url, set: set, prefix: prefix, every: every, trusted: trusted, owner: owner))
    }

    /// The checked settings of a remote repository (one set of rules for adding and changing).
    func remoteRepositorySettings(url: String, set: String?, prefix: String, every: Int, trusted: Bool, owner: String) async throws
        -> NewRemoteRepository
    {
        guard url.utf8.count <= 1000, let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
            parsed.host.map({ !$0.isEmpty }) ?? false, parsed.query == nil, parsed.fragment == nil, parsed.user == nil, parsed.password == nil
        else {
            throw AppError(
                .badRequest, code: "bad-url", vi: "Địa chỉ kho OAI-PMH không hợp lệ (chỉ http hoặc https, không có ?…): \(url.prefix(200))",
                en: "Not a usable OAI-PMH base URL (http or https only, no query): \(url.prefix(200))")
        }
        guard ["oai_dc", "lom"].contains(prefix) else {
            throw AppError(.badRequest, vi: "Định dạng phải là oai_dc hoặc lom.", en: "The metadata prefix must be oai_dc or lom.")
        }
        if let set, set.isEmpty || set.utf8.count > 500 || set.contains(where: { $0.isWhitespace }) {
            throw AppError(.badRequest, vi: "Tập (set) không hợp lệ.", en: "Not a usable setSpec.")
        }
        guard every >= 60, every <= 366 * 86400 else {
            throw AppError(.badRequest, vi: "Chu kỳ từ 1 phút đến 1 năm.", en: "The interval must be between a minute and a year.")
        }
        guard User.isValidUsername(owner), let account = try await store.credentials(username: owner)?.user else {
            throw AppError(.notFound, vi: "Không có tài khoản \(owner.prefix(100)).", en: "No account \(owner.prefix(100)).")
        }
        return NewRemoteRepository(baseURL: url, set: set, metadataPrefix: prefix, intervalSeconds: every, trusted: trusted, ownerID: account.id)
    }

    /// Harvests every registered repository (only those due, with `onlyDue`), one after the other.
    public func runHarvests(fetcher: some HarvestFetcher, onlyDue: Bool = false, policy: HarvestPolicy = HarvestPolicy(), now: Date = Date())
        async throws -> [HarvestRunReport]
    {
        var reports: [HarvestRunReport] = []
        for repository in try await store.remoteRepositories() {
            if onlyDue, let last = repository.lastRunAt, now.timeIntervalSince(last) < TimeInterval(repository.intervalSeconds) { continue }
            // Another node sharing the store runs it (or has just run it): not twice.
            guard try await claimRun(repository, policy: policy) else { continue }
            do {
                reports.append(try await harvest(repository, fetcher: fetcher, policy: policy, leased: true))
            } catch {
                try? await store.releaseHarvestRun(repositoryID: repository.id, holder: nodeID)
                throw error
            }
            try await store.releaseHarvestRun(repositoryID: repository.id, holder: nodeID)
        }
        return reports
    }

    /// Takes or extends this node's lease on `repository`'s run (see ``HarvestStore/claimHarvestRun(repositoryID:holder:until:lastRunAt:now:)``).
    func claimRun(_ repository: RemoteRepository, policy: HarvestPolicy) async throws -> Bool {
        let now = Date()
        return try await store.claimHarvestRun(
            repositoryID: repository.id, holder: nodeID, until: now.addingTimeInterval(TimeInterval(policy.lease.components.seconds)),
            lastRunAt: repository.lastRunAt, now: now)
    }

    /// One incremental run: `ListRecords` from the last good datestamp through every resumption token. Deleted records
    /// withdraw their materials; the others are created or updated by provenance (source repository + remote identifier),
    /// so a run repeated changes nothing. A stop (an OAI error, a repeated token, a long `Retry-After`, invalid XML) keeps
    /// what was harvested before it, leaves the datestamp where it was and is reported; the next run resumes.
    /// - Parameter leased: the caller holds this node's lease on the run, to be extended after every page.
    public func harvest(
        _ repository: RemoteRepository, fetcher: some HarvestFetcher, policy: HarvestPolicy = HarvestPolicy(), leased: Bool = false
    ) async throws -> HarvestRunReport {
        do {
            let report = try await harvestRun(repository, fetcher: fetcher, policy: policy, leased: leased)
            counters.harvestRun(report)
            return report
        } catch {
            counters.harvestFailed()
            throw error
        }
    }

    func harvestRun(_ repository: RemoteRepository, fetcher: some HarvestFetcher, policy: HarvestPolicy, leased: Bool) async throws -> HarvestRunReport {
        var report = HarvestRunReport(repository: repository.baseURL + (repository.set.map { " [\($0)]" } ?? ""))
        var newest = repository.lastDatestamp
        let startedAt = Date()
        func entry(_ status: HarvestRunStatus, error: String?) -> HarvestRunEntry {
            HarvestRunEntry(
                repositoryID: repository.id, startedAt: startedAt, finishedAt: Date(), status: status, pages: report.pages, created: report.created,
                updated: report.updated, withdrawn: report.withdrawn, unchanged: report.unchanged, skipped: report.skipped, error: error)
        }
        do {
            var tokens = Set<String>()
            var url = try listURL(repository, token: nil)
            while true {
                guard report.pages < policy.maxPages else { throw HarvestStop(vi: "quá nhiều trang", en: "too many pages") }
                let response = try await fetch(url, fetcher: fetcher, policy: policy)
                let page: HarvestedPage
                do {
                    page = try OAIHarvestParser.parse(response.body)
                } catch let error as OAIHarvestParser.Failure {
                    throw HarvestStop(vi: error.vietnamese, en: error.english)
                }
                if let code = page.errorCode {
                    if code == "noRecordsMatch" { break }
                    if code == "badResumptionToken", report.restarts < policy.maxRestarts {
                        // Start the list again from the last good datestamp: what came before is applied again, idempotently.
                        report.restarts += 1
                        tokens.removeAll()
                        url = try listURL(repository, token: nil)
                        continue
                    }
                    let text = String((page.errorMessage ?? "").prefix(300))
                    throw HarvestStop(vi: "kho trả lỗi OAI \(code): \(text)", en: "the repository answered OAI error \(code): \(text)")
                }
                report.pages += 1
                if leased, try await !claimRun(repository, policy: policy) {
                    throw HarvestStop(vi: "một máy chủ khác đã nhận lượt thu hoạch này", en: "another node took this run over")
                }
                for record in page.records {
                    try await apply(record, from: repository, report: &report)
                    if let stamp = record.datestamp, newest.map({ stamp > $0 }) ?? true { newest = stamp }
                }
                guard let token = page.resumptionToken else { break }
                guard tokens.insert(token).inserted else {
                    throw HarvestStop(
                        vi: "kho gửi lại cùng một resumptionToken (vòng lặp); dừng lại", en: "the repository sent the same resumptionToken again (a loop); stopped")
                }
                url = try listURL(repository, token: token)
            }
            report.lastDatestamp = newest
            try await store.recordHarvestRun(entry(.succeeded, error: nil), lastDatestamp: newest)
        } catch let stop as HarvestStop {
            report.error = stop.bilingual
            report.lastDatestamp = repository.lastDatestamp
            try await store.recordHarvestRun(entry(.stopped, error: stop.bilingual), lastDatestamp: nil)
        } catch {
            // A failure on this side: recorded (without its internals) so that the history shows it, then passed on.
            let text = ErrorText.bilingual(error) ?? "Lỗi khi thu hoạch; chi tiết ở nhật ký máy chủ. / The harvest failed; the details are in the server log."
            try? await store.recordHarvestRun(entry(.failed, error: text), lastDatestamp: nil)
            throw error
        }
        return report
    }

    func listURL(_ repository: RemoteRepository, token: String?) throws -> URL {
        guard var components = URLComponents(string: repository.baseURL) else {
            throw HarvestStop(vi: "địa chỉ kho không hợp lệ", en: "invalid base URL")
        }
        if let token {
            components.queryItems = [URLQueryItem(name: "verb", value: "ListRecords"), URLQueryItem(name: "resumptionToken", value: token)]
        } else {
            var items = [URLQueryItem(name: "verb", value: "ListRecords"), URLQueryItem(name: "metadataPrefix", value: repository.metadataPrefix)]
            if let set = repository.set { items.append(URLQueryItem(name: "set", value: set)) }
            if let from = repository.lastDatestamp { items.append(URLQueryItem(name: "from", value: OAIDatestamp.format(from))) }
            components.queryItems = items
        }
        // `+` and `/` of tokens must be escaped in a query (URLComponents leaves `+` as is).
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.url else { throw HarvestStop(vi: "địa chỉ kho không hợp lệ", en: "invalid base URL") }
        return url
    }

    /// A GET with retries: back-off on network errors and 5xx, `Retry-After` honoured up to the policy's limit.
    func fetch(_ url: URL, fetcher: some HarvestFetcher, policy: HarvestPolicy) async throws -> HarvestHTTPResponse {
        var delay = policy.backoff
        for attempt in 1...max(1, policy.maxAttempts) {
            let last = attempt == max(1, policy.maxAttempts)
            let response: HarvestHTTPResponse
            do {
                response = try await fetcher.get(url)
            } catch let stop as HarvestStop {
                throw stop
            } catch {
                if last { throw HarvestStop(vi: "không kết nối được: \(error)", en: "cannot reach the repository: \(error)") }
                try await policy.sleep(delay)
                delay = delay * 2
                continue
            }
            switch response.status {
            case 200:
                return response
            case 429, 503:
                var wait = delay
                if let text = response.retryAfter?.trimmingCharacters(in: .whitespaces), let seconds = Int(text), seconds >= 0 {
                    guard seconds <= policy.maxRetryAfterSeconds else {
                        throw HarvestStop(
                            vi: "kho yêu cầu chờ \(seconds) giây (Retry-After); dừng lại, lần chạy sau sẽ tiếp tục",
                            en: "the repository asks to wait \(seconds) s (Retry-After); stopped, the next run resumes")
                    }
                    wait = .seconds(seconds)
                }
                if last { throw HarvestStop(vi: "kho bận (HTTP \(response.status))", en: "the repository is busy (HTTP \(response.status))") }
                try await policy.sleep(wait)
            case 500...599:
                if last { throw HarvestStop(vi: "lỗi máy chủ HTTP \(response.status)", en: "server error HTTP \(response.status)") }
                try await policy.sleep(delay)
            default:
                throw HarvestStop(vi: "HTTP \(response.status)", en: "HTTP \(response.status)")
            }
            delay = delay * 2
        }
        throw HarvestStop(vi: "hết số lần thử", en: "out of attempts")
    }

    /// Creates, updates or withdraws the material of one harvested record. What arrives goes through the one
    /// review workflow: a new record is submitted (or, from a source marked trusted, published with that reason in
    /// the audit log), a changed record of a published material is a change submission, a deleted record
    /// withdraws the material (audited).
    func apply(_ record: HarvestedRecord, from repository: RemoteRepository, report: inout HarvestRunReport) async throws {
        let provenance = Provenance(sourceSystem: "oai:" + repository.baseURL, sourceIdentifier: record.identifier)
        let existing = try await store.material(source: provenance, ownerID: repository.ownerID)
        let reason = "OAI-PMH \(repository.baseURL) \(record.identifier)"
        if record.deleted {
            if let existing, existing.status != .withdrawn {
                _ = try await store.setStatus(
                    existing.pid, to: .withdrawn,
                    audit: AuditDraft(actorID: User.localOperator.id, action: "material.withdrawn", subject: "material:\(existing.pid)", details: ["reason": "deleted at source / đã xoá ở nguồn: " + reason]))
                report.withdrawn += 1
            } else {
                report.unchanged += 1
            }
            return
        }
        guard let given = record.metadata else {
            report.skipped += 1
            return
        }
        let metadata = given.repaired(fallbackTitle: record.identifier).metadata.normalised()
        guard let owner = try await store.user(id: repository.ownerID) else { throw StoreError.notFound("user \(repository.ownerID)") }
        do {
            if let existing {
                // A record that comes back after a deletion enters again as a new arrival would.
                guard existing.metadata != metadata || existing.status == .withdrawn else {
                    report.unchanged += 1
                    return
                }
                if existing.status == .published, !repository.trusted {
                    if try await store.openSubmission(pid: existing.pid) == nil {
                        _ = try await submit(existing.pid, by: owner, SubmitRequest(metadata: metadata, note: reason))
                    }
                } else {
                    _ = try await store.updateMaterial(existing.pid, metadata: metadata, visibility: nil, status: existing.status == .withdrawn ? .draft : nil)
                    try await arrive(existing.pid, trusted: repository.trusted, owner: owner, reason: reason)
                }
                report.updated += 1
            } else {
                let url = record.url.flatMap(WebLinks.normalise)
                let draft = MaterialDraft(
                    kind: record.kind ?? (url == nil ? .document : .link), format: url == nil ? "application/xml" : "text/html", metadata: metadata,
                    visibility: .public, status: .draft, url: url, provenance: provenance)
                let created = try await store.createMaterial(draft, ownerID: repository.ownerID, firstVersion: nil)
                try await arrive(created.pid, trusted: repository.trusted, owner: owner, reason: reason)
                report.created += 1
            }
        } catch StoreError.invalid {
            report.skipped += 1
        } catch is FieldViolation {
            report.skipped += 1
        }
    }

    /// A harvested draft enters: published directly from a trusted source (the reason recorded), otherwise submitted.
    func arrive(_ pid: PersistentIdentifier, trusted: Bool, owner: User, reason: String) async throws {
        guard let material = try await store.material(pid), material.status == .draft else { return }
        if trusted {
            _ = try await setStatusDirectly(pid, to: .published, reason: "trusted source / nguồn tin cậy: " + reason, by: .localOperator)
        } else {
            _ = try await submit(pid, by: owner, SubmitRequest(note: reason))
        }
    }
}
