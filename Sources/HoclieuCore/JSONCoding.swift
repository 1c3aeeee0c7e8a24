public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The one JSON dialect of Hoclieu's API: sorted keys, unescaped slashes, dates as
/// ISO 8601 UTC with milliseconds (`2026-11-29T02:36:23.123Z`).
public enum HoclieuJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date))
        }
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = parseTimestamp(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 date: \(text)"))
            }
            return date
        }
        return decoder
    }

    /// `2026-11-29T02:36:23.123Z`, without any formatter (this runs for every record written).
    public static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis >= 0 ? millis / 1000 : (millis - 999) / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ n: Int32, _ width: Int) -> String {
            let s = String(n)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        let ms = Int32(((millis % 1000) + 1000) % 1000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(ms, 3))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
    public static func parseTimestamp(_ text: String) -> Date? {
        let u = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int32? {
            guard from + count <= u.count else { return nil }
            var v: Int32 = 0
            for b in u[from..<from + count] {
                guard (48...57).contains(b) else { return nil }
                v = v * 10 + Int32(b - 48)
            }
            return v
        }
        guard u.count >= 20, u.last == UInt8(ascii: "Z"), let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2),
            let mi = num(14, 2), let s = num(17, 2)
        else { return nil }
        var ms: Int32 = 0
        if u.count == 24, u[19] == UInt8(ascii: "."), let f = num(20, 3) { ms = f } else if u.count != 20 { return nil }
        var parts = tm()
        parts.tm_year = y - 1900
        parts.tm_mon = mo - 1
        parts.tm_mday = d
        parts.tm_hour = h
        parts.tm_min = mi
        parts.tm_sec = s
        return Date(timeIntervalSince1970: Double(timegm(&parts)) + Double(ms) / 1000)
    }

    /// A JSON string literal (quotes included) with the escapes JSON requires.
    public static func quote(_ s: String) -> String {
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { return "\"" + s + "\"" }
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension Material {
    /// The public API representation, written by hand: the same keys, order and formats as
    /// `HoclieuJSON.encoder()` produces, at a fraction of the cost. Stored with each row
    /// so that list responses are assembled, not encoded. It carries neither the owner nor the
    /// provenance: those are for the people ``AccessPolicy/canSeeProvenance(_:_:)`` allows
    /// (``jsonText(withProvenance:)``).
    public var jsonText: String { jsonText(withProvenance: false) }

    /// The API representation; with `withProvenance`, also `ownerID` and `provenance`.
    public func jsonText(withProvenance: Bool) -> String {
        let q = HoclieuJSON.quote
        func list(_ values: [String]) -> String { "[" + values.map(q).joined(separator: ",") + "]" }
        let m = metadata
        var meta = "{\"authors\":\(list(m.authors)),\"description\":\(q(m.description)),\"grades\":["
        meta += m.grades.map(String.init).joined(separator: ",") + "],\"keywords\":\(list(m.keywords)),"
        meta += "\"knowledgeUnits\":\(list(m.knowledgeUnits)),\"language\":\(q(m.language)),"
        if let licence = m.licence { meta += "\"licence\":\(q(licence))," }
        if let school = m.school { meta += "\"school\":\(q(school))," }
        meta += "\"subjects\":\(list(m.subjects)),\"title\":\(q(m.title))}"
        var json = "{\"createdAt\":\(q(HoclieuJSON.timestamp(createdAt))),\"currentVersion\":\(currentVersion),"
        json += "\"format\":\(q(format)),\"kind\":\(q(kind.rawValue)),\"metadata\":\(meta),"
        if withProvenance { json += "\"ownerID\":\(ownerID)," }
        json += "\"pid\":\(q(pid.rawValue)),"
        if withProvenance, let provenance {
            json += "\"provenance\":{"
            if let id = provenance.sourceIdentifier { json += "\"sourceIdentifier\":\(q(id))," }
            json += "\"sourceSystem\":\(q(provenance.sourceSystem))},"
        }
        json += "\"status\":\(q(status.rawValue)),\"updatedAt\":\(q(HoclieuJSON.timestamp(updatedAt))),"
        if let url { json += "\"url\":\(q(url))," }
        json += "\"visibility\":\(q(visibility.rawValue))}"
        return json
    }
}
