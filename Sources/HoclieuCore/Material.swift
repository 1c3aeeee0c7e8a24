public import Foundation

/// What a material is, as a teacher would name it.
public enum MaterialKind: String, Codable, Sendable, CaseIterable {
    case lesson
    case simulation
    case document
    case video
    case link
    case questionSet = "question_set"
    case coursePackage = "course_package"
}

/// Who may see a material.
public enum Visibility: String, Codable, Sendable, CaseIterable {
    /// Anyone, signed in or not, and every harvester.
    case `public`
    /// Every signed-in user of the education sector.
    case sector
    /// Users of the owner's school.
    case school
    /// The owner (and administrators) only.
    case `private`
}

/// Where a material stands in review.
public enum MaterialStatus: String, Codable, Sendable, CaseIterable {
    case draft
    case submitted
    case inReview = "in_review"
    case changesRequested = "changes_requested"
    case published
    case rejected
    case withdrawn
}

/// Descriptive metadata of a material (the teacher's own values).
public struct MaterialMetadata: Codable, Sendable, Equatable {
    public var title: String
    public var description: String
    /// BCP 47 language tag; `vi` by default.
    public var language: String
    /// Subject codes, e.g. `TOAN`, `TINHOC`.
    public var subjects: [String]
    /// Grades 1–12.
    public var grades: [Int]
    /// Knowledge-unit codes of the catalogue, e.g. `TOAN.6.SD.2.3`.
    public var knowledgeUnits: [String]
    /// Free keywords (tags).
    public var keywords: [String]
    /// Licence identifier, e.g. `CC-BY-4.0`.
    public var licence: String?
    public var authors: [String]
    public var school: String?

    public init(
        title: String, description: String = "", language: String = "vi", subjects: [String] = [], grades: [Int] = [],
        knowledgeUnits: [String] = [], keywords: [String] = [], licence: String? = nil, authors: [String] = [],
        school: String? = nil
    ) {
        self.title = title
        self.description = description
        self.language = language
        self.subjects = subjects
        self.grades = grades
        self.knowledgeUnits = knowledgeUnits
        self.keywords = keywords
        self.licence = licence
        self.authors = authors
        self.school = school
    }

    /// The same metadata with every text in NFC and trimmed, lists de-duplicated in order.
    public func normalised() -> MaterialMetadata {
        func clean(_ s: String) -> String { VietnameseText.trimmed(VietnameseText.nfc(s)) }
        func cleanList(_ list: [String], upper: Bool = false) -> [String] {
            var seen = Set<String>()
            return list.map { upper ? clean($0).uppercased() : clean($0) }.filter { !$0.isEmpty && seen.insert($0).inserted }
        }
        var grades: [Int] = []
        for g in self.grades where !grades.contains(g) { grades.append(g) }
        return MaterialMetadata(
            title: clean(title), description: clean(description), language: clean(language).lowercased(),
            subjects: cleanList(subjects, upper: true), grades: grades.sorted(), knowledgeUnits: cleanList(knowledgeUnits, upper: true),
            keywords: cleanList(keywords), licence: licence.map(clean).flatMap { $0.isEmpty ? nil : $0 },
            authors: cleanList(authors), school: school.map(clean).flatMap { $0.isEmpty ? nil : $0 })
    }

    static let maxTitle = 500
    static let maxDescription = 20_000
    static let maxListValues = 50

    static func isLanguageTag(_ s: String) -> Bool { s.allSatisfy { $0.isLetter || $0 == "-" } && s.count <= 35 }
    static func isSubjectCode(_ s: String) -> Bool { s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } && s.count <= 32 }
    static func isUnitCode(_ s: String) -> Bool {
        s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") } && s.count <= 64
    }
    /// Control characters (NUL above all: C strings end there) never belong in metadata.
    static func isControl(_ c: Unicode.Scalar) -> Bool { (c.value < 0x20 && c != "\n" && c != "\t" && c != "\r") || c.value == 0x7F }
    static func hasControl(_ text: String) -> Bool { text.unicodeScalars.contains(where: isControl) }

    /// Every rule the metadata breaks, as field/problem pairs (empty when valid).
    public func violations() -> [FieldViolation] {
        var problems: [FieldViolation] = []
        if title.isEmpty { problems.append(.init(field: "title", problem: .required)) }
        if title.count > Self.maxTitle { problems.append(.init(field: "title", problem: .tooLong(max: Self.maxTitle))) }
        if description.count > Self.maxDescription { problems.append(.init(field: "description", problem: .tooLong(max: Self.maxDescription))) }
        if !language.isEmpty, !Self.isLanguageTag(language) { problems.append(.init(field: "language", problem: .invalid)) }
        for g in grades where !(1...12).contains(g) { problems.append(.init(field: "grades", problem: .outOfRange(min: 1, max: 12))) }
        for s in subjects where !Self.isSubjectCode(s) { problems.append(.init(field: "subjects", problem: .invalid)) }
        for u in knowledgeUnits where !Self.isUnitCode(u) { problems.append(.init(field: "knowledgeUnits", problem: .invalid)) }
        let texts: [(String, [String])] = [
            ("title", [title]), ("description", [description]), ("language", [language]), ("keywords", keywords), ("authors", authors),
            ("licence", licence.map { [$0] } ?? []), ("school", school.map { [$0] } ?? []), ("subjects", subjects),
            ("knowledgeUnits", knowledgeUnits),
        ]
        for (field, values) in texts where values.contains(where: Self.hasControl) {
            problems.append(.init(field: field, problem: .invalid))
        }
        for (field, list) in [("subjects", subjects), ("knowledgeUnits", knowledgeUnits), ("keywords", keywords), ("authors", authors)]
        where list.contains(where: { VietnameseText.trimmed($0).isEmpty }) {
            problems.append(.init(field: field, problem: .invalid))
        }
        if keywords.count > Self.maxListValues { problems.append(.init(field: "keywords", problem: .tooMany(max: Self.maxListValues))) }
        if authors.count > Self.maxListValues { problems.append(.init(field: "authors", problem: .tooMany(max: Self.maxListValues))) }
        return problems
    }

    /// The metadata changed as little as needed for ``violations()`` to be empty (metadata from other systems):
    /// control characters removed, texts and lists cut to their limits, invalid codes, grades and empty values
    /// dropped, `fallbackTitle` for an empty title and `vi` for an unusable language. Returns the names of the
    /// fields that were changed (an empty title replaced by the fallback is not counted).
    public func repaired(fallbackTitle: String) -> (metadata: MaterialMetadata, changed: [String]) {
        func clean(_ text: String) -> String { String(String.UnicodeScalarView(text.unicodeScalars.filter { !Self.isControl($0) })) }
        func cleanList(_ list: [String], valid: (String) -> Bool = { _ in true }, max: Int = .max) -> [String] {
            Array(list.map(clean).filter { !VietnameseText.trimmed($0).isEmpty && valid($0) }.prefix(max))
        }
        var m = self
        m.title = VietnameseText.trimmed(clean(title))
        if m.title.isEmpty { m.title = fallbackTitle }
        m.title = String(m.title.prefix(Self.maxTitle))
        m.description = String(clean(description).prefix(Self.maxDescription))
        m.language = clean(language)
        if m.language.isEmpty || !Self.isLanguageTag(m.language) { m.language = "vi" }
        m.grades = grades.filter { (1...12).contains($0) }
        m.subjects = cleanList(subjects, valid: Self.isSubjectCode)
        m.knowledgeUnits = cleanList(knowledgeUnits, valid: Self.isUnitCode)
        m.keywords = cleanList(keywords, max: Self.maxListValues)
        m.authors = cleanList(authors, max: Self.maxListValues)
        m.licence = licence.map(clean)
        m.school = school.map(clean)
        var changed: [String] = []
        if m.title != title, !(VietnameseText.trimmed(clean(title)).isEmpty && m.title == fallbackTitle) { changed.append("title") }
        if m.description != description { changed.append("description") }
        if m.language != language, !language.isEmpty { changed.append("language") }
        if m.grades != grades { changed.append("grades") }
        if m.subjects != subjects { changed.append("subjects") }
        if m.knowledgeUnits != knowledgeUnits { changed.append("knowledgeUnits") }
        if m.keywords != keywords { changed.append("keywords") }
        if m.authors != authors { changed.append("authors") }
        if m.licence != licence { changed.append("licence") }
        if m.school != school { changed.append("school") }
        return (m, changed)
    }
}

/// One broken rule of an input value.
public struct FieldViolation: Codable, Sendable, Equatable {
    public enum Problem: Codable, Sendable, Equatable {
        case required
        case tooLong(max: Int)
        case tooMany(max: Int)
        case outOfRange(min: Int, max: Int)
        case invalid
    }
    public var field: String
    public var problem: Problem

    public init(field: String, problem: Problem) {
        self.field = field
        self.problem = problem
    }

    /// A sentence in Vietnamese, then English.
    public var message: String { bilingual }
}

/// Where a material came from, for idempotent re-import.
public struct Provenance: Codable, Sendable, Equatable {
    /// The system it came from, e.g. `cli`, `upload`, `moodle:school-a`.
    public var sourceSystem: String
    /// Its identifier there (a file name, a cartridge resource id…).
    public var sourceIdentifier: String?

    public init(sourceSystem: String, sourceIdentifier: String? = nil) {
        self.sourceSystem = sourceSystem
        self.sourceIdentifier = sourceIdentifier
    }
}

/// A material: one persistent identifier, its metadata and its versions.
public struct Material: Codable, Sendable, Equatable, Identifiable {
    public var id: PersistentIdentifier { pid }
    public var pid: PersistentIdentifier
    public var kind: MaterialKind
    /// Media type of the current version's file, or a package format name (`scorm12`, `h5p`…); `text/uri-list` for links.
    public var format: String
    public var metadata: MaterialMetadata
    public var visibility: Visibility
    public var status: MaterialStatus
    /// The user who created it.
    public var ownerID: Int64
    /// The newest version number (0 before the first file).
    public var currentVersion: Int
    /// For links: the target URL.
    public var url: String?
    public var provenance: Provenance?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        pid: PersistentIdentifier, kind: MaterialKind, format: String, metadata: MaterialMetadata, visibility: Visibility,
        status: MaterialStatus, ownerID: Int64, currentVersion: Int, url: String?, provenance: Provenance?, createdAt: Date,
        updatedAt: Date
    ) {
        self.pid = pid
        self.kind = kind
        self.format = format
        self.metadata = metadata
        self.visibility = visibility
        self.status = status
        self.ownerID = ownerID
        self.currentVersion = currentVersion
        self.url = url
        self.provenance = provenance
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One immutable file version of a material.
public struct MaterialVersion: Codable, Sendable, Equatable {
    public var pid: PersistentIdentifier
    public var number: Int
    /// SHA-256 of the file (hex): the blob name and the content id of the version.
    public var contentID: ContentID
    public var fileName: String
    public var mediaType: String
    public var byteSize: Int64
    public var note: String?
    public var createdBy: Int64
    public var createdAt: Date
    /// What the file is as a content package (SCORM, H5P…), with the warnings reviewers see; nil for plain files.
    public var package: PackageSummary?
    /// A PNG of the first page (PDF), when a thumbnail tool was available at upload.
    public var thumbnail: ContentID?

    public init(
        pid: PersistentIdentifier, number: Int, contentID: ContentID, fileName: String, mediaType: String, byteSize: Int64,
        note: String?, createdBy: Int64, createdAt: Date, package: PackageSummary? = nil, thumbnail: ContentID? = nil
    ) {
        self.pid = pid
        self.number = number
        self.contentID = contentID
        self.fileName = fileName
        self.mediaType = mediaType
        self.byteSize = byteSize
        self.note = note
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.package = package
        self.thumbnail = thumbnail
    }
}

/// A content package as ingestion found it.
public struct PackageSummary: Codable, Sendable, Equatable {
    /// `scorm12`, `scorm2004`, `ims_cp`, `h5p`, `geogebra`, `html5`.
    public var kind: String
    public var title: String?
    public var launch: String?
    public var scoCount: Int
    public var entryCount: Int
    public var expandedBytes: Int64
    public var warnings: [String]

    public init(kind: String, title: String?, launch: String?, scoCount: Int, entryCount: Int, expandedBytes: Int64, warnings: [String]) {
        self.kind = kind
        self.title = title
        self.launch = launch
        self.scoCount = scoCount
        self.entryCount = entryCount
        self.expandedBytes = expandedBytes
        self.warnings = warnings
    }
}

/// A request's metadata fields, each optional (absent: unchanged). ``apply(to:)`` is the one place such a
/// request is applied to a material's metadata: the HTTP edit, the board's corrections and an LMS's push.
public protocol MetadataFields {
    var title: String? { get }
    var description: String? { get }
    var language: String? { get }
    var subjects: [String]? { get }
    var grades: [Int]? { get }
    var knowledgeUnits: [String]? { get }
    var keywords: [String]? { get }
    var licence: String? { get }
    var authors: [String]? { get }
    var school: String? { get }
}

extension MetadataFields {
    /// `m` with every field the request sets.
    public func apply(to m: MaterialMetadata) -> MaterialMetadata {
        var m = m
        if let title { m.title = title }
        if let description { m.description = description }
        if let language { m.language = language }
        if let subjects { m.subjects = subjects }
        if let grades { m.grades = grades }
        if let knowledgeUnits { m.knowledgeUnits = knowledgeUnits }
        if let keywords { m.keywords = keywords }
        if let licence { m.licence = licence }
        if let authors { m.authors = authors }
        if let school { m.school = school }
        return m
    }
}
