import Foundation
import HoclieuXML
import QuestionFormats

/// The QTI 2.1 and 2.2 item schemas (vendored in `Schemas/`), each compiled once on first use.
enum QTISchemas {
    static let namespace21 = "http://www.imsglobal.org/xsd/imsqti_v2p1"
    static let namespace22 = "http://www.imsglobal.org/xsd/imsqti_v2p2"

    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Schemas")

    private static func compile(_ file: String) -> Result<XMLSchema, any Error> { XMLSchema.vendored(file, in: directory) }

    // Static lets are initialised once, thread-safely; a compiled schema is safe to share.
    private static let qti21 = compile("qtiv2p1/imsqti_v2p1.xsd")
    private static let qti22 = compile("qtiv2p2/imsqti_v2p2.xsd")

    /// The compiled schema for an item namespace; `nil` for QTI 2.0 or items without a namespace.
    static func schema(for namespace: String?) throws -> XMLSchema? {
        switch namespace {
        case namespace21: try qti21.get()
        case namespace22: try qti22.get()
        default: nil
        }
    }

    /// Schema violations of an item document as warnings: the first five with their lines, and how many more.
    static func warnings(for document: XMLDocument, namespace: String?, file: String?) -> [QuestionFormatMessage] {
        let prefix = QTIMessages.prefix(file)
        let schema: XMLSchema?
        do {
            schema = try self.schema(for: namespace)
        } catch {
            return [
                .init(
                    code: "schemaUnavailable", vi: "\(prefix)Không nạp được lược đồ QTI: \(error)",
                    en: "\(prefix)The QTI schema could not be loaded: \(error)")
            ]
        }
        guard let schema else {
            return [
                .init(
                    code: "notValidated",
                    vi: "\(prefix)Không kiểm tra lược đồ: không gian tên \(namespace ?? "(không có)") không phải QTI 2.1/2.2",
                    en: "\(prefix)Not schema-checked: the namespace \(namespace ?? "(none)") is not QTI 2.1/2.2"
                )
            ]
        }
        let violations = schema.validate(document)
        var messages = violations.prefix(5).map { violation in
            let text = violation.message.trimmingCharacters(in: .whitespacesAndNewlines)
            return QuestionFormatMessage(
                code: "schemaViolation", vi: "\(prefix)Không khớp lược đồ QTI ở dòng \(violation.line): \(text)",
                en: "\(prefix)Does not match the QTI schema at line \(violation.line): \(text)",
                location: .init(line: violation.line, column: violation.column)
            )
        }
        if violations.count > 5 {
            messages.append(
                .init(
                    code: "schemaViolation", vi: "\(prefix)… và \(violations.count - 5) lỗi lược đồ khác",
                    en: "\(prefix)… and \(violations.count - 5) more schema violations"
                ))
        }
        return messages
    }
}
