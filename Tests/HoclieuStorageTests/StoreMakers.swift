import Foundation
import HoclieuStorage
import Testing

/// One backend the store conformance suite runs against: how to get a fresh, empty store for one test.
///
/// A test takes a maker as its argument and does its work inside ``withStore(_:)``; the maker sets the
/// store up (a new SQLite file, a new PostgreSQL schema…), hands it over, and removes it afterwards,
/// whether the test passed or threw. Scoped rather than returned so that a backend whose client must run
/// inside a task group (postgres-nio's `PostgresClient.run()`) can keep it running for exactly the test.
struct StoreMaker: Sendable, CustomTestStringConvertible {
    /// Shown in the test's name: `createAndRead(_:) (SQLite)`.
    let name: String
    /// Why this backend cannot run here (nil: it can).
    let unavailable: String?
    /// Makes an empty store with identifier prefix `79-760`, runs `body` on it, then removes it.
    let scope: @Sendable (_ body: @Sendable (any Store) async throws -> Void) async throws -> Void

    var testDescription: String { name }

    /// Runs `body` on a fresh, empty store of this backend.
    func withStore(_ body: @Sendable (any Store) async throws -> Void) async throws {
        try await scope(body)
    }
}

/// The backends of the store conformance suite.
///
/// Every test in `HoclieuStorageTests` that is not about one backend's own machinery takes its store from
/// here: `@Test("…", arguments: StoreMakers.all) func x(_ maker: StoreMaker)`. Adding a backend is one
/// element of ``candidates``.
enum StoreMakers {
    /// Every backend, available here or not.
    static let candidates: [StoreMaker] = [.sqlite, .postgreSQL]

    /// The backends available in this run (SQLite always; PostgreSQL when `HOCLIEU_TEST_DATABASE_URL` is set).
    static let all: [StoreMaker] = candidates.filter { $0.unavailable == nil }

    /// Why some backends are not tested in this run (nil: all are); printed by ``StoreBackendsTests``.
    static let skippedReason: String? = {
        let reasons = candidates.compactMap { maker in maker.unavailable.map { "\(maker.name): \($0)" } }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }()

    /// The PostgreSQL server for store tests (`.ci/pg-start.sh` starts one and exports it), e.g.
    /// `postgres://hoclieu@127.0.0.1:54321/hoclieu_test`.
    static let postgresURL: String? = ProcessInfo.processInfo.environment["HOCLIEU_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
}

extension StoreMaker {
    /// A new SQLite database in a fresh temporary folder, removed afterwards.
    static let sqlite = StoreMaker(name: "SQLite", unavailable: nil) { body in
        let (store, dir) = try makeSQLiteStore()
        defer { try? FileManager.default.removeItem(at: dir) }
        try await body(store)
    }
}

/// A SQLite store in a fresh temporary folder (the caller removes the folder): the SQLite maker's, and for any
/// test about SQLite's own machinery (none so far: every storage test runs on every backend).
func makeSQLiteStore() throws -> (SQLiteStore, URL) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return (try SQLiteStore(path: dir.appendingPathComponent("db.sqlite").path, pidPrefix: "79-760"), dir)
}

/// Says, as a skipped test with its reason, which backends this run does not cover.
@Suite("Store backends")
struct StoreBackendsTests {
    @Test(
        "Every store backend is covered by this run",
        .enabled(if: StoreMakers.skippedReason == nil, Comment(rawValue: StoreMakers.skippedReason ?? "")))
    func everyBackend() {
        #expect(StoreMakers.all.count == StoreMakers.candidates.count)
        #expect(StoreMakers.all.contains { $0.name == "SQLite" })
    }
}
