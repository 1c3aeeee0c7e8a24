package import Crypto
public import Foundation
public import HoclieuCore
public import HoclieuStorage
public import LTI

/// A third-party login initiation (LTI 1.3 core §4.1) as the platform sends it.
public struct LTILoginRequest: Sendable {
    public var issuer: String?
    public var loginHint: String?
    public var targetLinkURI: String?
    public var messageHint: String?
    public var clientID: String?
    public var deploymentID: String?
    public init(issuer: String?, loginHint: String?, targetLinkURI: String?, messageHint: String?, clientID: String?, deploymentID: String?) {
        self.issuer = issuer
        self.loginHint = loginHint
        self.targetLinkURI = targetLinkURI
        self.messageHint = messageHint
        self.clientID = clientID
        self.deploymentID = deploymentID
    }
}

/// Where to send the browser after a login initiation, and the state to bind to it by a cookie.
public struct LTILoginRedirect: Sendable {
    public var location: URL
    public var state: String
}

/// What a deep-linking picker carries from the launch to the teacher's choice, sealed with the
/// service's key so the browser cannot change it.
public struct LTIDeepLinkContext: Codable, Sendable {
    public var platformID: Int64
    public var deploymentID: String
    public var returnURL: String
    public var data: String?
    public var acceptMultiple: Bool
    public var expires: Double
}

/// What a learner's launch carries to the score endpoint, sealed the same way.
public struct LTIScoreTicket: Codable, Sendable {
    public var platformID: Int64
    public var lineItem: String
    public var userID: String
    public var pid: String
    public var expires: Double
}

/// One level of the picker's catalogue browse.
public struct LTICatalogLevel: Sendable {
    public struct Entry: Sendable {
        /// What the picker posts back as `node`.
        public var node: String
        public var label: String
    }
    /// The catalogue item the materials are filtered by (nil at the subjects' level and a subject's).
    public var unit: String?
    /// From the subject down to the current node.
    public var trail: [Entry]
    /// The next level down.
    public var children: [Entry]
}

/// A material resolved from a resource link's custom parameters.
public struct LTIResolvedLink: Sendable {
    public var material: Material
    /// The version to open (0 for a link material that has no file).
    public var version: Int
}

extension Services {
    /// The tool's base URL (`--public-url`), its launch and login URLs.
    public var ltiToolURL: URL { URL(string: configuration.publicBaseURL) ?? URL(string: "http://127.0.0.1")! }
    public var ltiLaunchURL: String { configuration.publicBaseURL + "/lti/launch" }

    /// The tool's key ring, generating the first key when there is none.
    public func ltiKeyRing() async throws -> ToolKeyRing { try await lti.ring.ring(store) }

    /// Makes a new active key; the previous ones stay published for ``LTIRuntime/grace``.
    public func rotateLTIKey() async throws -> ToolKey {
        let key = try ToolKey.generate()
        try await store.addLTIToolKey(
            StoredLTIToolKey(kid: key.kid, privateKeyPEM: key.privateKeyPEM, createdAt: key.createdAt, retiredAt: nil), retiringOthersAt: Date())
        await lti.ring.invalidate()
        return key
    }

    // MARK: Platforms

    /// Registers a platform (administrators): the one door for the admin API, the command line and dynamic registration.
    public func addLTIPlatform(_ input: LTIPlatform, by user: User) async throws -> LTIPlatform {
        guard user.has(.admin) else { throw AppError.forbidden }
        let platform = input.normalised()
        let problems = platform.violations()
        guard problems.isEmpty else {
            throw AppError(
                .badRequest, vi: "Thông tin nền tảng LTI không hợp lệ: \(problems.joined(separator: ", ")).",
                en: "Invalid LTI platform fields: \(problems.joined(separator: ", ")).")
        }
        do {
            return try await store.addLTIPlatform(platform)
        } catch StoreError.conflict {
            throw AppError(
                .conflict, vi: "Nền tảng \(platform.issuer) với client id \(platform.clientID) đã được đăng ký.",
                en: "Platform \(platform.issuer) with client id \(platform.clientID) is already registered.")
        }
    }

    /// Every registered platform (administrators).
    public func ltiPlatforms(by user: User) async throws -> [LTIPlatform] {
        guard user.has(.admin) else { throw AppError.forbidden }
        return try await store.ltiPlatforms()
    }

    /// Removes a registration (administrators).
    public func deleteLTIPlatform(id: Int64, by user: User) async throws {
        guard user.has(.admin) else { throw AppError.forbidden }
        do { try await store.deleteLTIPlatform(id: id) } catch StoreError.notFound { throw AppError.notFound("nền tảng LTI \(id)", "LTI platform \(id)") }
    }

    /// Score posts for teachers and administrators, newest first.
    public func ltiScores(by user: User, failedOnly: Bool, limit: Int = 100) async throws -> [StoredLTIScore] {
        guard user.has(.admin) || user.has(.teacher) else { throw AppError.forbidden }
        return try await store.ltiScores(failedOnly: failedOnly, limit: limit)
    }

    // MARK: Login and launch

    /// How long a login initiation waits for its launch.
    static let ltiLoginLifetime: TimeInterval = 600

    /// Answers a third-party login initiation: a fresh state and nonce, remembered in the store, and
    /// the platform's authorisation URL to redirect to.
    public func ltiBeginLogin(_ request: LTILoginRequest) async throws -> LTILoginRedirect {
        guard let issuer = request.issuer, !issuer.isEmpty, issuer.count <= 500 else { throw LTIError.missingClaim("iss") }
        guard let loginHint = request.loginHint, !loginHint.isEmpty, loginHint.count <= 2000 else { throw LTIError.missingClaim("login_hint") }
        guard let target = request.targetLinkURI, !target.isEmpty else { throw LTIError.missingClaim("target_link_uri") }
        let verifier = LaunchVerifier(toolURL: ltiToolURL)
        guard verifier.isOurs(target) else { throw LTIError.foreignTargetLink(target) }
        guard let stored = try await store.ltiPlatform(issuer: issuer, clientIDs: request.clientID.map { [$0] } ?? []) else {
            throw LTIError.unknownPlatform(issuer: issuer)
        }
        if let deployment = request.deploymentID, !stored.deploymentIDs.contains(deployment) { throw LTIError.unknownDeployment(deployment) }
        let state = Self.randomToken()
        let nonce = Self.randomToken()
        try await store.saveLTILogin(state: state, nonce: nonce, platformID: stored.id, expiresAt: Date().addingTimeInterval(Self.ltiLoginLifetime))
        guard var components = URLComponents(url: stored.authURL, resolvingAgainstBaseURL: false) else { throw LTIError.unknownPlatform(issuer: issuer) }
        var items = components.queryItems ?? []
        items += [
            URLQueryItem(name: "scope", value: "openid"), URLQueryItem(name: "response_type", value: "id_token"),
            URLQueryItem(name: "response_mode", value: "form_post"), URLQueryItem(name: "prompt", value: "none"),
            URLQueryItem(name: "client_id", value: stored.clientID), URLQueryItem(name: "redirect_uri", value: target),
            URLQueryItem(name: "login_hint", value: loginHint), URLQueryItem(name: "state", value: state), URLQueryItem(name: "nonce", value: nonce),
        ]
        if let hint = request.messageHint { items.append(URLQueryItem(name: "lti_message_hint", value: hint)) }
        components.queryItems = items
        guard let location = components.url else { throw LTIError.unknownPlatform(issuer: issuer) }
        return LTILoginRedirect(location: location, state: state)
    }

    /// Verifies a launch: the `state` posted must be the one bound to this browser by the login
    /// cookie and still waiting; its nonce must be the token's; then every rule of ``LaunchVerifier``.
    public func ltiLaunch(idToken: String, state: String?, browserState: String?) async throws -> VerifiedLaunch {
        guard let state, !state.isEmpty, let browserState, ConstantTime.equal(state, browserState) else { throw LTIError.invalidState }
        guard let login = try await store.takeLTILogin(state: state, now: Date()) else { throw LTIError.invalidState }
        // The login decided the registration; the token must then name its issuer and client id.
        guard let stored = try await store.ltiPlatform(id: login.platformID) else { throw LTIError.invalidState }
        let registration = stored
        return try await LaunchVerifier(toolURL: ltiToolURL).verify(
            idToken, expectedNonce: login.nonce,
            platforms: { issuer, _ in issuer == registration.issuer ? registration : nil }, keys: lti.platformKeys,
            nonces: StoreNonces(store: store))
    }

    /// The viewer a launch acts as when it reads materials: nobody's owner, no role, the platform's
    /// school; ``AccessPolicy`` then offers what is published and public, sector-wide or of that school.
    /// (The id is one no account gets: account ids count up from 1.)
    public func ltiViewer(_ platform: LTIPlatform) -> User {
        Self.ltiViewer(platformID: platform.id, school: platform.school, createdAt: platform.createdAt)
    }

    static func ltiViewer(platformID: Int64, school: String?, createdAt: Date) -> User {
        User(id: Int64.max - platformID, username: "lti", displayName: "LTI", roles: [], school: school, createdAt: createdAt)
    }

    /// The viewer a signed player address was made for: an account (not disabled), or an LTI platform's viewer
    /// (``ltiViewer(_:)``, whose ids count down from `Int64.max`).
    public func signedViewer(id: Int64) async throws -> User? {
        if id > Int64.max - (1 << 40) {
            guard let platform = try await store.ltiPlatform(id: Int64.max - id) else { return nil }
            return Self.ltiViewer(platformID: platform.id, school: platform.school, createdAt: platform.createdAt)
        }
        return try await store.user(id: id).flatMap { $0.disabled ? nil : $0 }
    }

    // MARK: Deep linking

    /// Published materials the platform's teachers may pick, for a search (with or without diacritics), within a
    /// catalogue node when one is chosen (the node and everything below it).
    public func ltiPickable(query: String, platform: LTIPlatform, unit: String? = nil, limit: Int = 20) async throws -> [Material] {
        let viewer = ltiViewer(platform)
        let filters = unit.map { SearchFilters([.knowledgeUnit: [$0]]) } ?? SearchFilters()
        let page = try await store.search(
            SearchRequest(text: String(query.prefix(500)), filters: filters, viewer: viewer, limit: min(max(limit, 1), 50)))
        var materials: [Material] = []
        for pid in page.pids {
            guard let m = try await store.material(pid), m.status == .published, AccessPolicy.canSee(viewer, m) else { continue }
            materials.append(m)
        }
        return materials
    }

    /// Where the picker's catalogue browse stands: the path from the subjects down to `node`, and the next level
    /// (môn → lớp → mạch/chủ đề → bài → yêu cầu cần đạt). `node` is empty (the subjects), `subject:CODE` (a
    /// subject's grades) or an item code.
    public func ltiCatalogLevel(_ node: String?) async throws -> LTICatalogLevel {
        let frameworks = try await store.catalogFrameworks()
        guard let node, !node.isEmpty, node.count <= 200 else {
            return LTICatalogLevel(
                unit: nil, trail: [], children: frameworks.map { .init(node: "subject:" + $0.subject.code, label: $0.subject.name) })
        }
        if node.hasPrefix("subject:") {
            let code = String(node.dropFirst("subject:".count))
            guard let framework = frameworks.first(where: { $0.subject.code == code }) else { return try await ltiCatalogLevel(nil) }
            let items = try await store.catalogItems(framework: code).filter { !$0.item.deprecated }
            let codes = Set(items.map(\.item.code))
            // The top of the tree: items without a parent in the framework (grades, or strands when grades are implicit).
            let roots = items.filter { $0.item.parent.map { !codes.contains($0) } ?? true }
            return LTICatalogLevel(
                unit: nil, trail: [.init(node: node, label: framework.subject.name)],
                children: roots.map { .init(node: $0.item.code, label: Self.catalogLabel($0.item)) })
        }
        guard let item = try await store.catalogItem(code: node.uppercased()) else { return try await ltiCatalogLevel(nil) }
        var trail: [LTICatalogLevel.Entry] = [.init(node: item.item.code, label: Self.catalogLabel(item.item))]
        var parent = item.item.parent
        while let code = parent, let next = try await store.catalogItem(code: code), trail.count < 10 {
            trail.insert(.init(node: next.item.code, label: Self.catalogLabel(next.item)), at: 0)
            parent = next.item.parent
        }
        if let subject = frameworks.first(where: { $0.subject.code == item.framework }) {
            trail.insert(.init(node: "subject:" + subject.subject.code, label: subject.subject.name), at: 0)
        }
        let children = try await store.catalogChildren(of: item.item.code).filter { !$0.item.deprecated }
        return LTICatalogLevel(
            unit: item.item.code, trail: trail, children: children.map { .init(node: $0.item.code, label: Self.catalogLabel($0.item)) })
    }

    static func catalogLabel(_ item: CatalogItem) -> String {
        "\(item.type.vietnamese) \(item.code): \(String(item.statement.prefix(160)))"
    }

    /// The platform a sealed picker context belongs to.
    public func ltiPlatform(of context: LTIDeepLinkContext) async throws -> LTIPlatform {
        guard let stored = try await store.ltiPlatform(id: context.platformID) else { throw LTIError.invalidState }
        return stored
    }

    /// Seals the picker's context (the platform, deployment and return URL) for one hour.
    public func ltiDeepLinkContext(_ launch: VerifiedLaunch) throws -> String {
        guard let settings = launch.claims.deepLinkingSettings else { throw LTIError.missingClaim("deep_linking_settings") }
        return try seal(
            LTIDeepLinkContext(
                platformID: launch.platform.id, deploymentID: launch.claims.deploymentID ?? "", returnURL: settings.deepLinkReturnURL,
                data: settings.data, acceptMultiple: settings.acceptMultiple ?? true, expires: Date().timeIntervalSince1970 + 3600))
    }

    /// Opens a sealed picker context; `nil` when it was changed or has expired.
    public func ltiOpenDeepLinkContext(_ token: String) -> LTIDeepLinkContext? {
        guard let c = open(token, as: LTIDeepLinkContext.self), c.expires > Date().timeIntervalSince1970 else { return nil }
        return c
    }

    /// The signed `LtiDeepLinkingResponse` for the picked materials, and where to post it.
    public func ltiDeepLinkingResponse(_ context: LTIDeepLinkContext, pids: [String], policy: VersionPolicy) async throws -> (returnURL: String, jwt: String) {
        guard let stored = try await store.ltiPlatform(id: context.platformID) else { throw LTIError.invalidState }
        let platform = stored
        let viewer = ltiViewer(platform)
        var items: [ResourceLinkItem] = []
        for raw in pids.prefix(context.acceptMultiple ? 50 : 1) {
            guard let pid = try? PersistentIdentifier(parsing: raw), let m = try await store.material(pid), m.status == .published,
                AccessPolicy.canSee(viewer, m)
            else { throw AppError.notFound("học liệu \(raw)", "Material \(raw)") }
            var custom = [LinkParameter.pid: m.pid.rawValue, LinkParameter.versionPolicy: policy.rawValue]
            if policy == .pinned { custom[LinkParameter.version] = String(m.currentVersion) }
            let description = m.metadata.description
            items.append(
                ResourceLinkItem(
                    title: m.metadata.title, text: description.isEmpty ? nil : String(description.prefix(1000)), url: ltiLaunchURL,
                    thumbnail: m.currentVersion > 0
                        ? .init(url: "\(configuration.publicBaseURL)/api/v1/materials/\(m.pid.rawValue)/versions/\(m.currentVersion)/thumbnail") : nil,
                    custom: custom, lineItem: m.kind == .questionSet ? .init(scoreMaximum: 100, label: m.metadata.title) : nil))
        }
        var claims = LaunchClaims()
        claims.deploymentID = context.deploymentID
        claims.deepLinkingSettings = DeepLinkingSettings(deepLinkReturnURL: context.returnURL, acceptTypes: ["ltiResourceLink"], acceptMultiple: nil, data: context.data)
        let launch = VerifiedLaunch(platform: platform, claims: claims, messageType: .deepLinkingRequest)
        let jwt = try await ltiKeyRing().sign(DeepLinkingResponse(answering: launch, items: items))
        return (context.returnURL, jwt)
    }

    // MARK: Resource links and scores

    /// The material a resource link names, as the platform's viewer may see it. A withdrawn material
    /// is a 410-like ``AppError`` (`withdrawn`), a missing or hidden one `not-found`.
    public func ltiResolve(_ launch: VerifiedLaunch) async throws -> LTIResolvedLink {
        let custom = launch.claims.custom ?? [:]
        guard let raw = custom[LinkParameter.pid], let pid = try? PersistentIdentifier(parsing: raw) else {
            throw AppError(.notFound, code: "lti-no-material", vi: "Liên kết này không trỏ tới học liệu nào của Hoclieu.", en: "This link names no Hoclieu material.")
        }
        guard let m = try await store.material(pid) else { throw AppError.notFound("học liệu \(raw)", "Material \(raw)") }
        if m.status == .withdrawn {
            throw AppError(
                .notFound, code: "withdrawn", vi: "Học liệu \(raw) đã bị thu hồi và không còn sử dụng được.",
                en: "Material \(raw) has been withdrawn and is no longer available.")
        }
        guard AccessPolicy.canSee(ltiViewer(launch.platform), m) else { throw AppError.notFound("học liệu \(raw)", "Material \(raw)") }
        var version = m.currentVersion
        if custom[LinkParameter.versionPolicy] == VersionPolicy.pinned.rawValue, let pinned = custom[LinkParameter.version].flatMap(Int.init),
            (1...max(m.currentVersion, 1)).contains(pinned), m.currentVersion > 0
        {
            version = pinned
        }
        return LTIResolvedLink(material: m, version: version)
    }

    /// A sealed ticket that lets the launched page post this learner's score, when the launch carries
    /// an AGS line item with the score scope.
    public func ltiScoreTicket(_ launch: VerifiedLaunch, pid: PersistentIdentifier) throws -> String? {
        guard let ags = launch.claims.ags, ags.scope.contains(AGSClient.scoreScope), let lineItem = ags.lineitem, let sub = launch.claims.sub
        else { return nil }
        return try seal(
            LTIScoreTicket(platformID: launch.platform.id, lineItem: lineItem, userID: sub, pid: pid.rawValue, expires: Date().timeIntervalSince1970 + 4 * 3600))
    }

    /// Posts a score the launched player reported for the learner of `ticket` (a SCORM package's run-time, an
    /// H5P result): the score necessarily comes from the browser, as in every LMS. A question set's score never
    /// does: it is computed on the server from the submitted answers (``ltiSubmitQuiz(attempt:answers:)``), so
    /// this refuses a ticket for a question set.
    public func ltiPostScore(
        ticket: String, scoreGiven: Double, scoreMaximum: Double, completed: Bool = true, attempts: Int = 4, baseDelay: Duration = .milliseconds(250)
    ) async throws -> StoredLTIScore {
        guard let t = open(ticket, as: LTIScoreTicket.self), t.expires > Date().timeIntervalSince1970 else { throw LTIError.invalidState }
        guard scoreMaximum.isFinite, scoreGiven.isFinite, scoreMaximum > 0, scoreMaximum <= 1_000_000, (0...scoreMaximum).contains(scoreGiven) else {
            throw AppError(.badRequest, vi: "Điểm phải từ 0 đến điểm tối đa (lớn hơn 0).", en: "The score must be between 0 and a positive maximum.")
        }
        if let pid = try? PersistentIdentifier(parsing: t.pid), let m = try await store.material(pid), m.kind == .questionSet {
            throw AppError(
                .forbidden, code: "lti-score-server-side", vi: "Điểm của bộ câu hỏi do máy chủ chấm từ câu trả lời, không nhận điểm từ trình duyệt.",
                en: "A question set's score is computed by the server from the answers; a score from the browser is not accepted.")
        }
        return try await ltiSendScore(
            platformID: t.platformID, lineItem: t.lineItem, userID: t.userID, pid: t.pid, scoreGiven: scoreGiven, scoreMaximum: scoreMaximum,
            completed: completed, attempts: attempts, baseDelay: baseDelay)
    }

    /// Records a score and posts it to the line item, with retries; the outcome (posted, or failed with the reason)
    /// stays in the store for the teacher's view.
    func ltiSendScore(
        platformID: Int64, lineItem: String, userID: String, pid: String, scoreGiven: Double, scoreMaximum: Double, completed: Bool = true,
        attempts: Int = 4, baseDelay: Duration = .milliseconds(250)
    ) async throws -> StoredLTIScore {
        guard let platform = try await store.ltiPlatform(id: platformID) else { throw LTIError.invalidState }
        let id = try await store.recordLTIScore(
            platformID: platform.id, lineItem: lineItem, userID: userID, pid: pid, scoreGiven: scoreGiven, scoreMaximum: scoreMaximum)
        let store = self.store
        let client = AGSClient(transport: lti.transport, keys: { [self] in try await self.ltiKeyRing() }, attempts: attempts, baseDelay: baseDelay)
        do {
            let used = try await client.post(
                AGSScore(userID: userID, scoreGiven: scoreGiven, scoreMaximum: scoreMaximum, completed: completed), lineItem: lineItem, platform: platform)
            try await store.updateLTIScore(id: id, status: .posted, attempts: used, lastError: nil)
        } catch {
            try await store.updateLTIScore(id: id, status: .failed, attempts: attempts, lastError: String(String(describing: error).prefix(500)))
        }
        return try await store.ltiScores(platformID: platform.id, lineItem: lineItem, limit: 50).first { $0.id == id }!
    }

    /// The scores of the launch's line item (a course's gradebook column) for its instructor: posted, failed with
    /// the reason, or still being sent (retrying). Nil when the launch is not an instructor's or has no line item.
    public func ltiLineItemScores(_ launch: VerifiedLaunch) async throws -> [StoredLTIScore]? {
        guard launch.claims.isInstructor, let lineItem = launch.claims.ags?.lineitem else { return nil }
        return try await store.ltiScores(platformID: launch.platform.id, lineItem: lineItem, limit: 200)
    }

    /// The learners' names for an instructor's score view, by Names and Role Provisioning Services when the launch
    /// offers it; empty when it does not or the platform does not answer (the view then shows the LMS's user ids).
    public func ltiLearnerNames(_ launch: VerifiedLaunch) async -> [String: String] {
        guard launch.claims.isInstructor, let url = launch.claims.nrps?.contextMembershipsURL else { return [:] }
        let client = AGSClient(transport: lti.transport, keys: { [self] in try await self.ltiKeyRing() }, attempts: 1)
        return (try? await client.memberNames(url, platform: launch.platform)) ?? [:]
    }

    // MARK: Sealing

    static func randomToken() -> String {
        var rng = SystemRandomNumberGenerator()
        return Data((0..<24).map { _ in UInt8.random(in: 0...255, using: &rng) }).base64URLEncodedString()
    }

    /// `payload.mac`, both base64url; the MAC is HMAC-SHA256 with the service's signing key under an LTI label.
    func seal(_ value: some Encodable) throws -> String {
        let payload = try JSONEncoder().encode(value).base64URLEncodedString()
        return payload + "." + mac(payload)
    }

    func open<T: Decodable>(_ token: String, as: T.Type) -> T? {
        guard token.utf8.count <= 8192 else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, ConstantTime.equal(String(parts[1]), mac(String(parts[0]))), let data = Data(base64URLEncoded: parts[0]) else { return nil }
        return try? JSONDecoder().decode(T.self, from: data)
    }

    private func mac(_ payload: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(("lti:" + payload).utf8), using: signingKey)).base64URLEncodedString()
    }
}

/// Replay protection in the store, so every node sees every used nonce.
struct StoreNonces: NonceStore {
    let store: any Store
    func consume(_ nonce: String, expiresAt: Date) async -> Bool {
        (try? await store.consumeLTINonce(nonce, expiresAt: expiresAt, now: Date())) ?? false
    }
}
