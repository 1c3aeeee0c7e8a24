public import Foundation
import ContentPackages
import HoclieuCore
import HoclieuXML
import QTI
import QuestionFormats

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes an IMS Common Cartridge (`.imscc`) from a ``CartridgeExportRequest``.
///
/// - **Streaming**: the cartridge is a stored ZIP written to disk by ``StreamingZipWriter``; blobs and the
///   entries of packages are copied in 1 MB chunks, so a cartridge of any size needs a few MB of memory.
///   Only the manifest and the small descriptor files (web links, LTI links, topics, QTI) are built in memory.
/// - **Deterministic**: items in request order, package entries sorted by path, fixed ZIP timestamps,
///   identifiers derived from the request only: the same request gives the same bytes.
/// - **Versions**: CC 1.1 (schema-valid against the official CC 1.1 profile, the way Moodle validates it),
///   CC 1.2, CC 1.3, and Thin CC 1.3 (links back to Hoclieu only). See `Connectors/moodle` and
///   `Connectors/canvas` for what each LMS accepts.
/// - **Losses**: every narrowing (a question type the CC QTI profile lacks, a taxon path shortened by the
///   CC 1.1 LOM profile, a SCORM package played as web content…) is in ``CartridgeExportReport/losses``.
///
/// Layout: `imsmanifest.xml` first, then one folder per item named after its (xs:ID-safe) identifier:
/// `R_x/<file>` for a file, `R_x/<entries…>` for a package, `R_x/weblink.xml`, `R_x/lti.xml`,
/// `R_x/topic.xml`, `R_x/assessment.xml` (or `R_x/questionbank.xml`).
///
/// The file is written next to `url` under a temporary name and renamed when complete: a failed export
/// leaves nothing behind.
public enum CartridgeWriter {
    /// Writes the cartridge to `url` (replaced if it exists).
    public static func write(_ request: CartridgeExportRequest, to url: URL) throws -> CartridgeExportReport {
        if request.target == .moodle, request.format != .cc1p1 {
            throw CartridgeExportError.formatNotAccepted(format: request.format, target: .moodle)
        }
        let profile = CartridgeProfile.profile(for: request.format)
        if profile.isThin {
            // A thin cartridge is nothing but absolute links back to Hoclieu: they must work from a learner's browser.
            for item in request.items {
                for url in [item.landingURL] + (item.ltiLaunchURL.map { [$0] } ?? []) where !PublicAddress.isPublic(url) {
                    throw CartridgeExportError.publicURLRequired(url: url)
                }
            }
        }
        var planner = Planner(profile: profile, target: request.target)
        var plans = try planner.plan(request)
        try planner.resolveLinks(&plans)
        let organisation = planner.organisation(request, plans: plans)
        let manifest = try ManifestWriter(profile: profile, request: request, plans: plans, organisation: organisation).write()

        let partial = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        let zip: StreamingZipWriter
        do { zip = try StreamingZipWriter(url: partial) } catch { throw CartridgeExportError.writeFailed(path: url.path, reason: "\(error)") }
        do {
            try add(zip, path: "imsmanifest.xml", source: .data(manifest), item: request.identifier)
            for plan in plans {
                for file in plan.files { try add(zip, path: file.path, source: file.source, item: plan.item.identifier) }
            }
            let bytes = try zip.finish()
            guard rename(partial.path, url.path) == 0 else {
                throw CartridgeExportError.writeFailed(path: url.path, reason: String(cString: strerror(errno)))
            }
            var types: [String: Int] = [:]
            for plan in plans { types[plan.type, default: 0] += 1 }
            return CartridgeExportReport(
                format: request.format, target: request.target, resourceTypes: types, files: zip.count, bytes: Int64(bytes),
                questionItems: planner.questionItems, losses: planner.losses)
        } catch {
            zip.abandon()
            throw error
        }
    }

    private static func add(_ zip: StreamingZipWriter, path: String, source: PlannedFile.Source, item: String) throws {
        do throws(ZipWriteError) {
            switch source {
            case .data(let data):
                try zip.add(path: path, data: data)
            case .file(let url):
                try zip.add(path: path, contentsOf: url)
            case .entry(let archive, let entry):
                try zip.add(path: path, size: entry.uncompressedSize) { write in
                    try archive.read(entry, chunkSize: StreamingZipWriter.chunkSize) { chunk in try write(chunk) }
                }
            }
        } catch {
            if case .io(let failing, let reason) = error, failing != zip.url.path {
                throw CartridgeExportError.sourceUnreadable(item: item, path: failing, reason: reason)
            }
            throw CartridgeExportError.writeFailed(path: zip.url.path, reason: error.description)
        }
    }
}

/// One file of the cartridge and where its bytes come from.
struct PlannedFile {
    enum Source {
        case data(Data)
        case file(URL)
        case entry(SafeArchive, SafeArchive.Entry)
    }

    var path: String
    var source: Source
}

/// One manifest resource.
struct ResourcePlan {
    var identifier: String
    var item: ExportItem
    var type: String
    /// The launch file (webcontent only).
    var href: String?
    var files: [PlannedFile]
    var isBank = false
    /// A text whose descriptor (or page) is written once every path of the cartridge is known, so that its
    /// references can be fixed (``Planner/resolveLinks(_:)``); `files[0]` is where it goes.
    var pendingText: PendingText?
    /// The file whose `<metadata>` carries the material's LOM in CC 1.1.
    var metadataFile: String? { href ?? files.first?.path }
}

/// An HTML text waiting for its references to be fixed.
enum PendingText {
    case topic(String)
    case assignment(String)
    /// A plain page (an assignment written as web content).
    case page(String)

    var html: String {
        switch self {
        case .topic(let html), .assignment(let html), .page(let html): html
        }
    }
}

/// Turns items into resources and the outline into manifest items, collecting losses.
struct Planner {
    let profile: CartridgeProfile
    /// The LMS the cartridge is written for, when known.
    let target: CartridgeTarget?
    var losses: [CartridgeMessage] = []
    /// QTI items written.
    var questionItems = 0
    /// Every identifier used in the manifest (xs:ID values are unique across the document).
    private var used: Set<String> = ["root", "ORG"]
    private var idByItem: [String: String] = [:]
    /// Items with no resource (an empty question set): the outline skips them without a second message.
    private var leftOut: Set<String> = []

    init(profile: CartridgeProfile, target: CartridgeTarget? = nil) {
        self.profile = profile
        self.target = target
    }

    mutating func plan(_ request: CartridgeExportRequest) throws -> [ResourcePlan] {
        var seen = Set<String>()
        for item in request.items where !seen.insert(item.identifier).inserted {
            throw CartridgeExportError.duplicateItem(item.identifier)
        }
        var plans: [ResourcePlan] = []
        for item in request.items {
            let id = unique(Self.xmlID(item.identifier, prefix: "R_"))
            idByItem[item.identifier] = id
            guard let plan = try plan(item, id: id) else {
                leftOut.insert(item.identifier)
                continue
            }
            plans.append(plan)
            if !profile.fullTaxonPaths, item.taxonPaths.contains(where: { $0.taxa.count > 1 }) {
                losses.append(
                    CartridgeMessage(
                        code: "taxonPathShortened",
                        vi: "LOM của CC 1.1 chỉ cho một mục trong mỗi đường phân loại: chỉ ghi đơn vị kiến thức, bỏ các cấp trên",
                        en: "The CC 1.1 LOM profile allows one taxon per taxon path: only the knowledge unit is written, not its ancestors",
                        resource: id))
            }
        }
        if let local = request.items.first(where: { !$0.landingURL.isEmpty && !PublicAddress.isPublic($0.landingURL) })?.landingURL {
            losses.append(
                CartridgeMessage(
                    code: "landingURLNotPublic",
                    vi: "Địa chỉ trang học liệu (\(local)…) là địa chỉ nội bộ: không ghi vào LOM; hãy đặt HOCLIEU_PUBLIC_URL hoặc --public-url",
                    en: "The materials' landing pages (\(local)…) are on a local address: not written into LOM; set HOCLIEU_PUBLIC_URL or --public-url"))
        }
        let banks = plans.filter(\.isBank)
        if banks.count > 1 {
            losses.append(
                CartridgeMessage(
                    code: "severalQuestionBanks",
                    vi: "Common Cartridge chỉ cho một ngân hàng câu hỏi; có \(banks.count), LMS có thể chỉ nhập ngân hàng đầu",
                    en: "Common Cartridge allows one question bank; there are \(banks.count) and an LMS may import only the first",
                    resource: banks[1].identifier))
        }
        return plans
    }

    /// The resource of one item; nil when it is left out (an empty question set, reported).
    private mutating func plan(_ item: ExportItem, id: String) throws -> ResourcePlan? {
        if profile.isThin { return try thinPlan(item, id: id) }
        switch item.content {
        case .file(let source, let fileName, _):
            let path = "\(id)/\(Self.safeFileName(fileName))"
            return ResourcePlan(identifier: id, item: item, type: profile.webContentType, href: path, files: [.init(path: path, source: .file(source))])
        case .package(let source, let fileName, let launch):
            guard let launch else {
                let path = "\(id)/\(Self.safeFileName(fileName))"
                return ResourcePlan(
                    identifier: id, item: item, type: profile.webContentType, href: path, files: [.init(path: path, source: .file(source))])
            }
            let archive: SafeArchive
            do { archive = try SafeArchive(url: source) } catch {
                throw CartridgeExportError.sourceUnreadable(item: item.identifier, path: source.path, reason: error.description)
            }
            guard archive.contains(launch) else { throw CartridgeExportError.launchNotInPackage(item: item.identifier, launch: launch) }
            let files = archive.paths.sorted().map { PlannedFile(path: "\(id)/\($0)", source: .entry(archive, archive.entries[$0]!)) }
            if archive.contains("imsmanifest.xml") {
                losses.append(
                    CartridgeMessage(
                        code: "packageTrackingLost",
                        vi: "Gói SCORM/IMS CP được ghi như nội dung web: LMS không ghi nhận tiến độ, điểm SCORM",
                        en: "The SCORM/IMS CP package is written as web content: the LMS records no SCORM progress or score",
                        resource: id, path: "\(id)/imsmanifest.xml"))
            }
            return ResourcePlan(identifier: id, item: item, type: profile.webContentType, href: "\(id)/\(launch)", files: files)
        case .webLink(let url):
            return ResourcePlan(
                identifier: id, item: item, type: profile.webLinkType, files: [.init(path: "\(id)/weblink.xml", source: .data(try webLink(item, url: url)))])
        case .ltiLink(let launchURL, let custom):
            return ResourcePlan(
                identifier: id, item: item, type: profile.ltiType,
                files: [.init(path: "\(id)/lti.xml", source: .data(try ltiLink(item, launchURL: launchURL, custom: custom, resource: id)))])
        case .discussion(let html):
            var plan = ResourcePlan(identifier: id, item: item, type: profile.discussionType, files: [.init(path: "\(id)/topic.xml", source: .data(Data()))])
            plan.pendingText = .topic(html)
            return plan
        case .assignment(let html):
            return assignmentPlan(item, html: html, id: id)
        case .questions(let questions, let isBank):
            let path = "\(id)/\(isBank ? "questionbank" : "assessment").xml"
            let result: QuestionExportResult
            do {
                result = try QTI12Exporter.export(
                    questions, container: isBank ? .objectBank : .assessment(title: item.metadata.title), identifier: id,
                    choiceFeedbackForMoodle: target == .moodle)
            } catch { throw CartridgeExportError.invalidText(item: item.identifier, reason: "\(error)") }
            for entry in result.report.entries {
                if !entry.exported {
                    losses.append(
                        CartridgeMessage(
                            code: "questionDropped", vi: "Câu \(entry.id) (\(entry.type.rawValue)) không ghi được trong QTI 1.2 (CC)",
                            en: "Question \(entry.id) (\(entry.type.rawValue)) cannot be written in QTI 1.2 (CC)", resource: id, path: path))
                }
                for narrowing in entry.narrowings {
                    losses.append(
                        CartridgeMessage(
                            code: narrowing.code, vi: "Câu \(entry.id) (\(entry.type.rawValue)): \(narrowing.vietnamese)",
                            en: "Question \(entry.id) (\(entry.type.rawValue)): \(narrowing.english)", resource: id, path: path))
                }
            }
            let items = result.report.entries.reduce(0) { $0 + $1.items }
            guard items > 0 else {
                // Both importers would make a gradable quiz of a placeholder item (Moodle: `entity11.quiz.class.php`
                // keeps a quiz only when it has questions; Canvas imports any item): leave the set out instead.
                losses.append(
                    CartridgeMessage(
                        code: "emptyQuestionSetLeftOut",
                        vi: "Bộ câu hỏi \"\(item.metadata.title)\" không có câu nào ghi được trong QTI của CC: không đưa vào gói",
                        en: "The question set \"\(item.metadata.title)\" has no question QTI (CC) can carry: it is left out", resource: id))
                return nil
            }
            questionItems += items
            var plan = ResourcePlan(
                identifier: id, item: item, type: isBank ? profile.questionBankType : profile.assessmentType,
                files: [.init(path: path, source: .data(result.data))])
            plan.isBank = isBank
            return plan
        }
    }

    /// Thin CC: an LTI link to Hoclieu when it is registered as a tool, else a web link to the landing page.
    private mutating func thinPlan(_ item: ExportItem, id: String) throws -> ResourcePlan {
        switch item.content {
        case .webLink, .ltiLink: break
        default:
            losses.append(
                CartridgeMessage(
                    code: "linkedNotIncluded",
                    vi: "Thin CC chỉ chứa liên kết: nội dung nằm trên Hoclieu, không nằm trong gói",
                    en: "Thin CC holds links only: the content stays on Hoclieu, not in the cartridge", resource: id))
        }
        if let launch = item.ltiLaunchURL {
            return ResourcePlan(
                identifier: id, item: item, type: profile.ltiType,
                files: [.init(path: "\(id)/lti.xml", source: .data(try ltiLink(item, launchURL: launch, custom: [:], resource: id)))])
        }
        return ResourcePlan(
            identifier: id, item: item, type: profile.webLinkType,
            files: [.init(path: "\(id)/weblink.xml", source: .data(try webLink(item, url: item.landingURL)))])
    }

    // MARK: Organisation

    /// The manifest items under `root`: the request's outline, or every item in order. Question banks are
    /// never items (CC shows them only through assessments).
    mutating func organisation(_ request: CartridgeExportRequest, plans: [ResourcePlan]) -> [CartridgeItem] {
        let byItem = Dictionary(uniqueKeysWithValues: plans.map { ($0.item.identifier, $0) })
        var counter = 0
        func nextID() -> String {
            while true {
                counter += 1
                let id = "I_\(counter)"
                if used.insert(id).inserted { return id }
            }
        }
        func leaf(_ title: String, _ itemID: String) -> CartridgeItem? {
            guard let plan = byItem[itemID] else {
                if leftOut.contains(itemID) { return nil }
                losses.append(
                    CartridgeMessage(
                        code: "unknownItem", vi: "Mục lục trỏ tới học liệu không có trong gói: \(itemID)",
                        en: "The outline names an item that is not exported: \(itemID)"))
                return nil
            }
            if plan.isBank {
                losses.append(
                    CartridgeMessage(
                        code: "bankNotInOutline", vi: "Ngân hàng câu hỏi không hiện trong mục lục (CC không cho phép)",
                        en: "A question bank is not shown in the outline (CC does not allow it)", resource: plan.identifier))
                return nil
            }
            return CartridgeItem(identifier: nextID(), title: title.isEmpty ? plan.item.metadata.title : title, resource: plan.identifier)
        }
        func convert(_ node: ExportNode) -> CartridgeItem? {
            if node.children.isEmpty, let item = node.item { return leaf(node.title, item) }
            var folder = CartridgeItem(identifier: nextID(), title: node.title.isEmpty ? "—" : node.title)
            if let item = node.item, let first = leaf(node.title, item) { folder.children.append(first) }
            folder.children += node.children.compactMap(convert)
            return folder
        }
        let top: [CartridgeItem] =
            request.organisation.isEmpty
            ? plans.filter { !$0.isBank }.compactMap { leaf($0.item.metadata.title, $0.item.identifier) }
            : request.organisation.compactMap(convert)
        // Moodle makes a course section of every item directly under the root (`backup/cc/cc2moodle.php`,
        // `create_node_course_sections_section`: the items at `ROOT_DEEP`), and Canvas a module of every
        // `organization > item > item` (`lib/cc/importer/standard/org_converter.rb`, `convert_organizations`):
        // loose items go together into one folder, a single section or module.
        let loose = top.filter { $0.resource != nil }
        guard !loose.isEmpty else { return top }
        let folders = top.filter { $0.resource == nil }
        let title =
            folders.isEmpty
            ? (request.metadata.title.isEmpty ? Self.looseTitle : request.metadata.title) : Self.looseTitle
        return folders + [CartridgeItem(identifier: nextID(), title: title, children: loose)]
    }

    /// The folder of materials that are in no course outline.
    static let looseTitle = "Học liệu khác"

    // MARK: Identifiers and names

    private mutating func unique(_ id: String) -> String {
        var candidate = id
        var n = 1
        while !used.insert(candidate).inserted {
            n += 1
            candidate = "\(id)_\(n)"
        }
        return candidate
    }

    /// An ASCII `xs:ID` (NCName): letters, digits, `-`, `_`, `.`, starting with a letter or `_`.
    static func xmlID(_ raw: String, prefix: String) -> String {
        var out = ""
        for scalar in VietnameseText.fold(raw).unicodeScalars {
            let c = Character(scalar)
            out.append(c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_" || c == ".") ? c : "_")
        }
        // Keep the original case where folding did not change the letter.
        if VietnameseText.isPlainASCII(raw) { out = String(raw.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" }) }
        if out.isEmpty { return prefix + "0" }
        if let first = out.first, !(first.isLetter || first == "_") { out = prefix + out }
        return out
    }

    /// A file name any LMS and file system accepts: ASCII letters, digits, `.`, `-`, `_`; Vietnamese letters
    /// without their marks (case kept); at most 120 characters with the extension kept.
    static func safeFileName(_ raw: String) -> String {
        let last = raw.split(separator: "/").last.map(String.init) ?? raw
        var out = ""
        for c in last {
            if c.isASCII, c.isLetter || c.isNumber || "._-".contains(c) {
                out.append(c)
            } else {
                let folded = VietnameseText.fold(String(c))
                if folded.count == 1, let f = folded.first, f.isASCII, f.isLetter || f.isNumber {
                    out += c.isUppercase ? f.uppercased() : String(f)
                } else if out.last != "_" {
                    out.append("_")
                }
            }
        }
        while out.hasPrefix(".") || out.hasPrefix("_") { out.removeFirst() }
        if out.count > 120 {
            let ext = (out as NSString).pathExtension
            let keep = 120 - (ext.isEmpty ? 0 : ext.count + 1)
            out = String(out.prefix(keep)) + (ext.isEmpty ? "" : ".\(ext)")
        }
        return out.isEmpty ? "file" : out
    }
}
