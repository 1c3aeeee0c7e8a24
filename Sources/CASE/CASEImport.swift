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

    public static func read(_ data: Data) throws(Failure) -> Result {
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
        guard let first = items.first?.humanCodingScheme, let frameworkCode = first.split(separator: ".").first.map(String.init) else {
            throw Failure(path: "$.CFItems[0].humanCodingScheme", message: "items need their code in humanCodingScheme")
        }
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
