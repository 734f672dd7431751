import RealModule

/// Fills buffers with noise that is a pure function of (key, row, element index).
///
/// Element `e` of row `r` comes from Philox block `e / 4` of counter `(e/4, r, stream|layer, step)`, lane `e % 4`.
/// Gaussian pairs use Box–Muller on lanes (0,1) and (2,3), so any element can be regenerated on its own.
public enum NoiseSampler {
    /// Standard normal variates for elements `[0, count)` of `row` (the vectorised `FastGaussian` path).
    @inlinable
    public static func gaussian(_ key: NoiseKey, row: UInt32, into out: UnsafeMutableBufferPointer<Float>) {
        FastGaussian.fill(key, row: row, into: out)
    }

    /// The same variates computed one block at a time with libm's log/sin/cos: the readable reference that
    /// `FastGaussian` is checked against (they agree to about 2e-6).
    @inlinable
    public static func gaussianReference(_ key: NoiseKey, row: UInt32, into out: UnsafeMutableBufferPointer<Float>) {
        let gen = key.generator
        let count = out.count
        var e = 0
        var block: UInt32 = 0
        let base = out.baseAddress!
        while e < count {
            let w = gen.block(key.counter(row: row, block: block))
            let g = boxMuller(w)
            let n = min(4, count &- e)
            for lane in 0..<n { base[e &+ lane] = g[lane] }
            e &+= 4; block &+= 1
        }
    }

    /// Four standard normals from one Philox block.
    @inlinable @inline(__always)
    public static func boxMuller(_ w: Philox4x32.Block) -> SIMD4<Float> {
        let r0 = (-2 * Float.log(Uniform.openClosed(w[0]))).squareRoot()
        let r1 = (-2 * Float.log(Uniform.openClosed(w[2]))).squareRoot()
        let t0 = Uniform.closedOpen(w[1]) * (2 * Float.pi)
        let t1 = Uniform.closedOpen(w[3]) * (2 * Float.pi)
        return SIMD4(r0 * Float.cos(t0), r0 * Float.sin(t0), r1 * Float.cos(t1), r1 * Float.sin(t1))
    }

    /// Laplace(0, 1) variates (density exp(-|z|)/2) by inversion, one per 32-bit lane.
    @inlinable
    public static func laplace(_ key: NoiseKey, row: UInt32, into out: UnsafeMutableBufferPointer<Float>) {
        let gen = key.generator
        let base = out.baseAddress!
        var e = 0
        var block: UInt32 = 0
        while e < out.count {
            let w = gen.block(key.counter(row: row, block: block))
            let n = min(4, out.count &- e)
            for lane in 0..<n {
                // Bit 0 picks the sign; the other 31 bits a uniform in (0, 1].
                let u = Float((w[lane] >> 8) &+ 1) * 0x1p-24
                let mag = -Float.log(u)
                base[e &+ lane] = (w[lane] & 1) == 0 ? mag : -mag
            }
            e &+= 4; block &+= 1
        }
    }

    /// Rademacher signs (+1/-1), one bit each: 128 per Philox block.
    @inlinable
    public static func signs(_ key: NoiseKey, row: UInt32, into out: UnsafeMutableBufferPointer<Float>) {
        let gen = key.generator
        let base = out.baseAddress!
        var e = 0
        var block: UInt32 = 0
        while e < out.count {
            let w = gen.block(key.counter(row: row, block: block))
            let n = min(128, out.count &- e)
            for i in 0..<n {
                let bit = (w[i >> 5] >> UInt32(i & 31)) & 1
                base[e &+ i] = bit == 0 ? 1 : -1
            }
            e &+= 128; block &+= 1
        }
    }
}
