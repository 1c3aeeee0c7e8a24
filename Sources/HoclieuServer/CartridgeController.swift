import CommonCartridge
import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuStorage
import HoclieuApp
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// Common Cartridge imports and exports, run as background jobs.
///
/// | method | path | policy |
/// |---|---|---|
/// | POST | /api/v1/imports | contributor; raw streamed body (the `.imscc`) → 202 and the job |
/// | GET | /api/v1/imports/{id} | the job's owner or an admin: status, progress, report |
/// | GET | /api/v1/imports/{id}/report | same; the report as text for people |
/// | POST | /api/v1/imports/{id}/cancel | same; asks the job to stop (nothing of it is kept; the job stays, cancelled) |
/// | POST | /api/v1/exports | signed in; JSON `{format, target?, all?, pids?}` → 202 and the job |
/// | GET | /api/v1/exports/{id} | the job's owner or an admin |
/// | GET | /api/v1/exports/{id}/file | same; the cartridge once the job succeeded |
/// | POST | /api/v1/exports/{id}/cancel | same |
///
/// No request waits for an import or an export: the upload is streamed to the blob store, a job is
/// queued, and ``JobService`` runs it.
struct CartridgeController {
    let repository: Services
    var store: any Store { repository.store }

    static let importParameters: Set<String> = ["filename", "source", "replaces", "status", "visibility", "subject"]

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/api/v1/imports", use: startImport)
        router.get("/api/v1/imports/{id}", use: { try await self.show($1, kind: "import") })
        router.get("/api/v1/imports/{id}/report", use: importReport)
        router.post("/api/v1/imports/{id}/cancel", use: { try await self.cancel($1, kind: "import") })
        router.post("/api/v1/exports", use: startExport)
        router.get("/api/v1/exports/{id}", use: { try await self.show($1, kind: "export") })
        router.get("/api/v1/exports/{id}/file", use: exportFile)
        router.post("/api/v1/exports/{id}/cancel", use: { try await self.cancel($1, kind: "export") })
    }

    /// `POST /api/v1/exports`.
    struct ExportRequest: StrictJSONBody {
        static let fields: Set<String> = ["format", "target", "all", "pids"]
        var format: CartridgeExportFormat
        var target: CartridgeTarget?
        var all: Bool?
        var pids: [PersistentIdentifier]?
    }

    @Sendable func startImport(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.contributor(context)
        let query = request.uri.queryParameters
        try QuestionController.checkParameters(query, allowed: Self.importParameters)
        let fileName = try FileNames.validated(query.get("filename") ?? FileNames.fromContentDisposition(request.headers[.contentDisposition]))
        var options = CartridgeImportOptions(
            sourceSystem: query.get("source"), replaces: try query.get("replaces").map(PersistentIdentifier.init(parsing:)), subject: query.get("subject"))
        if let status = query.get("status") {
            guard let value = MaterialStatus(rawValue: status), value == .draft || value == .submitted else {
                throw Problem.badRequest("status phải là draft hoặc submitted.", "status must be draft or submitted.")
            }
            options.status = value
        }
        if let visibility = query.get("visibility") {
            guard let value = Visibility(rawValue: visibility) else {
                throw Problem.badRequest("visibility không hợp lệ: \(visibility).", "Unknown visibility: \(visibility).")
            }
            options.visibility = value
        }
        let blob = try await repository.storeBody(of: request)
        let input = try HoclieuJSON.encoder().encode(ImportJobInput(contentID: blob.contentID, fileName: fileName, options: options))
        let job = try await store.createJob(NewJob(kind: "import", ownerID: user.id, input: input))
        context.logger.info("cartridge import queued", metadata: ["hoclieu.job.id": "\(job.id)", "hoclieu.bytes": "\(blob.byteSize)"])
        return JSONResponse(status: .accepted, headers: [.location: "/api/v1/imports/\(job.id)"], json: Self.json(job, fileName: fileName))
    }

    @Sendable func startExport(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        let user = try Caller.signedIn(context)
        let body = try await request.decodeStrict(ExportRequest.self, limit: repository.configuration.maxJSONBytes)
        let selection = ExportSelection(all: body.all ?? false, pids: body.pids ?? [])
        guard selection.all != !selection.pids.isEmpty else {
            throw Problem.badRequest("Hãy chọn all hoặc danh sách pids.", "Give either all=true or a list of pids.")
        }
        if body.target == .moodle, body.format != .cc1p1 {
            throw Problem.badRequest(
                "Moodle chỉ nhập được Common Cartridge 1.1: hãy dùng format cc1.1.", "Moodle imports Common Cartridge 1.1 only: use format cc1.1.")
        }
        for pid in selection.pids {
            guard let material = try await store.material(pid), AccessPolicy.canSee(user, material) else {
                throw Problem.notFound("học liệu / material \(pid)")
            }
        }
        let input = try HoclieuJSON.encoder().encode(ExportJobInput(selection: selection, format: body.format, target: body.target))
        let job = try await store.createJob(NewJob(kind: "export", ownerID: user.id, input: input))
        return JSONResponse(status: .accepted, headers: [.location: "/api/v1/exports/\(job.id)"], json: Self.json(job, fileName: nil))
    }

    /// The job, when the caller may see it.
    func ownedJob(_ context: AppRequestContext, kind: String) async throws -> Job {
        let user = try Caller.signedIn(context)
        let id = try context.parameters.require("id")
        guard let job = try await store.job(id: id), job.kind == kind, job.ownerID == user.id || user.has(.admin) else {
            throw Problem.notFound("việc / job \(id)")
        }
        return job
    }

    func show(_ context: AppRequestContext, kind: String) async throws -> JSONResponse {
        let job = try await ownedJob(context, kind: kind)
        return JSONResponse(json: Self.json(job, fileName: Self.fileName(job)))
    }

    func cancel(_ context: AppRequestContext, kind: String) async throws -> JSONResponse {
        let job = try await ownedJob(context, kind: kind)
        guard !job.status.isFinal, let updated = try await store.cancelJob(id: job.id) else {
            throw Problem(.conflict, "job-finished", vi: "Việc đã kết thúc (\(job.status.rawValue)).", en: "The job has already ended (\(job.status.rawValue)).")
        }
        return JSONResponse(status: .accepted, json: Self.json(updated, fileName: Self.fileName(updated)))
    }

    @Sendable func importReport(_ request: Request, context: AppRequestContext) async throws -> Response {
        let job = try await ownedJob(context, kind: "import")
        let text: String
        if let result = job.result, let report = try? HoclieuJSON.decoder().decode(CartridgeImportReport.self, from: result) {
            text = report.text
        } else {
            text = "\(job.status.rawValue) \(Int(job.progress * 100))%" + (job.error.map { "\n\($0)" } ?? "")
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    @Sendable func exportFile(_ request: Request, context: AppRequestContext) async throws -> Response {
        let job = try await ownedJob(context, kind: "export")
        guard job.status == .succeeded, let data = job.result,
            let result = try? HoclieuJSON.decoder().decode(CartridgeExportResult.self, from: data)
        else {
            throw Problem(.conflict, "not-ready", vi: "Tệp xuất chưa sẵn sàng (\(job.status.rawValue)).", en: "The export is not ready (\(job.status.rawValue)).")
        }
        let body = try await FileIO(threadPool: .singleton).loadFile(path: repository.blobs.url(for: result.contentID).path, context: context)
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/zip", .contentDisposition: FileNames.contentDisposition(result.fileName),
                .contentLength: String(result.byteSize), .eTag: "\"\(result.contentID.rawValue)\"", .cacheControl: "private, max-age=3600",
            ], body: body)
    }

    static func fileName(_ job: Job) -> String? {
        (try? HoclieuJSON.decoder().decode(ImportJobInput.self, from: job.input))?.fileName
    }

    /// The job as the API shows it: the stored report is embedded as it was written.
    static func json(_ job: Job, fileName: String?) -> String {
        let base = job.kind == "import" ? "/api/v1/imports/\(job.id)" : "/api/v1/exports/\(job.id)"
        var links = ["self": base]
        if job.kind == "import" { links["report"] = base + "/report" }
        if job.kind == "export", job.status == .succeeded { links["file"] = base + "/file" }
        var fields = [
            "\"id\":\(HoclieuJSON.quote(job.id))", "\"kind\":\(HoclieuJSON.quote(job.kind))", "\"status\":\(HoclieuJSON.quote(job.status.rawValue))",
            "\"progress\":\((job.progress * 1000).rounded() / 1000)", "\"createdAt\":\(HoclieuJSON.quote(HoclieuJSON.timestamp(job.createdAt)))",
            "\"updatedAt\":\(HoclieuJSON.quote(HoclieuJSON.timestamp(job.updatedAt)))",
            "\"links\":{" + links.sorted { $0.key < $1.key }.map { "\(HoclieuJSON.quote($0.key)):\(HoclieuJSON.quote($0.value))" }.joined(separator: ",") + "}",
        ]
        if let fileName { fields.append("\"fileName\":\(HoclieuJSON.quote(fileName))") }
        if let error = job.error { fields.append("\"error\":\(HoclieuJSON.quote(error))") }
        if let result = job.result, let text = String(data: result, encoding: .utf8) {
            fields.append("\"\(job.kind == "import" ? "report" : "result")\":\(text)")
        }
        return "{" + fields.joined(separator: ",") + "}"
    }
}
