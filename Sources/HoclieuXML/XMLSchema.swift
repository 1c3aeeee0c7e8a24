public import Foundation
import CLibXML2

/// A compiled W3C XML Schema (XSD 1.0), loaded from local files only.
///
/// ## Where schema documents may come from
/// The root `.xsd` and everything it `xs:import`s / `xs:include`s / `xs:redefine`s is
/// loaded through HoclieuXML's external entity loader, which only opens existing
/// local files whose canonical (symlink-resolved) path lies under:
/// - the directory of the root schema file,
/// - any directory in `allowedDirectories`,
/// - the directory of the `catalog` file, if one is given.
///
/// Absolute `http(s)://` schema locations are never fetched; they resolve only if the
/// XML catalog maps them to a local file. Refused locations are reported in
/// ``warnings`` (or in the thrown ``XMLError/schema(_:)`` diagnostics).
///
/// ## Thread safety
/// libxml2 treats a compiled `xmlSchemaPtr` as read-only during validation; each
/// validation creates its own `xmlSchemaValidCtxt` (the object that holds validation
/// state). So one `XMLSchema` may validate many documents on many threads at once:
/// the type is `Sendable` (`@unchecked` only because it stores a C pointer that is
/// never mutated after compilation and freed in `deinit`).
public final class XMLSchema: @unchecked Sendable {
    let schema: xmlSchemaPtr
    /// The root schema file.
    public let url: URL
    /// Non-fatal messages from compilation (e.g. an import that was skipped).
    public let warnings: [XMLDiagnostic]

    /// Compiles the schema at `url`.
    /// - Parameters:
    ///   - url: local `.xsd` file.
    ///   - allowedDirectories: extra directory trees that imports may read from.
    ///   - catalog: optional OASIS XML catalog mapping absolute schema URLs to local
    ///     files (e.g. `conformance/schemas/catalog.xml`). It is private to this
    ///     compilation: nothing is added to libxml2's global catalog.
    /// - Throws: ``XMLError/io(_:)`` if a file is missing, ``XMLError/schema(_:)`` if
    ///   the schema does not compile.
    public init(contentsOf url: URL, allowedDirectories: [URL] = [], catalog: URL? = nil) throws {
        LibXMLRuntime.ensureInitialized()
        guard url.isFileURL, let schemaPath = canonicalPath(url.path) else {
            throw XMLError.io("schema file not found: \(url.path)")
        }
        var roots = [(schemaPath as NSString).deletingLastPathComponent]
        for directory in allowedDirectories {
            guard let root = canonicalPath(directory.path) else {
                throw XMLError.io("allowed directory not found: \(directory.path)")
            }
            roots.append(root)
        }
        var catalogPointer: xmlCatalogPtr?
        if let catalog {
            guard let catalogPath = canonicalPath(catalog.path) else {
                throw XMLError.io("XML catalog not found: \(catalog.path)")
            }
            catalogPointer = xmlLoadACatalog(catalogPath)
            guard catalogPointer != nil else {
                throw XMLError.io("XML catalog could not be loaded: \(catalogPath)")
            }
            roots.append((catalogPath as NSString).deletingLastPathComponent)
        }
        defer { if let catalogPointer { xmlFreeCatalog(catalogPointer) } }

        let policy = LoaderPolicy(allowedRoots: roots, catalog: catalogPointer)
        let collector = DiagnosticCollector()
        let compiled: xmlSchemaPtr? = LoaderContext.$policy.withValue(policy) {
            withThreadErrorHandler(collector) {
                guard let parser = xmlSchemaNewParserCtxt(schemaPath) else { return nil }
                defer { xmlSchemaFreeParserCtxt(parser) }
                xmlSchemaSetParserStructuredErrors(parser, collectStructuredError, collector.opaque)
                return xmlSchemaParse(parser)
            }
        }
        let denied = policy.denied.map {
            XMLDiagnostic(message: "external resource refused (not a local file under an allowed directory): \($0)", severity: .warning, file: schemaPath)
        }
        guard let compiled else {
            var diagnostics = collector.errors + denied
            if diagnostics.isEmpty {
                diagnostics = [XMLDiagnostic(message: "schema could not be compiled", file: schemaPath)]
            }
            throw XMLError.schema(diagnostics)
        }
        self.schema = compiled
        self.url = URL(fileURLWithPath: schemaPath)
        self.warnings = collector.diagnostics + denied
    }

    deinit {
        xmlSchemaFree(schema)
    }

    /// Compiles a schema vendored in a resource folder that holds its own OASIS `catalog.xml`: every
    /// import resolves to a file inside `directory`, offline. Compile once (a static) and share it.
    public static func vendored(_ file: String, in directory: URL) -> Result<XMLSchema, any Error> {
        Result {
            try XMLSchema(
                contentsOf: directory.appendingPathComponent(file), allowedDirectories: [directory],
                catalog: directory.appendingPathComponent("catalog.xml"))
        }
    }

    /// Validates a parsed document.
    /// - Returns: the validity errors (severity `.error` or `.fatal`, with line numbers);
    ///   an empty array means the document is valid.
    ///
    /// A libxml2 internal failure (`xmlSchemaValidateDoc` < 0, e.g. on a tree that still
    /// contains unexpanded entity references) counts as invalid and yields a diagnostic.
    public func validate(_ document: XMLDocument) -> [XMLDiagnostic] {
        document.withDoc { doc in
            guard let context = xmlSchemaNewValidCtxt(schema) else {
                return [XMLDiagnostic(message: "cannot allocate schema validation context")]
            }
            defer { xmlSchemaFreeValidCtxt(context) }
            let collector = DiagnosticCollector()
            xmlSchemaSetValidStructuredErrors(context, collectStructuredError, collector.opaque)
            let rc = withThreadErrorHandler(collector) {
                xmlSchemaValidateDoc(context, doc)
            }
            var errors = collector.errors
            if rc != 0 && errors.isEmpty {
                errors.append(XMLDiagnostic(
                    message: rc < 0
                        ? "schema validation failed with an internal libxml2 error (\(rc))"
                        : "document is not valid (libxml2 code \(rc))",
                    file: document.url?.path
                ))
            }
            return errors
        }
    }
}
