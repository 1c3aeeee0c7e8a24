import ContentPackages
import Foundation
import HoclieuCore
import NIOCore
import NIOPosix
import Synchronization

/// The stored packages previews read from: each archive's entry index is built once and kept (with the
/// package report the player needs), and small entries are kept as ready response bodies. Both are
/// bounded LRU caches; versions are immutable, so nothing ever needs invalidating.
final class PreviewPackages: Sendable {
    /// An archive opened for previews.
    struct OpenPackage: Sendable {
        let archive: SafeArchive
        let report: PackageReport?
    }

    private struct State {
        var references = LRU<String, (target: PreviewController.Target, until: ContinuousClock.Instant)>()
        var packages = LRU<ContentID, OpenPackage>()
        var bodies = LRU<String, ByteBuffer>()
        var bodyBytes = 0
    }

    let maxPackages: Int
    let maxBodyBytes: Int
    /// Entries up to this size are kept in memory once read.
    let maxCachedEntry: Int
    private let state = Mutex(State())

    init(maxPackages: Int = 64, maxBodyBytes: Int = 64 << 20, maxCachedEntry: Int = 512 << 10) {
        self.maxPackages = maxPackages
        self.maxBodyBytes = maxBodyBytes
        self.maxCachedEntry = maxCachedEntry
    }

    /// The open package for a blob, building its index on first use (off the event loop).
    func package(_ contentID: ContentID, at url: URL, inspect: Bool) async throws -> OpenPackage {
        if let open = state.withLock({ $0.packages.get(contentID) }) { return open }
        let open = try await NIOThreadPool.singleton.runIfActive {
            let archive = try SafeArchive(url: url)
            let report = inspect ? try? PackageInspector.inspect(archive) : nil
            return OpenPackage(archive: archive, report: report)
        }
        state.withLock { state in
            state.packages.put(contentID, open)
            while state.packages.count > maxPackages { state.packages.removeOldest() }
        }
        return open
    }

    /// How long a resolved reference is reused: a material that stops being public stops being
    /// previewable within this time, and a page's dozens of entries cost one database lookup.
    static let referenceLifetime = Duration.seconds(2)

    func resolved(_ reference: String) -> PreviewController.Target? {
        state.withLock { state in
            guard let cached = state.references.get(reference), cached.until > .now else { return nil }
            return cached.target
        }
    }

    func remember(_ reference: String, _ target: PreviewController.Target) {
        state.withLock { state in
            state.references.put(reference, (target, .now + Self.referenceLifetime))
            if state.references.count > 4096 { state.references.removeOldest() }
        }
    }

    func body(_ key: String) -> ByteBuffer? { state.withLock { $0.bodies.get(key) } }

    func keep(_ key: String, _ body: ByteBuffer) {
        guard body.readableBytes <= maxCachedEntry else { return }
        state.withLock { state in
            if state.bodies.put(key, body) == nil { state.bodyBytes += body.readableBytes }
            while state.bodyBytes > maxBodyBytes, let evicted = state.bodies.removeOldest() { state.bodyBytes -= evicted.readableBytes }
        }
    }
}

/// A small least-recently-used map: a dictionary plus a use counter; eviction scans for the oldest
/// entry, which is fine at the tens-to-thousands of entries these caches hold.
struct LRU<Key: Hashable, Value> {
    private var items: [Key: (value: Value, used: UInt64)] = [:]
    private var clock: UInt64 = 0

    var count: Int { items.count }

    mutating func get(_ key: Key) -> Value? {
        guard let item = items[key] else { return nil }
        clock += 1
        items[key] = (item.value, clock)
        return item.value
    }

    /// Stores the value; returns the value it replaced.
    @discardableResult
    mutating func put(_ key: Key, _ value: Value) -> Value? {
        clock += 1
        return items.updateValue((value, clock), forKey: key)?.value
    }

    @discardableResult
    mutating func removeOldest() -> Value? {
        guard let oldest = items.min(by: { $0.value.used < $1.value.used }) else { return nil }
        items[oldest.key] = nil
        return oldest.value.value
    }
}
