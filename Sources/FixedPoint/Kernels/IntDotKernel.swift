import CIntKernels
import LRCore

/// A `FastDotPlan` in the form of the C integer kernels (`lrsim_int_dot16` / `lrsim_int_dot32`): each exact product
/// rounded and clipped in int16 or int32 lanes, products summed in int32 modulo 2^32.
///
/// int16 lanes (32 per AVX-512 register) when both operands fit int16 and either the products are exact (then the
/// operands go straight into `vpdpwssd` / `vpmaddwd`) or every exact product, plus the rounding bias, stays below 2^15
/// (8-bit datapaths: `vpmullw`, the rounding, `vpdpwssd` against ones). Otherwise int32 lanes when the plan has them
/// (products below 2^30: `vpmulld`). The rounding constants are the plan's Int64 ones, which have the same values
/// for shifts this small. Unsigned wrap and SAT_ZERO products, and sums that do not fit 32 bits, keep the Swift paths.
@usableFromInline
struct IntDotKernel: Sendable {
    @usableFromInline let wide: Bool
    @usableFromInline let rounding: lrsim_int_rounding

    /// `magnitudes`: the largest |raw value| actually present in A and in B, when known (a data-dependent choice of
    /// int16 lanes for operands whose formats are wider than their values: the same arithmetic, on narrower lanes).
    @usableFromInline
    init?(mac: FixedMAC, plan: FastDotPlan, magnitudes: (Int128, Int128)? = nil) {
        // The C kernels have no accumulator rounding stage.
        guard plan.accStage == 0 else { return nil }
        let a = mac.a, b = mac.b
        let fitsFormat16 = { (f: FixedFormat) in f.isSigned ? f.width <= 16 : f.width <= 15 }
        let fits32 = { (f: FixedFormat) in f.isSigned ? f.width <= 32 : f.width <= 31 }
        let extremes = [a.rawMin * b.rawMin, a.rawMin * b.rawMax, a.rawMax * b.rawMin, a.rawMax * b.rawMax]
        var maxProduct = extremes.map { $0 < 0 ? 0 - $0 : $0 }.max()!
        var operandsFit16 = fitsFormat16(a) && fitsFormat16(b)
        if let (ma, mb) = magnitudes {
            maxProduct = min(maxProduct, ma * mb)
            operandsFit16 = ma <= Int128(Int16.max) && mb <= Int128(Int16.max)
        }
        let l = plan.lanes64
        var kind: Int32
        switch plan.rounding {
        case .floor: kind = Int32(LRSIM_ROUND_FLOOR)
        case .signBias: kind = Int32(LRSIM_ROUND_SIGN_BIAS)
        case .parity: kind = Int32(LRSIM_ROUND_PARITY)
        case .shiftLeft: kind = Int32(LRSIM_ROUND_SHIFT_LEFT)
        }
        let clipKind: Int32
        switch plan.clip {
        case .signExtend: clipKind = l.up == 0 ? Int32(LRSIM_CLIP_NONE) : Int32(LRSIM_CLIP_SIGN_EXTEND)
        case .clamp: clipKind = Int32(LRSIM_CLIP_CLAMP)
        case .zeroExtend, .zero: return nil
        }
        if kind == Int32(LRSIM_ROUND_SHIFT_LEFT) && l.shift == 0 && clipKind == Int32(LRSIM_CLIP_NONE) {
            kind = Int32(LRSIM_ROUND_EXACT)
        }
        // int16 lanes (exact products only from formats that fit: their pair sums are bounded by the formats).
        if operandsFit16 && (kind != Int32(LRSIM_ROUND_EXACT) || (fitsFormat16(a) && fitsFormat16(b))) {
            let limit = Int128(Int16.max)
            var ok: Bool
            switch kind {
            case Int32(LRSIM_ROUND_EXACT): ok = true
            case Int32(LRSIM_ROUND_SHIFT_LEFT): ok = l.shift < 15 && (maxProduct << Int(l.shift)) <= limit
            default: ok = l.shift <= 14 && maxProduct + (Int128(1) << Int(l.shift)) <= limit
            }
            if clipKind == Int32(LRSIM_CLIP_SIGN_EXTEND) { ok = ok && l.up >= 48 }  // product format <= 16 bits
            if clipKind == Int32(LRSIM_CLIP_CLAMP) {
                ok = ok && l.lo >= Int64(Int16.min) && l.hi <= Int64(Int16.max)
            }
            if ok {
                wide = false
                rounding = lrsim_int_rounding(
                    kind: kind, clip: clipKind, shift: Int32(l.shift), bias: Int32(l.bias),
                    sign_bias: Int32(l.signBias), up: clipKind == Int32(LRSIM_CLIP_SIGN_EXTEND) ? Int32(l.up - 48) : 0,
                    lo: Int32(l.lo), hi: Int32(l.hi))
                return
            }
        }
        // int32 lanes: the plan's own Int32 constants (products below 2^30).
        guard let l32 = plan.lanes32, fits32(a), fits32(b) else { return nil }
        if kind == Int32(LRSIM_ROUND_EXACT) { kind = Int32(LRSIM_ROUND_SHIFT_LEFT) }
        wide = true
        rounding = lrsim_int_rounding(
            kind: kind, clip: clipKind, shift: l32.shift, bias: l32.bias, sign_bias: l32.signBias,
            up: clipKind == Int32(LRSIM_CLIP_SIGN_EXTEND) ? l32.up : 0, lo: l32.lo, hi: l32.hi)
    }

    /// Values per row of the packed operands: a multiple of one 512-bit vector.
    @inlinable func paddedDepth(_ k: Int) -> Int { wide ? (k &+ 15) & ~15 : (k &+ 31) & ~31 }

    /// c[i * ldc + j] = sum_t r(a[i * kp + t] * b[j * kp + t]) mod 2^32 for i < m (a multiple of 2), j < n (of 4).
    @inlinable
    func run(
        isa: IntKernelISA, a: UnsafeRawPointer, b: UnsafeRawPointer, c: UnsafeMutablePointer<Int32>,
        m: Int, n: Int, kp: Int, ldc: Int
    ) {
        withUnsafePointer(to: rounding) { r in
            if wide {
                lrsim_int_dot32(
                    isa.rawValue, a.assumingMemoryBound(to: Int32.self), b.assumingMemoryBound(to: Int32.self),
                    c, m, n, kp, ldc, r)
            } else {
                lrsim_int_dot16(
                    isa.rawValue, a.assumingMemoryBound(to: Int16.self), b.assumingMemoryBound(to: Int16.self),
                    c, m, n, kp, ldc, r)
            }
        }
    }
}
