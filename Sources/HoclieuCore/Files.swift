public import Foundation

/// File names as they arrive from uploads and imports.
public enum FileNames {
    /// Returns the name unchanged if it is a plain file name: 1–255 UTF-8 bytes, no `/` or `\`,
    /// not `.` or `..`, no control characters. Anything else is refused, never "cleaned".
    public static func validate(_ name: String) throws(FileNameError) -> String {
        let nfc = name.precomposedStringWithCanonicalMapping
        guard !nfc.trimmingCharacters(in: .whitespaces).isEmpty else { throw .empty }
        guard nfc.utf8.count <= 255 else { throw .tooLong }
        guard !nfc.contains("/"), !nfc.contains("\\"), nfc != ".", nfc != "..", !nfc.hasPrefix("../"),
            !nfc.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\u{0}" })
        else { throw .unsafe(name) }
        return nfc
    }
}

/// Why a file name was refused.
public enum FileNameError: Error, Equatable, Sendable {
    case empty
    case tooLong
    /// Contains a path separator, `..`, or a control character.
    case unsafe(String)
}

/// Media types by file extension, for files whose uploader did not say (or said `application/octet-stream`).
public enum MediaTypes {
    static let byExtension: [String: String] = [
        "pdf": "application/pdf", "txt": "text/plain", "md": "text/markdown", "csv": "text/csv", "html": "text/html",
        "htm": "text/html", "xml": "application/xml", "json": "application/json", "zip": "application/zip",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "doc": "application/msword",
        "ppt": "application/vnd.ms-powerpoint", "xls": "application/vnd.ms-excel", "odt": "application/vnd.oasis.opendocument.text",
        "mp4": "video/mp4", "webm": "video/webm", "mov": "video/quicktime", "mp3": "audio/mpeg", "wav": "audio/wav",
        "ogg": "audio/ogg", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
        "svg": "image/svg+xml", "webp": "image/webp", "h5p": "application/zip", "ggb": "application/vnd.geogebra.file",
        "imscc": "application/zip", "epub": "application/epub+zip",
    ]

    /// The declared type when it is specific, otherwise the type of the extension, otherwise `application/octet-stream`.
    public static func resolve(declared: String?, fileName: String) -> String {
        if let declared {
            let base = declared.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased()
            if base.contains("/"), base != "application/octet-stream", base.count <= 127,
                base.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/+-.".contains($0)) })
            {
                return base
            }
        }
        let ext = (fileName as NSString).pathExtension.lowercased()
        return byExtension[ext] ?? "application/octet-stream"
    }

    /// Types of the files web packages are made of, beyond ``byExtension``.
    static let webExtensions: [String: String] = [
        "js": "text/javascript", "mjs": "text/javascript", "css": "text/css", "woff": "font/woff", "woff2": "font/woff2",
        "ttf": "font/ttf", "otf": "font/otf", "eot": "application/vnd.ms-fontobject", "ico": "image/x-icon", "bmp": "image/bmp",
        "m4a": "audio/mp4", "m4v": "video/mp4", "ogv": "video/ogg", "oga": "audio/ogg", "vtt": "text/vtt", "wasm": "application/wasm",
        "swf": "application/x-shockwave-flash", "xsd": "application/xml", "ggb": "application/vnd.geogebra.file",
    ]

    /// The type a browser needs for an entry of a web package (served with `nosniff`, so it must be right).
    public static func forEntry(_ path: String) -> String {
        let ext = (path as NSString).pathExtension.lowercased()
        return webExtensions[ext] ?? byExtension[ext] ?? "application/octet-stream"
    }

    /// Media types of IMS Common Cartridges (`application/vnd.ims.imsccv1p1` … `v1p3`, thin ones too).
    public static func isCartridge(_ mediaType: String) -> Bool { mediaType.hasPrefix("application/vnd.ims.imscc") }

    /// Whether a declared media type names something Hoclieu can store: a type it knows by extension, a
    /// cartridge, an image, audio or video, or bytes of unknown type (then the file name decides).
    public static func isAccepted(_ mediaType: String) -> Bool {
        let base = mediaType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if base == "application/octet-stream" || base == "text/xml" || base == "application/x-zip-compressed" || isCartridge(base) { return true }
        if ["image/", "audio/", "video/"].contains(where: { base.hasPrefix($0) }) { return true }
        return byExtension.values.contains(base)
    }

    /// The usual file extension of a media type (for a pushed file sent without a name).
    public static func fileExtension(for mediaType: String) -> String? {
        if isCartridge(mediaType) { return "imscc" }
        if mediaType == "application/zip" || mediaType == "application/x-zip-compressed" { return "zip" }
        return byExtension.filter { $0.value == mediaType }.keys.sorted().first
    }

    /// The material kind a file of this type most likely is.
    public static func kind(for mediaType: String) -> MaterialKind {
        mediaType.hasPrefix("video/") ? .video : .document
    }
}

/// Plain text pulled out of uploaded files for the search index.
public enum TextExtraction {
    /// Files larger than this are not read for text.
    public static let maxBytes: Int64 = 2 << 20

    /// The text of a plain-text, Markdown, CSV or HTML file (tags stripped); nil for other types.
    /// `load` is called only when the type and size qualify.
    public static func extract(mediaType: String, byteSize: Int64, load: () throws -> Data) -> String? {
        let textual = ["text/plain", "text/markdown", "text/csv", "text/html"]
        guard textual.contains(mediaType), byteSize <= maxBytes, let data = try? load() else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        return mediaType == "text/html" ? stripTags(text) : text
    }

    static func stripTags(_ html: String) -> String {
        var out = ""
        var inTag = false
        for ch in html {
            if ch == "<" { inTag = true; out.append(" ") }
            else if ch == ">" { inTag = false }
            else if !inTag { out.append(ch) }
        }
        return out
    }
}

/// Web addresses of link materials.
public enum WebLinks {
    /// `https://` + the text when it is a web address written without its scheme (`youtube.com/watch?v=…`):
    /// its first segment is a host name with a dot; nil otherwise (a relative path, another scheme).
    public static func withoutScheme(_ text: String) -> String? {
        let trimmed = VietnameseText.trimmed(text)
        guard !trimmed.contains(":"), let host = trimmed.split(separator: "/", omittingEmptySubsequences: false).first, host.contains("."),
            host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }), host.first?.isLetter == true
        else { return nil }
        return "https://" + trimmed
    }

    /// The `http(s)` address as a URI: non-ASCII characters of path, query and fragment
    /// percent-encoded (a teacher may paste `…/wiki/Phân_số`); nil when it is not a usable web
    /// address (another scheme, spaces, no host, a non-ASCII host, longer than 2,048 bytes).
    public static func normalise(_ text: String) -> String? {
        let trimmed = VietnameseText.trimmed(text)
        let lower = trimmed.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"),
            !trimmed.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control })
        else { return nil }
        let schemeEnd = trimmed.range(of: "://")!.upperBound
        let rest = trimmed[schemeEnd...]
        let hostEnd = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
        let authority = rest[..<hostEnd]
        guard !authority.isEmpty, authority.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]@_~%".contains($0)) })
        else { return nil }
        var allowed = CharacterSet(charactersIn: Unicode.Scalar(0x21)...Unicode.Scalar(0x7E))
        allowed.remove(charactersIn: "\"<>\\^`{|}")
        guard let tail = rest[hostEnd...].addingPercentEncoding(withAllowedCharacters: allowed) else { return nil }
        let uri = trimmed[..<schemeEnd].lowercased() + authority + tail
        guard uri.utf8.count <= 2048, let components = URLComponents(string: uri), let host = components.host, !host.isEmpty else {
            return nil
        }
        return uri
    }
}
