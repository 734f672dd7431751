import FixedPoint
import Foundation
import LRCore

/// The spiking network's LR step (`SpikingNetwork`) on the fixed-point datapath.
///
/// - input spikes: the trainer's rate code, regenerated from the key (`SpikingNetwork.encode`), held as 0 or 1 in
///   `inputs`;
/// - hidden currents: one GEMM per step on the input spikes (bias preloaded), kept in the accumulator;
/// - membrane: a register in the `accumulators` format, `m_t = beta v_{t-1} + I_t (+ sigma eps_t)` summed exactly and
///   rounded once (beta 0.9 and sigma constant registers with 16-bit significands, like the mlp's sigma); spike when
///   `m_t >= 1`, reset by subtracting 1 (`FixedMembrane`);
/// - readout: the spike count over T divided by T, rounded into `activations`, through a dense layer (bias preloaded),
///   written back into `activations`; its copies add `(sigma / T) sum_t eps_t` to the accumulator (the trainer's
///   `z0 + (sigma/T) sum_t eps_t`, the per-step noise summed exactly).
///
/// Gradients over the B x T rows (b, t), K copies: the hidden layer's with the input spikes, the readout's with the
/// clean hidden spikes, scores the copy's eps_t (the trainer's formula, unscaled).
final class SpikingDatapath: ArchitectureDatapath {
    let model: SequenceModel
    let kit: ArchitectureDatapathKit
    let tensors: [ModelTensor]
    let macIn: FixedMAC, macOut: FixedMAC
    let membrane: FixedMembrane
    /// 1 in the inputs format (a spike as a layer input).
    let oneInput: Int64
    /// sigma / T into the readout's accumulator.
    let readoutInjection: NoiseInjection
    var formats: DatapathFormats { kit.formats }
    var perturbedLayers: [Int] { [0, 1] }
    var sampleFeatures: Int { model.inputs }
    /// The trainer's constants (`SpikingNetwork`).
    static let beta: Float = 0.9

    init(_ model: SequenceModel, kit: ArchitectureDatapathKit) throws {
        self.model = model
        self.kit = kit
        let f = kit.formats
        tensors = SequenceTensorLayout(model).tensors
        macIn = try kit.forwardMAC(input: f.inputs.format, "snn hidden layer")
        macOut = try kit.forwardMAC(input: f.activations.format, "snn readout")
        membrane = try FixedMembrane(
            beta: Self.beta, register: f.accumulators, sigma: kit.injection, noise: f.noise.format)
        let one = FixedArithmetic.quantize(1.0, into: f.inputs)
        guard FixedArithmetic.toDouble(one, format: f.inputs.format) == 1 else {
            throw DatapathError("snn: a spike (1) is not a value of the inputs format \(f.inputs.format)")
        }
        oneInput = Int64(truncatingIfNeeded: one)
        readoutInjection = try NoiseInjection(
            sigma: kit.sigma / Float(model.steps), accumulator: f.accumulators.format,
            noise: f.noise.format, activations: f.activations)
    }

    func run(parameters: [Float], input: [Float], labels: [Int32], step: Int) throws -> ArchitectureStepResult {
        let T = model.steps, D = model.inputs, H = model.hidden, C = model.classes, K = kit.copies
        let B = labels.count, R = B * K
        guard B > 0 else { throw DatapathError("batch: expected at least one sample") }
        guard input.count == B * D else {
            throw DatapathError("input: expected \(B) x \(D) values, got \(input.count)")
        }
        try ArchitectureDatapathKit.checkLabels(labels, classes: C)
        try ArchitectureDatapathKit.requireWork(
            [T, B, K, max(H, D / max(1, K))], "the snn step's noise and spikes T x B x K x max(H, D/K)")
        let (w1, b1, w2, b2) = (tensors[0].range, tensors[1].range, tensors[2].range, tensors[3].range)
        let w = try kit.quantize(parameters: parameters, tensors: tensors, step: step)
        var spikes = [Float](repeating: 0, count: B * T * D)
        input.withUnsafeBufferPointer { x in
            spikes.withUnsafeMutableBufferPointer { o in
                SpikingNetwork.encode(
                    x.baseAddress!, rows: B, inputs: D, steps: T, seed: kit.seed,
                    step: SpikingNetwork.spikeStep(training: step), rowBase: 0, into: o.baseAddress!)
            }
        }
        let sIn = spikes.map { $0 == 0 ? 0 : oneInput }
        let current = try kit.dense(
            macIn, x: sIn, rows: B * T, inputs: D, w: w, weight: w1, bias: b1, outputs: H,
            stream: kit.stream(step: step, layer: 0, site: 0))

        // Clean pass: spikes s1 [B][T][H] and the readout.
        var s1 = [Int64](repeating: 0, count: B * T * H)
        let cleanCounts = integrate(
            current, rows: B, copiesPerSample: 1, eps: nil, stream: kit.stream(step: step, layer: 0, site: 3)
        ) {
            s1[($0 * T + $1) * H + $2] = self.oneInput
        }
        let accZ = try readout(cleanCounts, rows: B, w: w, step: step, pass: 0)
        let logits = kit.writeBack(accZ, stream: kit.stream(step: step, layer: 1 << 12, site: 1))
        let clean = kit.losses(
            logits: logits, rows: B, classes: C, labels: labels, copiesPerLabel: 1,
            stream: kit.stream(step: step, layer: 0xFFFE, site: 0))

        // Layer 0: noise into the hidden currents at every step, K spiking trajectories per sample.
        let eps0 = try (0..<T).map { t in
            try kit.sampleCopyNoise(
                ArchitectureNoise.key(seed: kit.seed, step: step, layer: 0, time: t), samples: B, columns: H,
                stream: kit.stream(step: step, layer: t, site: 1000))
        }
        let counts = integrate(
            current, rows: R, copiesPerSample: K, eps: eps0, stream: kit.stream(step: step, layer: 0, site: 11)
        ) { _, _, _ in }
        let zN = kit.writeBack(
            try readout(counts, rows: R, w: w, step: step, pass: 1),
            stream: kit.stream(step: step, layer: 1 << 12, site: 9))
        let copyLosses0 = kit.losses(
            logits: zN, rows: R, classes: C, labels: labels, copiesPerLabel: K,
            stream: kit.stream(step: step, layer: 0, site: 1002))
        let diff0 = try kit.differences(
            copyLosses: copyLosses0, clean: clean, stream: kit.stream(step: step, layer: 0, site: 1003))

        // Layer 1: noise into the output currents at every step, summed by the integrator.
        let eps1 = try (0..<T).map { t in
            try kit.sampleCopyNoise(
                ArchitectureNoise.key(seed: kit.seed, step: step, layer: 1, time: t), samples: B, columns: C,
                stream: kit.stream(step: step, layer: 1 << 12 | t, site: 1000))
        }
        // The exact sum of the T noise values (|sum| < 2^12 x 2^63 fits Int128).
        var epsSum = [Int128](repeating: 0, count: R * C)
        let nf = kit.formats.noise.format
        for e in 0..<(R * C) {
            for t in 0..<T { epsSum[e] += nf.raw(fromBits: eps1[t][e]) }
        }
        let zK = noisyReadout(accZ, epsSum: epsSum, rows: R, stream: kit.stream(step: step, layer: 1 << 12, site: 1001))
        let copyLosses1 = kit.losses(
            logits: zK, rows: R, classes: C, labels: labels, copiesPerLabel: K,
            stream: kit.stream(step: step, layer: 1 << 12, site: 1002))
        let diff1 = try kit.differences(
            copyLosses: copyLosses1, clean: clean, stream: kit.stream(step: step, layer: 1 << 12, site: 1003))

        // Gradients over the rows (b, t).
        func scores(_ eps: [[Int64]], _ n: Int) -> [Int64] {
            var out = [Int64](repeating: 0, count: B * T * K * n)
            for bb in 0..<B {
                for t in 0..<T {
                    for k in 0..<K {
                        let dst = ((bb * T + t) * K + k) * n, src = (bb * K + k) * n
                        for j in 0..<n { out[dst + j] = eps[t][src + j] }
                    }
                }
            }
            return out
        }
        let rows = B * T
        let l0 = ArchitectureDatapathKit.gather(diff0, width: K, rows: rows) { $0 / T }
        let sc0 = scores(eps0, H)
        let firstGradients = try kit.denseGradients(
            layer: 0, noiseLayer: 0, weight: w1, bias: b1, losses: l0, scores: sc0,
            inputs: sIn, rows: rows, copies: K, outputs: H, inputCount: D, step: step)
        let l1 = ArchitectureDatapathKit.gather(diff1, width: K, rows: rows) { $0 / T }
        let sc1 = scores(eps1, C)
        let secondGradients = try kit.denseGradients(
            layer: 1, noiseLayer: 1 << 12, weight: w2, bias: b2, losses: l1, scores: sc1,
            inputs: s1, rows: rows, copies: K, outputs: C, inputCount: H, step: step)
        let scale = 1 / (Double(kit.sigma) * Double(B * K))
        return ArchitectureStepResult(
            cleanLosses: clean, meanCleanLoss: kit.meanLoss(clean),
            layers: [
                ArchitectureLayerResult(
                    layer: 0, copies: K, copyLosses: copyLosses0, tensors: firstGradients, scale: scale),
                ArchitectureLayerResult(
                    layer: 1, copies: K, copyLosses: copyLosses1, tensors: secondGradients, scale: scale),
            ])
    }

    /// Runs the membranes of `rows` rows (row r on sample r / copiesPerSample's currents, plus sigma x eps[t] of row r
    /// when given) over the T steps; returns the spike count per row and neuron, and reports every spike of row r at
    /// step t of neuron j to `spiked(r, t, j)`.
    func integrate(
        _ current: [Int128], rows: Int, copiesPerSample: Int, eps: [[Int64]]?, stream s: StochasticStream,
        spiked: (Int, Int, Int) -> Void
    ) -> [Int] {
        let T = model.steps, H = model.hidden, nf = kit.formats.noise.format
        let random = kit.formats.accumulators.rounding == .stochastic
        var counts = [Int](repeating: 0, count: rows * H)
        var v = [Int128](repeating: 0, count: rows * H)
        for t in 0..<T {
            for r in 0..<rows {
                let c = ((r / copiesPerSample) * T + t) * H
                for j in 0..<H {
                    let e = r * H + j
                    let noise = eps.map { nf.raw(fromBits: $0[t][e]) }
                    let m = membrane.potential(
                        v[e], current: current[c + j], eps: noise, random: random ? s.word((t * rows + r) * H + j) : 0)
                    if membrane.fires(m) {
                        counts[e] += 1
                        spiked(r, t, j)
                        v[e] = membrane.reset(m)
                    } else {
                        v[e] = m
                    }
                }
            }
        }
        return counts
    }

    /// The readout's accumulators of `rows` spike counts: rate = count / T rounded into activations, then the dense
    /// layer with the bias preloaded.
    func readout(_ counts: [Int], rows: Int, w: [Int64], step: Int, pass: Int) throws -> [Int128] {
        let T = Double(model.steps), act = kit.formats.activations
        let s = kit.stream(step: step, layer: 1 << 12, site: 8 * pass + 2)
        var rate = [Int64](repeating: 0, count: counts.count)
        for i in 0..<counts.count {
            rate[i] = Int64(
                truncatingIfNeeded: FixedArithmetic.quantize(
                    Double(counts[i]) / T, into: act,
                    random: act.rounding == .stochastic ? s.word(i) : 0))
        }
        return try kit.dense(
            macOut, x: rate, rows: rows, inputs: model.hidden, w: w, weight: tensors[2].range,
            bias: tensors[3].range, outputs: model.classes,
            stream: kit.stream(step: step, layer: 1 << 12, site: 8 * pass))
    }

    func noisyReadout(_ accZ: [Int128], epsSum: [Int128], rows: Int, stream s: StochasticStream) -> [Int64] {
        let C = model.classes, K = kit.copies, random = kit.formats.activations.rounding == .stochastic
        var out = [Int64](repeating: 0, count: rows * C)
        for r in 0..<rows {
            for c in 0..<C {
                let e = r * C + c
                out[e] = Int64(
                    truncatingIfNeeded: readoutInjection.noisy(
                        accZ[(r / K) * C + c], epsSum[e],
                        random: random ? s.word(e) : 0))
            }
        }
        return out
    }
}
