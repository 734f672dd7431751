/// Polynomial `log` and `sin`/`cos` for Box–Muller in plain IEEE single-precision arithmetic (adds, multiplies,
/// integer bit operations; no fused multiply-add, no libm), so every machine computes the same bits. Branch-free, so
/// loops calling them vectorise.
///
/// The polynomials are Cephes' `logf`, `sinf` and `cosf` (S. L. Moshier), accurate to about one ulp of Float on the
/// reduced ranges used here.
public enum GaussianMath {
    /// Natural log of a positive normal Float (Box–Muller only passes (0, 1]).
    @inlinable @inline(__always)
    public static func log(_ x: Float) -> Float {
        // x = f * 2^e with f in [sqrt(1/2), sqrt(2)); f - 1 is exact.
        let bits = x.bitPattern
        var e = Float(Int32(truncatingIfNeeded: bits >> 23) &- 126)
        var f = Float(bitPattern: (bits & 0x807F_FFFF) | 0x3F00_0000)  // [0.5, 1)
        let small = f < 0.707_106_781_186_547_524
        e = small ? e - 1 : e
        f = small ? f + f - 1 : f - 1
        let z = f * f
        var y: Float = 7.037_683_629_2e-2
        y = y * f - 1.151_461_031_0e-1
        y = y * f + 1.167_699_874_0e-1
        y = y * f - 1.242_014_084_6e-1
        y = y * f + 1.424_932_278_7e-1
        y = y * f - 1.666_805_766_5e-1
        y = y * f + 2.000_071_476_5e-1
        y = y * f - 2.499_999_399_3e-1
        y = y * f + 3.333_333_117_4e-1
        y = y * f * z
        y = y + e * -2.121_944_40e-4
        y = y - 0.5 * z
        return (f + y) + e * 0.693_359_375
    }

    /// `(sin, cos)` of `2 pi k / 2^24` for an integer `k` in [0, 2^24) (the angle Box–Muller takes from the top 24 bits
    /// of a word). The quarter turn is split off exactly in integer arithmetic, leaving |angle| <= pi/4, so the only
    /// rounding is in the polynomial; more accurate than `sin(Float(k) * 2^-24 * 2 * Float.pi)`.
    @inlinable @inline(__always)
    public static func sinCos2Pi(turns24 k: Int32) -> (sin: Float, cos: Float) {
        let quadrant = (k &+ (1 << 21)) &>> 22  // nearest quarter turn, 0...4
        let rest = k &- (quadrant &<< 22)  // [-2^21, 2^21)
        let a = Float(rest) * (2 * Float.pi * 0x1p-24)
        let z = a * a
        var s: Float = -1.951_529_589_1e-4
        s = s * z + 8.332_160_873_6e-3
        s = s * z - 1.666_665_461_1e-1
        s = s * z * a + a
        var c: Float = 2.443_315_711_809_948e-5
        c = c * z - 1.388_731_625_493_765e-3
        c = c * z + 4.166_664_568_298_827e-2
        c = c * z * z - 0.5 * z + 1
        // Rotate by the quadrant: swap for odd quadrants, then fix the signs.
        let swap = (quadrant & 1) != 0
        let sv = swap ? c : s
        let cv = swap ? s : c
        let sinSign = UInt32(truncatingIfNeeded: quadrant & 2) &<< 30
        let cosSign = UInt32(truncatingIfNeeded: (quadrant &+ 1) & 2) &<< 30
        return (Float(bitPattern: sv.bitPattern ^ sinSign), Float(bitPattern: cv.bitPattern ^ cosSign))
    }

    /// Box–Muller radius `sqrt(-2 log u)` for `u = Uniform.openClosed(w)`.
    @inlinable @inline(__always)
    public static func radius(_ w: UInt32) -> Float {
        let u = Float(Int32(truncatingIfNeeded: (w >> 8) &+ 1)) * 0x1p-24
        // `magnitude` changes nothing (the value is >= 0) but lets LLVM drop sqrtf's errno path and vectorise.
        return (-2 * log(u)).magnitude.squareRoot()
    }
}
