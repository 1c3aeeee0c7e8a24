/// The CSV layouts of a blueprint: the ma trận đề as teachers lay it out in a spreadsheet,
/// and the bản đặc tả.
///
/// The ma trận (``Blueprint/matrixCSV(frameworks:byteOrderMark:)``), with merged header
/// cells written as a value followed by empty cells, as spreadsheets export them:
///
/// ```
/// Ma trận đề,Kiểm tra giữa học kì I — Toán 6
/// Môn,TOAN
/// Lớp,6
/// Khung mức độ,BHV3
/// Tổng điểm,10
/// Mã,Nội dung,Biết,,,,Hiểu,,,,Vận dụng,,,,Tổng,
/// ,,Nhiều lựa chọn,,Đúng/Sai,,Nhiều lựa chọn,,Đúng/Sai,,Nhiều lựa chọn,,Đúng/Sai,,,
/// ,,Số câu,Điểm,Số câu,Điểm,Số câu,Điểm,…,Số câu,Điểm
/// TOAN.6.SD.1,Số tự nhiên,4,1,,,2,0.5,…,7,2.5
/// …
/// Tổng số câu,,…
/// Tổng điểm,,…
/// Tỉ lệ %,,40,,,,30,,,,30,,,,,100
/// ```
///
/// One line per catalogue node; under each level (in rank order) one pair of columns per
/// question type: the number of questions and the **points of the cell** (count × points per
/// question, what a ma trận shows). The `Tổng` columns and the three closing lines are
/// derived and ignored when reading. Numbers are written with `.`; `,` is accepted when
/// reading (`"0,25"`). Files are written with CRLF line ends and, by default, a UTF-8
/// byte-order mark so that spreadsheets read the diacritics right.
///
/// Reading a file this writes gives the same blueprint, and writing that again gives the
/// same text. The bản đặc tả is not part of this layout: JSON carries it, and
/// ``Blueprint/specificationCSV(frameworks:byteOrderMark:)`` exports it.
extension Blueprint {
    enum CSVLabel {
        static let title = ["ma trận đề", "ma trận", "title", "blueprint"]
        static let subject = ["môn", "môn học", "subject"]
        static let grade = ["lớp", "grade"]
        static let framework = ["khung mức độ", "khung mức độ nhận thức", "framework"]
        static let total = ["tổng điểm", "total points"]
        static let code = ["mã", "code"]
        static let totals = ["tổng", "total"]
        static let footer = ["tổng số câu", "tổng điểm", "tỉ lệ %", "tỷ lệ %", "total questions", "total points", "percentage"]
    }

    /// The ma trận as CSV (layout above).
    public func matrixCSV(frameworks: CognitiveLevelFrameworks = .standard, byteOrderMark: Bool = true) -> String {
        let levels = levels(in: frameworks)
        let types = questionTypes
        let format = { (value: Double) in BlueprintNumber.format(value) }
        var records: [[String]] = [
            ["Ma trận đề", title],
            ["Môn", subject ?? ""],
            ["Lớp", grade.map(String.init) ?? ""],
            ["Khung mức độ", framework],
            ["Tổng điểm", format(totalPoints)],
        ]
        var header1 = ["Mã", "Nội dung"]
        var header2 = ["", ""]
        var header3 = ["", ""]
        for level in levels {
            for (t, type) in types.enumerated() {
                header1 += [t == 0 ? level.name : "", ""]
                header2 += [BlueprintTypeLabel.vietnamese(type), ""]
                header3 += ["Số câu", "Điểm"]
            }
        }
        header1 += ["Tổng", ""]
        header2 += ["", ""]
        header3 += ["Số câu", "Điểm"]
        records += [header1, header2, header3]

        for row in rows {
            var record = [row.code, row.label]
            for level in levels {
                for type in types {
                    if let cell = row.cell(level: level.code, type: type), cell.count != 0 || cell.pointsPerQuestion != 0 {
                        record += [String(cell.count), format(cell.points)]
                    } else {
                        record += ["", ""]
                    }
                }
            }
            record += [String(row.questionCount), format(row.points)]
            records.append(record)
        }

        var counts = ["Tổng số câu", ""]
        var points = ["Tổng điểm", ""]
        var shares = ["Tỉ lệ %", ""]
        let levelShares = levelShares(in: frameworks)
        for (l, level) in levels.enumerated() {
            for (t, type) in types.enumerated() {
                let total = total(for: BlueprintColumn(level: level.code, type: type))
                counts += [String(total.count), ""]
                points += ["", format(total.points)]
                shares += [t == 0 ? BlueprintNumber.format(levelShares[l].percentage, decimals: 2) : "", ""]
            }
        }
        counts += [String(questionCount), ""]
        points += ["", format(plannedPoints)]
        shares += ["", plannedPoints > 0 ? "100" : "0"]
        records += [counts, points, shares]
        return BlueprintCSVText.write(records, byteOrderMark: byteOrderMark)
    }

    /// Reads a ma trận written in the layout of ``matrixCSV(frameworks:byteOrderMark:)``.
    ///
    /// The levels are named by their name in the framework (`Biết`) or their code (`BHV3.1`);
    /// the types by their Vietnamese or English name or their code (``BlueprintTypeLabel``).
    /// Every level group must list the same types in the same order. A cell with no questions
    /// and no points is left out; a cell with points but no questions is an error, since
    /// points are kept per question. The result is not validated: call ``validate(frameworks:)``.
    public init(matrixCSV text: String, frameworks: CognitiveLevelFrameworks = .standard) throws(BlueprintCSVError) {
        let records = try BlueprintCSVText.parse(text)
        func key(_ field: String) -> String { field.trimmingBlueprintSpaces().lowercased() }
        func fail(_ line: Int, _ vi: String, _ en: String) -> BlueprintCSVError { BlueprintCSVError(line: line, vietnamese: vi, english: en) }

        var title = ""
        var subject: String?
        var grade: Int?
        var framework: String?
        var total = 10.0
        var position = 0
        while position < records.count, !CSVLabel.code.contains(key(records[position][field: 0])) {
            let record = records[position]
            let label = key(record[field: 0])
            let value = record[field: 1].trimmingBlueprintSpaces()
            if CSVLabel.title.contains(label) {
                title = value
            } else if CSVLabel.subject.contains(label) {
                subject = value.isEmpty ? nil : value
            } else if CSVLabel.grade.contains(label) {
                guard value.isEmpty || Int(value) != nil else {
                    throw fail(record.line, "Lớp “\(value)” không phải là số.", "Grade “\(value)” is not a number.")
                }
                grade = Int(value)
            } else if CSVLabel.framework.contains(label) {
                framework = value
            } else if CSVLabel.total.contains(label) {
                guard let number = BlueprintNumber.parse(value) else {
                    throw fail(record.line, "Tổng điểm “\(value)” không phải là số.", "Total points “\(value)” is not a number.")
                }
                total = number
            }
            position += 1
        }
        guard position + 2 < records.count else {
            throw fail(
                records.last?.line ?? 0, "Không tìm thấy ba dòng tiêu đề của ma trận (dòng bắt đầu bằng “Mã”).",
                "The three header lines of the matrix (starting with “Mã”) are missing.")
        }
        guard let framework, !framework.isEmpty else {
            throw fail(
                records[position].line, "Thiếu dòng “Khung mức độ” (BHV3 hoặc NTVV4) trước tiêu đề.",
                "The “Khung mức độ” line (BHV3 or NTVV4) is missing before the header.")
        }
        let frameworkLevels = frameworks.levels.filter { $0.framework == framework }
        guard !frameworkLevels.isEmpty else {
            throw fail(
                records[position].line, "Khung mức độ “\(framework)” không tồn tại.", "Unknown cognitive-level framework “\(framework)”.")
        }
        let header1 = records[position]
        let header2 = records[position + 1]
        let line2 = header2.line
        position += 3

        var end = header1.fields.count
        if let totals = header1.fields.indices.dropFirst(2).first(where: { CSVLabel.totals.contains(key(header1.fields[$0])) }) {
            end = totals
        }
        guard end >= 4, (end - 2) % 2 == 0 else {
            throw fail(
                header1.line, "Các cột của ma trận phải đi theo cặp “Số câu, Điểm”.", "The matrix columns must come in “count, points” pairs.")
        }

        var columns: [BlueprintColumn] = []
        var groups: [(level: String, types: [QuestionType])] = []
        var currentLevel: CognitiveLevel?
        for c in stride(from: 2, to: end, by: 2) {
            let levelName = header1[field: c].trimmingBlueprintSpaces()
            if !levelName.isEmpty {
                guard
                    let level = frameworkLevels.first(where: {
                        $0.code.lowercased() == levelName.lowercased() || $0.name.lowercased() == levelName.lowercased()
                    })
                else {
                    throw fail(
                        header1.line, "Mức độ “\(levelName)” không thuộc khung \(framework).",
                        "Level “\(levelName)” is not a level of framework \(framework).")
                }
                currentLevel = level
                groups.append((level.code, []))
            }
            guard let level = currentLevel else {
                throw fail(header1.line, "Cột đầu tiên của ma trận chưa ghi mức độ.", "The first matrix column names no level.")
            }
            guard header1[field: c + 1].trimmingBlueprintSpaces().isEmpty else {
                throw fail(
                    header1.line, "Mức độ phải bắt đầu ở cột “Số câu” của một cặp cột.", "A level must start at the count column of a pair.")
            }
            let typeName = header2[field: c]
            guard let type = BlueprintTypeLabel.type(named: typeName) else {
                throw fail(line2, "Không rõ dạng câu hỏi “\(typeName)”.", "Unknown question type “\(typeName)”.")
            }
            let column = BlueprintColumn(level: level.code, type: type)
            guard !columns.contains(column) else {
                throw fail(
                    line2, "Cột \(level.name) — \(BlueprintTypeLabel.vietnamese(type)) xuất hiện hai lần.",
                    "Column \(level.code) — \(type.rawValue) appears twice.")
            }
            columns.append(column)
            groups[groups.count - 1].types.append(type)
        }
        let types = groups[0].types
        for group in groups where group.types != types {
            throw fail(
                line2, "Các mức độ phải có cùng các dạng câu hỏi, theo cùng thứ tự.",
                "Every level must have the same question types in the same order.")
        }

        var rows: [BlueprintRow] = []
        while position < records.count {
            let record = records[position]
            position += 1
            if record.isBlank { continue }
            if CSVLabel.footer.contains(key(record[field: 0])) { break }
            var row = BlueprintRow(code: record[field: 0].trimmingBlueprintSpaces(), label: record[field: 1].trimmingBlueprintSpaces())
            for (i, column) in columns.enumerated() {
                let c = 2 + 2 * i
                guard let count = BlueprintNumber.parseInt(record[field: c]) else {
                    throw fail(
                        record.line, "Số câu “\(record[field: c])” của dòng \(row.code) không phải số nguyên.",
                        "Question count “\(record[field: c])” of row \(row.code) is not a whole number.")
                }
                guard let points = BlueprintNumber.parse(record[field: c + 1]) else {
                    throw fail(
                        record.line, "Điểm “\(record[field: c + 1])” của dòng \(row.code) không phải là số.",
                        "Points “\(record[field: c + 1])” of row \(row.code) is not a number.")
                }
                if count == 0 && points == 0 { continue }
                guard count != 0 else {
                    throw fail(
                        record.line, "Dòng \(row.code) có điểm nhưng không có câu hỏi ở một ô.",
                        "Row \(row.code) has points but no questions in a cell.")
                }
                row.cells.append(BlueprintCell(level: column.level, type: column.type, count: count, pointsPerQuestion: points / Double(count)))
            }
            rows.append(row)
        }
        self.init(title: title, subject: subject, grade: grade, framework: framework, questionTypes: types, totalPoints: total, rows: rows)
    }

    /// Reads a ma trận from the bytes of a file: UTF-8, with or without a byte-order mark.
    ///
    /// - Throws: ``BlueprintCSVError`` at line 0 when the bytes are not UTF-8 (a file saved
    ///   in a legacy code page such as Windows-1258 must be converted first), or any error of
    ///   ``init(matrixCSV:frameworks:)``.
    public init(matrixCSVBytes bytes: some Collection<UInt8>, frameworks: CognitiveLevelFrameworks = .standard) throws(BlueprintCSVError) {
        // Decoding replaces invalid sequences with U+FFFD, so a valid file is one that re-encodes
        // to the same bytes (`String(validating:as:)` needs macOS 15; the package supports 14).
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.utf8.elementsEqual(bytes) else {
            throw BlueprintCSVError(
                line: 0, vietnamese: "Tệp không phải văn bản UTF-8 (hãy lưu lại dưới dạng “CSV UTF-8”).",
                english: "The file is not UTF-8 text (save it as “CSV UTF-8”).")
        }
        try self.init(matrixCSV: text, frameworks: frameworks)
    }

    /// The bản đặc tả as CSV: one line per row and level that has questions or requirement
    /// statements, with the statements (one per line inside the cell, each starting with `- `),
    /// the codes of the required outcomes they come from, and the number of questions of each
    /// type at that level, with their points.
    ///
    /// ```
    /// Bản đặc tả,Kiểm tra giữa học kì I — Toán 6
    /// Khung mức độ,BHV3
    /// Mã,Nội dung,Mức độ,Yêu cầu cần đạt,Mã yêu cầu cần đạt,Nhiều lựa chọn,Đúng/Sai,Số câu,Điểm
    /// TOAN.6.SD.2,Phân số,Biết,"- Nhận biết được phân số…
    /// - Nêu được…",TOAN.6.SD.2.1.YC1; TOAN.6.SD.2.1.YC2,2,,2,0.5
    /// ```
    public func specificationCSV(frameworks: CognitiveLevelFrameworks = .standard, byteOrderMark: Bool = true) -> String {
        var records: [[String]] = [
            ["Bản đặc tả", title],
            ["Khung mức độ", framework],
            ["Mã", "Nội dung", "Mức độ", "Yêu cầu cần đạt", "Mã yêu cầu cần đạt"] + questionTypes.map(BlueprintTypeLabel.vietnamese) + [
                "Số câu", "Điểm",
            ],
        ]
        let levels = levels(in: frameworks)
        // Levels named in the rows but unknown to the framework still appear, after the known ones.
        var levelOrder = levels.map { ($0.code, $0.name) }
        for row in rows {
            for code in row.cells.map(\.level) + row.requirements.map(\.level) where !levelOrder.contains(where: { $0.0 == code }) {
                levelOrder.append((code, code))
            }
        }
        for row in rows {
            for (code, name) in levelOrder {
                let requirements = row.requirements(level: code)
                let cells = row.cells.filter { $0.level == code }
                let count = cells.reduce(0) { $0 + $1.count }
                guard !requirements.isEmpty || count != 0 else { continue }
                var outcomes: [String] = []
                for outcome in requirements.flatMap(\.outcomeCodes) where !outcomes.contains(outcome) { outcomes.append(outcome) }
                var record = [
                    row.code, row.label, name, requirements.map { "- " + $0.text }.joined(separator: "\n"), outcomes.joined(separator: "; "),
                ]
                for type in questionTypes {
                    let n = cells.filter { $0.type == type }.reduce(0) { $0 + $1.count }
                    record.append(n == 0 ? "" : String(n))
                }
                record += [String(count), BlueprintNumber.format(cells.reduce(0) { $0 + $1.points })]
                records.append(record)
            }
        }
        return BlueprintCSVText.write(records, byteOrderMark: byteOrderMark)
    }
}
