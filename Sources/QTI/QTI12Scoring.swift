import Foundation
import HoclieuXML

/// Which outcome variables of a QTI 1.2 `resprocessing` decide whether a response is right.
///
/// A `respcondition` may `setvar` several variables. Respondus, for instance, declares
/// `Respondus_Correct` and `Respondus_Incorrect` beside the score and adds 1 to the first for each
/// right pairing of a matching question and 1 to the second for each wrong one; counting both
/// made every pairing look right. Only the scoring variable counts:
/// 1. one variable in all → that one (an undeclared `setvar` names `SCORE`, as the specification says);
/// 2. a declared or set variable whose name says it is the score (`SCORE`, `que_score`, `SCORE1`…)
///    and that a condition testing a response raises → those;
/// 3. a score variable computed from another variable (`<setvar varname="que_score">Respondus_Correct</setvar>`)
///    → the variable it is computed from;
/// 4. of the variables that conditions testing a response raise, the only one whose name does not say
///    "incorrect"/"wrong" → that one.
///
/// When none of these decides, every variable counts (the behaviour for single-variable files).
struct ScoringVariables {
    /// The variables that count, lower-cased; `nil` when every variable counts.
    private(set) var scoring: Set<String>?
    /// The `maxvalue` of the scoring variable's declaration (or of the only declaration).
    private(set) var maxValue: Double?

    init(_ processing: XMLElement) {
        let declarations = processing.kid("outcomes")?.kids("decvar") ?? []
        var declared: [String: XMLElement] = [:]
        for declaration in declarations { declared[Self.name(of: declaration).lowercased()] = declaration }
        struct Assignment {
            var variable: String
            var text: String
            var testsResponse: Bool
        }
        var assignments: [Assignment] = []
        for condition in processing.kids("respcondition") {
            let conditionvar = condition.kid("conditionvar")
            // A condition that tests a response (not only <other/>).
            let testsResponse = conditionvar.map { Self.testsResponse($0) } ?? false
            for setvar in condition.kids("setvar") {
                assignments.append(Assignment(variable: Self.name(of: setvar).lowercased(), text: setvar.text.trimmed, testsResponse: testsResponse))
            }
        }
        let variables = Set(declared.keys).union(assignments.map(\.variable))
        func raised(_ assignment: Assignment) -> Bool {
            guard assignment.testsResponse, let value = Double(assignment.text) else {
                return assignment.testsResponse && assignment.text.lowercased().hasSuffix(".max")
            }
            return value > 0
        }
        let raisedByResponses = Set(assignments.filter(raised).map(\.variable))
        if variables.count > 1 {
            let scoreNamed = variables.filter { $0.contains("score") }
            let raisedScores = scoreNamed.intersection(raisedByResponses)
            if !raisedScores.isEmpty {
                scoring = raisedScores
            } else if let source = assignments.first(where: { scoreNamed.contains($0.variable) && variables.contains($0.text.lowercased()) }) {
                scoring = [source.text.lowercased()]
            } else {
                let positive = raisedByResponses.filter { !Self.saysWrong($0) }
                if positive.count == 1 { scoring = positive }
            }
        }
        let declaration = scoring.flatMap { names in names.sorted().lazy.compactMap { declared[$0] }.first } ?? declarations.first
        maxValue = declaration?.attribute("maxvalue").flatMap { Double($0.trimmed) }
    }

    /// Whether a `setvar` of `variable` gives a rule its score.
    func counts(_ variable: String) -> Bool {
        scoring?.contains(variable.lowercased()) ?? true
    }

    /// The variable a `setvar` (or `decvar`) names: `varname`, or `variablename` as Blackboard writes
    /// it; `SCORE` when it names none.
    static func name(of setvar: XMLElement) -> String {
        let name = (setvar.attribute("varname") ?? setvar.attribute("variablename"))?.trimmed ?? ""
        return name.isEmpty ? "SCORE" : name
    }

    static func saysWrong(_ name: String) -> Bool {
        ["incorrect", "wrong", "penalty", "fail"].contains { name.contains($0) }
    }

    static func testsResponse(_ element: XMLElement) -> Bool {
        element.children.contains { child in
            switch child.name {
            case "varequal", "vargte", "varlte", "vargt", "varlt", "varsubstring", "varinside": true
            case "and", "or", "not": testsResponse(child)
            default: false
            }
        }
    }
}
