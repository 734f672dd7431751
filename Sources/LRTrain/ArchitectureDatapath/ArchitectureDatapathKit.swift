import FixedPoint
import Foundation
import LRCore

/// The stages the rnn, snn and gnn datapaths share, in the formats of a hardware model (`DatapathFormats`; the
/// signal of every stage as docs/replay.md lists it for the mlp).
///
/// Stochastic-rounding sites (`stream(step:layer:site:)`): the `layer` field is `traceLayer << 12 | timeStep`; sites
/// `8p + 0/1/2/3` are the GEMM, the write-back, the activation and the recurrent dot or membrane update of forward pass
/// p (0 clean, 1 + position the copies of a perturbed layer), 1000 noise, 1001 noisy write-back, 1002 copy losses,
/// 1003 baseline subtraction, 1004 stored input, 1005 + 2i the gradient of tensor i (two rows: reduction, outer
/// product); layer `0x8000 + i` the weights of tensor i, 0xFFFF the input, 0xFFFE the clean losses.
struct ArchitectureDatapathKit {
    let formats: DatapathFormats
    let seed: UInt64
    let copies: Int
    let sigma: Float
    /// sigma x eps into an accumulator, rounded once into `activations`.
    let injection: NoiseInjection

    init(formats: DatapathFormats, seed: UInt64, settings: ArchitectureLRSettings) throws {
        self.formats = formats
        self.seed = seed
        copies = settings.copies
        sigma = settings.sigma
        injection = try NoiseInjection(
            sigma: settings.sigma, accumulator: formats.accumulators.format,
            noise: formats.noise.format, activations: formats.activations)
    }

    func stream(step: Int, layer: Int, site: Int) -> StochasticStream {
        StochasticStream(
            seed: seed, step: UInt32(truncatingIfNeeded: step), layer: UInt32(truncatingIfNeeded: layer),
            row: UInt32(truncatingIfNeeded: site))
    }

    /// The forward MAC of a layer whose input is held in `input` (products and accumulators as configured; the
    /// accumulator is kept, the caller writes it back after adding any noise).
    func forwardMAC(input: FixedFormat, _ what: String) throws -> FixedMAC {
        do { return try FixedMAC(a: input, b: formats.weights.format, config: formats.forwardMAC) } catch {
            throw DatapathError("\(what) forward MAC (\(input) x \(formats.weights.format)): \(error)")
        }
    }

    /// Float parameters rounded into the weights format, tensor by tensor.
    func quantize(parameters p: [Float], tensors: [ModelTensor], step: Int) throws -> [Int64] {
        guard p.count == (tensors.last?.range.upperBound ?? 0) else {
            throw DatapathError("parameters: expected \(tensors.last?.range.upperBound ?? 0) values, got \(p.count)")
        }
        var raw = [Int64](repeating: 0, count: p.count)
        for (i, t) in tensors.enumerated() {
            let q = try FixedKernels.quantize(
                Array(p[t.range]), config: formats.weights,
                stochastic: stream(step: step, layer: 0x8000 + i, site: 0))
            raw.replaceSubrange(t.range, with: q)
        }
        return raw
    }

    /// acc[rows x outputs] = x W^T + b (W `outputs x inputs` at `weight` in `w`, b at `bias`): raw accumulators.
    func dense(
        _ mac: FixedMAC, x: [Int64], rows: Int, inputs: Int, w: [Int64], weight: Range<Int>, bias: Range<Int>,
        outputs: Int, stream: StochasticStream
    ) throws -> [Int128] {
        var acc = [Int128](repeating: 0, count: rows * outputs)
        try x.withUnsafeBufferPointer { a in
            try w.withUnsafeBufferPointer { wb in
                try acc.withUnsafeMutableBufferPointer { c in
                    try mac.gemm(
                        a: a, MatrixLayout(rows: rows, columns: inputs),
                        b: UnsafeBufferPointer(rebasing: wb[weight]),
                        MatrixLayout(rows: inputs, columns: outputs, transposed: true),
                        into: c, bias: UnsafeBufferPointer(rebasing: wb[bias]), biasFormat: formats.weights.format,
                        stochastic: stream)
                }
            }
        }
        return acc
    }

    /// Accumulators rounded once into the activations format.
    func writeBack(_ acc: [Int128], stream s: StochasticStream) -> [Int64] {
        let act = formats.activations, f = formats.accumulators.format.fracBits, random = act.rounding == .stochastic
        var out = [Int64](repeating: 0, count: acc.count)
        for e in 0..<acc.count {
            out[e] = Int64(
                truncatingIfNeeded: FixedArithmetic.quantize(
                    acc[e], fracBits: f, into: act, random: random ? s.word(e) : 0))
        }
        return out
    }

    /// Noisy outputs of `rows x columns` copies: accumulator row `accRow(r)` plus sigma x eps[r], rounded once.
    func noisy(
        _ acc: [Int128], rows: Int, columns n: Int, accRow: (Int) -> Int, eps: [Int64],
        injection inj: NoiseInjection? = nil, stream s: StochasticStream
    ) -> [Int64] {
        let inj = inj ?? injection, random = formats.activations.rounding == .stochastic
        var out = [Int64](repeating: 0, count: rows * n)
        for r in 0..<rows {
            let a = accRow(r) * n
            for j in 0..<n {
                let e = r * n + j
                out[e] = Int64(
                    truncatingIfNeeded: inj.noisy(
                        acc[a + j], formats.noise.format.raw(fromBits: eps[e]),
                        random: random ? s.word(e) : 0))
            }
        }
        return out
    }

    /// Unit Gaussian noise of Philox rows `rows` (`columns` each, the trainer's `FastGaussian` rows), rounded into the
    /// noise format: the leaders of antithetic pairs.
    func pairNoise(_ key: NoiseKey, rows: Range<Int>, columns n: Int, stream: StochasticStream) throws -> [Int64] {
        var e = [Float](repeating: 0, count: rows.count * n)
        e.withUnsafeMutableBufferPointer {
            FastGaussian.fill(key, rows: UInt32(rows.lowerBound)..<UInt32(rows.upperBound), columns: n, into: $0)
        }
        return try FixedKernels.quantize(e, config: formats.noise, stochastic: stream)
    }

    /// The noise each of `rows` copy rows carries: leader row `pairRow(r)` of `pairs`, negated for odd copies (overflow
    /// as the noise format says), as the mlp datapath does.
    func antithetic(_ pairs: [Int64], rows: Int, columns n: Int, pairRow: (Int) -> Int, negated: (Int) -> Bool)
        -> [Int64]
    {
        let nf = formats.noise
        var out = [Int64](repeating: 0, count: rows * n)
        for r in 0..<rows {
            let src = pairRow(r) * n, neg = negated(r)
            for j in 0..<n {
                var v = nf.format.raw(fromBits: pairs[src + j])
                if neg { v = FixedArithmetic.overflow(0 - v, format: nf.format, mode: nf.overflow) }
                out[r * n + j] = Int64(truncatingIfNeeded: v)
            }
        }
        return out
    }

    /// The noise of antithetic copies keyed per sample (noise-key layouts 1 and 2): copy row b*K + k uses Philox row
    /// b*(K/2) + k/2, odd copies negated.
    func sampleCopyNoise(_ key: NoiseKey, samples B: Int, columns n: Int, stream: StochasticStream) throws -> [Int64] {
        let pairs = try pairNoise(key, rows: 0..<(B * copies / 2), columns: n, stream: stream)
        return antithetic(pairs, rows: B * copies, columns: n, pairRow: { $0 >> 1 }, negated: { $0 & 1 == 1 })
    }

    /// Per-row losses of `rows` logit rows (the label of row r is `labels[r / copiesPerLabel]`), raw in `loss`.
    func losses(
        logits: [Int64], rows: Int, classes: Int, labels: [Int32], copiesPerLabel: Int, stream: StochasticStream
    ) -> [Int64] {
        var out = [Int64](repeating: 0, count: rows)
        logits.withUnsafeBufferPointer { z in
            labels.withUnsafeBufferPointer { y in
                out.withUnsafeMutableBufferPointer { o in
                    LossUnit.losses(
                        logits: z.baseAddress!, rows: rows, classes: classes, logitFormat: formats.activations.format,
                        labels: y.baseAddress!, copiesPerLabel: copiesPerLabel, config: formats.loss,
                        stochastic: stream, out: o.baseAddress!)
                }
            }
        }
        return out
    }

    func meanLoss(_ raw: [Int64]) -> Double {
        let lf = formats.loss.format
        return raw.reduce(0.0) { $0 + FixedArithmetic.toDouble(lf.raw(fromBits: $1), format: lf) }
            / Double(max(1, raw.count))
    }

    /// L[b, k] - L0[b] in the loss format (the clean baseline), rows b*K + k.
    func differences(copyLosses L: [Int64], clean: [Int64], stream s: StochasticStream) throws -> [Int64] {
        let lc = formats.loss, lf = lc.format, K = copies
        var out = [Int64](repeating: 0, count: L.count)
        for r in 0..<L.count {
            out[r] = Int64(
                truncatingIfNeeded: try FixedArithmetic.subtract(
                    lf.raw(fromBits: L[r]), lf, lf.raw(fromBits: clean[r / K]), lf, into: lc,
                    random: lc.rounding == .stochastic ? s.word(r) : 0))
        }
        return out
    }

    /// Raw values of `format` rounded into the inputs format (a stored layer input).
    func toInputs(_ raw: [Int64], from format: FixedFormat, stream s: StochasticStream) -> [Int64] {
        let ic = formats.inputs
        if format == ic.format { return raw }
        let random = ic.rounding == .stochastic
        var out = [Int64](repeating: 0, count: raw.count)
        for i in 0..<raw.count {
            out[i] = Int64(
                truncatingIfNeeded: FixedArithmetic.quantize(
                    format.raw(fromBits: raw[i]), fracBits: format.fracBits,
                    into: ic, random: random ? s.word(i) : 0))
        }
        return out
    }

    /// The LR gradient datapath for losses in `loss`, stored inputs in `input` and `copies` terms per reduction;
    /// the weighted-loss register derived as for the mlp (`DatapathFormats.weightedLoss`).
    func gradientDatapath(loss: FixedConfig, input: FixedFormat, copies K: Int) throws -> LRGradientDatapath {
        var f = formats
        f.loss = loss
        let weighted = try f.weightedLoss(score: formats.noise.format, copies: K)
        let reduction = MACConfig(product: formats.products, accumulator: formats.accumulators, output: weighted)
        let outer = MACConfig(product: formats.products, accumulator: formats.accumulators, output: formats.gradients)
        do {
            return try LRGradientDatapath(
                lossFormat: loss.format, inputFormat: input, encoding: .noise(formats.noise.format),
                reduction: reduction, outer: outer)
        } catch {
            throw DatapathError("gradient datapath (loss \(loss.format), input \(input), \(K) copies): \(error)")
        }
    }

    /// A dense layer's weight and bias gradients from the same losses and scores (the bias as a gradient over an input
    /// of ones), each on its own stochastic stream (sites 1005 and 1007 of `noiseLayer`), as the MLP datapath does.
    func denseGradients(
        layer: Int, noiseLayer: Int, weight: Range<Int>, bias: Range<Int>, loss: FixedConfig? = nil, losses: [Int64],
        scores: [Int64], inputs: [Int64], rows: Int, copies K: Int, outputs: Int, inputCount: Int, step: Int
    ) throws -> [TensorGradientResult] {
        [
            try gradient(
                layer: layer, name: "weight", range: weight, loss: loss, losses: losses, scores: scores, inputs: inputs,
                rows: rows, copies: K, outputs: outputs, inputCount: inputCount,
                stream: stream(step: step, layer: noiseLayer, site: 1005)),
            try gradient(
                layer: layer, name: "bias", range: bias, loss: loss, losses: losses, scores: scores, inputs: nil,
                rows: rows, copies: K, outputs: outputs, inputCount: 1,
                stream: stream(step: step, layer: noiseLayer, site: 1007)),
        ]
    }

    /// One tensor's gradient: `losses` rows x K, `scores` rows x K x outputs, `inputs` rows x inputCount (nil: the
    /// bias, a +1 operand per row).
    func gradient(
        layer: Int, name: String, range: Range<Int>, loss: FixedConfig? = nil, losses: [Int64], scores: [Int64],
        inputs: [Int64]?, rows: Int, copies K: Int, outputs: Int, inputCount: Int,
        stream: StochasticStream
    ) throws -> TensorGradientResult {
        let d = try gradientDatapath(
            loss: loss ?? formats.loss, input: inputs == nil ? FixedPointDatapath.onesFormat : formats.inputs.format,
            copies: K)
        let x = inputs ?? [Int64](repeating: 1, count: rows)
        let I = inputs == nil ? 1 : inputCount
        guard range.count == outputs * I else {
            throw DatapathError("layer \(layer) \(name): \(range.count) parameters but a \(outputs) x \(I) gradient")
        }
        var dW = [Int64](repeating: 0, count: outputs * I)
        try losses.withUnsafeBufferPointer { L in
            try scores.withUnsafeBufferPointer { S in
                try x.withUnsafeBufferPointer { X in
                    try dW.withUnsafeMutableBufferPointer { out in
                        try d.gradient(
                            losses: L, scores: S, inputs: X, batch: rows, copies: K, outputs: outputs, inputCount: I,
                            into: out, stochastic: stream)
                    }
                }
            }
        }
        let gf = formats.gradients.format
        return TensorGradientResult(
            layer: layer, name: name, range: range, raw: dW.map { gf.raw(fromBits: $0) }, rows: rows,
            copies: K, outputs: outputs, inputCount: I, datapath: d, losses: losses, scores: scores,
            inputs: x)
    }

    /// Replicates rows of `values` (`width` each): output row q is input row `source(q)`.
    static func gather(_ values: [Int64], width: Int, rows: Int, source: (Int) -> Int) -> [Int64] {
        var out = [Int64](repeating: 0, count: rows * width)
        for q in 0..<rows {
            let s = source(q) * width
            for j in 0..<width { out[q * width + j] = values[s + j] }
        }
        return out
    }

    /// The datapath keeps a step's noise and trajectories as Int64 arrays: refuse a step whose largest array would
    /// exceed 2^28 values (2 GiB) before allocating it.
    static func requireWork(_ dims: [Int], _ what: String) throws {
        var n = 1
        for d in dims {
            let (p, o) = n.multipliedReportingOverflow(by: max(0, d))
            guard !o else { n = .max; break }
            n = p
        }
        guard n <= 1 << 28 else {
            throw DatapathError(
                "\(what) = \(dims.map(String.init).joined(separator: " x ")) values; the replay datapath holds at most 2^28 (2 GiB) per step"
            )
        }
    }

    /// The labels are classes of the model.
    static func checkLabels(_ labels: [Int32], classes: Int) throws {
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
            throw DatapathError("labels[\(bad)] = \(labels[bad]): expected a class in 0...\(classes - 1)")
        }
    }
}
