import ArgumentParser
import Foundation
import HoclieuCore
import HoclieuServer
import HoclieuStorage
import Testing
import ZIPFoundation

@testable import HoclieuCLI

/// A temporary folder with a data folder inside, removed afterwards.
struct Sandbox {
    let root: URL
    var data: URL { root.appendingPathComponent("data") }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("hoclieu-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        setenv("HOCLIEU_BCRYPT_COST", "4", 1)
        setenv("HOCLIEU_PID_PREFIX", "79-760", 1)
    }

    func cleanup() { try? FileManager.default.removeItem(at: root) }

    func file(_ name: String, _ text: String) throws -> String {
        let url = root.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// Parses a command line as `hoclieu` would and returns the command.
    func command<C: ReportingCommand>(_ type: C.Type, _ arguments: [String]) throws -> C {
        let parsed = try HoclieuCommand.parseAsRoot(arguments + ["--data", data.path])
        return try #require(parsed as? C)
    }

    /// The repository of the data folder (opened like the service opens it).
    func repository() throws -> Repository {
        try Repository.open(ServerConfiguration(dataDirectory: data, pidPrefix: "79-760", bcryptCost: 4))
    }

    /// A data folder with the admin user.
    func bootstrap() async throws -> Repository {
        let repository = try repository()
        _ = try await repository.bootstrapAdmin(password: "admin-test-pw")
        return repository
    }
}

@Suite("Command line")
struct CLITests {
    @Test("user add creates accounts; duplicates and bad roles are refused")
    func userAdd() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        _ = try await box.bootstrap()
        let report = try await box.command(UserCommand.Add.self, ["user", "add", "gv.lan", "--role", "teacher", "--role", "reviewer", "--password", "mat-khau-123"]).execute()
        #expect(report.user.roles == [.teacher, .reviewer])
        #expect(report.generatedPassword == nil)
        let generated = try await box.command(UserCommand.Add.self, ["user", "add", "gv.minh"]).execute()
        #expect(generated.generatedPassword?.count == 16)
        await #expect(throws: StoreError.self) {
            try await box.command(UserCommand.Add.self, ["user", "add", "gv.lan", "--password", "mat-khau-123"]).execute()
        }
        await #expect(throws: (any Error).self) {
            try await box.command(UserCommand.Add.self, ["user", "add", "gv.hoa", "--role", "pope"]).execute()
        }
    }

    @Test("import: files and links become materials; re-import is idempotent; a changed file is a new version")
    func importFiles() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let repository = try await box.bootstrap()
        let lesson = try box.file("Phân số.txt", "Bài học về phân số và số thập phân")
        let video = try box.file("clip.mp4", "not really a video")
        let first = try await box.command(
            Import.self, ["import", lesson, video, "https://example.org/geogebra", "--subject", "TOAN", "--grade", "6", "--status", "published"]
        ).execute()
        #expect(first.items.map(\.action) == ["created", "created", "created"])
        let pid = try PersistentIdentifier(parsing: try #require(first.items[0].pid))
        let material = try #require(try await repository.store.material(pid))
        #expect(material.metadata.title == "Phân số")
        #expect(material.format == "text/plain")
        #expect(try await repository.store.material(try PersistentIdentifier(parsing: first.items[1].pid!))?.kind == .video)
        #expect(try await repository.store.search(SearchRequest(text: "so thap phan")).total == 1, "text is extracted and folded")

        let again = try await box.command(Import.self, ["import", lesson, "https://example.org/geogebra"]).execute()
        #expect(again.items.map(\.action) == ["unchanged", "unchanged"])
        _ = try box.file("Phân số.txt", "Bài học về phân số, bản sửa")
        let changed = try await box.command(Import.self, ["import", lesson]).execute()
        #expect(changed.items[0].action == "updated" && changed.items[0].version == 2 && changed.items[0].pid == pid.rawValue)
        #expect(try await repository.store.statistics().materials == 3)
    }

    @Test("import: bad input fails clearly and leaves nothing behind")
    func importFailures() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let repository = try await box.bootstrap()
        let empty = try box.file("rỗng.txt", "")
        let long = try box.file("ok.txt", "nội dung")
        let report = try await box.command(
            Import.self, ["import", empty, box.root.appendingPathComponent("missing.pdf").path, long, "--title", String(repeating: "x", count: 501)]
        ).execute()
        #expect(report.items.map(\.action) == ["failed", "failed", "failed"])
        #expect(report.items[0].error?.contains("empty") == true)
        #expect(try await repository.store.statistics().materials == 0)
        #expect(repository.blobs.allBlobs().isEmpty, "no orphan blobs")
        #expect(try box.command(Import.self, ["import", long]).failed(report))
    }

    @Test("check finds missing and corrupt blobs")
    func check() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let repository = try await box.bootstrap()
        _ = try await box.command(Import.self, ["import", try box.file("a.txt", "một"), try box.file("b.txt", "hai")]).execute()
        let healthy = try await box.command(Check.self, ["check"]).execute()
        #expect(healthy.ok && healthy.referencedBlobs == 2)
        let blobs = repository.blobs.allBlobs()
        try FileManager.default.removeItem(at: repository.blobs.url(for: blobs[0]))
        try Data("tampered".utf8).write(to: repository.blobs.url(for: blobs[1]))
        let broken = try await box.command(Check.self, ["check", "--json"]).execute()
        #expect(!broken.ok)
        #expect(broken.missingBlobs == [blobs[0].rawValue])
        #expect(broken.corruptBlobs == [blobs[1].rawValue])
    }

    @Test("backup while writes go on, restore into a new folder, identical content")
    func backupRestore() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let repository = try await box.bootstrap()
        _ = try await box.command(Import.self, ["import", try box.file("a.txt", "Đường tròn"), "--status", "published"]).execute()

        // Writes keep arriving while the backup runs.
        let writer = Task {
            for i in 0..<40 {
                _ = try await repository.store.createMaterial(
                    MaterialDraft(kind: .document, format: "text/plain", metadata: MaterialMetadata(title: "Bài \(i)"), status: .published),
                    ownerID: 1, firstVersion: nil)
            }
        }
        let file = box.root.appendingPathComponent("backup.zip").path
        let backup = try await box.command(Backup.self, ["backup", file]).execute()
        try await writer.value
        #expect(backup.blobs == 1)
        #expect(backup.materials >= 1)

        let target = box.root.appendingPathComponent("restored")
        let restored = try HoclieuCommand.parseAsRoot(["restore", file, "--data", target.path]) as! Restore
        let report = try await restored.execute()
        #expect(report.materials == backup.materials)
        let copy = try Repository.open(ServerConfiguration(dataDirectory: target, pidPrefix: "79-760"))
        #expect(try await copy.store.search(SearchRequest(text: "duong tron")).total == 1)
        #expect(try await Check.check(copy.store, copy.blobs).ok)

        // Restoring over an existing folder needs --force; the old folder is kept aside.
        await #expect(throws: (any Error).self) { try await restored.execute() }
        let forced = try HoclieuCommand.parseAsRoot(["restore", file, "--force", "--data", target.path]) as! Restore
        _ = try await forced.execute()
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.root.path).contains { $0.hasPrefix("restored.replaced-") })
    }

    @Test("restore refuses hostile or tampered archives and leaves the target untouched")
    func hostileRestore() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let evil = box.root.appendingPathComponent("evil.zip")
        let archive = try Archive(url: evil, accessMode: .create)
        let payload = Data("owned".utf8)
        try archive.addEntry(with: "../escape.txt", type: .file, uncompressedSize: Int64(payload.count)) { position, size in
            payload.subdata(in: Int(position)..<Int(position) + size)
        }
        let target = box.root.appendingPathComponent("target")
        let restore = try HoclieuCommand.parseAsRoot(["restore", evil.path, "--data", target.path]) as! Restore
        await #expect(throws: (any Error).self) { try await restore.execute() }
        #expect(!FileManager.default.fileExists(atPath: box.root.appendingPathComponent("escape.txt").path))
        #expect(!FileManager.default.fileExists(atPath: target.path))

        // A blob whose bytes do not match its name.
        let tampered = box.root.appendingPathComponent("tampered.zip")
        let second = try Archive(url: tampered, accessMode: .create)
        let name = ContentID.of(text: "something else").rawValue
        try second.addEntry(with: "blobs/\(name.prefix(2))/\(name)", type: .file, uncompressedSize: Int64(payload.count)) { position, size in
            payload.subdata(in: Int(position)..<Int(position) + size)
        }
        let again = try HoclieuCommand.parseAsRoot(["restore", tampered.path, "--data", target.path]) as! Restore
        await #expect(throws: (any Error).self) { try await again.execute() }
        #expect(!FileManager.default.fileExists(atPath: target.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.root.path).allSatisfy { !$0.contains(".restore-") })
    }
}

@Suite("Catalogue data in the repository")
struct RepositoryCatalogTests {
    @Test("Catalog/ passes hoclieu catalog validate")
    func repositoryCatalogValidates() async throws {
        let catalog = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Catalog")
        let command = try HoclieuCommand.parseAsRoot(["catalog", "validate", catalog.path]) as! CatalogCommand.Validate
        let report = try await command.execute()
        #expect(report.problems.isEmpty, "\(report.problems.prefix(20))")
        #expect(report.subjects >= 20)
        #expect(report.counts.first { $0.framework == "CN" }.map { $0.outcomes > 400 } == true)
    }
}
