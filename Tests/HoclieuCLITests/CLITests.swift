import ArgumentParser
import CommonCartridge
import ConformanceCorpus
import Foundation
import HoclieuCore
import HoclieuServer
@testable import HoclieuApp
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
    func repository() throws -> Services {
        try Services.open(ServerConfiguration(dataDirectory: data, pidPrefix: "79-760", bcryptCost: 4))
    }

    /// A data folder with the admin user.
    func bootstrap() async throws -> Services {
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

    @Test("user add --email records the address an OpenID Connect sign-in finds; a bad or taken one is refused")
    func userAddEmail() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let repository = try await box.bootstrap()
        let report = try await box.command(UserCommand.Add.self, ["user", "add", "gv.lan", "--email", " Lan@Truong.Edu.vn "]).execute()
        #expect(report.user.email == "lan@truong.edu.vn")
        #expect(try await repository.store.user(email: "LAN@truong.edu.vn")?.id == report.user.id)
        await #expect(throws: (any Error).self) {
            try await box.command(UserCommand.Add.self, ["user", "add", "gv.lan2", "--email", "lan@truong.edu.vn"]).execute()
        }
        await #expect(throws: (any Error).self) {
            try await box.command(UserCommand.Add.self, ["user", "add", "gv.hoa", "--email", "not an address"]).execute()
        }
        #expect(try await repository.store.credentials(username: "gv.lan2") == nil)
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

    @Test("import: a content package is judged as an upload is: kind, format, metadata from the package, refusal of a hostile one", .needsCorpus)
    func importPackages() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let repository = try await box.bootstrap()
        let corpus = ConformanceCorpus.root
        let report = try await box.command(
            Import.self,
            [
                "import", corpus.appendingPathComponent("scorm/ims_cp/tlf_imscp_lom_package.zip").path,
                corpus.appendingPathComponent("h5p/lumi/H5P.DragText.h5p").path, corpus.appendingPathComponent("h5p/negative/lumi_xss-svg.h5p").path,
                "--keyword", "tiếng Trung",
            ]
        ).execute()
        #expect(report.items.map(\.action) == ["created", "created", "failed"])
        #expect(report.items[2].error?.contains("SVG with a script payload") == true)
        let cp = try #require(try await repository.store.material(PersistentIdentifier(parsing: report.items[0].pid!)))
        #expect(cp.kind == .lesson && cp.format == "ims_cp")
        #expect(cp.metadata.title == "Zou ba! Visiting China: Is this your first visit?")
        #expect(!cp.metadata.description.isEmpty, "the LOM description fills an empty field")
        #expect(cp.metadata.keywords == ["tiếng Trung"], "the operator's keywords win over the package's")
        let h5p = try #require(try await repository.store.material(PersistentIdentifier(parsing: report.items[1].pid!)))
        #expect(h5p.kind == .simulation && h5p.format == "h5p" && h5p.metadata.title == "Drag the Words")
        #expect(try await repository.store.version(h5p.pid, number: 1)?.package?.kind == "h5p")
        #expect(repository.blobs.allBlobs().count == 2, "the refused package left no blob")
    }

    @Test("import and export of Common Cartridges: CC 1.0 in the plain IMS CP namespace is recognised; Moodle gets CC 1.1 only", .needsCorpus)
    func cartridges() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let repository = try await box.bootstrap()
        let cc = ConformanceCorpus.root.appendingPathComponent("cc")
        let report = try await box.command(
            Import.self,
            ["import", cc.appendingPathComponent("ims_sample/pyslet_ims_cc1p0_sample_1.zip").path, cc.appendingPathComponent("thin/thincc_1p3_weblink.imscc").path]
        ).execute()
        #expect(report.items.isEmpty, "both are cartridges, not plain files")
        #expect(report.cartridges.map(\.version) == [.v1p0, .thin1p3])
        #expect(report.cartridges.allSatisfy { $0.coursePackage?.action == .created })

        let out = box.root.appendingPathComponent("moodle.imscc")
        let export = try await box.command(Export.self, ["export", "--format", "cc1.1", "--target", "moodle", "--all", "--out", out.path]).execute()
        #expect(export.cartridge?.format == .cc1p1)
        #expect(export.materials == report.cartridges.reduce(0) { $0 + $1.counts.materials })
        #expect(FileManager.default.fileExists(atPath: out.path))
        await #expect(throws: (any Error).self) {
            try await box.command(Export.self, ["export", "--format", "cc1.3", "--target", "moodle", "--all", "--out", out.path]).execute()
        }
        #expect(try await repository.store.statistics().materials == report.cartridges.reduce(0) { $0 + $1.created })
    }

    @Test("import: question files go into the bank with their report; a file with errors is refused unless --partial", .needsCorpus)
    func importQuestions() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let repository = try await box.bootstrap()
        let corpus = ConformanceCorpus.root.appendingPathComponent("moodle-question")
        let moodle = corpus.appendingPathComponent("xml/format_xml_fixtures/nested_categories_with_questions.xml").path
        let aiken = corpus.appendingPathComponent("other-formats/aiken/aiken_errors.txt").path
        let first = try await box.command(Import.self, ["import", moodle, "--subject", "TOAN"]).execute()
        #expect(first.items.isEmpty && first.questionFiles.count == 1)
        #expect(first.questionFiles[0].created == 5 && first.questionFiles[0].byType == ["trueFalse": 4, "essay": 1])
        let refused = try await box.command(Import.self, ["import", aiken, "--questions"]).execute()
        #expect(refused.questionFiles[0].refused && refused.failed == 1)
        #expect(refused.description.contains("refused aiken_errors.txt") && refused.description.contains("line 5"))
        let partial = try await box.command(Import.self, ["import", aiken, "--format", "aiken", "--partial"]).execute()
        #expect(partial.questionFiles[0].created == 3 && partial.failed == 0)
        let summaries = try await repository.store.questionSummaries(subject: nil, status: nil)
        #expect(summaries.count == 8)
        #expect(try await repository.store.questionSummaries(subject: "TOAN", status: .draft).count == 5)
    }

    @Test("export: the bank as Moodle XML and GIFT; Moodle XML read back into the bank changes nothing (media included)", .needsCorpus)
    func exportQuestions() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let repository = try await box.bootstrap()
        let corpus = ConformanceCorpus.root.appendingPathComponent("moodle-question")
        let files = ["xml/format_xml_fixtures/multichoice.xml", "xml/format_xml_fixtures/truefalse.xml", "gift/questions.gift.txt"]
        let imported = try await box.command(Import.self, ["import", "--questions"] + files.map { corpus.appendingPathComponent($0).path }).execute()
        let total = imported.questionFiles.map(\.created).reduce(0, +)
        #expect(total == 11)
        let xml = box.root.appendingPathComponent("bank.xml").path
        let exported = try await box.command(Export.self, ["export", "--format", "moodleXML", "--all", "--out", xml]).execute()
        #expect(exported.questions == total)
        // The export names each question by its id (<idnumber>), so reading it back updates the same
        // questions (now carrying that idnumber, a true/false penalty of 1, ABCD numbering) instead of
        // adding copies; a second round changes nothing.
        let again = try await box.command(Import.self, ["import", xml]).execute()
        #expect(again.questionFiles[0].created == 0 && again.questionFiles[0].updated + again.questionFiles[0].unchanged == total, "\(again)")
        #expect(try await repository.store.questionSummaries(subject: nil, status: nil).count == total)
        let xml2 = box.root.appendingPathComponent("bank2.xml").path
        _ = try await box.command(Export.self, ["export", "--format", "moodleXML", "--all", "--out", xml2]).execute()
        let third = try await box.command(Import.self, ["import", xml2]).execute()
        #expect(third.questionFiles[0].unchanged == total && third.questionFiles[0].created == 0, "\(third)")
        let gift = box.root.appendingPathComponent("bank.gift").path
        let giftReport = try await box.command(Export.self, ["export", "--format", "gift", "--all", "--out", gift]).execute()
        #expect(giftReport.questions == total && FileManager.default.fileExists(atPath: gift))
        let qti = box.root.appendingPathComponent("bank.zip").path
        let qtiReport = try await box.command(Export.self, ["export", "--format", "qti21", "--all", "--out", qti]).execute()
        #expect(qtiReport.questions == total && qtiReport.description.hasPrefix("qti21:"))
        await #expect(throws: (any Error).self) { try await box.command(Export.self, ["export", "--format", "aiken", "--all", "--out", gift]).execute() }
        // Word: the students' paper by default (no answers, with its header and HẾT), the teacher's on request.
        let paper = box.root.appendingPathComponent("de.docx").path
        _ = try await box.command(
            Export.self,
            ["export", "--format", "docx", "--all", "--title", "Kiểm tra 15 phút", "--school", "Phòng GD&ĐT Quận 1|Trường THCS Nguyễn Du", "--minutes", "15",
             "--code", "102", "--out", paper]
        ).execute()
        let students = try Data(contentsOf: URL(fileURLWithPath: paper))
        #expect(students.range(of: Data("Đáp án".utf8)) == nil)
        for text in ["KIỂM TRA 15 PHÚT", "TRƯỜNG THCS NGUYỄN DU", "PHÒNG GD&amp;ĐT QUẬN 1", "15 phút", "Mã đề 102", "HẾT"] {
            #expect(students.range(of: Data(text.utf8)) != nil, "\(text)")
        }
        let teacher = box.root.appendingPathComponent("dap-an.docx").path
        _ = try await box.command(Export.self, ["export", "--format", "docx", "--all", "--answers", "--out", teacher]).execute()
        #expect(try Data(contentsOf: URL(fileURLWithPath: teacher)).range(of: Data("Đáp án".utf8)) != nil)
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
        let copy = try Services.open(ServerConfiguration(dataDirectory: target, pidPrefix: "79-760"))
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

@Suite("Catalogue import and export")
struct CatalogImportExportTests {
    static let toan = """
        code,parent,type,grade,statement,statement_en,associations,status
        TOAN.6.SD,TOAN.6,strand,6,Số và Đại số,Numbers and algebra,,
        TOAN.6.SD.1,TOAN.6.SD,topic,6,"Phân số, số thập phân",,precedes:TOAN.6.SD.2,
        TOAN.6.SD.1.1,TOAN.6.SD.1,outcome,6,So sánh được hai phân số cho trước.,,,
        TOAN.6.SD.2,TOAN.6.SD,topic,6,Số nguyên,,,

        """

    /// A data folder whose store has the subjects (TOAN, TIN) and nothing else.
    func seeded(_ box: Sandbox, _ name: String) async throws -> (URL, Services) {
        let catalog = box.root.appendingPathComponent("catalog-\(name)")
        try FileManager.default.createDirectory(at: catalog.appendingPathComponent("frameworks"), withIntermediateDirectories: true)
        try Data("code,name,name_en,grades,compulsory,source\nTOAN,Toán,Mathematics,1-12,1-12,CT_Toan_2018.pdf\nTIN,Tin học,Informatics,3-12,3-9,CT_Tin_hoc_2018.pdf\n".utf8)
            .write(to: catalog.appendingPathComponent("subjects.csv"))
        let data = box.root.appendingPathComponent("data-\(name)")
        let repository = try Services.open(ServerConfiguration(dataDirectory: data, pidPrefix: "79-760", bcryptCost: 4, publicBaseURL: "http://localhost"))
        _ = try await repository.loadCatalog(from: catalog)
        return (data, repository)
    }

    func run<C: ReportingCommand>(_ type: C.Type, _ arguments: [String], data: URL) async throws -> C.Report {
        try await (try #require(try HoclieuCommand.parseAsRoot(arguments + ["--data", data.path]) as? C)).execute()
    }

    func export(_ format: String, framework: String = "TOAN", data: URL) async throws -> Data {
        setenv("HOCLIEU_PUBLIC_URL", "http://localhost", 1)
        let command = try #require(try HoclieuCommand.parseAsRoot(["catalog", "export", "--framework", framework, "--format", format, "--data", data.path]) as? CatalogCommand.Export)
        return try await command.export()
    }

    @Test("CSV in, CASE out, CASE into an empty store, CASE out again: identical; CSV round trip too")
    func roundTrip() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let (first, _) = try await seeded(box, "a")
        let file = try box.file("toan.csv", Self.toan)
        let imported = try await run(CatalogCommand.Import.self, ["catalog", "import", file], data: first)
        #expect(imported.load?.added == 4, "\(imported.problems)")
        let package = try await export("case", data: first)
        let packageFile = box.root.appendingPathComponent("toan.json")
        try package.write(to: packageFile)

        let empty = box.root.appendingPathComponent("data-empty")
        _ = try Services.open(ServerConfiguration(dataDirectory: empty, pidPrefix: "79-760", bcryptCost: 4))
        let again = try await run(CatalogCommand.Import.self, ["catalog", "import", packageFile.path], data: empty)
        #expect(again.load != nil, "\(again.problems)")
        #expect(try await export("case", data: empty) == package, "export → import → export is byte-identical")

        let csv = try await export("csv", data: first)
        #expect(String(decoding: csv, as: UTF8.self).contains("TOAN.6.SD.1,TOAN.6.SD,topic,6,\"Phân số, số thập phân\",,precedes:TOAN.6.SD.2,"))
        let csvFile = box.root.appendingPathComponent("export.csv")
        try csv.write(to: csvFile)
        let (third, _) = try await seeded(box, "c")
        _ = try await run(CatalogCommand.Import.self, ["catalog", "import", csvFile.path], data: third)
        #expect(try await export("csv", data: third) == csv)
    }

    @Test("Bad files load nothing and name the row or JSON path")
    func badInput() async throws {
        let box = try Sandbox()
        defer { box.cleanup() }
        let (data, repository) = try await seeded(box, "bad")
        let before = try await repository.store.catalogItems(framework: "TOAN").count

        let duplicate = try box.file("dup.csv", Self.toan + "TOAN.6.SD.1,TOAN.6.SD,topic,6,Lặp,,,\n")
        let dupReport = try await run(CatalogCommand.Import.self, ["catalog", "import", duplicate], data: data)
        #expect(dupReport.load == nil)
        #expect(dupReport.problems.contains { $0.message.contains("duplicate code TOAN.6.SD.1") && $0.line == 6 && $0.file == duplicate })

        let columns = try box.file("columns.csv", "ma,ten\nTOAN.6.X,abc\n")
        #expect(try await run(CatalogCommand.Import.self, ["catalog", "import", columns, "--framework", "TOAN"], data: data).problems.first?.message.contains("header") == true)

        // "Số" in Windows-1258: S + o + combining acute written as 0xEC.
        let legacy = box.root.appendingPathComponent("legacy.csv")
        try (Data("code,parent,type,grade,statement\nTOAN.6.SD,TOAN.6,strand,6,S".utf8) + Data([0x6F, 0xEC]) + Data("\n".utf8)).write(to: legacy)
        let legacyReport = try await run(CatalogCommand.Import.self, ["catalog", "import", legacy.path, "--framework", "TOAN"], data: data)
        #expect(legacyReport.problems.first?.message.contains("not UTF-8") == true)

        let brokenJSON = box.root.appendingPathComponent("broken.json")
        try Data(#"{"CFDocument": {"identifier": "x"}, "CFItems": [], "CFAssociations": []}"#.utf8).write(to: brokenJSON)
        let jsonReport = try await run(CatalogCommand.Import.self, ["catalog", "import", brokenJSON.path], data: data)
        #expect(jsonReport.load == nil)
        #expect(jsonReport.problems.first?.message.hasPrefix("$.CFDocument") == true, "\(jsonReport.problems)")

        #expect(try await repository.store.catalogItems(framework: "TOAN").count == before, "nothing half-loaded")
    }
}

@Suite("CASE packages from other providers", .needsCorpus)
struct ForeignCASEImportTests {
    static let corpus = ConformanceCorpus.root.appendingPathComponent("case/opensalt")

    func importing(_ name: String, _ extra: [String]) async throws -> (CatalogImportReport, Services) {
        let box = try Sandbox()
        let file = Self.corpus.appendingPathComponent(name)
        #expect(FileManager.default.fileExists(atPath: file.path), "the shared conformance corpus must sit beside the repository: \(file.path)")
        let data = box.root.appendingPathComponent("data")
        let repository = try Services.open(ServerConfiguration(dataDirectory: data, pidPrefix: "79-760", bcryptCost: 4))
        let command = try #require(try HoclieuCommand.parseAsRoot(["catalog", "import", file.path, "--data", data.path] + extra) as? CatalogCommand.Import)
        return (try await command.execute(), repository)
    }

    @Test("OpenSALT exports map onto grades and item types; their own codes are kept")
    func openSALT() async throws {
        let (report, repository) = try await importing("tests_SmartLevelFramework.json", ["--framework", "SMART", "--grade", "7"])
        #expect(report.load?.added == 15, "\(report.problems)")
        let items = try await repository.store.catalogItems(framework: "SMART")
        #expect(items.first?.item.code == "SMART.7")
        #expect(items.allSatisfy { $0.item.grade == 7 })
        #expect(items.contains { $0.item.type == .outcome })

        let (markdown, _) = try await importing("tests_MarkdownFramework.json", ["--framework", "MD", "--grade", "9"])
        #expect(markdown.load != nil, "statements with line breaks survive the CSV step: \(markdown.problems)")
    }

    @Test("What cannot be mapped is refused with the JSON path")
    func refused() async throws {
        let (noCode, _) = try await importing("tests_Utf8TestFramework.json", [])
        #expect(noCode.load == nil && noCode.problems.first?.message.contains("--framework") == true)
        let (noGrade, _) = try await importing("tests_Utf8TestFramework.json", ["--framework", "UTF"])
        #expect(noGrade.problems.first?.message.contains("educationLevel") == true)
        let (deep, _) = try await importing("tests_Ordering.json", ["--framework", "ORD", "--grade", "10"])
        #expect(deep.load == nil && deep.problems.first?.message.contains("deeper") == true)
    }
}
