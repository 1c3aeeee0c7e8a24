import ConformanceCorpus
import Foundation
import HoclieuXML
import Testing

@Suite("XMLWriter")
struct WriterTests {
    static let cp = "http://www.imsglobal.org/xsd/imscp_v1p1"
    static let xsi = "http://www.w3.org/2001/XMLSchema-instance"

    /// A minimal IMS CP manifest with awkward text.
    static func writeManifest(_ writer: XMLWriter) throws {
        try writer.startDocument()
        try writer.startElement("manifest", namespaceURI: cp)
        try writer.namespaceDeclaration(prefix: "xsi", uri: xsi)
        try writer.attribute("identifier", "MANIFEST-1")
        try writer.attribute("schemaLocation", "\(cp) imscp_v1p1.xsd", prefix: "xsi")
        try writer.startElement("organizations")
        try writer.endElement()
        try writer.startElement("resources")
        try writer.startElement("resource")
        try writer.attribute("identifier", "R1")
        try writer.attribute("type", "webcontent")
        try writer.attribute("href", "bài 1/index.html?a=1&b=\"2\"")
        try writer.startElement("file")
        try writer.attribute("href", "bài 1/index.html")
        try writer.endElement()
        try writer.endElement()
        try writer.endElement()
        try writer.comment(" Tiếng Việt: đ, ơ, ư & <ok> ")
        try writer.endDocument() // closes </manifest>
    }

    static func manifestData() throws -> Data {
        let writer = try XMLWriter()
        try writeManifest(writer)
        return try writer.data()
    }

    @Test("Output is indented, deterministic and parses back")
    func roundTrip() throws {
        let first = try Self.manifestData()
        let second = try Self.manifestData()
        #expect(first == second)
        let text = try #require(String(data: first, encoding: .utf8))
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<manifest "))
        // libxml2 writes the namespace declaration of startElement after the attributes.
        #expect(text.contains(" identifier=\"MANIFEST-1\" "))
        #expect(text.contains(" xmlns=\"\(Self.cp)\">\n"))
        #expect(text.contains("\n  <organizations/>\n"))
        #expect(text.contains("\n    <resource "))
        #expect(text.contains("&amp;b=&quot;2&quot;"))

        let document = try XMLDocument(data: first)
        let root = try #require(document.root)
        #expect(root.namespaceURI == Self.cp)
        #expect(root.attribute("schemaLocation", namespace: Self.xsi) == "\(Self.cp) imscp_v1p1.xsd")
        let resource = try #require(try document.select("//cp:resource", namespaces: ["cp": Self.cp]).first)
        #expect(resource.attribute("href") == "bài 1/index.html?a=1&b=\"2\"")
        #expect(resource.children.first?.namespaceURI == Self.cp)
    }

    @Test("Written manifest validates against the real IMS CP schema", .needsCorpus)
    func writtenManifestIsValid() throws {
        let schema = try Corpus.scorm2004Schema()
        let document = try XMLDocument(data: try Self.manifestData())
        #expect(schema.validate(document).isEmpty, "\(schema.validate(document))")
    }

    @Test("Text escaping round-trips; invalid characters and names are refused")
    func escapingAndChecks() throws {
        let writer = try XMLWriter()
        try writer.startDocument()
        try writer.startElement("t")
        let awkward = "a < b && c > d ]]> \"q\" 'a' \t tab\nnewline đ 😀"
        try writer.text(awkward)
        #expect(throws: XMLError.self) { try writer.text("bell\u{7}") }
        #expect(throws: XMLError.self) { try writer.attribute("a", "nul\u{0}") }
        #expect(throws: XMLError.self) { try writer.startElement("1bad") }
        #expect(throws: XMLError.self) { try writer.startElement("a b") }
        #expect(throws: XMLError.self) { try writer.comment("a -- b") }
        try writer.endElement()
        #expect(throws: XMLError.self) { try writer.endElement() }
        try writer.endDocument()
        #expect(throws: XMLError.self) { try writer.startElement("late") }
        let document = try XMLDocument(data: try writer.data())
        #expect(document.root?.text == awkward)
    }

    @Test("Writing to a file gives the same bytes as writing to memory")
    func fileDestination() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("imsmanifest.xml")
        let writer = try XMLWriter(fileURL: url)
        try Self.writeManifest(writer)
        #expect(throws: XMLError.self) { try writer.data() }
        #expect(try Data(contentsOf: url) == (try Self.manifestData()))
        #expect(try XMLDocument(contentsOf: url).root?.name == "manifest")
    }
}
