import Foundation
import HTTPTypes
import HoclieuApp
import HoclieuCore
import HoclieuStorage
import Hummingbird
import NIOCore
import NIOPosix

/// The department's administration tasks over HTTP: harvest sources and their runs, catalogue imports, backups.
/// Every route asks ``AccessPolicy/canAdminister(_:_:)`` (through ``Services``): department administrators only.
///
/// | method | path | policy |
/// |---|---|---|
/// | GET, POST | /api/v1/harvest/sources | admin; list, register (`url`, `set`, `prefix`, `every`, `trusted`, `owner`) |
/// | GET, PATCH, DELETE | /api/v1/harvest/sources/{id} | admin; read, change, remove (harvested materials stay) |
/// | GET | /api/v1/harvest/sources/{id}/runs | admin; the newest runs (`?limit=1..200`, default 20) |
/// | POST | /api/v1/harvest/sources/{id}/run | admin; queues a run now: 202 and the job |
/// | POST | /api/v1/catalog/imports | admin; a framework (CSV or CASE CFPackage) as the raw body, loaded at once; 422 lists every problem |
/// | POST | /api/v1/backups | admin; queues a backup into the data folder's `backups/`: 202 and the job |
/// | GET | /api/v1/backups | admin; the backups, newest first |
/// | GET | /api/v1/backups/{name}/file | admin; the archive |
/// | GET | /api/v1/jobs/{id} | the job's owner or an admin; harvest and backup jobs |
struct AdministrationController {
    let repository: Services
    /// The largest catalogue file taken in one request (the whole GDPT 2018 programme's largest framework is under 1 MB).
    static let maxCatalogBytes = 16 << 20

    struct SourceBody: StrictJSONBody {
        static let fields: Set<String> = ["url", "set", "prefix", "every", "trusted", "owner"]
        var url: String?
        var set: String?
        var prefix: String?
        /// `30m`, `6h`, `1d` or seconds.
        var every: String?
        var trusted: Bool?
        var owner: String?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/harvest/sources") { _, context in
            let admin = try Caller.signedIn(context)
            var items: [String] = []
            for source in try await repository.remoteRepositories(by: admin) { items.append(try await json(source)) }
            return JSONResponse(headers: [.cacheControl: "private, no-store"], json: "{\"items\":[" + items.joined(separator: ",") + "]}")
        }
        router.post("/api/v1/harvest/sources") { request, context in
            let admin = try Caller.signedIn(context)
            let body = try await request.decodeStrict(SourceBody.self, limit: repository.configuration.maxJSONBytes)
            guard let url = body.url else { throw Problem.badRequest("Cần địa chỉ kho (url).", "A repository URL (url) is needed.") }
            let source = try await repository.addRemoteRepository(
                url: url, set: body.set.flatMap { $0.isEmpty ? nil : $0 }, prefix: body.prefix ?? "oai_dc", every: try Self.seconds(body.every ?? "6h"),
                trusted: body.trusted ?? false, owner: body.owner ?? admin.username, by: admin)
            return JSONResponse(status: .created, headers: [.location: "/api/v1/harvest/sources/\(source.id)"], json: try await json(source))
        }
        router.get("/api/v1/harvest/sources/{id}") { _, context in
            let admin = try Caller.signedIn(context)
            return JSONResponse(headers: [.cacheControl: "private, no-store"], json: try await json(try await repository.remoteRepository(try sourceID(context), by: admin)))
        }
        router.patch("/api/v1/harvest/sources/{id}") { request, context in
            let admin = try Caller.signedIn(context)
            let id = try sourceID(context)
            let body = try await request.decodeStrict(SourceBody.self, limit: repository.configuration.maxJSONBytes)
            let change = RemoteRepositoryChange(
                url: body.url, set: body.set, prefix: body.prefix, every: try body.every.map(Self.seconds), trusted: body.trusted, owner: body.owner)
            return JSONResponse(json: try await json(try await repository.updateRemoteRepository(id, change, by: admin)))
        }
        router.delete("/api/v1/harvest/sources/{id}") { _, context in
            let admin = try Caller.signedIn(context)
            try await repository.deleteRemoteRepository(try sourceID(context), by: admin)
            return Response(status: .noContent)
        }
        router.get("/api/v1/harvest/sources/{id}/runs") { request, context in
            let admin = try Caller.signedIn(context)
            var limit = 20
            if let text = request.uri.queryParameters.get("limit") {
                guard let n = Int(text), (1...200).contains(n) else { throw Problem.badRequest("limit từ 1 đến 200.", "limit is 1 to 200.") }
                limit = n
            }
            let runs = try await repository.harvestRuns(try sourceID(context), limit: limit, by: admin)
            return try JSONResponse(headers: [.cacheControl: "private, no-store"], ["items": runs.map(RunJSON.init)])
        }
        router.post("/api/v1/harvest/sources/{id}/run") { _, context in
            let admin = try Caller.signedIn(context)
            let job = try await repository.queueHarvestRun(try sourceID(context), by: admin)
            return JSONResponse(status: .accepted, headers: [.location: "/api/v1/jobs/\(job.id)"], json: Self.json(job))
        }
        router.post("/api/v1/catalog/imports", use: importCatalog)
        router.post("/api/v1/backups") { _, context in
            let admin = try Caller.signedIn(context)
            let job = try await repository.queueBackup(by: admin)
            return JSONResponse(status: .accepted, headers: [.location: "/api/v1/jobs/\(job.id)"], json: Self.json(job))
        }
        router.get("/api/v1/backups") { _, context in
            let admin = try Caller.signedIn(context)
            let list = try await repository.backups(by: admin).map { b in
                BackupJSON(name: b.file, bytes: b.bytes, createdAt: b.createdAt, materials: b.materials, blobs: b.blobs, file: "/api/v1/backups/\(b.file)/file")
            }
            return try JSONResponse(headers: [.cacheControl: "private, no-store"], ["items": list])
        }
        router.get("/api/v1/backups/{name}/file") { _, context in
            let admin = try Caller.signedIn(context)
            let name = try context.parameters.require("name")
            let url = try repository.backupFile(name, by: admin)
            let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? 0
            let body = try await FileIO(threadPool: .singleton).loadFile(path: url.path, context: context)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/zip", .contentDisposition: "attachment; filename=\"\(name)\"", .contentLength: String(size),
                    .cacheControl: "private, no-store",
                ], body: body)
        }
        router.get("/api/v1/jobs/{id}") { _, context in
            let user = try Caller.signedIn(context)
            let id = try context.parameters.require("id")
            guard let job = try await repository.store.job(id: id), ["harvest", "backup"].contains(job.kind),
                job.ownerID == user.id || user.has(.admin)
            else { throw Problem.notFound("việc / job \(id.prefix(64))") }
            return JSONResponse(headers: [.cacheControl: "private, no-store"], json: Self.json(job))
        }
    }

    func sourceID(_ context: AppRequestContext) throws -> Int64 {
        guard let id = Int64(try context.parameters.require("id")), id > 0 else { throw Problem.notFound("nguồn thu hoạch / harvest source") }
        return id
    }

    static func seconds(_ text: String) throws -> Int {
        guard let seconds = HarvestInterval.seconds(text) else {
            throw Problem(
                .badRequest, "bad-interval", vi: "Chu kỳ viết như 30m, 6h hoặc 1d (không phải \(text.prefix(40))).",
                en: "Write the interval as 30m, 6h or 1d (not \(text.prefix(40))).")
        }
        return seconds
    }

    struct SourceJSON: Encodable {
        var id: Int64
        var url: String
        @NullEncoded var set: String?
        var prefix: String
        var every: String
        var intervalSeconds: Int
        var trusted: Bool
        var owner: String
        @NullEncoded var lastRunAt: Date?
        @NullEncoded var lastError: String?
        @NullEncoded var lastDatestamp: Date?
        var links: [String: String]
    }

    func json(_ r: RemoteRepository) async throws -> String {
        let owner = try await repository.store.user(id: r.ownerID)?.username ?? ""
        let base = "/api/v1/harvest/sources/\(r.id)"
        let value = SourceJSON(
            id: r.id, url: r.baseURL, set: r.set, prefix: r.metadataPrefix, every: HarvestInterval.text(r.intervalSeconds),
            intervalSeconds: r.intervalSeconds, trusted: r.trusted, owner: owner, lastRunAt: r.lastRunAt, lastError: r.lastError,
            lastDatestamp: r.lastDatestamp, links: ["self": base, "runs": base + "/runs", "run": base + "/run"])
        return String(decoding: try HoclieuJSON.encoder().encode(value), as: UTF8.self)
    }

    struct RunJSON: Encodable {
        var id: Int64
        var startedAt: Date
        var finishedAt: Date
        var status: String
        var pages: Int
        var added: Int
        var updated: Int
        var deleted: Int
        var unchanged: Int
        var skipped: Int
        @NullEncoded var error: String?

        init(_ run: HarvestRunEntry) {
            id = run.id
            startedAt = run.startedAt
            finishedAt = run.finishedAt
            status = run.status.rawValue
            pages = run.pages
            added = run.created
            updated = run.updated
            deleted = run.withdrawn
            unchanged = run.unchanged
            skipped = run.skipped
            error = run.error
        }
    }

    struct BackupJSON: Encodable {
        var name: String
        var bytes: Int64
        var createdAt: Date
        var materials: Int
        var blobs: Int
        var file: String
    }

    /// A harvest or backup job as the API shows it: the stored result is embedded as it was written.
    static func json(_ job: Job) -> String {
        var fields = [
            "\"id\":\(HoclieuJSON.quote(job.id))", "\"kind\":\(HoclieuJSON.quote(job.kind))", "\"status\":\(HoclieuJSON.quote(job.status.rawValue))",
            "\"progress\":\((job.progress * 1000).rounded() / 1000)", "\"createdAt\":\(HoclieuJSON.quote(HoclieuJSON.timestamp(job.createdAt)))",
            "\"updatedAt\":\(HoclieuJSON.quote(HoclieuJSON.timestamp(job.updatedAt)))",
            "\"links\":{\"self\":\(HoclieuJSON.quote("/api/v1/jobs/\(job.id)"))}",
        ]
        if let error = job.error { fields.append("\"error\":\(HoclieuJSON.quote(error))") }
        if let result = job.result, let text = String(data: result, encoding: .utf8) { fields.append("\"result\":\(text)") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    /// `POST /api/v1/catalog/imports[?format=csv|json][&framework=CODE][&grade=N]`: the body is the file (`text/csv` or
    /// `application/json`; `format` or the `filename` parameter's extension decides otherwise), up to ``maxCatalogBytes``.
    @Sendable func importCatalog(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try Caller.signedIn(context)
        guard AccessPolicy.canAdminister(admin, .catalogImport) else { throw Problem.forbidden }
        let query = request.uri.queryParameters
        let fileName = query.get("filename").map { String($0.prefix(200)) } ?? "upload"
        let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        let format: String
        if let given = query.get("format") {
            format = given
        } else if fileName.lowercased().hasSuffix(".csv") || type == "text/csv" {
            format = "csv"
        } else if fileName.lowercased().hasSuffix(".json") || type == "application/json" {
            format = "json"
        } else {
            throw Problem(
                .unsupportedMediaType, "unsupported-media-type", vi: "Cần khung CSV (text/csv) hoặc gói CASE (application/json).",
                en: "A framework CSV (text/csv) or a CASE package (application/json) is needed.")
        }
        guard format == "csv" || format == "json" else { throw Problem.badRequest("format là csv hoặc json.", "format is csv or json.") }
        var grade: Int?
        if let text = query.get("grade") {
            guard let n = Int(text), (1...12).contains(n) else { throw Problem.badRequest("grade từ 1 đến 12.", "grade is 1 to 12.") }
            grade = n
        }
        let framework = query.get("framework").flatMap { $0.isEmpty ? nil : String($0) }
        if let framework, framework.utf8.count > 40 || !framework.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            throw Problem.badRequest("Mã khung không hợp lệ.", "Not a framework code.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maxCatalogBytes)
        } catch {
            throw Problem(
                .contentTooLarge, "too-large", vi: "Tệp danh mục vượt quá \(Self.maxCatalogBytes) byte.",
                en: "The catalogue file is over \(Self.maxCatalogBytes) bytes.")
        }
        let report = try await repository.importCatalog(
            Data(buffer.readableBytesView), fileName: fileName, format: format, framework: framework, grade: grade, by: admin)
        guard report.load != nil else {
            var problem = Problem(
                .unprocessableContent, "invalid-catalog",
                vi: "Tệp danh mục có \(report.problems.count) lỗi; không có gì được nạp.",
                en: "The catalogue file has \(report.problems.count) problems; nothing was loaded.")
            problem.items = report.problems.prefix(500).map { ["file": $0.file, "line": String($0.line), "message": $0.message, "hint": $0.hint] }
            throw problem
        }
        return try JSONResponse(report).response(from: request, context: context)
    }
}
