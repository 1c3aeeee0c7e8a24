import ConformanceCorpus
import Foundation
import HoclieuXML
import Testing

@Suite("XMLDocument: parsing, navigation and XPath on real files")
struct DocumentTests {
    static let cp = "http://www.imsglobal.org/xsd/imscp_v1p1"
    static let ns = [
        "cp": cp,
        "imsss": "http://www.imsglobal.org/xsd/imsss",
        "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
    ]

    @Test("SCORM 2004 imsmanifest.xml parses; root, attributes, children, text, lines", .needsCorpus)
    func navigateRealManifest() throws {
        let url = try Corpus.url(Corpus.validADLManifests[0])
        let document = try XMLDocument(contentsOf: url)
        let root = try #require(document.root)
        #expect(root.name == "manifest")
        #expect(root.prefix == nil)
        #expect(root.namespaceURI == Self.cp)
        #expect(root.attribute("identifier") == "LMSTestPackage_CM-01")
        #expect(root.attribute("version") == "1.1.1")
        #expect(root.attribute("schemaLocation", namespace: "http://www.w3.org/2001/XMLSchema-instance")?.contains("imscp_v1p1.xsd") == true)
        #expect(root.attribute("schemaLocation") == nil, "unqualified lookup must not match xsi:schemaLocation")
        #expect(root.line == 13) // the start tag spans lines 2–13; libxml2 records where it ends
        #expect(root.parent == nil)
        #expect(root.children.map(\.name) == ["metadata", "organizations", "resources"])
        let metadata = try #require(root.firstChild(named: "metadata", namespace: Self.cp))
        #expect(metadata.firstChild(named: "schemaversion", namespace: Self.cp)?.text == "2004 4th Edition")
        #expect(metadata.parent == root)
        let organizations = try #require(root.firstChild(named: "organizations", namespace: Self.cp))
        #expect(organizations.attributes == [XMLAttribute(name: "default", value: "CM-01")])
        #expect(document.diagnostics.isEmpty)
    }

    @Test("XPath with namespace bindings on a real manifest", .needsCorpus)
    func xpathOnRealManifest() throws {
        let document = try XMLDocument(contentsOf: try Corpus.url(Corpus.validADLManifests[0]))
        let items = try document.select("//cp:organization/cp:item", namespaces: Self.ns)
        #expect(items.count == 3)
        #expect(items.map { $0.attribute("identifier") } == ["activity_1", "activity_2", "activity_3"])
        // `&amp;` in the attribute comes back decoded.
        #expect(items[0].attribute("parameters") == "?tc=CM-01&act=1")
        #expect(try document.selectString("/cp:manifest/cp:organizations/@default", namespaces: Self.ns) == "CM-01")
        #expect(try document.selectString("normalize-space(//cp:organization/cp:title)", namespaces: Self.ns) == "LMS Test Content Package CM-01")
        #expect(try document.selectNumber("count(//cp:resource)", namespaces: Self.ns) == 7)
        let hrefs = try document.selectStrings("//cp:resource/@href", namespaces: Self.ns)
        #expect(!hrefs.isEmpty)
        #expect(hrefs.allSatisfy { !$0.isEmpty })
        // Relative evaluation from an element.
        let first = items[0]
        #expect(try first.selectString("cp:title", namespaces: Self.ns) == "Activity 1")
        #expect(try first.select("imsss:sequencing/*", namespaces: Self.ns).map(\.name) == ["limitConditions"])
        // Without a binding the default namespace is invisible to XPath 1.0.
        #expect(try document.select("//item").isEmpty)
    }

    @Test("XPath errors are reported, not crashed on")
    func xpathErrors() throws {
        let document = try XMLDocument(data: "<a><b/></a>".utf8Data)
        #expect(throws: XMLError.self) { try document.select("//b[") }
        #expect(throws: XMLError.self) { try document.select("//x:b") } // unbound prefix
        #expect(throws: XMLError.self) { try document.select("count(//b)") } // not a node-set
        #expect(try document.selectNumber("count(//b)") == 1)
    }

    @Test("Entities and CDATA in text; elements outlive their local document reference")
    func textContentAndLifetime() throws {
        func firstChild() throws -> XMLElement {
            let document = try XMLDocument(data: "<r><t>a &amp; b <![CDATA[<c>]]> &#233;</t></r>".utf8Data)
            return try #require(document.root?.children.first)
        }
        let element = try firstChild() // the document is only kept alive by the element
        #expect(element.text == "a & b <c> é")
        #expect(element.document.root?.name == "r")
    }

    @Test("Parallel XPath on one shared document", .needsCorpus)
    func parallelXPath() async throws {
        let document = try XMLDocument(contentsOf: try Corpus.url(Corpus.validADLManifests[0]))
        let counts = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<16 {
                group.addTask { (try? document.select("//cp:item", namespaces: Self.ns).count) ?? -1 }
            }
            var all: [Int] = []
            for await count in group { all.append(count) }
            return all
        }
        #expect(counts == Array(repeating: 3, count: 16))
    }
}
