/// A teacher's edit of a question in the bank: the fields the edit form changes. A field left nil keeps
/// what the question has; the bank's own fields (id, version, status, media, provenance) are never taken
/// from an edit.
public struct QuestionEdit: Sendable, Codable, Equatable {
    public var title: String?
    public var subject: String?
    public var grade: Int?
    public var knowledgeUnits: [String]?
    public var cognitiveLevel: CognitiveLevelReference?
    public var points: Double?
    public var stem: RichText?
    /// The type-specific part: options, answers, statements, pairs…
    public var body: QuestionBody?
    public var generalFeedback: RichText?
    public var workedSolution: RichText?
    public var tags: [String]?

    public init(
        title: String? = nil, subject: String? = nil, grade: Int? = nil, knowledgeUnits: [String]? = nil,
        cognitiveLevel: CognitiveLevelReference? = nil, points: Double? = nil, stem: RichText? = nil, body: QuestionBody? = nil,
        generalFeedback: RichText? = nil, workedSolution: RichText? = nil, tags: [String]? = nil
    ) {
        self.title = title
        self.subject = subject
        self.grade = grade
        self.knowledgeUnits = knowledgeUnits
        self.cognitiveLevel = cognitiveLevel
        self.points = points
        self.stem = stem
        self.body = body
        self.generalFeedback = generalFeedback
        self.workedSolution = workedSolution
        self.tags = tags
    }

    /// The question with this edit applied (not yet sanitised nor validated: the use case does both).
    public func applied(to question: Question) -> Question {
        var q = question
        if let title { q.title = title }
        if let subject { q.subject = subject }
        if let grade { q.grade = grade }
        if let knowledgeUnits { q.knowledgeUnits = knowledgeUnits }
        if let cognitiveLevel { q.cognitiveLevel = cognitiveLevel }
        if let points { q.points = points }
        if let stem { q.stem = stem }
        if let body { q.body = body }
        if let generalFeedback { q.generalFeedback = generalFeedback }
        if let workedSolution { q.workedSolution = workedSolution }
        if let tags { q.tags = tags }
        return q
    }
}
