import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuStorage
import HoclieuApp
import Hummingbird
import Logging
import NIOCore

/// Resumable uploads: a large file sent in chunks that survive a broken connection or a reloaded page, finished into
/// the next version of a material through the one ingest path.
///
/// | method | path | policy |
/// |---|---|---|
/// | POST | /api/v1/uploads | contributor who may add versions to the material (``AccessPolicy/canEdit(_:_:)``) |
/// | GET, HEAD | /api/v1/uploads/{id} | the upload's creator (anyone else: 404); `Upload-Offset` says where to continue |
/// | PUT | /api/v1/uploads/{id} | the creator; one chunk, `Content-Range: bytes start-end/total` |
/// | POST | /api/v1/uploads/{id}/finish | the creator; the complete file becomes the material's next version |
/// | DELETE | /api/v1/uploads/{id} | the creator; abandons the upload |
///
/// Protocol: create with the file's size → send chunks in order from `Upload-Offset` (a chunk already received is
/// acknowledged again, so a retry is harmless; a gap, an overlap, a wrong total or a body of another length is a 409/400
/// naming the offset) → after a failure, `HEAD` for the offset and continue → finish. Uploads expire 24 hours after
/// their last chunk and are then removed with their bytes.
struct UploadController {
    let repository: Services

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/api/v1/uploads", use: create)
        router.get("/api/v1/uploads/{id}", use: status)
        router.put("/api/v1/uploads/{id}", use: chunk)
        router.post("/api/v1/uploads/{id}/finish", use: finish)
        router.delete("/api/v1/uploads/{id}", use: abandon)
    }

    struct CreateRequest: StrictJSONBody {
        static let fields: Set<String> = ["pid", "fileName", "size", "mediaType", "note"]
        var pid: String
        var fileName: String
        var size: Int64
        var mediaType: String?
        var note: String?
    }

    /// What a client needs to continue: where the bytes end, how large chunks should be, until when the upload waits.
    struct UploadView: Encodable {
        var id: String
        var pid: String
        var fileName: String
        var size: Int64
        var received: Int64
        var chunkSize: Int64
        var complete: Bool
        var expiresAt: Date
        /// The version the finished upload became.
        var version: Int?

        init(_ s: UploadSession) {
            id = s.id
            pid = s.pid.rawValue
            fileName = s.fileName
            size = s.totalBytes
            received = s.receivedBytes
            chunkSize = min(Services.uploadChunkBytes, s.totalBytes)
            complete = s.isComplete
            expiresAt = s.expiresAt
            version = s.resultVersion
        }
    }

    func response(_ session: UploadSession, status: HTTPResponse.Status = .ok) throws -> JSONResponse {
        try JSONResponse(
            status: status,
            headers: [
                HTTPField.Name("Upload-Offset")!: String(session.receivedBytes), HTTPField.Name("Upload-Length")!: String(session.totalBytes),
                .cacheControl: "no-store", .location: "/api/v1/uploads/\(session.id)",
            ], UploadView(session))
    }

    func uploadID(_ context: AppRequestContext) throws -> String {
        let id = try context.parameters.require("id")
        guard id.count <= 64 else { throw Problem.notFound("phiên tải lên / upload") }
        return id
    }

    /// `POST /api/v1/uploads`: 201 with the upload's id, its chunk size and `Upload-Offset: 0`.
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.contributor(context)
        let body = try await request.decodeStrict(CreateRequest.self, limit: repository.configuration.maxJSONBytes)
        let pid = try PersistentIdentifier(parsing: body.pid)
        let fileName = try FileNames.validated(body.fileName)
        guard body.size > 0 else { throw Problem(.unprocessableContent, "empty-file", vi: "Tệp rỗng.", en: "The file is empty.") }
        if let note = body.note, note.count > 2000 { throw Problem.badRequest("Ghi chú quá dài.", "The note is too long.") }
        if let type = body.mediaType, type.count > 200 || !type.contains("/") {
            throw Problem.badRequest("Kiểu tệp không hợp lệ.", "Invalid media type.")
        }
        let session = try await repository.createUpload(
            pid: pid, fileName: fileName, mediaType: body.mediaType, size: body.size, note: body.note, by: user)
        context.logger.info("upload started", metadata: ["hoclieu.upload.id": "\(session.id)", "hoclieu.upload.bytes": "\(session.totalBytes)"])
        return try response(session, status: .created)
    }

    /// `GET|HEAD /api/v1/uploads/{id}`: the upload's state; `Upload-Offset` is where the next chunk starts.
    @Sendable func status(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.contributor(context)
        return try response(try await repository.upload(id: try uploadID(context), by: user))
    }

    /// `PUT /api/v1/uploads/{id}`: one chunk, streamed to disk. 200 with the new offset.
    @Sendable func chunk(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.contributor(context)
        let id = try uploadID(context)
        // Whose upload it is comes first: anyone else learns nothing, not even that their header was wrong.
        _ = try await repository.upload(id: id, by: user)
        guard let header = request.headers[.contentRange] else {
            throw Problem.badRequest(
                "Thiếu tiêu đề Content-Range (bytes đầu-cuối/tổng).", "The Content-Range header (bytes start-end/total) is missing.")
        }
        guard let chunk = UploadChunk.parse(header) else {
            throw Problem.badRequest(
                "Content-Range không hợp lệ: cần dạng bytes đầu-cuối/tổng, đầu ≤ cuối < tổng.",
                "Invalid Content-Range: it must be bytes start-end/total with start ≤ end < total.")
        }
        if let length = request.headers[.contentLength].flatMap(Int64.init), length != chunk.length {
            throw UploadError.lengthMismatch(expected: chunk.length, received: length)
        }
        let session = try await repository.appendChunk(id: id, chunk, body: request.body, by: user)
        return try response(session)
    }

    /// `POST /api/v1/uploads/{id}/finish`: 201 with the new version (200 when it was already finished, or the file is the
    /// current version's), as `POST …/versions` answers.
    @Sendable func finish(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.contributor(context)
        let (session, outcome) = try await repository.finishUpload(id: try uploadID(context), by: user)
        guard let number = session.resultVersion, let version = try await repository.store.version(session.pid, number: number) else {
            throw Problem.notFound("phiên bản / version \(session.pid)")
        }
        context.logger.info(
            "upload finished", metadata: ["hoclieu.upload.id": "\(session.id)", "hoclieu.pid": "\(session.pid)", "hoclieu.version": "\(number)"])
        let status: HTTPResponse.Status = outcome.map { $0.action == .unchanged ? HTTPResponse.Status.ok : .created } ?? .ok
        return try JSONResponse(
            status: status,
            headers: [.location: "/api/v1/materials/\(session.pid)/versions/\(number)"], version)
    }

    @Sendable func abandon(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try Caller.contributor(context)
        try await repository.abandonUpload(id: try uploadID(context), by: user)
        return Response(status: .noContent)
    }
}
