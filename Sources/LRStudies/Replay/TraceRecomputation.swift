import LRCore
import LRTrace
import LRTrain

/// The per-step recomputation check `lrsim trace verify` runs (`GradientRecomputation`): rebuild the model from the
/// header's configuration, regenerate each step's noise from its key, recompute the gradient from the recorded weights
/// and batch, and compare it bit for bit with the recorded `layer{l}.grad.*`.
///
/// Throws when the header's configuration cannot be rebuilt; `verify` then reports the recomputation as NOT RUN.
public func traceRecomputationCheck(for header: TraceHeader) throws -> (any TraceStepVerifier)? {
    _ = try RecordedStep.configuration(from: header).resolved()
    return GradientRecomputation()
}
