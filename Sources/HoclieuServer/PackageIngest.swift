import ContentPackages
import Foundation
import HTTPTypes
public import HoclieuCore
public import HoclieuStorage
import NIOPosix

/// A stored file, described for its version: media type, text for the search index and, for a content
/// package, what the package says about itself.
public struct IngestedFile: Sendable {
    public var fileName: String
    public var mediaType: String
    public var extractedText: String?
    public var package: PackageSummary?
    /// A first-page image, already in the blob store (PDFs, when `pdftoppm` is installed).
    public var thumbnail: StoredBlob?
    var report: PackageReport?

    /// The material kind the file most likely is: packages are lessons, or simulations for H5P and GeoGebra.
    public var suggestedKind: MaterialKind {
        switch report?.kind {
        case .h5p?, .geogebra?: .simulation
        case .some: .lesson
        case nil: MediaTypes.kind(for: mediaType)
        }
    }

    /// The metadata with the package's own values filled in where the teacher left a field empty: the
    /// teacher's values always win. The title and language are only taken when the caller says they
    /// were not chosen (a default title made from the file name, a default language).
    public func prefilled(_ metadata: MaterialMetadata, titleChosen: Bool = true, languageChosen: Bool = true) -> MaterialMetadata {
        guard let report else { return metadata }
        var m = metadata
        if !titleChosen, let title = report.title?.trimmingCharacters(in: .whitespacesAndNewlines), !title.isEmpty { m.title = title }
        if !languageChosen, let language = report.language?.trimmingCharacters(in: .whitespaces), !language.isEmpty { m.language = language }
        if m.description.isEmpty, let description = report.description { m.description = description }
        if m.keywords.isEmpty { m.keywords = report.keywords }
        if m.authors.isEmpty { m.authors = report.authors }
        // H5P writes "U" for an undisclosed licence: nothing to prefill then.
        if m.licence == nil, let licence = report.licence, licence != "U", !licence.isEmpty { m.licence = licence }
        return m.normalised()
    }
}

extension Repository {
    /// Describes a file already in the blob store. Archives (`.zip`, `.h5p`, `.ggb`, zip media types) are
    /// inspected as content packages on NIO's thread pool; an ordinary zip stays a plain file, and a broken or
    /// hostile package is a 422 `invalid-package` with the inspector's reason in Vietnamese and English.
    ///
    /// The HTTP upload and `hoclieu import` both go through here, so a file is judged the same way
    /// whichever door it came in by.
    public func describe(_ blob: StoredBlob, fileName: String, declaredType: String?) async throws -> IngestedFile {
        let url = blobs.url(for: blob.contentID)
        let mediaType = MediaTypes.resolve(declared: declaredType, fileName: fileName)
        let report = try await PackageIngest.report(of: url, fileName: fileName, mediaType: mediaType)
        let text = TextExtraction.extract(mediaType: mediaType, byteSize: blob.byteSize) { try Data(contentsOf: url) }
        var thumbnail: StoredBlob?
        if mediaType == "application/pdf", let png = await Thumbnails.pdfFirstPage(url) {
            let writer = try blobs.makeWriter()
            try png.withUnsafeBytes { try writer.write($0) }
            thumbnail = try writer.commit()
        }
        return IngestedFile(
            fileName: fileName, mediaType: mediaType, extractedText: text, package: report.map(PackageIngest.summary), thumbnail: thumbnail,
            report: report)
    }

    /// Removes blobs a failed ingestion stored, unless something else already refers to them.
    public func discard(_ stored: [StoredBlob?]) async {
        for case let blob? in stored where blob.isNew {
            if (try? await store.isReferenced(blob.contentID)) == false { blobs.remove(blob.contentID) }
        }
    }
}

/// Recognises content packages among uploaded files and refuses broken ones.
enum PackageIngest {
    static let archiveTypes: Set<String> = ["application/zip", "application/x-zip-compressed", "application/octet-stream", "application/vnd.geogebra.file"]
    static let archiveExtensions: Set<String> = ["zip", "h5p", "ggb"]

    static func summary(_ report: PackageReport) -> PackageSummary {
        PackageSummary(
            kind: report.kind.rawValue, title: report.title, launch: report.launch, scoCount: report.scos.count,
            entryCount: report.entryCount, expandedBytes: report.expandedBytes, warnings: report.warnings)
    }

    /// The package report of an archive; nil for files that are not archives, or archives that are no
    /// content package (an ordinary zip).
    static func report(of url: URL, fileName: String, mediaType: String) async throws -> PackageReport? {
        let ext = (fileName as NSString).pathExtension.lowercased()
        guard archiveTypes.contains(mediaType) || archiveExtensions.contains(ext) else { return nil }
        let result: Result<PackageReport, PackageError> = try await NIOThreadPool.singleton.runIfActive {
            do throws(PackageError) { return .success(try PackageInspector.inspect(url)) } catch { return .failure(error) }
        }
        switch result {
        case .success(let report):
            return report
        case .failure(.notAPackage):
            return nil
        case .failure(.archive(.unreadable)) where !archiveExtensions.contains(ext):
            return nil  // octet-stream that is not a zip at all
        case .failure(let error):
            let parts = error.description.components(separatedBy: " / ")
            throw Problem(
                .unprocessableContent, "invalid-package", vi: parts.first ?? error.description,
                en: parts.count > 1 ? parts.dropFirst().joined(separator: " / ") : error.description)
        }
    }
}
