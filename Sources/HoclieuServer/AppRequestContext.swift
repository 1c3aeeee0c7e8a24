import Foundation
import HTTPTypes
public import HoclieuCore
public import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// The request context of every route: Hummingbird's core storage plus the signed-in user.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The user whose bearer token came with the request; nil when anonymous.
    public var user: User?

    public init(source: Source) {
        coreContext = .init(source: source)
        user = nil
    }

    /// Bodies are streamed by the upload route; JSON routes collect at most this much.
    public var maxUploadSize: Int { 1 << 20 }
}
