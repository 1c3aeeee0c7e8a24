import ConformanceCorpus
import Foundation
import HoclieuCore
import QuestionFormats
import Testing

@Suite("Moodle XML export and round trips")
struct MoodleXMLRoundTripTests {
    static let validFiles = MoodleXMLImportTests.expectations
        .filter { $0.invalid == 0 && $0.fileErrorCode == nil && !$0.valid.isEmpty }
        .map(\.path)

    @Test("Moodle XML → model → Moodle XML → model keeps every question equal", .needsCorpus, arguments: validFiles)
    func roundTrip(_ path: String) throws {
        let first = MoodleXMLImporter.importQuestions(contentsOf: try Corpus.url(path))
        #expect(!first.questions.isEmpty)
        let exported = try MoodleXMLExporter.export(first.questions, categories: first.categories)
        let second = MoodleXMLImporter.importQuestions(from: exported.data)
        #expect(second.report.fileErrors.isEmpty)
        // Equal, but for the idnumber, which the export fills with the question's id when it has none.
        #expect(second.questions.map(\.idNumber) == first.questions.map { $0.idNumber ?? $0.id })
        #expect(second.questions.map(\.withoutIDNumber) == first.questions.map(\.withoutIDNumber))
        // Categories used by questions survive with their info and idnumber.
        let used = Set(first.questions.compactMap(\.category))
        #expect(second.categories.filter { used.contains($0.path) } == first.categories.filter { used.contains($0.path) })
        // Nothing narrowed: everything came from Moodle XML.
        #expect(exported.report.allNarrowings.isEmpty)
        // And Moodle's import (as MoodleImportCheck reads it) finds every file, grade and category.
        let check = try MoodleImportCheck(exported.data)
        #expect(check.problems.isEmpty, "\(check.problems)")
        #expect(check.items.allSatisfy { $0.idNumber != nil })
        // Deterministic: exporting again gives the same bytes.
        let again = try MoodleXMLExporter.export(second.questions, categories: second.categories)
        let fresh = try MoodleXMLExporter.export(first.questions, categories: first.categories)
        #expect(again.data == fresh.data)
    }

    @Test("The exported XML looks like Moodle's")
    func shape() throws {
        let question = Question(
            id: "x", title: "Phân số", points: 2, stem: RichText("<p>Chọn phân số bằng \\(\\frac{1}{2}\\)</p>"),
            generalFeedback: RichText("Rút gọn"), idNumber: "TOAN-6-001",
            body: .singleChoice(ChoiceQuestion(options: [
                ChoiceOption(id: "a", text: RichText("2/4"), correct: true, feedback: RichText("Đúng")),
                ChoiceOption(id: "b", text: RichText("2/3"), fraction: -0.3333333),
            ]))
        )
        let result = try MoodleXMLExporter.export([question])
        let xml = try #require(String(data: result.data, encoding: .utf8))
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))
        #expect(xml.contains("<question type=\"multichoice\">"))
        #expect(xml.contains("<defaultgrade>2.0000000</defaultgrade>"))
        #expect(xml.contains("<single>true</single>"))
        #expect(xml.contains("<answer fraction=\"100\" format=\"html\">"))
        #expect(xml.contains("<answer fraction=\"-33.33333\" format=\"html\">"))
        #expect(xml.contains("<idnumber>TOAN-6-001</idnumber>"))
        #expect(xml.contains("&lt;p&gt;Chọn phân số bằng \\(\\frac{1}{2}\\)&lt;/p&gt;"))
    }

    static func richQuestions() -> [Question] {
        let metadata = { (id: String, body: QuestionBody) in
            Question(
                id: id, title: "Câu \(id)", subject: "TOAN", grade: 12, knowledgeUnits: ["TOAN.12.GT.1", "TOAN.12.GT.2"],
                cognitiveLevel: CognitiveLevelReference(framework: "NTVV4", level: "NTVV4.3"), source: "Đề minh hoạ kỳ thi tốt nghiệp THPT năm 2025 của Bộ GD&ĐT",
                author: "Nguyễn Văn A", status: .published, version: 3, points: 1, stem: RichText("<p>Cho hàm số \\(y = x^3\\).</p>"),
                tags: ["giải tích"], idNumber: "id-\(id)", stimulusGroup: "G1", category: "$course$/Toán 12/Hàm số", body: body
            )
        }
        return [
            metadata("q1", .trueFalseCluster(TrueFalseCluster(statements: [
                ClusterStatement(label: "a", text: RichText("Hàm số đồng biến trên ℝ."), isTrue: true, feedback: RichText("Vì y' ≥ 0")),
                ClusterStatement(label: "b", text: RichText("Đồ thị đi qua gốc toạ độ."), isTrue: true),
                ClusterStatement(label: "c", text: RichText("y(2) = 6."), isTrue: false),
                ClusterStatement(label: "d", text: RichText("Hàm số có cực trị."), isTrue: false),
            ]))),
            metadata("q2", .numeric(NumericQuestion(keys: [NumericKey(answer: "-1,5")], answerBoxLength: 4))),
            metadata("q3", .cloze(ClozeQuestion(gaps: [
                ClozeGap(weight: 2, kind: .choice(options: [
                    ChoiceOption(id: "a", text: RichText("đồng biến"), correct: true),
                    ChoiceOption(id: "b", text: RichText("nghịch biến"), correct: false, feedback: RichText("Sai ~ # }")),
                ], display: .vertical, shuffle: true)),
                ClozeGap(kind: .numeric(NumericQuestion(keys: [NumericKey(answer: "8", tolerance: 0.5)]))),
                ClozeGap(kind: .shortText(ShortTextQuestion(keys: [ShortTextKey(pattern: "x*3")], caseSensitive: true))),
            ]))),
            metadata("q4", .ordering(OrderingQuestion(items: [OrderingItem(id: "a", text: RichText("1")), OrderingItem(id: "b", text: RichText("2"))]))),
        ].enumerated().map { index, question in
            var question = question
            if index == 2 { question.stem = RichText("Hàm số {#1} trên ℝ; y(2) = {#2}; y = {#3}") }
            return question
        }
    }

    @Test("Model → Moodle XML → model keeps metadata, clusters, answer boxes and clozes")
    func modelRoundTrip() throws {
        let questions = Self.richQuestions()
        let exported = try MoodleXMLExporter.export(questions)
        let back = MoodleXMLImporter.importQuestions(from: exported.data, options: .init(idPrefix: "q"))
        #expect(back.report.allErrors.isEmpty)
        // Everything comes back but the written form of "-1,5", which Moodle stores as "-1.5", and the
        // feedback of a cluster's statements, which its 16 combinations have no place for.
        var expected = questions
        expected[1].body = .numeric(NumericQuestion(keys: [NumericKey(answer: "-1.5")], answerBoxLength: 4))
        if case .trueFalseCluster(var cluster) = expected[0].body {
            for index in cluster.statements.indices { cluster.statements[index].feedback = nil }
            expected[0].body = .trueFalseCluster(cluster)
        }
        #expect(back.questions == expected)
        // The cluster is one Moodle item, scored by its table through the combinations.
        #expect(exported.report.entries[0].narrowings.map(\.code) == ["clusterAsCombinations", "statementFeedbackLost", "tagTooLong"])
        #expect(exported.report.entries[1].narrowings.map(\.code) == ["tagTooLong", "numberRewritten"])
        #expect(exported.report.entries[1].narrowings[1].english == "numeric answers \"-1,5\" are written with a decimal point, as the format requires")
        let xml = try #require(String(data: exported.data, encoding: .utf8))
        #expect(xml.contains("<text>a) Đúng; b) Đúng; c) Sai; d) Sai</text>"))
        #expect(xml.contains("<text>hoclieu:answerbox=4</text>"))
        // "~" as a reference, "#" and "}" with a backslash: what Moodle's cloze parser undoes.
        #expect(xml.contains("{2:MULTICHOICE_VS:=đồng biến~%0%nghịch biến#Sai &amp;#126; \\# \\}}"))
    }

    @Test("Control characters pasted from Word do not break the export")
    func controlCharacters() throws {
        let question = Question(
            id: "w", title: "Tab\u{0B}dọc", stem: RichText("Dòng 1\u{0B}Dòng 2\u{0C}"),
            body: .trueFalse(TrueFalseQuestion(correctAnswer: true, feedbackTrue: RichText("ok\u{01}")))
        )
        let exported = try MoodleXMLExporter.export([question, Self.richQuestions()[1]])
        #expect(exported.report.entries[0].narrowings.map(\.code) == ["controlCharactersRemoved"])
        #expect(!exported.report.entries[1].narrowings.map(\.code).contains("controlCharactersRemoved"))
        let back = MoodleXMLImporter.importQuestions(from: exported.data)
        #expect(back.questions.first?.stem.html == "Dòng 1Dòng 2")
        #expect(back.questions.first?.title == "Tabdọc")
    }

    @Test("What Moodle XML cannot hold is reported")
    func narrowings() throws {
        var question = Self.richQuestions()[1]
        question.workedSolution = RichText("x = -3/2")
        question.body = .singleChoice(ChoiceQuestion(options: [
            ChoiceOption(id: "a", text: RichText("A"), correct: true),
            ChoiceOption(id: "b", text: RichText("Tất cả các ý trên"), correct: false, doNotShuffle: true),
        ]))
        let exported = try MoodleXMLExporter.export([question])
        #expect(Set(exported.report.entries[0].narrowings.map(\.code)) == ["workedSolutionLost", "doNotShuffleLost", "tagTooLong"])
    }
}

extension Question {
    /// The question with no idnumber (to compare what a round trip keeps besides it).
    var withoutIDNumber: Question {
        var copy = self
        copy.idNumber = nil
        return copy
    }
}
