import ConformanceCorpus
import Foundation
import Testing

/// `HOCLIEU_REQUIRE_CORPUS=1` (set by `.ci/run`) turns a missing conformance corpus into a failure; without it,
/// the tests that need the corpus are skipped with the reason printed (a fresh clone has no `../shared`).
@Suite("The conformance corpus")
struct CorpusPresenceTests {
    @Test("Present when required: in CI a missing corpus fails, it is never silently skipped")
    func requiredMeansPresent() {
        if ConformanceCorpus.isRequired {
            #expect(ConformanceCorpus.isPresent, "HOCLIEU_REQUIRE_CORPUS is set but the corpus is missing: \(ConformanceCorpus.skipReason)")
        }
    }

    @Test("The self-written fixtures are part of the clone")
    func fixturesPresent() throws {
        #expect(FileManager.default.fileExists(atPath: try Fixtures.url("scorm/scorm12-default-org-missing/imsmanifest.xml").path))
        #expect(FileManager.default.fileExists(atPath: try Fixtures.url("case/opensalt-string-uris.json").path))
    }
}
