/// The Int64 fast path of `FixedMAC.accumulateDot`.
///
/// It applies when accumulation never rounds, products round deterministically and the exact product fits in 62 bits.
/// Then the step-by-step datapath acc_t = ovf_acc(acc_{t-1} + p_t * 2^prodShift) is, for a WRAP accumulator, the
/// modular sum wrap(start + Σ p_t * 2^prodShift), and for any other accumulator whose partial sums provably stay in
/// range, the plain sum. Each p_t = ovf_prod(round(x_t * y_t)) is computed in Int64 with the same semantics as
/// `FixedArithmetic.quantize` (ties and negative values included), and the sum is formed with wrapping Int64 (or Int128)
/// additions, requantized once at the end. Everything mode-dependent is chosen outside the loop: the loop is generic
/// over small rounding and overflow structs, so each combination gets its own specialised loop.
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
    /// Right shift (1...63) of the rounding kinds, left shift of `.shiftLeft`.
    @usableFromInline let shift: Int64
    @usableFromInline let bias: Int64
    /// `.signBias`: added when v < 0; `.parity`: 1 for RND_CONV_ODD (round ties to odd), 0 for RND_CONV.
    @usableFromInline let signBias: Int64
    @usableFromInline let clip: Clip
    @usableFromInline let up: Int64
    @usableFromInline let lo: Int64
    @usableFromInline let hi: Int64
    /// Range of the products after rounding and overflow (raw in the product format).
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

    /// nil when the datapath needs the general path (stochastic product rounding, rounded accumulation, wide operands).
    init?(a: FixedFormat, b: FixedFormat, exactProduct: FixedFormat, config: MACConfig, accumulateIsUnrounded: Bool) {
        guard accumulateIsUnrounded, a.width + b.width <= 62 else { return nil }
        let pc = config.product, pf = pc.format
        let s = exactProduct.fracBits - pf.fracBits
        if s > 0 && pc.rounding == .stochastic { return nil }
        let extremes = [a.rawMin * b.rawMin, a.rawMin * b.rawMax, a.rawMax * b.rawMin, a.rawMax * b.rawMax]
        // |exact product| < 2^62, so every bias trick below stays inside Int64.
        let rounded: [Int128]
        if s > 0 {
            rounded = extremes.map { FixedArithmetic.roundShift($0, by: s, mode: pc.rounding, random: 0) }
            // For |v| < 2^62 every shift >= 63 rounds like 63 (quotient 0 or -1, never a tie).
            let sh = Int64(min(s, 63))
            let half = Int64(1) &<< (sh &- 1)
            shift = sh
            switch pc.rounding {
            case .truncate: (rounding, bias, signBias) = (.floor, 0, 0)
            case .truncateToZero: (rounding, bias, signBias) = (.signBias, 0, (Int64(1) &<< sh) &- 1)
            case .roundHalfUp: (rounding, bias, signBias) = (.signBias, half, 0)
            case .roundHalfDown: (rounding, bias, signBias) = (.signBias, half &- 1, 0)
            case .roundHalfToZero: (rounding, bias, signBias) = (.signBias, half &- 1, 1)
            case .roundHalfAwayFromZero: (rounding, bias, signBias) = (.signBias, half, -1)
            case .roundHalfToEven: (rounding, bias, signBias) = (.parity, half &- 1, 0)
            case .roundHalfToOdd: (rounding, bias, signBias) = (.parity, half &- 1, 1)
            case .stochastic: return nil
            }
        } else {
            let k = 0 - s
            let limit = k >= 62 ? 0 : (Int128(1) << (62 - k)) - 1
            guard extremes.allSatisfy({ $0 >= -limit && $0 <= limit }) else { return nil }
            rounded = extremes.map { $0 << k }
            (rounding, shift, bias, signBias) = (.shiftLeft, Int64(k), 0, 0)
        }
        let rMin = rounded.min()!, rMax = rounded.max()!
        let fHi = pf.rawMax
        let fLo = (pc.overflow == .saturateSymmetric && pf.isSigned) ? 0 - fHi : pf.rawMin
        if rMin >= fLo && rMax <= fHi {
            (clip, up, lo, hi) = (.signExtend, 0, 0, 0)
            (pMin, pMax) = (Int64(rMin), Int64(rMax))
        } else {
            // Overflow can happen: the product format is narrower than the rounded products, so it fits Int64.
            guard pf.width <= 62 else { return nil }
            lo = Int64(fLo)
            hi = Int64(fHi)
            (pMin, pMax) = (lo, hi)
            switch pc.overflow {
            case .wrap: (clip, up) = (pf.isSigned ? .signExtend : .zeroExtend, Int64(64 - pf.width))
            case .saturate, .saturateSymmetric: (clip, up) = (.clamp, 0)
            case .saturateToZero: (clip, up) = (.zero, 0)
            }
        }
        upA = Int64(64 - a.width)
        maskA = a.isSigned ? -1 : (Int64(1) << a.width) - 1
        upB = Int64(64 - b.width)
        maskB = b.isSigned ? -1 : (Int64(1) << b.width) - 1
        let acc = config.accumulator
        prodShift = acc.format.fracBits - pf.fracBits
        accWraps = acc.overflow == .wrap
        wrapNeeds64 = acc.format.width - prodShift <= 64
        accFormat = acc.format
        accHi = acc.format.rawMax
        accLo = (acc.overflow == .saturateSymmetric && acc.format.isSigned) ? 0 - accHi : acc.format.rawMin
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
        guard let up = scaled(n * Int128(max(pMax, 0))), let down = scaled(n * Int128(min(pMin, 0))) else { return false }
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
        let wide: Bool
        if accWraps {
            wide = !(wrapNeeds64 || sumFits64(terms: count))
        } else {
            guard neverOverflows(terms: count, start: start) else { return nil }
            wide = !sumFits64(terms: count)
        }
        let s: Int128
        switch rounding {
        case .floor:
            s = clipped(FloorRound(s: shift), a, strideA, b, strideB, count, wide)
        case .signBias:
            s = clipped(SignBiasRound(s: shift, bias: bias, signBias: signBias), a, strideA, b, strideB, count, wide)
        case .parity:
            s = clipped(ParityRound(s: shift, bias: bias, flip: signBias), a, strideA, b, strideB, count, wide)
        case .shiftLeft:
            s = clipped(ShiftLeftRound(k: shift), a, strideA, b, strideB, count, wide)
        }
        if accWraps {
            // Modular: the sum is needed only modulo 2^(accumulator width - prodShift).
            let total = (UInt128(truncatingIfNeeded: s) &<< UInt128(prodShift)) &+ UInt128(truncatingIfNeeded: start)
            return FixedArithmetic.wrap(total, format: accFormat)
        }
        return start &+ (s &<< Int128(prodShift))
    }

    @inlinable
    func clipped<S: FixedWidthInteger, T: FixedWidthInteger, R: FastRound>(
        _ r: R, _ a: UnsafePointer<S>, _ strideA: Int, _ b: UnsafePointer<T>, _ strideB: Int, _ count: Int, _ wide: Bool
    ) -> Int128 {
        switch clip {
        case .signExtend: return summed(r, SignExtendClip(up: up), a, strideA, b, strideB, count, wide)
        case .zeroExtend: return summed(r, ZeroExtendClip(up: up), a, strideA, b, strideB, count, wide)
        case .clamp: return summed(r, ClampClip(lo: lo, hi: hi), a, strideA, b, strideB, count, wide)
        case .zero: return summed(r, ZeroClip(lo: lo, hi: hi), a, strideA, b, strideB, count, wide)
        }
    }

    @inlinable
    func summed<S: FixedWidthInteger, T: FixedWidthInteger, R: FastRound, C: FastClip>(
        _ r: R, _ c: C, _ a: UnsafePointer<S>, _ strideA: Int, _ b: UnsafePointer<T>, _ strideB: Int, _ count: Int,
        _ wide: Bool
    ) -> Int128 {
        if wide { return loop(r, c, a, strideA, b, strideB, count, Int128.self) }
        return Int128(loop(r, c, a, strideA, b, strideB, count, Int64.self))
    }

    /// Σ clip(round(x_t * y_t)) with wrapping additions in `Sum`.
    @inlinable
    func loop<S: FixedWidthInteger, T: FixedWidthInteger, R: FastRound, C: FastClip, Sum: FixedWidthInteger>(
        _ r: R, _ c: C, _ a: UnsafePointer<S>, _ strideA: Int, _ b: UnsafePointer<T>, _ strideB: Int, _ count: Int,
        _: Sum.Type
    ) -> Sum {
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

/// Rounding of an exact product |v| < 2^62 into the product format's grid (the result of `FixedArithmetic.roundShift`).
@usableFromInline protocol FastRound { func callAsFunction(_ v: Int64) -> Int64 }
/// Overflow of a rounded product into the product format (the result of `FixedArithmetic.overflow`).
@usableFromInline protocol FastClip { func callAsFunction(_ q: Int64) -> Int64 }

@usableFromInline struct FloorRound: FastRound {
    @usableFromInline let s: Int64
    @inlinable init(s: Int64) { self.s = s }
    @inlinable @inline(__always) func callAsFunction(_ v: Int64) -> Int64 { v &>> s }
}

/// Rounds to nearest (or toward zero) by adding a bias that may depend on the sign before the floor shift.
@usableFromInline struct SignBiasRound: FastRound {
    @usableFromInline let s: Int64
    @usableFromInline let bias: Int64
    @usableFromInline let signBias: Int64
    @inlinable init(s: Int64, bias: Int64, signBias: Int64) { self.s = s; self.bias = bias; self.signBias = signBias }
    @inlinable @inline(__always) func callAsFunction(_ v: Int64) -> Int64 {
        (v &+ bias &+ (signBias & (v &>> 63))) &>> s
    }
}

/// Ties to even (flip 0) or odd (flip 1): half - 1 plus one more exactly when the floor has the wrong parity.
@usableFromInline struct ParityRound: FastRound {
    @usableFromInline let s: Int64
    @usableFromInline let bias: Int64
    @usableFromInline let flip: Int64
    @inlinable init(s: Int64, bias: Int64, flip: Int64) { self.s = s; self.bias = bias; self.flip = flip }
    @inlinable @inline(__always) func callAsFunction(_ v: Int64) -> Int64 {
        (v &+ bias &+ (((v &>> s) & 1) ^ flip)) &>> s
    }
}

@usableFromInline struct ShiftLeftRound: FastRound {
    @usableFromInline let k: Int64
    @inlinable init(k: Int64) { self.k = k }
    @inlinable @inline(__always) func callAsFunction(_ v: Int64) -> Int64 { v &<< k }
}

@usableFromInline struct SignExtendClip: FastClip {
    @usableFromInline let up: Int64
    @inlinable init(up: Int64) { self.up = up }
    @inlinable @inline(__always) func callAsFunction(_ q: Int64) -> Int64 { (q &<< up) &>> up }
}

@usableFromInline struct ZeroExtendClip: FastClip {
    @usableFromInline let up: Int64
    @inlinable init(up: Int64) { self.up = up }
    @inlinable @inline(__always) func callAsFunction(_ q: Int64) -> Int64 {
        Int64(bitPattern: UInt64(bitPattern: q &<< up) &>> UInt64(bitPattern: up))
    }
}

@usableFromInline struct ClampClip: FastClip {
    @usableFromInline let lo: Int64
    @usableFromInline let hi: Int64
    @inlinable init(lo: Int64, hi: Int64) { self.lo = lo; self.hi = hi }
    @inlinable @inline(__always) func callAsFunction(_ q: Int64) -> Int64 { min(max(q, lo), hi) }
}

@usableFromInline struct ZeroClip: FastClip {
    @usableFromInline let lo: Int64
    @usableFromInline let hi: Int64
    @inlinable init(lo: Int64, hi: Int64) { self.lo = lo; self.hi = hi }
    @inlinable @inline(__always) func callAsFunction(_ q: Int64) -> Int64 { q < lo || q > hi ? 0 : q }
}
