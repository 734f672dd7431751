import LRCore

/// The JSON report of `lrsim train` (field names become snake_case: `final.test_accuracy`, `epochs[].seconds`, ...).
public struct TrainingReport: Codable, Sendable {
    public struct Epoch: Codable, Sendable {
        public var epoch: Int
        public var testAccuracy: Double
        public var testLoss: Double
        public var trainLoss: Double
        /// Wall-clock seconds (with `samplesPerSecond` and `cpuSeconds`: 0 for an epoch restored from a checkpoint,
        /// which holds no timings so that identical runs write identical checkpoints).
        public var seconds: Double
        public var samplesPerSecond: Double
        /// Process CPU time of the epoch (all threads): on a shared machine, samples per CPU-second of runs with the
        /// same thread count compare implementations more fairly than wall time.
        public var cpuSeconds: Double
        /// `train --hw`: test accuracy of the float forward of the master weights (`testAccuracy` is then the
        /// fixed-point datapath's forward, what the hardware computes; `testLoss` stays the float forward's).
        public var floatForwardAccuracy: Double? = nil
    }
    public struct Final: Codable, Sendable {
        public var testAccuracy: Double
        public var trainLoss: Double
        public var testLoss: Double
    }
    public struct Throughput: Codable, Sendable {
        public var samplesPerSecond: Double
        public var stepsPerSecond: Double
        /// Useful floating-point work per second (forward, noisy copies and gradient GEMMs), for comparison with sgemm.
        public var gflopsPerSecond: Double
    }
    /// Cosine similarity of the estimate to backprop's gradient (or the model's baseline) on the same batch, per group
    /// (`gradientGroups`).
    public struct GradientCheck: Codable, Sendable {
        public var step: Int
        public var cosine: [Double]
        public var normRatio: [Double]
    }

    public var command: String = "train"
    public var config: TrainingConfiguration
    public var model: NetworkSpec
    public var dataset: [String: String] = [:]
    public var epochs: [Epoch] = []
    public var final: Final = Final(testAccuracy: 0, trainLoss: 0, testLoss: 0)
    public var throughput: Throughput = Throughput(samplesPerSecond: 0, stepsPerSecond: 0, gflopsPerSecond: 0)
    /// Mean over the checks, per checked group (absent when no check ran).
    public var gradientCosineVsBp: [Double]?
    /// What each entry of `gradientCosineVsBp` and of a check's `cosine` is: `layer{l}` per parametric layer of an mlp
    /// or cnn; the tensors of an rnn (`W_in`, `W_hh`, `b`, `head`), snn (`hidden`, `readout`) or gnn (`layer1`,
    /// `layer2`), whose reference is BPTT, surrogate-gradient BPTT or backprop.
    public var gradientGroups: [String]?
    public var gradientChecks: [GradientCheck] = []
    public var wallSeconds: Double = 0
    public var blas: String = BLAS.configure().coreName
    public var threads: Int = Parallel.threads
}
