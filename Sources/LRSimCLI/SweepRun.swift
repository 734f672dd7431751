import ArgumentParser
import Foundation
import HWModel
import LRCore
import LRSim
import LRStudies
import LRTrain

/// `lrsim sweep [run]`: runs (this shard of) the grid into --out.
struct SweepRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the points of a sweep (the default; `lrsim sweep --vary ...` is the same).")

    @Option(help: "Base hardware model (TOML).") var hw: String = HardwareModel.defaultModelPath
    @Option(
        help: ArgumentHelp(
            "One axis of the grid (repeatable): a hardware-model key and its values, or a workload key "
                + "(workload.model, workload.estimator, workload.copies, workload.batch, workload.injection, "
                + "workload.schedule, workload.microbatches) whose values replace --model, --estimator, ... at each "
                + "point.", valueName: "KEY=V1,V2,..."))
    var vary: [String] = []
    @Option(
        help:
            ArgumentHelp(
                "Replay this trace at every point (kind replay) and simulate its workload (kind sim); --batch, "
                    + "--copies, --estimator and --iterations replace the trace's values for the simulation. Not with "
                    + "--model.")
    )
    var trace: String?
    @Option(help: "Network for sim and train: mlp:IN-H1-...-OUT, cnn:small, rnn:..., snn:..., gnn:... (sim).")
    var model: String?
    @OptionGroup var estimatorOptions: EstimatorOptions
    @OptionGroup var scheduling: ScheduleOptions
    @Option(parsing: .unconditional, help: "Samples per mini-batch (sim and train; default 32, or the trace's).")
    var batch: Int?
    @Option(parsing: .unconditional, help: "Training iterations each sim point simulates (default 4).") var iterations:
        Int?
    @Flag(help: "Also train at every point with the point's number formats in the loop (kind train; needs --model).")
    var train = false
    @OptionGroup var data: DataOptions
    @Option(parsing: .unconditional, help: "Training epochs per point (train).") var epochs = 1
    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Learning rate (train).") var learningRate: Float =
        1e-3
    @Option(help: "Optimizer (train): adam or sgd.") var optimizer: OptimizerKind = .adam
    @Option(parsing: .unconditional, help: "Seed (train).") var seed: UInt64 = 0
    @Option(
        parsing: .unconditional,
        help: "Every N steps compare the estimate with backprop's gradient (train; adds train.gradient_cosine_vs_bp).")
    var gradCheckEvery = 0
    @Option(help: "Replay only these recorded steps (comma-separated).") var steps: String?
    @Flag(help: "Replay without the exact GMP check (faster).") var noExact = false
    @Flag(help: "Skip the simulation (only replay and/or train).") var noSim = false
    @Option(help: "Run only the points with index I mod N (I/N, 0-based).") var shard: String?
    @Option(help: "Output directory (resumable: finished points are skipped).") var out: String
    @Flag(help: "Print nothing but errors.") var quiet = false

    func validate() throws {
        guard !vary.isEmpty else { throw ValidationError("give at least one --vary KEY=V1,V2,...") }
        let variesModel = vary.contains { $0.hasPrefix(WorkloadOverrides.prefix + "model=") }
        guard trace != nil || model != nil || variesModel else {
            throw ValidationError(
                "give --trace FILE, or --model SPEC --estimator E (and --train for quantized training)")
        }
        if trace != nil && model != nil {
            throw ValidationError("give --trace or --model, not both: the trace's header names its model")
        }
        if train && model == nil && !variesModel {
            throw ValidationError("--train trains a --model; give one (not --trace)")
        }
        if trace != nil, let w = vary.first(where: { WorkloadOverrides.isWorkloadKey($0) }) {
            throw ValidationError(
                "--vary \(w): a replayed trace fixes its workload; vary workload keys with --model instead of --trace")
        }
        if let batch, !(1...(1 << 20)).contains(batch) {
            throw ValidationError("--batch must be 1 ... 1048576, got \(batch)")
        }
        if train && estimatorOptions.injection == .allLayers {
            throw ValidationError(
                "--injection all-layers: --train points run the hardware model's fixed-point datapath, which injects "
                    + "layer-wise; sweep all-layers with sim points (drop --train)")
        }
        if let iterations, !(1...1_000_000).contains(iterations) {
            throw ValidationError("--iterations must be 1 ... 1000000, got \(iterations)")
        }
        guard (1...10_000).contains(epochs) else {
            throw ValidationError("--epochs must be 1 ... 10000, got \(epochs)")
        }
        if trace == nil && noSim && !train {
            throw ValidationError("--no-sim without --trace or --train leaves nothing to run")
        }
        if noSim && (iterations != nil) {
            throw ValidationError("--iterations sets the simulation, which --no-sim skips")
        }
    }

    func run() throws {
        _ = try estimatorOptions.settings()  // --sigma and the others, checked even when only the simulation uses them
        let spec = try makeSpec()
        var outputs = OutputPaths()
        outputs.input("trace", trace); outputs.input("hw", hw); outputs.directory("out", out)
        try outputs.prepare()
        let base = try HardwareModel.load(path: HardwareModel.locate(hw))
        var evaluators: [PointEvaluator] = []
        if let w = spec.sim { evaluators.append(SimPointEvaluator(options: w)) }
        if let r = spec.replay { evaluators.append(ReplayPointEvaluator(settings: r)) }
        if let c = spec.train {
            let (trainSet, testSet) = try DatasetCatalog.load(
                name: c.data, dataDir: c.dataDir, model: c.modelSpec(),
                trainLimit: c.trainLimit, testLimit: c.testLimit)
            evaluators.append(TrainPointEvaluator(config: c, train: trainSet, test: testSet))
        }
        let grid = try SweepGrid(axes: spec.axes)
        // A bad key or value fails every point the same way: say so once, up front, instead of N times.
        if let first = grid.points.first {
            _ = try base.applying(overrides: WorkloadOverrides.split(first.overrides).hardware)
        }
        try checkWorkloads(spec)
        let runner = SweepRunner(
            spec: spec, grid: grid, hardware: base, evaluators: evaluators,
            store: SweepStore(directory: out), shard: try shard.map(SweepShard.parse) ?? .all,
            log: { line in if !quiet { Console.err(line) } })
        let summary = try runner.run()
        if !quiet { Console.out(SweepSummaryText.table(try SweepTable.read(from: out))) }
        if summary.failed > 0 {
            Console.err("warning: \(summary.failed) point(s) failed; see the error column of \(out)/sweep.csv")
        }
    }

    /// The spec from the options: kinds, the sim workload, the replay settings, the training configuration.
    func makeSpec() throws -> SweepSpec {
        let axes = try vary.map { text throws(SettingError) in try SweepAxis.parse(text) }
        var kinds: [String] = []
        var simWork: SimWorkloadOptions?
        if !noSim {
            var options = SimWorkloadOptions(
                trace: trace, model: model,
                estimator: trace == nil ? estimatorOptions.kind : estimatorOptions.estimator,
                batch: trace == nil ? batch ?? 32 : batch,
                copies: trace == nil ? estimatorOptions.copyCounts : estimatorOptions.copies,
                antithetic: estimatorOptions.noAntithetic ? false : nil, iterations: iterations ?? 4)
            // The trained points' injection; a trace keeps its own unless all-layers is asked for.
            if trace == nil || estimatorOptions.injection == .allLayers {
                options.injection = estimatorOptions.injection
            }
            scheduling.apply(to: &options)
            simWork = options
            kinds.append("sim")
        }
        var replay: SweepSpec.ReplaySettings?
        if let trace {
            var stepList: [UInt64]?
            if let steps {
                let parts = steps.split(separator: ",").map { UInt64($0.trimmingCharacters(in: .whitespaces)) }
                guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
                    throw ValidationError("--steps: expected step numbers separated by commas, got '\(steps)'")
                }
                stepList = parts.compactMap { $0 }
            }
            replay = .init(trace: trace, steps: stepList, exact: !noExact)
            kinds.append("replay")
        }
        var trainConfig: TrainingConfiguration?
        if train, let model = model ?? firstValue(of: .model) {
            var c = TrainingConfiguration(estimator: try estimatorOptions.settings())
            c.data = data.name(for: model); c.dataDir = data.dataDir
            c.trainLimit = data.trainSamples; c.testLimit = data.testSamples
            c.model = model
            c.optimizer = optimizer; c.learningRate = learningRate
            c.epochs = epochs; c.batch = batch ?? 32; c.seed = seed; c.gradCheckEvery = gradCheckEvery
            _ = try c.resolved()
            trainConfig = c
            kinds.append("train")
        }
        return SweepSpec(hw: hw, axes: axes, kinds: kinds, sim: simWork, replay: replay, train: trainConfig)
    }

    /// The first value a `workload.KEY` axis gives, if one varies it.
    func firstValue(of key: WorkloadOverrides.Key) -> String? {
        let prefix = WorkloadOverrides.prefix + key.rawValue + "="
        return vary.first { $0.hasPrefix(prefix) }.flatMap { $0.dropFirst(prefix.count).split(separator: ",").first }
            .map(String.init)
    }

    /// Resolves the workload of every combination of the workload axes (usually a handful), so a value that cannot
    /// be simulated or trained is an error before the first point runs, not a failed row per point.
    func checkWorkloads(_ spec: SweepSpec) throws {
        let axes = spec.axes.filter { WorkloadOverrides.isWorkloadKey($0.key) }
        for point in try SweepGrid(axes: axes).points {
            let w = try WorkloadOverrides.split(point.overrides).workload
            do {
                if let options = spec.sim { try w.applied(to: options).workload().validate() }
                if let config = spec.train {
                    let c = try w.applied(to: config)
                    _ = try c.resolved()
                    guard data.name(for: c.model) == config.data else {
                        throw SettingError(
                            "vary",
                            "\(c.model) trains on \(data.name(for: c.model)), the sweep's data is \(config.data): vary models of one dataset"
                        )
                    }
                }
            } catch {
                throw SettingError("vary", "the point \(point.overrides.joined(separator: " ")): \(error)")
            }
        }
    }
}
