import ConformanceCorpus
import Foundation
import HTTPTypes
import HoclieuCore
@testable import HoclieuServer
@testable import HoclieuApp
import HoclieuStorage
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

@Suite("Previews on the content origin")
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

    /// The content origin's address in tests (the default: main port + 1).
    static let contentBase = "http://127.0.0.1:1"

    /// The path on the content origin of an absolute content-origin address.
    static func contentPath(_ url: String) throws -> String {
        try #require(url.hasPrefix(contentBase + "/"), "\(url)")
        return String(url.dropFirst(contentBase.count))
    }

    /// The content origin's headers: strict, no sandbox, no cookie.
    static func expectContentHeaders(_ response: Fetched, _ comment: Comment? = nil) {
        let csp = response.headers[HTTPField.Name("Content-Security-Policy")!] ?? ""
        #expect(csp == ContentOrigin.contentSecurityPolicy, comment)
        #expect(!csp.contains("sandbox") && csp.contains("connect-src 'self'") && csp.contains("frame-src 'self'"), comment)
        #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff", comment)
        #expect(response.headers[HTTPField.Name("Cross-Origin-Resource-Policy")!] == "same-origin", comment)
        #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer", comment)
        #expect(response.headers[.setCookie] == nil, comment)
    }

    @Test("A SCORM 1.2 package: the main origin redirects; the content origin plays it with the run-time in the player", .needsCorpus)
    func scorm() async throws {
        let t = try await TestRepository(maxUploadBytes: 32 << 20)
        defer { t.cleanup() }
        let zip = try Data(contentsOf: PackageUploadTests.corpus.appendingPathComponent("scorm/scorm12/rustici_RuntimeMinimumCalls_SCORM12.zip"))
        try await t.application.test(.router) { client in
            try await t.contentApplication.test(.router) { content in
                let token = try await client.login("admin", TestRepository.adminPassword)
                let pid = try await material(client, token: token, kind: "lesson", file: zip, name: "golf.zip")

                // The main origin never serves package bytes: it sends the browser to the content origin.
                let redirect = try await fetch(client, "/preview/\(pid)@v1/Playing/Playing.html?x=1")
                #expect(redirect.status == .found)
                #expect(redirect.headers[.location] == "\(Self.contentBase)/preview/\(pid)@v1/Playing/Playing.html?x=1")
                #expect(try await fetch(client, "/preview/\(pid)@v1").headers[.location] == "\(Self.contentBase)/preview/\(pid)@v1/")

                let bare = try await fetch(content, "/preview/\(pid)@v1")
                #expect(bare.status == .movedPermanently && bare.headers[.location] == "/preview/\(pid)@v1/")
                let player = try await fetch(content, "/preview/\(pid)@v1/", headers: [.cookie: "session=stolen"])
                #expect(player.status == .ok)
                Self.expectContentHeaders(player)
                #expect(player.text.contains("Golf Explained - Minimum Run-time Calls"))
                #expect(player.text.contains(#""href":"Playing\/Playing.html""#) || player.text.contains(#""href":"Playing/Playing.html""#))
                #expect(player.text.contains("function hoclieuScormRuntime(version, post)"))

                // Package pages are sent as stored: the run-time lives in the player, found through `parent`.
                let page = try await fetch(content, "/preview/\(pid)@v1/Playing/Playing.html")
                #expect(page.status == .ok && page.headers[.contentType] == "text/html")
                Self.expectContentHeaders(page)
                #expect(!page.text.contains("hoclieuScormRuntime"))

                let image = try await fetch(content, "/preview/\(pid)@v1/Playing/playing.jpg")
                #expect(image.status == .ok && image.headers[.contentType] == "image/jpeg" && image.body.starts(with: [0xFF, 0xD8]))
                let etag = try #require(image.headers[.eTag])
                #expect(try await fetch(content, "/preview/\(pid)@v1/Playing/playing.jpg", headers: [.ifNoneMatch: etag]).status == .notModified)
                let part = try await fetch(content, "/preview/\(pid)@v1/Playing/playing.jpg", headers: [.range: "bytes=100-199"])
                #expect(part.status == .partialContent && part.body == image.body.subdata(in: 100..<200))
                #expect(part.headers[.contentRange] == "bytes 100-199/\(image.body.count)")
                let beyond = try await fetch(content, "/preview/\(pid)@v1/Playing/playing.jpg", headers: [.range: "bytes=999999999-"])
                #expect(beyond.status == .rangeNotSatisfiable && beyond.headers[.contentRange] == "bytes */\(image.body.count)")
                let huge = try await fetch(content, "/preview/\(pid)@v1/Playing/playing.jpg", headers: [.range: "bytes=0-18446744073709551615"])
                #expect([.ok, .partialContent].contains(huge.status))

                let head = try await content.execute(uri: "/preview/\(pid)@v1/Playing/playing.jpg", method: .head) { $0 }
                #expect(head.status == .ok && head.body.readableBytes == 0 && head.headers[.contentLength] == String(image.body.count))

                // Errors carry the same headers; the content origin has no API and no UI.
                let missing = try await fetch(content, "/preview/\(pid)@v1/nothing/here.html")
                #expect(missing.status == .notFound)
                Self.expectContentHeaders(missing)
                #expect(try await fetch(content, "/preview/\(pid)@v1/%2E%2E/%2E%2E/etc/passwd").status == .notFound)
                #expect(try await fetch(content, "/preview/\(pid)@v9/").status == .notFound)
                #expect(try await fetch(content, "/preview/\(pid)/").status == .badRequest)
                for path in ["/api/v1/me", "/api/v1/materials", "/id/\(pid)", "/", "/health", "/api/v1/openapi.json"] {
                    let answer = try await fetch(content, path, headers: [.authorization: "Bearer \(token)"])
                    #expect(answer.status == .notFound, "\(path)")
                    Self.expectContentHeaders(answer, "\(path)")
                }
                let login = try await content.execute(uri: "/api/v1/auth/login", method: .post, body: ByteBuffer(string: #"{"username":"admin","password":"x"}"#)) { $0.status }
                #expect(login == .notFound || login == .methodNotAllowed)
            }
        }
    }

    @Test("A draft plays only through a signed path for its viewer; expired, forged and other-version signatures are refused", .needsCorpus)
    func signed() async throws {
        let t = try await TestRepository(maxUploadBytes: 32 << 20)
        defer { t.cleanup() }
        try await t.addUser("teacher1", roles: [.teacher])
        try await t.addUser("teacher2", roles: [.teacher])
        let zip = try Data(contentsOf: PackageUploadTests.corpus.appendingPathComponent("scorm/scorm12/rustici_singlescobasic.zip"))
        try await t.application.test(.router) { client in
            try await t.contentApplication.test(.router) { content in
                let token = try await client.login("teacher1", "password-teacher1")
                let other = try await client.login("teacher2", "password-teacher2")
                let pid = try await material(client, token: token, kind: "lesson", file: zip, name: "golf.zip", draft: true)
                #expect(try await fetch(content, "/preview/\(pid)@v1/").status == .notFound)
                #expect(try await fetch(client, "/preview/\(pid)@v1/").status == .notFound)
                #expect(try await fetch(client, "/preview/\(pid)@v1/", headers: [.authorization: "Bearer \(other)"]).status == .notFound)

                let (status, issued, _) = try await client.json(.post, "/api/v1/materials/\(pid)/versions/1/preview", token: token)
                #expect(status == .ok)
                let url = try #require(issued["url"] as? String)
                let path = try Self.contentPath(url)
                #expect(path.hasPrefix("/preview/\(pid)@v1~") && issued["expires"] != nil)
                let player = try await fetch(content, path)
                #expect(player.status == .ok && player.text.contains("Golf Explained"))
                Self.expectContentHeaders(player)
                let entry = try await fetch(content, path + "shared/launchpage.html")
                #expect(entry.status == .ok && entry.headers[.cacheControl]?.hasPrefix("private") == true)

                // The owner opening the main-origin preview with their token is sent to a signed path too.
                let redirected = try await fetch(client, "/preview/\(pid)@v1/shared/launchpage.html", headers: [.authorization: "Bearer \(token)"])
                #expect(redirected.status == .found)
                let location = try Self.contentPath(try #require(redirected.headers[.location]))
                #expect(location.hasPrefix("/preview/\(pid)@v1~") && location.hasSuffix("/shared/launchpage.html"))
                #expect(try await fetch(content, location).status == .ok)

                let reference = String(path.dropFirst("/preview/".count).dropLast())
                let parts = reference.split(separator: "~").map(String.init)
                #expect(parts.count == 4)
                let tampered = ["\(pid)@v2", parts[1], parts[2], parts[3]].joined(separator: "~")
                #expect(try await fetch(content, "/preview/\(tampered)/").status == .badRequest)
                let otherViewer = [parts[0], parts[1], "1", parts[3]].joined(separator: "~")
                #expect(try await fetch(content, "/preview/\(otherViewer)/").status == .badRequest)
                let forged = [parts[0], parts[1], parts[2], "AAAAAAAAAAAAAAAAAAAAAA"].joined(separator: "~")
                #expect(try await fetch(content, "/preview/\(forged)/").status == .badRequest)
                let longer = [parts[0], String(Int(parts[1])! + 3600), parts[2], parts[3]].joined(separator: "~")
                #expect(try await fetch(content, "/preview/\(longer)/").status == .badRequest)

                // Expired: signed correctly, an hour ago.
                let material = try #require(try await t.repository.store.material(try PersistentIdentifier(parsing: pid)))
                let viewer = Int64(parts[2])!
                let expired = PreviewController.signedReference(
                    material.pid, version: 1, expires: Date().addingTimeInterval(-3600), viewer: viewer, key: t.repository.signingKey)
                let refused = try await fetch(content, "/preview/\(expired)/")
                #expect(refused.status == .forbidden && refused.text.contains("preview-expired"))
                Self.expectContentHeaders(refused)
                // Signed for another teacher, who may not see the draft: refused on use.
                let teacher2 = try #require(try await t.repository.store.credentials(username: "teacher2")?.user.id)
                let notTheirs = PreviewController.signedReference(
                    material.pid, version: 1, expires: Date().addingTimeInterval(600), viewer: teacher2, key: t.repository.signingKey)
                #expect(try await fetch(content, "/preview/\(notTheirs)/").status == .notFound)
                #expect(try await client.json(.post, "/api/v1/materials/\(pid)/versions/1/preview").status == .notFound)
            }
        }
    }

    @Test("Plain files play inline with byte ranges; H5P plays; all from the content origin", .needsCorpus)
    func otherKinds() async throws {
        let t = try await TestRepository(maxUploadBytes: 32 << 20)
        defer { t.cleanup() }
        let video = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let h5p = try Data(contentsOf: PackageUploadTests.corpus.appendingPathComponent("h5p/lumi/H5P.DragText.h5p"))
        try await t.application.test(.router) { client in
            try await t.contentApplication.test(.router) { content in
                let token = try await client.login("admin", TestRepository.adminPassword)
                let clip = try await material(client, token: token, kind: "video", file: video, name: "clip.mp4")
                let whole = try await fetch(content, "/preview/\(clip)@v1/")
                #expect(whole.status == .ok && whole.body == video && whole.headers[.contentType] == "video/mp4")
                Self.expectContentHeaders(whole)
                let part = try await fetch(content, "/preview/\(clip)@v1/", headers: [.range: "bytes=50000-50009"])
                #expect(part.status == .partialContent && part.body == video.subdata(in: 50_000..<50_010))

                let drag = try await material(client, token: token, kind: "simulation", file: h5p, name: "drag.h5p")
                let summary = try await fetch(content, "/preview/\(drag)@v1/")
                #expect(summary.status == .ok && summary.text.contains("Drag the Words") && summary.text.contains("H5P.DragText"))
                #expect(summary.text.contains(#"<script src="H5P.DragText-1.8/dist/h5p-drag-text.js"></script>"#), "\(summary.text)")
                Self.expectContentHeaders(summary)
                let json = try await fetch(content, "/preview/\(drag)@v1/content/content.json")
                #expect(json.headers[.contentType] == "application/json" && json.body.first == UInt8(ascii: "{"))
            }
        }
    }

    @Test("The material page: escaped metadata, Open Graph, JSON alternate, the player from the content origin")
    func materialPage() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.application.test(.router) { client in
            let token = try await client.login("admin", TestRepository.adminPassword)
            let pid = try await client.createMaterial(
                token: token,
                #"{"kind":"lesson","title":"Phân số <script>alert(1)</script>","description":"Mô tả \"trích\" & <b>đậm</b>","subjects":["TOAN"],"grades":[6],"licence":"CC-BY-SA-4.0","authors":["Nguyễn Văn A"],"school":"THCS Lê Lợi"}"#)
            let status = try await client.execute(
                uri: "/api/v1/materials/\(pid)/versions?filename=bai.pdf", method: .post, headers: [.authorization: "Bearer \(token)"],
                body: ByteBuffer(string: "%PDF-1.4 not really")
            ) { $0.status }
            #expect(status == .created)
            #expect(try await client.json(.patch, "/api/v1/materials/\(pid)", token: token, body: #"{"status":"published","reason":"kiểm thử"}"#).status == .ok)

            let page = try await fetch(client, "/id/\(pid)", headers: [.accept: "text/html,application/xhtml+xml"])
            #expect(page.status == .ok && page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(!page.text.contains("<script>alert(1)") && page.text.contains("Phân số &lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!page.text.contains("<b>đậm</b>"))
            #expect(page.text.contains(#"<link rel="alternate" type="application/json" href="/id/\#(pid)">"#))
            #expect(page.text.contains(#"<meta property="og:title" content="Phân số &lt;script&gt;"#))
            #expect(page.text.contains(#"src="\#(Self.contentBase)/preview/\#(pid)@v1/""#))
            #expect(page.text.contains("https://creativecommons.org/licenses/by-sa/4.0/"))
            #expect(page.text.contains("THCS Lê Lợi") && page.text.contains("id=\"copy-pid\"") && page.text.contains("Trích dẫn / Cite"))
            #expect(page.text.contains(#"name="viewport""#))
            // Use in my LMS: cartridges for Moodle and Canvas (an export job through the access policy), the LTI tool's
            // addresses, the share link; statements from the player are accepted from the content origin only.
            #expect(page.text.contains(#"data-format="cc1.1" data-target="moodle""#) && page.text.contains(#"data-format="cc1.3" data-target="canvas""#))
            let base = t.repository.configuration.publicBaseURL
            for path in ["/lti/login", "/lti/launch", "/lti/jwks"] { #expect(page.text.contains("<code>\(base)\(path)</code>"), "\(path)") }
            #expect(page.text.contains(#"<p class="pid" id="share-url"><a href="/id/\#(pid)">\#(base)/id/\#(pid)</a></p>"#))
            #expect(page.text.contains(#"var contentOrigin = "\#(Self.contentBase)""#) && page.text.contains("event.origin !== contentOrigin"))
            let json = try await client.json(.get, "/id/\(pid)")
            #expect(json.status == .ok && (json.body["links"] as? [String: String])?["player"] == "\(Self.contentBase)/preview/\(pid)@v1/")
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
