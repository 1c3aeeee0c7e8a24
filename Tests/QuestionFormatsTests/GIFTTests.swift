import ConformanceCorpus
import Foundation
import HoclieuCore
import QuestionFormats
import Testing

@Suite("GIFT")
struct GIFTTests {
    @Test("questions.gift.txt: nine questions of seven types", .needsCorpus)
    func corpusQuestions() throws {
        let result = GIFTImporter.importQuestions(contentsOf: try Corpus.url("gift/questions.gift.txt"))
        #expect(result.report.allErrors.isEmpty)
        #expect(result.report.importedByType == [
            .essay: 1, .matching: 1, .singleChoice: 1, .multipleResponse: 1, .numeric: 1, .shortText: 1, .trueFalse: 3,
        ])
        let q = result.questions
        #expect(q.map(\.title) == ["Q8", "Moodle activities", "Q2", "colours", "Q5", "Shortanswer", "Q1", "2-08 TSL", "2-08 TSL"])
        #expect(q[0].stem.html == "How are you?")
        #expect(result.report.entries.map(\.location.line) == [2, 5, 14, 22, 31, 34, 41, 46, 49])

        guard case .matching(let matching) = q[1].body else { Issue.record("expected matching"); return }
        #expect(q[1].stem == RichText("Match the <b>activity</b> to the description.", format: .html))
        #expect(matching.pairs.map(\.answer) == ["Forum", "Choice", "Database", "Wiki"])
        #expect(matching.pairs.map(\.prompt.format) == [.html, .moodleAutoFormat, .plain, .markdown])
        #expect(matching.distractors == ["Chat"])

        guard case .singleChoice(let single) = q[2].body else { Issue.record("expected single choice"); return }
        #expect(single.options.map(\.text.html) == ["yellow", "red", "blue"])
        #expect(single.options.map(\.fraction) == [1, 0, 0])
        #expect(single.options[1].feedback == RichText("wrong, it's yellow", format: .html))
        #expect(single.options[2].text.format == .plain)

        guard case .multipleResponse(let multi) = q[3].body else { Issue.record("expected multiple response"); return }
        #expect(multi.options.map(\.fraction) == [0.5, -1, 0.5, -1])
        #expect(q[3].score(.choices(["a", "c"])) == 1)
        #expect(q[3].score(.choices(["a", "b", "c"])) == 0)

        guard case .numeric(let numeric) = q[4].body else { Issue.record("expected numeric"); return }
        #expect(numeric.keys.map(\.answer) == ["3", "*"])
        #expect(numeric.keys[0].tolerance == 2)
        #expect(numeric.keys[1].feedback?.html == "Completely wrong")
        #expect(q[4].stem.html == "What is a number from 1 to 5? _____\";")
        #expect(q[4].score(.text("4,9")) == 1)
        #expect(q[4].score(.text("5,1")) == 0)

        guard case .shortText(let short) = q[5].body else { Issue.record("expected short text"); return }
        #expect(short.keys.map(\.pattern) == ["Frog", "Cat", "*"])
        #expect(short.keys.map(\.fraction) == [1, 0.5, 0])

        guard case .trueFalse(let tf) = q[6].body else { Issue.record("expected true/false"); return }
        #expect(tf.correctAnswer == false)
        #expect(tf.feedbackTrue?.html == "42 is the Ultimate Answer.")
        #expect(tf.feedbackFalse?.html == "You gave the right answer.")
        #expect(q[6].generalFeedback?.html == "This is, of course, a Hitchiker's Guide to the Galaxy reference.")
        #expect(q[7].body == .trueFalse(TrueFalseQuestion(correctAnswer: true)))
        #expect(q[8].body == .trueFalse(TrueFalseQuestion(correctAnswer: true)))
    }

    @Test("questions_in_category.gift.txt: category, escapes, formats", .needsCorpus)
    func corpusCategory() throws {
        let result = GIFTImporter.importQuestions(contentsOf: try Corpus.url("gift/questions_in_category.gift.txt"))
        #expect(result.report.allErrors.isEmpty)
        #expect(result.report.importedByType == [.matching: 1, .singleChoice: 1, .shortText: 1, .trueFalse: 1])
        #expect(result.categories.map(\.path) == ["$course$/Default for New Features"])
        #expect(result.questions.allSatisfy { $0.category == "$course$/Default for New Features" })
        let greeting = result.questions[1]
        #expect(greeting.stem.html == "<a href=\"http://demo.moodle.net/file.php/5/media/bonjour.mp3\">Listen to this greeting:</a><br /><br />What language is being spoken?")
        #expect(greeting.stem.format == .html)
        #expect(greeting.score(.choice("b")) == 1)
        #expect(result.questions[3].stem.html.contains("<span style=\"font-style: italic;\">"))
    }

    @Test("Windows-1252 files are detected and decoded")
    func windows1252() throws {
        // "Câu hỏi về café – “ngon”" cannot be written in Windows-1252; use its Western subset.
        var bytes: [UInt8] = Array("::Caf".utf8) + [0xE9] + Array(":: Le caf".utf8) + [0xE9, 0x20, 0x93] + Array("noir".utf8) + [0x94, 0x20, 0x96, 0x20, 0x80]
        bytes += Array(" {=vrai ~faux}\n".utf8)
        let result = GIFTImporter.importQuestions(from: Data(bytes))
        #expect(result.report.fileWarnings.map(\.code) == ["decodedWindows1252"])
        let question = try #require(result.questions.first)
        #expect(question.title == "Café")
        #expect(question.stem.html == "Le café “noir” – €")
        // Valid UTF-8 is never re-decoded.
        let utf8 = GIFTImporter.importQuestions(from: Data("::Câu 1:: Thủ đô của Việt Nam là {=Hà Nội ~Huế}".utf8))
        #expect(utf8.report.fileWarnings.isEmpty)
        #expect(utf8.questions.first?.stem.html == "Thủ đô của Việt Nam là")
        // A UTF-8 byte-order mark is dropped.
        let bom = GIFTImporter.importQuestions(from: Data([0xEF, 0xBB, 0xBF] + Array("::T:: x {T}".utf8)))
        #expect(bom.questions.first?.title == "T")
    }

    @Test("Ranges, several numeric answers, escapes and descriptions")
    func syntax() throws {
        let text = """
            ::Range:: Số từ 1 đến 2? {#1..2}

            ::Multi:: Số pi? {#
              =3.14159:0.0005#Chính xác
              =%50%3.14:0.005#Gần đúng
            }

            ::Esc:: a\\=b \\{x\\} \\# \\~ \\\\ end{=ok\\~yes ~no}

            Đây chỉ là lời dẫn, không có đáp án.
            """
        let result = GIFTImporter.importQuestions(from: Data(text.utf8))
        #expect(result.report.allErrors.isEmpty)
        #expect(result.report.skippedCount == 1)
        guard case .numeric(let range) = result.questions[0].body, case .numeric(let multi) = result.questions[1].body else {
            Issue.record("expected numeric")
            return
        }
        #expect(range.keys[0].value == 1.5)
        #expect(range.keys[0].tolerance == 0.5)
        #expect(multi.keys.map(\.fraction) == [1, 0.5])
        #expect(result.questions[1].score(.text("3,1416")) == 1)
        #expect(result.questions[1].score(.text("3,145")) == 0.5)
        #expect(result.questions[2].stem.html == "a=b {x} # ~ \\ end")
        guard case .singleChoice(let choice) = result.questions[2].body else { Issue.record("expected choice"); return }
        #expect(choice.options.map(\.text.html) == ["ok~yes", "no"])
    }

    @Test("idnumber and tags from comments")
    func commentMetadata() {
        let text = "// question: 1\n// [id:TOAN-6-01] [tag:số học]\n// [tag:hoclieu:grade=6]\n::Q:: 2 + 2 = {#4}\n\n// [tag:other]\n\n::R:: x {T}"
        let result = GIFTImporter.importQuestions(from: Data(text.utf8))
        #expect(result.questions[0].idNumber == "TOAN-6-01")
        #expect(result.questions[0].tags == ["số học"])
        #expect(result.questions[0].grade == 6)
        #expect(result.questions[1].tags.isEmpty)  // a comment separated by a blank line belongs to no question
    }

    @Test("A question right under $CATEGORY belongs to it")
    func categoryWithoutBlankLine() {
        let result = GIFTImporter.importQuestions(from: Data("$CATEGORY: $course$/Toán 6\n::Q:: 2 + 2 = {#4}\n".utf8))
        #expect(result.categories.map(\.path) == ["$course$/Toán 6"])
        #expect(result.questions.map(\.category) == ["$course$/Toán 6"])
        #expect(result.report.entries.first?.location.line == 2)
    }

    @Test("Invalid GIFT questions are reported with their line; partial import keeps the rest")
    func invalid() throws {
        let text = """
            ::Good:: 1 + 1 = ? {=2 ~3}

            ::NoRight:: 1 + 2 = ? {~2 ~4}

            ::Open:: chưa đóng {=a ~b
            """
        let strict = GIFTImporter.importQuestions(from: Data(text.utf8))
        #expect(strict.questions.isEmpty)
        #expect(strict.report.invalidCount == 2)
        #expect(strict.report.entries.map(\.outcome) == [.held, .invalid, .invalid])
        let noRight = strict.report.entries[1]
        #expect(noRight.location.line == 3)
        #expect(noRight.errors.map(\.code) == ["noCorrectAnswer"])
        #expect(noRight.errors[0].vietnamese == "Câu 2: câu hỏi không có đáp án đúng")
        #expect(strict.report.entries[2].errors.map(\.code) == ["unclosedAnswers"])
        let partial = GIFTImporter.importQuestions(from: Data(text.utf8), options: .init(partial: true))
        #expect(partial.questions.map(\.title) == ["Good"])
        #expect(partial.report.invalidCount == 2)
    }

    @Test("GIFT → model → GIFT → model keeps what GIFT can hold", .needsCorpus, arguments: ["gift/questions.gift.txt", "gift/questions_in_category.gift.txt"])
    func roundTrip(_ path: String) throws {
        let first = GIFTImporter.importQuestions(contentsOf: try Corpus.url(path))
        let exported = GIFTExporter.export(first.questions)
        #expect(exported.report.allNarrowings.isEmpty)
        let second = GIFTImporter.importQuestions(from: exported.data)
        #expect(second.report.allErrors.isEmpty)
        // Missing-word stems come back whole (the "_____" stays in the text): same model, but for the
        // idnumber, which the export fills with the question's id when it has none.
        #expect(second.questions.map(\.idNumber) == first.questions.map { $0.idNumber ?? $0.id })
        #expect(second.questions.map { question in var question = question; question.idNumber = nil; return question } == first.questions)
        #expect(GIFTExporter.export(second.questions).data == exported.data)
    }

    @Test("GIFT export narrows clusters, orderings and clozes, and keeps metadata in comments")
    func exportNarrowings() throws {
        let questions = MoodleXMLRoundTripTests.richQuestions()
        let exported = GIFTExporter.export(questions)
        let codes = exported.report.entries.map { Set($0.narrowings.map(\.code)) }
        #expect(codes[0].contains("clusterAsTrueFalse"))
        #expect(codes[1].contains("fieldsLost"))
        #expect(codes[2].contains("clozeDropped"))
        #expect(codes[3].contains("orderingAsMatching"))
        #expect(exported.report.droppedCount == 1)
        let back = GIFTImporter.importQuestions(from: exported.data)
        #expect(back.report.allErrors.isEmpty)
        #expect(back.report.importedByType == [.trueFalse: 4, .numeric: 1, .matching: 1])
        let numeric = back.questions[4]
        #expect(numeric.subject == "TOAN")
        #expect(numeric.knowledgeUnits == ["TOAN.12.GT.1", "TOAN.12.GT.2"])
        #expect(numeric.status == .published)
        #expect(numeric.idNumber == "id-q2")
        #expect(numeric.score(.text("-1,5")) == 1)
        #expect(back.questions[0].title == "Câu q1 (a)")
        #expect(back.questions.prefix(4).map(\.idNumber) == ["id-q1-a", "id-q1-b", "id-q1-c", "id-q1-d"])
        #expect(codes[1].contains("numberRewritten"))
    }
}
