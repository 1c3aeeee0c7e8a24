import Foundation
import HoclieuXML

/// The official manifest schemas (vendored in `Schemas/`), each compiled once on first use.
///
/// Real packages are often slightly invalid; schema violations become warnings on the version, never a
/// refusal: what a player needs (a launchable resource, the files it names) is checked separately.
enum ManifestSchemas {
    enum Edition: String {
        case scorm12 = "SCORM 1.2"
        case scorm2004third = "SCORM 2004 3rd Edition"
        case scorm2004fourth = "SCORM 2004 4th Edition"
        case contentPackage = "IMS CP 1.1.4"

        var driver: String {
            switch self {
            case .scorm12: "scorm12"
            case .scorm2004third: "scorm2004_3rd"
            case .scorm2004fourth, .contentPackage: "scorm2004_4th"
            }
        }
    }

    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Schemas")

    private static func compile(_ edition: Edition) -> Result<XMLSchema, any Error> {
        XMLSchema.vendored("_drivers/\(edition.driver).xsd", in: directory)
    }

    // Static lets are initialised once, thread-safely; a compiled schema is safe to share.
    private static let scorm12 = compile(.scorm12)
    private static let scorm2004third = compile(.scorm2004third)
    private static let scorm2004fourth = compile(.scorm2004fourth)

    static func schema(_ edition: Edition) throws -> XMLSchema {
        switch edition {
        case .scorm12: try scorm12.get()
        case .scorm2004third: try scorm2004third.get()
        case .scorm2004fourth, .contentPackage: try scorm2004fourth.get()
        }
    }

    /// The edition a manifest is written against, from its root namespace and `schemaversion`.
    static func edition(rootNamespace: String?, schemaVersion: String?, kind: PackageKind) -> Edition? {
        switch rootNamespace {
        case "http://www.imsproject.org/xsd/imscp_rootv1p1p2": return .scorm12
        case "http://www.imsglobal.org/xsd/imscp_v1p1":
            if kind == .imsContentPackage { return .contentPackage }
            let version = schemaVersion?.lowercased() ?? ""
            return version.contains("3rd") || version.contains("cam 1.3") ? .scorm2004third : .scorm2004fourth
        default: return nil
        }
    }

    /// Warnings for a manifest that does not match its schema: the first few violations with their
    /// lines, and how many more there are.
    static func warnings(for document: XMLDocument, edition: Edition) -> [String] {
        let violations: [XMLDiagnostic]
        do {
            violations = try schema(edition).validate(document)
        } catch {
            return ["không kiểm tra được lược đồ / the \(edition.rawValue) schema could not be loaded: \(error)"]
        }
        guard !violations.isEmpty else { return [] }
        var warnings = violations.prefix(5).map {
            "imsmanifest.xml không khớp lược đồ \(edition.rawValue) / does not match the \(edition.rawValue) schema: line \($0.line): \($0.message.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
        if violations.count > 5 { warnings.append("… \(violations.count - 5) lỗi lược đồ khác / more schema violations") }
        return warnings
    }
}
