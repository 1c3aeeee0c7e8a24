import Foundation
import HoclieuCore
import Testing

@Suite("Question validation")
struct QuestionValidationTests {
    func codes(_ question: Question) -> Set<QuestionViolation.Code> {
        Set(question.violations().map(\.code))
    }

    @Test("A well-formed question of every type has no violation")
    func valid() {
        let bodies: [QuestionBody] = [
            .singleChoice(ChoiceQuestion(options: Make.options([1, 0, 0, 0]))),
            .multipleResponse(ChoiceQuestion(options: Make.options([0.5, 0.5, -1]))),
            .trueFalse(TrueFalseQuestion(correctAnswer: true)),
            .numeric(NumericQuestion(keys: [NumericKey(answer: "-1,5")], answerBoxLength: 4)),
            .shortText(ShortTextQuestion(keys: [ShortTextKey(pattern: "x")])),
            .essay(EssayQuestion()),
            .matching(MatchingQuestion(pairs: [MatchPair(id: "a", prompt: RichText("1"), answer: "một"), MatchPair(id: "b", prompt: RichText("2"), answer: "hai")])),
            .ordering(OrderingQuestion(items: [OrderingItem(id: "a", text: RichText("1")), OrderingItem(id: "b", text: RichText("2"))])),
        ]
        for body in bodies {
            #expect(Make.question(body).violations().isEmpty, "\(body.type)")
        }
        #expect(Make.cluster([true, false, true, false]).violations().isEmpty)
        let cloze = Question(id: "c", stem: RichText("x = {#1}"), body: .cloze(ClozeQuestion(gaps: [
            ClozeGap(kind: .numeric(NumericQuestion(keys: [NumericKey(answer: "2")]))),
        ])))
        #expect(cloze.violations().isEmpty)
    }

    @Test("No correct answer, in Vietnamese and English")
    func noCorrectAnswer() throws {
        let q = Make.question(.singleChoice(ChoiceQuestion(options: Make.options([0, 0.5, 0]))))
        let violation = try #require(q.violations().first { $0.code == .noCorrectAnswer })
        #expect(violation.messageVietnamese == "Câu hỏi không có đáp án đúng")
        #expect(violation.messageEnglish == "The question has no correct answer")
        #expect(codes(Make.question(.multipleResponse(ChoiceQuestion(options: Make.options([0, -1]))))).contains(.noCorrectAnswer))
        #expect(codes(Make.question(.shortText(ShortTextQuestion(keys: [ShortTextKey(pattern: "x", fraction: 0.5)])))) == [.noCorrectAnswer])
        #expect(codes(Make.question(.numeric(NumericQuestion(keys: [NumericKey(answer: "*")])))) == [.noCorrectAnswer])
    }

    @Test("Option count must be 2–8", arguments: [1, 9])
    func optionCount(count: Int) throws {
        let q = Make.question(.singleChoice(ChoiceQuestion(options: Make.options([1] + Array(repeating: 0, count: count - 1)))))
        let violation = try #require(q.violations().first { $0.code == .optionCountOutOfRange })
        #expect(violation.messageVietnamese == "Câu hỏi phải có từ 2 đến 8 phương án (có \(count))")
    }

    @Test("Duplicate, empty and out-of-range options")
    func options() {
        var options = Make.options([1, 0, 0])
        options[2].text = RichText("<p>Phương án 1</p>")
        #expect(codes(Make.question(.singleChoice(ChoiceQuestion(options: options)))) == [.duplicateOptions])
        options[2].text = RichText("<p> </p>")
        #expect(codes(Make.question(.singleChoice(ChoiceQuestion(options: options)))) == [.emptyOption])
        options[2] = ChoiceOption(id: "a", text: RichText("khác"), fraction: 1.5)
        #expect(codes(Make.question(.singleChoice(ChoiceQuestion(options: options)))) == [.fractionOutOfRange, .duplicateIdentifiers])
        #expect(codes(Make.question(.multipleResponse(ChoiceQuestion(options: Make.options([0.5, 0.3, 0]))))) == [.fractionsDoNotSumToOne])
    }

    @Test("Cluster needs exactly 4 statements and a sound table")
    func cluster() throws {
        let three = Make.cluster([true, false, true])
        let violation = try #require(three.violations().first { $0.code == .clusterStatementCount })
        #expect(violation.messageVietnamese == "Câu hỏi Đúng/Sai phải có đúng 4 ý (có 3)")
        #expect(violation.messageEnglish == "A true/false cluster needs exactly 4 statements (it has 3)")
        #expect(codes(Make.cluster([true, true, true, true, true])).contains(.clusterStatementCount))
        let badTable = Make.cluster([true, true, true, true], scoring: ClusterScoringTable(fractions: [0, 0.5, 0.25, 0.5, 1]))
        #expect(codes(badTable) == [.clusterScoringTable])
    }

    @Test("Numeric answers must parse and fit the answer box")
    func numeric() {
        #expect(codes(Make.question(.numeric(NumericQuestion(keys: [NumericKey(answer: "1,2,3")])))) == [.numericAnswerUnparseable, .noCorrectAnswer])
        let long = Make.question(.numeric(NumericQuestion(keys: [NumericKey(answer: "-12,5")], answerBoxLength: 4)))
        #expect(codes(long) == [.numericAnswerTooLongForBox])
        #expect(long.violations().first?.messageVietnamese == "Đáp án \"-12,5\" dài hơn 4 ký tự của ô trả lời")
        #expect(codes(Make.question(.numeric(NumericQuestion(keys: [NumericKey(answer: "1", tolerance: -1)])))) == [.invalidTolerance])
    }

    @Test("Short text, matching, ordering and cloze structure")
    func structure() {
        #expect(codes(Make.question(.shortText(ShortTextQuestion(keys: [ShortTextKey(pattern: " ")])))) == [.emptyPattern])
        #expect(codes(Make.question(.matching(MatchingQuestion(pairs: [MatchPair(id: "a", prompt: RichText("1"), answer: "x")])))) == [.tooFewPairs])
        #expect(codes(Make.question(.matching(MatchingQuestion(pairs: [
            MatchPair(id: "a", prompt: RichText("1"), answer: ""), MatchPair(id: "a", prompt: RichText("1"), answer: "y"),
        ])))) == [.emptyPair, .duplicateOptions, .duplicateIdentifiers])
        #expect(codes(Make.question(.ordering(OrderingQuestion(items: [OrderingItem(id: "a", text: RichText("1"))])))) == [.tooFewItems])
        #expect(codes(Make.question(.ordering(OrderingQuestion(items: [OrderingItem(id: "a", text: RichText("1")), OrderingItem(id: "a", text: RichText(""))])))) == [.emptyOption, .duplicateIdentifiers])
        #expect(codes(Question(id: "c", stem: RichText("không có"), body: .cloze(ClozeQuestion(gaps: [])))) == [.clozeWithoutGaps])
        let gap = ClozeGap(weight: 0, kind: .choice(options: Make.options([1]), display: .dropdown, shuffle: false))
        let cloze = Question(id: "c", stem: RichText("{#1} {#1} {#2}"), body: .cloze(ClozeQuestion(gaps: [gap])))
        let violations = cloze.violations()
        #expect(Set(violations.map(\.code)) == [.clozeMarkerMismatch, .invalidGapWeight, .optionCountOutOfRange])
        #expect(violations.contains { $0.messageEnglish.hasPrefix("Gap 1: ") && $0.gap == 0 })
        #expect(violations.contains { $0.messageVietnamese.hasPrefix("Chỗ trống 1: ") })
    }

    @Test("Images and formulas count as content; markup alone does not make options differ")
    func content() {
        var options = Make.options([1, 0])
        options[0].text = RichText("<img src=\"@@PLUGINFILE@@/a.png\" alt=\"\">")
        options[1].text = RichText("<img src=\"@@PLUGINFILE@@/b.png\" alt=\"\">")
        #expect(Make.question(.singleChoice(ChoiceQuestion(options: options))).violations().isEmpty)
        options[1].text = RichText("<p><img src=\"@@PLUGINFILE@@/a.png\"></p>")
        #expect(codes(Make.question(.singleChoice(ChoiceQuestion(options: options)))) == [.duplicateOptions])
        #expect(!RichText("<math><mi>x</mi></math>").isEmpty)
        #expect(RichText("<p>&nbsp;</p>").isEmpty)  // what editors leave in an emptied field
        #expect(RichText("<p> </p><br>").isEmpty)
        #expect(RichText("<b>Hà  Nội</b>").comparisonKey == RichText("Hà Nội").comparisonKey)
    }

    @Test("Cluster statements are labelled a–d and distinct")
    func clusterLabels() {
        var cluster = TrueFalseCluster(statements: ["a", "b", "d", "c"].map { ClusterStatement(label: $0, text: RichText("Ý \($0)"), isTrue: true) })
        #expect(codes(Make.question(.trueFalseCluster(cluster))) == [.clusterLabels])
        cluster.statements = ["a", "b", "c", "d"].map { ClusterStatement(label: $0, text: RichText("Cùng một ý"), isTrue: true) }
        #expect(codes(Make.question(.trueFalseCluster(cluster))) == [.duplicateOptions])
    }

    @Test("Every violation code is produced by some question")
    func everyCode() {
        var produced: Set<QuestionViolation.Code> = []
        let broken: [Question] = {
            var metadata = Make.question(.trueFalse(TrueFalseQuestion(correctAnswer: true)), points: -1, stem: "")
            metadata.version = 0
            metadata.grade = 0
            metadata.penalty = -1
            metadata.cognitiveLevel = CognitiveLevelReference(framework: "NTVV4", level: "NTVV4.9")
            var badOptions = Make.options([2, 0, 0])
            badOptions[1] = ChoiceOption(id: "a", text: RichText(""), fraction: 0)
            return [
                metadata,
                Make.question(.singleChoice(ChoiceQuestion(options: badOptions + Make.options([0, 0, 0, 0, 0, 0])))),
                Make.question(.singleChoice(ChoiceQuestion(options: [ChoiceOption(id: "a", text: RichText("x"), fraction: 0), ChoiceOption(id: "b", text: RichText("x"), fraction: 0)]))),
                Make.question(.multipleResponse(ChoiceQuestion(options: Make.options([0.5, 0])))),
                Make.cluster([true, true, true], scoring: ClusterScoringTable(fractions: [1])),
                Make.question(.trueFalseCluster(TrueFalseCluster(statements: ["b", "a", "c", "d"].map { ClusterStatement(label: $0, text: RichText($0), isTrue: true) }))),
                Make.question(.numeric(NumericQuestion(keys: [NumericKey(answer: "x"), NumericKey(answer: "12345", tolerance: -1)], answerBoxLength: 4))),
                Make.question(.shortText(ShortTextQuestion(keys: [ShortTextKey(pattern: "")]))),
                Make.question(.matching(MatchingQuestion(pairs: [MatchPair(id: "a", prompt: RichText(""), answer: "")]))),
                Make.question(.ordering(OrderingQuestion(items: []))),
                Question(id: "c", body: .cloze(ClozeQuestion(gaps: []))),
                Question(id: "c", stem: RichText("{#2}"), body: .cloze(ClozeQuestion(gaps: [ClozeGap(weight: 0, kind: .numeric(NumericQuestion(keys: [NumericKey(answer: "1")])))]))),
            ]
        }()
        for question in broken {
            for violation in question.violations() {
                produced.insert(violation.code)
                #expect(!violation.messageVietnamese.isEmpty && !violation.messageEnglish.isEmpty)
                #expect(violation.messageVietnamese != violation.messageEnglish)
            }
        }
        #expect(Set(QuestionViolation.Code.allCases).subtracting(produced).isEmpty)
    }

    @Test("Metadata: empty stem, points, version, grade, penalty, cognitive level")
    func metadata() {
        var q = Make.question(.trueFalse(TrueFalseQuestion(correctAnswer: true)), points: 0, stem: "<p></p>")
        q.version = 0
        q.grade = 13
        q.penalty = 2
        q.cognitiveLevel = CognitiveLevelReference(framework: "BHV3", level: "NTVV4.4")
        #expect(codes(q) == [.emptyStem, .invalidPoints, .invalidVersion, .invalidGrade, .invalidPenalty, .invalidCognitiveLevel])
        q = Make.question(.trueFalse(TrueFalseQuestion(correctAnswer: true)), points: .nan)
        #expect(codes(q) == [.invalidPoints])
    }
}

@Suite("Cognitive levels")
struct QuestionCognitiveLevelTests {
    let frameworks = CognitiveLevelFrameworks.standard

    @Test("NTVV4 → BHV3 follows maps_to; backwards gives the candidates")
    func conversion() {
        let vdc = CognitiveLevelReference(framework: "NTVV4", level: "NTVV4.4")
        #expect(frameworks.convert(vdc, to: "BHV3") == CognitiveLevelReference(framework: "BHV3", level: "BHV3.3"))
        let apply = CognitiveLevelReference(framework: "BHV3", level: "BHV3.3")
        #expect(frameworks.candidates(for: apply, in: "NTVV4").map(\.level) == ["NTVV4.3", "NTVV4.4"])
        #expect(frameworks.convert(apply, to: "NTVV4")?.level == "NTVV4.3")
        #expect(frameworks.convert(apply, to: "BHV3") == apply)
        #expect(frameworks.convert(CognitiveLevelReference(framework: "X", level: "X.1"), to: "BHV3") == nil)
        #expect(frameworks.frameworks == ["BHV3", "NTVV4"])
    }

    @Test("The built-in table matches Catalog/cognitive-levels.csv")
    func matchesCatalogue() throws {
        let csv = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Catalog/cognitive-levels.csv")
        let (data, problems) = CatalogReader.read(files: [("cognitive-levels.csv", try Data(contentsOf: csv))])
        #expect(problems.filter { $0.file == "cognitive-levels.csv" }.isEmpty)
        #expect(CognitiveLevelFrameworks(levels: data.levels) == frameworks)
    }
}
