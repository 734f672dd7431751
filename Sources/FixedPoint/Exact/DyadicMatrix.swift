/// Exact results that share one power-of-two scale: element e is mantissas[e] * 2^-fracBits.
///
/// Sums and products of binary floating-point and fixed-point numbers are dyadic rationals, so a common scale keeps
/// the whole reference on GMP integers (mpz addmul) instead of slower rationals.
public struct DyadicMatrix: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    public let mantissas: [BigInt]
    public let fracBits: Int

    public init(rows: Int, columns: Int, mantissas: [BigInt], fracBits: Int) {
        self.rows = rows
        self.columns = columns
        self.mantissas = mantissas
        self.fracBits = fracBits
    }

    /// The exact value of element (i, j).
    public func value(_ i: Int, _ j: Int) -> Rational {
        let r = Rational(mantissas[i * columns + j])
        r.scale(byPowerOfTwo: -fracBits)
        return r
    }

    /// Every element rounded exactly into `config` (row-major raw values).
    public func rounded(into config: FixedConfig) -> [Int128] {
        (0..<mantissas.count).map { e in ExactReference.round(value(e / columns, e % columns), into: config) }
    }
}

/// A finite binary floating-point value as odd mantissa * 2^-frac (zero as (0, nil)).
@usableFromInline
func reducedDyadic(_ x: Float) -> (mantissa: Int128, frac: Int?) {
    guard x.isFinite, x != 0 else { return (0, nil) }
    var (v, f) = FixedArithmetic.exactScaled(x)
    let tz = v.trailingZeroBitCount
    v >>= tz
    f -= tz
    return (v, f)
}
