public import Foundation
public import HoclieuCore
public import HoclieuStorage
public import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A chunk's place in the file, from a `Content-Range: bytes start-end/total` header: `end` inclusive, checked by the
/// parser (``UploadChunk/parse(_:)``) to lie inside a file of `total` bytes.
public struct UploadChunk: Sendable, Equatable {
    public var start: Int64
    public var end: Int64
    public var total: Int64

    /// The chunk's length (`end - start + 1`, which cannot overflow once parsed).
    public var length: Int64 { end - start + 1 }

    /// Parses `bytes start-end/total`. Every number is parsed as a non-negative `Int64` (no overflow: a number that does
    /// not fit is refused), `start <= end < total`. Nil when the header is not of that form.
    public static func parse(_ header: String) -> UploadChunk? {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.hasPrefix("bytes ") else { return nil }
        let spec = text.dropFirst("bytes ".count)
        let parts = spec.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let range = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard range.count == 2, let start = number(range[0]), let end = number(range[1]), let total = number(parts[1]) else { return nil }
        guard start <= end, end < total else { return nil }
        return UploadChunk(start: start, end: end, total: total)
    }

    static func number(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.count <= 19, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(text)
    }
}

/// Why a chunk or an upload was refused.
public enum UploadError: BilingualError, Equatable {
    /// The chunk does not start where the received bytes end (a gap, or it overlaps what was received).
    case outOfOrder(received: Int64)
    /// The chunk's range overlaps the received bytes without being wholly inside them.
    case overlapping(received: Int64)
    /// The declared total differs from the upload's size.
    case wrongTotal(expected: Int64)
    /// The body is longer or shorter than the range says.
    case lengthMismatch(expected: Int64, received: Int64)
    /// Larger than the upload limit.
    case tooLarge(limit: Int64)
    /// Finishing before every byte has arrived.
    case incomplete(received: Int64, total: Int64)
    /// Another request moved the upload first.
    case concurrent

    public var category: ErrorCategory {
        switch self {
        case .tooLarge: .tooLarge
        case .lengthMismatch: .badRequest
        case .outOfOrder, .overlapping, .wrongTotal, .incomplete, .concurrent: .conflict
        }
    }
    public var code: String {
        switch self {
        case .outOfOrder: "upload-out-of-order"
        case .overlapping: "upload-overlapping"
        case .wrongTotal: "upload-wrong-total"
        case .lengthMismatch: "upload-length-mismatch"
        case .tooLarge: "too-large"
        case .incomplete: "upload-incomplete"
        case .concurrent: "upload-concurrent"
        }
    }
    public var vietnamese: String {
        switch self {
        case .outOfOrder(let received): "Phần tệp gửi không đúng thứ tự: máy chủ đã nhận \(received) byte, phần tiếp theo phải bắt đầu từ byte \(received)."
        case .overlapping(let received): "Phần tệp gửi chồng lên phần đã nhận: máy chủ đã nhận \(received) byte; hãy gửi tiếp từ byte \(received)."
        case .wrongTotal(let expected): "Tổng kích thước trong Content-Range khác kích thước đã khai báo (\(expected) byte)."
        case .lengthMismatch(let expected, let received): "Nội dung dài \(received) byte, khác độ dài \(expected) byte mà Content-Range ghi."
        case .tooLarge(let limit): "Tệp lớn hơn giới hạn \(limit) byte."
        case .incomplete(let received, let total): "Tệp chưa gửi đủ: mới nhận \(received)/\(total) byte."
        case .concurrent: "Một yêu cầu khác đang gửi phần này; hãy hỏi lại vị trí đã nhận rồi gửi tiếp."
        }
    }
    public var english: String {
        switch self {
        case .outOfOrder(let received): "Chunk out of order: the server has \(received) bytes; the next chunk must start at byte \(received)."
        case .overlapping(let received): "The chunk overlaps what was received: the server has \(received) bytes; continue from byte \(received)."
        case .wrongTotal(let expected): "The total in Content-Range differs from the declared size (\(expected) bytes)."
        case .lengthMismatch(let expected, let received): "The body is \(received) bytes, not the \(expected) bytes Content-Range says."
        case .tooLarge(let limit): "The file is larger than the \(limit)-byte limit."
        case .incomplete(let received, let total): "The file is not complete: \(received) of \(total) bytes received."
        case .concurrent: "Another request is sending this chunk; ask for the received offset and continue."
        }
    }
}

extension Services {
    /// How long an upload waits for its next chunk before it is abandoned (and how long a finished one is remembered).
    public static let uploadLifetime: TimeInterval = 24 * 3600
    /// The chunk size suggested to clients.
    public static let uploadChunkBytes: Int64 = 8 << 20

    /// Where an upload's received bytes are: a part file in the blob folder (which server nodes share), never in memory.
    func partFile(_ id: String) -> URL {
        blobs.root.appendingPathComponent("uploads", isDirectory: true).appendingPathComponent("\(id).part")
    }

    /// Starts a resumable upload of a file of `size` bytes that becomes the next version of `pid`. The caller must be
    /// allowed to add versions to the material (``AccessPolicy/canEdit(_:_:)``; who may not see it is told it does not
    /// exist). Expired uploads are cleaned up on the way.
    public func createUpload(pid: PersistentIdentifier, fileName: String, mediaType: String?, size: Int64, note: String?, by user: User) async throws
        -> UploadSession
    {
        guard size > 0 else { throw IngestError.emptyFile }
        guard size <= configuration.maxUploadBytes else { throw UploadError.tooLarge(limit: configuration.maxUploadBytes) }
        guard let material = try await store.material(pid), AccessPolicy.canSee(user, material) else {
            throw AppError.notFound("học liệu \(pid)", "material \(pid)")
        }
        guard AccessPolicy.canEdit(user, material) else { throw AppError.forbidden }
        if material.kind == .link { throw IngestError.linkHasNoFile }
        if AccessPolicy.isLockedForReview(user, material) { throw IngestError.underReview }
        _ = try? await sweepExpiredUploads(now: Date(), limit: 20)
        var random = SystemRandomNumberGenerator()
        let id = (0..<4).map { _ in String(format: "%08x", random.next() as UInt32) }.joined()
        let now = Date()
        let session = UploadSession(
            id: id, ownerID: user.id, fileName: fileName, mediaType: mediaType, totalBytes: size, pid: pid, note: note, createdAt: now, updatedAt: now,
            expiresAt: now.addingTimeInterval(Self.uploadLifetime))
        let file = partFile(id)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw BlobError.io("cannot create \(file.lastPathComponent)")
        }
        do {
            try await store.createUpload(session)
        } catch {
            try? FileManager.default.removeItem(at: file)
            throw error
        }
        return session
    }

    /// The upload, if `user` created it and it has not expired (anyone else, and an expired upload: not found).
    public func upload(id: String, by user: User) async throws -> UploadSession {
        guard id.count == 32, id.allSatisfy({ $0.isHexDigit && !$0.isUppercase }), let session = try await store.upload(id: id),
            AccessPolicy.canUseUpload(user, ownerID: session.ownerID),
            session.expiresAt > Date()
        else { throw AppError.notFound("phiên tải lên \(id)", "upload \(id)") }
        return session
    }

    /// Appends one chunk, streamed from `body` to the part file at its offset (never held in memory). The chunk must start
    /// where the received bytes end; a chunk wholly inside what was received is acknowledged without being written again
    /// (a retry after a lost answer), one that overlaps it partly is refused, as is a gap, a total other than the upload's,
    /// and a body longer or shorter than its range. The offset moves by compare-and-set in the store, after the bytes are
    /// synced; a failed chunk leaves the part file as it was.
    public func appendChunk<Body: AsyncSequence>(id: String, _ chunk: UploadChunk, body: Body, by user: User) async throws -> UploadSession
    where Body.Element == ByteBuffer {
        let session = try await upload(id: id, by: user)
        guard chunk.total == session.totalBytes else { throw UploadError.wrongTotal(expected: session.totalBytes) }
        if chunk.end < session.receivedBytes { return session }  // already received: idempotent
        if chunk.start < session.receivedBytes { throw UploadError.overlapping(received: session.receivedBytes) }
        if chunk.start > session.receivedBytes { throw UploadError.outOfOrder(received: session.receivedBytes) }
        let file = partFile(id)
        let fd = Glibc.open(file.path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AppError.notFound("phiên tải lên \(id)", "upload \(id)") }
        defer { Glibc.close(fd) }
        // One writer per upload at a time, whichever node (the part file is on the shared volume).
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { throw UploadError.concurrent }
        var offset = chunk.start
        let end = chunk.end + 1  // cannot overflow: end < total <= Int64.max
        do {
            for try await buffer in body {
                let count = Int64(buffer.readableBytes)
                guard count <= end - offset else {
                    throw UploadError.lengthMismatch(expected: chunk.length, received: offset - chunk.start + count)
                }
                try buffer.withUnsafeReadableBytes { bytes in
                    var written = 0
                    while written < bytes.count {
                        let n = pwrite(fd, bytes.baseAddress! + written, bytes.count - written, off_t(offset) + off_t(written))
                        if n < 0 {
                            if errno == EINTR { continue }
                            throw BlobError.failed("write", errno: errno)
                        }
                        written += n
                    }
                }
                offset += count
            }
            guard offset == end else { throw UploadError.lengthMismatch(expected: chunk.length, received: offset - chunk.start) }
            guard fsync(fd) == 0 else { throw BlobError.failed("fsync", errno: errno) }
            guard try await store.advanceUpload(id: id, from: chunk.start, to: end, expiresAt: Date().addingTimeInterval(Self.uploadLifetime)) else {
                throw UploadError.concurrent
            }
        } catch {
            // What this chunk wrote is not counted: cut it off so the part file ends at the received offset.
            _ = ftruncate(fd, off_t(chunk.start))
            throw error
        }
        var advanced = session
        advanced.receivedBytes = end
        return advanced
    }

    /// Finishes a complete upload: its part file becomes a blob and goes through ``ingest(_:fileName:declaredType:into:by:)``,
    /// the one ingest path, as the next version of the upload's material. Finishing again answers the same version.
    public func finishUpload(id: String, by user: User) async throws -> (session: UploadSession, outcome: IngestOutcome?) {
        let session = try await upload(id: id, by: user)
        if session.resultVersion != nil { return (session, nil) }
        guard session.isComplete else { throw UploadError.incomplete(received: session.receivedBytes, total: session.totalBytes) }
        let file = partFile(id)
        // The part file is hashed into the blob store (a copy: the part file stays until the upload is forgotten, so a
        // retried finish after a lost answer still works).
        let blob = try blobs.store(fileAt: file, limit: configuration.maxUploadBytes)
        guard blob.byteSize == session.totalBytes else { throw UploadError.incomplete(received: blob.byteSize, total: session.totalBytes) }
        let outcome = try await ingest(
            blob, fileName: session.fileName, declaredType: session.mediaType, into: .version(of: session.pid, note: session.note), by: user)
        _ = try await store.finishUpload(id: id, pid: outcome.pid, version: outcome.version, expiresAt: Date().addingTimeInterval(Self.uploadLifetime))
        try? FileManager.default.removeItem(at: file)
        var finished = session
        finished.resultVersion = outcome.version
        return (finished, outcome)
    }

    /// Abandons an upload now: its state and its part file are removed.
    public func abandonUpload(id: String, by user: User) async throws {
        let session = try await upload(id: id, by: user)
        try await store.deleteUpload(id: session.id)
        try? FileManager.default.removeItem(at: partFile(session.id))
    }

    /// Removes uploads whose time ran out (state and part file); returns how many.
    @discardableResult
    public func sweepExpiredUploads(now: Date, limit: Int = 200) async throws -> Int {
        let expired = try await store.expiredUploads(now: now, limit: limit)
        for id in expired {
            try await store.deleteUpload(id: id)
            try? FileManager.default.removeItem(at: partFile(id))
        }
        return expired.count
    }
}
