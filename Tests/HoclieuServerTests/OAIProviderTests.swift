import ConformanceCorpus
import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuServer
@testable import HoclieuApp
import HoclieuStorage
import HoclieuXML
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOFoundationCompat
import OAIPMH
import Testing

/// The OAI-PMH provider: every verb, every error, keyset paging, access by harvester class, and the schemas.
@Suite("OAI-PMH provider")
struct OAIProviderTests {
    static let ns = ["o": "http://www.openarchives.org/OAI/2.0/", "dc": "http://purl.org/dc/elements/1.1/", "lom": "http://ltsc.ieee.org/xsd/LOM"]

    /// Materials public (3 in 5), sector or private; published (4 in 6), draft or withdrawn; of subject TOAN grade 6 or NGUVAN grade 7.
    static func fill(_ t: TestRepository, count: Int) async throws {
        let statuses: [MaterialStatus] = [.published, .published, .published, .published, .draft, .withdrawn]
        let visibilities: [Visibility] = [.public, .public, .public, .sector, .private]
        var drafts: [MaterialDraft] = []
        for i in 0..<count {
            let maths = i % 3 != 0
            let units: [String] = maths ? ["TOAN.6.SD.\(i % 4)"] : []
            var metadata = MaterialMetadata(title: "Học liệu \(i) — Phân số & <đường tròn>", description: "Mô tả \(i)")
            metadata.subjects = [maths ? "TOAN" : "NGUVAN"]
            metadata.grades = [maths ? 6 : 7]
            metadata.knowledgeUnits = units
            metadata.keywords = ["phân số"]
            metadata.licence = "CC-BY-4.0"
            metadata.authors = ["Nguyễn Văn A"]
            let kind: MaterialKind = i % 2 == 0 ? .lesson : .document
            let created = Date(timeIntervalSince1970: 1_790_000_000 + Double(i / 7))
            drafts.append(
                MaterialDraft(
                    kind: kind, format: "text/html", metadata: metadata, visibility: visibilities[i % 5], status: statuses[i % statuses.count],
                    createdAt: created))
        }
        _ = try await t.repository.store.createMaterials(drafts, ownerID: 1)
    }

    static func xml(_ data: Data) throws -> XMLDocument { try XMLDocument(data: data) }

    static func respond(_ t: TestRepository, _ query: String, viewer: User? = nil, now: Date = Date()) async throws -> XMLDocument {
        try xml(try await t.repository.oaiProvider.respond(to: OAIRequest.formPairs(query), source: t.repository.oaiSource(for: viewer), now: now))
    }

    static func errorCode(_ doc: XMLDocument) throws -> String? {
        try doc.select("/o:OAI-PMH/o:error", namespaces: ns).first?.attribute("code")
    }

    /// Every page of a list: identifiers, deleted ones, and the tokens seen.
    static func harvest(_ t: TestRepository, _ query: String, viewer: User? = nil) async throws -> (ids: [String], deleted: Int, tokens: [String]) {
        var ids: [String] = []
        var deleted = 0
        var tokens: [String] = []
        var next = query
        let verb = query.contains("ListIdentifiers") ? "ListIdentifiers" : "ListRecords"
        while true {
            let doc = try await respond(t, next, viewer: viewer)
            if try errorCode(doc) == "noRecordsMatch" { break }
            #expect(try errorCode(doc) == nil)
            let headers = try doc.select("//o:header", namespaces: ns)
            ids += try headers.map { try $0.selectString("string(o:identifier)", namespaces: ns) }
            deleted += headers.filter { $0.attribute("status") == "deleted" }.count
            let token = try doc.selectString("string(//o:resumptionToken)", namespaces: ns)
            if let element = try doc.select("//o:resumptionToken", namespaces: ns).first {
                #expect(element.attribute("cursor").flatMap(Int.init) == ids.count - headers.count, "cursor")
            }
            guard !token.isEmpty else { break }
            #expect(!tokens.contains(token), "a token repeated")
            tokens.append(token)
            next = "verb=\(verb)&resumptionToken=\(token)"
        }
        return (ids, deleted, tokens)
    }

    @Test("Keyset paging over 1,050 public records of 2,100 materials: every visible record once, counts equal the store's, tokens never repeat")
    func paging() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await Self.fill(t, count: 2_100)
        let store = t.repository.store
        let publicCount = try await store.harvestCount(HarvestQuery(statuses: [.published, .withdrawn], visibilities: [.public]))
        let all = try await Self.harvest(t, "verb=ListIdentifiers&metadataPrefix=oai_dc")
        #expect(all.ids.count == publicCount)
        #expect(Set(all.ids).count == all.ids.count, "no record twice")
        #expect(all.tokens.count == (publicCount + 199) / 200 - 1)
        #expect(all.ids.count >= 1_000)
        #expect(all.deleted == (0..<2_100).filter { $0 % 5 < 3 && $0 % 6 == 5 }.count)
        // Records too, and a set.
        let records = try await Self.harvest(t, "verb=ListRecords&metadataPrefix=lom")
        #expect(records.ids == all.ids)
        let toan6 = try await Self.harvest(t, "verb=ListRecords&metadataPrefix=oai_dc&set=subject:TOAN:grade:6")
        #expect(toan6.ids.count == (try await store.harvestCount(HarvestQuery(statuses: [.published, .withdrawn], visibilities: [.public], subject: "TOAN", grade: 6))))
        #expect(toan6.ids.count > 0 && toan6.ids.count < all.ids.count)
        let node = try await Self.harvest(t, "verb=ListIdentifiers&metadataPrefix=oai_dc&set=node:TOAN.6.SD")
        #expect(node.ids.count == toan6.ids.count)
        let completeListSize = try await Self.respond(t, "verb=ListIdentifiers&metadataPrefix=oai_dc")
            .select("//o:resumptionToken", namespaces: Self.ns).first?.attribute("completeListSize")
        #expect(completeListSize == String(publicCount))
        // An LMS client harvests the sector's records too.
        let lms = try await t.repository.store.createUser(NewUser(username: "lms.a", displayName: "LMS", roles: [.lmsClient], passwordHash: "x"))
        let sector = try await Self.harvest(t, "verb=ListIdentifiers&metadataPrefix=oai_dc", viewer: lms)
        #expect(sector.ids.count == (try await store.harvestCount(HarvestQuery(statuses: [.published, .withdrawn], visibilities: [.public, .sector]))))
        #expect(sector.ids.count > all.ids.count)
        #expect(Set(all.ids).isSubset(of: Set(sector.ids)))
    }

    @Test("Access: anonymous harvesters get published public records; LMS clients sector too; drafts, school and private never")
    func access() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await Self.fill(t, count: 48)
        let lms = try await t.repository.store.createUser(NewUser(username: "lms.b", displayName: "LMS", roles: [.lmsClient], passwordHash: "x"))
        let teacher = try await t.repository.store.createUser(NewUser(username: "gv.b", displayName: "GV", roles: [.teacher], passwordHash: "x"))
        #expect(Services.harvestAudience(for: nil) == .public)
        #expect(Services.harvestAudience(for: lms) == .sector)
        #expect(Services.harvestAudience(for: teacher) == .public)
        for (viewer, visibilities) in [(nil, [Visibility.public]), (lms, [.public, .sector])] as [(User?, [Visibility])] {
            let doc = try await Self.respond(t, "verb=ListRecords&metadataPrefix=oai_dc", viewer: viewer)
            for header in try doc.select("//o:header", namespaces: Self.ns) {
                let id = try header.selectString("string(o:identifier)", namespaces: Self.ns)
                let pid = try PersistentIdentifier(parsing: String(id.split(separator: ":").last!))
                let m = try #require(try await t.repository.store.material(pid))
                #expect(visibilities.contains(m.visibility), "\(id) \(m.visibility)")
                #expect(m.status == (header.attribute("status") == "deleted" ? .withdrawn : .published))
            }
        }
        // GetRecord of a draft or a private material: as if it did not exist.
        let hidden = try await t.repository.store.createMaterial(
            MaterialDraft(kind: .lesson, format: "text/html", metadata: MaterialMetadata(title: "Riêng"), visibility: .private, status: .published),
            ownerID: 1, firstVersion: nil)
        let id = t.repository.oaiProvider.identifier(hidden.pid)
        #expect(try Self.errorCode(try await Self.respond(t, "verb=GetRecord&metadataPrefix=oai_dc&identifier=\(id)", viewer: lms)) == "idDoesNotExist")
        // Withdrawn public: a deleted header for everyone, the datestamp of the withdrawal.
        let gone = try await t.repository.store.createMaterial(
            MaterialDraft(kind: .lesson, format: "text/html", metadata: MaterialMetadata(title: "Rút"), visibility: .public, status: .published),
            ownerID: 1, firstVersion: nil)
        let before = try await Self.respond(t, "verb=GetRecord&metadataPrefix=lom&identifier=\(t.repository.oaiProvider.identifier(gone.pid))")
        #expect(try before.select("//lom:lom", namespaces: Self.ns).count == 1)
        try await Task.sleep(for: .milliseconds(1100))
        let withdrawn = try await t.repository.store.updateMaterial(gone.pid, metadata: nil, visibility: nil, status: .withdrawn)
        #expect(withdrawn.updatedAt > gone.updatedAt)
        let after = try await Self.respond(t, "verb=GetRecord&metadataPrefix=lom&identifier=\(t.repository.oaiProvider.identifier(gone.pid))")
        #expect(try after.select("//o:header[@status='deleted']", namespaces: Self.ns).count == 1)
        #expect(try after.select("//o:metadata", namespaces: Self.ns).isEmpty)
        #expect(try after.selectString("string(//o:datestamp)", namespaces: Self.ns) == OAIDatestamp.format(withdrawn.updatedAt))
        // Incremental: from the withdrawal's second on, only that record.
        let recent = try await Self.harvest(t, "verb=ListIdentifiers&metadataPrefix=oai_dc&from=\(OAIDatestamp.format(withdrawn.updatedAt))")
        #expect(recent.ids == [t.repository.oaiProvider.identifier(gone.pid)])
    }

    @Test("Every error code, with the request element bare for badVerb and badArgument")
    func errors() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await Self.fill(t, count: 12)
        let other = try await TestRepository()
        defer { other.cleanup() }
        try await Self.fill(other, count: 600)
        let foreign = try await Self.respond(other, "verb=ListRecords&metadataPrefix=oai_dc")
            .selectString("string(//o:resumptionToken)", namespaces: Self.ns)
        #expect(!foreign.isEmpty)
        let cases: [(String, String)] = [
            ("", "badVerb"), ("verb=Nope", "badVerb"), ("verb=Identify&verb=Identify", "badVerb"),
            ("verb=Identify&x=1", "badArgument"), ("verb=ListRecords", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=lom", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-01&until=2026-12-01T00:00:00Z", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&from=2026-02-01&until=2026-01-01", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&from=yesterday", "badArgument"),
            ("verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=abc", "badArgument"),
            ("verb=GetRecord&identifier=oai:hoclieu.local:79-760-1", "badArgument"),
            ("verb=ListRecords&resumptionToken=abc.def", "badResumptionToken"),
            ("verb=ListRecords&resumptionToken=\(foreign)", "badResumptionToken"),
            ("verb=ListSets&resumptionToken=abc", "badResumptionToken"),
            ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
            ("verb=GetRecord&metadataPrefix=marc21&identifier=oai:hoclieu.local:79-760-1", "cannotDisseminateFormat"),
            ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:hoclieu.local:79-760-999999", "idDoesNotExist"),
            ("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:elsewhere.org:79-760-1", "idDoesNotExist"),
            ("verb=ListMetadataFormats&identifier=nothing", "idDoesNotExist"),
            ("verb=ListRecords&metadataPrefix=oai_dc&from=2999-01-01", "noRecordsMatch"),
            ("verb=ListIdentifiers&metadataPrefix=oai_dc&set=subject:SINHHOC", "noRecordsMatch"),
            ("verb=ListIdentifiers&metadataPrefix=oai_dc&set=not-a-set", "noRecordsMatch"),
        ]
        for (query, expected) in cases {
            let doc = try await Self.respond(t, query)
            #expect(try Self.errorCode(doc) == expected, "\(query)")
            let request = try #require(try doc.select("/o:OAI-PMH/o:request", namespaces: Self.ns).first)
            if expected == "badVerb" || expected == "badArgument" { #expect(request.attribute("verb") == nil, "\(query)") }
        }
        // A token of one verb is not good for the other, nor for another harvester class; an expired one is refused.
        let first = try await Self.respond(other, "verb=ListIdentifiers&metadataPrefix=oai_dc")
        let token = try first.selectString("string(//o:resumptionToken)", namespaces: Self.ns)
        #expect(try Self.errorCode(try await Self.respond(other, "verb=ListRecords&resumptionToken=\(token)")) == "badResumptionToken")
        let lms = try await other.repository.store.createUser(NewUser(username: "lms.c", displayName: "LMS", roles: [.lmsClient], passwordHash: "x"))
        #expect(try Self.errorCode(try await Self.respond(other, "verb=ListIdentifiers&resumptionToken=\(token)", viewer: lms)) == "badResumptionToken")
        #expect(try Self.errorCode(try await Self.respond(other, "verb=ListIdentifiers&resumptionToken=\(token)")) == nil)
        let later = Date().addingTimeInterval(25 * 3600)
        #expect(try Self.errorCode(try await Self.respond(other, "verb=ListIdentifiers&resumptionToken=\(token)", now: later)) == "badResumptionToken")
    }

    @Test("A token is good on every node of the same data folder (shared key, no server state)")
    func anyNode() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await Self.fill(t, count: 500)
        let token = try await Self.respond(t, "verb=ListIdentifiers&metadataPrefix=oai_dc").selectString("string(//o:resumptionToken)", namespaces: Self.ns)
        let node2 = try Services.open(t.repository.configuration)
        let doc = try Self.xml(
            try await node2.oaiProvider.respond(to: [("verb", "ListIdentifiers"), ("resumptionToken", token)], source: node2.oaiSource(for: nil)))
        #expect(try Self.errorCode(doc) == nil)
        #expect(try doc.select("//o:header", namespaces: Self.ns).count > 0)
    }

    @Test("Over HTTP: GET and POST answer alike; Basic and bearer credentials of an LMS client; wrong ones are 401")
    func http() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await Self.fill(t, count: 60)
        try await t.addUser("lms.moodle", roles: [.lmsClient])
        try await t.application.test(.router) { client in
            func count(_ response: TestResponse) throws -> Int {
                try Self.xml(Data(buffer: response.body)).select("//o:header", namespaces: Self.ns).count
            }
            let anonymous = try await client.execute(uri: "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/xml; charset=utf-8")
                return try count(response)
            }
            let posted = try await client.execute(
                uri: "/oai", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "verb=ListIdentifiers&metadataPrefix=oai_dc")
            ) { try count($0) }
            #expect(posted == anonymous)
            let basic = "Basic " + Data("lms.moodle:password-lms.moodle".utf8).base64EncodedString()
            let withBasic = try await client.execute(uri: "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc", method: .get, headers: [.authorization: basic]) {
                #expect($0.status == .ok)
                return try count($0)
            }
            #expect(withBasic > anonymous)
            let token = try await client.login("lms.moodle", "password-lms.moodle")
            let withBearer = try await client.execute(
                uri: "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc", method: .get, headers: [.authorization: "Bearer \(token)"]) { try count($0) }
            #expect(withBearer == withBasic)
            let wrong = "Basic " + Data("lms.moodle:wrong-password".utf8).base64EncodedString()
            try await client.execute(uri: "/oai?verb=Identify", method: .get, headers: [.authorization: wrong]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)
            }
            try await client.execute(uri: "/oai?verb=Identify", method: .get, headers: [.authorization: "Bearer not-a-token"]) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/oai", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}")) {
                #expect($0.status == .unsupportedMediaType)
            }
            try await client.execute(
                uri: "/oai", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "verb=Identify&" + String(repeating: "a", count: 20_000))
            ) { #expect($0.status == .contentTooLarge) }
        }
    }

    /// The OAI-PMH 2.0 schema with oai_dc and LOM (strict) loaded, from the corpus.
    static func schema() throws -> XMLSchema {
        let schemas = try ConformanceCorpus.url("schemas")
        let driver = FileManager.default.temporaryDirectory.appendingPathComponent("oai-driver-\(UUID().uuidString).xsd")
        defer { try? FileManager.default.removeItem(at: driver) }
        try """
            <?xml version="1.0" encoding="UTF-8"?>
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:hoclieu:test:oai-driver">
              <xs:import namespace="http://www.openarchives.org/OAI/2.0/" schemaLocation="\(schemas.path)/oai-pmh/OAI-PMH.xsd"/>
              <xs:import namespace="http://www.openarchives.org/OAI/2.0/oai_dc/" schemaLocation="\(schemas.path)/oai-pmh/oai_dc.xsd"/>
              <xs:import namespace="http://ltsc.ieee.org/xsd/LOM" schemaLocation="\(schemas.path)/scorm2004_4th/lomStrict.xsd"/>
            </xs:schema>
            """.write(to: driver, atomically: true, encoding: .utf8)
        return try XMLSchema(contentsOf: driver, allowedDirectories: [schemas], catalog: schemas.appendingPathComponent("catalog.xml"))
    }

    @Test("Every verb's response, records in both formats, deleted records and every error validate against the schemas", .needsCorpus)
    func schemaValid() async throws {
        let schema = try Self.schema()
        let t = try await TestRepository()
        defer { t.cleanup() }
        _ = try await t.repository.loadCatalog(from: try CatalogAPITests.folder(toan: CatalogAPITests.toan))
        try await Self.fill(t, count: 450)
        let lms = try await t.repository.store.createUser(NewUser(username: "lms.d", displayName: "LMS", roles: [.lmsClient], passwordHash: "x"))
        let published = try #require(try await t.repository.store.harvestPage(
            HarvestQuery(statuses: [.published], visibilities: [.public]), after: nil, limit: 1).first)
        let withdrawn = try #require(try await t.repository.store.harvestPage(
            HarvestQuery(statuses: [.withdrawn], visibilities: [.public]), after: nil, limit: 1).first)
        let id = t.repository.oaiProvider.identifier(published.pid)
        let gone = t.repository.oaiProvider.identifier(withdrawn.pid)
        var queries = [
            "verb=Identify", "verb=ListMetadataFormats", "verb=ListMetadataFormats&identifier=\(id)", "verb=ListSets",
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=\(id)", "verb=GetRecord&metadataPrefix=lom&identifier=\(id)",
            "verb=GetRecord&metadataPrefix=lom&identifier=\(gone)",
            "verb=ListIdentifiers&metadataPrefix=lom&set=grade:6", "verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-01&until=2099-12-31",
            "", "verb=Nope", "verb=ListRecords", "verb=ListRecords&resumptionToken=x.y", "verb=ListRecords&metadataPrefix=marc21",
            "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:x.y:1", "verb=ListRecords&metadataPrefix=oai_dc&from=2999-01-01",
        ]
        // Every page of both formats, to the empty token of the last one.
        for prefix in ["oai_dc", "lom"] {
            var query = "verb=ListRecords&metadataPrefix=\(prefix)"
            while true {
                queries.append(query)
                let token = try await Self.respond(t, query, viewer: lms).selectString("string(//o:resumptionToken)", namespaces: Self.ns)
                guard !token.isEmpty else { break }
                query = "verb=ListRecords&resumptionToken=\(token)"
            }
        }
        for query in queries {
            let data = try await t.repository.oaiProvider.respond(to: OAIRequest.formPairs(query), source: t.repository.oaiSource(for: lms))
            let problems = schema.validate(try Self.xml(data))
            #expect(problems.isEmpty, "\(query): \(problems.prefix(3)) \(String(decoding: data.prefix(1500), as: UTF8.self))")
        }
        // The schemas do look inside the metadata: a stray element in either format is caught.
        for (prefix, from, to) in [("lom", "<general>", "<general><bogus/>"), ("oai_dc", "<dc:title>", "<dc:titel>x</dc:titel><dc:title>")] {
            let data = try await t.repository.oaiProvider.respond(
                to: OAIRequest.formPairs("verb=GetRecord&metadataPrefix=\(prefix)&identifier=\(id)"), source: t.repository.oaiSource(for: nil))
            let broken = String(decoding: data, as: UTF8.self).replacingOccurrences(of: from, with: to)
            #expect(broken != String(decoding: data, as: UTF8.self))
            #expect(!schema.validate(try Self.xml(Data(broken.utf8))).isEmpty, "\(prefix)")
        }
        let sets = try await Self.respond(t, "verb=ListSets").select("//o:setSpec", namespaces: Self.ns).map(\.text)
        #expect(sets.contains("subject:TOAN:grade:6") && sets.contains("node:TOAN.6.SD") && sets.contains("kind:lesson"))
    }
}
