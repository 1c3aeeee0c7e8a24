public import HoclieuCore

extension CatalogItemType {
    /// The English name of the level.
    public var english: String {
        switch self {
        case .grade: "Grade"
        case .strand: "Strand"
        case .topic: "Topic"
        case .unit: "Unit (lesson)"
        case .outcome: "Learning outcome"
        }
    }

    /// The title of the level's CFItemType (and of each item's `CFItemType`): Vietnamese and English,
    /// `Yêu cầu cần đạt / Learning outcome`, for consumers that read only one of them.
    public var caseTitle: String { "\(vietnamese) / \(english)" }
}
