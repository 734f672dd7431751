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
        let K = settings.copies[p], signEncoded = Self.signEncoded(settings)
        var signs = signEncoded ? Self.uninitialized(UInt8.self, B * K * D) : []
        var noise = signEncoded ? [] : Self.uninitialized(Int64.self, B * K * D)
        var copyLosses = Self.uninitialized(Int64.self, B * K)
        // About 128 KB of noisy outputs per block (2 samples of the MLP's first layer at K = 32), and at least 8
        // blocks so that narrow layers (the 10 logits) still spread over the cores.
        let perBlock = max(1, min(16_384 / max(1, K &* D), B / 8)), blocks = (B + perBlock - 1) / perBlock
        var failures = [String?](repeating: nil, count: blocks)
        acc.withUnsafeBufferPointer { ab in
            signs.withUnsafeMutableBufferPointer { sb in
                noise.withUnsafeMutableBufferPointer { nb in
                    copyLosses.withUnsafeMutableBufferPointer { lb in
                        failures.withUnsafeMutableBufferPointer { fb in
                            let out = CopyBlockOutputs(
                                signs: signEncoded ? sb.baseAddress : nil, noise: signEncoded ? nil : nb.baseAddress,
                                losses: lb.baseAddress!)
                            Parallel.forEach(chunks: blocks) { c in
                                do {
                                    try copyBlock(
                                        samples: (c &* perBlock)..<min(B, (c &+ 1) &* perBlock), position: p,
                                        layer: li, outputs: D, acc: ab.baseAddress!, fast: fast, weights: weights,
                                        labels: labels, step: step, into: out)
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

    /// One block of `noisyCopiesInBlocks`: the copies of `samples` (rows b*K + k), written into `out`.
    func copyBlock(
        samples: Range<Int>, position p: Int, layer li: Int, outputs D: Int, acc: UnsafePointer<Int64>,
        fast: Int64Requantizer, weights: [Int64], labels: [Int32], step: Int, into out: CopyBlockOutputs
    ) throws {
        let K = settings.copies[p], antithetic = settings.antithetic
        let nd = antithetic ? K / 2 : K
        let b0 = samples.lowerBound, draws = samples.count &* nd, rows = samples.count &* K
        let nf = formats.noise, inj = injections[p], sigma = Int64(inj.sigmaRaw), isa = IntKernelISA.preferred
        // 1. The block's unit noise rows (rows b*nd + m of the batch), then the noise format.
        let e = UnsafeMutablePointer<Float>.allocate(capacity: draws &* D)
        defer { e.deallocate() }
        let source = NoiseSource(seed: seed, kind: settings.noise, stream: .logitNoise)
        for r in 0..<draws {
            source.fill(
                step: step, layer: li, row: b0 &* nd &+ r, into: UnsafeMutableBufferPointer(start: e + r &* D, count: D)
            )
        }
        var q = Self.uninitialized(Int64.self, draws &* D)
        try q.withUnsafeMutableBufferPointer {
            try FixedKernels.quantize(
                UnsafeBufferPointer(start: e, count: draws &* D), into: $0, config: nf,
                stochastic: stream(step: step, layer: li, site: 1000))
        }
        let negated = antithetic ? Self.negatedNoise(q, format: nf) : []
        // 2. Per copy: accumulator + sigma * eps rounded once, the relu, the scores.
        let relu = li + 1 < spec.layers.count && spec.layers[li + 1] == .activation(.relu)
        var u = Self.uninitialized(Int64.self, rows &* D)
        q.withUnsafeBufferPointer { qb in
            negated.withUnsafeBufferPointer { gb in
                u.withUnsafeMutableBufferPointer { ub in
                    for local in 0..<rows {
                        let row = b0 &* K &+ local, b = row / K, k = row &- b &* K
                        let negate = antithetic && (k & 1) == 1
                        let src = ((b &- b0) &* nd &+ (antithetic ? k >> 1 : k)) &* D
                        let eps = (negate ? gb.baseAddress! : qb.baseAddress!) + src
                        let dst = ub.baseAddress! + local &* D
                        fast.applySum(
                            acc + b &* D, shiftA: inj.accShift, eps, scale: sigma, shiftB: inj.noiseShift, count: D,
                            into: dst)
                        if relu { FixedKernels.relu(dst, count: D, isa: isa) }
                        if let np = out.noise { (np + row &* D).update(from: eps, count: D) }
                        if let sp = out.signs {
                            FixedKernels.signBytes(e + src, count: D, flip: negate, into: sp + row &* D, isa: isa)
                        }
                    }
                }
            }
        }
        // 3. The layers after l and the loss unit on the block's copies.
        let L = try copyLosses(
            noisyOutputs: u, position: p, layer: li, reluApplied: relu, labels: Array(labels[samples]),
            weights: weights, step: step)
        (out.losses + b0 &* K).update(from: L, count: rows)
    }
}

/// Where the blocks of noisy copies write: B x K x D sign bytes or noise (one of them) and B x K losses.
struct CopyBlockOutputs {
    let signs: UnsafeMutablePointer<UInt8>?
    let noise: UnsafeMutablePointer<Int64>?
    let losses: UnsafeMutablePointer<Int64>
}
