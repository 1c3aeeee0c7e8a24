public import Foundation
public import HoclieuCore

/// Writes a material's harvest records ahead of time (OAI-PMH's `<record>` per metadata format), so that a harvest
/// page is a keyset read of stored bytes rather than an encoding of every record on every request.
///
/// The store calls ``render`` for a published material in the same transaction that writes the material, so the
/// stored records never lag behind it; a record made with another ``key`` (the configuration changed: base URL,
/// repository identifier, the formats' code) is not served, and ``HarvestStore/refreshRenderedRecords(after:limit:)``
/// writes it again.
public struct RecordRenderer: Sendable {
    /// Identifies what the renderer writes (settings and code version): records stored under another key are stale.
    public let key: Int64
    /// The metadata prefixes it renders.
    public let prefixes: [String]
    /// The records of a published material, by prefix (one entry per prefix of ``prefixes``).
    public let render: @Sendable (Material) throws -> [String: Data]

    public init(key: Int64, prefixes: [String], render: @escaping @Sendable (Material) throws -> [String: Data]) {
        self.key = key
        self.prefixes = prefixes
        self.render = render
    }
}

/// A material of a harvest page with its stored record in the asked format, when one is current.
public struct RenderedMaterial: Sendable {
    public var material: Material
    /// The record written by the current renderer for the material as it is now (nil: none; encode it).
    public var record: Data?

    public init(material: Material, record: Data?) {
        self.material = material
        self.record = record
    }
}
