public import Foundation
public import HoclieuCore

/// Resumable uploads: the state of each upload in progress, kept in the store so that every server node sees it
/// (the bytes themselves are a part file in the blob folder, which nodes share).
///
/// The received offset only moves forward, by compare-and-set (``advanceUpload(id:from:to:expiresAt:)``): two
/// requests sending the same chunk cannot both count it.
public protocol UploadStore: Sendable {
    /// Records a new upload (its id chosen by the caller: random, unguessable).
    func createUpload(_ upload: UploadSession) async throws
    /// The upload, whoever owns it (callers check the owner), expired or not.
    func upload(id: String) async throws -> UploadSession?
    /// Moves the received offset from `from` to `to` and the expiry to `expiresAt` if it is still `from`; false otherwise.
    func advanceUpload(id: String, from: Int64, to: Int64, expiresAt: Date) async throws -> Bool
    /// Records what the finished upload became (a material version); false if it was already recorded.
    func finishUpload(id: String, pid: PersistentIdentifier, version: Int, expiresAt: Date) async throws -> Bool
    /// Forgets an upload (its part file is the caller's to remove).
    func deleteUpload(id: String) async throws
    /// Uploads whose expiry is before `now`, oldest first.
    func expiredUploads(now: Date, limit: Int) async throws -> [String]
}

/// One resumable upload: a file of a known size, sent in chunks, that becomes the next version of a material.
public struct UploadSession: Sendable, Equatable, Codable {
    /// Random, unguessable (128 bits, hex).
    public var id: String
    public var ownerID: Int64
    public var fileName: String
    /// The media type the client declared, if any.
    public var mediaType: String?
    /// The file's size in bytes, declared when the upload was created.
    public var totalBytes: Int64
    /// Bytes received so far, from the start: the next chunk starts here.
    public var receivedBytes: Int64
    /// The material whose next version the file becomes, and the version note.
    public var pid: PersistentIdentifier
    public var note: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// After this, the upload is abandoned: it answers 404 and is cleaned up.
    public var expiresAt: Date
    /// The version the finished upload became (nil until finished).
    public var resultVersion: Int?

    public init(
        id: String, ownerID: Int64, fileName: String, mediaType: String?, totalBytes: Int64, receivedBytes: Int64 = 0, pid: PersistentIdentifier,
        note: String?, createdAt: Date, updatedAt: Date, expiresAt: Date, resultVersion: Int? = nil
    ) {
        self.id = id
        self.ownerID = ownerID
        self.fileName = fileName
        self.mediaType = mediaType
        self.totalBytes = totalBytes
        self.receivedBytes = receivedBytes
        self.pid = pid
        self.note = note
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.expiresAt = expiresAt
        self.resultVersion = resultVersion
    }

    /// Whether every byte has arrived.
    public var isComplete: Bool { receivedBytes == totalBytes }
}
