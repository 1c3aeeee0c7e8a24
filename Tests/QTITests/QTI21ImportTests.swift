import ConformanceCorpus
import Foundation
import HoclieuCore
import QTI
import QuestionFormats
import Testing

@Suite("QTI 2.1/2.2 import: interactions, scoring, feedback, media", .needsCorpus)
struct QTI21ImportTests {
    static let items = "v2p2/1edtech_qtiv2p2_examples/items/"

    func only(_ path: String) throws -> (Question, QuestionImportEntry) {
        let result = try importCorpusEntry(path)
        #expect(result.report.fileErrors.isEmpty, "\(result.report.fileErrors)")
        return (try #require(result.questions.first), try #require(result.report.entries.first))
    }

    @Test("choiceInteraction: the correct response; fixed=\"true\" → do not shuffle; shuffle kept")
    func choiceFixed() throws {
        let (question, entry) = try only(Self.items + "choice_fixed.xml")
        guard case .singleChoice(let choice) = question.body else { Issue.record("not single choice: \(question.type)"); return }
        #expect(choice.shuffle)
        #expect(choice.options.map(\.id) == ["ChoiceA", "ChoiceB", "ChoiceC", "ChoiceD"])
        #expect(choice.options.map(\.doNotShuffle) == [false, false, false, true])
        #expect(choice.options.filter(\.isCorrect).map(\.id) == ["ChoiceA"])
        #expect(question.idNumber == "choice")
        #expect(!entry.warnings.contains { $0.code == "schemaViolation" }, "\(entry.warnings)")
    }

    @Test("Multiple cardinality with a mapping: partial credit and penalties as fractions")
    func choiceMultipleMapping() throws {
        let (question, _) = try only(Self.items + "choice_multiple.xml")
        guard case .multipleResponse(let choice) = question.body else { Issue.record("not multiple response: \(question.type)"); return }
        let fractions = Dictionary(uniqueKeysWithValues: choice.options.map { ($0.id, $0.fraction) })
        #expect(fractions["H"] == 0.5)
        #expect(fractions["O"] == 0.5)
        #expect(fractions["Cl"] == -0.5)
    }

    @Test("One textEntryInteraction: short text with the mapped answers as partial credit")
    func textEntry() throws {
        let (question, _) = try only(Self.items + "text_entry.xml")
        guard case .shortText(let text) = question.body else { Issue.record("not short text: \(question.type)"); return }
        #expect(text.keys.map(\.pattern) == ["York", "york"])
        #expect(text.keys.map(\.fraction) == [1, 0.5])
        #expect(!question.stem.html.contains("textEntryInteraction"))
    }

    @Test("inlineChoiceInteraction: a cloze with a drop-down gap where the interaction stood")
    func inlineChoice() throws {
        let (question, _) = try only(Self.items + "inline_choice.xml")
        guard case .cloze(let cloze) = question.body else { Issue.record("not cloze: \(question.type)"); return }
        #expect(question.stem.html.contains("Made glorious summer by this sun of"))
        #expect(question.stem.html.contains("{#1};<br />"))
        guard case .choice(let options, let display, _) = cloze.gaps.first?.kind else { Issue.record("gap is not a choice"); return }
        #expect(display == .dropdown)
        #expect(options.map(\.text.html) == ["Gloucester", "Lancaster", "York"])
        #expect(options.filter(\.isCorrect).map(\.id) == ["Y"])
    }

    @Test("MathML stays in the rich text, with its namespace")
    func mathML() throws {
        let (question, _) = try only(Self.items + "math.xml")
        #expect(question.stem.html.contains("<math xmlns=\"http://www.w3.org/1998/Math/MathML\">"))
        #expect(question.stem.html.contains("</math>"))
    }

    @Test("order, match, associate, extended text")
    func otherInteractions() throws {
        let (order, _) = try only(Self.items + "order.xml")
        guard case .ordering(let ordering) = order.body else { Issue.record("not ordering: \(order.type)"); return }
        #expect(ordering.items.count == 3)
        let (match, _) = try only(Self.items + "match.xml")
        guard case .matching(let matching) = match.body else { Issue.record("not matching: \(match.type)"); return }
        #expect(matching.pairs.count >= 3)
        let (essay, _) = try only(Self.items + "extended_text.xml")
        guard case .essay = essay.body else { Issue.record("not essay: \(essay.type)"); return }
    }

    @Test("In a package, img files become media named by their file name")
    func packageMedia() throws {
        let result = try importCorpusEntry(Self.items)
        let choice = try #require(result.questions.first { $0.idNumber == "choice" })
        #expect(choice.media.map(\.name) == ["sign.png"])
        #expect(choice.media.first?.mediaType == "image/png")
        #expect(choice.stem.html.contains("src=\"sign.png\""))
    }

    @Test("Schema violations are warnings with their line; the item still imports")
    func schemaWarning() throws {
        let result = try importCorpusEntry("v2p1/qtisdk_invalid/xsdinvalid.xml")
        let entry = try #require(result.report.entries.first)
        #expect(entry.outcome == .imported)
        let warning = try #require(entry.warnings.first { $0.code == "schemaViolation" })
        #expect(warning.english.contains("foo"))
        #expect(warning.location?.line == 9)
    }

    @Test("The qti-sdk invalid samples get specific errors")
    func invalidSamples() throws {
        #expect(try importCorpusEntry("v2p1/qtisdk_invalid/empty.xml").report.fileErrors.map(\.code) == ["emptyFile"])
        let malformed = try importCorpusEntry("v2p1/qtisdk_invalid/malformed.xml").report.fileErrors
        #expect(malformed.map(\.code) == ["malformedXML"])
        #expect(malformed.first?.location?.line == 28)
        let noVersion = try importCorpusEntry("v2p1/qtisdk_invalid/noversion.xml").report.fileErrors
        #expect(noVersion.map(\.code) == ["notAnItem"])
        #expect(noVersion.first?.english.contains("<responseProcessing>") == true)
    }

    @Test("Unsupported interactions are dropped with the interaction named")
    func dropped() throws {
        let result = try importCorpusEntry(Self.items + "hotspot.xml")
        let entry = try #require(result.report.entries.first)
        #expect(entry.outcome == .dropped)
        #expect(entry.warnings.contains { $0.code == "unsupportedInteraction" && $0.english.contains("hotspotInteraction") })
    }

    @Test("modalFeedback: the feedback of an option, and general feedback")
    func modalFeedback() throws {
        let (question, _) = try only(Self.items + "Example01-modalFeedback.xml")
        let hasOptionFeedback: Bool
        switch question.body {
        case .singleChoice(let c), .multipleResponse(let c): hasOptionFeedback = c.options.contains { $0.feedback != nil }
        case .trueFalse(let tf): hasOptionFeedback = tf.feedbackTrue != nil || tf.feedbackFalse != nil
        default: hasOptionFeedback = false
        }
        #expect(hasOptionFeedback || question.generalFeedback != nil || question.outcomeFeedback != nil)
    }
}
