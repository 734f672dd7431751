/// The Int64 fast path of `FixedMAC.accumulateDot`.
///
/// It applies when accumulation never rounds, products round deterministically and the exact product fits in 62 bits.
/// Then the step-by-step datapath acc_t = ovf_acc(acc_{t-1} + p_t * 2^prodShift) is, for a WRAP accumulator, the
/// modular sum wrap(start + Σ p_t * 2^prodShift), and for any other accumulator whose partial sums provably stay in
/// range, the plain sum. Each p_t = ovf_prod(round(x_t * y_t)) is computed in Int64 with the same semantics as
/// `FixedArithmetic.quantize` (ties and negative values included), and the sum is formed with wrapping Int64 (or Int128)
/// additions, requantized once at the end. Everything mode-dependent is chosen outside the loop: the loop is generic
/// over small rounding and overflow structs, so each combination gets its own specialised loop.
///
/// An accumulator coarser than the products (accStage > 0 bits) is allowed when its rounding is translation-invariant
/// on its own grid (TRN, RND, RND_MIN_INF: floor(v + c) for a constant c) and deterministic: acc is on that grid, so
/// round(acc + p) = acc + round(p) exactly and each term is the two-stage rounded product t = round_acc(p_t), summed
/// in accumulator units (prodShift 0; pMin / pMax bound the terms). The clip then applies the second stage.
@usableFromInline
struct FastDotPlan: Sendable, Hashable {
    @usableFromInline enum Rounding: Sendable, Hashable {
        /// v >> s (TRN).
        case floor
        /// (v + bias + (signBias & sign(v))) >> s: TRN_ZERO, RND, RND_MIN_INF, RND_ZERO, RND_INF.
        case signBias
        /// (v + bias + (parity of floor(v / 2^s) ^ flip)) >> s: RND_CONV, RND_CONV_ODD.
        case parity
        /// v << shift (the product format is at least as fine as the exact product: nothing to round).
        case shiftLeft
    }

    @usableFromInline enum Clip: Sendable, Hashable {
        /// Sign-extend the low 64 - up bits: WRAP of a signed format, or the identity (up = 0) when no overflow can occur.
        case signExtend
        /// Zero-extend the low 64 - up bits: WRAP of an unsigned format.
        case zeroExtend
        /// Clamp to [lo, hi]: SAT and SAT_SYM.
        case clamp
        /// 0 outside [lo, hi]: SAT_ZERO.
        case zero
    }

    @usableFromInline let rounding: Rounding
    @usableFromInline let clip: Clip
    @usableFromInline let lanes64: FastLaneParams<Int64>
    /// The same in Int32 lanes (vectorisable), when the products and the product format allow.
    @usableFromInline let lanes32: FastLaneParams<Int32>?
    /// Range of the products after rounding and overflow (raw in the product format; with an accumulator stage, the
    /// range of the terms in accumulator units).
    @usableFromInline let pMin: Int64
    @usableFromInline let pMax: Int64
    /// Operand decoding, as `FixedFormat.raw(fromBits:)`: ((bits << up) >> up) & mask.
    @usableFromInline let upA: Int64
    @usableFromInline let maskA: Int64
    @usableFromInline let upB: Int64
    @usableFromInline let maskB: Int64
    /// Product raw value to accumulator raw value: << prodShift.
    @usableFromInline let prodShift: Int
    @usableFromInline let accWraps: Bool
    /// A WRAP accumulator needs the sum of products only modulo 2^64 (accumulator width <= 64 + prodShift).
    @usableFromInline let wrapNeeds64: Bool
    @usableFromInline let accFormat: FixedFormat
    @usableFromInline let accLo: Int128
    @usableFromInline let accHi: Int128
    /// Product to accumulator rounding (term = (p + accBias) >> accStage), 0 when accumulation never rounds.
    @usableFromInline let accStage: Int
    @usableFromInline let accBias: Int64

    /// nil when the datapath needs the general path (stochastic product rounding, accumulation rounded in a mode
    /// that is not translation-invariant, wide operands).
    init?(a: FixedFormat, b: FixedFormat, exactProduct: FixedFormat, config: MACConfig) {
        guard a.width + b.width <= 62 else { return nil }
        let pc = config.product, pf = pc.format, acc = config.accumulator
        let stage = max(0, pf.fracBits - acc.format.fracBits)
        if stage > 0 {
            guard stage <= 62, let bias = FastDotPlan.stageBias(acc.rounding, stage) else { return nil }
            (accStage, accBias) = (stage, bias)
        } else {
            (accStage, accBias) = (0, 0)
        }
        let s = exactProduct.fracBits - pf.fracBits
        if s > 0 && pc.rounding == .stochastic { return nil }
        let extremes = [a.rawMin * b.rawMin, a.rawMin * b.rawMax, a.rawMax * b.rawMin, a.rawMax * b.rawMax]
        let maxProduct = extremes.map { $0 < 0 ? 0 - $0 : $0 }.max()!
        let rounded: [Int128]
        if s > 0 {
            rounded = extremes.map { FixedArithmetic.roundShift($0, by: s, mode: pc.rounding, random: 0) }
            switch pc.rounding {
            case .truncate: rounding = .floor
            case .roundHalfToEven, .roundHalfToOdd: rounding = .parity
            default: rounding = .signBias
            }
        } else {
            let k = 0 - s
            guard k < 62, (maxProduct << k) < (Int128(1) << 62) else { return nil }
            rounded = extremes.map { $0 << k }
            rounding = .shiftLeft
        }
        // Rounding is monotone: the rounded extremes bound every rounded product.
        let rMin = rounded.min()!, rMax = rounded.max()!
        let fHi = pf.rawMax
        let fLo = pc.lowestKept
        let clipFormat: FixedFormat?
        // Bounds of the clipped products (product units) before the accumulator stage.
        let cMin: Int128, cMax: Int128
        if rMin >= fLo && rMax <= fHi {
            (clip, clipFormat) = (.signExtend, nil)
            (cMin, cMax) = (rMin, rMax)
        } else {
            // Overflow can happen: the product format is narrower than the rounded products (lanes check it fits).
            guard pf.width <= 62 else { return nil }
            clipFormat = pf
            (cMin, cMax) = (fLo, fHi)
            switch pc.overflow {
            case .wrap: clip = pf.isSigned ? .signExtend : .zeroExtend
            case .saturate, .saturateSymmetric: clip = .clamp
            case .saturateToZero: clip = .zero
            }
        }
        guard
            let l64 = FastLaneParams<Int64>(
                s: s, mode: pc.rounding, maxProduct: maxProduct,
                clipFormat: clipFormat, lo: fLo, hi: fHi)
        else { return nil }
        // The stage adds accBias to a clipped product in the lane: it must not overflow it.
        let bias = Int128(accBias)
        guard cMax + bias <= Int128(Int64.max), cMin >= Int128(Int64.min) else { return nil }
        (pMin, pMax) = (Int64((cMin + bias) >> accStage), Int64((cMax + bias) >> accStage))
        lanes64 = l64
        let l32 = FastLaneParams<Int32>(
            s: s, mode: pc.rounding, maxProduct: maxProduct,
            clipFormat: clipFormat, lo: fLo, hi: fHi)
        let stageFits32 = accStage <= 30 && cMax + bias <= Int128(Int32.max) && cMin >= Int128(Int32.min)
        lanes32 = stageFits32 ? l32 : nil
        upA = Int64(64 - a.width)
        maskA = a.isSigned ? -1 : (Int64(1) << a.width) - 1
        upB = Int64(64 - b.width)
        maskB = b.isSigned ? -1 : (Int64(1) << b.width) - 1
        prodShift = accStage > 0 ? 0 : acc.format.fracBits - pf.fracBits
        accWraps = acc.overflow == .wrap
        wrapNeeds64 = acc.format.width - prodShift <= 64
        accFormat = acc.format
        accHi = acc.format.rawMax
        accLo = acc.lowestKept
    }

    /// The constant c of an accumulator rounding floor((v + c) / 2^stage), nil for modes that are not of that form
    /// (their result depends on the accumulator's sign or parity, or on random words).
    static func stageBias(_ mode: Quantization, _ stage: Int) -> Int64? {
        let half = Int64(1) << (stage - 1)
        switch mode {
        case .truncate: return 0
        case .roundHalfUp: return half
        case .roundHalfDown: return half - 1
        default: return nil
        }
    }

    /// Whether `terms` products summed exactly fit Int64.
    @inlinable
    func sumFits64(terms: Int) -> Bool {
        let m = max(pMin.magnitude, pMax.magnitude)
        let (t, o) = m.multipliedReportingOverflow(by: UInt64(terms))
        return !o && t <= UInt64(Int64.max)
    }

    /// v * 2^prodShift when it fits Int128 (v from an exact Int64-by-Int count product).
    @inlinable
    func scaled(_ v: Int128) -> Int128? {
        if v == 0 { return 0 }
        guard prodShift < 127, v <= (Int128.max >> prodShift), v >= (Int128.min >> prodShift) else { return nil }
        return v << prodShift
    }

    /// Whether every partial sum start + Σ_{t<j} p_t * 2^prodShift stays in the accumulator's range (no overflow, so
    /// the overflow mode never acts and the plain sum is the datapath's result).
    @inlinable
    func neverOverflows(terms: Int, start: Int128) -> Bool {
        let n = Int128(terms)
        guard let up = scaled(n * Int128(max(pMax, 0))), let down = scaled(n * Int128(min(pMin, 0))) else {
            return false
        }
        let (hiSum, o1) = start.addingReportingOverflow(up)
        let (loSum, o2) = start.addingReportingOverflow(down)
        return !o1 && !o2 && hiSum <= accHi && loSum >= accLo
    }

    /// The accumulator after `count` (>= 1) terms from `start`, or nil when this plan cannot prove the result equal to
    /// the step-by-step datapath's (then the caller takes the general path).
    @inlinable
    func accumulate<S: FixedWidthInteger, T: FixedWidthInteger>(
        _ a: UnsafePointer<S>, _ strideA: Int, _ b: UnsafePointer<T>, _ strideB: Int, _ count: Int, start: Int128
    ) -> Int128? {
        guard let wide = sumNeeds128(terms: count, start: start) else { return nil }
        let s = dispatch(lanes64, StridedDotBody(a, strideA, b, strideB, count, plan: self, wide: wide))
        return finish(s, start: start)
    }

    /// nil when the sum of `terms` products from `start` might overflow a non-wrapping accumulator; otherwise whether
    /// the Int64 sum is not enough (the sum must then be formed in Int128).
    @inlinable
    func sumNeeds128(terms: Int, start: Int128) -> Bool? {
        if accWraps { return !(wrapNeeds64 || sumFits64(terms: terms)) }
        guard neverOverflows(terms: terms, start: start) else { return nil }
        return !sumFits64(terms: terms)
    }

    /// Whether an Int32 sum of `terms` Int32-lane products is enough (modulo the accumulator, or exactly).
    @inlinable
    func sumFits32(terms: Int) -> Bool {
        if accWraps && accFormat.width &- prodShift <= 32 { return true }
        let m = max(pMin.magnitude, pMax.magnitude)
        let (t, o) = m.multipliedReportingOverflow(by: UInt64(terms))
        return !o && t <= UInt64(Int32.max)
    }

    /// The accumulator from the sum of products `s` (exact, or exact modulo 2^64 / 2^32 when the accumulator wraps
    /// and that is all its width needs).
    @inlinable
    func finish(_ s: Int128, start: Int128) -> Int128 {
        if accWraps {
            let total = (UInt128(truncatingIfNeeded: s) &<< UInt128(prodShift)) &+ UInt128(truncatingIfNeeded: start)
            return FixedArithmetic.wrap(total, format: accFormat)
        }
        return start &+ (s &<< Int128(prodShift))
    }
}

/// Rounding of an exact product (|v| < 2^(L.bitWidth - 2)) into the product format's grid, in lanes of type `Lane`:
/// the result of `FixedArithmetic.roundShift`.
@usableFromInline protocol FastRound {
    associatedtype Lane: FixedWidthInteger & SignedInteger & Sendable
    func callAsFunction(_ v: Lane) -> Lane
}
/// Overflow of a rounded product into the product format (the result of `FixedArithmetic.overflow`).
@usableFromInline protocol FastClip {
    associatedtype Lane: FixedWidthInteger & SignedInteger & Sendable
    func callAsFunction(_ q: Lane) -> Lane
}

@usableFromInline struct FloorRound<Lane: FixedWidthInteger & SignedInteger & Sendable>: FastRound {
    @usableFromInline let s: Lane
    @inlinable init(_ p: FastLaneParams<Lane>) { s = p.shift }
    @inlinable @inline(__always) func callAsFunction(_ v: Lane) -> Lane { v &>> s }
}

/// Rounds to nearest (or toward zero) by adding a bias that may depend on the sign before the floor shift.
@usableFromInline struct SignBiasRound<Lane: FixedWidthInteger & SignedInteger & Sendable>: FastRound {
    @usableFromInline let s: Lane
    @usableFromInline let bias: Lane
    @usableFromInline let signBias: Lane
    @inlinable init(_ p: FastLaneParams<Lane>) { s = p.shift; bias = p.bias; signBias = p.signBias }
    @inlinable @inline(__always) func callAsFunction(_ v: Lane) -> Lane {
        (v &+ bias &+ (signBias & (v &>> (Lane.bitWidth &- 1)))) &>> s
    }
}

/// Ties to even (flip 0) or odd (flip 1): half - 1 plus one more exactly when the floor has the wrong parity.
@usableFromInline struct ParityRound<Lane: FixedWidthInteger & SignedInteger & Sendable>: FastRound {
    @usableFromInline let s: Lane
    @usableFromInline let bias: Lane
    @usableFromInline let flip: Lane
    @inlinable init(_ p: FastLaneParams<Lane>) { s = p.shift; bias = p.bias; flip = p.signBias }
    @inlinable @inline(__always) func callAsFunction(_ v: Lane) -> Lane {
        (v &+ bias &+ (((v &>> s) & 1) ^ flip)) &>> s
    }
}

@usableFromInline struct ShiftLeftRound<Lane: FixedWidthInteger & SignedInteger & Sendable>: FastRound {
    @usableFromInline let k: Lane
    @inlinable init(_ p: FastLaneParams<Lane>) { k = p.shift }
    @inlinable @inline(__always) func callAsFunction(_ v: Lane) -> Lane { v &<< k }
}

@usableFromInline struct SignExtendClip<Lane: FixedWidthInteger & SignedInteger & Sendable>: FastClip {
    @usableFromInline let up: Lane
    @inlinable init(_ p: FastLaneParams<Lane>) { up = p.up }
    @inlinable @inline(__always) func callAsFunction(_ q: Lane) -> Lane { (q &<< up) &>> up }
}

@usableFromInline struct ZeroExtendClip<Lane: FixedWidthInteger & SignedInteger & Sendable>: FastClip {
    @usableFromInline let up: Lane
    @inlinable init(_ p: FastLaneParams<Lane>) { up = p.up }
    @inlinable @inline(__always) func callAsFunction(_ q: Lane) -> Lane {
        Lane(
            truncatingIfNeeded: Lane.Magnitude(truncatingIfNeeded: q &<< up) &>> Lane.Magnitude(truncatingIfNeeded: up))
    }
}

@usableFromInline struct ClampClip<Lane: FixedWidthInteger & SignedInteger & Sendable>: FastClip {
    @usableFromInline let lo: Lane
    @usableFromInline let hi: Lane
    @inlinable init(_ p: FastLaneParams<Lane>) { lo = p.lo; hi = p.hi }
    @inlinable @inline(__always) func callAsFunction(_ q: Lane) -> Lane { min(max(q, lo), hi) }
}

@usableFromInline struct ZeroClip<Lane: FixedWidthInteger & SignedInteger & Sendable>: FastClip {
    @usableFromInline let lo: Lane
    @usableFromInline let hi: Lane
    @inlinable init(_ p: FastLaneParams<Lane>) { lo = p.lo; hi = p.hi }
    @inlinable @inline(__always) func callAsFunction(_ q: Lane) -> Lane { q < lo || q > hi ? 0 : q }
}

/// A product clip followed by the accumulator's translation-invariant rounding: floor((clip(q) + bias) / 2^shift).
@usableFromInline struct StagedClip<Inner: FastClip>: FastClip {
    @usableFromInline typealias Lane = Inner.Lane
    @usableFromInline let inner: Inner
    @usableFromInline let shift: Lane
    @usableFromInline let bias: Lane
    @inlinable init(_ inner: Inner, shift: Lane, bias: Lane) {
        (self.inner, self.shift, self.bias) = (inner, shift, bias)
    }
    @inlinable @inline(__always) func callAsFunction(_ q: Lane) -> Lane { (inner(q) &+ bias) &>> shift }
}

/// The loop-invariant constants of one rounding and overflow kind in lanes of type `Lane` (Int64, or Int32 when the
/// exact products are below 2^30 in magnitude and the product format's overflow bounds fit).
@usableFromInline
struct FastLaneParams<Lane: FixedWidthInteger & SignedInteger & Sendable>: Sendable, Hashable {
    /// Right shift (1...bitWidth - 1) of the rounding kinds, left shift of `.shiftLeft`.
    @usableFromInline let shift: Lane
    @usableFromInline let bias: Lane
    /// `.signBias`: added when v < 0; `.parity`: 1 for RND_CONV_ODD (round ties to odd), 0 for RND_CONV.
    @usableFromInline let signBias: Lane
    @usableFromInline let up: Lane
    @usableFromInline let lo: Lane
    @usableFromInline let hi: Lane

    /// `s` is exact-product fraction bits minus the product's; `maxProduct` bounds |exact product|.
    init?(s: Int, mode: Quantization, maxProduct: Int128, clipFormat: FixedFormat?, lo: Int128, hi: Int128) {
        let bits = Lane.bitWidth
        guard maxProduct < (Int128(1) << (bits - 2)) else { return nil }
        if s > 0 {
            // For |v| < 2^(bits-2) every shift >= bits - 1 rounds like bits - 1 (quotient 0 or -1, never a tie).
            let sh = Lane(min(s, bits - 1))
            let half = Lane(1) &<< (sh &- 1)
            shift = sh
            switch mode {
            case .truncate: (bias, signBias) = (0, 0)
            case .truncateToZero: (bias, signBias) = (0, (Lane(1) &<< sh) &- 1)
            case .roundHalfUp: (bias, signBias) = (half, 0)
            case .roundHalfDown: (bias, signBias) = (half &- 1, 0)
            case .roundHalfToZero: (bias, signBias) = (half &- 1, 1)
            case .roundHalfAwayFromZero: (bias, signBias) = (half, -1)
            case .roundHalfToEven: (bias, signBias) = (half &- 1, 0)
            case .roundHalfToOdd: (bias, signBias) = (half &- 1, 1)
            case .stochastic: return nil
            }
        } else {
            let k = 0 - s
            guard k < bits - 2, (maxProduct << k) < (Int128(1) << (bits - 2)) else { return nil }
            (shift, bias, signBias) = (Lane(k), 0, 0)
        }
        if let f = clipFormat {
            // Overflow can happen: the product format must fit the lane.
            guard f.width <= bits - 2 else { return nil }
            up = Lane(bits - f.width)
            self.lo = Lane(lo)
            self.hi = Lane(hi)
        } else {
            (up, self.lo, self.hi) = (0, 0, 0)
        }
    }
}

/// Work run once per (rounding kind, overflow kind) combination, with the loop's rounding and clip as generic values.
@usableFromInline protocol FastDotBody {
    associatedtype Lane: FixedWidthInteger & SignedInteger & Sendable
    associatedtype Result
    func run<R: FastRound, C: FastClip>(_ r: R, _ c: C) -> Result where R.Lane == Lane, C.Lane == Lane
}

extension FastDotPlan {
    /// Calls `body.run` with the rounding and clip of this plan: every mode-dependent choice made here, outside loops.
    @inlinable
    func dispatch<B: FastDotBody>(_ p: FastLaneParams<B.Lane>, _ body: B) -> B.Result {
        switch rounding {
        case .floor: return dispatchClip(FloorRound(p), p, body)
        case .signBias: return dispatchClip(SignBiasRound(p), p, body)
        case .parity: return dispatchClip(ParityRound(p), p, body)
        case .shiftLeft: return dispatchClip(ShiftLeftRound(p), p, body)
        }
    }

    @inlinable
    func dispatchClip<B: FastDotBody, R: FastRound>(_ r: R, _ p: FastLaneParams<B.Lane>, _ body: B) -> B.Result
    where R.Lane == B.Lane {
        switch clip {
        case .signExtend: return dispatchStage(r, SignExtendClip(p), body)
        case .zeroExtend: return dispatchStage(r, ZeroExtendClip(p), body)
        case .clamp: return dispatchStage(r, ClampClip(p), body)
        case .zero: return dispatchStage(r, ZeroClip(p), body)
        }
    }

    /// Appends the accumulator rounding to the clip when accumulation rounds (lanes32 exists only if it fits).
    @inlinable
    func dispatchStage<B: FastDotBody, R: FastRound, C: FastClip>(_ r: R, _ c: C, _ body: B) -> B.Result
    where R.Lane == B.Lane, C.Lane == B.Lane {
        if accStage == 0 { return body.run(r, c) }
        let st = StagedClip(c, shift: B.Lane(truncatingIfNeeded: accStage), bias: B.Lane(truncatingIfNeeded: accBias))
        return body.run(r, st)
    }
}

/// One strided dot product of storage elements decoded into Int64 lanes (`FastDotPlan.accumulate`).
@usableFromInline
struct StridedDotBody<S: FixedWidthInteger, T: FixedWidthInteger>: FastDotBody {
    @usableFromInline typealias Lane = Int64
    @usableFromInline let a: UnsafePointer<S>
    @usableFromInline let strideA: Int
    @usableFromInline let b: UnsafePointer<T>
    @usableFromInline let strideB: Int
    @usableFromInline let count: Int
    @usableFromInline let upA: Int64, maskA: Int64, upB: Int64, maskB: Int64
    @usableFromInline let wide: Bool

    @inlinable
    init(
        _ a: UnsafePointer<S>, _ strideA: Int, _ b: UnsafePointer<T>, _ strideB: Int, _ count: Int,
        plan: FastDotPlan, wide: Bool
    ) {
        (self.a, self.strideA, self.b, self.strideB, self.count) = (a, strideA, b, strideB, count)
        (upA, maskA, upB, maskB) = (plan.upA, plan.maskA, plan.upB, plan.maskB)
        self.wide = wide
    }

    @inlinable
    func run<R: FastRound, C: FastClip>(_ r: R, _ c: C) -> Int128 where R.Lane == Int64, C.Lane == Int64 {
        if wide { return loop(r, c, Int128.self) }
        return Int128(loop(r, c, Int64.self))
    }

    /// Σ clip(round(x_t * y_t)) with wrapping additions in `Sum`.
    @inlinable
    func loop<R: FastRound, C: FastClip, Sum: FixedWidthInteger>(_ r: R, _ c: C, _: Sum.Type) -> Sum
    where R.Lane == Int64, C.Lane == Int64 {
        let ua = upA, ma = maskA, ub = upB, mb = maskB
        var sum: Sum = 0
        var pa = a, pb = b
        for _ in 0..<count {
            // FixedFormat.raw(fromBits:) in Int64: the low `width` bits, sign- or zero-extended.
            let x = ((Int64(truncatingIfNeeded: pa.pointee) &<< ua) &>> ua) & ma
            let y = ((Int64(truncatingIfNeeded: pb.pointee) &<< ub) &>> ub) & mb
            sum &+= Sum(truncatingIfNeeded: c(r(x &* y)))
            pa += strideA
            pb += strideB
        }
        return sum
    }
}
