import Foundation
import HTTPTypes
import HoclieuApp
import HoclieuCore
import HoclieuStorage
import Hummingbird

/// LMS client credentials (administrators).
///
/// | method | path | policy |
/// |---|---|---|
/// | POST | /api/v1/clients | admin; the secret is in this answer only |
/// | GET | /api/v1/clients | admin; never a secret |
/// | DELETE | /api/v1/clients/{id} | admin; revokes for good |
struct ClientController {
    let repository: Services

    struct CreateBody: StrictJSONBody {
        static let fields: Set<String> = ["name", "scopes"]
        var name: String
        var scopes: [ClientScope]
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/api/v1/clients") { request, context in
            let admin = try Caller.admin(context)
            let body = try await request.decodeStrict(CreateBody.self, limit: repository.configuration.maxJSONBytes)
            return try JSONResponse(
                status: .created, headers: [.cacheControl: "no-store"], try await repository.createClient(name: body.name, scopes: Set(body.scopes), by: admin))
        }
        router.get("/api/v1/clients") { _, context in
            _ = try Caller.admin(context)
            return try JSONResponse(headers: [.cacheControl: "private, no-store"], ["items": try await repository.store.clients()])
        }
        router.delete("/api/v1/clients/{id}") { _, context in
            let admin = try Caller.admin(context)
            guard let id = Int64(try context.parameters.require("id")) else { throw Problem.notFound("ứng dụng LMS / client") }
            return try JSONResponse(try await repository.revokeClient(id, by: admin))
        }
    }
}
