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
    /// L2 weight decay added to the gradient before the optimizer step (`g + wd * theta`, as PyTorch's SGD and Adam do;
    /// the authors' scripts use 1e-4). nil or 0: none. Optional so configurations without it encode as before.
    public var weightDecay: Float? = nil
    /// "BP+": backprop on the network with N(0, s^2) noise (or Laplace of scale s, with `estimator.noise`) added to every
    /// parametric layer's output during training (`NoisyBackprop.swift`); nil or 0: none. Evaluation stays clean.
    public var trainNoise: Float? = nil
    /// How an mlp or cnn starts (nil: `Initialization.uniform`).
    public var initialization: Initialization? = nil
    public var epochs: Int = 3
    /// Samples per step; a gnn model trains on the full graph, so its batch is the graph's training nodes
    /// (`defaultBatch`).
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

    /// The batch when none is given: 128, or for a gnn model the training nodes its graph data names.
    public static func defaultBatch(model: String, data: String) -> Int {
        guard model.hasPrefix("gnn:"), let spec = try? GraphDataSpec.parse(data) else { return 128 }
        return spec.trainNodes
    }

    /// The model, any `ModelSpec` spelling (mlp, cnn, rnn, snn, gnn); `activation` applies to mlp and cnn.
    public func modelSpec() throws(SettingError) -> ModelSpec {
        do { return try ModelSpec.parse(model, activation: activation) } catch {
            throw SettingError("model", error.description)
        }
    }

    /// Checks ranges and expands per-layer lists against the model (for rnn, snn and gnn: the layers of one time step
    /// or node, `ModelSpec.network`).
    public func resolved() throws -> (TrainingConfiguration, NetworkSpec) {
        let spec = try modelSpec().network
        guard spec.isTrainable else {
            throw SettingError(
                "model",
                "\(model): batch-norm and shortcut layers have no training kernels; \(NetworkSpec.presetNames.joined(separator: ", ")) are simulator workloads (lrsim sim --model \(model))"
            )
        }
        guard epochs >= 1 && epochs <= 100_000 else {
            throw SettingError("epochs", "expected 1...100000, got \(epochs)")
        }
        guard batch >= 1 && batch <= 1 << 16 else { throw SettingError("batch", "expected 1...65536, got \(batch)") }
        guard learningRate > 0 && learningRate.isFinite else {
            throw SettingError("lr", "expected a positive number, got \(learningRate)")
        }
        guard momentum >= 0 && momentum < 1 else {
            throw SettingError("momentum", "expected 0 <= momentum < 1, got \(momentum)")
        }
        guard traceEvery >= 1 else {
            throw SettingError("trace-every", "expected a positive step count, got \(traceEvery)")
        }
        guard gradCheckEvery >= 0 else {
            throw SettingError("grad-check-every", "expected 0 or a positive step count, got \(gradCheckEvery)")
        }
        if let wd = weightDecay {
            guard wd >= 0 && wd.isFinite else {
                throw SettingError("weight-decay", "expected a number >= 0, got \(wd)")
            }
        }
        if estimator.stepInjection != nil {
            guard case .sequence(let s) = try modelSpec(), s.kind == .rnn else {
                throw SettingError("step-injection", "places an rnn cell's noise in time; \(model) is not an rnn")
            }
        }
        if let i = initialization {
            guard case .feedforward = try modelSpec() else {
                throw SettingError("init", "\(i.rawValue) initialises mlp and cnn models; \(model) has its own")
            }
        }
        if let s = trainNoise, s != 0 {
            guard s > 0 && s.isFinite else {
                throw SettingError("train-noise", "expected a noise scale >= 0, got \(s)")
            }
            guard estimator.kind == .bp else {
                throw SettingError(
                    "train-noise",
                    "adds noise to backprop's forward pass (BP+); \(estimator.kind.rawValue) has its own noise (--sigma)"
                )
            }
            guard case .feedforward = try modelSpec() else {
                throw SettingError("train-noise", "BP+ runs on mlp and cnn models, not \(model)")
            }
        }
        var c = self
        c.estimator = try estimator.resolved(spec: spec)
        return (c, spec)
    }
}
