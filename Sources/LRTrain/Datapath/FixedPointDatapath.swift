import FixedPoint
import Foundation
import LRCore

/// One LR / ALR training step of an MLP through a hardware model's fixed-point datapath, value by value.
///
/// The one implementation behind `lrsim replay` and `lrsim train --hw`. Per step: quantize weights, input and the
/// regenerated noise into the model's formats; the clean forward (fixed-point GEMMs with bias preload, write-back,
/// activations) and its per-sample losses L0; for each parametric layer l, K noisy copies (sigma * eps added to layer
/// l's accumulators before the write-back) through layers > l and their losses; the baseline-subtracted losses
/// (L - L0) in the loss format; the copy reduction and the outer product through `LRGradientDatapath`.
///
/// Noise rows are the float trainer's (`NoiseSource`, the noise-key layout of `LikelihoodRatioEstimator`): copy k of
/// sample b uses row b*K + k, or with antithetic pairs row b*(K/2) + k/2 with the odd copy negated. Supported: dense,
/// activation and flatten layers; logit noise (lr, alr; Gaussian or Laplace); baselines clean, mean, none; no QMC.
public final class FixedPointDatapath {
    public let formats: DatapathFormats
    public let spec: NetworkSpec
    public let layout: ParameterLayout
    public let settings: EstimatorSettings
    public let seed: UInt64
    /// Per layer index: the forward MAC of dense layers (input format x weights).
    let macs: [Int: FixedMAC]
    /// Per parametric position: noise injection, gradient datapaths (weights, bias).
    let injections: [NoiseInjection]
    let gradients: [LRGradientDatapath]
    let biasGradients: [LRGradientDatapath]
    /// The loss unit's exponentials by raw logit difference (activations of at most 16 bits).
    let expTable: LogitExpTable?
    static let onesFormat = try! FixedFormat(signed: true, intBits: 2, fracBits: 0)

    /// `settings` must be resolved against `spec` (`EstimatorSettings.resolved(spec:)`).
    public init(formats: DatapathFormats, spec: NetworkSpec, settings: EstimatorSettings, seed: UInt64) throws {
        self.formats = formats
        self.spec = spec
        self.settings = settings
        self.seed = seed
        layout = ParameterLayout(spec)
        guard settings.kind == .lr || settings.kind == .alr else {
            throw DatapathError(
                "the fixed-point datapath runs the lr and alr estimators; got \(settings.kind.rawValue)")
        }
        guard !settings.qmc else {
            throw DatapathError("the fixed-point datapath regenerates Philox noise; QMC noise is not supported")
        }
        guard settings.injection == .layerwise else {
            throw DatapathError(
                "the fixed-point datapath injects noise one layer at a time; all-layers injection runs in float only")
        }
        guard settings.copies.count == layout.slots.count, settings.sigma.count == layout.slots.count else {
            throw DatapathError(
                "estimator settings name \(settings.copies.count) layers; the model has \(layout.slots.count) parametric layers"
            )
        }
        var macs: [Int: FixedMAC] = [:]
        var inputFormat = formats.inputs.format
        for (i, layer) in spec.layers.enumerated() {
            switch layer {
            case .dense:
                do {
                    macs[i] = try FixedMAC(a: inputFormat, b: formats.weights.format, config: formats.forwardMAC)
                } catch { throw DatapathError("layer \(i) (\(layer.summary)) forward MAC: \(error)") }
                inputFormat = formats.activations.format
            case .activation, .flatten: break
            case .conv2d, .pool, .batchNorm, .residual, .projection:
                throw DatapathError(
                    "layer \(i) (\(layer.summary)): the fixed-point datapath supports dense, activation and flatten layers (MLPs)"
                )
            }
        }
        self.macs = macs
        var injections: [NoiseInjection] = [], gradients: [LRGradientDatapath] = [],
            biasGradients: [LRGradientDatapath] = []
        for (p, slot) in layout.slots.enumerated() {
            guard settings.copies[p] > 0 else {
                throw DatapathError(
                    "layer \(slot.layer): K = 0 (layer not trained) is not supported by the fixed-point datapath, which trains every parametric layer"
                )
            }
            guard !settings.usesWeightNoise(layer: p) else {
                throw DatapathError(
                    "layer \(slot.layer): weight noise is not supported by the fixed-point datapath (logit noise only)")
            }
            injections.append(
                try NoiseInjection(
                    sigma: settings.sigma[p], accumulator: formats.accumulators.format,
                    noise: formats.noise.format, activations: formats.activations))
            let encoding: LRGradientDatapath.Encoding =
                Self.signEncoded(settings) ? .sign : .noise(formats.noise.format)
            let scoreFormat = Self.signEncoded(settings) ? LRGradientDatapath.signFormat : formats.noise.format
            let weighted = try formats.weightedLoss(score: scoreFormat, copies: settings.copies[p])
            let reduction = MACConfig(product: formats.products, accumulator: formats.accumulators, output: weighted)
            let outer = MACConfig(
                product: formats.products, accumulator: formats.accumulators, output: formats.gradients)
            do {
                gradients.append(
                    try LRGradientDatapath(
                        lossFormat: formats.loss.format, inputFormat: formats.inputs.format,
                        encoding: encoding, reduction: reduction, outer: outer))
                biasGradients.append(
                    try LRGradientDatapath(
                        lossFormat: formats.loss.format, inputFormat: Self.onesFormat,
                        encoding: encoding, reduction: reduction, outer: outer))
            } catch { throw DatapathError("layer \(slot.layer) gradient datapath: \(error)") }
        }
        self.injections = injections
        expTable = LogitExpTable(format: formats.activations.format)
        self.gradients = gradients
        self.biasGradients = biasGradients
    }

    /// A datapath for a training configuration and a hardware model's formats.
    public convenience init(config: TrainingConfiguration, spec: NetworkSpec, formats: DatapathFormats) throws {
        let settings = try config.estimator.resolved(spec: spec)
        try self.init(formats: formats, spec: spec, settings: settings, seed: config.seed)
    }

    /// The gradient datapath of each parametric layer (weights; formats and MAC configs for reports).
    public var gradientDatapaths: [LRGradientDatapath] { gradients }

    static func signEncoded(_ s: EstimatorSettings) -> Bool { s.kind.signEncoded || s.noise == .laplace }

    /// The float estimator's score scale: the trainer's gradient is scale / (B K) times the datapath's gradient sum.
    public func scoreScale(position p: Int) -> Double {
        let sigma = settings.sigma[p]
        switch (settings.noise, settings.kind.signEncoded) {
        case (.laplace, _): return Double(1 / sigma)
        case (.gaussian, true): return Double(EstimatorSettings.signScale(sigma: sigma))
        case (.gaussian, false): return Double(1 / sigma)
        }
    }

    /// The stochastic-rounding stream of one rounding site (docs/replay.md lists the sites).
    package func stream(step: Int, layer: Int, site: Int) -> StochasticStream {
        StochasticStream(
            seed: seed, step: UInt32(truncatingIfNeeded: step), layer: UInt32(truncatingIfNeeded: layer),
            row: UInt32(truncatingIfNeeded: site))
    }

    /// Float parameters (the trainer's flat layout) rounded into the weights format (weights and biases alike).
    public func quantizeParameters(_ p: [Float], step: Int) throws -> [Int64] {
        guard p.count == layout.count else {
            throw DatapathError("parameters: expected \(layout.count) values, got \(p.count)")
        }
        // The slots cover every parameter of the MLPs this datapath runs: then no zeroing pass (1.6 MB per step).
        let covered = layout.slots.reduce(0) { $0 + $1.weightCount + $1.biasCount } == p.count
        var raw = covered ? Self.uninitialized(Int64.self, p.count) : [Int64](repeating: 0, count: p.count)
        try p.withUnsafeBufferPointer { src in
            try raw.withUnsafeMutableBufferPointer { dst in
                for slot in layout.slots {
                    for (off, n, site) in [
                        (slot.weightOffset, slot.weightCount, 0), (slot.biasOffset, slot.biasCount, 1),
                    ] {
                        try FixedKernels.quantize(
                            UnsafeBufferPointer(rebasing: src[off..<(off + n)]),
                            into: UnsafeMutableBufferPointer(rebasing: dst[off..<(off + n)]),
                            config: formats.weights, stochastic: stream(step: step, layer: slot.layer, site: site))
                    }
                }
            }
        }
        return raw
    }

    /// Raw weights back to Floats (exact for weight formats up to 24 bits).
    public func dequantizeParameters(_ raw: [Int64]) -> [Float] {
        let f = formats.weights.format
        return raw.map { Float(FixedArithmetic.toDouble(f.raw(fromBits: $0), format: f)) }
    }
}
