import Foundation
import HTTPTypes
import HoclieuApp
import HoclieuCore
import HoclieuStorage
import Hummingbird

/// Organisations (the department and its schools) and their accounts.
///
/// | method | path | policy |
/// |---|---|---|
/// | GET | /api/v1/organisations | signed in (not LMS clients) |
/// | POST | /api/v1/organisations | admin: a new school |
/// | GET | /api/v1/organisations/{id} | signed in (not LMS clients); `users` only for admin or that school's admin |
/// | PATCH | /api/v1/organisations/{id} | admin: display name (same key) and code |
/// | GET | /api/v1/users?organisation=ID | admin; a school admin for their own school (the default) |
struct OrganisationController {
    let repository: Services

    struct CreateBody: StrictJSONBody {
        static let fields: Set<String> = ["name", "code"]
        var name: String
        var code: String?
    }

    struct UpdateBody: StrictJSONBody {
        static let fields: Set<String> = ["name", "code"]
        var name: String?
        var code: String?
    }

    /// A name of 1–200 characters with something other than spaces, a code of at most 50.
    static func validate(name: String?, code: String?) throws {
        if let name, name.count > 200 || name.allSatisfy(\.isWhitespace) {
            throw AppError(.invalid, vi: "Tên tổ chức: 1–200 ký tự.", en: "An organisation name is 1–200 characters.")
        }
        if let code, code.count > 50 { throw AppError(.invalid, vi: "Mã: tối đa 50 ký tự.", en: "A code is at most 50 characters.") }
    }

    struct Detail: Encodable {
        var organisation: Organisation
        var users: [User]?

        func encode(to encoder: any Encoder) throws {
            try organisation.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(users, forKey: .users)
        }

        enum CodingKeys: String, CodingKey { case users }
    }

    /// Signed-in people of the sector; an LMS client has no business with the organisation chart.
    static func member(_ context: AppRequestContext) throws -> User {
        let user = try Caller.signedIn(context)
        guard !user.has(.lmsClient) || user.roles.count > 1 else { throw Problem.forbidden }
        return user
    }

    func organisation(_ context: AppRequestContext) async throws -> Organisation {
        guard let id = Int64(try context.parameters.require("id")), let organisation = try await repository.store.organisation(id: id) else {
            throw Problem.notFound("tổ chức / organisation")
        }
        return organisation
    }

    /// The school name access checks compare, for an organisation (nil: the department).
    static func schoolName(_ organisation: Organisation) -> String? { organisation.kind == .school ? organisation.name : nil }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/organisations") { _, context in
            _ = try Self.member(context)
            return try JSONResponse(headers: [.cacheControl: "private, no-store"], ["items": try await repository.store.organisations()])
        }
        router.post("/api/v1/organisations") { request, context in
            let admin = try Caller.admin(context)
            let body = try await request.decodeStrict(CreateBody.self, limit: repository.configuration.maxJSONBytes)
            try Self.validate(name: body.name, code: body.code)
            return try JSONResponse(status: .created, try await repository.store.createSchool(name: body.name, code: body.code, by: admin.id))
        }
        router.get("/api/v1/organisations/{id}") { _, context in
            let user = try Self.member(context)
            let organisation = try await organisation(context)
            let users =
                AccessPolicy.canListAccounts(user, school: Self.schoolName(organisation)) ? try await repository.store.users(inOrganisation: organisation.id) : nil
            return try JSONResponse(headers: [.cacheControl: "private, no-store"], Detail(organisation: organisation, users: users))
        }
        router.patch("/api/v1/organisations/{id}") { request, context in
            let admin = try Caller.admin(context)
            let organisation = try await organisation(context)
            let body = try await request.decodeStrict(UpdateBody.self, limit: repository.configuration.maxJSONBytes)
            try Self.validate(name: body.name, code: body.code)
            return try JSONResponse(try await repository.store.updateOrganisation(id: organisation.id, name: body.name, code: body.code, by: admin.id))
        }
        router.get("/api/v1/users") { request, context in
            let user = try Caller.signedIn(context)
            let organisationID: Int64
            if let raw = request.uri.queryParameters["organisation"] {
                guard let id = Int64(String(raw)) else { throw Problem.badRequest("Mã tổ chức không hợp lệ.", "Not an organisation id.") }
                organisationID = id
            } else if let own = user.organisationID {
                organisationID = own
            } else {
                throw Problem.forbidden
            }
            guard let organisation = try await repository.store.organisation(id: organisationID) else { throw Problem.notFound("tổ chức / organisation") }
            guard AccessPolicy.canListAccounts(user, school: Self.schoolName(organisation)) else { throw Problem.forbidden }
            return try JSONResponse(headers: [.cacheControl: "private, no-store"], ["items": try await repository.store.users(inOrganisation: organisation.id)])
        }
    }
}
