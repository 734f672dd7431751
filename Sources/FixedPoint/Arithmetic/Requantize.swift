/// The one rounding-and-overflow primitive every fast path goes through.
///
/// An exact value is given as an integer `v` and a scale: value = v * 2^-fracBits. `quantize` rounds it to the target
/// format's grid with the target rounding mode, then applies the overflow mode. Everything happens in `Int128`, never
/// through floating point, and nothing traps: out-of-range shifts and overflows are handled explicitly.
public enum FixedArithmetic {
    /// Rounds v * 2^-fracBits into `config` and returns the raw value (always within the format's range).
    ///
    /// `random` is the 32-bit word used by `.stochastic` (ignored by the other modes).
    @inlinable
    public static func quantize(_ v: Int128, fracBits: Int, into config: FixedConfig, random: UInt32 = 0) -> Int128 {
        let s = fracBits &- config.format.fracBits
        if s > 0 {
            let q = roundShift(v, by: s, mode: config.rounding, random: random)
            return overflow(q, format: config.format, mode: config.overflow)
        }
        if s == 0 { return overflow(v, format: config.format, mode: config.overflow) }
        return shiftLeft(v, by: 0 &- s, format: config.format, mode: config.overflow)
    }

    /// floor/ceil/nearest of v * 2^-s (s >= 1) by `mode`. The result may lie anywhere in Int128.
    @inlinable
    public static func roundShift(_ v: Int128, by s: Int, mode: Quantization, random: UInt32) -> Int128 {
        if s <= 0 { return v }
        // q = floor(v / 2^s); the discarded fraction compared with one half: -1 below, 0 tie, +1 above.
        let q: Int128
        let cmp: Int
        let inexact: Bool
        if s < 128 {
            q = v >> s
            let r = UInt128(truncatingIfNeeded: v) & ((UInt128(1) << s) &- 1)
            inexact = r != 0
            let half = UInt128(1) << (s &- 1)
            cmp = r < half ? -1 : (r == half ? 0 : 1)
        } else {
            // |v| <= 2^127 <= 2^(s-1): the quotient is 0 or -1 and the remainder is v or 2^s + v.
            q = v < 0 ? -1 : 0
            inexact = v != 0
            cmp = v >= 0 ? -1 : ((s == 128 && v == Int128.min) ? 0 : 1)
        }
        if !inexact { return q }
        let up: Bool
        switch mode {
        case .truncate: up = false
        case .truncateToZero: up = v < 0
        case .roundHalfUp: up = cmp >= 0
        case .roundHalfToZero: up = cmp > 0 || (cmp == 0 && v < 0)
        case .roundHalfAwayFromZero: up = cmp > 0 || (cmp == 0 && v > 0)
        case .roundHalfDown: up = cmp > 0
        case .roundHalfToEven: up = cmp > 0 || (cmp == 0 && (q & 1) != 0)
        case .roundHalfToOdd: up = cmp > 0 || (cmp == 0 && (q & 1) == 0)
        case .stochastic:
            up = UInt64(fractionTop32(v, s)) &+ UInt64(random) >= (1 << 32)
        }
        return up ? q &+ 1 : q
    }

    /// floor(frac * 2^32) where frac = (v mod 2^s) / 2^s: the 32 fraction bits stochastic rounding looks at.
    @inlinable
    static func fractionTop32(_ v: Int128, _ s: Int) -> UInt32 {
        if s >= 32 {
            return UInt32(truncatingIfNeeded: v >> min(s &- 32, 127))
        }
        let r = UInt128(truncatingIfNeeded: v) & ((UInt128(1) << s) &- 1)
        return UInt32(truncatingIfNeeded: r << (32 &- s))
    }

    /// Applies the overflow mode to an integer that is already on the format's grid.
    @inlinable
    public static func overflow(_ q: Int128, format: FixedFormat, mode: Overflow) -> Int128 {
        let hi = format.rawMax
        let lo = format.lowestKept(under: mode)
        if q >= lo && q <= hi { return q }
        switch mode {
        case .wrap: return wrap(UInt128(truncatingIfNeeded: q), format: format)
        case .saturate, .saturateSymmetric: return q < lo ? lo : hi
        case .saturateToZero: return 0
        }
    }

    /// The low `width` bits of a two's complement bit pattern, read in the format (sign-extended when signed).
    @inlinable
    public static func wrap(_ bits: UInt128, format: FixedFormat) -> Int128 {
        let w = format.width
        if format.isSigned {
            let up = 128 &- w
            return Int128(truncatingIfNeeded: bits << up) >> up
        }
        return Int128(truncatingIfNeeded: bits & ((UInt128(1) << w) &- 1))
    }

    /// v * 2^k (k >= 1) into the format, exactly, even when the product leaves Int128.
    @inlinable
    static func shiftLeft(_ v: Int128, by k: Int, format: FixedFormat, mode: Overflow) -> Int128 {
        if v == 0 { return 0 }
        if k <= 127 && v >= (Int128.min >> k) && v <= (Int128.max >> k) {
            return overflow(v << k, format: format, mode: mode)
        }
        // |v * 2^k| >= 2^127: beyond every format's range.
        let low: UInt128 = k < 128 ? UInt128(truncatingIfNeeded: v) << k : 0
        return overflowBeyondRange(negative: v < 0, lowBits: low, format: format, mode: mode)
    }

    /// The overflow result for a value known to lie outside the range, given its sign and its low 128 bits.
    @inlinable
    public static func overflowBeyondRange(negative: Bool, lowBits: UInt128, format: FixedFormat, mode: Overflow)
        -> Int128
    {
        switch mode {
        case .wrap: return wrap(lowBits, format: format)
        case .saturateToZero: return 0
        case .saturate: return negative ? format.rawMin : format.rawMax
        case .saturateSymmetric:
            return negative ? (format.isSigned ? 0 &- format.rawMax : 0) : format.rawMax
        }
    }
}
