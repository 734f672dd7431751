/// Conversions of raw 32-bit words into floating-point variates. All are exact functions of the bits, so the same
/// counter gives the same number on every machine.
public enum Uniform {
    /// (0, 1]: never 0, so `log` is always finite. Uses the top 24 bits; spacing 2^-24.
    @inlinable @inline(__always)
    public static func openClosed(_ w: UInt32) -> Float {
        Float((w >> 8) &+ 1) * 0x1p-24
    }

    /// [0, 1): spacing 2^-24.
    @inlinable @inline(__always)
    public static func closedOpen(_ w: UInt32) -> Float {
        Float(w >> 8) * 0x1p-24
    }

    /// [0, 1) in double precision from two words (53 bits).
    @inlinable @inline(__always)
    public static func double(_ hi: UInt32, _ lo: UInt32) -> Double {
        let bits = (UInt64(hi) << 21) ^ UInt64(lo >> 11)
        return Double(bits & ((1 << 53) - 1)) * 0x1p-53
    }
}
