import ContentPackages
public import Foundation
public import HoclieuCore
import HoclieuXML
public import QuestionFormats

/// Entry point for QTI files and packages: detects QTI 1.2 / 2.x files and IMS content packages
/// (zip or unpacked folder with an `imsmanifest.xml`) and imports them with ``QTI12Importer`` or
/// ``QTI21Importer``.
///
/// The QTI formats are not in `QuestionFormatRegistry` (that module cannot depend on this one);
/// callers that accept QTI ask ``detect(_:fileName:)`` first and fall back to the registry.
public enum QTIFormats {
    /// What a file is, as far as QTI goes.
    public enum Kind: String, Sendable, Hashable {
        /// A QTI 1.2 XML file (`questestinterop`, or a Blackboard `POOL`).
        case qti12
        /// A QTI 2.x `assessmentItem`.
        case qti21
        /// A zip content package.
        case package
    }

    /// Guesses the kind from the first bytes; `nil` when the file is not QTI.
    public static func detect(_ data: Data, fileName: String? = nil) -> Kind? {
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .package }
        let head = String(decoding: data.prefix(16 * 1024), as: UTF8.self)
        if head.contains("<questestinterop") || head.contains("<POOL") { return .qti12 }
        if head.contains("<item "), head.contains("<itemmetadata") || head.contains("<presentation") { return .qti12 }
        if head.contains("<assessmentItem") || head.contains(":assessmentItem") || head.contains("http://www.imsglobal.org/xsd/imsqti_v2p")
            || head.contains("<assessmentTest") || head.contains("<responseProcessing")
        {
            return .qti21
        }
        return nil
    }

    /// Imports a QTI file or zip package given as bytes (a package is written to a temporary file
    /// and read with `SafeArchive`). A file that is not QTI gives one file error.
    public static func importQuestions(from data: Data, fileName: String? = nil, options: QuestionImportOptions = QuestionImportOptions())
        -> QuestionImportResult
    {
        switch detect(data, fileName: fileName) {
        case .qti12: return QTI12Importer.importQuestions(from: data, options: options)
        case .qti21: return QTI21Importer.importQuestions(from: data, options: options)
        case .package:
            guard data.count <= options.maxBytes else {
                var accumulator = QTIAccumulator(format: .qti21, options: options)
                accumulator.fileErrors.append(Messages.fileTooLarge(options.maxBytes))
                return accumulator.finish()
            }
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-qti-\(UUID().uuidString).zip")
            defer { try? FileManager.default.removeItem(at: url) }
            do {
                try data.write(to: url)
            } catch {
                var accumulator = QTIAccumulator(format: .qti21, options: options)
                accumulator.fileErrors.append(
                    .init(code: "unreadableFile", vi: "Không ghi được tệp tạm: \(error)", en: "Cannot write a temporary file: \(error)"))
                return accumulator.finish()
            }
            return importPackage(at: url, options: options)
        case nil:
            var accumulator = QTIAccumulator(format: .qti21, options: options)
            if QTIXML.isBlank(data) {
                accumulator.fileErrors.append(Messages.emptyFile)
                return accumulator.finish()
            }
            accumulator.fileErrors.append(
                .init(
                    code: "unknownFormat", vi: "Không nhận ra tệp QTI (questestinterop, assessmentItem hay gói nội dung .zip)",
                    en: "Not a QTI file (expected questestinterop, assessmentItem or a .zip content package)"
                ))
            return accumulator.finish()
        }
    }

    /// Imports one QTI file of a content package whose other files are at hand (a Common Cartridge's
    /// assessment or question bank): the package files its texts refer to — relative paths or
    /// `$IMS-CC-FILEBASE$` — become ``QuestionMedia``; a reference to a file the package lacks is a warning.
    /// - Parameters:
    ///   - path: the file's path in the package (references are resolved from its folder).
    ///   - read: the bytes of a package file by its path; nil when absent or refused.
    public static func importPackageFile(
        _ data: Data, path: String, packagePaths: Set<String>, read: @escaping @Sendable (String) -> Data?,
        options: QuestionImportOptions = QuestionImportOptions()
    ) -> QuestionImportResult {
        let files = PackageFiles(read: read, paths: packagePaths)
        let isQTI21 = detect(data, fileName: path) == .qti21
        var accumulator = QTIAccumulator(format: isQTI21 ? .qti21 : .qti12, options: options)
        if isQTI21 {
            QTI21Importer.read(data, path: path, files: files, into: &accumulator)
        } else {
            QTI12Importer.read(data, path: path, files: files, into: &accumulator)
        }
        if accumulator.entries.isEmpty, accumulator.fileErrors.isEmpty { accumulator.fileWarnings.append(QTIMessages.noQuestions) }
        return accumulator.finish()
    }

    /// Imports an IMS content package — a zip file or an unpacked folder — whose `imsmanifest.xml`
    /// lists QTI resources (`imsqti_xmlv1p2`, `imsqti_xmlv1p2/imscc_xmlv1p1/assessment`,
    /// `imsqti_item_xmlv2p1`/`v2p2`, Canvas question banks, D2L question libraries). Each QTI file is
    /// imported; files of the package referenced from the texts become ``QuestionMedia``. Tests
    /// (`imsqti_test_*`) are noted and skipped: their items are imported as their own resources.
    public static func importPackage(at url: URL, options: QuestionImportOptions = QuestionImportOptions()) -> QuestionImportResult {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            var accumulator = QTIAccumulator(format: .qti21, options: options)
            accumulator.fileErrors.append(
                .init(code: "unreadableFile", vi: "Không đọc được \(url.lastPathComponent)", en: "Cannot read \(url.lastPathComponent)"))
            return accumulator.finish()
        }
        let files: PackageFiles
        if isDirectory.boolValue {
            files = directoryFiles(url, maxBytes: options.maxBytes)
        } else {
            do {
                let archive = try SafeArchive(url: url, limits: ArchiveLimits(maxEntries: 20_000, maxExpandedBytes: Int64(options.maxBytes) * 8))
                let limit = options.maxBytes
                files = PackageFiles(read: { path in try? archive.data(path, limit: limit) }, paths: Set(archive.paths))
            } catch {
                var accumulator = QTIAccumulator(format: .qti21, options: options)
                accumulator.fileErrors.append(
                    .init(
                        code: "invalidPackage", vi: "Gói không đọc được hoặc không an toàn: \(error)",
                        en: "The package is unreadable or unsafe: \(error)"
                    ))
                return accumulator.finish()
            }
        }
        return importPackage(files, options: options)
    }

    static func directoryFiles(_ root: URL, maxBytes: Int) -> PackageFiles {
        let base = root.resolvingSymlinksInPath().standardizedFileURL
        var paths: Set<String> = []
        if let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let file as URL in enumerator {
                guard (try? file.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
                let full = file.resolvingSymlinksInPath().standardizedFileURL.path
                guard full.hasPrefix(base.path + "/") else { continue }
                paths.insert(String(full.dropFirst(base.path.count + 1)))
            }
        }
        let known = paths
        return PackageFiles(
            read: { path in
                guard known.contains(path) else { return nil }
                let file = base.appendingPathComponent(path)
                guard let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue, size <= maxBytes else {
                    return nil
                }
                return FileManager.default.contents(atPath: file.path)
            }, paths: paths)
    }

    static let qti12Types = [
        "imsqti_xmlv1p2", "imsqti_xmlv1p1", "imsqti_xmlv1p2/imscc_xmlv1p1/assessment", "imsqti_xmlv1p2/imscc_xmlv1p1/question-bank",
    ]

    static func importPackage(_ files: PackageFiles, options: QuestionImportOptions) -> QuestionImportResult {
        var accumulator = QTIAccumulator(format: .qti21, options: options)
        guard files.paths.contains("imsmanifest.xml"), let manifestData = files.read("imsmanifest.xml") else {
            accumulator.fileErrors.append(
                .init(
                    code: "missingManifest", vi: "Gói không có imsmanifest.xml", en: "The package has no imsmanifest.xml"
                ))
            return accumulator.finish()
        }
        let manifest: XMLDocument
        do {
            manifest = try QTIXML.parse(manifestData, maxBytes: options.maxBytes, allowDoctype: false)
        } catch {
            accumulator.fileErrors.append(QTIMessages.message(for: error, file: "imsmanifest.xml"))
            return accumulator.finish()
        }
        let resources = (try? manifest.select("//*[local-name()='resource']")) ?? []
        var sawQTI12 = false
        var sawQTI21 = false
        var imported: Set<String> = []
        for resource in resources {
            let type = resource.attribute("type") ?? ""
            let href = resource.attribute("href") ?? resource.kids("file").first?.attribute("href") ?? ""
            let materialType = resource.attributes.first { $0.name == "material_type" }?.value ?? ""
            let isQTI12 =
                qti12Types.contains(type) || materialType == "d2lquestionlibrary"
                || (type.hasPrefix("associatedcontent/") && href.hasSuffix(".xml.qti"))
            let isQTI21 = type.hasPrefix("imsqti_item_xmlv2p")
            if type.hasPrefix("imsqti_test_xmlv2p") || type.hasPrefix("imsqti_assessment_xmlv2p") {
                // A test is not a question; the items it refers to are imported (once each).
                guard let testPath = PackageFiles.resolve(href, relativeTo: ""), let testData = files.read(testPath),
                    let test = try? QTIXML.parse(testData, maxBytes: options.maxBytes, allowDoctype: false)
                else { continue }
                let references = (try? test.select("//*[local-name()='assessmentItemRef']")) ?? []
                for reference in references {
                    guard let itemHref = reference.attribute("href"), let itemPath = PackageFiles.resolve(itemHref, relativeTo: testPath),
                        imported.insert(itemPath).inserted
                    else { continue }
                    guard files.paths.contains(itemPath), let data = files.read(itemPath) else {
                        accumulator.fileErrors.append(
                            .init(
                                code: "missingResourceFile", vi: "Câu hỏi \(itemHref) của bài kiểm tra \(href) không có trong gói",
                                en: "The item \(itemHref) of the test \(href) is not in the package"
                            ))
                        continue
                    }
                    sawQTI21 = true
                    QTI21Importer.read(data, path: itemPath, files: files, into: &accumulator)
                }
                continue
            }
            guard isQTI12 || isQTI21, !href.isEmpty else { continue }
            guard let path = PackageFiles.resolve(href, relativeTo: ""), imported.insert(path).inserted else { continue }
            guard files.paths.contains(path), let data = files.read(path) else {
                accumulator.fileErrors.append(
                    .init(
                        code: "missingResourceFile", vi: "Tệp \(href) được khai báo trong imsmanifest.xml nhưng không có trong gói",
                        en: "The file \(href) is listed in imsmanifest.xml but is not in the package"
                    ))
                continue
            }
            if isQTI12 {
                if type == "imsqti_xmlv1p1" {
                    accumulator.fileWarnings.append(
                        .init(
                            code: "qti11ReadAs12", vi: "Tài nguyên \(href) khai báo QTI 1.1; được đọc như QTI 1.2",
                            en: "The resource \(href) says QTI 1.1; read as QTI 1.2"
                        ))
                }
                sawQTI12 = true
                QTI12Importer.read(data, path: path, files: files, into: &accumulator)
            } else {
                sawQTI21 = true
                QTI21Importer.read(data, path: path, files: files, into: &accumulator)
            }
        }
        if !sawQTI12 && !sawQTI21 && accumulator.fileErrors.isEmpty {
            accumulator.fileErrors.append(
                .init(
                    code: "noQTIResources", vi: "imsmanifest.xml không khai báo tài nguyên QTI nào", en: "imsmanifest.xml lists no QTI resource"
                ))
        }
        let format: QuestionFileFormat = sawQTI12 && !sawQTI21 ? .qti12 : .qti21
        var result = accumulator.finish()
        result.report.format = format
        return result
    }
}

extension QTIFormats {
    /// Validates XML documents against a local XSD, compiled once (imports resolved inside
    /// `allowedDirectories` or through the OASIS `catalog`; nothing is fetched). For each document,
    /// one message per violation with its line. Used to check exports against the CC 1.1 QTI
    /// profile or the QTI 2.1 schema.
    public static func validate(_ documents: [Data], schema: URL, allowedDirectories: [URL] = [], catalog: URL? = nil) throws
        -> [[QuestionFormatMessage]]
    {
        let compiled = try XMLSchema(contentsOf: schema, allowedDirectories: allowedDirectories, catalog: catalog)
        return try documents.map { data in
            let document = try XMLDocument(data: data)
            return compiled.validate(document).map { violation in
                let text = violation.message.trimmingCharacters(in: .whitespacesAndNewlines)
                return QuestionFormatMessage(
                    code: "schemaViolation", vi: "Không khớp lược đồ ở dòng \(violation.line): \(text)",
                    en: "Does not match the schema at line \(violation.line): \(text)",
                    location: QuestionSourceLocation(line: violation.line, column: violation.column)
                )
            }
        }
    }
}
