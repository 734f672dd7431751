import ArgumentParser
import LRCore
import LRStudies

/// Backprop's simulated pipeline schedule with its micro-batches, shared by `sim` and `sweep`. (LR/ALR's
/// `--injection` belongs to the estimator: `train` and `sweep` take it from `EstimatorOptions`, `sim` on its own.)
struct ScheduleOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Backprop schedule: serial (one batch in flight), gpipe or 1f1b (micro-batches pipelined over the "
                + "stages, flushed every step)."))
    var schedule: BackpropSchedule = .serial
    @Option(
        parsing: .unconditional,
        help: "Micro-batches per iteration for --schedule gpipe or 1f1b (the batch is divided among them; default 4).")
    var microbatches: Int?

    /// Puts these choices into a workload request.
    func apply(to w: inout SimWorkloadOptions) {
        w.schedule = schedule; w.microbatches = microbatches
    }
}

extension BackpropSchedule: ExpressibleByArgument {}
