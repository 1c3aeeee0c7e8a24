import Foundation
import HoclieuCore
import Testing

@Suite("Question JSON")
struct QuestionCodingTests {
    static let bodies: [QuestionBody] = [
        .singleChoice(ChoiceQuestion(options: Make.options([1, 0]), shuffle: false)),
        .multipleResponse(ChoiceQuestion(options: Make.options([0.5, 0.5, -1]))),
        .trueFalse(TrueFalseQuestion(correctAnswer: false, feedbackTrue: RichText("Sai rồi"))),
        .trueFalseCluster(TrueFalseCluster(statements: ["a", "b", "c", "d"].map { ClusterStatement(label: $0, text: RichText($0), isTrue: $0 < "c") })),
        .numeric(NumericQuestion(keys: [NumericKey(answer: "-1,5", tolerance: 0.05)], answerBoxLength: 4, units: [NumericUnit(name: "cm", multiplier: 100)])),
        .shortText(ShortTextQuestion(keys: [ShortTextKey(pattern: "Hà*Nội")], caseSensitive: true)),
        .essay(EssayQuestion(rubric: RichText("3 ý"))),
        .matching(MatchingQuestion(pairs: [MatchPair(id: "a", prompt: RichText("1"), answer: "một")], distractors: ["hai"])),
        .ordering(OrderingQuestion(items: [OrderingItem(id: "a", text: RichText("x"))])),
        .cloze(ClozeQuestion(gaps: [
            ClozeGap(weight: 2, kind: .choice(options: Make.options([1, 0]), display: .horizontal, shuffle: true)),
            ClozeGap(kind: .shortText(ShortTextQuestion(keys: [ShortTextKey(pattern: "x")]))),
            ClozeGap(kind: .numeric(NumericQuestion(keys: [NumericKey(answer: "2")]))),
        ])),
    ]

    @Test("Every body type survives JSON, tagged with its type", arguments: bodies)
    func body(_ body: QuestionBody) throws {
        var question = Make.question(body)
        question.cognitiveLevel = CognitiveLevelReference(framework: "NTVV4", level: "NTVV4.1")
        question.media = [QuestionMedia(name: "a.png", mediaType: "image/png", data: Data([1, 2, 3]), field: "questiontext")]
        let data = try JSONEncoder().encode(question)
        #expect(try JSONDecoder().decode(Question.self, from: data) == question)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let bodyObject = try #require(object["body"] as? [String: Any])
        #expect(bodyObject["type"] as? String == body.type.rawValue)
        #expect(!String(decoding: data, as: UTF8.self).contains("\"_0\""))
    }

    @Test("Responses are one-key objects")
    func responses() throws {
        let response = QuestionResponse.cloze([0: .choice("a"), 1: .choices(["c", "b"]), 2: .text("-1,5")])
        let data = try JSONEncoder().encode(response)
        #expect(try JSONDecoder().decode(QuestionResponse.self, from: data) == response)
        #expect(try JSONDecoder().decode(QuestionResponse.self, from: Data(#"{"cluster":{"a":true,"b":false}}"#.utf8)) == .cluster(["a": true, "b": false]))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(QuestionResponse.self, from: Data(#"{"text":"a","choice":"b"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(QuestionBody.self, from: Data(#"{"type":"hotspot"}"#.utf8)) }
    }
}
