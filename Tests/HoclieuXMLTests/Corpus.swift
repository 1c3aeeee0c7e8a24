import Foundation
import HoclieuXML
import Testing

/// Locates the shared conformance corpus (`<repo>/../shared/conformance`), resolved from
/// this file's path so it works from any working directory and through symlinked
/// checkouts. `HOCLIEU_CONFORMANCE_DIR` may point elsewhere. Missing files fail the
/// calling test with an explicit message; tests never pass silently without the corpus.
enum Corpus {
    static let root: URL = {
        if let override = ProcessInfo.processInfo.environment["HOCLIEU_CONFORMANCE_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        return URL(fileURLWithPath: #filePath)
            .resolvingSymlinksInPath()
            .deletingLastPathComponent() // Tests/HoclieuXMLTests
            .deletingLastPathComponent() // Tests
            .deletingLastPathComponent() // repository root
            .deletingLastPathComponent() // folder holding the repository and `shared`
            .appendingPathComponent("shared/conformance", isDirectory: true)
    }()

    /// A corpus file or directory that must exist.
    static func url(_ relativePath: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> URL {
        let url = root.appendingPathComponent(relativePath)
        try #require(
            FileManager.default.fileExists(atPath: url.path),
            "Conformance corpus entry missing: \(url.path). These tests need the shared corpus at <repo>/../shared/conformance (see shared/conformance/README.md) or HOCLIEU_CONFORMANCE_DIR.",
            sourceLocation: sourceLocation
        )
        return url
    }

    static var schemas: URL { get throws { try url("schemas") } }
    static var catalog: URL { get throws { try url("schemas/catalog.xml") } }

    /// ADL SCORM 2004 4th edition test-suite manifests listed as VALID in VALIDATION.md.
    static let validADLManifests = ["CM-01", "CO-03", "CT-01", "OB-01a", "SX-02"].map {
        "scorm/scorm2004/adl_4ed_testsuite_lms_course_manifests/LMSTestPackage_\($0)/imsmanifest.xml"
    }
    static let scorm2004Driver = "schemas/_drivers/scorm2004_4th_driver.xsd"

    /// SCORM 2004 4th ed. driver schema. It imports `../scorm2004_4th/*.xsd` (outside its
    /// own folder, so the schemas root is allowed explicitly) and `imscp_v1p1.xsd` imports
    /// `http://www.w3.org/2001/xml.xsd`, resolved offline through the corpus catalog.
    static func scorm2004Schema() throws -> XMLSchema {
        try XMLSchema(contentsOf: try url(scorm2004Driver), allowedDirectories: [try schemas], catalog: try catalog)
    }
}

/// A fresh temporary directory, removed by the caller.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("hoclieu-xml-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

extension String {
    var utf8Data: Data { Data(utf8) }
}
