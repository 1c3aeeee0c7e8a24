import CommonCartridge
import ConformanceCorpus
import Foundation
import HoclieuCore
import QuestionFormats
import Testing

/// What one corpus cartridge must give.
///
/// How the numbers were counted (by hand and with a throw-away Python script over `unzip -p FILE imsmanifest.xml`
/// and the archive listing, never from this reader's output):
/// - version: the root namespace (`imsccv1p1` → 1.1, `imsccv1p3` → 1.3, plain `imscp_v1p1` with `imscc_xmlv1p0`
///   resource types → 1.0) and `<schema>IMS Thin Common Cartridge</schema>` → thin;
/// - materials by kind: one per resource of a supported type, leaving out webcontent/associated-content that is
///   only a dependency of other resources and not in the outline, `cpx:variant` fallback pages, Canvas
///   `course_settings`, quiz and topic settings (associated content whose files are all `.xml`/`.qti`, used by a quiz
///   or topic), unknown types, and resources whose main file is absent from the archive; webcontent launching an HTML
///   file → lesson, a video file → video, any other file → document; imsdt, assignment_xmlv1p0, Canvas assignments
///   (`assignment_settings.xml`), a non-empty Canvas syllabus → document; imswl, imsbasiclti → link; QTI
///   assessments/banks and stand-alone Canvas `non_cc_assessments/*.xml.qti` → question set;
/// - questions: `<item>`s of those QTI files by `question_type`/`cc_profile`, minus the types Hoclieu drops or skips
///   (text_only, calculated, file_upload), minus the items read and found invalid (summer template: 2 matching
///   items with repeated prompts, 2 multiple-answers items with repeated options, 1 fill-in-blanks item without
///   blanks; grouptest: 2 multiple-choice items with an empty text and a dropdown item whose text has no blank;
///   cc2olx corner cases: one `cc.strange.v0p1` item with no presentation);
/// - outline items: every `<item>`, minus a lone untitled wrapper at the top of an organisation, minus items whose
///   resource is unknown or left out and that keep no children.
struct CorpusExpectation: Sendable, CustomTestStringConvertible {
    var file: String
    var version: CartridgeVersion?
    var schemaValid: Bool?
    var kinds: [MaterialKind: Int] = [:]
    var webLinks = 0
    var ltiLinks = 0
    var discussions = 0
    var questionSets = 0
    var questions = 0
    var items = 0
    var error: CartridgeError?

    var testDescription: String { file }
}

@Suite("Common Cartridge corpus", .needsCorpus)
struct CartridgeCorpusTests {
    static let expectations: [CorpusExpectation] = [
        .init(
            file: "canvas/canvas_large_cc1p3.imscc", version: .v1p3, kinds: [.lesson: 2, .document: 34, .link: 2, .questionSet: 33], webLinks: 1,
            ltiLinks: 1, discussions: 17, questionSets: 33, questions: 251, items: 12),
        .init(
            file: "canvas/canvas_summer_template_cc1p1.imscc", version: .v1p1, schemaValid: true, kinds: [.lesson: 12, .document: 44, .questionSet: 15],
            discussions: 8, questionSets: 15, questions: 195, items: 42),
        .init(file: "canvas/ccviewer_assignment-rubrics.imscc", version: .v1p3, kinds: [.document: 1]),
        // Two resources share the identifier `publisheddocument` (nothing refers to it; both files are absent anyway).
        .init(
            file: "canvas/ccviewer_course-1.imscc", version: .v1p3,
            kinds: [.lesson: 2, .document: 6, .link: 1, .questionSet: 2], webLinks: 1, discussions: 1, questionSets: 2, questions: 2, items: 11),
        .init(
            file: "canvas/ccviewer_course-with-associated-content-assignments.imscc", version: .v1p1, schemaValid: false,
            kinds: [.lesson: 1, .document: 5, .link: 2, .questionSet: 3], ltiLinks: 2, discussions: 2, questionSets: 3, questions: 3, items: 5),
        .init(file: "canvas/ccviewer_rich-content-cc-file.imscc", version: .v1p3, kinds: [.lesson: 1, .document: 2]),
        .init(file: "canvas/ccviewer_single-discussion.imscc", version: .v1p3, kinds: [.document: 2], discussions: 1),
        .init(file: "canvas/grouptest_cc1p3.zip", version: .v1p3, kinds: [.questionSet: 4], questionSets: 4, questions: 13, items: 4),
        .init(
            file: "canvas/instructure_qti_canvas_cartridge.imscc", version: .v1p1, schemaValid: true, kinds: [.questionSet: 2], questionSets: 2,
            questions: 14),
        .init(
            file: "canvas/instructure_qti_with_banks.imscc", version: .v1p1, schemaValid: true, kinds: [.questionSet: 4], questionSets: 4, questions: 7),
        .init(file: "canvas/latex_cc1p1.imscc", version: .v1p1, schemaValid: false, kinds: [.lesson: 2], items: 3),
        .init(
            file: "canvas/sample_public_sandbox_course_cc1p1.imscc", version: .v1p1, schemaValid: true,
            kinds: [.lesson: 2, .document: 2, .link: 3, .questionSet: 8], webLinks: 3, questionSets: 8, questions: 23, items: 13),
        .init(file: "canvas/single_page_cc1p3.imscc", version: .v1p3, kinds: [.lesson: 1]),
        .init(file: "canvas/wallacekelly_empty.imscc", version: .v1p1, schemaValid: true),
        .init(
            file: "canvas/wallacekelly_modules.imscc", version: .v1p1, schemaValid: true, kinds: [.lesson: 2, .document: 8, .link: 4, .questionSet: 2],
            webLinks: 2, ltiLinks: 2, discussions: 2, questionSets: 2, questions: 0, items: 16),
        .init(file: "canvas_cc_gem/canvas_cc_gem_course_cc1p1.imscc", version: .v1p1, schemaValid: false, kinds: [.document: 3]),
        .init(
            file: "ims_sample/ims_cc1p1_validation_cartridge_1.imscc", version: .v1p1, schemaValid: false,
            kinds: [.lesson: 2, .document: 4, .link: 4, .questionSet: 2], webLinks: 2, ltiLinks: 2, discussions: 2, questionSets: 2, questions: 22,
            items: 17),
        .init(file: "ims_sample/pyslet_ims_cc1p0_sample_1.zip", version: .v1p0, schemaValid: nil, kinds: [.lesson: 1, .document: 1]),
        .init(file: "ims_sample/pyslet_ims_cc1p1_sample_1.zip", version: .v1p1, schemaValid: true, kinds: [.lesson: 1, .document: 1]),
        .init(file: "libretexts/approaches_to_lit_cc1p1.imscc", version: .v1p1, schemaValid: true, kinds: [.link: 54], webLinks: 54, items: 66),
        .init(
            file: "negative/ims_cc1p1_validation_cartridge_1.missing_files.imscc",
            error: .missingFiles([
                "I_00001_R/Learning_Objectives.html", "I_00003_R/assessment.xml", "I_00003_R/img1.png", "I_00003_R/img2.png", "I_00003_R/img3.png",
                "I_00004_R/assessment.xml", "I_00005_R/weblink1.xml", "I_00006_Media/angry_person.jpg", "I_00006_R/discussion.xml", "I_00008_R.xml",
                "I_media_R/smiling_dog.jpg", "f3/f3.jpg", "f4/f4.jpg", "f5/f5.html", "f5/f5.jpg",
            ])),
        .init(file: "openedx_cc2olx/cc2olx_corner_cases.imscc", version: .v1p3, kinds: [.document: 1, .questionSet: 1], questionSets: 1, items: 3),
        .init(
            file: "openedx_cc2olx/cc2olx_main_fixture.imscc", version: .v1p3, kinds: [.lesson: 5, .document: 6, .link: 10, .questionSet: 2],
            webLinks: 7, ltiLinks: 3, discussions: 1, questionSets: 2, questions: 7, items: 29),
        .init(file: "thin/thincc_1p3_weblink.imscc", version: .thin1p3, kinds: [.link: 1], webLinks: 1, items: 3),
    ]

    @Test func quizImagesComeWithTheirQuestions() throws {
        // The IMS validation cartridge's pretest shows img1–img3.png through `$IMS-CC-FILEBASE$`.
        let plan = try CartridgeReader.read(contentsOf: try Corpus.url("ims_sample/ims_cc1p1_validation_cartridge_1.imscc"))
        let pretest = try #require(plan.resources.first { $0.identifier == "I_00003_R" })
        guard case .questions(let result, _, _) = pretest.content else {
            Issue.record("not a question set")
            return
        }
        let media = Set(result.questions.flatMap { $0.media.map(\.name) })
        #expect(media == ["img1.png", "img2.png", "img3.png"])
        #expect(result.questions.flatMap(\.media).allSatisfy { !$0.data.isEmpty && $0.mediaType == "image/png" })
        let stems = result.questions.map(\.stem.html).joined()
        #expect(!stems.contains("IMS-CC-FILEBASE"), "references rewritten to the media names")
    }

    @Test func everyCorpusCartridgeHasAnExpectation() {
        #expect(Corpus.cartridges.sorted() == Self.expectations.map(\.file).sorted())
    }

    @Test(arguments: expectations)
    func cartridge(_ expected: CorpusExpectation) throws {
        let url = try Corpus.url(expected.file)
        if let error = expected.error {
            #expect(throws: error) { try CartridgeReader.read(contentsOf: url) }
            return
        }
        let plan = try CartridgeReader.read(contentsOf: url)
        #expect(plan.version == expected.version)
        #expect(plan.schemaValid == expected.schemaValid)
        let kinds = Dictionary(grouping: plan.resources, by: \.kind).mapValues(\.count)
        #expect(kinds == expected.kinds)
        var webLinks = 0, lti = 0, discussions = 0, sets = 0, questions = 0
        for resource in plan.resources {
            switch resource.content {
            case .webLink: webLinks += 1
            case .ltiLink: lti += 1
            case .text where resource.format == "imsdt": discussions += 1
            case .questions(let result, _, _):
                sets += 1
                questions += result.report.validByType.values.reduce(0, +)
            default: break
            }
        }
        #expect(webLinks == expected.webLinks)
        #expect(lti == expected.ltiLinks)
        #expect(discussions == expected.discussions)
        #expect(sets == expected.questionSets)
        #expect(questions == expected.questions)
        #expect(Self.count(plan.organisation) == expected.items)
        // Every outline reference names a planned resource.
        let planned = Set(plan.resources.map(\.identifier))
        #expect(Self.references(plan.organisation).allSatisfy(planned.contains))
    }

    @Test func validationCartridgeDetails() throws {
        let plan = try CartridgeReader.read(contentsOf: try Corpus.url("ims_sample/ims_cc1p1_validation_cartridge_1.imscc"))
        #expect(plan.identifier == "cctd0001")
        #expect(plan.metadata.title == "Common Cartridge Test Data Set - Validation Cartridge 1")
        #expect(plan.metadata.keywords == ["Sample"])
        #expect(plan.metadata.language == "en-US")
        // The untitled root item is skipped: the modules are at the top.
        #expect(plan.organisation.map(\.title) == ["Your Mom, Research, & You", "Attachment module", "Misc Module"])
        // I_00008_R.xml ("Non-existent reference") is absent: that resource is left out, the rest is imported.
        #expect(plan.dropped.contains { $0.code == "missingFile" && $0.resource == "I_00008_R" })
        #expect(plan.warnings.contains { $0.code == "schemaViolation" })
        let f5 = try #require(plan.resources.first { $0.identifier == "f5" })
        guard case .bundle(let launch, let files) = f5.content else { Issue.record("f5 is not a bundle"); return }
        #expect(launch == "f5/f5.html")
        #expect(Set(files) == ["f5/f5.html", "f5/f5.jpg", "f3/f3.jpg"])
        #expect(f5.format == "html5")
        let link = try #require(plan.resources.first { $0.identifier == "I_00005_R" })
        guard case .webLink(let url, _) = link.content else { Issue.record("not a web link"); return }
        #expect(url == "http://en.wikipedia.org/wiki/Maternal_insult")
        #expect(link.metadata.title == "Wikipedia - Your Mom")
    }

    @Test func canvasDetails() throws {
        let plan = try CartridgeReader.read(contentsOf: try Corpus.url("canvas/instructure_qti_with_banks.imscc"))
        let banks = plan.resources.filter {
            if case .questions(_, let isBank, _) = $0.content { return isBank }
            return false
        }
        #expect(banks.count == 3)
        let course = try CartridgeReader.read(contentsOf: try Corpus.url("canvas/canvas_large_cc1p3.imscc"))
        #expect(course.dropped.contains { $0.code == "canvasCourseSettings" })
        #expect(course.warnings.filter { $0.code == "unknownItemResource" }.count == 2)
        #expect(course.resources.contains { $0.format == "canvas-syllabus" })
        let thin = try CartridgeReader.read(contentsOf: try Corpus.url("openedx_cc2olx/cc2olx_corner_cases.imscc"))
        #expect(thin.dropped.contains { $0.code == "unsupportedResourceType" && $0.english.contains("imsunknwn_xmlv1p3") })
    }

    static func count(_ items: [CartridgeItem]) -> Int { items.reduce(0) { $0 + 1 + count($1.children) } }

    static func references(_ items: [CartridgeItem]) -> [String] { items.flatMap { ($0.resource.map { [$0] } ?? []) + references($0.children) } }
}
