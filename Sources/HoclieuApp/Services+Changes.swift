import Crypto
public import Foundation
public import HoclieuCore
import HoclieuStorage
import LTI
import OAIPMH

/// One event of the JSON change feed.
public struct ChangeEvent: Codable, Sendable, Equatable {
    /// `published` (first published where this consumer's class sees it after the consumer's cursor: new to it),
    /// `updated` (published before the cursor and changed since: a new version, metadata, visibility) or `withdrawn`
    /// (gone for good: the harvester must delete its copy).
    public var type: String
    public var pid: PersistentIdentifier
    public var version: Int
    public var datestamp: Date
}

/// A page of the change feed and the cursor to continue from (also when the page is empty: poll it again later).
public struct ChangePage: Sendable {
    public var events: [ChangeEvent]
    public var next: String
    /// Whether more events are waiting now (ask again at once).
    public var hasMore: Bool
}

/// Why a change-feed cursor was refused.
public enum ChangeFeedError: BilingualError, Equatable {
    case badCursor
    public var category: ErrorCategory { .badRequest }
    public var code: String { "bad-cursor" }
    public var vietnamese: String { "Con trỏ since không hợp lệ: hãy dùng giá trị next của trang trước, hoặc bỏ trống để bắt đầu lại." }
    public var english: String { "Invalid since cursor: use the next value of the previous page, or leave it out to start again." }
}

extension Services {
    /// The JSON change feed: what a harvester of `viewer`'s class (``harvestAudience(for:)``, the OAI-PMH decision)
    /// may see changed after `since`, oldest first, by keyset on `(datestamp, serial)` — never `OFFSET`. The cursor
    /// is opaque and signed with the service key, so a client cannot forge a position and any node continues it.
    public func changes(for viewer: User?, since cursor: String?, limit: Int) async throws -> ChangePage {
        let limit = min(max(limit, 1), 1000)
        let after: HarvestPosition? = try cursor.flatMap { try openChangeCursor($0) }
        let audience = Self.harvestAudience(for: viewer)
        let source = HarvestSource(store: store, audience: audience, viewer: audience == .public ? nil : viewer)
        var query = HarvestQuery(statuses: HarvestSource.statuses, visibilities: audience.visibilities)
        query.formerlyVisible = true
        let materials = try await store.harvestPage(query, after: after, limit: limit + 1)
        let page = materials.prefix(limit)
        // The widest visibility the class sees: a sector harvester saw a material as soon as it was sector or public.
        let exposed = try await store.harvestFirstExposures(page.map(\.pid.serial), visibility: audience == .public ? .public : .sector)
        let events = page.compactMap { material -> ChangeEvent? in
            guard let record = source.record(of: material) else { return nil }
            let seenBefore = after.map { cursor in exposed[material.pid.serial].map { $0 <= cursor.updatedAt } ?? false } ?? false
            let type = record.deleted ? "withdrawn" : seenBefore ? "updated" : "published"
            return ChangeEvent(type: type, pid: material.pid, version: material.currentVersion, datestamp: material.updatedAt)
        }
        let position = page.last.map { HarvestPosition(updatedAt: $0.updatedAt, serial: $0.pid.serial) } ?? after
        return ChangePage(events: events, next: sealChangeCursor(position), hasMore: materials.count > limit)
    }

    /// `v1.<epoch ms>.<serial>` (or `v1.start`), base64url, then `.` and its HMAC-SHA256 under the change-feed label.
    func sealChangeCursor(_ position: HarvestPosition?) -> String {
        let text = position.map { "v1.\(Int64(($0.updatedAt.timeIntervalSince1970 * 1000).rounded())).\($0.serial)" } ?? "v1.start"
        let payload = Data(text.utf8).base64URLEncodedString()
        return payload + "." + changeMAC(payload)
    }

    func openChangeCursor(_ cursor: String) throws -> HarvestPosition? {
        let parts = cursor.split(separator: ".", omittingEmptySubsequences: false)
        guard cursor.utf8.count <= 200, parts.count == 2, ConstantTime.equal(String(parts[1]), changeMAC(String(parts[0]))),
            let data = Data(base64URLEncoded: parts[0])
        else { throw ChangeFeedError.badCursor }
        let fields = String(decoding: data, as: UTF8.self).split(separator: ".")
        if fields == ["v1", "start"] { return nil }
        guard fields.count == 3, fields[0] == "v1", let millis = Int64(fields[1]), let serial = Int(fields[2]), serial >= 0 else {
            throw ChangeFeedError.badCursor
        }
        return HarvestPosition(updatedAt: Date(timeIntervalSince1970: TimeInterval(millis) / 1000), serial: serial)
    }

    private func changeMAC(_ payload: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(("changes:" + payload).utf8), using: signingKey)).base64URLEncodedString()
    }
}
