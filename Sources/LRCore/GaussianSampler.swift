import CGaussian

/// Standard normal noise, vectorised: the same element -> Philox-counter mapping as `NoiseSampler.gaussian`, so noise
/// stays a pure function of (key, row, element).
///
/// Element `e` of row `r` comes from block `e / 4` of counter `(e/4, r, stream|layer, step)`: lanes (0, 1) and (2, 3)
/// are Box–Muller pairs, radius `sqrt(-2 log Uniform.openClosed(w0))`, angle `2 pi Uniform.closedOpen(w1)`, giving
/// `(r cos, r sin)`. Blocks are made 64 at a time by `Philox4x32.blocks` into word planes, then transformed by a
/// branch-free loop over `GaussianMath` that LLVM vectorises 8 lanes wide (AVX2).
///
/// Values agree with `NoiseSampler.gaussian` to about 2e-6 absolute (that one uses libm and rounds the angle before
/// `sin`/`cos`); these are identical on every machine, since only IEEE adds, multiplies and square roots are used.
public enum FastGaussian {
    /// Philox blocks per tile (256 variates): the word planes and the output tile stay in L1.
    public static let tileBlocks = 64

    /// Standard normals for elements `[0, out.count)` of `row`.
    public static func fill(_ key: NoiseKey, row: UInt32, into out: UnsafeMutableBufferPointer<Float>) {
        fill(key, row: row, from: 0, into: out)
    }

    /// The C kernels' instruction set (`lrsim_gaussian_best_isa`: 0 SSE2, 1 AVX2, 2 AVX-512), chosen at run time.
    public static let nativeISA: Int32 = lrsim_gaussian_best_isa()

    /// Standard normals for elements `[first, first + out.count)` of `row`: any sub-range regenerates the same values.
    public static func fill(_ key: NoiseKey, row: UInt32, from first: Int, into out: UnsafeMutableBufferPointer<Float>)
    {
        guard let base = out.baseAddress, out.count > 0 else { return }
        precondition(first >= 0, "element index must be non-negative")
        native(key, row: row, first: first, count: out.count, into: base, isa: nativeISA)
    }

    /// The same values from a chosen path: `isa` 0...2 the C kernel compiled for that instruction set (capped at what
    /// the CPU has), -1 the Swift loops below (tests compare them bit for bit).
    public static func fill(
        _ key: NoiseKey, row: UInt32, from first: Int, into out: UnsafeMutableBufferPointer<Float>,
        isa: Int32
    ) {
        guard let base = out.baseAddress, out.count > 0 else { return }
        precondition(first >= 0, "element index must be non-negative")
        if isa >= 0 {
            native(key, row: row, first: first, count: out.count, into: base, isa: isa)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 4 * tileBlocks) { words in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 * tileBlocks) { tile in
                fill(
                    key, row: row, first: first, count: out.count, into: base,
                    words: words.baseAddress!, tile: tile.baseAddress!)
            }
        }
    }

    /// Rows `rows` of `columns` normals each, row-major into `out` (`rows.count * columns` values), on all cores.
    /// Rows are split into ranges fixed by the sizes, so the result does not depend on the thread count.
    public static func fill(
        _ key: NoiseKey, rows: Range<UInt32>, columns: Int, into out: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(
            out.count == rows.count * columns, "output holds \(out.count) values, expected \(rows.count) x \(columns)")
        guard columns > 0, let base = out.baseAddress else { return }
        let grain = max(1, (1 << 16) / columns)
        Parallel.forRanges(count: rows.count, grain: grain) { range in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 4 * tileBlocks) { words in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 * tileBlocks) { tile in
                    for r in range {
                        native(
                            key, row: rows.lowerBound &+ UInt32(r), first: 0, count: columns, into: base + r * columns,
                            isa: nativeISA)
                    }
                }
            }
        }
    }

    /// The C kernel (`CGaussian`): the same arithmetic as the Swift loops, vectorised for the CPU's widest registers
    /// (AVX-512 doubles the lanes of the haswell build).
    @inline(__always)
    static func native(
        _ key: NoiseKey, row: UInt32, first: Int, count: Int, into out: UnsafeMutablePointer<Float>, isa: Int32
    ) {
        let k = key.generator.key
        lrsim_gaussian_fill(
            isa, k.0, k.1, row, (key.stream << 24) | (key.layer & 0x00FF_FFFF), key.step, first, count, out)
    }

    /// Elements `[first, first + count)` of `row` into `out`, using caller-provided scratch (4 * tileBlocks each).
    @inline(__always)
    static func fill(
        _ key: NoiseKey, row: UInt32, first: Int, count: Int, into out: UnsafeMutablePointer<Float>,
        words: UnsafeMutablePointer<UInt32>, tile: UnsafeMutablePointer<Float>
    ) {
        let gen = key.generator
        let c2 = (key.stream << 24) | (key.layer & 0x00FF_FFFF)
        var block = UInt32(truncatingIfNeeded: first >> 2)
        var skip = first & 3  // variates of the first block that precede `first`
        var done = 0
        while done < count {
            let blocks = min(tileBlocks, (skip &+ count &- done &+ 3) >> 2)
            let n = tileBlocks
            gen.blocks(
                first: block, count: blocks, c1: row, c2: c2, c3: key.step,
                w0: words, w1: words + n, w2: words + 2 &* n, w3: words + 3 &* n)
            let produced = 4 &* blocks
            if skip == 0 && produced <= count &- done {
                boxMuller(words, stride: n, blocks: blocks, into: out + done)
                done &+= produced
            } else {
                boxMuller(words, stride: n, blocks: blocks, into: tile)
                let take = min(produced &- skip, count &- done)
                (out + done).update(from: tile + skip, count: take)
                done &+= take
            }
            skip = 0
            block &+= UInt32(truncatingIfNeeded: blocks)
        }
    }

    /// Four variates per block from word planes `w0 = words, w1 = words + stride, ...`.
    @inline(__always)
    static func boxMuller(
        _ words: UnsafeMutablePointer<UInt32>, stride n: Int, blocks: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        let w0 = words, w1 = words + n, w2 = words + 2 &* n, w3 = words + 3 &* n
        for j in 0..<blocks {
            let r0 = GaussianMath.radius(w0[j])
            let r1 = GaussianMath.radius(w2[j])
            let (s0, c0) = GaussianMath.sinCos2Pi(turns24: Int32(truncatingIfNeeded: w1[j] >> 8))
            let (s1, c1) = GaussianMath.sinCos2Pi(turns24: Int32(truncatingIfNeeded: w3[j] >> 8))
            let o = out + 4 &* j
            o[0] = r0 * c0; o[1] = r0 * s0; o[2] = r1 * c1; o[3] = r1 * s1
        }
    }
}
