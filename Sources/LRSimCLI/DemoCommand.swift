import ArgumentParser
import HWModel
import LRCore
import LRReport
import LRStudies

/// `lrsim demo`: the first command a newcomer runs (`LRStudies.DemoRun`): trains the Fashion-MNIST MLP with ALR, LR
/// and backprop, traces, simulates, replays, sweeps precision, writes the HTML report and prints the summary tables.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train, trace, simulate, replay, sweep and report: the whole toolkit in one command (a few minutes).",
        discussion: """
            Everything is written under --out (default ./lrsim-demo): train-*.json, alr.lrt (the trace), \
            sim-compare.json (ALR and LR on hwmodels/edge.toml, backprop on hwmodels/edge-bp.toml: the same silicon), \
            replay.json, sweep/ (activation bits x accumulator bits with quantized training, replay and sim per \
            point), \
            summary.json and report.html. Progress goes to stderr; the summary table to stdout.

            Examples:
              lrsim demo
              lrsim demo --out /tmp/demo --epochs 2
              lrsim demo --train-samples 6000 --sweep-train-samples 2000     # a two-minute version
            """)

    @Option(help: "Output directory.") var out = "lrsim-demo"
    @Option(help: "Dataset directory (default: Debian's dataset-fashion-mnist location).") var dataDir: String?
    @Option(help: "Forward-only hardware model (ALR and LR).") var hw = HardwareModel.defaultModelPath
    @Option(help: "The same silicon configured for backprop.") var hwBp = "hwmodels/edge-bp.toml"
    @Option(parsing: .unconditional, help: "Training epochs of the ALR, LR and backprop runs (1...100).") var epochs = 1
    @Option(parsing: .unconditional, help: "Use only the first N training samples (default: all 60000).")
    var trainSamples: Int?
    @Option(parsing: .unconditional, help: "Use only the first N test samples (default: all 10000).") var testSamples:
        Int?
    @Option(parsing: .unconditional, help: "Samples per mini-batch (training and simulation; 1...4096).") var batch = 32
    @Option(parsing: .unconditional, help: "Noisy copies K per layer (ALR and LR; even, at most 1024).") var copies:
        CopyCounts = [32]
    @Option(parsing: .unconditional, help: "Noise scale.") var sigma: Float = 0.1
    @Option(
        parsing: .unconditional,
        help: "Training samples of each quantized-training run in the sweep (and of its float reference).")
    var sweepTrainSamples = DemoOptions().sweepTrainSamples
    @Option(parsing: .unconditional, help: "Test samples each quantized-training run in the sweep is evaluated on.")
    var sweepTestSamples = DemoOptions().sweepTestSamples
    @Option(help: "Activation bit widths the sweep tries.") var sweepActivationBits = DemoOptions().sweepActivationBits
    @Option(
        help: "Accumulator bit widths the sweep tries (16 = s16.0 collapses to chance and is slow: see docs/sweeps.md)."
    ) var sweepAccumulatorBits = DemoOptions().sweepAccumulatorBits

    var options: DemoOptions {
        var o = DemoOptions()
        o.out = out; o.dataDir = dataDir; o.hw = hw; o.hwBp = hwBp; o.epochs = epochs
        o.trainSamples = trainSamples; o.testSamples = testSamples; o.batch = batch; o.copies = copies; o.sigma = sigma
        o.sweepTrainSamples = sweepTrainSamples; o.sweepTestSamples = sweepTestSamples
        o.sweepActivationBits = sweepActivationBits; o.sweepAccumulatorBits = sweepAccumulatorBits
        return o
    }

    func validate() throws {
        // Checked while parsing, where the error funnel sees ArgumentParser's wrapper: name the option here.
        do { try options.validate() } catch { throw ValidationError("--\(error.setting): \(error.problem)") }
    }

    func run() throws {
        // DemoRun checks every option, file and sweep value, then creates --out, before its first training run.
        let result = try DemoRun(options: options, log: { Console.err($0) }).run()
        Console.out(SimSummary.comparison(result.comparison))
        Console.out("")
        Console.out(result.summary.text)
        Console.out("")
        Console.out(SweepSummaryText.table(result.sweep))
    }
}
