/// Comparisons whose time does not depend on where two secrets first differ.
public enum ConstantTime {
    /// Whether `a` and `b` hold the same UTF-8 bytes, looking at every byte of the longer one
    /// (only the lengths can be told apart by timing).
    public static func equal(_ a: some StringProtocol, _ b: some StringProtocol) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(truncatingIfNeeded: x.count ^ y.count)
        for i in 0..<max(x.count, y.count) {
            difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return difference == 0 && x.count == y.count
    }
}
