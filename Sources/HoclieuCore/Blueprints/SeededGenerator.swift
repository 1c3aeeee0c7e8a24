/// A small, fast, seeded pseudo-random generator: xoshiro256** (Blackman and Vigna),
/// with its state filled by SplitMix64 from a 64-bit seed.
///
/// Test assembly must be reproducible: the same seed gives the same test on every
/// machine and every toolchain. So this generator and the helpers below (``next(below:)``,
/// ``shuffle(_:)``) are written out here instead of relying on the standard library's
/// `random(in:using:)` or `shuffled(using:)`, whose algorithms may change between releases.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator from a seed. Every seed, 0 included, gives a usable state.
    public init(seed: UInt64) {
        var mixer = SplitMix64(state: seed)
        s0 = mixer.next()
        s1 = mixer.next()
        s2 = mixer.next()
        s3 = mixer.next()
    }

    /// A generator for one named stream of a seed (for example variant 2 of a test), independent of the others:
    /// the seed and the stream number are mixed through SplitMix64.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(state: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        self.init(seed: mixer.next())
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, 45)
        return result
    }

    /// A uniform integer in `0..<bound` (`bound` > 0), by Lemire's multiply-and-reject method.
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold {
                product = next().multipliedFullWidth(by: range)
            }
        }
        return Int(product.high)
    }

    /// Shuffles the elements in place (Fisher–Yates, from the end).
    public mutating func shuffle<C: MutableCollection & RandomAccessCollection>(_ elements: inout C) where C.Index == Int {
        guard elements.count > 1 else { return }
        var i = elements.endIndex - 1
        while i > elements.startIndex {
            let j = elements.startIndex + next(below: i - elements.startIndex + 1)
            if i != j { elements.swapAt(i, j) }
            i -= 1
        }
    }

    /// Moves `count` elements chosen uniformly at random to the front of `elements`, in
    /// random order (a partial Fisher–Yates shuffle), and returns how many were moved
    /// (`count`, or fewer when there are fewer elements).
    @discardableResult
    public mutating func choosePrefix<C: MutableCollection & RandomAccessCollection>(_ elements: inout C, count: Int) -> Int
    where C.Index == Int {
        let n = elements.count
        let k = max(0, min(count, n))
        var i = 0
        while i < k {
            let j = i + next(below: n - i)
            if i != j { elements.swapAt(elements.startIndex + i, elements.startIndex + j) }
            i += 1
        }
        return k
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}

/// SplitMix64 (Steele, Lea and Flood): used to spread a seed over xoshiro's state.
struct SplitMix64: Sendable {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
