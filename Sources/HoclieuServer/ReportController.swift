import Foundation
import HTTPTypes
import HoclieuApp
import HoclieuCore
import HoclieuStorage
import Hummingbird
import NIOCore

/// The department's reports (contract: `docs/reports-api.md`). Each answers JSON, or CSV with `?format=csv` or
/// `Accept: text/csv` (UTF-8 with a byte-order mark, as an attachment).
///
/// | method | path | policy (``AccessPolicy/reportScope(_:_:)``) |
/// |---|---|---|
/// | GET | /api/v1/reports/coverage | anyone; counts what the caller's scope allows (``AccessPolicy/coverageVisibilities(_:)``) |
/// | GET | /api/v1/reports/review-throughput | administrators and the board |
/// | GET | /api/v1/reports/contributions | administrators and the board; a school administrator (their school) |
/// | GET | /api/v1/reports/lms-activity | administrators and the board |
struct ReportController {
    let repository: Services

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/reports/coverage", use: coverage)
        router.get("/api/v1/reports/review-throughput", use: throughput)
        router.get("/api/v1/reports/contributions", use: contributions)
        router.get("/api/v1/reports/lms-activity", use: lmsActivity)
    }

    /// Whether the caller asked for CSV (`format=csv`, or `Accept: text/csv` without `format`).
    static func wantsCSV(_ request: Request) throws -> Bool {
        switch request.uri.queryParameters.get("format") {
        case "csv": return true
        case "json": return false
        case nil: return request.headers[.accept]?.lowercased().contains("text/csv") ?? false
        case let other?:
            throw Problem.badRequest("format phải là json hoặc csv (không phải \(other)).", "format is json or csv (not \(other)).")
        }
    }

    /// `table` for CSV: one of `names` (the first by default).
    static func table(_ request: Request, _ names: [String]) throws -> String? {
        guard let name = request.uri.queryParameters.get("table") else { return nil }
        guard names.contains(name) else {
            throw Problem.badRequest("table phải là \(names.joined(separator: " hoặc ")).", "table is \(names.joined(separator: " or ")).")
        }
        return name
    }

    func answer(_ request: Request, _ value: some Encodable, csv: () -> ReportTable, name: String) throws -> Response {
        var headers: HTTPFields = [.cacheControl: "private, no-cache", .vary: "Accept, Authorization, Cookie"]
        if try Self.wantsCSV(request) {
            headers[.contentType] = "text/csv; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"hoclieu-\(name).csv\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: csv().csv)))
        }
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try HoclieuJSON.encoder().encode(value))))
    }

    @Sendable func coverage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        try QuestionController.checkParameters(query, allowed: ["format", "subject", "grade"])
        let subject = query.get("subject")
        let grade = try query.get("grade").map { text in
            guard let n = Int(text), (1...12).contains(n) else { throw Problem.badRequest("grade phải từ 1 đến 12.", "grade must be 1–12.") }
            return n
        }
        guard (subject == nil) == (grade == nil) else {
            throw Problem.badRequest("subject và grade đi cùng nhau.", "subject and grade go together.")
        }
        if let subject, subject.count > 32 || !subject.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) {
            throw Problem.badRequest("Mã môn không hợp lệ.", "Invalid subject code.")
        }
        _ = try Self.wantsCSV(request)
        let report = try await repository.coverageReport(viewer: try Caller.viewer(context), subject: subject, grade: grade)
        let name = report.subject.map { "coverage-\($0)-\(report.grade ?? 0)" } ?? "coverage"
        return try answer(request, report, csv: { report.table }, name: name)
    }

    /// A `YYYY-MM-DD` parameter (UTC).
    static func day(_ text: String?, _ name: String) throws -> Date? {
        guard let text else { return nil }
        guard text.count == 10, let date = Services.dayFormatter.date(from: text) else {
            throw Problem.badRequest("\(name) phải có dạng YYYY-MM-DD.", "\(name) must be YYYY-MM-DD.")
        }
        return date
    }

    @Sendable func throughput(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        try QuestionController.checkParameters(query, allowed: ["format", "from", "to", "table"])
        let from = try Self.day(query.get("from"), "from")
        let to = try Self.day(query.get("to"), "to")
        if let from, let to, from > to { throw Problem.badRequest("from phải trước to.", "from must not be after to.") }
        let table = try Self.table(request, ["weeks", "reasons"])
        _ = try Self.wantsCSV(request)
        let report = try await repository.reviewThroughputReport(viewer: try Caller.viewer(context), from: from, to: to)
        return try answer(request, report, csv: { report.table(table) }, name: table == "reasons" ? "review-reasons" : "review-throughput")
    }

    @Sendable func contributions(_ request: Request, context: AppRequestContext) async throws -> Response {
        try QuestionController.checkParameters(request.uri.queryParameters, allowed: ["format"])
        _ = try Self.wantsCSV(request)
        let report = try await repository.contributionsReport(viewer: try Caller.viewer(context))
        return try answer(request, report, csv: { report.table }, name: "contributions")
    }

    @Sendable func lmsActivity(_ request: Request, context: AppRequestContext) async throws -> Response {
        try QuestionController.checkParameters(request.uri.queryParameters, allowed: ["format", "table"])
        let table = try Self.table(request, ["clients", "sources", "oai"])
        _ = try Self.wantsCSV(request)
        let report = try await repository.lmsActivityReport(viewer: try Caller.viewer(context))
        return try answer(request, report, csv: { report.table(table) }, name: table == "sources" ? "harvest-sources" : table == "oai" ? "oai-harvests" : "lms-activity")
    }
}
