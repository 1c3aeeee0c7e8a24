import Foundation
public import HoclieuCore

/// How a Đúng/Sai cluster (stem and four statements, scored by the number right through a
/// ``ClusterScoringTable``) is written to Moodle XML, which has no such question type.
public enum MoodleClusterEncoding: String, Sendable, Hashable, Codable, CaseIterable {
    /// One `multichoice` question (single answer): the stem with the statements as a lettered list,
    /// and one option per combination of Đúng/Sai answers (16 for four statements), worth the
    /// table's fraction for the number of statements it gets right (100 %, 50 %, 25 %, 10 %, 0 % with
    /// the 2025 table). A student who picks the combination they believe scores exactly by the table,
    /// and the item keeps its points (`defaultgrade`). The default.
    case combinations
    /// A `cloze` with one Đúng/Sai drop-down per statement. Reads naturally, but Moodle scores each
    /// drop-down separately (1, 2, 3, 4 right → 0.25, 0.5, 0.75, 1) and takes the points from the
    /// gaps, not from `defaultgrade`.
    case cloze
}

/// How bank categories become Moodle category paths (Moodle XML and GIFT).
///
/// A relative category such as `Phần I` (the part of a Word test) would become a top-level category
/// of the course that every later import shares. So every question is written under a full path:
/// `root/<subject> <grade>/<source or title>/<category>` (`$course$/Toán 6/Kiểm tra giữa kì I/Phần I`),
/// leaving out what is unknown. A category already written with a Moodle context (`$course$/…`,
/// `$system$/…`) is kept as it is.
public struct QuestionCategoryPaths: Sendable, Hashable {
    /// The Moodle context the paths start from.
    public var root: String
    /// The test title used when a question has no ``Question/source``.
    public var title: String?
    /// Display names of subject codes (`TOAN` → `Toán`); a code without a name is written as is.
    public var subjectNames: [String: String]
    /// The last component for questions that have no category of their own.
    public var uncategorised: String

    /// Creates the rule; the defaults write `$course$/…` with the GDPT 2018 subject names.
    public init(root: String = "$course$", title: String? = nil, subjectNames: [String: String] = Self.gdptSubjects, uncategorised: String = "Chưa phân loại") {
        self.root = root
        self.title = title
        self.subjectNames = subjectNames
        self.uncategorised = uncategorised
    }

    /// The GDPT 2018 subject names by code (the codes of `Catalog/subjects.csv`).
    public static let gdptSubjects: [String: String] = [
        "TV": "Tiếng Việt", "NV": "Ngữ văn", "TOAN": "Toán", "NN": "Ngoại ngữ 1", "DD": "Đạo đức", "GDCD": "Giáo dục công dân",
        "GDKTPL": "Giáo dục kinh tế và pháp luật", "TNXH": "Tự nhiên và Xã hội", "KH": "Khoa học", "LSDL": "Lịch sử và Địa lí",
        "KHTN": "Khoa học tự nhiên", "LS": "Lịch sử", "DL": "Địa lí", "VL": "Vật lí", "HH": "Hoá học", "SH": "Sinh học", "TIN": "Tin học",
        "CN": "Công nghệ", "GDTC": "Giáo dục thể chất", "AN": "Âm nhạc", "MT": "Mĩ thuật", "HDTN": "Hoạt động trải nghiệm",
        "HDTNHN": "Hoạt động trải nghiệm, hướng nghiệp", "GDQPAN": "Giáo dục quốc phòng và an ninh",
        "GDDP": "Nội dung giáo dục của địa phương", "TDTTS": "Tiếng dân tộc thiểu số", "NN2": "Ngoại ngữ 2",
    ]

    /// The full category path of a question: never `nil`, so that a question without a category
    /// is not filed under the category written before it.
    public func path(for question: Question) -> String {
        if let category = question.category?.trimmingCharacters(in: .whitespaces), category.hasPrefix("$"),
            category.dropFirst().contains("$")
        {
            return category
        }
        var parts = [root]
        if let subject = question.subject, !subject.isEmpty {
            let name = subjectNames[subject] ?? subject
            parts.append(question.grade.map { "\(name) \($0)" } ?? name)
        }
        if let title = (question.source ?? title)?.trimmingCharacters(in: .whitespaces), !title.isEmpty {
            parts.append(Self.component(title))
        }
        let own = question.category?.split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } ?? []
        parts += own.isEmpty && parts.count == 1 ? [uncategorised] : own
        return parts.joined(separator: "/")
    }

    /// The category a file must declare before `question`, given the one in force: its full path;
    /// for a question with nothing to file it under, none while no category is in force (Moodle then
    /// uses the import's default category), else `root/uncategorised`, so that it is never filed
    /// under the category of the question before it.
    public func line(for question: Question, current: String?) -> String? {
        let hasPlace = question.category != nil || question.subject != nil || question.source != nil || title != nil
        if hasPlace { return path(for: question) }
        return current == nil ? nil : root + "/" + uncategorised
    }

    /// One path component: a `/` inside a title would start a new level.
    static func component(_ text: String) -> String {
        text.replacingOccurrences(of: "/", with: "-")
    }
}

/// Moodle's grade options.
enum MoodleGrades {
    /// The fractions Moodle accepts for an answer (`question_bank::fraction_options_full()` in
    /// moodle/moodle `lib/questionlib.php`): qformat_default's import matches each answer's fraction
    /// against this list and refuses a question with one that is not on it.
    static let fractionOptionsFull: [Double] = {
        let positive = [1, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05]
        return [0] + positive + positive.map { -$0 }
    }()

    /// The grade option nearest to `fraction`.
    static func nearest(_ fraction: Double) -> Double {
        fractionOptionsFull.min { abs($0 - fraction) < abs($1 - fraction) } ?? 0
    }

    /// Whether `fraction` is one of the options (to Moodle's seven decimals).
    static func isOption(_ fraction: Double) -> Bool {
        fractionOptionsFull.contains { abs($0 - fraction) < 0.000_000_5 }
    }
}

/// A Đúng/Sai cluster as one multiple-choice question over the combinations of answers
/// (``MoodleClusterEncoding/combinations``).
enum ClusterCombinations {
    /// The separator between the statements' answers in an option's text.
    static let separator = "; "

    /// The combinations, first "all Đúng", in binary order (Đúng before Sai), each with its text
    /// (`a) Đúng; b) Sai; c) Đúng; d) Đúng`) and the number of statements it answers right.
    static func combinations(_ cluster: TrueFalseCluster) -> [(text: String, answers: [Bool], right: Int)] {
        let count = cluster.statements.count
        guard count > 0, count <= maxStatements else { return [] }
        return (0..<(1 << count)).map { index in
            let answers = (0..<count).map { bit in index & (1 << (count - 1 - bit)) == 0 }
            let text = zip(cluster.statements, answers).map { "\($0.label)) \($1 ? HoclieuTags.trueText : HoclieuTags.falseText)" }.joined(separator: separator)
            let right = zip(cluster.statements, answers).filter { $0.isTrue == $1 }.count
            return (text, answers, right)
        }
    }

    /// More statements than this would make too many options to read (2⁵ = 32).
    static let maxStatements = 5

    /// The answers an option's text gives, in statement order; `nil` when the text is not a combination.
    static func answers(in text: String, labels: [String]) -> [Bool]? {
        let parts = HTMLText.stripTags(text).components(separatedBy: separator.trimmingCharacters(in: .whitespaces)).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == labels.count else { return nil }
        var answers: [Bool] = []
        for (part, label) in zip(parts, labels) {
            if part == "\(label)) \(HoclieuTags.trueText)" {
                answers.append(true)
            } else if part == "\(label)) \(HoclieuTags.falseText)" {
                answers.append(false)
            } else {
                return nil
            }
        }
        return answers
    }
}
