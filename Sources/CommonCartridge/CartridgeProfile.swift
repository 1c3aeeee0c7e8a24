import Foundation

// What differs between the cartridge versions the writer produces, as data: namespaces, schema locations,
// resource types. The writer itself has no `switch` on the version beyond choosing a profile.

/// The names one Common Cartridge version uses.
struct CartridgeProfile: Sendable {
    /// `1.1`, `1.2`, `1.3`.
    var version: String
    /// The manifest's `<schema>`.
    var schema: String
    var schemaVersion: String
    var isThin: Bool
    /// The manifest (IMS CP profile) namespace.
    var manifestNamespace: String
    var manifestSchema: String
    /// LOM profile for the manifest (and, in 1.1, the only one that allows general/rights/classification).
    var lomManifestNamespace: String
    var lomManifestSchema: String
    /// LOM profile for `<resource><metadata>`.
    var lomResourceNamespace: String
    var lomResourceSchema: String
    /// Whether `<resource><metadata>` may hold general, rights and classification. The CC 1.1 resource
    /// profile allows only `educational/intendedEndUserRole`; from 1.2 on, resources carry full LOM.
    var resourceLOMIsFull: Bool
    /// Whether a taxon path may hold a source and several taxa (the CC 1.1 LOM profile allows one taxon).
    var fullTaxonPaths: Bool

    var webLinkType: String
    var webLinkNamespace: String
    var webLinkSchema: String
    var discussionType: String
    var discussionNamespace: String
    var discussionSchema: String
    var assessmentType: String
    var questionBankType: String
    let webContentType = "webcontent"
    let ltiType = "imsbasiclti_xmlv1p0"

    /// `xsi:schemaLocation` of the manifest root.
    var manifestSchemaLocation: String {
        [
            manifestNamespace, manifestSchema, lomResourceNamespace, lomResourceSchema, lomManifestNamespace, lomManifestSchema,
        ].joined(separator: " ")
    }

    /// The namespaces a manifest of this version may declare.
    var namespaces: Set<String> {
        [manifestNamespace, lomManifestNamespace, lomResourceNamespace, CartridgeXML.xsi]
    }

    private static func make(_ v: String, thin: Bool = false) -> CartridgeProfile {
        let p = "v\(v.replacingOccurrences(of: ".", with: "p"))"  // v1p1
        let base = "http://www.imsglobal.org/profile/cc/cc\(p)"
        let wlVersion = v == "1.1" ? "v1p1" : p  // imswl_v1p1, imswl_v1p2, imswl_v1p3
        return CartridgeProfile(
            version: v, schema: thin ? "IMS Thin Common Cartridge" : "IMS Common Cartridge", schemaVersion: "\(v).0", isThin: thin,
            manifestNamespace: "http://www.imsglobal.org/xsd/imscc\(p)/imscp_v1p1",
            manifestSchema: "\(base)/cc\(p)_imscp_v1p2_v1p0.xsd",
            lomManifestNamespace: "http://ltsc.ieee.org/xsd/imscc\(p)/LOM/manifest",
            lomManifestSchema: "\(base)/LOM/cc\(p)_lommanifest_v1p0.xsd",
            lomResourceNamespace: "http://ltsc.ieee.org/xsd/imscc\(p)/LOM/resource",
            lomResourceSchema: "\(base)/LOM/cc\(p)_lomresource_v1p0.xsd",
            resourceLOMIsFull: v != "1.1", fullTaxonPaths: v != "1.1",
            webLinkType: "imswl_xml\(wlVersion)",
            webLinkNamespace: "http://www.imsglobal.org/xsd/imscc\(p)/imswl_\(wlVersion)",
            webLinkSchema: "\(base)/cc\(p)_imswl_\(wlVersion).xsd",
            discussionType: "imsdt_xml\(wlVersion)",
            discussionNamespace: "http://www.imsglobal.org/xsd/imscc\(p)/imsdt_\(wlVersion)",
            discussionSchema: "\(base)/cc\(p)_imsdt_\(wlVersion).xsd",
            assessmentType: "imsqti_xmlv1p2/imscc_xml\(p)/assessment",
            questionBankType: "imsqti_xmlv1p2/imscc_xml\(p)/question-bank"
        )
    }

    static let cc1p1 = make("1.1")
    static let cc1p2 = make("1.2")
    static let cc1p3 = make("1.3")
    static let thin1p3 = make("1.3", thin: true)

    static func profile(for format: CartridgeExportFormat) -> CartridgeProfile {
        switch format {
        case .cc1p1: cc1p1
        case .cc1p2: cc1p2
        case .cc1p3: cc1p3
        case .thinCC1p3: thin1p3
        }
    }
}

/// Namespaces shared by every version.
enum CartridgeXML {
    static let xsi = "http://www.w3.org/2001/XMLSchema-instance"
    static let ltiLink = "http://www.imsglobal.org/xsd/imslticc_v1p0"
    static let ltiLinkSchema = "http://www.imsglobal.org/xsd/lti/ltiv1p0/imslticc_v1p0.xsd"
    static let basicLTI = "http://www.imsglobal.org/xsd/imsbasiclti_v1p0"
    static let basicLTISchema = "http://www.imsglobal.org/xsd/lti/ltiv1p0/imsbasiclti_v1p0p1.xsd"
    static let ltiCommonMessages = "http://www.imsglobal.org/xsd/imslticm_v1p0"
    static let ltiCommonMessagesSchema = "http://www.imsglobal.org/xsd/lti/ltiv1p0/imslticm_v1p0.xsd"
    static let ltiCommonProfile = "http://www.imsglobal.org/xsd/imslticp_v1p0"
    static let ltiCommonProfileSchema = "http://www.imsglobal.org/xsd/lti/ltiv1p0/imslticp_v1p0.xsd"
    /// The CC 1.3 assignment extension.
    static let assignment = "http://www.imsglobal.org/xsd/imscc_extensions/assignment"
    static let assignmentSchema = "http://www.imsglobal.org/profile/cc/cc_extensions/cc_extresource_assignmentv1p0_v1p0.xsd"
    static let assignmentType = "assignment_xmlv1p0"
    /// LOM `identifier/catalog` of a material's persistent identifier.
    static let pidCatalog = "Hoclieu PID"
    /// LOM `identifier/catalog` of a material's landing page (the CC 1.1 LOM profile has no `technical/location`).
    static let uriCatalog = "URI"
}
