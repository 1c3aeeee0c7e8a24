import CLibXML2

/// An attribute of an element (namespace declarations are not attributes).
public struct XMLAttribute: Sendable, Hashable {
    /// Local name, without prefix.
    public var name: String
    /// Prefix used in the document, if any.
    public var prefix: String?
    /// Namespace URI, or `nil` for an unqualified attribute.
    public var namespaceURI: String?
    /// Attribute value (entity and character references resolved as libxml2 stores them).
    public var value: String

    /// Creates an attribute value.
    public init(name: String, prefix: String? = nil, namespaceURI: String? = nil, value: String) {
        self.name = name
        self.prefix = prefix
        self.namespaceURI = namespaceURI
        self.value = value
    }
}

/// An element of an ``XMLDocument``.
///
/// It keeps its document alive (strong reference), so it stays valid as long as it exists.
/// It is `@unchecked Sendable` for the same reason the document is: the node is never
/// modified and every read goes through the document's lock.
/// Two values are equal when they denote the same node of the same document.
public struct XMLElement: @unchecked Sendable, Hashable {
    /// The document this element belongs to.
    public let document: XMLDocument
    let node: xmlNodePtr

    init(document: XMLDocument, node: xmlNodePtr) {
        self.document = document
        self.node = node
    }

    /// Same node of the same document.
    public static func == (lhs: XMLElement, rhs: XMLElement) -> Bool {
        lhs.document === rhs.document && lhs.node == rhs.node
    }

    /// Hashes the document identity and the node address.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(document))
        hasher.combine(node)
    }

    /// Local name (without prefix).
    public var name: String {
        document.withDoc { _ in string(node.pointee.name) ?? "" }
    }

    /// Namespace prefix used in the document, if any.
    public var prefix: String? {
        document.withDoc { _ in node.pointee.ns.flatMap { string($0.pointee.prefix) } }
    }

    /// Namespace URI of the element, or `nil` if it is in no namespace.
    public var namespaceURI: String? {
        document.withDoc { _ in node.pointee.ns.flatMap { string($0.pointee.href) } }
    }

    /// `prefix:name`, or `name` when unprefixed.
    public var qualifiedName: String {
        if let prefix { return "\(prefix):\(name)" }
        return name
    }

    /// 1-based source line of the element, as libxml2 records it: the line on which the
    /// start tag *ends* (after its attributes), so a start tag spread over several lines
    /// reports its last line.
    public var line: Int {
        document.withDoc { _ in Int(xmlGetLineNo(node)) }
    }

    /// Concatenated text content of the element and all its descendants.
    public var text: String {
        document.withDoc { _ in takeXMLString(xmlNodeGetContent(node)) ?? "" }
    }

    /// The value of an attribute.
    /// - Parameters:
    ///   - name: local name of the attribute.
    ///   - namespace: namespace URI of the attribute; `nil` (default) matches only an
    ///     attribute *without* namespace (prefixed attributes need their URI).
    public func attribute(_ name: String, namespace: String? = nil) -> String? {
        document.withDoc { _ in
            withXMLChars(name) { n in
                if let namespace {
                    return withXMLChars(namespace) { takeXMLString(xmlGetNsProp(node, n, $0)) }
                }
                return takeXMLString(xmlGetNoNsProp(node, n))
            }
        }
    }

    /// All attributes in document order (namespace declarations excluded).
    public var attributes: [XMLAttribute] {
        document.withDoc { doc in
            var result: [XMLAttribute] = []
            var attr = node.pointee.properties
            while let a = attr {
                let value = takeXMLString(xmlNodeListGetString(doc, a.pointee.children, 1)) ?? ""
                result.append(XMLAttribute(
                    name: string(a.pointee.name) ?? "",
                    prefix: a.pointee.ns.flatMap { string($0.pointee.prefix) },
                    namespaceURI: a.pointee.ns.flatMap { string($0.pointee.href) },
                    value: value
                ))
                attr = a.pointee.next
            }
            return result
        }
    }

    /// Child elements in document order (text, comments etc. are skipped).
    public var children: [XMLElement] {
        document.withDoc { _ in
            var result: [XMLElement] = []
            var child = node.pointee.children
            while let c = child {
                if c.pointee.type == XML_ELEMENT_NODE {
                    result.append(XMLElement(document: document, node: c))
                }
                child = c.pointee.next
            }
            return result
        }
    }

    /// Child elements with the given local name and namespace URI
    /// (`namespace: nil` matches only elements in no namespace).
    public func children(named name: String, namespace: String? = nil) -> [XMLElement] {
        children.filter { $0.name == name && $0.namespaceURI == namespace }
    }

    /// The first child element with the given local name and namespace URI.
    public func firstChild(named name: String, namespace: String? = nil) -> XMLElement? {
        children.first { $0.name == name && $0.namespaceURI == namespace }
    }

    /// The parent element, or `nil` for the root element.
    public var parent: XMLElement? {
        document.withDoc { _ in
            guard let p = node.pointee.parent, p.pointee.type == XML_ELEMENT_NODE else { return nil }
            return XMLElement(document: document, node: p)
        }
    }

    /// Elements selected by an XPath expression evaluated with this element as context node.
    public func select(_ xpath: String, namespaces: [String: String] = [:]) throws -> [XMLElement] {
        try XPathEvaluator.elements(in: document, context: node, xpath, namespaces: namespaces)
    }

    /// String value of an XPath expression evaluated with this element as context node.
    public func selectString(_ xpath: String, namespaces: [String: String] = [:]) throws -> String {
        try XPathEvaluator.string(in: document, context: node, xpath, namespaces: namespaces)
    }
}

// MARK: - XPath

enum XPathEvaluator {
    /// Evaluates `expression` and hands the result object to `body` (freed afterwards).
    private static func evaluate<T>(
        in document: XMLDocument,
        context node: xmlNodePtr?,
        _ expression: String,
        namespaces: [String: String],
        _ body: (XMLDocument, xmlXPathObjectPtr) throws -> T
    ) throws -> T {
        LibXMLRuntime.ensureInitialized()
        return try document.withDoc { doc in
            guard let ctx = xmlXPathNewContext(doc) else {
                throw XMLError.xpath(expression: expression, [XMLDiagnostic(message: "cannot allocate XPath context")])
            }
            defer { xmlXPathFreeContext(ctx) }
            // XPath errors carry no message when a context-level handler is set (2.9.14
            // passes its raw `lastError`); without one they are raised, with text, to
            // this thread's structured handler installed below.
            let collector = DiagnosticCollector(limit: 20)
            if let node { ctx.pointee.node = node }
            for (prefix, uri) in namespaces.sorted(by: { $0.key < $1.key }) {
                let rc = withXMLChars(prefix) { p in withXMLChars(uri) { xmlXPathRegisterNs(ctx, p, $0) } }
                guard rc == 0 else {
                    throw XMLError.xpath(expression: expression, [XMLDiagnostic(message: "cannot bind namespace prefix '\(prefix)'")])
                }
            }
            let object = withThreadErrorHandler(collector) {
                withXMLChars(expression) { xmlXPathEvalExpression($0, ctx) }
            }
            guard let object else {
                let diagnostics = collector.diagnostics.isEmpty
                    ? [XMLDiagnostic(message: "invalid XPath expression")]
                    : collector.diagnostics
                throw XMLError.xpath(expression: expression, diagnostics)
            }
            defer { xmlXPathFreeObject(object) }
            return try body(document, object)
        }
    }

    private static func nodes(_ object: xmlXPathObjectPtr, _ expression: String) throws -> [xmlNodePtr] {
        guard object.pointee.type == XPATH_NODESET else {
            throw XMLError.xpath(expression: expression, [XMLDiagnostic(message: "expression does not select nodes")])
        }
        guard let set = object.pointee.nodesetval, let table = set.pointee.nodeTab else { return [] }
        return (0..<Int(set.pointee.nodeNr)).compactMap { table[$0] }
    }

    static func elements(in document: XMLDocument, context: xmlNodePtr?, _ expression: String, namespaces: [String: String]) throws -> [XMLElement] {
        try evaluate(in: document, context: context, expression, namespaces: namespaces) { document, object in
            try nodes(object, expression)
                .filter { $0.pointee.type == XML_ELEMENT_NODE }
                .map { XMLElement(document: document, node: $0) }
        }
    }

    static func strings(in document: XMLDocument, context: xmlNodePtr?, _ expression: String, namespaces: [String: String]) throws -> [String] {
        try evaluate(in: document, context: context, expression, namespaces: namespaces) { _, object in
            try nodes(object, expression).map { takeXMLString(xmlXPathCastNodeToString($0)) ?? "" }
        }
    }

    static func string(in document: XMLDocument, context: xmlNodePtr?, _ expression: String, namespaces: [String: String]) throws -> String {
        try evaluate(in: document, context: context, expression, namespaces: namespaces) { _, object in
            takeXMLString(xmlXPathCastToString(object)) ?? ""
        }
    }

    static func number(in document: XMLDocument, context: xmlNodePtr?, _ expression: String, namespaces: [String: String]) throws -> Double {
        try evaluate(in: document, context: context, expression, namespaces: namespaces) { _, object in
            xmlXPathCastToNumber(object)
        }
    }
}
