import ArgumentParser
import Foundation
import HoclieuCore
import HoclieuApp
import HoclieuStorage
import Logging
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

/// `hoclieu restore FILE`: brings a backup back.
///
/// Everything is unpacked and verified (names, hashes, database integrity) in a temporary folder beside the data
/// folder before anything is replaced. Into SQLite (the default store): the data folder is replaced (`--force` when
/// it holds a database; the old one is kept aside). Into PostgreSQL (`--database-url` / `HOCLIEU_DATABASE_URL`), which
/// must be an empty database: a PostgreSQL backup is loaded with `pg_restore`, a SQLite backup is copied with
/// ``StoreCopy`` (as `hoclieu migrate-store` does); the blobs go into the data folder's blob folder first, so that
/// nothing the database refers to is ever missing. Either way `hoclieu check` must pass afterwards.
struct Restore: ReportingCommand {
    static let configuration = CommandConfiguration(abstract: "Khôi phục / Restore a backup (service stopped).")

    @OptionGroup var common: CommonOptions
    @Argument(help: "The backup file.") var file: String
    @Flag(help: "Replace an existing data folder (it is kept as DATA.replaced-TIMESTAMP; SQLite only).") var force = false

    struct Report: Encodable, CustomStringConvertible {
        var data: String
        var materials: Int
        var blobs: Int
        /// The store restored into (SQLite file or PostgreSQL URL, password masked).
        var store: String?
        var description: String {
            "Đã khôi phục / restored \(materials) materials, \(blobs) blobs into \(data)" + (store.map { " (store: \($0))" } ?? "")
        }
    }

    static let maxDatabaseBytes: Int64 = 64 << 30

    /// What an archive held once unpacked into a staging folder.
    struct Unpacked {
        var staging: URL
        var blobs: BlobStore
        var restoredBlobs: Set<ContentID>
        /// `hoclieu.sqlite` or `postgresql.dump`, inside `staging`.
        var database: URL
        var backend: String
    }

    func execute() async throws -> Report {
        let source = try InputFile.check(file)
        guard InputFile.isZip(source) else {
            throw InputFileError.wrongKind(file, expected: "bản sao lưu .zip của `hoclieu backup` / a .zip backup made by `hoclieu backup`")
        }
        let target = common.dataURL
        let configuration = try common.configuration()
        let location = try configuration.storeLocation()
        if case .postgreSQL(let url) = location { return try await restoreIntoPostgreSQL(source, url: url, configuration: configuration) }
        let fm = FileManager.default
        guard location == .sqlite(Services.databaseURL(in: target)) else {
            throw ValidationError("hoclieu restore brings back a data folder with its SQLite database, or into PostgreSQL (--database-url); the store here is \(location)")
        }
        if fm.fileExists(atPath: Services.databaseURL(in: target).path), !force {
            throw ValidationError("\(target.path) already holds a database; use --force to replace it")
        }
        let unpacked = try unpack(source, beside: target)
        let staging = unpacked.staging
        do {
            guard unpacked.backend == "sqlite" else {
                throw ValidationError("this backup holds a PostgreSQL dump: restore it into PostgreSQL with --database-url postgres://… (an empty database)")
            }
            let store = try Services.openStore(.sqlite(Services.databaseURL(in: staging)), pidPrefix: configuration.pidPrefix)
            let report = try await Check.check(store, unpacked.blobs)
            guard report.ok else { throw ValidationError("the restored data fails its check:\n\(report)") }
            let materials = try await store.statistics().materials

            if fm.fileExists(atPath: target.path) {
                let stamp = Int(Date().timeIntervalSince1970)
                try fm.moveItem(at: target, to: target.deletingLastPathComponent().appendingPathComponent("\(target.lastPathComponent).replaced-\(stamp)"))
            }
            try fm.moveItem(at: staging, to: target)
            return Report(data: target.path, materials: materials, blobs: unpacked.restoredBlobs.count, store: nil)
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
    }

    /// Restores into the empty PostgreSQL database at `url`; blobs into the data folder's blob folder.
    func restoreIntoPostgreSQL(_ source: URL, url: String, configuration: ServerConfiguration) async throws -> Report {
        let fm = FileManager.default
        let target = configuration.dataDirectory
        try fm.createDirectory(at: target, withIntermediateDirectories: true)
        let unpacked = try unpack(source, beside: target)
        defer { try? fm.removeItem(at: unpacked.staging) }
        var sqlite: SQLiteStore?
        if unpacked.backend == "sqlite" {
            // Checked before anything is written: a damaged backup never reaches the database.
            let store = try SQLiteStore(path: unpacked.database.path, pidPrefix: configuration.pidPrefix)
            let report = try await Check.check(store, unpacked.blobs)
            guard report.ok else { throw ValidationError("the backup fails its check:\n\(report)") }
            sqlite = store
        }
        // Blobs first: the database must never refer to a blob that is not there yet. Blobs are content-addressed,
        // so one already present is the same file.
        let blobs = try BlobStore(root: Services.blobsURL(in: target))
        for id in unpacked.restoredBlobs.sorted(by: { $0.rawValue < $1.rawValue }) {
            if try blobs.verify(id) == true { continue }
            let stored = try blobs.store(fileAt: unpacked.blobs.url(for: id))
            guard stored.contentID == id else { throw ValidationError("blob \(id) does not match its hash") }
        }
        if let sqlite {
            _ = try await MigrateStore.copy(sqlite, into: url, pidPrefix: configuration.pidPrefix)
        } else {
            var logger = Logger(label: "hoclieu.restore")
            logger.logLevel = .warning
            try await PostgresStore.restoreDump(unpacked.database, url: url, pidPrefix: configuration.pidPrefix, logger: logger)
        }
        let services = try Services.open(configuration)
        let report = try await Check.check(services.store, services.blobs)
        guard report.ok else { throw ValidationError("the restored store fails its check:\n\(report)") }
        return Report(
            data: target.path, materials: try await services.store.statistics().materials, blobs: unpacked.restoredBlobs.count,
            store: StoreLocation.masked(url))
    }

    /// Unpacks and verifies the archive into a new staging folder beside `target` (the caller removes it).
    func unpack(_ source: URL, beside target: URL) throws -> Unpacked {
        let fm = FileManager.default
        let archive = try Archive(url: source, accessMode: .read)
        let staging = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).restore-\(UUID().uuidString)")
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        do {
            let blobs = try BlobStore(root: Services.blobsURL(in: staging))
            var restoredBlobs = Set<ContentID>()
            var database: (URL, String)?
            let databaseEntries = [Services.backupDatabaseEntry(.sqlite(URL(fileURLWithPath: "/"))): "sqlite", Services.backupDatabaseEntry(.postgreSQL("")): "postgresql"]
            for entry in archive {
                // Only the names a backup writes are accepted: no paths of the archive's choosing.
                if let backend = databaseEntries[entry.path] {
                    guard database == nil else { throw ValidationError("two database copies in one backup") }
                    guard Int64(entry.uncompressedSize) <= Self.maxDatabaseBytes else { throw ValidationError("\(entry.path) too large") }
                    let url = staging.appendingPathComponent(entry.path)
                    _ = try archive.extract(entry, to: url)
                    database = (url, backend)
                    continue
                }
                if entry.path == "manifest.json" {
                    guard Int64(entry.uncompressedSize) <= Self.maxDatabaseBytes else { throw ValidationError("\(entry.path) too large") }
                    _ = try archive.extract(entry, to: staging.appendingPathComponent(entry.path))
                    continue
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
            guard let database else { throw ValidationError("no hoclieu.sqlite in the backup") }
            return Unpacked(staging: staging, blobs: blobs, restoredBlobs: restoredBlobs, database: database.0, backend: database.1)
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
    }
}
