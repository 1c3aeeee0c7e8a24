public import Foundation
import CLibXML2

/// Limits and switches applied when parsing untrusted XML.
///
/// Whatever the options, parsing never touches the network or the disk: libxml2 runs
/// with `XML_PARSE_NONET`, without `XML_PARSE_NOENT`, `XML_PARSE_DTDLOAD` or
/// `XML_PARSE_HUGE`, and a process-wide deny-all external entity loader is installed.
public struct XMLParseOptions: Sendable, Hashable {
    /// Largest accepted input, in bytes, checked before parsing. Default 64 MiB.
    public var maxBytes: Int
    /// Deepest accepted element nesting (the root element is depth 1). Default 256.
    ///
    /// libxml2 itself refuses documents deeper than 256 without `XML_PARSE_HUGE`, which
    /// is never enabled, so values above 256 act as 256 (see ``effectiveMaxDepth``).
    public var maxDepth: Int
    /// Accept documents with a `<!DOCTYPE …>`. Default `false`: they are rejected
    /// with ``XMLError/doctypeNotAllowed`` as soon as the declaration is seen.
    ///
    /// Even when `true`, the external subset is never loaded, entities are never
    /// substituted and external entities are never fetched.
    public var allowDTD: Bool

    /// Creates parse options.
    public init(maxBytes: Int = 64 * 1024 * 1024, maxDepth: Int = 256, allowDTD: Bool = false) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.allowDTD = allowDTD
    }

    /// The depth limit really enforced: `min(maxDepth, 256)` (and at least 1).
    public var effectiveMaxDepth: Int { max(1, min(maxDepth, LibXMLRuntime.libxmlMaxDepth)) }
}

/// A parsed XML document (libxml2 DOM), read-only after parsing.
///
/// ## Sendability
/// `XMLDocument` is `@unchecked Sendable` because nothing in the public API modifies the
/// tree after parsing, and every access to the underlying `xmlDocPtr` (navigation,
/// XPath, schema validation) is serialised by an internal recursive lock. The lock is
/// needed because libxml2's schema validator is not purely read-only on the instance:
/// it registers `xs:ID`/`xs:IDREF` values in the document's ID tables and flags the
/// attributes, which would race with concurrent XPath or validation of the *same*
/// document. Different documents never share state and can be used fully in parallel.
public final class XMLDocument: @unchecked Sendable {
    let doc: xmlDocPtr
    private let lock = NSRecursiveLock()

    /// Non-fatal messages reported while parsing: warnings and recoverable errors that
    /// do not break well-formedness (e.g. "Entity 'x' not defined" in a document whose
    /// external DTD subset was, deliberately, not read).
    public let diagnostics: [XMLDiagnostic]
    /// The file the document was read from, if any.
    public let url: URL?

    /// Parses `data` as XML.
    ///
    /// - Throws: ``XMLError/tooLarge(limit:)``, ``XMLError/doctypeNotAllowed``,
    ///   ``XMLError/tooDeep(limit:)`` or ``XMLError/malformed(_:)`` (with line/column).
    public convenience init(data: Data, options: XMLParseOptions = XMLParseOptions()) throws {
        try self.init(data: data, options: options, url: nil)
    }

    /// Reads and parses a local XML file. The size limit is checked before the file is read.
    public convenience init(contentsOf url: URL, options: XMLParseOptions = XMLParseOptions()) throws {
        guard url.isFileURL else {
            throw XMLError.io("only local files can be read: \(url.absoluteString)")
        }
        let data = try readLimited(url, maxBytes: options.maxBytes)
        try self.init(data: data, options: options, url: url)
    }

    private init(data: Data, options: XMLParseOptions, url: URL?) throws {
        LibXMLRuntime.ensureInitialized()
        guard data.count <= options.maxBytes, data.count < Int(Int32.max) else {
            throw XMLError.tooLarge(limit: options.maxBytes)
        }
        let parsed = try parseDocument(data, options: options, url: url)
        self.doc = parsed.doc
        self.diagnostics = parsed.diagnostics
        self.url = url
    }

    deinit {
        xmlFreeDoc(doc)
    }

    /// Runs `body` with exclusive access to the libxml2 document.
    func withDoc<T>(_ body: (xmlDocPtr) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(doc)
    }

    /// The root element (`nil` only for a document without element, which the parser rejects).
    public var root: XMLElement? {
        withDoc { doc in
            xmlDocGetRootElement(doc).map { XMLElement(document: self, node: $0) }
        }
    }

    /// The elements selected by an XPath 1.0 expression evaluated from the document node.
    ///
    /// Nodes of other kinds in the result (attributes, text, namespaces) are skipped;
    /// use ``selectStrings(_:namespaces:)`` for those.
    /// - Parameter namespaces: prefix → namespace URI bindings usable in `xpath`
    ///   (XPath 1.0 has no default namespace: bind a prefix even for default-namespaced documents).
    /// - Throws: ``XMLError/xpath(expression:_:)`` if the expression is invalid or does not
    ///   yield a node-set.
    public func select(_ xpath: String, namespaces: [String: String] = [:]) throws -> [XMLElement] {
        try XPathEvaluator.elements(in: self, context: nil, xpath, namespaces: namespaces)
    }

    /// The string value of an XPath 1.0 expression (XPath `string()` conversion:
    /// for a node-set, the string value of its first node in document order).
    public func selectString(_ xpath: String, namespaces: [String: String] = [:]) throws -> String {
        try XPathEvaluator.string(in: self, context: nil, xpath, namespaces: namespaces)
    }

    /// The string value of every node selected by an XPath expression (elements,
    /// attributes, text nodes…), in document order.
    public func selectStrings(_ xpath: String, namespaces: [String: String] = [:]) throws -> [String] {
        try XPathEvaluator.strings(in: self, context: nil, xpath, namespaces: namespaces)
    }

    /// The numeric value of an XPath expression, e.g. `count(//*)`.
    public func selectNumber(_ xpath: String, namespaces: [String: String] = [:]) throws -> Double {
        try XPathEvaluator.number(in: self, context: nil, xpath, namespaces: namespaces)
    }
}

// MARK: - Parsing

/// Reads at most `maxBytes` bytes of a regular file; throws `.tooLarge` before reading
/// anything if the file is already known to be bigger.
func readLimited(_ url: URL, maxBytes: Int) throws -> Data {
    let path = url.path
    if try regularFileSize(path) > maxBytes {
        throw XMLError.tooLarge(limit: maxBytes)
    }
    guard let handle = FileHandle(forReadingAtPath: path) else {
        throw XMLError.io("cannot open \(path)")
    }
    defer { try? handle.close() }
    let data: Data
    do {
        // One byte more than allowed detects files that grew after the size check.
        data = try handle.read(upToCount: maxBytes == Int.max ? maxBytes : maxBytes + 1) ?? Data()
    } catch {
        throw XMLError.io("cannot read \(path): \(error.localizedDescription)")
    }
    guard data.count <= maxBytes else { throw XMLError.tooLarge(limit: maxBytes) }
    return data
}

/// Per-parse state reachable from SAX callbacks through `ctxt->_private`.
private final class ParseState {
    let collector = DiagnosticCollector()
    let allowDTD: Bool
    let maxDepth: Int
    var depth = 0
    var doctypeRejected = false
    var depthExceeded = false

    init(options: XMLParseOptions) {
        allowDTD = options.allowDTD
        maxDepth = options.effectiveMaxDepth
    }

    static func from(_ ctx: UnsafeMutableRawPointer?) -> (xmlParserCtxtPtr, ParseState)? {
        guard let ctx else { return nil }
        // For the default SAX2 tree builder, `ctx` (ctxt->userData) is the parser context.
        let ctxt = ctx.assumingMemoryBound(to: xmlParserCtxt.self)
        guard let state = ctxt.pointee._private else { return nil }
        return (ctxt, Unmanaged<ParseState>.fromOpaque(state).takeUnretainedValue())
    }
}

private func guardedInternalSubset(
    _ ctx: UnsafeMutableRawPointer?,
    _ name: UnsafePointer<xmlChar>?,
    _ externalID: UnsafePointer<xmlChar>?,
    _ systemID: UnsafePointer<xmlChar>?
) {
    guard let (ctxt, state) = ParseState.from(ctx) else { return }
    guard state.allowDTD else {
        state.doctypeRejected = true
        xmlStopParser(ctxt)
        return
    }
    xmlSAX2InternalSubset(ctx, name, externalID, systemID)
}

private func guardedStartElementNs(
    _ ctx: UnsafeMutableRawPointer?,
    _ localname: UnsafePointer<xmlChar>?,
    _ prefix: UnsafePointer<xmlChar>?,
    _ uri: UnsafePointer<xmlChar>?,
    _ nbNamespaces: Int32,
    _ namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
    _ nbAttributes: Int32,
    _ nbDefaulted: Int32,
    _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
) {
    guard let (ctxt, state) = ParseState.from(ctx) else { return }
    state.depth += 1
    if state.depth > state.maxDepth {
        state.depthExceeded = true
        xmlStopParser(ctxt)
        return
    }
    xmlSAX2StartElementNs(ctx, localname, prefix, uri, nbNamespaces, namespaces, nbAttributes, nbDefaulted, attributes)
}

private func guardedEndElementNs(
    _ ctx: UnsafeMutableRawPointer?,
    _ localname: UnsafePointer<xmlChar>?,
    _ prefix: UnsafePointer<xmlChar>?,
    _ uri: UnsafePointer<xmlChar>?
) {
    guard let (_, state) = ParseState.from(ctx) else { return }
    state.depth -= 1
    xmlSAX2EndElementNs(ctx, localname, prefix, uri)
}

/// Structured error handler of the parser context: `userData` is the context itself.
private func parserStructuredError(_ userData: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let error, let (_, state) = ParseState.from(userData) else { return }
    state.collector.add(error)
}

private func parseDocument(
    _ data: Data,
    options: XMLParseOptions,
    url: URL?
) throws -> (doc: xmlDocPtr, diagnostics: [XMLDiagnostic]) {
    let state = ParseState(options: options)
    guard !data.isEmpty else {
        throw XMLError.malformed([XMLDiagnostic(message: "Document is empty", line: 1, column: 1, severity: .fatal, file: url?.path)])
    }
    guard let ctxt = xmlNewParserCtxt() else {
        throw XMLError.io("libxml2 could not allocate a parser context")
    }
    defer { xmlFreeParserCtxt(ctxt) }
    // The context owns a private copy of the SAX handler; hook it.
    guard let sax = ctxt.pointee.sax else {
        throw XMLError.io("libxml2 parser context has no SAX handler")
    }
    sax.pointee.internalSubset = guardedInternalSubset
    sax.pointee.startElementNs = guardedStartElementNs
    sax.pointee.endElementNs = guardedEndElementNs
    sax.pointee.serror = parserStructuredError
    ctxt.pointee._private = Unmanaged.passUnretained(state).toOpaque()

    let doc: xmlDocPtr? = withThreadErrorHandler(state.collector) {
        data.withUnsafeBytes { raw -> xmlDocPtr? in
            let base = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            let size = Int32(raw.count)
            if let path = url?.path {
                return path.withCString { xmlCtxtReadMemory(ctxt, base, size, $0, nil, LibXMLRuntime.safeParseOptions) }
            }
            return xmlCtxtReadMemory(ctxt, base, size, nil, nil, LibXMLRuntime.safeParseOptions)
        }
    }
    // Whatever happens below, `doc` must be freed unless returned.
    var keep = false
    defer { if !keep, let doc { xmlFreeDoc(doc) } }

    if state.doctypeRejected { throw XMLError.doctypeNotAllowed }
    if state.depthExceeded { throw XMLError.tooDeep(limit: state.maxDepth) }
    // Well-formedness (XML 1.0 and Namespaces in XML) is what libxml2 tracks in these
    // flags; error-level messages that leave them set are kept as diagnostics.
    let wellFormed = ctxt.pointee.wellFormed != 0 && ctxt.pointee.nsWellFormed != 0
    guard let doc, wellFormed else {
        var diagnostics = state.collector.errors
        if diagnostics.isEmpty {
            diagnostics = [XMLDiagnostic(
                message: "document is not well-formed",
                line: Int(ctxt.pointee.input?.pointee.line ?? 0),
                column: Int(ctxt.pointee.input?.pointee.col ?? 0),
                severity: .fatal,
                file: url?.path
            )]
        }
        throw XMLError.malformed(diagnostics)
    }
    guard xmlDocGetRootElement(doc) != nil else {
        throw XMLError.malformed([XMLDiagnostic(message: "document has no root element", severity: .fatal, file: url?.path)])
    }
    keep = true
    return (doc, state.collector.diagnostics)
}
