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
    /// The hardware datapath the run trains on (`TrainingDatapath.identity`: its name and the digest of the resolved
    /// model), nil for float training. A record, not a file to open: the datapath itself is handed to `Trainer`.
    public var datapath: String? = nil

    public init(estimator: EstimatorSettings) { self.estimator = estimator }

    /// Checks ranges and expands per-layer lists against the model.
    public func resolved() throws -> (TrainingConfiguration, NetworkSpec) {
        let spec: NetworkSpec
        do { spec = try NetworkSpec.parse(model, activation: activation) } catch let e as NetworkSpecError {
            throw SettingError("model", e.description)
        }
        guard epochs >= 1 && epochs <= 100_000 else { throw SettingError("epochs", "expected 1...100000, got \(epochs)") }
        guard batch >= 1 && batch <= 1 << 16 else { throw SettingError("batch", "expected 1...65536, got \(batch)") }
        guard learningRate > 0 && learningRate.isFinite else { throw SettingError("lr", "expected a positive number, got \(learningRate)") }
        guard traceEvery >= 1 else { throw SettingError("trace-every", "expected a positive step count, got \(traceEvery)") }
        guard gradCheckEvery >= 0 else { throw SettingError("grad-check-every", "expected 0 or a positive step count, got \(gradCheckEvery)") }
        var c = self
        c.estimator = try estimator.resolved(spec: spec)
        return (c, spec)
    }
}
