public import Foundation
public import JWTKit

/// Fetches a URL with a bound on the response size. The server supplies one backed by a real HTTP
/// client; tests supply a closure over a dictionary.
public protocol LTIHTTPTransport: Sendable {
    /// GET `url`; throws when the status is not 2xx or the body is larger than `maxBytes`.
    func get(_ url: URL, maxBytes: Int) async throws -> Data
    /// POST `body` with `headers`; returns the status and at most `maxBytes` of the body.
    func post(_ url: URL, headers: [(String, String)], body: Data, maxBytes: Int) async throws -> (status: Int, body: Data)
}

/// The platforms' public key sets, fetched on first use and cached.
///
/// A token whose `kid` is not in the cached set makes one refetch (a platform that rotated its key),
/// at most once per `refetchInterval` per URL, so a stream of made-up `kid`s cannot make the tool
/// hammer the platform.
public actor PlatformKeyCache {
    struct Entry {
        var kids: Set<String>
        var keys: JWTKeyCollection
        var fetchedAt: Date
    }

    private let transport: any LTIHTTPTransport
    private let maxAge: TimeInterval
    private let refetchInterval: TimeInterval
    private let maxBytes: Int
    private let now: @Sendable () -> Date
    private var entries: [URL: Entry] = [:]
    /// How many times a key set was fetched (for tests and metrics).
    public private(set) var fetchCount = 0

    public init(
        transport: any LTIHTTPTransport, maxAge: TimeInterval = 3600, refetchInterval: TimeInterval = 10, maxBytes: Int = 256 * 1024,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.transport = transport
        self.maxAge = maxAge
        self.refetchInterval = refetchInterval
        self.maxBytes = maxBytes
        self.now = now
    }

    /// The key collection of the set at `url`, which holds `kid`.
    public func keys(at url: URL, kid: String) async throws -> JWTKeyCollection {
        let t = now()
        if let e = entries[url], e.kids.contains(kid), t.timeIntervalSince(e.fetchedAt) < maxAge { return e.keys }
        if let e = entries[url], t.timeIntervalSince(e.fetchedAt) < refetchInterval {
            // Fetched a moment ago and the kid was not there: do not ask again yet.
            throw LTIError.unknownKeyID(kid)
        }
        let e = try await fetch(url)
        guard e.kids.contains(kid) else { throw LTIError.unknownKeyID(kid) }
        return e.keys
    }

    /// The key collection of the set at `url` when that set holds exactly one usable key, for a token whose header
    /// names no `kid` (OpenID Connect Core §10.1 lets a provider leave it out when its set has a single key). Refetched
    /// on the same terms as ``keys(at:kid:)``; a set of several keys throws ``LTIError/missingKeyID``.
    public func soleKey(at url: URL) async throws -> JWTKeyCollection {
        let t = now()
        if let e = entries[url], e.kids.count == 1, t.timeIntervalSince(e.fetchedAt) < maxAge { return e.keys }
        if let e = entries[url], t.timeIntervalSince(e.fetchedAt) < refetchInterval { throw LTIError.missingKeyID }
        let e = try await fetch(url)
        guard e.kids.count == 1 else { throw LTIError.missingKeyID }
        return e.keys
    }

    /// Forgets every cached set.
    public func clear() { entries = [:] }

    private func fetch(_ url: URL) async throws -> Entry {
        fetchCount += 1
        let data: Data
        do { data = try await transport.get(url, maxBytes: maxBytes) } catch { throw LTIError.keySetUnavailable(String(describing: error)) }
        let jwks: JWKS
        do { jwks = try JSONDecoder().decode(JWKS.self, from: data) } catch { throw LTIError.keySetUnavailable("not a JWKS document") }
        let collection = JWTKeyCollection()
        var kids = Set<String>()
        for jwk in jwks.keys where jwk.keyType == .rsa {
            guard let kid = jwk.keyIdentifier?.string else { continue }
            // A key without `alg` is used as RS256 only: the verifier rejects any other header `alg`.
            var key = jwk
            if key.algorithm == nil { key.algorithm = .rs256 }
            guard key.algorithm == .rs256 else { continue }
            do {
                try await collection.add(jwk: key)
                kids.insert(kid)
            } catch { continue }
        }
        let entry = Entry(kids: kids, keys: collection, fetchedAt: now())
        entries[url] = entry
        return entry
    }
}
