import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOPosix

enum OpenAPIDocument { static let json = "{}" }
