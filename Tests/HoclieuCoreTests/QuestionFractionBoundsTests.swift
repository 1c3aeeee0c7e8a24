import HoclieuCore
import Testing

@Suite("Validation messages for fractions no real file has")
struct QuestionFractionBoundsTests {
    /// A GIFT weight of `%5555…50%` made a fraction near 5.6e58; the message's percentage was converted to
    /// Int and trapped (found by the GIFT fuzz target).
    @Test("A fraction beyond Int or infinite is out of range, with a message, not a trap", arguments: [5.6e58, 1e17, .infinity])
    func beyondInt(_ fraction: Double) throws {
        let question = Make.question(.multipleResponse(ChoiceQuestion(options: Make.options([fraction, 0.5, 0]))))
        let violations = question.violations()
        #expect(violations.contains { $0.code == .fractionOutOfRange })
        let sum = try #require(violations.first { $0.code == .fractionsDoNotSumToOne })
        #expect(sum.messageEnglish.hasPrefix("The positive option fractions must add up to 100% (they add up to "))
        #expect(sum.messageEnglish.hasSuffix("%)"))
    }

    @Test("Ordinary sums are still shown as whole or decimal percentages")
    func ordinary() throws {
        let whole = Make.question(.multipleResponse(ChoiceQuestion(options: Make.options([0.5, 0.3, 0]))))
        #expect(whole.violations().first { $0.code == .fractionsDoNotSumToOne }?.messageEnglish.contains("(they add up to 80%)") == true)
        let decimal = Make.question(.multipleResponse(ChoiceQuestion(options: Make.options([0.5, 0.335, 0]))))
        #expect(decimal.violations().first { $0.code == .fractionsDoNotSumToOne }?.messageEnglish.contains("(they add up to 83.5%)") == true)
    }
}
