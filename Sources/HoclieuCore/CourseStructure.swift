public import Foundation

/// The file of a course-package version: the outline of a course whose entries are other materials.
///
/// Entries name their materials by provenance (`sourceSystem` + the entry's `source`), not by PID, so
/// the file is the same bytes whenever the outline is the same: re-importing an unchanged course
/// changes nothing, and a changed outline is a new version.
public struct CourseStructure: Codable, Sendable, Equatable {
    /// The media type of the file.
    public static let mediaType = "application/vnd.hoclieu.course+json"

    /// One entry of the outline: a folder (no `source`) or a material.
    public struct Node: Codable, Sendable, Equatable {
        public var title: String
        /// The source identifier of the material shown here; nil for a folder.
        public var source: String?
        public var children: [Node]

        public init(title: String, source: String? = nil, children: [Node] = []) {
            self.title = title
            self.source = source
            self.children = children
        }
    }

    /// The provenance system of every material the outline names.
    public var sourceSystem: String
    /// The standard the course came in, e.g. `IMS Common Cartridge 1.1`.
    public var origin: String?
    public var items: [Node]
    /// Source identifiers of the course's materials that the outline does not show (question banks,
    /// course files): they belong to the course and travel with it.
    public var unlisted: [String]

    public init(sourceSystem: String, origin: String? = nil, items: [Node], unlisted: [String] = []) {
        self.sourceSystem = sourceSystem
        self.origin = origin
        self.items = items
        self.unlisted = unlisted
    }

    private enum CodingKeys: String, CodingKey { case sourceSystem, origin, items, unlisted }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sourceSystem = try c.decode(String.self, forKey: .sourceSystem)
        origin = try c.decodeIfPresent(String.self, forKey: .origin)
        items = try c.decode([Node].self, forKey: .items)
        unlisted = try c.decodeIfPresent([String].self, forKey: .unlisted) ?? []
    }

    /// Deterministic JSON (sorted keys).
    public func jsonData() throws -> Data { try HoclieuJSON.encoder().encode(self) }
}

/// The file of a question-set version: the questions themselves, as they were when the set was made
/// (the bank holds the same questions for search and assembly).
public struct QuestionSetFile: Codable, Sendable, Equatable {
    /// The media type of the file.
    public static let mediaType = "application/vnd.hoclieu.question-set+json"

    public var title: String
    /// A bank (a pool to draw from) rather than a quiz.
    public var isBank: Bool
    public var questions: [Question]

    public init(title: String, isBank: Bool, questions: [Question]) {
        self.title = title
        self.isBank = isBank
        self.questions = questions
    }

    /// Deterministic JSON (sorted keys).
    public func jsonData() throws -> Data { try HoclieuJSON.encoder().encode(self) }
}
