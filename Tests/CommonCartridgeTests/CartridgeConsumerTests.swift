import CommonCartridge
import ConformanceCorpus
import ContentPackages
import Foundation
import HoclieuCore
import HoclieuXML
import QuestionFormats
import Testing

/// Exports read the way Moodle's and Canvas's cartridge importers read them (issue 13). Each test names the
/// importer file and function whose behaviour it encodes; the checks are written from that code, not copied.
@Suite("Cartridge export: what Moodle's and Canvas's importers make of it")
struct CartridgeConsumerTests {
    static let qti = ["q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"]

    /// Questions of a self-made Moodle XML file: a multiple response with per-choice feedback, a single
    /// choice with per-choice feedback, a true/false.
    static func questions() throws -> [Question] {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <quiz>
              <question type="multichoice">
                <name><text>Số nguyên tố</text></name>
                <questiontext format="html"><text>Chọn các số nguyên tố</text></questiontext>
                <generalfeedback format="html"><text>Số nguyên tố có đúng hai ước.</text></generalfeedback>
                <single>false</single>
                <answer fraction="50"><text>2</text><feedback><text>Đúng: 2 là số nguyên tố chẵn duy nhất</text></feedback></answer>
                <answer fraction="50"><text>3</text><feedback><text>Đúng: 3 chỉ có ước 1 và 3</text></feedback></answer>
                <answer fraction="-100"><text>4</text><feedback><text>Sai: 4 = 2 × 2</text></feedback></answer>
              </question>
              <question type="multichoice">
                <name><text>Phân số</text></name>
                <questiontext format="html"><text>1/2 bằng?</text></questiontext>
                <single>true</single>
                <answer fraction="100"><text>2/4</text><feedback><text>Nhân cả tử và mẫu với 2</text></feedback></answer>
                <answer fraction="0"><text>2/3</text><feedback><text>Mẫu phải gấp đôi tử</text></feedback></answer>
              </question>
              <question type="truefalse">
                <name><text>Chẵn</text></name>
                <questiontext format="html"><text>0 là số chẵn</text></questiontext>
                <answer fraction="100"><text>true</text><feedback><text>Chia hết cho 2</text></feedback></answer>
                <answer fraction="0"><text>false</text><feedback><text>0 chia hết cho 2</text></feedback></answer>
              </question>
            </quiz>
            """
        let result = QuestionFormatRegistry.importQuestions(from: Data(xml.utf8), fileName: "cau-hoi.xml")
        try #require(result.questions.count == 3)
        return result.questions
    }

    static func item(_ id: String, _ title: String, _ content: ExportItem.Content, landing: String? = nil) -> ExportItem {
        ExportItem(
            identifier: id, pid: "HL-\(id)", metadata: MaterialMetadata(title: title, description: "Mô tả \(title)"),
            landingURL: landing ?? "https://hoclieu.example.vn/id/HL-\(id)", content: content)
    }

    static func export(
        _ items: [ExportItem], format: CartridgeExportFormat = .cc1p1, target: CartridgeTarget? = .moodle, organisation: [ExportNode] = [],
        in dir: URL
    ) throws -> (URL, CartridgeExportReport) {
        let out = dir.appendingPathComponent("\(UUID().uuidString).imscc")
        let request = CartridgeExportRequest(
            format: format, target: target, identifier: "hoclieu-consumers", metadata: MaterialMetadata(title: "Toán 6"), organisation: organisation,
            items: items)
        return (out, try CartridgeWriter.write(request, to: out))
    }

    static func text(_ archive: SafeArchive, _ path: String) throws -> String {
        String(decoding: try archive.data(path), as: UTF8.self)
    }

    // MARK: Questions (points 3, 6, 8)

    /// Moodle, `backup/cc/entity11.quiz.class.php`, `get_answers`: the correct choices of a
    /// `cc.multiple_response.v0p1` item are the `varequal[@case='Yes'][not(parent::not)]` under the conditionvar
    /// of the condition whose `setvar[@varname='SCORE']` is 100; each gets 1/count of the grade. Without
    /// `case="Yes"` it found none and every choice scored 0.
    @Test("Moodle finds the correct choices of a multiple-response item (varequal case=\"Yes\" in the SCORE=100 condition)")
    func multipleResponseCorrectAnswers() throws {
        let dir = try CartridgeWriterTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (out, _) = try Self.export([Self.item("R_quiz", "Kiểm tra", .questions(try Self.questions(), isBank: false))], in: dir)
        #expect(try CartridgeValidator.violations(ofCartridgeAt: out).map(\.description) == [])
        let document = try XMLDocument(data: try SafeArchive(url: out).data("R_quiz/assessment.xml"))
        let items = try document.select("//q:item", namespaces: Self.qti)
        let multiple = try #require(
            items.first { (try? $0.selectString("string(.//q:qtimetadatafield[q:fieldlabel='cc_profile']/q:fieldentry)", namespaces: Self.qti)) == "cc.multiple_response.v0p1" })
        let ident = try #require(multiple.attribute("ident"))
        let correct = try document.selectStrings(
            "//q:item[@ident='\(ident)']//q:setvar[@varname='SCORE'][.=100]/../q:conditionvar//q:varequal[@case='Yes'][not(parent::q:not)]",
            namespaces: Self.qti)
        let labels = try multiple.select(".//q:response_label", namespaces: Self.qti)
        let texts = Dictionary(uniqueKeysWithValues: try labels.map { ($0.attribute("ident") ?? "", try $0.selectString("string(.//q:mattext)", namespaces: Self.qti)) })
        #expect(Set(correct.map { texts[$0] ?? "?" }) == ["2", "3"])
    }

    /// Moodle, `backup/cc/entity11.quiz.class.php`: `get_general_feedback` joins the feedback of every
    /// `respcondition continue="Yes"` into the question's general feedback (shown to everyone);
    /// `get_feedback` gives a choice the feedback of the conditions whose first `conditionvar/varequal` names it.
    @Test("Moodle keeps per-choice feedback with its choice, not merged into the general feedback")
    func perChoiceFeedback() throws {
        let dir = try CartridgeWriterTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (out, _) = try Self.export([Self.item("R_quiz", "Kiểm tra", .questions(try Self.questions(), isBank: false))], in: dir)
        let document = try XMLDocument(data: try SafeArchive(url: out).data("R_quiz/assessment.xml"))
        var checked = 0
        for item in try document.select("//q:item", namespaces: Self.qti) {
            let general = try item.select("q:resprocessing/q:respcondition[translate(@continue,'YES','yes')='yes']/q:displayfeedback", namespaces: Self.qti)
                .compactMap { $0.attribute("linkrefid") }
            #expect(general.allSatisfy { ["general_fb", "general_incorrect_fb"].contains($0) }, "\(general)")
            for label in try item.select(".//q:response_label", namespaces: Self.qti) {
                let ident = try #require(label.attribute("ident"))
                var own: [String] = []
                for condition in try item.select("q:resprocessing/q:respcondition", namespaces: Self.qti) {
                    let first = try condition.select("q:conditionvar/q:varequal", namespaces: Self.qti).first?.text ?? ""
                    if first.lowercased() == ident.lowercased() {
                        own += try condition.select("q:displayfeedback", namespaces: Self.qti).compactMap { $0.attribute("linkrefid") }
                    }
                }
                #expect(own.contains("\(ident)_fb"), "choice \(ident) of \(item.attribute("ident") ?? "")")
                checked += 1
            }
        }
        #expect(checked == 7)
    }

    /// Canvas, `gems/plugins/qti_exporter/lib/qti/choice_interaction.rb`, `process_true_false_question`: an item
    /// stays true/false only when one choice text matches `/true/i` and the other `/false/i`, else it becomes
    /// multiple choice. Moodle goes by the identifiers `true`/`false` (`entity11.quiz.class.php`).
    @Test("True/false choices keep their Vietnamese labels and carry the words Canvas needs to keep the type")
    func trueFalseLabels() throws {
        let dir = try CartridgeWriterTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (out, _) = try Self.export(
            [Self.item("R_quiz", "Kiểm tra", .questions(try Self.questions(), isBank: false))], format: .cc1p3, target: .canvas, in: dir)
        let document = try XMLDocument(data: try SafeArchive(url: out).data("R_quiz/assessment.xml"))
        let item = try #require(
            try document.select("//q:item", namespaces: Self.qti).first {
                (try? $0.selectString("string(.//q:qtimetadatafield[q:fieldlabel='cc_profile']/q:fieldentry)", namespaces: Self.qti)) == "cc.true_false.v0p1"
            })
        let labels = try item.select(".//q:response_label", namespaces: Self.qti)
        #expect(labels.compactMap { $0.attribute("ident") } == ["true", "false"])
        let texts = try labels.map { try $0.selectString("string(.//q:mattext)", namespaces: Self.qti) }
        let trueText = texts.first { $0.range(of: "true", options: .caseInsensitive) != nil }
        let falseText = texts.first { $0 != trueText && $0.range(of: "false", options: .caseInsensitive) != nil }
        #expect(trueText?.contains("Đúng") == true)
        #expect(falseText?.contains("Sai") == true)
    }

    /// Moodle, `entity11.quiz.class.php`, `generate_instances`, makes a quiz only of an assessment with
    /// questions, and Canvas imports a placeholder item as a real 1-point essay: an empty set is left out.
    @Test("An empty question set is left out of the cartridge and reported, not replaced by a placeholder essay")
    func emptyQuestionSet() throws {
        let dir = try CartridgeWriterTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (out, report) = try Self.export(
            [Self.item("R_page", "Bài", .webLink(url: "https://vi.wikipedia.org/wiki/Phân_số")), Self.item("R_empty", "Đề trống", .questions([], isBank: false))],
            organisation: [ExportNode(title: "Chương 1", children: [ExportNode(title: "", item: "R_page"), ExportNode(title: "", item: "R_empty")])],
            in: dir)
        let archive = try SafeArchive(url: out)
        #expect(!archive.paths.contains { $0.hasPrefix("R_empty/") })
        let manifest = try Self.text(archive, "imsmanifest.xml")
        #expect(!manifest.contains("R_empty"))
        #expect(report.questionItems == 0)
        #expect(report.losses.map(\.code).contains("emptyQuestionSetLeftOut"))
        #expect(!report.losses.map(\.code).contains("unknownItem"))
        #expect(try CartridgeValidator.violations(ofCartridgeAt: out).map(\.description) == [])
    }

    // MARK: Public links (point 2)

    @Test(
        "A thin cartridge refuses links to localhost, loopback and private hosts with a bilingual message",
        arguments: [
            "http://127.0.0.1:8080/id/HL-1", "http://localhost:8080/id/HL-1", "http://10.1.2.3/id/HL-1", "http://192.168.1.5/id/HL-1",
            "http://172.20.0.4/id/HL-1", "http://[::1]:8080/id/HL-1", "http://hoclieu.localhost/id/HL-1", "http://169.254.1.1/id/HL-1",
        ])
    func loopbackRefused(url: String) throws {
        let dir = try CartridgeWriterTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: CartridgeExportError.publicURLRequired(url: url)) {
            try Self.export([Self.item("R_a", "Bài", .webLink(url: "https://vi.wikipedia.org"), landing: url)], format: .thinCC1p3, target: .canvas, in: dir)
        }
        let message = CartridgeExportError.publicURLRequired(url: url).description
        #expect(message.contains("HOCLIEU_PUBLIC_URL") && message.contains("địa chỉ công khai") && message.contains("public address"))
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.isEmpty == true)
    }

    @Test("A thin cartridge with a public address is written, its links unchanged")
    func publicAddressAccepted() throws {
        let dir = try CartridgeWriterTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (out, _) = try Self.export(
            [Self.item("R_a", "Bài", .webLink(url: "https://vi.wikipedia.org"), landing: "https://hoclieu.edu.vn/id/HL-1")], format: .thinCC1p3,
            target: .canvas, in: dir)
        #expect(try Self.text(SafeArchive(url: out), "R_a/weblink.xml").contains("https://hoclieu.edu.vn/id/HL-1"))
    }

    @Test("A full cartridge writes no loopback landing URL into LOM and says why")
    func loopbackLandingLeftOutOfLOM() throws {
        let dir = try CartridgeWriterTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for format in [CartridgeExportFormat.cc1p1, .cc1p3] {
            let (out, report) = try Self.export(
                [Self.item("R_a", "Bài", .webLink(url: "https://vi.wikipedia.org"), landing: "http://127.0.0.1:8080/id/HL-1")], format: format,
                target: format == .cc1p1 ? .moodle : .canvas, in: dir)
            let archive = try SafeArchive(url: out)
            for path in archive.paths { #expect(!(try Self.text(archive, path)).contains("127.0.0.1"), "\(format): \(path)") }
            #expect(report.losses.filter { $0.code == "landingURLNotPublic" }.count == 1)
        }
    }

    // MARK: Local references (point 4)

    /// Every `src`/`href` of the HTML the cartridge carries, with the document's path.
    static func references(_ archive: SafeArchive) throws -> [(document: String, value: String)] {
        var found: [(String, String)] = []
        let pattern = try NSRegularExpression(pattern: #"(?i)\b(?:src|href)\s*=\s*"([^"]*)""#)
        for path in archive.paths where path.hasSuffix(".html") || path.hasSuffix("/topic.xml") || path.hasSuffix("/assignment.xml") {
            var text = try text(archive, path)
            if !path.hasSuffix(".html") {
                // The HTML is the escaped text of <text>.
                text = try XMLDocument(data: Data(text.utf8)).selectString("string(//*[local-name()='text'])")
            }
            let ns = text as NSString
            for match in pattern.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                found.append((path, HTMLText.decodeEntities(ns.substring(with: match.range(at: 1)))))
            }
        }
        return found
    }

    /// Moodle, `backup/cc/entities.class.php`, `update_sources` + `full_path`: a scheme-less `src`/`href` loses
    /// the literal `$IMS-CC-FILEBASE$` and is joined to the folder of the XML holding the text; `..` climbs.
    static func moodlePath(_ value: String, document: String) -> String {
        let stripped = value.replacingOccurrences(of: "$IMS-CC-FILEBASE$", with: "")
        var parts: [String] = []
        for part in (document.split(separator: "/").dropLast().map(String.init) + stripped.split(separator: "/").map(String.init)) {
            if part == "." || part.isEmpty { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() } } else { parts.append(part) }
        }
        return parts.joined(separator: "/").removingPercentEncoding ?? ""
    }

    /// Canvas, `lib/cc/importer/standard/converter.rb`, `replace_urls` + `get_canvas_att_replacement_url`: the
    /// value is percent-decoded, `$IMS…FILEBASE$` removed, leading `../` and `/` stripped, and the rest looked up
    /// among the cartridge's files, exactly or as the end of a file's path (a query string defeats both).
    static func canvasPath(_ value: String) -> String {
        var v = value.removingPercentEncoding ?? value
        for token in ["$IMS-CC-FILEBASE$", "$IMS_CC_FILEBASE$"] { v = v.replacingOccurrences(of: token, with: "") }
        while v.hasPrefix("../") || v.hasPrefix("/") { v = v.hasPrefix("/") ? String(v.dropFirst()) : String(v.dropFirst(3)) }
        return v
    }

    @Test("Every local reference in pages and topics resolves inside the cartridge, the way Moodle and Canvas resolve it")
    func localReferences() throws {
        let dir = try CartridgeWriterTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let image = dir.appendingPathComponent("blob-image")
        try Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]).write(to: image)
        let page = dir.appendingPathComponent("blob-page")
        try Data(
            """
            <!DOCTYPE html><html><body><p>Xem hình</p>
            <img src="%24IMS-CC-FILEBASE%24/web_resources/H%C3%ACnh%201.png?canvas_download=1">
            <a href="$IMS-CC-FILEBASE$/web_resources/Hình 1.png?canvas_download=1&amp;verifier=x">tải</a>
            <a href="https://vi.wikipedia.org/wiki/Phân_số">Wikipedia</a> <a href="#muc-2">mục 2</a>
            </body></html>
            """.utf8
        ).write(to: page)
        // A package (an imported Canvas page with its files), references relative, with query strings.
        let package = dir.appendingPathComponent("blob-package")
        let entries: [(path: String, data: Data)] = [
            ("wiki_content/bai-1.html", Data(#"<html><body><img src="../web_resources/anh%20a.png?canvas_download=1"><a href="../wiki_content/bai-1.html#top">lên</a></body></html>"#.utf8)),
            ("web_resources/anh a.png", Data([1, 2, 3])),
        ]
        try StoredZipWriter.archive(entries).write(to: package)
        let topic = """
            <p>Hình: <img src="%24IMS-CC-FILEBASE%24/web_resources/H%C3%ACnh%201.png?canvas_download=1"></p>
            <p><a href="$WIKI_REFERENCE$/pages/bai-1">Bài 1</a> <a href="$WIKI_REFERENCE$/pages/khong-co">?</a>
            <a href="$CANVAS_OBJECT_REFERENCE$/quizzes/i123">quiz</a> <a href="$IMS-CC-FILEBASE$/khong/co.pdf">mất</a></p>
            """
        let items = [
            Self.item("R_img", "Hình 1", .file(source: image, fileName: "Hình 1.png", mediaType: "image/png")),
            Self.item("R_page", "Trang", .file(source: page, fileName: "Trang.html", mediaType: "text/html")),
            Self.item("R_pkg", "Bài 1", .package(source: package, fileName: "bai-1.zip", launch: "wiki_content/bai-1.html")),
            Self.item("R_topic", "Thảo luận", .discussion(html: topic)),
        ]
        for (format, target) in [(CartridgeExportFormat.cc1p1, CartridgeTarget.moodle), (.cc1p3, .canvas)] {
            let (out, report) = try Self.export(items, format: format, target: target, in: dir)
            let archive = try SafeArchive(url: out)
            let references = try Self.references(archive)
            #expect(references.count >= 9)
            var local = 0
            for (document, value) in references {
                if value.hasPrefix("http") || value.hasPrefix("#") || value == "about:blank" { continue }
                local += 1
                #expect(!value.contains("?") && !value.contains("$") && !value.contains("%24"), "\(document): \(value)")
                let canvas = Self.canvasPath(value)
                #expect(archive.contains(canvas) || archive.paths.contains { $0.hasSuffix("/" + canvas) }, "Canvas: \(document): \(value)")
                #expect(archive.contains(Self.moodlePath(value, document: document)), "Moodle: \(document): \(value)")
            }
            #expect(local == 6, "\(format)")
            // The page of the package is what `$WIKI_REFERENCE$/pages/bai-1` names.
            #expect(try Self.text(archive, "R_topic/topic.xml").contains("../R_pkg/wiki_content/bai-1.html"))
            let dropped = report.losses.filter { $0.code == "canvasReferenceDropped" || $0.code == "referenceDropped" }
            #expect(Set(dropped.map(\.code)) == ["canvasReferenceDropped", "referenceDropped"])
            #expect(dropped.count == 3, "\(dropped)")
            if format == .cc1p1 { #expect(try CartridgeValidator.violations(ofCartridgeAt: out).map(\.description) == []) }
        }
    }

    // MARK: Assignments (point 5)

    /// Canvas, `lib/cc/importer/standard/assignment_converter.rb`, `convert_cc_assignments`: resources of type
    /// `assignment_xmlv1p0` with an `<assignment>` root become assignments (`title`, `text`, `gradable`,
    /// `submission_formats`); a webcontent page becomes a file.
    @Test("An assignment is an assignment_xmlv1p0 resource in CC 1.3, a page (reported) in CC 1.1")
    func assignments() throws {
        let dir = try CartridgeWriterTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let html = "<!DOCTYPE html><html><head><title>Bài tập</title></head><body><h1>Bài tập 1</h1><p>Giải các phương trình.</p></body></html>"
        let items = [Self.item("R_bt", "Bài tập 1", .assignment(html: html))]
        let (out, report) = try Self.export(items, format: .cc1p3, target: .canvas, in: dir)
        #expect(report.resourceTypes == ["assignment_xmlv1p0": 1])
        let archive = try SafeArchive(url: out)
        let manifest = try Self.text(archive, "imsmanifest.xml")
        #expect(manifest.contains(#"type="assignment_xmlv1p0""#))
        let document = try XMLDocument(data: try archive.data("R_bt/assignment.xml"))
        let root = try #require(document.root)
        #expect(root.name == "assignment" && root.namespaceURI == "http://www.imsglobal.org/xsd/imscc_extensions/assignment")
        let ns = ["a": "http://www.imsglobal.org/xsd/imscc_extensions/assignment"]
        #expect(try document.selectString("string(/a:assignment/a:title)", namespaces: ns) == "Bài tập 1")
        let text = try document.selectString("string(/a:assignment/a:text)", namespaces: ns)
        #expect(text == "<p>Giải các phương trình.</p>")
        #expect(try document.selectString("string(/a:assignment/a:gradable)", namespaces: ns) == "true")
        #expect(try !document.selectStrings("/a:assignment/a:submission_formats/a:format/@type", namespaces: ns).isEmpty)

        let (old, oldReport) = try Self.export(items, format: .cc1p1, target: .moodle, in: dir)
        #expect(oldReport.resourceTypes == ["webcontent": 1])
        #expect(oldReport.losses.map(\.code).contains("assignmentAsPage"))
        #expect(try CartridgeValidator.violations(ofCartridgeAt: old).map(\.description) == [])
    }

    // MARK: Outline (point 7)

    /// Moodle, `backup/cc/cc2moodle.php`, `create_node_course_sections_section`: every item at the depth under
    /// the root becomes a course section; Canvas, `org_converter.rb`, `convert_organizations`: every
    /// `organization > item > item` becomes a module.
    @Test("Loose items go into one folder: no one-item sections", arguments: [true, false])
    func looseItemsGrouped(withOutline: Bool) throws {
        let dir = try CartridgeWriterTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let items = (1...5).map { Self.item("R_\($0)", "Liên kết \($0)", .webLink(url: "https://vi.wikipedia.org/wiki/\($0)")) }
        let outline =
            withOutline
            ? [ExportNode(title: "Chương 1", children: [ExportNode(title: "", item: "R_1")])] + (2...5).map { ExportNode(title: "Liên kết \($0)", item: "R_\($0)") }
            : []
        let (out, _) = try Self.export(items, organisation: outline, in: dir)
        let document = try XMLDocument(data: try SafeArchive(url: out).data("imsmanifest.xml"))
        let ns = ["m": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"]
        let top = try document.select("/m:manifest/m:organizations/m:organization/m:item/m:item", namespaces: ns)
        #expect(top.allSatisfy { $0.attribute("identifierref") == nil })
        #expect(top.count == (withOutline ? 2 : 1))
        let titles = try top.map { try $0.selectString("string(m:title)", namespaces: ns) }
        #expect(titles.last == (withOutline ? "Học liệu khác" : "Toán 6"))
        let leaves = try document.select("//m:item[@identifierref]", namespaces: ns)
        #expect(leaves.count == 5)
        #expect(try CartridgeValidator.violations(ofCartridgeAt: out).map(\.description) == [])
    }

    // MARK: LTI for Moodle (point 9)

    /// The code points PHP's `htmlentities()` writes as HTML 4.01 named entities (the Latin-1 range and a sample
    /// of the symbols: dashes, quotes, Greek, arrows, maths, euro).
    static func hasNamedEntity(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return (0xA0...0xFF).contains(v) || [0x152, 0x153, 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x20AC, 0x2122, 0x2212, 0x2264, 0x2265, 0x2192].contains(v)
            || (0x391...0x3C9).contains(v)
    }

    /// Moodle, `backup/cc/entity11.lti.class.php`, `getValue` runs `htmlentities()` on the title and description
    /// and `create_node_course_modules_mod_basiclti` writes them into `moodle.xml` unescaped; `imscc11/lib.php`,
    /// `execute`, then reloads `moodle.xml` and stops the import when it is not well-formed.
    @Test("Vietnamese LTI titles survive Moodle's htmlentities() path: moodle.xml stays well-formed, the letters stay")
    func moodleLTITitles() throws {
        let dir = try CartridgeWriterTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var lti = Self.item("R_lti", "Mô phỏng – phân số “lớp 6” à ệ Đ ữ", .ltiLink(launchURL: "https://tool.example.vn/launch?a=1&b=2", customParameters: [:]))
        lti.metadata.description = "Học sinh kéo thả các phần bằng nhau… π ≈ 3,14"
        let (out, _) = try Self.export([lti], in: dir)
        #expect(try CartridgeValidator.violations(ofCartridgeAt: out).map(\.description) == [])
        let document = try XMLDocument(data: try SafeArchive(url: out).data("R_lti/lti.xml"))
        let ns = ["b": "http://www.imsglobal.org/xsd/imsbasiclti_v1p0"]
        let title = try document.selectString("string(//b:title)", namespaces: ns)
        let description = try document.selectString("string(//b:description)", namespaces: ns)
        for value in [title, description] {
            #expect(!value.unicodeScalars.contains(where: Self.hasNamedEntity), "\(value.unicodeScalars.filter(Self.hasNamedEntity))")
            // What Moodle writes: the value as htmlentities() leaves it, inside an element of moodle.xml.
            let moodleXML = "<MOD><NAME>\(value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;"))</NAME></MOD>"
            #expect(throws: Never.self) { try XMLDocument(data: Data(moodleXML.utf8)) }
        }
        #expect(title.precomposedStringWithCanonicalMapping.contains("Mô phỏng"))
        #expect(title.precomposedStringWithCanonicalMapping.contains("à ệ Đ ữ"))
        #expect(description.precomposedStringWithCanonicalMapping.hasPrefix("Học sinh kéo thả các phần bằng nhau"))
        // Canvas reads titles as they are: no change there.
        let (canvas, _) = try Self.export([lti], format: .cc1p3, target: .canvas, in: dir)
        let canvasTitle = try XMLDocument(data: try SafeArchive(url: canvas).data("R_lti/lti.xml")).selectString("string(//b:title)", namespaces: ns)
        #expect(canvasTitle == lti.metadata.title)
    }

    // MARK: LTI platform settings (point 10)

    /// Canvas, `lib/cc/importer/blti_converter.rb`, `convert_blti_link`: privacy level, domain, tool id and the
    /// other settings of the tool it creates come from `cartridge_basiclti_link > blti:extensions` with
    /// `platform="canvas.instructure.com"` (`lticm:property` children).
    @Test("An LTI link keeps the platform settings (Canvas's privacy level, tool id) of the cartridge it came from", .needsCorpus)
    func ltiPlatformSettings() throws {
        let dir = try CartridgeWriterTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Read from a real Canvas descriptor of the corpus.
        let source = try SafeArchive(url: try Corpus.url("canvas/canvas_large_cc1p3.imscc")).data("iae0220efe8693f664806e9bfe43b6e30.xml")
        let settings = CartridgeReader.ltiPlatformSettings(fromDescriptor: source)
        #expect(settings == [LTIPlatformSettings(platform: "canvas.instructure.com", properties: ["tool_id": "youtube", "privacy_level": "anonymous"])])

        var lti = Self.item("R_lti", "YouTube", .ltiLink(launchURL: "https://www.edu-apps.org/tool_redirect?id=youtube", customParameters: [:]))
        lti.ltiSettings = settings
        for (format, target) in [(CartridgeExportFormat.cc1p1, CartridgeTarget.moodle), (.cc1p3, .canvas)] {
            let (out, _) = try Self.export([lti], format: format, target: target, in: dir)
            let document = try XMLDocument(data: try SafeArchive(url: out).data("R_lti/lti.xml"))
            let ns = ["c": "http://www.imsglobal.org/xsd/imslticc_v1p0", "b": "http://www.imsglobal.org/xsd/imsbasiclti_v1p0", "m": "http://www.imsglobal.org/xsd/imslticm_v1p0"]
            let privacy = try document.selectString(
                "string(/c:cartridge_basiclti_link/b:extensions[@platform='canvas.instructure.com']/m:property[@name='privacy_level'])", namespaces: ns)
            #expect(privacy == "anonymous")
            if format == .cc1p1 { #expect(try CartridgeValidator.violations(ofCartridgeAt: out).map(\.description) == []) }
        }
    }

    // MARK: Manifest head (point 10)

    /// Moodle, `backup/converter/imscc11/lib.php`, `detect_format`: reads the first 500 bytes of the manifest,
    /// lowercases them, removes whitespace and quotes, and looks for the CC 1.1 default namespace declaration.
    @Test("The CC 1.1 default namespace is declared within the first 500 bytes of the manifest")
    func defaultNamespaceFirst() throws {
        let dir = try CartridgeWriterTests.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (out, _) = try Self.export([Self.item("R_a", "Bài", .webLink(url: "https://vi.wikipedia.org"))], in: dir)
        let head = try SafeArchive(url: out).data("imsmanifest.xml").prefix(500)
        let snippet = String(decoding: head, as: UTF8.self).lowercased().filter { !$0.isWhitespace && $0 != "\"" && $0 != "'" }
        #expect(snippet.contains("xmlns=http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"))
        #expect(try CartridgeValidator.violations(ofCartridgeAt: out).map(\.description) == [])
    }
}
