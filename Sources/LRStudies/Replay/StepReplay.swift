import FixedPoint
import Foundation
import LRTrain

/// One recorded step run through the datapath: what `lrsim replay` reports on and `train --hw` must reproduce.
public struct ReplayedStep: Sendable {
    public let step: Int
    public let result: DatapathStepResult
    /// The raw weights the step ran with (the recorded floats rounded into the weights format).
    public let weights: [Int64]
    /// The trainer-scaled float gradient (flat parameter layout).
    public let gradient: [Float]
    /// The weights after the fixed-point SGD update (nil when the recorded run updates on the host: Adam, momentum).
    public let updatedWeights: [Int64]?
    /// Mean clean loss of the batch on the updated weights (same datapath), when the update ran.
    public let lossAfterUpdate: Double?
    /// Per parametric layer, the exact GMP check (empty when not asked for).
    public let checks: [ExactLayerCheck]
}

extension FixedPointDatapath {
    /// Replays a recorded step: quantize its weights and batch, run the step, optionally check every layer's gradient
    /// against GMP, and apply the update when the run's optimizer is plain SGD (what `QuantizedEstimator` does).
    public func replay(_ r: RecordedStep, exact: Bool) throws -> ReplayedStep {
        let w = try quantizeParameters(r.network.parameters, step: r.step)
        let result = try run(weights: w, input: r.input, labels: r.labels, step: r.step)
        let checks = exact ? try result.layers.map { try exactCheck($0, rows: result.rows) } : []
        var updated: [Int64]? = nil
        var after: Double? = nil
        if r.config.optimizer == .sgd && r.config.momentum == 0 {
            let next = try FixedPointSGD(learningRate: r.config.learningRate).apply(
                weights: w, result: result, datapath: self, step: r.step)
            updated = next
            after = try meanCleanLoss(weights: next, input: r.input, labels: r.labels, step: r.step)
        }
        return ReplayedStep(
            step: r.step, result: result, weights: w, gradient: floatGradient(result), updatedWeights: updated,
            lossAfterUpdate: after, checks: checks)
    }

    /// The mean clean loss of a batch on raw weights (clean forward and loss unit only).
    public func meanCleanLoss(weights: [Int64], input: [Float], labels: [Int32], step: Int) throws -> Double {
        let x = try FixedKernels.quantize(
            input, config: formats.inputs, stochastic: stream(step: step, layer: 0xFFFF, site: 0))
        let clean = try forward(
            from: 0, input: x, rows: labels.count, weights: weights, step: step, site: 0, keep: false)
        let L = losses(
            logits: clean.output, rows: labels.count, labels: labels, copiesPerLabel: 1,
            stream: stream(step: step, layer: 0xFFFE, site: 0))
        let lf = formats.loss.format
        return L.reduce(0.0) { $0 + FixedArithmetic.toDouble(lf.raw(fromBits: $1), format: lf) }
            / Double(max(1, labels.count))
    }
}
