import ArgumentParser
import Foundation
import HWModel
import LRCore
import LRReport
import LRSim
import LRSweep
import LRTrain

/// `lrsim demo`: the first command a newcomer runs. Trains the Fashion-MNIST MLP with ALR (and LR and backprop for
/// comparison), writes a trace, simulates all three on the default hardware, replays the trace through the
/// fixed-point datapath, runs a small precision sweep, writes the HTML report and prints a summary table.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train, trace, simulate, replay, sweep and report: the whole toolkit in one command (a few minutes).",
        discussion: """
        Everything is written under --out (default ./lrsim-demo): train-*.json, alr.lrt (the trace), \
        sim-compare.json (ALR and LR on hwmodels/edge.toml, backprop on hwmodels/edge-bp.toml: the same silicon), \
        replay.json, sweep/ (activation bits x accumulator bits with quantized training, replay and sim per point), \
        summary.json and report.html. Progress goes to stderr; the summary table to stdout.

        Examples:
          lrsim demo
          lrsim demo --out /tmp/demo --epochs 2
          lrsim demo --train-samples 6000 --sweep-train-samples 2000     # a one-minute version
        """)

    @Option(help: "Output directory.") var out = "lrsim-demo"
    @Option(help: "Dataset directory (default: Debian's dataset-fashion-mnist location).") var dataDir: String?
    @Option(help: "Forward-only hardware model (ALR and LR).") var hw = HardwareModel.defaultModelPath
    @Option(help: "The same silicon configured for backprop.") var hwBp = "hwmodels/edge-bp.toml"
    @Option(help: "Training epochs of the ALR, LR and backprop runs.") var epochs = 1
    @Option(help: "Use only the first N training samples (default: all 60000).") var trainSamples: Int?
    @Option(help: "Use only the first N test samples (default: all 10000).") var testSamples: Int?
    @Option(help: "Samples per mini-batch (training and simulation).") var batch = 32
    @Option(help: "Noisy copies K per layer (ALR and LR).") var copies = 32
    @Option(help: "Noise scale.") var sigma: Float = 0.1
    @Option(help: "Training samples of each quantized-training run in the sweep.") var sweepTrainSamples = 500
    @Option(help: "Test samples each quantized-training run in the sweep is evaluated on.") var sweepTestSamples = 1000
    @Option(help: "Activation bit widths the sweep tries.") var sweepActivationBits = "4,6,8"
    @Option(help: "Accumulator bit widths the sweep tries.") var sweepAccumulatorBits = "16,24,32"

    func validate() throws {
        guard (1...100).contains(epochs) else { throw ValidationError("--epochs must be 1 ... 100, got \(epochs)") }
        guard (1...4096).contains(batch) else { throw ValidationError("--batch must be 1 ... 4096, got \(batch)") }
        guard (1...1024).contains(copies) else { throw ValidationError("--copies must be 1 ... 1024, got \(copies)") }
        guard sweepTrainSamples >= 1 else { throw ValidationError("--sweep-train-samples must be positive") }
        guard sweepTestSamples >= 1 else { throw ValidationError("--sweep-test-samples must be positive") }
    }

    func run() throws {
        do { try DemoRun(options: self).run() } catch let e as ExitCode { throw e } catch let e as ValidationError { throw e } catch {
            printError(SweepStore.describe(error)); throw ExitCode.failure
        }
    }
}

/// The demo's steps, each announced on stderr with the elapsed time.
struct DemoRun {
    let options: Demo
    let started = Date()

    func step(_ n: Int, _ text: String) {
        FileHandle.standardError.write(Data(String(format: "[demo %d/7, %5.1f s] %@\n", n, Date().timeIntervalSince(started), text).utf8))
    }

    func path(_ name: String) -> String { (options.out as NSString).appendingPathComponent(name) }

    func run() throws {
        let o = options
        try SweepStore(directory: o.out).createDirectory(o.out)
        step(1, "loading Fashion-MNIST")
        var train = try DatasetCatalog.load(name: "fashion-mnist", dataDir: o.dataDir, split: .train)
        var test = try DatasetCatalog.load(name: "fashion-mnist", dataDir: o.dataDir, split: .test)
        if let n = o.trainSamples, n < train.count { train = try train.subset(0..<max(1, n)) }
        if let n = o.testSamples, n < test.count { test = try test.subset(0..<max(1, n)) }

        func config(_ kind: EstimatorKind) -> TrainingConfiguration {
            var c = TrainingConfiguration(estimator: EstimatorSettings(kind: kind, copies: CopyCounts(o.copies), sigma: [o.sigma],
                                                                       weightNoiseLayers: nil))
            c.model = "mlp:784-256-10"; c.epochs = o.epochs; c.batch = o.batch; c.seed = 0
            return c
        }
        var accuracy: [String: Double] = [:]
        var trainSeconds: [String: Double] = [:]
        for kind in [EstimatorKind.alr, .lr, .bp] {
            step(2, "training mlp:784-256-10 with \(kind.rawValue) on \(train.count) samples, \(o.epochs) epoch(s)"
                 + (kind == .alr ? ", tracing every 200 steps to \(path("alr.lrt"))" : ""))
            var c = config(kind)
            if kind == .alr { c.trace = path("alr.lrt"); c.traceEvery = 200; c.traceBackprop = true }
            let trainer = try Trainer(config: c, train: train, test: test)
            trainer.epochObserver = { e in
                FileHandle.standardError.write(Data(String(format: "         epoch %d: test accuracy %.4f, %.1f s (%.0f samples/s)\n",
                                                           e.epoch, e.testAccuracy, e.seconds, e.samplesPerSecond).utf8))
            }
            let report = try trainer.run(tracingTo: c.trace)
            try ReportJSON.write(report, to: path("train-\(kind.rawValue).json"))
            accuracy[kind.rawValue] = report.final.testAccuracy
            trainSeconds[kind.rawValue] = report.wallSeconds
        }

        step(3, "simulating ALR and LR on \(o.hw), backprop on \(o.hwBp) (batch \(o.batch), K = \(o.copies))")
        let network = try NetworkSpec.parse("mlp:784-256-10")
        let fo = try HardwareModel.load(path: o.hw), bpHw = try HardwareModel.load(path: o.hwBp)
        var runs: [SimReport] = []
        for (m, hw) in [(EstimatorKind.alr, fo), (.lr, fo), (.bp, bpHw)] {
            var r = try Simulator.run(WorkloadSpec(network: network, method: m, batch: o.batch,
                                                   copies: m == .bp ? [] : [o.copies], iterations: 8), on: hw).report
            r.wallSeconds = 0; r.simulatedCyclesPerSecond = 0
            runs.append(r)
        }
        try JSONReport.write(SimComparison(runs: runs), to: path("sim-compare.json"))
        print(SimSummary.comparison(runs))

        step(4, "replaying the trace through the fixed-point datapath of \(o.hw), checked against GMP")
        let replay = try ReplayRun(hwPath: o.hw, overrides: [], tracePath: path("alr.lrt"), steps: nil, exact: true,
                                   wallClock: false).run(log: { FileHandle.standardError.write(Data("         \($0)\n".utf8)) })
        try JSONReport.write(replay, to: path("replay.json"))

        step(5, "precision sweep: activation bits {\(o.sweepActivationBits)} x accumulator bits {\(o.sweepAccumulatorBits)}, quantized training on \(o.sweepTrainSamples) samples per point, tested on \(o.sweepTestSamples)")
        let sweepDir = path("sweep")
        let axes = [try SweepAxis.parse("formats.activations.bits=" + o.sweepActivationBits),
                    try SweepAxis.parse("formats.accumulators.bits=" + o.sweepAccumulatorBits)]
        var tc = config(.alr)
        tc.epochs = 1
        tc.trainLimit = o.sweepTrainSamples
        tc.testLimit = o.sweepTestSamples
        let sweepTrain = try train.subset(0..<min(train.count, o.sweepTrainSamples))
        let sweepTest = try test.subset(0..<min(test.count, o.sweepTestSamples))
        let simWork = WorkloadSpec(network: network, method: .alr, batch: o.batch, copies: [o.copies], iterations: 4)
        let replaySettings = SweepSpec.ReplaySettings(trace: path("alr.lrt"), steps: replay.steps.prefix(2).map { UInt64($0.step) }, exact: true)
        let spec = SweepSpec(hw: o.hw, axes: axes, kinds: ["sim", "replay", "train"], sim: simWork, replay: replaySettings, train: tc)
        let runner = SweepRunner(spec: spec, grid: try SweepGrid(axes: axes), hardware: fo,
                                 evaluators: [SimPointEvaluator(workload: simWork),
                                              SweepReplayEvaluator(hwPath: o.hw, settings: replaySettings),
                                              TrainPointEvaluator(config: tc, train: sweepTrain, test: sweepTest)],
                                 store: SweepStore(directory: sweepDir),
                                 log: { FileHandle.standardError.write(Data("         \($0)\n".utf8)) })
        _ = try runner.run()
        let table = try SweepTable.read(from: sweepDir)

        step(6, "writing the summary and the HTML report")
        var rows: [DemoSummary.Row] = []
        for (i, name) in ["alr", "lr", "bp"].enumerated() {
            let r = runs[i]
            rows.append(.init(estimator: name, hardware: r.hardware.name, testAccuracy: accuracy[name] ?? 0,
                              trainSeconds: trainSeconds[name] ?? 0,
                              iterationsPerSecond: r.clockHz / max(1, r.steadyStateCyclesPerIteration),
                              peakMemoryKiB: Double(r.memory.peakDemandBytes) / 1024,
                              energyMicrojoulesPerIteration: r.energyPj.perIteration / 1e6))
        }
        let summary = DemoSummary(command: "lrsim demo --out \(o.out) --epochs \(o.epochs)", hardware: "\(o.hw) / \(o.hwBp)",
                                  epochs: o.epochs, trainSamples: train.count, testSamples: test.count, rows: rows,
                                  replayMinCosineVsFloat: replay.summary.minCosineVsFloat,
                                  replayBitExact: replay.summary.allBitExactVsExact,
                                  sweepPoints: table.points.count, sweepFailed: table.points.filter { $0.status == .failed }.count)
        try JSONReport.write(summary, to: path("summary.json"))
        let builder = try ReportInputs.builder(directory: o.out)
        try ReportFile.write(builder.html(), to: path("report.html"))

        step(7, String(format: "done in %.1f s; report: %@", Date().timeIntervalSince(started), path("report.html")))
        print("")
        print(summary.text)
        print("")
        print(SweepSummaryText.table(table))
    }
}

/// `summary.json` of a demo: one row per estimator, plus the replay and sweep in a line each.
struct DemoSummary: Codable {
    var kind = "demo-summary"
    var command: String
    var hardware: String
    var epochs: Int
    var trainSamples: Int
    var testSamples: Int
    var rows: [Row]
    var replayMinCosineVsFloat: Double?
    var replayBitExact: Bool?
    var sweepPoints: Int
    var sweepFailed: Int

    struct Row: Codable {
        var estimator: String
        var hardware: String
        var testAccuracy: Double
        var trainSeconds: Double
        var iterationsPerSecond: Double
        var peakMemoryKiB: Double
        var energyMicrojoulesPerIteration: Double

        var fields: [String] {
            [estimator, hardware, String(format: "%.4f", testAccuracy), String(format: "%.0f", iterationsPerSecond),
             String(format: "%.1f", peakMemoryKiB), String(format: "%.3f", energyMicrojoulesPerIteration),
             String(format: "%.1f", trainSeconds)]
        }
        enum CodingKeys: String, CodingKey {
            case estimator, hardware, testAccuracy = "test_accuracy", trainSeconds = "train_seconds"
            case iterationsPerSecond = "iterations_per_second", peakMemoryKiB = "peak_memory_kib"
            case energyMicrojoulesPerIteration = "energy_uj_per_iteration"
        }
    }

    static let header = ["estimator", "hardware", "test accuracy", "sim iterations/s", "peak memory KiB",
                         "energy uJ/iteration", "host training s"]

    var text: String {
        let all = [Self.header] + rows.map(\.fields)
        let widths = Self.header.indices.map { i in all.map { $0[i].count }.max() ?? 0 }
        var lines = all.map { r in r.indices.map { i in String(repeating: " ", count: widths[i] - r[i].count) + r[i] }.joined(separator: "  ") }
        lines.insert("ALR vs LR vs backprop, \(trainSamples) training samples x \(epochs) epoch(s), accuracy on \(testSamples) test samples:", at: 0)
        if let c = replayMinCosineVsFloat {
            lines.append(String(format: "replay on the edge datapath: min gradient cosine vs float %.6f", c)
                         + (replayBitExact.map { $0 ? ", bit-exact vs GMP" : ", not bit-exact vs GMP (finite accumulators)" } ?? ""))
        }
        lines.append("precision sweep: \(sweepPoints) points, \(sweepFailed) failed")
        return lines.joined(separator: "\n")
    }

    enum CodingKeys: String, CodingKey {
        case kind, command, hardware, epochs, trainSamples = "train_samples", testSamples = "test_samples", rows
        case replayMinCosineVsFloat = "replay_min_cosine_vs_float", replayBitExact = "replay_bit_exact"
        case sweepPoints = "sweep_points", sweepFailed = "sweep_failed"
    }
}
