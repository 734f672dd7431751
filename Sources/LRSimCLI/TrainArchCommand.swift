import ArgumentParser
import Foundation
import LRCore
import LRIO
import LRTrace
import LRTrain

/// `lrsim train-arch`: LR vs its backprop baseline on a recurrent, graph-convolutional or spiking network.
struct TrainArch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-arch",
        abstract: "Train an RNN, a GCN or a spiking network with LR (lr) or its backprop baseline (bp).",
        discussion: """
        rnn: Elman RNN (tanh) reading each Fashion-MNIST image as --steps inputs (28 rows of 28 pixels by default),
             softmax head on the last state. lr: noise on the pre-activations at every step, no BPTT; bp: exact BPTT.
        gnn: 2-layer GCN on a generated stochastic-block-model graph (--nodes, --graph-classes, --features, --p-in,
             --p-out, --signal, --train-nodes, --graph-seed); one full-graph Adam step per epoch. lr: noise on the node
             logits after aggregation; bp: backprop.
        snn: 784-H-10 leaky integrate-and-fire network, hard threshold, rate-coded input over --steps time steps,
             membrane readout. lr: noise into the membrane input current at every step; bp: surrogate-gradient BPTT.

        Examples:
          lrsim train-arch --arch rnn --estimator lr --copies 32 --sigma 0.1 --epochs 2 --train-samples 10000
          lrsim train-arch --arch snn --estimator bp --steps 16 --hidden 256 --epochs 2
          lrsim train-arch --arch gnn --estimator lr --copies 64 --epochs 200 --lr 0.01 --report gnn.json
          lrsim train-arch --arch rnn --copies 16 --batch 32 --train-samples 320 --trace rnn.lrt --trace-every 4
            (then: lrsim trace verify rnn.lrt; lrsim sim --hw hwmodels/edge.toml --trace rnn.lrt)
        """
    )

    @Option(help: "Architecture: rnn, gnn or snn.")
    var arch: ArchitectureKind
    @Option(help: "Gradient: lr (likelihood ratio) or bp (BPTT / backprop / surrogate-gradient BPTT).")
    var estimator: EstimatorKind = .lr
    @Option(help: "Passes over the training set (gnn: full-graph steps).")
    var epochs = 3
    @Option(help: "Samples per mini-batch (rnn, snn).")
    var batch = 128
    @Option(help: "Noisy copies K per perturbed layer (even: antithetic pairs).")
    var copies = 32
    @Option(help: "Noise scale.")
    var sigma: Float = 0.1
    @Option(name: .customLong("lr"), help: "Adam learning rate.")
    var learningRate: Float = 1e-3
    @Option(help: "Seed of initialisation, data order, input spikes and noise.")
    var seed: UInt64 = 0
    @Option(help: "Hidden units (default rnn 128, gnn 64, snn 256).")
    var hidden: Int?
    @Option(help: "Time steps (rnn: must divide 784, default 28; snn: default 16).")
    var steps: Int?

    @OptionGroup(title: "Data (rnn, snn)") var dataOptions: DataOptions

    @Option(help: "gnn: nodes of the generated graph.")
    var nodes = 1000
    @Option(help: "gnn: classes (blocks) of the generated graph.")
    var graphClasses = 5
    @Option(help: "gnn: node feature dimension.")
    var features = 32
    @Option(help: "gnn: edge probability within a class.")
    var pIn: Double = 0.02
    @Option(help: "gnn: edge probability across classes.")
    var pOut: Double = 0.004
    @Option(help: "gnn: scale of the class prototype in the node features (noise has unit variance).")
    var signal: Float = 0.3
    @Option(help: "gnn: training nodes (the first N; the rest are test nodes).")
    var trainNodes = 500
    @Option(help: "gnn: seed of the generated graph.")
    var graphSeed: UInt64 = 2024

    @Option(help: "With lr: every N steps, also compute the baseline's gradient on the same batch and record the cosine per tensor (0 = never).")
    var gradCheckEvery = 0
    @Option(help: "rnn, snn: write a trace of sampled steps here (docs/trace-format.md; atomically).")
    var trace: String?
    @Option(help: "With --trace: record step 0, every N-th step and the last.")
    var traceEvery = 100
    @Option(help: "With --trace: none or zlib.")
    var traceCompression: TraceCompression = .none
    @Option(help: "Write the JSON report here (atomically).")
    var report: String?
    @Flag(help: "Print nothing but errors.")
    var quiet = false

    /// Option ranges; errors are one line (`Error: --option: ...`), without the usage text.
    func checkOptions() throws {
        guard epochs >= 1 && epochs <= 100_000 else { throw ArchitectureError("--epochs: expected 1...100000, got \(epochs)") }
        guard batch >= 1 && batch <= 1 << 16 else { throw ArchitectureError("--batch: expected 1...65536, got \(batch)") }
        guard learningRate.isFinite && learningRate > 0 else { throw ArchitectureError("--lr: expected a positive number, got \(learningRate)") }
        if let hidden, !(1...8192).contains(hidden) { throw ArchitectureError("--hidden: expected 1...8192, got \(hidden)") }
        if let steps, !(1...4095).contains(steps) { throw ArchitectureError("--steps: expected 1...4095, got \(steps)") }
        guard traceEvery >= 1 else { throw ArchitectureError("--trace-every: expected a positive step count, got \(traceEvery)") }
        if trace != nil && arch == .gnn { throw ArchitectureError("--trace: gnn runs are not traced (rnn and snn are)") }
        guard gradCheckEvery >= 0 else { throw ArchitectureError("--grad-check-every: expected 0 or a positive step count, got \(gradCheckEvery)") }
        if let n = dataOptions.trainSamples, n <= 0 { throw ArchitectureError("--train-samples: expected a positive count, got \(n)") }
        if let n = dataOptions.testSamples, n <= 0 { throw ArchitectureError("--test-samples: expected a positive count, got \(n)") }
        // Bounds rows * copies * steps * hidden so the noise buffers stay addressable.
        let work = Double(batch) * Double(copies) * Double(steps ?? 28) * Double(hidden ?? 256)
        if estimator == .lr && work > 4e9 {
            throw ArchitectureError("--batch x --copies x --steps x --hidden is \(Int(work)) noise values per layer; expected at most 4e9")
        }
    }

    func run() throws {
        try checkOptions()
        try estimator.checkArchitectureSupport(arch)
        let lrSettings = estimator == .lr ? try ArchitectureLRSettings(copies: copies, sigma: sigma) : nil
        let log = { (s: String) in if !quiet { Console.err(s) } }
        var config: [String: String] = [
            "arch": arch.rawValue, "estimator": estimator.rawValue, "epochs": "\(epochs)", "lr": "\(learningRate)",
            "seed": "\(seed)", "optimizer": "adam",
        ]
        if let lrSettings { config["copies"] = "\(lrSettings.copies)"; config["sigma"] = "\(lrSettings.sigma)"; config["antithetic"] = "true"; config["baseline"] = "clean" }
        var result: ArchitectureReport
        switch arch {
        case .gnn:
            var o = StochasticBlockGraph.Options()
            o.nodes = nodes; o.classes = graphClasses; o.features = features; o.pIn = pIn; o.pOut = pOut
            o.signal = signal; o.trainCount = trainNodes; o.seed = graphSeed
            let graph = try StochasticBlockGraph(o)
            let H = hidden ?? 64
            let model = try GraphConvNetwork(graph: graph, hidden: H, seed: seed, lr: lrSettings)
            config["hidden"] = "\(H)"
            let dataset = ["name": "sbm", "nodes": "\(o.nodes)", "classes": "\(o.classes)", "features": "\(o.features)",
                           "p_in": "\(o.pIn)", "p_out": "\(o.pOut)", "signal": "\(o.signal)", "train_nodes": "\(o.trainCount)",
                           "graph_seed": "\(o.seed)", "edges": "\(graph.edgeCount)",
                           "homophily": String(format: "%.4f", graph.homophily)]
            log("training gcn \(o.features)-\(H)-\(o.classes) (\(model.parameters.count) parameters) with \(estimator.rawValue) on a generated SBM graph: \(o.nodes) nodes, \(graph.edgeCount) edges, homophily \(String(format: "%.3f", graph.homophily)), \(o.trainCount) train nodes, \(Parallel.threads) threads")
            result = ArchitectureReport(arch: arch.rawValue, estimator: estimator.rawValue, config: config, dataset: dataset,
                                        parameters: model.parameters.count)
            try model.train(estimator: estimator, epochs: epochs, learningRate: learningRate, gradCheckEvery: gradCheckEvery,
                            report: &result, progress: log)
        case .rnn, .snn:
            let (train, test) = try DatasetCatalog.load(name: dataOptions.data, dataDir: dataOptions.dataDir,
                                                        trainLimit: dataOptions.trainSamples, testLimit: dataOptions.testSamples)
            let model: BatchClassifier
            let H: Int, T: Int
            if arch == .rnn {
                H = hidden ?? 128; T = steps ?? 28
                guard train.featureCount % T == 0 else {
                    throw ArchitectureError("--steps: \(T) does not divide the \(train.featureCount) features of a sample")
                }
                model = try ElmanRNN(inputSize: train.featureCount / T, steps: T, hidden: H, classes: train.classes,
                                     seed: seed, lr: lrSettings)
            } else {
                H = hidden ?? 256; T = steps ?? 16
                model = try SpikingNetwork(inputs: train.featureCount, hidden: H, classes: train.classes, steps: T,
                                           seed: seed, lr: lrSettings)
            }
            config["hidden"] = "\(H)"; config["steps"] = "\(T)"; config["batch"] = "\(batch)"
            var recorder: ArchitectureTraceRecorder?
            if let trace {
                let tc = ArchitectureTraceConfig(arch: arch, estimator: estimator, inputs: arch == .rnn ? train.featureCount / T : train.featureCount,
                                                 hidden: H, classes: train.classes, steps: T, lr: lrSettings, seed: seed,
                                                 batch: batch, epochs: epochs, learningRate: learningRate, data: dataOptions.data,
                                                 trainSamples: train.count, traceEvery: traceEvery)
                recorder = try ArchitectureTraceRecorder(path: trace, config: tc, dataset: train, compression: traceCompression)
                config["trace"] = trace; config["trace_every"] = "\(traceEvery)"; config["model_spec"] = tc.modelSpec
            }
            let dataset = ["name": train.name, "train_samples": "\(train.count)", "test_samples": "\(test.count)",
                           "digest": train.digestHex]
            log("training \(arch.rawValue) \(train.featureCount)->\(H)->\(train.classes) over \(T) steps (\(model.parameters.count) parameters) with \(estimator.rawValue) on \(train.name): \(train.count) train / \(test.count) test samples, \(Parallel.threads) threads")
            result = ArchitectureReport(arch: arch.rawValue, estimator: estimator.rawValue, config: config, dataset: dataset,
                                        parameters: model.parameters.count)
            try ArchitectureTrainer.train(model, estimator: estimator, train: train, test: test, epochs: epochs, batch: batch,
                                          learningRate: learningRate, seed: seed, gradCheckEvery: gradCheckEvery,
                                          trace: recorder, report: &result, progress: log)
            if let recorder { log("trace written to \(recorder.path)") }
        }
        if let path = report { try JSONReport.write(result, to: path) }
        if let c = result.gradientCosineVsBp {
            log("mean gradient cosine vs \(arch == .snn ? "surrogate BPTT" : arch == .rnn ? "BPTT" : "backprop"): " + c.keys.sorted().map { String(format: "%@ %.3f", $0, c[$0]!) }.joined(separator: ", "))
        }
        log(String(format: "final test accuracy %.4f", result.final.testAccuracy))
    }
}

extension ArchitectureKind: ExpressibleByArgument {}
