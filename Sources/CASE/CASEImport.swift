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
        let package: CASE.CFPackage
        do {
            package = try JSONDecoder().decode(CASE.CFPackage.self, from: data)
        } catch let error as DecodingError {
            let (path, message) = describe(error)
            throw Failure(path: path, message: message)
        } catch {
            throw Failure(path: "$", message: "not JSON: \(error)")
        }
        let items = package.CFItems
        let firstSegment = items.first?.humanCodingScheme?.split(separator: ".").first.map(String.init)
        let coded =
            !items.isEmpty
            && items.allSatisfy { item in
                guard let code = item.humanCodingScheme, let firstSegment else { return false }
                return code.range(of: "^[A-Z][A-Z0-9]*(\\.[A-Z0-9]+)+$", options: .regularExpression) != nil && code.hasPrefix(firstSegment + ".")
                    && Int(code.split(separator: ".")[1]) != nil && item.educationLevel?.first.flatMap { Int($0) } != nil
                    && (item.CFItemType.map { name in CatalogItemType.allCases.contains { $0.vietnamese == name } } ?? false)
            }
        if !coded { return try mapForeign(package, framework: framework, grade: grade) }
        let frameworkCode = firstSegment!
        let definitions = package.CFDefinitions
        let subjectDefinition = definitions.CFSubjects.first { $0.hierarchyCode == frameworkCode }
        let typeByID = Dictionary(definitions.CFItemTypes.map { ($0.identifier, $0.typeCode ?? "") }, uniquingKeysWith: { a, _ in a })
        let typeByName = Dictionary(CatalogItemType.allCases.map { ($0.vietnamese, $0) }, uniquingKeysWith: { a, _ in a })
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
            updatedAt[code] = HoclieuJSON.parseTimestamp(item.lastChangeDateTime)
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
            updatedAt[code] = HoclieuJSON.parseTimestamp(item.lastChangeDateTime)
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
