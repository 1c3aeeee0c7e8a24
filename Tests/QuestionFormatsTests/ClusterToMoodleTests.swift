import Foundation
import HoclieuCore
import HoclieuXML
import QuestionFormats
import Testing

/// A Đúng/Sai cluster in Moodle: scored by the 2025 table, not proportionally.
@Suite("Đúng/Sai cluster to Moodle: scores by the 2025 table")
struct ClusterToMoodleTests {
    static let truth = [true, false, true, true]

    static func cluster(points: Double = 1) -> Question {
        let texts = ["Hàm số đồng biến trên ℝ.", "Đồ thị đi qua điểm (1; 2).", "f(0) = 1.", "Phương trình f(x) = 0 có một nghiệm."]
        return Question(
            id: "79-Q-0000100", title: "Câu 1 (Phần II)", subject: "TOAN", grade: 12, points: points,
            stem: RichText("<p>Cho hàm số f(x) = x³ + 1.</p>"), category: "Phần II",
            body: .trueFalseCluster(TrueFalseCluster(statements: texts.enumerated().map { index, text in
                ClusterStatement(label: ["a", "b", "c", "d"][index], text: RichText(text), isTrue: truth[index])
            }))
        )
    }

    /// The fraction Moodle gives a student who believes `answers`: with the combinations encoding
    /// they pick the one option that says what they believe, and a single-answer `multichoice`
    /// gives the chosen answer's fraction (`qtype_multichoice_single_question::grade_response`,
    /// moodle/moodle `question/type/multichoice/question.php`).
    static func moodleFraction(of question: XMLElement, believing answers: [Bool]) -> Double? {
        let text = zip(["a", "b", "c", "d"], answers).map { "\($0)) \($1 ? "Đúng" : "Sai")" }.joined(separator: "; ")
        let chosen = question.children(named: "answer").filter { $0.firstChild(named: "text")?.text == text }
        guard chosen.count == 1 else { return nil }
        return Double(chosen[0].attribute("fraction") ?? "").map { $0 / 100 }
    }

    @Test("0–4 statements right score 0, 0.1, 0.25, 0.5, 1 of the item, as the 2025 table says")
    func scoresByTable() throws {
        let exported = try MoodleXMLExporter.export([Self.cluster(points: 2)])
        let check = try MoodleImportCheck(exported.data)
        #expect(check.problems.isEmpty, "\(check.problems)")
        let item = try #require(check.items.first)
        #expect(item.type == "multichoice")
        #expect(item.element.firstChild(named: "single")?.text == "true")
        #expect(item.element.firstChild(named: "defaultgrade")?.text == "2.0000000")
        #expect(item.element.children(named: "answer").count == 16)
        var byRight: [Int: Set<Double>] = [:]
        for pattern in 0..<16 {
            let belief = (0..<4).map { pattern & (1 << $0) != 0 }
            let right = zip(belief, Self.truth).filter { $0 == $1 }.count
            let fraction = try #require(Self.moodleFraction(of: item.element, believing: belief))
            byRight[right, default: []].insert(fraction)
        }
        // Each number right always gives the same score, and it is the table's.
        let table2025: [Int: Double] = [0: 0, 1: 0.1, 2: 0.25, 3: 0.5, 4: 1]
        for (right, fractions) in byRight {
            #expect(fractions == [table2025[right]!], "\(right) right")
        }
        #expect(Set(byRight.keys) == [0, 1, 2, 3, 4])
        // The report says how the cluster was written, in both languages.
        let narrowing = try #require(exported.report.entries[0].narrowings.first { $0.code == "clusterAsCombinations" })
        #expect(narrowing.vietnamese.contains("16 tổ hợp"))
        #expect(narrowing.english.contains("16 Đúng/Sai combinations"))
    }

    @Test("A table of the school's own is used for the options (and rounded to a Moodle grade when it must be)")
    func ownTable() throws {
        var question = Self.cluster()
        question.body = .trueFalseCluster(TrueFalseCluster(
            statements: { if case .trueFalseCluster(let c) = question.body { return c.statements } else { return [] } }(),
            scoring: ClusterScoringTable(fractions: [0, 0.15, 0.3, 0.6, 1])))
        let exported = try MoodleXMLExporter.export([question])
        let check = try MoodleImportCheck(exported.data)
        #expect(check.problems.isEmpty, "\(check.problems)")
        let item = try #require(check.items.first?.element)
        // 15 % is no Moodle grade: the nearest one, 14.28571 %, said in the report.
        #expect(Self.moodleFraction(of: item, believing: [true, true, false, false]) == 0.1428571)  // one right
        #expect(Self.moodleFraction(of: item, believing: [true, false, false, false]) == 0.3)  // two right
        #expect(Self.moodleFraction(of: item, believing: [true, true, true, true]) == 0.6)  // three right
        #expect(exported.report.entries[0].narrowings.map(\.code).contains("fractionRounded"))
    }

    @Test("Hoclieu reads the combinations back as the same cluster")
    func roundTrip() throws {
        let question = Self.cluster()
        let exported = try MoodleXMLExporter.export([question])
        let back = MoodleXMLImporter.importQuestions(from: exported.data)
        #expect(back.report.allErrors.isEmpty)
        let again = try #require(back.questions.first)
        #expect(again.body == question.body)
        #expect(again.stem == question.stem)
        #expect(again.extensions.isEmpty)
    }

    @Test("The cloze layout stays available, and says it scores proportionally")
    func clozeOption() throws {
        let exported = try MoodleXMLExporter.export([Self.cluster()], options: .init(clusterEncoding: .cloze))
        let check = try MoodleImportCheck(exported.data)
        #expect(check.items.first?.type == "cloze")
        #expect(exported.report.entries[0].narrowings.map(\.code).contains("clusterAsCloze"))
    }

    @Test("GIFT: the cluster becomes four true/false questions kept together (one category, one idnumber stem), and the report says so")
    func gift() throws {
        let result = GIFTExporter.export([Self.cluster()])
        let text = String(decoding: result.data, as: UTF8.self)
        #expect(text.contains("$CATEGORY: $course$/Toán 12/Phần II/Câu 1 (Phần II)\n"))
        for label in ["a", "b", "c", "d"] { #expect(text.contains("// [id:79-Q-0000100-\(label)]")) }
        #expect(result.report.entries[0].items == 4)
        let narrowing = try #require(result.report.entries[0].narrowings.first { $0.code == "clusterAsTrueFalse" })
        #expect(narrowing.english.contains("4 true/false questions"))
        #expect(narrowing.vietnamese.contains("4 câu đúng/sai"))
        let back = GIFTImporter.importQuestions(from: result.data)
        #expect(back.questions.count == 4)
        #expect(Set(back.questions.map(\.category)) == ["$course$/Toán 12/Phần II/Câu 1 (Phần II)"])
    }
}
