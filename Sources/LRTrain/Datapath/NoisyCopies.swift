import FixedPoint
import LRCore

/// What the noisy copies of one layer leave for its gradient.
struct NoisyCopies {
    /// B x K x J sign bytes (sign encoding; nonzero = -1), else empty.
    var signs: [UInt8]
    /// B x K x J raw noise in the noise format, odd antithetic copies negated (noise encoding), else empty.
    var noise: [Int64]
    /// Per-copy losses, row b*K + k, raw in the loss format.
    var losses: [Int64]
}

extension FixedPointDatapath {
    /// Steps 1-3 of layer-wise injection for the parametric layer at `position` (dense layer `li`, `D` outputs):
    /// regenerate and quantize the noise, form the K noisy copies of every sample, run them through the layers after
    /// `li` and the loss unit. Runs block by block of samples when every rounding after the injection is
    /// deterministic (`noisyCopiesInBlocks`); otherwise on the whole batch at once, below.
    func noisyCopies(
        position p: Int, layer li: Int, outputs D: Int, clean: ForwardResult, acc: (Int) -> Int128,
        weights: [Int64], labels: [Int32], rows B: Int, step: Int
    ) throws -> NoisyCopies {
        let K = settings.copies[p]
        let antithetic = settings.antithetic
        let nd = antithetic ? K / 2 : K
        let signEncoded = Self.signEncoded(settings)
        if let fast = injections[p].fast, let acc64 = clean.accumulators64[li],
            formats.noise.format.isSigned || !antithetic, copiesRunInBlocks
        {
            return try noisyCopiesInBlocks(
                position: p, layer: li, outputs: D, acc: acc64, fast: fast, weights: weights, labels: labels,
                rows: B, step: step)
        }
        // 1. Unit noise rows (the trainer's NoiseSource and row numbering), then the noise format.
        var e = Self.uninitialized(Float.self, B * nd * D)  // every row is filled below
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
            let negated = antithetic ? Self.negatedNoise(q, format: nf) : []
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
                                        let isa = IntKernelISA.preferred
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
                                                if relu { FixedKernels.relu(dst, count: D, isa: isa) }
                                                if let ep { (ep + row &* D).update(from: noise, count: D) }
                                                if let sp {
                                                    FixedKernels.signBytes(
                                                        ef + src, count: D, flip: negate, into: sp + row &* D, isa: isa)
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
        let losses = try copyLosses(
            noisyOutputs: u, position: p, layer: li, reluApplied: reluFused, labels: labels, weights: weights,
            step: step)
        return NoisyCopies(signs: signs, noise: eps, losses: losses)
    }

    /// Step 3 for the noisy outputs of layer `li` (rows b*K + k of the samples `labels` name, relu already applied
    /// when `reluApplied`): the layers after it, then the loss unit, one loss per row.
    func copyLosses(
        noisyOutputs u: [Int64], position p: Int, layer li: Int, reluApplied: Bool, labels: [Int32],
        weights: [Int64], step: Int
    ) throws -> [Int64] {
        let K = settings.copies[p], rows = labels.count * K
        let tailStart = li + (reluApplied ? 2 : 1)
        let logits =
            tailStart >= spec.layers.count
            ? u
            : try forward(from: tailStart, input: u, rows: rows, weights: weights, step: step, site: 1 + p, keep: false)
                .output
        return losses(
            logits: logits, rows: rows, labels: labels, copiesPerLabel: K,
            stream: stream(step: step, layer: li, site: 1002))
    }
}

extension FixedPointDatapath {
    /// The noise of odd antithetic copies: each raw value negated, the format's most negative value overflowing as
    /// the noise format says (a plain loop the compiler vectorises; `map` appended element by element).
    static func negatedNoise(_ q: [Int64], format nf: FixedConfig) -> [Int64] {
        let minRaw = Int64(truncatingIfNeeded: nf.format.rawMin)
        let negMin = Int64(
            truncatingIfNeeded: FixedArithmetic.overflow(0 - nf.format.rawMin, format: nf.format, mode: nf.overflow))
        return [Int64](unsafeUninitializedCapacity: q.count) { out, n in
            q.withUnsafeBufferPointer { src in
                for i in 0..<src.count { out[i] = src[i] == minRaw ? negMin : 0 &- src[i] }
            }
            n = q.count
        }
    }
}
