public import ContentPackages
public import Foundation
import HoclieuXML

/// Checks a written cartridge against the official IMS schemas, the way a strict importer (Moodle's) does.
public enum CartridgeValidator {
    /// Every schema violation of a CC 1.1 cartridge: the manifest against the CC 1.1 profile (CP, LOM,
    /// authorisation), and each web link, discussion, Basic LTI link and QTI file against its own CC 1.1
    /// schema. Empty when the cartridge is valid. Other versions have no official schema here: nothing is checked.
    public static func violations(ofCartridgeAt url: URL) throws -> [CartridgeMessage] {
        let archive = try SafeArchive(url: url)
        let manifest = try HoclieuXML.XMLDocument(data: try archive.data("imsmanifest.xml", limit: CartridgeReader.maxManifestBytes))
        guard let namespace = manifest.root?.namespaceURI, namespace == "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1",
            let schema = try CartridgeSchemas.manifestSchema(for: namespace)?.get()
        else { return [] }
        var messages = CartridgeSchemas.messages(for: schema.validate(manifest), path: "imsmanifest.xml", limit: .max)
        for path in archive.paths.sorted() where path.hasSuffix(".xml") && path != "imsmanifest.xml" {
            guard let document = try? HoclieuXML.XMLDocument(data: try archive.data(path, limit: CartridgeReader.maxResourceBytes)),
                let namespace = document.root?.namespaceURI, let schema = CartridgeSchemas.resourceSchema(for: namespace)
            else { continue }
            messages += CartridgeSchemas.messages(for: schema.validate(document), path: path, limit: .max)
        }
        return messages
    }
}
