public import Foundation

/// What a reviewer would otherwise find by clicking through a package's pages: references to files the
/// package does not contain, resources loaded from outside it (they do not play offline), images without
/// `alt` text and videos without a captions track.
///
/// Reading is bounded (``Limits``): a 300 MB package with thousands of entries costs at most the scanned
/// pages, never the media, and the report says when it stopped early.
public enum PackageContentChecks {
    /// How much of a package is read.
    public struct Limits: Sendable {
        /// Pages (`.html`, `.htm`, `.xhtml`) scanned at most.
        public var maxPages: Int
        /// A larger page is skipped and reported.
        public var maxPageBytes: Int
        /// Bytes of pages read in total.
        public var maxTotalBytes: Int
        /// Examples kept per finding code.
        public var examplesPerCode: Int

        public init(maxPages: Int = 2_000, maxPageBytes: Int = 4 << 20, maxTotalBytes: Int = 64 << 20, examplesPerCode: Int = 5) {
            self.maxPages = maxPages
            self.maxPageBytes = maxPageBytes
            self.maxTotalBytes = maxTotalBytes
            self.examplesPerCode = examplesPerCode
        }
    }

    /// One kind of problem.
    public enum Code: String, Sendable, Codable, CaseIterable {
        /// A relative reference to a file that is not in the package (or that climbs out of it).
        case missingFile = "link-missing"
        /// A script, style sheet, image, frame or medium loaded from another site: it does not play offline.
        case outsideResource = "outside-resource"
        /// A hyperlink to another site (fine in itself; listed so a reviewer can check where it goes).
        case outsideLink = "outside-link"
        /// `<img>` without an `alt` attribute (an empty `alt` marks a decorative image and is fine).
        case imageWithoutAlt = "img-alt"
        /// `<video>` without a `<track kind="captions|subtitles">`.
        case videoWithoutCaptions = "video-captions"
        /// The launch file is empty.
        case emptyLaunch = "launch-empty"
    }

    /// Where one problem is.
    public struct Example: Sendable, Codable, Equatable {
        /// The page, as a path in the package.
        public var file: String
        /// The reference or element concerned.
        public var detail: String

        public init(file: String, detail: String) {
            self.file = file
            self.detail = detail
        }
    }

    /// What the scan found.
    public struct Report: Sendable, Codable, Equatable {
        /// Occurrences per code.
        public var counts: [String: Int] = [:]
        /// The first few occurrences per code.
        public var examples: [String: [Example]] = [:]
        public var pagesScanned = 0
        public var bytesScanned = 0
        /// Pages left unread because a limit was reached.
        public var pagesSkipped = 0

        public func count(_ code: Code) -> Int { counts[code.rawValue] ?? 0 }

        mutating func add(_ code: Code, file: String, detail: String, keep: Int) {
            counts[code.rawValue, default: 0] += 1
            if (examples[code.rawValue]?.count ?? 0) < keep {
                examples[code.rawValue, default: []].append(Example(file: file, detail: String(detail.prefix(200))))
            }
        }
    }

    /// Scans the package's pages. `launch` is the launch path (with or without a query), checked for content.
    public static func check(_ archive: SafeArchive, launch: String?, limits: Limits = .init()) -> Report {
        var report = Report()
        if let launch, let entry = archive.entry(Self.path(launch)), entry.uncompressedSize == 0 {
            report.add(.emptyLaunch, file: entry.path, detail: entry.path, keep: limits.examplesPerCode)
        }
        let pages = archive.paths.filter { path in
            let lower = path.lowercased()
            return lower.hasSuffix(".html") || lower.hasSuffix(".htm") || lower.hasSuffix(".xhtml")
        }
        for path in pages {
            guard let entry = archive.entry(path) else { continue }
            guard report.pagesScanned < limits.maxPages, entry.uncompressedSize <= UInt64(limits.maxPageBytes),
                report.bytesScanned <= limits.maxTotalBytes - Int(entry.uncompressedSize)
            else {
                report.pagesSkipped += 1
                continue
            }
            guard let data = try? archive.data(entry, limit: limits.maxPageBytes) else {
                report.pagesSkipped += 1
                continue
            }
            report.pagesScanned += 1
            report.bytesScanned += data.count
            scanPage(path: path, bytes: [UInt8](data), archive: archive, keep: limits.examplesPerCode, into: &report)
        }
        return report
    }

    /// A reference's path part: no query or fragment, percent-decoded.
    static func path(_ reference: String) -> String {
        let cut = reference.firstIndex { $0 == "?" || $0 == "#" } ?? reference.endIndex
        let raw = String(reference[..<cut])
        return raw.removingPercentEncoding ?? raw
    }

    /// The package path a relative reference on `page` names, or nil when it climbs above the package's root.
    static func resolve(_ reference: String, from page: String) -> String? {
        let target = path(reference)
        var parts = target.hasPrefix("/") ? [] : page.split(separator: "/", omittingEmptySubsequences: false).dropLast().map(String.init)
        for part in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            default: parts.append(String(part))
            }
        }
        return parts.joined(separator: "/")
    }

    /// Attributes that load something into the page, per element, and the ones that only link.
    static let loadingAttributes: Set<String> = ["src", "poster", "data"]
    static let navigating: Set<String> = ["a", "area"]

    static func scanPage(path: String, bytes: [UInt8], archive: SafeArchive, keep: Int, into report: inout Report) {
        var openVideo: (source: String, captioned: Bool)?
        HTMLTagScanner.scan(bytes) { tag in
            switch tag.name {
            case "img" where tag.attributes["alt"] == nil && tag.attributes["role"] != "presentation"
                && tag.attributes["aria-hidden"] != "true":
                report.add(.imageWithoutAlt, file: path, detail: tag.attributes["src"] ?? "<img>", keep: keep)
            case "video" where !tag.isEnd:
                if let open = openVideo, !open.captioned { report.add(.videoWithoutCaptions, file: path, detail: open.source, keep: keep) }
                openVideo = (tag.attributes["src"] ?? "<video>", false)
            case "video":
                if let open = openVideo, !open.captioned { report.add(.videoWithoutCaptions, file: path, detail: open.source, keep: keep) }
                openVideo = nil
            case "source" where openVideo?.source == "<video>":
                openVideo?.source = tag.attributes["src"] ?? "<video>"
            case "track":
                let kind = tag.attributes["kind"]?.lowercased() ?? "subtitles"
                if kind == "captions" || kind == "subtitles" { openVideo?.captioned = true }
            default: break
            }
            guard !tag.isEnd else { return }
            for (name, value) in tag.attributes where loadingAttributes.contains(name) || name == "href" {
                if name == "data", tag.name != "object" { continue }
                let loads = name != "href" || tag.name == "link"
                check(reference: value, loads: loads, page: path, archive: archive, keep: keep, into: &report)
            }
        }
        if let open = openVideo, !open.captioned { report.add(.videoWithoutCaptions, file: path, detail: open.source, keep: keep) }
    }

    static func check(reference raw: String, loads: Bool, page: String, archive: SafeArchive, keep: Int, into report: inout Report) {
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "&amp;", with: "&")
        guard !value.isEmpty, !value.hasPrefix("#") else { return }
        // Values a script fills in at run time are not references yet.
        if value.contains("{{") || value.contains("${") || value.contains("'+") || value.contains("\"+") { return }
        let lower = value.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("//") {
            report.add(loads ? .outsideResource : .outsideLink, file: page, detail: value, keep: keep)
            return
        }
        // Other schemes (mailto:, javascript:, data:, blob:, about:…) are not files of the package.
        if let colon = value.firstIndex(of: ":"), value[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }),
            value.firstIndex(of: "/").map({ colon < $0 }) ?? true
        {
            return
        }
        guard let target = resolve(value, from: page) else {
            report.add(.missingFile, file: page, detail: value, keep: keep)
            return
        }
        if target.isEmpty || archive.contains(target) { return }
        // A folder reference (`lesson/`) is served by its index page.
        let folder = target.hasSuffix("/") ? target : target + "/"
        if archive.contains(folder + "index.html") || archive.contains(folder + "index.htm") { return }
        report.add(.missingFile, file: page, detail: value, keep: keep)
    }
}

/// A small, forgiving HTML tag scanner: start and end tags with their attributes, skipping comments,
/// doctype and the text of `<script>` and `<style>`. It does not build a tree and never fails.
enum HTMLTagScanner {
    struct Tag {
        /// Lower-case element name.
        var name: String
        var isEnd: Bool
        /// Lower-case attribute names; the first of a repeated attribute wins, as in browsers.
        var attributes: [String: String]
    }

    static func scan(_ bytes: [UInt8], _ visit: (Tag) -> Void) {
        let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), slash = UInt8(ascii: "/"), bang = UInt8(ascii: "!")
        var i = 0
        let n = bytes.count
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0C }
        func isNameByte(_ b: UInt8) -> Bool { !isSpace(b) && b != gt && b != slash && b != UInt8(ascii: "=") }
        func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b + 0x20 : b }
        /// The first case-insensitive occurrence of a lower-case needle at or after `start`.
        func find(_ needle: [UInt8], from start: Int) -> Int? {
            guard !needle.isEmpty, start <= n - needle.count else { return nil }
            var j = start
            while j <= n - needle.count {
                var k = 0
                while k < needle.count, lower(bytes[j + k]) == needle[k] { k += 1 }
                if k == needle.count { return j }
                j += 1
            }
            return nil
        }
        while i < n {
            guard bytes[i] == lt, i + 1 < n else {
                i += 1
                continue
            }
            if bytes[i + 1] == bang {
                if i + 3 < n, bytes[i + 2] == UInt8(ascii: "-"), bytes[i + 3] == UInt8(ascii: "-") {
                    i = (find(Array("-->".utf8), from: i + 4).map { $0 + 3 }) ?? n
                } else {
                    i = (find([gt], from: i + 2).map { $0 + 1 }) ?? n
                }
                continue
            }
            var j = i + 1
            let isEnd = bytes[j] == slash
            if isEnd { j += 1 }
            let nameStart = j
            while j < n, isNameByte(bytes[j]) { j += 1 }
            guard j > nameStart, lower(bytes[nameStart]) >= 0x61, lower(bytes[nameStart]) <= 0x7A else {
                i += 1
                continue
            }
            let name = String(decoding: bytes[nameStart..<j], as: UTF8.self).lowercased()
            var attributes: [String: String] = [:]
            // Attributes until `>`.
            while j < n, bytes[j] != gt {
                if isSpace(bytes[j]) || bytes[j] == slash {
                    j += 1
                    continue
                }
                let attrStart = j
                while j < n, isNameByte(bytes[j]) { j += 1 }
                if j == attrStart {  // a stray `=`
                    j += 1
                    continue
                }
                let attrName = String(decoding: bytes[attrStart..<j], as: UTF8.self).lowercased()
                while j < n, isSpace(bytes[j]) { j += 1 }
                var value = ""
                if j < n, bytes[j] == UInt8(ascii: "=") {
                    j += 1
                    while j < n, isSpace(bytes[j]) { j += 1 }
                    if j < n, bytes[j] == UInt8(ascii: "\"") || bytes[j] == UInt8(ascii: "'") {
                        let quote = bytes[j]
                        let valueStart = j + 1
                        j = valueStart
                        while j < n, bytes[j] != quote { j += 1 }
                        value = String(decoding: bytes[valueStart..<min(j, n)], as: UTF8.self)
                        if j < n { j += 1 }
                    } else {
                        let valueStart = j
                        while j < n, !isSpace(bytes[j]), bytes[j] != gt { j += 1 }
                        value = String(decoding: bytes[valueStart..<j], as: UTF8.self)
                    }
                }
                if attributes[attrName] == nil { attributes[attrName] = value }
            }
            visit(Tag(name: name, isEnd: isEnd, attributes: attributes))
            i = j + 1
            // The text of script and style is not markup.
            if !isEnd, name == "script" || name == "style" {
                i = find(Array("</\(name)".utf8), from: i) ?? n
            }
        }
    }
}
