public import Foundation

/// The six requests of OAI-PMH 2.0.
public enum OAIVerb: String, Sendable, CaseIterable {
    case identify = "Identify"
    case listMetadataFormats = "ListMetadataFormats"
    case listSets = "ListSets"
    case getRecord = "GetRecord"
    case listIdentifiers = "ListIdentifiers"
    case listRecords = "ListRecords"

    /// Arguments the verb requires, may take, and takes alone (§3.1.1 and §4).
    var required: Set<String> {
        switch self {
        case .getRecord: ["identifier", "metadataPrefix"]
        case .listIdentifiers, .listRecords: ["metadataPrefix"]
        default: []
        }
    }
    var optional: Set<String> {
        switch self {
        case .identify: []
        case .listMetadataFormats: ["identifier"]
        case .listSets: []
        case .getRecord: []
        case .listIdentifiers, .listRecords: ["from", "until", "set"]
        }
    }
    /// The argument that must come alone (with the verb) when present.
    var exclusive: String? {
        switch self {
        case .listSets, .listIdentifiers, .listRecords: "resumptionToken"
        default: nil
        }
    }
}

/// A checked OAI-PMH request: a known verb and exactly the arguments it allows, each once.
public struct OAIRequest: Sendable, Equatable {
    public var verb: OAIVerb
    public var arguments: [String: String]

    /// Longest accepted argument value (an identifier, a set, a token).
    static let maxValueLength = 4096

    /// Checks the request's arguments, in the order they came (query string or form body).
    /// - Throws: ``OAIError`` `badVerb` when the verb is missing, repeated or unknown; `badArgument` when an
    ///   argument is unknown for the verb, repeated, empty, missing or not allowed beside another.
    public static func parse(_ pairs: [(String, String)]) throws(OAIError) -> OAIRequest {
        let verbs = pairs.filter { $0.0 == "verb" }
        guard verbs.count == 1 else {
            throw OAIError(
                .badVerb, vi: verbs.isEmpty ? "Thiếu tham số verb." : "Tham số verb bị lặp lại.",
                en: verbs.isEmpty ? "The verb argument is missing." : "The verb argument is repeated.")
        }
        guard let verb = OAIVerb(rawValue: verbs[0].1) else {
            throw OAIError(.badVerb, vi: "Verb không hợp lệ trong OAI-PMH.", en: "The value of the verb argument is not a legal OAI-PMH verb.")
        }
        var arguments: [String: String] = [:]
        for (name, value) in pairs where name != "verb" {
            guard arguments[name] == nil else {
                throw OAIError.badArgument(vi: "Tham số \(Self.quoted(name)) bị lặp lại.", en: "The argument \(Self.quoted(name)) is repeated.")
            }
            guard verb.required.contains(name) || verb.optional.contains(name) || verb.exclusive == name else {
                throw OAIError.badArgument(
                    vi: "Tham số \(Self.quoted(name)) không hợp lệ với \(verb.rawValue).", en: "The argument \(Self.quoted(name)) is not legal for \(verb.rawValue).")
            }
            guard !value.isEmpty, value.utf8.count <= maxValueLength else {
                throw OAIError.badArgument(vi: "Tham số \(name) rỗng hoặc quá dài.", en: "The argument \(name) is empty or too long.")
            }
            arguments[name] = value
        }
        if let exclusive = verb.exclusive, arguments[exclusive] != nil {
            guard arguments.count == 1 else {
                throw OAIError.badArgument(
                    vi: "\(exclusive) phải là tham số duy nhất (ngoài verb).", en: "\(exclusive) is an exclusive argument: no other argument may come with it.")
            }
            return OAIRequest(verb: verb, arguments: arguments)
        }
        for name in verb.required.sorted() where arguments[name] == nil {
            throw OAIError.badArgument(vi: "Thiếu tham số bắt buộc \(name).", en: "The required argument \(name) is missing.")
        }
        return OAIRequest(verb: verb, arguments: arguments)
    }

    /// A name from the request, safe to repeat in a message (printable ASCII, at most 40 characters).
    static func quoted(_ name: String) -> String {
        "'" + String(name.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }.prefix(40).map(Character.init)) + "'"
    }

    /// Parses `application/x-www-form-urlencoded` text (a query string or a POST body) into pairs, in order.
    /// `+` is a space; a pair whose percent-encoding is broken is kept with its raw text (and then refused as unknown).
    public static func formPairs(_ text: String) -> [(String, String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(pieces[0]), pieces.count > 1 ? decode(pieces[1]) : "")
        }
    }
}

/// A UTC datestamp of the protocol: `YYYY-MM-DD` (day granularity) or `YYYY-MM-DDThh:mm:ssZ` (seconds).
public struct OAIDatestamp: Sendable, Equatable {
    public enum Granularity: Sendable, Equatable { case day, second }
    public var date: Date
    public var granularity: Granularity

    /// Parses a `from` or `until` value; nil when it is neither form or names no real date.
    public init?(_ text: String) {
        let u = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= u.count else { return nil }
            var value = 0
            for b in u[start..<start + count] {
                guard (48...57).contains(b) else { return nil }
                value = value * 10 + Int(b - 48)
            }
            return value
        }
        guard u.count == 10 || u.count == 20, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
            let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), year >= 1, (1...12).contains(month), day >= 1
        else { return nil }
        var hour = 0, minute = 0, second = 0
        if u.count == 20 {
            guard u[10] == UInt8(ascii: "T"), u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":"), u[19] == UInt8(ascii: "Z"),
                let h = number(11, 2), let m = number(14, 2), let s = number(17, 2), h < 24, m < 60, s < 60
            else { return nil }
            (hour, minute, second) = (h, m, s)
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= days[month - 1] else { return nil }
        // Days since 1970-01-01 (civil calendar, proleptic Gregorian).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let epochDays = era * 146097 + doe - 719468
        date = Date(timeIntervalSince1970: TimeInterval(epochDays * 86400 + hour * 3600 + minute * 60 + second))
        granularity = u.count == 10 ? .day : .second
    }

    /// `YYYY-MM-DDThh:mm:ssZ` of `date` (seconds granularity, fractions dropped).
    public static func format(_ date: Date) -> String {
        let seconds = Int64((date.timeIntervalSince1970).rounded(.down))
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let rest = seconds - days * 86400
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ n: Int64, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(rest / 3600, 2)):\(pad(rest % 3600 / 60, 2)):\(pad(rest % 60, 2))Z"
    }
}
