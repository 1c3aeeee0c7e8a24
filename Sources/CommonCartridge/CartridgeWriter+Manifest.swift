import Foundation
import HoclieuCore
import HoclieuXML

/// Writes `imsmanifest.xml`: manifest LOM, the organisation, the resources with their LOM and files.
///
/// Where a material's LOM goes: from CC 1.2 on, in `<resource><metadata>` (the resource LOM profile). The
/// CC 1.1 resource profile allows only `educational/intendedEndUserRole`, so in CC 1.1 the material's LOM
/// (in the manifest LOM profile, which the `<file><metadata>` wildcard accepts) is on the resource's launch
/// file (`href`) or first file.
///
/// The CC 1.1 LOM profile's taxon path holds one taxon and no source: each path is written as its last
/// taxon (the knowledge unit) in a classification whose description names the catalogue, and the
/// shortening is reported. It has no `technical/location`: the landing URL is an `identifier` with catalog `URI`.
struct ManifestWriter {
    let profile: CartridgeProfile
    let request: CartridgeExportRequest
    let plans: [ResourcePlan]
    let organisation: [CartridgeItem]

    static let lomManifestPrefix = "lomimscc"
    static let lomResourcePrefix = "lom"

    func write() throws -> Data {
        do {
            let w = try XMLWriter()
            try w.startDocument()
            // The default namespace first: older Moodle versions detect CC 1.1 from the first 500 bytes of the
            // manifest (`backup/converter/imscc11/lib.php`, `detect_format`).
            try w.startElement("manifest")
            try w.namespaceDeclaration(prefix: nil, uri: profile.manifestNamespace)
            try w.attribute("identifier", Planner.xmlID(request.identifier, prefix: "M_"))
            try w.namespaceDeclaration(prefix: Self.lomManifestPrefix, uri: profile.lomManifestNamespace)
            try w.namespaceDeclaration(prefix: Self.lomResourcePrefix, uri: profile.lomResourceNamespace)
            try w.namespaceDeclaration(prefix: "xsi", uri: CartridgeXML.xsi)
            try w.attribute("schemaLocation", profile.manifestSchemaLocation, prefix: "xsi")

            try w.startElement("metadata")
            try text("schema", profile.schema, w)
            try text("schemaversion", profile.schemaVersion, w)
            var courseTaxa: [TaxonPath] = []
            for path in request.items.flatMap(\.taxonPaths) where !courseTaxa.contains(path) { courseTaxa.append(path) }
            try lom(
                w, prefix: Self.lomManifestPrefix, metadata: request.metadata, identifiers: [("Hoclieu", request.identifier)],
                taxonPaths: courseTaxa, fullTaxonPaths: false)
            try w.endElement()

            try w.startElement("organizations")
            try w.startElement("organization")
            try w.attribute("identifier", "ORG")
            try w.attribute("structure", "rooted-hierarchy")
            try w.startElement("item")
            try w.attribute("identifier", "root")
            for item in organisation { try writeItem(item, w) }
            try w.endElement()
            try w.endElement()
            try w.endElement()

            try w.startElement("resources")
            for plan in plans { try writeResource(plan, w) }
            try w.endElement()
            try w.endElement()
            try w.endDocument()
            return try w.data()
        } catch let error as CartridgeExportError {
            throw error
        } catch {
            throw CartridgeExportError.invalidText(item: request.identifier, reason: "imsmanifest.xml: \(error)")
        }
    }

    private func writeItem(_ item: CartridgeItem, _ w: XMLWriter) throws {
        try w.startElement("item")
        try w.attribute("identifier", item.identifier)
        if let resource = item.resource { try w.attribute("identifierref", resource) }
        try text("title", item.title, w)
        for child in item.children { try writeItem(child, w) }
        try w.endElement()
    }

    private func writeResource(_ plan: ResourcePlan, _ w: XMLWriter) throws {
        let item = plan.item
        try w.startElement("resource")
        try w.attribute("identifier", plan.identifier)
        try w.attribute("type", plan.type)
        if let href = plan.href { try w.attribute("href", href) }
        var identifiers = [(CartridgeXML.pidCatalog, item.pid)]
        // A landing page on a local or private address is no identifier anyone else can use (reported by the planner).
        if !item.landingURL.isEmpty, PublicAddress.isPublic(item.landingURL) { identifiers.append((CartridgeXML.uriCatalog, item.landingURL)) }
        if profile.resourceLOMIsFull {
            try w.startElement("metadata")
            try lom(
                w, prefix: Self.lomResourcePrefix, metadata: item.metadata, identifiers: identifiers, taxonPaths: item.taxonPaths,
                fullTaxonPaths: profile.fullTaxonPaths)
            try w.endElement()
        }
        let metadataFile = profile.resourceLOMIsFull ? nil : plan.metadataFile
        for file in plan.files {
            try w.startElement("file")
            try w.attribute("href", file.path)
            if file.path == metadataFile {
                try w.startElement("metadata")
                try lom(
                    w, prefix: Self.lomManifestPrefix, metadata: item.metadata, identifiers: identifiers, taxonPaths: item.taxonPaths,
                    fullTaxonPaths: false)
                try w.endElement()
            }
            try w.endElement()
        }
        try w.endElement()
    }

    // MARK: LOM

    /// A LOM record in the order LOM defines: general, lifeCycle, rights, classification.
    private func lom(
        _ w: XMLWriter, prefix: String, metadata: MaterialMetadata, identifiers: [(String, String)], taxonPaths: [TaxonPath],
        fullTaxonPaths: Bool
    ) throws {
        let language = metadata.language.isEmpty ? nil : metadata.language
        func element(_ name: String, _ body: () throws -> Void) throws {
            try w.startElement(name, prefix: prefix)
            try body()
            try w.endElement()
        }
        func value(_ name: String, _ v: String) throws {
            try element(name) { try w.text(Self.xmlSafe(v)) }
        }
        func langString(_ name: String, _ v: String) throws {
            try element(name) {
                try element("string") {
                    if let language { try w.attribute("language", language) }
                    try w.text(Self.xmlSafe(v))
                }
            }
        }
        try element("lom") {
            try element("general") {
                for (catalog, entry) in identifiers where !entry.isEmpty {
                    try element("identifier") {
                        try value("catalog", catalog)
                        try value("entry", entry)
                    }
                }
                if !metadata.title.isEmpty { try langString("title", metadata.title) }
                if let language { try value("language", language) }
                if !metadata.description.isEmpty { try langString("description", metadata.description) }
                for keyword in metadata.keywords where !keyword.isEmpty { try langString("keyword", keyword) }
            }
            if !metadata.authors.isEmpty {
                try element("lifeCycle") {
                    for author in metadata.authors {
                        try element("contribute") {
                            try element("role") { try value("value", "author") }
                            try value("entity", "BEGIN:VCARD\nVERSION:3.0\nFN:\(author)\nEND:VCARD")
                        }
                    }
                }
            }
            if let licence = metadata.licence, !licence.isEmpty {
                try element("rights") {
                    try element("copyrightAndOtherRestrictions") { try value("value", "yes") }
                    try langString("description", licence)
                }
            }
            // Catalogue alignment, grouped by catalogue.
            var sources: [String] = []
            for path in taxonPaths where !sources.contains(path.source) { sources.append(path.source) }
            for source in sources {
                try element("classification") {
                    try element("purpose") { try value("value", "discipline") }
                    if !fullTaxonPaths { try langString("description", source) }
                    for path in taxonPaths where path.source == source {
                        let taxa = fullTaxonPaths ? path.taxa : Array(path.taxa.suffix(1))
                        guard !taxa.isEmpty else { continue }
                        try element("taxonPath") {
                            if fullTaxonPaths { try langString("source", source) }
                            for taxon in taxa {
                                try element("taxon") {
                                    try value("id", taxon.id)
                                    try langString("entry", taxon.entry)
                                }
                            }
                        }
                    }
                }
            }
            if !metadata.grades.isEmpty {
                try element("classification") {
                    try element("purpose") { try value("value", "educational level") }
                    for grade in metadata.grades {
                        try element("taxonPath") {
                            if fullTaxonPaths { try langString("source", "GDPT 2018") }
                            try element("taxon") {
                                try value("id", "lop-\(grade)")
                                try langString("entry", "Lớp \(grade)")
                            }
                        }
                    }
                }
            }
        }
    }

    private func text(_ name: String, _ value: String, _ w: XMLWriter) throws {
        try w.startElement(name)
        try w.text(Self.xmlSafe(value))
        try w.endElement()
    }

    /// `text` without the characters XML 1.0 cannot carry (``XMLText/safe(_:)``).
    static func xmlSafe(_ text: String) -> String { XMLText.safe(text) }
}
