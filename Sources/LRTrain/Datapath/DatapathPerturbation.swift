import FixedPoint
import LRCore

extension FixedPointDatapath {
    /// Layer-wise injection for one parametric layer: regenerate and quantize the noise, run the K noisy copies, form
    /// the baseline-subtracted losses and the gradient through `LRGradientDatapath`.
    /// An array of `count` elements whose contents the caller writes in full before reading any.
    static func uninitialized<T: FixedWidthInteger>(_: T.Type, _ count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { _, n in n = count }
    }

    func perturb(
        position p: Int, slot: ParameterLayout.Slot, clean: ForwardResult, cleanLosses: [Int64], weights: [Int64],
        labels: [Int32], rows B: Int, step: Int
    ) throws -> DatapathLayerResult {
        let li = slot.layer
        guard case let .dense(I, D) = spec.layers[li], let acc = clean.accumulator(li),
            let (layerInput, inputFormat) = clean.layerInputs[li]
        else {
            throw DatapathError("layer \(li): the fixed-point datapath perturbs dense layers only")
        }
        let K = settings.copies[p]
        let antithetic = settings.antithetic
        let nd = antithetic ? K / 2 : K
        let signEncoded = Self.signEncoded(settings)
        // 1. Unit noise rows (the trainer's NoiseSource and row numbering), then the noise format.
        var e = [Float](repeating: 0, count: B * nd * D)
        let source = NoiseSource(seed: seed, kind: settings.noise, stream: .logitNoise)
        e.withUnsafeMutableBufferPointer { eb in
            let base = eb.baseAddress!
            Parallel.forRanges(count: B * nd, grain: max(1, 16384 / max(1, D))) { range in
                for r in range {
                    source.fill(
                        step: step, layer: li, row: r, into: UnsafeMutableBufferPointer(start: base + r * D, count: D))
                }
            }
        }
        let q = try FixedKernels.quantize(
            e, config: formats.noise, stochastic: stream(step: step, layer: li, site: 1000))
        // 2. Per copy: the noise it carries (odd antithetic copies negated, overflow as the noise format says) and
        //    the noisy outputs, rounded once from accumulator + sigma * eps.
        let R = B * K
        // Every element is written below: no zeroing pass over these (R x D, 8 MB of u for the MLP's first layer).
        var eps = signEncoded ? [] : Self.uninitialized(Int64.self, R * D)
        var signs = signEncoded ? Self.uninitialized(UInt8.self, R * D) : []
        var u = Self.uninitialized(Int64.self, R * D)
        let nf = formats.noise
        let inj = injections[p]
        // A relu right after the layer is applied to each noisy row while it is in cache (exact, like the layer).
        var reluFused = false
        let stochasticFast = inj.fast == nil ? inj.stochasticFast : nil
        if inj.fast != nil || stochasticFast != nil, let acc64 = clean.accumulators64[li],
            nf.format.isSigned || !antithetic
        {
            if li + 1 < spec.layers.count, case .activation(.relu) = spec.layers[li + 1] { reluFused = true }
            let relu = reluFused
            // Vectorised: the negated noise once per draw, then per copy one requantizer pass over the row.
            var negated: [Int64] = []
            if antithetic {
                let minRaw = Int64(truncatingIfNeeded: nf.format.rawMin)
                let negMin = Int64(
                    truncatingIfNeeded: FixedArithmetic.overflow(
                        0 - nf.format.rawMin, format: nf.format, mode: nf.overflow))
                negated = q.map { $0 == minRaw ? negMin : 0 &- $0 }
            }
            q.withUnsafeBufferPointer { qb in
                negated.withUnsafeBufferPointer { nb in
                    acc64.withUnsafeBufferPointer { ab in
                        e.withUnsafeBufferPointer { eb in
                            eps.withUnsafeMutableBufferPointer { epsb in
                                u.withUnsafeMutableBufferPointer { ub in
                                    signs.withUnsafeMutableBufferPointer { sb in
                                        let qp = qb.baseAddress!, np = nb.baseAddress, ap = ab.baseAddress!,
                                            ef = eb.baseAddress!
                                        // An empty array's buffer may still have a base address: choose by encoding.
                                        let ep = signEncoded ? nil : epsb.baseAddress, up = ub.baseAddress!
                                        let sp = signEncoded ? sb.baseAddress : nil
                                        let sigma = Int64(inj.sigmaRaw)
                                        let fast = inj.fast, ws = stream(step: step, layer: li, site: 1001)
                                        Parallel.forRanges(count: R, grain: max(1, 8192 / max(1, D))) { range in
                                            for row in range {
                                                let b = row / K, k = row &- b &* K
                                                let m = antithetic ? k >> 1 : k
                                                let negate = antithetic && (k & 1) == 1
                                                let src = (b &* nd &+ m) &* D
                                                let noise = (negate ? np! : qp) + src
                                                let dst = up + row &* D
                                                if let fast {
                                                    fast.applySum(
                                                        ap + b &* D, shiftA: inj.accShift, noise, scale: sigma,
                                                        shiftB: inj.noiseShift, count: D, into: dst)
                                                } else if let sq = stochasticFast {
                                                    inj.applyStochastic(
                                                        sq, ap + b &* D, noise, row: row, count: D,
                                                        stream: ws, into: dst)
                                                }
                                                if relu { for j in 0..<D { dst[j] = max(dst[j], 0) } }
                                                if let ep { (ep + row &* D).update(from: noise, count: D) }
                                                if let sp {
                                                    let dst = sp + row &* D, ev = ef + src
                                                    let flip: UInt8 = negate ? 1 : 0
                                                    for j in 0..<D { dst[j] = (ev[j] < 0 ? 1 : 0) ^ flip }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        } else {
            let random = formats.activations.rounding == .stochastic
            let s = stream(step: step, layer: li, site: 1001)
            eps.withUnsafeMutableBufferPointer { epsb in
                u.withUnsafeMutableBufferPointer { ub in
                    signs.withUnsafeMutableBufferPointer { sb in
                        let ep = signEncoded ? nil : epsb.baseAddress, up = ub.baseAddress!
                        let sp = signEncoded ? sb.baseAddress : nil
                        Parallel.forRanges(count: R, grain: max(1, 8192 / max(1, D))) { range in
                            for row in range {
                                let b = row / K, k = row - b * K
                                let m = antithetic ? k >> 1 : k
                                let negate = antithetic && (k & 1) == 1
                                let src = (b * nd + m) * D
                                for j in 0..<D {
                                    var v = nf.format.raw(fromBits: q[src + j])
                                    if negate {
                                        v = FixedArithmetic.overflow(0 - v, format: nf.format, mode: nf.overflow)
                                    }
                                    if let ep { ep[row * D + j] = Int64(truncatingIfNeeded: v) }
                                    if let sp { sp[row * D + j] = ((e[src + j] < 0) != negate) ? 1 : 0 }
                                    up[row * D + j] = Int64(
                                        truncatingIfNeeded: inj.noisy(
                                            acc(b * D + j), v,
                                            random: random ? s.word(row * D + j) : 0))
                                }
                            }
                        }
                    }
                }
            }
        }
        // 3. Layers after l on every copy, and the per-copy losses (row b*K + k).
        let tailStart = li + (reluFused ? 2 : 1)
        let logits =
            tailStart >= spec.layers.count
            ? u
            : try forward(from: tailStart, input: u, rows: R, weights: weights, step: step, site: 1 + p, keep: false)
                .output
        let copyLosses = losses(
            logits: logits, rows: R, labels: labels, copiesPerLabel: K,
            stream: stream(step: step, layer: li, site: 1002))
        // 4. Baseline subtraction in the loss format.
        let lc = formats.loss, lf = lc.format
        var diff = [Int64](repeating: 0, count: R)
        let bs = stream(step: step, layer: li, site: 1003)
        // Words b * K + k for the differences and R + b for the mean baselines, in one bulk call.
        let lossRandom = lc.rounding == .stochastic
        var bw = [UInt32](repeating: 0, count: lossRandom ? R + B : 0)
        if lossRandom { bw.withUnsafeMutableBufferPointer { bs.words(from: 0, count: R + B, into: $0.baseAddress!) } }
        for b in 0..<B {
            let base: Int128
            switch settings.baseline {
            case .clean: base = lf.raw(fromBits: cleanLosses[b])
            case .mean:
                var sum = 0.0
                for k in 0..<K { sum += FixedArithmetic.toDouble(lf.raw(fromBits: copyLosses[b * K + k]), format: lf) }
                base = FixedArithmetic.quantize(sum / Double(K), into: lc, random: lossRandom ? bw[R + b] : 0)
            case .none: base = 0
            }
            for k in 0..<K {
                let r: UInt32 = lossRandom ? bw[b * K + k] : 0
                diff[b * K + k] = Int64(
                    truncatingIfNeeded: try FixedArithmetic.subtract(
                        lf.raw(fromBits: copyLosses[b * K + k]), lf, base, lf, into: lc, random: r))
            }
        }
        // 5. The stored layer input in the inputs format, and the gradient datapath.
        let inputs: [Int64]
        if inputFormat == formats.inputs.format {
            inputs = layerInput
        } else {
            let ic = formats.inputs, rs = stream(step: step, layer: li, site: 1004)
            inputs = layerInput.enumerated().map { i, v in
                Int64(
                    truncatingIfNeeded: FixedArithmetic.quantize(
                        inputFormat.raw(fromBits: v), fracBits: inputFormat.fracBits, into: ic,
                        random: ic.rounding == .stochastic ? rs.word(i) : 0))
            }
        }
        var dW = [Int64](repeating: 0, count: D * I)
        var db = [Int64](repeating: 0, count: D)
        let ones = [Int64](repeating: 1, count: B)
        try diff.withUnsafeBufferPointer { L in
            try dW.withUnsafeMutableBufferPointer { out in
                try inputs.withUnsafeBufferPointer { x in
                    if signEncoded {
                        try signs.withUnsafeBufferPointer {
                            try gradients[p].gradient(
                                losses: L, scores: $0, inputs: x, batch: B, copies: K, outputs: D, inputCount: I,
                                into: out, stochastic: stream(step: step, layer: li, site: 1005))
                        }
                    } else {
                        try eps.withUnsafeBufferPointer {
                            try gradients[p].gradient(
                                losses: L, scores: $0, inputs: x, batch: B, copies: K, outputs: D, inputCount: I,
                                into: out, stochastic: stream(step: step, layer: li, site: 1005))
                        }
                    }
                }
            }
            try db.withUnsafeMutableBufferPointer { out in
                try ones.withUnsafeBufferPointer { x in
                    if signEncoded {
                        try signs.withUnsafeBufferPointer {
                            try biasGradients[p].gradient(
                                losses: L, scores: $0, inputs: x, batch: B, copies: K, outputs: D, inputCount: 1,
                                into: out, stochastic: stream(step: step, layer: li, site: 1007))
                        }
                    } else {
                        try eps.withUnsafeBufferPointer {
                            try biasGradients[p].gradient(
                                losses: L, scores: $0, inputs: x, batch: B, copies: K, outputs: D, inputCount: 1,
                                into: out, stochastic: stream(step: step, layer: li, site: 1007))
                        }
                    }
                }
            }
        }
        let gf = formats.gradients.format
        return DatapathLayerResult(
            layer: li, position: p, outputs: D, inputCount: I, copies: K,
            weightGradient: dW.map { gf.raw(fromBits: $0) }, biasGradient: db.map { gf.raw(fromBits: $0) },
            copyLosses: copyLosses, lossOperands: diff, signs: signs,
            noise: signEncoded ? [] : eps, inputs: inputs,
            scale: scoreScale(position: p) / Double(B * K))
    }
}
