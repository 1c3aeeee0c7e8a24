import ConformanceCorpus
import Foundation
import HoclieuXML
import Testing

@Suite("XMLStreamReader")
struct StreamReaderTests {
    @Test("Counts the elements of real files like the DOM does", .needsCorpus, arguments: [
        Corpus.validADLManifests[0],
        "qti/v1p2/canvas/canvas_matching_question_qti1p2.xml",
        "scorm/scorm2004/adl_4ed_testsuite_lms_course_manifests/LMSTestPackage_T-01b/imsmanifest.xml",
    ])
    func countsElements(path: String) throws {
        let url = try Corpus.url(path)
        let reader = try XMLStreamReader(contentsOf: url)
        var elements = 0
        var ends = 0
        var maxDepth = 0
        var firstElement: XMLStreamNode?
        try reader.forEach { node in
            switch node.kind {
            case .element:
                elements += 1
                if firstElement == nil { firstElement = node }
                if !node.isEmptyElement { ends -= 1 }
                maxDepth = max(maxDepth, node.depth)
            case .endElement:
                ends += 1
            default:
                break
            }
        }
        #expect(try reader.next() == nil) // stays finished
        let document = try XMLDocument(contentsOf: url)
        #expect(Double(elements) == (try document.selectNumber("count(//*)")))
        #expect(ends == 0)
        let root = try #require(firstElement)
        #expect(root.depth == 0)
        #expect(root.localName == document.root?.name)
        #expect(root.namespaceURI == document.root?.namespaceURI)
        #expect(root.line == document.root?.line)
    }

    @Test("Node details: attributes, namespaces, text", .needsCorpus)
    func nodeDetails() throws {
        let url = try Corpus.url(Corpus.validADLManifests[0])
        let reader = try XMLStreamReader(contentsOf: url)
        var items: [XMLStreamNode] = []
        var titles: [String] = []
        var inTitle = false
        while let node = try reader.next() {
            if node.kind == .element && node.localName == "item" { items.append(node) }
            if node.localName == "title" { inTitle = node.kind == .element }
            if inTitle, node.kind == .text, let value = node.value { titles.append(value) }
        }
        #expect(items.map { $0.attribute("identifier") } == ["activity_1", "activity_2", "activity_3"])
        #expect(items[0].attribute("parameters") == "?tc=CM-01&act=1")
        #expect(items.allSatisfy { $0.namespaceURI == "http://www.imsglobal.org/xsd/imscp_v1p1" && $0.depth == 3 })
        #expect(items[0].line == 23)
        #expect(titles.contains("Activity 1"))
    }

    @Test("Streaming validation: VALID manifest, INVALID QTI item with line numbers", .needsCorpus)
    func streamingValidation() throws {
        let schema = try Corpus.scorm2004Schema()
        let valid = try XMLStreamReader(contentsOf: try Corpus.url(Corpus.validADLManifests[1]), schema: schema)
        while try valid.next() != nil {}
        #expect(valid.validationErrors.isEmpty, "\(valid.validationErrors)")

        let qti = try XMLSchema(contentsOf: try Corpus.url("schemas/qti/qtisdk_schemes/qtiv2p1/imsqti_v2p1.xsd"),
                                allowedDirectories: [try Corpus.url("schemas/qti/qtisdk_schemes")])
        let invalid = try XMLStreamReader(contentsOf: try Corpus.url("qti/v2p1/openolat/onyx_Auswahlaufgabe_1509468352.xml"), schema: qti)
        var count = 0
        while try invalid.next() != nil { count += 1 } // validity errors do not stop reading
        #expect(count > 10)
        let first = try #require(invalid.validationErrors.first)
        #expect(first.line == 2)
        #expect(first.message.contains("itemBody"))
    }

    @Test("Hostile and broken files: DOCTYPE, XXE, depth, truncation")
    func hostileFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func file(_ name: String, _ content: String) throws -> URL {
            let url = directory.appendingPathComponent(name)
            try content.utf8Data.write(to: url)
            return url
        }
        let xxe = try file("xxe.xml", #"<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>"#)
        #expect(throws: XMLError.doctypeNotAllowed) { try XMLStreamReader(contentsOf: xxe).forEach { _ in } }
        var text = ""
        try XMLStreamReader(contentsOf: xxe, options: XMLParseOptions(allowDTD: true)).forEach { text += $0.value ?? "" }
        #expect(!text.contains("root:"))

        let laughs = try file("laughs.xml", HostileInputTests.billionLaughs)
        #expect(throws: XMLError.doctypeNotAllowed) { try XMLStreamReader(contentsOf: laughs).forEach { _ in } }
        #expect(throws: XMLError.self) {
            try XMLStreamReader(contentsOf: laughs, options: XMLParseOptions(allowDTD: true)).forEach { _ in }
        }

        let dtd = try file("evil.dtd", #"<!ENTITY secret "LEAKED"><!ATTLIST x injected CDATA "LEAKED">"#)
        let external = try file("external.xml", #"<!DOCTYPE x SYSTEM "\#(dtd.path)"><x>&secret;</x>"#)
        let externalReader = try XMLStreamReader(contentsOf: external, options: XMLParseOptions(allowDTD: true))
        var externalNodes: [XMLStreamNode] = []
        try externalReader.forEach { externalNodes.append($0) }
        #expect(externalNodes.first { $0.kind == .element }?.attributes == [])
        #expect(!externalNodes.contains { $0.value?.contains("LEAKED") == true })
        #expect(externalReader.diagnostics.contains { $0.message.contains("Entity 'secret' not defined") })

        let unboundPrefix = try file("prefix.xml", "<p:a/>")
        #expect(throws: XMLError.self) { try XMLStreamReader(contentsOf: unboundPrefix).forEach { _ in } }

        let deep = try file("deep.xml", HostileInputTests.nested(30))
        #expect(throws: XMLError.tooDeep(limit: 20)) {
            try XMLStreamReader(contentsOf: deep, options: XMLParseOptions(maxDepth: 20)).forEach { _ in }
        }
        #expect(throws: Never.self) { try XMLStreamReader(contentsOf: deep, options: XMLParseOptions(maxDepth: 30)).forEach { _ in } }
        let veryDeep = try file("verydeep.xml", HostileInputTests.nested(5_000))
        #expect(throws: XMLError.tooDeep(limit: 256)) { try XMLStreamReader(contentsOf: veryDeep).forEach { _ in } }
        #expect(throws: XMLError.tooDeep(limit: 100)) {
            try XMLStreamReader(contentsOf: veryDeep, options: XMLParseOptions(maxDepth: 100)).forEach { _ in }
        }

        let truncated = try file("truncated.xml", "<a>\n  <b>\n    <c>text")
        let reader = try XMLStreamReader(contentsOf: truncated)
        let error = try #require(throws: XMLError.self) { try reader.forEach { _ in } }
        guard case .malformed(let diagnostics) = error else {
            Issue.record("expected .malformed, got \(error)")
            return
        }
        #expect(diagnostics.contains { $0.line == 3 && $0.column > 0 }, "\(diagnostics)")
        #expect(throws: XMLError.self) { try reader.next() } // keeps failing

        let badUTF8 = directory.appendingPathComponent("bad.xml")
        try Data([0x3C, 0x61, 0x3E, 0xFF, 0xFE, 0x3C, 0x2F, 0x61, 0x3E]).write(to: badUTF8)
        #expect(throws: XMLError.self) { try XMLStreamReader(contentsOf: badUTF8).forEach { _ in } }

        #expect(throws: XMLError.self) { try XMLStreamReader(contentsOf: directory.appendingPathComponent("missing.xml")) }
    }
}
