import ConformanceCorpus
import Foundation
import HoclieuCore
@testable import HoclieuApp
import HoclieuStorage
import OAIPMH
import Synchronization
import Testing

/// The OAI-PMH harvester: a second Hoclieu instance harvests the first incrementally; hostile and broken sources; real
/// captured responses of other repositories.
@Suite("OAI-PMH harvester")
struct OAIHarvesterTests {
    /// Another instance's provider, reached in process (anonymous harvester).
    struct InstanceFetcher: HarvestFetcher {
        let source: Services
        func get(_ url: URL) async throws -> HarvestHTTPResponse {
            let pairs = OAIRequest.formPairs(URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery ?? "")
            let body = try await source.oaiProvider.respond(to: pairs, source: source.oaiSource(for: nil))
            return HarvestHTTPResponse(status: 200, body: body)
        }
    }

    /// Canned answers, one per request, the last one repeated.
    final class ScriptedFetcher: HarvestFetcher, Sendable {
        let answers: [HarvestHTTPResponse]
        let calls = Mutex<[URL]>([])
        init(_ answers: [HarvestHTTPResponse]) { self.answers = answers }
        func get(_ url: URL) async throws -> HarvestHTTPResponse {
            let n = calls.withLock { $0.append(url); return $0.count - 1 }
            return answers[min(n, answers.count - 1)]
        }
    }

    static var instant: HarvestPolicy {
        var policy = HarvestPolicy()
        policy.sleep = { _ in }
        return policy
    }

    static func register(_ b: TestRepository, prefix: String = "lom", trusted: Bool = false) async throws -> RemoteRepository {
        // What arrives untrusted is submitted to the board, which needs its criteria.
        try await b.repository.loadCriteria(from: ReviewWorkflowTests.criteriaFolder)
        _ = try await b.repository.addRemoteRepository(url: "https://a.example.vn/oai", set: nil, prefix: prefix, every: 3600, trusted: trusted, owner: "admin")
        return try #require(try await b.repository.store.remoteRepositories().last)
    }

    static func harvested(_ b: TestRepository) async throws -> [Material] {
        var all: [Material] = []
        var after: HarvestPosition?
        while true {
            let page = try await b.repository.store.harvestPage(
                HarvestQuery(statuses: Set(MaterialStatus.allCases), visibilities: Set(Visibility.allCases)), after: after, limit: 500)
            guard let last = page.last else { return all }
            all += page
            after = HarvestPosition(after: last)
        }
    }

    @Test("A second instance harvests the first incrementally: add, change, withdraw on A → appear, change, withdrawn on B", arguments: ["lom", "oai_dc"])
    func twoInstances(prefix: String) async throws {
        let a = try await TestRepository()
        defer { a.cleanup() }
        let b = try await TestRepository()
        defer { b.cleanup() }
        try await OAIProviderTests.fill(a, count: 600)
        let expected = try await a.repository.store.harvestCount(HarvestQuery(statuses: [.published], visibilities: [.public]))
        let withdrawnOnA = try await a.repository.store.harvestCount(HarvestQuery(statuses: [.withdrawn], visibilities: [.public]))
        let fetcher = InstanceFetcher(source: a.repository)
        let repository = try await Self.register(b, prefix: prefix)

        // Given a first run: every public record of A arrives as a submission with its provenance.
        let first = try await b.repository.harvest(repository, fetcher: fetcher, policy: Self.instant)
        #expect(first.error == nil)
        #expect(first.created == expected)
        #expect(first.unchanged == withdrawnOnA, "deleted records of nothing harvested change nothing")
        var onB = try await Self.harvested(b)
        #expect(onB.count == expected)
        #expect(onB.allSatisfy { $0.status == .submitted && $0.provenance?.sourceSystem == "oai:https://a.example.vn/oai" })
        let sample = try #require(onB.first { $0.metadata.subjects == ["TOAN"] })
        #expect(sample.metadata.grades == [6] && sample.metadata.knowledgeUnits.count == 1 && sample.metadata.authors == ["Nguyễn Văn A"])
        #expect(sample.metadata.licence == "CC-BY-4.0" && sample.metadata.title.hasPrefix("Học liệu"))

        // A second run at once: nothing new.
        let again = try await b.repository.harvest(try #require(try await b.repository.store.remoteRepositories().first), fetcher: fetcher, policy: Self.instant)
        #expect(again.created == 0 && again.updated == 0 && again.withdrawn == 0 && again.error == nil)

        // When A adds one, changes one and withdraws one (a second later: datestamps are seconds)…
        try await Task.sleep(for: .milliseconds(1100))
        let pids = try await a.repository.store.harvestPage(HarvestQuery(statuses: [.published], visibilities: [.public]), after: nil, limit: 2)
        var changed = pids[0].metadata
        changed.title = "Đã sửa trên A"
        _ = try await a.repository.store.updateMaterial(pids[0].pid, metadata: changed, visibility: nil, status: nil)
        _ = try await a.repository.store.updateMaterial(pids[1].pid, metadata: nil, visibility: nil, status: .withdrawn)
        _ = try await a.repository.store.createMaterial(
            MaterialDraft(kind: .video, format: "video/mp4", metadata: MaterialMetadata(title: "Mới trên A", subjects: ["TOAN"]), status: .published),
            ownerID: 1, firstVersion: nil)
        let third = try await b.repository.harvest(try #require(try await b.repository.store.remoteRepositories().first), fetcher: fetcher, policy: Self.instant)
        // …then B has them: created, updated, withdrawn, and only what changed was fetched.
        #expect(third.error == nil)
        #expect(third.created == 1 && third.updated == 1 && third.withdrawn == 1, "\(third)")
        #expect(third.pages == 1)
        onB = try await Self.harvested(b)
        #expect(onB.count == expected + 1)
        #expect(onB.contains { $0.metadata.title == "Đã sửa trên A" })
        let gone = try #require(onB.first { $0.provenance?.sourceIdentifier == a.repository.oaiProvider.identifier(pids[1].pid) })
        #expect(gone.status == .withdrawn)
    }

    @Test("Trusted sources publish at once")
    func trusted() async throws {
        let a = try await TestRepository()
        defer { a.cleanup() }
        let b = try await TestRepository()
        defer { b.cleanup() }
        try await OAIProviderTests.fill(a, count: 30)
        let report = try await b.repository.harvest(try await Self.register(b, trusted: true), fetcher: InstanceFetcher(source: a.repository), policy: Self.instant)
        #expect(report.created > 0)
        #expect(try await Self.harvested(b).allSatisfy { $0.status == .published })
    }

    static func page(_ records: String, token: String?) -> HarvestHTTPResponse {
        let tokenElement = token.map { "<resumptionToken>\($0)</resumptionToken>" } ?? ""
        return HarvestHTTPResponse(
            status: 200,
            body: Data(
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-12-05T00:00:00Z</responseDate>
                <request>https://a.example.vn/oai</request><ListRecords>\(records)\(tokenElement)</ListRecords></OAI-PMH>
                """.utf8))
    }

    static func record(_ n: Int) -> String {
        """
        <record><header><identifier>oai:a.example.vn:\(n)</identifier><datestamp>2026-12-0\(n % 9 + 1)T00:00:00Z</datestamp></header>
        <metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
        <dc:title>Bản ghi \(n)</dc:title><dc:subject>TOAN</dc:subject></oai_dc:dc></metadata></record>
        """
    }

    @Test("A repeated resumption token stops the run with a clear message and keeps what came before; the datestamp stays")
    func repeatedToken() async throws {
        let b = try await TestRepository()
        defer { b.cleanup() }
        let repository = try await Self.register(b, prefix: "oai_dc")
        let fetcher = ScriptedFetcher([Self.page(Self.record(1), token: "same"), Self.page(Self.record(2), token: "same")])
        let report = try await b.repository.harvest(repository, fetcher: fetcher, policy: Self.instant)
        #expect(report.error?.contains("same resumptionToken") == true)
        #expect(report.created == 2)
        #expect(fetcher.calls.withLock { $0.count } == 2)
        #expect(try await b.repository.store.remoteRepositories().first?.lastDatestamp == nil)
        #expect(try await b.repository.store.remoteRepositories().first?.lastError?.contains("resumptionToken") == true)
    }

    @Test("503 with Retry-After: waited for when short, a clear stop when long; badResumptionToken restarts from the last good datestamp")
    func retries() async throws {
        let b = try await TestRepository()
        defer { b.cleanup() }
        let repository = try await Self.register(b, prefix: "oai_dc")
        let busy = HarvestHTTPResponse(status: 503, retryAfter: "1", body: Data())
        final class Waits: Sendable { let list = Mutex<[Duration]>([]) }
        let waits = Waits()
        var policy = Self.instant
        policy.sleep = { d in waits.list.withLock { $0.append(d) } }
        let ok = try await b.repository.harvest(repository, fetcher: ScriptedFetcher([busy, busy, Self.page(Self.record(3), token: nil)]), policy: policy)
        #expect(ok.error == nil && ok.created == 1)
        #expect(waits.list.withLock { $0 } == [.seconds(1), .seconds(1)])

        let long = HarvestHTTPResponse(status: 503, retryAfter: "86400", body: Data())
        let stopped = try await b.repository.harvest(repository, fetcher: ScriptedFetcher([long]), policy: Self.instant)
        #expect(stopped.error?.contains("86400") == true)
        let huge = HarvestHTTPResponse(status: 503, retryAfter: "99999999999999999999999", body: Data())
        let hugeRun = try await b.repository.harvest(repository, fetcher: ScriptedFetcher([huge]), policy: Self.instant)
        #expect(hugeRun.error != nil)

        let badToken = HarvestHTTPResponse(
            status: 200,
            body: Data(
                #"<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-12-05T00:00:00Z</responseDate><request>x</request><error code="badResumptionToken">expired</error></OAI-PMH>"#
                    .utf8))
        let fetcher = ScriptedFetcher([Self.page(Self.record(4), token: "t1"), badToken, Self.page(Self.record(4) + Self.record(5), token: nil)])
        let restarted = try await b.repository.harvest(repository, fetcher: fetcher, policy: Self.instant)
        #expect(restarted.error == nil && restarted.restarts == 1 && restarted.created == 2, "\(restarted)")
        let third = try #require(fetcher.calls.withLock { $0 }.last)
        #expect(third.query?.contains("metadataPrefix=oai_dc") == true, "restarted as a fresh list")
    }

    @Test("Hostile XML (external entities, billion laughs, a DOCTYPE, garbage, oversize) stops the run and stores nothing")
    func hostile() async throws {
        let b = try await TestRepository()
        defer { b.cleanup() }
        let repository = try await Self.register(b, prefix: "oai_dc")
        let xxe = """
            <?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
            <OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords><record><header><identifier>&x;</identifier></header></record></ListRecords></OAI-PMH>
            """
        let laughs = """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
            <OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>&lol4;</ListRecords></OAI-PMH>
            """
        for body in [xxe, laughs, "not xml at all", "<html><body>Login</body></html>", String(repeating: "<a>", count: 10_000)] {
            let report = try await b.repository.harvest(repository, fetcher: ScriptedFetcher([HarvestHTTPResponse(status: 200, body: Data(body.utf8))]), policy: Self.instant)
            #expect(report.error != nil, "\(body.prefix(40))")
            #expect(report.created == 0)
        }
        #expect(try await Self.harvested(b).isEmpty)
        // Oversize: refused before parsing.
        #expect(throws: OAIHarvestParser.Failure.self) { try OAIHarvestParser.parse(Self.page(Self.record(1), token: nil).body, maxBytes: 100) }
    }

    @Test("Captured responses of real repositories (DSpace, OAICat): every record mapped, deleted ones honoured, a rerun changes nothing", .needsCorpus)
    func captured() async throws {
        let b = try await TestRepository()
        defer { b.cleanup() }
        let repository = try await Self.register(b, prefix: "oai_dc")
        for file in ["oai-pmh/pyoai_captured_responses/fake1/00005.xml", "oai-pmh/pyoai_captured_responses/fake2/00002.xml"] {
            let data = try Data(contentsOf: try ConformanceCorpus.url(file))
            let parsed = try OAIHarvestParser.parse(data)
            #expect(!parsed.records.isEmpty, "\(file)")
            #expect(parsed.records.allSatisfy { $0.deleted || !($0.metadata?.title ?? "").isEmpty }, "\(file)")
            let fetcher = ScriptedFetcher([HarvestHTTPResponse(status: 200, body: data)])
            let report = try await b.repository.harvest(repository, fetcher: fetcher, policy: Self.instant)
            #expect(report.error == nil, "\(file): \(report)")
            let live = parsed.records.filter { !$0.deleted }.count
            #expect(report.created + report.updated + report.unchanged + report.skipped == parsed.records.count, "\(file): \(report)")
            #expect(report.skipped == 0, "\(file): \(report)")
            let rerun = try await b.repository.harvest(repository, fetcher: ScriptedFetcher([HarvestHTTPResponse(status: 200, body: data)]), policy: Self.instant)
            #expect(rerun.created == 0 && rerun.updated == 0, "\(file): \(rerun)")
            #expect(live > 0)
        }
    }
}
