public import HoclieuCore

/// The sets of the repository: subject, subject and grade, grade, kind and catalogue node. Specs are hierarchical
/// with `:` (OAI-PMH §2.7.2): `subject:TOAN` holds `subject:TOAN:grade:6`.
///
/// | setSpec | members |
/// |---|---|
/// | `subject:TOAN` | materials of subject TOAN |
/// | `subject:TOAN:grade:6` | of subject TOAN and grade 6 |
/// | `grade:6` | of grade 6 |
/// | `kind:lesson` | of kind lesson |
/// | `node:TOAN.6.SD` | tagged with the catalogue node or any unit below it |
public enum OAISet: Sendable, Hashable {
    case subject(String)
    case subjectGrade(String, Int)
    case grade(Int)
    case kind(MaterialKind)
    case node(String)

    /// The set named by `spec`; nil when no set of this repository could have that name.
    public init?(spec: String) {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func subjectCode(_ s: String) -> String? {
            !s.isEmpty && s.count <= 32 && s.allSatisfy { $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") } ? s : nil
        }
        func grade(_ s: String) -> Int? {
            guard s.count <= 2, s.allSatisfy({ $0.isASCII && $0.isNumber }), let g = Int(s), (1...12).contains(g), String(g) == s else { return nil }
            return g
        }
        switch parts.count {
        case 2 where parts[0] == "subject":
            guard let code = subjectCode(parts[1]) else { return nil }
            self = .subject(code)
        case 4 where parts[0] == "subject" && parts[2] == "grade":
            guard let code = subjectCode(parts[1]), let g = grade(parts[3]) else { return nil }
            self = .subjectGrade(code, g)
        case 2 where parts[0] == "grade":
            guard let g = grade(parts[1]) else { return nil }
            self = .grade(g)
        case 2 where parts[0] == "kind":
            guard let kind = MaterialKind(rawValue: parts[1]) else { return nil }
            self = .kind(kind)
        case 2 where parts[0] == "node":
            let code = parts[1]
            guard !code.isEmpty, code.count <= 64,
                code.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-") }),
                code.contains("."), !code.hasPrefix("."), !code.hasSuffix("."), !code.contains("..")
            else { return nil }
            self = .node(code)
        default:
            return nil
        }
    }

    public var spec: String {
        switch self {
        case .subject(let s): "subject:\(s)"
        case .subjectGrade(let s, let g): "subject:\(s):grade:\(g)"
        case .grade(let g): "grade:\(g)"
        case .kind(let k): "kind:\(k.rawValue)"
        case .node(let code): "node:\(code)"
        }
    }

    /// The sets `material` belongs to, in a stable order (its header's `setSpec`s).
    public static func specs(of material: Material) -> [String] {
        let m = material.metadata
        var specs: [String] = []
        for subject in m.subjects where OAISet(spec: "subject:\(subject)") != nil {
            specs.append("subject:\(subject)")
            for grade in m.grades where (1...12).contains(grade) { specs.append("subject:\(subject):grade:\(grade)") }
        }
        for grade in m.grades where (1...12).contains(grade) { specs.append("grade:\(grade)") }
        specs.append("kind:\(material.kind.rawValue)")
        var nodes: [String] = []
        for unit in m.knowledgeUnits {
            // The unit and every node above it: TOAN.6.SD.2 → TOAN.6, TOAN.6.SD, TOAN.6.SD.2 (a lone subject is `subject:`).
            let parts = unit.split(separator: ".", omittingEmptySubsequences: false)
            for n in stride(from: 2, through: parts.count, by: 1) {
                let code = parts.prefix(n).joined(separator: ".")
                if !nodes.contains(code), OAISet(spec: "node:\(code)") != nil { nodes.append(code) }
            }
        }
        specs += nodes.sorted().map { "node:\($0)" }
        return specs
    }

    /// A named set for `ListSets`.
    public struct Description: Sendable, Equatable {
        public var spec: String
        public var name: String

        public init(spec: String, name: String) {
            self.spec = spec
            self.name = name
        }
    }
}
