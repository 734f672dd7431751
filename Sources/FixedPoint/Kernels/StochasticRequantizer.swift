/// Stochastic rounding of Int64 values at one scale into a format: `FixedArithmetic.quantize(v, fracBits:, into:,
/// random: w)` for a `.stochastic` config that drops bits, when every value is below 2^62 in magnitude, with the
/// words taken from a caller's buffer (`StochasticStream.words`), so no Int128 and no Philox call per element.
///
/// `roundShift`'s stochastic rule is floor(v / 2^s) plus one when the discarded fraction's top 32 bits plus the word
/// carry out of 32 bits (an exact value has a zero fraction and never rounds up). For |v| < 2^62 those fraction bits
/// are the low 32 bits of v >> (s - 32) when s >= 32 and of v << (32 - s) otherwise, and every shift past 63 acts like
/// 63 (the quotient is 0 or -1): a few branch-free Int64 operations per element. `StochasticRequantizerTests` checks it
/// against `FixedArithmetic.quantize`.
public struct StochasticRequantizer: Sendable {
    @usableFromInline let shift: Int64
    @usableFromInline let fracRight: Int64
    @usableFromInline let fracLeft: Int64
    @usableFromInline let clip: FastDotPlan.Clip
    @usableFromInline let lanes: FastLaneParams<Int64>

    /// For values v * 2^-fracBits with |v| <= bound into `config`; nil unless the config rounds stochastically and
    /// drops bits, the format is at most 62 bits wide and the bound is below 2^62.
    public init?(fracBits: Int, bound: Int128, into config: FixedConfig) {
        let f = config.format
        let s = fracBits - f.fracBits
        guard config.rounding == .stochastic, s > 0, f.width <= 62, bound >= 0, bound < (Int128(1) << 62) else {
            return nil
        }
        shift = Int64(min(s, 63))
        fracRight = s >= 32 ? Int64(min(s - 32, 63)) : 0
        fracLeft = s >= 32 ? 0 : Int64(32 - s)
        let hi = f.rawMax
        let lo = config.lowestKept
        switch config.overflow {
        case .wrap: clip = f.isSigned ? .signExtend : .zeroExtend
        case .saturate, .saturateSymmetric: clip = .clamp
        case .saturateToZero: clip = .zero
        }
        // The lane parameters of the clip (the floor shift is ours; TRN only makes the initialiser accept s > 0).
        guard
            let l = FastLaneParams<Int64>(
                s: s, mode: .truncate, maxProduct: max(bound, 1), clipFormat: f, lo: lo,
                hi: hi)
        else { return nil }
        lanes = l
    }

    /// The rounded, not yet clipped value of v with word w.
    @inlinable @inline(__always)
    func round(_ v: Int64, _ w: UInt32) -> Int64 {
        let top = UInt64(UInt32(truncatingIfNeeded: (v &>> fracRight) &<< fracLeft))
        return (v &>> shift) &+ Int64(bitPattern: (top &+ UInt64(w)) &>> 32)
    }

    /// out[j] = quantize(x[j], random: words[j]) for j < count.
    @inlinable
    public func apply(
        _ x: UnsafePointer<Int64>, words: UnsafePointer<UInt32>, count: Int,
        into out: UnsafeMutablePointer<Int64>
    ) {
        dispatch(
            StochasticRequantizeBody(
                q: self, a: x, shiftA: 0, b: nil, scale: 0, shiftB: 0, words: words,
                count: count, out: out))
    }

    /// out[j] = quantize((a[j] << shiftA) + ((scale * b[j]) << shiftB), random: words[j]): `Int64Requantizer`'s
    /// `applySum` (noise injection) with stochastic rounding. The caller bounds the sum by `bound`.
    @inlinable
    public func applySum(
        _ a: UnsafePointer<Int64>, shiftA: Int, _ b: UnsafePointer<Int64>, scale: Int64, shiftB: Int,
        words: UnsafePointer<UInt32>, count: Int, into out: UnsafeMutablePointer<Int64>
    ) {
        dispatch(
            StochasticRequantizeBody(
                q: self, a: a, shiftA: Int64(shiftA), b: b, scale: scale,
                shiftB: Int64(shiftB), words: words, count: count, out: out))
    }

    @inlinable
    func dispatch(_ body: StochasticRequantizeBody) {
        switch clip {
        case .signExtend: body.run(SignExtendClip(lanes))
        case .zeroExtend: body.run(ZeroExtendClip(lanes))
        case .clamp: body.run(ClampClip(lanes))
        case .zero: body.run(ZeroClip(lanes))
        }
    }
}

@usableFromInline
struct StochasticRequantizeBody {
    @usableFromInline let q: StochasticRequantizer
    @usableFromInline let a: UnsafePointer<Int64>
    @usableFromInline let shiftA: Int64
    @usableFromInline let b: UnsafePointer<Int64>?
    @usableFromInline let scale: Int64
    @usableFromInline let shiftB: Int64
    @usableFromInline let words: UnsafePointer<UInt32>
    @usableFromInline let count: Int
    @usableFromInline let out: UnsafeMutablePointer<Int64>

    @inlinable
    init(
        q: StochasticRequantizer, a: UnsafePointer<Int64>, shiftA: Int64, b: UnsafePointer<Int64>?, scale: Int64,
        shiftB: Int64, words: UnsafePointer<UInt32>, count: Int, out: UnsafeMutablePointer<Int64>
    ) {
        self.q = q; self.a = a; self.shiftA = shiftA; self.b = b; self.scale = scale; self.shiftB = shiftB
        self.words = words; self.count = count; self.out = out
    }

    @inlinable
    func run<C: FastClip>(_ c: C) where C.Lane == Int64 {
        if let b {
            for j in 0..<count { out[j] = c(q.round((a[j] &<< shiftA) &+ ((scale &* b[j]) &<< shiftB), words[j])) }
        } else {
            for j in 0..<count { out[j] = c(q.round(a[j], words[j])) }
        }
    }
}

/// Stochastic rounding of a finite Float or Double into a format of at most 62 bits: t = floor(x * 2^(F + 32)) is
/// exact in Double (a power-of-two scaling, F + 32 in 0...900), and when |t| < 2^62 its high bits are floor(x * 2^F)
/// and its low 32 the fraction bits `roundShift` compares with the word. Anything else (NaN, infinities, huge values)
/// takes `FixedArithmetic.quantize`.
public struct StochasticFloatQuantizer: Sendable {
    @usableFromInline let config: FixedConfig
    @usableFromInline let scale: Double
    @usableFromInline let lo: Int64
    @usableFromInline let hi: Int64

    @inlinable
    public init?(_ config: FixedConfig) {
        let f = config.format
        guard config.rounding == .stochastic, f.width <= 62, f.fracBits >= -32, f.fracBits <= 868 else { return nil }
        self.config = config
        scale = Double(sign: .plus, exponent: f.fracBits + 32, significand: 1)
        hi = Int64(f.rawMax)
        lo = Int64(config.lowestKept)
    }

    /// The raw value and whether the fast form applied (false: the caller rounds x the general way).
    @inlinable @inline(__always)
    func callAsFunction(_ x: Double, _ w: UInt32) -> (Int64, Bool) {
        let t = (x * scale).rounded(.down)
        guard abs(t) < 0x1p62 else { return (0, false) }
        let ti = Int64(t)
        let q = (ti &>> 32) &+ Int64(bitPattern: (UInt64(UInt32(truncatingIfNeeded: ti)) &+ UInt64(w)) &>> 32)
        if q >= lo && q <= hi { return (q, true) }
        let clipped = FixedArithmetic.overflow(Int128(q), format: config.format, mode: config.overflow)
        return (Int64(truncatingIfNeeded: clipped), true)
    }

    @inlinable @inline(__always)
    public func quantize(_ x: Float, _ w: UInt32) -> Int64 {
        let (q, ok) = self(Double(x), w)
        return ok ? q : Int64(truncatingIfNeeded: FixedArithmetic.quantize(x, into: config, random: w))
    }

    @inlinable @inline(__always)
    public func quantize(_ x: Double, _ w: UInt32) -> Int64 {
        let (q, ok) = self(x, w)
        return ok ? q : Int64(truncatingIfNeeded: FixedArithmetic.quantize(x, into: config, random: w))
    }
}
