import CommonCartridge
import ConformanceCorpus
import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuServer
@testable import HoclieuApp
import HoclieuStorage
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Synchronization
import Testing

@Suite("Common Cartridge imports and exports over HTTP", .needsCorpus)
struct CartridgeAPITests {
    static let corpus = PackageUploadTests.corpus.appendingPathComponent("cc")
    static let validation = "ims_sample/ims_cc1p1_validation_cartridge_1.imscc"

    func post(_ client: some TestClientProtocol, token: String, file: URL, name: String) async throws -> (HTTPResponse.Status, [String: Any]) {
        try await client.execute(
            uri: "/api/v1/imports?filename=\(name)", method: .post,
            headers: [.authorization: "Bearer \(token)", .contentType: "application/zip"], body: ByteBuffer(data: try Data(contentsOf: file))
        ) { response in
            (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
        }
    }

    /// Polls a job until it ends (the job service runs in the live application).
    func finished(_ client: some TestClientProtocol, token: String, _ path: String) async throws -> [String: Any] {
        for _ in 0..<300 {
            let job = try await client.json(.get, path, token: token).body
            if let status = job["status"] as? String, ["succeeded", "failed", "cancelled"].contains(status) { return job }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("job \(path) did not end")
        return [:]
    }

    @Test("An upload is a background job; its report counts what the cartridge holds; a second import creates nothing")
    func importJob() async throws {
        let t = try await TestRepository(maxUploadBytes: 32 << 20)
        defer { t.cleanup() }
        try await t.application.test(.live) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let (status, job) = try await post(client, token: token, file: Self.corpus.appendingPathComponent(Self.validation), name: "course.imscc")
            #expect(status == .accepted, "\(job)")
            let id = try #require(job["id"] as? String)
            let done = try await finished(client, token: token, "/api/v1/imports/\(id)")
            #expect(done["status"] as? String == "succeeded", "\(done)")
            let report = try #require(done["report"] as? [String: Any])
            let counts = try #require(report["counts"] as? [String: Int])
            // The manifest declares 3 imswl (one of which, "Non-existent reference", has no file and is left out),
            // 2 imsdt, 2 imsbasiclti, 1 assessment and 1 question bank.
            #expect(counts["webLinks"] == 2)
            #expect(counts["ltiLinks"] == 2)
            #expect(counts["discussions"] == 2)
            #expect(counts["questionSets"] == 2)
            let created = try #require(report["created"] as? Int)
            #expect(created == (counts["materials"] ?? 0) + 1, "the materials and their course package")
            #expect(try await t.repository.store.statistics().materials == created)
            let text = try await client.execute(uri: "/api/v1/imports/\(id)/report", method: .get, headers: [.authorization: "Bearer \(token)"]) {
                String(buffer: $0.body)
            }
            #expect(text.contains("Common Cartridge 1.1"))
            // The course package's outline names the imported materials by PID.
            let course = try #require((report["coursePackage"] as? [String: Any])?["pid"] as? String)
            let outline = try await client.json(.get, "/api/v1/materials/\(course)/outline", token: token)
            #expect(outline.status == .ok)
            func pids(_ nodes: [[String: Any]]) -> [String] {
                nodes.flatMap { (($0["pid"] as? String).map { [$0] } ?? []) + pids($0["children"] as? [[String: Any]] ?? []) }
            }
            let named = pids(outline.body["items"] as? [[String: Any]] ?? [])
            #expect(!named.isEmpty && Set(named).count == named.count)

            let (_, again) = try await post(client, token: token, file: Self.corpus.appendingPathComponent(Self.validation), name: "course.imscc")
            let second = try await finished(client, token: token, "/api/v1/imports/\(try #require(again["id"] as? String))")
            let secondReport = try #require(second["report"] as? [String: Any])
            #expect(secondReport["created"] as? Int == 0)
            #expect(secondReport["unchanged"] as? Int == created)
            #expect(try await t.repository.store.statistics().materials == created)
        }
    }

    @Test("A cartridge with missing files fails with the reason and stores nothing")
    func refused() async throws {
        let t = try await TestRepository(maxUploadBytes: 32 << 20)
        defer { t.cleanup() }
        try await t.application.test(.live) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let blobs = t.blobCount
            let file = Self.corpus.appendingPathComponent("negative/ims_cc1p1_validation_cartridge_1.missing_files.imscc")
            let (_, job) = try await post(client, token: token, file: file, name: "broken.imscc")
            let done = try await finished(client, token: token, "/api/v1/imports/\(try #require(job["id"] as? String))")
            #expect(done["status"] as? String == "failed")
            #expect((done["error"] as? String)?.isEmpty == false)
            #expect(try await t.repository.store.statistics().materials == 0)
            #expect(t.blobCount == blobs, "the upload and every file stored on the way are gone")
        }
    }

    @Test("A queued job can be cancelled once; another user cannot see it")
    func cancel() async throws {
        // No job worker on this node: the job stays queued until cancelled.
        let t = try await TestRepository(maxUploadBytes: 32 << 20, runsJobs: false)
        defer { t.cleanup() }
        try await t.addUser("gv.binh", roles: [.teacher])
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let (status, job) = try await post(client, token: token, file: Self.corpus.appendingPathComponent(Self.validation), name: "c.imscc")
            #expect(status == .accepted)
            #expect(job["status"] as? String == "queued")
            let id = try #require(job["id"] as? String)
            let other = try await client.login("gv.binh", "password-gv.binh")
            #expect(try await client.json(.get, "/api/v1/imports/\(id)", token: other).status == .notFound)
            let (cancelled, body, _) = try await client.json(.post, "/api/v1/imports/\(id)/cancel", token: token)
            #expect(cancelled == .accepted)
            #expect(body["status"] as? String == "cancelled")
            #expect(try await client.json(.post, "/api/v1/imports/\(id)/cancel", token: token).status == .conflict)
            #expect(try await client.json(.get, "/api/v1/exports/\(id)", token: token).status == .notFound, "an import is not an export")
        }
    }

    @Test("An import stopped half-way keeps nothing")
    func stoppedHalfWay() async throws {
        let t = try await TestRepository(maxUploadBytes: 32 << 20)
        defer { t.cleanup() }
        let admin = try #require(try await t.repository.store.credentials(username: "admin")?.user.id)
        let blobs = t.blobCount
        let seen = Counter()
        await #expect(throws: (any Error).self) {
            try await t.repository.importCartridge(
                at: Self.corpus.appendingPathComponent(Self.validation), fileName: "c.imscc", ownerID: admin,
                progress: { _ in }, isCancelled: { seen.next() > 8 })
        }
        #expect(try await t.repository.store.statistics().materials == 0)
        #expect(t.blobCount == blobs)
    }

    @Test("An exported course re-imports to the same counts (CC 1.3) and a Moodle export must be CC 1.1")
    func exportRoundTrip() async throws {
        let t = try await TestRepository(maxUploadBytes: 32 << 20)
        defer { t.cleanup() }
        try await t.application.test(.live) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let (_, job) = try await post(client, token: token, file: Self.corpus.appendingPathComponent(Self.validation), name: "course.imscc")
            let imported = try await finished(client, token: token, "/api/v1/imports/\(try #require(job["id"] as? String))")
            let report = try #require(imported["report"] as? [String: Any])
            let course = try #require((report["coursePackage"] as? [String: Any])?["pid"] as? String)
            let counts = try #require(report["counts"] as? [String: Int])

            #expect(try await client.json(.post, "/api/v1/exports", token: token, body: #"{"format":"cc1.3","target":"moodle","all":true}"#).status == .badRequest)
            let (status, export, _) = try await client.json(.post, "/api/v1/exports", token: token, body: #"{"format":"cc1.3","pids":["\#(course)"]}"#)
            #expect(status == .accepted, "\(export)")
            let done = try await finished(client, token: token, "/api/v1/exports/\(try #require(export["id"] as? String))")
            #expect(done["status"] as? String == "succeeded", "\(done)")
            let file = try await client.execute(
                uri: "/api/v1/exports/\(try #require(export["id"] as? String))/file", method: .get, headers: [.authorization: "Bearer \(token)"]
            ) { response in
                #expect(response.status == .ok)
                return Data(buffer: response.body)
            }
            #expect(file.prefix(2) == Data("PK".utf8))

            // Into a fresh repository: the cartridge must give the same counts.
            let fresh = try await TestRepository(maxUploadBytes: 32 << 20)
            defer { fresh.cleanup() }
            let cartridge = fresh.folder.appendingPathComponent("export.imscc")
            try file.write(to: cartridge)
            let admin = try #require(try await fresh.repository.store.credentials(username: "admin")?.user.id)
            let again = try await fresh.repository.importCartridge(at: cartridge, fileName: "export.imscc", ownerID: admin)
            #expect(again.version == .v1p3)
            #expect(again.counts.webLinks == counts["webLinks"])
            #expect(again.counts.ltiLinks == counts["ltiLinks"])
            #expect(again.counts.discussions == counts["discussions"])
            #expect(again.counts.questionSets == counts["questionSets"])
            #expect(again.counts.questions == counts["questions"])
            #expect(again.counts.materials == counts["materials"])
        }
    }
}

/// A thread-safe call counter.
final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
