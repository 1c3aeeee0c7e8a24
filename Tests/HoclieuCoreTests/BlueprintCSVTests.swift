import Foundation
import Testing

@testable import HoclieuCore

@Suite("Blueprint CSV and JSON")
struct BlueprintCSVTests {
    /// The fixture without its bản đặc tả (the ma trận layout does not carry it).
    static func matrixOnly() -> Blueprint {
        var blueprint = BPFixture.blueprint()
        for r in blueprint.rows.indices { blueprint.rows[r].requirements = [] }
        return blueprint
    }

    @Test("The ma trận layout: meta lines, three header lines, one line per node, derived totals")
    func layout() {
        let csv = BPFixture.blueprint().matrixCSV()
        #expect(csv.hasPrefix("\u{FEFF}"))
        let lines = csv.dropFirst().components(separatedBy: "\r\n")
        #expect(lines.count == 5 + 3 + 3 + 3 + 1)
        #expect(lines.last == "")
        let pad = String(repeating: ",", count: 20)
        #expect(lines[0] == "Ma trận đề,\"Kiểm tra giữa học kì I, Toán 6\"" + pad)
        #expect(lines[3] == "Khung mức độ,BHV3" + pad)
        #expect(lines[4] == "Tổng điểm,10" + pad)
        #expect(lines[5] == "Mã,Nội dung,Biết,,,,,,Hiểu,,,,,,Vận dụng,,,,,,Tổng,")
        #expect(
            lines[6] == ",,Nhiều lựa chọn,,Đúng/Sai,,Trả lời ngắn,,Nhiều lựa chọn,,Đúng/Sai,,Trả lời ngắn,,Nhiều lựa chọn,,Đúng/Sai,,Trả lời ngắn,,,")
        #expect(lines[7] == ",," + Array(repeating: "Số câu,Điểm", count: 10).joined(separator: ","))
        #expect(lines[8] == "TOAN.6.SD.1,Số tự nhiên,4,1,1,1,,,1,0.25,,,,,,,,,1,0.5,7,2.75")
        #expect(lines[9] == "TOAN.6.SD.2,Phân số,3,0.75,,,,,2,0.5,1,1,2,1,,,,,1,0.5,9,3.75")
        #expect(lines[11] == "Tổng số câu,,9,,1,,0,,3,,1,,4,,0,,2,,2,,22,")
        #expect(lines[12] == "Tổng điểm,,,2.25,,1,,0,,0.75,,1,,2,,0,,2,,1,,10")
        #expect(lines[13] == "Tỉ lệ %,,32.5,,,,,,37.5,,,,,,30,,,,,,,100")
    }

    @Test("Model → CSV → model keeps the ma trận; CSV → model → CSV is identical")
    func roundTrip() throws {
        let csv = BPFixture.blueprint().matrixCSV()
        let read = try Blueprint(matrixCSV: csv)
        #expect(read == Self.matrixOnly())
        #expect(read.matrixCSV() == csv)
        let plain = BPFixture.blueprint().matrixCSV(byteOrderMark: false)
        #expect(try Blueprint(matrixCSV: plain).matrixCSV(byteOrderMark: false) == plain)
    }

    @Test("A teacher's file: LF line ends, decimal commas, trailing cells dropped, blank lines, codes for levels")
    func teacherFile() throws {
        let csv =
            "\u{FEFF}" + #"""
                Ma trận đề,"Kiểm tra 15 phút, ""Phân số"""
                Khung mức độ,NTVV4
                Tổng điểm,"2,5"
                Trường,THCS Nguyễn Du

                Mã,Nội dung,Nhận biết,,Thông hiểu,,Vận dụng,,NTVV4.4,,Tổng
                ,,Nhiều lựa chọn,,Nhiều lựa chọn,,Nhiều lựa chọn,,Nhiều lựa chọn,
                ,,Số câu,Điểm,Số câu,Điểm,Số câu,Điểm,Số câu,Điểm
                TOAN.6.SD.2,"Phân số
                (tiếp)",4,1,2,"0,5",3,1,
                TOAN.6.SD.3 , Số thập phân ,,,,,,,, 

                Tổng số câu,,anything,goes,here
                """#
        let blueprint = try Blueprint(matrixCSV: csv)
        #expect(blueprint.title == "Kiểm tra 15 phút, \"Phân số\"")
        #expect(blueprint.framework == "NTVV4")
        #expect(blueprint.totalPoints == 2.5)
        #expect(blueprint.questionTypes == [.singleChoice])
        #expect(blueprint.rows.map(\.code) == ["TOAN.6.SD.2", "TOAN.6.SD.3"])
        #expect(blueprint.rows[0].label == "Phân số\n(tiếp)")
        #expect(blueprint.rows[1].label == "Số thập phân")
        #expect(
            blueprint.rows[0].cells == [
                BlueprintCell(level: "NTVV4.1", type: .singleChoice, count: 4, pointsPerQuestion: 0.25),
                BlueprintCell(level: "NTVV4.2", type: .singleChoice, count: 2, pointsPerQuestion: 0.25),
                BlueprintCell(level: "NTVV4.3", type: .singleChoice, count: 3, pointsPerQuestion: 1.0 / 3),
            ])
        #expect(blueprint.rows[1].cells.isEmpty)
        #expect(blueprint.errors().isEmpty)
        // Written back in the canonical layout, it reads and writes the same again.
        let canonical = blueprint.matrixCSV()
        #expect(canonical.contains("TOAN.6.SD.2,\"Phân số\r\n(tiếp)\"") == false)
        #expect(canonical.contains("TOAN.6.SD.2,\"Phân số\n(tiếp)\",4,1,2,0.5,3,1,,,9,2.5"))
        #expect(try Blueprint(matrixCSV: canonical) == blueprint)
        #expect(try Blueprint(matrixCSV: canonical).matrixCSV() == canonical)
    }

    @Test("Bytes: UTF-8 with or without a byte-order mark; anything else is refused")
    func bytes() throws {
        let csv = BPFixture.blueprint().matrixCSV(byteOrderMark: false)
        let expected = Self.matrixOnly()
        #expect(try Blueprint(matrixCSVBytes: Array(csv.utf8)) == expected)
        #expect(try Blueprint(matrixCSVBytes: [0xEF, 0xBB, 0xBF] + Array(csv.utf8)) == expected)
        #expect(try Blueprint(matrixCSVBytes: Data(BPFixture.blueprint().matrixCSV().utf8)) == expected)
        // "Mã" in Windows-1258 (0xE3 is "ã"): not UTF-8.
        let legacy: [UInt8] = [0x4D, 0xE3, 0x2C, 0x0A]
        #expect(throws: BlueprintCSVError.self) { try Blueprint(matrixCSVBytes: legacy) }
        do {
            _ = try Blueprint(matrixCSVBytes: legacy)
        } catch {
            #expect(error.line == 0)
            #expect(error.english == "The file is not UTF-8 text (save it as “CSV UTF-8”).")
        }
    }

    @Test("Errors name the line, in Vietnamese and English")
    func errors() {
        func error(_ csv: String) -> BlueprintCSVError? {
            do {
                _ = try Blueprint(matrixCSV: csv)
                return nil
            } catch {
                return error
            }
        }
        let head = "Khung mức độ,BHV3\nMã,Nội dung,Biết,,Tổng\n,,Nhiều lựa chọn,\n,,Số câu,Điểm\n"
        #expect(error(head + "X,x,4,1\n") == nil)
        #expect(error(head + "X,x,bốn,1\n")?.line == 5)
        #expect(error(head + "X,x,bốn,1\n")?.english == "Question count “bốn” of row X is not a whole number.")
        #expect(error(head + "X,x,,1\n")?.vietnamese == "Dòng X có điểm nhưng không có câu hỏi ở một ô.")
        #expect(error(head + "X,x,4,1đ\n")?.line == 5)
        #expect(error(head.replacingOccurrences(of: "Biết", with: "Nhớ"))?.english == "Level “Nhớ” is not a level of framework BHV3.")
        #expect(error(head.replacingOccurrences(of: "Nhiều lựa chọn", with: "Trắc nghiệm"))?.line == 3)
        #expect(error(head.replacingOccurrences(of: "BHV3", with: ""))?.english.contains("Khung mức độ") == true)
        #expect(error(head.replacingOccurrences(of: "BHV3", with: "BHV5"))?.vietnamese == "Khung mức độ “BHV5” không tồn tại.")
        #expect(error("Khung mức độ,BHV3\n")?.english.contains("header lines") == true)
        #expect(error(head + "X,\"x,4,1\n")?.line == 5)
        #expect(error(head + "X,\"x\"y,4,1\n")?.english == "Text after the closing quote of a field.")
        #expect(error(head + "X,x\"y,4,1\n")?.english == "A quote inside an unquoted field.")
        let twice = "Khung mức độ,BHV3\nMã,Nội dung,Biết,,Biết,,Tổng\n,,Nhiều lựa chọn,,Nhiều lựa chọn,\n,,Số câu,Điểm,Số câu,Điểm\n"
        #expect(error(twice)?.english == "Column BHV3.1 — singleChoice appears twice.")
        let uneven =
            "Khung mức độ,BHV3\nMã,Nội dung,Biết,,,,Hiểu,,Tổng\n,,Nhiều lựa chọn,,Đúng/Sai,,Nhiều lựa chọn,\n,,Số câu,Điểm,Số câu,Điểm,Số câu,Điểm\n"
        #expect(error(uneven)?.english == "Every level must have the same question types in the same order.")
    }

    @Test("RFC 4180 reading: quotes, commas and line breaks in fields, CRLF, CR, BOM")
    func parser() throws {
        let text = "\u{FEFF}a,\"b,c\",\"d\"\"e\"\r\n\"f\r\ng\",,h\rlast,\"\"\n\n"
        let records = try BlueprintCSVText.parse(text)
        #expect(records.map(\.fields) == [["a", "b,c", "d\"e"], ["f\r\ng", "", "h"], ["last", ""]])
        #expect(records.map(\.line) == [1, 2, 4])
        #expect(CSV.escape("plain") == "plain")
        #expect(CSV.escape("a,b") == "\"a,b\"")
        #expect(CSV.escape("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.escape("x\r\ny") == "\"x\r\ny\"")
        let written = BlueprintCSVText.write([["a", "b,c"], ["d\"e\nf"]], byteOrderMark: false)
        #expect(written == "a,\"b,c\"\r\n\"d\"\"e\nf\",\r\n")
        #expect(try BlueprintCSVText.parse(written).map(\.fields) == [["a", "b,c"], ["d\"e\nf", ""]])
        #expect(throws: BlueprintCSVError.self) { try BlueprintCSVText.parse("a,\"b\n\nc") }
    }

    @Test("The bản đặc tả export: one line per node and level, requirements in one quoted cell")
    func specification() throws {
        let csv = BPFixture.blueprint().specificationCSV(byteOrderMark: false)
        let records = try BlueprintCSVText.parse(csv)
        #expect(records[0].fields.prefix(2) == ["Bản đặc tả", "Kiểm tra giữa học kì I, Toán 6"])
        #expect(
            records[2].fields == [
                "Mã", "Nội dung", "Mức độ", "Yêu cầu cần đạt", "Mã yêu cầu cần đạt", "Nhiều lựa chọn", "Đúng/Sai", "Trả lời ngắn", "Số câu", "Điểm",
            ])
        #expect(records.count == 3 + 9)
        let fractionsKnow = try #require(records.first { $0.fields[0] == "TOAN.6.SD.2" && $0.fields[2] == "Biết" })
        #expect(
            fractionsKnow.fields[3]
                == "'- Nhận biết được phân số với tử số hoặc mẫu số là số nguyên âm.\n- Nêu được hai phân số bằng nhau, \"quy tắc\" bằng nhau của phân số."
        )
        #expect(fractionsKnow.fields[4] == "TOAN.6.SD.2.1.YC1; TOAN.6.SD.2.1.YC2")
        #expect(Array(fractionsKnow.fields[5...]) == ["3", "", "", "3", "0.75"])
        let geometryApply = try #require(records.first { $0.fields[0] == "TOAN.6.HH.1" && $0.fields[2] == "Vận dụng" })
        #expect(Array(geometryApply.fields[5...]) == ["", "2", "", "2", "2"])
        #expect(
            csv.contains(
                "\"'- Nhận biết được phân số với tử số hoặc mẫu số là số nguyên âm.\n- Nêu được hai phân số bằng nhau, \"\"quy tắc\"\" bằng nhau của phân số.\""
            ))
    }

    @Test("Cells a spreadsheet would run as formulas are neutralised; numbers stay numbers")
    func formulaInjection() throws {
        #expect(CSV.neutralised("=HYPERLINK(\"http://evil.example\",\"x\")") == "'=HYPERLINK(\"http://evil.example\",\"x\")")
        for hostile in ["+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)", "\t=1+1", "\r=1+1"] {
            #expect(CSV.neutralised(hostile) == "'" + hostile)
        }
        for number in ["-1,5", "-1.5", "+2", "0,25", "12", "B", "Đ", ""] { #expect(CSV.neutralised(number) == number) }
        // Through the answer key of an assembled test: what an imported answer says never becomes a formula.
        let csv = BlueprintCSVText.write([["Mã đề", "Đáp án"], ["101", "=HYPERLINK(\"http://x\")"], ["101", "-1,5"]], byteOrderMark: false)
        let records = try BlueprintCSVText.parse(csv)
        #expect(records[1].fields[1] == "'=HYPERLINK(\"http://x\")")
        #expect(records[2].fields[1] == "-1,5")
    }

    @Test("JSON round trip, byte-identical and with sorted keys")
    func json() throws {
        let blueprint = BPFixture.blueprint()
        let data = try blueprint.jsonData()
        #expect(try Blueprint(jsonData: data) == blueprint)
        #expect(try Blueprint(jsonData: data).jsonData() == data)
        let text = String(decoding: data, as: UTF8.self)
        let keys = ["\"framework\"", "\"grade\"", "\"questionTypes\"", "\"rows\"", "\"subject\"", "\"title\"", "\"totalPoints\""]
        let positions = keys.map { text.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
        #expect(text.contains("\"pointsPerQuestion\" : 0.25"))
        #expect(text.contains("\"outcomeCodes\" : [\n"))
        #expect(throws: (any Error).self) { try Blueprint(jsonData: Data("{\"title\":1}".utf8)) }
    }
}
