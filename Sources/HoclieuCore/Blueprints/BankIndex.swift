/// What test assembly needs to know of a question of the bank: enough to place it in a
/// cell, without its content. A database can fill it from one narrow query.
public struct BankQuestionSummary: Sendable, Codable, Hashable, Identifiable {
    /// Question identifier.
    public var id: String
    /// Version number; an assembled test is pinned to it.
    public var version: Int
    /// Question type.
    public var type: QuestionType
    /// Knowledge-unit codes the question is tagged with, e.g. `TOAN.6.SD.2.3`.
    public var unitCodes: [String]
    /// Cognitive level in its framework; `nil` when untagged.
    public var level: CognitiveLevelReference?
    /// Review status; only published questions are used.
    public var status: QuestionStatus
    /// The question's own maximum points (the blueprint's points replace them in a test).
    public var points: Double

    /// Creates a summary.
    public init(
        id: String, version: Int = 1, type: QuestionType, unitCodes: [String], level: CognitiveLevelReference?,
        status: QuestionStatus = .published, points: Double = 1
    ) {
        self.id = id
        self.version = version
        self.type = type
        self.unitCodes = unitCodes
        self.level = level
        self.status = status
        self.points = points
    }

    /// The summary of a full question.
    public init(_ question: Question) {
        self.init(
            id: question.id, version: question.version, type: question.type, unitCodes: question.knowledgeUnits,
            level: question.cognitiveLevel, status: question.status, points: question.points)
    }

    /// Identifier and version.
    public var key: QuestionKey { QuestionKey(id: id, version: version) }
}

/// A question pinned to a version.
public struct QuestionKey: Sendable, Codable, Hashable, Comparable, CustomStringConvertible {
    /// Question identifier.
    public var id: String
    /// Version number.
    public var version: Int

    /// Creates a key.
    public init(id: String, version: Int) {
        self.id = id
        self.version = version
    }

    /// By identifier, then version.
    public static func < (lhs: QuestionKey, rhs: QuestionKey) -> Bool {
        lhs.id != rhs.id ? lhs.id < rhs.id : lhs.version < rhs.version
    }

    /// `id@v3`.
    public var description: String { "\(id)@v\(version)" }
}

/// The bank indexed once by (catalogue node, cognitive level, question type), for checking
/// blueprints against it and assembling tests from it.
///
/// Built from summaries in any order, it keeps only what a test may use:
/// - **published** questions (others are counted in ``skipped``);
/// - the **highest published version** of each identifier;
/// - questions with a **valid level** and at least one **knowledge unit**.
///
/// A question is filed under every ancestor of each of its unit codes (`TOAN`, `TOAN.6`,
/// `TOAN.6.SD`, …), so a blueprint row of any depth finds it in one lookup, and under its own
/// level plus the level it maps to in the other framework when that mapping is a function
/// (NTVV4 → BHV3: `NTVV4.4` Vận dụng cao is also filed as `BHV3.3` Vận dụng). A BHV3 question
/// is filed under its BHV3 level only: its level cannot be refined to NTVV4, so it never fills a
/// cell of an NTVV4 blueprint (``BlueprintCheck`` reports such questions as not refinable).
///
/// Questions are kept sorted by identifier, so results do not depend on the order of the input.
public struct BankIndex: Sendable {
    /// How many input summaries were left out, by reason.
    public struct Skipped: Sendable, Codable, Hashable {
        /// Not published (draft, in review, retired).
        public var notPublished = 0
        /// An older published version of a question whose newer version is kept.
        public var olderVersions = 0
        /// Without a cognitive level.
        public var withoutLevel = 0
        /// With a level that is not a level of the framework it names.
        public var unknownLevel = 0
        /// Without any knowledge-unit code.
        public var withoutUnits = 0

        /// Creates empty counts.
        public init() {}

        /// All skipped summaries.
        public var total: Int { notPublished + olderVersions + withoutLevel + unknownLevel + withoutUnits }
    }

    /// The cognitive-level frameworks used to read levels.
    public let frameworks: CognitiveLevelFrameworks
    /// The usable questions, sorted by identifier.
    public let questions: [BankQuestionSummary]
    /// What was left out.
    public let skipped: Skipped

    private let nodeIDs: [String: UInt32]
    private let levelIDs: [String: UInt16]
    private let buckets: [UInt64: [Int32]]

    /// Indexes a bank.
    public init(_ bank: some Sequence<BankQuestionSummary>, frameworks: CognitiveLevelFrameworks = .standard) {
        self.frameworks = frameworks
        var skipped = Skipped()
        var levelIDs: [String: UInt16] = [:]
        for (i, level) in frameworks.levels.enumerated() where levelIDs[level.code] == nil { levelIDs[level.code] = UInt16(i) }
        // Levels a question of each level is filed under: itself, and its forward mapping.
        var filedUnder: [String: [UInt16]] = [:]
        for level in frameworks.levels {
            var ids = [levelIDs[level.code]!]
            if let target = level.mapsTo.flatMap({ levelIDs[$0] }), !ids.contains(target) { ids.append(target) }
            filedUnder[level.code] = ids
        }

        // Keep what a test may use; sort positions, not the summaries themselves (cheaper).
        let input = Array(bank)
        var usable: [Int32] = []
        usable.reserveCapacity(input.count)
        for (i, question) in input.enumerated() {
            guard question.status == .published else {
                skipped.notPublished += 1
                continue
            }
            guard let level = question.level else {
                skipped.withoutLevel += 1
                continue
            }
            guard filedUnder[level.level] != nil, frameworks.isValid(level) else {
                skipped.unknownLevel += 1
                continue
            }
            guard question.unitCodes.contains(where: { !$0.isEmpty }) else {
                skipped.withoutUnits += 1
                continue
            }
            usable.append(Int32(i))
        }
        usable.sort {
            let a = input[Int($0)]
            let b = input[Int($1)]
            if a.id != b.id { return a.id < b.id }
            // Newest version first; the same version given twice: the first one given wins.
            return a.version != b.version ? a.version > b.version : $0 < $1
        }
        var questions: [BankQuestionSummary] = []
        questions.reserveCapacity(usable.count)
        for i in usable {
            if let last = questions.last, last.id == input[Int(i)].id {
                skipped.olderVersions += 1
            } else {
                questions.append(input[Int(i)])
            }
        }

        // Node ids of every ancestor of a unit code (itself included), computed once per distinct code.
        var nodeIDs: [String: UInt32] = [:]
        var ancestors: [String: [UInt32]] = [:]
        func nodes(of code: String) -> [UInt32] {
            if let known = ancestors[code] { return known }
            var result: [UInt32] = []
            let utf8 = code.utf8
            var index = utf8.startIndex
            while true {
                let next = utf8[index...].firstIndex(of: UInt8(ascii: ".")) ?? utf8.endIndex
                if next > utf8.startIndex {
                    let prefix = String(code[code.startIndex..<next])
                    if let known = nodeIDs[prefix] {
                        result.append(known)
                    } else {
                        let id = UInt32(nodeIDs.count)
                        nodeIDs[prefix] = id
                        result.append(id)
                    }
                }
                guard next < utf8.endIndex else { break }
                index = utf8.index(after: next)
            }
            ancestors[code] = result
            return result
        }

        var buckets: [UInt64: [Int32]] = [:]
        var questionNodes: [UInt32] = []
        for (i, question) in questions.enumerated() {
            questionNodes.removeAll(keepingCapacity: true)
            for code in question.unitCodes where !code.isEmpty {
                for node in nodes(of: code) where !questionNodes.contains(node) { questionNodes.append(node) }
            }
            let type = UInt64(Self.typeIndex(question.type))
            for level in filedUnder[question.level!.level]! {
                for node in questionNodes {
                    buckets[Self.key(node: node, level: level, type: type), default: []].append(Int32(i))
                }
            }
        }
        self.questions = questions
        self.skipped = skipped
        self.nodeIDs = nodeIDs
        self.levelIDs = levelIDs
        self.buckets = buckets
    }

    private static func key(node: UInt32, level: UInt16, type: UInt64) -> UInt64 {
        UInt64(node) << 24 | UInt64(level) << 8 | type
    }

    private static func typeIndex(_ type: QuestionType) -> Int {
        switch type {
        case .singleChoice: 0
        case .multipleResponse: 1
        case .trueFalse: 2
        case .trueFalseCluster: 3
        case .numeric: 4
        case .shortText: 5
        case .essay: 6
        case .matching: 7
        case .ordering: 8
        case .cloze: 9
        }
    }

    /// Positions in ``questions`` of the questions that can fill a cell: filed under `node`
    /// (or a descendant), at `level` (or mapped to it), of `type`; in identifier order.
    func positions(node: String, level: String, type: QuestionType) -> [Int32] {
        guard let node = nodeIDs[node], let level = levelIDs[level] else { return [] }
        return buckets[Self.key(node: node, level: level, type: UInt64(Self.typeIndex(type)))] ?? []
    }

    /// The number of questions that can fill a cell.
    public func candidateCount(node: String, level: String, type: QuestionType) -> Int {
        positions(node: node, level: level, type: type).count
    }

    /// The questions that can fill a cell, in identifier order.
    public func candidates(node: String, level: String, type: QuestionType) -> [BankQuestionSummary] {
        positions(node: node, level: level, type: type).map { questions[Int($0)] }
    }

    /// The position of a question in ``questions`` (a binary search: they are sorted by identifier).
    func position(of id: String) -> Int32? {
        var low = 0
        var high = questions.count
        while low < high {
            let middle = (low + high) / 2
            if questions[middle].id < id { low = middle + 1 } else { high = middle }
        }
        return low < questions.count && questions[low].id == id ? Int32(low) : nil
    }

    /// The usable question with an identifier.
    public func question(id: String) -> BankQuestionSummary? {
        position(of: id).map { questions[Int($0)] }
    }
}
