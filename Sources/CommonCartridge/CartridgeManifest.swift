import Foundation
import HoclieuXML

/// What the streaming pass keeps of `imsmanifest.xml`: only the values the plan needs, never a tree of the document.
struct ManifestModel {
    var rootName = ""
    var rootNamespace = ""
    var identifier = ""
    var schema = ""
    var schemaVersion = ""
    var lom = LOMValues()
    var organisations: [[ItemNode]] = []
    var resources: [RawResource] = []
}

/// An organisation item as written (before unknown references are pruned).
struct ItemNode {
    var identifier: String
    var title: String
    var reference: String?
    var line: Int
    var children: [ItemNode] = []
}

/// A manifest `resource` as written.
struct RawResource {
    var identifier: String
    var type: String
    var href: String?
    /// `xml:base` of the manifest, `resources` and the resource, joined.
    var base: String
    var files: [String] = []
    var dependencies: [String] = []
    /// `cpx:variant identifierref` (Canvas fallback pages for LMSs without the CC 1.3 assignment type).
    var variantOf: String?
    var intendedUse: String?
    var lom = LOMValues()
    var line: Int
}

/// The LOM fields Hoclieu keeps (IEEE LOM as the CC profiles write it, or IMS MD `langstring`s).
struct LOMValues {
    var title: String?
    var description: String?
    var language: String?
    var keywords: [String] = []
    var rights: String?
    var copyrightRestrictions: String?
    var authors: [String] = []
    /// The `language` attribute of the title's string (a hint when `general/language` is absent).
    var titleLanguage: String?
    /// The purpose of the classification being read.
    var purpose: String?
    /// Taxon ids of `discipline` classifications, in order (catalogue paths: môn → … → unit).
    var disciplineTaxa: [String] = []
    /// Grades of `educational level` classifications (`lop-6`).
    var grades: [Int] = []

    var isEmpty: Bool { title == nil && description == nil && language == nil && keywords.isEmpty && rights == nil && authors.isEmpty }

    /// Takes a text found at `path` (local names below `lom`).
    mutating func take(_ text: String, at path: ArraySlice<String>, language: String?) {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { return }
        let p = Array(path)
        func ends(_ tail: [String]) -> Bool { p.count >= tail.count && Array(p.suffix(tail.count)) == tail }
        let isString = p.last == "string" || p.last == "langstring"
        if p.first == "general" {
            if isString, p.count == 3, p[1] == "title", title == nil {
                title = value
                titleLanguage = language
            }
            else if isString, p.count == 3, p[1] == "description" { description = description ?? value }
            else if isString, p.count == 3, p[1] == "keyword" { keywords.append(value) }
            else if p == ["general", "language"] { self.language = self.language ?? value }
        } else if p.first == "rights" {
            if isString, p.count == 3, p[1] == "description" { rights = rights ?? value }
            else if ends(["copyrightAndOtherRestrictions", "value"]) { copyrightRestrictions = value }
        } else if p.first == "classification" {
            if p == ["classification", "purpose", "value"] { purpose = value.lowercased() }
            else if p == ["classification", "taxonPath", "taxon", "id"] {
                if purpose == "discipline" { disciplineTaxa.append(value) }
                else if purpose == "educational level", value.hasPrefix("lop-"), let grade = Int(value.dropFirst(4)) { grades.append(grade) }
            }
        } else if p.first == "lifeCycle", p.count == 3, p[1] == "contribute", p[2] == "entity" {
            // vCard: keep the formatted name.
            for line in value.split(whereSeparator: \.isNewline) {
                let l = line.trimmingCharacters(in: .whitespaces)
                if l.uppercased().hasPrefix("FN:") { authors.append(String(l.dropFirst(3)).trimmingCharacters(in: .whitespaces)) }
            }
        }
    }
}

/// Reads `imsmanifest.xml` node by node. Memory grows with what is kept (resources, items), not with the document.
enum ManifestParser {
    static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"

    /// The root element's local name and namespace (a first, cheap pass to choose the schema).
    static func root(of url: URL) throws -> (name: String, namespace: String) {
        let reader = try XMLStreamReader(contentsOf: url)
        while let node = try reader.next() {
            if node.kind == .element { return (node.localName, node.namespaceURI ?? "") }
        }
        return ("", "")
    }

    /// Streams the manifest; `isCancelled` is asked every few thousand nodes.
    static func parse(_ reader: XMLStreamReader, isCancelled: (() -> Bool)?) throws(CartridgeError) -> ManifestModel {
        var model = ManifestModel()
        // Local names from the root down to the current element.
        var path: [String] = []
        var text = ""
        var capturing = false
        // Organisation items being built, innermost last.
        var itemStack: [ItemNode] = []
        var currentOrganisation: [ItemNode] = []
        var resource: RawResource?
        var resourcesBase = ""
        var manifestBase = ""
        var lomStart: Int?  // depth (index in path) of the `lom` element being read
        var counter = 0
        var stringLanguage: String?

        func close(_ name: String) throws {
            let depth = path.count - 1
            guard depth >= 0 else { return }
            defer { path.removeLast() }
            if let start = lomStart {
                if depth == start {
                    lomStart = nil
                } else if capturing {
                    let below = path[(start + 1)...]
                    if resource != nil { resource?.lom.take(text, at: below, language: stringLanguage) } else if depth >= 2, path[1] == "metadata" {
                        model.lom.take(text, at: below, language: stringLanguage)
                    }
                    capturing = false
                    text = ""
                }
                return
            }
            if capturing {
                let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if name == "schema" { model.schema = value }
                else if name == "schemaversion" { model.schemaVersion = value }
                else if name == "title", !itemStack.isEmpty { itemStack[itemStack.count - 1].title = value }
                capturing = false
                text = ""
                return
            }
            if name == "item", depth >= 3, path[1] == "organizations", let item = itemStack.popLast() {
                if itemStack.isEmpty { currentOrganisation.append(item) } else { itemStack[itemStack.count - 1].children.append(item) }
            } else if name == "organization", depth == 2 {
                model.organisations.append(currentOrganisation)
                currentOrganisation = []
            } else if name == "resource", depth == 2, let done = resource {
                model.resources.append(done)
                resource = nil
            }
        }
        do {
            while let node = try reader.next() {
                counter += 1
                if counter & 4095 == 0, isCancelled?() == true { throw CartridgeError.cancelled }
                switch node.kind {
                case .element:
                    let name = node.localName
                    let depth = path.count
                    path.append(name)
                    if depth == 0 {
                        model.rootName = name
                        model.rootNamespace = node.namespaceURI ?? ""
                        model.identifier = node.attribute("identifier") ?? ""
                        manifestBase = node.attribute("base", namespace: xmlNamespace) ?? ""
                    } else if lomStart != nil {
                        if name == "string" || name == "langstring" {
                            stringLanguage = node.attribute("language") ?? node.attribute("lang", namespace: xmlNamespace)
                        }
                        capturing = true
                        text = ""
                    } else if name == "lom", depth >= 2, path[depth - 1] == "metadata" {
                        lomStart = depth
                    } else if depth == 2, path[1] == "metadata", name == "schema" || name == "schemaversion" {
                        capturing = true
                        text = ""
                    } else if name == "organization", depth == 2 {
                        currentOrganisation = []
                    } else if name == "item", depth >= 3, path[1] == "organizations" {
                        itemStack.append(
                            ItemNode(identifier: node.attribute("identifier") ?? "", title: "", reference: node.attribute("identifierref"), line: node.line))
                    } else if name == "title", path[depth - 1] == "item", !itemStack.isEmpty {
                        capturing = true
                        text = ""
                    } else if name == "resources", depth == 1 {
                        resourcesBase = node.attribute("base", namespace: xmlNamespace) ?? ""
                    } else if name == "resource", depth == 2, path[1] == "resources" {
                        resource = RawResource(
                            identifier: node.attribute("identifier") ?? "", type: node.attribute("type") ?? "", href: node.attribute("href"),
                            base: manifestBase + resourcesBase + (node.attribute("base", namespace: xmlNamespace) ?? ""),
                            intendedUse: node.attribute("intendeduse"), line: node.line)
                    } else if depth == 3, resource != nil {
                        switch name {
                        case "file": if let href = node.attribute("href") { resource?.files.append(href) }
                        case "dependency": if let ref = node.attribute("identifierref") { resource?.dependencies.append(ref) }
                        case "variant": resource?.variantOf = node.attribute("identifierref")
                        default: break
                        }
                    }
                    if node.isEmptyElement { try close(name) }
                case .endElement:
                    try close(node.localName)
                case .text, .cdata, .significantWhitespace, .whitespace:
                    if capturing, let value = node.value { text += value }
                default:
                    break
                }
            }
        } catch {
            throw mapError(error)
        }

        return model
    }
}
