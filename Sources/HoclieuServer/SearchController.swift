import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuStorage
import HoclieuApp
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// Full-text search with facets.
///
/// | method | path | policy |
/// |---|---|---|
/// | GET | /api/v1/search | anyone (results limited to what they may see) |
///
/// Each item carries `highlight` (`title`, `snippet`: escaped HTML, matched words in `<mark>`) when `q` has words.
///
/// Query: `q`, facet filters `subject`, `grade`, `kind`, `format`, `licence`, `status`, `visibility`, `unit`
/// (repeatable or comma-separated), `limit` (1–100, default 20), `cursor` (from the previous page's `next`),
/// `facets` (comma-separated facet names whose counts are wanted).
struct SearchController {
    let repository: Services

    static let parameters: Set<String> = Set(Facet.allCases.map(\.rawValue)).union(["q", "limit", "cursor", "facets"])

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/search", use: search)
    }

    @Sendable func search(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let unknown = Set(query.map { String($0.key) }).subtracting(Self.parameters).sorted()
        guard unknown.isEmpty else {
            throw Problem(
                .badRequest, "unknown-parameters", vi: "Tham số không được hỗ trợ: \(unknown.joined(separator: ", ")).",
                en: "Unknown parameters: \(unknown.joined(separator: ", ")).")
        }
        for (key, value) in query where value.isEmpty && key != "q" {
            throw Problem.badRequest("Tham số \(key) để trống.", "Parameter \(key) is empty.")
        }
        var request = SearchRequest(text: query.get("q") ?? "", viewer: try Caller.viewer(context))
        guard request.text.count <= 500 else { throw Problem.badRequest("Câu tìm kiếm quá dài.", "The query is too long.") }
        if let limit = query.get("limit") {
            guard let n = Int(limit), (1...100).contains(n) else {
                throw Problem.badRequest("limit phải từ 1 đến 100.", "limit must be 1–100.")
            }
            request.limit = n
        }
        if let token = query.get("cursor") {
            guard let cursor = SearchCursor(token: token) else {
                throw Problem.badRequest("cursor không hợp lệ.", "Invalid cursor.")
            }
            request.cursor = cursor
        }
        for facet in Facet.allCases {
            let values = query.getAll(facet.rawValue).flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            if facet == .grade, values.contains(where: { Int($0).map { !(1...12).contains($0) } ?? true }) {
                throw Problem.badRequest("grade phải từ 1 đến 12.", "grade must be 1–12.")
            }
            request.filters[facet] = values.filter { !$0.isEmpty }
        }
        if let facets = query.get("facets") {
            for name in facets.split(separator: ",") {
                guard let facet = Facet(rawValue: String(name)) else {
                    throw Problem.badRequest("Không có facet \(name).", "No facet named \(name).")
                }
                request.facets.insert(facet)
            }
        }
        let page = try await repository.store.search(request)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "private, no-cache"],
            body: .init(byteBuffer: ByteBuffer(string: Self.render(page, query: request.text))))
    }

    private struct Hit: Decodable {
        struct Metadata: Decodable {
            var title: String
            var description: String
        }
        var metadata: Metadata
    }

    /// The item's JSON with a `highlight` member first: its title and a description snippet as escaped HTML
    /// with the words `query` matched in `<mark>` (``SearchHighlight``).
    static func highlighted(_ item: String, _ highlight: SearchHighlight) -> String {
        guard item.hasPrefix("{"), let hit = try? JSONDecoder().decode(Hit.self, from: Data(item.utf8)) else { return item }
        let member = "\"highlight\":{\"snippet\":\(jsonString(highlight.snippet(hit.metadata.description))),"
            + "\"title\":\(jsonString(highlight.marked(hit.metadata.title)))}"
        return "{" + member + (item.dropFirst().hasPrefix("}") ? "" : ",") + item.dropFirst()
    }

    /// Assembles the page from each item's pre-encoded JSON; only the envelope (and, for a query, each item's
    /// highlight) is encoded per request.
    static func render(_ page: SearchPage, query: String = "") -> String {
        let highlight = SearchHighlight(query: query, lastIsPrefix: SearchRequest.lastWordIsPrefix(query))
        var json = "{\"items\":["
        json += (highlight.isEmpty ? page.items : page.items.map { highlighted($0, highlight) }).joined(separator: ",")
        json += "],\"total\":\(page.total),\"totalIsLowerBound\":\(page.totalIsLowerBound),\"next\":"
        json += page.next.map { "\"\($0.token)\"" } ?? "null"
        json += ",\"facets\":{"
        json += page.facetCounts.sorted { $0.key.rawValue < $1.key.rawValue }.map { facet, counts in
            "\"\(facet.rawValue)\":[" + counts.map { "{\"value\":\(jsonString($0.value)),\"count\":\($0.count)}" }.joined(separator: ",") + "]"
        }.joined(separator: ",")
        json += "}}"
        return json
    }

    static func jsonString(_ s: String) -> String {
        String(decoding: (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}
