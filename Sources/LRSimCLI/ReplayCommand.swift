import ArgumentParser
import HWModel
import LRIO
import LRStudies

/// `lrsim replay`: recorded training steps through a hardware model's fixed-point datapath, value by value.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run recorded training steps through a hardware model's fixed-point datapath and check them exactly.",
        discussion: """
            For every recorded step: regenerate the noise from the trace's key; quantize weights, inputs and noise into \
            the model's formats; run the clean forward and the K noisy copies through the fixed-point datapath (products, \
            accumulators, activations, loss unit); form the per-copy losses and the sign-encoded (alr) or full (lr) \
            gradient in the model's accumulator formats; apply the update when the run used plain SGD. rnn, snn and gnn \
            traces (lr) replay their recurrence, membranes or graph aggregation the same way. Reports per step \
            and layer the cosine to the trainer's float gradient (and to backprop's, when recorded), the error against \
            the exact GMP evaluation of the same formula on the same quantized operands, whether the datapath is \
            bit-exact, the loss change, and sim's timing for the same work. docs/replay.md explains every stage.

            Examples:
              lrsim replay --hw hwmodels/edge-wide.toml --trace traces/replay-mlp-lr-sgd.lrt
              lrsim replay --hw hwmodels/edge.toml --trace run.lrt --set formats.accumulators.bits=24 --report replay.json
              lrsim replay --hw hwmodels/edge.toml --trace run.lrt --steps 0,100 --no-exact
            """)

    @Option(help: "Hardware model (TOML).") var hw: String = HardwareModel.defaultModelPath
    @Option(help: "The trace to replay (written by lrsim train --trace).") var trace: String
    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Override a hardware-model field (repeatable), e.g. formats.accumulators.bits=24.", valueName: "KEY=VALUE"))
    var overrides: [String] = []
    @Option(help: "Replay only these recorded steps (comma-separated step numbers). Default: every step.") var steps:
        String?
    @Flag(help: "Skip the exact GMP check (faster; no error or bit-exactness fields).") var noExact = false
    @Option(help: "Write the JSON report here.") var report: String?
    @Flag(help: "Report wall-clock fields as 0, so reports of equal inputs are byte-identical.") var noWallClock = false
    @Flag(help: "Print nothing but errors.") var quiet = false

    func validate() throws {
        if let s = steps, parseSteps(s) == nil {
            throw ValidationError("--steps must be non-negative step numbers separated by commas, got '\(s)'")
        }
    }

    func parseSteps(_ text: String) -> [UInt64]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { UInt64($0) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { return nil }
        return parts.map { $0! }
    }

    func run() throws {
        var outputs = OutputPaths()
        outputs.input("trace", trace)
        outputs.input("hw", hw)
        outputs.file("report", report)
        try outputs.prepare()
        let hardware = try HardwareModel.load(path: HardwareModel.locate(hw), overrides: overrides)
        let replay = ReplayRun(
            hardware: hardware, overrides: overrides, tracePath: trace,
            steps: steps.flatMap(parseSteps), exact: !noExact, wallClock: !noWallClock)
        let result = try replay.run { line in if !quiet { Console.out(line) } }
        if let report { try JSONReport.write(result, to: report) }
    }
}
