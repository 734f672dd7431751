/// The exact oracle: GMP arithmetic on rationals, with rounding and overflow done by exact division and comparison.
///
/// This is deliberately a second, independent implementation of the semantics the fast paths (`FixedArithmetic`,
/// `FixedMAC`, the kernels) implement with bit tricks on `Int128`; the property tests check one against the other.
public enum ExactReference {
    /// The exact value of a raw integer in `format`.
    public static func value(raw: Int128, format: FixedFormat) -> Rational {
        Rational(raw: raw, fracBits: format.fracBits)
    }

    /// Rounds `x` into `config` exactly and returns the raw value. `random` drives `.stochastic`: the result rounds up
    /// when floor(frac * 2^32) + random >= 2^32, frac being the discarded fraction of x in ULPs.
    public static func round(_ x: Rational, into config: FixedConfig, random: UInt32 = 0) -> Int128 {
        let f = config.format
        // x * 2^F = n / d, d > 0.
        let scaled = Rational(copying: x)
        scaled.scale(byPowerOfTwo: f.fracBits)
        let n = scaled.numerator, d = scaled.denominator
        let (fl, r) = BigInt.floorDivide(n, d)
        var result = fl
        if r.signum != 0 {
            let twice = r + r
            let cmpHalf = twice < d ? -1 : (twice == d ? 0 : 1)
            let negative = n.signum < 0
            let up: Bool
            switch config.rounding {
            case .truncate: up = false
            case .truncateToZero: up = negative
            case .roundHalfUp: up = cmpHalf >= 0
            case .roundHalfToZero: up = cmpHalf > 0 || (cmpHalf == 0 && negative)
            case .roundHalfAwayFromZero: up = cmpHalf > 0 || (cmpHalf == 0 && !negative)
            case .roundHalfDown: up = cmpHalf > 0
            case .roundHalfToEven: up = cmpHalf > 0 || (cmpHalf == 0 && fl.isOdd)
            case .roundHalfToOdd: up = cmpHalf > 0 || (cmpHalf == 0 && !fl.isOdd)
            case .stochastic:
                // t = floor(r * 2^32 / d), the top 32 bits of the fraction.
                let t = BigInt.floorDivide(r.shifted(by: 32), d).quotient
                up = t + BigInt(Int(random)) >= BigInt.powerOfTwo(32)
            }
            if up { result = fl + BigInt(1) }
        }
        return overflow(result, config: config)
    }

    /// Applies the overflow mode to an integer on the format's grid.
    public static func overflow(_ v: BigInt, config: FixedConfig) -> Int128 {
        let f = config.format
        let maxV = BigInt(f.rawMax)
        let minV = (config.overflow == .saturateSymmetric && f.isSigned) ? -maxV : BigInt(f.rawMin)
        if v >= minV && v <= maxV { return v.lowBits128 }
        switch config.overflow {
        case .saturate, .saturateSymmetric: return (v < minV ? minV : maxV).lowBits128
        case .saturateToZero: return 0
        case .wrap:
            var m = v.modPowerOfTwo(f.width)
            if f.isSigned && m >= BigInt.powerOfTwo(f.width - 1) { m = m - BigInt.powerOfTwo(f.width) }
            return m.lowBits128
        }
    }

    /// The error of a datapath result in ULPs of `format`: (value(raw) - exact) / 2^-F.
    public static func errorInULPs(raw: Int128, format: FixedFormat, exact: Rational) -> Rational {
        let e = value(raw: raw, format: format) - exact
        e.scale(byPowerOfTwo: format.fracBits)
        return e
    }
}
