public import Foundation
public import HoclieuCore
public import HoclieuStorage
public import OAIPMH
import Synchronization

/// Which records a harvester may see: the public ones, or the education sector's too.
public enum HarvestAudience: String, Sendable, CaseIterable {
    case `public`
    case sector

    /// The visibilities of the records this class harvests.
    public var visibilities: Set<Visibility> { self == .public ? [.public] : [.public, .sector] }
}

extension Services {
    /// **The** decision of what a harvester sees (OAI-PMH and, later, the change feed): anonymous harvesters get
    /// public material; a signed-in LMS client (or an administrator) that the access policy lets see published sector
    /// material gets that too. Issue 15's `harvest:sector` client scope belongs here and nowhere else.
    public static func harvestAudience(for viewer: User?) -> HarvestAudience {
        guard let viewer, !viewer.disabled, viewer.has(.lmsClient) || viewer.has(.admin) else { return .public }
        // A published sector material owned by nobody the caller could be: the policy, not a rule repeated here.
        let probe = Material(
            pid: PersistentIdentifier(prefix: "VN", serial: 0), kind: .document, format: "", metadata: MaterialMetadata(title: "probe"),
            visibility: .sector, status: .published, ownerID: -1, currentVersion: 0, url: nil, provenance: nil,
            createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
        return AccessPolicy.canSee(viewer, probe) ? .sector : .public
    }

    /// The OAI-PMH provider of this service (its settings from the configuration, tokens signed with the shared key).
    public var oaiProvider: OAIProvider {
        let base = configuration.publicBaseURL
        let host = URL(string: base)?.host ?? ""
        let identifier =
            configuration.oaiRepositoryIdentifier
            ?? (OAIProviderSettings.isRepositoryIdentifier(host) ? host : "hoclieu.local")
        return OAIProvider(
            settings: OAIProviderSettings(
                repositoryName: "Hoclieu — kho học liệu số", baseURL: base + "/oai", repositoryIdentifier: identifier,
                adminEmail: configuration.oaiAdminEmail ?? "admin@\(identifier)", pageSize: configuration.oaiPageSize,
                landingURL: { base + "/id/" + $0.rawValue }),
            signingKey: signingKey)
    }

    /// What the store writes with every published material so that harvests read stored records (see
    /// ``RecordRenderer``): this service's OAI-PMH `<record>` in each metadata format.
    public var oaiRecordRenderer: RecordRenderer {
        let provider = oaiProvider
        return RecordRenderer(key: provider.renderingKey, prefixes: provider.formats.formats.map(\.prefix)) { material in
            var records: [String: Data] = [:]
            for format in provider.formats.formats { records[format.prefix] = try provider.render(material, format: format) }
            return records
        }
    }

    /// The records `viewer` may harvest.
    public func oaiSource(for viewer: User?) -> some OAIRecordSource {
        let audience = Self.harvestAudience(for: viewer)
        return HarvestSource(store: store, audience: audience, viewer: audience == .public ? nil : viewer)
    }
}

/// The store seen by one harvester class: published records it may see, and withdrawn ones it could see, as deleted.
struct HarvestSource: OAIRecordSource {
    let store: any Store
    let harvestAudience: HarvestAudience
    /// The caller the access policy is asked about (nil for the public class).
    let viewer: User?

    init(store: any Store, audience: HarvestAudience, viewer: User?) {
        self.store = store
        self.harvestAudience = audience
        self.viewer = viewer
    }

    var audience: String { harvestAudience.rawValue }

    /// Published records, and withdrawn ones (persistent deleted records).
    static let statuses: Set<MaterialStatus> = [.published, .withdrawn]

    /// What the harvester gets of a stored material: the record, a deleted header, or nothing. `exposed`: the material
    /// was once published in a visibility this class harvests (it saw it then, and must learn that it is gone).
    func record(of material: Material, exposed: Bool) -> OAIRecord? {
        if material.status == .withdrawn {
            return harvestAudience.visibilities.contains(material.visibility) || exposed ? OAIRecord(material: material, deleted: true) : nil
        }
        if harvestAudience.visibilities.contains(material.visibility), AccessPolicy.canSee(viewer, material) {
            return OAIRecord(material: material, deleted: false)
        }
        // Published, but made private or school-only since: a deleted record for those who saw it, nothing for others.
        return material.status == .published && exposed ? OAIRecord(material: material, deleted: true) : nil
    }

    /// A material of a harvest page: the store only returns one outside the class's visibilities when it was exposed to it.
    func record(of material: Material) -> OAIRecord? { record(of: material, exposed: true) }

    func query(_ filter: OAIListFilter) -> HarvestQuery {
        var query = HarvestQuery(statuses: Self.statuses, visibilities: harvestAudience.visibilities, from: filter.from, before: filter.before)
        query.formerlyVisible = true
        switch filter.set {
        case .subject(let s)?: query.subject = s
        case .subjectGrade(let s, let g)?:
            query.subject = s
            query.grade = g
        case .grade(let g)?: query.grade = g
        case .kind(let k)?: query.kind = k
        case .node(let code)?: query.node = code
        case nil: break
        }
        return query
    }

    func earliestDatestamp() async throws -> Date? {
        try await store.harvestEarliestDatestamp(statuses: Self.statuses, visibilities: harvestAudience.visibilities)
    }

    func record(_ pid: PersistentIdentifier) async throws -> OAIRecord? {
        guard let material = try await store.material(pid) else { return nil }
        let exposed = !(try await store.harvestExposure(pid)).isDisjoint(with: harvestAudience.visibilities)
        return record(of: material, exposed: exposed)
    }

    func page(_ filter: OAIListFilter, after: (millis: Int64, serial: Int)?, limit: Int, prefix: String?) async throws -> [OAIRecord] {
        let position = after.map { HarvestPosition(updatedAt: Date(timeIntervalSince1970: TimeInterval($0.millis) / 1000), serial: $0.serial) }
        // The store's query is derived from the policy; each record is asked again, so nothing else can slip through.
        guard let prefix else { return try await store.harvestPage(query(filter), after: position, limit: limit).compactMap(record(of:)) }
        return try await store.harvestRenderedPage(query(filter), after: position, limit: limit, prefix: prefix).compactMap { row in
            guard var record = record(of: row.material) else { return nil }
            // A stored record is the published material's; a deleted one is only a header.
            if !record.deleted { record.rendered = row.record }
            return record
        }
    }

    func count(_ filter: OAIListFilter) async throws -> Int {
        try await store.harvestCount(query(filter))
    }

    func sets() async throws -> [OAISet.Description] {
        var sets: [OAISet.Description] = []
        for framework in try await store.catalogFrameworks() {
            let subject = framework.subject
            guard OAISet(spec: "subject:\(subject.code)") != nil else { continue }
            sets.append(.init(spec: "subject:\(subject.code)", name: "\(subject.name) / \(subject.nameEN)"))
            for grade in subject.grades where (1...12).contains(grade) {
                sets.append(.init(spec: "subject:\(subject.code):grade:\(grade)", name: "\(subject.name) lớp \(grade) / \(subject.nameEN) grade \(grade)"))
            }
            for stored in try await store.catalogItems(framework: subject.code) where !stored.item.deprecated {
                guard let set = OAISet(spec: "node:\(stored.item.code)") else { continue }
                sets.append(.init(spec: set.spec, name: stored.item.code + " " + stored.item.statement))
            }
        }
        for grade in 1...12 { sets.append(.init(spec: "grade:\(grade)", name: "Lớp \(grade) / Grade \(grade)")) }
        for kind in MaterialKind.allCases { sets.append(.init(spec: "kind:\(kind.rawValue)", name: "Loại / kind: \(kind.rawValue)")) }
        return sets
    }
}

extension Services {
    /// The account of HTTP Basic credentials (harvesters that cannot send a bearer token): throttled like a sign-in,
    /// the same bcrypt work whether the account exists or not, no session created. Verified credentials are
    /// remembered for five minutes (by their SHA-256, never in clear, and only while the password is unchanged) so that a harvest does not pay bcrypt per page.
    /// - Throws: ``AccountError/badCredentials`` (also for a disabled account).
    public func harvester(username: String, password: String, address: String?) async throws -> User {
        let fingerprint = SessionToken.hash(username + "\u{0}" + password)
        let now = Date()
        // A remembered check holds while the account's password hash is still the one it was checked against.
        if let cached = BasicCredentialCache.entries.withLock({ $0[fingerprint] }), cached.expires > now,
            let current = try await store.credentials(username: username), current.passwordHash == cached.passwordHash, !current.user.disabled
        {
            return current.user
        }
        let accountKey = "u:" + username.lowercased()
        let keys = [accountKey] + (address.map { ["a:" + $0] } ?? [])
        try loginThrottle.check(keys)
        let found = try await store.credentials(username: username)
        let candidate = password.utf8.count <= PasswordHasher.maxPasswordBytes ? password : String(decoding: password.utf8.prefix(72), as: UTF8.self)
        let hash: String
        if let found { hash = found.passwordHash } else { hash = try await PasswordHasher(cost: configuration.bcryptCost).hash(UUID().uuidString) }
        let matches = try await PasswordHasher(cost: configuration.bcryptCost).verify(candidate, hash: hash)
        guard let found, matches, password.utf8.count <= PasswordHasher.maxPasswordBytes, !found.user.disabled else {
            loginThrottle.fail(keys)
            throw AccountError.badCredentials
        }
        loginThrottle.succeed(accountKey)
        BasicCredentialCache.entries.withLock { entries in
            if entries.count > 1000 { entries = entries.filter { $0.value.expires > now } }
            entries[fingerprint] = (found.passwordHash, now.addingTimeInterval(300))
        }
        return found.user
    }
}

/// Basic credentials verified in the last minutes, by fingerprint (this node's).
enum BasicCredentialCache {
    static let entries = Mutex<[String: (passwordHash: String, expires: Date)]>([:])
}

extension Services {
    /// How many records (deleted ones included) a full OAI-PMH harvest by `audience` yields, optionally of one set:
    /// what a harvester's count is checked against.
    public func oaiRecordCount(audience: HarvestAudience, set: OAISet?) async throws -> Int {
        try await HarvestSource(store: store, audience: audience, viewer: nil).count(OAIListFilter(set: set))
    }
}
