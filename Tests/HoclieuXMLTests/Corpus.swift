import ConformanceCorpus
import Foundation
import HoclieuXML
import Testing

/// The shared conformance corpus, with the schema files these tests compile.
enum Corpus {
    static var root: URL { ConformanceCorpus.root }

    /// A corpus file or directory that must exist.
    static func url(_ relativePath: String) throws -> URL { try ConformanceCorpus.url(relativePath) }

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
