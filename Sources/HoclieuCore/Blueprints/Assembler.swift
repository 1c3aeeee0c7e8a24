/// Draws questions from an indexed bank to fill a blueprint, and makes the variants (mã đề)
/// of the test.
///
/// **Selection** (``select(_:options:)``), seeded and reproducible:
/// - cells are filled from ``BankIndex`` lookups by (row, level, type); the scarcest cells
///   (fewest spare candidates) are filled first, so that a question fitting two cells is
///   not spent on the one that did not need it;
/// - in each cell, questions are drawn uniformly at random with ``SeededGenerator`` (stream 0
///   of the seed): the same bank, blueprint and options give the same test on any machine;
/// - a question is never used twice in one test;
/// - questions used in the school's last tests (``AssemblyOptions/recentlyUsed``) are left
///   out or used only when nothing else is left (``AssemblyOptions/RecentPolicy``);
/// - a cell that cannot be filled is reported (``AssemblyShortfall``); the assembly then
///   fails with ``AssemblyError/shortfall(_:)`` unless a partial test was asked for.
///
/// **Variants** (``assemble(_:options:content:)``): variant *k* (code
/// ``AssemblyOptions/firstVariantCode`` + *k*, 101, 102, …) uses stream *k* + 1 of the seed. It
/// keeps the parts in order (Phần I, II, III, …) and shuffles the questions within each part;
/// it shuffles the options of choice questions whose ``ChoiceQuestion/shuffle`` is on, leaving
/// every option marked ``ChoiceOption/doNotShuffle`` in its place while the others move around
/// it; it never reorders the statements a–d of a Đúng/Sai cluster. Each variant carries its
/// answer key in the 2025 answer-sheet layout (``AnswerSheetPart``).
public struct Assembler: Sendable {
    /// The bank the questions are drawn from.
    public let bank: BankIndex

    /// Creates an assembler over an indexed bank (index once, assemble many tests).
    public init(bank: BankIndex) {
        self.bank = bank
    }

    /// Chooses the questions of a test.
    ///
    /// - Throws: ``AssemblyError/invalidBlueprint(_:)`` when the blueprint has errors,
    ///   ``AssemblyError/invalidOptions(_:)``, and ``AssemblyError/shortfall(_:)`` when a cell
    ///   cannot be filled and ``AssemblyOptions/allowPartial`` is off.
    public func select(_ blueprint: Blueprint, options: AssemblyOptions) throws(AssemblyError) -> TestSelection {
        let errors = blueprint.errors(frameworks: bank.frameworks)
        guard errors.isEmpty else { throw .invalidBlueprint(errors) }
        guard options.variantCount >= 0 else { throw .invalidOptions("variantCount < 0") }

        struct Slot {
            var row: BlueprintRow
            var cell: BlueprintCell
            var candidates: [Int32]
            var chosen: [(position: Int32, fromRecent: Bool)] = []
        }
        var slots: [Slot] = []
        for row in blueprint.rows {
            for level in blueprint.levels(in: bank.frameworks) {
                for type in blueprint.questionTypes {
                    guard let cell = row.cell(level: level.code, type: type), cell.count > 0 else { continue }
                    slots.append(Slot(row: row, cell: cell, candidates: bank.positions(node: row.code, level: level.code, type: type)))
                }
            }
        }

        var recent: Set<Int32> = []
        if options.recentPolicy != .ignore {
            for id in options.recentlyUsed { if let position = bank.position(of: id) { recent.insert(position) } }
        }
        let order = slots.indices.sorted {
            let spare0 = slots[$0].candidates.count - slots[$0].cell.count
            let spare1 = slots[$1].candidates.count - slots[$1].cell.count
            return spare0 != spare1 ? spare0 < spare1 : $0 < $1
        }

        var generator = SeededGenerator(seed: options.seed, stream: 0)
        var used: Set<Int32> = []
        var shortfalls: [(slot: Int, shortfall: AssemblyShortfall)] = []
        for s in order {
            let required = slots[s].cell.count
            var fresh = slots[s].candidates.filter { !used.contains($0) && !recent.contains($0) }
            let drawn = generator.choosePrefix(&fresh, count: required)
            var chosen = fresh[0..<drawn].map { (position: $0, fromRecent: false) }
            var leftOut = 0
            if chosen.count < required && !recent.isEmpty {
                var stale = slots[s].candidates.filter { !used.contains($0) && recent.contains($0) }
                if options.recentPolicy == .avoid {
                    let more = generator.choosePrefix(&stale, count: required - chosen.count)
                    chosen += stale[0..<more].map { (position: $0, fromRecent: true) }
                } else {
                    leftOut = stale.count
                }
            }
            for pick in chosen { used.insert(pick.position) }
            slots[s].chosen = chosen
            if chosen.count < required {
                let cell = slots[s].cell
                shortfalls.append(
                    (
                        s,
                        AssemblyShortfall(
                            rowCode: slots[s].row.code, level: cell.level, type: cell.type, required: required, drawn: chosen.count,
                            candidates: slots[s].candidates.count, leftOutAsRecent: leftOut)
                    ))
            }
        }
        let reported = shortfalls.sorted { $0.slot < $1.slot }.map(\.shortfall)
        if !reported.isEmpty && !options.allowPartial { throw .shortfall(reported) }

        // The test in its reference order: by part, then by cell in blueprint order.
        var items: [AssembledItem] = []
        let byPart = slots.indices.sorted {
            let p0 = ExamPart(slots[$0].cell.type)
            let p1 = ExamPart(slots[$1].cell.type)
            return p0 != p1 ? p0 < p1 : $0 < $1
        }
        for s in byPart {
            let cell = slots[s].cell
            for pick in slots[s].chosen {
                let question = bank.questions[Int(pick.position)]
                items.append(
                    AssembledItem(
                        question: question.key, rowCode: slots[s].row.code, level: cell.level, type: cell.type,
                        points: cell.pointsPerQuestion, fromRecent: pick.fromRecent))
            }
        }
        let total = items.reduce(0) { $0 + $1.points }
        let shares = blueprint.levels(in: bank.frameworks).map { level in
            let atLevel = items.filter { $0.level == level.code }
            return LevelShare(
                level: level.code, name: level.name, questionCount: atLevel.count, points: atLevel.reduce(0) { $0 + $1.points }, total: total)
        }
        return TestSelection(
            title: blueprint.title, framework: blueprint.framework, seed: options.seed, declaredTotalPoints: blueprint.totalPoints,
            items: items, shortfalls: reported, totalPoints: total, levelShares: shares)
    }

    /// Chooses the questions of a test and makes its variants.
    ///
    /// - Parameter content: gives the full question of a key (the pinned version); the
    ///   variants need the options and answers, which the summaries do not carry.
    /// - Throws: the errors of ``select(_:options:)``, and ``AssemblyError/missingQuestion(_:)``
    ///   or ``AssemblyError/mismatchedQuestion(_:)`` when `content` cannot give a chosen
    ///   question as it was indexed.
    public func assemble(
        _ blueprint: Blueprint, options: AssemblyOptions, content: (QuestionKey) -> Question?
    ) throws(AssemblyError) -> AssembledTest {
        let selection = try select(blueprint, options: options)
        let variants = try Self.variants(of: selection, count: options.variantCount, firstCode: options.firstVariantCode, content: content)
        return AssembledTest(selection: selection, variants: variants)
    }

    /// Makes `count` variants of a selection, coded `firstCode`, `firstCode + 1`, …, each from
    /// its own stream of the selection's seed (so variant 102 is the same whether 2 or 4 are made).
    public static func variants(
        of selection: TestSelection, count: Int, firstCode: Int = 101, content: (QuestionKey) -> Question?
    ) throws(AssemblyError) -> [TestVariant] {
        guard count >= 0 else { throw .invalidOptions("count < 0") }
        var questions: [Question] = []
        questions.reserveCapacity(selection.items.count)
        for item in selection.items {
            guard let question = content(item.question) else { throw .missingQuestion(item.question) }
            guard question.id == item.question.id, question.version == item.question.version, question.type == item.type else {
                throw .mismatchedQuestion(item.question)
            }
            questions.append(question)
        }
        var variants: [TestVariant] = []
        for v in 0..<count {
            var generator = SeededGenerator(seed: selection.seed, stream: UInt64(v) + 1)
            var entries: [VariantQuestion] = []
            for part in ExamPart.allCases {
                var inPart = selection.items.indices.filter { selection.items[$0].part == part }
                generator.shuffle(&inPart)
                for (n, i) in inPart.enumerated() {
                    let question = questions[i]
                    let order = optionOrder(of: question, using: &generator)
                    entries.append(
                        VariantQuestion(
                            part: part, number: n + 1, item: i, question: selection.items[i].question, optionOrder: order,
                            key: AnswerKey(question, optionOrder: order)))
                }
            }
            variants.append(TestVariant(code: firstCode + v, questions: entries))
        }
        return variants
    }

    /// The displayed order of a question's options (option ids), or `nil` for a question
    /// without options. Options marked ``ChoiceOption/doNotShuffle`` keep their positions; the
    /// others are shuffled among the remaining positions. A choice question whose
    /// ``ChoiceQuestion/shuffle`` is off keeps its order.
    public static func optionOrder(of question: Question, using generator: inout SeededGenerator) -> [String]? {
        let choice: ChoiceQuestion
        switch question.body {
        case .singleChoice(let q), .multipleResponse(let q): choice = q
        default: return nil
        }
        var ids = choice.options.map(\.id)
        guard choice.shuffle else { return ids }
        let movable = choice.options.indices.filter { !choice.options[$0].doNotShuffle }
        var moving = movable.map { ids[$0] }
        generator.shuffle(&moving)
        for (k, position) in movable.enumerated() { ids[position] = moving[k] }
        return ids
    }
}

/// How an assembly is run.
public struct AssemblyOptions: Sendable, Hashable {
    /// What to do with questions the school used recently.
    public enum RecentPolicy: String, Sendable, Codable, Hashable, CaseIterable {
        /// Treat them like the others.
        case ignore
        /// Use them only when a cell cannot be filled otherwise (marked ``AssembledItem/fromRecent``).
        case avoid
        /// Never use them; a cell left short because of them says so (``AssemblyShortfall/leftOutAsRecent``).
        case exclude
    }

    /// The seed: the same seed gives the same test and variants.
    public var seed: UInt64
    /// Number of variants (mã đề) to make.
    public var variantCount: Int
    /// The code of the first variant; the next ones follow (101, 102, …).
    public var firstVariantCode: Int
    /// Identifiers of the questions used in the school's last N tests.
    public var recentlyUsed: Set<String>
    /// What to do with them.
    public var recentPolicy: RecentPolicy
    /// Whether a test that cannot fill every cell is returned (with its shortfalls) rather than refused.
    public var allowPartial: Bool

    /// Creates options.
    public init(
        seed: UInt64, variantCount: Int = 4, firstVariantCode: Int = 101, recentlyUsed: Set<String> = [], recentPolicy: RecentPolicy = .avoid,
        allowPartial: Bool = false
    ) {
        self.seed = seed
        self.variantCount = variantCount
        self.firstVariantCode = firstVariantCode
        self.recentlyUsed = recentlyUsed
        self.recentPolicy = recentPolicy
        self.allowPartial = allowPartial
    }
}

/// Why an assembly failed.
public enum AssemblyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The blueprint has errors.
    case invalidBlueprint([BlueprintIssue])
    /// Some cells cannot be filled and a partial test was not asked for.
    case shortfall([AssemblyShortfall])
    /// The content of a chosen question was not given.
    case missingQuestion(QuestionKey)
    /// The content given for a chosen question has another id, version or type.
    case mismatchedQuestion(QuestionKey)
    /// The options are not usable.
    case invalidOptions(String)

    /// The message in Vietnamese.
    public var vietnamese: String {
        switch self {
        case .invalidBlueprint(let issues): "Ma trận đề có lỗi: " + issues.map(\.vietnamese).joined(separator: " ")
        case .shortfall(let cells): "Ngân hàng không đủ câu hỏi cho \(cells.count) ô: " + cells.map(\.vietnamese).joined(separator: " ")
        case .missingQuestion(let key): "Không tìm thấy nội dung câu hỏi \(key)."
        case .mismatchedQuestion(let key): "Nội dung câu hỏi \(key) không khớp (mã, phiên bản hoặc dạng)."
        case .invalidOptions(let reason): "Tuỳ chọn không hợp lệ: \(reason)."
        }
    }

    /// The message in English.
    public var english: String {
        switch self {
        case .invalidBlueprint(let issues): "The blueprint has errors: " + issues.map(\.english).joined(separator: " ")
        case .shortfall(let cells): "The bank cannot fill \(cells.count) cell(s): " + cells.map(\.english).joined(separator: " ")
        case .missingQuestion(let key): "No content was given for question \(key)."
        case .mismatchedQuestion(let key): "The content given for question \(key) has another id, version or type."
        case .invalidOptions(let reason): "Invalid options: \(reason)."
        }
    }

    /// `Vietnamese / English`.
    public var description: String { "\(vietnamese) / \(english)" }
}

/// A cell an assembly could not fill.
public struct AssemblyShortfall: Sendable, Codable, Hashable {
    /// The row's catalogue code.
    public var rowCode: String
    /// Level code.
    public var level: String
    /// Question type.
    public var type: QuestionType
    /// Questions the cell asks for.
    public var required: Int
    /// Questions drawn.
    public var drawn: Int
    /// Questions of the bank that fit the cell (some may have gone to other cells).
    public var candidates: Int
    /// Fitting questions left out because they were used recently (policy ``AssemblyOptions/RecentPolicy/exclude``).
    public var leftOutAsRecent: Int

    /// Creates a shortfall.
    public init(rowCode: String, level: String, type: QuestionType, required: Int, drawn: Int, candidates: Int, leftOutAsRecent: Int) {
        self.rowCode = rowCode
        self.level = level
        self.type = type
        self.required = required
        self.drawn = drawn
        self.candidates = candidates
        self.leftOutAsRecent = leftOutAsRecent
    }

    /// Questions missing.
    public var missing: Int { required - drawn }

    /// The message in Vietnamese.
    public var vietnamese: String {
        "Dòng \(rowCode), mức \(level), dạng \(BlueprintTypeLabel.vietnamese(type)): cần \(required), chọn được \(drawn), thiếu \(missing)"
            + (leftOutAsRecent > 0 ? " (\(leftOutAsRecent) câu phù hợp bị loại vì đã dùng gần đây)." : ".")
    }

    /// The message in English.
    public var english: String {
        "Row \(rowCode), level \(level), type \(type.rawValue): needs \(required), drew \(drawn), short by \(missing)"
            + (leftOutAsRecent > 0 ? " (\(leftOutAsRecent) fitting question(s) left out as recently used)." : ".")
    }
}

/// One question of an assembled test, pinned to its version.
public struct AssembledItem: Sendable, Codable, Hashable {
    /// The question and its version.
    public var question: QuestionKey
    /// The blueprint row it fills.
    public var rowCode: String
    /// The level of the cell it fills (blueprint framework).
    public var level: String
    /// Its type.
    public var type: QuestionType
    /// Its points in this test (the cell's points per question).
    public var points: Double
    /// Whether it was used in the school's recent tests and taken only because the cell needed it.
    public var fromRecent: Bool

    /// Creates an item.
    public init(question: QuestionKey, rowCode: String, level: String, type: QuestionType, points: Double, fromRecent: Bool = false) {
        self.question = question
        self.rowCode = rowCode
        self.level = level
        self.type = type
        self.points = points
        self.fromRecent = fromRecent
    }

    /// The part of the test it belongs to.
    public var part: ExamPart { ExamPart(type) }
}

/// The questions chosen for a test, before variants are made.
public struct TestSelection: Sendable, Codable, Hashable {
    /// The blueprint's title.
    public var title: String
    /// The blueprint's framework.
    public var framework: String
    /// The seed used.
    public var seed: UInt64
    /// The blueprint's declared total.
    public var declaredTotalPoints: Double
    /// The questions in reference order: by part, then by cell in blueprint order.
    public var items: [AssembledItem]
    /// The cells that could not be filled (empty for a complete test).
    public var shortfalls: [AssemblyShortfall]
    /// The points of the chosen questions (the declared total when complete).
    public var totalPoints: Double
    /// Questions, points and percentage of the points by level.
    public var levelShares: [LevelShare]

    /// Creates a selection.
    public init(
        title: String, framework: String, seed: UInt64, declaredTotalPoints: Double, items: [AssembledItem], shortfalls: [AssemblyShortfall],
        totalPoints: Double, levelShares: [LevelShare]
    ) {
        self.title = title
        self.framework = framework
        self.seed = seed
        self.declaredTotalPoints = declaredTotalPoints
        self.items = items
        self.shortfalls = shortfalls
        self.totalPoints = totalPoints
        self.levelShares = levelShares
    }

    /// Whether every cell was filled.
    public var isComplete: Bool { shortfalls.isEmpty }
}

/// An assembled test: the chosen questions, pinned to id and version, and its variants with
/// their answer keys. Encode it with ``BlueprintJSON/encoder()`` for a stable record.
public struct AssembledTest: Sendable, Codable, Hashable {
    /// The chosen questions, shortfalls, totals and level shares.
    public var selection: TestSelection
    /// The variants (mã đề).
    public var variants: [TestVariant]

    /// Creates a test.
    public init(selection: TestSelection, variants: [TestVariant]) {
        self.selection = selection
        self.variants = variants
    }

    /// The chosen questions in reference order.
    public var items: [AssembledItem] { selection.items }
    /// Whether every cell was filled.
    public var isComplete: Bool { selection.isComplete }
    /// The points of the test.
    public var totalPoints: Double { selection.totalPoints }
}

/// One variant (mã đề) of a test.
public struct TestVariant: Sendable, Codable, Hashable {
    /// The code printed on the paper, e.g. 101.
    public var code: Int
    /// The questions in the order printed: Phần I first, numbered from 1 within each part.
    public var questions: [VariantQuestion]
    /// The answer key in the 2025 answer-sheet layout: one section per part present, in
    /// order, each listing question number → answer. Derived from ``questions`` when the
    /// variant is created, and stored so that the record carries it.
    public var answerSheet: [AnswerSheetPart]

    /// Creates a variant; its answer sheet is derived from the questions.
    public init(code: Int, questions: [VariantQuestion]) {
        self.code = code
        self.questions = questions
        self.answerSheet = ExamPart.allCases.compactMap { part in
            let entries = questions.filter { $0.part == part }.map { AnswerSheetEntry(number: $0.number, key: $0.key) }
            return entries.isEmpty ? nil : AnswerSheetPart(part: part, entries: entries)
        }
    }
}

/// A question as placed in a variant.
public struct VariantQuestion: Sendable, Codable, Hashable {
    /// The part it is printed in.
    public var part: ExamPart
    /// Its number within the part (Câu 1, Câu 2, …).
    public var number: Int
    /// Its index in ``TestSelection/items``.
    public var item: Int
    /// The question and its version.
    public var question: QuestionKey
    /// The option ids in printed order (A, B, C, …) for choice questions; `nil` otherwise.
    public var optionOrder: [String]?
    /// The right answer as written on the answer sheet.
    public var key: AnswerKey

    /// Creates a placed question.
    public init(part: ExamPart, number: Int, item: Int, question: QuestionKey, optionOrder: [String]?, key: AnswerKey) {
        self.part = part
        self.number = number
        self.item = item
        self.question = question
        self.optionOrder = optionOrder
        self.key = key
    }

    /// The question as printed in this variant: its options in ``optionOrder`` (the
    /// statements of a cluster and everything else unchanged).
    public func presented(_ question: Question) -> Question {
        guard let order = optionOrder else { return question }
        var copy = question
        func reorder(_ choice: ChoiceQuestion) -> ChoiceQuestion {
            var reordered = choice
            let byID = Dictionary(choice.options.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            reordered.options = order.compactMap { byID[$0] }
            return reordered
        }
        switch question.body {
        case .singleChoice(let q): copy.body = .singleChoice(reorder(q))
        case .multipleResponse(let q): copy.body = .multipleResponse(reorder(q))
        default: break
        }
        return copy
    }
}

/// A section of the answer sheet.
public struct AnswerSheetPart: Sendable, Codable, Hashable {
    /// The part.
    public var part: ExamPart
    /// Question number → answer, in number order.
    public var entries: [AnswerSheetEntry]

    /// Creates a section.
    public init(part: ExamPart, entries: [AnswerSheetEntry]) {
        self.part = part
        self.entries = entries
    }
}

/// One answer of the answer sheet.
public struct AnswerSheetEntry: Sendable, Codable, Hashable {
    /// Question number within the part.
    public var number: Int
    /// The answer.
    public var key: AnswerKey

    /// Creates an entry.
    public init(number: Int, key: AnswerKey) {
        self.number = number
        self.key = key
    }
}

/// The truth of one statement of a Đúng/Sai cluster.
public struct StatementKey: Sendable, Codable, Hashable {
    /// Label, `a` to `d`.
    public var label: String
    /// Đúng (`true`) or Sai (`false`).
    public var isTrue: Bool

    /// Creates a statement key.
    public init(label: String, isTrue: Bool) {
        self.label = label
        self.isTrue = isTrue
    }
}

/// A right answer as the 2025 answer sheet records it.
public enum AnswerKey: Sendable, Codable, Hashable {
    /// Phần I: the letter of the right option as printed (`A`–`D`).
    case choice(letter: String)
    /// Multiple response: the letters of the options that earn credit, in printed order.
    case choices(letters: [String])
    /// A single true/false statement.
    case trueFalse(Bool)
    /// Phần II: Đ or S for each statement a–d, in order.
    case statements([StatementKey])
    /// Phần III (numeric): the answer as written in the key, e.g. `-1,5`.
    case numeric(String)
    /// Short text: the best pattern.
    case text(String)
    /// Graded by a person (essay) or a type without a sheet answer (matching, ordering, cloze).
    case manual

    /// The printed letter of position `index` (0 → `A`).
    public static func letter(_ index: Int) -> String {
        String(Character(Unicode.Scalar(UInt8(65 + index))))
    }

    /// The key of a question whose options are shown in `optionOrder` (ids).
    public init(_ question: Question, optionOrder: [String]?) {
        let order = optionOrder
        func position(_ id: String, _ options: [ChoiceOption]) -> Int {
            (order ?? options.map(\.id)).firstIndex(of: id) ?? 0
        }
        switch question.body {
        case .singleChoice(let q):
            guard let best = q.options.max(by: { $0.fraction < $1.fraction }) else {
                self = .manual
                return
            }
            // `max(by:)` returns the last of equal maxima; take the first right option instead.
            let right = q.options.first { $0.fraction == best.fraction } ?? best
            self = .choice(letter: Self.letter(position(right.id, q.options)))
        case .multipleResponse(let q):
            let positions = q.options.filter { $0.fraction > 0 }.map { position($0.id, q.options) }.sorted()
            self = .choices(letters: positions.map(Self.letter))
        case .trueFalse(let q):
            self = .trueFalse(q.correctAnswer)
        case .trueFalseCluster(let q):
            self = .statements(q.statements.map { StatementKey(label: $0.label, isTrue: $0.isTrue) })
        case .numeric(let q):
            let keys = q.keys.filter { !$0.isWildcard }
            guard let best = keys.max(by: { $0.fraction < $1.fraction }) else {
                self = .manual
                return
            }
            let first = keys.first { $0.fraction == best.fraction } ?? best
            self = .numeric(first.answer.trimmingBlueprintSpaces())
        case .shortText(let q):
            guard let best = q.keys.max(by: { $0.fraction < $1.fraction }) else {
                self = .manual
                return
            }
            self = .text((q.keys.first { $0.fraction == best.fraction } ?? best).pattern)
        case .essay, .matching, .ordering, .cloze:
            self = .manual
        }
    }

    /// The answer as printed in a key table: `B`, `A, C`, `Đ`, `a) Đ  b) S  c) Đ  d) S`, `-1,5`.
    public var sheetText: String {
        switch self {
        case .choice(let letter): letter
        case .choices(let letters): letters.joined(separator: ", ")
        case .trueFalse(let value): value ? "Đ" : "S"
        case .statements(let statements): statements.map { "\($0.label)) \($0.isTrue ? "Đ" : "S")" }.joined(separator: "  ")
        case .numeric(let answer): answer
        case .text(let pattern): pattern
        case .manual: "—"
        }
    }

    /// The response a student gives by marking this key on `presented` (the question as
    /// printed, see ``VariantQuestion/presented(_:)``); `nil` for ``manual``. Scoring it gives
    /// full marks when the key is consistent with the printed options.
    public func response(for presented: Question) -> QuestionResponse? {
        func options() -> [ChoiceOption] {
            switch presented.body {
            case .singleChoice(let q), .multipleResponse(let q): q.options
            default: []
            }
        }
        func index(_ letter: String) -> Int? {
            guard let scalar = letter.unicodeScalars.first, letter.unicodeScalars.count == 1 else { return nil }
            let i = Int(scalar.value) - 65
            return i >= 0 && i < options().count ? i : nil
        }
        switch self {
        case .choice(let letter):
            return index(letter).map { .choice(options()[$0].id) }
        case .choices(let letters):
            return .choices(Set(letters.compactMap(index).map { options()[$0].id }))
        case .trueFalse(let value):
            return .trueFalse(value)
        case .statements(let statements):
            return .cluster(Dictionary(statements.map { ($0.label, $0.isTrue) }, uniquingKeysWith: { first, _ in first }))
        case .numeric(let answer):
            return .text(answer)
        case .text(let pattern):
            return .text(pattern)
        case .manual:
            return nil
        }
    }
}
