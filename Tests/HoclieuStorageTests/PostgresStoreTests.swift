import Foundation
import HoclieuCore
@testable import HoclieuStorage
import Logging
import PostgresNIO
import Testing

/// The sub-protocols ``PostgresStore`` implements so far; every test below runs on SQLite and PostgreSQL alike.
typealias PortedStore = CoreStore & JobStore & PushStore

/// One backend of the tests in this file: how to get a fresh, empty store for one test.
///
/// Scoped (``withStore(_:)``) rather than returned, so the PostgreSQL client runs exactly as long as the test and
/// its database is dropped afterwards. (A small harness of its own until ``PostgresStore`` conforms to the whole
/// ``Store``; then these tests join the shared conformance suite's makers.)
struct PortedStoreMaker: Sendable, CustomTestStringConvertible {
    let name: String
    let scope: @Sendable (_ body: @Sendable (any PortedStore) async throws -> Void) async throws -> Void
    var testDescription: String { name }

    func withStore(_ body: @Sendable (any PortedStore) async throws -> Void) async throws { try await scope(body) }

    static let sqlite = PortedStoreMaker(name: "SQLite") { body in
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try await body(try SQLiteStore(path: dir.appendingPathComponent("db.sqlite").path, pidPrefix: "79-760"))
    }

    static let postgreSQL = PortedStoreMaker(name: "PostgreSQL") { body in
        try await PostgresTestDatabase.with { store in try await body(store) }
    }

    /// SQLite always; PostgreSQL when `HOCLIEU_TEST_DATABASE_URL` is set.
    static let all: [PortedStoreMaker] = PostgresTestDatabase.serverURL == nil ? [.sqlite] : [.sqlite, .postgreSQL]
}

/// A throwaway database on the server of `HOCLIEU_TEST_DATABASE_URL` (e.g. `postgres://hoclieu@127.0.0.1:55432/postgres`).
enum PostgresTestDatabase {
    static let serverURL: String? = ProcessInfo.processInfo.environment["HOCLIEU_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }

    static let skipReason = "HOCLIEU_TEST_DATABASE_URL is not set: PostgreSQL store tests skipped (start a throwaway PostgreSQL 15 and set it)"

    static var logger: Logger {
        var logger = Logger(label: "hoclieu.test.postgres")
        logger.logLevel = .warning
        return logger
    }

    /// Runs `body` with an administrative connection to the server's maintenance database.
    static func admin<T: Sendable>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        let server = try #require(serverURL)
        let url = try #require(URLComponents(string: server))
        let client = PostgresClient(
            configuration: .init(
                host: url.host ?? "127.0.0.1", port: url.port ?? 5432, username: url.user ?? "postgres", password: url.password,
                database: url.path.count > 1 ? String(url.path.dropFirst()) : "postgres", tls: .disable),
            backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// The server URL with another database.
    static func url(database: String) throws -> String {
        let server = try #require(serverURL)
        var url = try #require(URLComponents(string: server))
        url.path = "/" + database
        return try #require(url.string)
    }

    /// Makes a database `hoclieu_test_<random>`, opens a store on it, runs `body`, then drops the database.
    static func with(_ body: (PostgresStore) async throws -> Void) async throws {
        let name = "hoclieu_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await admin { client in _ = try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)")) }
        do {
            let store = try await PostgresStore.open(url: try url(database: name), pidPrefix: "79-760", logger: logger)
            do {
                try await body(store)
            } catch {
                await store.shutdown()
                throw error
            }
            await store.shutdown()
        } catch {
            try? await admin { client in _ = try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")) }
            throw error
        }
        try await admin { client in _ = try await client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")) }
    }
}

extension Trait where Self == ConditionTrait {
    /// Enabled when a PostgreSQL server for tests is configured; otherwise skipped with the reason.
    static var needsPostgres: Self {
        .enabled(if: PostgresTestDatabase.serverURL != nil, Comment(rawValue: PostgresTestDatabase.skipReason))
    }
}

private func teacher(_ store: any PortedStore, _ name: String = "gv.an", school: String? = nil) async throws -> User {
    try await store.createUser(NewUser(username: name, displayName: name, roles: [.teacher], school: school, passwordHash: "x"))
}

private func draft(
    _ title: String, description: String = "", subjects: [String] = ["TOAN"], grades: [Int] = [6], units: [String] = [],
    status: MaterialStatus = .published, visibility: Visibility = .public, source: Provenance? = nil, text: String? = nil
) -> MaterialDraft {
    MaterialDraft(
        kind: .document, format: "application/pdf",
        metadata: MaterialMetadata(title: title, description: description, subjects: subjects, grades: grades, knowledgeUnits: units),
        visibility: visibility, status: status, provenance: source, extractedText: text)
}

private func contentID(_ n: Int) -> ContentID { ContentID.of(bytes: Data("file \(n)".utf8)) }

@Suite("Ported store sub-protocols on SQLite and PostgreSQL (core, jobs, push)")
struct PortedStoreTests {
    @Test("Users, passwords, sessions and disabled accounts", arguments: PortedStoreMaker.all)
    func usersAndSessions(_ maker: PortedStoreMaker) async throws {
        try await maker.withStore { store in
            let an = try await teacher(store, school: "THCS Lê Lợi")
            await #expect(throws: StoreError.conflict("username gv.an")) { try await teacher(store) }
            await #expect(throws: StoreError.invalid("username")) { try await teacher(store, "bad name") }
            #expect(try await store.userCount() == 1)
            #expect(an.organisationID != nil)
            let binh = try await teacher(store, "gv.binh", school: "  THCS Lê Lợi ")
            #expect(binh.organisationID == an.organisationID, "one school record for one folded name")
            let (read, hash) = try #require(try await store.credentials(username: "gv.an"))
            #expect(read == an && hash == "x")
            #expect(try await store.user(id: an.id) == an)

            let later = Date().addingTimeInterval(3600)
            try await store.createSession(tokenHash: "t1", userID: an.id, expiresAt: later)
            try await store.createSession(tokenHash: "t2", userID: an.id, expiresAt: later)
            try await store.createSession(tokenHash: "old", userID: binh.id, expiresAt: Date().addingTimeInterval(-10))
            #expect(try await store.sessionUser(tokenHash: "t1", now: Date())?.id == an.id)
            #expect(try await store.sessionUser(tokenHash: "old", now: Date()) == nil)
            try await store.deleteSessions(userID: an.id, except: "t2")
            #expect(try await store.sessionUser(tokenHash: "t1", now: Date()) == nil)
            #expect(try await store.sessionUser(tokenHash: "t2", now: Date())?.id == an.id)
            let disabled = try await store.setUserDisabled(userID: an.id, disabled: true)
            #expect(disabled.disabled)
            #expect(try await store.sessionUser(tokenHash: "t2", now: Date()) == nil, "a disabled account's session is not honoured")
            try await store.deleteSession(tokenHash: "t2")
            try await store.setPasswordHash(userID: an.id, hash: "y")
            #expect(try await store.credentials(username: "gv.an")?.passwordHash == "y")
            await #expect(throws: StoreError.notFound("user 999")) { try await store.setPasswordHash(userID: 999, hash: "z") }
            await #expect(throws: StoreError.notFound("user 999")) { try await store.setUserDisabled(userID: 999, disabled: true) }
        }
    }

    @Test("Materials, versions, provenance, references and statistics", arguments: PortedStoreMaker.all)
    func materialsAndVersions(_ maker: PortedStoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await teacher(store)
            let source = Provenance(sourceSystem: "moodle", sourceIdentifier: "42")
            let a = try await store.createMaterial(draft("Phân số", source: source), ownerID: user.id, firstVersion: nil)
            #expect(a.pid.serial == 1)
            await #expect(throws: StoreError.conflict("source moodle 42")) {
                try await store.createMaterial(draft("Lại", source: source), ownerID: user.id, firstVersion: nil)
            }
            let other = try await teacher(store, "gv.khac")
            _ = try await store.createMaterial(draft("Của người khác", source: source), ownerID: other.id, firstVersion: nil)
            #expect(try await store.material(source: source, ownerID: user.id)?.pid == a.pid, "provenance is scoped to its owner")

            var first = VersionDraft(contentID: contentID(1), fileName: "a.pdf", mediaType: "application/pdf", byteSize: 10, createdBy: user.id)
            first.extractedText = "nội dung tệp"
            let v1 = try await store.addVersion(a.pid, first)
            #expect(v1.number == 1)
            var pending = VersionDraft(contentID: contentID(2), fileName: "b.pdf", mediaType: "application/pdf", byteSize: 20, createdBy: user.id)
            pending.pending = true
            let v2 = try await store.addVersion(a.pid, pending)
            #expect(v2.number == 2)
            #expect(try await store.material(a.pid)?.currentVersion == 1, "a pending version does not become current")
            let v3 = try await store.addVersion(
                a.pid, VersionDraft(contentID: contentID(3), fileName: "c.pdf", mediaType: "application/pdf", byteSize: 30, createdBy: user.id))
            #expect(v3.number == 3)
            #expect(try await store.versions(a.pid).map(\.number) == [1, 2, 3])
            #expect(try await store.version(a.pid, number: 2) == v2)
            #expect(try await store.isReferenced(contentID(2)))
            #expect(try await !store.isReferenced(contentID(9)))
            #expect(try await store.referencedContentIDs() == [contentID(1), contentID(2), contentID(3)])
            #expect(try await store.search(SearchRequest(text: "noi dung")).pids == [a.pid], "the extracted text stays indexed")

            let updated = try await store.updateMaterial(
                a.pid, metadata: MaterialMetadata(title: "Phân số và số thập phân", subjects: ["TOAN"], grades: [7]), visibility: .school,
                status: nil)
            #expect(updated.metadata.grades == [7] && updated.visibility == .school)
            #expect(try await store.material(a.pid) == updated)
            let missing = PersistentIdentifier(prefix: "79-760", serial: 999)
            await #expect(throws: StoreError.notFound(missing.rawValue)) {
                try await store.updateMaterial(missing, metadata: nil, visibility: nil, status: .draft)
            }
            #expect(try await store.createMaterials((0..<5).map { draft("Bài \($0)") }, ownerID: user.id) == 5)
            let statistics = try await store.statistics()
            #expect(statistics.materials == 7 && statistics.versions == 3 && statistics.users == 2 && statistics.blobBytes == 60)
            #expect(try await store.integrityProblems() == [])
            _ = try await store.maintainSearchIndex(budget: .milliseconds(50))
            try await store.optimizeSearchIndex()
            #expect(try await store.searchIndexBytes() > 0)
        }
    }

    @Test("Folded queries find marked titles; exact and title matches rank first; visibility holds", arguments: PortedStoreMaker.all)
    func search(_ maker: PortedStoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await teacher(store)
            let fraction = try await store.createMaterial(draft("Phân số và phép chia"), ownerID: user.id, firstVersion: nil)
            let circle = try await store.createMaterial(draft("Đường tròn"), ownerID: user.id, firstVersion: nil)
            let positive = try await store.createMaterial(draft("Số dương và số âm"), ownerID: user.id, firstVersion: nil)
            let hidden = try await store.createMaterial(draft("Đường thẳng", status: .draft), ownerID: user.id, firstVersion: nil)
            #expect(try await store.search(SearchRequest(text: "phan so")).pids == [fraction.pid])
            #expect(try await store.search(SearchRequest(text: "Đường")).pids == [circle.pid, positive.pid])
            #expect(try await store.search(SearchRequest(text: "đường", viewer: user)).pids == [hidden.pid, circle.pid, positive.pid])
            #expect(try await store.search(SearchRequest(text: "pub")).pids == [], "visibility terms are not words")
            let faceted = try await store.search(SearchRequest(text: "", facets: [.subject, .status]))
            #expect(faceted.total == 3)
            #expect(faceted.facetCounts[.subject]?.first?.value == "TOAN" && faceted.facetCounts[.subject]?.first?.count == 3)
        }
    }

    @Test("Past the ranking window: every match once, exact matches first", arguments: PortedStoreMaker.all)
    func beyondTheWindow(_ maker: PortedStoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await teacher(store)
            let drafts = (0..<700).map { i in draft(i % 2 == 0 ? "Đường số \(i)" : "Dương số \(i)") }
            #expect(try await store.createMaterials(drafts, ownerID: user.id) == 700)
            var pids: [PersistentIdentifier] = []
            var cursor: SearchCursor? = nil
            var first: SearchPage? = nil
            repeat {
                let page = try await store.search(SearchRequest(text: "đường", limit: 100, cursor: cursor))
                if first == nil { first = page }
                pids += page.pids
                cursor = page.next
            } while cursor != nil
            #expect(first?.total == 200 && first?.totalIsLowerBound == true)
            #expect(pids.count == 700 && Set(pids).count == 700)
            #expect(pids.prefix(350).allSatisfy { ($0.serial - 1) % 2 == 0 }, "the 350 exact 'Đường' titles come first")
        }
    }

    @Test("Jobs: claim, progress, cancel, finish, requeue", arguments: PortedStoreMaker.all)
    func jobs(_ maker: PortedStoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await teacher(store)
            // A job not yet ended keeps the blob it works on: two imports of the same cartridge share one blob, and the
            // first to end must not remove it under the second.
            let upload = contentID(7)
            let pending = try await store.createJob(NewJob(kind: "import", ownerID: user.id, input: Data(#"{"contentID":"\#(upload.rawValue)"}"#.utf8)))
            #expect(try await store.isReferenced(upload))
            try await store.finishJob(id: pending.id, status: .failed, result: nil, error: "x")
            #expect(try await !store.isReferenced(upload))
            let job = try await store.createJob(NewJob(kind: "import", ownerID: user.id, input: Data("{}".utf8)))
            #expect(job.status == .queued)
            #expect(try await store.claimJob(kinds: ["export"]) == nil)
            let claimed = try #require(try await store.claimJob(kinds: ["import"]))
            #expect(claimed.id == job.id && claimed.status == .running)
            #expect(try await store.claimJob(kinds: ["import"]) == nil)
            #expect(try await store.updateJobProgress(id: job.id, progress: 0.5)?.progress == 0.5)
            #expect(try await store.updateJobProgress(id: job.id, progress: 0.2)?.progress == 0.5, "progress never goes back")
            #expect(try await store.cancelJob(id: job.id)?.status == .cancelling)
            try await store.finishJob(id: job.id, status: .cancelled, result: Data("r".utf8), error: "stopped")
            let ended = try #require(try await store.job(id: job.id))
            #expect(ended.status == .cancelled && ended.result == Data("r".utf8) && ended.error == "stopped")

            let stale = try await store.createJob(NewJob(kind: "import", ownerID: user.id, input: Data()))
            _ = try await store.claimJob(kinds: ["import"])
            #expect(try await store.requeueStaleJobs(before: Date().addingTimeInterval(60)) == 1)
            #expect(try await store.job(id: stale.id)?.status == .queued)
            #expect(try await store.claimJob(kinds: ["import"])?.id == stale.id)
        }
    }

    @Test("Two concurrent claimers get each job exactly once", arguments: PortedStoreMaker.all)
    func concurrentClaims(_ maker: PortedStoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await teacher(store)
            var created: Set<String> = []
            for _ in 0..<40 { created.insert(try await store.createJob(NewJob(kind: "import", ownerID: user.id, input: Data())).id) }
            let claims = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        var mine: [String] = []
                        while let job = try await store.claimJob(kinds: ["import"]) { mine.append(job.id) }
                        return mine
                    }
                }
                var all: [[String]] = []
                for try await claimed in group { all.append(claimed) }
                return all
            }
            let every = claims.flatMap { $0 }
            #expect(every.count == 40, "no job claimed twice")
            #expect(Set(every) == created, "every job claimed")
        }
    }

    @Test("Idempotency keys: replayed, refused on another body, per owner", arguments: PortedStoreMaker.all)
    func idempotentPush(_ maker: PortedStoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await teacher(store)
            let new = NewJob(kind: "push", ownerID: user.id, input: Data("a".utf8))
            guard case .created(let job) = try await store.createJob(new, idempotencyKey: "k1", fingerprint: "f1") else {
                Issue.record("first use creates")
                return
            }
            #expect(try await store.createJob(new, idempotencyKey: "k1", fingerprint: "f1") == .replayed(job))
            #expect(try await store.createJob(new, idempotencyKey: "k1", fingerprint: "f2") == .mismatch(jobID: job.id))
            let other = try await teacher(store, "gv.khac")
            guard case .created = try await store.createJob(NewJob(kind: "push", ownerID: other.id, input: Data()), idempotencyKey: "k1", fingerprint: "f1")
            else {
                Issue.record("keys are per owner")
                return
            }
        }
    }
}

@Suite("Pre-rendered harvest records on SQLite and PostgreSQL")
struct RenderedRecordTests {
    @Test("Records are written with published materials, dropped when unpublished, and refreshed when stale", arguments: StoreMakers.all)
    func renderedRecords(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await store.createUser(NewUser(username: "gv.an", displayName: "An", roles: [.teacher], passwordHash: "x"))
            let query = HarvestQuery(statuses: [.published], visibilities: [.public])
            // Written before any renderer: no record until a refresh.
            let early = try await store.createMaterial(draft("Phân số"), ownerID: user.id, firstVersion: nil)
            let renderer = RecordRenderer(key: 7, prefixes: ["oai_dc"]) { m in ["oai_dc": Data("<r>\(m.metadata.title)</r>".utf8)] }
            store.setRecordRenderer(renderer)
            let late = try await store.createMaterial(draft("Đường tròn"), ownerID: user.id, firstVersion: nil)
            var page = try await store.harvestRenderedPage(query, after: nil, limit: 10, prefix: "oai_dc")
            #expect(page.map(\.material.pid) == [early.pid, late.pid])
            #expect(page[0].record == nil && page[1].record == Data("<r>Đường tròn</r>".utf8))
            #expect(try await store.refreshRenderedRecords(after: 0, limit: 10) == nil, "fewer than the limit: nothing left")
            page = try await store.harvestRenderedPage(query, after: nil, limit: 10, prefix: "oai_dc")
            #expect(page[0].record == Data("<r>Phân số</r>".utf8))
            // A changed material's record follows it; an unpublished one loses its record.
            _ = try await store.updateMaterial(
                late.pid, metadata: MaterialMetadata(title: "Đường thẳng", subjects: ["TOAN"], grades: [6]), visibility: nil, status: nil)
            _ = try await store.updateMaterial(early.pid, metadata: nil, visibility: nil, status: .draft)
            page = try await store.harvestRenderedPage(query, after: nil, limit: 10, prefix: "oai_dc")
            #expect(page.map(\.material.pid) == [late.pid] && page[0].record == Data("<r>Đường thẳng</r>".utf8))
            // Another key: stored records are stale until refreshed; keyset paging goes on from a position.
            store.setRecordRenderer(RecordRenderer(key: 8, prefixes: ["oai_dc"]) { m in ["oai_dc": Data("v8 \(m.metadata.title)".utf8)] })
            #expect(try await store.harvestRenderedPage(query, after: nil, limit: 10, prefix: "oai_dc")[0].record == nil)
            #expect(try await store.refreshRenderedRecords(after: 0, limit: 1) == late.pid.serial, "a full batch: go on after it")
            #expect(try await store.harvestRenderedPage(query, after: nil, limit: 10, prefix: "oai_dc")[0].record == Data("v8 Đường thẳng".utf8))
            #expect(try await store.harvestRenderedPage(query, after: HarvestPosition(after: page[0].material), limit: 10, prefix: "oai_dc").isEmpty)
        }
    }
}

@Suite("PostgreSQL store against SQLite")
struct PostgresAgreementTests {
    /// The same materials in both stores, then the same searches: every page of every query must agree.
    @Test("Search pages agree between SQLite and PostgreSQL, with and without diacritics", .needsPostgres)
    func searchAgrees() async throws {
        try await PortedStoreMaker.sqlite.withStore { sqlite in
            try await PostgresTestDatabase.with { postgres in
                let stores: [any PortedStore] = [sqlite, postgres]
                var owners: [[User]] = [[], []]
                for (i, store) in stores.enumerated() {
                    owners[i].append(try await teacher(store, "gv.an", school: "THCS Lê Lợi"))
                    owners[i].append(try await teacher(store, "gv.binh", school: "THPT Chu Văn An"))
                }
                let words = ["Đường", "dương", "đường tròn", "số", "sơ đồ", "phân số", "Phần", "hình học", "Hình", "toán", "văn", "Việt Nam"]
                let subjects = ["TOAN", "NGUVAN", "KHTN"]
                var drafts: [MaterialDraft] = []
                for i in 0..<900 {
                    var d = draft(
                        "\(words[i % words.count]) \(words[(i / 3) % words.count]) \(i)", description: "Bài \(words[(i * 7) % words.count])",
                        subjects: [subjects[i % 3]], grades: [6 + i % 4], units: i % 5 == 0 ? ["TOAN.6.SD"] : [],
                        status: i % 11 == 0 ? .draft : .published, visibility: i % 13 == 0 ? .school : (i % 7 == 0 ? .sector : .public),
                        text: i % 4 == 0 ? "văn bản trích \(words[(i * 5) % words.count]) đường" : nil)
                    d.metadata.school = i % 13 == 0 ? "THCS Lê Lợi" : nil
                    drafts.append(d)
                }
                for (i, store) in stores.enumerated() {
                    // Interleaved owners, one at a time so that serials agree.
                    for (n, d) in drafts.enumerated() { _ = try await store.createMaterial(d, ownerID: owners[i][n % 2].id, firstVersion: nil) }
                }
                // With the planner's statistics, PostgreSQL's facet windows choose between the key walk and the GIN index
                // (``PostgresStore/newestMatches``): rare words here go through the index, common ones the walk.
                try await postgres.optimizeSearchIndex()
                #expect(try await postgres.read { c in try await postgres.materialCount(c) } == 900)
                // Search as you type (the last word also as a prefix): exact and folded prefixes, prefixes only in the
                // extracted text ("trí", "tri"), more prefix-only matches than the window ("pha", "hin"), the index's own
                // stems ("lic", "vis", "sub", "sch", "own", "kin"), and a finished word (trailing space).
                let typed = [
                    "đườ", "duon", "đường trò", "duong tro", "hìn", "hin", "Việ", "vie", "toa", "pha", "Phân sô", "văn bả", "trí", "tri",
                    "lic", "vis", "sub", "sch", "own", "kin", "duong ", "bài", "bai",
                ]
                let queries = ["", "đường", "duong", "Đường tròn", "duong tron", "so", "số", "sơ", "phan so", "Phân số", "hinh", "Hình học", "viet", "Việt Nam", "văn bản", "xyz"] + typed
                let filters: [SearchFilters] = [.init(), .init([.subject: ["TOAN"]]), .init([.subject: ["TOAN", "KHTN"], .grade: ["6"]]), .init([.knowledgeUnit: ["TOAN"]])]
                var compared = 0
                for q in queries {
                    for f in filters {
                        for viewerIndex in [nil, 0, 1] as [Int?] {
                            var cursors: [SearchCursor?] = [nil, nil]
                            var pageNumber = 0
                            repeat {
                                var pages: [SearchPage] = []
                                for (i, store) in stores.enumerated() {
                                    pages.append(
                                        try await store.search(
                                            SearchRequest(
                                                text: q, filters: f, viewer: viewerIndex.map { owners[i][$0] }, limit: 50, cursor: cursors[i],
                                                facets: pageNumber == 0 ? [.subject, .grade] : [])))
                                }
                                #expect(pages[0].pids == pages[1].pids, "query '\(q)' \(f) viewer \(String(describing: viewerIndex)) page \(pageNumber)")
                                #expect(pages[0].total == pages[1].total && pages[0].next == pages[1].next)
                                #expect(
                                    pages[0].facetCounts.mapValues { $0.map { "\($0.value)=\($0.count)" } }
                                        == pages[1].facetCounts.mapValues { $0.map { "\($0.value)=\($0.count)" } })
                                cursors = pages.map(\.next)
                                pageNumber += 1
                                compared += 1
                            } while cursors[0] != nil && pageNumber < 30
                        }
                    }
                }
                #expect(compared > queries.count * filters.count * 3)
            }
        }
    }

    @Test("Every migration is recorded as applied after opening", .needsPostgres)
    func migrationsCurrent() async throws {
        try await PostgresTestDatabase.with { store in
            let pending = try await store.pendingMigrations()
            #expect(pending == [])
        }
    }

    @Test("A backup is a pg_dump archive of the live database", .needsPostgres)
    func backup() async throws {
        try await PostgresTestDatabase.with { store in
            let user = try await teacher(store)
            _ = try await store.createMaterial(draft("Phân số"), ownerID: user.id, firstVersion: nil)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-pg-\(UUID().uuidString).dump")
            defer { try? FileManager.default.removeItem(at: file) }
            try await store.backupDatabase(to: file)
            let data = try Data(contentsOf: file)
            #expect(data.prefix(5) == Data("PGDMP".utf8), "pg_dump's custom format")
            #expect(data.count > 1000)
        }
    }

    @Test("A malformed database URL is refused with a clear error")
    func badURL() async throws {
        await #expect(throws: StoreError.invalid("database URL: expected postgres://user[:password]@host[:port]/database")) {
            try await PostgresStore.open(url: "mysql://x@y/z", pidPrefix: "79-760", logger: Logger(label: "test"))
        }
    }
}
