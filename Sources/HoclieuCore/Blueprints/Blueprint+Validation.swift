/// A problem found in a blueprint, with a message in Vietnamese (for teachers) and in English.
public struct BlueprintIssue: Sendable, Codable, Hashable, CustomStringConvertible {
    /// How serious an issue is.
    public enum Severity: String, Sendable, Codable, Hashable {
        /// The blueprint cannot be used to assemble a test.
        case error
        /// The blueprint is usable but probably not what was meant (for example a missing bản đặc tả line).
        case warning
    }

    /// What is wrong.
    public enum Kind: String, Sendable, Codable, Hashable, CaseIterable {
        /// No rows, or no questions in any cell.
        case emptyBlueprint
        /// The framework is not one of the known cognitive-level frameworks.
        case unknownFramework
        /// No question types are declared.
        case noQuestionTypes
        /// A question type is declared twice.
        case duplicateQuestionType
        /// The declared total is not a positive number.
        case invalidTotal
        /// A row has no catalogue code.
        case emptyRowCode
        /// Two rows have the same code.
        case duplicateRow
        /// One row's node lies inside another's, so questions could count for both.
        case overlappingRows
        /// A cell asks for a negative number of questions.
        case negativeCount
        /// A cell's points are negative or not a number.
        case invalidPoints
        /// A cell has questions worth nothing.
        case zeroPoints
        /// A cell's level is not a level of the blueprint's framework.
        case unknownLevel
        /// A cell's type is not among the declared question types.
        case undeclaredType
        /// Two cells of a row have the same level and type.
        case duplicateCell
        /// The cells' points do not add up to the declared total.
        case pointsMismatch
        /// A requirement statement names a level outside the framework.
        case requirementUnknownLevel
        /// A requirement statement is empty.
        case emptyRequirement
        /// A row asks for questions at a level but its bản đặc tả says nothing for that level.
        case missingRequirement
    }

    /// What is wrong.
    public var kind: Kind
    /// Error or warning.
    public var severity: Severity
    /// The row concerned, if any.
    public var rowCode: String?
    /// The level concerned, if any.
    public var level: String?
    /// The question type concerned, if any.
    public var type: QuestionType?
    /// The message in Vietnamese.
    public var vietnamese: String
    /// The message in English.
    public var english: String

    /// Creates an issue.
    public init(
        kind: Kind, severity: Severity, rowCode: String? = nil, level: String? = nil, type: QuestionType? = nil, vietnamese: String,
        english: String
    ) {
        self.kind = kind
        self.severity = severity
        self.rowCode = rowCode
        self.level = level
        self.type = type
        self.vietnamese = vietnamese
        self.english = english
    }

    /// `Vietnamese message / English message`.
    public var description: String { "\(vietnamese) / \(english)" }
}

extension Blueprint {
    /// Tolerance when comparing point sums (points are decimals such as 0.25 stored as `Double`).
    public static let pointsTolerance = 1e-6

    /// Checks the blueprint and lists every problem, errors first in the order found, then warnings.
    ///
    /// Errors: an empty blueprint, an unknown framework, no or duplicate question types, a total
    /// that is not positive, rows without a code or with the same code, negative counts, negative
    /// or non-finite points, a level outside the framework, a type not declared, two cells for the
    /// same column, cells whose points do not add up to ``totalPoints``, and requirement
    /// statements for an unknown level. Warnings: overlapping rows (one node inside another),
    /// cells whose questions are worth 0, empty requirement statements, and levels a row asks
    /// questions at without any requirement statement in the bản đặc tả.
    public func validate(frameworks: CognitiveLevelFrameworks = .standard) -> [BlueprintIssue] {
        var issues: [BlueprintIssue] = []
        func add(
            _ kind: BlueprintIssue.Kind, severity: BlueprintIssue.Severity = .error, row: String? = nil, level: String? = nil,
            type: QuestionType? = nil, _ vi: String, _ en: String
        ) {
            issues.append(BlueprintIssue(kind: kind, severity: severity, rowCode: row, level: level, type: type, vietnamese: vi, english: en))
        }

        let levelCodes = Set(levels(in: frameworks).map(\.code))
        if levelCodes.isEmpty {
            add(
                .unknownFramework, "Khung mức độ nhận thức “\(framework)” không tồn tại (dùng BHV3 hoặc NTVV4).",
                "Unknown cognitive-level framework “\(framework)” (use BHV3 or NTVV4).")
        }
        if questionTypes.isEmpty {
            add(.noQuestionTypes, "Ma trận chưa khai báo dạng câu hỏi nào.", "The blueprint declares no question types.")
        }
        var seenTypes: Set<QuestionType> = []
        for type in questionTypes where !seenTypes.insert(type).inserted {
            add(
                .duplicateQuestionType, type: type, "Dạng câu hỏi “\(BlueprintTypeLabel.vietnamese(type))” được khai báo hai lần.",
                "Question type “\(type.rawValue)” is declared twice.")
        }
        if !(totalPoints.isFinite && totalPoints > 0) {
            add(
                .invalidTotal, "Tổng điểm của đề phải là số dương (đang là \(BlueprintNumber.format(totalPoints))).",
                "The test's total points must be positive (found \(BlueprintNumber.format(totalPoints))).")
        }
        if rows.isEmpty || !rows.contains(where: { $0.cells.contains { $0.count > 0 } }) {
            add(.emptyBlueprint, "Ma trận trống: chưa có dòng nào hoặc chưa có câu hỏi nào.", "The blueprint is empty: no rows or no questions.")
        }

        var seenRows: Set<String> = []
        for row in rows {
            let code = row.code.trimmingBlueprintSpaces()
            if code.isEmpty {
                add(.emptyRowCode, row: row.code, "Dòng “\(row.label)” chưa có mã đơn vị kiến thức.", "Row “\(row.label)” has no catalogue code.")
            } else if !seenRows.insert(code).inserted {
                add(.duplicateRow, row: code, "Mã \(code) xuất hiện ở nhiều dòng.", "Code \(code) appears in more than one row.")
            }
            var seenColumns: Set<BlueprintColumn> = []
            for cell in row.cells {
                let typeName = BlueprintTypeLabel.vietnamese(cell.type)
                let place = "dòng \(row.code), mức \(cell.level), dạng \(typeName)"
                let placeEN = "row \(row.code), level \(cell.level), type \(cell.type.rawValue)"
                if cell.count < 0 {
                    add(
                        .negativeCount, row: row.code, level: cell.level, type: cell.type, "Số câu âm (\(cell.count)) ở \(place).",
                        "Negative question count (\(cell.count)) at \(placeEN).")
                }
                if !cell.pointsPerQuestion.isFinite || cell.pointsPerQuestion < 0 {
                    add(
                        .invalidPoints, row: row.code, level: cell.level, type: cell.type,
                        "Điểm mỗi câu không hợp lệ (\(BlueprintNumber.format(cell.pointsPerQuestion))) ở \(place).",
                        "Invalid points per question (\(BlueprintNumber.format(cell.pointsPerQuestion))) at \(placeEN).")
                } else if cell.count > 0 && cell.pointsPerQuestion == 0 {
                    add(
                        .zeroPoints, severity: .warning, row: row.code, level: cell.level, type: cell.type, "Các câu ở \(place) có 0 điểm.",
                        "The questions at \(placeEN) are worth 0 points.")
                }
                if !levelCodes.isEmpty && !levelCodes.contains(cell.level) {
                    add(
                        .unknownLevel, row: row.code, level: cell.level, type: cell.type,
                        "Mức độ “\(cell.level)” không thuộc khung \(framework) (\(place)).",
                        "Level “\(cell.level)” is not a level of framework \(framework) (\(placeEN)).")
                }
                if !questionTypes.isEmpty && !questionTypes.contains(cell.type) {
                    add(
                        .undeclaredType, row: row.code, level: cell.level, type: cell.type,
                        "Dạng “\(typeName)” chưa được khai báo trong các cột của ma trận (\(place)).",
                        "Type “\(cell.type.rawValue)” is not among the blueprint's columns (\(placeEN)).")
                }
                if !seenColumns.insert(cell.column).inserted {
                    add(
                        .duplicateCell, row: row.code, level: cell.level, type: cell.type, "Ô \(place) được khai báo hai lần.",
                        "Cell \(placeEN) is given twice.")
                }
            }
            for requirement in row.requirements {
                if !levelCodes.isEmpty && !levelCodes.contains(requirement.level) {
                    add(
                        .requirementUnknownLevel, row: row.code, level: requirement.level,
                        "Bản đặc tả của dòng \(row.code) dùng mức độ “\(requirement.level)” không thuộc khung \(framework).",
                        "The specification of row \(row.code) uses level “\(requirement.level)”, not a level of framework \(framework).")
                }
            }
        }

        let planned = plannedPoints
        if totalPoints.isFinite && planned.isFinite && abs(planned - totalPoints) > Self.pointsTolerance {
            add(
                .pointsMismatch,
                "Tổng điểm các ô là \(BlueprintNumber.format(planned)), khác tổng điểm của đề \(BlueprintNumber.format(totalPoints)).",
                "The cells add up to \(BlueprintNumber.format(planned)) points, not the declared total of \(BlueprintNumber.format(totalPoints)).")
        }

        // Warnings.
        let codes = rows.map { $0.code.trimmingBlueprintSpaces() }.filter { !$0.isEmpty }
        for outer in Set(codes).sorted() {
            for inner in Set(codes).sorted() where inner != outer && BlueprintRow.code(inner, isUnder: outer) {
                add(
                    .overlappingRows, severity: .warning, row: inner,
                    "Dòng \(inner) nằm trong dòng \(outer): một câu hỏi của \(inner) có thể được tính cho cả hai dòng.",
                    "Row \(inner) lies inside row \(outer): a question of \(inner) could count for both.")
            }
        }
        for row in rows {
            for requirement in row.requirements where requirement.text.trimmingBlueprintSpaces().isEmpty {
                add(
                    .emptyRequirement, severity: .warning, row: row.code, level: requirement.level,
                    "Bản đặc tả của dòng \(row.code) có một yêu cầu để trống (mức \(requirement.level)).",
                    "The specification of row \(row.code) has an empty requirement (level \(requirement.level)).")
            }
            for level in levels(in: frameworks) {
                let asked = row.cells.contains { $0.level == level.code && $0.count > 0 }
                if asked && !row.requirements.contains(where: { $0.level == level.code && !$0.text.trimmingBlueprintSpaces().isEmpty }) {
                    add(
                        .missingRequirement, severity: .warning, row: row.code, level: level.code,
                        "Dòng \(row.code) có câu hỏi mức “\(level.name)” nhưng bản đặc tả chưa ghi yêu cầu cần đạt cho mức này.",
                        "Row \(row.code) has questions at level “\(level.nameEN)” but its specification states no requirement for that level.")
                }
            }
        }
        return issues.filter { $0.severity == .error } + issues.filter { $0.severity == .warning }
    }

    /// The errors of ``validate(frameworks:)`` (warnings left out).
    public func errors(frameworks: CognitiveLevelFrameworks = .standard) -> [BlueprintIssue] {
        validate(frameworks: frameworks).filter { $0.severity == .error }
    }
}

/// Number formatting and parsing shared by the blueprint's CSV and messages.
enum BlueprintNumber {
    /// A number with at most `decimals` decimals, trailing zeros dropped, `.` as separator: `10`, `0.25`, `33.33`.
    static func format(_ value: Double, decimals: Int = 4) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-∞" : "∞") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e15 else { return String(value) }
        let units = Int64(scaled)
        let factor = Int64(scale)
        var text = String(units / factor)
        var fraction = units % factor
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: decimals - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
            fraction = 0
        }
        return (value < 0 && units != 0 ? "-" : "") + text
    }

    /// Parses a decimal written with `.` or `,` (`0,25`, `0.25`, ` 10 `); empty text is 0.
    static func parse(_ text: String) -> Double? {
        let trimmed = text.trimmingBlueprintSpaces()
        if trimmed.isEmpty { return 0 }
        let normalised = String(trimmed.map { $0 == "," ? "." : $0 })
        guard normalised.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-" || $0 == "+") }) else { return nil }
        return Double(normalised)
    }

    /// Parses a whole number (`4`, ` 4 `, `-1`); empty text is 0.
    static func parseInt(_ text: String) -> Int? {
        let trimmed = text.trimmingBlueprintSpaces()
        if trimmed.isEmpty { return 0 }
        return Int(trimmed)
    }
}
