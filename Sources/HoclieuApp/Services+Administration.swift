import CASE
public import Foundation
public import HoclieuCore
public import HoclieuStorage
import ZIPFoundation

// The department's administration tasks (`/admin` and the command line): harvest sources, catalogue imports and
// backups. Each asks ``AccessPolicy/canAdminister(_:_:)``; the command line acts as ``User/localOperator``.

/// The interval of a harvest source as people write it: `30m`, `6h`, `1d`, or plain seconds.
public enum HarvestInterval {
    /// Seconds of `text`; nil when it is not an interval (checked, so that no input overflows).
    public static func seconds(_ text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        let (digits, unit) = text.last.flatMap { units[$0] }.map { (text.dropLast(), $0) } ?? (Substring(text), 1)
        guard digits.count <= 6, digits.allSatisfy(\.isASCII), let n = Int(digits), n > 0 else { return nil }
        let (product, overflow) = n.multipliedReportingOverflow(by: unit)
        return overflow ? nil : product
    }

    /// The shortest way to write `seconds` (`6h`, `90m`, `45s`).
    public static func text(_ seconds: Int) -> String {
        if seconds % 86400 == 0 { return "\(seconds / 86400)d" }
        if seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}

/// A change to a harvest source: the fields given are changed, the others kept.
public struct RemoteRepositoryChange: Sendable {
    public var url: String?
    /// A setSpec; `""` removes the set (the whole repository is harvested).
    public var set: String?
    public var prefix: String?
    public var every: Int?
    public var trusted: Bool?
    public var owner: String?

    public init(url: String? = nil, set: String? = nil, prefix: String? = nil, every: Int? = nil, trusted: Bool? = nil, owner: String? = nil) {
        self.url = url
        self.set = set
        self.prefix = prefix
        self.every = every
        self.trusted = trusted
        self.owner = owner
    }
}

/// What the harvest job of one source works on.
package struct HarvestJobInput: Codable, Sendable {
    package var repositoryID: Int64
}

extension Services {
    func requireAdministration(_ actor: User, _ task: AdministrationTask) throws {
        guard AccessPolicy.canAdminister(actor, task) else { throw AppError.forbidden }
    }

    static func unknownSource(_ id: Int64) -> AppError {
        AppError(.notFound, code: "not-found", vi: "Không có nguồn thu hoạch #\(id).", en: "No harvest source #\(id).")
    }

    /// One harvest source.
    public func remoteRepository(_ id: Int64, by actor: User) async throws -> RemoteRepository {
        try requireAdministration(actor, .harvestSources)
        guard let repository = try await store.remoteRepository(id: id) else { throw Self.unknownSource(id) }
        return repository
    }

    /// Every harvest source.
    public func remoteRepositories(by actor: User) async throws -> [RemoteRepository] {
        try requireAdministration(actor, .harvestSources)
        return try await store.remoteRepositories()
    }

    /// Changes a harvest source's settings (the same rules as ``addRemoteRepository(url:set:prefix:every:trusted:owner:by:)``);
    /// where its harvest stands is kept, so a changed set or format continues from the last datestamp.
    public func updateRemoteRepository(_ id: Int64, _ change: RemoteRepositoryChange, by actor: User) async throws -> RemoteRepository {
        let current = try await remoteRepository(id, by: actor)
        let ownerName: String
        if let owner = change.owner {
            ownerName = owner
        } else {
            guard let user = try await store.user(id: current.ownerID) else { throw StoreError.notFound("user \(current.ownerID)") }
            ownerName = user.username
        }
        let set = change.set.map { $0.isEmpty ? nil : $0 } ?? current.set
        let settings = try await remoteRepositorySettings(
            url: change.url ?? current.baseURL, set: set, prefix: change.prefix ?? current.metadataPrefix, every: change.every ?? current.intervalSeconds,
            trusted: change.trusted ?? current.trusted, owner: ownerName)
        return try await store.updateRemoteRepository(id: id, settings)
    }

    /// Removes a harvest source and its run history; what it harvested stays.
    public func deleteRemoteRepository(_ id: Int64, by actor: User) async throws {
        _ = try await remoteRepository(id, by: actor)
        try await store.deleteRemoteRepository(id: id)
    }

    /// The newest runs of a harvest source, newest first.
    public func harvestRuns(_ id: Int64, limit: Int = 20, by actor: User) async throws -> [HarvestRunEntry] {
        _ = try await remoteRepository(id, by: actor)
        return try await store.harvestRuns(repositoryID: id, limit: min(max(limit, 1), 200))
    }

    /// Queues a run of one harvest source now (the `harvest` job, run by ``JobService``).
    public func queueHarvestRun(_ id: Int64, by actor: User) async throws -> Job {
        _ = try await remoteRepository(id, by: actor)
        return try await store.createJob(
            NewJob(kind: "harvest", ownerID: actor.id, input: try HoclieuJSON.encoder().encode(HarvestJobInput(repositoryID: id))))
    }

    /// Runs one harvest source now under this node's lease (the harvest job; `harvest run` runs them all).
    public func harvestNow(_ id: Int64, fetcher: some HarvestFetcher, policy: HarvestPolicy = HarvestPolicy()) async throws -> HarvestRunReport {
        guard let repository = try await store.remoteRepository(id: id) else { throw Self.unknownSource(id) }
        guard try await claimRun(repository, policy: policy) else {
            throw AppError(
                .conflict, code: "harvest-running", vi: "Nguồn này đang được thu hoạch (ở máy chủ khác); thử lại sau.",
                en: "This source is being harvested (by another node); try again later.")
        }
        do {
            let report = try await harvest(repository, fetcher: fetcher, policy: policy, leased: true)
            try await store.releaseHarvestRun(repositoryID: id, holder: nodeID)
            return report
        } catch {
            try? await store.releaseHarvestRun(repositoryID: id, holder: nodeID)
            throw error
        }
    }
}

// MARK: Catalogue import

/// What importing a framework did: its code, the problems that stopped it (nothing loaded), or what the load changed.
public struct CatalogImportReport: Codable, Sendable, CustomStringConvertible {
    public var framework: String
    public var problems: [CatalogDiagnostic]
    public var load: CatalogLoadReport?

    public var description: String {
        if let load {
            return "\(framework): added \(load.added), revised \(load.revised), deprecated \(load.deprecated), unchanged \(load.unchanged)"
                + (load.rereviews > 0 ? ", re-review \(load.rereviews)" : "")
        }
        return (problems.map(\.description) + ["\(problems.count) lỗi / problems: nothing loaded"]).joined(separator: "\n")
    }
}

extension Services {
    /// Imports a department's framework: a CSV of the `Catalog/` columns (`csv`) or a CASE 1.0 CFPackage (`json`).
    /// Every catalogue rule applies; a file with any problem loads nothing (the report lists every problem).
    /// Materials tagged with units whose wording changed are put under re-review, as a catalogue load does.
    /// - Parameters:
    ///   - fileName: how problems name the file.
    ///   - format: `csv` or `json`.
    ///   - framework: the framework code (a CSV: default the first segment of its codes; a CASE package from another provider: required).
    ///   - grade: the grade of CASE items that carry no educationLevel.
    public func importCatalog(
        _ contents: Data, fileName: String, format: String, framework: String?, grade: Int?, by actor: User = .localOperator
    ) async throws -> CatalogImportReport {
        try requireAdministration(actor, .catalogImport)
        guard format == "json" || format == "csv" else {
            throw AppError(
                .badRequest, code: "unsupported-media-type",
                vi: "Cần gói CASE CFPackage (.json) hoặc khung CSV (.csv).", en: "A CASE CFPackage (.json) or a framework CSV (.csv) is needed.")
        }
        var subjects = try await store.catalogFrameworks().map(\.subject)
        let code: String
        let frameworkFile: Data
        var updatedAt: [String: Date] = [:]
        if format == "json" {
            let result: CASEImport.Result
            do {
                result = try CASEImport.read(contents, framework: framework, grade: grade)
            } catch {
                return CatalogImportReport(
                    framework: "?", problems: [CatalogDiagnostic(file: fileName, line: 1, message: "\(error)", hint: "a CASE 1.0 CFPackage")], load: nil)
            }
            code = result.subject.code
            if let existing = subjects.firstIndex(where: { $0.code == code }) {
                var subject = result.subject
                subject.compulsoryGrades = subjects[existing].compulsoryGrades
                subjects[existing] = subject
            } else {
                subjects.append(result.subject)
            }
            frameworkFile = Data(result.frameworkCSV.utf8)
            updatedAt = result.updatedAt
        } else {
            let firstCode = String(decoding: contents, as: UTF8.self).split(separator: "\n").dropFirst().first?.split(separator: ".").first
            code = framework ?? firstCode.map(String.init) ?? ""
            frameworkFile = contents
        }
        guard !code.isEmpty, code.utf8.count <= 40, !code.contains("/") else {
            return CatalogImportReport(
                framework: "?",
                problems: [CatalogDiagnostic(file: fileName, line: 1, message: "no framework code", hint: "give the framework code, e.g. TOAN")], load: nil)
        }
        let subjectsCSV = (["code,name,name_en,grades,compulsory,source"] + subjects.map { s in
            [s.code, s.name, s.nameEN, s.grades.map(String.init).joined(separator: ","), s.compulsoryGrades.map(String.init).joined(separator: ","), s.source]
                .map(CSV.escape).joined(separator: ",")
        }).joined(separator: "\n")
        var (data, problems) = CatalogReader.read(files: [("subjects.csv", Data(subjectsCSV.utf8)), ("frameworks/\(code).csv", frameworkFile)])
        problems = problems.map { p in
            var p = p
            if p.file == "frameworks/\(code).csv" { p.file = fileName }
            return p
        }
        guard problems.isEmpty, let items = data.items[code] else {
            if problems.isEmpty {
                problems = [CatalogDiagnostic(file: fileName, line: 1, message: "no items of framework \(code)", hint: "check the framework code")]
            }
            return CatalogImportReport(framework: code, problems: problems, load: nil)
        }
        data.items[code] = items.map { item in
            var item = item
            item.updatedAt = updatedAt[item.code]
            return item
        }
        var load = try await store.loadCatalog(data, frameworks: [code])
        load.rereviews = try await reReviewTagged(with: load.changedCodes)
        return CatalogImportReport(framework: code, problems: [], load: load)
    }
}

// MARK: Backups

/// One backup archive: what `hoclieu backup` and `POST /api/v1/backups` write.
public struct BackupReport: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The archive's path (the command line) or its name in the backup folder (the API).
    public var file: String
    public var materials: Int
    public var blobs: Int
    public var bytes: Int64
    public var createdAt: Date

    public var description: String {
        "Đã sao lưu / backed up: \(materials) materials, \(blobs) blobs → \(file) (\(bytes) bytes)"
    }
}

/// The manifest inside a backup archive (`manifest.json`).
public struct BackupManifest: Codable, Sendable {
    public var format = "hoclieu-backup/1"
    public var createdAt: Date
    public var blobs: [String]
    /// The store backend the archive's database copy is from (`sqlite`, `postgresql`); absent in older archives: sqlite.
    public var backend: String?
    /// The archive entry holding the database copy.
    public var database: String?
    /// Materials in the copy (absent in older archives).
    public var materials: Int?
}

extension Services {
    /// The folder the API's backups go to: `backups/` in the data folder.
    public var backupDirectory: URL { configuration.dataDirectory.appendingPathComponent("backups", isDirectory: true) }

    /// The archive entry of the database copy for a store location.
    public static func backupDatabaseEntry(_ location: StoreLocation) -> String {
        switch location {
        case .sqlite: "hoclieu.sqlite"
        case .postgreSQL: "postgresql.dump"
        }
    }

    /// Writes a consistent backup to `target` (which must not exist) while the service runs.
    ///
    /// The database is copied with the store's online backup (a snapshot of one instant); the blobs the snapshot refers
    /// to are then added. Blobs are immutable and never removed while referenced, so the pair is consistent. The archive
    /// is a ZIP: `manifest.json`, the database copy, `blobs/ab/<sha256>`; it is written beside the target as `.partial`
    /// and renamed when complete, so a listing never shows half an archive.
    public func writeBackup(to target: URL, by actor: User = .localOperator) async throws -> BackupReport {
        try requireAdministration(actor, .backups)
        let fm = FileManager.default
        guard !fm.fileExists(atPath: target.path) else {
            throw AppError(.conflict, vi: "\(target.lastPathComponent) đã có.", en: "\(target.lastPathComponent) exists already.")
        }
        let work = fm.temporaryDirectory.appendingPathComponent("hoclieu-backup-\(UUID().uuidString)")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }

        let location = try configuration.storeLocation()
        let databaseEntry = Self.backupDatabaseEntry(location)
        let snapshot = work.appendingPathComponent(databaseEntry)
        try await store.backupDatabase(to: snapshot)
        let referenced: [ContentID]
        let materials: Int
        if case .sqlite = location {
            // The blobs are those the copy refers to: read from the copy itself, opened as a store.
            let copy = try Services.openStore(.sqlite(snapshot), pidPrefix: configuration.pidPrefix)
            referenced = try await copy.referencedContentIDs().sorted { $0.rawValue < $1.rawValue }
            materials = try await copy.statistics().materials
        } else {
            // A server's dump cannot be opened here: its references are read from the live store after the copy.
            // References are only ever added (versions, thumbnails and question files are never deleted), so
            // this is a superset of the copy's, and each is in the blob folder.
            referenced = try await store.referencedContentIDs().sorted { $0.rawValue < $1.rawValue }
            materials = try await store.statistics().materials
        }
        let createdAt = Date()
        let manifest = BackupManifest(
            createdAt: createdAt, blobs: referenced.map(\.rawValue), backend: location.backend, database: databaseEntry, materials: materials)
        try HoclieuJSON.encoder().encode(manifest).write(to: work.appendingPathComponent("manifest.json"))

        let partial = target.appendingPathExtension("partial")
        try? fm.removeItem(at: partial)
        do {
            let archive = try Archive(url: partial, accessMode: .create)
            try archive.addEntry(with: "manifest.json", relativeTo: work, compressionMethod: .deflate)
            try archive.addEntry(with: databaseEntry, relativeTo: work, compressionMethod: .deflate)
            for id in referenced {
                try Task.checkCancellation()
                let source = blobs.url(for: id)
                guard fm.fileExists(atPath: source.path) else {
                    throw AppError(
                        .invalid, code: "blob-missing", vi: "Thiếu tệp \(id.rawValue); hãy chạy hoclieu check.",
                        en: "Blob \(id.rawValue) is missing; run hoclieu check.")
                }
                try archive.addEntry(with: "blobs/\(id.rawValue.prefix(2))/\(id.rawValue)", fileURL: source, compressionMethod: .none)
            }
            try fm.moveItem(at: partial, to: target)
        } catch {
            try? fm.removeItem(at: partial)
            throw error
        }
        let size = (try fm.attributesOfItem(atPath: target.path)[.size] as? NSNumber)?.int64Value ?? 0
        return BackupReport(file: target.path, materials: materials, blobs: referenced.count, bytes: size, createdAt: createdAt)
    }

    /// Whether `name` is a name this service gives a backup in its folder (nothing else is ever listed or served).
    public static func isBackupName(_ name: String) -> Bool {
        name.hasPrefix("hoclieu-backup-") && name.hasSuffix(".zip") && name.utf8.count <= 100
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") } && !name.contains("..")
    }

    /// Takes a backup into ``backupDirectory`` (the `backup` job).
    public func backupIntoFolder(by actor: User) async throws -> BackupReport {
        try requireAdministration(actor, .backups)
        try FileManager.default.createDirectory(at: backupDirectory, withIntermediateDirectories: true)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmssSSS'Z'"
        let name = "hoclieu-backup-\(formatter.string(from: Date()))-\(UUID().uuidString.prefix(4).lowercased()).zip"
        var report = try await writeBackup(to: backupDirectory.appendingPathComponent(name), by: actor)
        report.file = name
        return report
    }

    /// Queues a backup into the backup folder (the `backup` job, run by ``JobService``).
    public func queueBackup(by actor: User) async throws -> Job {
        try requireAdministration(actor, .backups)
        return try await store.createJob(NewJob(kind: "backup", ownerID: actor.id, input: Data("{}".utf8)))
    }

    /// The backups in ``backupDirectory``, newest first, each with what its manifest says.
    public func backups(by actor: User) async throws -> [BackupReport] {
        try requireAdministration(actor, .backups)
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: backupDirectory.path) else { return [] }
        var list: [BackupReport] = []
        for name in names where Self.isBackupName(name) {
            let url = backupDirectory.appendingPathComponent(name)
            let attributes = try? fm.attributesOfItem(atPath: url.path)
            let size = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
            var manifest: BackupManifest?
            if let archive = try? Archive(url: url, accessMode: .read), let entry = archive["manifest.json"], entry.uncompressedSize <= 256 << 20 {
                var data = Data()
                if (try? archive.extract(entry, skipCRC32: false, consumer: { data.append($0) })) != nil {
                    manifest = try? HoclieuJSON.decoder().decode(BackupManifest.self, from: data)
                }
            }
            list.append(
                BackupReport(
                    file: name, materials: manifest?.materials ?? 0, blobs: manifest?.blobs.count ?? 0, bytes: size,
                    createdAt: manifest?.createdAt ?? (attributes?[.creationDate] as? Date) ?? (attributes?[.modificationDate] as? Date) ?? .distantPast))
        }
        return list.sorted { ($0.createdAt, $0.file) > ($1.createdAt, $1.file) }
    }

    /// The file of one backup in ``backupDirectory``, when `name` is one.
    public func backupFile(_ name: String, by actor: User) throws -> URL {
        try requireAdministration(actor, .backups)
        let url = backupDirectory.appendingPathComponent(name)
        guard Self.isBackupName(name), FileManager.default.fileExists(atPath: url.path) else {
            throw AppError(.notFound, code: "not-found", vi: "Không có bản sao lưu \(name.prefix(100)).", en: "No backup \(name.prefix(100)).")
        }
        return url
    }
}
