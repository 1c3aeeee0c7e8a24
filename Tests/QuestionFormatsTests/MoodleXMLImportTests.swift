import ConformanceCorpus
import Foundation
import HoclieuCore
import QuestionFormats
import Testing

/// What a corpus file must give. Counts were made by reading the files (and checked with a
/// separate ElementTree count of `<question type>` and `<single>`), not copied from the importer.
struct XMLExpectation: CustomTestStringConvertible, Sendable {
    var path: String
    var valid: [QuestionType: Int]
    var invalid = 0
    var dropped = 0
    var skipped = 0
    var categories = 0
    var media = 0
    var fileErrorCode: String?

    var testDescription: String { path }
}

@Suite("Moodle XML import")
struct MoodleXMLImportTests {
    static let expectations: [XMLExpectation] = [
        .init(path: "xml/format_xml_fixtures/broken_cloze_questions.xml", valid: [:], invalid: 5),
        .init(path: "xml/format_xml_fixtures/categories_reverse_order.xml", valid: [.essay: 1, .shortText: 1], categories: 2),
        .init(path: "xml/format_xml_fixtures/category_with_description.xml", valid: [.trueFalse: 1], categories: 1),
        .init(path: "xml/format_xml_fixtures/export_category.xml", valid: [.trueFalse: 1], categories: 1),
        .init(path: "xml/format_xml_fixtures/html_chars_in_idnumbers.xml", valid: [.trueFalse: 1], categories: 1),
        .init(path: "xml/format_xml_fixtures/multianswer.xml", valid: [.cloze: 1], categories: 1, media: 3),
        .init(path: "xml/format_xml_fixtures/multichoice.xml", valid: [.singleChoice: 1], categories: 1, media: 5),
        .init(path: "xml/format_xml_fixtures/nested_categories.xml", valid: [.trueFalse: 1], categories: 3),
        .init(path: "xml/format_xml_fixtures/nested_categories_with_questions.xml", valid: [.trueFalse: 4, .essay: 1], categories: 4),
        .init(path: "xml/format_xml_fixtures/old_format_file.xml", valid: [.trueFalse: 2], categories: 2),
        .init(path: "xml/format_xml_fixtures/sample_questions_with_old_image_tag.xml", valid: [.cloze: 1, .singleChoice: 1], categories: 1, media: 2),
        .init(path: "xml/format_xml_fixtures/truefalse.xml", valid: [.trueFalse: 2], categories: 1, media: 8),
        .init(path: "xml/moodle1_backup_questions.xml", valid: [:], fileErrorCode: "notMoodleXML"),
        .init(path: "xml/qtype_fixtures/ddimageortext_testquestion.moodle.xml", valid: [:], dropped: 1, categories: 1),
        .init(path: "xml/qtype_fixtures/ddmarker_testquestion.moodle.xml", valid: [:], dropped: 1, categories: 1),
        .init(path: "xml/qtype_fixtures/ddwtos_testquestion.moodle.xml", valid: [.cloze: 1], categories: 1),
        .init(path: "xml/qtype_fixtures/description_testquestion.moodle.xml", valid: [:], skipped: 1, categories: 1),
        .init(path: "xml/qtype_fixtures/essay_testquestion.moodle.xml", valid: [.essay: 1], categories: 1),
        .init(path: "xml/qtype_fixtures/gapselect_testquestion.moodle.xml", valid: [.cloze: 1], categories: 1),
        .init(path: "xml/qtype_fixtures/multichoice_testquestion.moodle.xml", valid: [.multipleResponse: 1], categories: 1),
        .init(path: "xml/qtype_fixtures/shortanswer_testquestion.moodle.xml", valid: [.shortText: 1], categories: 1),
        .init(path: "xml/qtype_fixtures/truefalse_testquestion.moodle.xml", valid: [.trueFalse: 1], categories: 1),
    ]

    @Test("Every Moodle XML file of the corpus imports with the expected counts", .needsCorpus, arguments: expectations)
    func corpusFile(_ expected: XMLExpectation) throws {
        let result = MoodleXMLImporter.importQuestions(contentsOf: try Corpus.url(expected.path))
        let report = result.report
        #expect(report.validByType == expected.valid)
        #expect(report.invalidCount == expected.invalid)
        #expect(report.droppedCount == expected.dropped)
        #expect(report.skippedCount == expected.skipped)
        #expect(report.categoriesFound.count == expected.categories)
        #expect(report.entries.flatMap(\.media).count == expected.media)
        #expect(report.fileErrors.map(\.code) == (expected.fileErrorCode.map { [$0] } ?? []))
        if expected.invalid == 0 && expected.fileErrorCode == nil {
            // Nothing invalid: everything valid is imported, by default.
            #expect(result.questions.count == expected.valid.values.reduce(0, +))
            #expect(report.importedByType == expected.valid)
        } else {
            #expect(result.questions.isEmpty)
            #expect(result.categories.isEmpty)
        }
        // Nothing is lost silently: every <question> element is a category or has an entry.
        if expected.fileErrorCode == nil {
            let raw = String(decoding: try Corpus.data(expected.path), as: UTF8.self)
            let elements = raw.components(separatedBy: "<question type=").count - 1
            #expect(report.entries.count + report.categoriesFound.count == elements)
        }
        for entry in report.entries {
            #expect(entry.location.line > 0)
            #expect(entry.location.path?.hasPrefix("/quiz/question[") == true)
        }
    }

    @Test("A Moodle 1.9 backup is refused with a clear message", .needsCorpus)
    func backupFile() throws {
        let result = MoodleXMLImporter.importQuestions(contentsOf: try Corpus.url("xml/moodle1_backup_questions.xml"))
        let error = try #require(result.report.fileErrors.first)
        #expect(error.english.contains("<MOODLE_BACKUP>"))
        #expect(error.vietnamese.contains("<quiz>"))
        #expect(result.categories.isEmpty)
    }

    @Test("Broken cloze questions each carry the right error, with the question number", .needsCorpus)
    func brokenCloze() throws {
        let result = MoodleXMLImporter.importQuestions(
            contentsOf: try Corpus.url("xml/format_xml_fixtures/broken_cloze_questions.xml"), options: .init(partial: true)
        )
        let entries = result.report.entries
        #expect(result.questions.isEmpty)
        #expect(entries.count == 5)
        let codes = entries.map { Set($0.errors.map(\.code)) }
        #expect(codes[0] == ["clozeWithoutGaps"])
        #expect(codes[1].contains("optionCountOutOfRange") && codes[1].contains("noCorrectAnswer"))
        #expect(codes[2] == ["optionCountOutOfRange"])
        #expect(codes[3] == ["noCorrectAnswer"])
        #expect(codes[4].contains("numericAnswerUnparseable"))
        #expect(entries[3].errors[0].vietnamese.hasPrefix("Câu 4: "))
        #expect(entries[3].errors[0].english.hasPrefix("Question 4: "))
        #expect(entries[3].errors[0].english.contains("no correct answer"))
        #expect(entries[4].location.line == 68)
    }

    @Test("Multiple choice: options, fractions, feedback, settings and files", .needsCorpus)
    func multichoice() throws {
        let result = MoodleXMLImporter.importQuestions(contentsOf: try Corpus.url("xml/qtype_fixtures/multichoice_testquestion.moodle.xml"))
        let question = try #require(result.questions.first)
        #expect(question.title == "Multi-choice-001")
        #expect(question.category == "$course$/Default for C1")
        #expect(question.stem == RichText("Find the capital cities in Europe."))
        #expect(question.penalty == 0.3333333)
        guard case .multipleResponse(let choice) = question.body else {
            Issue.record("expected multiple response, got \(question.type)")
            return
        }
        #expect(choice.options.map(\.text.html) == ["Tokyo", "Spain", "London", "Barcelona", "Paris"])
        #expect(choice.options.map(\.fraction) == [0, 0, 0.5, 0, 0.5])
        #expect(choice.shuffle)
        #expect(question.hints == [RichText("First hint"), RichText("Second hint")])
        #expect(question.outcomeFeedback?.partiallyCorrect == RichText("Your answer is partially correct."))
        #expect(question.outcomeFeedback?.showNumberCorrect == true)
        #expect(question.extensions["moodle.answernumbering"] == "abc")
        #expect(question.extensions["moodle.showstandardinstruction"] == "0")
        #expect(question.score(.choices(["c", "e"])) == 1)
        #expect(question.score(.choices(["c"])) == 0.5)

        let flags = MoodleXMLImporter.importQuestions(contentsOf: try Corpus.url("xml/format_xml_fixtures/multichoice.xml"))
        let greeting = try #require(flags.questions.first)
        #expect(greeting.media.map(\.name) == ["bonjour.mp3", "flag-uk.jpg", "flag-france.jpg", "flag-german.jpg", "flag-denmark.jpg"])
        #expect(greeting.media.first?.mediaType == "audio/mpeg")
        #expect(greeting.media[2].field == "option/b")
        #expect(greeting.media.allSatisfy { !$0.data.isEmpty })
        #expect(flags.report.entries[0].media.map(\.byteCount) == greeting.media.map(\.data.count))
    }

    @Test("True/false, short answer, essay and category details", .needsCorpus)
    func otherTypes() throws {
        let tf = MoodleXMLImporter.importQuestions(contentsOf: try Corpus.url("xml/format_xml_fixtures/truefalse.xml"))
        guard case .trueFalse(let first) = tf.questions.first?.body else {
            Issue.record("expected true/false")
            return
        }
        #expect(first.correctAnswer == false)
        #expect(first.feedbackFalse?.html.contains("Your answer is correct.") == true)

        let sa = MoodleXMLImporter.importQuestions(contentsOf: try Corpus.url("xml/qtype_fixtures/shortanswer_testquestion.moodle.xml"))
        let shortQuestion = try #require(sa.questions.first)
        #expect(shortQuestion.generalFeedback == RichText("Generalfeedback: frog or toad would have been OK."))
        #expect(shortQuestion.score(.text(" Frog ")) == 1)
        #expect(shortQuestion.score(.text("toad")) == 0.8)
        #expect(shortQuestion.score(.text("newt")) == 0)

        let essay = MoodleXMLImporter.importQuestions(contentsOf: try Corpus.url("xml/qtype_fixtures/essay_testquestion.moodle.xml"))
        let essayQuestion = try #require(essay.questions.first)
        #expect(essayQuestion.extensions["moodle.responsefieldlines"] == "15")
        #expect(essayQuestion.extensions["moodle.maxwordlimit"] == "20")
        #expect(essayQuestion.score(.text("anything")) == nil)

        let ids = MoodleXMLImporter.importQuestions(contentsOf: try Corpus.url("xml/format_xml_fixtures/html_chars_in_idnumbers.xml"))
        #expect(ids.questions.first?.idNumber == "T & F")
        #expect(ids.categories.first?.idNumber == "The inequalities < & >")
        #expect(ids.categories.first?.info == RichText("This is Alpha category for test", format: .moodleAutoFormat))

        let nested = MoodleXMLImporter.importQuestions(contentsOf: try Corpus.url("xml/format_xml_fixtures/nested_categories.xml"))
        #expect(nested.categories.map(\.path) == ["$course$/Delta", "$course$/Delta/Epsilon", "$course$/Delta/Epsilon/Zeta"])
        #expect(nested.categories[2].components == ["Delta", "Epsilon", "Zeta"])
        #expect(nested.categories[0].info?.format == .plain)
        #expect(nested.questions.first?.category == "$course$/Delta/Epsilon/Zeta")

        let reverse = MoodleXMLImporter.importQuestions(contentsOf: try Corpus.url("xml/format_xml_fixtures/categories_reverse_order.xml"))
        #expect(reverse.questions.map(\.category) == ["$course$/Sigma/Tau", "$course$/Sigma"])
    }

    @Test("Cloze: gaps from Moodle's syntax, markers in the stem, files kept", .needsCorpus)
    func cloze() throws {
        let result = MoodleXMLImporter.importQuestions(contentsOf: try Corpus.url("xml/format_xml_fixtures/multianswer.xml"))
        let question = try #require(result.questions.first)
        guard case .cloze(let cloze) = question.body else {
            Issue.record("expected cloze")
            return
        }
        #expect(cloze.gaps.count == 5)
        #expect(question.stem.html.contains("* San Francisco: {#1}"))
        #expect(!question.stem.html.contains("MULTICHOICE"))
        guard case .choice(let options, let display, _) = cloze.gaps[1].kind, case .shortText(let short) = cloze.gaps[4].kind else {
            Issue.record("unexpected gap kinds")
            return
        }
        #expect(options.map(\.text.html) == ["California", "Arizona"])
        #expect(options.map(\.fraction) == [0, 1])
        #expect(display == .dropdown)
        #expect(short.keys.map(\.pattern) == ["Paris", "Marseille", "*"])
        #expect(short.keys[1].feedback?.html == "No, that is the second largest city in France (after<br />Paris).")
        #expect(Set(question.media.map(\.name)) == ["arizona_2.png", "california-state-flag.png", "moodle.png"])
        #expect(question.media.first { $0.name == "moodle.png" }?.field == "generalfeedback")
        // 4 drop-downs right, short answer half right: (4 + 0.5) / 5.
        let response = QuestionResponse.cloze([0: .choice("a"), 1: .choice("b"), 2: .choice("a"), 3: .choice("b"), 4: .text("Marseille")])
        #expect(question.score(response) == 0.9)
    }

    @Test("Cloze syntax: weights, short names, shuffled and multiple-response gaps, escapes")
    func clozeSyntax() throws {
        let text = #"x {:SHORTANSWER:=mèo} y {2:NM:=3.5:0.1#gần đúng~%50%3.5:1} z {1:MCS:=a~b} w {1:MR:%50%p~%50%q~%-100%r} "#
            + ##"e {1:SAC:=A\}B\~C\#D} f {1:FOO:x} g \(\frac{1}{2}\) h {3:MULTICHOICE_H:=Đúng~Sai}"##
        let xml = "<quiz><question type=\"cloze\"><name><text>C</text></name><questiontext format=\"html\"><text><![CDATA["
            + text + "]]></text></questiontext></question></quiz>"
        let result = MoodleXMLImporter.importQuestions(from: Data(xml.utf8))
        #expect(result.report.allErrors.isEmpty)
        let question = try #require(result.questions.first)
        #expect(question.stem.html == #"x {#1} y {#2} z {#3} w {#4} e {#5} f {1:FOO:x} g \(\frac{1}{2}\) h {#6}"#)
        guard case .cloze(let cloze) = question.body else { Issue.record("expected cloze"); return }
        #expect(cloze.gaps.map(\.weight) == [1, 2, 1, 1, 1, 3])
        guard case .numeric(let numeric) = cloze.gaps[1].kind, case .choice(_, let display, let shuffle) = cloze.gaps[2].kind,
            case .shortText(let caseSensitive) = cloze.gaps[4].kind, case .choice(_, let horizontal, _) = cloze.gaps[5].kind
        else { Issue.record("unexpected gap kinds"); return }
        #expect(numeric.keys.map(\.tolerance) == [0.1, 1])
        #expect(numeric.keys[0].feedback?.html == "gần đúng")
        #expect(display == .dropdown && shuffle)
        #expect(cloze.gaps[3].isMultipleResponse)
        // Moodle undoes only \} and \# (qtype_multianswer_extract_question, moodle/moodle
        // question/type/multianswer/questiontype.php): a \~ reaches the student as it is written.
        #expect(caseSensitive.caseSensitive && caseSensitive.keys.map(\.pattern) == [#"A}B\~C#D"#])
        #expect(horizontal == .horizontal)
        // Weighted: gaps 1 (w1) right, 2 (w2) half, others wrong → (1 + 1) / 9.
        let score = question.score(.cloze([0: .text("Mèo"), 1: .text("4,2")]))
        #expect(abs((score ?? 0) - 2.0 / 9.0) < 1e-12)
        // Written back in the same syntax, read back the same.
        let again = MoodleXMLImporter.importQuestions(from: try MoodleXMLExporter.export(result.questions).data)
        // The export names the question by its id (idnumber), which the import keeps.
        #expect(again.questions.map(\.idNumber) == ["q1"])
        #expect(again.questions.map { question in var question = question; question.idNumber = nil; return question } == result.questions)
    }

    @Test("gapselect and ddwtos become drop-down clozes, with a warning", .needsCorpus)
    func gapSelect() throws {
        for path in ["xml/qtype_fixtures/gapselect_testquestion.moodle.xml", "xml/qtype_fixtures/ddwtos_testquestion.moodle.xml"] {
            let result = MoodleXMLImporter.importQuestions(contentsOf: try Corpus.url(path))
            let question = try #require(result.questions.first)
            #expect(question.stem.html == "The {#1} {#2} on the {#3}.")
            #expect(result.report.entries[0].warnings.map(\.code).contains("narrowedToCloze"))
            #expect(question.score(.cloze([0: .choice("a"), 1: .choice("b"), 2: .choice("c")])) == 1)
            #expect(question.score(.cloze([0: .choice("d"), 1: .choice("b"), 2: .choice("c")])) == 2.0 / 3.0)
        }
    }

    @Test("Legacy image fields become files and an <img> in the stem", .needsCorpus)
    func legacyImage() throws {
        let result = MoodleXMLImporter.importQuestions(contentsOf: try Corpus.url("xml/format_xml_fixtures/sample_questions_with_old_image_tag.xml"))
        #expect(result.questions.count == 2)
        for question in result.questions {
            #expect(question.media.map(\.name) == ["moodle.png"])
            #expect(question.media.first?.mediaType == "image/png")
            #expect(question.stem.html.hasSuffix("<img src=\"@@PLUGINFILE@@/moodle.png\" alt=\"\" />"))
        }
        guard case .singleChoice(let choice) = result.questions[1].body else {
            Issue.record("expected single choice")
            return
        }
        #expect(choice.options.map(\.text.html) == ["wrong answer", "another wrong answer", "right answer"])
        #expect(result.report.entries.allSatisfy { $0.warnings.contains { $0.code == "legacyImageConverted" } })
    }

    @Test("Unsupported types are dropped with the reason, never silently", .needsCorpus)
    func dropped() throws {
        let result = MoodleXMLImporter.importQuestions(contentsOf: try Corpus.url("xml/qtype_fixtures/ddmarker_testquestion.moodle.xml"))
        let entry = try #require(result.report.entries.first)
        #expect(entry.outcome == .dropped)
        #expect(entry.sourceType == "ddmarker")
        #expect(entry.warnings.first?.english.contains("not supported") == true)
        #expect(!result.hasErrors)
        let description = MoodleXMLImporter.importQuestions(contentsOf: try Corpus.url("xml/qtype_fixtures/description_testquestion.moodle.xml"))
        #expect(description.report.entries.first?.outcome == .skipped)
        #expect(description.report.entries.first?.warnings.first?.code == "descriptionSkipped")
    }

    @Test("True/false answers with other texts are read by position, as Moodle does")
    func trueFalseByPosition() throws {
        let xml = """
            <quiz><question type="truefalse"><name><text>TF</text></name><questiontext><text>Nước sôi ở 100 °C</text></questiontext>
            <answer fraction="100"><text>Đúng</text><feedback><text>Ở áp suất thường</text></feedback></answer>
            <answer fraction="0"><text>Sai</text></answer></question>
            <question type="truefalse"><name><text>TF2</text></name><questiontext><text>Hai đáp án đúng</text></questiontext>
            <answer fraction="100"><text>true</text></answer><answer fraction="100"><text>false</text></answer></question></quiz>
            """
        let result = MoodleXMLImporter.importQuestions(from: Data(xml.utf8), options: .init(partial: true))
        let question = try #require(result.questions.first)
        #expect(question.body == .trueFalse(TrueFalseQuestion(correctAnswer: true, feedbackTrue: RichText("Ở áp suất thường"))))
        #expect(result.report.entries[0].warnings.map(\.code) == ["trueFalseByPosition", "trueFalseByPosition"])
        #expect(result.report.entries[1].errors.map(\.vietnamese) == ["Câu 2: không tìm thấy đáp án đúng"])
        #expect(result.report.entries[1].errors.map(\.english) == ["Question 2: no correct answer found"])
    }

    @Test("numerical, matching and ordering questions (types absent from the corpus)")
    func numericalMatchingOrdering() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <quiz>
              <question type="numerical">
                <name><text>Nghiệm</text></name>
                <questiontext format="html"><text>Giải 2x + 3 = 0</text></questiontext>
                <defaultgrade>0.25</defaultgrade>
                <answer fraction="100"><text>-1.5</text><tolerance>0</tolerance><feedback><text>Đúng</text></feedback></answer>
                <answer fraction="50"><text>-1.5</text><tolerance>0.1</tolerance></answer>
                <units><unit><multiplier>1</multiplier><unit_name>m</unit_name></unit><unit><multiplier>100</multiplier><unit_name>cm</unit_name></unit></units>
                <unitgradingtype>0</unitgradingtype>
                <tags><tag><text>đại số</text></tag><tag><text>hoclieu:subject=TOAN</text></tag><tag><text>hoclieu:grade=8</text></tag><tag><text>hoclieu:answerbox=4</text></tag><tag><text>hoclieu:level=NTVV4/NTVV4.2</text></tag></tags>
              </question>
              <question type="matching">
                <name><text>Thủ đô</text></name>
                <questiontext><text>Ghép nước với thủ đô</text></questiontext>
                <shuffleanswers>false</shuffleanswers>
                <subquestion format="html"><text>Việt Nam</text><answer><text>Hà Nội</text></answer></subquestion>
                <subquestion format="html"><text>Lào</text><answer><text>Viêng Chăn</text></answer></subquestion>
                <subquestion format="html"><text></text><answer><text>Bangkok</text></answer></subquestion>
              </question>
              <question type="ordering">
                <name><text>Thứ tự</text></name>
                <questiontext><text>Sắp xếp từ nhỏ đến lớn</text></questiontext>
                <answer fraction="2"><text>2</text></answer>
                <answer fraction="1"><text>1</text></answer>
                <answer fraction="3"><text>3</text></answer>
              </question>
            </quiz>
            """
        let result = MoodleXMLImporter.importQuestions(from: Data(xml.utf8))
        #expect(result.report.importedByType == [.numeric: 1, .matching: 1, .ordering: 1])
        let numeric = result.questions[0]
        #expect(numeric.points == 0.25)
        #expect(numeric.subject == "TOAN")
        #expect(numeric.grade == 8)
        #expect(numeric.tags == ["đại số"])
        #expect(numeric.cognitiveLevel == CognitiveLevelReference(framework: "NTVV4", level: "NTVV4.2"))
        #expect(numeric.extensions["moodle.unitgradingtype"] == "0")
        guard case .numeric(let n) = numeric.body else {
            Issue.record("expected numeric")
            return
        }
        #expect(n.answerBoxLength == 4)
        #expect(n.units.map(\.name) == ["m", "cm"])
        #expect(numeric.score(.text("-1,5")) == 1)
        #expect(numeric.score(.text("-1,6")) == 0.5)
        #expect(numeric.score(.text("-150cm")) == 0)  // longer than the 4-character box
        guard case .matching(let m) = result.questions[1].body, case .ordering(let o) = result.questions[2].body else {
            Issue.record("expected matching and ordering")
            return
        }
        #expect(m.pairs.map(\.answer) == ["Hà Nội", "Viêng Chăn"])
        #expect(m.distractors == ["Bangkok"])
        #expect(!m.shuffle)
        #expect(o.items.map(\.text.html) == ["1", "2", "3"])
    }
}
