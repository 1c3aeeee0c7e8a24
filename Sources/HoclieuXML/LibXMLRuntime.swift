import CLibXML2
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - One-time process initialisation

/// Process-wide libxml2 set-up, done exactly once (Swift `static let` initialisers run
/// under `swift_once`, so this is thread-safe).
enum LibXMLRuntime {
    private static let initialized: Bool = {
        // libxml2 2.9 initialises several globals lazily and without locks; do it up front.
        xmlInitParser()
        // The built-in XSD types table is created lazily by the first schema compile and
        // that lazy init is not thread-safe in 2.9.14.
        xmlSchemaInitTypes()
        // Creates the catalog mutex used when XML catalogs are fetched (per-schema catalogs
        // share libxml2's global cache of parsed catalog files).
        xmlInitializeCatalog()
        // Never consult the global/default catalogs or `<?oasis-xml-catalog?>` PIs on our behalf.
        xmlCatalogSetDefaults(XML_CATA_ALLOW_NONE)
        // The loader is a true process global (not per thread). It denies everything
        // unless the calling operation bound a `LoaderPolicy` (schema compilation only).
        xmlSetExternalEntityLoader(hoclieuExternalEntityLoader)
        return true
    }()

    /// Call before any libxml2 use.
    static func ensureInitialized() {
        _ = initialized
    }

    /// Options for every document parse (DOM and reader): no network, never
    /// `XML_PARSE_NOENT`/`XML_PARSE_DTDLOAD`/`XML_PARSE_HUGE`.
    static let safeParseOptions: Int32 = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_BIG_LINES.rawValue | XML_PARSE_COMPACT.rawValue
    )

    /// libxml2's own nesting limit when `XML_PARSE_HUGE` is off.
    static let libxmlMaxDepth = 256
}

// MARK: - External entity loader

/// What the external entity loader may open during one synchronous operation
/// (bound with a task-local, so concurrent schema compilations on other threads
/// each see their own policy).
final class LoaderPolicy: @unchecked Sendable {
    /// Canonical (symlink-free) directories; a file is allowed if it lies inside one of them.
    let allowedRoots: [String]
    /// Optional private XML catalog used to map absolute URLs onto local files.
    /// Only read (resolved) on the thread that bound this policy.
    let catalog: xmlCatalogPtr?
    private let lock = NSLock()
    private var _denied: [String] = []

    init(allowedRoots: [String], catalog: xmlCatalogPtr?) {
        self.allowedRoots = allowedRoots
        self.catalog = catalog
    }

    /// Resources the loader refused, in request order.
    var denied: [String] { lock.withLock { _denied } }

    func recordDenied(_ resource: String) {
        lock.withLock {
            if _denied.count < 100 { _denied.append(resource) }
        }
    }

    /// Maps a requested URL/path to an allowed canonical local file path, or `nil`.
    func resolve(url requested: String, publicID: String?) -> String? {
        var candidate = requested
        if let catalog {
            if let mapped = catalogLookup(catalog, publicID: publicID, systemID: requested) {
                candidate = mapped
            }
        }
        guard let path = Self.localPath(candidate), let canonical = canonicalPath(path) else {
            return nil
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: canonical, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return nil
        }
        for root in allowedRoots where canonical.hasPrefix(root.hasSuffix("/") ? root : root + "/") {
            return canonical
        }
        return nil
    }

    private func catalogLookup(_ catalog: xmlCatalogPtr, publicID: String?, systemID: String) -> String? {
        withXMLChars(systemID) { system in
            withOptionalXMLChars(publicID) { publicID in
                // System/public identifiers first (`<system>`, `<rewriteSystem>`…), then URI
                // entries (`<uri>`, `<rewriteURI>`…), as libxml2's default loader does.
                takeXMLString(xmlACatalogResolve(catalog, publicID, system))
                    ?? takeXMLString(xmlACatalogResolveURI(catalog, system))
            }
        }
    }

    /// `file:` URLs and absolute paths become paths; anything with another scheme
    /// (http, https, ftp, …) or a relative path is refused.
    static func localPath(_ value: String) -> String? {
        if value.hasPrefix("/") { return value }
        let lower = value.lowercased()
        if lower.hasPrefix("file:") {
            guard let url = URL(string: value), url.isFileURL else { return nil }
            let path = url.path
            return path.hasPrefix("/") ? path : nil
        }
        return nil
    }
}

/// Resolves symlinks, `.` and `..`; `nil` if the path does not exist.
/// Also tries the percent-decoded form, since libxml2 may hand over escaped paths.
func canonicalPath(_ path: String) -> String? {
    func real(_ p: String) -> String? {
        guard let resolved = realpath(p, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
    if let r = real(path) { return r }
    if let decoded = path.removingPercentEncoding, decoded != path { return real(decoded) }
    return nil
}

/// Size of a regular file (following symlinks), via `stat(2)`; throws `.io` otherwise.
/// (Foundation's `attributesOfItem` would also look up the owner's name in /etc/passwd.)
func regularFileSize(_ path: String) throws -> Int {
    var info = stat()
    guard stat(path, &info) == 0 else {
        throw XMLError.io("cannot read \(path): \(String(cString: strerror(errno)))")
    }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
        throw XMLError.io("not a regular file: \(path)")
    }
    return Int(info.st_size)
}

enum LoaderContext {
    /// The policy in force for the current synchronous operation; `nil` = deny everything.
    @TaskLocal static var policy: LoaderPolicy?
}

/// The process-wide `xmlExternalEntityLoader`. Runs synchronously on the thread that
/// triggered the load, so it sees that thread's/task's `LoaderContext.policy`.
private func hoclieuExternalEntityLoader(
    _ url: UnsafePointer<CChar>?,
    _ id: UnsafePointer<CChar>?,
    _ ctxt: xmlParserCtxtPtr?
) -> xmlParserInputPtr? {
    let requested = url.map { String(cString: $0) } ?? "(null)"
    guard let policy = LoaderContext.policy else {
        return refuse(ctxt)
    }
    guard let ctxt, url != nil,
          let path = policy.resolve(url: requested, publicID: id.map { String(cString: $0) })
    else {
        policy.recordDenied(requested)
        return refuse(ctxt)
    }
    return path.withCString { xmlNewInputFromFile(ctxt, $0) }
}

/// Fails a load the way libxml2's own loader does when a resource is missing: an
/// `XML_FROM_IO` "failed to load external entity" warning. The schema compiler relies on
/// that domain to treat a refused `xs:import` as "not found, skipped" (as xmllint
/// does offline) instead of "Failed to parse the XML resource". A path below
/// `/dev/null` can never be opened, and is a plain path, so no URL handler is involved.
private func refuse(_ ctxt: xmlParserCtxtPtr?) -> xmlParserInputPtr? {
    guard let ctxt else { return nil }
    return xmlNewInputFromFile(ctxt, refusedResourceMarker)
}

/// A plain path that can never be opened (its parent is not a directory).
let refusedResourceMarker = "/dev/null/hoclieu-refused-external-resource"

// MARK: - Diagnostics collection

/// Accumulates libxml2 structured errors for one operation. Passed to C as an
/// unretained `userData` pointer; the owner keeps it alive for the call.
final class DiagnosticCollector {
    /// A diagnostic plus the libxml2 error domain (`xmlErrorDomain`) it came from.
    struct Entry {
        var diagnostic: XMLDiagnostic
        var domain: Int32
    }

    private(set) var entries: [Entry] = []
    private let limit: Int

    init(limit: Int = 1000) {
        self.limit = limit
    }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> DiagnosticCollector? {
        guard let pointer else { return nil }
        return Unmanaged<DiagnosticCollector>.fromOpaque(pointer).takeUnretainedValue()
    }

    func add(_ error: UnsafePointer<xmlError>) {
        let e = error.pointee
        // The loader's refusals surface as "failed to load external entity" for a marker
        // path (see `refuse`); the refused URL is reported separately and more clearly.
        if let file = e.str1, strcmp(file, refusedResourceMarker) == 0 { return }
        add(XMLDiagnostic(
            message: e.message.map { String(cString: $0) }?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown libxml2 error \(e.code)",
            line: Int(e.line),
            column: Int(e.int2),
            severity: XMLDiagnostic.Severity(rawValue: Int(e.level.rawValue)) ?? .error,
            file: e.file.map { String(cString: $0) }
        ), domain: Int32(e.domain))
    }

    func add(_ diagnostic: XMLDiagnostic, domain: Int32 = Int32(XML_FROM_NONE.rawValue)) {
        if entries.count < limit {
            entries.append(Entry(diagnostic: diagnostic, domain: domain))
        } else if entries.count == limit {
            entries.append(Entry(
                diagnostic: XMLDiagnostic(message: "further messages omitted (limit \(limit))", severity: diagnostic.severity),
                domain: domain
            ))
        }
    }

    var diagnostics: [XMLDiagnostic] { entries.map(\.diagnostic) }
    var errors: [XMLDiagnostic] { entries.filter { $0.diagnostic.severity >= .error }.map(\.diagnostic) }
    var warnings: [XMLDiagnostic] { entries.filter { $0.diagnostic.severity == .warning }.map(\.diagnostic) }

    /// Errors from the schema validator (`XML_FROM_SCHEMASV`).
    var validityErrors: [XMLDiagnostic] {
        entries.filter { $0.diagnostic.severity >= .error && $0.domain == Self.schemaValidityDomain }.map(\.diagnostic)
    }

    /// Errors that break (namespace-)well-formedness: fatal errors from any domain but
    /// the schema validator, plus namespace errors (libxml2 reports those as mere errors).
    var wellFormednessErrors: [XMLDiagnostic] {
        entries.filter(Self.breaksWellFormedness).map(\.diagnostic)
    }

    /// Everything not from the schema validator that does not break well-formedness.
    var nonValidityNotices: [XMLDiagnostic] {
        entries.filter { $0.domain != Self.schemaValidityDomain && !Self.breaksWellFormedness($0) }.map(\.diagnostic)
    }

    private static func breaksWellFormedness(_ entry: Entry) -> Bool {
        guard entry.domain != schemaValidityDomain else { return false }
        switch entry.diagnostic.severity {
        case .fatal: return true
        case .error: return entry.domain == Int32(XML_FROM_NAMESPACE.rawValue)
        case .warning: return false
        }
    }

    static let schemaValidityDomain = Int32(XML_FROM_SCHEMASV.rawValue)
}

/// `xmlStructuredErrorFunc` whose `userData` is a `DiagnosticCollector`.
func collectStructuredError(_ userData: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let error, let collector = DiagnosticCollector.from(userData) else { return }
    collector.add(error)
}

/// Routes errors that libxml2 raises without a context (encoding, I/O, sub-parsers of
/// the schema compiler, …) to `collector` while `body` runs on this thread, then
/// restores the previous handlers. libxml2 2.9.14 keeps these handlers per thread,
/// and `body` is synchronous, so nothing is shared with other threads.
func withThreadErrorHandler<T>(_ collector: DiagnosticCollector, _ body: () throws -> T) rethrows -> T {
    let structuredSlot = __xmlStructuredError()
    let contextSlot = __xmlStructuredErrorContext()
    let genericSlot = __xmlGenericError()
    let genericContextSlot = __xmlGenericErrorContext()
    let savedStructured = structuredSlot?.pointee
    let savedContext = contextSlot?.pointee
    let savedGeneric = genericSlot?.pointee
    let savedGenericContext = genericContextSlot?.pointee
    xmlSetStructuredErrorFunc(collector.opaque, collectStructuredError)
    hoclieu_silenceGenericErrorsOnThisThread()
    defer {
        xmlSetStructuredErrorFunc(savedContext ?? nil, savedStructured ?? nil)
        xmlSetGenericErrorFunc(savedGenericContext ?? nil, savedGeneric ?? nil)
    }
    return try body()
}

// MARK: - String helpers

/// Copies a libxml2-owned string (not freed).
func string(_ p: UnsafePointer<xmlChar>?) -> String? {
    guard let p else { return nil }
    return String(cString: p)
}

/// Copies and frees a string allocated by libxml2.
func takeXMLString(_ p: UnsafeMutablePointer<xmlChar>?) -> String? {
    guard let p else { return nil }
    defer { hoclieu_xmlFree(p) }
    return String(cString: p)
}

/// Calls `body` with a NUL-terminated `xmlChar` view of `s`.
func withXMLChars<T>(_ s: String, _ body: (UnsafePointer<xmlChar>) throws -> T) rethrows -> T {
    try s.withCString { c in
        try c.withMemoryRebound(to: xmlChar.self, capacity: s.utf8.count + 1) { try body($0) }
    }
}

/// Same as `withXMLChars` for an optional string (`nil` stays `nil`).
func withOptionalXMLChars<T>(_ s: String?, _ body: (UnsafePointer<xmlChar>?) throws -> T) rethrows -> T {
    guard let s else { return try body(nil) }
    return try withXMLChars(s) { try body($0) }
}
