import Foundation
import HTTPTypes
import HoclieuApp
import HoclieuCore
import HoclieuServer
import HoclieuStorage
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import Synchronization
import Testing

/// What was logged.
final class LogLines: Sendable {
    let lines = Mutex<[(Logger.Level, String)]>([])
}

/// Keeps what is logged, to check what an operator sees at start.
struct CollectingLogHandler: LogHandler {
    let box: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    init(_ box: LogLines) { self.box = box }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        box.lines.withLock { $0.append((level, message.description)) }
    }
}

/// The CASE 1.0 REST binding as consumers (OpenSALT, OpenCASE, CASS) read it, over HTTP.
@Suite("CASE 1.0 binding as consumers read it")
struct CASEBindingTests {
    static let base = "/ims/case/v1p0"

    /// A repository with the two-framework test catalogue, published at `publicBase`.
    static func withProvider(_ publicBase: String?, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let t = try await TestRepository(publicBaseURL: publicBase)
        defer { t.cleanup() }
        _ = try await t.repository.loadCatalog(from: try CatalogAPITests.folder(toan: CatalogAPITests.toan))
        try await t.application.test(.router) { client in try await body(client) }
    }

    static func get(_ client: some TestClientProtocol, _ uri: String, headers: HTTPFields = [:]) async throws -> (HTTPResponse.Status, [String: Any], HTTPFields) {
        try await client.execute(uri: uri, method: .get, headers: headers) { response in
            (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:], response.headers)
        }
    }

    static func codeMinor(_ body: [String: Any]) -> String? {
        ((body["imsx_codeMinor"] as? [String: Any])?["imsx_codeMinorField"] as? [[String: String]])?.first?["imsx_codeMinorFieldValue"]
    }

    // MARK: 5. The base URL every uri comes from

    /// Bases consumers cannot use (nil: the default `http://{host}:{port}` of a test, 127.0.0.1).
    static let unusableBases: [String?] = [
        nil, "http://0.0.0.0:8080", "http://localhost:8080", "http://[::1]:8080", "hoclieu.example.vn", "ftp://hoclieu.example.vn",
        "https://hoc_lieu.example.vn", "https://học-liệu.vn",
    ]

    @Test("A loopback, 0.0.0.0, non-http(s) or non-ASCII base: every CASE request answers 503 with the reason", arguments: unusableBases)
    func unusableBase(_ publicBase: String?) async throws {
        try await Self.withProvider(publicBase) { client in
            let toanID = CatalogIdentifiers.uuid(for: "TOAN").uuidString.lowercased()
            for path in ["CFDocuments", "CFPackages/\(toanID)", "CFDocuments/\(toanID)"] {
                let (status, body, headers) = try await Self.get(client, "\(Self.base)/\(path)")
                #expect(status == .serviceUnavailable, "\(path)")
                #expect(body["imsx_codeMajor"] as? String == "failure")
                #expect((body["imsx_description"] as? String)?.contains("HOCLIEU_PUBLIC_URL") == true || publicBase?.contains("_") == true
                    || publicBase?.contains("ọ") == true, "\(body)")
                #expect(headers[.accessControlAllowOrigin] == "*")
                #expect(body["CFDocuments"] == nil && body["CFItems"] == nil)
            }
        }
    }

    @Test("A public http(s) base with an ASCII (or punycode) host is served, and every uri starts with it",
          arguments: ["https://hoclieu.example.vn", "http://10.20.30.40:8080", "https://xn--hc-liu-k7a.vn"])
    func usableBase(_ publicBase: String) async throws {
        try await Self.withProvider(publicBase) { client in
            let toanID = CatalogIdentifiers.uuid(for: "TOAN").uuidString.lowercased()
            let (status, package, _) = try await Self.get(client, "\(Self.base)/CFPackages/\(toanID)")
            #expect(status == .ok)
            let items = try #require(package["CFItems"] as? [[String: Any]])
            #expect(!items.isEmpty && items.allSatisfy { ($0["uri"] as? String)?.hasPrefix(publicBase + Self.base + "/") == true })
        }
    }

    // MARK: 6. Error codes

    @Test("A malformed id is 404 unknownobject (binding table 2.4); a sort on an unknown field keeps the default order (§3.2)")
    func errorCodes() async throws {
        try await Self.withProvider("https://hoclieu.example.vn") { client in
            for path in ["CFItems/not-a-uuid", "CFPackages/123", "CFDocuments/ZZZ", "CFAssociations/00000000-0000-0000-0000-00000000000g"] {
                let (status, body, _) = try await Self.get(client, "\(Self.base)/\(path)")
                #expect(status == .notFound, "\(path)")
                #expect(Self.codeMinor(body) == "unknownobject", "\(path): \(body)")
            }
            let (defaultStatus, defaultList, _) = try await Self.get(client, "\(Self.base)/CFDocuments")
            #expect(defaultStatus == .ok)
            // The specification's own example.
            let (status, list, _) = try await Self.get(client, "\(Self.base)/CFDocuments?sort=subject&orderBy=asc")
            #expect(status == .ok)
            let titles = { (body: [String: Any]) in (body["CFDocuments"] as? [[String: Any]])?.compactMap { $0["title"] as? String } }
            #expect(titles(list) != nil && titles(list) == titles(defaultList))
            #expect(try await Self.get(client, "\(Self.base)/CFDocuments?sort=colour&orderBy=desc").0 == .ok)
        }
    }

    // MARK: 7. filter and the default order

    /// Subjects whose names sort differently in Vietnamese and in code points.
    static func subjectsFolder() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-case-subjects-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("frameworks"), withIntermediateDirectories: true)
        try Data(
            """
            code,name,name_en,grades,compulsory,source
            TOAN,Toán,Mathematics,1-12,1-12,CT_Toan_2018.pdf
            DL,Địa lí,Geography,10-12,,CT_Dia_li_2018.pdf
            TIN,Tin học,Informatics,3-12,3-9,CT_Tin_hoc_2018.pdf
            AN,Âm nhạc,Music,1-12,1-9,CT_Am_nhac_2018.pdf
            DD,Đạo đức,Ethics,1-5,1-5,CT_Dao_duc_2018.pdf
            CN,Công nghệ,Technology,3-12,3-9,CT_Cong_nghe_2018.pdf
            LS,Lịch sử,History,10-12,10-12,CT_Lich_su_2018.pdf

            """.utf8
        ).write(to: root.appendingPathComponent("subjects.csv"))
        try Data(("code,parent,type,grade,statement,statement_en,associations,status\n" + CatalogAPITests.toan).utf8)
            .write(to: root.appendingPathComponent("frameworks/TOAN.csv"))
        return root
    }

    static func titles(_ body: [String: Any]) -> [String] {
        (body["CFDocuments"] as? [[String: Any]] ?? []).compactMap { ($0["title"] as? String)?.replacingOccurrences(of: "Chương trình GDPT 2018 – ", with: "") }
    }

    @Test("The default order is Vietnamese alphabetical; filter compares without case and can use subject and sourcedId")
    func filterAndOrder() async throws {
        let t = try await TestRepository(publicBaseURL: "https://hoclieu.example.vn")
        defer { t.cleanup() }
        _ = try await t.repository.loadCatalog(from: try Self.subjectsFolder())
        try await t.application.test(.router) { client in
            let (status, all, _) = try await Self.get(client, "\(Self.base)/CFDocuments")
            #expect(status == .ok)
            #expect(Self.titles(all) == ["Âm nhạc", "Công nghệ", "Đạo đức", "Địa lí", "Lịch sử", "Tin học", "Toán"])
            let descending = try await Self.get(client, "\(Self.base)/CFDocuments?sort=title&orderBy=desc")
            #expect(Self.titles(descending.1) == ["Toán", "Tin học", "Lịch sử", "Địa lí", "Đạo đức", "Công nghệ", "Âm nhạc"])

            let upper = try await Self.get(client, "\(Self.base)/CFDocuments?filter=language%3D'VI'")
            #expect(upper.0 == .ok && Self.titles(upper.1).count == 7, "\(upper.1)")
            let subject = try await Self.get(client, "\(Self.base)/CFDocuments?filter=subject%3D'TOÁN'")
            #expect(subject.0 == .ok && Self.titles(subject.1) == ["Toán"], "\(subject.1)")
            let contains = try await Self.get(client, "\(Self.base)/CFDocuments?filter=subject~'ĐẠO'%20OR%20subject~'âm'")
            #expect(Self.titles(contains.1) == ["Âm nhạc", "Đạo đức"], "\(contains.1)")
            let tinID = CatalogIdentifiers.uuid(for: "TIN").uuidString.uppercased()
            let byID = try await Self.get(client, "\(Self.base)/CFDocuments?filter=sourcedId%3D'\(tinID)'")
            #expect(byID.0 == .ok && Self.titles(byID.1) == ["Tin học"], "\(byID.1)")
        }
    }

    // MARK: 8. fields and paging links

    @Test("fields selects the keys of each document; a blank or unknown fields= is invalid_selection_field")
    func fieldsSelection() async throws {
        try await Self.withProvider("https://hoclieu.example.vn") { client in
            let (status, body, _) = try await Self.get(client, "\(Self.base)/CFDocuments?fields=identifier,title")
            #expect(status == .ok)
            let documents = try #require(body["CFDocuments"] as? [[String: Any]])
            #expect(documents.count == 2 && documents.allSatisfy { Set($0.keys) == ["identifier", "title"] }, "\(documents)")
            let withID = try await Self.get(client, "\(Self.base)/CFDocuments?fields=sourcedId")
            #expect((withID.1["CFDocuments"] as? [[String: Any]])?.allSatisfy { Set($0.keys) == ["sourcedId"] } == true)
            for bad in ["fields=", "fields=%20", "fields=colour", "fields=title,,colour"] {
                let (badStatus, badBody, _) = try await Self.get(client, "\(Self.base)/CFDocuments?\(bad)")
                #expect(badStatus == .badRequest, "\(bad)")
                #expect(Self.codeMinor(badBody) == "invalid_selection_field", "\(bad): \(badBody)")
            }
        }
    }

    @Test("A page that is not the last has a Link rel=\"next\" to the following one (other parameters kept); the last has none")
    func pagingLinks() async throws {
        let t = try await TestRepository(publicBaseURL: "https://hoclieu.example.vn")
        defer { t.cleanup() }
        _ = try await t.repository.loadCatalog(from: try Self.subjectsFolder())
        try await t.application.test(.router) { client in
            let (_, first, headers) = try await Self.get(client, "\(Self.base)/CFDocuments?sort=title&limit=3")
            #expect(Self.titles(first) == ["Âm nhạc", "Công nghệ", "Đạo đức"])
            let link = try #require(headers[HTTPField.Name("Link")!])
            let next = "<https://hoclieu.example.vn\(Self.base)/CFDocuments?sort=title&limit=3&offset=3>; rel=\"next\""
            #expect(link.contains(next), "\(link)")
            #expect(link.contains("offset=6>; rel=\"last\""), "\(link)")
            let (_, second, secondHeaders) = try await Self.get(client, "\(Self.base)/CFDocuments?sort=title&limit=3&offset=3")
            #expect(Self.titles(second) == ["Địa lí", "Lịch sử", "Tin học"])
            #expect(secondHeaders[HTTPField.Name("Link")!]?.contains("offset=0>; rel=\"prev\"") == true)
            let (_, last, lastHeaders) = try await Self.get(client, "\(Self.base)/CFDocuments?sort=title&limit=3&offset=6")
            #expect(Self.titles(last) == ["Toán"])
            #expect(lastHeaders[HTTPField.Name("Link")!]?.contains("rel=\"next\"") == false)
            let (_, _, whole) = try await Self.get(client, "\(Self.base)/CFDocuments")
            #expect(whole[HTTPField.Name("Link")!] == nil, "one page: no links")
            let (hugeStatus, _, hugeHeaders) = try await Self.get(client, "\(Self.base)/CFDocuments?limit=9223372036854775807&offset=9223372036854775807")
            #expect(hugeStatus == .ok && hugeHeaders[HTTPField.Name("Link")!]?.contains("rel=\"next\"") == false)
        }
    }

    // MARK: 9. Rubrics, item types, CORS

    @Test("/CFRubrics/{id} is a CASE endpoint: an imsx_StatusInfo body (404 unknownobject), not problem details")
    func rubrics() async throws {
        try await Self.withProvider("https://hoclieu.example.vn") { client in
            let uri = "\(Self.base)/CFRubrics/\(UUID().uuidString.lowercased())"
            let (status, body, headers) = try await Self.get(client, uri)
            #expect(status == .notFound)
            #expect(headers[.contentType] == "application/json")
            #expect(body["imsx_codeMajor"] as? String == "failure" && Self.codeMinor(body) == "unknownobject", "\(body)")
            #expect(headers[.accessControlAllowOrigin] == "*")
        }
    }

    @Test("Item types are titled in Vietnamese and English (Yêu cầu cần đạt / Learning outcome), on the type and on each item")
    func itemTypeTitles() async throws {
        try await Self.withProvider("https://hoclieu.example.vn") { client in
            let toanID = CatalogIdentifiers.uuid(for: "TOAN").uuidString.lowercased()
            let (_, package, _) = try await Self.get(client, "\(Self.base)/CFPackages/\(toanID)")
            let types = try #require((package["CFDefinitions"] as? [String: Any])?["CFItemTypes"] as? [[String: Any]])
            #expect(types.contains { $0["title"] as? String == "Yêu cầu cần đạt / Learning outcome" }, "\(types)")
            #expect(types.allSatisfy { ($0["title"] as? String)?.contains(" / ") == true })
            let items = try #require(package["CFItems"] as? [[String: Any]])
            let outcome = try #require(items.first { $0["humanCodingScheme"] as? String == "TOAN.6.SD.2.2" })
            #expect(outcome["CFItemType"] as? String == "Yêu cầu cần đạt / Learning outcome")
            #expect((outcome["CFItemTypeURI"] as? [String: Any])?["title"] as? String == "Yêu cầu cần đạt / Learning outcome")
        }
    }

    @Test("CORS preflight for a browser client sending Authorization; GET answers expose ETag, Link and X-Total-Count")
    func corsPreflight() async throws {
        try await Self.withProvider("https://hoclieu.example.vn") { client in
            let toanID = CatalogIdentifiers.uuid(for: "TOAN").uuidString.lowercased()
            let headers: HTTPFields = [
                .origin: "https://lms.example.edu.vn", .accessControlRequestMethod: "GET", .accessControlRequestHeaders: "authorization, if-none-match",
            ]
            let (status, answer) = try await client.execute(uri: "\(Self.base)/CFPackages/\(toanID)", method: .options, headers: headers) {
                ($0.status, $0.headers)
            }
            #expect(status == .noContent)
            #expect(answer[.accessControlAllowOrigin] == "*")
            #expect(answer[.accessControlAllowMethods]?.contains("GET") == true)
            #expect(answer[.accessControlAllowHeaders]?.lowercased().contains("authorization") == true, "\(answer)")
            #expect(answer[.accessControlMaxAge] != nil)
            let (_, _, get) = try await Self.get(client, "\(Self.base)/CFDocuments")
            #expect(get[.accessControlExposeHeaders]?.contains("Link") == true)
        }
    }

    @Test("A catalogue change made outside the service (another process, another node) shows without a restart; deprecated units get statusEndDate and replacedBy")
    func rebuiltOnChange() async throws {
        let t = try await TestRepository(publicBaseURL: "https://hoclieu.example.vn")
        defer { t.cleanup() }
        _ = try await t.repository.loadCatalog(from: try CatalogAPITests.folder(toan: CatalogAPITests.toan))
        try await t.application.test(.router) { client in
            let toanID = CatalogIdentifiers.uuid(for: "TOAN").uuidString.lowercased()
            let changedID = CatalogIdentifiers.uuid(for: "TOAN.6.SD.2.2").uuidString.lowercased()
            let oldID = CatalogIdentifiers.uuid(for: "TOAN.6.SD.2.1").uuidString.lowercased()
            let (_, before, beforeHeaders) = try await Self.get(client, "\(Self.base)/CFItems/\(changedID)")
            #expect(before["fullStatement"] as? String == "So sánh được hai phân số cho trước.")
            #expect((try await Self.get(client, "\(Self.base)/CFItems/\(oldID)")).1["statusEndDate"] == nil)

            // What `hoclieu catalog import` does to the same database: a revised statement, a unit replaced.
            let edited = CatalogAPITests.toan
                .replacingOccurrences(of: "So sánh được hai phân số cho trước.", with: "So sánh được hai phân số bất kì.")
                .replacingOccurrences(
                    of: "TOAN.6.SD.2.1,TOAN.6.SD.2,outcome,6,Nhận biết được phân số với tử số hoặc mẫu số là số nguyên âm.,,,",
                    with: "TOAN.6.SD.2.1,TOAN.6.SD.2,outcome,6,Nhận biết được phân số với tử số hoặc mẫu số là số nguyên âm.,,replacedBy:TOAN.6.SD.2.3,deprecated\n"
                        + "TOAN.6.SD.2.3,TOAN.6.SD.2,outcome,6,Nhận biết được phân số âm.,,,")
            let report = try await t.repository.loadCatalog(from: try CatalogAPITests.folder(toan: edited))
            #expect(report.revised >= 1 && report.added == 1, "\(report)")
            try await Task.sleep(for: .milliseconds(1200))

            let (_, after, afterHeaders) = try await Self.get(client, "\(Self.base)/CFItems/\(changedID)")
            #expect(after["fullStatement"] as? String == "So sánh được hai phân số bất kì.")
            #expect(afterHeaders[.eTag] != beforeHeaders[.eTag])
            let (_, old, _) = try await Self.get(client, "\(Self.base)/CFItems/\(oldID)")
            let end = try #require(old["statusEndDate"] as? String)
            #expect(end.range(of: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", options: .regularExpression) != nil, "\(end)")
            let (_, package, _) = try await Self.get(client, "\(Self.base)/CFPackages/\(toanID)")
            let associations = try #require(package["CFAssociations"] as? [[String: Any]])
            let newID = CatalogIdentifiers.uuid(for: "TOAN.6.SD.2.3").uuidString.lowercased()
            #expect(associations.contains { association in
                association["associationType"] as? String == "replacedBy"
                    && (association["originNodeURI"] as? [String: Any])?["identifier"] as? String == oldID
                    && (association["destinationNodeURI"] as? [String: Any])?["identifier"] as? String == newID
            })
        }
    }

    @Test("A client that accepts gzip gets the package gzipped (its own ETag, If-None-Match honoured); others get it as is")
    func gzipPackage() async throws {
        try await Self.withProvider("https://hoclieu.example.vn") { client in
            let uri = "\(Self.base)/CFPackages/\(CatalogIdentifiers.uuid(for: "TOAN").uuidString.lowercased())"
            let (plain, plainHeaders) = try await client.execute(uri: uri, method: .get) { (Data(buffer: $0.body), $0.headers) }
            #expect(plainHeaders[.contentEncoding] == nil)
            let (gzipped, headers) = try await client.execute(uri: uri, method: .get, headers: [.acceptEncoding: "br;q=1.0, gzip;q=0.8"]) {
                (Data(buffer: $0.body), $0.headers)
            }
            #expect(headers[.contentEncoding] == "gzip")
            #expect(headers[.vary]?.contains("Accept-Encoding") == true)
            #expect(gzipped.count < plain.count / 3, "\(gzipped.count) of \(plain.count) bytes")
            #expect(headers[.eTag] != plainHeaders[.eTag])
            // Decompressed by gzip itself, it is the same JSON.
            let (unpacked, gunzipStatus) = try gunzipWithGzip(gzipped)
            #expect(gunzipStatus == 0 && unpacked == plain)
            let etag = try #require(headers[.eTag])
            let again = try await client.execute(uri: uri, method: .get, headers: [.acceptEncoding: "gzip", .ifNoneMatch: etag]) { $0.status }
            #expect(again == .notModified)
            let refused = try await client.execute(uri: uri, method: .get, headers: [.acceptEncoding: "gzip;q=0"]) { $0.headers[.contentEncoding] }
            #expect(refused == nil)
        }
    }

    @Test("Start-up: an unusable base is a warning naming the reason; a usable one is not")
    func startupWarning() async throws {
        for (base, warns) in [(nil, true), ("http://0.0.0.0:8080", true), ("https://hoclieu.example.vn", false)] as [(String?, Bool)] {
            let t = try await TestRepository(publicBaseURL: base)
            defer { t.cleanup() }
            let box = LogLines()
            _ = buildRouter(t.repository, logger: Logger(label: "test") { _ in CollectingLogHandler(box) })
            let warnings = box.lines.withLock { $0 }.filter { $0.0 == .warning && $0.1.contains("CASE") }
            #expect(warnings.isEmpty != warns, "\(base ?? "default"): \(warnings)")
            if warns { #expect(warnings.first?.1.contains("HOCLIEU_PUBLIC_URL") == true) }
        }
    }
}
