public import Foundation

/// One message reported by libxml2 (parser, schema compiler, validator, XPath or reader).
public struct XMLDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// How serious libxml2 considered the message.
    public enum Severity: Int, Sendable, Hashable, Comparable {
        /// Informational; never makes a document malformed or invalid on its own.
        case warning = 1
        /// A recoverable error (for example a schema validity error).
        case error = 2
        /// A fatal error (for example a well-formedness error); parsing stopped.
        case fatal = 3

        /// Orders by seriousness (`warning < error < fatal`).
        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The message text, without libxml2's trailing newline.
    public var message: String
    /// 1-based line number, or 0 when libxml2 did not know it.
    public var line: Int
    /// 1-based column number, or 0 when libxml2 did not know it
    /// (schema validity errors on a parsed tree carry no column).
    public var column: Int
    /// Severity of the message.
    public var severity: Severity
    /// File or URL the message refers to, when known.
    public var file: String?

    /// Creates a diagnostic.
    public init(message: String, line: Int = 0, column: Int = 0, severity: Severity = .error, file: String? = nil) {
        self.message = message
        self.line = line
        self.column = column
        self.severity = severity
        self.file = file
    }

    /// `file:line:column: severity: message`, omitting unknown parts
    /// (`line 3, column 7: …` when the file is unknown).
    public var description: String {
        var location: String
        if let file, !file.isEmpty {
            location = file
            if line > 0 { location += ":\(line)" }
            if line > 0 && column > 0 { location += ":\(column)" }
        } else {
            location = line > 0 ? "line \(line)" : ""
            if line > 0 && column > 0 { location += ", column \(column)" }
        }
        return (location.isEmpty ? "" : "\(location): ") + "\(severity): \(message)"
    }
}

/// Errors thrown by HoclieuXML.
public enum XMLError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input is not well-formed (or not namespace-well-formed) XML.
    /// The diagnostics carry libxml2's messages with line and column.
    case malformed([XMLDiagnostic])
    /// The document has a `<!DOCTYPE …>` and ``XMLParseOptions/allowDTD`` is `false`.
    case doctypeNotAllowed
    /// The input is larger than ``XMLParseOptions/maxBytes``.
    case tooLarge(limit: Int)
    /// Elements are nested deeper than the effective depth limit (see ``XMLParseOptions/maxDepth``).
    case tooDeep(limit: Int)
    /// An XML Schema could not be compiled; the diagnostics say why.
    case schema([XMLDiagnostic])
    /// An XPath expression could not be compiled or evaluated.
    case xpath(expression: String, [XMLDiagnostic])
    /// A file could not be read or written.
    case io(String)
    /// ``XMLWriter`` was used incorrectly or libxml2's writer failed.
    case writer(String)

    /// A one-line summary with the first diagnostic, if any.
    public var description: String {
        switch self {
        case .malformed(let diagnostics):
            return "malformed XML: " + Self.summary(diagnostics)
        case .doctypeNotAllowed:
            return "DOCTYPE declarations are not allowed"
        case .tooLarge(let limit):
            return "XML input larger than \(limit) bytes"
        case .tooDeep(let limit):
            return "XML elements nested deeper than \(limit) levels"
        case .schema(let diagnostics):
            return "XML Schema could not be compiled: " + Self.summary(diagnostics)
        case .xpath(let expression, let diagnostics):
            return "XPath '\(expression)' failed: " + Self.summary(diagnostics)
        case .io(let message):
            return "I/O error: \(message)"
        case .writer(let message):
            return "XML writer error: \(message)"
        }
    }

    private static func summary(_ diagnostics: [XMLDiagnostic]) -> String {
        guard let first = diagnostics.first else { return "(no details)" }
        let more = diagnostics.count > 1 ? " (+\(diagnostics.count - 1) more)" : ""
        return first.description + more
    }
}

extension XMLError: LocalizedError {
    /// Same as ``description``.
    public var errorDescription: String? { description }
}
