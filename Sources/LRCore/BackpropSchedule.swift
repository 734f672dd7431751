/// How a backprop iteration is pipelined over the stages (the forward-only estimators have no backward pass to
/// schedule).
public enum BackpropSchedule: String, Sendable, Hashable, Codable, CaseIterable {
    /// One batch in flight: the forward through every stage, then the backward chain (backward locking in full).
    case serial
    /// GPipe: the batch is split into M micro-batches; every stage runs the M forwards, then the M backwards, and the
    /// weights update once the pipeline is flushed. Stage s holds M micro-batches' activations at its peak.
    case gpipe
    /// 1F1B (PipeDream-Flush): after S-1-s warm-up forwards, stage s alternates one forward and one backward; flush
    /// per step. Same bubble as GPipe, but stage s holds at most S-s micro-batches' activations.
    case oneFOneB = "1f1b"
}
