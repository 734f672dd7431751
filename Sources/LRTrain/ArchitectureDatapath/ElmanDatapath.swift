import FixedPoint
import LRCore

/// The Elman RNN's LR step (`ElmanRNN`) on the fixed-point datapath.
///
/// The cell at time t is one accumulation per hidden unit: the bias preloaded, the D products of `W_in x_t` (`x_t` in
/// `inputs`), then the H products of `W_hh h_{t-1}` (`h` in `activations`), written back once into `activations` and
/// passed through the tanh table. `W_in x_t + b` does not depend on the copy, so it is accumulated once per sample
/// and step and each copy continues from that accumulator. A noisy copy adds sigma x eps_t to the accumulator before
/// the write-back, at every step, and runs its own trajectory; the head (H -> C on the last state) is a dense layer
/// whose copies add sigma x eps to its accumulator.
///
/// Gradients (the trainer's formula, unscaled): `W_in` and `b` over the B x T rows (b, t) with K copies, scores eps_t
/// and stored input x_t (or +1); `W_hh` over the T x B x K rows (t, copy), one copy each (the copy's own previous
/// state is the input), scores eps_t; the head over B rows with K copies and the clean last state.
final class ElmanDatapath: ArchitectureDatapath {
    let model: SequenceModel
    let kit: ArchitectureDatapathKit
    let tensors: [ModelTensor]
    let macIn: FixedMAC, macRec: FixedMAC, macHead: FixedMAC
    var formats: DatapathFormats { kit.formats }
    var perturbedLayers: [Int] { [0, 1] }
    var sampleFeatures: Int { model.sampleFeatures }

    init(_ model: SequenceModel, kit: ArchitectureDatapathKit) throws {
        self.model = model
        self.kit = kit
        tensors = SequenceTensorLayout(model).tensors
        macIn = try kit.forwardMAC(input: kit.formats.inputs.format, "rnn cell (W_in x_t)")
        macRec = try kit.forwardMAC(input: kit.formats.activations.format, "rnn cell (W_hh h_{t-1})")
        macHead = try kit.forwardMAC(input: kit.formats.activations.format, "rnn head")
    }

    func run(parameters: [Float], input: [Float], labels: [Int32], step: Int) throws -> ArchitectureStepResult {
        let T = model.steps, D = model.inputs, H = model.hidden, C = model.classes, K = kit.copies
        let B = labels.count
        guard B > 0 else { throw DatapathError("batch: expected at least one sample") }
        guard input.count == B * T * D else {
            throw DatapathError("input: expected \(B) x \(T * D) values, got \(input.count)")
        }
        try ArchitectureDatapathKit.checkLabels(labels, classes: C)
        try ArchitectureDatapathKit.requireWork(
            [T + 1, B, K, H], "the rnn step's noisy trajectories (T+1) x B x K x H")
        let (wIn, wHh, b, wO, bO) = (
            tensors[0].range, tensors[1].range, tensors[2].range, tensors[3].range, tensors[4].range
        )
        let w = try kit.quantize(parameters: parameters, tensors: tensors, step: step)
        let x = try FixedKernels.quantize(
            input, config: kit.formats.inputs, stochastic: kit.stream(step: step, layer: 0xFFFF, site: 0))
        // W_in x_t + b for every (b, t): rows b*T + t, as the input is laid out.
        let ax = try kit.dense(
            macIn, x: x, rows: B * T, inputs: D, w: w, weight: wIn, bias: b, outputs: H,
            stream: kit.stream(step: step, layer: 0, site: 0))

        // Clean trajectory and head.
        var hs = [[Int64]](repeating: [], count: T + 1)
        hs[0] = [Int64](repeating: 0, count: B * H)
        for t in 0..<T {
            let acc = recurrent(
                ax, t: t, previous: hs[t], rows: B, copiesPerSample: 1, w: w[wHh],
                stream: kit.stream(step: step, layer: t, site: 3))
            hs[t + 1] = tanh(
                kit.writeBack(acc, stream: kit.stream(step: step, layer: t, site: 1)), step: step, layer: t, pass: 0)
        }
        let accZ = try kit.dense(
            macHead, x: hs[T], rows: B, inputs: H, w: w, weight: wO, bias: bO, outputs: C,
            stream: kit.stream(step: step, layer: 1 << 12, site: 0))
        let logits = kit.writeBack(accZ, stream: kit.stream(step: step, layer: 1 << 12, site: 1))
        let clean = kit.losses(
            logits: logits, rows: B, classes: C, labels: labels, copiesPerLabel: 1,
            stream: kit.stream(step: step, layer: 0xFFFE, site: 0))
        let R = B * K

        // Layer 0: K noisy trajectories per sample, noise at every step.
        var eps = [[Int64]](repeating: [], count: T)
        var hn = [[Int64]](repeating: [], count: T + 1)
        hn[0] = [Int64](repeating: 0, count: R * H)
        for t in 0..<T {
            eps[t] = try kit.sampleCopyNoise(
                ArchitectureNoise.key(seed: kit.seed, step: step, layer: 0, time: t), samples: B,
                columns: H, stream: kit.stream(step: step, layer: t, site: 1000))
            let acc = recurrent(
                ax, t: t, previous: hn[t], rows: R, copiesPerSample: K, w: w[wHh],
                stream: kit.stream(step: step, layer: t, site: 8 + 3))
            let u = kit.noisy(
                acc, rows: R, columns: H, accRow: { $0 }, eps: eps[t],
                stream: kit.stream(step: step, layer: t, site: 1001))
            hn[t + 1] = tanh(u, step: step, layer: t, pass: 1)
        }
        let zN = kit.writeBack(
            try kit.dense(
                macHead, x: hn[T], rows: R, inputs: H, w: w, weight: wO, bias: bO, outputs: C,
                stream: kit.stream(step: step, layer: 1 << 12, site: 8)),
            stream: kit.stream(step: step, layer: 1 << 12, site: 9))
        let copyLosses0 = kit.losses(
            logits: zN, rows: R, classes: C, labels: labels, copiesPerLabel: K,
            stream: kit.stream(step: step, layer: 0, site: 1002))
        let diff0 = try kit.differences(
            copyLosses: copyLosses0, clean: clean, stream: kit.stream(step: step, layer: 0, site: 1003))
        // W_in and b: rows (b, t), K copies each, scores eps_t of the copy.
        let lossesBT = ArchitectureDatapathKit.gather(diff0, width: K, rows: B * T) { $0 / T }
        var scoresBT = [Int64](repeating: 0, count: B * T * K * H)
        for bb in 0..<B {
            for t in 0..<T {
                for k in 0..<K {
                    let dst = ((bb * T + t) * K + k) * H, src = (bb * K + k) * H
                    for j in 0..<H { scoresBT[dst + j] = eps[t][src + j] }
                }
            }
        }
        let gIn = try kit.gradient(
            layer: 0, name: "weight", range: wIn, losses: lossesBT, scores: scoresBT, inputs: x, rows: B * T,
            copies: K, outputs: H, inputCount: D, stream: kit.stream(step: step, layer: 0, site: 1005))
        // W_hh: rows (t, copy), one copy each, the copy's previous state as input.
        let lossesTR = ArchitectureDatapathKit.gather(diff0, width: 1, rows: T * R) { $0 % R }
        let scoresTR = Array(eps.joined())
        let previous = kit.toInputs(
            Array(hn[0..<T].joined()), from: kit.formats.activations.format,
            stream: kit.stream(step: step, layer: 0, site: 1004))
        let gHh = try kit.gradient(
            layer: 0, name: "weight_hh", range: wHh, losses: lossesTR, scores: scoresTR, inputs: previous,
            rows: T * R, copies: 1, outputs: H, inputCount: H, stream: kit.stream(step: step, layer: 0, site: 1007))
        let gB = try kit.gradient(
            layer: 0, name: "bias", range: b, losses: lossesBT, scores: scoresBT, inputs: nil, rows: B * T,
            copies: K, outputs: H, inputCount: 1, stream: kit.stream(step: step, layer: 0, site: 1009))

        // Layer 1: noise on the head's accumulators.
        let epsZ = try kit.sampleCopyNoise(
            ArchitectureNoise.key(seed: kit.seed, step: step, layer: 1, time: 0), samples: B,
            columns: C, stream: kit.stream(step: step, layer: 1 << 12, site: 1000))
        let zK = kit.noisy(
            accZ, rows: R, columns: C, accRow: { $0 / K }, eps: epsZ,
            stream: kit.stream(step: step, layer: 1 << 12, site: 1001))
        let copyLosses1 = kit.losses(
            logits: zK, rows: R, classes: C, labels: labels, copiesPerLabel: K,
            stream: kit.stream(step: step, layer: 1 << 12, site: 1002))
        let diff1 = try kit.differences(
            copyLosses: copyLosses1, clean: clean, stream: kit.stream(step: step, layer: 1 << 12, site: 1003))
        let last = kit.toInputs(
            hs[T], from: kit.formats.activations.format, stream: kit.stream(step: step, layer: 1 << 12, site: 1004))
        let outputGradients = try kit.denseGradients(
            layer: 1, noiseLayer: 1 << 12, weight: wO, bias: bO, losses: diff1, scores: epsZ,
            inputs: last, rows: B, copies: K, outputs: C, inputCount: H, step: step)
        let scale = 1 / (Double(kit.sigma) * Double(B * K))
        return ArchitectureStepResult(
            cleanLosses: clean, meanCleanLoss: kit.meanLoss(clean),
            layers: [
                ArchitectureLayerResult(
                    layer: 0, copies: K, copyLosses: copyLosses0, tensors: [gIn, gHh, gB], scale: scale),
                ArchitectureLayerResult(
                    layer: 1, copies: K, copyLosses: copyLosses1, tensors: outputGradients, scale: scale),
            ])
    }

    /// acc[r, j] = (W_in x_t + b)[sample of r, j] + sum_i W_hh[j, i] h_{t-1}[r, i]: the cell's accumulators at step t
    /// for `rows` rows (copy r belongs to sample r / copiesPerSample).
    func recurrent(
        _ ax: [Int128], t: Int, previous h: [Int64], rows: Int, copiesPerSample: Int, w: ArraySlice<Int64>,
        stream: StochasticStream
    ) -> [Int128] {
        let T = model.steps, H = model.hidden, mac = macRec
        var out = [Int128](repeating: 0, count: rows * H)
        h.withUnsafeBufferPointer { hp in
            w.withUnsafeBufferPointer { wp in
                ax.withUnsafeBufferPointer { ap in
                    out.withUnsafeMutableBufferPointer { op in
                        let hb = hp.baseAddress!, wb = wp.baseAddress!, ab = ap.baseAddress!, ob = op.baseAddress!
                        Parallel.forRanges(count: rows, grain: max(1, 16_384 / max(1, H * H))) { range in
                            for r in range {
                                let start = ((r / copiesPerSample) * T + t) * H
                                for j in 0..<H {
                                    ob[r * H + j] = mac.accumulateDot(
                                        hb + r * H, strideA: 1, wb + j * H, strideB: 1, count: H,
                                        start: ab[start + j], stochastic: stream, index: r * H + j)
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// The tanh table applied in place to written-back values.
    func tanh(_ v: [Int64], step: Int, layer t: Int, pass: Int) -> [Int64] {
        var out = v
        let s = kit.stream(step: step, layer: t, site: 8 * pass + 2)
        out.withUnsafeMutableBufferPointer {
            FixedActivation.apply(
                .tanh, $0.baseAddress!, count: $0.count, config: kit.formats.activations, stochastic: s)
        }
        return out
    }
}
