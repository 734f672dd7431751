import CIntKernels

/// Vectorised requantization of Int64 values at one scale into a format: `FixedArithmetic.quantize` for every
/// deterministic rounding and overflow mode, when every value is below 2^62 in magnitude.
///
/// The rounding and overflow are the fast dot product's lane operations (`FastDotPlan`: a bias trick for the
/// round-to-nearest family, sign/zero extension or a clamp for overflow), chosen once per call, so each element is a
/// few branch-free Int64 operations in a C loop compiled for each instruction set (`lrsim_requantize_sum64`: AVX-512
/// has the 64-bit multiplies, shifts and min/max that the package's baseline lacks). `RequantizerTests` checks it
/// against `quantize`.
public struct Int64Requantizer: Sendable {
    /// The rounding and overflow as the C kernel's parameters (`lrsim_requantize_sum64`).
    let parameters: lrsim_int64_rounding

    /// For values v * 2^-fracBits with |v| <= bound into `config`; nil when the config rounds stochastically (and
    /// drops bits), the format is wider than 62 bits, or the bound leaves Int64's safe range.
    public init?(fracBits: Int, bound: Int128, into config: FixedConfig) {
        let f = config.format
        let s = fracBits - f.fracBits
        guard f.width <= 62, bound >= 0, bound < (Int128(1) << 62), s > -62 else { return nil }
        let rounding: FastDotPlan.Rounding, clip: FastDotPlan.Clip
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
        let lo = config.lowestKept
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
        parameters = Self.cParameters(rounding, clip, l)
    }

    static func cParameters(_ rounding: FastDotPlan.Rounding, _ clip: FastDotPlan.Clip, _ lanes: FastLaneParams<Int64>)
        -> lrsim_int64_rounding
    {
        let kind: Int32
        switch rounding {
        case .floor: kind = Int32(LRSIM_ROUND_FLOOR)
        case .signBias: kind = Int32(LRSIM_ROUND_SIGN_BIAS)
        case .parity: kind = Int32(LRSIM_ROUND_PARITY)
        case .shiftLeft: kind = Int32(LRSIM_ROUND_SHIFT_LEFT)
        }
        let c: Int32
        switch clip {
        case .signExtend: c = Int32(LRSIM_CLIP_SIGN_EXTEND)
        case .zeroExtend: c = Int32(LRSIM_CLIP_ZERO_EXTEND)
        case .clamp: c = Int32(LRSIM_CLIP_CLAMP)
        case .zero: c = Int32(LRSIM_CLIP_ZERO)
        }
        return lrsim_int64_rounding(
            kind: kind, clip: c, shift: lanes.shift, bias: lanes.bias, sign_bias: lanes.signBias, up: lanes.up,
            lo: lanes.lo, hi: lanes.hi)
    }

    /// out[j] = quantize(x[j]) for j < count.
    public func apply(
        _ x: UnsafePointer<Int64>, count: Int, into out: UnsafeMutablePointer<Int64>, isa: IntKernelISA = .preferred
    ) {
        withUnsafePointer(to: parameters) { lrsim_requantize_sum64(isa.rawValue, x, 0, nil, 0, 0, count, out, $0) }
    }

    /// out[j] = quantize((a[j] << shiftA) + ((scale * b[j]) << shiftB)) — a sum of two aligned terms rounded once
    /// (noise injection: the accumulator plus sigma times the noise). The caller bounds the sum by `bound`.
    public func applySum(
        _ a: UnsafePointer<Int64>, shiftA: Int, _ b: UnsafePointer<Int64>, scale: Int64, shiftB: Int,
        count: Int, into out: UnsafeMutablePointer<Int64>, isa: IntKernelISA = .preferred
    ) {
        withUnsafePointer(to: parameters) {
            lrsim_requantize_sum64(isa.rawValue, a, Int64(shiftA), b, scale, Int64(shiftB), count, out, $0)
        }
    }
}
