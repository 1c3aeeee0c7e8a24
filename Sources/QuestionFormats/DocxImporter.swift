import ContentPackages
public import Foundation
import HoclieuCore
import HoclieuXML

/// Reads questions from Word .docx files written the way Vietnamese teachers write tests.
///
/// **Questions** start with `Câu N.`, `Câu N:`, `Bài N.`, `Question N` or a bare `N.` (the next
/// number). **Options** are `A.`–`H.` (or `A)`), one per line or several on a line separated by tabs.
/// The **right option** is marked by any of: a `*` before its letter, an `Đáp án: B` (or
/// `Chọn B`) line under the question, an answer key at the end (see below), or formatting that
/// sets exactly one option apart — underline, red text (`w:color` FF0000 or close), bold or a
/// highlight, on its letter or on its whole text. Formatting used as the mark is removed from the option's HTML.
/// An option whose letter is italic is kept in place when options are shuffled.
///
/// **Đúng/Sai clusters** are a stem followed by statements `a)`–`d)`; a statement is true when it
/// ends with `Đ`/`(Đ)`/`Đúng` (false with `S`/`Sai`), when its letter is underlined or red (or bold,
/// when not every letter is), or as the answer key says. **Numeric answers** follow `Đáp số:`,
/// `ĐS:` or `Đáp án:` (decimal comma or point, sign allowed).
///
/// **Parts** `Phần I`, `PHẦN II`, `Phần III` (the 2025 exam layout) make their questions single
/// choice, Đúng/Sai clusters and numeric answers respectively, unless the heading names its kind
/// (`TỰ LUẬN`: essays and whatever the content shows; `đúng sai`; `trả lời ngắn`; `nhiều phương án`
/// or `trắc nghiệm`); the part becomes the question's category (`Phần II`), and short answers must
/// fit the 4-character answer box. Question numbers may restart in each part. **Worked solutions** follow `Lời giải`, `Hướng dẫn giải` or `Giải:`.
/// `HẾT` ends the test: what follows is ignored except an **answer key**, which is a `ĐÁP ÁN`
/// section, a list (`1-A`, `1A`, `1.A`, `Câu 1: A`, `1-ĐSSĐ`, `Câu 13` then `a) Đ` lines, `Câu 19: 2,5`)
/// or a Word table pairing question numbers with letters, Đ/S strings or numbers.
///
/// Word's automatic numbering (`word/numbering.xml`, e.g. `Câu %1.` or `%1.` in upper-case
/// letters) counts as the text it shows. Office Math becomes MathML, pictures become ``QuestionMedia`` referenced as
/// `@@PLUGINFILE@@/name` from the HTML, MathType equations are kept as their preview picture with a
/// warning, and text in the TCVN3 (ABC) or VNI encodings is converted to Unicode.
///
/// Import policy and report are those of the other importers: an invalid question never enters
/// silently, and by default one invalid question means nothing is imported
/// (``QuestionImportOptions/partial`` imports the valid ones). Locations are paragraph numbers:
/// ``QuestionSourceLocation/line`` is the 1-based number of the paragraph in document order
/// (paragraphs inside tables count). Messages name the question as the document does
/// (`Câu 7`, or `Câu 2 (Phần II)` when numbers restart in each part).
public enum DocxImporter {
    /// Imports a .docx given as bytes (written to a temporary file to be read as an archive).
    public static func importQuestions(from data: Data, options: QuestionImportOptions = QuestionImportOptions()) -> QuestionImportResult {
        guard data.count <= options.maxBytes else { return failure(Messages.fileTooLarge(options.maxBytes), options: options) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-docx-\(UUID().uuidString).docx")
        do {
            try data.write(to: url)
        } catch {
            return failure(
                .init(code: "unreadableFile", vi: "Không ghi được tệp tạm để đọc", en: "Cannot write a temporary file to read"), options: options)
        }
        defer { try? FileManager.default.removeItem(at: url) }
        return importQuestions(contentsOf: url, options: options)
    }

    /// Imports a .docx file (the size limit is checked before reading).
    public static func importQuestions(contentsOf url: URL, options: QuestionImportOptions = QuestionImportOptions()) -> QuestionImportResult {
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue
        guard let size else {
            return failure(
                .init(code: "unreadableFile", vi: "Không đọc được tệp \(url.lastPathComponent)", en: "Cannot read \(url.lastPathComponent)"),
                options: options)
        }
        guard size <= options.maxBytes else { return failure(Messages.fileTooLarge(options.maxBytes), options: options) }
        let body: DocxBody
        switch readBody(url, options: options) {
        case .success(let read): body = read
        case .failure(let message): return failure(message, options: options)
        }
        var parser = DocxQuestionParser(body: body, accumulator: ImportAccumulator(format: .docx, options: options))
        parser.parse()
        return parser.accumulator.finish()
    }

    private static func failure(_ message: QuestionFormatMessage, options: QuestionImportOptions) -> QuestionImportResult {
        var accumulator = ImportAccumulator(format: .docx, options: options)
        accumulator.fileErrors.append(message)
        return accumulator.finish()
    }

    /// Limits for the archive: a Word file has few parts, none of which expands 200-fold past 1 MiB.
    static func archiveLimits(_ options: QuestionImportOptions) -> ArchiveLimits {
        ArchiveLimits(maxEntries: 10_000, maxExpandedBytes: Int64(max(options.maxBytes, 1) * 8), maxRatio: 200)
    }

    /// Opens the archive, finds and parses the main document, its relationships and default font.
    static func readBody(_ url: URL, options: QuestionImportOptions) -> Result<DocxBody, QuestionFormatMessage> {
        let archive: SafeArchive
        do {
            archive = try SafeArchive(url: url, limits: archiveLimits(options))
        } catch {
            return .failure(archiveMessage(error))
        }
        let partLimit = min(options.maxBytes * 8, 256 << 20)
        let documentPath = mainDocumentPath(archive)
        guard archive.contains(documentPath) else {
            return .failure(
                .init(
                    code: "missingDocument", vi: "Tệp không có phần văn bản chính (\(documentPath)): không phải tệp Word .docx",
                    en: "The file has no main document part (\(documentPath)): not a Word .docx file"
                ))
        }
        let document: XMLDocument
        do {
            let data = try archive.data(documentPath, limit: partLimit)
            document = try XMLDocument(data: data, options: XMLParseOptions(maxBytes: partLimit))
        } catch let error as ArchiveError {
            return .failure(archiveMessage(error))
        } catch let error as XMLError {
            return .failure(xmlMessage(error, part: documentPath))
        } catch {
            return .failure(.init(code: "unreadableFile", vi: "Không đọc được \(documentPath)", en: "Cannot read \(documentPath)"))
        }
        guard let root = document.root, root.name == "document", root.namespaceURI == DocxReader.w else {
            return .failure(
                .init(
                    code: "notWordDocument", vi: "\(documentPath) không phải là văn bản WordprocessingML (w:document)",
                    en: "\(documentPath) is not a WordprocessingML document (w:document)"
                ))
        }
        let relationships = readRelationships(archive, for: documentPath)
        var reader = DocxReader(
            archive: archive, documentPath: documentPath, relationships: relationships,
            styles: styles(archive, relationships: relationships, documentPath: documentPath),
            mediaLimit: min(options.maxBytes, 64 << 20)
        )
        if let target = relationships.values.first(where: { $0.target.hasSuffix("numbering.xml") && !$0.external })?.target {
            let base = documentPath.lastIndex(of: "/").map { String(documentPath[...$0]) } ?? ""
            reader.numbering = DocxNumbering(archive: archive, path: DocxReader.resolve(target, from: base))
        }
        return .success(reader.read(root))
    }

    /// The target of the package's `officeDocument` relationship, or `word/document.xml`.
    static func mainDocumentPath(_ archive: SafeArchive) -> String {
        guard let data = try? archive.data("_rels/.rels", limit: 1 << 20), let xml = try? XMLDocument(data: data), let root = xml.root else {
            return "word/document.xml"
        }
        for relationship in root.children where relationship.name == "Relationship" {
            if relationship.attribute("Type")?.hasSuffix("/officeDocument") == true, let target = relationship.attribute("Target") {
                return DocxReader.resolve(target, from: "")
            }
        }
        return "word/document.xml"
    }

    /// The relationships of a part (`word/_rels/document.xml.rels` for `word/document.xml`).
    static func readRelationships(_ archive: SafeArchive, for part: String) -> [String: DocxReader.Relationship] {
        let slash = part.lastIndex(of: "/")
        let directory = slash.map { String(part[...$0]) } ?? ""
        let name = slash.map { String(part[part.index(after: $0)...]) } ?? part
        guard let data = try? archive.data(directory + "_rels/" + name + ".rels", limit: 4 << 20), let xml = try? XMLDocument(data: data),
            let root = xml.root
        else { return [:] }
        var result: [String: DocxReader.Relationship] = [:]
        for relationship in root.children where relationship.name == "Relationship" {
            guard let id = relationship.attribute("Id"), let target = relationship.attribute("Target") else { continue }
            result[id] = .init(target: target, external: relationship.attribute("TargetMode") == "External")
        }
        return result
    }

    /// The styles part, when there is one.
    static func styles(_ archive: SafeArchive, relationships: [String: DocxReader.Relationship], documentPath: String) -> DocxStyleSheet? {
        let base = documentPath.lastIndex(of: "/").map { String(documentPath[...$0]) } ?? ""
        let target =
            relationships.values.first { $0.target.hasSuffix("styles.xml") && !$0.target.hasSuffix("stylesWithEffects.xml") && !$0.external }?.target
            ?? "styles.xml"
        return DocxStyleSheet(archive: archive, path: DocxReader.resolve(target, from: base))
    }

    static func archiveMessage(_ error: ArchiveError) -> QuestionFormatMessage {
        switch error {
        case .unreadable:
            return .init(
                code: "notDocx", vi: "Tệp không phải là tệp Word .docx (không đọc được dạng nén ZIP): \(error)",
                en: "The file is not a Word .docx file (not a readable ZIP archive): \(error)"
            )
        case .tooLarge, .suspiciousRatio, .tooManyEntries, .entryTooLarge:
            return .init(
                code: "unsafeArchive", vi: "Tệp .docx bị từ chối vì quá lớn khi giải nén: \(error)",
                en: "The .docx file is refused: it expands too much: \(error)")
        case .unsafePath, .symlink:
            return .init(
                code: "unsafeArchive", vi: "Tệp .docx bị từ chối vì có đường dẫn không an toàn: \(error)",
                en: "The .docx file is refused: unsafe entry: \(error)")
        case .missingEntry(let path):
            return .init(code: "missingDocument", vi: "Tệp .docx thiếu \(path)", en: "The .docx file has no \(path)")
        }
    }

    static func xmlMessage(_ error: XMLError, part: String) -> QuestionFormatMessage {
        switch error {
        case .malformed(let diagnostics):
            let first = diagnostics.first
            return .init(
                code: "malformedXML", vi: "\(part) không phải XML hợp lệ: \(first?.message ?? "")",
                en: "\(part) is not well-formed XML: \(first?.message ?? "")",
                location: QuestionSourceLocation(line: first?.line ?? 0, column: first?.column ?? 0, path: part)
            )
        case .doctypeNotAllowed:
            return .init(
                code: "doctypeNotAllowed", vi: "\(part) có khai báo DOCTYPE (có thể là tấn công XXE): bị từ chối",
                en: "\(part) has a DOCTYPE declaration (a possible XXE attack): refused", location: .init(line: 0, path: part)
            )
        case .tooLarge(let limit):
            return .init(
                code: "fileTooLarge", vi: "\(part) lớn hơn \(limit) byte", en: "\(part) is larger than \(limit) bytes",
                location: .init(line: 0, path: part))
        case .tooDeep(let limit):
            return .init(
                code: "malformedXML", vi: "\(part) lồng sâu quá \(limit) mức", en: "\(part) nests deeper than \(limit) levels",
                location: .init(line: 0, path: part))
        default:
            return .init(
                code: "malformedXML", vi: "Không đọc được \(part): \(error)", en: "Cannot read \(part): \(error)",
                location: .init(line: 0, path: part))
        }
    }
}
