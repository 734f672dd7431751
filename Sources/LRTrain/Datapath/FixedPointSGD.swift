import FixedPoint
import Foundation

/// The weight update on the hardware: W <- W - lr_eff * dW in fixed point, per parametric layer.
///
/// lr_eff = lr * score scale / (B K) folds the estimator's constant factors into the learning rate (docs/fixed-point.md:
/// "the constant factors 1/N and c/sigma are folded into the learning rate"). It is held with a 24-bit significand,
/// format s1.F with F = 23 - floor(log2 lr_eff). Each product lr_eff * dW is rounded into `updates`, each new weight
/// into `weights` (`WeightUpdate`); element e of a layer's weights draws stochastic words 2e and 2e+1 of the layer's
/// update stream, its biases those of a second stream. Stateless, so `replay` reproduces it from a trace step.
public struct FixedPointSGD: Sendable {
    public let learningRate: Float

    public init(learningRate: Float) { self.learningRate = learningRate }

    /// The updated raw weights (flat parameter layout) after one step with gradient `result`.
    public func apply(
        weights raw: [Int64], result r: DatapathStepResult, datapath d: FixedPointDatapath,
        step: Int
    ) throws -> [Int64] {
        var w = raw
        for l in r.layers {
            let slot = d.layout.slots[l.position]
            let lrEff = Double(learningRate) * l.scale
            guard lrEff > 0, lrEff.isFinite else {
                throw DatapathError("fixed-point update: learning rate \(lrEff) is not positive")
            }
            let frac = 23 - Int(Foundation.floor(Foundation.log2(lrEff)))
            let lrFormat: FixedFormat
            let update: WeightUpdate
            do {
                lrFormat = try FixedFormat(signed: true, intBits: 1, fracBits: frac)
                update = try WeightUpdate(
                    weight: d.formats.weights, gradientFormat: d.formats.gradients.format,
                    learningRateFormat: lrFormat, step: d.formats.updates)
            } catch { throw DatapathError("fixed-point update of layer \(l.layer): \(error)") }
            let lrRaw = FixedArithmetic.quantize(
                lrEff, into: FixedConfig(lrFormat, rounding: .roundHalfToEven, overflow: .saturate))
            let gw = l.weightGradientRaw, gb = l.biasGradientRaw
            try w.withUnsafeMutableBufferPointer { wb in
                try gw.withUnsafeBufferPointer {
                    try update.apply(
                        weights: UnsafeMutableBufferPointer(
                            rebasing: wb[slot.weightOffset..<(slot.weightOffset + slot.weightCount)]),
                        gradient: $0, learningRate: lrRaw, stochastic: d.stream(step: step, layer: l.layer, site: 3000))
                }
                try gb.withUnsafeBufferPointer {
                    try update.apply(
                        weights: UnsafeMutableBufferPointer(
                            rebasing: wb[slot.biasOffset..<(slot.biasOffset + slot.biasCount)]),
                        gradient: $0, learningRate: lrRaw, stochastic: d.stream(step: step, layer: l.layer, site: 3001))
                }
            }
        }
        return w
    }
}
