import LRCore

/// The likelihood-ratio estimators: `lr`/`alr` (noise on layer outputs) and `es`/`aes` (noise on weights), with
/// layer-wise injection, antithetic pairs and baselines (reference/lr-method.md §1-3).
///
/// Per step: one clean forward (shared by every perturbed layer: it yields each layer's input x and clean output v,
/// and the clean losses L0); then for each parametric layer l, K noisy copies of layers > l only. Each layer then
/// reduces over copies locally, w_b = sum_k (L_bk - baseline_b) s_bk, and forms dW = (1/BK) sum_b w_b (outer) x_b —
/// one GEMM the size of backprop's weight-gradient GEMM. Nothing downstream of the noise is differentiated.
public final class LikelihoodRatioEstimator {
    public let settings: EstimatorSettings
    public let spec: NetworkSpec
    package let noise: NoiseSource
    let weightNoise: NoiseSource
    let clean: ForwardWorkspace
    let tail: ForwardWorkspace
    /// Upper bound on floats per tail buffer; sets how many samples' copies run at once (memory, not results).
    let rowBudget = 1 << 23

    var u = FloatBuffer(), draws = FloatBuffer(), copyLoss = FloatBuffer(), coefficients = FloatBuffer()
    var reduced = FloatBuffer(), pixelMajor = FloatBuffer(), cleanLoss = FloatBuffer(), perturbed = FloatBuffer()
    var drawSums = FloatBuffer()
    /// Per-worker buffers of the fused noisy-copy pipeline.
    let noisyCopies = NoisyCopyWorkspaces()
    /// Scrambled Sobol sequences per logit-noise layer (with `--qmc`); point index = step * rowsPerStep + row.
    let sobol: [Int: SobolSequence]
    let maxBatch: Int

    public init(spec: NetworkSpec, settings: EstimatorSettings, seed: UInt64, maxBatch: Int = 1 << 16) throws {
        self.spec = spec
        self.settings = settings
        self.maxBatch = maxBatch
        var sobol: [Int: SobolSequence] = [:]
        if settings.qmc {
            let shapes = spec.shapes
            for (p, li) in spec.parametricLayers.enumerated()
            where !(settings.usesWeightNoise(layer: p)) {
                let d = shapes[li].reduce(1, *)
                do {
                    sobol[li] = try SobolSequence(dimensions: d, seed: seed &+ UInt64(li) &* 0x9E37_79B9_7F4A_7C15)
                } catch let e as SobolError {
                    throw SettingError("qmc", "layer \(li) has \(d) outputs: \(e.description)")
                }
            }
        }
        self.sobol = sobol
        noise = NoiseSource(seed: seed, kind: settings.noise, stream: .logitNoise)
        weightNoise = NoiseSource(seed: seed, kind: settings.noise, stream: .weightNoise)
        clean = ForwardWorkspace(spec: spec)
        tail = ForwardWorkspace(spec: spec)
    }

    /// Adds the gradient estimate for the batch into `gradient` (zeroed by the caller) and returns what it observed.
    public func estimate(
        network: Network, input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows B: Int,
        step: Int, into gradient: UnsafeMutablePointer<Float>, recordLosses: Bool = false
    ) throws -> StepRecord {
        if settings.injection == .allLayers {
            return try allLayersEstimate(
                network: network, input: input, labels: labels, rows: B, step: step, into: gradient,
                recordLosses: recordLosses)
        }
        var record = StepRecord()
        let classes = network.classes
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

            // K = 0: the layer is not trained (its gradient stays zero).
            for (p, slot) in network.layout.slots.enumerated() where settings.copies[p] > 0 {
                let layerInput: UnsafePointer<Float> =
                    slot.layer == 0 ? input : UnsafePointer(clean.output(slot.layer - 1))
                let losses: [Float]
                if settings.usesWeightNoise(layer: p) {
                    losses = weightNoiseLayer(
                        network: network, params: params, slot: slot, position: p, layerInput: layerInput,
                        labels: labels, rows: B, step: step, gradient: gradient, record: recordLosses)
                } else {
                    losses = try logitNoiseLayer(
                        network: network, params: params, slot: slot, position: p, layerInput: layerInput,
                        labels: labels, rows: B, step: step, gradient: gradient, record: recordLosses)
                }
                if recordLosses { record.copyLosses[slot.layer] = losses }
            }
        }
        return record
    }

    /// Score scale and encoding for a layer: the estimator multiplies the raw unit noise e by `scale` (LR, Gaussian:
    /// s = e/sigma) or by `scale * sign(e)` (ALR, and Laplace whose score is exactly sign(z)/b).
    func score(sigma: Float) -> (scale: Float, sign: Bool) {
        switch (settings.noise, settings.kind.signEncoded) {
        case (.laplace, _): return (1 / sigma, true)
        case (.gaussian, true): return (EstimatorSettings.signScale(sigma: sigma), true)
        case (.gaussian, false): return (1 / sigma, false)
        }
    }

    /// Baseline-subtracted losses of one sample's K copies -> the coefficient of each noise draw.
    @inline(__always)
    func coefficients(losses L: UnsafePointer<Float>, copies K: Int, clean l0: Float, out: UnsafeMutablePointer<Float>)
    {
        var base: Float = 0
        switch settings.baseline {
        case .clean: base = l0
        case .mean:
            for k in 0..<K { base += L[k] }
            base /= Float(K)
        case .none: base = 0
        }
        if settings.antithetic {
            // (L+ - b) e + (L- - b)(-e) = (L+ - L-) e: the baseline cancels within a pair.
            for m in 0..<(K / 2) { out[m] = L[2 &* m] - L[2 &* m &+ 1] }
        } else {
            for k in 0..<K { out[k] = L[k] - base }
        }
    }

    // MARK: - Logit noise (lr, alr)

    func logitNoiseLayer(
        network: Network, params: UnsafePointer<Float>, slot: ParameterLayout.Slot, position p: Int,
        layerInput: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows B: Int, step: Int,
        gradient: UnsafeMutablePointer<Float>, record: Bool
    ) throws -> [Float] {
        let li = slot.layer
        let K = settings.copies[p], sigma = settings.sigma[p]
        let nd = settings.antithetic ? K / 2 : K
        let D = clean.size(after: li)
        let v = UnsafePointer(clean.output(li))
        let classes = network.classes
        let (scoreScale, useSign) = score(sigma: sigma)
        let gradScale = 1 / Float(B &* K)
        let perRow = tailFloatsPerRow(after: li)
        let chunk = max(1, min(B, rowBudget / max(1, perRow &* K)))
        var recorded = record ? [Float](repeating: 0, count: K &* B) : []

        let fused: Activation? = {
            if li + 1 < spec.layers.count, case let .activation(a) = spec.layers[li + 1] { return a }; return nil
        }()
        var b0 = 0
        while b0 < B {
            let bc = min(chunk, B &- b0)
            let R = bc &* K
            if sobol[li] == nil {
                // Pseudo-random noise: steps 1-4 fused per block of samples on every core.
                let G = reduced.reserve(bc &* D)
                recorded.withUnsafeMutableBufferPointer { rec in
                    noisyCopiesFused(
                        network: network, params: params, li: li, K: K, nd: nd, D: D, sigma: sigma,
                        scoreScale: scoreScale, useSign: useSign, fused: fused, labels: labels, b0: b0, bc: bc,
                        step: step, G: G, recorded: record ? rec.baseAddress : nil, B: B)
                }
                outerProduct(
                    li: li, slot: slot, layerInput: layerInput, G: G, b0: b0, bc: bc, scale: gradScale,
                    gradient: gradient)
                b0 &+= bc
                continue
            }
            // 1. Unit noise rows for this chunk (pure function of step, layer, row).
            let e = draws.reserve(bc &* nd &* D)
            if let template = sobol[li] {
                // Quasi-Monte Carlo: consecutive points of one scrambled Sobol sequence per layer; the sequence
                // continues across steps (point = step * maxBatch * draws + row).
                let first = UInt64(step) &* UInt64(maxBatch &* nd) &+ UInt64(b0 &* nd)
                guard first &+ UInt64(bc &* nd) <= SobolSequence.maxPoints else {
                    throw SettingError(
                        "qmc", "step \(step) needs Sobol points beyond 2^32; use fewer steps, copies or a smaller batch"
                    )
                }
                // One skip per chunk (a skip costs 32 x D XORs); nextGaussian(rows:) spreads rows over the cores.
                var seq = template
                try seq.skip(to: first)
                try seq.nextGaussian(rows: bc &* nd, into: UnsafeMutableBufferPointer(start: e, count: bc &* nd &* D))
            } else {
                let noise = self.noise
                Parallel.forRanges(count: bc &* nd, grain: max(1, 16384 / max(1, D))) { range in
                    for r in range {
                        noise.fill(
                            step: step, layer: li, row: b0 &* nd &+ r,
                            into: UnsafeMutableBufferPointer(start: e + r &* D, count: D))
                    }
                }
            }
            // 2. Noisy copies u = v + sigma * (+-e) of the perturbed layer's output; when the next layer is an
            //    activation it is applied on the same cache-hot row (one pass instead of two).
            let u = self.u.reserve(R &* D)
            let antithetic = settings.antithetic
            Parallel.forRanges(count: R, grain: max(1, 16384 / max(1, D))) { range in
                Self.noisyRows(
                    range, copies: K, width: D, clean: v + b0 &* D, noise: e, noiseRowsPerSample: nd,
                    antithetic: antithetic, sigma: sigma, fused: fused, into: u)
            }
            // 3. Layers after it on every copy; per-copy losses.
            let tailStart = li + (fused == nil ? 1 : 2)
            let z =
                tailStart >= spec.layers.count
                ? UnsafePointer(u)
                : tail.forward(parameters: params, layout: network.layout, from: tailStart, input: u, rows: R)
            let L = copyLoss.reserve(R)
            SoftmaxCrossEntropy.losses(
                logits: z, rows: R, classes: classes, labels: labels + b0, copiesPerLabel: K, out: L)
            if record {
                for b in 0..<bc { for k in 0..<K { recorded[k &* B &+ b0 &+ b] = L[b &* K &+ k] } }
            }
            // 4. Local reduction over copies: G_b = sum_m coef_bm * score(e_bm).
            let coef = coefficients.reserve(bc &* nd)
            let l0 = cleanLoss.pointer
            for b in 0..<bc { coefficients(losses: L + b &* K, copies: K, clean: l0[b0 &+ b], out: coef + b &* nd) }
            let G = reduced.reserve(bc &* D)
            Parallel.forRanges(count: bc, grain: max(1, 4096 / max(1, nd &* D))) { range in
                for b in range {
                    let g = G + b &* D
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
            }
            // 5. The outer-product GEMM with the layer input.
            outerProduct(
                li: li, slot: slot, layerInput: layerInput, G: G, b0: b0, bc: bc, scale: gradScale, gradient: gradient)
            b0 &+= bc
        }
        return recorded
    }

    /// dW += scale * G^T X for samples b0 ..< b0 + bc (one GEMM; conv layers through the pixel-major layout).
    func outerProduct(
        li: Int, slot: ParameterLayout.Slot, layerInput: UnsafePointer<Float>, G: UnsafeMutablePointer<Float>,
        b0: Int, bc: Int, scale: Float, gradient: UnsafeMutablePointer<Float>
    ) {
        switch spec.layers[li] {
        case let .dense(inputs, outputs):
            DenseKernels.weightGradient(
                x: layerInput + b0 &* inputs, dy: G, rows: bc, inputs: inputs, outputs: outputs,
                scale: scale, dWeight: gradient + slot.weightOffset,
                dBias: gradient + slot.biasOffset)
        case .conv2d:
            let g = clean.geometry(li)!
            let pm = pixelMajor.reserve(bc &* g.outputSize)
            ConvKernels.nchwToPixelMajor(G, rows: bc, pixels: g.pixels, channels: g.spec.outChannels, dst: pm)
            ConvKernels.weightGradient(
                g, cols: clean.columns(li) + b0 &* g.pixels &* g.patch, deltaPixelMajor: pm,
                rows: bc, scale: scale, dWeight: gradient + slot.weightOffset,
                dBias: gradient + slot.biasOffset)
        default: break
        }
    }

    /// Largest per-row buffer (outputs and im2col columns) of the layers after `li`.
    func tailFloatsPerRow(after li: Int) -> Int {
        var m = clean.size(after: li)
        for i in (li + 1)..<spec.layers.count {
            m = max(m, clean.size(after: i))
            if let g = clean.geometry(i) { m = max(m, g.pixels &* g.patch) }
        }
        return m
    }

    // MARK: - Weight noise (es, aes, and lr/alr layers listed in weightNoiseLayers)

    func weightNoiseLayer(
        network: Network, params: UnsafePointer<Float>, slot: ParameterLayout.Slot, position p: Int,
        layerInput: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows B: Int, step: Int,
        gradient: UnsafeMutablePointer<Float>, record: Bool
    ) -> [Float] {
        let li = slot.layer
        let K = settings.copies[p], sigma = settings.sigma[p]
        let nd = settings.antithetic ? K / 2 : K
        let n = slot.weightCount &+ slot.biasCount
        let classes = network.classes
        let (scoreScale, useSign) = score(sigma: sigma)
        let gradScale = 1 / Float(B &* K)
        var recorded = record ? [Float](repeating: 0, count: K &* B) : []

        // A private copy of all parameters; only this layer's slice is overwritten per copy.
        let total = network.layout.count
        let theta = perturbed.reserve(total)
        theta.update(from: params, count: total)
        let base = params + slot.weightOffset, slice = theta + slot.weightOffset
        let e = draws.reserve(n)
        let L = copyLoss.reserve(K &* B)  // [K, B]
        let l0 = cleanLoss.pointer
        // Pass 1: every copy's losses (copy k uses draw k, or +-draw k/2 with antithetic pairs).
        for k in 0..<K {
            let m = settings.antithetic ? k >> 1 : k
            if !settings.antithetic || k & 1 == 0 {
                weightNoise.fill(step: step, layer: li, row: m, into: UnsafeMutableBufferPointer(start: e, count: n))
            }
            let s: Float = settings.antithetic && k & 1 == 1 ? -sigma : sigma
            for j in 0..<n { slice[j] = base[j] + s * e[j] }
            let z = tail.forward(parameters: theta, layout: network.layout, from: li, input: layerInput, rows: B)
            SoftmaxCrossEntropy.losses(
                logits: z, rows: B, classes: classes, labels: labels, copiesPerLabel: 1,
                out: L + k &* B)
        }
        if record { recorded = Array(UnsafeBufferPointer(start: L, count: K &* B)) }
        // Pass 2: per draw, the batch sum of baseline-subtracted losses weights the (regenerated) draw.
        let copyOf = coefficients.reserve(K)
        let coef = reduced.reserve(nd)
        let sums = drawSums.reserve(nd)
        sums.update(repeating: 0, count: nd)
        for b in 0..<B {
            for k in 0..<K { copyOf[k] = L[k &* B &+ b] }
            coefficients(losses: copyOf, copies: K, clean: l0[b], out: coef)
            for m in 0..<nd { sums[m] += coef[m] }
        }
        let g = gradient + slot.weightOffset
        for m in 0..<nd {
            weightNoise.fill(step: step, layer: li, row: m, into: UnsafeMutableBufferPointer(start: e, count: n))
            let w = sums[m] * scoreScale * gradScale
            if useSign {
                for j in 0..<n { g[j] += e[j] < 0 ? -w : w }
            } else {
                for j in 0..<n { g[j] += w * e[j] }
            }
        }
        return recorded
    }
}
