import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuStorage
import HoclieuApp
import Hummingbird
import Logging
import NIOCore

/// The knowledge-unit catalogue as JSON.
///
/// | method | path | policy |
/// |---|---|---|
/// | GET | /api/v1/catalog/frameworks | anyone |
/// | GET | /api/v1/catalog/items/{code} | anyone |
/// | GET | /api/v1/catalog/search | anyone |
struct CatalogController {
    let repository: Services

    struct ItemSummary: Encodable {
        var code: String
        var uuid: UUID
        var type: CatalogItemType
        var grade: Int
        var statement: String
        var deprecated: Bool

        init(_ stored: StoredCatalogItem) {
            code = stored.item.code
            uuid = stored.uuid
            type = stored.item.type
            grade = stored.item.grade
            statement = stored.item.statement
            deprecated = stored.item.deprecated
        }
    }

    struct ItemDetail: Encodable {
        var code: String
        var uuid: UUID
        var framework: String
        var type: CatalogItemType
        var typeName: String
        var grade: Int
        var statement: String
        var statementEN: String?
        var associations: [CatalogAssociation]
        var deprecated: Bool
        var revision: Int
        var updatedAt: Date
        var ancestors: [ItemSummary]
        var children: [ItemSummary]
        var counts: [String: Int]
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/catalog/frameworks") { _, context in
            _ = try Caller.viewer(context)
            return try JSONResponse(["items": try await repository.store.catalogFrameworks()])
        }
        router.get("/api/v1/catalog/items/{code}", use: item)
        router.get("/api/v1/catalog/search", use: search)
    }

    @Sendable func item(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        _ = try Caller.viewer(context)
        let code = try context.parameters.require("code").uppercased()
        let store = repository.store
        guard let stored = try await store.catalogItem(code: code) else { throw Problem.notFound("đơn vị kiến thức / unit \(code)") }
        var ancestors: [ItemSummary] = []
        var parent = stored.item.parent
        while let code = parent, let next = try await store.catalogItem(code: code) {
            ancestors.insert(ItemSummary(next), at: 0)
            parent = next.item.parent
        }
        let children = try await store.catalogChildren(of: code).map(ItemSummary.init)
        let detail = ItemDetail(
            code: stored.item.code, uuid: stored.uuid, framework: stored.framework, type: stored.item.type,
            typeName: stored.item.type.vietnamese, grade: stored.item.grade, statement: stored.item.statement,
            statementEN: stored.item.statementEN, associations: stored.item.associations, deprecated: stored.item.deprecated,
            revision: stored.revision, updatedAt: stored.updatedAt, ancestors: ancestors, children: children,
            counts: ["materials": try await store.materialCount(taggedWith: code, visibleTo: try Caller.viewer(context)), "questions": 0])
        return try JSONResponse(detail)
    }

    @Sendable func search(_ request: Request, context: AppRequestContext) async throws -> JSONResponse {
        _ = try Caller.viewer(context)
        let query = request.uri.queryParameters
        for (key, value) in query {
            guard ["q", "framework", "limit"].contains(String(key)) else {
                throw Problem.badRequest("Tham số không được hỗ trợ: \(key).", "Unknown parameter: \(key).")
            }
            if value.isEmpty { throw Problem.badRequest("Tham số \(key) để trống.", "Parameter \(key) is empty.") }
        }
        if (query.get("q") ?? "").count > 200 { throw Problem.badRequest("Câu tìm kiếm quá dài.", "The query is too long.") }
        if let framework = query.get("framework"), framework.range(of: "^[A-Za-z][A-Za-z0-9]*$", options: .regularExpression) == nil {
            throw Problem.badRequest("Mã khung chương trình không hợp lệ.", "Invalid framework code.")
        }
        var limit = 20
        if let text = query.get("limit") {
            guard let n = Int(text), (1...100).contains(n) else { throw Problem.badRequest("limit phải từ 1 đến 100.", "limit must be 1–100.") }
            limit = n
        }
        let items = try await repository.store.searchCatalog(query.get("q") ?? "", framework: query.get("framework"), limit: limit)
        return try JSONResponse(["items": items.map(ItemSummary.init)])
    }
}
