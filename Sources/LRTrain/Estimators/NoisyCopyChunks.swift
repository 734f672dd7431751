import LRCore

/// Per-worker buffers of the fused noisy-copy pipeline (`LikelihoodRatioEstimator.noisyCopiesFused`).
final class NoisyCopyWorkspaces: @unchecked Sendable {
    final class Slot {
        let tail: ForwardWorkspace
        let draws = FloatBuffer(), copies = FloatBuffer(), losses = FloatBuffer(), coefficients = FloatBuffer()
        init(spec: NetworkSpec) { tail = ForwardWorkspace(spec: spec) }
    }

    private var slots: [Slot] = []

    /// One slot per worker (created on first use, on the calling thread, before the parallel region).
    func slots(_ count: Int, spec: NetworkSpec) -> [Slot] {
        while slots.count < count { slots.append(Slot(spec: spec)) }
        return slots
    }
}

extension LikelihoodRatioEstimator {
    /// Samples per block of the fused pipeline: about 256 noisy rows, so a block's draws and copies (for the MLP's
    /// 256-wide layer: 128 KiB and 256 KiB) stay in the core's L2 cache from the noise to the reduction.
    static func fusedBlockSamples(copies K: Int, chunk: Int) -> Int { max(1, min(chunk, 256 / max(1, K))) }

    /// Steps 1-4 of `logitNoiseLayer` for samples `b0 ..< b0 + bc`, fused per block of samples and run on every
    /// core: the block's noise rows, its noisy copies (with the fused activation), the layers after `li`, the
    /// per-copy losses, the coefficients and the reduction into `G` (bc x D). Every value is computed by the same
    /// arithmetic as the unfused steps (noise is a pure function of its row; each row's tail forward, loss and
    /// reduction depend on that row alone), so results are bit-identical whatever the blocking and thread count;
    /// the win is that the block never leaves the cache (the unfused steps streamed 6 MB per step through memory).
    func noisyCopiesFused(
        network: Network, params: UnsafePointer<Float>, li: Int, K: Int, nd: Int, D: Int, sigma: Float,
        scoreScale: Float, useSign: Bool, fused: Activation?, labels: UnsafePointer<Int32>,
        b0: Int, bc: Int, step: Int, G: UnsafeMutablePointer<Float>,
        recorded: UnsafeMutablePointer<Float>?, B: Int
    ) {
        let block = Self.fusedBlockSamples(copies: K, chunk: bc)
        let blocks = (bc + block - 1) / block
        let workers = max(1, min(Parallel.threads, blocks))
        let slots = noisyCopies.slots(workers, spec: spec)
        let classes = network.classes
        let antithetic = settings.antithetic
        let noise = self.noise
        let l0 = cleanLoss.pointer
        let v = UnsafePointer(clean.output(li))
        let tailStart = li + (fused == nil ? 1 : 2)
        // Block q runs on worker q mod workers (fixed by the sizes); each worker keeps its own buffers.
        Parallel.forEach(chunks: workers) { w in
            let slot = slots[w]
            var q = w
            while q < blocks {
                let s0 = q &* block, sc = min(block, bc &- s0)
                let R = sc &* K
                // 1. Unit noise rows of the block (rows (b0 + s0) * nd ...).
                let e = slot.draws.reserve(sc &* nd &* D)
                for r in 0..<(sc &* nd) {
                    noise.fill(
                        step: step, layer: li, row: (b0 &+ s0) &* nd &+ r,
                        into: UnsafeMutableBufferPointer(start: e + r &* D, count: D))
                }
                // 2. Noisy copies u = v + sigma * (+-e), the next activation fused.
                let u = slot.copies.reserve(R &* D)
                Self.noisyRows(
                    0..<R, copies: K, width: D, clean: v + (b0 &+ s0) &* D, noise: e, noiseRowsPerSample: nd,
                    antithetic: antithetic, sigma: sigma, fused: fused, into: u)
                // 3. The layers after it, and the per-copy losses.
                let z =
                    tailStart >= spec.layers.count
                    ? UnsafePointer(u)
                    : slot.tail.forward(parameters: params, layout: network.layout, from: tailStart, input: u, rows: R)
                let L = slot.losses.reserve(R)
                SoftmaxCrossEntropy.losses(
                    logits: z, rows: R, classes: classes, labels: labels + (b0 &+ s0),
                    copiesPerLabel: K, out: L)
                if let recorded {
                    for b in 0..<sc { for k in 0..<K { recorded[k &* B &+ b0 &+ s0 &+ b] = L[b &* K &+ k] } }
                }
                // 4. Coefficients and the reduction over copies into the block's rows of G.
                let coef = slot.coefficients.reserve(sc &* nd)
                for b in 0..<sc {
                    coefficients(losses: L + b &* K, copies: K, clean: l0[b0 &+ s0 &+ b], out: coef + b &* nd)
                }
                for b in 0..<sc {
                    let g = G + (s0 &+ b) &* D
                    g.update(repeating: 0, count: D)
                    for m in 0..<nd {
                        let c = coef[b &* nd &+ m] * scoreScale
                        let en = e + (b &* nd &+ m) &* D
                        if useSign {
                            for j in 0..<D { g[j] += en[j] < 0 ? -c : c }
                        } else {
                            for j in 0..<D { g[j] += c * en[j] }
                        }
                    }
                }
                q &+= workers
            }
        }
    }
}

extension LikelihoodRatioEstimator {
    /// Noisy copy rows `rows` of u = v + sigma * (+-e), the next activation fused: row `b * K + k` is sample b's clean
    /// row plus copy k's noise (antithetic pairs share a noise row, the odd copy negated). Both the fused block
    /// pipeline and the unfused step build copies this way.
    @inline(__always)
    static func noisyRows(
        _ rows: Range<Int>, copies K: Int, width D: Int, clean v: UnsafePointer<Float>, noise e: UnsafePointer<Float>,
        noiseRowsPerSample nd: Int, antithetic: Bool, sigma: Float, fused: Activation?, into u: UnsafeMutablePointer<Float>
    ) {
        for row in rows {
            let b = row / K, k = row &- b &* K
            let src = v + b &* D
            let en = e + (b &* nd &+ (antithetic ? k >> 1 : k)) &* D
            let s = (antithetic && (k & 1) == 1) ? -sigma : sigma
            let dst = u + row &* D
            if fused == .relu {
                for j in 0..<D { dst[j] = max(src[j] + s * en[j], 0) }
            } else {
                for j in 0..<D { dst[j] = src[j] + s * en[j] }
                if let a = fused { ActivationKernels.apply(a, dst, count: D) }
            }
        }
    }
}
