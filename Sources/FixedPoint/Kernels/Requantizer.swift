/// Vectorised requantization of Int64 values at one scale into a format: `FixedArithmetic.quantize` for every
/// deterministic rounding and overflow mode, when every value is below 2^62 in magnitude.
///
/// The rounding and overflow are the fast dot product's lane operations (`FastDotPlan`: a bias trick for the
/// round-to-nearest family, sign/zero extension or a clamp for overflow), chosen once per call, so each element is a
/// few branch-free Int64 operations in a loop LLVM vectorises. `RequantizerTests` checks it against `quantize`.
public struct Int64Requantizer: Sendable {
    @usableFromInline let rounding: FastDotPlan.Rounding
    @usableFromInline let clip: FastDotPlan.Clip
    @usableFromInline let lanes: FastLaneParams<Int64>

    /// For values v * 2^-fracBits with |v| <= bound into `config`; nil when the config rounds stochastically (and
    /// drops bits), the format is wider than 62 bits, or the bound leaves Int64's safe range.
    public init?(fracBits: Int, bound: Int128, into config: FixedConfig) {
        let f = config.format
        let s = fracBits - f.fracBits
        guard f.width <= 62, bound >= 0, bound < (Int128(1) << 62), s > -62 else { return nil }
        if s > 0 {
            switch config.rounding {
            case .stochastic: return nil
            case .truncate: rounding = .floor
            case .roundHalfToEven, .roundHalfToOdd: rounding = .parity
            default: rounding = .signBias
            }
        } else {
            rounding = .shiftLeft
        }
        let hi = f.rawMax
        let lo = (config.overflow == .saturateSymmetric && f.isSigned) ? 0 - hi : f.rawMin
        switch config.overflow {
        case .wrap: clip = f.isSigned ? .signExtend : .zeroExtend
        case .saturate, .saturateSymmetric: clip = .clamp
        case .saturateToZero: clip = .zero
        }
        guard
            let l = FastLaneParams<Int64>(
                s: s, mode: s > 0 ? config.rounding : .truncate, maxProduct: max(bound, 1),
                clipFormat: f, lo: lo, hi: hi)
        else { return nil }
        lanes = l
    }

    /// out[j] = quantize(x[j]) for j < count.
    public func apply(_ x: UnsafePointer<Int64>, count: Int, into out: UnsafeMutablePointer<Int64>) {
        dispatch(RequantizeBody(a: x, shiftA: 0, b: nil, scale: 0, shiftB: 0, count: count, out: out))
    }

    /// out[j] = quantize((a[j] << shiftA) + ((scale * b[j]) << shiftB)) — a sum of two aligned terms rounded once
    /// (noise injection: the accumulator plus sigma times the noise). The caller bounds the sum by `bound`.
    public func applySum(
        _ a: UnsafePointer<Int64>, shiftA: Int, _ b: UnsafePointer<Int64>, scale: Int64, shiftB: Int,
        count: Int, into out: UnsafeMutablePointer<Int64>
    ) {
        dispatch(
            RequantizeBody(
                a: a, shiftA: Int64(shiftA), b: b, scale: scale, shiftB: Int64(shiftB), count: count, out: out))
    }

    func dispatch(_ body: RequantizeBody) {
        switch rounding {
        case .floor: dispatchClip(FloorRound(lanes), body)
        case .signBias: dispatchClip(SignBiasRound(lanes), body)
        case .parity: dispatchClip(ParityRound(lanes), body)
        case .shiftLeft: dispatchClip(ShiftLeftRound(lanes), body)
        }
    }

    func dispatchClip<R: FastRound>(_ r: R, _ body: RequantizeBody) where R.Lane == Int64 {
        switch clip {
        case .signExtend: body.run(r, SignExtendClip(lanes))
        case .zeroExtend: body.run(r, ZeroExtendClip(lanes))
        case .clamp: body.run(r, ClampClip(lanes))
        case .zero: body.run(r, ZeroClip(lanes))
        }
    }
}

struct RequantizeBody {
    let a: UnsafePointer<Int64>
    let shiftA: Int64
    let b: UnsafePointer<Int64>?
    let scale: Int64
    let shiftB: Int64
    let count: Int
    let out: UnsafeMutablePointer<Int64>

    func run<R: FastRound, C: FastClip>(_ r: R, _ c: C) where R.Lane == Int64, C.Lane == Int64 {
        if let b {
            for j in 0..<count { out[j] = c(r((a[j] &<< shiftA) &+ ((scale &* b[j]) &<< shiftB))) }
        } else {
            for j in 0..<count { out[j] = c(r(a[j])) }
        }
    }
}
