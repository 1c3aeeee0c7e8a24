import ArgumentParser
import Foundation
import HoclieuCore
import HoclieuStorage
import Synchronization
import Testing

@testable import HoclieuApp
@testable import HoclieuCLI

/// Writes acknowledged by the store, each with the moment its call returned.
final class AcknowledgedWrites: Sendable {
    struct Write: Sendable {
        var pid: PersistentIdentifier
        var contentID: ContentID
        var at: Date
    }

    private let writes = Mutex<[Write]>([])
    func add(_ write: Write) { writes.withLock { $0.append(write) } }
    var all: [Write] { writes.withLock { $0 } }
}

@Suite("Backup under write load, restore into an empty store")
struct BackupUnderLoadTests {
    /// Writes materials with a file each, as fast as the store takes them, until cancelled.
    static func writer(_ repository: Services, _ acks: AcknowledgedWrites) -> Task<Void, any Error> {
        Task {
            var i = 0
            while !Task.isCancelled {
                let blob = try repository.blobs.store(Data("Tài liệu số \(i) — \(UUID().uuidString)".utf8))
                let material = try await repository.store.createMaterial(
                    MaterialDraft(kind: .document, format: "text/plain", metadata: MaterialMetadata(title: "Ghi dưới tải \(i)"), status: .published),
                    ownerID: 1,
                    firstVersion: VersionDraft(
                        contentID: blob.contentID, fileName: "ghi-\(i).txt", mediaType: "text/plain", byteSize: blob.byteSize, createdBy: 1))
                acks.add(.init(pid: material.pid, contentID: blob.contentID, at: Date()))
                i += 1
            }
        }
    }

    /// Runs `hoclieu backup` while the writer writes, then restores with `restore` and checks every write acknowledged
    /// before the backup started.
    static func backupUnderLoad(
        box: Sandbox, repository: Services, backupArguments: [String], restore: (String) async throws -> Services
    ) async throws {
        let acks = AcknowledgedWrites()
        let load = Self.writer(repository, acks)
        while acks.all.count < 20 { try await Task.sleep(for: .milliseconds(20)) }
        let file = box.root.appendingPathComponent("under-load.zip").path
        let started = Date()
        let backup = try await box.command(Backup.self, ["backup", file] + backupArguments).execute()
        try await Task.sleep(for: .milliseconds(200))
        load.cancel()
        _ = try? await load.value
        let before = acks.all.filter { $0.at < started }
        #expect(before.count >= 20)
        #expect(acks.all.count > before.count, "the writer kept writing during the backup")
        #expect(backup.materials >= before.count)

        let restored = try await restore(file)
        let check = try await Check.check(restored.store, restored.blobs)
        #expect(check.ok, "\(check)")
        for write in before {
            let material = try await restored.store.material(write.pid)
            #expect(material != nil, "\(write.pid) acknowledged before the backup is missing")
            let versions = try await restored.store.versions(write.pid)
            #expect(versions.first?.contentID == write.contentID)
            #expect(try restored.blobs.verify(write.contentID) == true, "blob of \(write.pid)")
        }
    }

    @Test("SQLite: every write acknowledged before the backup is in the restored folder, intact")
    func sqliteBackupUnderLoad() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let repository = try await box.bootstrap()
        try await Self.backupUnderLoad(box: box, repository: repository, backupArguments: []) { file in
            let target = box.root.appendingPathComponent("restored")
            _ = try await (try HoclieuCommand.parseAsRoot(["restore", file, "--data", target.path]) as! Restore).execute()
            return try Services.open(ServerConfiguration(dataDirectory: target, pidPrefix: "79-760"))
        }
    }

    @Test("PostgreSQL: the same, through pg_dump and pg_restore into an empty database", .needsPostgreSQLServer)
    func postgresBackupUnderLoad() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        try await TestPostgreSQL.withDatabase { source in
            var configuration = ServerConfiguration(dataDirectory: box.data, pidPrefix: "79-760", bcryptCost: 4)
            configuration.databaseURL = source
            let repository = try Services.open(configuration)
            _ = try await repository.bootstrapAdmin(password: "admin-test-pw")
            try await TestPostgreSQL.withDatabase { target in
                try await Self.backupUnderLoad(box: box, repository: repository, backupArguments: ["--database-url", source]) { file in
                    let data = box.root.appendingPathComponent("restored")
                    let report = try await (try HoclieuCommand.parseAsRoot(["restore", file, "--database-url", target, "--data", data.path]) as! Restore).execute()
                    #expect(report.store != nil)
                    var restored = ServerConfiguration(dataDirectory: data, pidPrefix: "79-760")
                    restored.databaseURL = target
                    return try Services.open(restored)
                }
                // The target is no longer empty: a second restore is refused and changes nothing.
                let count = try TestPostgreSQL.count(target, "materials")
                let again = try HoclieuCommand.parseAsRoot(
                    ["restore", box.root.appendingPathComponent("under-load.zip").path, "--database-url", target, "--data", box.root.appendingPathComponent("restored").path]) as! Restore
                await #expect(throws: StoreCopyError.self) { try await again.execute() }
                #expect(try TestPostgreSQL.count(target, "materials") == count)
            }
        }
    }

    @Test("a SQLite backup restores into an empty PostgreSQL database, blobs into the data folder", .needsPostgreSQLServer)
    func sqliteBackupIntoPostgreSQL() async throws {
        let fixture = try await MigrationFixture.make()
        defer { fixture.box.cleanup() }
        let file = fixture.box.root.appendingPathComponent("sqlite.zip").path
        let backup = try await fixture.box.command(Backup.self, ["backup", file]).execute()
        let audit = try await fixture.repository.verifyAudit()
        try await TestPostgreSQL.withDatabase { url in
            let data = fixture.box.root.appendingPathComponent("pg-data")
            let report = try await (try HoclieuCommand.parseAsRoot(["restore", file, "--database-url", url, "--data", data.path]) as! Restore).execute()
            #expect(report.materials == backup.materials)
            #expect(report.blobs == backup.blobs)
            var configuration = ServerConfiguration(dataDirectory: data, pidPrefix: "79-760")
            configuration.databaseURL = url
            let restored = try Services.open(configuration)
            #expect(try await Check.check(restored.store, restored.blobs).ok)
            #expect(restored.blobs.allBlobs().count >= backup.blobs)
            let chain = try await restored.verifyAudit()
            #expect(chain.ok && chain.checked == audit.checked)
            for pid in fixture.pids { #expect(try await restored.store.material(pid) != nil) }
            // No SQLite file appears in the data folder: the store is PostgreSQL.
            #expect(!FileManager.default.fileExists(atPath: Services.databaseURL(in: data).path))
        }
    }
}
