import ArgumentParser
import HWModel
import LRCore
import LRReport
import LRSim
import LRStudies

/// `lrsim sim`: cycle-level simulation of an accelerator training a network with LR, ALR, ES or backprop.
struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate an accelerator training a network: cycles, stalls, memory, DRAM traffic, energy.",
        discussion: """
            The workload comes from a trace (its model, batch, copies per layer, estimator and number of steps) or from \
            --model/--batch/--copies/--estimator. Every unit's cycles are accounted as busy, starved (waiting for data), \
            blocked (full FIFO, DRAM, bus, noise generator) or idle; buffers that overflow spill to DRAM. The hardware \
            model's [mapping] and [pipeline] decide spatial vs temporal and how much work overlaps.

            Examples:
              lrsim sim --hw hwmodels/edge.toml --model mlp:784-256-10 \\
                        --batch 128 --copies 32 --estimator alr --iterations 10 \\
                        --report sim.json --csv simcsv --vcd sim.vcd --timeline sim.trace.json
              lrsim sim --hw hwmodels/edge.toml --trace run.lrt --report sim.json
              lrsim sim --model mlp:784-256-10 --batch 128 --copies 32 --compare lr,alr,bp
              lrsim sim --model cnn:small --batch 32 --copies 8 --estimator alr \\
                        --set pipeline.mode=overlapped --set pipeline.staleness=1
            """)

    @Option(help: "Hardware model (TOML; a shipped model is found from any directory).")
    var hw: String = HardwareModel.defaultModelPath
    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Override a hardware-model field (repeatable), e.g. pipeline.mode=overlapped.", valueName: "KEY=VALUE"))
    var overrides: [String] = []
    @Option(
        help:
            "Take the workload from this trace's header (its model, estimator, batch, copies and step count; the options below replace the trace's values)."
    )
    var trace: String?
    @Option(
        help:
            "Network: mlp:IN-H1-...-OUT, cnn:small / cnn:cifar, resnet5 / resnet9 / resnet18 / vgg8 (CIFAR-scale, simulator only), rnn:DxH-C[xT<steps>], snn:D-H-C[xT<steps>] or gnn:N-F-H-C[e<E>] (nodes-features-hidden-classes, E edges; batch = N). Not with --trace."
    )
    var model: String?
    @Option(parsing: .unconditional, help: "Samples per mini-batch.") var batch: Int?
    @Option(
        parsing: .unconditional,
        help:
            "Copies K per perturbed layer: one value, or one per parametric layer separated by commas; 0...65536, 0 = the layer is not trained, even with antithetic pairs."
    )
    var copies: CopyCounts?
    @Option(help: "Estimator: lr, alr, es, aes or bp.") var estimator: EstimatorKind?
    @Option(parsing: .unconditional, help: "Noise scale (accepted for symmetry with train; it does not change timing).")
    var sigma: Double?
    @Flag(help: "Independent copies instead of antithetic pairs (antithetic pairs generate and store half the noise).")
    var noAntithetic = false
    @Option(
        parsing: .unconditional, help: "Copies one task carries through a layer (the GEMM streams batch x copies rows)."
    ) var copiesPerPass: Int = 1
    @Option(
        help: ArgumentHelp(
            "LR/ALR noise injection: layerwise (one layer at a time; copies run the layers after it) or all-layers "
                + "(every layer at once; K full noisy passes, every layer's gradient from the same losses). Default: "
                + "the trace's, else layerwise."))
    var injection: Injection?
    @OptionGroup var scheduling: ScheduleOptions
    @Option(
        parsing: .unconditional,
        help: "Training iterations (mini-batches) to simulate. Default: the trace's step count, else 1.")
    var iterations: Int?
    @Option(help: "Also simulate these estimators on the same hardware and print them side by side, e.g. lr,alr,bp.")
    var compare: String?
    @Option(help: "Write a VCD waveform (GTKWave) here.") var vcd: String?
    @Option(help: "Write a Chrome trace-event timeline (Perfetto, chrome://tracing) here.") var timeline: String?
    @Option(help: "Write stages.csv, buffers.csv and fifos.csv into this directory.") var csv: String?
    @Option(help: "Write the JSON report here.") var report: String?
    @Flag(
        help: "Report wall_seconds and simulated_cycles_per_second as 0, so reports of equal inputs are byte-identical."
    )
    var noWallClock = false

    func validate() throws {
        if let b = batch, !(1...(1 << 20)).contains(b) {
            throw ValidationError("--batch must be 1 ... 1048576, got \(b)")
        }
        if let n = iterations, !(1...10_000_000).contains(n) {
            throw ValidationError("--iterations must be 1 ... 10000000, got \(n)")
        }
        if !(1...65536).contains(copiesPerPass) {
            throw ValidationError("--copies-per-pass must be 1 ... 65536, got \(copiesPerPass)")
        }
        if let sigma, !(sigma.isFinite && sigma > 0) {
            throw ValidationError("--sigma must be a positive number, got \(sigma)")
        }
        _ = try compareList()
    }

    /// `--compare lr,alr,bp`: the estimators, each named once.
    func compareList() throws -> [EstimatorKind] {
        guard let compare else { return [] }
        let names = compare.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let kinds = names.compactMap(EstimatorKind.init(rawValue:))
        guard kinds.count == names.count, !kinds.isEmpty, Set(kinds).count == kinds.count else {
            throw ValidationError(
                "--compare takes distinct estimators among \(EstimatorKind.spellings) separated by commas; got '\(compare)'"
            )
        }
        return kinds
    }

    /// The workload as asked for: the `LRStudies` bridge resolves trace and options into the simulator's workload.
    var workloadOptions: SimWorkloadOptions {
        var w = SimWorkloadOptions(
            trace: trace, model: model, estimator: estimator, batch: batch, copies: copies,
            antithetic: noAntithetic ? false : nil, copiesPerPass: copiesPerPass,
            iterations: iterations)
        w.injection = injection
        scheduling.apply(to: &w)
        return w
    }

    func run() throws {
        var outputs = OutputPaths()
        outputs.input("trace", trace); outputs.input("hw", hw)
        outputs.file("vcd", vcd); outputs.file("timeline", timeline); outputs.directory("csv", csv);
        outputs.file("report", report)
        try outputs.prepare()
        var run = SimulationRun(
            hardware: try HardwareModel.load(path: HardwareModel.locate(hw), overrides: overrides),
            workload: workloadOptions)
        run.compare = try compareList()
        run.wallClock = !noWallClock
        run.outputs = .init(vcd: vcd, timeline: timeline, csv: csv, report: report)
        switch try run.run() {
        case .single(let result): Console.out(SimSummary.text(result.report))
        case .comparison(let reports): Console.out(SimSummary.comparison(reports))
        }
    }
}
