extension FixedArithmetic {
    /// Rounds the exact binary value of `x` into `config` (no detour through a rounded intermediate).
    ///
    /// Not-a-number gives 0; +-infinity behaves like a value beyond every range (SAT: the extreme, SAT_SYM: +-max,
    /// SAT_ZERO: 0, WRAP: 0, the limit of 2^k mod 2^W).
    @inlinable
    public static func quantize(_ x: Double, into config: FixedConfig, random: UInt32 = 0) -> Int128 {
        guard x.isFinite else {
            if x.isNaN { return 0 }
            return overflowBeyondRange(negative: x < 0, lowBits: 0, format: config.format, mode: config.overflow)
        }
        let (v, frac) = exactScaled(x)
        return quantize(v, fracBits: frac, into: config, random: random)
    }

    /// Rounds the exact binary value of `x` into `config`; see `quantize(_: Double, ...)` for NaN and infinities.
    @inlinable
    public static func quantize(_ x: Float, into config: FixedConfig, random: UInt32 = 0) -> Int128 {
        guard x.isFinite else {
            if x.isNaN { return 0 }
            return overflowBeyondRange(negative: x < 0, lowBits: 0, format: config.format, mode: config.overflow)
        }
        let (v, frac) = exactScaled(x)
        return quantize(v, fracBits: frac, into: config, random: random)
    }

    /// x = v * 2^-frac exactly, for finite x.
    @inlinable
    public static func exactScaled(_ x: Double) -> (Int128, Int) {
        let e = Int(x.exponentBitPattern)
        let m = x.significandBitPattern | (e == 0 ? 0 : (1 << 52))
        let mag = Int128(m)
        return (x.sign == .minus ? 0 &- mag : mag, e == 0 ? 1074 : 1075 &- e)
    }

    /// x = v * 2^-frac exactly, for finite x.
    @inlinable
    public static func exactScaled(_ x: Float) -> (Int128, Int) {
        let e = Int(x.exponentBitPattern)
        let m = x.significandBitPattern | (e == 0 ? 0 : (1 << 23))
        let mag = Int128(m)
        return (x.sign == .minus ? 0 &- mag : mag, e == 0 ? 149 : 150 &- e)
    }

    /// The value of a raw integer in `format` as the nearest Double (ties to even).
    @inlinable
    public static func toDouble(_ raw: Int128, format: FixedFormat) -> Double {
        // Int128 -> Double rounds once; scaling by a power of two is exact unless it under/overflows. Raw values that
        // fit Int64 convert with one instruction (the same correctly rounded result): the generic Int128 conversion
        // goes through unspecialised FixedWidthInteger witnesses in libswiftCore, ~100x slower.
        let narrow = Int64(truncatingIfNeeded: raw)
        var d = Int128(narrow) == raw ? Double(narrow) : Double(raw)
        var f = format.fracBits
        while f > 1000 { d *= 0x1p-1000; f -= 1000 }
        while f < -1000 { d *= 0x1p1000; f += 1000 }
        return d * Double(sign: .plus, exponent: -f, significand: 1)
    }
}
