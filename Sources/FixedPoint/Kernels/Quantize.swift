import CIntKernels
import LRCore

/// Vectorised conversions between Float buffers and raw fixed-point buffers.
///
/// A storage element of type `S` holds a raw value in its low bits (`FixedFormat.raw(fromBits:)`), so `S` must be at
/// least as wide as the format. Every element's result equals `FixedArithmetic.quantize(x, into:)` bit for bit; the
/// SIMD path covers formats up to 22 bits with F >= 0 and the deterministic rounding modes, the scalar path the rest.
/// Stochastic rounding of element i uses `stochastic.word(i)`.
public enum FixedKernels {
    @inlinable
    public static func quantize<S: FixedWidthInteger>(
        _ x: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<S>, config: FixedConfig,
        stochastic: StochasticStream = .default, isa: IntKernelISA = .preferred
    ) throws {
        try requireStorage(S.self, holds: config.format, role: "quantize output")
        guard x.count == out.count else {
            throw FixedPointError(.shapeMismatch, "quantize: \(x.count) inputs but room for \(out.count) outputs")
        }
        guard let src = x.baseAddress, let dst = out.baseAddress else { return }
        let n = x.count
        let parallelGrain = 1 << 16
        let simd = QuantizeSIMD(config)
        if S.self == Int64.self, let c = simd?.cParameters {
            // Int64 outputs (the datapath's noise and inputs): the C kernel, vectorised for this machine.
            let out = UnsafeMutableRawPointer(dst).assumingMemoryBound(to: Int64.self)
            withUnsafePointer(to: c) { q in
                Parallel.forRanges(count: n, grain: parallelGrain) { range in
                    lrsim_float_quantize64(isa.rawValue, src + range.lowerBound, range.count, out + range.lowerBound, q)
                }
            }
            return
        }
        Parallel.forRanges(count: n, grain: parallelGrain) { range in
            var i = range.lowerBound
            if let simd {
                while i &+ 16 <= range.upperBound {
                    if !simd.convert16(src + i, dst + i) { scalarQuantize(src, dst, i..<(i &+ 16), config, stochastic) }
                    i &+= 16
                }
            }
            scalarQuantize(src, dst, i..<range.upperBound, config, stochastic)
        }
    }

    @inlinable
    static func scalarQuantize<S: FixedWidthInteger>(
        _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<S>,
        _ r: Range<Int>, _ config: FixedConfig, _ stream: StochasticStream
    ) {
        guard config.rounding == .stochastic else {
            for i in r { dst[i] = S(truncatingIfNeeded: FixedArithmetic.quantize(src[i], into: config, random: 0)) }
            return
        }
        // Words in chunks (one Philox block per four elements, vectorised), then the Int64 form when the format allows.
        let fast = StochasticFloatQuantizer(config)
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: StochasticStream.chunk) { buffer in
            let w = buffer.baseAddress!
            var i = r.lowerBound
            while i < r.upperBound {
                let n = min(StochasticStream.chunk, r.upperBound &- i)
                stream.words(from: i, count: n, into: w)
                if let fast {
                    for j in 0..<n { dst[i &+ j] = S(truncatingIfNeeded: fast.quantize(src[i &+ j], w[j])) }
                } else {
                    for j in 0..<n {
                        let q = FixedArithmetic.quantize(src[i &+ j], into: config, random: w[j])
                        dst[i &+ j] = S(truncatingIfNeeded: q)
                    }
                }
                i &+= n
            }
        }
    }

    /// Raw values to the nearest Float (exact for formats up to 24 bits; one rounding up to 53 bits).
    @inlinable
    public static func dequantize<S: FixedWidthInteger>(
        _ raw: UnsafeBufferPointer<S>, format: FixedFormat, into out: UnsafeMutableBufferPointer<Float>
    ) throws {
        try requireStorage(S.self, holds: format, role: "dequantize input")
        guard raw.count == out.count else {
            throw FixedPointError(.shapeMismatch, "dequantize: \(raw.count) inputs but room for \(out.count) outputs")
        }
        guard let src = raw.baseAddress, let dst = out.baseAddress else { return }
        let f = format.fracBits
        if format.width <= 53 && abs(f) <= 1000 {
            let scale = Double(sign: .plus, exponent: -f, significand: 1)
            Parallel.forRanges(count: raw.count, grain: 1 << 16) { r in
                for i in r { dst[i] = Float(Double(format.raw(fromBits: Int64(truncatingIfNeeded: src[i]))) * scale) }
            }
        } else {
            for i in 0..<raw.count {
                dst[i] = Float(
                    FixedArithmetic.toDouble(format.raw(fromBits: Int64(truncatingIfNeeded: src[i])), format: format))
            }
        }
    }

    /// Raw values of one format rounded into another config (for example accumulator outputs into an activation
    /// format); element i uses stochastic word i.
    @inlinable
    public static func requantize<S: FixedWidthInteger, T: FixedWidthInteger>(
        _ raw: UnsafeBufferPointer<S>, from format: FixedFormat, into out: UnsafeMutableBufferPointer<T>,
        config: FixedConfig, stochastic: StochasticStream = .default
    ) throws {
        try requireStorage(S.self, holds: format, role: "requantize input")
        try requireStorage(T.self, holds: config.format, role: "requantize output")
        guard raw.count == out.count else {
            throw FixedPointError(.shapeMismatch, "requantize: \(raw.count) inputs but room for \(out.count) outputs")
        }
        let random = config.rounding == .stochastic
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: StochasticStream.chunk) { buffer in
            let w = buffer.baseAddress!
            var i = 0
            while i < raw.count {
                let n = min(StochasticStream.chunk, raw.count &- i)
                if random { stochastic.words(from: i, count: n, into: w) }
                for j in 0..<n {
                    let v = format.raw(fromBits: Int64(truncatingIfNeeded: raw[i &+ j]))
                    let q = FixedArithmetic.quantize(
                        v, fracBits: format.fracBits, into: config, random: random ? w[j] : 0)
                    out[i &+ j] = T(truncatingIfNeeded: q)
                }
                i &+= n
            }
        }
    }

    /// Convenience: quantize an array into raw values stored as Int64.
    public static func quantize(_ x: [Float], config: FixedConfig, stochastic: StochasticStream = .default) throws
        -> [Int64]
    {
        // Every element is written: no zeroing pass (the datapath quantizes megabytes of noise per step).
        try [Int64](unsafeUninitializedCapacity: x.count) { out, initialized in
            try x.withUnsafeBufferPointer { try quantize($0, into: out, config: config, stochastic: stochastic) }
            initialized = x.count
        }
    }

    @usableFromInline
    static func requireStorage<S: FixedWidthInteger>(_: S.Type, holds format: FixedFormat, role: String) throws {
        guard S.bitWidth >= format.width else {
            throw FixedPointError(
                .invalidFormat,
                "\(role): \(S.self) storage (\(S.bitWidth) bits) cannot hold \(format) (\(format.width) bits)")
        }
    }
}
