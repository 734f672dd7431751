import LRCore

/// All-layer injection (`--injection all-layers`; the scheme of the LR authors' code, reference/authors-protocol.md):
/// each of a sample's K copies is one noisy forward pass with noise on every parametric layer's output at once, and
/// every layer's gradient comes from the same per-copy losses:
///
///     dW_l = (1/BK) sum_n (L_n - baseline_n) s(z_{n,l}) (outer) x_{n,l}
///
/// where x_{n,l} is layer l's input in copy n's own noisy pass (for the first parametric layer, the clean input, so
/// its copies are reduced before one GEMM as in layer-wise injection). A baseline keeps the estimate unbiased: z_{n,l}
/// is independent of x_{n,l} and of the baseline, which depend on other noise only. With antithetic pairs copy 2m+1
/// negates every layer's noise of copy 2m; the two passes' inputs differ, so each copy keeps its own term.
///
/// Noise (noise-key layout 4): layer l's noise for sample b, copy k is row b*K+k of its (step, layer) key —
/// b*(K/2)+k/2 with odd copies negated under antithetic pairs — the numbers of layout 1, but one copy carries its row
/// of every layer. Work per step: K forward passes whatever the depth, instead of layer-wise's one tail per layer.
extension LikelihoodRatioEstimator {
    func allLayersEstimate(
        network: Network, input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows B: Int,
        step: Int, into gradient: UnsafeMutablePointer<Float>, recordLosses: Bool
    ) throws -> StepRecord {
        var record = StepRecord()
        let classes = network.classes
        let slots = network.layout.slots
        try network.parameters.withUnsafeBufferPointer { pbuf in
            let params = pbuf.baseAddress!
            let logits = clean.forward(parameters: params, layout: network.layout, from: 0, input: input, rows: B)
            let l0 = cleanLoss.reserve(B)
            SoftmaxCrossEntropy.losses(
                logits: logits, rows: B, classes: classes, labels: labels, copiesPerLabel: 1, out: l0)
            var total = 0.0
            for b in 0..<B { total += Double(l0[b]) }
            record.loss = total / Double(B)
            if recordLosses { record.cleanLosses = Array(UnsafeBufferPointer(start: l0, count: B)) }
            guard let K = settings.copies.first, K > 0, !slots.isEmpty else { return }  // K = 0: nothing is trained
            let losses = try allLayersPasses(
                network: network, params: params, input: input, labels: labels, rows: B,
                copies: K, step: step, gradient: gradient, record: recordLosses)
            if recordLosses { for slot in slots { record.copyLosses[slot.layer] = losses } }
        }
        return record
    }

    /// The K noisy passes over the batch in chunks of samples (memory bounded whatever K is), and every layer's
    /// outer product. Returns the per-copy losses `[K][B]` when `record` is set.
    private func allLayersPasses(
        network: Network, params: UnsafePointer<Float>, input: UnsafePointer<Float>,
        labels: UnsafePointer<Int32>, rows B: Int, copies K: Int, step: Int,
        gradient: UnsafeMutablePointer<Float>, record: Bool
    ) throws -> [Float] {
        let slots = network.layout.slots, layout = network.layout
        let P = slots.count, first = slots[0].layer, last = spec.layers.count - 1
        let antithetic = settings.antithetic
        let nd = antithetic ? K / 2 : K
        let D = slots.map { clean.size(after: $0.layer) }
        var offset = [0]
        for d in D { offset.append(offset[offset.count - 1] &+ d) }
        let noisePerDraw = offset[P], maxD = D.max()!
        let gradScale = 1 / Float(B &* K)
        let perRow = max(tailFloatsPerRow(after: first), noisePerDraw)
        let chunk = max(1, min(B, rowBudget / max(1, perRow &* K)))
        var recorded = record ? [Float](repeating: 0, count: K &* B) : []
        let l0 = cleanLoss.pointer

        var b0 = 0
        while b0 < B {
            let bc = min(chunk, B &- b0)
            let R = bc &* K, draws = bc &* nd  // rows, and noise rows per layer
            // 1. Every layer's unit noise for the chunk: layer p's rows start at e + draws * offset[p].
            let e = self.draws.reserve(draws &* noisePerDraw)
            for p in 0..<P {
                let noise = self.noise, d = D[p], layer = slots[p].layer, base = e + draws &* offset[p]
                Parallel.forRanges(count: draws, grain: max(1, 16384 / max(1, d))) { range in
                    for r in range {
                        noise.fill(
                            step: step, layer: layer, row: b0 &* nd &+ r,
                            into: UnsafeMutableBufferPointer(start: base + r &* d, count: d))
                    }
                }
            }
            // 2. The first parametric layer: its clean output (shared by the copies) plus each copy's noise.
            let u = self.u.reserve(R &* D[0])
            addNoise(
                to: u, clean: UnsafePointer(clean.output(first)) + b0 &* D[0], noise: e, copies: K, rows: R,
                width: D[0], sigma: settings.sigma[0])
            // 3. Each later segment up to the next parametric layer, then that layer's noise on its output, in place.
            var x = UnsafePointer(u), at = first
            for p in 1..<max(1, P) {
                let li = slots[p].layer
                tail.forward(parameters: params, layout: layout, from: at &+ 1, through: li, input: x, rows: R)
                let out = tail.output(li)
                addNoise(
                    to: out, clean: nil, noise: e + draws &* offset[p], copies: K, rows: R, width: D[p],
                    sigma: settings.sigma[p])
                x = UnsafePointer(out); at = li
            }
            let z = at == last ? x : tail.forward(parameters: params, layout: layout, from: at &+ 1, input: x, rows: R)
            let L = copyLoss.reserve(R)
            SoftmaxCrossEntropy.losses(
                logits: z, rows: R, classes: network.classes, labels: labels + b0, copiesPerLabel: K,
                out: L)
            if record { for b in 0..<bc { for k in 0..<K { recorded[k &* B &+ b0 &+ b] = L[b &* K &+ k] } } }
            // 4. Each copy's loss minus the baseline: the one number every layer's noise is weighted by.
            let c = coefficients.reserve(R)
            for b in 0..<bc {
                var base: Float = 0
                switch settings.baseline {
                case .clean: base = l0[b0 &+ b]
                case .mean:
                    for k in 0..<K { base += L[b &* K &+ k] }
                    base /= Float(K)
                case .none: base = 0
                }
                for k in 0..<K { c[b &* K &+ k] = L[b &* K &+ k] - base }
            }
            // 5. Every layer's outer product: the first over the clean input (copies reduced first), the others over
            //    the copies' own noisy inputs.
            for p in 0..<P {
                let li = slots[p].layer, ep = UnsafePointer(e + draws &* offset[p])
                if p == 0 {
                    let G = drawSums.reserve(bc &* D[0])
                    scores(
                        coefficients: c, noise: ep, copies: K, samples: bc, width: D[0], sigma: settings.sigma[0],
                        reduceCopies: true, out: G)
                    let x0: UnsafePointer<Float> = li == 0 ? input : UnsafePointer(clean.output(li - 1))
                    outerProduct(
                        layer: li, slot: slots[p], dy: G, rows: bc, input: x0,
                        cols: clean.geometry(li).map { g in
                            UnsafePointer(clean.columns(li) + b0 &* g.pixels &* g.patch)
                        }, sampleOffset: b0, scale: gradScale, gradient: gradient)
                } else {
                    let G = reduced.reserve(R &* maxD)
                    scores(
                        coefficients: c, noise: ep, copies: K, samples: bc, width: D[p], sigma: settings.sigma[p],
                        reduceCopies: false, out: G)
                    let xp: UnsafePointer<Float> =
                        li - 1 == first ? UnsafePointer(u) : UnsafePointer(tail.output(li - 1))
                    outerProduct(
                        layer: li, slot: slots[p], dy: G, rows: R, input: xp,
                        cols: tail.geometry(li).map { _ in UnsafePointer(tail.columns(li)) }, sampleOffset: 0,
                        scale: gradScale, gradient: gradient)
                }
            }
            b0 &+= bc
        }
        return recorded
    }

    /// `out[row] (+)= sigma * (+-e)` for the R = samples x K rows of one layer: row b*K+k takes draw b*(K/2)+k/2
    /// (negated for odd k) with antithetic pairs, else draw b*K+k. `clean` (one row per sample) is the value the
    /// noise is added to; nil: add to `out` in place.
    private func addNoise(
        to out: UnsafeMutablePointer<Float>, clean: UnsafePointer<Float>?, noise e: UnsafePointer<Float>,
        copies K: Int, rows R: Int, width D: Int, sigma: Float
    ) {
        let antithetic = settings.antithetic
        Parallel.forRanges(count: R, grain: max(1, 16384 / max(1, D))) { range in
            for row in range {
                let b = row / K, k = row &- b &* K
                let en = e + (antithetic ? b &* (K / 2) &+ k >> 1 : row) &* D
                let s = antithetic && k & 1 == 1 ? -sigma : sigma
                let dst = out + row &* D
                if let clean {
                    let src = clean + b &* D
                    for j in 0..<D { dst[j] = src[j] + s * en[j] }
                } else {
                    for j in 0..<D { dst[j] += s * en[j] }
                }
            }
        }
    }

    /// The score term of every row, weighted by its copy's coefficient: `c_n * s(z_n)` with the estimator's encoding
    /// (e/sigma, or a scaled sign for ALR and Laplace noise). `reduceCopies`: summed over each sample's K copies
    /// (samples rows), else one row per copy (samples x K rows).
    private func scores(
        coefficients c: UnsafePointer<Float>, noise e: UnsafePointer<Float>, copies K: Int, samples bc: Int,
        width D: Int, sigma: Float, reduceCopies: Bool, out G: UnsafeMutablePointer<Float>
    ) {
        let (scale, useSign) = score(sigma: sigma)
        let antithetic = settings.antithetic
        let nd = antithetic ? K / 2 : K
        Parallel.forRanges(count: bc, grain: max(1, 4096 / max(1, K &* D))) { range in
            for b in range {
                if reduceCopies { (G + b &* D).update(repeating: 0, count: D) }
                for k in 0..<K {
                    let m = antithetic ? k >> 1 : k
                    let w = (antithetic && k & 1 == 1 ? -scale : scale) * c[b &* K &+ k]
                    let en = e + (b &* nd &+ m) &* D
                    let g = G + (reduceCopies ? b : b &* K &+ k) &* D
                    switch (useSign, reduceCopies) {
                    case (true, true): for j in 0..<D { g[j] += en[j] < 0 ? -w : w }
                    case (true, false): for j in 0..<D { g[j] = en[j] < 0 ? -w : w }
                    case (false, true): for j in 0..<D { g[j] += w * en[j] }
                    case (false, false): for j in 0..<D { g[j] = w * en[j] }
                    }
                }
            }
        }
    }

    /// dW += scale * dy^T x (dense) or the convolution's correlation over `cols`, and db += scale * sum dy.
    /// `sampleOffset`: the chunk's first sample, where a dense layer's clean input rows start.
    private func outerProduct(
        layer li: Int, slot: ParameterLayout.Slot, dy G: UnsafePointer<Float>, rows: Int,
        input x: UnsafePointer<Float>, cols: UnsafePointer<Float>?, sampleOffset: Int, scale: Float,
        gradient: UnsafeMutablePointer<Float>
    ) {
        switch spec.layers[li] {
        case let .dense(inputs, outputs):
            DenseKernels.weightGradient(
                x: x + sampleOffset &* inputs, dy: G, rows: rows, inputs: inputs, outputs: outputs,
                scale: scale, dWeight: gradient + slot.weightOffset, dBias: gradient + slot.biasOffset)
        case .conv2d:
            let g = clean.geometry(li)!
            let pm = pixelMajor.reserve(rows &* g.outputSize)
            ConvKernels.nchwToPixelMajor(G, rows: rows, pixels: g.pixels, channels: g.spec.outChannels, dst: pm)
            ConvKernels.weightGradient(
                g, cols: cols!, deltaPixelMajor: pm, rows: rows, scale: scale,
                dWeight: gradient + slot.weightOffset, dBias: gradient + slot.biasOffset)
        default: break
        }
    }
}
