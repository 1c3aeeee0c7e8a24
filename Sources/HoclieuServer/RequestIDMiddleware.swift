import Foundation
import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    /// `X-Request-Id`: the id of one request, across the proxy, the service's logs and the client.
    static let requestID = Self("X-Request-Id")!
}

/// Gives every request an id and puts it on every log line of the request and on the response.
///
/// The id is the client's (or the reverse proxy's) `X-Request-Id` when it is a plausible id (1–128 characters
/// of letters, digits and `-._:`); otherwise Hummingbird's generated one. It replaces `hb.request.id` in the
/// request's logger metadata, so the request's log lines (and the 500 answer's text) carry it, and it is echoed
/// in the response's `X-Request-Id`. It runs first, so every answer has the header, problems included.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let given = request.headers[.requestID], Self.isPlausible(given) {
            context.logger[metadataKey: "hb.request.id"] = .string(given)
        }
        let id = context.id
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }

    static func isPlausible(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
            }
    }
}

/// Takes the client's address from `X-Forwarded-For` when the peer is one of the configured reverse proxies
/// (`HOCLIEU_TRUSTED_PROXIES`); otherwise the peer's address stands. Without trusted proxies the header is ignored
/// (a client could write anything in it).
struct ForwardedForMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let trusted: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !trusted.isEmpty, let peer = context.clientAddress, trusted.contains(peer) else { return try await next(request, context) }
        var context = context
        let header = request.headers[values: .init("X-Forwarded-For")!].joined(separator: ",")
        context.clientAddress = Self.client(peer: peer, forwardedFor: header, trusted: trusted)
        return try await next(request, context)
    }

    /// The client behind a chain of trusted proxies: the right-most address of `X-Forwarded-For` that is not a trusted
    /// proxy (each proxy appends the address it received from); the peer when the header names none plausibly.
    static func client(peer: String, forwardedFor header: String, trusted: Set<String>) -> String {
        let hops = header.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !trusted.contains(hop) {
            let plausible = (2...45).contains(hop.utf8.count) && hop.utf8.allSatisfy { byte in
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
            }
            return plausible ? hop : peer
        }
        return peer
    }
}
