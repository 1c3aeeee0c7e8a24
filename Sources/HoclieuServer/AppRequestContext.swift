import Foundation
import HTTPTypes
public import HoclieuCore
public import Hummingbird
import Logging
public import NIOCore
import NIOPosix

/// The request context of every route: Hummingbird's core storage plus the signed-in user.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The user whose bearer token came with the request; nil when anonymous.
    public var user: User?
    /// Set when credentials came but were not valid: every route that looks at the caller
    /// answers it (401), so a client never silently falls back to anonymous access.
    var credentialProblem: Problem?

    /// The peer's address; nil in tests without a socket.
    public let remoteAddress: SocketAddress?
    /// The client's address (for throttling sign-ins and client limits): the peer's, or, when the peer is a trusted
    /// reverse proxy, the one its `X-Forwarded-For` names (``ForwardedForMiddleware``).
    public var clientAddress: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        clientAddress = remoteAddress?.ipAddress
        user = nil
        credentialProblem = nil
    }

    /// Bodies are streamed by the upload route; JSON routes collect at most this much.
    public var maxUploadSize: Int { 1 << 20 }
}
