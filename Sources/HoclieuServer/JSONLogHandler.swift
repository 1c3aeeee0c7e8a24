public import Foundation
public import Logging
import Synchronization

/// How the service writes its log: readable lines, or one JSON object per line (`--log-format json`).
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// A swift-log handler that writes one JSON object per line to standard error, for log collectors.
///
/// Each line: `{"ts": RFC 3339 UTC with milliseconds, "level", "logger", "message", "request_id"?, "source", …metadata}`.
/// The request id (`hb.request.id`, set from `X-Request-Id` by ``RequestIDMiddleware``) is lifted to `request_id`;
/// other metadata keys keep their names. Lines are written whole, under a lock, so concurrent requests never
/// interleave inside a line.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let sink: @Sendable (Data) -> Void

    /// A handler writing to standard error.
    public init(label: String) {
        self.init(label: label) { data in JSONLogHandler.standardError.withLock { _ in FileHandle.standardError.write(data) } }
    }

    /// A handler writing each encoded line (newline included) to `sink`.
    public init(label: String, sink: @escaping @Sendable (Data) -> Void) {
        self.label = label
        self.sink = sink
    }

    private static let standardError = Mutex(())

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var object: [String: Any] = [
            "ts": Self.timestamp(Date()), "level": event.level.rawValue, "logger": label, "message": event.message.description,
            "source": event.source,
        ]
        if let id = merged.removeValue(forKey: "hb.request.id") { object["request_id"] = Self.plain(id) }
        for (key, value) in merged where object[key] == nil { object[key] = Self.plain(value) }
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        data.append(0x0A)
        sink(data)
    }

    /// A metadata value as JSON: strings stay strings, dictionaries objects, arrays arrays.
    static func plain(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let s): s
        case .stringConvertible(let c): c.description
        case .array(let values): values.map(plain)
        case .dictionary(let values): values.mapValues(plain)
        }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }
}
