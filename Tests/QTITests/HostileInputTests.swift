import ConformanceCorpus
import Foundation
import HoclieuCore
import QTI
import QuestionFormats
import Testing
import ZIPFoundation

/// Writes a zip with the given entries (paths as given, even hostile ones) and returns its URL.
func makeZip(_ entries: [(String, Data)]) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("qti-test-\(UUID().uuidString).zip")
    let archive = try Archive(url: url, accessMode: .create)
    for (path, data) in entries {
        try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }
    }
    return url
}

let minimalQTI21Item = """
    <?xml version="1.0" encoding="UTF-8"?>
    <assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="i1" title="Thủ đô" adaptive="false" timeDependent="false">
      <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
        <correctResponse><value>A</value></correctResponse>
      </responseDeclaration>
      <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
      <itemBody>
        <choiceInteraction responseIdentifier="RESPONSE" shuffle="false" maxChoices="1">
          <prompt>Thủ đô của Việt Nam là?</prompt>
          <simpleChoice identifier="A">Hà Nội</simpleChoice>
          <simpleChoice identifier="B">Huế</simpleChoice>
        </choiceInteraction>
      </itemBody>
      <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>
    </assessmentItem>
    """

@Suite("QTI: hostile and broken input")
struct HostileInputTests {
    @Test("An entity declared in a QTI 1.2 DOCTYPE (XXE) is refused before parsing")
    func xxeQTI12() {
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE questestinterop [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
            <questestinterop><item ident="a"><presentation><material><mattext>&xxe;</mattext></material></presentation></item></questestinterop>
            """
        let result = QTI12Importer.importQuestions(from: Data(xml.utf8))
        #expect(result.questions.isEmpty)
        #expect(result.report.fileErrors.map(\.code) == ["doctypeNotAllowed"])
        #expect(!result.report.fileErrors[0].vietnamese.isEmpty)
    }

    @Test("Billion laughs in QTI 1.2 and any DOCTYPE in QTI 2.1 are refused")
    func billionLaughs() {
        var entities = "<!ENTITY lol \"lol\">"
        for level in 1...9 {
            entities += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level == 1 ? "" : String(level - 1));", count: 10) + "\">"
        }
        let qti12 =
            "<?xml version=\"1.0\"?><!DOCTYPE questestinterop [\(entities)]><questestinterop><item ident=\"x\"><presentation><material><mattext>&lol9;</mattext></material></presentation></item></questestinterop>"
        let r12 = QTI12Importer.importQuestions(from: Data(qti12.utf8))
        #expect(r12.report.fileErrors.map(\.code) == ["doctypeNotAllowed"])
        let qti21 =
            "<?xml version=\"1.0\"?><!DOCTYPE assessmentItem [\(entities)]>"
            + minimalQTI21Item.replacingOccurrences(of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", with: "")
        let r21 = QTI21Importer.importQuestions(from: Data(qti21.utf8))
        #expect(r21.questions.isEmpty)
        #expect(r21.report.fileErrors.map(\.code) == ["doctypeNotAllowed"])
    }

    @Test("The IMS spec's DOCTYPE line (external DTD, never loaded) is accepted in QTI 1.2", .needsCorpus)
    func externalDTDLine() throws {
        let result = try importCorpusEntry("v1p2/pyslet_ims_qti1p2p1_examples/mchc_ir_01.xml")
        #expect(result.report.fileErrors.isEmpty)
        #expect(result.questions.count == 1)
    }

    @Test("Non-XML bytes, empty files and wrong roots give a file error and nothing else")
    func notXML() {
        let binary = Data([0x00, 0x01, 0xFF, 0xFE, 0x3C, 0x00])
        #expect(QTIFormats.importQuestions(from: binary).report.fileErrors.map(\.code) == ["unknownFormat"])
        #expect(QTI21Importer.importQuestions(from: binary).report.fileErrors.map(\.code) == ["malformedXML"])
        #expect(QTI12Importer.importQuestions(from: Data("   \n".utf8)).report.fileErrors.map(\.code) == ["emptyFile"])
        let quiz = QTI12Importer.importQuestions(from: Data("<quiz/>".utf8))
        #expect(quiz.report.fileErrors.map(\.code) == ["notQTI12"])
        #expect(quiz.report.fileErrors[0].location?.line == 1)
        let truncated = QTI21Importer.importQuestions(from: Data(minimalQTI21Item.prefix(300).utf8))
        #expect(truncated.report.fileErrors.map(\.code) == ["malformedXML"])
        #expect((truncated.report.fileErrors[0].location?.line ?? 0) > 0)
    }

    @Test("A package with a zip-slip entry is refused; nothing is written outside")
    func zipSlip() throws {
        let manifest = """
            <manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="M"><resources>
            <resource identifier="R" type="imsqti_item_xmlv2p1" href="../evil.xml"><file href="../evil.xml"/></resource>
            </resources></manifest>
            """
        let url = try makeZip([("imsmanifest.xml", Data(manifest.utf8)), ("../evil.xml", Data(minimalQTI21Item.utf8))])
        defer { try? FileManager.default.removeItem(at: url) }
        let result = QTIFormats.importPackage(at: url)
        #expect(result.questions.isEmpty)
        #expect(result.report.fileErrors.map(\.code) == ["invalidPackage"])
        #expect(
            !FileManager.default.fileExists(
                atPath: url.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("evil.xml").path))
    }

    @Test("A manifest resource that climbs out of the package is not read")
    func hrefOutsidePackage() throws {
        let manifest = """
            <manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="M"><resources>
            <resource identifier="R" type="imsqti_item_xmlv2p1" href="../../etc/passwd"/>
            <resource identifier="S" type="imsqti_item_xmlv2p1" href="item.xml"/>
            </resources></manifest>
            """
        let url = try makeZip([("imsmanifest.xml", Data(manifest.utf8)), ("item.xml", Data(minimalQTI21Item.utf8))])
        defer { try? FileManager.default.removeItem(at: url) }
        let result = QTIFormats.importPackage(at: url)
        #expect(result.report.fileErrors.isEmpty)
        #expect(result.questions.count == 1)
    }

    @Test("Zip bytes go through the same checks as a zip file")
    func zipBytes() throws {
        let url = try makeZip([("item.xml", Data(minimalQTI21Item.utf8))])
        defer { try? FileManager.default.removeItem(at: url) }
        let result = QTIFormats.importQuestions(from: try Data(contentsOf: url))
        #expect(result.report.fileErrors.map(\.code) == ["missingManifest"])
    }

    @Test("Size limits apply before parsing")
    func tooLarge() {
        let result = QTI21Importer.importQuestions(from: Data(minimalQTI21Item.utf8), options: QuestionImportOptions(maxBytes: 100))
        #expect(result.report.fileErrors.map(\.code) == ["fileTooLarge"])
    }
}

@Suite("QTI formats: detection and the shared registry")
struct DetectionTests {
    @Test("Detection by content: QTI 1.2, Blackboard pools and bare Sakai items, QTI 2.x, zip packages", .needsCorpus)
    func detect() throws {
        #expect(QTIFormats.detect(try Corpus.data("v1p2/blackboard/moodle_sample_blackboard_pool.dat")) == .qti12)
        #expect(QTIFormats.detect(try Corpus.data("v1p2/sakai/sakai_samigo_sample12Item_audio.xml")) == .qti12)
        #expect(QTIFormats.detect(Data(minimalQTI21Item.utf8)) == .qti21)
        #expect(QTIFormats.detect(try Corpus.data("v1p2/d2l/d2l_question_library_export_2014.zip")) == .package)
        #expect(QTIFormats.detect(Data("<quiz></quiz>".utf8)) == nil)
    }

    @Test("The shared registry does not crash on the QTI formats: it answers with a file error")
    func registryFallback() {
        for format in [QuestionFileFormat.qti12, .qti21] {
            let descriptor = QuestionFormatRegistry.descriptor(for: format)
            #expect(descriptor.exporter == nil)
            let result = descriptor.importer(Data(minimalQTI21Item.utf8), QuestionImportOptions())
            #expect(result.questions.isEmpty)
            #expect(result.report.fileErrors.map(\.code) == ["formatNotRegistered"])
        }
    }
}
