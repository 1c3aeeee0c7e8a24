/// A test blueprint: the ma trận đề (how many questions of which type and level on each
/// part of the programme, and what they are worth) with its bản đặc tả (which required
/// outcomes each row tests at each level).
///
/// - **Rows** are catalogue nodes (``BlueprintRow/code``, e.g. `TOAN.6.SD.2`). A node
///   includes its descendants: a question tagged `TOAN.6.SD.2.3` can fill a cell of the row
///   `TOAN.6.SD.2`.
/// - **Columns** are cognitive level × question type: the levels of the named
///   ``framework`` (`BHV3` or `NTVV4`), in rank order, each with the ``questionTypes`` in
///   the order given.
/// - **Cells** (``BlueprintCell``) hold a number of questions and the **points of each
///   question** in the cell (``BlueprintCell/pointsPerQuestion``). Points are per question,
///   not per cell, because that is what the 2025 format fixes (0.25 per multiple-choice
///   question, 1 per Đúng/Sai cluster, 0.5 per short answer in mathematics) and what an
///   assembled test gives each question; a cell's points are `count × pointsPerQuestion`.
///   The sum over every cell must equal the declared ``totalPoints`` (``validate(frameworks:)``).
/// - **Parts** (Phần I/II/III…) are not stored: they follow from the question types (``ExamPart``).
///
/// Cells with no questions are simply absent; ``BlueprintRow/cell(level:type:)`` finds a cell.
public struct Blueprint: Sendable, Codable, Hashable {
    /// Title, e.g. `Kiểm tra giữa học kì I — Toán 6`.
    public var title: String
    /// Subject code, e.g. `TOAN`.
    public var subject: String?
    /// School grade (lớp), 1–12.
    public var grade: Int?
    /// Code of the cognitive-level framework the cells use: `BHV3` or `NTVV4`.
    public var framework: String
    /// The question types that make the columns under each level, in column order.
    public var questionTypes: [QuestionType]
    /// The declared total of the test, usually 10.
    public var totalPoints: Double
    /// The rows, in display order.
    public var rows: [BlueprintRow]

    /// Creates a blueprint.
    public init(
        title: String,
        subject: String? = nil,
        grade: Int? = nil,
        framework: String,
        questionTypes: [QuestionType],
        totalPoints: Double = 10,
        rows: [BlueprintRow] = []
    ) {
        self.title = title
        self.subject = subject
        self.grade = grade
        self.framework = framework
        self.questionTypes = questionTypes
        self.totalPoints = totalPoints
        self.rows = rows
    }

    /// The levels of ``framework`` in rank order (empty for an unknown framework).
    public func levels(in frameworks: CognitiveLevelFrameworks = .standard) -> [CognitiveLevel] {
        frameworks.levels.filter { $0.framework == framework }.sorted { $0.level < $1.level }
    }

    /// Every column: each level of the framework, and under it each of ``questionTypes``.
    public func columns(in frameworks: CognitiveLevelFrameworks = .standard) -> [BlueprintColumn] {
        levels(in: frameworks).flatMap { level in questionTypes.map { BlueprintColumn(level: level.code, type: $0) } }
    }

    /// The number of questions the blueprint asks for.
    public var questionCount: Int { rows.reduce(0) { $0 + $1.questionCount } }

    /// The sum of the cells' points (compare with ``totalPoints``).
    public var plannedPoints: Double { rows.reduce(0) { $0 + $1.points } }

    /// Questions and points of one column, over all rows.
    public func total(for column: BlueprintColumn) -> (count: Int, points: Double) {
        var count = 0
        var points = 0.0
        for row in rows {
            for cell in row.cells where cell.level == column.level && cell.type == column.type {
                count += cell.count
                points += cell.points
            }
        }
        return (count, points)
    }

    /// For each level of the framework: questions, points and share of the planned points
    /// (the "Tỉ lệ %" line of a ma trận).
    public func levelShares(in frameworks: CognitiveLevelFrameworks = .standard) -> [LevelShare] {
        let planned = plannedPoints
        return levels(in: frameworks).map { level in
            var count = 0
            var points = 0.0
            for row in rows {
                for cell in row.cells where cell.level == level.code {
                    count += cell.count
                    points += cell.points
                }
            }
            return LevelShare(level: level.code, name: level.name, questionCount: count, points: points, total: planned)
        }
    }

    /// Questions and points by part of the test.
    public var partTotals: [ExamPart: (count: Int, points: Double)] {
        var totals: [ExamPart: (count: Int, points: Double)] = [:]
        for row in rows {
            for cell in row.cells {
                let part = ExamPart(cell.type)
                let current = totals[part] ?? (0, 0)
                totals[part] = (current.count + cell.count, current.points + cell.points)
            }
        }
        return totals
    }
}

/// A row of a blueprint: a catalogue node, its cells and its bản đặc tả.
public struct BlueprintRow: Sendable, Codable, Hashable {
    /// Catalogue code of the node, e.g. `TOAN.6.SD.2`.
    public var code: String
    /// What the row is called in the ma trận, e.g. `Phân số`.
    public var label: String
    /// The non-empty cells, one per level × type at most.
    public var cells: [BlueprintCell]
    /// The bản đặc tả of the row: the requirement statements tested, by level.
    public var requirements: [BlueprintRequirement]

    /// Creates a row.
    public init(code: String, label: String, cells: [BlueprintCell] = [], requirements: [BlueprintRequirement] = []) {
        self.code = code
        self.label = label
        self.cells = cells
        self.requirements = requirements
    }

    /// The cell of a level and type, if the row has one.
    public func cell(level: String, type: QuestionType) -> BlueprintCell? {
        cells.first { $0.level == level && $0.type == type }
    }

    /// The number of questions of the row.
    public var questionCount: Int { cells.reduce(0) { $0 + $1.count } }

    /// The points of the row.
    public var points: Double { cells.reduce(0) { $0 + $1.points } }

    /// The requirements of one level.
    public func requirements(level: String) -> [BlueprintRequirement] {
        requirements.filter { $0.level == level }
    }

    /// Whether a knowledge-unit code falls under this row: it is the row's code or a
    /// descendant of it (the row's code followed by `.`).
    public func covers(unitCode: String) -> Bool {
        BlueprintRow.code(unitCode, isUnder: code)
    }

    /// Whether `code` equals `node` or descends from it (`node` + `.` + …).
    public static func code(_ code: String, isUnder node: String) -> Bool {
        guard code.hasPrefix(node) else { return false }
        let rest = code.utf8.dropFirst(node.utf8.count)
        return rest.isEmpty || rest.first == UInt8(ascii: ".")
    }
}

/// A column of a blueprint: a cognitive level and a question type.
public struct BlueprintColumn: Sendable, Codable, Hashable {
    /// Level code, e.g. `BHV3.1`.
    public var level: String
    /// Question type.
    public var type: QuestionType

    /// Creates a column.
    public init(level: String, type: QuestionType) {
        self.level = level
        self.type = type
    }
}

/// A cell of a ma trận: how many questions of one level and type a row asks for, and
/// what each is worth.
public struct BlueprintCell: Sendable, Codable, Hashable {
    /// Level code in the blueprint's framework, e.g. `BHV3.2`.
    public var level: String
    /// Question type.
    public var type: QuestionType
    /// Number of questions (for a Đúng/Sai cluster: number of clusters).
    public var count: Int
    /// Points of each question of the cell.
    public var pointsPerQuestion: Double

    /// Creates a cell.
    public init(level: String, type: QuestionType, count: Int, pointsPerQuestion: Double) {
        self.level = level
        self.type = type
        self.count = count
        self.pointsPerQuestion = pointsPerQuestion
    }

    /// The cell's points: `count × pointsPerQuestion`.
    public var points: Double { Double(count) * pointsPerQuestion }

    /// The cell's column.
    public var column: BlueprintColumn { BlueprintColumn(level: level, type: type) }
}

/// A requirement statement of the bản đặc tả: what a row tests at one level.
public struct BlueprintRequirement: Sendable, Codable, Hashable {
    /// Level code, e.g. `BHV3.1`.
    public var level: String
    /// The statement, e.g. `Nhận biết được phân số với tử số hoặc mẫu số là số nguyên âm.`
    public var text: String
    /// Codes of the catalogue's required outcomes (yêu cầu cần đạt) the statement comes from, if any.
    public var outcomeCodes: [String]

    /// Creates a requirement.
    public init(level: String, text: String, outcomeCodes: [String] = []) {
        self.level = level
        self.text = text
        self.outcomeCodes = outcomeCodes
    }
}

/// The share of one cognitive level in a blueprint or a test.
public struct LevelShare: Sendable, Codable, Hashable {
    /// Level code.
    public var level: String
    /// Level name, e.g. `Biết`.
    public var name: String
    /// Number of questions at the level.
    public var questionCount: Int
    /// Points at the level.
    public var points: Double
    /// `points` as a percentage of the total (0 when the total is 0).
    public var percentage: Double

    /// Creates a share; the percentage is computed from `total`.
    public init(level: String, name: String, questionCount: Int, points: Double, total: Double) {
        self.level = level
        self.name = name
        self.questionCount = questionCount
        self.points = points
        self.percentage = total > 0 ? points / total * 100 : 0
    }
}

/// The parts of a test in the 2025 format, which follow from the question types:
/// Phần I multiple choice with one right option, Phần II Đúng/Sai clusters, Phần III short
/// answers; tests that have them add an essay part (tự luận, Phần IV). Types the format
/// has no part for (multiple response, single true/false, matching, ordering, cloze) go
/// to a last part, "Khác".
public enum ExamPart: Int, Sendable, Codable, Hashable, CaseIterable, Comparable {
    /// Phần I: câu trắc nghiệm nhiều phương án lựa chọn (single choice).
    case multipleChoice = 1
    /// Phần II: câu trắc nghiệm đúng sai (Đúng/Sai cluster).
    case trueFalse = 2
    /// Phần III: câu trắc nghiệm trả lời ngắn (numeric or short text).
    case shortAnswer = 3
    /// Phần IV: tự luận (essay).
    case essay = 4
    /// Other types, after the format's parts.
    case other = 5

    /// The part a question type belongs to.
    public init(_ type: QuestionType) {
        switch type {
        case .singleChoice: self = .multipleChoice
        case .trueFalseCluster: self = .trueFalse
        case .numeric, .shortText: self = .shortAnswer
        case .essay: self = .essay
        case .multipleResponse, .trueFalse, .matching, .ordering, .cloze: self = .other
        }
    }

    /// Roman numeral: `I`, `II`, `III`, `IV`, `V`.
    public var roman: String { ["I", "II", "III", "IV", "V"][rawValue - 1] }

    /// The heading in Vietnamese, e.g. `Phần I. Trắc nghiệm nhiều phương án lựa chọn`.
    public var vietnamese: String {
        switch self {
        case .multipleChoice: "Phần I. Trắc nghiệm nhiều phương án lựa chọn"
        case .trueFalse: "Phần II. Trắc nghiệm đúng sai"
        case .shortAnswer: "Phần III. Trắc nghiệm trả lời ngắn"
        case .essay: "Phần IV. Tự luận"
        case .other: "Phần V. Dạng khác"
        }
    }

    /// The heading in English.
    public var english: String {
        switch self {
        case .multipleChoice: "Part I. Multiple choice"
        case .trueFalse: "Part II. True/false clusters"
        case .shortAnswer: "Part III. Short answers"
        case .essay: "Part IV. Essay"
        case .other: "Part V. Other types"
        }
    }

    /// Orders by part number.
    public static func < (lhs: ExamPart, rhs: ExamPart) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The names of question types in blueprints (CSV headers, reports).
public enum BlueprintTypeLabel {
    /// The Vietnamese name used in ma trận headers, e.g. `Nhiều lựa chọn`, `Đúng/Sai`, `Trả lời ngắn`.
    public static func vietnamese(_ type: QuestionType) -> String {
        switch type {
        case .singleChoice: "Nhiều lựa chọn"
        case .multipleResponse: "Nhiều đáp án"
        case .trueFalse: "Đúng/Sai đơn"
        case .trueFalseCluster: "Đúng/Sai"
        case .numeric: "Trả lời ngắn"
        case .shortText: "Trả lời ngắn (chữ)"
        case .essay: "Tự luận"
        case .matching: "Ghép nối"
        case .ordering: "Sắp xếp"
        case .cloze: "Điền khuyết"
        }
    }

    /// The English name.
    public static func english(_ type: QuestionType) -> String {
        switch type {
        case .singleChoice: "Single choice"
        case .multipleResponse: "Multiple response"
        case .trueFalse: "True/false"
        case .trueFalseCluster: "True/false cluster"
        case .numeric: "Short numeric answer"
        case .shortText: "Short text answer"
        case .essay: "Essay"
        case .matching: "Matching"
        case .ordering: "Ordering"
        case .cloze: "Cloze"
        }
    }

    /// The type named by a header: its Vietnamese or English name or its code (`singleChoice`), ignoring case and outer spaces.
    public static func type(named name: String) -> QuestionType? {
        let wanted = name.trimmingBlueprintSpaces().lowercased()
        return QuestionType.allCases.first {
            vietnamese($0).lowercased() == wanted || english($0).lowercased() == wanted || $0.rawValue.lowercased() == wanted
        }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and line breaks (no Foundation needed).
    func trimmingBlueprintSpaces() -> String {
        let scalars = unicodeScalars
        func isSpace(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s == "\n" || s == "\r" || s == "\u{A0}" }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        return String(scalars[first...last])
    }
}
