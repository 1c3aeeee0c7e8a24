import ContentPackages
import Foundation
import HTTPTypes
import HoclieuServer
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

@Suite("Byte ranges from a hostile client are answered, never a crash")
struct RangeRequestTests {
    struct Fetched {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: Data
    }

    func fetch(_ client: some TestClientProtocol, _ uri: String, range: String? = nil) async throws -> Fetched {
        var headers: HTTPFields = [:]
        if let range { headers[.range] = range }
        return try await client.execute(uri: uri, method: .get, headers: headers) {
            Fetched(status: $0.status, headers: $0.headers, body: Data(buffer: $0.body))
        }
    }

    /// A public, published material with one uploaded version.
    func material(_ client: some TestClientProtocol, token: String, kind: String, file: Data, name: String) async throws -> String {
        let pid = try await client.createMaterial(token: token, #"{"kind":"\#(kind)","title":"Khoảng byte"}"#)
        let status = try await client.execute(
            uri: "/api/v1/materials/\(pid)/versions?filename=\(name)", method: .post, headers: [.authorization: "Bearer \(token)"],
            body: ByteBuffer(data: file)
        ) { $0.status }
        #expect(status == .created)
        let (published, body, _) = try await client.json(.patch, "/api/v1/materials/\(pid)", token: token, body: #"{"status":"published","reason":"kiểm thử"}"#)
        #expect(published == .ok, "\(body)")
        return pid
    }

    /// The defect-1 request and its neighbours on one address, then a normal request to show the service
    /// is still there.
    func expectRangesAnswered(_ client: some TestClientProtocol, _ uri: String, body: Data) async throws {
        let size = body.count
        let all = try await fetch(client, uri, range: "bytes=0-18446744073709551615")
        #expect(all.status == .partialContent, "\(uri)")
        #expect(all.headers[.contentRange] == "bytes 0-\(size - 1)/\(size)", "\(uri)")
        #expect(all.headers[.contentLength] == String(size), "\(uri)")
        #expect(all.body == body, "\(uri)")

        let last = try await fetch(client, uri, range: "bytes=\(size - 1)-18446744073709551615")
        #expect(last.status == .partialContent && last.body == body.suffix(1), "\(uri)")
        let hugeSuffix = try await fetch(client, uri, range: "bytes=-99999999999999999999999")
        #expect(hugeSuffix.status == .partialContent && hugeSuffix.body == body, "\(uri)")
        let beyond = try await fetch(client, uri, range: "bytes=18446744073709551615-")
        #expect(beyond.status == .rangeNotSatisfiable && beyond.headers[.contentRange] == "bytes */\(size)", "\(uri)")
        let inverted = try await fetch(client, uri, range: "bytes=18446744073709551615-0")
        #expect(inverted.status == .ok && inverted.body == body, "\(uri)")

        // The service is still answering.
        let again = try await fetch(client, uri, range: "bytes=-10")
        #expect(again.status == .partialContent && again.body == body.suffix(10), "\(uri)")
        #expect(again.headers[.contentRange] == "bytes \(size - 10)-\(size - 1)/\(size)", "\(uri)")
    }

    @Test("Range: bytes=0-18446744073709551615 on a plain file and on small and large package entries")
    func largestLastPosition() async throws {
        let t = try await TestRepository(maxUploadBytes: 32 << 20)
        defer { t.cleanup() }
        let video = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        // A stored entry above the preview cache's 512 KiB is streamed from the archive; the small one is cached.
        let large = Data((0..<700_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ 1) })
        let page = Data("<html><head><title>Khoảng</title></head><body>ok</body></html>".utf8)
        let package = StoredZipWriter.archive([("index.html", page), ("media/large.bin", large)])
        // Package bytes are served by the content origin (the main origin only redirects there).
        try await t.application.test(.router) { client in
            try await t.contentApplication.test(.router) { content in
                let token = try await client.login("admin", TestRepository.adminPassword)
                let clip = try await material(client, token: token, kind: "video", file: video, name: "clip.mp4")
                try await expectRangesAnswered(content, "/preview/\(clip)@v1/", body: video)

                let lesson = try await material(client, token: token, kind: "lesson", file: package, name: "khoang.zip")
                try await expectRangesAnswered(content, "/preview/\(lesson)@v1/index.html", body: page)
                try await expectRangesAnswered(content, "/preview/\(lesson)@v1/media/large.bin", body: large)

                let health = try await fetch(client, "/health")
                #expect(health.status == .ok)
            }
        }
    }
}
