public import Foundation
public import HoclieuCore
import Logging
import PostgresNIO
import Synchronization

/// Harvests on PostgreSQL: keyset pages in datestamp order over the `(updated_at, id)` index (never `OFFSET`),
/// exposure flags kept by the `materials_exposure` trigger, and the remote repositories this service harvests.
extension PostgresStore: HarvestStore {
    static let harvestMigration = Migration(
        name: "v5-harvest",
        statements: [
            """
            CREATE TABLE remote_repositories (
                id BIGSERIAL PRIMARY KEY,
                base_url TEXT NOT NULL,
                set_spec TEXT NOT NULL DEFAULT '',
                metadata_prefix TEXT NOT NULL,
                interval_seconds BIGINT NOT NULL CHECK (interval_seconds > 0),
                trusted BOOLEAN NOT NULL,
                owner_id BIGINT NOT NULL REFERENCES users(id),
                last_datestamp TIMESTAMPTZ,
                last_run_at TIMESTAMPTZ,
                last_error TEXT,
                UNIQUE (base_url, set_spec, metadata_prefix)
            )
            """
        ])

    /// Appends the `WHERE` conditions of `query` (``SQLiteStore/harvestFilter(_:)``) to a query being built.
    static func appendHarvestFilter(_ query: HarvestQuery, to sql: inout PostgresQuery.StringInterpolation) {
        let statuses = query.statuses.map(\.rawValue).sorted()
        let visibilities = query.visibilities.map(\.rawValue).sorted()
        sql.appendLiteral("status = ANY(")
        sql.appendInterpolation(statuses)
        sql.appendLiteral("::text[]) AND (visibility = ANY(")
        sql.appendInterpolation(visibilities)
        sql.appendLiteral("::text[])")
        if query.formerlyVisible, !visibilities.isEmpty {
            // A material once published in a visibility stays marked (the exposure trigger).
            sql.appendLiteral(query.visibilities.contains(.sector) ? " OR exposed_sector" : " OR exposed_public")
        }
        sql.appendLiteral(")")
        if let from = query.from {
            sql.appendLiteral(" AND updated_at >= ")
            sql.appendInterpolation(from.pg)
        }
        if let before = query.before {
            sql.appendLiteral(" AND updated_at < ")
            sql.appendInterpolation(before.pg)
        }
        // Lists are stored one value per line: a value is a whole line.
        func line(_ column: String, _ value: String) {
            sql.appendLiteral(" AND position(E'\\n' || ")
            sql.appendInterpolation(value)
            sql.appendLiteral("::text || E'\\n' in E'\\n' || \(column) || E'\\n') > 0")
        }
        if let subject = query.subject { line("subjects", subject) }
        if let grade = query.grade { line("grades", String(grade)) }
        if let kind = query.kind {
            sql.appendLiteral(" AND kind = ")
            sql.appendInterpolation(kind.rawValue)
        }
        if let node = query.node {
            // The node itself, or a unit below it (its code continues with a dot).
            sql.appendLiteral(" AND (position(E'\\n' || ")
            sql.appendInterpolation(node)
            sql.appendLiteral("::text || E'\\n' in E'\\n' || knowledge_units || E'\\n') > 0 OR position(E'\\n' || ")
            sql.appendInterpolation(node)
            sql.appendLiteral("::text || '.' in E'\\n' || knowledge_units) > 0)")
        }
    }

    /// A harvest page's keyset condition (strictly after `after`), order and limit, after its filter.
    static func appendHarvestKeyset(after: HarvestPosition?, limit: Int, to sql: inout PostgresQuery.StringInterpolation) {
        if let after {
            // A row value comparison: the (updated_at, id) index is walked from the position on.
            sql.appendLiteral(" AND (materials.updated_at, materials.id) > (")
            sql.appendInterpolation(after.updatedAt.pg)
            sql.appendLiteral(", ")
            sql.appendInterpolation(Int64(after.serial))
            sql.appendLiteral(")")
        }
        sql.appendLiteral(" ORDER BY materials.updated_at, materials.id LIMIT ")
        sql.appendInterpolation(Int64(limit))
    }

    public func harvestPage(_ query: HarvestQuery, after: HarvestPosition?, limit: Int) async throws -> [Material] {
        guard limit > 0 else { return [] }
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 512, interpolationCount: 8)
        sql.appendLiteral("SELECT \(Self.materialColumns) FROM materials WHERE ")
        Self.appendHarvestFilter(query, to: &sql)
        Self.appendHarvestKeyset(after: after, limit: limit, to: &sql)
        let statement = PostgresQuery(stringInterpolation: sql)
        return try await read { c in try await c.rows(statement, logger).map(Self.material) }
    }

    public func harvestExposure(_ pid: PersistentIdentifier) async throws -> Set<Visibility> {
        try await read { c in
            guard let row = try await c.row(
                "SELECT exposed_public, exposed_sector FROM materials WHERE id = \(Int64(pid.serial))", logger)
            else { return [] }
            var set: Set<Visibility> = []
            if try row.get("exposed_public", as: Bool.self) { set.insert(.public) }
            if try row.get("exposed_sector", as: Bool.self) { set.insert(.sector) }
            return set
        }
    }

    public func harvestCount(_ query: HarvestQuery) async throws -> Int {
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 256, interpolationCount: 8)
        sql.appendLiteral("SELECT count(*) FROM materials WHERE ")
        Self.appendHarvestFilter(query, to: &sql)
        let statement = PostgresQuery(stringInterpolation: sql)
        return try await read { c in Int(try await c.value(statement, as: Int64.self, logger) ?? 0) }
    }

    public func harvestEarliestDatestamp(statuses: Set<MaterialStatus>, visibilities: Set<Visibility>) async throws -> Date? {
        var query = HarvestQuery(statuses: statuses, visibilities: visibilities)
        query.formerlyVisible = true
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 256, interpolationCount: 8)
        sql.appendLiteral("SELECT min(updated_at) AS earliest FROM materials WHERE ")
        Self.appendHarvestFilter(query, to: &sql)
        let statement = PostgresQuery(stringInterpolation: sql)
        return try await read { c in try await c.row(statement, logger)?.optionalDate("earliest") }
    }

    // MARK: Remote repositories

    static func remoteRepository(_ row: PostgresRandomAccessRow) throws -> RemoteRepository {
        let set = try row.get("set_spec", as: String.self)
        return RemoteRepository(
            id: try row.get("id"), baseURL: try row.get("base_url"), set: set.isEmpty ? nil : set, metadataPrefix: try row.get("metadata_prefix"),
            intervalSeconds: Int(try row.get("interval_seconds", as: Int64.self)), trusted: try row.get("trusted"), ownerID: try row.get("owner_id"),
            lastDatestamp: try row.optionalDate("last_datestamp"), lastRunAt: try row.optionalDate("last_run_at"), lastError: try row.get("last_error"))
    }

    public func addRemoteRepository(_ new: NewRemoteRepository) async throws -> RemoteRepository {
        let conflict = StoreError.conflict("remote repository \(new.baseURL)")
        do {
            return try await write { c in
                let set = new.set ?? ""
                if try await c.value(
                    """
                    SELECT 1 FROM remote_repositories WHERE base_url = \(new.baseURL) AND set_spec = \(set)
                    AND metadata_prefix = \(new.metadataPrefix)
                    """, as: Int32.self, logger) != nil
                {
                    throw conflict
                }
                return try Self.remoteRepository(
                    try await c.row(
                        """
                        INSERT INTO remote_repositories (base_url, set_spec, metadata_prefix, interval_seconds, trusted, owner_id)
                        VALUES (\(new.baseURL), \(set), \(new.metadataPrefix), \(Int64(new.intervalSeconds)), \(new.trusted), \(new.ownerID))
                        RETURNING *
                        """, logger)!)
            }
        } catch StoreError.conflict("remote_repositories_base_url_set_spec_metadata_prefix_key") {
            throw conflict
        }
    }

    public func remoteRepositories() async throws -> [RemoteRepository] {
        try await read { c in try await c.rows("SELECT * FROM remote_repositories ORDER BY id", logger).map(Self.remoteRepository) }
    }

    public func recordHarvestRun(_ run: HarvestRunEntry, lastDatestamp: Date?) async throws {
        try await write { c in
            guard try await c.value(
                """
                UPDATE remote_repositories SET last_run_at = \(run.finishedAt.pg), last_error = \(run.error),
                    last_datestamp = coalesce(\(lastDatestamp?.pg)::timestamptz, last_datestamp)
                WHERE id = \(run.repositoryID) RETURNING id
                """, as: Int64.self, logger) != nil
            else { throw StoreError.notFound("remote repository \(run.repositoryID)") }
            try await c.run(
                """
                INSERT INTO harvest_runs (repository_id, started_at, finished_at, status, pages, created, updated, withdrawn, unchanged, skipped, error)
                VALUES (\(run.repositoryID), \(run.startedAt.pg), \(run.finishedAt.pg), \(run.status.rawValue), \(Int64(run.pages)),
                    \(Int64(run.created)), \(Int64(run.updated)), \(Int64(run.withdrawn)), \(Int64(run.unchanged)), \(Int64(run.skipped)), \(run.error))
                """, logger)
        }
    }
}

// MARK: Harvest leases and first exposures

extension PostgresStore {
    /// SQLite's `v11-harvest-lease` and `v11-first-exposure`: which node runs a repository's harvest until when, and when
    /// a material was first published where each harvester class sees it (kept by the exposure trigger).
    static let leaseAndExposureMigration = Migration(
        name: "v11-harvest-lease-first-exposure",
        statements: [
            "ALTER TABLE remote_repositories ADD COLUMN lease_holder TEXT",
            "ALTER TABLE remote_repositories ADD COLUMN lease_until TIMESTAMPTZ",
            "ALTER TABLE materials ADD COLUMN exposed_public_at TIMESTAMPTZ",
            "ALTER TABLE materials ADD COLUMN exposed_sector_at TIMESTAMPTZ",
            """
            UPDATE materials SET exposed_public_at = CASE WHEN exposed_public THEN created_at END,
                exposed_sector_at = CASE WHEN exposed_sector THEN created_at END
            """,
            """
            CREATE OR REPLACE FUNCTION materials_exposure() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.status = 'published' AND NEW.visibility IN ('public', 'sector') THEN
                    NEW.exposed_sector := TRUE;
                    NEW.exposed_sector_at := coalesce(NEW.exposed_sector_at, NEW.updated_at);
                    NEW.exposed_public := NEW.exposed_public OR NEW.visibility = 'public';
                    IF NEW.visibility = 'public' THEN
                        NEW.exposed_public_at := coalesce(NEW.exposed_public_at, NEW.updated_at);
                    END IF;
                END IF;
                RETURN NEW;
            END $$
            """,
        ])

    public func claimHarvestRun(repositoryID: Int64, holder: String, until: Date, lastRunAt: Date?, now: Date) async throws -> Bool {
        try await write { c in
            try await c.value(
                """
                UPDATE remote_repositories SET lease_holder = \(holder), lease_until = \(until.pg)
                WHERE id = \(repositoryID) AND last_run_at IS NOT DISTINCT FROM \(lastRunAt?.pg)::timestamptz
                    AND (lease_holder IS NULL OR lease_holder = \(holder) OR lease_until <= \(now.pg))
                RETURNING id
                """, as: Int64.self, logger) != nil
        }
    }

    public func releaseHarvestRun(repositoryID: Int64, holder: String) async throws {
        try await write { c in
            try await c.run(
                "UPDATE remote_repositories SET lease_holder = NULL, lease_until = NULL WHERE id = \(repositoryID) AND lease_holder = \(holder)",
                logger)
        }
    }

    public func harvestFirstExposures(_ serials: [Int], visibility: Visibility) async throws -> [Int: Date] {
        guard !serials.isEmpty, visibility == .public || visibility == .sector else { return [:] }
        let column = visibility == .public ? "exposed_public_at" : "exposed_sector_at"
        return try await read { c in
            var found: [Int: Date] = [:]
            for row in try await c.rows(
                """
                SELECT id, \(unescaped: column) AS at FROM materials WHERE id = ANY(\(serials.map { Int64($0) })) AND \(unescaped: column) IS NOT NULL
                """, logger)
            {
                found[Int(try row.get("id", as: Int64.self))] = try row.date("at")
            }
            return found
        }
    }
}

// MARK: Pre-rendered records

/// Each published material's harvest records by metadata prefix (``SQLiteStore``'s `v11-oai-records`), written in the
/// material's own transaction; a record is current while its renderer key and stamp (`updated_at`) still hold.
extension PostgresStore {
    static let renderedRecordsMigration = Migration(
        name: "v10-oai-records",
        statements: [
            """
            CREATE TABLE oai_records (
                material_id BIGINT NOT NULL,
                prefix TEXT NOT NULL,
                render_key BIGINT NOT NULL,
                stamp TIMESTAMPTZ NOT NULL,
                xml BYTEA NOT NULL,
                PRIMARY KEY (material_id, prefix)
            )
            """
        ])

    /// Stores a written material's records; a rewritten material loses records it no longer has (not published, or
    /// no renderer installed), so a record is never older than its material.
    func storeRecords(_ m: Material, replace: Bool, _ c: PostgresConnection) async throws {
        let id = Int64(m.pid.serial)
        if replace { try await c.run("DELETE FROM oai_records WHERE material_id = \(id)", logger) }
        // A record that cannot be rendered now is encoded when it is asked for (and the failure shows there).
        guard let renderer = recordRenderer.withLock({ $0 }), m.status == .published, let records = try? renderer.render(m) else { return }
        for (prefix, xml) in records {
            try await c.run(
                """
                INSERT INTO oai_records (material_id, prefix, render_key, stamp, xml) VALUES (\(id), \(prefix), \(renderer.key), \(m.updatedAt.pg), \(xml))
                ON CONFLICT (material_id, prefix) DO UPDATE SET render_key = excluded.render_key, stamp = excluded.stamp, xml = excluded.xml
                """, logger)
        }
    }

    public func setRecordRenderer(_ renderer: RecordRenderer?) {
        recordRenderer.withLock { $0 = renderer }
    }

    public func harvestRenderedPage(_ query: HarvestQuery, after: HarvestPosition?, limit: Int, prefix: String) async throws -> [RenderedMaterial] {
        guard limit > 0 else { return [] }
        guard let key = recordRenderer.withLock({ $0?.key }) else {
            return try await harvestPage(query, after: after, limit: limit).map { RenderedMaterial(material: $0, record: nil) }
        }
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 512, interpolationCount: 10)
        sql.appendLiteral(
            "SELECT \(Self.materialColumns.split(separator: ",").map { "materials." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")), r.xml AS rendered_record FROM materials LEFT JOIN oai_records r ON r.material_id = materials.id AND r.prefix = ")
        sql.appendInterpolation(prefix)
        sql.appendLiteral(" AND r.render_key = ")
        sql.appendInterpolation(key)
        sql.appendLiteral(" AND r.stamp = materials.updated_at WHERE ")
        Self.appendHarvestFilter(query, to: &sql)
        Self.appendHarvestKeyset(after: after, limit: limit, to: &sql)
        let statement = PostgresQuery(stringInterpolation: sql)
        return try await read { c in
            try await c.rows(statement, logger).map { row in
                RenderedMaterial(material: try Self.material(row), record: try row.get("rendered_record", as: Data?.self))
            }
        }
    }

    public func refreshRenderedRecords(after: Int, limit: Int) async throws -> Int? {
        guard let renderer = recordRenderer.withLock({ $0 }), limit > 0 else { return nil }
        let wanted = Int64(renderer.prefixes.count)
        // Published materials after `after`, with how many of their records are current.
        let rows = try await read { c in
            try await c.rows(
                """
                SELECT \(unescaped: Self.materialColumns),
                    (SELECT count(*) FROM oai_records r WHERE r.material_id = materials.id AND r.render_key = \(renderer.key)
                        AND r.stamp = materials.updated_at) AS current
                FROM materials WHERE id > \(Int64(after)) AND status = 'published' ORDER BY id LIMIT \(Int64(limit))
                """, logger)
        }
        guard let last = rows.last else { return nil }
        let stale = try rows.filter { try $0.get("current", as: Int64.self) < wanted }.map { try Self.material($0) }
        if !stale.isEmpty {
            let prepared = stale.compactMap { material -> (Int64, Date, [String: Data])? in
                (try? renderer.render(material)).map { (Int64(material.pid.serial), material.updatedAt, $0) }
            }
            try await write { c in
                for (id, stamp, records) in prepared {
                    // Written meanwhile (and rendered by that write, or no longer published): leave it as it is.
                    guard let current = try await c.row(
                        "SELECT updated_at FROM materials WHERE id = \(id) AND status = 'published' FOR UPDATE", logger)?.date("updated_at"),
                        current == stamp
                    else { continue }
                    for (prefix, xml) in records {
                        try await c.run(
                            """
                            INSERT INTO oai_records (material_id, prefix, render_key, stamp, xml) VALUES (\(id), \(prefix), \(renderer.key), \(stamp.pg), \(xml))
                            ON CONFLICT (material_id, prefix) DO UPDATE SET render_key = excluded.render_key, stamp = excluded.stamp, xml = excluded.xml
                            """, logger)
                    }
                }
            }
        }
        return rows.count < limit ? nil : Int(try last.get("id", as: Int64.self))
    }
}
