public import Foundation
public import HoclieuCore
import Logging
import PostgresNIO

/// Imports on PostgreSQL (``SQLiteStore``'s `+Imports`): a whole batch in one transaction, idempotent by provenance.
extension PostgresStore: ImportStore {
    public func applyImport(_ batch: ImportBatch, ownerID: Int64) async throws -> ImportBatchResult {
        for entry in batch.entries where entry.draft.provenance?.sourceIdentifier == nil {
            throw StoreError.invalid("an imported material needs a provenance with a source identifier")
        }
        let metadata = try batch.entries.map { try SQLiteStore.validate($0.draft) }
        return try await write { c in
            // Imports by one owner queue one behind the other (on every node), so provenance lookups see earlier imports.
            try await c.run("SELECT pg_advisory_xact_lock(7917603, \(Int32(truncatingIfNeeded: ownerID)))", logger)
            var outcomes: [ImportBatchResult.Outcome] = []
            for (entry, metadata) in zip(batch.entries, metadata) {
                let source = entry.draft.provenance!
                let questions =
                    entry.questions.isEmpty ? [] : try await importQuestions(entry.questions, ownerID: ownerID, source: source.sourceIdentifier, c)
                if let pid = try await c.value(
                    """
                    SELECT pid FROM materials WHERE source_system = \(source.sourceSystem) AND source_identifier = \(source.sourceIdentifier)
                    AND owner_id = \(ownerID)
                    """, as: String.self, logger)
                {
                    var (material, _) = try await load(try PersistentIdentifier(parsing: pid), c)
                    // Compared with the newest version: one waiting for review counts (importing it again adds nothing).
                    let newest = try await c.row(
                        """
                        SELECT number, content_id FROM material_versions WHERE material_id = \(Int64(material.pid.serial))
                        ORDER BY number DESC LIMIT 1
                        """, logger)
                    let newestContent = try newest?.get("content_id", as: String.self)
                    guard var version = entry.version, version.contentID.rawValue != newestContent else {
                        let number = try newest.map { Int(try $0.get("number", as: Int32.self)) } ?? material.currentVersion
                        outcomes.append(.init(pid: material.pid, version: number, action: .unchanged, questions: questions))
                        continue
                    }
                    // A new edition of a published material waits for the board, whoever imports it.
                    if material.status == .published { version.pending = true }
                    let added = try await appendVersion(to: &material, version, c)
                    outcomes.append(.init(pid: material.pid, version: added.number, action: .updated, questions: questions))
                } else {
                    var material = try await newMaterial(entry.draft, metadata: metadata, ownerID: ownerID, c)
                    if let version = entry.version {
                        // The row is written once with its first version (as SQLite's insertWithFirstVersion).
                        material.currentVersion = 1
                        if material.kind != .link { material.format = version.package?.kind ?? version.mediaType }
                        try await self.insert(material, extractedText: version.extractedText ?? entry.draft.extractedText, c, logger)
                        material.currentVersion = 0
                        _ = try await writeVersionRow(of: material, version, c)
                        material.currentVersion = 1
                    } else {
                        try await self.insert(material, extractedText: entry.draft.extractedText, c, logger)
                    }
                    outcomes.append(.init(pid: material.pid, version: material.currentVersion, action: .created, questions: questions))
                }
            }
            // A question set's questions, for the board's decision on the set (and its status now).
            for outcome in outcomes where !outcome.questions.isEmpty {
                try await Self.setMembers(of: outcome.pid.serial, to: outcome.questions, c, logger)
                let material = try await load(outcome.pid, c).0
                if outcome.action == .created || material.status != .published { try await Self.syncSetQuestions(material, c, logger) }
            }
            return ImportBatchResult(outcomes: outcomes)
        }
    }

    public func materials(_ pids: [PersistentIdentifier]) async throws -> [Material] {
        let found = try await read { c in
            try await c.rows("SELECT \(unescaped: Self.materialColumns) FROM materials WHERE pid = ANY(\(pids.map(\.rawValue)))", logger)
                .map(Self.material)
        }
        let byPID = Dictionary(found.map { ($0.pid, $0) }, uniquingKeysWith: { a, _ in a })
        return pids.compactMap { byPID[$0] }
    }

    public func currentVersions(of pids: [PersistentIdentifier]) async throws -> [PersistentIdentifier: MaterialVersion] {
        let found = try await read { c in
            try await c.rows(
                """
                SELECT m.pid AS material_pid, v.* FROM materials m
                JOIN material_versions v ON v.material_id = m.id AND v.number = m.current_version
                WHERE m.pid = ANY(\(pids.map(\.rawValue)))
                """, logger
            ).map { row in try Self.version(row, pid: try PersistentIdentifier(parsing: try row.get("material_pid"))) }
        }
        return Dictionary(found.map { ($0.pid, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public func materials(sourceSystem: String, sourceIdentifiers: [String], ownerID: Int64) async throws -> [String: Material] {
        let found = try await read { c in
            try await c.rows(
                """
                SELECT \(unescaped: Self.materialColumns) FROM materials
                WHERE owner_id = \(ownerID) AND source_system = \(sourceSystem) AND source_identifier = ANY(\(sourceIdentifiers))
                """, logger
            ).map(Self.material)
        }
        return Dictionary(found.compactMap { m in m.provenance?.sourceIdentifier.map { ($0, m) } }, uniquingKeysWith: { a, _ in a })
    }

    public func materialPIDs(after: PersistentIdentifier?, limit: Int) async throws -> [PersistentIdentifier] {
        try await read { c in
            try await c.rows(
                "SELECT pid FROM materials WHERE id > \(Int64(after?.serial ?? 0)) ORDER BY id LIMIT \(Int64(max(limit, 0)))", logger
            ).map { try PersistentIdentifier(parsing: try $0.get("pid")) }
        }
    }
}
