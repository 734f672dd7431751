import LRCore

/// The random words behind stochastic rounding: a pure function of (key, row, element index), so a quantized result
/// is reproducible in any order and on any number of threads.
///
/// Element `e` uses lane `e % 4` of the Philox block with counter `(e / 4, row, stream|layer, step)` — the layout of
/// `NoiseSampler` — on the `.stochasticRounding` stream, so rounding bits never share counters with noise bits.
public struct StochasticStream: Sendable, Hashable {
    public var key: NoiseKey
    public var row: UInt32

    public init(key: NoiseKey, row: UInt32 = 0) {
        self.key = key
        self.row = row
    }

    /// A stream for `seed` at (step, layer, row), on the `.stochasticRounding` stream.
    public init(seed: UInt64, step: UInt32 = 0, layer: UInt32 = 0, row: UInt32 = 0) {
        self.key = NoiseKey(seed: seed, step: step, layer: layer, stream: .stochasticRounding)
        self.row = row
    }

    /// Seed 0, step 0, layer 0, row 0: used when a caller asks for stochastic rounding without naming a stream.
    public static let `default` = StochasticStream(seed: 0)

    /// The 32-bit word for element `index` (indices wrap modulo 2^34).
    @inlinable
    public func word(_ index: Int) -> UInt32 {
        let block = key.generator.block(key.counter(row: row, block: UInt32(truncatingIfNeeded: index >> 2)))
        return block[index & 3]
    }

    /// Four consecutive words starting at a multiple of 4 (one Philox evaluation).
    @inlinable
    public func block(_ blockIndex: Int) -> SIMD4<UInt32> {
        key.generator.block(key.counter(row: row, block: UInt32(truncatingIfNeeded: blockIndex)))
    }

    /// Words `[start, start + count)` into `out`: `out[j] == word(start + j)`, one Philox block per four words (a
    /// vectorised C kernel; any start, aligned or not).
    @inlinable
    public func words(from start: Int, count: Int, into out: UnsafeMutablePointer<UInt32>) {
        PhiloxWords.fill(key, row: row, first: start, count: count, into: out)
    }

    /// The words at `start + j * stride`, j < count: `out[j] == word(start &+ j &* stride)` (a dot product's
    /// write-back words, `FixedMAC.writeBackWordIndex`, lie 2n + 1 apart).
    @inlinable
    public func words(from start: Int, stride: Int, count: Int, into out: UnsafeMutablePointer<UInt32>) {
        PhiloxWords.fill(key, row: row, first: start, stride: stride, count: count, into: out)
    }

    /// Words per chunk of the bulk call sites: a 2 KB stack buffer, refilled per chunk.
    public static let chunk = 512
}
