import CIntKernels

/// The SIMD float-to-fixed converter for formats up to 22 bits with F in 0...100 and deterministic rounding.
///
/// Scaling by 2^F is exact (F >= 0 cannot underflow; overflow to infinity saturates like any huge value), floor and
/// x - floor(x) are exact in binary floating point, and every bound of a 22-bit format is a Float: so each lane's
/// result is the exact rounding. WRAP is computed exactly in Float too (see `convert16`).
@usableFromInline
struct QuantizeSIMD {
    @usableFromInline typealias V = SIMD16<Float>
    @usableFromInline let scale: Float
    @usableFromInline let lo: Float
    @usableFromInline let hi: Float
    @usableFromInline let rounding: Quantization
    @usableFromInline let overflow: Overflow
    @usableFromInline let modulus: Float
    @usableFromInline let inverseModulus: Float
    @usableFromInline let signed: Bool

    @usableFromInline
    init?(_ c: FixedConfig) {
        let f = c.format
        guard f.width <= 22, f.fracBits >= 0, f.fracBits <= 100, c.rounding != .stochastic else { return nil }
        scale = Float(sign: .plus, exponent: f.fracBits, significand: 1)
        hi = Float(f.rawMax)
        lo = Float(c.lowestKept)
        rounding = c.rounding
        overflow = c.overflow
        modulus = Float(sign: .plus, exponent: f.width, significand: 1)
        inverseModulus = Float(sign: .plus, exponent: -f.width, significand: 1)
        signed = f.isSigned
    }

    /// The same conversion as parameters of the C kernel (`lrsim_float_quantize64`, Int64 outputs).
    @usableFromInline
    var cParameters: lrsim_float_quantize {
        let code: Int32
        switch rounding {
        case .truncate: code = Int32(LRSIM_QROUND_FLOOR)
        case .truncateToZero: code = Int32(LRSIM_QROUND_TOWARD_ZERO)
        case .roundHalfToEven: code = Int32(LRSIM_QROUND_HALF_EVEN)
        case .roundHalfAwayFromZero: code = Int32(LRSIM_QROUND_HALF_AWAY)
        case .roundHalfUp: code = Int32(LRSIM_QROUND_HALF_UP)
        case .roundHalfDown: code = Int32(LRSIM_QROUND_HALF_DOWN)
        case .roundHalfToZero: code = Int32(LRSIM_QROUND_HALF_TO_ZERO)
        default: code = Int32(LRSIM_QROUND_HALF_TO_ODD)
        }
        let over: Int32
        switch overflow {
        case .saturate, .saturateSymmetric: over = Int32(LRSIM_QOVERFLOW_SATURATE)
        case .saturateToZero: over = Int32(LRSIM_QOVERFLOW_TO_ZERO)
        case .wrap: over = Int32(LRSIM_QOVERFLOW_WRAP)
        }
        return lrsim_float_quantize(
            scale: scale, lo: lo, hi: hi, modulus: modulus, inverse_modulus: inverseModulus, rounding: code,
            overflow: over, is_signed: signed ? 1 : 0)
    }

    /// Converts 16 elements (always succeeds; the Bool leaves room for lanes a future mode cannot handle).
    ///
    /// Lane selection uses bit masks (`select`) rather than `SIMD.replacing(with:where:)`, which the compiler lowers to
    /// a per-lane loop.
    @inlinable @inline(__always)
    func convert16<S: FixedWidthInteger>(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<S>) -> Bool {
        var y = UnsafeRawPointer(src).loadUnaligned(as: V.self) * scale
        y = Self.select(y .!= y, V(), y)  // NaN -> 0
        var r: V
        switch rounding {
        case .truncate: r = y.rounded(.down)
        case .truncateToZero: r = y.rounded(.towardZero)
        case .roundHalfToEven: r = y.rounded(.toNearestOrEven)
        case .roundHalfAwayFromZero: r = y.rounded(.toNearestOrAwayFromZero)
        default:
            let f = y.rounded(.down)
            let d = y - f
            let up: SIMDMask<SIMD16<Int32>>
            switch rounding {
            case .roundHalfUp: up = d .>= 0.5
            case .roundHalfDown: up = d .> 0.5
            case .roundHalfToZero: up = (d .> 0.5) .| ((d .== 0.5) .& (y .< 0))
            default:  // .roundHalfToOdd
                let even = (f * 0.5).rounded(.down) * 2 .== f
                up = (d .> 0.5) .| ((d .== 0.5) .& even)
            }
            r = Self.select(up, f + 1, f)
        }
        switch overflow {
        case .saturate, .saturateSymmetric:
            r = Self.select(r .< lo, V(repeating: lo), r)
            r = Self.select(r .> hi, V(repeating: hi), r)
        case .saturateToZero:
            r = Self.select((r .< lo) .| (r .> hi), V(), r)
        case .wrap:
            // r mod 2^W, exactly: floor(r / 2^W) * 2^W is a float, and the difference, an integer below 2^W, is too.
            let m = V(repeating: modulus)
            var u = r - (r * inverseModulus).rounded(.down) * m
            u = Self.select(u .!= u, V(), u)  // +-infinity wraps to 0
            if signed { u = Self.select(u .>= m * 0.5, u - m, u) }
            r = u
        }
        // |r| <= 2^22 is an integer: adding 1.5 * 2^23 puts it in the low mantissa bits.
        let i32 = unsafeBitCast(r + 12_582_912.0, to: SIMD16<Int32>.self) &- 0x4B40_0000
        for l in 0..<16 { dst[l] = S(truncatingIfNeeded: i32[l]) }
        return true
    }

    /// Lanes of `a` where `mask` is set, of `b` elsewhere (bitwise blend).
    @inlinable @inline(__always)
    static func select(_ mask: SIMDMask<SIMD16<Int32>>, _ a: V, _ b: V) -> V {
        let m = mask._storage
        let x = unsafeBitCast(a, to: SIMD16<Int32>.self), z = unsafeBitCast(b, to: SIMD16<Int32>.self)
        return unsafeBitCast((x & m) | (z & ~m), to: V.self)
    }
}
