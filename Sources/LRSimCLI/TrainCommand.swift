import ArgumentParser
import Foundation
import HWModel
import LRCore
import LRStudies
import LRTrace
import LRTrain

/// `lrsim train`: train any model (mlp, cnn, rnn, snn, gnn) with backprop or a likelihood-ratio estimator.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network with backprop (bp) or forward-only estimators (lr, alr, es, aes).",
        discussion: """
            LR injects Gaussian noise of scale --sigma into one layer's outputs at a time, runs --copies noisy copies of the \
            layers after it, and correlates each copy's loss with its noise: no backward pass. With --injection all-layers \
            each copy is one forward pass with noise on every layer's output, and every layer's gradient comes from the \
            same losses (the LR authors' scheme). ALR keeps only the noise's sign (1 bit per neuron per copy). ES/AES put \
            the noise on the weights instead. --train-noise with bp trains by backprop through noisy layers (BP+).

            Recurrent, spiking and graph models take the spellings `lrsim sim` accepts and train with lr or their backprop \
            baseline (bp: BPTT, surrogate-gradient BPTT for the snn, backprop for the gnn), one K and one sigma for both \
            perturbed layers: rnn:DxH-C[xT<steps>] reads each image as T steps of D pixels; snn:D-H-C[xT<steps>] is a \
            leaky integrate-and-fire network on rate-coded input; gnn:N-F-H-C trains on a generated stochastic-block-model \
            graph (--data sbm:p_in=P,p_out=P,signal=S,train=N,seed=S), one full-graph step per epoch.

            Examples:
              lrsim train --data fashion-mnist --model mlp:784-256-10 --estimator bp --epochs 3 --batch 128 --lr 1e-3 --seed 0
              lrsim train --estimator alr --copies 32 --sigma 0.1 --report alr.json --trace alr.lrt --trace-every 100
              lrsim train --model cnn:small --estimator lr --copies 8,8,32,32 --sigma 0.05,0.05,0.1,0.1
              lrsim train --activation step --estimator lr --copies 64 --sigma 0.3
              lrsim train --model mlp:784-50-10 --activation sigmoid --init scaled-normal --estimator lr --injection all-layers --noise laplace --sigma 1 --copies 10 --baseline none --no-antithetic --optimizer sgd --momentum 0 --lr 1e-2 --weight-decay 1e-4 --epochs 10
              lrsim train --model mlp:784-50-10 --activation sigmoid --estimator bp --train-noise 2 --optimizer sgd --momentum 0 --lr 0.1
              lrsim train --model rnn:28x128-10xT28 --estimator lr --copies 16 --train-samples 10000 --lr 2e-3
              lrsim train --model snn:784-256-10xT16 --estimator lr --copies 16 --sigma 0.3 --trace snn.lrt
              lrsim train --model gnn:1000-32-64-5 --estimator lr --copies 64 --epochs 200 --lr 0.01
            Per-layer values (--copies, --sigma) are comma-separated, one per parametric layer, or one value for all.
            """
    )

    @OptionGroup var data: DataOptions

    @Option(
        help:
            ArgumentHelp(
                "Model: mlp:IN-H1-...-OUT (any depth), cnn:small (28x28) / cnn:cifar (32x32), rnn:DxH-C[xT<steps>], "
                    + "snn:D-H-C[xT<steps>] or gnn:N-F-H-C.")
    )
    var model = "mlp:784-256-10"

    @Option(
        help:
            "Hidden-layer activation: relu, tanh, sigmoid or step (Heaviside; backprop gets zero gradient through it).")
    var activation: Activation = .relu

    @OptionGroup var estimatorOptions: EstimatorOptions

    @Option(help: "Optimizer: adam or sgd (with --momentum).")
    var optimizer: OptimizerKind = .adam
    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Learning rate.")
    var learningRate: Float = 1e-3
    @Option(parsing: .unconditional, help: "SGD momentum.")
    var momentum: Float = 0.9
    @Option(
        help:
            "L2 weight decay added to the gradient before each update (g + wd * theta, as PyTorch's SGD and Adam do; the LR authors use 1e-4)."
    )
    var weightDecay: Float = 0
    @Option(
        help:
            "BP+ (with --estimator bp): add N(0, s^2) noise (Laplace of scale s with --noise laplace) to every layer's output during training; evaluation stays noise-free."
    )
    var trainNoise: Float = 0
    @Option(
        name: .customLong("init"),
        help:
            "Initial parameters (mlp, cnn): uniform (He/Xavier-uniform weights, zero biases) or scaled-normal (N(0,1) x 2/sqrt(fan_in + 1) weights and biases, the LR authors' scripts)."
    )
    var initialization: Initialization = .uniform
    @Option(parsing: .unconditional, help: "Passes over the training set.")
    var epochs = 3
    @Option(
        parsing: .unconditional,
        help: "Samples per mini-batch (default 128; a gnn trains on the full graph: its training nodes).")
    var batch: Int?
    @Option(parsing: .unconditional, help: "Seed of every random number (initialisation, data order, noise).")
    var seed: UInt64 = 0

    @Option(
        parsing: .unconditional,
        help: "Every N steps, compare the estimate with backprop's gradient on the same batch (cosine per layer).")
    var gradCheckEvery = 0
    @Option(help: "Write a trace of sampled steps to this .lrt file.")
    var trace: String?
    @Option(parsing: .unconditional, help: "Sample every N-th step into the trace (plus the first and the last).")
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
    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Override a field of the --hw model (repeatable), e.g. formats.accumulators.bits=24.",
            valueName: "KEY=VALUE"))
    var overrides: [String] = []
    @Option(help: "Write the JSON report here.")
    var report: String?
    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func configuration() throws -> TrainingConfiguration {
        var c = TrainingConfiguration(estimator: try estimatorOptions.settings())
        c.data = data.name(for: model); c.dataDir = data.dataDir
        c.trainLimit = data.trainSamples; c.testLimit = data.testSamples
        c.model = model; c.activation = activation
        c.optimizer = optimizer; c.learningRate = learningRate; c.momentum = momentum
        if weightDecay != 0 { c.weightDecay = weightDecay }
        if trainNoise != 0 { c.trainNoise = trainNoise }
        if initialization != .uniform { c.initialization = initialization }
        c.epochs = epochs; c.batch = batch ?? TrainingConfiguration.defaultBatch(model: model, data: c.data);
        c.seed = seed
        c.gradCheckEvery = gradCheckEvery
        c.trace = trace; c.traceEvery = traceEvery; c.traceBackprop = traceBp
        c.checkpoint = checkpoint
        return c
    }

    func run() throws {
        var outputs = OutputPaths()
        outputs.file("trace", trace); outputs.file("checkpoint", checkpoint); outputs.file("report", report)
        try outputs.prepare()
        if hw == nil && !overrides.isEmpty { throw ValidationError("--set changes the --hw model; give --hw FILE too") }
        var session = TrainingSession(
            config: try configuration(),
            hardware: try hw.map { try HardwareModel.load(path: HardwareModel.locate($0), overrides: overrides) })
        session.resume = resume
        session.traceCompression = traceCompression
        session.report = report
        let result = try session.run(log: { if !quiet { Console.out($0) } })
        if !quiet { Console.out(String(format: "final test accuracy %.4f", result.final.testAccuracy)) }
    }
}
