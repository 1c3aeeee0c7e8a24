import Foundation
import HoclieuCore
import HoclieuStorage
import Testing

@Suite("Question bank: a file coming back from Moodle updates, not copies")
struct QuestionIDNumberTests {
    @Test("A question whose idnumber is a bank question's id updates that question", arguments: StoreMakers.all)
    func idNumberNamesTheID(_ maker: StoreMaker) async throws {
        try await maker.withStore { store in
            let user = try await store.createUser(NewUser(username: "gv.an", displayName: "gv.an", roles: [.teacher], passwordHash: "x"))
            let question = Question(id: "", title: "Câu 1", subject: "TOAN", stem: RichText("<p>2 + 2 = ?</p>"), body: .numeric(NumericQuestion(keys: [NumericKey(answer: "4")])))
            let first = try #require(try await store.importQuestions([question], ownerID: user.id, source: "de.docx").first)
            #expect(first.action == .created)
            // Exported to Moodle with <idnumber> = the id, edited there, exported back.
            var back = question
            back.idNumber = first.id
            back.stem = RichText("<p>2 + 2 bằng bao nhiêu?</p>")
            let second = try #require(try await store.importQuestions([back], ownerID: user.id, source: "moodle.xml").first)
            #expect(second.action == .updated)
            #expect(second.id == first.id && second.version == 2)
            #expect(try await store.questionSummaries(subject: nil, status: nil).count == 1)
            #expect(try await store.question(id: first.id)?.stem.html == "<p>2 + 2 bằng bao nhiêu?</p>")
        }
    }
}
