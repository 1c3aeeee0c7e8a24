import ContentPackages
import Foundation
import HTTPTypes
import HoclieuCore
import NIOPosix

/// Recognises content packages among uploaded files and refuses broken ones.
enum PackageIngest {
    static let archiveTypes: Set<String> = ["application/zip", "application/x-zip-compressed", "application/octet-stream", "application/vnd.geogebra.file"]
    static let archiveExtensions: Set<String> = ["zip", "h5p", "ggb"]

    /// The package summary of an archive upload; nil for files that are not archives, or archives that are no
    /// content package (an ordinary zip). A broken package is a 422 with the inspector's reason.
    static func summary(of url: URL, fileName: String, mediaType: String) async throws -> PackageSummary? {
        let ext = (fileName as NSString).pathExtension.lowercased()
        guard archiveTypes.contains(mediaType) || archiveExtensions.contains(ext) else { return nil }
        let result: Result<PackageReport, PackageError> = try await NIOThreadPool.singleton.runIfActive {
            do throws(PackageError) { return .success(try PackageInspector.inspect(url)) } catch { return .failure(error) }
        }
        switch result {
        case .success(let report):
            return PackageSummary(
                kind: report.kind.rawValue, title: report.title, launch: report.launch, scoCount: report.scos.count,
                entryCount: report.entryCount, expandedBytes: report.expandedBytes, warnings: report.warnings)
        case .failure(.notAPackage):
            return nil
        case .failure(.archive(.unreadable)) where !archiveExtensions.contains(ext):
            return nil  // octet-stream that is not a zip at all
        case .failure(let error):
            let parts = error.description.components(separatedBy: " / ")
            throw Problem(
                .unprocessableContent, "invalid-package", vi: parts.first ?? error.description, en: parts.count > 1 ? parts.dropFirst().joined(separator: " / ") : error.description)
        }
    }
}
