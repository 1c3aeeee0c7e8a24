import ConformanceCorpus
import Foundation
import HoclieuCore
import QTI
import QuestionFormats
import Testing

@Suite("QTI 1.2 import: right answers, feedback, dialects")
struct QTI12ImportTests {
    func only(_ path: String) throws -> Question {
        let result = try importCorpusEntry(path)
        #expect(result.report.fileErrors.isEmpty, "\(result.report.fileErrors)")
        return try #require(result.questions.first)
    }

    @Test("Canvas multiple choice: the option scored by setvar is the right one", .needsCorpus)
    func canvasChoice() throws {
        let question = try only("mixed/instructure_qti_spec_fixtures/items_1.2/multiple_choice.xml")
        guard case .singleChoice(let choice) = question.body else { Issue.record("not single choice: \(question.type)"); return }
        #expect(choice.options.count == 5)
        #expect(choice.options.filter(\.isCorrect).map(\.text.html) == ["At least 3 hours"])
        #expect(question.stem.html.contains("<img"))
        #expect(question.title == "How much time each week?")
    }

    @Test("Canvas fill in multiple blanks: a cloze whose gaps accept every listed answer", .needsCorpus)
    func canvasMultipleBlanks() throws {
        let question = try only("mixed/instructure_qti_spec_fixtures/items_1.2/canvas_multiple_fib.xml")
        guard case .cloze(let cloze) = question.body else { Issue.record("not a cloze: \(question.type)"); return }
        #expect(question.stem.html.contains("Roses are {#1}, violets are {#2}"))
        let patterns = cloze.gaps.map { gap -> [String] in
            if case .shortText(let text) = gap.kind { return text.keys.map(\.pattern) }
            return []
        }
        #expect(patterns == [["red", "Red"], ["blue", "Blue"]])
    }

    @Test("Canvas matching: prompts paired with the scored labels, duplicates collapsed", .needsCorpus)
    func canvasMatching() throws {
        let question = try only("v1p2/canvas/canvas_matching_question_qti1p2.xml")
        guard case .matching(let matching) = question.body else { Issue.record("not matching: \(question.type)"); return }
        #expect(matching.pairs.count >= 4)
        #expect(matching.pairs[0].prompt.html.contains("TO LOVE ONE ANOTHER"))
        #expect(matching.pairs[0].answer == "substantive")
        #expect(Set(matching.answerChoices).isSubset(of: ["substantive", "adverbial", "adjectival"]))
    }

    @Test("Blackboard pool (.dat, not QTI): each question type with its right answer", .needsCorpus)
    func blackboardPool() throws {
        let result = try importCorpusEntry("v1p2/blackboard/moodle_sample_blackboard_pool.dat")
        let byTitle = Dictionary(uniqueKeysWithValues: result.questions.map { ($0.title, $0) })
        guard case .trueFalse(let tf) = byTitle["q1"]?.body else { Issue.record("q1"); return }
        #expect(tf.correctAnswer)
        guard case .singleChoice(let mc) = byTitle["q7"]?.body else { Issue.record("q7"); return }
        #expect(mc.options.filter(\.isCorrect).map { HTMLText.stripTags($0.text.html) } == ["yellow"])
        guard case .multipleResponse(let ma) = byTitle["q8"]?.body else { Issue.record("q8"); return }
        #expect(ma.options.filter { $0.fraction > 0 }.count == 2)
        guard case .matching(let match) = byTitle["q39-44"]?.body else { Issue.record("q39-44"); return }
        #expect(match.pairs.map(\.answer) == ["amphibian", "mammal", "amphibian"])
        #expect(match.distractors == ["insect"])
        guard case .shortText(let fib) = byTitle["q27"]?.body else { Issue.record("q27"); return }
        #expect(fib.keys.map(\.pattern) == ["frog"])
        #expect(byTitle["q1"]?.outcomeFeedback?.correct.html == "You gave the right answer.")
    }

    @Test("D2L question library (IMS CP + d2l extensions): 139 questions, sections as categories", .needsCorpus)
    func d2l() throws {
        let result = try importCorpusEntry("v1p2/d2l/d2l_question_library_export_2014.zip")
        #expect(result.report.format == .qti12)
        // 139 questions; number 105 offers the same two options twice (checked in the file): invalid.
        #expect(result.report.entries.count == 139)
        #expect(result.questions.count == 138)
        #expect(result.report.entries.filter { $0.outcome == .invalid }.map(\.number) == [105])
        #expect(result.report.entries.first { $0.outcome == .invalid }?.errors.map(\.code) == ["duplicateOptions"])
        #expect(result.categories.first?.path == "Chapter 16 Nonparametric Methods: Analysis of Ordinal Data")
        let tf = try #require(result.questions.first)
        guard case .trueFalse(let body) = tf.body else { Issue.record("first is not true/false"); return }
        #expect(body.correctAnswer)
    }

    @Test("IMS examples: numeric ranges become a key with a tolerance; flow blanks become a cloze", .needsCorpus)
    func imsExamples() throws {
        let numeric = try only("v1p2/pyslet_ims_qti1p2p1_examples/fibn_ir_01.xml")
        guard case .numeric(let n) = numeric.body else { Issue.record("not numeric: \(numeric.type)"); return }
        #expect(!n.keys.isEmpty)
        let cloze = try only("v1p2/pyslet_ims_qti1p2p1_examples/fibs_ir_02.xml")
        guard case .cloze(let c) = cloze.body else { Issue.record("not cloze: \(cloze.type)"); return }
        #expect(c.gaps.count == 3)
        let first = c.gaps.map { gap -> String in
            if case .shortText(let text) = gap.kind { return text.keys.first?.pattern ?? "" }
            return ""
        }
        #expect(first == ["stage", "players", "seven"])
        #expect(cloze.stem.html.contains("All the world's a"))
    }

    @Test("Canvas CC cartridge: option feedback, general and outcome feedback are kept", .needsCorpus)
    func feedback() throws {
        let result = try importCorpusEntry("mixed/instructure_qti_spec_fixtures/canvas_cartridge/")
        let first = try #require(result.questions.first { $0.title == "Question 1" })
        #expect(first.generalFeedback?.html == "Item Feedback, Neutral")
        #expect(first.outcomeFeedback?.correct.html == "Item Feedback, Correct")
        guard case .singleChoice(let choice) = first.body else { Issue.record("not single choice"); return }
        #expect(choice.options.filter(\.isCorrect).map(\.text.html) == ["C"])
        #expect(choice.options.allSatisfy { $0.feedback != nil })
    }

    @Test("Respondus package: images of the package become media of the question", .needsCorpus)
    func packageMedia() throws {
        let result = try importCorpusEntry("mixed/instructure_qti_spec_fixtures/test_qti_1.2/")
        let withMedia = result.questions.filter { !$0.media.isEmpty }
        #expect(!withMedia.isEmpty)
        for question in withMedia {
            for media in question.media {
                #expect(media.mediaType == "image/png")
                #expect(media.data.starts(with: [0x89, 0x50, 0x4E, 0x47]))
                #expect(question.stem.html.contains("src=\"\(media.name)\""))
            }
        }
    }

    @Test("Malformed Canvas fixtures give a malformed-XML error with its line", .needsCorpus)
    func malformed() throws {
        for (path, line) in [
            ("mixed/instructure_qti_spec_fixtures/items_1.2/choice_vary_points_by_answer.xml", 1),
            ("mixed/instructure_qti_spec_fixtures/items_1.2/fib.xml", 45),
        ] {
            let result = try importCorpusEntry(path)
            #expect(result.questions.isEmpty)
            let error = try #require(result.report.fileErrors.first)
            #expect(error.code == "malformedXML")
            #expect(error.location?.line == line, "\(path)")
            #expect(error.vietnamese.contains("dòng \(line)"))
        }
    }

    @Test("A manifest without QTI resources is refused with a specific error", .needsCorpus)
    func noResources() throws {
        let result = try importCorpusEntry("mixed/instructure_qti_spec_fixtures/unsupported_version/")
        #expect(result.report.fileErrors.map(\.code) == ["noQTIResources"])
    }

    @Test("Unsupported Canvas types are dropped with the reason, not silently", .needsCorpus)
    func dropped() throws {
        let result = try importCorpusEntry("mixed/instructure_qti_spec_fixtures/items_1.2/formula.xml")
        let entry = try #require(result.report.entries.first)
        #expect(entry.outcome == .dropped)
        #expect(entry.warnings.contains { $0.code == "unsupportedType" && $0.english.contains("calculated") })
    }
}

@Suite("QTI import policy: invalid questions never enter silently")
struct ImportPolicyTests {
    static let twoItems = """
        <questestinterop>
          <item ident="ok" title="ok">
            <presentation><material><mattext>2 + 2 = ?</mattext></material>
              <response_lid ident="R" rcardinality="Single"><render_choice>
                <response_label ident="A"><material><mattext>4</mattext></material></response_label>
                <response_label ident="B"><material><mattext>5</mattext></material></response_label>
              </render_choice></response_lid></presentation>
            <resprocessing><outcomes><decvar/></outcomes>
              <respcondition><conditionvar><varequal respident="R">A</varequal></conditionvar><setvar action="Set">100</setvar></respcondition>
            </resprocessing>
          </item>
          <item ident="bad" title="bad">
            <presentation><material><mattext>Không có đáp án</mattext></material>
              <response_lid ident="R" rcardinality="Single"><render_choice>
                <response_label ident="A"><material><mattext>x</mattext></material></response_label>
                <response_label ident="B"><material><mattext>y</mattext></material></response_label>
              </render_choice></response_lid></presentation>
          </item>
        </questestinterop>
        """

    @Test("By default one invalid question keeps the whole file out; the valid one is held")
    func wholeFile() throws {
        let result = QTI12Importer.importQuestions(from: Data(Self.twoItems.utf8))
        #expect(result.questions.isEmpty)
        #expect(result.report.entries.map(\.outcome) == [.held, .invalid])
        let error = try #require(result.report.entries[1].errors.first)
        #expect(error.code == "noCorrectAnswer")
        #expect(error.vietnamese.hasPrefix("Câu 2:"))
        #expect(error.english.hasPrefix("Question 2:"))
        #expect(error.location?.line ?? 0 > 0)
        #expect(error.location?.path == "item[2]")
    }

    @Test("partial: true imports the valid ones and lists the invalid")
    func partial() {
        let result = QTI12Importer.importQuestions(from: Data(Self.twoItems.utf8), options: QuestionImportOptions(partial: true, idPrefix: "x"))
        #expect(result.questions.map(\.id) == ["x1"])
        #expect(result.report.entries.map(\.outcome) == [.imported, .invalid])
    }

    @Test("QTI 2.1: an undeclared response identifier is a specific error (qti-sdk invalid sample)", .needsCorpus)
    func undeclared() throws {
        let result = try importCorpusEntry("v2p1/qtisdk_invalid/invalidresponseidentifier.xml")
        let entry = try #require(result.report.entries.first)
        #expect(entry.outcome == .invalid)
        #expect(entry.errors.map(\.code) == ["undeclaredResponse"])
        #expect(entry.errors[0].english.contains("\"RESPONSE\""))
    }
}
