import LRTrace

/// The per-step recomputation check `lrsim trace verify` runs: rebuild the model from the header, regenerate each
/// step's noise from its key, recompute the float gradient from the recorded weights and batch, and compare it bit for
/// bit with the recorded `layer{l}.grad.*`. It needs the trainer (LRTrain), which provides it here.
///
/// Returns nil when no check is available for this trace; `verify` then reports the recomputation as NOT RUN.
func traceRecomputationCheck(for header: TraceHeader) throws -> (any TraceStepVerifier)? {
    nil
}
