import ArgumentParser
import Foundation
import LRCore
import LRTrace
import LRTrain

/// `lrsim train`: train a network with backprop or a likelihood-ratio estimator on real data.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network with backprop (bp) or forward-only estimators (lr, alr, es, aes).",
        discussion: """
        LR injects Gaussian noise of scale --sigma into one layer's outputs at a time, runs --copies noisy copies of the \
        layers after it, and correlates each copy's loss with its noise: no backward pass. ALR keeps only the noise's \
        sign (1 bit per neuron per copy). ES/AES put the noise on the weights instead.

        Examples:
          lrsim train --data fashion-mnist --model mlp:784-256-10 --estimator bp --epochs 3 --batch 128 --lr 1e-3 --seed 0
          lrsim train --estimator alr --copies 32 --sigma 0.1 --report alr.json --trace alr.lrt --trace-every 100
          lrsim train --model cnn:small --estimator lr --copies 8,8,32,32 --sigma 0.05,0.05,0.1,0.1
          lrsim train --activation step --estimator lr --copies 64 --sigma 0.3
        Per-layer values (--copies, --sigma) are comma-separated, one per parametric layer, or one value for all.
        """
    )

    @OptionGroup var data: DataOptions

    @Option(help: "Network: mlp:IN-H1-...-OUT (any depth) or cnn:small (28x28) / cnn:cifar (32x32).")
    var model = "mlp:784-256-10"

    @Option(help: "Hidden-layer activation: relu, tanh, sigmoid or step (Heaviside; backprop gets zero gradient through it).")
    var activation: Activation = .relu

    @OptionGroup var estimatorOptions: EstimatorOptions

    @Option(help: "Optimizer: adam or sgd (with --momentum).")
    var optimizer: OptimizerKind = .adam
    @Option(name: .customLong("lr"), help: "Learning rate.")
    var learningRate: Float = 1e-3
    @Option(help: "SGD momentum.")
    var momentum: Float = 0.9
    @Option(help: "Passes over the training set.")
    var epochs = 3
    @Option(help: "Samples per mini-batch.")
    var batch = 128
    @Option(help: "Seed of every random number (initialisation, data order, noise).")
    var seed: UInt64 = 0

    @Option(help: "Every N steps, compare the estimate with backprop's gradient on the same batch (cosine per layer).")
    var gradCheckEvery = 0
    @Option(help: "Write a trace of sampled steps to this .lrt file.")
    var trace: String?
    @Option(help: "Sample every N-th step into the trace (plus the first and the last).")
    var traceEvery = 100
    @Flag(help: "Also record backprop's gradient of each sampled batch in the trace.")
    var traceBp = false
    @Option(help: "Per-chunk trace compression: none or zlib (kept only where it saves space).")
    var traceCompression: TraceCompression = .none
    @Option(help: "Save a checkpoint here after every epoch.")
    var checkpoint: String?
    @Option(help: "Resume from this checkpoint (same model and settings; continues after its last epoch).")
    var resume: String?
    @Option(help: "Hardware model whose number formats run in the loop (quantized training).")
    var hw: String?
    @Option(help: "Write the JSON report here.")
    var report: String?
    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func configuration() throws -> TrainingConfiguration {
        var c = TrainingConfiguration(estimator: try estimatorOptions.settings())
        c.data = data.data; c.dataDir = data.dataDir
        c.trainLimit = data.trainSamples; c.testLimit = data.testSamples
        c.model = model; c.activation = activation
        c.optimizer = optimizer; c.learningRate = learningRate; c.momentum = momentum
        c.epochs = epochs; c.batch = batch; c.seed = seed
        c.gradCheckEvery = gradCheckEvery
        c.trace = trace; c.traceEvery = traceEvery; c.traceBackprop = traceBp
        c.checkpoint = checkpoint; c.hardwareModel = hw
        return c
    }

    func run() throws {
        let config = try configuration()
        let (train, test) = try data.load()
        let trainer = try Trainer(config: config, train: train, test: test)
        if let resume { try trainer.restore(Checkpoint.read(from: resume)) }
        let log = { (s: String) in if !quiet { print(s) } }
        log("training \(trainer.spec.name) (\(trainer.network.layout.count) parameters) with \(config.estimator.kind.rawValue) on \(train.name): \(train.count) train / \(test.count) test samples, BLAS \(BLAS.configure().coreName), \(Parallel.threads) threads")
        trainer.epochObserver = { e in
            let floatNote = e.floatForwardAccuracy.map { String(format: " (fixed-point forward; float forward %.4f)", $0) } ?? ""
            log(String(format: "epoch %d: test accuracy %.4f%@, train loss %.4f, %.2f s (%.0f samples/s, %.2f CPU s)",
                       e.epoch, e.testAccuracy, floatNote, e.trainLoss, e.seconds, e.samplesPerSecond, e.cpuSeconds))
        }
        let report = try trainer.run(tracingTo: trace, compression: traceCompression)
        if let path = self.report { try ReportJSON.write(report, to: path) }
        log(String(format: "final test accuracy %.4f", report.final.testAccuracy))
    }
}

/// Dataset selection shared by `train`, `eval` and the sweeps.
struct DataOptions: ParsableArguments {
    @Option(help: "Dataset: fashion-mnist (default location from Debian's dataset-fashion-mnist), mnist, cifar10 or synthetic.")
    var data = "fashion-mnist"
    @Option(help: "Directory holding the dataset files (required for mnist and cifar10).")
    var dataDir: String?
    @Option(help: "Use only the first N training samples.")
    var trainSamples: Int?
    @Option(help: "Use only the first N test samples.")
    var testSamples: Int?

    func load() throws -> (Dataset, Dataset) {
        var train = try DatasetCatalog.load(name: data, dataDir: dataDir, split: .train)
        var test = try DatasetCatalog.load(name: data, dataDir: dataDir, split: .test)
        if let n = trainSamples {
            guard n > 0 else { throw ValidationError("--train-samples: expected a positive count, got \(n)") }
            if n < train.count { train = try train.subset(0..<n) }
        }
        if let n = testSamples {
            guard n > 0 else { throw ValidationError("--test-samples: expected a positive count, got \(n)") }
            if n < test.count { test = try test.subset(0..<n) }
        }
        return (train, test)
    }
}

/// Estimator selection shared by `train` and `sim`.
struct EstimatorOptions: ParsableArguments {
    @Option(help: "Gradient estimator: bp, lr, alr, es or aes.")
    var estimator: EstimatorKind = .bp
    @Option(help: "Noisy copies K per perturbed layer (comma-separated per parametric layer, or one value).")
    var copies = "32"
    @Option(help: "Noise scale per parametric layer (comma-separated, or one value).")
    var sigma = "0.1"
    @Flag(name: .customLong("no-antithetic"), help: "Draw every copy independently instead of in (eps, -eps) pairs.")
    var noAntithetic = false
    @Option(help: "Loss baseline subtracted before weighting the noise: clean, mean or none.")
    var baseline: Baseline = .clean
    @Flag(help: "Quasi-Monte Carlo noise (scrambled Sobol points mapped to Gaussians).")
    var qmc = false
    @Option(help: "Noise distribution for lr/alr: gaussian or laplace.")
    var noise: NoiseKind = .gaussian
    @Option(help: "Parametric layers (0-based, comma-separated) that use weight noise under lr/alr; 'auto' (default) picks convolutions with fewer parameters than outputs, 'none' uses logit noise everywhere.")
    var weightNoiseLayers = "auto"

    func settings() throws -> EstimatorSettings {
        func list<T>(_ s: String, _ name: String, _ parse: (String) -> T?) throws -> [T] {
            let parts = s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let values = parts.compactMap(parse)
            guard !parts.isEmpty, values.count == parts.count else {
                throw ValidationError("--\(name): expected comma-separated numbers, got '\(s)'")
            }
            return values
        }
        return EstimatorSettings(kind: estimator, copies: try CopyCounts(parsing: copies),
                                 sigma: try list(sigma, "sigma") { Float($0) }, antithetic: !noAntithetic,
                                 baseline: baseline, qmc: qmc, noise: noise,
                                 weightNoiseLayers: weightNoiseLayers == "auto" ? nil : weightNoiseLayers == "none" ? []
                                    : try list(weightNoiseLayers, "weight-noise-layers") { Int($0) })
    }
}

extension Activation: ExpressibleByArgument {}
extension TraceCompression: ExpressibleByArgument {}
extension EstimatorKind: ExpressibleByArgument {}
extension Baseline: ExpressibleByArgument {}
extension NoiseKind: ExpressibleByArgument {}
extension OptimizerKind: ExpressibleByArgument {}
