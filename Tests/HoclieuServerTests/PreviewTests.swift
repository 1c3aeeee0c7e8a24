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
import Testing

@Suite("Sandboxed previews")
struct PreviewTests {
    struct Fetched {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func fetch(_ client: some TestClientProtocol, _ uri: String, headers: HTTPFields = [:]) async throws -> Fetched {
        try await client.execute(uri: uri, method: .get, headers: headers) { Fetched(status: $0.status, headers: $0.headers, body: Data(buffer: $0.body)) }
    }

    /// A material with one uploaded version; published and public unless `draft`.
    func material(_ client: some TestClientProtocol, token: String, kind: String, file: Data, name: String, draft: Bool = false) async throws -> String {
        let pid = try await client.createMaterial(token: token, #"{"kind":"\#(kind)","title":"Xem thử"}"#)
        let status = try await client.execute(
            uri: "/api/v1/materials/\(pid)/versions?filename=\(name)", method: .post, headers: [.authorization: "Bearer \(token)"],
            body: ByteBuffer(data: file)
        ) { $0.status }
        #expect(status == .created)
        if !draft {
            let (published, body, _) = try await client.json(.patch, "/api/v1/materials/\(pid)", token: token, body: #"{"status":"published","reason":"kiểm thử"}"#)
            #expect(published == .ok, "\(body)")
        }
        return pid
    }

    static func expectSandboxed(_ response: Fetched, _ comment: Comment? = nil) {
        #expect(response.headers[HTTPField.Name("Content-Security-Policy")!] == "sandbox allow-scripts allow-forms", comment)
        #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", comment)
        #expect(response.headers[.setCookie] == nil, comment)
    }

    @Test("A SCORM 1.2 package: player, entries with the run-time, types, ranges, caching, no cookies", .needsCorpus)
    func scorm() async throws {
        let t = try await TestRepository(maxUploadBytes: 32 << 20)
        defer { t.cleanup() }
        let zip = try Data(contentsOf: PackageUploadTests.corpus.appendingPathComponent("scorm/scorm12/rustici_RuntimeMinimumCalls_SCORM12.zip"))
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let pid = try await material(client, token: token, kind: "lesson", file: zip, name: "golf.zip")

            let bare = try await fetch(client, "/preview/\(pid)@v1")
            #expect(bare.status == .movedPermanently && bare.headers[.location] == "/preview/\(pid)@v1/")
            let player = try await fetch(client, "/preview/\(pid)@v1/", headers: [.cookie: "session=stolen"])
            #expect(player.status == .ok)
            Self.expectSandboxed(player)
            #expect(player.text.contains("Golf Explained - Minimum Run-time Calls"))
            #expect(player.text.contains(#""href":"Playing\/Playing.html""#) || player.text.contains(#""href":"Playing/Playing.html""#))

            let page = try await fetch(client, "/preview/\(pid)@v1/Playing/Playing.html")
            #expect(page.status == .ok)
            Self.expectSandboxed(page)
            #expect(page.headers[.contentType] == "text/html")
            #expect(page.text.contains(#"HOCLIEU_SCORM_VERSION="1.2""#))
            #expect(page.text.range(of: "<head>")!.upperBound <= page.text.range(of: "Hoclieu preview SCORM run-time")!.lowerBound)

            let script = try await fetch(client, "/preview/\(pid)@v1/shared/scormfunctions.js")
            #expect(script.headers[.contentType] == "text/javascript" && !script.text.contains("HOCLIEU_SCORM_VERSION"))
            let image = try await fetch(client, "/preview/\(pid)@v1/Playing/playing.jpg")
            #expect(image.status == .ok && image.headers[.contentType] == "image/jpeg" && image.body.starts(with: [0xFF, 0xD8]))
            let etag = try #require(image.headers[.eTag])
            #expect(try await fetch(client, "/preview/\(pid)@v1/Playing/playing.jpg", headers: [.ifNoneMatch: etag]).status == .notModified)

            let part = try await fetch(client, "/preview/\(pid)@v1/Playing/playing.jpg", headers: [.range: "bytes=100-199"])
            #expect(part.status == .partialContent && part.body == image.body.subdata(in: 100..<200))
            #expect(part.headers[.contentRange] == "bytes 100-199/\(image.body.count)")
            let tail = try await fetch(client, "/preview/\(pid)@v1/Playing/playing.jpg", headers: [.range: "bytes=-10"])
            #expect(tail.body == image.body.suffix(10))
            let beyond = try await fetch(client, "/preview/\(pid)@v1/Playing/playing.jpg", headers: [.range: "bytes=999999999-"])
            #expect(beyond.status == .rangeNotSatisfiable && beyond.headers[.contentRange] == "bytes */\(image.body.count)")

            let head = try await client.execute(uri: "/preview/\(pid)@v1/Playing/playing.jpg", method: .head) { $0 }
            #expect(head.status == .ok && head.body.readableBytes == 0)
            #expect(head.headers[.contentLength] == String(image.body.count) && head.headers[.eTag] == etag)

            #expect(try await fetch(client, "/preview/\(pid)@v1/nothing/here.html").status == .notFound)
            #expect(try await fetch(client, "/preview/\(pid)@v1/%2E%2E/%2E%2E/etc/passwd").status == .notFound)
            #expect(try await fetch(client, "/preview/\(pid)@v9/").status == .notFound)
            #expect(try await fetch(client, "/preview/\(pid)/").status == .badRequest)
        }
    }

    @Test("A draft is previewed only through a signed reference the API gives to those who may see it", .needsCorpus)
    func signed() async throws {
        let t = try await TestRepository(maxUploadBytes: 32 << 20)
        defer { t.cleanup() }
        try await t.addUser("teacher1", roles: [.teacher])
        let zip = try Data(contentsOf: PackageUploadTests.corpus.appendingPathComponent("scorm/scorm12/rustici_singlescobasic.zip"))
        try await t.application.test(.router) { client in
            let token = try await client.login("teacher1", "password-teacher1")
            let pid = try await material(client, token: token, kind: "lesson", file: zip, name: "golf.zip", draft: true)
            #expect(try await fetch(client, "/preview/\(pid)@v1/").status == .notFound)

            let (status, issued, _) = try await client.json(.post, "/api/v1/materials/\(pid)/versions/1/preview", token: token)
            #expect(status == .ok)
            let url = try #require(issued["url"] as? String)
            #expect(url.hasPrefix("/preview/\(pid)@v1~") && issued["expires"] != nil)
            let player = try await fetch(client, url)
            #expect(player.status == .ok && player.text.contains("Golf Explained"))
            #expect(player.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            let entry = try await fetch(client, url + "shared/launchpage.html")
            #expect(entry.status == .ok && entry.headers[.cacheControl]?.hasPrefix("private") == true)

            let tampered = url.replacingOccurrences(of: "@v1~", with: "@v2~")
            #expect(try await fetch(client, tampered).status == .badRequest)
            #expect(try await client.json(.post, "/api/v1/materials/\(pid)/versions/1/preview").status == .notFound)
        }
    }

    @Test("Plain files play inline with byte ranges; HTML5 opens its launch file; H5P shows its structure", .needsCorpus)
    func otherKinds() async throws {
        let t = try await TestRepository(maxUploadBytes: 32 << 20)
        defer { t.cleanup() }
        let video = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let h5p = try Data(contentsOf: PackageUploadTests.corpus.appendingPathComponent("h5p/lumi/H5P.DragText.h5p"))
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let clip = try await material(client, token: token, kind: "video", file: video, name: "clip.mp4")
            let whole = try await fetch(client, "/preview/\(clip)@v1/")
            #expect(whole.status == .ok && whole.body == video && whole.headers[.contentType] == "video/mp4")
            Self.expectSandboxed(whole)
            let part = try await fetch(client, "/preview/\(clip)@v1/", headers: [.range: "bytes=50000-50009"])
            #expect(part.status == .partialContent && part.body == video.subdata(in: 50_000..<50_010))

            let drag = try await material(client, token: token, kind: "simulation", file: h5p, name: "drag.h5p")
            let summary = try await fetch(client, "/preview/\(drag)@v1/")
            #expect(summary.status == .ok && summary.text.contains("Drag the Words") && summary.text.contains("H5P.DragText"))
            Self.expectSandboxed(summary)
            let json = try await fetch(client, "/preview/\(drag)@v1/content/content.json")
            #expect(json.headers[.contentType] == "application/json" && json.body.first == UInt8(ascii: "{"))
        }
    }
}

@Suite("Thumbnails")
struct ThumbnailTests {
    /// A one-page PDF written by hand (objects, cross-reference table with exact offsets).
    static func pdf(_ text: String) -> Data {
        let stream = "BT /F1 24 Tf 20 40 Td (\(text)) Tj ET"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (i, object) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(i + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n" + offsets.map { String(format: "%010d 00000 n \n", $0) }.joined()
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(out.utf8)
    }

    @Test("A PDF gets a first-page PNG when pdftoppm is installed, none otherwise; a broken PDF still uploads")
    func pdf() async throws {
        let t = try await TestRepository(maxUploadBytes: 32 << 20)
        defer { t.cleanup() }
        let installed = FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftoppm")
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let pid = try await PreviewTests().material(client, token: token, kind: "document", file: Self.pdf("Phan so"), name: "bai.pdf")
            let version = try await client.json(.get, "/api/v1/materials/\(pid)/versions/1", token: token).body
            let image = try await client.execute(uri: "/api/v1/materials/\(pid)/versions/1/thumbnail", method: .get) { $0 }
            if installed {
                #expect(version["thumbnail"] is String)
                #expect(image.status == .ok && image.headers[.contentType] == "image/png")
                #expect(Data(buffer: image.body).starts(with: [0x89, 0x50, 0x4E, 0x47]))
            } else {
                #expect(version["thumbnail"] == nil && image.status == .notFound)
            }
            let broken = try await PreviewTests().material(client, token: token, kind: "document", file: Data("%PDF-1.4\n garbage".utf8), name: "hong.pdf")
            #expect(try await client.execute(uri: "/api/v1/materials/\(broken)/versions/1/thumbnail", method: .get) { $0.status } == .notFound)
            #expect(t.blobCount == (installed ? 3 : 2), "file blobs plus one thumbnail, nothing orphaned")
        }
    }
}
