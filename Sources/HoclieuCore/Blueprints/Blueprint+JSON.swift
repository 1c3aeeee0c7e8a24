public import Foundation

extension Blueprint {
    /// The blueprint as JSON: keys sorted, slashes unescaped, indented, so that the same
    /// blueprint always gives the same bytes (fit for golden files and diffs). Carries the
    /// ma trận and the bản đặc tả.
    public func jsonData() throws -> Data {
        try BlueprintJSON.encoder().encode(self)
    }

    /// Reads a blueprint written by ``jsonData()`` (or any JSON of the same shape). The result
    /// is not validated: call ``validate(frameworks:)``.
    public init(jsonData: Data) throws {
        self = try BlueprintJSON.decoder().decode(Blueprint.self, from: jsonData)
    }
}

/// The deterministic JSON set-up used for blueprints and assembled tests.
public enum BlueprintJSON {
    /// An encoder with sorted keys, unescaped slashes and indentation.
    public static func encoder() -> JSONEncoder {
        let encoder = HoclieuJSON.encoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return encoder
    }

    /// The matching decoder.
    public static func decoder() -> JSONDecoder {
        HoclieuJSON.decoder()
    }
}
