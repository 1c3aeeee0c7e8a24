public import Foundation
import ZIPFoundation

/// Limits applied to an archive before anything is read from it.
public struct ArchiveLimits: Sendable {
    public var maxEntries: Int
    /// Total bytes once every entry is expanded.
    public var maxExpandedBytes: Int64
    /// Largest expansion ratio of one entry (zip bombs expand 1,000× and more).
    public var maxRatio: Double

    public init(maxEntries: Int = 50_000, maxExpandedBytes: Int64 = 8 << 30, maxRatio: Double = 200) {
        self.maxEntries = maxEntries
        self.maxExpandedBytes = maxExpandedBytes
        self.maxRatio = maxRatio
    }
}

/// Why an archive is refused.
public enum ArchiveError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(String)
    case unsafePath(String)
    case symlink(String)
    case tooManyEntries(limit: Int)
    case tooLarge(limit: Int64)
    case suspiciousRatio(path: String, ratio: Int)
    case missingEntry(String)
    case entryTooLarge(path: String, limit: Int)

    public var description: String {
        switch self {
        case .unreadable(let why): "không đọc được tệp nén / unreadable archive: \(why)"
        case .unsafePath(let path): "đường dẫn không an toàn / unsafe path in archive: \(path)"
        case .symlink(let path): "liên kết tượng trưng / symbolic link in archive: \(path)"
        case .tooManyEntries(let limit): "quá nhiều tệp (giới hạn \(limit)) / more than \(limit) entries"
        case .tooLarge(let limit): "dung lượng giải nén quá lớn / expands beyond \(limit) bytes"
        case .suspiciousRatio(let path, let ratio): "tỉ lệ nén bất thường (zip bomb?) / compression ratio \(ratio):1 in \(path)"
        case .missingEntry(let path): "thiếu tệp / missing entry: \(path)"
        case .entryTooLarge(let path, let limit): "tệp quá lớn / \(path) is larger than \(limit) bytes"
        }
    }
}

/// A ZIP archive checked as a whole before use: no absolute or `..` paths, no symlinks, bounded
/// entry count, expanded size and compression ratio. Entries are read on demand, never extracted.
public final class SafeArchive {
    let archive: Archive
    /// Entry paths (files only), normalised to `/` separators.
    public let paths: [String]
    public let expandedBytes: Int64
    private let entries: [String: Entry]

    public init(url: URL, limits: ArchiveLimits = .init()) throws(ArchiveError) {
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw .unreadable("\(error)")
        }
        var paths: [String] = []
        var entries: [String: Entry] = [:]
        var total: Int64 = 0
        var count = 0
        for entry in archive {
            count += 1
            guard count <= limits.maxEntries else { throw .tooManyEntries(limit: limits.maxEntries) }
            let path = entry.path.replacingOccurrences(of: "\\", with: "/")
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            if path.hasPrefix("/") || parts.contains("..") || path.contains("\0") || (path.count > 1 && path.dropFirst().hasPrefix(":")) {
                throw .unsafePath(entry.path)
            }
            if entry.type == .symlink { throw .symlink(entry.path) }
            guard entry.type == .file else { continue }
            total += Int64(entry.uncompressedSize)
            guard total <= limits.maxExpandedBytes else { throw .tooLarge(limit: limits.maxExpandedBytes) }
            if entry.uncompressedSize > 1 << 20 {
                let ratio = Double(entry.uncompressedSize) / Double(max(entry.compressedSize, 1))
                if ratio > limits.maxRatio { throw .suspiciousRatio(path: entry.path, ratio: Int(ratio)) }
            }
            paths.append(path)
            entries[path] = entry
        }
        self.paths = paths
        self.entries = entries
        expandedBytes = total
    }

    public func contains(_ path: String) -> Bool { entries[path] != nil }

    /// The entry's bytes, at most `limit` of them (the declared size is not trusted: bytes are counted).
    public func data(_ path: String, limit: Int = 16 << 20) throws(ArchiveError) -> Data {
        guard let entry = entries[path] else { throw .missingEntry(path) }
        var data = Data()
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                guard data.count + chunk.count <= limit else { throw ArchiveError.entryTooLarge(path: path, limit: limit) }
                data.append(chunk)
            }
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw .unreadable("\(path): \(error)")
        }
        return data
    }
}
