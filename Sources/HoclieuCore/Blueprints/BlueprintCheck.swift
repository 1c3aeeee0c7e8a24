/// How well a bank can fill a blueprint: for each cell, how many questions could fill it and
/// how many are missing.
///
/// The rules are those of ``BankIndex`` and ``Assembler``:
/// - only published questions count, each in its highest published version;
/// - a question counts for a row when one of its unit codes is the row's code or a descendant
///   of it (the code followed by `.`);
/// - a question tagged in the other framework counts through the 4 → 3 mapping when the
///   blueprint uses BHV3 (`NTVV4.3` and `NTVV4.4` both fill `BHV3.3`). The other way is not
///   possible: a BHV3 question cannot be refined to NTVV4 levels, so it does not count for an
///   NTVV4 blueprint; ``CellAvailability/notRefinable`` reports how many such questions would
///   otherwise match (a `BHV3.3` question is reported for both `NTVV4.3` and `NTVV4.4`).
///
/// Cells are checked one by one: a question that fits two cells (rows that overlap, or a
/// question tagged with units of two rows) is counted in both, so a blueprint with no short
/// cell may still fall short in assembly when such questions are few. ``Assembler`` reports that.
public struct BlueprintCheck: Sendable, Codable, Hashable {
    /// The blueprint's framework.
    public var framework: String
    /// One entry per cell with questions, in row, level and type order.
    public var cells: [CellAvailability]
    /// The blueprint's own problems (``Blueprint/validate(frameworks:)``).
    public var issues: [BlueprintIssue]
    /// What the bank index left out, by reason.
    public var skipped: BankIndex.Skipped

    /// Checks a blueprint against an indexed bank. `recentlyUsed` (question identifiers used in
    /// the school's last tests) only fills ``CellAvailability/recentlyUsed`` and
    /// ``CellAvailability/shortWithoutRecent``.
    public init(blueprint: Blueprint, bank: BankIndex, recentlyUsed: Set<String> = []) {
        framework = blueprint.framework
        issues = blueprint.validate(frameworks: bank.frameworks)
        skipped = bank.skipped
        let levels = blueprint.levels(in: bank.frameworks)
        var cells: [CellAvailability] = []
        for row in blueprint.rows {
            for level in levels {
                // Coarser levels of other frameworks that this level maps to (NTVV4.4 → BHV3.3).
                let coarser = level.mapsTo.flatMap { bank.frameworks.definition($0) }
                for type in blueprint.questionTypes {
                    guard let cell = row.cell(level: level.code, type: type), cell.count > 0 else { continue }
                    let found = bank.positions(node: row.code, level: level.code, type: type)
                    let recent = recentlyUsed.isEmpty ? 0 : found.filter { recentlyUsed.contains(bank.questions[Int($0)].id) }.count
                    var notRefinable = 0
                    if let coarser, coarser.framework != blueprint.framework {
                        notRefinable =
                            bank.positions(node: row.code, level: coarser.code, type: type)
                            .filter { bank.questions[Int($0)].level?.framework == coarser.framework }.count
                    }
                    cells.append(
                        CellAvailability(
                            rowCode: row.code, level: level.code, type: type, required: cell.count, available: found.count,
                            recentlyUsed: recent, notRefinable: notRefinable))
                }
            }
            // Cells whose level is unknown to the framework: nothing can fill them.
            for cell in row.cells where cell.count > 0 && !levels.contains(where: { $0.code == cell.level }) {
                cells.append(
                    CellAvailability(
                        rowCode: row.code, level: cell.level, type: cell.type, required: cell.count, available: 0, recentlyUsed: 0,
                        notRefinable: 0))
            }
        }
        self.cells = cells
    }

    /// Checks a blueprint against a bank given as summaries (indexes it first).
    public init(
        blueprint: Blueprint, bank: some Sequence<BankQuestionSummary>, frameworks: CognitiveLevelFrameworks = .standard,
        recentlyUsed: Set<String> = []
    ) {
        self.init(blueprint: blueprint, bank: BankIndex(bank, frameworks: frameworks), recentlyUsed: recentlyUsed)
    }

    /// The cells the bank cannot fill.
    public var shortCells: [CellAvailability] { cells.filter { $0.short > 0 } }

    /// The number of questions missing over all cells.
    public var totalShort: Int { cells.reduce(0) { $0 + $1.short } }

    /// Whether every cell has enough questions (and the blueprint has no errors).
    public var canFill: Bool { totalShort == 0 && !issues.contains { $0.severity == .error } }

    /// A summary line per short cell, in Vietnamese and English.
    public var messages: [String] {
        shortCells.map { cell in
            "Dòng \(cell.rowCode), mức \(cell.level), dạng \(BlueprintTypeLabel.vietnamese(cell.type)): cần \(cell.required), có \(cell.available), thiếu \(cell.short)."
                + " / Row \(cell.rowCode), level \(cell.level), type \(cell.type.rawValue): needs \(cell.required), has \(cell.available), short by \(cell.short)."
        }
    }
}

/// How many questions of a bank can fill one cell of a blueprint.
public struct CellAvailability: Sendable, Codable, Hashable {
    /// The row's catalogue code.
    public var rowCode: String
    /// Level code in the blueprint's framework.
    public var level: String
    /// Question type.
    public var type: QuestionType
    /// Questions the cell asks for.
    public var required: Int
    /// Published questions that can fill it.
    public var available: Int
    /// Of ``available``, those among the recently used.
    public var recentlyUsed: Int
    /// Questions of a coarser framework that would match but whose level cannot be refined
    /// to the blueprint's (BHV3 questions for an NTVV4 blueprint); not counted in ``available``.
    public var notRefinable: Int

    /// Creates an entry.
    public init(rowCode: String, level: String, type: QuestionType, required: Int, available: Int, recentlyUsed: Int, notRefinable: Int) {
        self.rowCode = rowCode
        self.level = level
        self.type = type
        self.required = required
        self.available = available
        self.recentlyUsed = recentlyUsed
        self.notRefinable = notRefinable
    }

    /// Questions missing: `required − available`, or 0.
    public var short: Int { max(0, required - available) }

    /// Questions missing when recently used questions are left out.
    public var shortWithoutRecent: Int { max(0, required - (available - recentlyUsed)) }
}
