import ConformanceCorpus
import Foundation
import HoclieuCore
import QTI
import QuestionFormats
import Testing
import ZIPFoundation

/// One question of each of the ten types, with feedback, media and partial credit.
enum Samples {
    static let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x01])

    static var all: [Question] {
        var single = Question(
            id: "q1", title: "Thủ đô", points: 2, stem: RichText("<p>Thủ đô của Việt Nam là thành phố nào? <img src=\"flag.png\" alt=\"cờ\" /></p>"),
            generalFeedback: RichText("<p>Hà Nội là thủ đô từ năm 1010.</p>"),
            outcomeFeedback: OutcomeFeedback(correct: RichText("<p>Đúng rồi!</p>"), incorrect: RichText("<p>Chưa đúng.</p>")),
            body: .singleChoice(
                ChoiceQuestion(options: [
                    ChoiceOption(id: "a", text: RichText("Hà Nội"), correct: true, feedback: RichText("Chính xác")),
                    ChoiceOption(id: "b", text: RichText("Huế"), fraction: 0.5),
                    ChoiceOption(id: "c", text: RichText("Đà Lạt"), correct: false),
                    ChoiceOption(id: "d", text: RichText("Cả ba đều sai"), correct: false, doNotShuffle: true),
                ]))
        )
        single.media = [QuestionMedia(name: "flag.png", mediaType: "image/png", data: png, field: "questiontext")]
        return [
            single,
            Question(
                id: "q2", title: "Số nguyên tố", stem: RichText("<p>Chọn các số nguyên tố.</p>"),
                body: .multipleResponse(
                    ChoiceQuestion(
                        options: [
                            ChoiceOption(id: "a", text: RichText("2"), fraction: 0.5), ChoiceOption(id: "b", text: RichText("3"), fraction: 0.5),
                            ChoiceOption(id: "c", text: RichText("4"), fraction: -0.5),
                        ], shuffle: false))),
            Question(
                id: "q3", title: "Trái Đất", stem: RichText("<p>Trái Đất quay quanh Mặt Trời.</p>"),
                body: .trueFalse(
                    TrueFalseQuestion(
                        correctAnswer: true, feedbackTrue: RichText("Đúng vậy"), feedbackFalse: RichText("Hãy xem lại")
                    ))),
            Question(
                id: "q4", title: "Hàm số",
                stem: RichText(
                    "<p>Cho hàm số <math xmlns=\"http://www.w3.org/1998/Math/MathML\"><mi>y</mi><mo>=</mo><msup><mi>x</mi><mn>2</mn></msup></math>.</p>"
                ),
                body: .trueFalseCluster(
                    TrueFalseCluster(statements: [
                        ClusterStatement(label: "a", text: RichText("Hàm số chẵn."), isTrue: true),
                        ClusterStatement(label: "b", text: RichText("Đồng biến trên ℝ."), isTrue: false),
                        ClusterStatement(label: "c", text: RichText("Đi qua gốc toạ độ."), isTrue: true),
                        ClusterStatement(label: "d", text: RichText("Có hai cực trị."), isTrue: false),
                    ]))),
            Question(
                id: "q5", title: "Căn hai", stem: RichText("<p>Tính √2 (làm tròn đến hàng phần trăm).</p>"),
                body: .numeric(
                    NumericQuestion(
                        keys: [NumericKey(answer: "1.41", tolerance: Decimal(string: "0.01")!), NumericKey(answer: "1.4", fraction: 0.5)],
                        answerBoxLength: 4
                    ))),
            Question(
                id: "q6", title: "Sông", stem: RichText("<p>Con sông dài nhất Việt Nam?</p>"),
                body: .shortText(
                    ShortTextQuestion(keys: [
                        ShortTextKey(pattern: "sông Đồng Nai"), ShortTextKey(pattern: "Đồng Nai", fraction: 0.8),
                    ]))),
            Question(
                id: "q7", title: "Bài luận", stem: RichText("<p>Trình bày suy nghĩ về tinh thần hiếu học.</p>"),
                body: .essay(
                    EssayQuestion(
                        rubric: RichText("<p>Nêu được luận điểm, có dẫn chứng.</p>"), responseTemplate: .plain("Mở bài…")
                    ))),
            Question(
                id: "q8", title: "Ghép", stem: RichText("<p>Ghép tác giả với tác phẩm.</p>"),
                body: .matching(
                    MatchingQuestion(
                        pairs: [
                            MatchPair(id: "p1", prompt: RichText("Nguyễn Du"), answer: "Truyện Kiều"),
                            MatchPair(id: "p2", prompt: RichText("Nam Cao"), answer: "Chí Phèo"),
                        ], distractors: ["Tắt đèn"]))),
            Question(
                id: "q9", title: "Sắp xếp", stem: RichText("<p>Sắp xếp theo thứ tự thời gian.</p>"),
                body: .ordering(
                    OrderingQuestion(items: [
                        OrderingItem(id: "i1", text: RichText("Nhà Lý")), OrderingItem(id: "i2", text: RichText("Nhà Trần")),
                        OrderingItem(id: "i3", text: RichText("Nhà Lê")),
                    ]))),
            Question(
                id: "q10", title: "Điền", stem: RichText("<p>Thủ đô là {#1}, có {#2} quận.</p>"),
                body: .cloze(
                    ClozeQuestion(gaps: [
                        ClozeGap(
                            kind: .choice(
                                options: [
                                    ChoiceOption(id: "a", text: RichText("Hà Nội"), correct: true),
                                    ChoiceOption(id: "b", text: RichText("Huế"), correct: false),
                                ], display: .dropdown, shuffle: false)),
                        ClozeGap(weight: 2, kind: .numeric(NumericQuestion(keys: [NumericKey(answer: "12")]))),
                    ]))),
        ]
    }
}

enum Schemas {
    static var root: URL { Corpus.root.appendingPathComponent("schemas") }
    static var catalog: URL { root.appendingPathComponent("catalog.xml") }
    static var ccQTI: URL { root.appendingPathComponent("cc/v1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd") }
    static var qti21: URL { root.appendingPathComponent("qti/qtisdk_schemes/qtiv2p1/imsqti_v2p1.xsd") }
}

/// The files of a zip, read with ZIPFoundation (an independent reader).
func zipEntries(_ data: Data) throws -> [(path: String, data: Data)] {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("qti-read-\(UUID().uuidString).zip")
    try data.write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let archive = try Archive(url: url, accessMode: .read)
    var result: [(String, Data)] = []
    for entry in archive {
        var bytes = Data()
        _ = try archive.extract(entry) { bytes.append($0) }
        result.append((entry.path, bytes))
    }
    return result
}

@Suite("QTI 1.2 export (CC 1.1 profile)")
struct QTI12ExportTests {
    @Test(
        "An assessment and an object bank are valid against the CC 1.1 QTI profile schema", .needsCorpus,
        arguments: [
            QTI12Exporter.Container.assessment(title: "Kiểm tra 15 phút"), .objectBank,
        ])
    func schemaValid(_ container: QTI12Exporter.Container) throws {
        let result = try QTI12Exporter.export(Samples.all, container: container)
        let violations = try QTIFormats.validate([result.data], schema: Schemas.ccQTI, catalog: Schemas.catalog)[0]
        #expect(violations.isEmpty, "\(violations.prefix(5))")
    }

    @Test("Narrowings: cluster → four true/false items, numeric → pattern match, cloze → essay, matching and ordering dropped")
    func narrowings() throws {
        let result = try QTI12Exporter.export(Samples.all)
        let entries = Dictionary(uniqueKeysWithValues: result.report.entries.map { ($0.id, $0) })
        #expect(entries["q4"]?.narrowings.map(\.code).contains("clusterAsTrueFalse") == true)
        #expect(entries["q5"]?.narrowings.map(\.code).contains("numericAsPattern") == true)
        #expect(entries["q10"]?.narrowings.map(\.code).contains("clozeAsEssay") == true)
        #expect(entries["q8"]?.exported == false)
        #expect(entries["q9"]?.exported == false)
        #expect(entries["q2"]?.narrowings.map(\.code).contains("allOrNothing") == true)
        #expect(result.report.droppedCount == 2)
        for narrowing in result.report.allNarrowings { #expect(!narrowing.vietnamese.isEmpty && !narrowing.english.isEmpty) }
    }

    @Test("Read back: the types and right answers the profile holds survive")
    func readBack() throws {
        let export = try QTI12Exporter.export(Samples.all)
        let result = QTI12Importer.importQuestions(from: export.data)
        #expect(result.report.fileErrors.isEmpty)
        #expect(outcomeSummary(result.report) == "essay=2,multipleResponse=1,shortText=2,singleChoice=1,trueFalse=5")
        let single = try #require(result.questions.first)
        guard case .singleChoice(let choice) = single.body else { Issue.record("not single choice"); return }
        #expect(choice.options.map(\.fraction) == [1, 0.5, 0, 0])
        #expect(choice.options[0].feedback?.html == "Chính xác")
        #expect(single.generalFeedback?.html == "<p>Hà Nội là thủ đô từ năm 1010.</p>")
        #expect(single.outcomeFeedback?.correct.html == "<p>Đúng rồi!</p>")
        #expect(single.points == 2)
        let statements = result.questions.filter { $0.idNumber?.hasPrefix("q4_") == true }
        #expect(statements.count == 4)
        #expect(
            statements.map { q -> Bool in if case .trueFalse(let tf) = q.body { return tf.correctAnswer } else { return false } } == [
                true, false, true, false,
            ])
    }

    @Test("Deterministic bytes")
    func deterministic() throws {
        #expect(try QTI12Exporter.export(Samples.all).data == QTI12Exporter.export(Samples.all).data)
    }
}

@Suite("QTI 2.1 export: items and content package")
struct QTI21ExportTests {
    @Test("Every item is valid against the QTI 2.1 schema", .needsCorpus)
    func itemsSchemaValid() throws {
        let items = try Samples.all.map { try QTI21Exporter.exportItem($0).data }
        let violations = try QTIFormats.validate(items, schema: Schemas.qti21, catalog: Schemas.catalog)
        for (question, messages) in zip(Samples.all, violations) { #expect(messages.isEmpty, "\(question.id): \(messages.prefix(3))") }
    }

    @Test("The package: manifest first, one item per question, media under the item, same bytes twice")
    func package() throws {
        let first = try QTI21Exporter.export(Samples.all)
        #expect(first.data == (try QTI21Exporter.export(Samples.all)).data)
        let entries = try zipEntries(first.data)
        #expect(entries.first?.path == "imsmanifest.xml")
        #expect(entries.filter { $0.path.hasSuffix(".xml") && $0.path.hasPrefix("items/") }.count == Samples.all.count)
        #expect(entries.contains { $0.path == "items/media/q1/flag.png" && $0.data == Samples.png })
        let manifest = String(decoding: try #require(entries.first?.data), as: UTF8.self)
        #expect(manifest.contains("type=\"imsqti_item_xmlv2p1\""))
        #expect(first.report.entries.first { $0.id == "q4" }?.narrowings.map(\.code).contains("clusterAsMatching") == true)
    }

    @Test("Model → QTI 2.1 package → model keeps every field QTI 2.1 holds")
    func roundTripModel() throws {
        let export = try QTI21Exporter.export(Samples.all)
        let result = QTIFormats.importQuestions(from: export.data, fileName: "hoclieu.zip")
        #expect(result.report.fileErrors.isEmpty, "\(result.report.fileErrors)")
        #expect(result.report.invalidCount == 0, "\(result.report.allErrors.prefix(3))")
        #expect(result.report.entries.allSatisfy { !$0.warnings.contains { $0.code == "schemaViolation" } })
        for (original, back) in zip(Samples.all, result.questions) {
            var expected = original
            expected.id = back.id
            expected.idNumber = original.id
            if case .trueFalseCluster = original.body { continue }  // narrowed to matching: checked below
            #expect(back == expected, "\(original.id)")
        }
        let cluster = try #require(result.questions.first { $0.idNumber == "q4" })
        guard case .matching(let matching) = cluster.body else { Issue.record("cluster not matching"); return }
        #expect(matching.pairs.map(\.answer) == ["Đúng", "Sai", "Đúng", "Sai"])
    }

    @Test(
        "Corpus items → model → QTI 2.1 → model is unchanged", .needsCorpus,
        arguments: [
            "v2p2/1edtech_qtiv2p2_examples/items/choice.xml", "v2p2/1edtech_qtiv2p2_examples/items/choice_fixed.xml",
            "v2p2/1edtech_qtiv2p2_examples/items/choice_multiple.xml", "v2p2/1edtech_qtiv2p2_examples/items/text_entry.xml",
            "v2p2/1edtech_qtiv2p2_examples/items/inline_choice.xml", "v2p2/1edtech_qtiv2p2_examples/items/math.xml",
            "v2p2/1edtech_qtiv2p2_examples/items/order.xml", "v2p2/1edtech_qtiv2p2_examples/items/match.xml",
            "v2p2/1edtech_qtiv2p2_examples/items/extended_text.xml", "v2p2/1edtech_qtiv2p2_examples/items/Example01-modalFeedback.xml",
            "v2p1/qtisdk_ims_samples/items/2_1/choice.xml", "v2p1/qtisdk_ims_samples/items/2_1/associate.xml",
        ])
    func roundTripCorpus(_ path: String) throws {
        let first = try importCorpusEntry(path)
        let question = try #require(first.questions.first, "\(first.report.allErrors)")
        let item = try QTI21Exporter.exportItem(question)
        let violations = try QTIFormats.validate([item.data], schema: Schemas.qti21, catalog: Schemas.catalog)[0]
        #expect(violations.isEmpty, "\(violations.prefix(3))")
        let second = QTI21Importer.importQuestions(from: item.data)
        let back = try #require(second.questions.first, "\(second.report.allErrors)")
        #expect(back == question)
    }
}
