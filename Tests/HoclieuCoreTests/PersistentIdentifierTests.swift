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

    @Test("Canonical text is verified on its bytes exactly as the normalising parser verifies it")
    func canonicalFastPathAgrees() throws {
        // A leading space is never canonical: that text takes the normalising path, which trims it.
        func bothPaths(_ text: String) -> (String?, String?) {
            ((try? PersistentIdentifier(parsing: text))?.rawValue, (try? PersistentIdentifier(parsing: " " + text))?.rawValue)
        }
        var generator = SystemRandomNumberGenerator()
        let symbols = PersistentIdentifier.alphabet.map(String.init) + ["-", "-", "a", "I", "O", "Z", "é", "--"]
        for serial in [0, 5, 31, 9_999, 31_415_926] {
            for prefix in ["79-760", "HCM", "A-B-C"] {
                let pid = PersistentIdentifier(prefix: prefix, serial: serial).rawValue
                #expect(bothPaths(pid) == (pid, pid))
                var chars = Array(pid).map(String.init)
                // Every position replaced by every symbol, dropped or doubled: the two paths agree on each.
                for i in chars.indices {
                    let original = chars[i]
                    for replacement in symbols + ["", original + original] {
                        chars[i] = replacement
                        let text = chars.joined()
                        let (fast, slow) = bothPaths(text)
                        #expect(fast == slow, "\(text)")
                    }
                    chars[i] = original
                }
            }
        }
        for _ in 0..<2_000 {
            let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in symbols.randomElement(using: &generator)! }.joined()
            let (fast, slow) = bothPaths(text)
            #expect(fast == slow, "\(text)")
        }
        #expect(bothPaths(String(repeating: "1", count: 70)) == (nil, nil))
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
