import LRTrace
import LRTrain

/// The per-step recomputation check `lrsim trace verify` runs: rebuild the model from the header, regenerate each
/// step's noise from its key, recompute the float gradient from the recorded weights and batch, and compare it bit for
/// bit with the recorded `layer{l}.grad.*` (LRTrain's `GradientRecomputation`).
///
/// Returns nil when the trace was not written by the lrsim trainer (its config cannot be rebuilt); `verify` then
/// reports the recomputation as NOT RUN.
public func traceRecomputationCheck(for header: TraceHeader) throws -> (any TraceStepVerifier)? {
    if header.notes[ArchitectureTraceRecorder.noteKey] != nil {
        // A train-arch trace (rnn, snn): its own config and estimators.
        _ = try ArchitectureTensorLayout(ArchitectureTraceConfig.decode(header.configJSON))
        return ArchitectureGradientRecomputation()
    }
    _ = try RecordedStep.configuration(from: header).resolved()
    return GradientRecomputation()
}
