import CommonCartridge
import Foundation
import HTTPTypes
import HoclieuCore
import HoclieuServer
@testable import HoclieuApp
import HoclieuStorage
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import Testing

/// The authorisation matrix: every route the router has (enumerated from the router itself, so a route that is
/// wrongly public in both the code and the OpenAPI document is still caught) × nine callers × materials in every
/// visibility and status. The expectations are written out here from the access rules, not computed by
/// ``AccessPolicy``, so the test checks the policy rather than repeating it. A route without a row fails.
@Suite("Authorisation matrix")
struct AuthorisationMatrixTests {
    enum Who: String, CaseIterable {
        /// `schoolAdmin` administers the owner's school; `subjectReviewer` reviews another subject (Ngữ văn) than the
        /// materials' (Toán): the board is one body, so what it may see does not depend on the subject.
        case anonymous, owner, otherTeacher, reviewer, admin, lms, chair, schoolAdmin, subjectReviewer
        var username: String? {
            switch self {
            case .anonymous: nil
            case .owner: "gv.chu"
            case .otherTeacher: "gv.khac"
            case .reviewer: "hoidong"
            case .schoolAdmin: "qt.truong"
            case .subjectReviewer: "hoidong.van"
            case .chair: "chutich"
            case .admin: "admin"
            case .lms: "lms.moodle"
            }
        }
    }

    /// Who may see a material of the owner's (school "THCS A"), by visibility and status: the rules, written out.
    static func maySee(_ caller: Who, visibility: Visibility, status: MaterialStatus) -> Bool {
        switch caller {
        case .owner, .admin: true
        case .reviewer, .chair, .subjectReviewer: status != .draft
        case .anonymous: status == .published && visibility == .public
        case .schoolAdmin: status == .published && visibility != .private
        case .otherTeacher, .lms: status == .published && (visibility == .public || visibility == .sector)
        }
    }

    /// What a route demands.
    enum Rule {
        /// Anyone; never 401 or 403.
        case open
        /// Any signed-in caller.
        case signedIn
        /// Administrators only.
        case admin
        /// Teachers, LMS clients and administrators.
        case contributor
        /// Teachers and administrators (the question bank's writers).
        case bankWriter
        /// Teachers, the board, administrators: not LMS clients.
        case bankReader
        /// Any signed-in person of the sector: not LMS clients.
        case member
        /// The accounts of the caller's organisation: administrators and school administrators.
        case accountList
        /// The board and administrators.
        case board
        /// The board, administrators, and a school administrator (who sees their own school's rows).
        case schoolReport
        /// The owner's school, the board and administrators (exams).
        case exam
        /// Exam routes that also write (assembling a test): the owner and administrators.
        case examWriter
        /// The job's owner and administrators.
        case jobOwner
        /// A material, read: ``maySee(_:visibility:status:)``, through the caller's token.
        case materialRead
        /// A material, read through a preview address: no token is used, so anonymous rules apply.
        case previewRead
        /// A material, written: its owner and administrators.
        case materialWrite
        /// The account itself or an administrator.
        case accountSelf
        /// The board's chair and administrators.
        case chair
        /// Members of the board (reviewers and the chair); administrators are not reviewers.
        case reviewer
        /// The chair, or a reviewer assigned to the submission (none is, in the matrix).
        case chairOrAssigned
        /// The submission's author, the board and administrators.
        case submissionRead
        /// The submission's author and administrators (cancel).
        case submissionWrite
        /// LTI (and the OpenID Connect callback): authenticated by a platform's signed token, a state cookie or a sealed
        /// ticket, never by the bearer token; every caller gets the same answer and none is a server error.
        case ltiToken
        /// A client credential with the `push` scope, which none of the callers holds (people and password sessions
        /// are refused with 403): `IngestAPITests` drives the allowed side.
        case pushClient
        /// The record's creator alone (a resumable upload of the owner's): everyone else, administrators included, gets 404.
        case creator
    }

    /// One row per route: its rule. Keys are `METHOD /path` as the router spells them (`{name}` parameters).
    static let matrix: [String: Rule] = [
        "GET /health": .open, "GET /ready": .open, "GET /metrics": .open, "GET /api/v1/openapi.json": .open,
        "POST /api/v1/auth/login": .open, "POST /api/v1/auth/logout": .signedIn, "GET /api/v1/me": .signedIn,
        "POST /api/v1/auth/password": .signedIn, "POST /api/v1/users": .admin, "POST /api/v1/users/{id}/disable": .admin,
        "POST /api/v1/users/{id}/enable": .admin, "DELETE /api/v1/users/{id}/sessions": .accountSelf,
        "POST /api/v1/materials": .contributor, "GET /api/v1/materials": .open, "GET /api/v1/search": .open,
        "GET /api/v1/materials/{pid}": .materialRead, "PATCH /api/v1/materials/{pid}": .materialWrite,
        "POST /api/v1/materials/{pid}/versions": .materialWrite, "GET /api/v1/materials/{pid}/versions": .materialRead,
        "GET /api/v1/materials/{pid}/versions/{n}": .materialRead, "GET /api/v1/materials/{pid}/versions/{n}/file": .materialRead,
        "GET /api/v1/materials/{pid}/versions/{n}/thumbnail": .materialRead, "GET /api/v1/materials/{pid}/outline": .materialRead,
        "POST /api/v1/materials/{pid}/versions/{n}/preview": .materialRead, "GET /id/{pid}": .materialRead,
        "GET /preview/{ref}": .previewRead, "GET /preview/{ref}/{path}": .previewRead,
        "POST /api/v1/imports": .contributor, "GET /api/v1/imports/{id}": .jobOwner, "GET /api/v1/imports/{id}/report": .jobOwner,
        "POST /api/v1/imports/{id}/cancel": .jobOwner, "POST /api/v1/exports": .signedIn, "GET /api/v1/exports/{id}": .jobOwner,
        "GET /api/v1/exports/{id}/file": .jobOwner, "POST /api/v1/exports/{id}/cancel": .jobOwner,
        "POST /api/v1/question-imports": .contributor, "GET /api/v1/questions": .bankReader, "GET /api/v1/questions/{id}": .exam,
        "GET /api/v1/questions/{id}/versions/{n}": .exam, "PUT /api/v1/questions/{id}/status": .board,
        "PUT /api/v1/questions/{id}": .examWriter,
        // Resumable uploads: started by whoever may add versions to the material (the body names the owner's private draft);
        // an upload is its creator's alone.
        "POST /api/v1/uploads": .examWriter, "GET /api/v1/uploads/{id}": .creator, "PUT /api/v1/uploads/{id}": .creator,
        "POST /api/v1/uploads/{id}/finish": .creator, "DELETE /api/v1/uploads/{id}": .creator,
        "POST /api/v1/blueprints": .bankWriter, "GET /api/v1/blueprints/{id}": .exam, "GET /api/v1/blueprints/{id}/matrix.csv": .exam,
        "GET /api/v1/blueprints/{id}/specification.csv": .exam, "POST /api/v1/blueprints/{id}/check": .exam,
        "POST /api/v1/blueprints/{id}/tests": .examWriter, "GET /api/v1/tests/{id}": .exam, "GET /api/v1/tests/{id}/answer-key.csv": .exam,
        "GET /api/v1/tests/{id}/variants/{code}": .exam,
        "GET /oai": .open, "POST /oai": .open,
        "GET /api/v1/catalog/frameworks": .open, "GET /api/v1/catalog/items/{code}": .open, "GET /api/v1/catalog/search": .open,
        "GET /api/v1/criteria": .open, "POST /api/v1/materials/{pid}/submissions": .materialWrite,
        "POST /api/v1/materials/{pid}/withdraw": .chair, "POST /api/v1/materials/{pid}/rereview": .chair,
        "GET /api/v1/submissions": .signedIn, "GET /api/v1/submissions/{id}": .submissionRead,
        "POST /api/v1/submissions/{id}/assignments": .chair, "DELETE /api/v1/submissions/{id}/assignments/{reviewer}": .chair,
        "POST /api/v1/submissions/{id}/reviews": .reviewer, "PATCH /api/v1/submissions/{id}/metadata": .chairOrAssigned, "POST /api/v1/submissions/{id}/decision": .chair,
        "POST /api/v1/submissions/{id}/cancel": .submissionWrite, "GET /api/v1/audit": .admin,
        "POST /api/v1/clients": .admin, "GET /api/v1/clients": .admin, "DELETE /api/v1/clients/{id}": .admin,
        "GET /api/v1/organisations": .member, "POST /api/v1/organisations": .admin, "GET /api/v1/organisations/{id}": .member,
        "PATCH /api/v1/organisations/{id}": .admin, "GET /api/v1/users": .accountList, "GET /api/v1/notifications": .signedIn,
        "GET /lti/jwks": .open, "GET /lti/login": .ltiToken, "POST /lti/login": .ltiToken, "POST /lti/launch": .ltiToken,
        "POST /lti/deep-link": .ltiToken, "POST /lti/score": .ltiToken, "POST /lti/quiz": .ltiToken, "GET /lti/register": .ltiToken, "POST /api/v1/lti/registrations": .admin, "GET /api/v1/lti/platforms": .admin, "POST /api/v1/lti/platforms": .admin,
        "DELETE /api/v1/lti/platforms/{id}": .admin, "GET /api/v1/lti/scores": .bankWriter,
        // Sign-in with the organisation's OpenID Connect provider: the callback is authenticated by the provider's code and the
        // browser's state cookie, never by a bearer token (the same answer for every caller).
        "GET /api/v1/auth/methods": .open, "GET /auth/oidc/login": .open, "GET /auth/oidc/callback": .ltiToken,
        "POST /api/v1/ingest": .pushClient, "GET /api/v1/ingest/{id}": .jobOwner, "GET /api/v1/changes": .open,
        // Reports (issue 19): coverage is open (it counts what the caller may see); the others are the department's.
        "GET /api/v1/reports/coverage": .open, "GET /api/v1/reports/review-throughput": .board,
        "GET /api/v1/reports/contributions": .schoolReport, "GET /api/v1/reports/lms-activity": .board,
        // Administration (issue 19): harvest sources, catalogue imports, backups — department administrators only
        // (AccessPolicy.canAdminister); a harvest or backup job is its owner's and the administrators'.
        "GET /api/v1/harvest/sources": .admin, "POST /api/v1/harvest/sources": .admin, "GET /api/v1/harvest/sources/{id}": .admin,
        "PATCH /api/v1/harvest/sources/{id}": .admin, "DELETE /api/v1/harvest/sources/{id}": .admin,
        "GET /api/v1/harvest/sources/{id}/runs": .admin, "POST /api/v1/harvest/sources/{id}/run": .admin,
        "POST /api/v1/catalog/imports": .admin, "POST /api/v1/backups": .admin, "GET /api/v1/backups": .admin,
        "GET /api/v1/backups/{name}/file": .admin, "GET /api/v1/jobs/{id}": .jobOwner,
    ]

    /// Whether `caller` is allowed by a rule that does not depend on a material.
    static func allows(_ rule: Rule, _ caller: Who) -> Bool {
        switch rule {
        case .open: true
        case .signedIn: caller != .anonymous
        case .admin: caller == .admin
        case .contributor: [.owner, .otherTeacher, .lms, .admin].contains(caller)
        case .bankWriter: [.owner, .otherTeacher, .admin].contains(caller)
        case .bankReader: [.owner, .otherTeacher, .reviewer, .chair, .admin, .subjectReviewer].contains(caller)
        case .board: [.reviewer, .chair, .admin, .subjectReviewer].contains(caller)
        case .member: caller != .anonymous && caller != .lms
        case .schoolReport: [.reviewer, .chair, .admin, .subjectReviewer, .schoolAdmin].contains(caller)
        case .accountList: caller == .admin || caller == .schoolAdmin  // with no organisation named: the caller's own
        // The exam fixtures belong to the owner; the other teacher is of another school.
        case .exam: [.owner, .reviewer, .chair, .admin, .subjectReviewer].contains(caller)
        case .examWriter, .jobOwner: [.owner, .admin].contains(caller)
        case .pushClient: false
        case .creator: caller == .owner
        case .accountSelf: caller == .admin  // the target account is none of the callers
        case .chair: caller == .admin || caller == .chair
        case .reviewer: caller == .reviewer || caller == .chair || caller == .subjectReviewer
        case .submissionRead: [.owner, .reviewer, .chair, .admin, .subjectReviewer].contains(caller)
        case .chairOrAssigned: caller == .chair
        case .submissionWrite: [.owner, .chair, .admin].contains(caller)
        case .materialRead, .previewRead, .materialWrite, .ltiToken: fatalError("per material or per token")
        }
    }

    /// The router's routes as `METHOD /path` with `{name}` parameters.
    static func routes(_ t: TestRepository) -> [String] {
        buildRouter(t.repository, logger: Logger(label: "test")).routes.map { route in
            "\(route.method.rawValue) /" + route.path.description.split(separator: "/").map { segment in
                segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : segment == "**" ? "{path}" : String(segment)
            }.joined(separator: "/")
        }
    }

    @Test("Every route has a row (CASE routes are open by construction)")
    func everyRouteHasARow() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        let missing = Self.routes(t).filter { !$0.contains("/ims/case/") && Self.matrix[$0] == nil }
        #expect(missing.isEmpty, "routes without an authorisation row: \(missing)")
    }

    struct Fixture {
        var materials: [(pid: String, visibility: Visibility, status: MaterialStatus)] = []
        var tokens: [Who: String] = [:]
        var ids: [String: String] = [:]
    }

    @Test("Each caller gets exactly what the rules allow, on every route, and nothing leaks through lists, facets, counts or exports")
    func matrixHolds() async throws {
        let t = try await TestRepository()
        defer { t.cleanup() }
        try await t.addUser("gv.chu", roles: [.teacher], school: "THCS A")
        try await t.addUser("gv.khac", roles: [.teacher], school: "THCS B")
        try await t.addUser("hoidong", roles: [.reviewer])
        try await t.addUser("qt.truong", roles: [.schoolAdmin], school: "thcs a")
        _ = try await t.repository.store.createUser(
            NewUser(
                username: "hoidong.van", displayName: "Hội đồng Ngữ văn", roles: [.reviewer], school: "THCS C",
                passwordHash: try await PasswordHasher(cost: 4).hash("password-hoidong.van"), subjects: ["NGUVAN"]))
        try await t.addUser("chutich", roles: [.chair], school: "Phòng GD")
        try await t.addUser("lms.moodle", roles: [.lmsClient])
        try await t.addUser("nan.nhan", roles: [.teacher])
        try await BlueprintAPITests.fillBank(t.repository.store, perCell: 3)
        _ = try await t.repository.loadCatalog(from: try CatalogAPITests.folder(toan: CatalogAPITests.toan))
        try await t.application.test(.router) { client in
            var f = Fixture()
            for caller in Who.allCases {
                guard let name = caller.username else { continue }
                f.tokens[caller] = try await client.login(name, name == "admin" ? TestRepository.adminPassword : "password-\(name)")
            }
            let owner = try #require(f.tokens[.owner])
            let admin = try #require(f.tokens[.admin])
            // Materials of the owner in every visibility and status, each with one file.
            for visibility in Visibility.allCases {
                for status in [MaterialStatus.draft, .submitted, .published] {
                    let pid = try await client.createMaterial(
                        token: owner,
                        #"{"kind":"document","title":"Ma trận \#(visibility.rawValue) \#(status.rawValue)","description":"matrixword","visibility":"\#(visibility.rawValue)","school":"THCS A","knowledgeUnits":["TOAN.6.SD"]}"#)
                    let uploaded = try await client.execute(
                        uri: "/api/v1/materials/\(pid)/versions?filename=a.txt", method: .post,
                        headers: [.authorization: "Bearer \(owner)", .contentType: "text/plain"], body: ByteBuffer(string: "matrixword \(pid)")
                    ) { $0.status }
                    #expect(uploaded == .created)
                    if status != .draft {
                        #expect(try await client.json(.patch, "/api/v1/materials/\(pid)", token: admin, body: #"{"status":"\#(status.rawValue)","reason":"kiểm thử"}"#).status == .ok)
                    }
                    f.materials.append((pid, visibility, status))
                }
            }
            // Exams, a draft question and jobs of the owner; an account none of the callers is.
            let blueprint = String(decoding: try BlueprintAPITests.blueprint.jsonData(), as: UTF8.self)
            f.ids["blueprint"] = try #require(try await client.json(.post, "/api/v1/blueprints", token: owner, body: blueprint).body["id"] as? String)
            let made = try await client.json(.post, "/api/v1/blueprints/\(f.ids["blueprint"]!)/tests", token: owner, body: #"{"seed":1,"variants":1}"#)
            f.ids["test"] = try #require(made.body["id"] as? String)
            let ownerID = try #require(try await t.repository.store.credentials(username: "gv.chu")?.user.id)
            f.ids["question"] = try await t.repository.store.importQuestions(
                [Question(id: "", title: "Nháp", subject: "TOAN", grade: 6, stem: RichText("<p>Nháp</p>"), body: .essay(EssayQuestion()))],
                ownerID: ownerID, source: nil)[0].id
            // Resumable uploads of the owner's (one to abandon), into the owner's private draft.
            let ownerUser = try #require(try await t.repository.store.user(id: ownerID))
            let privateDraft = try #require(f.materials.first { $0.visibility == .private && $0.status == .draft }?.pid)
            f.ids["ownerDraft"] = privateDraft
            for key in ["upload", "uploadToDelete"] {
                f.ids[key] = try await t.repository.createUpload(
                    pid: try PersistentIdentifier(parsing: privateDraft), fileName: "gross.bin", mediaType: nil, size: 10, note: nil, by: ownerUser).id
            }
            f.ids["user"] = String(try #require(try await t.repository.store.credentials(username: "nan.nhan")?.user.id))
            let cartridge = TrustTests.cartridge(identifier: "M", pages: [("R1", "Trang", "a")])
            f.ids["import"] = try await client.execute(
                uri: "/api/v1/imports?filename=c.imscc", method: .post, headers: [.authorization: "Bearer \(owner)"], body: ByteBuffer(data: cartridge)
            ) { response in
                (try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])?["id"] as? String
            }
            f.ids["export"] = try await client.json(.post, "/api/v1/exports", token: owner, body: #"{"format":"cc1.3","all":true}"#).body["id"] as? String
            // A push job of the owner's (made in the store: only client credentials push; the job is never run here).
            f.ids["ingest"] = try await t.repository.store.createJob(NewJob(kind: "push", ownerID: ownerID, input: Data("{}".utf8))).id
            // A published material for the chair's routes (withdrawn on the way: kept out of the lists above), and a
            // submission of the owner's.
            let target = try await client.createMaterial(token: admin, #"{"kind":"link","url":"https://example.org/dich","title":"Đích","status":"published","reason":"kiểm thử"}"#)
            f.ids["pid"] = target
            f.ids["client"] = String(try await t.repository.createClient(name: "Canvas", scopes: [.harvest], by: User.localOperator).client.id)
            f.ids["organisation"] = String(try #require(try await t.repository.store.organisations().first { $0.kind == .school }).id)
            f.ids["harvest"] = String(
                try await t.repository.addRemoteRepository(url: "http://127.0.0.1:9/oai", set: nil, prefix: "oai_dc", every: 3600, trusted: false, owner: "admin").id)
            // A backup job of the owner's (made in the store; never run here).
            f.ids["job"] = try await t.repository.store.createJob(NewJob(kind: "backup", ownerID: ownerID, input: Data("{}".utf8))).id
            let draft = try await client.createMaterial(token: owner, #"{"kind":"link","url":"https://example.org/nop","title":"Hồ sơ"}"#)
            f.ids["submission"] = String(
                try await t.repository.store.createSubmission(
                    NewSubmission(
                        pid: try PersistentIdentifier(parsing: draft), kind: .new, version: 0, proposedMetadata: nil, note: nil, criteriaSet: "lesson@1",
                        submittedBy: ownerID, school: "THCS A"), audit: AuditDraft(actorID: ownerID, action: "submission.created", subject: "")
                ).id)

            for route in Self.routes(t) where !route.contains("/ims/case/") {
                let rule = try #require(Self.matrix[route])
                let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
                let method = HTTPRequest.Method(rawValue: parts[0])!
                var ltiAnswers: Set<HTTPResponse.Status> = []
                for caller in Who.allCases {
                    switch rule {
                    case .ltiToken:
                        let (status, body) = try await send(client, method, parts[1], token: f.tokens[caller], body: Self.body(route))
                        #expect(status.code < 500, "\(caller) \(route): \(status) \(body.prefix(160))")
                        ltiAnswers.insert(status)
                    case .materialRead, .previewRead, .materialWrite:
                        for m in f.materials {
                            let reference = "\(m.pid)@v1"
                            let path = parts[1].replacingOccurrences(of: "{pid}", with: m.pid).replacingOccurrences(of: "{n}", with: "1")
                                .replacingOccurrences(of: "{ref}", with: reference).replacingOccurrences(of: "{path}", with: "a.txt")
                            let token = rule == .previewRead ? nil : f.tokens[caller]
                            let (status, body) = try await send(client, method, path, token: token, body: Self.body(route))
                            let sees = Self.maySee(rule == .previewRead ? .anonymous : caller, visibility: m.visibility, status: m.status)
                            let allowed = rule == .materialWrite ? [.owner, .admin].contains(caller) : sees
                            // A thumbnail, outline or package entry the material lacks is a 404 of its own kind, not a denial.
                            let denied = status == .unauthorized || status == .forbidden
                                || (status == .notFound && !body.contains("ảnh thu nhỏ") && !body.contains("not-a-course") && !body.contains("package entry"))
                            #expect(denied != allowed, "\(caller) \(method) \(path) [\(m.visibility) \(m.status)]: \(status) \(body.prefix(160))")
                            if caller == .anonymous, rule == .materialWrite { #expect(status == .unauthorized) }
                        }
                    default:
                        var path = parts[1]
                        for (name, key) in [
                            ("{code}", "101"), ("{n}", "1"), ("{reviewer}", "999"), ("{pid}", try #require(f.ids["pid"])),
                            ("{name}", "hoclieu-backup-20260101T000000000Z-abcd.zip"),
                        ] {
                            path = path.replacingOccurrences(of: name, with: key)
                        }
                        if path.contains("{id}") {
                            let kind =
                                path.hasPrefix("/api/v1/blueprints") ? "blueprint" : path.hasPrefix("/api/v1/tests") ? "test"
                                : path.hasPrefix("/api/v1/questions") ? "question" : path.hasPrefix("/api/v1/users") ? "user"
                                : path.hasPrefix("/api/v1/imports") ? "import" : path.hasPrefix("/api/v1/submissions") ? "submission"
                                : path.hasPrefix("/api/v1/clients") ? "client" : path.hasPrefix("/api/v1/organisations") ? "organisation"
                                : path.hasPrefix("/api/v1/ingest") ? "ingest" : path.hasPrefix("/api/v1/harvest") ? "harvest"
                                : path.hasPrefix("/api/v1/jobs") ? "job"
                                : route == "DELETE /api/v1/uploads/{id}" ? "uploadToDelete" : path.hasPrefix("/api/v1/uploads") ? "upload" : "export"
                            path = path.replacingOccurrences(of: "{id}", with: try #require(f.ids[kind], "\(kind)"))
                        }
                        path = path.replacingOccurrences(of: "{code}", with: "TOAN.6.SD")
                        var token = f.tokens[caller]
                        if route == "POST /api/v1/auth/logout", let name = caller.username {
                            // A session of its own to end: the caller's main token is still needed.
                            token = try await client.login(name, name == "admin" ? TestRepository.adminPassword : "password-\(name)")
                        }
                        let routeBody = Self.body(route)?.replacingOccurrences(of: "{ownerDraft}", with: try #require(f.ids["ownerDraft"]))
                        let (status, body) = try await send(client, method, path, token: token, body: routeBody)
                        let allowed = Self.allows(rule, caller)
                        let denied = status == .unauthorized || status == .forbidden || (status == .notFound && !allowed)
                        if route == "POST /api/v1/auth/login" || route == "POST /api/v1/auth/password" {
                            #expect(status != .forbidden && status != .notFound, "\(caller) \(route): \(status)")
                        } else if rule == .open {
                            #expect(status != .unauthorized && status != .forbidden, "\(caller) \(route): \(status) \(body.prefix(160))")
                        } else {
                            #expect(denied != allowed, "\(caller) \(method) \(path): \(status) \(body.prefix(160))")
                            if caller == .anonymous { #expect(status == .unauthorized, "anonymous \(route): \(status)") }
                        }
                    }
                }
                #expect(ltiAnswers.count <= 1, "\(route): the answer depends on the bearer token: \(ltiAnswers)")
            }

            // Nothing a caller may not see leaks through lists, facets, counts or exports.
            for caller in Who.allCases {
                let expected = Set(f.materials.filter { Self.maySee(caller, visibility: $0.visibility, status: $0.status) }.map(\.pid))
                for list in ["/api/v1/search?q=matrixword&facets=status,visibility&limit=100", "/api/v1/materials?q=matrixword&limit=100"] {
                    let page = try await client.json(.get, list, token: f.tokens[caller]).body
                    let pids = Set((page["items"] as? [[String: Any]] ?? []).compactMap { $0["pid"] as? String })
                    #expect(pids == expected, "\(caller) \(list)")
                    if let facets = page["facets"] as? [String: [[String: Any]]], !facets.isEmpty {
                        let counted = (facets["status"] ?? []).reduce(0) { $0 + ($1["count"] as? Int ?? 0) }
                        #expect(counted == expected.count, "\(caller) status facet counts \(counted)")
                    }
                }
                // OAI-PMH: never more than the caller may see; anonymous callers exactly the published public records.
                let oai = try await client.execute(
                    uri: "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc", method: .get,
                    headers: f.tokens[caller].map { [.authorization: "Bearer \($0)"] } ?? [:]
                ) { String(buffer: $0.body) }
                let harvested = Set(f.materials.map(\.pid).filter { oai.contains(":\($0)</identifier>") })
                #expect(harvested.isSubset(of: expected), "\(caller) OAI-PMH")
                if caller == .anonymous { #expect(harvested == expected, "anonymous OAI-PMH") }
                let item = try await client.json(.get, "/api/v1/catalog/items/TOAN.6.SD", token: f.tokens[caller]).body
                #expect((item["counts"] as? [String: Int])?["materials"] == expected.count, "\(caller) catalogue count")
                if let name = caller.username, let user = try await t.repository.store.credentials(username: name)?.user {
                    let (request, _) = try await t.repository.cartridgeRequest(ExportSelection(all: true), format: .cc1p3, target: nil, user: user)
                    let exported = Set(request.items.map(\.metadata.title))
                    let visibleTitles = Set(f.materials.filter { expected.contains($0.pid) }.map { "Ma trận \($0.visibility.rawValue) \($0.status.rawValue)" })
                    #expect(exported.filter { $0.hasPrefix("Ma trận") } == visibleTitles, "\(caller) export")
                }
            }
        }
    }

    /// A request body that passes validation for routes that need one (so a refusal is about the caller).
    static func body(_ route: String) -> String? {
        switch route {
        case "POST /api/v1/auth/login": #"{"username":"khong.ai","password":"wrong-password"}"#
        case "POST /api/v1/auth/password": #"{"current":"wrong-password","new":"another-password"}"#
        case "POST /api/v1/users": #"{"username":"moi.\#(UUID().uuidString.prefix(8).lowercased())","password":"password-new","roles":["teacher"]}"#
        case "POST /api/v1/materials": #"{"kind":"document","title":"Mới"}"#
        case "PATCH /api/v1/materials/{pid}": #"{}"#
        case "POST /api/v1/harvest/sources": #"{"url":"https://oai.example.org/oai","every":"1d"}"#
        case "PATCH /api/v1/harvest/sources/{id}": #"{"every":"12h"}"#
        case "POST /api/v1/catalog/imports": "code,parent,type,grade,statement\n"
        case "POST /api/v1/exports": #"{"format":"cc1.3","all":true}"#
        case "PUT /api/v1/questions/{id}/status": #"{"status":"draft"}"#
        // The owner's draft question as it is (no new version, so `If-Match: "v1"` stays current for every caller).
        case "PUT /api/v1/questions/{id}": #"{"title":"Nháp"}"#
        case "POST /api/v1/uploads": #"{"pid":"{ownerDraft}","fileName":"a.txt","size":5}"#
        case "PUT /api/v1/uploads/{id}": "x"
        case "POST /api/v1/blueprints": String(decoding: (try? BlueprintAPITests.blueprint.jsonData()) ?? Data(), as: UTF8.self)
        case "POST /api/v1/blueprints/{id}/tests": #"{"seed":2,"variants":1}"#
        case "POST /api/v1/imports", "POST /api/v1/question-imports", "POST /api/v1/ingest": "x"
        case "POST /api/v1/materials/{pid}/versions": "matrix upload"
        case "POST /api/v1/materials/{pid}/submissions", "POST /api/v1/submissions/{id}/cancel": #"{}"#
        case "POST /api/v1/clients": #"{"name":"Moodle","scopes":["harvest"]}"#
        case "POST /api/v1/organisations": #"{"name":"THCS Ma Trận \#(UUID().uuidString.prefix(8))"}"#
        case "PATCH /api/v1/organisations/{id}": #"{"code":"79760001"}"#
        case "POST /api/v1/lti/registrations": #"{"school":"THCS A"}"#
        case "POST /api/v1/materials/{pid}/withdraw", "POST /api/v1/materials/{pid}/rereview": #"{"reason":"kiểm tra"}"#
        case "POST /api/v1/submissions/{id}/assignments": #"{"reviewers":[]}"#
        case "PATCH /api/v1/submissions/{id}/metadata": #"{"keywords":["sửa"]}"#
        case "POST /api/v1/submissions/{id}/reviews": #"{"scores":{},"decision":"reject","reasonCode":"other","feedback":"x"}"#
        case "POST /api/v1/submissions/{id}/decision": #"{"decision":"reject","reasonCode":"other","feedback":"x"}"#
        default: nil
        }
    }

    func send(_ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, token: String?, body: String?) async throws
        -> (HTTPResponse.Status, String)
    {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if method == .post, path.hasSuffix("/versions") || path.hasPrefix("/api/v1/imports") || path.hasPrefix("/api/v1/question-imports") || path == "/api/v1/ingest" {
            headers[.contentType] = "text/plain"
        }
        if method == .put, path.hasPrefix("/api/v1/questions/"), !path.hasSuffix("/status") { headers[.ifMatch] = "\"v1\"" }
        let uri = path.hasSuffix("/versions") && method == .post ? path + "?filename=m.txt" : path.hasPrefix("/api/v1/imports") && method == .post ? path + "?filename=x.imscc" : path
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            ($0.status, String(buffer: $0.body))
        }
    }
}
