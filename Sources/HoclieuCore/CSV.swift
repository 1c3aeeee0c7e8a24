/// RFC 4180 CSV: comma-separated, `"`-quoted fields with `""` for a quote, LF or CRLF line ends.
public enum CSV {
    /// One record and the line it starts on (1-based).
    public struct Record: Sendable, Equatable {
        public var line: Int
        public var fields: [String]
    }

    /// Why a text is not CSV.
    public struct SyntaxError: Error, Equatable, Sendable {
        public var line: Int
        public var message: String
    }

    /// Splits text into records. Blank lines are skipped.
    public static func parse(_ text: String) throws(SyntaxError) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var quotedField = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil

        func endField() {
            fields.append(field)
            field = ""
            quotedField = false
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
        }

        while let c = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            inQuotes = false
                            pending = next
                        }
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case ",":
                endField()
            case "\r":
                continue
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            case "\"":
                guard field.isEmpty, !quotedField else {
                    throw SyntaxError(line: line, message: "a quote inside an unquoted field")
                }
                inQuotes = true
                quotedField = true
            default:
                if quotedField { throw SyntaxError(line: line, message: "text after a closing quote") }
                field.unicodeScalars.append(c)
            }
        }
        if inQuotes { throw SyntaxError(line: recordLine, message: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }

    /// A cell of a file people open in a spreadsheet (answer keys, matrices, specifications): escaped, and
    /// neutralised when a spreadsheet would run it as a formula (``neutralised(_:)``).
    public static func spreadsheetCell(_ field: String) -> String { escape(neutralised(field)) }

    /// The text with a leading `'` when it starts with `=`, `+`, `-`, `@`, a tab or a carriage return and is
    /// not a number: `=HYPERLINK(…)` from an imported answer never becomes a live formula (CSV injection),
    /// while `-1,5` and `+2` stay numbers.
    public static func neutralised(_ field: String) -> String {
        guard let first = field.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return field }
        return isNumber(field) ? field : "'" + field
    }

    /// `[+-]digits[(.|,)digits]`: a number as Vietnamese answer sheets write it.
    static func isNumber(_ text: String) -> Bool {
        var scalars = Substring(text).unicodeScalars[...]
        if let first = scalars.first, first == "+" || first == "-" { scalars = scalars.dropFirst() }
        let parts = scalars.split(separator: ",", omittingEmptySubsequences: false).flatMap { $0.split(separator: ".", omittingEmptySubsequences: false) }
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } }
    }

    /// A field as CSV writes it: quoted when it holds a comma, a quote or a line break.
    public static func escape(_ field: String) -> String {
        // Scalars, not Characters: "\r\n" is one Character and would match neither.
        guard field.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
