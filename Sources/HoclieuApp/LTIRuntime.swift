import AsyncHTTPClient
public import Foundation
public import HoclieuStorage
public import LTI
import NIOCore
import NIOHTTP1

/// The process-wide pieces of the LTI tool: the platforms' cached key sets, the tool's key ring
/// (reloaded from the store now and then, so a rotation by the command line reaches a running
/// service), the AGS client and the bounded outgoing HTTP client they share.
public final class LTIRuntime: Sendable {
    public let transport: any LTIHTTPTransport
    public let platformKeys: PlatformKeyCache
    let ring = ToolKeyRingCache()
    /// How long a retired tool key stays published.
    public static let grace: TimeInterval = 7 * 24 * 3600

    public init(transport: any LTIHTTPTransport = BoundedHTTPTransport()) {
        self.transport = transport
        self.platformKeys = PlatformKeyCache(transport: transport)
    }
}

/// The tool key ring, built from the store at most every 60 seconds.
actor ToolKeyRingCache {
    private var cached: (ring: ToolKeyRing, at: Date)?

    func ring(_ store: any LTIStore) async throws -> ToolKeyRing {
        if let cached, Date().timeIntervalSince(cached.at) < 60 { return cached.ring }
        var stored = try await store.ltiToolKeys()
        if !stored.contains(where: { $0.retiredAt == nil }) {
            let key = try ToolKey.generate()
            let record = StoredLTIToolKey(kid: key.kid, privateKeyPEM: key.privateKeyPEM, createdAt: key.createdAt, retiredAt: nil)
            try await store.addLTIToolKey(record, retiringOthersAt: nil)
            stored = try await store.ltiToolKeys()
        }
        let ring = try await ToolKeyRing(
            keys: stored.map { ToolKey(kid: $0.kid, privateKeyPEM: $0.privateKeyPEM, createdAt: $0.createdAt, retiredAt: $0.retiredAt) },
            grace: LTIRuntime.grace)
        cached = (ring, Date())
        return ring
    }

    func invalidate() { cached = nil }
}

/// Outgoing HTTP for the LTI tool: AsyncHTTPClient with a timeout, redirects followed by the client's
/// defaults, and every response body read up to a bound (a platform cannot make the tool buffer
/// an endless key set).
public struct BoundedHTTPTransport: LTIHTTPTransport {
    var timeout: TimeAmount = .seconds(10)
    public init() {}

    public func get(_ url: URL, maxBytes: Int) async throws -> Data { try await get(url, headers: [], maxBytes: maxBytes) }

    public func get(_ url: URL, headers: [(String, String)], maxBytes: Int) async throws -> Data {
        var request = HTTPClientRequest(url: url.absoluteString)
        if !headers.contains(where: { $0.0.lowercased() == "accept" }) { request.headers.add(name: "Accept", value: "application/json") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        guard (200..<300).contains(Int(response.status.code)) else { throw AGSFailure("HTTP \(response.status.code) from \(url.absoluteString)") }
        let body = try await response.body.collect(upTo: maxBytes)
        return Data(body.readableBytesView)
    }

    public func post(_ url: URL, headers: [(String, String)], body: Data, maxBytes: Int) async throws -> (status: Int, body: Data) {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let data = try await response.body.collect(upTo: maxBytes)
        return (Int(response.status.code), Data(data.readableBytesView))
    }
}
