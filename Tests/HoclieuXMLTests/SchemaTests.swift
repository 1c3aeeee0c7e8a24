import ConformanceCorpus
import Foundation
import HoclieuXML
import Testing

@Suite("XMLSchema: compile once, validate real samples (see conformance/VALIDATION.md)")
struct SchemaTests {
    @Test("VALID: ADL SCORM 2004 4th ed. manifests against scorm2004_4th_driver.xsd", .needsCorpus, arguments: Corpus.validADLManifests)
    func validSCORM2004(manifest: String) throws {
        let schema = try Corpus.scorm2004Schema()
        let document = try XMLDocument(contentsOf: try Corpus.url(manifest))
        let errors = schema.validate(document)
        #expect(errors.isEmpty, "\(errors)")
    }

    @Test("INVALID: ONYX QTI 2.1 item against imsqti_v2p1.xsd, error on line 2", .needsCorpus)
    func invalidQTI21() throws {
        let schema = try XMLSchema(contentsOf: try Corpus.url("schemas/qti/qtisdk_schemes/qtiv2p1/imsqti_v2p1.xsd"),
                                   allowedDirectories: [try Corpus.url("schemas/qti/qtisdk_schemes")])
        let document = try XMLDocument(contentsOf: try Corpus.url("qti/v2p1/openolat/onyx_Auswahlaufgabe_1509468352.xml"))
        let errors = schema.validate(document)
        let first = try #require(errors.first)
        #expect(first.line == 2)
        #expect(first.message.contains("itemBody"))
        #expect(first.message.contains("Character content other than whitespace is not allowed"))
        #expect(first.severity == .error)
        #expect(first.file?.hasSuffix("onyx_Auswahlaufgabe_1509468352.xml") == true)

        // The OpenOLAT item of the same dialect is VALID.
        let valid = try XMLDocument(contentsOf: try Corpus.url("qti/v2p1/openolat/openolat_fib-ignore-spaces.xml"))
        #expect(schema.validate(valid).isEmpty)
    }

    @Test("Catalog: CC 1.1 QTI profile imports xml.xsd by absolute URL; VALID and INVALID (line 509) samples", .needsCorpus)
    func catalogResolvedCC11QTIProfile() throws {
        let xsd = try Corpus.url("schemas/cc/v1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd")
        let schema = try XMLSchema(contentsOf: xsd, catalog: try Corpus.catalog)
        #expect(!schema.warnings.contains { $0.message.contains("refused") }, "\(schema.warnings)")

        let valid = try XMLDocument(contentsOf: try Corpus.url(
            "qti/mixed/instructure_qti_spec_fixtures/canvas_cartridge/ib5281f3537a06f58877107a2501a4e2d/assessment_qti.xml"))
        #expect(schema.validate(valid).isEmpty)

        let invalid = try XMLDocument(contentsOf: try Corpus.url("qti/v1p2/canvas/canvas_matching_question_qti1p2.xml"))
        let errors = schema.validate(invalid)
        let first = try #require(errors.first)
        #expect(first.line == 509)
        #expect(first.message.contains("setvar"))
        #expect(first.message.contains("'Add' is not an element of the set"))
        #expect(errors.allSatisfy { $0.line > 0 })
    }

    @Test("Unresolvable https import is skipped with a warning, like xmllint offline (QTI 3.0 CP manifest VALID)", .needsCorpus)
    func refusedImportIsSkippedLikeXmllint() throws {
        let schema = try XMLSchema(contentsOf: try Corpus.url("schemas/qti/qtisdk_schemes/qtiv3p0/imsqtiv3p0_imscpv1p2_v1p0.xsd"),
                                   allowedDirectories: [try Corpus.url("schemas/qti/qtisdk_schemes")],
                                   catalog: try Corpus.catalog)
        #expect(schema.warnings.contains { $0.message.contains("Skipping the import") })
        #expect(schema.warnings.contains {
            $0.message.contains("refused") && $0.message.contains("https://purl.imsglobal.org/spec/w3/1999/schema/xsd/xlink.xsd")
        })
        #expect(schema.warnings.allSatisfy { $0.severity == .warning })
        let manifest = try XMLDocument(contentsOf: try Corpus.url("qti/v3p0/1edtech_qtiv3_examples/packaging/ccPackage/imsmanifest.xml"))
        #expect(schema.validate(manifest).isEmpty)
    }

    @Test("Without the catalog the absolute-URL import is refused, never fetched", .needsCorpus)
    func noCatalogNoNetwork() throws {
        let xsd = try Corpus.url("schemas/cc/v1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd")
        var diagnostics: [XMLDiagnostic] = []
        do {
            let schema = try XMLSchema(contentsOf: xsd)
            diagnostics = schema.warnings
        } catch let XMLError.schema(found) {
            diagnostics = found
        }
        #expect(diagnostics.contains { $0.message.contains("refused") && $0.message.contains("http://www.w3.org/2001/xml.xsd") },
                "\(diagnostics)")
    }

    @Test("Imports outside the schema folder are refused unless allowed; http and /etc/passwd always are")
    func loaderAllowList() throws {
        let base = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        let main = base.appendingPathComponent("main", isDirectory: true)
        let other = base.appendingPathComponent("other", isDirectory: true)
        try FileManager.default.createDirectory(at: main, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:other" elementFormDefault="qualified">
          <xs:simpleType name="code"><xs:restriction base="xs:string"><xs:pattern value="[A-Z]{3}"/></xs:restriction></xs:simpleType>
        </xs:schema>
        """.utf8Data.write(to: other.appendingPathComponent("other.xsd"))
        let mainXSD = main.appendingPathComponent("main.xsd")
        try """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:o="urn:other" targetNamespace="urn:main" elementFormDefault="qualified">
          <xs:import namespace="urn:other" schemaLocation="../other/other.xsd"/>
          <xs:element name="root" type="o:code"/>
        </xs:schema>
        """.utf8Data.write(to: mainXSD)

        let refused = try #require(throws: XMLError.self) { try XMLSchema(contentsOf: mainXSD) }
        guard case .schema(let diagnostics) = refused else {
            Issue.record("expected .schema, got \(refused)")
            return
        }
        #expect(diagnostics.contains { $0.message.contains("refused") && $0.message.contains("other.xsd") }, "\(diagnostics)")

        let schema = try XMLSchema(contentsOf: mainXSD, allowedDirectories: [other])
        #expect(schema.validate(try XMLDocument(data: #"<root xmlns="urn:main">ABC</root>"#.utf8Data)).isEmpty)
        let errors = schema.validate(try XMLDocument(data: "<root xmlns=\"urn:main\">\n\nabc</root>".utf8Data))
        #expect(errors.count == 1)
        #expect(errors.first?.line == 1)

        // A symlink inside the allowed folder that points outside does not escape.
        try FileManager.default.createSymbolicLink(at: main.appendingPathComponent("link.xsd"),
                                                   withDestinationURL: other.appendingPathComponent("other.xsd"))
        let viaLink = main.appendingPathComponent("vialink.xsd")
        try """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:o="urn:other" targetNamespace="urn:main">
          <xs:import namespace="urn:other" schemaLocation="link.xsd"/>
          <xs:element name="root" type="o:code"/>
        </xs:schema>
        """.utf8Data.write(to: viaLink)
        #expect(throws: XMLError.self) { try XMLSchema(contentsOf: viaLink) }

        for location in ["http://127.0.0.1:9/x.xsd", "file:///etc/passwd", "/etc/passwd", "ftp://127.0.0.1/x.xsd"] {
            let xsd = main.appendingPathComponent("remote.xsd")
            try """
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:main">
              <xs:include schemaLocation="\(location)"/>
              <xs:element name="root" type="xs:string"/>
            </xs:schema>
            """.utf8Data.write(to: xsd)
            var diagnostics: [XMLDiagnostic] = []
            do {
                diagnostics = try XMLSchema(contentsOf: xsd).warnings
            } catch let XMLError.schema(found) {
                diagnostics = found
            }
            #expect(diagnostics.contains { $0.message.contains("refused") }, "\(location): \(diagnostics)")
            #expect(!diagnostics.contains { $0.message.contains("root:x:0") })
        }
    }

    @Test("A broken schema is reported as .schema with diagnostics; a missing one as .io")
    func brokenSchema() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let xsd = directory.appendingPathComponent("broken.xsd")
        try #"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" type="nope"/></xs:schema>"#.utf8Data.write(to: xsd)
        let error = try #require(throws: XMLError.self) { try XMLSchema(contentsOf: xsd) }
        guard case .schema(let diagnostics) = error else {
            Issue.record("expected .schema, got \(error)")
            return
        }
        #expect(diagnostics.contains { $0.line == 1 })
        #expect(throws: XMLError.self) { try XMLSchema(contentsOf: directory.appendingPathComponent("missing.xsd")) }
    }

    @Test("Unexpanded entity references: validation failure is reported, not crashed on")
    func entityReferencesInvalid() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let xsd = directory.appendingPathComponent("s.xsd")
        try #"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="a" type="xs:string"/></xs:schema>"#.utf8Data.write(to: xsd)
        let schema = try XMLSchema(contentsOf: xsd)
        let document = try XMLDocument(data: #"<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>"#.utf8Data, options: XMLParseOptions(allowDTD: true))
        let errors = schema.validate(document)
        #expect(!errors.isEmpty)
    }

    @Test("Schemas (with catalogs) compile concurrently", .needsCorpus)
    func concurrentCompilation() async throws {
        let manifest = try XMLDocument(contentsOf: try Corpus.url(Corpus.validADLManifests[2]))
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 {
                group.addTask { try Corpus.scorm2004Schema().validate(manifest).isEmpty }
                group.addTask {
                    let qti = try XMLSchema(contentsOf: try Corpus.url("schemas/cc/v1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd"),
                                            catalog: try Corpus.catalog)
                    return !qti.validate(manifest).isEmpty // a manifest is not a QTI document
                }
            }
            var all: [Bool] = []
            for try await ok in group { all.append(ok) }
            return all
        }
        #expect(results == Array(repeating: true, count: 8))
    }

    @Test("Line numbers past 65,535 are exact (DOM and streaming validation)")
    func bigLineNumbers() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let xsd = directory.appendingPathComponent("list.xsd")
        try """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="r"><xs:complexType><xs:sequence>
        <xs:element name="i" type="xs:int" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element></xs:schema>
        """.utf8Data.write(to: xsd)
        var xml = "<r>\n"
        for n in 2..<70_000 { xml += "<i>\(n)</i>\n" }
        xml += "<i>oops</i>\n</r>\n" // line 70000
        let file = directory.appendingPathComponent("big.xml")
        try xml.utf8Data.write(to: file)

        let schema = try XMLSchema(contentsOf: xsd)
        let document = try XMLDocument(contentsOf: file)
        #expect(try document.select("/r/i[last()]").first?.line == 70_000)
        #expect(schema.validate(document).map(\.line) == [70_000])
        let reader = try XMLStreamReader(contentsOf: file, schema: schema)
        try reader.forEach { _ in }
        #expect(reader.validationErrors.map(\.line) == [70_000])
    }

    @Test("One compiled schema validates 8 documents in parallel (and one document from many tasks)", .needsCorpus)
    func concurrentValidation() async throws {
        let schema = try Corpus.scorm2004Schema()
        let qti = try XMLSchema(contentsOf: try Corpus.url("schemas/qti/qtisdk_schemes/qtiv2p1/imsqti_v2p1.xsd"),
                                allowedDirectories: [try Corpus.url("schemas/qti/qtisdk_schemes")])
        // 5 valid ADL manifests + 3 invalid (QTI item is not a manifest) = 8 documents.
        var documents: [(XMLDocument, Bool)] = try Corpus.validADLManifests.map { (try XMLDocument(contentsOf: try Corpus.url($0)), true) }
        let onyx = try Corpus.url("qti/v2p1/openolat/onyx_Auswahlaufgabe_1509468352.xml")
        for _ in 0..<3 { documents.append((try XMLDocument(contentsOf: onyx), false)) }
        #expect(documents.count == 8)

        let sequential = documents.map { schema.validate($0.0) }
        let parallel = await withTaskGroup(of: (Int, [XMLDiagnostic]).self) { group in
            for (index, (document, _)) in documents.enumerated() {
                group.addTask { (index, schema.validate(document)) }
                group.addTask { (index + 100, qti.validate(document)) } // second schema, same documents
            }
            var results: [Int: [XMLDiagnostic]] = [:]
            for await (index, errors) in group { results[index] = errors }
            return results
        }
        for (index, (_, expectedValid)) in documents.enumerated() {
            #expect(parallel[index] == sequential[index])
            #expect(parallel[index]?.isEmpty == expectedValid)
            #expect(parallel[index + 100]?.isEmpty == false) // manifests are not QTI items; the ONYX item is invalid
        }

        // The same document validated concurrently (libxml2 writes ID tables into it).
        let shared = documents[0].0
        let repeated = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { schema.validate(shared).isEmpty } }
            var all: [Bool] = []
            for await ok in group { all.append(ok) }
            return all
        }
        #expect(repeated == Array(repeating: true, count: 8))
    }
}
