public import Foundation
public import HoclieuCore

/// Reads a CASE 1.0 CFPackage (as Hoclieu or another CASE provider exports it) into one framework
/// in the `Catalog/` CSV format, so that every catalogue rule is checked by ``CatalogReader``.
///
/// Items must carry their Hoclieu code in `humanCodingScheme`, a type through `CFItemTypeURI`
/// (`typeCode`) or `CFItemType`, and a grade in `educationLevel`; the tree comes from the
/// `isChildOf` associations.
public enum CASEImport {
    public struct Result: Sendable {
        public var subject: CatalogSubject
        /// `frameworks/<code>.csv` contents.
        public var frameworkCSV: String
        /// When each item last changed, from `lastChangeDateTime`.
        public var updatedAt: [String: Date]
    }

    /// Why a package could not be read, with the JSON path.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// Reads a package. Items already coded in the Hoclieu scheme (`FRAMEWORK.GRADE…` in `humanCodingScheme`,
    /// as Hoclieu exports them) keep their codes, types and grades. Other packages (OpenSALT and most
    /// providers) are mapped onto the catalogue's shape: `framework` names it, each item's grade comes from
    /// its `educationLevel` or else `grade`, the tree comes from `isChildOf` (ordered by `sequenceNumber`),
    /// leaves become outcomes and inner levels strand → topic → unit, and codes are minted from the tree
    /// positions; the provider's own human codes are kept in the English statement column.
    public static func read(_ data: Data, framework: String? = nil, grade: Int? = nil) throws(Failure) -> Result {
        var package: CASE.CFPackage
        do {
            package = try JSONDecoder().decode(CASE.CFPackage.self, from: loosened(data))
        } catch let error as DecodingError {
            let (path, message) = describe(error)
            throw Failure(path: path, message: message)
        } catch {
            throw Failure(path: "$", message: "not JSON: \(error)")
        }
        for index in package.CFItems.indices where package.CFItems[index].humanCodingScheme?.trimmingCharacters(in: .whitespaces).isEmpty == true {
            // `"humanCodingScheme": ""`: the item has no code.
            package.CFItems[index].humanCodingScheme = nil
        }
        let items = package.CFItems
        let firstSegment = items.first?.humanCodingScheme?.split(separator: ".").first.map(String.init)
        let coded =
            !items.isEmpty
            && items.allSatisfy { item in
                guard let code = item.humanCodingScheme, let firstSegment else { return false }
                return code.range(of: "^[A-Z][A-Z0-9]*(\\.[A-Z0-9]+)+$", options: .regularExpression) != nil && code.hasPrefix(firstSegment + ".")
                    && Int(code.split(separator: ".")[1]) != nil && item.educationLevel?.first.flatMap { Int($0) } != nil
                    && (item.CFItemType.map { name in CatalogItemType.allCases.contains { $0.vietnamese == name || $0.caseTitle == name } } ?? false)
            }
        if !coded { return try mapForeign(package, framework: framework, grade: grade) }
        let frameworkCode = firstSegment!
        let definitions = package.CFDefinitions
        let subjectDefinition = definitions.CFSubjects.first { $0.hierarchyCode == frameworkCode }
        let typeByID = Dictionary(definitions.CFItemTypes.map { ($0.identifier, $0.typeCode ?? "") }, uniquingKeysWith: { a, _ in a })
        let typeByName = Dictionary(
            CatalogItemType.allCases.flatMap { [($0.vietnamese, $0), ($0.caseTitle, $0)] }, uniquingKeysWith: { a, _ in a })
        let codeByID = Dictionary(items.compactMap { item in item.humanCodingScheme.map { (item.identifier, $0) } }, uniquingKeysWith: { a, _ in a })

        var parent: [String: String?] = [:]
        var others: [String: [String]] = [:]
        for (index, association) in package.CFAssociations.enumerated() {
            guard let origin = codeByID[association.originNodeURI.identifier] else { continue }
            if association.associationType == "isChildOf" {
                if association.destinationNodeURI.identifier == package.CFDocument.identifier {
                    parent[origin] = .some(nil)
                } else if let target = codeByID[association.destinationNodeURI.identifier] {
                    parent[origin] = target
                } else {
                    throw Failure(path: "$.CFAssociations[\(index)].destinationNodeURI", message: "isChildOf points outside the package")
                }
            } else if CatalogAssociationType(rawValue: association.associationType) != nil {
                let target = codeByID[association.destinationNodeURI.identifier] ?? association.destinationNodeURI.title
                others[origin, default: []].append("\(association.associationType):\(target)")
            }
        }

        var rows = ["code,parent,type,grade,statement,statement_en,associations,status"]
        var updatedAt: [String: Date] = [:]
        var grades: [Int] = []
        for (index, item) in items.enumerated() {
            let path = "$.CFItems[\(index)]"
            guard let code = item.humanCodingScheme else { throw Failure(path: "\(path).humanCodingScheme", message: "missing") }
            let typeCode = item.CFItemTypeURI.flatMap { typeByID[$0.identifier] } ?? ""
            guard let type = CatalogItemType(rawValue: typeCode) ?? item.CFItemType.flatMap({ typeByName[$0] }) else {
                throw Failure(path: "\(path).CFItemType", message: "unknown item type")
            }
            guard let level = item.educationLevel?.first, let grade = Int(level) else {
                throw Failure(path: "\(path).educationLevel", message: "a grade 01–12 is required")
            }
            if type == .grade { grades.append(grade) }
            updatedAt[code] = parseDate(item.lastChangeDateTime)
            let fields = [
                code, (parent[code] ?? nil) ?? "", type.rawValue, String(grade), item.fullStatement, item.alternativeLabel ?? "",
                (others[code] ?? []).joined(separator: ";"), item.notes?.contains("deprecated") == true ? "deprecated" : "",
            ]
            rows.append(fields.map(CSV.escape).joined(separator: ","))
        }
        let subject = CatalogSubject(
            code: frameworkCode, name: subjectDefinition?.title ?? package.CFDocument.title,
            nameEN: subjectDefinition?.description ?? "", grades: grades.sorted(), compulsoryGrades: [],
            source: package.CFDocument.notes ?? package.CFDocument.title)
        return Result(subject: subject, frameworkCSV: rows.joined(separator: "\n") + "\n", updatedAt: updatedAt)
    }

    /// A package from another provider, mapped onto grades and the five item types.
    static func mapForeign(_ package: CASE.CFPackage, framework: String?, grade fallbackGrade: Int?) throws(Failure) -> Result {
        guard let framework, framework.range(of: "^[A-Z][A-Z0-9]*$", options: .regularExpression) != nil else {
            throw Failure(path: "$.CFItems", message: "items are not coded in the Hoclieu scheme: give the framework code to use (--framework CODE)")
        }
        guard !package.CFItems.isEmpty else { throw Failure(path: "$.CFItems", message: "the package has no items") }
        let byID = Dictionary(package.CFItems.map { ($0.identifier, $0) }, uniquingKeysWith: { a, _ in a })
        var children: [String: [(Int, String)]] = [:]  // parent id (document id for roots) → (sequence, child id)
        var hasParent = Set<String>()
        for (index, association) in package.CFAssociations.enumerated() where association.associationType == "isChildOf" {
            let child = association.originNodeURI.identifier
            guard byID[child] != nil, !hasParent.contains(child) else { continue }
            let parent = association.destinationNodeURI.identifier
            guard parent == package.CFDocument.identifier || byID[parent] != nil else {
                throw Failure(path: "$.CFAssociations[\(index)].destinationNodeURI", message: "isChildOf points outside the package")
            }
            hasParent.insert(child)
            children[parent, default: []].append((association.sequenceNumber ?? Int.max, child))
        }
        // Items without a parent hang from the document.
        for item in package.CFItems where !hasParent.contains(item.identifier) {
            children[package.CFDocument.identifier, default: []].append((Int.max, item.identifier))
        }
        func grade(of item: CASE.CFItem) -> Int? {
            item.educationLevel?.compactMap { Int($0) }.first { (1...12).contains($0) } ?? fallbackGrade
        }
        var rows: [[String]] = []
        var updatedAt: [String: Date] = [:]
        var grades = Set<Int>()
        let types: [CatalogItemType] = [.strand, .topic, .unit]
        var counters: [String: Int] = [:]
        var visiting = Set<String>()
        func visit(_ id: String, parentCode: String?, depth: Int) throws(Failure) {
            guard let item = byID[id] else { return }
            guard visiting.insert(id).inserted else { throw Failure(path: "$.CFAssociations", message: "isChildOf cycle through \(id)") }
            guard let g = grade(of: item) else {
                throw Failure(path: "$.CFItems[\(package.CFItems.firstIndex { $0.identifier == id }!)].educationLevel", message: "no grade 01–12: give one (--grade N)")
            }
            let isLeaf = (children[id] ?? []).isEmpty
            guard isLeaf || depth < types.count else {
                throw Failure(path: "$.CFItems", message: "the tree is deeper than strand → topic → unit → outcome")
            }
            grades.insert(g)
            let parent = parentCode ?? "\(framework).\(g)"
            counters[parent, default: 0] += 1
            let code = "\(parent).\(counters[parent]!)"
            let type: CatalogItemType = isLeaf ? .outcome : types[depth]
            updatedAt[code] = parseDate(item.lastChangeDateTime)
            rows.append([code, parent, type.rawValue, String(g), item.fullStatement, item.humanCodingScheme ?? "", "", ""])
            for (_, child) in (children[id] ?? []).sorted(by: { $0.0 < $1.0 }) {
                try visit(child, parentCode: code, depth: depth + 1)
            }
        }
        for (_, root) in (children[package.CFDocument.identifier] ?? []).sorted(by: { $0.0 < $1.0 }) {
            try visit(root, parentCode: nil, depth: 0)
        }
        let header = "code,parent,type,grade,statement,statement_en,associations,status"
        let grade = grades.sorted().map { g in ["\(framework).\(g)", "", "grade", String(g), "\(package.CFDocument.title) lớp \(g)", "", "", ""] }
        let csv = ([header] + (grade + rows).map { $0.map(CSV.escape).joined(separator: ",") }).joined(separator: "\n") + "\n"
        let subject = CatalogSubject(
            code: framework, name: package.CFDocument.title, nameEN: package.CFDocument.title, grades: grades.sorted(), compulsoryGrades: [],
            source: package.CFDocument.officialSourceURL ?? package.CFDocument.publisher ?? package.CFDocument.creator)
        return Result(subject: subject, frameworkCSV: csv, updatedAt: updatedAt)
    }

    /// What real providers leave out, filled in so that the strict model (the shape Hoclieu writes) reads it:
    /// a missing `lastChangeDateTime` (an empty one is read as unknown), missing `CFAssociations` or
    /// `CFDefinitions` lists, and definitions without a description, hierarchy code or licence text.
    /// Anything else that is not JSON is left to the decoder, which reports it with its path.
    static func loosened(_ data: Data) -> Data {
        guard var root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return data }
        func filled(_ object: Any, _ keys: [String]) -> Any {
            guard var fields = object as? [String: Any] else { return object }
            for key in ["lastChangeDateTime"] + keys where fields[key] == nil || fields[key] is NSNull { fields[key] = "" }
            return fields
        }
        if let document = root["CFDocument"] { root["CFDocument"] = filled(document, ["creator"]) }
        for key in ["CFItems", "CFAssociations"] {
            if root[key] == nil || root[key] is NSNull { root[key] = [Any]() }
            if let list = root[key] as? [Any] { root[key] = list.map { filled($0, []) } }
        }
        var definitions = root["CFDefinitions"] as? [String: Any] ?? [:]
        let required = [
            "CFConcepts": ["hierarchyCode"], "CFSubjects": ["hierarchyCode"], "CFLicenses": ["licenseText"],
            "CFItemTypes": ["description", "hierarchyCode"], "CFAssociationGroupings": ["hierarchyCode"],
        ]
        for (key, fields) in required {
            if definitions[key] == nil || definitions[key] is NSNull { definitions[key] = [Any]() }
            if let list = definitions[key] as? [Any] { definitions[key] = list.map { filled($0, fields) } }
        }
        root["CFDefinitions"] = definitions
        return (try? JSONSerialization.data(withJSONObject: root)) ?? data
    }

    /// A `lastChangeDateTime` as providers write it: `2017-09-22T23:13:54Z`, with fractions of a second, with an
    /// offset (`+07:00`, `+0700`), without a time zone (read as UTC), with a space for `T`, or a date alone.
    /// Nil when empty or unreadable (the item then counts as changed now).
    public static func parseDate(_ text: String) -> Date? {
        let u = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from >= 0, from + count <= u.count else { return nil }
            var value = 0
            for b in u[from..<from + count] {
                guard (48...57).contains(b) else { return nil }
                value = value * 10 + Int(b - 48)
            }
            return value
        }
        guard u.count >= 10, let year = digits(0, 4), u[4] == UInt8(ascii: "-"), let month = digits(5, 2), u[7] == UInt8(ascii: "-"),
            let day = digits(8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0
        var fraction = 0.0
        var offset = 0
        var i = 10
        if i < u.count, u[i] == UInt8(ascii: "T") || u[i] == UInt8(ascii: "t") || u[i] == UInt8(ascii: " ") {
            guard let h = digits(i + 1, 2), i + 3 < u.count, u[i + 3] == UInt8(ascii: ":"), let m = digits(i + 4, 2), h < 24, m < 60 else { return nil }
            hour = h
            minute = m
            i += 6
            if i < u.count, u[i] == UInt8(ascii: ":") {
                guard let sec = digits(i + 1, 2), sec <= 60 else { return nil }
                second = sec
                i += 3
                if i < u.count, u[i] == UInt8(ascii: ".") || u[i] == UInt8(ascii: ",") {
                    var scale = 0.1
                    i += 1
                    while i < u.count, (48...57).contains(u[i]) {
                        fraction += Double(u[i] - 48) * scale
                        scale /= 10
                        i += 1
                    }
                }
            }
            if i < u.count {
                if u[i] == UInt8(ascii: "Z") || u[i] == UInt8(ascii: "z") {
                    i += 1
                } else if u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") {
                    let sign = u[i] == UInt8(ascii: "-") ? -1 : 1
                    guard let oh = digits(i + 1, 2) else { return nil }
                    var om = 0
                    if let m = digits(i + 3, 2) {
                        om = m
                        i += 5
                    } else if i + 3 < u.count, u[i + 3] == UInt8(ascii: ":"), let m = digits(i + 4, 2) {
                        om = m
                        i += 6
                    } else {
                        i += 3
                    }
                    offset = sign * (oh * 3600 + om * 60)
                }
            }
        }
        guard i == u.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return Date(timeIntervalSince1970: Double(timegm(&parts) - offset) + fraction)
    }

    static func describe(_ error: DecodingError) -> (String, String) {
        func path(_ keys: [any CodingKey]) -> String {
            "$" + keys.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return (path(context.codingPath + [key]), "missing")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return (path(context.codingPath), context.debugDescription)
        @unknown default: return ("$", "\(error)")
        }
    }
}
