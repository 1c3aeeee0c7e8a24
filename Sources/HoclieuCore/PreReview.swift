public import Foundation

/// What Hoclieu checked before a reviewer opens a submission: duplicates across the sector, technical
/// findings, and how the material's text fits the catalogue.
public struct PreReview: Codable, Sendable, Equatable {
    /// A published material that looks the same.
    public struct Duplicate: Codable, Sendable, Equatable {
        public var pid: String
        public var title: String
        /// Same file (content id) as the submitted version.
        public var exact: Bool
        /// Estimated Jaccard similarity of the texts' 3-word shingles (MinHash), 0…1.
        public var similarity: Double
        /// Shingles both texts share, a few as evidence.
        public var overlap: [String]

        public init(pid: String, title: String, exact: Bool, similarity: Double, overlap: [String]) {
            self.pid = pid
            self.title = title
            self.exact = exact
            self.similarity = similarity
            self.overlap = overlap
        }
    }

    /// A machine finding, in both languages.
    public struct Finding: Codable, Sendable, Equatable {
        public var code: String
        public var vi: String
        public var en: String

        public init(code: String, vi: String, en: String) {
            self.code = code
            self.vi = vi
            self.en = en
        }
    }

    /// A catalogue unit and how well the material's text matches its statement.
    public struct UnitFit: Codable, Sendable, Equatable {
        public var code: String
        public var statement: String
        /// Share of the statement's content words found in the material's text, 0…1.
        public var overlap: Double

        public init(code: String, statement: String, overlap: Double) {
            self.code = code
            self.statement = statement
            self.overlap = overlap
        }
    }

    public var duplicates: [Duplicate]
    public var findings: [Finding]
    /// The units the author tagged, with their fit.
    public var tagged: [UnitFit]
    /// The best-matching units of the material's subjects.
    public var suggested: [UnitFit]
    /// How much of the package's pages the technical checks read (nil for a plain file).
    public var packageScan: PackageScan?
    public var computedAt: Date
    public var milliseconds: Int

    /// The extent of the page scan of a package: its findings are in ``findings``.
    public struct PackageScan: Codable, Sendable, Equatable {
        public var pagesScanned: Int
        /// Pages left unread because a bound was reached (the findings then cover the rest only).
        public var pagesSkipped: Int
        public var bytesScanned: Int
        public var milliseconds: Int

        public init(pagesScanned: Int, pagesSkipped: Int, bytesScanned: Int, milliseconds: Int) {
            self.pagesScanned = pagesScanned
            self.pagesSkipped = pagesSkipped
            self.bytesScanned = bytesScanned
            self.milliseconds = milliseconds
        }
    }

    public init(
        duplicates: [Duplicate], findings: [Finding], tagged: [UnitFit], suggested: [UnitFit], packageScan: PackageScan? = nil,
        computedAt: Date, milliseconds: Int
    ) {
        self.duplicates = duplicates
        self.findings = findings
        self.tagged = tagged
        self.suggested = suggested
        self.packageScan = packageScan
        self.computedAt = computedAt
        self.milliseconds = milliseconds
    }

    /// Near-duplicate threshold on the estimated Jaccard similarity.
    public static let nearDuplicate = 0.8
}

/// MinHash signatures over 3-word shingles of folded text: similarity of two texts in constant time.
public struct MinHash: Sendable, Equatable {
    public static let permutations = 128
    public var values: [UInt64]
    /// A sample of the text's shingles (for evidence), at most 200.
    public var shingles: Set<String>

    /// The folded content words of a text (lower case, no diacritics, `đ`→`d`).
    public static func words(_ text: String) -> [String] {
        VietnameseText.fold(text).lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
    }

    public init(text: String, maxWords: Int = 20_000) {
        let words = Array(Self.words(text).prefix(maxWords))
        var values = [UInt64](repeating: .max, count: Self.permutations)
        var sample = Set<String>()
        if words.count >= 3 {
            for i in 0...(words.count - 3) {
                let shingle = words[i] + " " + words[i + 1] + " " + words[i + 2]
                if sample.count < 200 { sample.insert(shingle) }
                var base = Self.fnv1a(shingle)
                for p in 0..<Self.permutations {
                    // One 64-bit hash per permutation: splitmix of the base hash and the permutation's seed.
                    base = base &+ 0x9E37_79B9_7F4A_7C15
                    let h = Self.mix(base ^ (UInt64(p) &* 0xD6E8_FEB8_6659_FD93))
                    if h < values[p] { values[p] = h }
                }
            }
        }
        self.values = values
        self.shingles = sample
    }

    /// The estimated Jaccard similarity (0 when either text is too short to shingle).
    public func similarity(_ other: MinHash) -> Double {
        guard values.first != .max, other.values.first != .max else { return 0 }
        var same = 0
        for (a, b) in zip(values, other.values) where a == b { same += 1 }
        return Double(same) / Double(Self.permutations)
    }

    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in s.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The restrictions a licence string carries, read from Creative Commons codes (`CC BY-NC-SA 4.0`,
/// `CC-BY-ND-4.0`, a `creativecommons.org/licenses/by-nc/…` URL) or from an all-rights-reserved notice.
public struct LicenceTerms: Sendable, Equatable {
    public var nonCommercial = false
    public var noDerivatives = false
    public var shareAlike = false
    /// "All rights reserved", "Bản quyền thuộc về…", "©" without an open licence.
    public var allRightsReserved = false

    public init(_ licence: String) {
        let folded = VietnameseText.fold(licence).lowercased()
        let tokens = Set(folded.split { !$0.isLetter && !$0.isNumber }.map(String.init))
        let creativeCommons = tokens.contains("cc") || folded.contains("creativecommons") || tokens.contains("by")
        nonCommercial = tokens.contains("nc")
        noDerivatives = tokens.contains("nd")
        shareAlike = tokens.contains("sa")
        allRightsReserved = !creativeCommons && !tokens.contains("cc0") && !folded.contains("public domain")
            && (folded.contains("all rights reserved") || folded.contains("ban quyen") || folded.contains("©") || folded.contains("copyright"))
    }

    /// Whether material under `self` may be offered under `other` without breaking `self`'s terms.
    public func permits(_ other: LicenceTerms) -> Bool {
        if allRightsReserved { return other.allRightsReserved }
        if nonCommercial && !other.nonCommercial && !other.allRightsReserved { return false }
        if noDerivatives && !other.noDerivatives && !other.allRightsReserved { return false }
        if shareAlike && !other.shareAlike && !other.allRightsReserved { return false }
        return true
    }
}
