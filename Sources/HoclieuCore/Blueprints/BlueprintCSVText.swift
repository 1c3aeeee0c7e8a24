/// Why a blueprint CSV could not be read, with the line (1-based) and messages in Vietnamese and English.
public struct BlueprintCSVError: Error, Sendable, Codable, Hashable, CustomStringConvertible {
    /// The line the problem was found on (1-based; 0 when the whole file is concerned).
    public var line: Int
    /// The message in Vietnamese.
    public var vietnamese: String
    /// The message in English.
    public var english: String

    /// Creates an error.
    public init(line: Int, vietnamese: String, english: String) {
        self.line = line
        self.vietnamese = vietnamese
        self.english = english
    }

    /// `line N: Vietnamese / English`.
    public var description: String { "dòng/line \(line): \(vietnamese) / \(english)" }
}

/// RFC 4180 CSV as teachers' spreadsheets write it: comma-separated, fields quoted with `"`
/// when they hold a comma, a quote (written `""`) or a line break; CRLF, LF or CR line ends;
/// UTF-8 with an optional byte-order mark.
///
/// Written for the blueprint formats, which need record line numbers for messages and
/// must keep rows of commas (empty cells) as rows.
enum BlueprintCSVText {
    /// One record and the line it starts on (1-based).
    struct Record: Sendable, Equatable {
        var line: Int
        var fields: [String]

        /// The field at `index`, or "" past the end (spreadsheets drop trailing empty cells).
        subscript(field index: Int) -> String { index < fields.count ? fields[index] : "" }

        /// Whether every field is empty.
        var isBlank: Bool { fields.allSatisfy { $0.trimmingBlueprintSpaces().isEmpty } }
    }

    /// Splits a text into records. A record that is a lone empty field (an empty line) is dropped.
    static func parse(_ text: String) throws(BlueprintCSVError) -> [Record] {
        var scalars = Substring(text).unicodeScalars[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }

        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1
        var recordLine = 1
        var index = scalars.startIndex

        func endRecord() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
        }

        while index < scalars.endIndex {
            let c = scalars[index]
            switch c {
            case ",":
                fields.append(String(field))
                field = String.UnicodeScalarView()
                index = scalars.index(after: index)
            case "\r", "\n":
                endRecord()
                index = scalars.index(after: index)
                if c == "\r", index < scalars.endIndex, scalars[index] == "\n" { index = scalars.index(after: index) }
                line += 1
                recordLine = line
            case "\"":
                guard field.isEmpty else {
                    throw BlueprintCSVError(
                        line: line, vietnamese: "Dấu ngoặc kép nằm giữa một ô không được đặt trong ngoặc kép.",
                        english: "A quote inside an unquoted field.")
                }
                let openedOn = line
                index = scalars.index(after: index)
                var closed = false
                while index < scalars.endIndex {
                    let q = scalars[index]
                    index = scalars.index(after: index)
                    if q == "\"" {
                        if index < scalars.endIndex, scalars[index] == "\"" {
                            field.append("\"")
                            index = scalars.index(after: index)
                        } else {
                            closed = true
                            break
                        }
                    } else {
                        if q == "\n" || (q == "\r" && (index == scalars.endIndex || scalars[index] != "\n")) { line += 1 }
                        field.append(q)
                    }
                }
                guard closed else {
                    throw BlueprintCSVError(
                        line: openedOn, vietnamese: "Một ô mở ngoặc kép nhưng không đóng.", english: "A quoted field is never closed.")
                }
                if index < scalars.endIndex, !(scalars[index] == "," || scalars[index] == "\r" || scalars[index] == "\n") {
                    throw BlueprintCSVError(
                        line: line, vietnamese: "Có chữ sau dấu ngoặc kép đóng của một ô.", english: "Text after the closing quote of a field.")
                }
            default:
                field.append(c)
                index = scalars.index(after: index)
            }
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }

    /// Records joined with CRLF (RFC 4180), cells safe to open in a spreadsheet (``CSV/spreadsheetCell(_:)``),
    /// every record padded to the widest one, the last
    /// one ended too; with a leading byte-order mark when `byteOrderMark` is set (spreadsheets
    /// then read the file as UTF-8, which Vietnamese text needs).
    static func write(_ rows: [[String]], byteOrderMark: Bool) -> String {
        let width = rows.map(\.count).max() ?? 0
        var out = byteOrderMark ? "\u{FEFF}" : ""
        for row in rows {
            var padded = row
            if padded.count < width { padded += Array(repeating: "", count: width - padded.count) }
            out += padded.map(CSV.spreadsheetCell).joined(separator: ",")
            out += "\r\n"
        }
        return out
    }
}
