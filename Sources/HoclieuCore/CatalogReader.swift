public import Foundation

/// A problem found in catalogue data, with where it is and how to fix it.
public struct CatalogDiagnostic: Codable, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String
    public var hint: String

    public init(file: String, line: Int, message: String, hint: String) {
        self.file = file
        self.line = line
        self.message = message
        self.hint = hint
    }

    public var description: String { "\(file):\(line): \(message) — \(hint)" }
}

/// A level of a cognitive-level framework (Biết/Hiểu/Vận dụng…), with its mapping to another framework.
public struct CognitiveLevel: Codable, Sendable, Equatable {
    public var framework: String
    public var code: String
    public var level: Int
    public var name: String
    public var nameEN: String
    public var mapsTo: String?
}

/// The whole catalogue as read from its files.
public struct CatalogData: Sendable, Equatable {
    public var subjects: [CatalogSubject] = []
    /// Items of each framework, in file order (grade items added for every taught grade).
    public var items: [String: [CatalogItem]] = [:]
    public var levels: [CognitiveLevel] = []

    public init() {}

    /// Every item of every framework.
    public var allItems: [CatalogItem] { items.keys.sorted().flatMap { items[$0]! } }
}

/// Reads and checks catalogue files (the format of `Catalog/README.md`); pure: the caller supplies the bytes.
public enum CatalogReader {
    static let itemColumns = ["code", "parent", "type", "grade", "statement", "statement_en", "associations", "status"]
    static let requiredItemColumns: Set<String> = ["code", "parent", "type", "grade", "statement"]
    static let subjectColumns = ["code", "name", "name_en", "grades", "compulsory", "source"]
    static let levelColumns = ["framework", "code", "level", "name", "name_en", "maps_to"]

    /// Reads `subjects.csv`, `cognitive-levels.csv` and `frameworks/*.csv` (paths relative to the catalogue folder)
    /// and returns the data with every problem found. The data is meaningful only when there are no problems.
    public static func read(files: [(path: String, contents: Data)]) -> (CatalogData, [CatalogDiagnostic]) {
        var data = CatalogData()
        var problems: [CatalogDiagnostic] = []
        var lines: [String: (file: String, line: Int)] = [:]  // code → where it is defined

        func text(_ path: String, _ contents: Data) -> String? {
            guard let text = String(validating: contents, as: UTF8.self) else {
                problems.append(
                    .init(
                        file: path, line: 1, message: "not UTF-8 (\(LegacyEncoding.guess(contents)))",
                        hint: "save the file as UTF-8 (Unicode); convert TCVN3/VNI/Windows-1258 text first"))
                return nil
            }
            return text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        }
        func table(_ path: String, _ contents: Data, columns: [String], required: Set<String>) -> [[String: String]]? {
            guard let text = text(path, contents) else { return nil }
            let records: [CSV.Record]
            do {
                records = try CSV.parse(text)
            } catch {
                problems.append(.init(file: path, line: error.line, message: "CSV syntax: \(error.message)", hint: "quote fields that contain commas, quotes or line breaks"))
                return nil
            }
            guard let header = records.first else {
                problems.append(.init(file: path, line: 1, message: "empty file", hint: "start with the header row: \(columns.joined(separator: ","))"))
                return nil
            }
            let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            let unknown = names.filter { !columns.contains($0) }
            let missing = required.subtracting(names).sorted()
            if !unknown.isEmpty || !missing.isEmpty {
                problems.append(
                    .init(
                        file: path, line: header.line,
                        message: "header: unknown columns [\(unknown.joined(separator: ", "))], missing [\(missing.joined(separator: ", "))]",
                        hint: "the columns are \(columns.joined(separator: ","))"))
                return nil
            }
            var rows: [[String: String]] = []
            for record in records.dropFirst() {
                if record.fields.count != names.count {
                    problems.append(
                        .init(
                            file: path, line: record.line, message: "\(record.fields.count) fields, the header has \(names.count)",
                            hint: "quote a field that contains a comma"))
                    continue
                }
                var row = ["#line": String(record.line)]
                for (name, value) in zip(names, record.fields) {
                    // String == compares canonically equivalent text as equal: compare the scalars.
                    if !value.unicodeScalars.elementsEqual(value.precomposedStringWithCanonicalMapping.unicodeScalars) {
                        problems.append(
                            .init(
                                file: path, line: record.line, message: "\(name) is not in Unicode NFC",
                                hint: "normalise to NFC (precomposed letters), e.g. python3 -c 'import unicodedata; …normalize(\"NFC\", s)'"))
                    }
                    row[name] = value
                }
                rows.append(row)
            }
            return rows
        }

        // Subjects.
        if let subjects = files.first(where: { $0.path == "subjects.csv" }),
            let rows = table(subjects.path, subjects.contents, columns: subjectColumns, required: Set(subjectColumns.prefix(4)))
        {
            for row in rows {
                let line = Int(row["#line"]!)!
                let code = row["code"] ?? ""
                guard code.range(of: "^[A-Z][A-Z0-9]*$", options: .regularExpression) != nil else {
                    problems.append(.init(file: subjects.path, line: line, message: "malformed subject code '\(code)'", hint: "use A–Z and 0–9, starting with a letter"))
                    continue
                }
                guard let grades = gradeRanges(row["grades"] ?? ""), !grades.isEmpty,
                    let compulsory = gradeRanges(row["compulsory"] ?? "")
                else {
                    problems.append(.init(file: subjects.path, line: line, message: "grades of \(code) unreadable", hint: "write ranges such as 1-12 or 3-5,10-12"))
                    continue
                }
                if data.subjects.contains(where: { $0.code == code }) {
                    problems.append(.init(file: subjects.path, line: line, message: "duplicate subject \(code)", hint: "one row per subject"))
                    continue
                }
                data.subjects.append(
                    CatalogSubject(
                        code: code, name: row["name"] ?? code, nameEN: row["name_en"] ?? "", grades: grades, compulsoryGrades: compulsory,
                        source: row["source"] ?? ""))
            }
        } else if !files.contains(where: { $0.path == "subjects.csv" }) {
            problems.append(.init(file: "subjects.csv", line: 1, message: "missing", hint: "the subjects of the programme are listed there"))
        }

        // Cognitive levels.
        if let file = files.first(where: { $0.path == "cognitive-levels.csv" }),
            let rows = table(file.path, file.contents, columns: levelColumns, required: Set(levelColumns.prefix(5)))
        {
            for row in rows {
                guard let level = Int(row["level"] ?? "") else {
                    problems.append(.init(file: file.path, line: Int(row["#line"]!)!, message: "level is not a number", hint: "1, 2, 3…"))
                    continue
                }
                let mapsTo = row["maps_to"].flatMap { $0.isEmpty ? nil : $0 }
                data.levels.append(
                    CognitiveLevel(
                        framework: row["framework"] ?? "", code: row["code"] ?? "", level: level, name: row["name"] ?? "",
                        nameEN: row["name_en"] ?? "", mapsTo: mapsTo))
            }
            let codes = Set(data.levels.map(\.code))
            for level in data.levels where level.mapsTo.map({ !codes.contains($0) }) ?? false {
                problems.append(.init(file: file.path, line: 1, message: "\(level.code) maps to unknown \(level.mapsTo!)", hint: "map to a code of another framework in this file"))
            }
        }

        // Frameworks: grade items from the subjects first, then the detailed files.
        for subject in data.subjects {
            data.items[subject.code] = subject.grades.map { g in
                CatalogItem(code: "\(subject.code).\(g)", parent: nil, type: .grade, grade: g, statement: "\(subject.name) lớp \(g)")
            }
        }
        let frameworkFiles = files.filter { $0.path.hasPrefix("frameworks/") && $0.path.hasSuffix(".csv") }.sorted { $0.path < $1.path }
        for file in frameworkFiles {
            let framework = String(file.path.dropFirst("frameworks/".count).dropLast(4))
            guard let subject = data.subjects.first(where: { $0.code == framework }) else {
                problems.append(.init(file: file.path, line: 1, message: "no subject \(framework) in subjects.csv", hint: "name the file after a subject code"))
                continue
            }
            guard let rows = table(file.path, file.contents, columns: itemColumns, required: requiredItemColumns) else { continue }
            var items = data.items[framework] ?? []
            var index = Dictionary(uniqueKeysWithValues: items.map { ($0.code, $0) })
            for row in rows {
                let line = Int(row["#line"]!)!
                let code = row["code"] ?? ""
                func report(_ message: String, _ hint: String) { problems.append(.init(file: file.path, line: line, message: message, hint: hint)) }
                guard code.range(of: "^[A-Z][A-Z0-9]*(\\.[A-Z0-9]+)+$", options: .regularExpression) != nil,
                    code.hasPrefix(framework + ".")
                else {
                    report("malformed code '\(code)'", "codes are \(framework).GRADE[.STRAND[.TOPIC…]] with segments of A–Z and 0–9")
                    continue
                }
                guard let type = CatalogItemType(rawValue: row["type"] ?? "") else {
                    report("unknown type '\(row["type"] ?? "")'", "one of \(CatalogItemType.allCases.map(\.rawValue).joined(separator: ", "))")
                    continue
                }
                guard let grade = Int(row["grade"] ?? ""), (1...12).contains(grade) else {
                    report("grade '\(row["grade"] ?? "")' is not 1–12", "write the grade number")
                    continue
                }
                let statement = (row["statement"] ?? "").trimmingCharacters(in: .whitespaces)
                if statement.isEmpty { report("empty statement", "copy the programme's wording") }
                let parentCode = (row["parent"] ?? "").isEmpty ? nil : row["parent"]
                if let first = lines[code] {
                    report("duplicate code \(code) (first at \(first.file):\(first.line))", "give each item its own code")
                    continue
                }
                if type == .grade {
                    if code != "\(framework).\(grade)" || parentCode != nil {
                        report("grade item \(code) must be \(framework).\(grade) with no parent", "grade items sit under the framework")
                        continue
                    }
                    if !subject.grades.contains(grade) {
                        report("\(framework) is not taught in grade \(grade) per subjects.csv", "fix the grade, or the subject's grades")
                    }
                    if index[code] != nil {
                        lines[code] = (file.path, line)
                        continue  // already there from subjects.csv
                    }
                } else {
                    guard let parentCode, let parent = index[parentCode] else {
                        report("parent '\(parentCode ?? "")' of \(code) is not defined above it", "define the parent first, in programme order")
                        continue
                    }
                    if !code.hasPrefix(parentCode + ".") || code.split(separator: ".").count != parentCode.split(separator: ".").count + 1 {
                        report("code \(code) does not extend its parent's code \(parentCode) by one segment", "use \(parentCode).N")
                    }
                    if parent.grade != grade {
                        report("grade \(grade) differs from its parent's (\(parent.grade))", "an item belongs to its parent's grade")
                    }
                    if parent.type >= type {
                        report("a \(type.rawValue) cannot sit under a \(parent.type.rawValue)", "types go down: grade → strand → topic → unit → outcome")
                    }
                }
                var associations: [CatalogAssociation] = []
                for part in (row["associations"] ?? "").split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
                    let pieces = part.split(separator: ":", maxSplits: 1).map(String.init)
                    guard pieces.count == 2, let kind = CatalogAssociationType(rawValue: pieces[0]), kind != .isChildOf else {
                        report("association '\(part)' unreadable", "write type:CODE with type precedes, isRelatedTo, exactMatchOf or replacedBy")
                        continue
                    }
                    associations.append(CatalogAssociation(type: kind, target: pieces[1]))
                }
                let status = row["status"] ?? ""
                if !["", "active", "deprecated"].contains(status) { report("status '\(status)' unknown", "leave empty, or write deprecated") }
                let item = CatalogItem(
                    code: code, parent: parentCode, type: type, grade: grade, statement: statement,
                    statementEN: row["statement_en"].flatMap { $0.isEmpty ? nil : $0 }, associations: associations,
                    deprecated: status == "deprecated")
                lines[code] = (file.path, line)
                index[code] = item
                items.append(item)
            }
            data.items[framework] = items
        }

        // Associations must point at existing items and `precedes`/`replacedBy` must not loop.
        let all = Dictionary(data.allItems.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        for item in all.values {
            for association in item.associations where all[association.target] == nil {
                let at = lines[item.code] ?? ("frameworks/?", 0)
                problems.append(
                    .init(file: at.file, line: at.line, message: "\(item.code) \(association.type.rawValue) unknown \(association.target)", hint: "point at an existing code"))
            }
        }
        for kind in [CatalogAssociationType.precedes, .replacedBy] {
            var state: [String: Int] = [:]  // 1 visiting, 2 done
            func visit(_ code: String, _ path: [String]) -> [String]? {
                if state[code] == 2 { return nil }
                if state[code] == 1 { return path + [code] }
                state[code] = 1
                for next in all[code]?.associations.filter({ $0.type == kind }).map(\.target) ?? [] {
                    if let cycle = visit(next, path + [code]) { return cycle }
                }
                state[code] = 2
                return nil
            }
            for code in all.keys.sorted() {
                if let cycle = visit(code, []) {
                    let at = lines[code] ?? ("frameworks/?", 0)
                    problems.append(
                        .init(file: at.file, line: at.line, message: "\(kind.rawValue) cycle: \(cycle.joined(separator: " → "))", hint: "remove one association of the loop"))
                    break
                }
            }
        }
        return (data, problems.sorted { ($0.file, $0.line) < ($1.file, $1.line) })
    }

    /// `1-5,10-12` → [1, 2, 3, 4, 5, 10, 11, 12]; nil when unreadable; empty text → [].
    static func gradeRanges(_ text: String) -> [Int]? {
        var grades: [Int] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let bounds = part.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard (1...2).contains(bounds.count), let low = bounds.first, let high = bounds.last, 1 <= low, low <= high, high <= 12 else { return nil }
            grades += Array(low...high)
        }
        return Array(Set(grades)).sorted()
    }
}

/// Recognises the legacy Vietnamese encodings that still circulate in departments' spreadsheets.
public enum LegacyEncoding {
    /// A best guess at what non-UTF-8 Vietnamese bytes are: TCVN3 (ABC), VNI or Windows-1258.
    public static func guess(_ data: Data) -> String {
        // TCVN3 puts Vietnamese letters on bytes such as 0xB5 (à), 0xB8 (á), 0xAE (đ), 0xD6/0xD7…; VNI writes a base
        // letter followed by a mark byte (0xF8 `ø`, 0xF9 `ù`, 0xEF `ï`, 0xF5 `õ`, 0xE1 `á` as a mark…); Windows-1258 uses
        // combining marks 0xCC, 0xEC, 0xD2, 0xDE, 0xF2 after a base letter and 0xF0 for đ.
        var tcvn = 0, vni = 0, cp1258 = 0
        var previousIsLetter = false
        for byte in data.prefix(1 << 16) {
            switch byte {
            case 0xB5, 0xB8, 0xB6, 0xB7, 0xB9, 0xA8, 0xAE, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xD6, 0xD7, 0xDD, 0xE3, 0xE8, 0xF5, 0xF8: tcvn += 1
            default: break
            }
            if previousIsLetter, [0xF8, 0xF9, 0xF5, 0xE4, 0xEF, 0xF6, 0xF7, 0xFB, 0xEA].contains(byte) { vni += 1 }
            if previousIsLetter, [0xCC, 0xEC, 0xD2, 0xDE, 0xF2].contains(byte) { cp1258 += 1 }
            if byte == 0xF0 || byte == 0xD0 { cp1258 += 1 }
            previousIsLetter = (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
        let best = max(tcvn, vni, cp1258)
        if best == 0 { return "unknown encoding" }
        if best == cp1258 { return "looks like Windows-1258" }
        return best == vni ? "looks like VNI" : "looks like TCVN3 (ABC)"
    }
}
