import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
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

@Suite("Administration over HTTP: harvest sources and runs, catalogue imports, backups, OAI-PMH activity of LMS clients")
struct AdministrationAPITests {
    /// Polls a job until it ends (the job service runs in the live application).
    func finished(_ client: some TestClientProtocol, token: String, _ path: String) async throws -> [String: Any] {
        for _ in 0..<600 {
            let job = try await client.json(.get, path, token: token).body
            if let status = job["status"] as? String, ["succeeded", "failed", "cancelled"].contains(status) { return job }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("job \(path) did not end")
        return [:]
    }

    @Test("Harvest sources: bad URLs are bilingual 400s; add, read, change, run now (a job harvesting this very server), last runs, delete; admins only")
    func harvestSources() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("gv.a", roles: [.teacher], school: "THCS A")
        try await t.application.test(.live) { client in
            let admin = try await client.login("admin", TestRepository.adminPassword)
            let teacher = try await client.login("gv.a", "password-gv.a")
            let port = try #require(client.port)
            // Two published public materials: what the server's own OAI-PMH provider offers.
            for title in ["Phân số", "Số nguyên"] {
                _ = try await client.createMaterial(
                    token: admin, #"{"kind":"link","url":"https://example.org/\#(title.count)","title":"\#(title)","status":"published","reason":"kiểm thử"}"#)
            }

            // Given bad input: refused with a bilingual problem, nothing registered.
            for body in [
                #"{"url":"ftp://example.org/oai"}"#, #"{"url":"javascript:alert(1)"}"#, #"{"url":"http://example.org/oai?verb=Identify"}"#,
                #"{"url":"http:///oai"}"#, #"{"url":"https://example.org/oai","every":"10s"}"#, #"{"url":"https://example.org/oai","prefix":"marc"}"#,
                #"{"url":"https://example.org/oai","every":"99999999999d"}"#, #"{"url":"https://example.org/oai","colour":"red"}"#,
            ] {
                let (status, problem, headers) = try await client.json(.post, "/api/v1/harvest/sources", token: admin, body: body)
                #expect(status == .badRequest, "\(body): \(status) \(problem)")
                #expect(headers[.contentType] == "application/problem+json")
                let messages = try #require(problem["messages"] as? [String: String], "\(problem)")
                #expect(messages["vi"]?.isEmpty == false && messages["en"]?.isEmpty == false)
            }
            #expect(try await t.repository.store.remoteRepositories().isEmpty)
            // What an untrusted source brings is submitted to the board, which needs its criteria.
            try await t.repository.loadCriteria(from: ReviewWorkflowTests.criteriaFolder)
            // Not for teachers; not for anonymous callers.
            #expect(try await client.json(.post, "/api/v1/harvest/sources", token: teacher, body: #"{"url":"https://example.org/oai"}"#).status == .forbidden)
            #expect(try await client.json(.get, "/api/v1/harvest/sources").status == .unauthorized)

            // When an administrator registers this server's own /oai (records enter as submissions).
            let url = "http://127.0.0.1:\(port)/oai"
            let (created, source, headers) = try await client.json(
                .post, "/api/v1/harvest/sources", token: admin, body: #"{"url":"\#(url)","every":"1d","prefix":"oai_dc"}"#)
            #expect(created == .created, "\(source)")
            let id = try #require(source["id"] as? Int)
            #expect(headers[.location] == "/api/v1/harvest/sources/\(id)")
            #expect(source["every"] as? String == "1d" && source["intervalSeconds"] as? Int == 86400 && source["trusted"] as? Bool == false)
            #expect(source["owner"] as? String == "admin")
            // The same URL, set and format again: a conflict.
            #expect(try await client.json(.post, "/api/v1/harvest/sources", token: admin, body: #"{"url":"\#(url)"}"#).status == .conflict)
            let list = try await client.json(.get, "/api/v1/harvest/sources", token: admin).body["items"] as? [[String: Any]]
            #expect(list?.map { $0["url"] as? String } == [url])

            // Change: an interval and a set, then the set removed; a bad URL is refused and changes nothing.
            var changed = try await client.json(.patch, "/api/v1/harvest/sources/\(id)", token: admin, body: #"{"every":"12h","set":"kind:link"}"#)
            #expect(changed.status == .ok && changed.body["every"] as? String == "12h" && changed.body["set"] as? String == "kind:link", "\(changed.body)")
            changed = try await client.json(.patch, "/api/v1/harvest/sources/\(id)", token: admin, body: #"{"url":"file:///etc/passwd"}"#)
            #expect(changed.status == .badRequest)
            changed = try await client.json(.patch, "/api/v1/harvest/sources/\(id)", token: admin, body: #"{"set":""}"#)
            #expect(changed.status == .ok && changed.body["set"] is NSNull && changed.body["url"] as? String == url, "\(changed.body)")
            #expect(try await client.json(.patch, "/api/v1/harvest/sources/\(id)", token: teacher, body: #"{"every":"1h"}"#).status == .forbidden)

            // Run now: a job that harvests the two published records.
            #expect(try await client.json(.post, "/api/v1/harvest/sources/\(id)/run", token: teacher).status == .forbidden)
            let (accepted, job, jobHeaders) = try await client.json(.post, "/api/v1/harvest/sources/\(id)/run", token: admin)
            #expect(accepted == .accepted, "\(job)")
            let location = try #require(jobHeaders[.location])
            #expect(try await client.json(.get, location, token: teacher).status == .notFound)
            let done = try await finished(client, token: admin, location)
            #expect(done["status"] as? String == "succeeded", "\(done)")
            let result = try #require(done["result"] as? [String: Any])
            #expect(result["created"] as? Int == 2, "\(result)")

            // Then the run is in the history, with its counts.
            let runs = try #require(try await client.json(.get, "/api/v1/harvest/sources/\(id)/runs", token: admin).body["items"] as? [[String: Any]])
            #expect(runs.count == 1)
            #expect(runs.first?["status"] as? String == "succeeded" && runs.first?["added"] as? Int == 2 && runs.first?["deleted"] as? Int == 0)
            #expect(runs.first?["error"] is NSNull && runs.first?["startedAt"] is String && runs.first?["finishedAt"] is String)
            // The harvested records entered review: two submissions, nothing published behind the board.
            let harvested = try await t.repository.store.lmsActivityCounts().materialsBySourceSystem["oai:" + url]
            #expect(harvested == 2)
            let read = try await client.json(.get, "/api/v1/harvest/sources/\(id)", token: admin).body
            #expect(read["lastRunAt"] is String && read["lastError"] is NSNull)
            #expect(try await client.json(.get, "/api/v1/harvest/sources/\(id)/runs?limit=0", token: admin).status == .badRequest)

            // Delete: gone with its runs; the harvested materials stay.
            #expect(try await client.json(.delete, "/api/v1/harvest/sources/\(id)", token: teacher).status == .forbidden)
            #expect(try await client.json(.delete, "/api/v1/harvest/sources/\(id)", token: admin).status == .noContent)
            #expect(try await client.json(.get, "/api/v1/harvest/sources/\(id)", token: admin).status == .notFound)
            #expect(try await client.json(.get, "/api/v1/harvest/sources/\(id)/runs", token: admin).status == .notFound)
            #expect(try await client.json(.delete, "/api/v1/harvest/sources/\(id)", token: admin).status == .notFound)
            #expect(try await t.repository.store.lmsActivityCounts().materialsBySourceSystem["oai:" + url] == 2)
        }
    }

    @Test("Backups: a job writes one into the data folder; the list shows its counts; the file downloads (admins only) and holds them")
    func backups() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("gv.a", roles: [.teacher], school: "THCS A")
        try await t.application.test(.live) { client in
            let admin = try await client.login("admin", TestRepository.adminPassword)
            let teacher = try await client.login("gv.a", "password-gv.a")
            for n in 1...3 {
                _ = try await client.createMaterial(token: admin, #"{"kind":"link","url":"https://example.org/\#(n)","title":"Bài \#(n)"}"#)
            }
            #expect(try await client.json(.post, "/api/v1/backups", token: teacher).status == .forbidden)
            #expect(try await client.json(.get, "/api/v1/backups", token: teacher).status == .forbidden)
            #expect(try await client.json(.get, "/api/v1/backups", token: admin).body["items"] as? [Any] != nil)

            let (accepted, job, headers) = try await client.json(.post, "/api/v1/backups", token: admin)
            #expect(accepted == .accepted, "\(job)")
            let done = try await finished(client, token: admin, try #require(headers[.location]))
            #expect(done["status"] as? String == "succeeded", "\(done)")

            let items = try #require(try await client.json(.get, "/api/v1/backups", token: admin).body["items"] as? [[String: Any]])
            #expect(items.count == 1)
            let backup = try #require(items.first)
            let name = try #require(backup["name"] as? String)
            let statistics = try await t.repository.store.statistics()
            #expect(backup["materials"] as? Int == statistics.materials && statistics.materials == 3, "\(backup)")
            let onDisk = t.repository.backupDirectory.appendingPathComponent(name)
            let size = try #require((try FileManager.default.attributesOfItem(atPath: onDisk.path)[.size] as? NSNumber)?.intValue)
            #expect(backup["bytes"] as? Int == size)

            // The download is the archive: a ZIP with the manifest and the database copy.
            #expect(try await client.json(.get, "/api/v1/backups/\(name)/file", token: teacher).status == .forbidden)
            let bytes = try await client.execute(uri: "/api/v1/backups/\(name)/file", method: .get, headers: [.authorization: "Bearer \(admin)"]) {
                response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/zip")
                return Data(buffer: response.body)
            }
            #expect(bytes.count == size)
            #expect(bytes == (try Data(contentsOf: onDisk)))
            // A ZIP (local header signature) whose central directory names the manifest and the database copy.
            #expect(bytes.prefix(4) == Data([0x50, 0x4B, 0x03, 0x04]))
            #expect(bytes.range(of: Data("manifest.json".utf8)) != nil && bytes.range(of: Data("hoclieu.sqlite".utf8)) != nil)
            // Only names this service gives are served: no way out of the folder.
            for bad in ["..%2Fhoclieu.sqlite", "hoclieu.sqlite", "hoclieu-backup-x.zip.partial", "signing.key"] {
                #expect(try await client.json(.get, "/api/v1/backups/\(bad)/file", token: admin).status == .notFound, "\(bad)")
            }
        }
    }

    @Test("Catalogue import: a framework CSV is loaded and reported; a bad one is a 422 listing its problems, and nothing changes")
    func catalogImport() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        _ = try await t.repository.loadCatalog(from: try CatalogAPITests.folder(toan: CatalogAPITests.toan))
        try await t.addUser("gv.a", roles: [.teacher], school: "THCS A")
        let header = "code,parent,type,grade,statement,statement_en,associations,status\n"
        try await t.application.test(.router) { client in
            let admin = try await client.login("admin", TestRepository.adminPassword)
            let teacher = try await client.login("gv.a", "password-gv.a")
            let before = try await t.repository.store.catalogItems(framework: "TOAN")

            // A file with an outcome under a parent that does not exist: every problem listed, nothing loaded.
            let bad = header + CatalogAPITests.toan + "TOAN.6.SD.9.1,TOAN.6.SD.9,outcome,6,Không có cha.,,,\n"
            let refused = try await client.execute(
                uri: "/api/v1/catalog/imports?filename=TOAN.csv", method: .post, headers: [.authorization: "Bearer \(admin)", .contentType: "text/csv"],
                body: ByteBuffer(string: bad)
            ) { response in
                (response.status, response.headers[.contentType], (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
            }
            #expect(refused.0 == .unprocessableContent, "\(refused.2)")
            #expect(refused.1 == "application/problem+json")
            let problems = try #require(refused.2["problems"] as? [[String: String]])
            #expect(!problems.isEmpty && problems.allSatisfy { $0["file"] == "TOAN.csv" && $0["line"] != nil })
            #expect(problems.contains { $0["message"]?.contains("TOAN.6.SD.9") == true }, "\(problems)")
            #expect(try await t.repository.store.catalogItems(framework: "TOAN") == before)

            // Not for teachers.
            let forbidden = try await client.execute(
                uri: "/api/v1/catalog/imports", method: .post, headers: [.authorization: "Bearer \(teacher)", .contentType: "text/csv"],
                body: ByteBuffer(string: header + CatalogAPITests.toan)) { $0.status }
            #expect(forbidden == .forbidden)

            // A good file: one statement reworded, one outcome added.
            let edited = header + CatalogAPITests.toan.replacingOccurrences(of: "So sánh được hai phân số cho trước.", with: "So sánh được hai phân số.")
                + "TOAN.6.SD.2.3,TOAN.6.SD.2,outcome,6,Cộng được hai phân số.,,,\n"
            let (status, report) = try await client.execute(
                uri: "/api/v1/catalog/imports", method: .post, headers: [.authorization: "Bearer \(admin)", .contentType: "text/csv"],
                body: ByteBuffer(string: edited)
            ) { response in (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]) }
            #expect(status == .ok, "\(report)")
            #expect(report["framework"] as? String == "TOAN")
            let load = try #require(report["load"] as? [String: Any])
            #expect(load["added"] as? Int == 1 && load["revised"] as? Int == 1 && load["deprecated"] as? Int == 0, "\(load)")
            #expect(load["unchanged"] as? Int == before.count - 1)
            let after = try await t.repository.store.catalogItems(framework: "TOAN")
            #expect(after.count == before.count + 1)
            #expect(after.first { $0.item.code == "TOAN.6.SD.2.2" }?.item.statement == "So sánh được hai phân số.")
            // Not a catalogue file at all.
            let unknown = try await client.execute(
                uri: "/api/v1/catalog/imports", method: .post, headers: [.authorization: "Bearer \(admin)", .contentType: "application/octet-stream"],
                body: ByteBuffer(string: "x")) { $0.status }
            #expect(unknown == .unsupportedMediaType)
        }
    }

    @Test("LMS activity: OAI-PMH requests made with a client credential are counted per client and day (requests and records), in JSON and CSV")
    func oaiActivity() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        let issued = try await t.repository.createClient(name: "Moodle Sở", scopes: [.harvest, .harvestSector], by: User.localOperator)
        let other = try await t.repository.createClient(name: "Canvas", scopes: [.harvest], by: User.localOperator)
        try await t.application.test(.router) { client in
            let admin = try await client.login("admin", TestRepository.adminPassword)
            // 3 public and 2 sector materials published, 1 private and 1 draft: a sector client sees 5, the other 3.
            let visibilities = ["public", "public", "public", "sector", "sector", "private"]
            for (n, visibility) in visibilities.enumerated() {
                _ = try await client.createMaterial(
                    token: admin,
                    #"{"kind":"link","url":"https://example.org/o\#(n)","title":"Tài liệu \#(n)","visibility":"\#(visibility)","status":"published","reason":"kiểm thử"}"#)
            }
            _ = try await client.createMaterial(token: admin, #"{"kind":"link","url":"https://example.org/draft","title":"Nháp"}"#)
            let published = try await t.repository.store.harvestCount(HarvestQuery(statuses: [.published], visibilities: [.public, .sector]))
            let publicOnly = try await t.repository.store.harvestCount(HarvestQuery(statuses: [.published], visibilities: [.public]))
            #expect(published == 5 && publicOnly == 3)
            func oai(_ query: String, token: String?) async throws -> String {
                try await client.execute(uri: "/oai?" + query, method: .get, headers: token.map { [.authorization: "Bearer \($0)"] } ?? [:]) {
                    #expect($0.status == .ok)
                    return String(buffer: $0.body)
                }
            }
            // A record identifier, read anonymously (not counted).
            let listed = try await oai("verb=ListIdentifiers&metadataPrefix=oai_dc", token: nil)
            let tag = try #require(listed.range(of: "<identifier>[^<]+</identifier>", options: .regularExpression))
            let identifier = String(listed[tag].dropFirst("<identifier>".count).dropLast("</identifier>".count))
            // The sector client: Identify (0 records), ListIdentifiers (5), ListRecords (5), GetRecord (1), a bad verb (0).
            var expectedRecords = 0
            for (query, records) in [
                ("verb=Identify", 0), ("verb=ListIdentifiers&metadataPrefix=oai_dc", published), ("verb=ListRecords&metadataPrefix=oai_dc", published),
                ("verb=GetRecord&metadataPrefix=oai_dc&identifier=\(identifier)", 1), ("verb=Nonsense", 0),
            ] {
                let xml = try await oai(query, token: issued.token)
                // Counted independently of the server's counter: the records the XML holds, as an XML parser reads them.
                #expect(XMLHeaderCounter.count(xml) == records, "\(query)")
                expectedRecords += records
            }
            // The other client (public records only): two list requests; anonymous requests are not counted at all.
            _ = try await oai("verb=ListIdentifiers&metadataPrefix=oai_dc", token: other.token)
            _ = try await oai("verb=ListRecords&metadataPrefix=lom", token: other.token)
            _ = try await oai("verb=ListRecords&metadataPrefix=oai_dc", token: nil)

            let report = try await client.json(.get, "/api/v1/reports/lms-activity", token: admin).body
            let clients = try #require(report["clients"] as? [[String: Any]])
            let sector = try #require(clients.first { $0["clientId"] as? String == issued.client.clientID })
            let canvas = try #require(clients.first { $0["clientId"] as? String == other.client.clientID })
            #expect(sector["oaiRequests"] as? Int == 5 && sector["oaiRecords"] as? Int == expectedRecords, "\(sector)")
            #expect(canvas["oaiRequests"] as? Int == 2 && canvas["oaiRecords"] as? Int == 2 * publicOnly, "\(canvas)")
            let today = Services.dayFormatter.string(from: Date())
            #expect(sector["lastOAIDay"] as? String == today)
            #expect((report["notRecorded"] as? [String])?.contains("oai-harvests-by-client") == false)
            let days = try #require(report["oaiHarvests"] as? [[String: Any]])
            #expect(days.count == 2 && days.allSatisfy { $0["day"] as? String == today })

            let csv = try await client.execute(
                uri: "/api/v1/reports/lms-activity?format=csv&table=oai", method: .get, headers: [.authorization: "Bearer \(admin)"]) { String(buffer: $0.body) }
            let lines = csv.replacingOccurrences(of: "\u{FEFF}", with: "").split(whereSeparator: \.isNewline).map(String.init)
            #expect(lines.first == "clientId,name,day,requests,records")
            #expect(lines.contains("\(issued.client.clientID),Moodle Sở,\(today),5,\(expectedRecords)"), "\(lines)")
            #expect(lines.contains("\(other.client.clientID),Canvas,\(today),2,\(2 * publicOnly)"), "\(lines)")
        }
    }
}

/// Counts the records of an OAI-PMH response with Foundation's XML parser: `header` elements in the OAI namespace.
final class XMLHeaderCounter: NSObject, XMLParserDelegate {
    var headers = 0

    static func count(_ xml: String) -> Int {
        let counter = XMLHeaderCounter()
        let parser = XMLParser(data: Data(xml.utf8))
        parser.shouldProcessNamespaces = true
        parser.delegate = counter
        _ = parser.parse()
        return counter.headers
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        if elementName == "header", namespaceURI == "http://www.openarchives.org/OAI/2.0/" { headers += 1 }
    }
}
