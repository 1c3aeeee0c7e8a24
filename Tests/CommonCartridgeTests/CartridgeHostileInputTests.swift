import CommonCartridge
import ContentPackages
import Foundation
import HoclieuCore
import Testing

/// Cartridges built in the test (stored zips) to check refusals, warnings and scale.
@Suite("Common Cartridge hostile input")
struct CartridgeHostileInputTests {
    static let cc11 = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
    static let cc13 = "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"

    /// Writes the entries as a stored zip in a fresh directory and reads it.
    static func read(_ entries: [(path: String, data: Data)], limits: ArchiveLimits = .init()) throws(CartridgeError) -> CartridgePlan {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cc-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("test.imscc")
        try? StoredZipWriter.archive(entries).write(to: url)
        return try CartridgeReader.read(contentsOf: url, limits: limits)
    }

    static func manifest(namespace: String = cc13, identifier: String = "M1", organisation: String = "", resources: String) -> Data {
        let version = namespace == cc11 ? "1.1.0" : "1.3.0"
        return Data(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <manifest identifier="\(identifier)" xmlns="\(namespace)">
              <metadata><schema>IMS Common Cartridge</schema><schemaversion>\(version)</schemaversion></metadata>
              <organizations>\(organisation)</organizations>
              <resources>\(resources)</resources>
            </manifest>
            """.utf8)
    }

    static let page = Data("<html><body><p>Hi</p></body></html>".utf8)

    @Test func notAZip() throws {
        #expect {
            _ = try Self.readRaw(Data("this is not a zip".utf8))
        } throws: { error in
            guard case CartridgeError.archive = error else { return false }
            return true
        }
    }

    static func readRaw(_ data: Data) throws -> CartridgePlan {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cc-raw-\(UUID().uuidString).imscc")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try CartridgeReader.read(contentsOf: url)
    }

    @Test func noManifest() {
        #expect(throws: CartridgeError.noManifest) { try Self.read([("page.html", Self.page)]) }
    }

    @Test func manifestNotXML() {
        #expect {
            try Self.read([("imsmanifest.xml", Data("<manifest xmlns=\"\(Self.cc13)\">\n<resources>\n</manifest".utf8))])
        } throws: { error in
            guard case CartridgeError.malformedManifest(let line, let reason) = error else { return false }
            return line >= 2 && !reason.isEmpty
        }
        #expect {
            try Self.read([("imsmanifest.xml", Data("PK not xml at all {}".utf8))])
        } throws: { error in
            guard case CartridgeError.malformedManifest = error else { return false }
            return true
        }
    }

    @Test func doctypeAndXXERefused() {
        let xxe = Data(
            """
            <?xml version="1.0"?>
            <!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <manifest identifier="M" xmlns="\(Self.cc13)"><resources><resource identifier="R" type="webcontent" href="&xxe;"/></resources></manifest>
            """.utf8)
        #expect(throws: CartridgeError.doctypeRefused) { try Self.read([("imsmanifest.xml", xxe)]) }
        let laughs = Data(
            """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
            <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
            <manifest identifier="M" xmlns="\(Self.cc13)"><metadata><schema>&lol4;</schema></metadata></manifest>
            """.utf8)
        #expect(throws: CartridgeError.doctypeRefused) { try Self.read([("imsmanifest.xml", laughs)]) }
    }

    @Test func unknownNamespaceIsNamed() {
        let other = Data(#"<manifest identifier="M" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"/>"#.utf8)
        #expect(throws: CartridgeError.notACartridge(namespace: "http://www.imsproject.org/xsd/imscp_rootv1p1p2")) {
            try Self.read([("imsmanifest.xml", other)])
        }
        #expect(throws: CartridgeError.notACartridge(namespace: "<html>")) { try Self.read([("imsmanifest.xml", Self.page)]) }
    }

    @Test func pathOutOfTheArchive() {
        let manifest = Self.manifest(resources: #"<resource identifier="R1" type="webcontent" href="../../etc/passwd"><file href="../../etc/passwd"/></resource>"#)
        #expect(throws: CartridgeError.unsafePath("../../etc/passwd")) { try Self.read([("imsmanifest.xml", manifest)]) }
        let absolute = Self.manifest(resources: #"<resource identifier="R1" type="webcontent" href="/etc/passwd"/>"#)
        #expect(throws: CartridgeError.unsafePath("/etc/passwd")) { try Self.read([("imsmanifest.xml", absolute)]) }
        let base = Self.manifest(resources: #"<resource identifier="R1" type="webcontent" xml:base="../" href="x.html"/>"#)
        #expect(throws: CartridgeError.unsafePath("x.html")) { try Self.read([("imsmanifest.xml", base)]) }
    }

    @Test func xmlBaseAndEncodedNamesResolve() throws {
        let manifest = Self.manifest(
            resources: #"<resource identifier="R1" type="webcontent" xml:base="pages/" href="my%20page.html"><file href="my%20page.html"/></resource>"#)
        let plan = try Self.read([("imsmanifest.xml", manifest), ("pages/my page.html", Self.page)])
        guard case .file(let path) = plan.resources.first?.content else {
            Issue.record("not a file")
            return
        }
        #expect(path == "pages/my page.html")
        #expect(plan.resources.first?.metadata.title == "my page.html")
    }

    @Test func xxeInResourcePartsIsNeverExpanded() throws {
        // A web link, a discussion and a QTI file, each with an external entity: the entity must never be read,
        // and the resources are left out with a reason (the rest of the cartridge imports).
        let entity = #"<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>"#
        let link = Data("<?xml version=\"1.0\"?>\(entity)<webLink xmlns=\"http://www.imsglobal.org/xsd/imsccv1p3/imswl_v1p3\"><title>&xxe;</title><url href=\"https://x.vn\"/></webLink>".utf8)
        let topic = Data("<?xml version=\"1.0\"?>\(entity)<topic xmlns=\"http://www.imsglobal.org/xsd/imsccv1p3/imsdt_v1p3\"><title>T</title><text texttype=\"text/plain\">&xxe;</text></topic>".utf8)
        let qti = Data("<?xml version=\"1.0\"?>\(entity)<questestinterop xmlns=\"http://www.imsglobal.org/xsd/ims_qtiasiv1p2\"><assessment ident=\"A\" title=\"&xxe;\"><section ident=\"s\"/></assessment></questestinterop>".utf8)
        let manifest = Self.manifest(
            resources: """
                <resource identifier="L" type="imswl_xmlv1p3"><file href="l.xml"/></resource>
                <resource identifier="T" type="imsdt_xmlv1p3"><file href="t.xml"/></resource>
                <resource identifier="Q" type="imsqti_xmlv1p2/imscc_xmlv1p3/assessment"><file href="q.xml"/></resource>
                <resource identifier="P" type="webcontent" href="p.pdf"><file href="p.pdf"/></resource>
                """)
        let plan = try Self.read([("imsmanifest.xml", manifest), ("l.xml", link), ("t.xml", topic), ("q.xml", qti), ("p.pdf", Self.page)])
        let everything = "\(plan.resources.map(\.metadata)) \(plan.resources.map(\.content))"
        #expect(!everything.contains("root:"), "no file content was read through an entity")
        #expect(plan.resources.map(\.identifier).contains("P"))
        for id in ["L", "T"] {
            #expect(!plan.resources.map(\.identifier).contains(id))
            #expect((plan.dropped + plan.warnings).contains { $0.resource == id }, "\(id) is reported")
        }
    }

    @Test func duplicateIdentifiers() {
        // The outline refers to R1, which names two resources: ambiguous, refused.
        let manifest = Self.manifest(
            organisation: #"<organization identifier="O"><item identifier="I1" identifierref="R1"><title>Bài 1</title></item></organization>"#,
            resources: #"<resource identifier="R1" type="webcontent" href="a.html"/><resource identifier="R1" type="webcontent" href="b.html"/>"#)
        #expect(throws: CartridgeError.duplicateIdentifiers(["R1"])) {
            try Self.read([("imsmanifest.xml", manifest), ("a.html", Self.page), ("b.html", Self.page)])
        }
    }

    @Test func unreferencedDuplicateIsImportedWithAWarning() throws {
        let manifest = Self.manifest(
            resources: #"<resource identifier="R1" type="webcontent" href="a.pdf"/><resource identifier="R1" type="webcontent" href="b.pdf"/>"#)
        let plan = try Self.read([("imsmanifest.xml", manifest), ("a.pdf", Self.page), ("b.pdf", Self.page)])
        #expect(plan.resources.map(\.identifier) == ["R1", "R1~2"])
        #expect(plan.warnings.contains { $0.code == "duplicateIdentifier" && $0.resource == "R1~2" })
    }

    @Test func dependencyCycle() {
        let manifest = Self.manifest(
            resources: """
                <resource identifier="A" type="webcontent" href="a.html"><dependency identifierref="B"/></resource>
                <resource identifier="B" type="webcontent" href="b.html"><dependency identifierref="C"/></resource>
                <resource identifier="C" type="webcontent" href="c.html"><dependency identifierref="A"/></resource>
                """)
        #expect(throws: CartridgeError.circularDependency(["A", "B", "C", "A"])) {
            try Self.read([("imsmanifest.xml", manifest), ("a.html", Self.page), ("b.html", Self.page), ("c.html", Self.page)])
        }
    }

    @Test func unknownReferencesAreWarnings() throws {
        let manifest = Self.manifest(
            organisation: """
                <organization identifier="O" structure="rooted-hierarchy"><item identifier="root">
                  <item identifier="I1" identifierref="R1"><title>Page</title></item>
                  <item identifier="I2" identifierref="NOPE"><title>Broken</title></item>
                </item></organization>
                """,
            resources: #"<resource identifier="R1" type="webcontent" href="a.html"><dependency identifierref="GONE"/></resource>"#)
        let plan = try Self.read([("imsmanifest.xml", manifest), ("a.html", Self.page)])
        #expect(plan.organisation == [CartridgeItem(identifier: "I1", title: "Page", resource: "R1")])
        #expect(plan.warnings.map(\.code).sorted() == ["unknownDependency", "unknownItemResource"])
        #expect(plan.resources.first?.metadata.title == "Page")
        #expect(plan.resources.first?.dependencies == [])
    }

    @Test func zipBombIsRefused() {
        // A stored entry cannot lie about its ratio, so the archive limits stand in: 4 MiB against a 1 MiB budget.
        let big = Data(repeating: 0x20, count: 4 << 20)
        #expect {
            try Self.read([("imsmanifest.xml", Self.manifest(resources: "")), ("big.txt", big)], limits: ArchiveLimits(maxExpandedBytes: 1 << 20))
        } throws: { error in
            guard case CartridgeError.archive(.tooLarge) = error else { return false }
            return true
        }
        #expect {
            try Self.read([("imsmanifest.xml", Self.manifest(resources: "")), ("a", Data()), ("b", Data())], limits: ArchiveLimits(maxEntries: 2))
        } throws: { error in
            guard case CartridgeError.archive(.tooManyEntries) = error else { return false }
            return true
        }
    }

    @Test func schemaViolationIsAWarning() throws {
        // `1R` is not an xs:ID (it starts with a digit): CC 1.1 validation flags it, the import goes on.
        let manifest = Self.manifest(namespace: Self.cc11, resources: #"<resource identifier="1R" type="webcontent" href="a.html"><file href="a.html"/></resource>"#)
        let plan = try Self.read([("imsmanifest.xml", manifest), ("a.html", Self.page)])
        #expect(plan.version == .v1p1)
        #expect(plan.schemaValid == false)
        let violation = try #require(plan.warnings.first { $0.code == "schemaViolation" && $0.english.contains("xs:ID") })
        #expect(violation.english.contains("'1R' is not a valid value of the atomic type 'xs:ID'"))
        #expect(violation.line > 0)
        #expect(plan.resources.count == 1)
    }

    @Test func cancelled() {
        let manifest = Self.manifest(resources: #"<resource identifier="R1" type="webcontent" href="a.html"/>"#)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cc-cancel-\(UUID().uuidString).imscc")
        try? StoredZipWriter.archive([("imsmanifest.xml", manifest), ("a.html", Self.page)]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: CartridgeError.cancelled) { try CartridgeReader.read(contentsOf: url, isCancelled: { true }) }
    }

    @Test func errorsAreBilingual() {
        let error = CartridgeError.missingFiles(["a.html", "b.png"])
        #expect(error.vietnamese.contains("thiếu 2 tệp"))
        #expect(error.english.contains("a.html, b.png"))
        #expect(error.description == "\(error.vietnamese) / \(error.english)")
    }

    @Test func rewriteFileBase() {
        let html = Data(
            #"<img src="$IMS-CC-FILEBASE$/images/a.png"><a href="%24IMS-CC-FILEBASE%24/docs/b.pdf">b</a><img src="$IMS_CC_FILEBASE$/c.png">"#.utf8)
        let nested = String(decoding: CartridgeReader.rewriteFileBase(html, documentPath: "wiki_content/sub/page.html"), as: UTF8.self)
        #expect(nested == #"<img src="../../images/a.png"><a href="../../docs/b.pdf">b</a><img src="../../c.png">"#)
        let top = String(decoding: CartridgeReader.rewriteFileBase(html, documentPath: "page.html"), as: UTF8.self)
        #expect(top == #"<img src="images/a.png"><a href="docs/b.pdf">b</a><img src="c.png">"#)
        let untouched = Data("<p>no references</p>".utf8)
        #expect(CartridgeReader.rewriteFileBase(untouched, documentPath: "a/b.html") == untouched)
    }

    @Test func fileBaseReferencesAreBundled() throws {
        let html = Data(#"<html><body><img src="$IMS-CC-FILEBASE$/web_resources/pic%20one.png"></body></html>"#.utf8)
        let manifest = Self.manifest(resources: #"<resource identifier="P" type="webcontent" href="wiki_content/page.html"><file href="wiki_content/page.html"/></resource>"#)
        let plan = try Self.read([("imsmanifest.xml", manifest), ("wiki_content/page.html", html), ("web_resources/pic one.png", Data([1, 2]))])
        guard case .bundle(let launch, let files) = plan.resources.first?.content else {
            Issue.record("not a bundle")
            return
        }
        #expect(launch == "wiki_content/page.html")
        #expect(files == ["wiki_content/page.html", "web_resources/pic one.png"])
    }

    /// 10,000 resources (web links and pages) and an outline pointing at each: read correctly, without quadratic work.
    @Test func tenThousandResources() throws {
        let count = 10_000
        var resources = ""
        var items = ""
        var entries: [(path: String, data: Data)] = []
        for i in 0..<count {
            if i % 2 == 0 {
                resources += #"<resource identifier="R\#(i)" type="webcontent" href="p/\#(i).html"><file href="p/\#(i).html"/></resource>"#
                entries.append(("p/\(i).html", Self.page))
            } else {
                resources += #"<resource identifier="R\#(i)" type="imswl_xmlv1p3"><file href="l/\#(i).xml"/>"#
                    + (i > 1 ? #"<dependency identifierref="R\#(i - 1)"/>"# : "") + "</resource>"
                entries.append(
                    ("l/\(i).xml", Data(#"<webLink xmlns="http://www.imsglobal.org/xsd/imsccv1p3/imswl_v1p3"><title>L\#(i)</title><url href="https://example.org/\#(i)"/></webLink>"#.utf8)))
            }
            items += #"<item identifier="I\#(i)" identifierref="R\#(i)"><title>Item \#(i)</title></item>"#
        }
        let manifest = Self.manifest(
            organisation: #"<organization identifier="O" structure="rooted-hierarchy"><item identifier="root">\#(items)</item></organization>"#,
            resources: resources)
        entries.insert(("imsmanifest.xml", manifest), at: 0)
        let seen = ProgressBox()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cc-big-\(UUID().uuidString).imscc")
        try StoredZipWriter.archive(entries).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let plan = try CartridgeReader.read(contentsOf: url, progress: { seen.record($0) })
        #expect(plan.resources.count == count)
        #expect(plan.organisation.count == count)
        #expect(plan.resources.filter { $0.kind == .link }.count == count / 2)
        #expect(plan.resources[9_999].metadata.title == "Item 9999")
        #expect(seen.last == 1)
        #expect(seen.isMonotonic)
    }
}

/// Collects progress values (called from the reading thread).
final class ProgressBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Double] = []

    func record(_ value: Double) { lock.withLock { values.append(value) } }
    var last: Double? { lock.withLock { values.last } }
    var isMonotonic: Bool { lock.withLock { zip(values, values.dropFirst()).allSatisfy { $0 <= $1 } } }
}
