import FixedPoint
import LRCore

extension FixedPointDatapath {
    /// Whether a noisy copy's result is independent of which rows share its call: no stochastic rounding from the
    /// noise on (stochastic words are numbered by position in the whole batch).
    var copiesRunInBlocks: Bool {
        let f = formats
        return [f.noise, f.activations, f.products, f.accumulators, f.loss].allSatisfy { $0.rounding != .stochastic }
    }

    /// `noisyCopies` per block of samples, on every core: a block's noise rows are drawn and quantized, each copy's
    /// noisy outputs formed (and a following relu applied), its scores stored, and the block's copies run through
    /// the layers after `li` to their losses while they are in cache, as the float trainer's fused pipeline does.
    /// The same values as the whole-batch path: with deterministic rounding each row's result depends on that row
    /// alone. What it saves is memory traffic: the whole-batch path writes and rereads B x K x D noisy outputs and
    /// quantized noise as Int64 (16 MB per step for the MLP's first layer).
    func noisyCopiesInBlocks(
        position p: Int, layer li: Int, outputs D: Int, acc: [Int64], fast: Int64Requantizer, weights: [Int64],
        labels: [Int32], rows B: Int, step: Int
    ) throws -> NoisyCopies {
        let K = settings.copies[p]
        let antithetic = settings.antithetic
        let nd = antithetic ? K / 2 : K
        let signEncoded = Self.signEncoded(settings)
        let R = B * K
        var signs = signEncoded ? Self.uninitialized(UInt8.self, R * D) : []
        var noise = signEncoded ? [] : Self.uninitialized(Int64.self, R * D)
        var copyLosses = Self.uninitialized(Int64.self, R)
        let relu = li + 1 < spec.layers.count && spec.layers[li + 1] == .activation(.relu)
        let tailStart = li + (relu ? 2 : 1)
        let nf = formats.noise, inj = injections[p], sigma = Int64(inj.sigmaRaw)
        let source = NoiseSource(seed: seed, kind: settings.noise, stream: .logitNoise)
        let noiseStream = stream(step: step, layer: li, site: 1000),
            lossStream = stream(step: step, layer: li, site: 1002)
        let isa = IntKernelISA.preferred
        // About 128 KB of noisy outputs per block (2 samples of the MLP's first layer at K = 32).
        let perBlock = max(1, 16_384 / max(1, K &* D)), blocks = (B + perBlock - 1) / perBlock
        var failures = [String?](repeating: nil, count: blocks)
        acc.withUnsafeBufferPointer { ab in
            signs.withUnsafeMutableBufferPointer { sb in
                noise.withUnsafeMutableBufferPointer { nb in
                    copyLosses.withUnsafeMutableBufferPointer { lb in
                        failures.withUnsafeMutableBufferPointer { fb in
                            let ap = ab.baseAddress!, lp = lb.baseAddress!
                            let sp = signEncoded ? sb.baseAddress : nil, np = signEncoded ? nil : nb.baseAddress
                            Parallel.forEach(chunks: blocks) { c in
                                let b0 = c &* perBlock, b1 = min(B, b0 &+ perBlock), rows = (b1 &- b0) &* K
                                do {
                                    // 1. The block's unit noise rows (rows b*nd + m of the batch), then the noise format.
                                    var e = Self.uninitialized(Float.self, (b1 &- b0) &* nd &* D)
                                    e.withUnsafeMutableBufferPointer { eb in
                                        for r in 0..<((b1 &- b0) &* nd) {
                                            source.fill(
                                                step: step, layer: li, row: b0 &* nd &+ r,
                                                into: UnsafeMutableBufferPointer(
                                                    start: eb.baseAddress! + r &* D, count: D))
                                        }
                                    }
                                    let q = try FixedKernels.quantize(e, config: nf, stochastic: noiseStream)
                                    let negated = antithetic ? Self.negatedNoise(q, format: nf) : []
                                    // 2. Per copy: accumulator + sigma * eps rounded once, relu, scores.
                                    var u = Self.uninitialized(Int64.self, rows &* D)
                                    q.withUnsafeBufferPointer { qb in
                                        negated.withUnsafeBufferPointer { gb in
                                            e.withUnsafeBufferPointer { eb in
                                                u.withUnsafeMutableBufferPointer { ub in
                                                    for lr in 0..<rows {
                                                        let row = b0 &* K &+ lr, b = row / K, k = row &- b &* K
                                                        let m = antithetic ? k >> 1 : k
                                                        let negate = antithetic && (k & 1) == 1
                                                        let src = ((b &- b0) &* nd &+ m) &* D
                                                        let eps = (negate ? gb.baseAddress! : qb.baseAddress!) + src
                                                        let dst = ub.baseAddress! + lr &* D
                                                        fast.applySum(
                                                            ap + b &* D, shiftA: inj.accShift, eps, scale: sigma,
                                                            shiftB: inj.noiseShift, count: D, into: dst)
                                                        if relu { FixedKernels.relu(dst, count: D, isa: isa) }
                                                        if let np { (np + row &* D).update(from: eps, count: D) }
                                                        if let sp {
                                                            FixedKernels.signBytes(
                                                                eb.baseAddress! + src, count: D, flip: negate,
                                                                into: sp + row &* D, isa: isa)
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                    // 3. The layers after l and the loss unit on the block's copies.
                                    let logits =
                                        tailStart >= spec.layers.count
                                        ? u
                                        : try forward(
                                            from: tailStart, input: u, rows: rows, weights: weights, step: step,
                                            site: 1 + p, keep: false
                                        ).output
                                    let blockLabels = Array(labels[b0..<b1])
                                    let L = losses(
                                        logits: logits, rows: rows, labels: blockLabels, copiesPerLabel: K,
                                        stream: lossStream)
                                    (lp + b0 &* K).update(from: L, count: rows)
                                } catch {
                                    fb[c] = "\(error)"
                                }
                            }
                        }
                    }
                }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw DatapathError(failure) }
        return NoisyCopies(signs: signs, noise: noise, losses: copyLosses)
    }
}
