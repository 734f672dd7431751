/// `FixedArithmetic.quantize(_: Double, into:)` for deterministic rounding into formats of at most 53 bits, in Double
/// and Int64 arithmetic: x * 2^F is exact (a power-of-two scaling, F in -800...800, unless it leaves Double's range),
/// Double's floor, trunc and round-to-even are exact, so is y - floor(y), and every bound of the format is a Double.
/// NaN, infinities and scaled values of 2^62 or more take the general path. The loss unit rounds each copy's loss
/// with it (8 k per step for the MLP).
public struct DoubleQuantizer: Sendable {
    @usableFromInline let config: FixedConfig
    @usableFromInline let scale: Double
    @usableFromInline let lo: Int64
    @usableFromInline let hi: Int64

    @inlinable
    public init?(_ config: FixedConfig) {
        let f = config.format
        guard config.rounding != .stochastic, f.width <= 53, abs(f.fracBits) <= 800 else { return nil }
        self.config = config
        scale = Double(sign: .plus, exponent: f.fracBits, significand: 1)
        hi = Int64(f.rawMax)
        lo = Int64(config.lowestKept)
    }

    @inlinable
    public func quantize(_ x: Double) -> Int64 {
        let y = x * scale
        guard abs(y) < 0x1p62 else {
            return Int64(truncatingIfNeeded: FixedArithmetic.quantize(x, into: config))
        }
        let r: Double
        switch config.rounding {
        case .truncate: r = y.rounded(.down)
        case .truncateToZero: r = y.rounded(.towardZero)
        case .roundHalfToEven: r = y.rounded(.toNearestOrEven)
        case .roundHalfAwayFromZero: r = y.rounded(.toNearestOrAwayFromZero)
        default:
            let f = y.rounded(.down), d = y - f
            let up: Bool
            switch config.rounding {
            case .roundHalfUp: up = d >= 0.5
            case .roundHalfDown: up = d > 0.5
            case .roundHalfToZero: up = d > 0.5 || (d == 0.5 && y < 0)
            default: up = d > 0.5 || (d == 0.5 && (f * 0.5).rounded(.down) * 2 == f)  // ties to odd
            }
            r = up ? f + 1 : f
        }
        let q = Int64(r)
        if q >= lo && q <= hi { return q }
        return Int64(
            truncatingIfNeeded: FixedArithmetic.overflow(Int128(q), format: config.format, mode: config.overflow))
    }
}
