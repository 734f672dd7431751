import ArgumentParser
import Foundation
import LRCore
import LRStudies
import LRTrace
import LRTrain

/// `lrsim train-arch` (deprecated): the options of the former architecture trainer, run as the `lrsim train` they
/// spell (`--arch rnn --hidden 128 --steps 28` is `--model rnn:28x128-10xT28`). The report and trace are `train`'s.
struct TrainArch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-arch",
        abstract: "Deprecated: use `lrsim train --model rnn:...|snn:...|gnn:...` (this alias runs exactly that).",
        discussion: """
            --arch rnn [--hidden H] [--steps T]  is  train --model rnn:DxH-CxT<T> (D = the features of a sample / T; \
            H 128, T 28)
            --arch snn [--hidden H] [--steps T]  is  train --model snn:D-H-CxT<T> (H 256, T 16)
            --arch gnn [--hidden H] --nodes N --graph-classes C --features F --p-in P --p-out P --signal S \
            --train-nodes N \\
            --graph-seed S  is  train --model gnn:N-F-H-C --data sbm:p_in=P,p_out=P,signal=S,train=N,seed=S (H 64)
            The alias prints the `lrsim train` command it runs on stderr.
            """,
        shouldDisplay: false)

    enum Arch: String, ExpressibleByArgument { case rnn, gnn, snn }

    @Option(help: "Architecture: rnn, gnn or snn.") var arch: Arch
    @Option(help: "Gradient: lr or bp.") var estimator: EstimatorKind = .lr
    @Option(parsing: .unconditional, help: "Passes over the training set (gnn: full-graph steps).") var epochs = 3
    @Option(parsing: .unconditional, help: "Samples per mini-batch (rnn, snn).") var batch = 128
    @Option(parsing: .unconditional, help: "Noisy copies K per perturbed layer.") var copies: CopyCounts = [32]
    @Option(parsing: .unconditional, help: "Noise scale.") var sigma: Float = 0.1
    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Adam learning rate.") var learningRate: Float =
        1e-3
    @Option(parsing: .unconditional, help: "Seed of initialisation, data order, input spikes and noise.") var seed:
        UInt64 = 0
    @Option(parsing: .unconditional, help: "Hidden units (default rnn 128, gnn 64, snn 256).") var hidden: Int?
    @Option(
        parsing: .unconditional,
        help: "Time steps (rnn: must divide the features of a sample, default 28; snn: default 16).")
    var steps: Int?
    @OptionGroup(title: "Data (rnn, snn)") var dataOptions: DataOptions
    @Option(parsing: .unconditional, help: "gnn: nodes of the generated graph.") var nodes = 1000
    @Option(parsing: .unconditional, help: "gnn: classes (blocks) of the generated graph.") var graphClasses = 5
    @Option(parsing: .unconditional, help: "gnn: node feature dimension.") var features = 32
    @Option(parsing: .unconditional, help: "gnn: edge probability within a class.") var pIn: Double = 0.02
    @Option(parsing: .unconditional, help: "gnn: edge probability across classes.") var pOut: Double = 0.004
    @Option(parsing: .unconditional, help: "gnn: scale of the class prototype in the node features.") var signal:
        Float = 0.3
    @Option(parsing: .unconditional, help: "gnn: training nodes (the first N; the rest are test nodes).")
    var trainNodes = 500
    @Option(parsing: .unconditional, help: "gnn: seed of the generated graph.") var graphSeed: UInt64 = 2024
    @Option(
        parsing: .unconditional,
        help: "Every N steps, also compute the baseline's gradient and record the cosine per tensor (0 = never).")
    var gradCheckEvery = 0
    @Option(help: "rnn, snn: write a trace of sampled steps here.") var trace: String?
    @Option(parsing: .unconditional, help: "With --trace: record step 0, every N-th step and the last.")
    var traceEvery = 100
    @Option(help: "With --trace: none or zlib.") var traceCompression: TraceCompression = .none
    @Option(help: "Write the JSON report here.") var report: String?
    @Flag(help: "Print nothing but errors.") var quiet = false

    /// The former command's ranges, named by its own options.
    func validate() throws {
        func check(_ ok: Bool, _ option: String, _ expected: String, _ got: Any) throws {
            guard ok else { throw ValidationError("--\(option): expected \(expected), got \(got)") }
        }
        if let hidden { try check((1...8192).contains(hidden), "hidden", "1...8192", hidden) }
        if let steps { try check((1...4095).contains(steps), "steps", "1...4095", steps) }
        guard arch == .gnn else { return }
        try check((2...20_000).contains(nodes), "nodes", "2...20000", nodes)
        try check((2...256).contains(graphClasses), "graph-classes", "2...256", graphClasses)
        try check((1...4096).contains(features), "features", "1...4096", features)
        try check(
            trainNodes >= 1 && trainNodes < nodes, "train-nodes", "1...\(nodes - 1) (fewer than --nodes)", trainNodes)
        try check(pIn >= 0 && pIn <= 1, "p-in", "a probability in [0, 1]", pIn)
        try check(pOut >= 0 && pOut <= 1, "p-out", "a probability in [0, 1]", pOut)
        try check(signal.isFinite && signal >= 0, "signal", "a finite number >= 0", signal)
    }

    func run() throws {
        var outputs = OutputPaths()
        outputs.file("trace", trace); outputs.file("report", report)
        try outputs.prepare()
        var c = TrainingConfiguration(
            estimator: EstimatorSettings(
                kind: estimator, copies: copies, sigma: [sigma],
                weightNoiseLayers: []))
        c.optimizer = .adam; c.learningRate = learningRate; c.epochs = epochs; c.seed = seed
        c.gradCheckEvery = gradCheckEvery; c.trace = trace; c.traceEvery = traceEvery
        var session = TrainingSession(config: c)
        var extra: [String] = []
        switch arch {
        case .gnn:
            let H = hidden ?? 64
            session.config.model = "gnn:\(nodes)-\(features)-\(H)-\(graphClasses)"
            session.config.data = "sbm:p_in=\(pIn),p_out=\(pOut),signal=\(signal),train=\(trainNodes),seed=\(graphSeed)"
            session.config.batch = trainNodes
            extra = ["--data", session.config.data]
        case .rnn, .snn:
            let data = dataOptions.name(for: "")
            let sets = try DatasetCatalog.load(
                name: data, dataDir: dataOptions.dataDir, trainLimit: dataOptions.trainSamples,
                testLimit: dataOptions.testSamples)
            let f = sets.train.featureCount, classes = sets.train.classes
            if arch == .rnn {
                let H = hidden ?? 128, T = steps ?? 28
                guard T >= 1, f % T == 0 else {
                    throw ValidationError("--steps: \(T) does not divide the \(f) features of a sample")
                }
                session.config.model = "rnn:\(f / T)x\(H)-\(classes)xT\(T)"
            } else {
                session.config.model = "snn:\(f)-\(hidden ?? 256)-\(classes)xT\(steps ?? 16)"
            }
            session.config.data = data; session.config.dataDir = dataOptions.dataDir
            session.config.trainLimit = dataOptions.trainSamples; session.config.testLimit = dataOptions.testSamples
            session.config.batch = batch
            session.datasets = sets
            extra = dataOptions.data.map { ["--data", $0] } ?? []
            extra += dataOptions.trainSamples.map { ["--train-samples", "\($0)"] } ?? []
            extra += dataOptions.testSamples.map { ["--test-samples", "\($0)"] } ?? []
            extra += ["--batch", "\(batch)"]
        }
        session.traceCompression = traceCompression
        session.report = report
        let log = { (s: String) in if !quiet { Console.err(s) } }
        let note =
            "note: train-arch is deprecated; this run is: lrsim train --model \(session.config.model) --estimator "
            + "\(estimator.rawValue)"
            + (estimator == .lr ? " --copies \(copies) --sigma \(sigma)" : "") + " " + extra.joined(separator: " ")
            + " --epochs \(epochs) --lr \(learningRate) --seed \(seed)"
        var noted = false
        // The note comes with the first progress line, once the run has been set up (an error stays one line).
        let result = try session.run(log: { line in
            if !noted { noted = true; log(note) }
            log(line)
        })
        if let c = result.gradientCosineVsBp, let groups = result.gradientGroups {
            log(
                "mean gradient cosine vs the baseline: "
                    + zip(groups, c).map { String(format: "%@ %.3f", $0, $1) }.joined(separator: ", "))
        }
        log(String(format: "final test accuracy %.4f", result.final.testAccuracy))
    }
}
