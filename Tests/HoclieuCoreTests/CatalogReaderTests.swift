import Foundation
import HoclieuCore
import Testing

@Suite("Catalogue files")
struct CatalogReaderTests {
    static let subjects = """
        code,name,name_en,grades,compulsory,source
        TOAN,Toán,Mathematics,1-12,1-12,CT_Toan_2018.pdf
        TIN,Tin học,Informatics,3-12,3-9,CT_Tin_hoc_2018.pdf
        """
    static let levels = """
        framework,code,level,name,name_en,maps_to
        BHV3,BHV3.1,1,Biết,Know,
        BHV3,BHV3.2,2,Hiểu,Understand,
        BHV3,BHV3.3,3,Vận dụng,Apply,
        NTVV4,NTVV4.1,1,Nhận biết,Recognise,BHV3.1
        NTVV4,NTVV4.4,4,Vận dụng cao,Apply at a higher level,BHV3.3
        """
    static let header = "code,parent,type,grade,statement,statement_en,associations,status"

    func read(_ toan: String, extra: [(String, Data)] = []) -> (CatalogData, [CatalogDiagnostic]) {
        CatalogReader.read(
            files: [
                ("subjects.csv", Data(Self.subjects.utf8)), ("cognitive-levels.csv", Data(Self.levels.utf8)),
                ("frameworks/TOAN.csv", Data((Self.header + "\n" + toan).utf8)),
            ] + extra)
    }

    @Test("A valid framework reads into items, with grade items for every taught grade and stable UUIDs")
    func valid() throws {
        let (data, problems) = read(
            """
            TOAN.6,,grade,6,Toán lớp 6,,,
            TOAN.6.SD,TOAN.6,strand,6,Số và Đại số,Numbers and algebra,,
            TOAN.6.SD.1,TOAN.6.SD,topic,6,Số tự nhiên,,,
            TOAN.6.SD.1.1,TOAN.6.SD.1,unit,6,"Số tự nhiên và tập hợp các số tự nhiên. Thứ tự, so sánh",,,
            TOAN.6.SD.1.1.1,TOAN.6.SD.1.1,outcome,6,Nhận biết được tập hợp các số tự nhiên.,,precedes:TOAN.6.SD.1.1.2,
            TOAN.6.SD.1.1.2,TOAN.6.SD.1.1,outcome,6,Biểu diễn được số tự nhiên trong hệ thập phân.,,,
            """)
        #expect(problems.isEmpty, "\(problems)")
        #expect(data.items["TOAN"]?.count == 12 + 5)
        #expect(data.items["TIN"]?.map(\.code).first == "TIN.3")
        let unit = try #require(data.items["TOAN"]?.first { $0.code == "TOAN.6.SD.1.1" })
        #expect(unit.statement == "Số tự nhiên và tập hợp các số tự nhiên. Thứ tự, so sánh")
        #expect(unit.uuid == CatalogIdentifiers.uuid(for: "TOAN.6.SD.1.1"))
        #expect(unit.uuid.uuidString.lowercased().dropFirst(14).first == "5", "UUID version 5")
        #expect(data.levels.first { $0.code == "NTVV4.4" }?.mapsTo == "BHV3.3")
    }

    @Test("UUID v5 matches the RFC 9562 test vector")
    func uuidV5() {
        // RFC 9562 appendix A.4: name "www.example.com" in the DNS namespace.
        let dns = UUID(uuidString: "6ba7b810-9dad-11d1-80b4-00c04fd430c8")!
        #expect(CatalogIdentifiers.uuid(for: "www.example.com", namespace: dns).uuidString.lowercased() == "2ed6657d-e927-568b-95e1-2665a8aea6a2")
    }

    @Test(
        "Every rule is enforced with file, line and a hint",
        arguments: [
            ("TOAN.6.SD,TOAN.6,strand,6,A,,,\nTOAN.6.SD,TOAN.6,strand,6,B,,,", "duplicate code TOAN.6.SD", 3),
            ("TOAN.6.SD,TOAN.6,strand,6,A,,precedes:TOAN.9.XX,", "unknown TOAN.9.XX", 2),
            ("TOAN.6.SD,TOAN.6,strand,7,A,,,", "differs from its parent", 2),
            ("toan.6.sd,TOAN.6,strand,6,A,,,", "malformed code", 2),
            ("TOAN.6.S_D,TOAN.6,strand,6,A,,,", "malformed code", 2),
            ("TOAN.6.SD.1,TOAN.6.SD,topic,6,A,,,", "is not defined above it", 2),
            ("TOAN.6.SD,TOAN.6,outcome,6,A,,,\nTOAN.6.SD.1,TOAN.6.SD,topic,6,B,,,", "cannot sit under", 3),
            ("TOAN.6.SD,TOAN.6,strand,6,Pha\u{302}n so\u{302}\u{301},,,", "not in Unicode NFC", 2),
            ("TOAN.6.SD,TOAN.6,strand,6,,,,", "empty statement", 2),
            ("TOAN.6.SD,TOAN.6,chapter,6,A,,,", "unknown type", 2),
            ("TOAN.6.SD,TOAN.6,strand,6,A,,follows:TOAN.6,", "unreadable", 2),
            ("TOAN.6.SD,TOAN.6,strand,6,\"A", "never closed", 2),
            ("TOAN.6.SD,TOAN.6,strand,6,A,,", "fields, the header has", 2),
            ("TOAN.6.A,TOAN.6,strand,6,A,,precedes:TOAN.6.B,\nTOAN.6.B,TOAN.6,strand,6,B,,precedes:TOAN.6.A,", "precedes cycle", 2),
            ("TOAN.13,,grade,13,A,,,", "not 1–12", 2),
            ("TOAN.6.SD.1,TOAN.6,strand,6,A,,,", "by one segment", 2),
        ])
    func rules(rows: String, message: String, line: Int) {
        let (_, problems) = read(rows)
        let problem = problems.first { $0.message.contains(message) }
        #expect(problem != nil, "expected '\(message)' in \(problems)")
        #expect(problem?.file == "frameworks/TOAN.csv")
        #expect(problem?.line == line)
        #expect(problem?.hint.isEmpty == false)
    }

    @Test("Legacy encodings are named, not misread")
    func legacyEncodings() {
        // "Toán lớp 6" in TCVN3: T o ¸ n  l í p  6 → bytes 54 6F B8 6E 20 6C ED 70 20 36
        let tcvn3 = Data([0x63, 0x6F, 0x64, 0x65, 0x0A, 0x54, 0x6F, 0xB8, 0x6E, 0x20, 0x6C, 0xED, 0x70])
        let (_, problems) = CatalogReader.read(files: [("subjects.csv", Data(Self.subjects.utf8)), ("frameworks/TOAN.csv", tcvn3)])
        let problem = problems.first { $0.file == "frameworks/TOAN.csv" }
        #expect(problem?.message.contains("not UTF-8") == true)
        #expect(problem?.message.contains("TCVN3") == true)
    }

    @Test("CSV: quotes, doubled quotes, line breaks inside fields, CRLF")
    func csv() throws {
        let records = try CSV.parse("a,b\r\n\"x, y\",\"say \"\"hi\"\"\nthere\"\r\n\nlast,\n")
        #expect(records.map(\.fields) == [["a", "b"], ["x, y", "say \"hi\"\nthere"], ["last", ""]])
        #expect(records.map(\.line) == [1, 2, 5])
        #expect(CSV.escape("a,\"b\"") == "\"a,\"\"b\"\"\"")
    }
}
