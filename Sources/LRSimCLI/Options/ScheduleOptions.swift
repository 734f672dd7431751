import ArgumentParser
import LRCore
import LRStudies

/// How the simulated training is scheduled, shared by `sim` and `sweep`: LR/ALR's noise injection and backprop's
/// pipeline schedule with its micro-batches.
struct ScheduleOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "LR/ALR noise injection: layerwise (one layer at a time; copies run the layers after it) or all-layers "
                + "(every layer at once; K full noisy passes, every layer's gradient from the same losses)."))
    var injection: Injection = .layerwise
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
        w.injection = injection; w.schedule = schedule; w.microbatches = microbatches
    }
}

extension Injection: ExpressibleByArgument {}
extension BackpropSchedule: ExpressibleByArgument {}
