public import Foundation

/// A question of the bank: metadata, the shared parts every type has (stem, feedback,
/// worked solution, media) and a type-specific ``body``.
///
/// Value type; two questions are equal when every field is equal.
public struct Question: Sendable, Codable, Hashable, Identifiable {
    /// Identifier inside Hoclieu.
    public var id: String
    /// Short title (Moodle's question name, GIFT's `::title::`).
    public var title: String
    /// Subject code, e.g. `TOAN`.
    public var subject: String?
    /// School grade (lớp), 1–12.
    public var grade: Int?
    /// Knowledge-unit codes from the catalogue, e.g. `TOAN.6.SD.2.3`.
    public var knowledgeUnits: [String]
    /// Cognitive level in a named framework.
    public var cognitiveLevel: CognitiveLevelReference?
    /// Where the question comes from (a book, an exam, an import file).
    public var source: String?
    /// Who wrote it.
    public var author: String?
    /// Review status.
    public var status: QuestionStatus
    /// Version number, from 1.
    public var version: Int
    /// Maximum points (Moodle's default grade); a score is `fraction × points`.
    public var points: Double
    /// The question text.
    public var stem: RichText
    /// Feedback shown to everyone after answering.
    public var generalFeedback: RichText?
    /// A worked solution (lời giải chi tiết).
    public var workedSolution: RichText?
    /// Free tags.
    public var tags: [String]
    /// An external identifier, such as Moodle's `idnumber`.
    public var idNumber: String?
    /// Identifier shared by the questions that use the same stimulus (a reading passage,
    /// a figure, a data table).
    public var stimulusGroup: String?
    /// Bank folder (Moodle category path, `/`-separated), if any.
    public var category: String?
    /// Hints shown one by one in interactive modes.
    public var hints: [RichText]
    /// Feedback by outcome (correct, partially correct, incorrect) for the types that have it.
    public var outcomeFeedback: OutcomeFeedback?
    /// Fraction of the points lost for each wrong try in interactive modes (Moodle's penalty), 0…1.
    public var penalty: Double?
    /// Files the texts refer to (images, audio). Their storage is not the model's concern.
    public var media: [QuestionMedia]
    /// Format-specific settings with no field of their own, kept for a faithful export,
    /// e.g. `moodle.answernumbering = abc`. Keys are prefixed by the format.
    public var extensions: [String: String]
    /// The type-specific part.
    public var body: QuestionBody

    /// Creates a question. Only the identifier and the body are required.
    public init(
        id: String,
        title: String = "",
        subject: String? = nil,
        grade: Int? = nil,
        knowledgeUnits: [String] = [],
        cognitiveLevel: CognitiveLevelReference? = nil,
        source: String? = nil,
        author: String? = nil,
        status: QuestionStatus = .draft,
        version: Int = 1,
        points: Double = 1,
        stem: RichText = RichText(),
        generalFeedback: RichText? = nil,
        workedSolution: RichText? = nil,
        tags: [String] = [],
        idNumber: String? = nil,
        stimulusGroup: String? = nil,
        category: String? = nil,
        hints: [RichText] = [],
        outcomeFeedback: OutcomeFeedback? = nil,
        penalty: Double? = nil,
        media: [QuestionMedia] = [],
        extensions: [String: String] = [:],
        body: QuestionBody
    ) {
        self.id = id
        self.title = title
        self.subject = subject
        self.grade = grade
        self.knowledgeUnits = knowledgeUnits
        self.cognitiveLevel = cognitiveLevel
        self.source = source
        self.author = author
        self.status = status
        self.version = version
        self.points = points
        self.stem = stem
        self.generalFeedback = generalFeedback
        self.workedSolution = workedSolution
        self.tags = tags
        self.idNumber = idNumber
        self.stimulusGroup = stimulusGroup
        self.category = category
        self.hints = hints
        self.outcomeFeedback = outcomeFeedback
        self.penalty = penalty
        self.media = media
        self.extensions = extensions
        self.body = body
    }

    /// The type of ``body``.
    public var type: QuestionType { body.type }
}

/// Where a question stands in review.
public enum QuestionStatus: String, Sendable, Codable, Hashable, CaseIterable {
    /// Being written.
    case draft
    /// Submitted and under review.
    case inReview
    /// Approved and usable in tests.
    case published
    /// No longer used; kept for history.
    case retired
}

/// Feedback by outcome: Moodle's combined feedback.
public struct OutcomeFeedback: Sendable, Codable, Hashable {
    /// Shown when the answer is fully right.
    public var correct: RichText
    /// Shown when the answer is partly right.
    public var partiallyCorrect: RichText
    /// Shown when the answer is wrong.
    public var incorrect: RichText
    /// Whether to tell the student how many parts were right (Moodle's `shownumcorrect`).
    public var showNumberCorrect: Bool

    /// Creates outcome feedback.
    public init(correct: RichText = RichText(), partiallyCorrect: RichText = RichText(), incorrect: RichText = RichText(), showNumberCorrect: Bool = false) {
        self.correct = correct
        self.partiallyCorrect = partiallyCorrect
        self.incorrect = incorrect
        self.showNumberCorrect = showNumberCorrect
    }
}

/// A file a question's texts refer to, e.g. `@@PLUGINFILE@@/flag.png` in Moodle XML.
public struct QuestionMedia: Sendable, Codable, Hashable {
    /// File name, as referenced from the text.
    public var name: String
    /// Media type, e.g. `image/png`.
    public var mediaType: String
    /// The bytes (empty once the bank keeps them as a blob: see ``contentID``).
    public var data: Data
    /// The text field the file belonged to in its source (e.g. `questiontext`,
    /// `answer[2].feedback`), so an export can put it back; `nil` when unknown.
    public var field: String?
    /// The blob holding the bytes, once the question is in the bank.
    public var contentID: ContentID?

    /// Creates a media file.
    public init(name: String, mediaType: String, data: Data, field: String? = nil, contentID: ContentID? = nil) {
        self.name = name
        self.mediaType = mediaType
        self.data = data
        self.field = field
        self.contentID = contentID
    }
}
