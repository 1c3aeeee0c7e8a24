extension AssembledTest {
    /// The answer keys of every variant as CSV (đáp án), one line per question in printed
    /// order: variant code, part, question number, answer as written on the sheet (`B`;
    /// `Đ`/`S` for each statement a–d in four columns; the number for Phần III), points, and
    /// the question pinned as `id@vN`.
    ///
    /// ```
    /// Mã đề,Phần,Câu,Đáp án,a,b,c,d,Điểm,Câu hỏi
    /// 101,I,1,C,,,,,0.25,Q123@v2
    /// 101,II,1,,Đ,S,Đ,Đ,1,Q456@v1
    /// 101,III,1,"-1,5",,,,,0.5,Q789@v1
    /// ```
    public func answerKeyCSV(byteOrderMark: Bool = true) -> String {
        var records: [[String]] = [["Mã đề", "Phần", "Câu", "Đáp án", "a", "b", "c", "d", "Điểm", "Câu hỏi"]]
        for variant in variants {
            for entry in variant.questions {
                var record = [String(variant.code), entry.part.roman, String(entry.number)]
                if case .statements(let statements) = entry.key {
                    record.append("")
                    for label in ["a", "b", "c", "d"] {
                        record.append(statements.first { $0.label == label }.map { $0.isTrue ? "Đ" : "S" } ?? "")
                    }
                } else {
                    record += [entry.key.sheetText, "", "", "", ""]
                }
                let points = entry.item < items.count ? items[entry.item].points : 0
                record += [BlueprintNumber.format(points), entry.question.description]
                records.append(record)
            }
        }
        return BlueprintCSVText.write(records, byteOrderMark: byteOrderMark)
    }
}
