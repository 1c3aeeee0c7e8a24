import Foundation
import HoclieuXML

/// The official CC 1.0 and 1.1 schemas (vendored in `Schemas/`), each compiled once on first use.
enum CartridgeSchemas {
    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Schemas")

    private static func compile(_ file: String) -> Result<XMLSchema, any Error> { XMLSchema.vendored(file, in: directory) }

    // Static lets are initialised once, thread-safely; a compiled schema is safe to share.
    private static let cc1p0 = compile("cc1p0/cclibxml2validator.xsd")
    private static let cc1p1 = compile("_drivers/cc1p1_manifest.xsd")
    private static let webLink1p1 = compile("cc1p1/ccv1p1_imswl_v1p1.xsd")
    private static let discussion1p1 = compile("cc1p1/ccv1p1_imsdt_v1p1.xsd")
    private static let basicLTI = compile("cc1p1/imslticc_v1p0p1.xsd")
    private static let qti1p1 = compile("cc1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd")

    /// The manifest schema for a root namespace; nil when none is vendored (CC 1.2, 1.3, thin, plain IMS CP).
    static func manifestSchema(for namespace: String) -> Result<XMLSchema, any Error>? {
        switch namespace {
        case "http://www.imsglobal.org/xsd/imscc/imscp_v1p1": cc1p0
        case "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1": cc1p1
        default: nil
        }
    }

    /// The schema of a CC 1.1 resource file, by the namespace of its root element.
    static func resourceSchema(for namespace: String) -> XMLSchema? {
        switch namespace {
        case "http://www.imsglobal.org/xsd/imsccv1p1/imswl_v1p1": try? webLink1p1.get()
        case "http://www.imsglobal.org/xsd/imsccv1p1/imsdt_v1p1": try? discussion1p1.get()
        case "http://www.imsglobal.org/xsd/imslticc_v1p0": try? basicLTI.get()
        case "http://www.imsglobal.org/xsd/ims_qtiasiv1p2": try? qti1p1.get()
        default: nil
        }
    }

    /// The first ten violations as `schemaViolation` warnings with their lines, then one with the count of the rest.
    static func messages(for violations: [XMLDiagnostic], path: String, resource: String? = nil, limit: Int = 10) -> [CartridgeMessage] {
        var messages = violations.prefix(limit).map { violation in
            let text = violation.message.trimmingCharacters(in: .whitespacesAndNewlines)
            return CartridgeMessage(
                code: "schemaViolation", vi: "Không khớp lược đồ ở dòng \(violation.line): \(text)",
                en: "Does not match the schema at line \(violation.line): \(text)", resource: resource, path: path, line: violation.line)
        }
        if violations.count > limit {
            messages.append(
                CartridgeMessage(
                    code: "schemaViolation", vi: "… và \(violations.count - limit) lỗi lược đồ khác (tổng \(violations.count))",
                    en: "… and \(violations.count - limit) more schema violations (\(violations.count) in all)", resource: resource, path: path))
        }
        return messages
    }
}
