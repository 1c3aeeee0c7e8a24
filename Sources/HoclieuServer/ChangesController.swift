import Foundation
import HTTPTypes
import HoclieuApp
import HoclieuCore
import Hummingbird
import NIOCore

/// The JSON change feed for LMS connectors that prefer JSON to OAI-PMH.
///
/// | method | path | policy |
/// |---|---|---|
/// | GET | /api/v1/changes | anyone; what a harvester of the caller's class sees (``Services/harvestAudience(for:)``, as `/oai`) |
///
/// `?since=` the `next` of the previous page (left out: from the beginning), `?limit=` 1–1000 (default 100).
struct ChangesController {
    let repository: Services

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/changes", use: changes)
    }

    @Sendable func changes(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try Caller.viewer(context)
        let query = request.uri.queryParameters
        try QuestionController.checkParameters(query, allowed: ["since", "limit"])
        var limit = 100
        if let text = query.get("limit") {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw Problem.badRequest("limit phải từ 1 đến 1000.", "limit must be between 1 and 1000.")
            }
            limit = value
        }
        let page = try await repository.changes(for: viewer, since: query.get("since"), limit: limit)
        let items: [[String: Any]] = page.events.map { event in
            [
                "type": event.type, "pid": event.pid.rawValue, "version": event.version, "datestamp": HoclieuJSON.timestamp(event.datestamp),
                "links": ["json": "/id/\(event.pid.rawValue)", "material": "/api/v1/materials/\(event.pid.rawValue)"],
            ]
        }
        let object: [String: Any] = [
            "items": items, "next": page.next, "hasMore": page.hasMore,
            "links": ["next": "/api/v1/changes?since=\(page.next)&limit=\(limit)"],
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "private, no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
