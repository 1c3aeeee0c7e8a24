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

@Suite("Resumable uploads over HTTP")
struct ResumableUploadTests {
    /// Bytes no compressor or text detector makes anything of, the same on every run.
    static func bytes(_ count: Int, seed: UInt64 = 19) -> Data {
        var state = seed
        var data = Data(capacity: count)
        for _ in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            data.append(UInt8(truncatingIfNeeded: state >> 33))
        }
        return data
    }

    func put(
        _ client: some TestClientProtocol, _ id: String, token: String, _ data: Data, range: String?
    ) async throws -> (status: HTTPResponse.Status, body: [String: Any], headers: HTTPFields) {
        var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/octet-stream"]
        if let range { headers[.contentRange] = range }
        return try await client.execute(uri: "/api/v1/uploads/\(id)", method: .put, headers: headers, body: ByteBuffer(data: data)) { response in
            ((response.status), (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:], response.headers)
        }
    }

    func chunk(_ file: Data, _ start: Int, _ end: Int) -> (Data, String) {
        (file.subdata(in: start..<(end + 1)), "bytes \(start)-\(end)/\(file.count)")
    }

    @Test("Half sent, the connection lost mid-chunk, the offset asked, the rest sent: the version is the file, byte for byte")
    func resume() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("gv.a", roles: [.teacher], school: "THCS A")
        try await t.addUser("gv.b", roles: [.teacher], school: "THCS A")
        let file = Self.bytes(300_000)
        try await t.application.test(.router) { client in
            let owner = try await client.login("gv.a", "password-gv.a")
            let other = try await client.login("gv.b", "password-gv.b")
            let admin = try await client.login("admin", TestRepository.adminPassword)
            let pid = try await client.createMaterial(token: owner, #"{"kind":"document","title":"Tài liệu lớn"}"#)

            // Given an upload of 300,000 bytes.
            let created = try await client.json(
                .post, "/api/v1/uploads", token: owner, body: #"{"pid":"\#(pid)","fileName":"tai-lieu.bin","size":300000,"note":"bản lớn"}"#)
            #expect(created.status == .created, "\(created.body)")
            let id = try #require(created.body["id"] as? String)
            #expect(id.count == 32 && created.headers[HTTPField.Name("Upload-Offset")!] == "0" && created.body["chunkSize"] as? Int == 300_000)

            // When the first half goes in two chunks…
            for (start, end) in [(0, 99_999), (100_000, 149_999)] {
                let (data, range) = chunk(file, start, end)
                let sent = try await put(client, id, token: owner, data, range: range)
                #expect(sent.status == .ok && sent.body["received"] as? Int == end + 1, "\(sent.body)")
            }
            // …and the third chunk's connection breaks after 20,000 of its 50,000 bytes.
            let cut = try await put(client, id, token: owner, file.subdata(in: 150_000..<170_000), range: "bytes 150000-199999/300000")
            #expect(cut.status == .badRequest && cut.body["type"] as? String == "/problems/upload-length-mismatch")

            // Then the client asks where to continue: after the first half, nothing of the broken chunk counted.
            let offset = try await client.execute(uri: "/api/v1/uploads/\(id)", method: .head, headers: [.authorization: "Bearer \(owner)"]) {
                ($0.status, $0.headers[HTTPField.Name("Upload-Offset")!])
            }
            #expect(offset.0 == .ok && offset.1 == "150000")
            let partFile = t.repository.blobs.root.appendingPathComponent("uploads/\(id).part")
            let partSize = (try FileManager.default.attributesOfItem(atPath: partFile.path)[.size] as? NSNumber)?.intValue
            #expect(partSize == 150_000, "partial data is on disk")

            // Wrong chunks are refused clearly, naming the offset; a chunk already received is acknowledged again.
            let gap = try await put(client, id, token: owner, file.subdata(in: 200_000..<200_010), range: "bytes 200000-200009/300000")
            #expect(gap.status == .conflict && gap.body["type"] as? String == "/problems/upload-out-of-order")
            #expect((gap.body["messages"] as? [String: String])?["en"]?.contains("150000") == true)
            let overlap = try await put(client, id, token: owner, file.subdata(in: 140_000..<160_000), range: "bytes 140000-159999/300000")
            #expect(overlap.status == .conflict && overlap.body["type"] as? String == "/problems/upload-overlapping")
            let again = try await put(client, id, token: owner, file.subdata(in: 100_000..<150_000), range: "bytes 100000-149999/300000")
            #expect(again.status == .ok && again.body["received"] as? Int == 150_000)
            let total = try await put(client, id, token: owner, Data([1]), range: "bytes 150000-150000/300001")
            #expect(total.status == .conflict && total.body["type"] as? String == "/problems/upload-wrong-total")
            for range in [
                "bytes 150000-300000/300000", "bytes 0-99999999999999999999/300000", "bytes 9223372036854775806-9223372036854775807/9223372036854775807",
                "bytes 5-4/300000", "bytes -1-4/300000", "items 0-1/2", "bytes 150000-150001",
            ] {
                let refused = try await put(client, id, token: owner, Data([1, 2]), range: range)
                #expect(refused.status == .badRequest, "\(range): \(refused.status)")
            }
            let longer = try await put(client, id, token: owner, file.subdata(in: 150_000..<150_020), range: "bytes 150000-150009/300000")
            #expect(longer.status == .badRequest && longer.body["type"] as? String == "/problems/upload-length-mismatch")
            #expect(try await put(client, id, token: owner, Data([1]), range: nil).status == .badRequest)

            // Not the creator: 404, administrators too.
            #expect(try await client.json(.get, "/api/v1/uploads/\(id)", token: other).status == .notFound)
            #expect(try await client.json(.get, "/api/v1/uploads/\(id)", token: admin).status == .notFound)
            let (otherData, otherRange) = chunk(file, 150_000, 299_999)
            #expect(try await put(client, id, token: other, otherData, range: otherRange).status == .notFound)
            #expect(try await client.json(.post, "/api/v1/uploads/\(id)/finish", token: other).status == .notFound)

            // Finishing too early is refused; the rest is sent; finishing ingests the file as the next version.
            let early = try await client.json(.post, "/api/v1/uploads/\(id)/finish", token: owner)
            #expect(early.status == .conflict && early.body["type"] as? String == "/problems/upload-incomplete")
            let (rest, restRange) = chunk(file, 150_000, 299_999)
            let last = try await put(client, id, token: owner, rest, range: restRange)
            #expect(last.status == .ok && last.body["complete"] as? Bool == true)
            let finished = try await client.json(.post, "/api/v1/uploads/\(id)/finish", token: owner)
            #expect(finished.status == .created, "\(finished.body)")
            #expect(finished.body["number"] as? Int == 1 && finished.body["byteSize"] as? Int == 300_000 && finished.body["note"] as? String == "bản lớn")
            #expect(finished.body["contentID"] as? String == ContentID.of(bytes: file).rawValue)
            let downloaded = try await client.execute(
                uri: "/api/v1/materials/\(pid)/versions/1/file", method: .get, headers: [.authorization: "Bearer \(owner)"]
            ) { Data(buffer: $0.body) }
            #expect(downloaded == file)
            // Finishing again (a lost answer) gives the same version; the part file is gone.
            let twice = try await client.json(.post, "/api/v1/uploads/\(id)/finish", token: owner)
            #expect(twice.status == .ok && twice.body["number"] as? Int == 1)
            #expect(!FileManager.default.fileExists(atPath: partFile.path))
            // The same bytes uploaded whole in one request are the same version: one ingest path.
            let whole = try await client.execute(
                uri: "/api/v1/materials/\(pid)/versions?filename=tai-lieu.bin", method: .post,
                headers: [.authorization: "Bearer \(owner)", .contentType: "application/octet-stream"], body: ByteBuffer(data: file)
            ) { response in (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]) }
            #expect(whole.0 == .ok && whole.1["number"] as? Int == 1)
        }
    }

    @Test("Limits, access and expiry: 413 naming the limit, other people's materials refused, abandoned uploads removed")
    func limitsAndExpiry() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("gv.a", roles: [.teacher], school: "THCS A")
        try await t.addUser("gv.b", roles: [.teacher], school: "THCS A")
        try await t.application.test(.router) { client in
            let owner = try await client.login("gv.a", "password-gv.a")
            let other = try await client.login("gv.b", "password-gv.b")
            let pid = try await client.createMaterial(token: owner, #"{"kind":"document","title":"Tài liệu"}"#)
            let big = try await client.json(.post, "/api/v1/uploads", token: owner, body: #"{"pid":"\#(pid)","fileName":"a.bin","size":1048577}"#)
            #expect(big.status == .contentTooLarge && (big.body["messages"] as? [String: String])?["en"]?.contains("1048576") == true)
            let huge = try await client.json(.post, "/api/v1/uploads", token: owner, body: #"{"pid":"\#(pid)","fileName":"a.bin","size":9223372036854775807}"#)
            #expect(huge.status == .contentTooLarge)
            #expect(try await client.json(.post, "/api/v1/uploads", token: owner, body: #"{"pid":"\#(pid)","fileName":"a.bin","size":0}"#).status == .unprocessableContent)
            #expect(try await client.json(.post, "/api/v1/uploads", token: owner, body: #"{"pid":"\#(pid)","fileName":"../a.bin","size":5}"#).status == .badRequest)
            // Another teacher may not add versions to it (a draft they cannot see: 404).
            #expect(try await client.json(.post, "/api/v1/uploads", token: other, body: #"{"pid":"\#(pid)","fileName":"a.bin","size":5}"#).status == .notFound)

            // An upload left half-done expires: its state and its bytes are removed, and it answers 404.
            let created = try await client.json(.post, "/api/v1/uploads", token: owner, body: #"{"pid":"\#(pid)","fileName":"a.bin","size":10}"#)
            let id = try #require(created.body["id"] as? String)
            #expect(try await put(client, id, token: owner, Data([1, 2, 3, 4, 5]), range: "bytes 0-4/10").status == .ok)
            let part = t.repository.blobs.root.appendingPathComponent("uploads/\(id).part")
            #expect(FileManager.default.fileExists(atPath: part.path))
            // The connection dies inside a chunk (the body stream fails after 3 of 5 bytes): nothing of it counts.
            struct ConnectionReset: Error {}
            let user = try #require(try await t.repository.store.credentials(username: "gv.a")?.user)
            let broken = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                continuation.yield(ByteBuffer(bytes: [6, 7, 8]))
                continuation.finish(throwing: ConnectionReset())
            }
            await #expect(throws: ConnectionReset.self) {
                _ = try await t.repository.appendChunk(id: id, UploadChunk(start: 5, end: 9, total: 10), body: broken, by: user)
            }
            let afterReset = (try FileManager.default.attributesOfItem(atPath: part.path)[.size] as? NSNumber)?.intValue
            let stateAfterReset = try await t.repository.store.upload(id: id)
            #expect(afterReset == 5 && stateAfterReset?.receivedBytes == 5)
            #expect(try await t.repository.sweepExpiredUploads(now: Date()) == 0)
            #expect(try await t.repository.sweepExpiredUploads(now: Date().addingTimeInterval(Services.uploadLifetime + 60)) == 1)
            #expect(!FileManager.default.fileExists(atPath: part.path))
            #expect(try await client.json(.get, "/api/v1/uploads/\(id)", token: owner).status == .notFound)

            // Abandoned on purpose: DELETE removes it at once.
            let second = try await client.json(.post, "/api/v1/uploads", token: owner, body: #"{"pid":"\#(pid)","fileName":"b.bin","size":10}"#)
            let secondID = try #require(second.body["id"] as? String)
            #expect(try await client.json(.delete, "/api/v1/uploads/\(secondID)", token: owner).status == .noContent)
            #expect(try await client.json(.get, "/api/v1/uploads/\(secondID)", token: owner).status == .notFound)
            #expect(!FileManager.default.fileExists(atPath: t.repository.blobs.root.appendingPathComponent("uploads/\(secondID).part").path))
        }
    }
}
