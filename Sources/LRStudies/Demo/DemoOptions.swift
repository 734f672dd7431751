import HWModel
import LRCore

/// What `lrsim demo` runs: the settings of its three training runs, its simulations and its precision sweep.
public struct DemoOptions: Sendable, Equatable {
    /// Output directory.
    public var out = "lrsim-demo"
    /// Dataset directory (nil: Debian's dataset-fashion-mnist location).
    public var dataDir: String?
    /// Forward-only hardware model (ALR and LR) and the same silicon configured for backprop.
    public var hw = HardwareModel.defaultModelPath
    public var hwBp = "hwmodels/edge-bp.toml"
    public var epochs = 1
    /// Use only the first N training / test samples (nil: all).
    public var trainSamples: Int?
    public var testSamples: Int?
    public var batch = 32
    /// K per layer of the ALR and LR runs.
    public var copies: CopyCounts = [32]
    public var sigma: Float = 0.1
    /// Training and test samples of each quantized-training run in the sweep (and of its float reference). 12000
    /// samples (one epoch) put the 8-bit points within 0.6 points of float ALR on the same samples (0.7594 vs 0.7653
    /// seed 0, 0.7161 vs 0.7170 seed 1); at 6000 the gap of one seed was 2.8 points (0.7346 vs 0.7064), at 500 the
    /// accuracies (0.48-0.73) said little. A point takes about 21 s (release build, 2 cores).
    public var sweepTrainSamples = 12000
    public var sweepTestSamples = 10000
    /// Bit widths the sweep tries (comma-separated). Accumulators narrower than 24 bits are left out by default:
    /// `bits` keeps edge's 16 integer bits, so 16 is s16.0, which holds no fraction of a product (training collapses to
    /// chance, 0.10) and takes the scalar datapath (315-352 s per 6000-sample point instead of 10-18 s).
    public var sweepActivationBits = "4,6,8"
    public var sweepAccumulatorBits = "24,32"

    public init() {}

    /// The network every step of the demo uses.
    public static let model = "mlp:784-256-10"

    /// Every range the demo depends on, checked before anything runs (files and sweep values are checked by
    /// `DemoRun.prepare`).
    public func validate() throws(SettingError) {
        guard (1...100).contains(epochs) else { throw SettingError("epochs", "expected 1...100, got \(epochs)") }
        guard (1...4096).contains(batch) else { throw SettingError("batch", "expected 1...4096, got \(batch)") }
        try copies.validate(layers: 2, estimator: .alr, antithetic: true)
        guard copies.allSatisfy({ $0 <= 1024 }) else {
            throw SettingError("copies", "expected at most 1024, got \(copies)")
        }
        guard sigma.isFinite, sigma > 0 else { throw SettingError("sigma", "expected a positive number, got \(sigma)") }
        for (name, n) in [
            ("train-samples", trainSamples), ("test-samples", testSamples),
            ("sweep-train-samples", sweepTrainSamples as Int?),
            ("sweep-test-samples", sweepTestSamples as Int?),
        ] {
            if let n, n < 1 { throw SettingError(name, "expected a positive count, got \(n)") }
        }
    }
}
