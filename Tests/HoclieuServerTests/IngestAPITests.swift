import ConformanceCorpus
import ContentPackages
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
import Testing

@Suite("LMS push (ingest) API over HTTP")
struct IngestAPITests {
    /// A SCORM fixture folder as a zip archive (its content at the root).
    static func zipped(_ fixture: String) throws -> Data {
        let folder = try Fixtures.url("scorm/\(fixture)")
        var entries: [(path: String, data: Data)] = []
        let enumerator = try #require(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]))
        for case let url as URL in enumerator where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            let path = url.standardizedFileURL.path.replacingOccurrences(of: folder.standardizedFileURL.path + "/", with: "")
            entries.append((path, try Data(contentsOf: url)))
        }
        return StoredZipWriter.archive(entries.sorted { $0.path < $1.path })
    }

    /// Polls a push job until it ends (the job service runs in the live application).
    static func finished(_ client: some TestClientProtocol, auth: String, _ path: String) async throws -> [String: Any] {
        for _ in 0..<300 {
            let job = try await client.json(.get, path, headers: [.authorization: auth]).body
            if let status = job["status"] as? String, ["succeeded", "failed", "cancelled"].contains(status) { return job }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("job \(path) did not end")
        return [:]
    }

    static func push(
        _ client: some TestClientProtocol, auth: String?, body: Data, headers: HTTPFields
    ) async throws -> (status: HTTPResponse.Status, body: [String: Any], headers: HTTPFields) {
        var headers = headers
        if let auth { headers[.authorization] = auth }
        return try await client.execute(uri: "/api/v1/ingest", method: .post, headers: headers, body: ByteBuffer(data: body)) { response in
            (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:], response.headers)
        }
    }

    static func header(_ name: String) -> HTTPField.Name { HTTPField.Name(name)! }

    @Test("A SCORM package pushed with a client credential: 202, the job ends with a submission in the queue and provenance; retries make no duplicate")
    func pushPackage() async throws {
        let t = try await TestRepository(maxUploadBytes: 1 << 20)
        defer { t.cleanup() }
        try await t.repository.loadCriteria(from: ReviewWorkflowTests.criteriaFolder)
        let issued = try await t.repository.createClient(name: "Moodle THPT A", scopes: [.push], by: User.localOperator)
        let auth = "Bearer \(issued.token)"
        let package = try Self.zipped("scorm12-nested-frames")
        let metadata = Data(#"{"title":"Khung lồng nhau","subjects":["TOAN"],"grades":[6],"visibility":"public"}"#.utf8).base64EncodedString()
        let headers: HTTPFields = [
            .contentType: "application/zip", .contentDisposition: "attachment; filename=\"nested.zip\"", Self.header("X-Hoclieu-Metadata"): metadata,
            Self.header("X-Hoclieu-Source-Course"): "course-7", Self.header("X-Hoclieu-Source-Resource"): "res-42", Self.header("Idempotency-Key"): "k-1",
        ]
        try await t.application.test(.live) { client in
            // When
            let first = try await Self.push(client, auth: auth, body: package, headers: headers)
            // Then
            #expect(first.status == .accepted, "\(first.body)")
            let id = try #require(first.body["id"] as? String)
            #expect(first.headers[.location] == "/api/v1/ingest/\(id)")
            let done = try await Self.finished(client, auth: auth, "/api/v1/ingest/\(id)")
            #expect(done["status"] as? String == "succeeded", "\(done)")
            let result = try #require(done["result"] as? [String: Any])
            let items = try #require(result["items"] as? [[String: Any]])
            #expect(items.count == 1)
            let pidText = try #require(items.first?["pid"] as? String)
            let pid = try PersistentIdentifier(parsing: pidText)
            let submissionID = try #require(items.first?["submission"] as? Int)
            let material = try #require(try await t.repository.store.material(pid))
            #expect(material.status == .submitted)
            #expect(material.kind == .lesson)
            #expect(material.metadata.title == "Khung lồng nhau")
            #expect(material.provenance == Provenance(sourceSystem: "lms:\(issued.client.clientID)", sourceIdentifier: "course-7/res-42"))
            let submission = try #require(try await t.repository.store.openSubmission(pid: pid))
            #expect(submission.id == Int64(submissionID))
            #expect(submission.note?.contains("course-7") == true)
            let materials = try await t.repository.store.materialPIDs(after: nil, limit: 100).count

            // The same key and body: the same job, nothing new.
            let replay = try await Self.push(client, auth: auth, body: package, headers: headers)
            #expect(replay.status == .accepted)
            #expect(replay.body["id"] as? String == id)
            #expect(replay.headers[Self.header("Idempotent-Replayed")] == "true")
            // The LMS retries without a key: a new job that finds the same material unchanged, in the same submission.
            var noKey = headers
            noKey[Self.header("Idempotency-Key")] = nil
            let retry = try await Self.push(client, auth: auth, body: package, headers: noKey)
            #expect(retry.status == .accepted)
            let retryID = try #require(retry.body["id"] as? String)
            #expect(retryID != id)
            let again = try await Self.finished(client, auth: auth, "/api/v1/ingest/\(retryID)")
            let againItem = try #require(((again["result"] as? [String: Any])?["items"] as? [[String: Any]])?.first)
            #expect(againItem["pid"] as? String == pidText)
            #expect(againItem["action"] as? String == "unchanged")
            #expect(againItem["submission"] as? Int == submissionID)
            #expect(try await t.repository.store.materialPIDs(after: nil, limit: 100).count == materials)
            #expect(try await t.repository.store.submissions(SubmissionQuery(pid: pid)).count == 1)

            // The same key with another body: refused, nothing queued.
            var other = headers
            other[Self.header("X-Hoclieu-Source-Resource")] = "res-43"
            let mismatch = try await Self.push(client, auth: auth, body: package, headers: other)
            #expect(mismatch.status == .unprocessableContent)
            #expect(mismatch.body["type"] as? String == "/problems/idempotency-key-reused", "\(mismatch.body)")

            // Another client cannot read the job.
            let stranger = try await t.repository.createClient(name: "Canvas", scopes: [.push], by: User.localOperator)
            #expect(try await client.json(.get, "/api/v1/ingest/\(id)", headers: [.authorization: "Bearer \(stranger.token)"]).status == .notFound)
        }
    }

    @Test("A single file with JSON metadata as multipart/form-data becomes a submission; a question file fills the bank")
    func multipart() async throws {
        let t = try await TestRepository(maxUploadBytes: 1 << 20)
        defer { t.cleanup() }
        try await t.repository.loadCriteria(from: ReviewWorkflowTests.criteriaFolder)
        let issued = try await t.repository.createClient(name: "K12Online", scopes: [.push], by: User.localOperator)
        let auth = "Basic " + Data("\(issued.client.clientID):\(issued.secret)".utf8).base64EncodedString()
        @Sendable func form(_ parts: [(name: String, fileName: String?, type: String?, data: Data)]) -> (Data, String) {
            let boundary = "hoclieu-\(UUID().uuidString)"
            var body = Data()
            for part in parts {
                body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\"".utf8))
                if let fileName = part.fileName { body.append(Data("; filename=\"\(fileName)\"".utf8)) }
                body.append(Data("\r\n".utf8))
                if let type = part.type { body.append(Data("Content-Type: \(type)\r\n".utf8)) }
                body.append(Data("\r\n".utf8))
                body.append(part.data)
                body.append(Data("\r\n".utf8))
            }
            body.append(Data("--\(boundary)--\r\n".utf8))
            return (body, "multipart/form-data; boundary=\(boundary)")
        }
        try await t.application.test(.live) { client in
            let (body, type) = form([
                ("metadata", nil, "application/json", Data(#"{"title":"Phiếu học tập phân số","kind":"document","subjects":["TOAN"]}"#.utf8)),
                ("sourceCourse", nil, nil, Data("toan-6a".utf8)),
                ("file", "phieu.txt", "text/plain", Data("Phân số: 1/2 + 1/3 = 5/6\n".utf8)),
            ])
            let pushed = try await Self.push(client, auth: auth, body: body, headers: [.contentType: type])
            #expect(pushed.status == .accepted, "\(pushed.body)")
            let done = try await Self.finished(client, auth: auth, "/api/v1/ingest/\(try #require(pushed.body["id"] as? String))")
            #expect(done["status"] as? String == "succeeded", "\(done)")
            let item = try #require(((done["result"] as? [String: Any])?["items"] as? [[String: Any]])?.first)
            let pidText = try #require(item["pid"] as? String)
            let material = try #require(try await t.repository.store.material(try PersistentIdentifier(parsing: pidText)))
            #expect(material.metadata.title == "Phiếu học tập phân số")
            #expect(material.status == .submitted)
            #expect(material.provenance?.sourceIdentifier?.hasPrefix("toan-6a/content:") == true)

            // A GIFT question file: its questions go into the bank, the file becomes a question set in review.
            let gift = Data("::Q1:: 2 + 2 = ? {=4 ~3 ~5}\n\n::Q2:: Thủ đô của Việt Nam? {=Hà Nội ~Huế}\n".utf8)
            let questions = try await Self.push(
                client, auth: auth, body: gift, headers: [.contentType: "text/plain", .contentDisposition: "attachment; filename=\"de.gift\""])
            #expect(questions.status == .accepted, "\(questions.body)")
            let qdone = try await Self.finished(client, auth: auth, "/api/v1/ingest/\(try #require(questions.body["id"] as? String))")
            let qresult = try #require(qdone["result"] as? [String: Any], "\(qdone)")
            #expect(qresult["treatedAs"] as? String == "questions")
            #expect(qresult["questions"] as? Int == 2)
            let qitem = try #require((qresult["items"] as? [[String: Any]])?.first)
            #expect(qitem["kind"] as? String == "question_set")
            #expect(qitem["submission"] is Int)
            let setPID = try #require(qitem["pid"] as? String)
            let set = try #require(try await t.repository.store.material(try PersistentIdentifier(parsing: setPID)))
            #expect(set.provenance?.sourceSystem == "lms:\(issued.client.clientID)")
            #expect(set.status == .submitted)
        }
    }

    @Test("A Common Cartridge push goes through the cartridge import: every material submitted with the course as provenance; pushed again, nothing new")
    func pushCartridge() async throws {
        let t = try await TestRepository(maxUploadBytes: 1 << 20)
        defer { t.cleanup() }
        try await t.repository.loadCriteria(from: ReviewWorkflowTests.criteriaFolder)
        let issued = try await t.repository.createClient(name: "Canvas Sở", scopes: [.push], by: User.localOperator)
        let auth = "Bearer \(issued.token)"
        let cartridge = TrustTests.cartridge(identifier: "COURSE-9", pages: [("R1", "Trang một", "một"), ("R2", "Trang hai", "hai")])
        let headers: HTTPFields = [
            .contentType: "application/vnd.ims.imsccv1p1", .contentDisposition: "attachment; filename=\"toan.imscc\"",
            Self.header("X-Hoclieu-Source-Course"): "canvas-101",
        ]
        try await t.application.test(.live) { client in
            let first = try await Self.push(client, auth: auth, body: cartridge, headers: headers)
            #expect(first.status == .accepted, "\(first.body)")
            let done = try await Self.finished(client, auth: auth, "/api/v1/ingest/\(try #require(first.body["id"] as? String))")
            let result = try #require(done["result"] as? [String: Any], "\(done)")
            #expect(result["treatedAs"] as? String == "cartridge")
            let items = try #require(result["items"] as? [[String: Any]])
            #expect(items.count == 3, "two pages and the course package: \(items)")
            #expect(items.allSatisfy { $0["submission"] is Int && $0["action"] as? String == "created" })
            for item in items {
                let pidText = try #require(item["pid"] as? String)
                let material = try #require(try await t.repository.store.material(try PersistentIdentifier(parsing: pidText)))
                #expect(material.status == .submitted)
                #expect(material.provenance?.sourceSystem == "lms:\(issued.client.clientID):canvas-101")
            }
            let again = try await Self.push(client, auth: auth, body: cartridge, headers: headers)
            let second = try await Self.finished(client, auth: auth, "/api/v1/ingest/\(try #require(again.body["id"] as? String))")
            let secondItems = try #require((second["result"] as? [String: Any])?["items"] as? [[String: Any]], "\(second)")
            #expect(secondItems.allSatisfy { $0["action"] as? String == "unchanged" })
            #expect(Set(secondItems.compactMap { $0["submission"] as? Int }) == Set(items.compactMap { $0["submission"] as? Int }))
            #expect(try await t.repository.store.materialPIDs(after: nil, limit: 100).count == 3)
        }
    }

    @Test("Refusals: 401 wrong or revoked credential, 403 without the push scope, 413 naming the limit, 415, hostile package 422 with nothing stored")
    func refusals() async throws {
        let t = try await TestRepository(maxUploadBytes: 64 << 10)
        defer { t.cleanup() }
        try await t.repository.loadCriteria(from: ReviewWorkflowTests.criteriaFolder)
        let pusher = try await t.repository.createClient(name: "Canvas", scopes: [.push], by: User.localOperator)
        let harvester = try await t.repository.createClient(name: "Harvester", scopes: [.harvest, .harvestSector], by: User.localOperator)
        let revoked = try await t.repository.createClient(name: "Old", scopes: [.push], by: User.localOperator)
        _ = try await t.repository.revokeClient(revoked.client.id, by: User.localOperator)
        let file: HTTPFields = [.contentType: "text/plain", .contentDisposition: "attachment; filename=\"a.txt\""]
        try await t.application.test(.live) { client in
            let text = Data("bài học".utf8)
            #expect(try await Self.push(client, auth: nil, body: text, headers: file).status == .unauthorized)
            #expect(try await Self.push(client, auth: "Bearer \(pusher.client.clientID).wrong", body: text, headers: file).status == .unauthorized)
            #expect(try await Self.push(client, auth: "Bearer \(revoked.token)", body: text, headers: file).status == .unauthorized)
            #expect(try await Self.push(client, auth: "Bearer \(harvester.token)", body: text, headers: file).status == .forbidden)
            let admin = try await client.login("admin", TestRepository.adminPassword)
            let session = try await Self.push(client, auth: "Bearer \(admin)", body: text, headers: file)
            #expect(session.status == .forbidden)
            #expect(session.body["type"] as? String == "/problems/push-scope-required")

            let auth = "Bearer \(pusher.token)"
            let tooLarge = try await Self.push(client, auth: auth, body: Data(count: 100 << 10), headers: file)
            #expect(tooLarge.status == .contentTooLarge)
            #expect("\(tooLarge.body)".contains("65536"), "\(tooLarge.body)")
            let unknown = try await Self.push(client, auth: auth, body: text, headers: [.contentType: "application/x-msdownload"])
            #expect(unknown.status == .unsupportedMediaType, "\(unknown.body)")
            let badMetadata = try await Self.push(client, auth: auth, body: text, headers: file + [Self.header("X-Hoclieu-Metadata"): "e30"])
            #expect(badMetadata.status == .accepted, "an empty object (base64url, unpadded) is valid: \(badMetadata.body)")
            let unknownField = Data(#"{"owner":"admin"}"#.utf8).base64EncodedString()
            #expect(try await Self.push(client, auth: auth, body: text, headers: file + [Self.header("X-Hoclieu-Metadata"): unknownField]).status == .unprocessableContent)
            _ = try await Self.finished(client, auth: auth, "/api/v1/ingest/\(try #require(badMetadata.body["id"] as? String))")

            // Hostile archives: refused before any job, and the store is as it was.
            let materials = try await t.repository.store.materialPIDs(after: nil, limit: 1000).count
            let blobs = t.blobCount
            let slip = StoredZipWriter.archive([("imsmanifest.xml", Data("<manifest/>".utf8)), ("../evil.html", Data("<p>x</p>".utf8))])
            let zipSlip = try await Self.push(
                client, auth: auth, body: slip, headers: [.contentType: "application/zip", Self.header("Idempotency-Key"): "slip"])
            #expect(zipSlip.status == .unprocessableContent, "\(zipSlip.body)")
            #expect("\(zipSlip.body)".contains("evil.html"))
            // A bomb: 1 KiB that says it expands to 2 GiB (sizes patched in the local and central headers).
            var bomb = StoredZipWriter.archive([("index.html", Data(count: 1024))])
            for signature: [UInt8] in [[0x50, 0x4B, 0x03, 0x04], [0x50, 0x4B, 0x01, 0x02]] {
                let at = try #require(bomb.firstRange(of: signature)).lowerBound
                let offset = at + (signature[2] == 0x03 ? 22 : 24)
                bomb.replaceSubrange(offset..<offset + 4, with: [0xFF, 0xFF, 0xFF, 0x7F])
            }
            let bombed = try await Self.push(client, auth: auth, body: bomb, headers: [.contentType: "application/zip"])
            #expect(bombed.status == .unprocessableContent, "\(bombed.body)")
            #expect("\(bombed.body)".contains("zip bomb"), "\(bombed.body)")
            let cartridgeSlip = try await Self.push(
                client, auth: auth, body: slip, headers: [.contentType: "application/vnd.ims.imsccv1p3", .contentDisposition: "attachment; filename=c.imscc"])
            #expect(cartridgeSlip.status == .unprocessableContent)
            let after = try await t.repository.store.materialPIDs(after: nil, limit: 1000).count
            #expect(after == materials)
            #expect(t.blobCount == blobs)
            // The refused key was never recorded: it can be used for a good request.
            let reused = try await Self.push(client, auth: auth, body: text, headers: file + [Self.header("Idempotency-Key"): "slip"])
            #expect(reused.status == .accepted)
        }
    }
}

extension HTTPFields {
    static func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
        var fields = lhs
        for field in rhs { fields[field.name] = field.value }
        return fields
    }
}
