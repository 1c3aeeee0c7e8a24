import CommonCartridge
import Testing

@Suite struct CartridgeModelTests {
    @Test func messageNamesWhereItApplies() {
        let m = CartridgeMessage(code: "missingFile", vi: "Thiếu tệp", en: "Missing file", resource: "R1", path: "a/b.html", line: 3)
        #expect(m.description == "Missing file (R1, a/b.html:3)")
    }
}
