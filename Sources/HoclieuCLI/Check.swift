import ArgumentParser
import Foundation
import HoclieuCore
import HoclieuApp
import HoclieuStorage

/// `hoclieu check`: database integrity, and every referenced blob present with the right hash.
struct Check: ReportingCommand {
    static let configuration = CommandConfiguration(abstract: "Kiểm tra toàn vẹn / Verify integrity.")

    @OptionGroup var common: CommonOptions

    struct Report: Encodable, CustomStringConvertible {
        var databaseProblems: [String]
        var referencedBlobs: Int
        var missingBlobs: [String]
        var corruptBlobs: [String]
        /// Blobs nothing refers to (left by an interrupted upload): harmless, reported for information.
        var unreferencedBlobs: Int
        var ok: Bool { databaseProblems.isEmpty && missingBlobs.isEmpty && corruptBlobs.isEmpty }

        var description: String {
            var lines = [ok ? "OK: toàn vẹn / intact" : "LỖI / PROBLEMS"]
            lines.append("blobs referenced: \(referencedBlobs), unreferenced: \(unreferencedBlobs)")
            lines += databaseProblems.map { "database: \($0)" }
            lines += missingBlobs.map { "missing blob: \($0)" }
            lines += corruptBlobs.map { "corrupt blob: \($0)" }
            return lines.joined(separator: "\n")
        }

        enum CodingKeys: String, CodingKey {
            case ok, databaseProblems, referencedBlobs, missingBlobs, corruptBlobs, unreferencedBlobs
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(ok, forKey: .ok)
            try c.encode(databaseProblems, forKey: .databaseProblems)
            try c.encode(referencedBlobs, forKey: .referencedBlobs)
            try c.encode(missingBlobs, forKey: .missingBlobs)
            try c.encode(corruptBlobs, forKey: .corruptBlobs)
            try c.encode(unreferencedBlobs, forKey: .unreferencedBlobs)
        }
    }

    func failed(_ report: Report) -> Bool { !report.ok }

    func execute() async throws -> Report {
        // A missing SQLite file would be created empty by opening it: say so instead.
        if case .sqlite(let file) = try common.configuration().storeLocation(), !FileManager.default.fileExists(atPath: file.path) {
            throw ValidationError("no database in \(common.dataURL.path)")
        }
        let repository = try common.openRepository()
        return try await Self.check(repository.store, repository.blobs)
    }

    static func check(_ store: any Store, _ blobs: BlobStore) async throws -> Report {
        let referenced = try await store.referencedContentIDs()
        var missing: [String] = []
        var corrupt: [String] = []
        for id in referenced.sorted(by: { $0.rawValue < $1.rawValue }) {
            switch try blobs.verify(id) {
            case nil: missing.append(id.rawValue)
            case false?: corrupt.append(id.rawValue)
            case true?: break
            }
        }
        let unreferenced = blobs.allBlobs().filter { !referenced.contains($0) }.count
        return Report(
            databaseProblems: try await store.integrityProblems(), referencedBlobs: referenced.count, missingBlobs: missing,
            corruptBlobs: corrupt, unreferencedBlobs: unreferenced)
    }
}
