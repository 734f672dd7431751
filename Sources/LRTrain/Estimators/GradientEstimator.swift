import LRCore

/// Anything that turns a batch into a gradient estimate: backprop, the LR family in float, or the same estimators on a
/// hardware model's fixed-point datapath (`train --hw`).
public protocol GradientEstimator: AnyObject {
    /// Adds the estimate of d(mean batch loss)/d(parameters) into `gradient`, which the caller zeroed — unless
    /// `writesEveryParameter`, in which case the estimate is stored into every element and the caller skips the zeroing.
    func estimate(
        network: Network, input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, step: Int,
        into gradient: UnsafeMutablePointer<Float>, recordLosses: Bool
    ) throws -> StepRecord

    /// Called after the optimizer updated the parameters (a fixed-point datapath re-quantizes its weights here).
    func afterUpdate(parameters: inout [Float])

    /// True when `estimate` stores every element of the gradient (so it need not be zeroed first).
    var writesEveryParameter: Bool { get }
}

extension GradientEstimator {
    public func afterUpdate(parameters: inout [Float]) {}
    public var writesEveryParameter: Bool { false }
}

extension LikelihoodRatioEstimator: GradientEstimator {}

/// Exact backprop behind the estimator interface.
public final class BackpropEstimator: GradientEstimator {
    let engine: BackpropEngine
    public init(spec: NetworkSpec) { engine = BackpropEngine(spec: spec) }

    public func estimate(
        network: Network, input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, rows: Int, step: Int,
        into gradient: UnsafeMutablePointer<Float>, recordLosses: Bool
    ) throws -> StepRecord {
        var r = StepRecord()
        r.loss = engine.gradient(
            network: network, input: input, labels: labels, rows: rows, into: gradient,
            accumulate: false)
        return r
    }

    /// Backprop differentiates every parametric layer, so it stores the whole gradient.
    public var writesEveryParameter: Bool { true }
}

/// Builds the estimator a configuration asks for, on the datapath it is handed (nil: float).
public enum EstimatorFactory {
    public static func make(
        _ config: TrainingConfiguration, spec: NetworkSpec,
        datapath: TrainingDatapath? = nil
    ) throws -> any GradientEstimator {
        // `train --hw`: the same estimator on the hardware model's fixed-point datapath (LRTrain/Datapath).
        let noisy = (config.trainNoise ?? 0) > 0
        if let datapath {
            if noisy { throw SettingError("train-noise", "BP+ trains in float; it has no fixed-point datapath (--hw)") }
            return try QuantizedEstimator(config: config, spec: spec, datapath: datapath)
        }
        if config.estimator.kind == .bp {
            if noisy { return NoisyBackpropEstimator(spec: spec, config: config) }
            return BackpropEstimator(spec: spec)
        }
        return try LikelihoodRatioEstimator(
            spec: spec, settings: config.estimator, seed: config.seed, maxBatch: config.batch)
    }
}
