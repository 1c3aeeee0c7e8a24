public import Foundation
public import HoclieuCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Content-addressed file storage: every blob is named by the SHA-256 of its bytes.
///
/// A blob is written to `tmp/`, hashed while it streams, synced, then renamed to
/// `objects/ab/abcdef…`; a crash leaves at worst a stray temporary file, never a
/// half-written blob under its final name. Blobs are immutable, so a copy of the
/// folder taken at any time is consistent.
public struct BlobStore: Sendable {
    public let root: URL

    var objects: URL { root.appendingPathComponent("objects", isDirectory: true) }
    var temporary: URL { root.appendingPathComponent("tmp", isDirectory: true) }

    /// Opens the store at `root`, creating its folders, and removes temporary files left by a crash.
    public init(root: URL) throws {
        self.root = root
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("objects"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        for leftover in (try? fm.contentsOfDirectory(atPath: temporary.path)) ?? [] {
            try? fm.removeItem(at: temporary.appendingPathComponent(leftover))
        }
    }

    /// Where the blob lives (whether or not it exists).
    public func url(for id: ContentID) -> URL {
        let hex = id.rawValue
        return objects.appendingPathComponent(String(hex.prefix(2)), isDirectory: true).appendingPathComponent(hex)
    }

    public func contains(_ id: ContentID) -> Bool {
        FileManager.default.fileExists(atPath: url(for: id).path)
    }

    /// Starts writing a new blob of at most `limit` bytes.
    public func makeWriter(limit: Int64 = .max) throws -> BlobWriter {
        try BlobWriter(store: self, limit: limit)
    }

    /// Stores bytes already in memory (a generated file, an image from a question file); `deferringSync` as
    /// ``BlobWriter/commit(deferringSync:)``.
    public func store(_ data: Data, limit: Int64 = .max, deferringSync: Bool = false) throws -> StoredBlob {
        let writer = try makeWriter(limit: limit)
        do {
            try data.withUnsafeBytes { try writer.write($0) }
            return try writer.commit(deferringSync: deferringSync)
        } catch {
            writer.abort()
            throw error
        }
    }

    /// Stores a file already on disk (streamed, not loaded).
    public func store(fileAt source: URL, limit: Int64 = .max) throws -> StoredBlob {
        let writer = try makeWriter(limit: limit)
        guard let input = FileHandle(forReadingAtPath: source.path) else { throw BlobError.io("cannot open \(source.path)") }
        defer { try? input.close() }
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            try chunk.withUnsafeBytes { try writer.write($0) }
        }
        return try writer.commit()
    }

    /// A fresh path in the store's temporary folder, for a file to ``adopt(fileAt:)`` once written.
    public func temporaryFileURL(suffix: String = "") -> URL {
        temporary.appendingPathComponent(UUID().uuidString + suffix)
    }

    /// Takes a finished file written at a ``temporaryFileURL(suffix:)`` into the store under its hash: the
    /// file is read once to hash it and renamed into place, never copied (large exports).
    public func adopt(fileAt source: URL) throws -> StoredBlob {
        guard source.deletingLastPathComponent().standardizedFileURL.path == temporary.standardizedFileURL.path else {
            throw BlobError.io("only files in the store's temporary folder can be adopted: \(source.path)")
        }
        return try BlobWriter(store: self, adopting: source).commit()
    }

    /// Makes every blob written so far durable (file contents and directory entries): one `syncfs` of the
    /// file system that holds the store, for blobs committed with `deferringSync`.
    public func syncFileSystem() throws {
        let fd = open(root.path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { throw BlobError.io("cannot open \(root.path): errno \(errno)") }
        defer { close(fd) }
        #if os(Linux)
        guard linuxSyncfs(fd) == 0 else { throw BlobError.io("syncfs failed: errno \(errno)") }
        #else
        sync()
        #endif
    }

    /// Removes a blob (only when nothing refers to it).
    public func remove(_ id: ContentID) {
        try? FileManager.default.removeItem(at: url(for: id))
    }

    /// Every blob name in the store.
    public func allBlobs() -> [ContentID] {
        let fm = FileManager.default
        var ids: [ContentID] = []
        for shard in (try? fm.contentsOfDirectory(atPath: objects.path)) ?? [] {
            for name in (try? fm.contentsOfDirectory(atPath: objects.appendingPathComponent(shard).path)) ?? [] {
                if let id = ContentID(rawValue: name), name.hasPrefix(shard) { ids.append(id) }
            }
        }
        return ids.sorted { $0.rawValue < $1.rawValue }
    }

    /// Re-hashes the blob: `nil` when missing, otherwise whether its bytes still hash to its name.
    public func verify(_ id: ContentID) throws -> Bool? {
        guard let handle = FileHandle(forReadingAtPath: url(for: id).path) else { return nil }
        defer { try? handle.close() }
        var hasher = StreamingHasher()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(chunk) }
        return hasher.finish() == id
    }
}

/// A blob that has been written and renamed into place.
public struct StoredBlob: Sendable, Equatable {
    public init(contentID: ContentID, byteSize: Int64, isNew: Bool) {
        self.contentID = contentID
        self.byteSize = byteSize
        self.isNew = isNew
    }

    public var contentID: ContentID
    public var byteSize: Int64
    /// False when the same bytes were already stored (the blob was shared, not created).
    public var isNew: Bool
}

#if os(Linux)
/// glibc's `syncfs(2)`, which Swift's Glibc module does not export (it is declared only under `_GNU_SOURCE`).
@_silgen_name("syncfs") private func linuxSyncfs(_ fd: Int32) -> Int32
#endif

/// Why a blob could not be written.
public enum BlobError: Error, Equatable, Sendable {
    /// More bytes arrived than the configured limit.
    case tooLarge(limit: Int64)
    /// The volume the blobs live on is full (`ENOSPC`, or the user's quota: `EDQUOT`); nothing was kept.
    case noSpace
    case io(String)

    /// The error for a failed write, fsync or rename with `code` (`errno`).
    public static func failed(_ what: String, errno code: Int32) -> BlobError {
        code == ENOSPC || code == EDQUOT ? .noSpace : .io("\(what) failed: errno \(code)")
    }
}

/// Writes one blob as its bytes arrive. Use from one task; `commit()` or `abort()` exactly once
/// (an abandoned writer removes its temporary file).
public final class BlobWriter {
    let store: BlobStore
    let limit: Int64
    let temporaryURL: URL
    var descriptor: Int32
    var hasher = StreamingHasher()
    public private(set) var byteCount: Int64 = 0

    init(store: BlobStore, limit: Int64) throws {
        self.store = store
        self.limit = limit
        temporaryURL = store.temporary.appendingPathComponent(UUID().uuidString)
        descriptor = open(temporaryURL.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw BlobError.io("cannot create \(temporaryURL.path): errno \(errno)") }
    }

    /// A writer whose bytes are already in `file` (in the store's temporary folder): they are hashed, not copied.
    init(store: BlobStore, adopting file: URL) throws {
        self.store = store
        self.limit = .max
        temporaryURL = file
        descriptor = open(file.path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else { throw BlobError.io("cannot open \(file.path): errno \(errno)") }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                abort()
                throw BlobError.io("read failed: errno \(code)")
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
            byteCount += Int64(n)
        }
    }

    deinit { abort() }

    /// Appends bytes; throws ``BlobError/tooLarge(limit:)`` (and discards everything) past the limit.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard descriptor >= 0 else { throw BlobError.io("writer closed") }
        guard byteCount + Int64(bytes.count) <= limit else {
            abort()
            throw BlobError.tooLarge(limit: limit)
        }
        hasher.update(bytes)
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                abort()
                throw BlobError.failed("write", errno: code)
            }
            offset += n
        }
        byteCount += Int64(bytes.count)
    }

    /// Syncs the bytes and renames them into place under their hash.
    ///
    /// With `deferringSync` the bytes and the rename are not synced here: a bulk import stores many blobs
    /// that way and then makes them all durable at once with ``BlobStore/syncFileSystem()`` before it
    /// commits the rows that refer to them.
    public func commit(deferringSync: Bool = false) throws -> StoredBlob {
        guard descriptor >= 0 else { throw BlobError.io("writer closed") }
        defer { descriptor = -1 }
        guard deferringSync || fsync(descriptor) == 0 else {
            let code = errno
            close(descriptor)
            unlink(temporaryURL.path)
            throw BlobError.failed("fsync", errno: code)
        }
        close(descriptor)
        let id = hasher.finish()
        let target = store.url(for: id)
        let shard = target.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: shard, withIntermediateDirectories: true)
        let isNew = !FileManager.default.fileExists(atPath: target.path)
        if !isNew {
            unlink(temporaryURL.path)  // same bytes are already stored
        } else {
            guard rename(temporaryURL.path, target.path) == 0 else {
                let code = errno
                unlink(temporaryURL.path)
                throw BlobError.failed("rename", errno: code)
            }
            let dir = deferringSync ? -1 : open(shard.path, O_RDONLY | O_DIRECTORY)
            if dir >= 0 {
                fsync(dir)
                close(dir)
            }
        }
        return StoredBlob(contentID: id, byteSize: byteCount, isNew: isNew)
    }

    /// Discards the temporary file.
    public func abort() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(temporaryURL.path)
    }
}
