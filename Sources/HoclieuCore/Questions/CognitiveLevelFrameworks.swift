/// A question's cognitive level: a level code inside a named framework,
/// e.g. framework `NTVV4`, level `NTVV4.2` (Thông hiểu). The frameworks themselves are
/// ``CognitiveLevel`` rows of the catalogue (`Catalog/cognitive-levels.csv`).
public struct CognitiveLevelReference: Sendable, Codable, Hashable {
    /// Framework code, e.g. `BHV3` or `NTVV4`.
    public var framework: String
    /// Level code, e.g. `NTVV4.2`.
    public var level: String

    /// Creates a level reference.
    public init(framework: String, level: String) {
        self.framework = framework
        self.level = level
    }
}

/// The cognitive-level frameworks and the mappings between them, as data.
///
/// Conversions follow the catalogue's `maps_to` column: NTVV4 → BHV3 is a function
/// (Vận dụng and Vận dụng cao both become Vận dụng). The reverse direction is ambiguous and
/// gives every candidate (``candidates(for:in:)``); ``convert(_:to:)`` picks the lowest-ranked one.
public struct CognitiveLevelFrameworks: Sendable, Equatable {
    /// Every level of every framework.
    public var levels: [CognitiveLevel]

    /// Creates the registry from level rows (e.g. ``CatalogData/levels``).
    public init(levels: [CognitiveLevel]) {
        self.levels = levels
    }

    /// The two frameworks of `Catalog/cognitive-levels.csv`: BHV3 (Biết/Hiểu/Vận dụng) and
    /// NTVV4 (Nhận biết/Thông hiểu/Vận dụng/Vận dụng cao), with the 4 → 3 mapping. Prefer the
    /// catalogue's own rows (``init(levels:)``) where they are loaded.
    public static let standard = CognitiveLevelFrameworks(levels: [
        CognitiveLevel(framework: "BHV3", code: "BHV3.1", level: 1, name: "Biết", nameEN: "Know", mapsTo: nil),
        CognitiveLevel(framework: "BHV3", code: "BHV3.2", level: 2, name: "Hiểu", nameEN: "Understand", mapsTo: nil),
        CognitiveLevel(framework: "BHV3", code: "BHV3.3", level: 3, name: "Vận dụng", nameEN: "Apply", mapsTo: nil),
        CognitiveLevel(framework: "NTVV4", code: "NTVV4.1", level: 1, name: "Nhận biết", nameEN: "Recognise", mapsTo: "BHV3.1"),
        CognitiveLevel(framework: "NTVV4", code: "NTVV4.2", level: 2, name: "Thông hiểu", nameEN: "Comprehend", mapsTo: "BHV3.2"),
        CognitiveLevel(framework: "NTVV4", code: "NTVV4.3", level: 3, name: "Vận dụng", nameEN: "Apply", mapsTo: "BHV3.3"),
        CognitiveLevel(
            framework: "NTVV4", code: "NTVV4.4", level: 4, name: "Vận dụng cao", nameEN: "Apply at a higher level", mapsTo: "BHV3.3"
        ),
    ])

    /// Framework codes, in order of first appearance.
    public var frameworks: [String] {
        var seen: [String] = []
        for level in levels where !seen.contains(level.framework) { seen.append(level.framework) }
        return seen
    }

    /// The row of a level code.
    public func definition(_ code: String) -> CognitiveLevel? {
        levels.first { $0.code == code }
    }

    /// `true` when the level exists and belongs to the framework it names.
    public func isValid(_ reference: CognitiveLevelReference) -> Bool {
        definition(reference.level)?.framework == reference.framework
    }

    /// Levels of `framework` that `reference` corresponds to: itself in its own framework,
    /// the `mapsTo` target forwards, every level mapping to it backwards (lowest rank first).
    public func candidates(for reference: CognitiveLevelReference, in framework: String) -> [CognitiveLevelReference] {
        guard let source = definition(reference.level), source.framework == reference.framework else { return [] }
        if framework == reference.framework { return [reference] }
        if let target = source.mapsTo.flatMap(definition), target.framework == framework {
            return [CognitiveLevelReference(framework: framework, level: target.code)]
        }
        return levels
            .filter { $0.framework == framework && $0.mapsTo == source.code }
            .sorted { $0.level < $1.level }
            .map { CognitiveLevelReference(framework: framework, level: $0.code) }
    }

    /// Converts a level to another framework; for an ambiguous (backward) conversion, the
    /// lowest-ranked candidate. `nil` when there is no mapping.
    public func convert(_ reference: CognitiveLevelReference, to framework: String) -> CognitiveLevelReference? {
        candidates(for: reference, in: framework).first
    }
}
