import Foundation
import HWModel
import LRCore
import LRIO
import LRReport
import LRSim
import LRTrain

/// `lrsim demo`: trains the Fashion-MNIST MLP with ALR (and LR and backprop for comparison), writes a trace,
/// simulates all three, replays the trace through the fixed-point datapath, runs a small precision sweep and writes
/// the HTML report. Every option, file and sweep value is checked before the first training run (`prepare`).
public struct DemoRun {
    public let options: DemoOptions
    /// Progress lines (the CLI sends them to stderr).
    public var log: (String) -> Void
    let started = Date()

    public init(options: DemoOptions, log: @escaping (String) -> Void = { _ in }) {
        self.options = options
        self.log = log
    }

    /// What the demo produced (its files are under `options.out`).
    public struct Result {
        public var comparison: [SimReport]
        public var summary: DemoSummary
        public var sweep: SweepTable
    }

    /// Everything the run needs, loaded and checked up front.
    struct Prepared {
        var train: Dataset, test: Dataset
        var forwardOnly: HardwareModel, backprop: HardwareModel
        var axes: [SweepAxis]
    }

    func step(_ n: Int, _ text: String) {
        log(String(format: "[demo %d/7, %5.1f s] %@", n, Date().timeIntervalSince(started), text))
    }

    func path(_ name: String) -> String { (options.out as NSString).appendingPathComponent(name) }

    /// Checks the options, loads both hardware models and the data, and applies every sweep value to the model, so a
    /// bad value fails now rather than after three training runs.
    func prepare() throws -> Prepared {
        let o = options
        try o.validate()
        let fo = try HardwareModel.load(path: HardwareModel.locate(o.hw))
        let bp = try HardwareModel.load(path: HardwareModel.locate(o.hwBp))
        let axes = [
            try SweepAxis.parse("formats.activations.bits=" + o.sweepActivationBits),
            try SweepAxis.parse("formats.accumulators.bits=" + o.sweepAccumulatorBits),
        ]
        for point in try SweepGrid(axes: axes).points {
            let hw = try fo.applying(overrides: point.overrides)
            _ = try TrainingDatapath(hardware: hw)
        }
        let (train, test) = try DatasetCatalog.load(
            name: "fashion-mnist", dataDir: o.dataDir,
            trainLimit: o.trainSamples, testLimit: o.testSamples)
        try SweepStore(directory: o.out).createDirectory(o.out)
        return Prepared(train: train, test: test, forwardOnly: fo, backprop: bp, axes: axes)
    }

    public func run() throws -> Result {
        let o = options
        let p = try prepare()
        step(1, "checked the options, the hardware models and every sweep value; loaded Fashion-MNIST")

        func config(_ kind: EstimatorKind) -> TrainingConfiguration {
            var c = TrainingConfiguration(
                estimator: EstimatorSettings(
                    kind: kind, copies: o.copies, sigma: [o.sigma],
                    weightNoiseLayers: nil))
            c.model = DemoOptions.model; c.epochs = o.epochs; c.batch = o.batch; c.seed = 0
            return c
        }
        var accuracy: [String: Double] = [:]
        var trainSeconds: [String: Double] = [:]
        for kind in [EstimatorKind.alr, .lr, .bp] {
            step(
                2,
                "training \(DemoOptions.model) with \(kind.rawValue) on \(p.train.count) samples, \(o.epochs) epoch(s)"
                    + (kind == .alr ? ", tracing every 200 steps to \(path("alr.lrt"))" : ""))
            var c = config(kind)
            if kind == .alr { c.trace = path("alr.lrt"); c.traceEvery = 200; c.traceBackprop = true }
            let trainer = try Trainer(config: c, train: p.train, test: p.test)
            trainer.epochObserver = { e in
                log(
                    String(
                        format: "         epoch %d: test accuracy %.4f, %.1f s (%.0f samples/s)",
                        e.epoch, e.testAccuracy, e.seconds, e.samplesPerSecond))
            }
            let report = try trainer.run(tracingTo: c.trace)
            try JSONReport.write(report, to: path("train-\(kind.rawValue).json"))
            accuracy[kind.rawValue] = report.final.testAccuracy
            trainSeconds[kind.rawValue] = report.wallSeconds
        }

        step(3, "simulating ALR and LR on \(o.hw), backprop on \(o.hwBp) (batch \(o.batch), K = \(o.copies))")
        let model = try ModelSpec.parse(DemoOptions.model)
        var runs: [SimReport] = []
        for (m, hw) in [(EstimatorKind.alr, p.forwardOnly), (.lr, p.forwardOnly), (.bp, p.backprop)] {
            var r = try Simulator.run(
                WorkloadSpec(
                    model: model, method: m, batch: o.batch, copies: m == .bp ? [] : o.copies,
                    iterations: 8), on: hw
            ).report
            r.wallSeconds = 0; r.simulatedCyclesPerSecond = 0
            runs.append(r)
        }
        try JSONReport.write(SimComparison(runs: runs), to: path("sim-compare.json"))

        step(4, "replaying the trace through the fixed-point datapath of \(o.hw), checked against GMP")
        let replay = try ReplayRun(hardware: p.forwardOnly, tracePath: path("alr.lrt"), exact: true, wallClock: false)
            .run(log: { log("         \($0)") })
        try JSONReport.write(replay, to: path("replay.json"))

        step(
            5,
            "precision sweep: activation bits {\(o.sweepActivationBits)} x accumulator bits {\(o.sweepAccumulatorBits)}, quantized training on \(o.sweepTrainSamples) samples per point, tested on \(o.sweepTestSamples)"
        )
        let sweepDir = path("sweep")
        var tc = config(.alr)
        tc.epochs = 1
        tc.trainLimit = o.sweepTrainSamples
        tc.testLimit = o.sweepTestSamples
        let sweepTrain = try p.train.subset(0..<min(p.train.count, o.sweepTrainSamples))
        let sweepTest = try p.test.subset(0..<min(p.test.count, o.sweepTestSamples))
        // The reference every point is read against: the same training in float on the same samples.
        let reference = try Trainer(config: tc, train: sweepTrain, test: sweepTest)
        reference.showProgress = false
        let floatAccuracy = try reference.run().final.testAccuracy
        log(
            String(
                format: "         float reference (same settings and samples, float datapath): test accuracy %.4f",
                floatAccuracy))
        let simWork = SimWorkloadOptions(
            model: DemoOptions.model, estimator: .alr, batch: o.batch, copies: o.copies, iterations: 4)
        let replaySettings = SweepSpec.ReplaySettings(
            trace: path("alr.lrt"),
            steps: replay.steps.prefix(2).map { UInt64($0.step) }, exact: true)
        let spec = SweepSpec(
            hw: o.hw, axes: p.axes, kinds: ["sim", "replay", "train"], sim: simWork,
            replay: replaySettings, train: tc)
        let runner = SweepRunner(
            spec: spec, grid: try SweepGrid(axes: p.axes), hardware: p.forwardOnly,
            evaluators: [
                SimPointEvaluator(options: simWork), ReplayPointEvaluator(settings: replaySettings),
                TrainPointEvaluator(config: tc, train: sweepTrain, test: sweepTest),
            ],
            store: SweepStore(directory: sweepDir), log: { log("         \($0)") })
        _ = try runner.run()
        let table = try SweepTable.read(from: sweepDir)

        step(6, "writing the summary and the HTML report")
        var rows: [DemoSummary.Row] = []
        for (i, name) in ["alr", "lr", "bp"].enumerated() {
            let r = runs[i]
            rows.append(
                .init(
                    estimator: name, hardware: r.hardware.name, testAccuracy: accuracy[name] ?? 0,
                    trainSeconds: trainSeconds[name] ?? 0,
                    iterationsPerSecond: r.clockHz / max(1, r.steadyStateCyclesPerIteration),
                    peakMemoryKiB: Double(r.memory.peakDemandBytes) / 1024,
                    energyMicrojoulesPerIteration: r.energyPj.perIteration / 1e6))
        }
        let rs = replay.summary
        let points = table.points.filter { $0.status == .ok }.compactMap { row in
            row.metrics["train.test_accuracy"].map {
                DemoSummary.Sweep.Point(
                    settings: p.axes.map { "\(SweepReportBuilder.shortKey($0.key))=\(row.values[$0.key] ?? "")" }
                        .joined(separator: " "),
                    testAccuracy: $0)
            }
        }
        let summary = DemoSummary(
            command: "lrsim demo --out \(o.out) --epochs \(o.epochs)", hardware: "\(o.hw) / \(o.hwBp)",
            epochs: o.epochs, trainSamples: p.train.count, testSamples: p.test.count, rows: rows,
            replay: .init(
                hardware: p.forwardOnly.name, steps: rs.stepsReplayed, meanCosineVsFloat: rs.meanCosineVsFloat,
                worstCosineVsFloat: rs.minCosineVsFloat, worstStep: rs.worstCosineVsFloatStep,
                worstLayer: rs.worstCosineVsFloatLayer, bitExact: rs.allBitExactVsExact, verdict: rs.verdict),
            sweep: .init(
                points: table.points.count, failed: table.points.filter { $0.status == .failed }.count,
                trainSamples: sweepTrain.count, testSamples: sweepTest.count, epochs: tc.epochs,
                floatAccuracy: floatAccuracy, accuracies: points))
        try JSONReport.write(summary, to: path("summary.json"))
        let builder = try ReportInputs.builder(directory: o.out)
        try AtomicFile.write(builder.html(), to: path("report.html"))

        step(7, String(format: "done in %.1f s; report: %@", Date().timeIntervalSince(started), path("report.html")))
        return Result(comparison: runs, summary: summary, sweep: table)
    }
}
