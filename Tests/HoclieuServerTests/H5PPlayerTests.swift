import ContentPackages
import Foundation
import HTTPTypes
import HoclieuServer
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import Testing

/// The H5P player on the content origin, through HTTP, with packages written here (no corpus needed):
/// the page loads our run-time, then the package's libraries in dependency order, then starts the main
/// library with the content; a package that lacks a library says which instead; the run-time's files
/// come from the content origin with its headers.
@Suite("H5P player")
struct H5PPlayerTests {
    /// The repository's `Public/` (Tests/HoclieuServerTests/… → repository root).
    static let publicFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Public")

    /// An H5P package: `H5P.Hello 1.0` (its script and style) needing `Util.Base 1.2`, unless `withBase` is false.
    static func package(content: String = #"{"text":"Xin chào"}"#, withBase: Bool = true) -> Data {
        let h5p = #"""
            {"title":"Chào H5P","mainLibrary":"H5P.Hello","language":"vi","embedTypes":["div"],
             "preloadedDependencies":[{"machineName":"H5P.Hello","majorVersion":1,"minorVersion":0},
                                      {"machineName":"Util.Base","majorVersion":"1","minorVersion":"2"}]}
            """#
        let hello = #"""
            {"title":"Hello","machineName":"H5P.Hello","majorVersion":1,"minorVersion":0,"patchVersion":3,"runnable":1,
             "preloadedJs":[{"path":"hello.js"}],"preloadedCss":[{"path":"hello.css"}],
             "preloadedDependencies":[{"machineName":"Util.Base","majorVersion":1,"minorVersion":2}]}
            """#
        let base = #"""
            {"title":"Base","machineName":"Util.Base","majorVersion":1,"minorVersion":2,"patchVersion":0,"runnable":0,
             "preloadedJs":[{"path":"js/base.js"}]}
            """#
        var entries: [(String, Data)] = [
            ("h5p.json", Data(h5p.utf8)), ("content/content.json", Data(content.utf8)),
            ("H5P.Hello-1.0/library.json", Data(hello.utf8)),
            ("H5P.Hello-1.0/hello.js", Data("H5P.Hello = function (params) { this.attach = function ($c) { $c.text(params.text); }; };".utf8)),
            ("H5P.Hello-1.0/hello.css", Data(".hello{color:red}".utf8)),
        ]
        if withBase {
            entries += [("Util.Base-1.2/library.json", Data(base.utf8)), ("Util.Base-1.2/js/base.js", Data("window.UtilBase = 1;".utf8))]
        }
        return StoredZipWriter.archive(entries)
    }

    func upload(_ client: some TestClientProtocol, _ token: String, _ data: Data) async throws -> String {
        let pid = try await client.createMaterial(token: token, #"{"kind":"simulation","title":"H5P"}"#)
        let (status, report) = try await client.execute(
            uri: "/api/v1/materials/\(pid)/versions?filename=chao.h5p", method: .post, headers: [.authorization: "Bearer \(token)"],
            body: ByteBuffer(data: data)
        ) { ($0.status, String(buffer: $0.body)) }
        #expect(status == .created, "\(report)")
        #expect(try await client.json(.patch, "/api/v1/materials/\(pid)", token: token, body: #"{"status":"published","reason":"kiểm thử"}"#).status == .ok)
        return pid
    }

    func get(_ client: some TestClientProtocol, _ uri: String) async throws -> PreviewTests.Fetched {
        try await client.execute(uri: uri, method: .get) { PreviewTests.Fetched(status: $0.status, headers: $0.headers, body: Data(buffer: $0.body)) }
    }

    @Test("The player page: our run-time, then the libraries in dependency order, then the player; the content inlined safely")
    func playerPage() async throws {
        let t = try await TestRepository(publicBaseURL: "https://hoclieu.example.vn", publicDirectory: Self.publicFolder)
        defer { t.cleanup() }
        try await t.application.test(.router) { client in
            try await t.contentApplication.test(.router) { content in
                let token = try await client.login("admin", TestRepository.adminPassword)
                let pid = try await upload(client, token, Self.package(content: #"{"text":"</script><script>alert(1)</script>"}"#))
                let page = try await get(content, "/preview/\(pid)@v1/")
                #expect(page.status == .ok && page.headers[.contentType] == "text/html; charset=utf-8")
                PreviewTests.expectContentHeaders(page)
                let html = page.text
                let order = [
                    #"<link rel="stylesheet" href="/vendor/h5p/h5p-core.css">"#, #"<link rel="stylesheet" href="H5P.Hello-1.0/hello.css">"#,
                    #"<script src="/vendor/jquery/jquery.min.js"></script>"#, #"<script src="/vendor/h5p/h5p-runtime.js"></script>"#,
                    #"<script src="Util.Base-1.2/js/base.js"></script>"#, #"<script src="H5P.Hello-1.0/hello.js"></script>"#,
                    #"<script src="/vendor/h5p/h5p-player.js"></script>"#,
                ]
                let positions = order.map { html.range(of: $0)?.lowerBound }
                #expect(positions.allSatisfy { $0 != nil }, "\(html)")
                #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted(), "load order")
                // The content's own text cannot close the data block.
                #expect(!html.contains("</script><script>alert(1)"))
                let data = try #require(html.range(of: #"<script type="application/json" id="h5p-data">"#).flatMap { start in
                    html[start.upperBound...].range(of: "</script>").map { String(html[start.upperBound..<$0.lowerBound]) }
                })
                let object = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
                #expect(object["library"] as? String == "H5P.Hello 1.0")
                #expect(object["params"] as? String == #"{"text":"</script><script>alert(1)</script>"}"#)
                #expect(object["contentId"] as? String == "\(pid)@v1")
                // The xAPI activity is the version's permanent address; statements go to the main site only.
                #expect(object["url"] as? String == "https://hoclieu.example.vn/id/\(pid)@v1")
                #expect(object["embedOrigins"] as? [String] == ["https://hoclieu.example.vn", "http://127.0.0.1:0"])
                #expect(html.contains(#"data-h5p-state="loading""#) && html.contains("id=\"h5p-problem\""))
                #expect(!html.contains("h5p-missing"))
            }
        }
    }

    @Test("A package that lacks a library names it, in Vietnamese and English, and loads no run-time")
    func missingLibrary() async throws {
        let t = try await TestRepository(publicDirectory: Self.publicFolder)
        defer { t.cleanup() }
        try await t.application.test(.router) { client in
            try await t.contentApplication.test(.router) { content in
                let token = try await client.login("admin", TestRepository.adminPassword)
                let pid = try await upload(client, token, Self.package(withBase: false))
                let page = try await get(content, "/preview/\(pid)@v1/")
                #expect(page.status == .ok)
                PreviewTests.expectContentHeaders(page)
                #expect(page.text.contains(#"id="h5p-missing""#) && page.text.contains("<li>Util.Base 1.2</li>"))
                #expect(page.text.contains("Gói thiếu thư viện") && page.text.contains("The package lacks libraries"))
                #expect(!page.text.contains("h5p-runtime.js"))
            }
        }
    }

    @Test("The run-time's files come from the content origin with its headers; nothing else of Public/ does")
    func vendorFiles() async throws {
        let t = try await TestRepository(publicDirectory: Self.publicFolder)
        defer { t.cleanup() }
        try await t.contentApplication.test(.router) { content in
            for path in ["/vendor/h5p/h5p-runtime.js", "/vendor/h5p/h5p-player.js", "/vendor/jquery/jquery.min.js"] {
                let file = try await get(content, path)
                #expect(file.status == .ok && file.headers[.contentType]?.hasSuffix("javascript") == true, "\(path)")
                PreviewTests.expectContentHeaders(file, "\(path)")
            }
            let css = try await get(content, "/vendor/h5p/h5p-core.css")
            #expect(css.status == .ok && css.headers[.contentType]?.hasPrefix("text/css") == true)
            for path in ["/", "/index.html", "/js/app.js", "/vendor/../js/app.js", "/vendor/%2e%2e/js/app.js"] {
                let status = try await get(content, path).status
                #expect(status == .notFound || status == .badRequest, "\(path): \(status)")
            }
        }
    }

    @Test("The SCORM player posts its calls to the main site's origins, never to any page (\"*\")")
    func scormTargetOrigin() async throws {
        let t = try await TestRepository(publicBaseURL: "https://hoclieu.example.vn")
        defer { t.cleanup() }
        let manifest = #"""
            <?xml version="1.0"?><manifest identifier="M" version="1.0" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
              xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"><metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
              <organizations default="O"><organization identifier="O"><title>Bài</title><item identifier="I" identifierref="R"><title>Một</title></item></organization></organizations>
              <resources><resource identifier="R" type="webcontent" adlcp:scormtype="sco" href="index.html"><file href="index.html"/></resource></resources></manifest>
            """#
        let zip = StoredZipWriter.archive([("imsmanifest.xml", Data(manifest.utf8)), ("index.html", Data("<p>SCO</p>".utf8))])
        try await t.application.test(.router) { client in
            try await t.contentApplication.test(.router) { content in
                let token = try await client.login("admin", TestRepository.adminPassword)
                let pid = try await upload(client, token, zip)
                let page = try await get(content, "/preview/\(pid)@v1/")
                #expect(page.status == .ok && page.text.contains("hoclieuScormRuntime"))
                #expect(page.text.contains(#""embedOrigins":["https:\/\/hoclieu.example.vn","http:\/\/127.0.0.1:0"]"#), "\(page.text.prefix(3000))")
                #expect(!page.text.contains(#"postMessage({ hoclieuScorm: m }, "*")"#))
            }
        }
    }
}
