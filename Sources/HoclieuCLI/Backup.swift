import ArgumentParser
import Foundation
import HoclieuCore
import HoclieuApp
import HoclieuStorage
import ZIPFoundation

/// `hoclieu backup FILE`: a consistent copy while the service runs (``Services/writeBackup(to:by:)``: the
/// archive is a ZIP of `manifest.json`, the database copy and `blobs/ab/<sha256>`).
struct Backup: ReportingCommand {
    static let configuration = CommandConfiguration(abstract: "Sao lưu / Back up the data folder.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "The backup file to write (.zip).") var file: String

    func execute() async throws -> BackupReport {
        let target = try InputFile.checkOutput(file)
        guard !FileManager.default.fileExists(atPath: target.path) else { throw ValidationError("\(file) exists already") }
        // The one implementation, shared with `POST /api/v1/backups`.
        return try await common.openRepository().writeBackup(to: target)
    }
}

/// `hoclieu restore FILE`: brings a backup back into the data folder.
///
/// Everything is unpacked and verified (names, hashes, database integrity) in a temporary folder
/// beside the target; only then is the target replaced. A bad archive leaves the target untouched.
struct Restore: ReportingCommand {
    static let configuration = CommandConfiguration(abstract: "Khôi phục / Restore a backup (service stopped).")

    @OptionGroup var common: CommonOptions
    @Argument(help: "The backup file.") var file: String
    @Flag(help: "Replace an existing data folder (it is kept as DATA.replaced-TIMESTAMP).") var force = false

    struct Report: Encodable, CustomStringConvertible {
        var data: String
        var materials: Int
        var blobs: Int
        var description: String { "Đã khôi phục / restored \(materials) materials, \(blobs) blobs into \(data)" }
    }

    static let maxDatabaseBytes: Int64 = 64 << 30

    func execute() async throws -> Report {
        let source = try InputFile.check(file)
        guard InputFile.isZip(source) else {
            throw InputFileError.wrongKind(file, expected: "bản sao lưu .zip của `hoclieu backup` / a .zip backup made by `hoclieu backup`")
        }
        let target = common.dataURL
        let fm = FileManager.default
        let location = try common.configuration().storeLocation()
        guard location == .sqlite(Services.databaseURL(in: target)) else {
            throw ValidationError("hoclieu restore brings back a data folder with its SQLite database; the store here is \(location)")
        }
        if fm.fileExists(atPath: Services.databaseURL(in: target).path), !force {
            throw ValidationError("\(target.path) already holds a database; use --force to replace it")
        }
        let archive = try Archive(url: source, accessMode: .read)
        let staging = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).restore-\(UUID().uuidString)")
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        do {
            let blobs = try BlobStore(root: Services.blobsURL(in: staging))
            var restoredBlobs = Set<ContentID>()
            var sawDatabase = false
            for entry in archive {
                // Only the names a backup writes are accepted: no paths of the archive's choosing.
                if entry.path == "hoclieu.sqlite" || entry.path == "manifest.json" {
                    guard Int64(entry.uncompressedSize) <= Self.maxDatabaseBytes else { throw ValidationError("\(entry.path) too large") }
                    _ = try archive.extract(entry, to: staging.appendingPathComponent(entry.path))
                    sawDatabase = sawDatabase || entry.path == "hoclieu.sqlite"
                    continue
                }
                if entry.path == Services.backupDatabaseEntry(.postgreSQL("")) {
                    throw ValidationError("this backup holds a PostgreSQL dump: restore it with the database's own tools (see docs/deploy.md)")
                }
                let parts = entry.path.split(separator: "/")
                guard entry.type == .file, parts.count == 3, parts[0] == "blobs", let id = ContentID(rawValue: String(parts[2])),
                    parts[1] == id.rawValue.prefix(2)
                else { throw ValidationError("unexpected archive entry '\(entry.path)'") }
                let writer = try blobs.makeWriter()
                _ = try archive.extract(entry, skipCRC32: false) { chunk in try chunk.withUnsafeBytes { try writer.write($0) } }
                let stored = try writer.commit()
                guard stored.contentID == id else {
                    blobs.remove(stored.contentID)
                    throw ValidationError("blob \(id) does not match its hash")
                }
                restoredBlobs.insert(id)
            }
            guard sawDatabase else { throw ValidationError("no hoclieu.sqlite in the backup") }
            let configuration = try common.configuration()
            let store = try Services.openStore(.sqlite(Services.databaseURL(in: staging)), pidPrefix: configuration.pidPrefix)
            let report = try await Check.check(store, blobs)
            guard report.ok else { throw ValidationError("the restored data fails its check:\n\(report)") }
            let materials = try await store.statistics().materials

            if fm.fileExists(atPath: target.path) {
                let stamp = Int(Date().timeIntervalSince1970)
                try fm.moveItem(at: target, to: target.deletingLastPathComponent().appendingPathComponent("\(target.lastPathComponent).replaced-\(stamp)"))
            }
            try fm.moveItem(at: staging, to: target)
            return Report(data: target.path, materials: materials, blobs: restoredBlobs.count)
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
    }
}
