import Foundation
import HoclieuCore
@testable import HoclieuApp
import HoclieuStorage
import HoclieuXML
import OAIPMH
import Testing

/// Harvests read stored records: written with the material, in the same transaction, and byte for byte what the
/// provider would encode; a record that is missing or stale is never served (it is encoded instead) and the
/// refresh writes it again.
@Suite("OAI-PMH stored records")
struct OAIStoredRecordTests {
    /// Every page of a full `ListRecords` harvest at a fixed `now`, concatenated.
    static func harvestBytes(_ t: TestRepository, prefix: String, now: Date) async throws -> Data {
        var all = Data()
        var query = "verb=ListRecords&metadataPrefix=\(prefix)"
        while true {
            let page = try await t.repository.oaiProvider.respond(to: OAIRequest.formPairs(query), source: t.repository.oaiSource(for: nil), now: now)
            all.append(page)
            let doc = try XMLDocument(data: page)
            let token = try doc.selectString("string(//o:resumptionToken)", namespaces: OAIProviderTests.ns)
            guard !token.isEmpty else { return all }
            query = "verb=ListRecords&resumptionToken=\(token)"
        }
    }

    /// How many of the published public materials' records the store hands back stored, for `prefix`.
    static func storedCount(_ t: TestRepository, prefix: String) async throws -> (stored: Int, all: Int) {
        let query = HarvestQuery(statuses: [.published], visibilities: [.public])
        let rows = try await t.repository.store.harvestRenderedPage(query, after: nil, limit: 10_000, prefix: prefix)
        return (rows.filter { $0.record != nil }.count, rows.count)
    }

    @Test("a harvest from stored records is byte for byte the encoded one, for every format")
    func identical() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await OAIProviderTests.fill(t, count: 150)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for format in t.repository.oaiProvider.formats.formats {
            let counts = try await Self.storedCount(t, prefix: format.prefix)
            #expect(counts.all > 0 && counts.stored == counts.all, "every published public record is stored (\(format.prefix))")
            let stored = try await Self.harvestBytes(t, prefix: format.prefix, now: now)
            #expect(stored.count > 10_000)
            // The same harvest with no renderer: every record encoded on the request.
            t.repository.store.setRecordRenderer(nil)
            let encoded = try await Self.harvestBytes(t, prefix: format.prefix, now: now)
            t.repository.store.setRecordRenderer(t.repository.oaiRecordRenderer)
            #expect(stored == encoded, "\(format.prefix): stored and encoded harvests differ")
        }
    }

    @Test("a change, a withdrawal and a visibility change refresh the stored record in the same write")
    func refreshedOnWrite() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        let store = t.repository.store
        let material = try await store.createMaterial(
            MaterialDraft(kind: .lesson, format: "text/html", metadata: MaterialMetadata(title: "Phân số cũ"), visibility: .public, status: .published),
            ownerID: 1, firstVersion: nil)
        let query = HarvestQuery(statuses: [.published, .withdrawn], visibilities: [.public])
        func record() async throws -> String? {
            try await store.harvestRenderedPage(query, after: nil, limit: 10, prefix: "oai_dc").first.flatMap { $0.record }
                .map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(try await record()?.contains("Phân số cũ") == true)
        var metadata = material.metadata
        metadata.title = "Phân số mới"
        _ = try await store.updateMaterial(material.pid, metadata: metadata, visibility: nil, status: nil)
        let changed = try #require(try await record())
        #expect(changed.contains("Phân số mới") && !changed.contains("Phân số cũ"))
        // Withdrawn: no stored record (the harvest writes a deleted header).
        _ = try await store.updateMaterial(material.pid, metadata: nil, visibility: nil, status: .withdrawn)
        #expect(try await record() == nil)
        let doc = try await OAIProviderTests.respond(t, "verb=ListRecords&metadataPrefix=oai_dc")
        #expect(try doc.select("//o:header[@status='deleted']", namespaces: OAIProviderTests.ns).count == 1)
        #expect(try doc.select("//o:metadata", namespaces: OAIProviderTests.ns).isEmpty)
    }

    @Test("records stored under another renderer are not served, and the refresh writes them again")
    func staleNotServed() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await OAIProviderTests.fill(t, count: 60)
        let store = t.repository.store
        let real = t.repository.oaiRecordRenderer
        // Another address: another key, and records that show it.
        let other = RecordRenderer(key: real.key &+ 1, prefixes: real.prefixes) { material in
            var records = try real.render(material)
            for (prefix, xml) in records { records[prefix] = Data(String(decoding: xml, as: UTF8.self).replacingOccurrences(of: "http://", with: "stale://").utf8) }
            return records
        }
        store.setRecordRenderer(other)
        var after = 0
        while let last = try await store.refreshRenderedRecords(after: after, limit: 7) { after = last }
        #expect(try await Self.storedCount(t, prefix: "lom").stored > 0)
        // Back to the real renderer: the stale records are not served...
        store.setRecordRenderer(real)
        #expect(try await Self.storedCount(t, prefix: "lom").stored == 0)
        let served = try await Self.harvestBytes(t, prefix: "lom", now: Date())
        #expect(!String(decoding: served, as: UTF8.self).contains("stale://"))
        // ...and the refresh, batch by batch, stores current ones for every published material.
        after = 0
        var batches = 0
        while let last = try await store.refreshRenderedRecords(after: after, limit: 7) {
            after = last
            batches += 1
        }
        #expect(batches >= 2)
        let counts = try await Self.storedCount(t, prefix: "lom")
        #expect(counts.stored == counts.all && counts.all > 0)
    }
}
