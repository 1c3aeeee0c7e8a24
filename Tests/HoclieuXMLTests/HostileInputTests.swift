import Foundation
import HoclieuXML
import Testing

@Suite("Hostile and broken inputs")
struct HostileInputTests {
    static let dtdAllowed = XMLParseOptions(allowDTD: true)

    /// The first bytes of /etc/passwd on any Linux/macOS machine.
    static let passwdMarker = "root:"

    @Test("XXE (file:///etc/passwd) is rejected when DTDs are not allowed")
    func xxeRejected() throws {
        let xml = #"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>"#
        #expect(throws: XMLError.doctypeNotAllowed) { try XMLDocument(data: xml.utf8Data) }
    }

    @Test("XXE does not leak /etc/passwd even when DTDs are allowed")
    func xxeNotExpanded() throws {
        let xml = #"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>before&e;after<y a="&#38;e;"/></x>"#
        let document = try XMLDocument(data: xml.utf8Data, options: Self.dtdAllowed)
        let root = try #require(document.root)
        #expect(!root.text.contains(Self.passwdMarker))
        #expect(root.text == "beforeafter")
        #expect(try !document.selectString("string(/x)").contains(Self.passwdMarker))
        #expect(try document.selectStrings("//text()").allSatisfy { !$0.contains(Self.passwdMarker) })
    }

    @Test("Parameter-entity XXE is neither loaded nor expanded; XInclude is not processed")
    func parameterEntityXXEAndXInclude() throws {
        let xml = #"<!DOCTYPE x [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><x/>"#
        #expect(throws: XMLError.doctypeNotAllowed) { try XMLDocument(data: xml.utf8Data) }
        let document = try XMLDocument(data: xml.utf8Data, options: Self.dtdAllowed)
        #expect(document.root?.text == "")

        let xinclude = #"<x xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd" parse="text"/></x>"#
        let included = try XMLDocument(data: xinclude.utf8Data)
        #expect(included.root?.text == "")
        #expect(included.root?.children.first?.name == "include")
    }

    static let billionLaughs = """
    <?xml version="1.0"?>
    <!DOCTYPE lolz [
     <!ENTITY lol "lol">
     <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
     <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
     <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
     <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
     <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
     <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
     <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
     <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
     <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
    ]>
    <lolz>&lol9;</lolz>
    """

    @Test("Billion laughs: rejected as a DOCTYPE, and not expanded when DTDs are allowed")
    func billionLaughs() throws {
        #expect(throws: XMLError.doctypeNotAllowed) { try XMLDocument(data: Self.billionLaughs.utf8Data) }
        let clock = ContinuousClock()
        let start = clock.now
        // libxml2 2.9.14 refuses it even without entity substitution ("Detected an entity
        // reference loop" on the amplification check).
        let error = try #require(throws: XMLError.self) {
            try XMLDocument(data: Self.billionLaughs.utf8Data, options: Self.dtdAllowed)
        }
        guard case .malformed(let diagnostics) = error else {
            Issue.record("expected .malformed, got \(error)")
            return
        }
        #expect(!diagnostics.isEmpty)
        #expect(clock.now - start < .seconds(5))
    }

    @Test("External DTD is never loaded (no default attributes, no entities from it)")
    func externalDTDNotLoaded() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let dtd = directory.appendingPathComponent("evil.dtd")
        try #"<!ENTITY secret "LEAKED"><!ATTLIST x injected CDATA "LEAKED">"#.utf8Data.write(to: dtd)
        let xml = #"<?xml version="1.0"?><!DOCTYPE x SYSTEM "\#(dtd.absoluteString)"><x>&secret;</x>"#
        #expect(throws: XMLError.doctypeNotAllowed) { try XMLDocument(data: xml.utf8Data) }

        let document = try XMLDocument(data: xml.utf8Data, options: Self.dtdAllowed)
        let root = try #require(document.root)
        #expect(root.attribute("injected") == nil)
        #expect(!root.text.contains("LEAKED"))
        // Not a well-formedness error when an (unread) external subset exists, but reported.
        #expect(document.diagnostics.contains { $0.message.contains("Entity 'secret' not defined") })
        // Same through a plain path and through http (which must not be fetched either).
        for systemID in [dtd.path, "http://127.0.0.1:9/evil.dtd"] {
            let other = #"<!DOCTYPE x SYSTEM "\#(systemID)"><x/>"#
            let doc = try XMLDocument(data: other.utf8Data, options: Self.dtdAllowed)
            #expect(doc.root?.attribute("injected") == nil)
        }
    }

    @Test("Oversized input is refused before parsing (data and file)")
    func oversized() throws {
        let options = XMLParseOptions(maxBytes: 100)
        let small = "<a>" + String(repeating: "x", count: 90) + "</a>"
        #expect(small.utf8.count <= 100)
        #expect(throws: Never.self) { try XMLDocument(data: small.utf8Data, options: options) }
        let big = "<a>" + String(repeating: "x", count: 94) + "</a>"
        #expect(big.utf8.count == 101)
        #expect(throws: XMLError.tooLarge(limit: 100)) { try XMLDocument(data: big.utf8Data, options: options) }

        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("big.xml")
        try big.utf8Data.write(to: file)
        #expect(throws: XMLError.tooLarge(limit: 100)) { try XMLDocument(contentsOf: file, options: options) }
        #expect(throws: XMLError.tooLarge(limit: 100)) { try XMLStreamReader(contentsOf: file, options: options) }
    }

    static func nested(_ depth: Int) -> String {
        String(repeating: "<e>", count: depth) + String(repeating: "</e>", count: depth)
    }

    @Test("Too deep nesting: custom limit and libxml2's 256 cap")
    func tooDeep() throws {
        let options = XMLParseOptions(maxDepth: 10)
        #expect(throws: Never.self) { try XMLDocument(data: Self.nested(10).utf8Data, options: options) }
        #expect(throws: XMLError.tooDeep(limit: 10)) { try XMLDocument(data: Self.nested(11).utf8Data, options: options) }
        #expect(throws: Never.self) { try XMLDocument(data: Self.nested(256).utf8Data) }
        #expect(throws: XMLError.tooDeep(limit: 256)) { try XMLDocument(data: Self.nested(257).utf8Data) }
        // Asking for more than libxml2 allows without XML_PARSE_HUGE is capped, not honoured.
        let generous = XMLParseOptions(maxDepth: 10_000)
        #expect(generous.effectiveMaxDepth == 256)
        #expect(throws: XMLError.tooDeep(limit: 256)) { try XMLDocument(data: Self.nested(100_000).utf8Data, options: generous) }
    }

    @Test("Invalid UTF-8 is malformed, with a line number")
    func invalidUTF8() throws {
        var bytes = Data("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>\nok\n".utf8)
        bytes.append(contentsOf: [0xC3, 0x28, 0xFF, 0xFE])
        bytes.append(contentsOf: Data("</a>".utf8))
        let error = try #require(throws: XMLError.self) { try XMLDocument(data: bytes) }
        guard case .malformed(let diagnostics) = error else {
            Issue.record("expected .malformed, got \(error)")
            return
        }
        let first = try #require(diagnostics.first)
        #expect(first.message.localizedCaseInsensitiveContains("UTF-8"))
        #expect(first.line == 4)
        #expect(first.severity == .fatal)
    }

    @Test("Truncated document is malformed with line and column")
    func truncated() throws {
        let xml = "<?xml version=\"1.0\"?>\n<manifest>\n  <organizations>\n    <organization identifier=\"o1\">\n      <title>T"
        let error = try #require(throws: XMLError.self) { try XMLDocument(data: xml.utf8Data) }
        guard case .malformed(let diagnostics) = error else {
            Issue.record("expected .malformed, got \(error)")
            return
        }
        #expect(!diagnostics.isEmpty)
        #expect(diagnostics.allSatisfy { $0.line >= 5 && $0.column > 0 })
        #expect(diagnostics.contains { $0.message.contains("Premature end of data") || $0.message.contains("EndTag") })
    }

    @Test("Namespace errors, empty input and junk are malformed")
    func otherMalformed() throws {
        for input in ["<p:a/>", "", "   ", "not xml", "<a></b>", "<a/><b/>", "<a x='1' x='2'/>"] {
            let error = try #require(throws: XMLError.self, "input: \(input)") { try XMLDocument(data: input.utf8Data) }
            guard case .malformed(let diagnostics) = error else {
                Issue.record("expected .malformed for \(input), got \(error)")
                continue
            }
            #expect(!diagnostics.isEmpty)
        }
    }

    @Test("Reading a missing file is an I/O error")
    func missingFile() throws {
        let url = URL(fileURLWithPath: "/nonexistent/hoclieu/\(UUID().uuidString).xml")
        let error = try #require(throws: XMLError.self) { try XMLDocument(contentsOf: url) }
        guard case .io = error else {
            Issue.record("expected .io, got \(error)")
            return
        }
    }
}
