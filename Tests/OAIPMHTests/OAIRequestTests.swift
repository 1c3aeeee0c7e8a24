import Crypto
import Foundation
import HoclieuCore
import OAIPMH
import Testing

@Suite("OAI-PMH requests, datestamps, sets and tokens")
struct OAIRequestTests {
    func code(_ pairs: [(String, String)]) -> OAIError.Code? {
        do {
            _ = try OAIRequest.parse(pairs)
            return nil
        } catch {
            return error.oaiCode
        }
    }

    @Test("The verb must be there once and be one of the six")
    func verbs() {
        #expect(code([]) == .badVerb)
        #expect(code([("verb", "Identify"), ("verb", "Identify")]) == .badVerb)
        #expect(code([("verb", "identify")]) == .badVerb)
        #expect(code([("verb", "")]) == .badVerb)
        for verb in OAIVerb.allCases where verb != .getRecord && verb != .listIdentifiers && verb != .listRecords {
            #expect(code([("verb", verb.rawValue)]) == nil)
        }
    }

    @Test("Unknown, repeated, empty, missing and non-exclusive arguments are badArgument")
    func arguments() {
        #expect(code([("verb", "Identify"), ("set", "x")]) == .badArgument)
        #expect(code([("verb", "ListRecords")]) == .badArgument)
        #expect(code([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("metadataPrefix", "oai_dc")]) == .badArgument)
        #expect(code([("verb", "ListRecords"), ("metadataPrefix", "")]) == .badArgument)
        #expect(code([("verb", "ListRecords"), ("metadataPrefix", "oai_dc"), ("resumptionToken", "x")]) == .badArgument)
        #expect(code([("verb", "GetRecord"), ("identifier", "oai:a.b:1")]) == .badArgument)
        #expect(code([("verb", "ListRecords"), ("resumptionToken", "x")]) == nil)
        #expect(code([("verb", "ListRecords"), ("metadataPrefix", "lom"), ("from", "2026-01-01"), ("set", "grade:6")]) == nil)
        #expect(code([("verb", "ListRecords"), ("metadataPrefix", "lom"), ("bogus", String(repeating: "a", count: 5000))]) == .badArgument)
    }

    @Test("Form bodies and query strings decode + and percent escapes, in order")
    func forms() {
        let pairs = OAIRequest.formPairs("verb=GetRecord&identifier=oai%3Ahoclieu.local%3A79-760-1&metadataPrefix=oai_dc&x=a+b")
        #expect(pairs.map(\.0) == ["verb", "identifier", "metadataPrefix", "x"])
        #expect(pairs[1].1 == "oai:hoclieu.local:79-760-1")
        #expect(pairs[3].1 == "a b")
    }

    @Test("Datestamps: the two granularities, real dates only, and formatting back")
    func datestamps() throws {
        let second = try #require(OAIDatestamp("2026-12-05T01:02:03Z"))
        #expect(second.granularity == .second)
        #expect(OAIDatestamp.format(second.date) == "2026-12-05T01:02:03Z")
        let day = try #require(OAIDatestamp("2024-02-29"))
        #expect(day.granularity == .day)
        #expect(OAIDatestamp.format(day.date) == "2024-02-29T00:00:00Z")
        for bad in ["2023-02-29", "2026-13-01", "2026-12-05T24:00:00Z", "2026-12-05T01:02:03", "2026-12-05T01:02:03.5Z", "26-12-05", "", "2026-12-0a",
            "9999999999-01-01"]
        {
            #expect(OAIDatestamp(bad) == nil, "\(bad)")
        }
        #expect(OAIDatestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(OAIDatestamp.format(Date(timeIntervalSince1970: 951_782_400.9)) == "2000-02-29T00:00:00Z")
    }

    @Test("Set specs parse back to themselves; other names are no set")
    func sets() {
        for spec in ["subject:TOAN", "subject:TOAN:grade:6", "grade:12", "kind:question_set", "node:TOAN.6.SD"] {
            #expect(OAISet(spec: spec)?.spec == spec, "\(spec)")
        }
        for spec in ["subject", "subject:", "subject:toan", "grade:13", "grade:06", "kind:poster", "node:TOAN", "node:TOAN..6", "x:y", "subject:TOAN:grade"] {
            #expect(OAISet(spec: spec) == nil, "\(spec)")
        }
        let m = Material(
            pid: PersistentIdentifier(prefix: "VN", serial: 5), kind: .lesson, format: "text/html",
            metadata: MaterialMetadata(title: "t", subjects: ["TOAN"], grades: [6], knowledgeUnits: ["TOAN.6.SD.2"]), visibility: .public,
            status: .published, ownerID: 1, currentVersion: 1, url: nil, provenance: nil, createdAt: Date(), updatedAt: Date())
        #expect(OAISet.specs(of: m) == ["subject:TOAN", "subject:TOAN:grade:6", "grade:6", "kind:lesson", "node:TOAN.6", "node:TOAN.6.SD", "node:TOAN.6.SD.2"])
    }

    func token(expires: Int64 = 2_000_000_000) -> ResumptionToken {
        ResumptionToken(
            verb: "ListRecords", metadataPrefix: "oai_dc", set: "grade:6", fromMillis: nil, beforeMillis: 5, afterMillis: 1_700_000_000_123,
            afterSerial: 42, cursor: 200, completeListSize: 1000, audience: "public", expires: expires)
    }

    @Test("Tokens round-trip under their key; forged, altered, foreign-key and expired ones are badResumptionToken")
    func tokens() throws {
        let key = ResumptionToken.tokenKey(from: SymmetricKey(size: .bits256))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let text = token().encoded(key: key)
        #expect(try ResumptionToken.decode(text, key: key, now: now) == token())
        func rejected(_ text: String, key: SymmetricKey, now: Date = now) -> Bool {
            do {
                _ = try ResumptionToken.decode(text, key: key, now: now)
                return false
            } catch {
                return error.oaiCode == .badResumptionToken
            }
        }
        #expect(rejected(token().encoded(key: ResumptionToken.tokenKey(from: SymmetricKey(size: .bits256))), key: key))
        var altered = Array(text)
        altered[3] = altered[3] == "A" ? "B" : "A"
        #expect(rejected(String(altered), key: key))
        // A payload of its own with a signature from another payload.
        let other = token(expires: 2_100_000_000).encoded(key: key)
        let spliced = String(other.split(separator: ".")[0]) + "." + String(text.split(separator: ".")[1])
        #expect(rejected(spliced, key: key))
        #expect(rejected(token(expires: 1_799_999_999).encoded(key: key), key: key))
        for junk in ["", ".", "abc", "a.b.c", String(repeating: "A", count: 5000), "%%%.%%%"] { #expect(rejected(junk, key: key), "\(junk)") }
    }
}
