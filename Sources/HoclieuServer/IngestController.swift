import Foundation
import HTTPTypes
import HoclieuApp
import HoclieuCore
import HoclieuStorage
import Hummingbird
import Logging
import NIOCore

/// The LMS push (ingest) API.
///
/// | method | path | policy |
/// |---|---|---|
/// | POST | /api/v1/ingest | a client credential with the `push` scope (others: 403); multipart (`metadata` + `file`) or a raw streamed body → 202 and the job |
/// | GET | /api/v1/ingest/{id} | the job's owner or an admin: status, progress, the PIDs and submission ids |
///
/// A raw body names its file with `Content-Disposition` (or `?filename=`) and may carry `X-Hoclieu-Metadata`
/// (the metadata JSON, **base64**, standard or URL-safe alphabet), `X-Hoclieu-Source-Course` and
/// `X-Hoclieu-Source-Resource`; a multipart body carries the same as form fields `metadata`, `file`,
/// `sourceCourse`, `sourceResource`. `Idempotency-Key` (up to 200 printable ASCII characters): the same key and
/// body give the same job, the same key with another body is a 422.
struct IngestController {
    let repository: Services
    var store: any Store { repository.store }

    static let metadataHeader = HTTPField.Name("X-Hoclieu-Metadata")!
    static let courseHeader = HTTPField.Name("X-Hoclieu-Source-Course")!
    static let resourceHeader = HTTPField.Name("X-Hoclieu-Source-Resource")!
    static let idempotencyHeader = HTTPField.Name("Idempotency-Key")!
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/api/v1/ingest", use: push)
        router.get("/api/v1/ingest/{id}", use: show)
    }

    /// The caller, when it is a client credential with the `push` scope.
    static func pusher(_ context: AppRequestContext) throws -> User {
        let user = try Caller.signedIn(context)
        guard user.scopes?.contains(.push) == true else {
            throw Problem(
                .forbidden, "push-scope-required", vi: "Cần thông tin xác thực của hệ thống LMS với phạm vi push.",
                en: "An LMS client credential with the push scope is needed.")
        }
        return user
    }

    static func unsupported(_ type: String) -> Problem {
        Problem(
            .unsupportedMediaType, "unsupported-media-type", vi: "Kiểu nội dung không được hỗ trợ: \(type).", en: "Unsupported media type: \(type).",
            hint: "multipart/form-data, application/zip, application/vnd.ims.imsccv1p1…v1p3, application/xml, text/plain, PDF, Office, image/*, video/*, audio/*")
    }

    static func invalid(_ vi: String, _ en: String) -> Problem { Problem(.unprocessableContent, "invalid", vi: vi, en: en) }

    /// A short identifier from an LMS: 1–200 printable ASCII characters.
    static func identifier(_ value: String?, _ name: String) throws -> String? {
        guard let value else { return nil }
        guard (1...200).contains(value.count), value.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0.asciiValue.map { $0 >= 0x21 && $0 < 0x7F } == true })
        else {
            throw invalid("\(name) phải gồm 1–200 ký tự ASCII in được.", "\(name) must be 1–200 printable ASCII characters.")
        }
        return value
    }

    static func decodeBase64(_ text: String) -> Data? {
        var s = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }

    @Sendable func push(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try Self.pusher(context)
        let query = request.uri.queryParameters
        try QuestionController.checkParameters(query, allowed: ["filename"])
        let key = try Self.identifier(request.headers[Self.idempotencyHeader], "Idempotency-Key")
        let contentType = request.headers[.contentType] ?? "application/octet-stream"
        let boundary = MultipartForm.boundary(contentType)
        if boundary == nil {
            if contentType.lowercased().hasPrefix("multipart/") { throw Self.unsupported(contentType) }
            guard MediaTypes.isAccepted(contentType) else { throw Self.unsupported(contentType) }
        }
        // Headers are checked before a byte of the body is stored.
        var metadata: PushMetadata?
        var course = try Self.identifier(request.headers[Self.courseHeader], "X-Hoclieu-Source-Course")
        var resource = try Self.identifier(request.headers[Self.resourceHeader], "X-Hoclieu-Source-Resource")
        if let header = request.headers[Self.metadataHeader] {
            guard let data = Self.decodeBase64(header) else {
                throw Self.invalid("X-Hoclieu-Metadata phải là JSON mã hoá base64.", "X-Hoclieu-Metadata must be base64-encoded JSON.")
            }
            metadata = try PushMetadata.parse(data)
        }
        let body = try await repository.storeBody(of: request)
        var blob = body
        var fileName: String
        var mediaType: String
        do {
            if let boundary {
                let form: MultipartForm
                do {
                    form = try MultipartForm(url: repository.blobs.url(for: body.contentID), boundary: boundary)
                } catch {
                    throw Self.invalid("Nội dung multipart/form-data không hợp lệ.", "Malformed multipart/form-data body.")
                }
                guard let file = form.part("file") else {
                    throw Self.invalid("Thiếu phần file trong biểu mẫu.", "The form has no file part.")
                }
                if let part = form.part("metadata") {
                    guard part.range.count <= repository.configuration.maxJSONBytes else {
                        throw Self.invalid("Siêu dữ liệu quá lớn.", "The metadata part is too large.")
                    }
                    metadata = try PushMetadata.parse(form.data[part.range])
                }
                func text(_ name: String) -> String? {
                    form.part(name).flatMap { $0.range.count <= 200 ? String(decoding: form.data[$0.range], as: UTF8.self) : String(repeating: "x", count: 201) }
                }
                course = try Self.identifier(text("sourceCourse"), "sourceCourse") ?? course
                resource = try Self.identifier(text("sourceResource"), "sourceResource") ?? resource
                mediaType = MediaTypes.resolve(declared: file.contentType, fileName: file.fileName ?? "")
                guard MediaTypes.isAccepted(file.contentType ?? mediaType) else { throw Self.unsupported(file.contentType ?? mediaType) }
                fileName = try FileNames.validated(file.fileName ?? query.get("filename") ?? MediaTypes.fileExtension(for: mediaType).map { "push." + $0 })
                guard !file.range.isEmpty else { throw Problem(.unprocessableContent, "empty-file", vi: "Tệp rỗng.", en: "The file is empty.") }
                let writer = try repository.blobs.makeWriter(limit: repository.configuration.maxUploadBytes)
                do {
                    var offset = file.range.lowerBound
                    while offset < file.range.upperBound {
                        let end = min(offset + (1 << 20), file.range.upperBound)
                        try form.data[offset..<end].withUnsafeBytes { try writer.write($0) }
                        offset = end
                    }
                    blob = try writer.commit()
                } catch {
                    writer.abort()
                    throw error
                }
                await repository.discard([body])
            } else {
                mediaType = MediaTypes.resolve(
                    declared: contentType, fileName: query.get("filename") ?? FileNames.fromContentDisposition(request.headers[.contentDisposition]) ?? "")
                fileName = try FileNames.validated(
                    query.get("filename") ?? FileNames.fromContentDisposition(request.headers[.contentDisposition])
                        ?? MediaTypes.fileExtension(for: mediaType).map { "push." + $0 })
            }
            try await repository.screenPushedArchive(blob, fileName: fileName, mediaType: mediaType)
        } catch {
            await repository.discard([body, blob == body ? nil : blob])
            throw error
        }
        let input = PushJobInput(
            contentID: blob.contentID, byteSize: blob.byteSize, fileName: fileName, mediaType: mediaType, metadata: metadata, sourceCourse: course,
            sourceResource: resource)
        let newJob = NewJob(kind: "push", ownerID: user.id, input: try HoclieuJSON.encoder().encode(input))
        let job: Job
        var replayed = false
        if let key {
            switch try await store.createJob(newJob, idempotencyKey: key, fingerprint: input.fingerprint) {
            case .created(let created):
                job = created
            case .replayed(let earlier):
                job = earlier
                replayed = true
                // The earlier job owns the file; this copy of the bytes is not needed (a referenced blob stays).
                if earlier.status.isFinal { await repository.discard([blob]) }
            case .mismatch(let jobID):
                await repository.discard([blob])
                throw Problem(
                    .unprocessableContent, "idempotency-key-reused",
                    vi: "Idempotency-Key này đã được dùng cho một yêu cầu khác (việc \(jobID)).",
                    en: "This Idempotency-Key was used for a different request (job \(jobID)).")
            }
        } else {
            job = try await store.createJob(newJob)
        }
        context.logger.info(
            "push queued", metadata: ["hoclieu.job.id": "\(job.id)", "hoclieu.bytes": "\(blob.byteSize)", "hoclieu.push.replayed": "\(replayed)"])
        var headers: HTTPFields = [.location: "/api/v1/ingest/\(job.id)", .contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]
        if replayed { headers[Self.replayedHeader] = "true" }
        return Response(status: .accepted, headers: headers, body: .init(byteBuffer: ByteBuffer(string: Self.json(job))))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try Caller.signedIn(context)
        let id = try context.parameters.require("id")
        guard let job = try await store.job(id: id), job.kind == "push", job.ownerID == user.id || user.has(.admin) else {
            throw Problem.notFound("việc / job \(id)")
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "private, no-store"],
            body: .init(byteBuffer: ByteBuffer(string: Self.json(job))))
    }

    /// The push job as the API shows it: the result (PIDs, versions, submission ids, provenance) once it succeeded.
    static func json(_ job: Job) -> String {
        let input = try? HoclieuJSON.decoder().decode(PushJobInput.self, from: job.input)
        var fields = [
            "\"id\":\(HoclieuJSON.quote(job.id))", "\"kind\":\"push\"", "\"status\":\(HoclieuJSON.quote(job.status.rawValue))",
            "\"progress\":\((job.progress * 1000).rounded() / 1000)", "\"createdAt\":\(HoclieuJSON.quote(HoclieuJSON.timestamp(job.createdAt)))",
            "\"updatedAt\":\(HoclieuJSON.quote(HoclieuJSON.timestamp(job.updatedAt)))",
            "\"links\":{\"self\":\(HoclieuJSON.quote("/api/v1/ingest/\(job.id)"))}",
        ]
        if let input {
            fields.append("\"fileName\":\(HoclieuJSON.quote(input.fileName))")
            fields.append("\"mediaType\":\(HoclieuJSON.quote(input.mediaType))")
            if let course = input.sourceCourse { fields.append("\"sourceCourse\":\(HoclieuJSON.quote(course))") }
            if let resource = input.sourceResource { fields.append("\"sourceResource\":\(HoclieuJSON.quote(resource))") }
        }
        if let error = job.error { fields.append("\"error\":\(HoclieuJSON.quote(error))") }
        if let result = job.result, let text = String(data: result, encoding: .utf8) { fields.append("\"result\":\(text)") }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
