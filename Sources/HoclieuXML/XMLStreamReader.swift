public import Foundation
import CLibXML2

/// One node reported by ``XMLStreamReader``.
public struct XMLStreamNode: Sendable, Hashable {
    /// Kind of node.
    public enum Kind: Sendable, Hashable {
        /// A start tag (also reported alone for `<x/>`, see ``XMLStreamNode/isEmptyElement``).
        case element
        /// An end tag.
        case endElement
        /// Character data.
        case text
        /// A CDATA section.
        case cdata
        /// An unexpanded entity reference (only in documents with a DTD).
        case entityReference
        /// A processing instruction.
        case processingInstruction
        /// A comment.
        case comment
        /// The `<!DOCTYPE …>` (only reported when ``XMLParseOptions/allowDTD`` is `true`).
        case documentType
        /// Whitespace-only text outside of mixed content.
        case whitespace
        /// Whitespace-only text that must be preserved (e.g. `xml:space="preserve"`).
        case significantWhitespace
        /// Any other libxml2 reader node type (raw `xmlReaderTypes` value).
        case other(Int)

        init(_ raw: Int32) {
            switch raw {
            case Int32(XML_READER_TYPE_ELEMENT.rawValue): self = .element
            case Int32(XML_READER_TYPE_END_ELEMENT.rawValue): self = .endElement
            case Int32(XML_READER_TYPE_TEXT.rawValue): self = .text
            case Int32(XML_READER_TYPE_CDATA.rawValue): self = .cdata
            case Int32(XML_READER_TYPE_ENTITY_REFERENCE.rawValue): self = .entityReference
            case Int32(XML_READER_TYPE_PROCESSING_INSTRUCTION.rawValue): self = .processingInstruction
            case Int32(XML_READER_TYPE_COMMENT.rawValue): self = .comment
            case Int32(XML_READER_TYPE_DOCUMENT_TYPE.rawValue): self = .documentType
            case Int32(XML_READER_TYPE_WHITESPACE.rawValue): self = .whitespace
            case Int32(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue): self = .significantWhitespace
            default: self = .other(Int(raw))
            }
        }
    }

    /// Kind of node.
    public var kind: Kind
    /// Local name (`#text`, `#comment`… for non-element nodes, as libxml2 reports them).
    public var localName: String
    /// Namespace prefix, if any.
    public var prefix: String?
    /// Namespace URI, if any.
    public var namespaceURI: String?
    /// Depth in the tree: the root element is at depth 0.
    public var depth: Int
    /// `true` for an element written as `<x/>` (no matching `.endElement` follows).
    public var isEmptyElement: Bool
    /// Attributes of an element node (namespace declarations excluded); empty otherwise.
    public var attributes: [XMLAttribute]
    /// Text of text, CDATA, whitespace, comment and processing-instruction nodes.
    public var value: String?
    /// 1-based line of the node when known, else 0.
    public var line: Int

    /// The value of an attribute of this element node (`namespace: nil` = unqualified attribute).
    public func attribute(_ name: String, namespace: String? = nil) -> String? {
        attributes.first { $0.name == name && $0.namespaceURI == namespace }?.value
    }
}

/// A forward-only, low-memory reader over a local XML file (libxml2 `xmlTextReader`),
/// with optional streaming XML Schema validation.
///
/// Same safety rules as ``XMLDocument``: no network, no external entities, no DTD
/// loading, DOCTYPE rejected unless allowed, file size and depth limits enforced.
/// (Unlike the DOM parser, the reader only sees a DOCTYPE after libxml2 has parsed
/// the internal subset; the document is still rejected with
/// ``XMLError/doctypeNotAllowed``, entities are never expanded.)
///
/// Usage:
/// ```swift
/// let reader = try XMLStreamReader(contentsOf: url, schema: schema)
/// while let node = try reader.next() { … }
/// if !reader.validationErrors.isEmpty { … }
/// ```
/// A reader is a single-use, single-thread object (not `Sendable`).
public final class XMLStreamReader {
    private let reader: xmlTextReaderPtr
    private let collector: DiagnosticCollector
    private let options: XMLParseOptions
    /// Keeps the compiled schema alive while the reader uses it.
    private let schema: XMLSchema?
    private let path: String
    private var finished = false
    /// Set once `xmlTextReaderCurrentDoc` was called (the reader then leaves the document to us).
    private var preservedDocument: xmlDocPtr?
    private var failure: XMLError?

    /// Opens `url` for streaming.
    /// - Parameters:
    ///   - schema: if given, every node is validated against it while reading;
    ///     violations are collected in ``validationErrors`` (reading goes on).
    /// - Throws: ``XMLError/io(_:)`` if the file cannot be opened,
    ///   ``XMLError/tooLarge(limit:)`` if it exceeds `options.maxBytes`.
    public init(contentsOf url: URL, options: XMLParseOptions = XMLParseOptions(), schema: XMLSchema? = nil) throws {
        LibXMLRuntime.ensureInitialized()
        guard url.isFileURL else { throw XMLError.io("only local files can be read: \(url.absoluteString)") }
        let path = url.path
        if try regularFileSize(path) > options.maxBytes {
            throw XMLError.tooLarge(limit: options.maxBytes)
        }
        let collector = DiagnosticCollector()
        guard let reader = withThreadErrorHandler(collector, {
            xmlReaderForFile(path, nil, LibXMLRuntime.safeParseOptions)
        }) else {
            throw XMLError.io("cannot open \(path)")
        }
        self.reader = reader
        self.collector = collector
        self.options = options
        self.schema = schema
        self.path = path
        xmlTextReaderSetStructuredErrorHandler(reader, collectStructuredError, collector.opaque)
        if let schema {
            guard xmlTextReaderSetSchema(reader, schema.schema) == 0 else {
                throw XMLError.schema([XMLDiagnostic(message: "cannot attach schema to the stream reader", file: path)])
            }
        }
    }

    deinit {
        xmlFreeTextReader(reader)
        if let preservedDocument { xmlFreeDoc(preservedDocument) }
    }

    /// Schema validity errors seen so far (empty without a schema). Complete once
    /// ``next()`` has returned `nil`.
    public var validationErrors: [XMLDiagnostic] { collector.validityErrors }

    /// Other non-fatal messages seen so far: warnings and recoverable errors that do not
    /// break well-formedness (e.g. an undeclared entity in a document with an unread
    /// external DTD subset).
    public var diagnostics: [XMLDiagnostic] { collector.nonValidityNotices }

    /// Reads the next node.
    /// - Returns: the node, or `nil` at the end of the document.
    /// - Throws: ``XMLError/malformed(_:)`` (with line/column) on a well-formedness error,
    ///   ``XMLError/doctypeNotAllowed``, ``XMLError/tooDeep(limit:)``. After a throw the
    ///   reader is finished and throws the same error again.
    public func next() throws -> XMLStreamNode? {
        if let failure { throw failure }
        if finished { return nil }
        let rc = withThreadErrorHandler(collector) { xmlTextReaderRead(reader) }
        if rc == 0 {
            finished = true
            if let failure = malformedFailure() { return try fail(failure) }
            if schema != nil, xmlTextReaderIsValid(reader) != 1, validationErrors.isEmpty {
                collector.add(XMLDiagnostic(message: "document is not valid", severity: .error, file: path), domain: DiagnosticCollector.schemaValidityDomain)
            }
            return nil
        }
        if rc < 0 {
            return try fail(malformedFailure() ?? .malformed([XMLDiagnostic(
                message: "XML reader error",
                line: Int(xmlTextReaderGetParserLineNumber(reader)),
                column: Int(xmlTextReaderGetParserColumnNumber(reader)),
                severity: .fatal,
                file: path
            )]))
        }
        if let failure = malformedFailure() { return try fail(failure) }

        let kind = XMLStreamNode.Kind(xmlTextReaderNodeType(reader))
        if kind == .documentType && !options.allowDTD {
            return try fail(.doctypeNotAllowed)
        }
        let depth = Int(xmlTextReaderDepth(reader))
        if kind == .element && depth + 1 > options.effectiveMaxDepth {
            return try fail(.tooDeep(limit: options.effectiveMaxDepth))
        }
        var node = XMLStreamNode(
            kind: kind,
            localName: string(xmlTextReaderConstLocalName(reader)) ?? "",
            prefix: string(xmlTextReaderConstPrefix(reader)),
            namespaceURI: string(xmlTextReaderConstNamespaceUri(reader)),
            depth: depth,
            isEmptyElement: xmlTextReaderIsEmptyElement(reader) == 1,
            attributes: [],
            value: nil,
            line: 0
        )
        if let current = xmlTextReaderCurrentNode(reader) {
            node.line = Int(xmlGetLineNo(current))
        }
        if node.line <= 0 {
            node.line = Int(xmlTextReaderGetParserLineNumber(reader))
        }
        switch kind {
        case .element:
            node.attributes = readAttributes()
        case .text, .cdata, .whitespace, .significantWhitespace, .comment, .processingInstruction:
            node.value = string(xmlTextReaderConstValue(reader))
        default:
            break
        }
        return node
    }

    /// Reads all remaining nodes, calling `body` for each.
    public func forEach(_ body: (XMLStreamNode) throws -> Void) throws {
        while let node = try next() {
            try body(node)
        }
    }

    private func readAttributes() -> [XMLAttribute] {
        var result: [XMLAttribute] = []
        guard xmlTextReaderHasAttributes(reader) == 1 else { return result }
        while xmlTextReaderMoveToNextAttribute(reader) == 1 {
            if xmlTextReaderIsNamespaceDecl(reader) == 1 { continue }
            result.append(XMLAttribute(
                name: string(xmlTextReaderConstLocalName(reader)) ?? "",
                prefix: string(xmlTextReaderConstPrefix(reader)),
                namespaceURI: string(xmlTextReaderConstNamespaceUri(reader)),
                value: string(xmlTextReaderConstValue(reader)) ?? ""
            ))
        }
        xmlTextReaderMoveToElement(reader)
        return result
    }

    /// Whether the document being read declared a DTD. Only used on the failure path:
    /// `xmlTextReaderCurrentDoc` makes the reader keep the whole tree from then on.
    private func sawDoctype() -> Bool {
        if preservedDocument == nil {
            // From here on the reader no longer frees the document: `deinit` must.
            preservedDocument = xmlTextReaderCurrentDoc(reader)
        }
        guard let doc = preservedDocument else { return false }
        return doc.pointee.intSubset != nil || doc.pointee.extSubset != nil
    }

    /// Well-formedness errors collected so far.
    private func malformedFailure() -> XMLError? {
        let fatal = collector.wellFormednessErrors
        return fatal.isEmpty ? nil : .malformed(fatal)
    }

    private func fail(_ error: XMLError) throws -> XMLStreamNode? {
        var error = error
        if case .malformed(let diagnostics) = error {
            if !options.allowDTD, sawDoctype() {
                // The reader parses a whole internal subset before it reports the DOCTYPE
                // node, so errors inside a DTD (e.g. an entity loop) can come first.
                error = .doctypeNotAllowed
            } else if diagnostics.contains(where: { $0.message.hasPrefix("Excessive depth in document") }) {
                // The reader parses ahead of the nodes it reports, so libxml2's own
                // 256-level cap can fire before the depth check in `next()` sees the node.
                error = .tooDeep(limit: options.effectiveMaxDepth)
            }
        }
        failure = error
        finished = true
        throw error
    }
}
