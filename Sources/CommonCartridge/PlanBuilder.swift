import ContentPackages
import Foundation
import HoclieuCore
import HoclieuXML
import QTI
import QuestionFormats

/// Turns the streamed manifest into a plan: checks (paths, identifiers, dependencies, files), then one
/// ``PlannedResource`` per resource that becomes a material, then the organisation with its references checked.
struct PlanBuilder {
    let archive: SafeArchive
    var model: ManifestModel
    let version: CartridgeVersion
    let isCancelled: (@Sendable () -> Bool)?
    let progress: (@Sendable (Double) -> Void)?
    var warnings: [CartridgeMessage] = []
    var dropped: [CartridgeMessage] = []

    /// What a resource is for.
    enum Role: Equatable {
        case webContent
        case webLink
        case lti
        case discussion
        case assignment
        case canvasAssignment(settings: String)
        case questions(bank: Bool)
        case canvasQTI
        case syllabus
        /// Files that serve other resources (images of a page are carried in its bundle).
        case support
        /// A Canvas fallback page of another resource (`cpx:variant`).
        case variant
        /// Left out, reported once per kind.
        case ignored(DropKind)
        case unsupported
    }

    /// Kinds of left-out resources, reported once each with a count.
    enum DropKind: String, CaseIterable {
        case canvasCourseSettings, canvasQuizSettings, canvasTopicSettings, attachmentsNotCarried, unsupportedAssociatedContent,
            variantFallback, fileReferencesNotCarried

        var vietnamese: String {
            switch self {
            case .canvasCourseSettings: "Cài đặt khoá học của Canvas (course_settings: mô-đun, nhóm bài tập, tiêu chí chấm…) không phải học liệu"
            case .canvasQuizSettings: "Cài đặt bài kiểm tra của Canvas (assessment_meta.xml, bản sao non_cc_assessments) không phải học liệu"
            case .canvasTopicSettings: "Cài đặt chủ đề thảo luận của Canvas không phải học liệu"
            case .attachmentsNotCarried: "Tệp đính kèm và hình ảnh của thảo luận, bài tập không được mang theo (chỉ giữ nội dung chữ)"
            case .unsupportedAssociatedContent: "Nội dung kèm theo (associated content) không nhận ra được bỏ qua"
            case .variantFallback: "Trang thay thế (cpx:variant) của bài tập Canvas được bỏ qua: bài tập đã được nhập"
            case .fileReferencesNotCarried: "Văn bản (thảo luận, bài tập) trỏ tới tệp trong gói ($IMS-CC-FILEBASE$) nhưng tệp không được mang theo"
            }
        }

        var english: String {
            switch self {
            case .canvasCourseSettings: "Canvas course settings (course_settings: modules, assignment groups, rubrics…) are not materials"
            case .canvasQuizSettings: "Canvas quiz settings (assessment_meta.xml, the non_cc_assessments copy) are not materials"
            case .canvasTopicSettings: "Canvas discussion topic settings are not materials"
            case .attachmentsNotCarried: "Attachments and images of discussions and assignments are not carried (their text is kept)"
            case .unsupportedAssociatedContent: "Unrecognised associated content is left out"
            case .variantFallback: "Fallback pages (cpx:variant) of Canvas assignments are left out: the assignment itself is imported"
            case .fileReferencesNotCarried: "Texts (discussions, assignments) refer to cartridge files ($IMS-CC-FILEBASE$) that are not carried"
            }
        }
    }

    private var dropCounts: [DropKind: Int] = [:]
    private var unsupportedTypes: [(type: String, count: Int)] = []
    private var resourceSchemaViolations = 0
    private var repairedNamespaces = 0

    /// Resolved paths of each resource.
    private struct Paths {
        var href: String?
        var files: [String]
    }

    private var paths: [Paths] = []
    private var index: [String: Int] = [:]
    private var dependencies: [[Int]] = []
    private var dependents: [[Int]] = []
    private var roles: [Role] = []
    private var itemTitles: [String: String] = [:]
    private var inOutline: Set<String> = []
    private var missing: Set<String> = []

    init(
        archive: SafeArchive, model: ManifestModel, version: CartridgeVersion, isCancelled: (@Sendable () -> Bool)?,
        progress: (@Sendable (Double) -> Void)?
    ) {
        self.archive = archive
        self.model = model
        self.version = version
        self.isCancelled = isCancelled
        self.progress = progress
    }

    mutating func build() throws(CartridgeError) -> CartridgePlan {
        try separateDuplicates()
        let resources = model.resources
        index.reserveCapacity(resources.count)
        for (i, resource) in resources.enumerated() { index[resource.identifier] = i }

        // Paths, normalised; one out of the archive refuses the cartridge.
        paths.reserveCapacity(resources.count)
        for resource in resources {
            var href: String?
            if let raw = resource.href, !PathRules.isExternal(raw) { href = try PathRules.resolve(raw, base: resource.base) }
            var files: [String] = []
            var seen: Set<String> = []
            for raw in resource.files where !PathRules.isExternal(raw) {
                if let path = try PathRules.resolve(raw, base: resource.base), seen.insert(path).inserted { files.append(path) }
            }
            paths.append(Paths(href: href, files: files))
        }

        try resolveDependencies()
        collectItemTitles()

        // Roles.
        roles = resources.indices.map(role(of:))

        try checkFiles()

        // Materials, in manifest order.
        var planned: [PlannedResource] = []
        for i in resources.indices {
            if isCancelled?() == true { throw .cancelled }
            if let resource = plan(i) { planned.append(resource) }
            progress?(Double(i + 1) / Double(max(resources.count, 1)) * 0.99)
        }

        let plannedIDs = Set(planned.map(\.identifier))
        let titles = Dictionary(planned.map { ($0.identifier, $0.metadata.title) }, uniquingKeysWith: { first, _ in first })
        var organisation: [CartridgeItem] = []
        for items in model.organisations {
            var top = items
            if top.count == 1, top[0].title.isEmpty, top[0].reference == nil { top = top[0].children }
            organisation += prune(top, planned: plannedIDs, titles: titles)
        }

        finishDropped()
        if repairedNamespaces > 0 {
            warnings.append(
                CartridgeMessage(
                    code: "invalidNamespaceURI",
                    vi: "\(repairedNamespaces) tệp tài nguyên khai báo không gian tên không hợp lệ (có khoảng trắng trong URI); đã sửa để đọc",
                    en: "\(repairedNamespaces) resource files declare invalid namespace URIs (spaces in the URI); repaired to read them"))
        }
        if resourceSchemaViolations > 10 {
            warnings.append(
                CartridgeMessage(
                    code: "schemaViolation", vi: "… và \(resourceSchemaViolations - 10) lỗi lược đồ khác trong tệp của tài nguyên",
                    en: "… and \(resourceSchemaViolations - 10) more schema violations in resource files"))
        }
        return CartridgePlan(
            version: version, identifier: model.identifier, metadata: Metadata.course(model.lom), organisation: organisation, resources: planned,
            warnings: warnings, dropped: dropped, schemaValid: nil)
    }

    // MARK: Checks

    private mutating func resolveDependencies() throws(CartridgeError) {
        let resources = model.resources
        dependencies = Array(repeating: [], count: resources.count)
        dependents = Array(repeating: [], count: resources.count)
        for (i, resource) in resources.enumerated() {
            for ref in resource.dependencies {
                guard let j = index[ref] else {
                    warnings.append(
                        CartridgeMessage(
                            code: "unknownDependency", vi: "Tài nguyên phụ thuộc vào \"\(ref)\", không có trong imsmanifest.xml",
                            en: "The resource depends on \"\(ref)\", which is not in imsmanifest.xml", resource: resource.identifier,
                            path: "imsmanifest.xml", line: resource.line))
                    continue
                }
                if !dependencies[i].contains(j) {
                    dependencies[i].append(j)
                    dependents[j].append(i)
                }
            }
        }
        // Cycles: an iterative depth-first search (a chain of 10,000 resources must not overflow the stack).
        var state = [UInt8](repeating: 0, count: resources.count)  // 0 new, 1 on the path, 2 done
        for start in resources.indices where state[start] == 0 {
            var stack: [(node: Int, next: Int)] = [(start, 0)]
            state[start] = 1
            while let top = stack.last {
                if top.next < dependencies[top.node].count {
                    stack[stack.count - 1].next += 1
                    let child = dependencies[top.node][top.next]
                    if state[child] == 1 {
                        let cycleStart = stack.firstIndex { $0.node == child } ?? 0
                        let ids = stack[cycleStart...].map { resources[$0.node].identifier } + [resources[child].identifier]
                        throw .circularDependency(ids)
                    }
                    if state[child] == 0 {
                        state[child] = 1
                        stack.append((child, 0))
                    }
                } else {
                    state[top.node] = 2
                    stack.removeLast()
                }
            }
        }
    }

    /// The outline's title of each resource (the first item in document order) and every referenced identifier.
    private mutating func collectItemTitles() {
        var titles: [String: String] = [:]
        var referenced: Set<String> = []
        func walk(_ items: [ItemNode]) {
            for item in items {
                if let ref = item.reference {
                    referenced.insert(ref)
                    if !item.title.isEmpty, titles[ref] == nil { titles[ref] = item.title }
                }
                walk(item.children)
            }
        }
        model.organisations.forEach(walk)
        itemTitles = titles
        inOutline = referenced
    }

    private func role(of i: Int) -> Role {
        let resource = model.resources[i]
        let type = resource.type.lowercased()
        let path = paths[i]
        let inOutline = inOutline.contains(resource.identifier)
        let isDependency = !dependents[i].isEmpty
        if type == "webcontent" {
            if let target = resource.variantOf, index[target] != nil { return .variant }
            if isDependency, !inOutline { return .support }
            return .webContent
        }
        if type.hasPrefix("imswl_xmlv") { return .webLink }
        if type.hasPrefix("imsbasiclti_xmlv") { return .lti }
        if type.hasPrefix("imsdt_xmlv") { return .discussion }
        if type.hasPrefix("assignment_xmlv") { return .assignment }
        if type.hasPrefix("imsqti_xmlv1p2") || type == "imsqti_xmlv1p1" {
            if type.hasSuffix("/question-bank") { return .questions(bank: true) }
            if type.hasSuffix("/assessment") || type == "imsqti_xmlv1p2" || type == "imsqti_xmlv1p1" { return .questions(bank: false) }
            return .unsupported
        }
        if type.hasPrefix("associatedcontent/") {
            let href = path.href ?? (path.files.count == 1 ? path.files[0] : "")
            if href.lowercased().hasSuffix(".xml.qti"), !isDependency { return .canvasQTI }
            if let settings = path.files.first(where: { $0.hasSuffix("/assignment_settings.xml") || $0 == "assignment_settings.xml" }) {
                return .canvasAssignment(settings: settings)
            }
            if resource.intendedUse?.lowercased() == "syllabus" || href.hasSuffix("course_settings/syllabus.html") { return .syllabus }
            if href.hasPrefix("course_settings/") { return .ignored(.canvasCourseSettings) }
            if isDependency {
                let onlyXML = !path.files.isEmpty && path.files.allSatisfy { $0.lowercased().hasSuffix(".xml") || $0.lowercased().hasSuffix(".qti") }
                let users = dependents[i].map { model.resources[$0].type.lowercased() }
                if onlyXML, users.contains(where: { $0.hasPrefix("imsqti_") }) { return .ignored(.canvasQuizSettings) }
                if onlyXML, users.contains(where: { $0.hasPrefix("imsdt_") }) { return .ignored(.canvasTopicSettings) }
                return .support
            }
            return .ignored(.unsupportedAssociatedContent)
        }
        return .unsupported
    }

    /// Files every material needs must be in the archive. A few missing ones are worked around (their resource
    /// or file is left out, with a message); more than half missing means a truncated or stripped cartridge.
    private mutating func checkFiles() throws(CartridgeError) {
        var needed: Set<String> = []
        for (i, role) in roles.enumerated() {
            switch role {
            case .ignored, .unsupported, .variant: continue
            default:
                if let href = paths[i].href { needed.insert(href) }
                needed.formUnion(paths[i].files)
            }
        }
        for path in needed where locate(path) == nil { missing.insert(path) }
        if !missing.isEmpty, missing.count * 2 > needed.count { throw .missingFiles(missing.sorted()) }
    }

    /// The archive path for a manifest path: as written, percent-decoded, or without a query or fragment.
    func locate(_ path: String) -> String? {
        if archive.contains(path) { return path }
        if let decoded = path.removingPercentEncoding, decoded != path, archive.contains(decoded) { return decoded }
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            let trimmed = String(path[..<cut])
            if archive.contains(trimmed) { return trimmed }
            if let decoded = trimmed.removingPercentEncoding, archive.contains(decoded) { return decoded }
        }
        return nil
    }

    // MARK: Materials

    private mutating func plan(_ i: Int) -> PlannedResource? {
        let resource = model.resources[i]
        switch roles[i] {
        case .support:
            // Pages carry their files in their bundle and question sets as question media; others do not.
            let carries: (Role) -> Bool = { role in
                switch role {
                case .webContent, .questions, .canvasQTI: true
                default: false
                }
            }
            if dependents[i].contains(where: { !carries(roles[$0]) }) { note(.attachmentsNotCarried) }
            return nil
        case .variant:
            note(.variantFallback)
            return nil
        case .ignored(let kind):
            note(kind)
            return nil
        case .unsupported:
            if let k = unsupportedTypes.firstIndex(where: { $0.type == resource.type }) {
                unsupportedTypes[k].count += 1
            } else {
                unsupportedTypes.append((resource.type, 1))
            }
            return nil
        case .webContent: return webContent(i)
        case .webLink: return webLink(i)
        case .lti: return ltiLink(i)
        case .discussion, .assignment: return textResource(i)
        case .canvasAssignment(let settings): return canvasAssignment(i, settings: settings)
        case .questions(let bank): return questions(i, isBank: bank)
        case .canvasQTI: return canvasQuestions(i)
        case .syllabus: return syllabus(i)
        }
    }

    private mutating func webContent(_ i: Int) -> PlannedResource? {
        let resource = model.resources[i]
        let path = paths[i]
        guard let declared = path.href ?? path.files.first(where: PathRules.isHTML) ?? path.files.first else {
            drop(i, code: "emptyResource", vi: "Tài nguyên không có tệp nào", en: "The resource has no file")
            return nil
        }
        guard let launch = locate(declared) else { return dropMissing(i, declared) }
        let fileName = PathRules.fileName(launch)
        if PathRules.isHTML(launch) {
            var files: [String] = [launch]
            var seen: Set<String> = [launch]
            func add(_ candidate: String) {
                if let found = locate(candidate), seen.insert(found).inserted { files.append(found) }
            }
            for file in path.files {
                if locate(file) == nil { warnMissing(i, file) } else { add(file) }
            }
            // Files of the resources it depends on (and theirs).
            var stack = dependencies[i]
            var visited: Set<Int> = [i]
            while let j = stack.popLast() {
                guard visited.insert(j).inserted else { continue }
                let type = model.resources[j].type.lowercased()
                guard type == "webcontent" || type.hasPrefix("associatedcontent/") else { continue }
                if let href = paths[j].href { add(href) }
                paths[j].files.forEach(add)
                stack.append(contentsOf: dependencies[j])
            }
            if let data = try? archive.data(launch, limit: CartridgeReader.maxResourceBytes) {
                for reference in HTMLReferences.localFiles(in: data, documentPath: launch) { add(reference) }
            }
            let metadata = metadata(for: i, fallbackTitle: fileName)
            if files.count == 1 {
                return PlannedResource(
                    identifier: resource.identifier, type: resource.type, kind: .lesson, format: "text/html", metadata: metadata,
                    content: .file(path: launch), dependencies: dependencyIDs(i))
            }
            return PlannedResource(
                identifier: resource.identifier, type: resource.type, kind: .lesson, format: "html5", metadata: metadata,
                content: .bundle(launch: launch, files: files), dependencies: dependencyIDs(i))
        }
        let extra = path.files.filter { $0 != declared && $0 != launch }
        if !extra.isEmpty {
            drop(
                i, code: "extraFilesNotCarried", vi: "Chỉ giữ \(fileName); \(extra.count) tệp khác của tài nguyên không được mang theo",
                en: "Only \(fileName) is kept; \(extra.count) other files of the resource are not carried")
        }
        let mediaType = MediaTypes.resolve(declared: nil, fileName: launch)
        let kind: MaterialKind = mediaType.hasPrefix("video/") ? .video : MediaTypes.kind(for: mediaType)
        return PlannedResource(
            identifier: resource.identifier, type: resource.type, kind: kind, format: mediaType, metadata: metadata(for: i, fallbackTitle: fileName),
            content: .file(path: launch), dependencies: dependencyIDs(i))
    }

    /// The descriptor XML of a resource (its href, or its first file), parsed; nil (and a message) when unusable.
    private mutating func descriptor(_ i: Int) -> (path: String, root: HoclieuXML.XMLElement)? {
        let path = paths[i]
        guard let declared = path.href ?? path.files.first(where: { $0.lowercased().hasSuffix(".xml") }) ?? path.files.first else {
            drop(i, code: "emptyResource", vi: "Tài nguyên không có tệp nào", en: "The resource has no file")
            return nil
        }
        guard let found = locate(declared) else {
            _ = dropMissing(i, declared)
            return nil
        }
        do {
            let data = try archive.data(found, limit: CartridgeReader.maxResourceBytes)
            let document: HoclieuXML.XMLDocument
            do {
                document = try HoclieuXML.XMLDocument(data: data)
            } catch XMLError.malformed(let diagnostics) where !diagnostics.isEmpty && diagnostics.allSatisfy({ $0.message.contains("is not a valid URI") }) {
                // LibreTexts writes `xmlns:xsi="http: //…"`: a namespace error, not a broken document.
                document = try HoclieuXML.XMLDocument(data: HTMLReferences.repairNamespaceURIs(data))
                repairedNamespaces += 1
            }
            guard let root = document.root else { throw XMLError.malformed([]) }
            if version == .v1p1, let namespace = root.namespaceURI, let schema = CartridgeSchemas.resourceSchema(for: namespace) {
                let violations = schema.validate(document)
                let room = max(0, 10 - resourceSchemaViolations)
                resourceSchemaViolations += violations.count
                if room > 0 {
                    warnings += CartridgeSchemas.messages(for: violations, path: found, resource: model.resources[i].identifier, limit: room)
                        .filter { $0.line > 0 || violations.count <= room }
                }
            }
            return (found, root)
        } catch {
            drop(
                i, code: "unreadableResource", vi: "Không đọc được \(found): \(error)", en: "\(found) cannot be read: \(error)", path: found)
            return nil
        }
    }

    private mutating func webLink(_ i: Int) -> PlannedResource? {
        guard let (path, root) = descriptor(i) else { return nil }
        let url = root.firstLocalChild("url")?.attribute("href")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !url.isEmpty else {
            drop(i, code: "invalidResource", vi: "Liên kết web không có địa chỉ (url href)", en: "The web link has no address (url href)", path: path)
            return nil
        }
        let title = root.firstLocalChild("title")?.text.trimmed
        let resource = model.resources[i]
        return PlannedResource(
            identifier: resource.identifier, type: resource.type, kind: .link, format: "imswl",
            metadata: metadata(for: i, ownTitle: title, fallbackTitle: url), content: .webLink(url: url, descriptor: path),
            dependencies: dependencyIDs(i))
    }

    private mutating func ltiLink(_ i: Int) -> PlannedResource? {
        guard let (path, root) = descriptor(i) else { return nil }
        let launch = root.firstLocalChild("launch_url")?.text.trimmed.nonEmpty ?? root.firstLocalChild("secure_launch_url")?.text.trimmed.nonEmpty
        guard let launch else {
            drop(i, code: "invalidResource", vi: "Liên kết LTI không có launch_url", en: "The LTI link has no launch_url", path: path)
            return nil
        }
        let resource = model.resources[i]
        var metadata = metadata(for: i, ownTitle: root.firstLocalChild("title")?.text.trimmed, fallbackTitle: launch)
        if metadata.description.isEmpty, let description = root.firstLocalChild("description")?.text.trimmed { metadata.description = description }
        return PlannedResource(
            identifier: resource.identifier, type: resource.type, kind: .link, format: "imsbasiclti", metadata: metadata,
            content: .ltiLink(launchURL: launch, descriptor: path), dependencies: dependencyIDs(i))
    }

    /// Discussion topics (imsdt) and CC 1.3 assignments (assignment_xmlv1p0): a title and an HTML text.
    private mutating func textResource(_ i: Int) -> PlannedResource? {
        guard let (path, root) = descriptor(i) else { return nil }
        let resource = model.resources[i]
        let isDiscussion = roles[i] == .discussion
        let html = CartridgeReader.topicHTML(root)
        if FileBase.tokens.contains(where: html.contains) { note(.fileReferencesNotCarried) }
        if isDiscussion, !(root.firstLocalChild("attachments")?.children.isEmpty ?? true) { note(.attachmentsNotCarried) }
        return PlannedResource(
            identifier: resource.identifier, type: resource.type, kind: .document, format: isDiscussion ? "imsdt" : "canvas-assignment",
            metadata: metadata(for: i, ownTitle: root.firstLocalChild("title")?.text.trimmed, fallbackTitle: PathRules.fileName(path)),
            content: .text(html: html, descriptor: path), dependencies: dependencyIDs(i))
    }

    /// A CC 1.1 Canvas assignment: `assignment_settings.xml` (title) and an HTML page (the instructions).
    private mutating func canvasAssignment(_ i: Int, settings: String) -> PlannedResource? {
        let resource = model.resources[i]
        guard let settingsPath = locate(settings) else { return dropMissing(i, settings) }
        var title: String?
        if let data = try? archive.data(settingsPath, limit: CartridgeReader.maxResourceBytes), let document = try? HoclieuXML.XMLDocument(data: data) {
            title = document.root?.firstLocalChild("title")?.text.trimmed.nonEmpty
        }
        var html = ""
        let page = paths[i].href ?? paths[i].files.first(where: PathRules.isHTML)
        if let page {
            guard let found = locate(page) else { return dropMissing(i, page) }
            if let data = try? archive.data(found, limit: CartridgeReader.maxResourceBytes) { html = HTMLText.body(String(decoding: data, as: UTF8.self)) }
        }
        if FileBase.tokens.contains(where: html.contains) { note(.fileReferencesNotCarried) }
        return PlannedResource(
            identifier: resource.identifier, type: resource.type, kind: .document, format: "canvas-assignment",
            metadata: metadata(for: i, ownTitle: title, fallbackTitle: PathRules.fileName(page ?? settings)),
            content: .text(html: html, descriptor: settingsPath), dependencies: dependencyIDs(i))
    }

    private mutating func syllabus(_ i: Int) -> PlannedResource? {
        let resource = model.resources[i]
        guard let declared = paths[i].href ?? paths[i].files.first else { return nil }
        guard let found = locate(declared) else { return dropMissing(i, declared) }
        guard let data = try? archive.data(found, limit: CartridgeReader.maxResourceBytes) else { return nil }
        let html = HTMLText.body(String(decoding: data, as: UTF8.self))
        guard !HTMLText.plain(html).isEmpty else {
            drop(i, code: "emptySyllabus", vi: "Đề cương của Canvas trống", en: "The Canvas syllabus is empty", path: found)
            return nil
        }
        if FileBase.tokens.contains(where: html.contains) { note(.fileReferencesNotCarried) }
        let course = model.lom.title.map { "\($0) – Syllabus" } ?? "Syllabus"
        return PlannedResource(
            identifier: resource.identifier, type: resource.type, kind: .document, format: "canvas-syllabus",
            metadata: metadata(for: i, fallbackTitle: course), content: .text(html: html, descriptor: found), dependencies: dependencyIDs(i))
    }

    private mutating func questions(_ i: Int, isBank: Bool) -> PlannedResource? {
        let path = paths[i]
        var declared = path.href ?? path.files.first(where: { $0.lowercased().hasSuffix(".xml") || $0.lowercased().hasSuffix(".qti") }) ?? path.files.first
        if declared == nil {
            // Canvas keeps its own copy of the quiz in a dependency (`non_cc_assessments/….xml.qti`).
            let paths = self.paths
            declared = dependencies[i].flatMap { paths[$0].files }.first { $0.lowercased().hasSuffix(".xml.qti") }
            if let declared {
                warnings.append(
                    CartridgeMessage(
                        code: "questionFileFromDependency", vi: "Bài kiểm tra không khai báo tệp QTI; dùng bản của Canvas \(declared)",
                        en: "The assessment lists no QTI file; Canvas' copy \(declared) is used", resource: model.resources[i].identifier, path: declared))
            }
        }
        guard let declared else {
            drop(i, code: "emptyResource", vi: "Bài kiểm tra không có tệp QTI", en: "The assessment has no QTI file")
            return nil
        }
        return importQuestions(i, declared: declared, isBank: isBank)
    }

    private mutating func canvasQuestions(_ i: Int) -> PlannedResource? {
        guard let declared = paths[i].href ?? paths[i].files.first else { return nil }
        guard let found = locate(declared), let head = try? archive.data(found, limit: CartridgeReader.maxResourceBytes) else {
            return dropMissing(i, declared)
        }
        let isBank = String(decoding: head.prefix(4096), as: UTF8.self).contains("<objectbank")
        return importQuestions(i, declared: found, isBank: isBank)
    }

    private mutating func importQuestions(_ i: Int, declared: String, isBank: Bool) -> PlannedResource? {
        let resource = model.resources[i]
        guard let found = locate(declared) else { return dropMissing(i, declared) }
        let data: Data
        do {
            data = try archive.data(found, limit: CartridgeReader.maxResourceBytes)
        } catch {
            drop(i, code: "unreadableResource", vi: "Không đọc được \(found): \(error)", en: "\(found) cannot be read: \(error)", path: found)
            return nil
        }
        let options = QuestionImportOptions(partial: true, idPrefix: resource.identifier + "-q", maxBytes: CartridgeReader.maxResourceBytes)
        // The files the questions refer to (images…) come with them as question media.
        let archive = self.archive
        let result = QTIFormats.importPackageFile(
            data, path: found, packagePaths: Set(archive.paths), read: { try? archive.data($0, limit: CartridgeReader.maxResourceBytes) },
            options: options)
        if let error = result.report.fileErrors.first {
            drop(
                i, code: "unreadableQuestions", vi: "Không đọc được câu hỏi trong \(found): \(error.vietnamese)",
                en: "The questions of \(found) cannot be read: \(error.english)", path: found)
            return nil
        }
        return PlannedResource(
            identifier: resource.identifier, type: resource.type, kind: .questionSet, format: "qti12",
            metadata: metadata(for: i, ownTitle: QTITitle.find(in: data), fallbackTitle: PathRules.fileName(found)),
            content: .questions(result, isBank: isBank, descriptor: found), dependencies: dependencyIDs(i))
    }

    // MARK: Messages

    private mutating func dropMissing(_ i: Int, _ path: String) -> PlannedResource? {
        drop(
            i, code: "missingFile", vi: "Thiếu tệp \(path) trong gói: tài nguyên bị bỏ qua", en: "The file \(path) is not in the archive: the resource is left out",
            path: path)
        return nil
    }

    /// Identifiers must be unique. A repeated identifier that something refers to (an item, a dependency)
    /// makes the reference ambiguous: the cartridge is refused. One that nothing refers to (real Canvas
    /// exports have them) is an `xs:ID` defect the import works around: the later resources get a suffix
    /// (`id~2`) and a warning.
    private mutating func separateDuplicates() throws(CartridgeError) {
        var seen: [String: Int] = [:]
        var repeated: [Int] = []
        for (i, resource) in model.resources.enumerated() {
            if seen[resource.identifier] != nil { repeated.append(i) } else { seen[resource.identifier] = 1 }
        }
        guard !repeated.isEmpty else { return }
        var referenced: Set<String> = []
        func collect(_ items: [ItemNode]) {
            for item in items {
                if let reference = item.reference { referenced.insert(reference) }
                collect(item.children)
            }
        }
        model.organisations.forEach(collect)
        for resource in model.resources {
            referenced.formUnion(resource.dependencies)
            if let variant = resource.variantOf { referenced.insert(variant) }
        }
        let ambiguous = Set(repeated.map { model.resources[$0].identifier }.filter { referenced.contains($0) })
        if !ambiguous.isEmpty { throw .duplicateIdentifiers(ambiguous.sorted()) }
        for i in repeated {
            let id = model.resources[i].identifier
            var n = seen[id]! + 1
            while seen["\(id)~\(n)"] != nil { n += 1 }
            seen[id] = n
            seen["\(id)~\(n)"] = 1
            model.resources[i].identifier = "\(id)~\(n)"
            warnings.append(
                CartridgeMessage(
                    code: "duplicateIdentifier",
                    vi: "Định danh \(id) được dùng cho nhiều tài nguyên; tài nguyên sau được nhập với định danh \(id)~\(n)",
                    en: "The identifier \(id) names several resources; the later one is imported as \(id)~\(n)",
                    resource: "\(id)~\(n)", path: "imsmanifest.xml"))
        }
    }

    private mutating func warnMissing(_ i: Int, _ path: String) {
        warnings.append(
            CartridgeMessage(
                code: "missingFile", vi: "Thiếu tệp \(path) trong gói", en: "The file \(path) is not in the archive", resource: model.resources[i].identifier,
                path: path))
    }

    private mutating func drop(_ i: Int, code: String, vi: String, en: String, path: String? = nil) {
        dropped.append(CartridgeMessage(code: code, vi: vi, en: en, resource: model.resources[i].identifier, path: path, line: path == nil ? model.resources[i].line : 0))
    }

    private mutating func note(_ kind: DropKind) { dropCounts[kind, default: 0] += 1 }

    private mutating func finishDropped() {
        for kind in DropKind.allCases {
            guard let count = dropCounts[kind] else { continue }
            dropped.append(CartridgeMessage(code: kind.rawValue, vi: "\(kind.vietnamese) (\(count))", en: "\(kind.english) (\(count))"))
        }
        for (type, count) in unsupportedTypes {
            dropped.append(
                CartridgeMessage(
                    code: "unsupportedResourceType", vi: "Loại tài nguyên \"\(type)\" chưa được hỗ trợ: bỏ qua \(count) tài nguyên",
                    en: "The resource type \"\(type)\" is not supported: \(count) resources left out"))
        }
    }

    // MARK: Metadata and outline

    private func dependencyIDs(_ i: Int) -> [String] { dependencies[i].map { model.resources[$0].identifier } }

    /// Title: the outline's, the resource file's own, its LOM's, else `fallbackTitle`; the rest from resource LOM, then course LOM.
    private func metadata(for i: Int, ownTitle: String? = nil, fallbackTitle: String) -> MaterialMetadata {
        let resource = model.resources[i]
        let title = itemTitles[resource.identifier] ?? ownTitle?.nonEmpty ?? resource.lom.title ?? fallbackTitle
        return Metadata.resource(resource.lom, course: model.lom, title: title)
    }

    /// Drops items whose resource is unknown (warning) or not planned (already reported), keeping folders.
    private mutating func prune(_ items: [ItemNode], planned: Set<String>, titles: [String: String]) -> [CartridgeItem] {
        var result: [CartridgeItem] = []
        for item in items {
            let children = prune(item.children, planned: planned, titles: titles)
            var reference = item.reference
            if let ref = reference {
                if index[ref] == nil {
                    warnings.append(
                        CartridgeMessage(
                            code: "unknownItemResource", vi: "Mục \"\(item.title)\" trỏ tới tài nguyên \"\(ref)\" không có trong imsmanifest.xml: bỏ qua",
                            en: "The item \"\(item.title)\" points to \"\(ref)\", which is not in imsmanifest.xml: left out", resource: ref,
                            path: "imsmanifest.xml", line: item.line))
                    reference = nil
                } else if !planned.contains(ref) {
                    reference = nil
                }
                if reference == nil, children.isEmpty { continue }
            }
            let title = item.title.isEmpty ? reference.flatMap { titles[$0] } ?? "" : item.title
            result.append(CartridgeItem(identifier: item.identifier, title: title, resource: reference, children: children))
        }
        return result
    }
}

extension HoclieuXML.XMLElement {
    /// The first child element with this local name, whatever its namespace.
    func firstLocalChild(_ name: String) -> HoclieuXML.XMLElement? { children.first { $0.name == name } }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
    var nonEmpty: String? { trimmed.isEmpty ? nil : self }
}

/// The title of a QTI 1.2 assessment (`<assessment title>`) or Canvas bank (`bank_title`), from the first bytes.
enum QTITitle {
    static func find(in data: Data) -> String? {
        let head = String(decoding: data.prefix(16 << 10), as: UTF8.self)
        if let range = head.range(of: "<assessment"), let title = attribute("title", in: head[range.upperBound...]) { return title }
        if let label = head.range(of: "bank_title</fieldlabel>"), let open = head[label.upperBound...].range(of: "<fieldentry>"),
            let close = head[open.upperBound...].range(of: "</fieldentry>")
        {
            return HTMLText.decodeEntities(String(head[open.upperBound..<close.lowerBound])).trimmed.nonEmpty
        }
        return nil
    }

    private static func attribute(_ name: String, in text: Substring) -> String? {
        guard let end = text.firstIndex(of: ">") else { return nil }
        let tag = text[..<end]
        guard let start = tag.range(of: " \(name)=\"") else { return nil }
        guard let close = tag[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return HTMLText.decodeEntities(String(tag[start.upperBound..<close])).trimmed.nonEmpty
    }
}
