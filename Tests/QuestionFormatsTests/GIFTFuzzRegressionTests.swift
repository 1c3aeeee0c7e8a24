import Foundation
import QuestionFormats
import Testing

@Suite("GIFT inputs found by fuzzing")
struct GIFTFuzzRegressionTests {
    /// FuzzGIFT crash-bcc47be9…: a weight of 62 digits in a multiple-response question trapped while the
    /// validation message was written. Now the question is invalid, with a reason, and the others import.
    @Test("A weight of %5555…50% makes the question invalid, not the process crash")
    func hugeWeight() {
        let weight = String(repeating: "5", count: 60) + "0"
        let text = "::Q1:: Chon hai {~%\(weight)%a ~%50%b ~%-100%c}\n\n::Q2:: Chon hai {~%50%a ~%50%b ~%-100%c}\n"
        let result = GIFTImporter.importQuestions(from: Data(text.utf8), options: QuestionImportOptions(partial: true))
        #expect(result.questions.count == 1)
        #expect(result.report.entries.count == 2)
        #expect(result.report.entries.contains { $0.outcome == .invalid })
    }
}
