public import Foundation
public import HoclieuCore
public import QuestionFormats

// The shared vocabulary of the cartridge reader (``CartridgeReader``) and writer (``CartridgeWriter``).
// The reader turns a cartridge into a ``CartridgePlan`` (what would become materials and questions, with
// every warning and loss); the repository turns the plan into stored materials in one transaction. The
// writer turns a ``CartridgeExportRequest`` (materials already read from the repository) into a cartridge.

/// A Common Cartridge version, as its manifest declares it.
public enum CartridgeVersion: String, Sendable, Codable, Hashable, CaseIterable {
    case v1p0 = "1.0"
    case v1p1 = "1.1"
    case v1p2 = "1.2"
    case v1p3 = "1.3"
    /// Thin Common Cartridge 1.2 (links only).
    case thin1p2 = "thin-1.2"
    /// Thin Common Cartridge 1.3 (links only).
    case thin1p3 = "thin-1.3"
}

/// A message of an import or export report, in Vietnamese and English, with where it applies.
public struct CartridgeMessage: Sendable, Codable, Hashable, CustomStringConvertible {
    /// A stable code, e.g. `schemaViolation`, `missingFile`, `unsupportedResourceType`, `narrowed`.
    public var code: String
    public var vietnamese: String
    public var english: String
    /// The manifest resource identifier it is about, when it is about one.
    public var resource: String?
    /// The archive path it is about (a file, the manifest), when known.
    public var path: String?
    /// 1-based line in `path`, 0 when unknown.
    public var line: Int

    public init(code: String, vi: String, en: String, resource: String? = nil, path: String? = nil, line: Int = 0) {
        self.code = code
        self.vietnamese = vi
        self.english = en
        self.resource = resource
        self.path = path
        self.line = line
    }

    /// `english (resource, path:line)`.
    public var description: String {
        var place: [String] = []
        if let resource { place.append(resource) }
        if let path { place.append(line > 0 ? "\(path):\(line)" : path) }
        return place.isEmpty ? english : "\(english) (\(place.joined(separator: ", ")))"
    }
}

/// One node of the cartridge's organisation (the course outline).
public struct CartridgeItem: Sendable, Codable, Equatable {
    /// The manifest `item` identifier.
    public var identifier: String
    public var title: String
    /// The resource the item shows (`identifierref`); nil for a folder (module, week…).
    public var resource: String?
    public var children: [CartridgeItem]

    public init(identifier: String, title: String, resource: String? = nil, children: [CartridgeItem] = []) {
        self.identifier = identifier
        self.title = title
        self.resource = resource
        self.children = children
    }
}

/// What one manifest resource becomes.
public struct PlannedResource: Sendable {
    /// How the resource's content is to be stored.
    public enum Content: Sendable {
        /// One archive entry, stored as it is (a PDF, a video, an image, a single HTML page without local references).
        case file(path: String)
        /// An HTML page with the local files it uses: stored as one HTML5 package (a zip with the cartridge
        /// paths kept), `$IMS-CC-FILEBASE$` references rewritten relative to each HTML file
        /// (``CartridgeReader/rewriteFileBase(_:documentPath:)``).
        case bundle(launch: String, files: [String])
        /// A web link (imswl); `descriptor` is the archive path of its XML, stored as the version file.
        case webLink(url: String, descriptor: String)
        /// A Basic LTI link (imsbasiclti); `descriptor` is the archive path of its XML.
        case ltiLink(launchURL: String, descriptor: String)
        /// A discussion topic (imsdt) or a Canvas assignment: its HTML text; `descriptor` is its XML.
        case text(html: String, descriptor: String)
        /// A CC QTI assessment or question bank: the questions, as the QTI module read them
        /// (its report holds every per-question error and narrowing). `descriptor` is the QTI file.
        case questions(QuestionImportResult, isBank: Bool, descriptor: String)
    }

    /// The manifest resource identifier (stable across re-exports of the same course: the provenance key).
    public var identifier: String
    /// The manifest `type` as written, e.g. `imsdt_xmlv1p1`.
    public var type: String
    public var kind: MaterialKind
    /// The material format: a media type for files, or `html5`, `imswl`, `imsbasiclti`, `imsdt`,
    /// `canvas-assignment`, `qti12`.
    public var format: String
    /// Title (from the organisation item, the resource's own XML or LOM, or the file name), description,
    /// language, keywords and licence from resource-level LOM.
    public var metadata: MaterialMetadata
    public var content: Content
    /// Identifiers of resources this one depends on (after resolution; unknown ones are reported and dropped).
    public var dependencies: [String]

    public init(
        identifier: String, type: String, kind: MaterialKind, format: String, metadata: MaterialMetadata, content: Content,
        dependencies: [String] = []
    ) {
        self.identifier = identifier
        self.type = type
        self.kind = kind
        self.format = format
        self.metadata = metadata
        self.content = content
        self.dependencies = dependencies
    }
}

/// Everything an import learned from a cartridge, before anything is stored.
public struct CartridgePlan: Sendable {
    public var version: CartridgeVersion
    /// The manifest's `identifier` attribute (with the version, the provenance of the course package).
    public var identifier: String
    /// Manifest-level LOM: the course's title, description, language, keywords, licence.
    public var metadata: MaterialMetadata
    /// The organisation tree (empty when the manifest has none).
    public var organisation: [CartridgeItem]
    /// The resources that become materials, in manifest order. Files that only serve other resources
    /// (images of a page, a Canvas settings file) are not here.
    public var resources: [PlannedResource]
    /// Schema violations and other defects the import worked around.
    public var warnings: [CartridgeMessage]
    /// What was left out or narrowed, and why (an unsupported resource type, a Canvas-only setting, a question type).
    public var dropped: [CartridgeMessage]
    /// Whether the manifest was validated against an official schema, and with what result:
    /// nil when the corpus has no schema for the version (CC 1.2/1.3), true when valid.
    public var schemaValid: Bool?

    public init(
        version: CartridgeVersion, identifier: String, metadata: MaterialMetadata, organisation: [CartridgeItem] = [],
        resources: [PlannedResource] = [], warnings: [CartridgeMessage] = [], dropped: [CartridgeMessage] = [], schemaValid: Bool? = nil
    ) {
        self.version = version
        self.identifier = identifier
        self.metadata = metadata
        self.organisation = organisation
        self.resources = resources
        self.warnings = warnings
        self.dropped = dropped
        self.schemaValid = schemaValid
    }
}

// MARK: Export

/// What a cartridge is written as.
public enum CartridgeExportFormat: String, Sendable, Codable, Hashable, CaseIterable {
    case cc1p1 = "cc1.1"
    case cc1p2 = "cc1.2"
    case cc1p3 = "cc1.3"
    /// Links back to Hoclieu (LTI 1.3 resource links or web links) instead of files.
    case thinCC1p3 = "thin-cc1.3"
}

/// An LMS whose importer has known needs (see `Connectors/<name>/`).
public enum CartridgeTarget: String, Sendable, Codable, Hashable, CaseIterable {
    case moodle
    case canvas
}

/// One catalogue alignment of a material, written as a LOM classification taxon path
/// (môn → lớp → mạch/chủ đề → bài → yêu cầu cần đạt).
public struct TaxonPath: Sendable, Codable, Equatable {
    /// The catalogue's name, e.g. `GDPT 2018`.
    public var source: String
    /// From the root (subject) down to the unit: (code, label).
    public var taxa: [Taxon]

    public struct Taxon: Sendable, Codable, Equatable {
        public var id: String
        public var entry: String
        public init(id: String, entry: String) {
            self.id = id
            self.entry = entry
        }
    }

    public init(source: String, taxa: [Taxon]) {
        self.source = source
        self.taxa = taxa
    }
}

/// The settings of a Basic LTI link for one platform (`blti:extensions platform="…"`), e.g. Canvas's
/// `privacy_level` and `domain`: the LMS of that platform configures the tool it creates from them
/// (Canvas: `lib/cc/importer/blti_converter.rb`, `convert_blti_link`).
public struct LTIPlatformSettings: Sendable, Equatable {
    public var platform: String
    /// `lticm:property` name → value.
    public var properties: [String: String]

    public init(platform: String, properties: [String: String]) {
        self.platform = platform
        self.properties = properties
    }
}

/// One material to write into a cartridge.
public struct ExportItem: Sendable {
    public enum Content: Sendable {
        /// A plain file on disk (a blob), written under `fileName`.
        case file(source: URL, fileName: String, mediaType: String)
        /// A zip package on disk (SCORM, HTML5, H5P…): its entries are written as one webcontent resource
        /// launched at `launch` (or as a plain file when `launch` is nil).
        case package(source: URL, fileName: String, launch: String?)
        case webLink(url: String)
        /// A Basic LTI link (LTI 1.1 in the cartridge; the LMS re-registers the tool).
        case ltiLink(launchURL: String, customParameters: [String: String])
        /// A discussion topic.
        case discussion(html: String)
        /// An assignment (its instructions as HTML): a gradable `assignment_xmlv1p0` resource in CC 1.3, a
        /// page where the version has no assignment resource (Moodle's CC 1.1 reader has none).
        case assignment(html: String)
        /// An assessment (quiz) or a question bank.
        case questions([Question], isBank: Bool)
    }

    /// A stable identifier, unique in the cartridge, valid as an `xs:ID` (e.g. `R_` + the PID without dots).
    public var identifier: String
    /// The material's PID (written in LOM `identifier`).
    public var pid: String
    public var metadata: MaterialMetadata
    /// Catalogue alignments, written as LOM classification taxon paths.
    public var taxonPaths: [TaxonPath]
    /// Where the material lives in Hoclieu (`/id/{pid}`), for thin cartridges and LOM `location`.
    public var landingURL: String
    /// The LTI 1.3 launch URL for this material, when Hoclieu is registered as a tool (thin cartridges).
    public var ltiLaunchURL: String?
    public var content: Content
    /// Platform settings of an LTI link, as the cartridge it came from had them (written back as `blti:extensions`).
    public var ltiSettings: [LTIPlatformSettings]

    public init(
        identifier: String, pid: String, metadata: MaterialMetadata, taxonPaths: [TaxonPath] = [], landingURL: String,
        ltiLaunchURL: String? = nil, content: Content, ltiSettings: [LTIPlatformSettings] = []
    ) {
        self.ltiSettings = ltiSettings
        self.identifier = identifier
        self.pid = pid
        self.metadata = metadata
        self.taxonPaths = taxonPaths
        self.landingURL = landingURL
        self.ltiLaunchURL = ltiLaunchURL
        self.content = content
    }
}

/// A node of the exported organisation.
public struct ExportNode: Sendable, Equatable {
    public var title: String
    /// The ``ExportItem/identifier`` shown; nil for a folder.
    public var item: String?
    public var children: [ExportNode]

    public init(title: String, item: String? = nil, children: [ExportNode] = []) {
        self.title = title
        self.item = item
        self.children = children
    }
}

/// Everything a cartridge is written from.
public struct CartridgeExportRequest: Sendable {
    public var format: CartridgeExportFormat
    public var target: CartridgeTarget?
    /// The manifest identifier (deterministic: derived from what is exported).
    public var identifier: String
    /// The course-level metadata (title, description, language, keywords, licence).
    public var metadata: MaterialMetadata
    /// The outline; when empty, every item in order at the top level.
    public var organisation: [ExportNode]
    public var items: [ExportItem]

    public init(
        format: CartridgeExportFormat, target: CartridgeTarget? = nil, identifier: String, metadata: MaterialMetadata,
        organisation: [ExportNode] = [], items: [ExportItem]
    ) {
        self.format = format
        self.target = target
        self.identifier = identifier
        self.metadata = metadata
        self.organisation = organisation
        self.items = items
    }
}

/// What an export wrote and every loss on the way.
public struct CartridgeExportReport: Sendable, Codable {
    public var format: CartridgeExportFormat
    public var target: CartridgeTarget?
    /// Resources written, by manifest type.
    public var resourceTypes: [String: Int]
    public var files: Int
    public var bytes: Int64
    /// QTI items written (a question may become several; an empty question set is left out and reported).
    public var questionItems: Int
    /// Every narrowing or omission (a question type narrowed, a package flattened, a field CC cannot carry).
    public var losses: [CartridgeMessage]

    public init(
        format: CartridgeExportFormat, target: CartridgeTarget?, resourceTypes: [String: Int] = [:], files: Int = 0, bytes: Int64 = 0,
        questionItems: Int = 0, losses: [CartridgeMessage] = []
    ) {
        self.format = format
        self.target = target
        self.resourceTypes = resourceTypes
        self.files = files
        self.bytes = bytes
        self.questionItems = questionItems
        self.losses = losses
    }
}
