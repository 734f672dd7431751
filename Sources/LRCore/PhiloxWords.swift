import CGaussian

/// Philox words in bulk for one counter row: word `e` is lane `e % 4` of the block with counter `(e / 4, c1, c2, c3)`,
/// as `StochasticStream.word` takes them, but one block per four words and 16 (AVX-512) or 8 (AVX2) blocks per step
/// through the C kernels of `CGaussian`. Element indices wrap like Swift's `&+`/`&*` (the block is bits 2...33).
public enum PhiloxWords {
    /// Words `[first, first + count)` into `out`. `isa` as `FastGaussian.fill`: 0...2 a C kernel (capped at what
    /// the CPU has), -1 one Swift `Philox4x32.block` per four words (the reference the tests compare with).
    public static func fill(
        _ key: NoiseKey, row: UInt32, first: Int, count: Int,
        into out: UnsafeMutablePointer<UInt32>, isa: Int32 = FastGaussian.nativeISA
    ) {
        guard count > 0 else { return }
        if isa >= 0 {
            let k = key.generator.key
            let c2 = (key.stream << 24) | (key.layer & 0x00FF_FFFF)
            lrsim_philox_words(isa, k.0, k.1, row, c2, key.step, first, count, out)
            return
        }
        let gen = key.generator
        var blockIndex = first >> 2
        var block = gen.block(key.counter(row: row, block: UInt32(truncatingIfNeeded: blockIndex)))
        for j in 0..<count {
            let e = first &+ j
            if e >> 2 != blockIndex {
                blockIndex = e >> 2
                block = gen.block(key.counter(row: row, block: UInt32(truncatingIfNeeded: blockIndex)))
            }
            out[j] = block[e & 3]
        }
    }

    /// The words at indices `first + j * stride`, j < count (write-back words of dot products, 2n + 1 apart).
    public static func fill(
        _ key: NoiseKey, row: UInt32, first: Int, stride: Int, count: Int,
        into out: UnsafeMutablePointer<UInt32>, isa: Int32 = FastGaussian.nativeISA
    ) {
        guard count > 0 else { return }
        if isa >= 0 {
            let k = key.generator.key
            lrsim_philox_words_strided(
                isa, k.0, k.1, row, (key.stream << 24) | (key.layer & 0x00FF_FFFF), key.step,
                first, stride, count, out)
            return
        }
        let gen = key.generator
        for j in 0..<count {
            let e = first &+ j &* stride
            out[j] = gen.block(key.counter(row: row, block: UInt32(truncatingIfNeeded: e >> 2)))[e & 3]
        }
    }
}
