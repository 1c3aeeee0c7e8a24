import HoclieuCore
import Testing

@Suite("Persistent identifiers")
struct PersistentIdentifierTests {
    @Test("Minted identifiers parse back to the same serial and prefix")
    func roundTrip() throws {
        for serial in [0, 1, 30, 31, 961, 123_456, 887_503_680, 5_000_000_000] {
            let pid = PersistentIdentifier(prefix: "79-760", serial: serial)
            let parsed = try PersistentIdentifier(parsing: pid.rawValue.lowercased())
            #expect(parsed == pid)
            #expect(parsed.serial == serial)
            #expect(parsed.prefix == "79-760")
        }
    }

    @Test("Every single-character substitution is caught")
    func substitutions() throws {
        for serial in [1, 42, 99_999, 31_415_926] {
            let pid = PersistentIdentifier(prefix: "HCM-Q1", serial: serial).rawValue
            var chars = Array(pid)
            for i in chars.indices where chars[i] != "-" {
                let original = chars[i]
                for replacement in PersistentIdentifier.alphabet where replacement != original {
                    chars[i] = replacement
                    #expect(throws: PIDError.self, "\(String(chars)) accepted") { try PersistentIdentifier(parsing: String(chars)) }
                }
                chars[i] = original
            }
        }
    }

    @Test("Every swap of two adjacent different characters is caught, separators included")
    func transpositions() throws {
        for serial in [7, 1234, 987_654, 20_000_000] {
            let pid = PersistentIdentifier(prefix: "79-760", serial: serial).rawValue
            let chars = Array(pid)
            for i in 0..<(chars.count - 1) where chars[i] != chars[i + 1] {
                var swapped = chars
                swapped.swapAt(i, i + 1)
                #expect(throws: PIDError.self, "\(String(swapped)) accepted") { try PersistentIdentifier(parsing: String(swapped)) }
            }
        }
    }

    @Test("Malformed text and a wrong check character are told apart")
    func errors() {
        #expect(throws: PIDError.checkCharacterMismatch) {
            var text = Array(PersistentIdentifier(prefix: "79", serial: 5).rawValue)
            text[text.count - 1] = text.last == "0" ? "1" : "0"
            return try PersistentIdentifier(parsing: String(text))
        }
        for bad in ["", "-", "79-", "abc", "79--000001X", "79-00 01", "79-0000Z1X", String(repeating: "1", count: 80)] {
            #expect(throws: PIDError.self) { try PersistentIdentifier(parsing: bad) }
        }
    }

    @Test("Versioned form PID@vN")
    func versioned() throws {
        let pid = PersistentIdentifier(prefix: "79", serial: 12)
        let v = try VersionedPID(parsing: "\(pid.rawValue)@v3")
        #expect(v.pid == pid && v.version == 3)
        #expect(try VersionedPID(parsing: pid.rawValue).version == nil)
        #expect(throws: PIDError.self) { try VersionedPID(parsing: "\(pid.rawValue)@v0") }
        #expect(throws: PIDError.self) { try VersionedPID(parsing: "\(pid.rawValue)@3") }
    }

    @Test("Prefixes are validated")
    func prefixes() {
        #expect(PersistentIdentifier.validatePrefix("79-760"))
        #expect(!PersistentIdentifier.validatePrefix(""))
        #expect(!PersistentIdentifier.validatePrefix("-79"))
        #expect(!PersistentIdentifier.validatePrefix("HÀ-NỘI"))
    }
}
