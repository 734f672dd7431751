import LRCore

/// Everything that determines a training run. Recorded verbatim (resolved) in reports, checkpoints and traces; two
/// runs with equal configurations produce bit-identical weights.
public struct TrainingConfiguration: Sendable, Codable, Equatable {
    public var data: String = "fashion-mnist"
    public var dataDir: String? = nil
    /// Use only the first N training / test samples (quick experiments and tests); nil = all.
    public var trainLimit: Int? = nil
    public var testLimit: Int? = nil
    public var model: String = "mlp:784-256-10"
    public var activation: Activation = .relu
    public var estimator: EstimatorSettings
    public var optimizer: OptimizerKind = .adam
    public var learningRate: Float = 1e-3
    public var momentum: Float = 0.9
    public var epochs: Int = 3
    public var batch: Int = 128
    public var seed: UInt64 = 0
    /// Compare the estimate with backprop's gradient on the same batch every N steps (0 = never).
    public var gradCheckEvery: Int = 0
    public var trace: String? = nil
    public var traceEvery: Int = 100
    public var traceBackprop: Bool = false
    public var checkpoint: String? = nil
    public var hardwareModel: String? = nil

    public init(estimator: EstimatorSettings) { self.estimator = estimator }

    /// Checks ranges and expands per-layer lists against the model.
    public func resolved() throws -> (TrainingConfiguration, NetworkSpec) {
        let spec: NetworkSpec
        do { spec = try NetworkSpec.parse(model, activation: activation) } catch let e as NetworkSpecError {
            throw TrainingError.invalidOption("--model: \(e.description)")
        }
        guard spec.isTrainable else {
            throw TrainingError.invalidOption("--model \(model): batch-norm and shortcut layers have no training kernels; \(NetworkSpec.presetNames.joined(separator: ", ")) are simulator workloads (lrsim sim --model \(model))")
        }
        guard epochs >= 1 && epochs <= 100_000 else { throw TrainingError.invalidOption("--epochs: expected 1...100000, got \(epochs)") }
        guard batch >= 1 && batch <= 1 << 16 else { throw TrainingError.invalidOption("--batch: expected 1...65536, got \(batch)") }
        guard learningRate > 0 && learningRate.isFinite else { throw TrainingError.invalidOption("--lr: expected a positive number, got \(learningRate)") }
        guard traceEvery >= 1 else { throw TrainingError.invalidOption("--trace-every: expected a positive step count, got \(traceEvery)") }
        guard gradCheckEvery >= 0 else { throw TrainingError.invalidOption("--grad-check-every: expected 0 or a positive step count") }
        var c = self
        c.estimator = try estimator.resolved(spec: spec)
        return (c, spec)
    }
}
