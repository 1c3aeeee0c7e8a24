public import Foundation
public import HoclieuCore
import Crypto

/// One framework's data as the catalogue store holds it.
public struct CASEFrameworkInput: Sendable {
    public var subject: CatalogSubject
    /// Items in programme order, with when each last changed.
    public var items: [(item: CatalogItem, updatedAt: Date)]

    public init(subject: CatalogSubject, items: [(item: CatalogItem, updatedAt: Date)]) {
        self.subject = subject
        self.items = items
    }
}

/// Every CASE response the provider can give, built once from the catalogue and encoded once.
///
/// Identifiers are UUID v5 under the catalogue namespace: a document of its framework code, an item
/// of its code, an association of its type and ends, so every installation serves the same ids.
public struct CASESnapshot: Sendable {
    /// A response body ready to send, with its validators.
    public struct Body: Sendable {
        public var bytes: Data
        public var etag: String
        public var lastModified: Date
    }

    public var documents: [CASE.CFDocument] = []
    public var packages: [String: Body] = [:]
    public var bodies: [Kind: [String: Body]] = [:]
    public var lastModified = Date(timeIntervalSince1970: 0)

    /// The object kinds addressable by `…/{kind}/{sourcedId}`.
    public enum Kind: String, Sendable, CaseIterable {
        case CFDocuments, CFItems, CFAssociations, CFItemAssociations, CFItemTypes, CFSubjects, CFLicenses, CFConcepts,
            CFAssociationGroupings
    }

    public init() {}

    /// Builds every response for the given frameworks; `baseURL` prefixes every `uri` (e.g. `https://hoclieu.example/ims/case/v1p0`).
    public init(frameworks: [CASEFrameworkInput], baseURL: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func body(_ value: some Encodable, _ modified: Date) throws -> Body {
            let bytes = try encoder.encode(value)
            let digest = SHA256.hash(data: bytes).prefix(12).map { String(format: "%02x", $0) }.joined()
            return Body(bytes: bytes, etag: "\"\(digest)\"", lastModified: modified)
        }
        func id(_ name: String) -> String { CatalogIdentifiers.uuid(for: name).uuidString.lowercased() }
        func stamp(_ date: Date) -> String { HoclieuJSON.timestamp(date) }

        let epoch = Date(timeIntervalSince1970: 1_546_300_800)  // 2019-01-01, after the programme's adoption
        let licence = CASE.CFLicense(
            identifier: id("license:gdpt2018"), uri: "\(baseURL)/CFLicenses/\(id("license:gdpt2018"))",
            title: "Văn bản quy phạm pháp luật / Legal document",
            description: "Chương trình giáo dục phổ thông 2018 (Thông tư 32/2018/TT-BGDĐT)",
            licenseText:
                "Văn bản quy phạm pháp luật không thuộc đối tượng bảo hộ quyền tác giả (Luật Sở hữu trí tuệ, Điều 15). / Legal documents are not protected by copyright (Law on Intellectual Property, Article 15).",
            lastChangeDateTime: stamp(epoch))
        let licenceLink = CASE.LinkURI(title: licence.title, identifier: licence.identifier, uri: licence.uri)
        let itemTypes = CatalogItemType.allCases.map { type in
            CASE.CFItemType(
                identifier: id("itemtype:\(type.rawValue)"), uri: "\(baseURL)/CFItemTypes/\(id("itemtype:\(type.rawValue)"))",
                title: type.caseTitle, description: "\(type.caseTitle) (\(type.rawValue))", hierarchyCode: String(type.depth + 1),
                typeCode: type.rawValue, lastChangeDateTime: stamp(epoch))
        }
        let typeByRaw = Dictionary(uniqueKeysWithValues: zip(CatalogItemType.allCases, itemTypes))
        var bodies: [Kind: [String: Body]] = [:]
        for type in itemTypes { bodies[.CFItemTypes, default: [:]][type.identifier] = try body(["CFItemTypes": [type]] as [String: [CASE.CFItemType]], epoch) }
        bodies[.CFLicenses, default: [:]][licence.identifier] = try body(licence, epoch)

        for framework in frameworks {
            let subject = framework.subject
            let modified = framework.items.map(\.updatedAt).max() ?? epoch
            lastModified = max(lastModified, modified)
            let documentID = id(subject.code)
            let subjectObject = CASE.CFSubject(
                identifier: id("subject:\(subject.code)"), uri: "\(baseURL)/CFSubjects/\(id("subject:\(subject.code)"))",
                title: subject.name, hierarchyCode: subject.code, description: subject.nameEN, lastChangeDateTime: stamp(epoch))
            bodies[.CFSubjects, default: [:]][subjectObject.identifier] = try body(["CFSubjects": [subjectObject]] as [String: [CASE.CFSubject]], epoch)
            let documentLink = CASE.LinkURI(
                title: "Chương trình GDPT 2018 – \(subject.name)", identifier: documentID, uri: "\(baseURL)/CFDocuments/\(documentID)")
            var document = CASE.CFDocument(
                identifier: documentID, uri: documentLink.uri, creator: "Bộ Giáo dục và Đào tạo", title: documentLink.title,
                lastChangeDateTime: stamp(modified), publisher: "Bộ Giáo dục và Đào tạo",
                description: "\(subject.name) (\(subject.nameEN)), lớp \(subject.grades.first ?? 1)–\(subject.grades.last ?? 12). Nguồn: \(subject.source)",
                subject: [subject.name],
                subjectURI: [CASE.LinkURI(title: subjectObject.title, identifier: subjectObject.identifier, uri: subjectObject.uri)],
                language: "vi", version: "2018", adoptionStatus: "Adopted", licenseURI: licenceLink, notes: subject.source)

            // Items, and an isChildOf association per item (grade items are children of the document).
            var byCode: [String: CASE.LinkURI] = [:]
            var items: [CASE.CFItem] = []
            var siblings: [String: Int] = [:]
            for (item, updated) in framework.items {
                let itemID = id(item.code)
                let type = typeByRaw[item.type]!
                let position = siblings[item.parent ?? "", default: 0] + 1
                siblings[item.parent ?? ""] = position
                let cfItem = CASE.CFItem(
                    identifier: itemID, fullStatement: item.statement, uri: "\(baseURL)/CFItems/\(itemID)", lastChangeDateTime: stamp(updated),
                    humanCodingScheme: item.code, listEnumeration: String(position), abbreviatedStatement: nil,
                    alternativeLabel: item.statementEN, CFItemType: type.title,
                    CFItemTypeURI: CASE.LinkURI(title: type.title, identifier: type.identifier, uri: type.uri), language: "vi",
                    educationLevel: [item.grade < 10 ? "0\(item.grade)" : String(item.grade)],
                    notes: item.deprecated ? "Đã ngừng sử dụng / deprecated" : nil, licenseURI: licenceLink,
                    statusEndDate: item.deprecated ? String(stamp(updated).prefix(10)) : nil)
                items.append(cfItem)
                byCode[item.code] = CASE.LinkURI(title: item.statement, identifier: itemID, uri: cfItem.uri)
            }
            var associations: [CASE.CFAssociation] = []
            siblings = [:]
            for (item, updated) in framework.items {
                let origin = byCode[item.code]!
                let parent = item.parent.flatMap { byCode[$0] } ?? documentLink
                let position = siblings[item.parent ?? "", default: 0] + 1
                siblings[item.parent ?? ""] = position
                var links: [(String, CASE.LinkURI, Int?)] = [("isChildOf", parent, position)]
                for association in item.associations {
                    let target = byCode[association.target]
                        ?? CASE.LinkURI(
                            title: association.target, identifier: id(association.target), uri: "\(baseURL)/CFItems/\(id(association.target))")
                    links.append((association.type.rawValue, target, nil))
                }
                for (type, target, sequence) in links {
                    let associationID = id("association:\(type):\(item.code)>\(target.identifier)")
                    associations.append(
                        CASE.CFAssociation(
                            identifier: associationID, associationType: type, uri: "\(baseURL)/CFAssociations/\(associationID)",
                            originNodeURI: origin, destinationNodeURI: target, sequenceNumber: sequence, lastChangeDateTime: stamp(updated)))
                }
            }
            let usedTypes = Set(framework.items.map(\.item.type))
            let package = CASE.CFPackage(
                CFDocument: document, CFItems: items, CFAssociations: associations,
                CFDefinitions: CASE.CFDefinitions(
                    CFSubjects: [subjectObject], CFLicenses: [licence],
                    CFItemTypes: CatalogItemType.allCases.filter(usedTypes.contains).map { typeByRaw[$0]! }))
            packages[documentID] = try body(package, modified)

            document.sourcedId = documentID
            document.CFPackageURI = CASE.LinkURI(title: document.title, identifier: documentID, uri: "\(baseURL)/CFPackages/\(documentID)")
            documents.append(document)
            bodies[.CFDocuments, default: [:]][documentID] = try body(document, modified)
            var byItem: [String: [CASE.CFAssociation]] = [:]
            for var association in associations {
                byItem[association.originNodeURI.identifier, default: []].append(association)
                if association.destinationNodeURI.identifier != documentID {
                    byItem[association.destinationNodeURI.identifier, default: []].append(association)
                }
                association.CFDocumentURI = documentLink
                association.sourcedId = association.identifier
                bodies[.CFAssociations, default: [:]][association.identifier] = try body(association, modified)
            }
            for (offset, var item) in items.enumerated() {
                item.CFDocumentURI = documentLink
                item.sourcedId = item.identifier
                let updated = framework.items[offset].updatedAt
                bodies[.CFItems, default: [:]][item.identifier] = try body(item, updated)
                struct ItemAssociations: Encodable {
                    var CFItem: CASE.CFItem
                    var CFAssociations: [CASE.CFAssociation]
                }
                bodies[.CFItemAssociations, default: [:]][item.identifier] = try body(
                    ItemAssociations(CFItem: item, CFAssociations: byItem[item.identifier] ?? []), updated)
            }
        }
        self.bodies = bodies
        documents.sort { VietnameseCollation.areInIncreasingOrder($0.title, $1.title) }
    }
}
