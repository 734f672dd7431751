/// What one estimator step observed, beyond the gradient: the numbers a trace records.
public struct StepRecord: Sendable {
    /// Per-sample clean losses [B] (empty when the estimator did not run a clean pass).
    public var cleanLosses: [Float] = []
    /// Per perturbed layer (index into `NetworkSpec.layers`): per-copy losses laid out [K, B].
    public var copyLosses: [Int: [Float]] = [:]
    /// Mean clean loss of the batch (or mean copy loss when no clean pass ran).
    public var loss: Double = 0

    public init() {}
}
