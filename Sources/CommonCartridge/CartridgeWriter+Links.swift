import Foundation
import ContentPackages
import HoclieuCore

// Local references in the HTML the writer puts into a cartridge (pages, files, discussion and assignment
// texts) rewritten to the real path inside the exported cartridge, the form both importers resolve:
//
// - Moodle (`backup/cc/entities.class.php`, `update_sources`/`full_path`) removes only the literal
//   `$IMS-CC-FILEBASE$`, joins what is left to the folder of the XML that holds the text and keeps any query
//   string; a `%24IMS-CC-FILEBASE%24` or a `?canvas_download=1` leaves it a path that does not exist.
// - Canvas (`lib/cc/importer/standard/converter.rb`, `replace_urls`/`get_canvas_att_replacement_url`)
//   percent-decodes, strips `../` and looks the path up among the cartridge's files; a query string defeats
//   the lookup.
//
// So every local reference becomes a relative path from the document's folder to a file that is in the
// cartridge, without query string or fragment. A reference that resolves to nothing, and Canvas-only
// references (`$CANVAS_OBJECT_REFERENCE$`, `$CANVAS_COURSE_REFERENCE$`; `$WIKI_REFERENCE$` unless it names a
// page of the cartridge), are dropped (`about:blank`) and reported.

/// Where the files of the cartridge are, for resolving references in its HTML.
struct CartridgeFileIndex {
    /// Every file path in the cartridge.
    var paths: Set<String> = []
    /// A file name (percent-decoded, lowercased; original or as written) → its path (first one wins).
    var byName: [String: String] = [:]
    /// A page's name without extension (lowercased) → the page's path, for `$WIKI_REFERENCE$/pages/<slug>`.
    var pagesBySlug: [String: String] = [:]

    init(plans: [ResourcePlan]) {
        for plan in plans {
            for file in plan.files { paths.insert(file.path) }
        }
        for plan in plans {
            if case .file(_, let fileName, _) = plan.item.content, let written = plan.files.first?.path {
                name(fileName, written)
            }
            for file in plan.files { name(file.path, file.path) }
            if let href = plan.href, PathRules.isHTML(href) {
                let stem = ((href as NSString).lastPathComponent as NSString).deletingPathExtension.lowercased()
                if pagesBySlug[stem] == nil { pagesBySlug[stem] = href }
                if case .file(_, let fileName, _) = plan.item.content {
                    let original = ((fileName as NSString).lastPathComponent as NSString).deletingPathExtension.lowercased()
                    if pagesBySlug[original] == nil { pagesBySlug[original] = href }
                }
            }
        }
    }

    private mutating func name(_ path: String, _ written: String) {
        let last = (path.split(separator: "/").last.map(String.init) ?? path)
        let key = (last.removingPercentEncoding ?? last).lowercased()
        if byName[key] == nil { byName[key] = written }
    }

    /// The cartridge path of a root-relative reference (`$IMS-CC-FILEBASE$/x`) from the document in `folder`.
    func lookup(rootRelative path: String, folder: String) -> String? {
        if paths.contains(path) { return path }
        let first = folder.split(separator: "/").first.map(String.init) ?? ""
        // A package keeps the paths of the cartridge it came from, under its own folder.
        if !first.isEmpty, paths.contains(first + "/" + path) { return first + "/" + path }
        return byFileName(path)
    }

    func byFileName(_ path: String) -> String? {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        let decoded = (last.removingPercentEncoding ?? last).lowercased()
        return byName[decoded] ?? byName[Planner.safeFileName(decoded).lowercased()]
    }
}

/// What happened to one reference.
enum ReferenceFix: Equatable {
    case keep
    case replace(String)
    case drop(reason: String)
}

enum HTMLLinkRewriter {
    static let fileBaseTokens = ["$IMS-CC-FILEBASE$", "$IMS_CC_FILEBASE$", "$IMS_CC_FILE_BASE$"]
    static var attributePattern: NSRegularExpression {
        // A constant pattern: it compiles.
        try! NSRegularExpression(pattern: #"(?i)\b(src|href|data|poster)\s*=\s*("[^"]*"|'[^']*')"#)
    }
    static let dropped = "about:blank"

    /// `html` with its local references fixed; `dropped` gets (reference, reason) for each one left out.
    static func rewrite(_ html: String, documentPath: String, index: CartridgeFileIndex, dropped: inout [(String, String)]) -> String {
        let ns = html as NSString
        let pattern = attributePattern
        let matches = pattern.matches(in: html, range: NSRange(location: 0, length: ns.length))
        guard !matches.isEmpty else { return html }
        let result = NSMutableString(string: html)
        for match in matches.reversed() {
            let quoted = ns.substring(with: match.range(at: 2))
            let raw = String(quoted.dropFirst().dropLast())
            let valueRange = NSRange(location: match.range(at: 2).location + 1, length: match.range(at: 2).length - 2)
            switch fix(raw, documentPath: documentPath, index: index) {
            case .keep: break
            case .replace(let value): result.replaceCharacters(in: valueRange, with: HTMLText.escape(value))
            case .drop(let reason):
                dropped.append((raw, reason))
                result.replaceCharacters(in: valueRange, with: Self.dropped)
            }
        }
        return result as String
    }

    /// The fix of one attribute value found in the document at `documentPath`.
    static func fix(_ raw: String, documentPath: String, index: CartridgeFileIndex) -> ReferenceFix {
        let value = HTMLText.decodeEntities(raw).trimmingCharacters(in: .whitespacesAndNewlines)
        if value.isEmpty || value.hasPrefix("#") || value.hasPrefix("//") || value == dropped { return .keep }
        let decoded = value.removingPercentEncoding ?? value
        let folder = documentPath.split(separator: "/").dropLast().joined(separator: "/")
        if let token = fileBaseTokens.first(where: { decoded.uppercased().hasPrefix($0) }) {
            var path = withoutQuery(String(decoded.dropFirst(token.count)))
            while path.hasPrefix("/") { path.removeFirst() }
            guard let normal = try? PathRules.resolve(path, base: ""), let target = index.lookup(rootRelative: normal, folder: folder) else {
                return .drop(reason: "missing")
            }
            return .replace(relative(from: documentPath, to: target))
        }
        if decoded.hasPrefix("$WIKI_REFERENCE$") {
            let slug = withoutQuery(decoded).split(separator: "/").last.map { String($0).lowercased() } ?? ""
            guard let page = index.pagesBySlug[slug] else { return .drop(reason: "canvasOnly") }
            return .replace(relative(from: documentPath, to: page))
        }
        if decoded.hasPrefix("$"), decoded.dropFirst().contains("$") { return .drop(reason: "canvasOnly") }
        if hasScheme(value) || value.hasPrefix("/") { return .keep }
        // A relative reference.
        let path = withoutQuery(decoded)
        guard !path.isEmpty else { return .keep }
        let resolved = try? PathRules.resolve(path, base: folder)
        if let resolved, index.paths.contains(resolved) {
            let clean = relative(from: documentPath, to: resolved)
            return clean == value ? .keep : .replace(clean)
        }
        guard let target = index.byFileName(path) else { return .drop(reason: "missing") }
        return .replace(relative(from: documentPath, to: target))
    }

    static func withoutQuery(_ value: String) -> String {
        String(value.prefix { $0 != "?" && $0 != "#" })
    }

    static func hasScheme(_ value: String) -> Bool {
        guard let colon = value.firstIndex(of: ":") else { return false }
        let scheme = value[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter else { return false }
        return scheme.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+.-".contains($0)) }
    }

    /// `target` relative to the folder of `documentPath`, percent-encoded as a URL path.
    static func relative(from documentPath: String, to target: String) -> String {
        var from = documentPath.split(separator: "/").dropLast().map(String.init)
        var to = target.split(separator: "/").map(String.init)
        while let a = from.first, let b = to.first, a == b, to.count > 1 {
            from.removeFirst()
            to.removeFirst()
        }
        let parts = Array(repeating: "..", count: from.count) + to
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#;")
        return parts.map { $0 == ".." ? $0 : ($0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0) }.joined(separator: "/")
    }
}

extension Planner {
    /// HTML files larger than this are written as they are (and reported).
    static let maxRewrittenHTML = 16 << 20

    /// Fixes the references of every HTML text and file of the plans (see the top of this file), after every
    /// path of the cartridge is known, and writes the discussion and assignment descriptors.
    mutating func resolveLinks(_ plans: inout [ResourcePlan]) throws {
        let index = CartridgeFileIndex(plans: plans)
        for p in plans.indices {
            let id = plans[p].identifier
            if let pending = plans[p].pendingText {
                let path = plans[p].files[0].path
                var dropped: [(String, String)] = []
                let html = HTMLLinkRewriter.rewrite(pending.html, documentPath: path, index: index, dropped: &dropped)
                report(dropped, resource: id, path: path)
                let data: Data
                switch pending {
                case .topic: data = try topic(plans[p].item, html: html)
                case .assignment: data = try assignment(plans[p].item, html: html, resource: id)
                case .page: data = Data(html.utf8)
                }
                plans[p].files[0].source = .data(data)
                plans[p].pendingText = nil
                continue
            }
            for f in plans[p].files.indices where PathRules.isHTML(plans[p].files[f].path) {
                let file = plans[p].files[f]
                guard let data = try readSmall(file, item: plans[p].item.identifier) else {
                    losses.append(
                        CartridgeMessage(
                            code: "htmlNotChecked", vi: "Trang HTML quá lớn, không kiểm tra được liên kết bên trong",
                            en: "The HTML page is too large for its links to be checked", resource: id, path: file.path))
                    continue
                }
                guard let html = String(data: data, encoding: .utf8) else { continue }
                var dropped: [(String, String)] = []
                let fixed = HTMLLinkRewriter.rewrite(html, documentPath: file.path, index: index, dropped: &dropped)
                report(dropped, resource: id, path: file.path)
                if fixed != html { plans[p].files[f].source = .data(Data(fixed.utf8)) }
            }
        }
    }

    private mutating func report(_ dropped: [(String, String)], resource: String, path: String) {
        for (reference, reason) in dropped {
            if reason == "canvasOnly" {
                losses.append(
                    CartridgeMessage(
                        code: "canvasReferenceDropped", vi: "Liên kết chỉ Canvas hiểu (\(reference)) đã bỏ: không có trong gói",
                        en: "A Canvas-only reference (\(reference)) was dropped: it names nothing in the cartridge", resource: resource, path: path))
            } else {
                losses.append(
                    CartridgeMessage(
                        code: "referenceDropped", vi: "Liên kết tới tệp không có trong gói (\(reference)) đã bỏ",
                        en: "A reference to a file the cartridge does not hold (\(reference)) was dropped", resource: resource, path: path))
            }
        }
    }

    /// The bytes of a planned file, nil when it is larger than ``maxRewrittenHTML``.
    private func readSmall(_ file: PlannedFile, item: String) throws -> Data? {
        switch file.source {
        case .data(let data): return data
        case .file(let url):
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            guard size <= Self.maxRewrittenHTML else { return nil }
            do { return try Data(contentsOf: url) } catch {
                throw CartridgeExportError.sourceUnreadable(item: item, path: url.path, reason: "\(error)")
            }
        case .entry(let archive, let entry):
            guard entry.uncompressedSize <= UInt64(Self.maxRewrittenHTML) else { return nil }
            do { return try archive.data(entry, limit: Self.maxRewrittenHTML) } catch {
                throw CartridgeExportError.sourceUnreadable(item: item, path: file.path, reason: error.description)
            }
        }
    }
}

// MARK: Public addresses

/// Whether an absolute link can be followed from a learner's browser: http(s) and a host that is not
/// `localhost`, a loopback, private, link-local or unspecified address.
enum PublicAddress {
    static func isPublic(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            var host = components.host?.lowercased(), !host.isEmpty
        else { return false }
        if host.hasPrefix("[") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        if host == "localhost" || host.hasSuffix(".localhost") { return false }
        if let v4 = ipv4(host) {
            switch (v4[0], v4[1]) {
            case (0, _), (10, _), (127, _), (169, 254), (192, 168): return false
            case (172, 16...31): return false
            case (100, 64...127): return false  // carrier-grade NAT
            default: return true
            }
        }
        if host.contains(":") {
            let h = host
            if h == "::1" || h == "::" || h.hasPrefix("fe8") || h.hasPrefix("fe9") || h.hasPrefix("fea") || h.hasPrefix("feb") { return false }
            if h.hasPrefix("fc") || h.hasPrefix("fd") { return false }
            if h.hasPrefix("::ffff:") { return isPublic("http://" + h.dropFirst(7)) }
            return true
        }
        return true
    }

    static func ipv4(_ host: String) -> [Int]? {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == 4, numbers.allSatisfy({ (0...255).contains($0) }) else { return nil }
        return numbers
    }
}
