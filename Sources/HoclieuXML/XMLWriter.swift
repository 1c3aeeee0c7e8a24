public import Foundation
import CLibXML2
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A small streaming XML writer (libxml2 `xmlTextWriter`), UTF-8, indented with a
/// fixed indent string. Output is deterministic: the same calls give the same bytes.
///
/// Names are checked (`NCName`), and text or attribute values containing characters
/// that XML 1.0 cannot represent (control characters other than tab/CR/LF,
/// U+FFFE, U+FFFF) are refused with ``XMLError/writer(_:)`` instead of producing
/// a document that no parser would accept.
///
/// ```swift
/// let w = try XMLWriter()
/// try w.startDocument()
/// try w.startElement("manifest", namespaceURI: "http://www.imsglobal.org/xsd/imscp_v1p1")
/// try w.attribute("identifier", "M1")
/// try w.endElement()
/// try w.endDocument()
/// let bytes = try w.data()
/// ```
/// A writer is a single-thread object (not `Sendable`).
public final class XMLWriter {
    private var writer: xmlTextWriterPtr?
    private var buffer: xmlBufferPtr?
    private let fileURL: URL?
    /// File descriptor of a file destination (libxml2 does not close it).
    private var fileDescriptor: Int32 = -1
    private var openElements = 0
    private var documentStarted = false
    private var documentEnded = false

    /// A writer that accumulates the document in memory; read it with ``data()``.
    public convenience init(indent: String = "  ") throws {
        try self.init(fileURL: nil, indent: indent)
    }

    /// A writer that streams the document into a file (created or truncated).
    /// The file is complete and closed after ``endDocument()``.
    public convenience init(fileURL: URL, indent: String = "  ") throws {
        try self.init(fileURL: Optional(fileURL), indent: indent)
    }

    private init(fileURL: URL?, indent: String) throws {
        LibXMLRuntime.ensureInitialized()
        self.fileURL = fileURL
        if let fileURL {
            guard fileURL.isFileURL else { throw XMLError.io("not a file URL: \(fileURL.absoluteString)") }
            // Open the path ourselves: xmlNewTextWriterFilename would treat it as a URI
            // (and unescape `%xx` sequences in it).
            let fd = open(fileURL.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw XMLError.io("cannot open \(fileURL.path) for writing: \(String(cString: strerror(errno)))")
            }
            fileDescriptor = fd
            guard let output = xmlOutputBufferCreateFd(fd, nil) else {
                close(fd)
                fileDescriptor = -1
                throw XMLError.io("cannot create output buffer for \(fileURL.path)")
            }
            writer = xmlNewTextWriter(output) // takes ownership of `output`
            guard writer != nil else {
                xmlOutputBufferClose(output)
                close(fd)
                fileDescriptor = -1
                throw XMLError.io("cannot create writer for \(fileURL.path)")
            }
        } else {
            guard let buffer = xmlBufferCreate() else { throw XMLError.writer("cannot allocate buffer") }
            self.buffer = buffer
            writer = xmlNewTextWriterMemory(buffer, 0)
            guard writer != nil else {
                xmlBufferFree(buffer)
                self.buffer = nil
                throw XMLError.writer("cannot create memory writer")
            }
        }
        if !indent.isEmpty {
            guard indent.allSatisfy({ $0 == " " || $0 == "\t" }) else {
                throw XMLError.writer("indent must be spaces or tabs")
            }
            xmlTextWriterSetIndent(writer, 1)
            _ = withXMLChars(indent) { xmlTextWriterSetIndentString(writer, $0) }
        }
    }

    deinit {
        if let writer { xmlFreeTextWriter(writer) }
        if let buffer { xmlBufferFree(buffer) }
        if fileDescriptor >= 0 { close(fileDescriptor) }
    }

    private func activeWriter() throws -> xmlTextWriterPtr {
        guard let writer, !documentEnded else { throw XMLError.writer("the document is already finished") }
        return writer
    }

    private func check(_ rc: Int32, _ what: String) throws {
        if rc < 0 { throw XMLError.writer("\(what) failed") }
    }

    /// Writes the XML declaration (`<?xml version="1.0" encoding="UTF-8"?>`).
    public func startDocument(standalone: Bool? = nil) throws {
        let w = try activeWriter()
        guard !documentStarted else { throw XMLError.writer("startDocument called twice") }
        documentStarted = true
        let rc: Int32
        switch standalone {
        case nil: rc = xmlTextWriterStartDocument(w, "1.0", "UTF-8", nil)
        case true?: rc = xmlTextWriterStartDocument(w, "1.0", "UTF-8", "yes")
        case false?: rc = xmlTextWriterStartDocument(w, "1.0", "UTF-8", "no")
        }
        try check(rc, "startDocument")
    }

    /// Opens an element.
    /// - Parameters:
    ///   - name: local name.
    ///   - prefix: namespace prefix to write (`p:name`), or `nil`.
    ///   - namespaceURI: when given, a namespace declaration for `prefix` (or the
    ///     default namespace when `prefix` is `nil`) is written on this element. Pass it
    ///     only where the namespace must be declared (typically the root); descendants
    ///     that use the same prefix pass `namespaceURI: nil`.
    public func startElement(_ name: String, prefix: String? = nil, namespaceURI: String? = nil) throws {
        let w = try activeWriter()
        try Self.checkName(name)
        if let prefix { try Self.checkName(prefix) }
        if let namespaceURI { try Self.checkText(namespaceURI) }
        let rc = withOptionalXMLChars(prefix) { p in
            withXMLChars(name) { n in
                withOptionalXMLChars(namespaceURI) { u in
                    (p == nil && u == nil) ? xmlTextWriterStartElement(w, n) : xmlTextWriterStartElementNS(w, p, n, u)
                }
            }
        }
        try check(rc, "startElement(\(name))")
        openElements += 1
    }

    /// Writes an attribute on the element just opened.
    /// - Parameters:
    ///   - prefix: attribute prefix, e.g. `xsi`.
    ///   - namespaceURI: declares `prefix` on this element as well (only where needed).
    public func attribute(_ name: String, _ value: String, prefix: String? = nil, namespaceURI: String? = nil) throws {
        let w = try activeWriter()
        try Self.checkName(name)
        if let prefix { try Self.checkName(prefix) }
        try Self.checkText(value)
        if let namespaceURI { try Self.checkText(namespaceURI) }
        let rc = withOptionalXMLChars(prefix) { p in
            withXMLChars(name) { n in
                withXMLChars(value) { v in
                    withOptionalXMLChars(namespaceURI) { u in
                        (p == nil && u == nil) ? xmlTextWriterWriteAttribute(w, n, v) : xmlTextWriterWriteAttributeNS(w, p, n, u, v)
                    }
                }
            }
        }
        try check(rc, "attribute(\(name))")
    }

    /// Declares a namespace on the element just opened (`xmlns:prefix="uri"`, or
    /// `xmlns="uri"` when `prefix` is `nil`).
    public func namespaceDeclaration(prefix: String?, uri: String) throws {
        let w = try activeWriter()
        if let prefix { try Self.checkName(prefix) }
        try Self.checkText(uri)
        let attributeName = prefix.map { "xmlns:\($0)" } ?? "xmlns"
        let rc = withXMLChars(attributeName) { n in withXMLChars(uri) { xmlTextWriterWriteAttribute(w, n, $0) } }
        try check(rc, "namespaceDeclaration")
    }

    /// Writes escaped character data.
    public func text(_ value: String) throws {
        let w = try activeWriter()
        try Self.checkText(value)
        let rc = withXMLChars(value) { xmlTextWriterWriteString(w, $0) }
        try check(rc, "text")
    }

    /// Writes bytes as they are: well-formed XML this process wrote itself with another writer (``fragment()``),
    /// such as a stored record spliced into a response. Never pass text from outside.
    public func raw(_ bytes: Data) throws {
        let w = try activeWriter()
        guard let length = Int32(exactly: bytes.count) else { throw XMLError.writer("raw fragment too large") }
        guard length > 0 else { return }
        let rc = bytes.withUnsafeBytes { buffer in
            xmlTextWriterWriteRawLen(w, buffer.baseAddress!.assumingMemoryBound(to: xmlChar.self), length)
        }
        try check(rc, "raw")
    }

    /// What a memory writer used without ``startDocument(standalone:)`` has written so far: one or more complete
    /// elements and no XML declaration, for ``raw(_:)``.
    public func fragment() throws -> Data {
        guard fileURL == nil, let buffer else { throw XMLError.writer("fragment() is only available for in-memory writers") }
        let w = try activeWriter()
        guard !documentStarted, openElements == 0 else { throw XMLError.writer("fragment() needs every element closed and no document") }
        try check(xmlTextWriterFlush(w), "flush")
        let length = Int(xmlBufferLength(buffer))
        guard length > 0, let content = xmlBufferContent(buffer) else { return Data() }
        return Data(bytes: content, count: length)
    }

    /// Writes a comment (`--` is not allowed inside).
    public func comment(_ value: String) throws {
        let w = try activeWriter()
        try Self.checkText(value)
        guard !value.contains("--"), !value.hasSuffix("-") else {
            throw XMLError.writer("a comment cannot contain '--' or end with '-'")
        }
        let rc = withXMLChars(value) { xmlTextWriterWriteComment(w, $0) }
        try check(rc, "comment")
    }

    /// Closes the innermost open element (`<x/>` if it had no content).
    public func endElement() throws {
        let w = try activeWriter()
        guard openElements > 0 else { throw XMLError.writer("endElement without an open element") }
        try check(xmlTextWriterEndElement(w), "endElement")
        openElements -= 1
    }

    /// Closes any open elements, ends the document and flushes it. For a file
    /// destination the file is closed; for memory, call ``data()``.
    public func endDocument() throws {
        let w = try activeWriter()
        guard documentStarted else { throw XMLError.writer("endDocument without startDocument") }
        try check(xmlTextWriterEndDocument(w), "endDocument")
        openElements = 0
        try check(xmlTextWriterFlush(w), "flush")
        documentEnded = true
        if fileURL != nil {
            xmlFreeTextWriter(w) // flushes and frees the output buffer, not the descriptor
            writer = nil
            let rc = close(fileDescriptor)
            fileDescriptor = -1
            guard rc == 0 else { throw XMLError.io("cannot close \(fileURL?.path ?? ""): \(String(cString: strerror(errno)))") }
        }
    }

    /// The finished document (memory writers only, after ``endDocument()``).
    public func data() throws -> Data {
        guard fileURL == nil, let buffer else { throw XMLError.writer("data() is only available for in-memory writers") }
        guard documentEnded else { throw XMLError.writer("call endDocument() before data()") }
        let length = Int(xmlBufferLength(buffer))
        guard length > 0, let content = xmlBufferContent(buffer) else { return Data() }
        return Data(bytes: content, count: length)
    }

    // MARK: Checks

    private static func checkName(_ name: String) throws {
        let ok = withXMLChars(name) { xmlValidateNCName($0, 0) == 0 }
        guard ok, !name.isEmpty else { throw XMLError.writer("invalid XML name: '\(name)'") }
    }

    private static func checkText(_ value: String) throws {
        for scalar in value.unicodeScalars {
            let v = scalar.value
            let allowed = v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v != 0xFFFE && v != 0xFFFF)
            guard allowed else {
                throw XMLError.writer(String(format: "character U+%04X cannot appear in XML 1.0", v))
            }
        }
    }
}

/// Text as XML 1.0 can carry it.
public enum XMLText {
    /// Whether XML 1.0 can carry the character (not control characters other than tab, line feed and carriage
    /// return, nor U+FFFE or U+FFFF, which text pasted from Word sometimes holds).
    public static func isXMLCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v != 0xFFFE && v != 0xFFFF)
    }

    /// `text` without the characters XML 1.0 cannot carry.
    public static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !isXMLCharacter($0) }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter(isXMLCharacter)))
    }
}
