import HWModel

/// One kind of work done at every sweep point (`sim`, `replay`, `train`). Returns named metrics; the sweep prefixes
/// nothing, so names should carry the kind (`sim.iterations_per_second`, `train.test_accuracy`).
///
/// Metrics must be functions of the inputs only (no wall-clock times): the merged table of a sharded run must equal
/// the unsharded one byte for byte. Throwing marks the point failed with the error's description; the sweep goes on.
public protocol PointEvaluator {
    var kind: String { get }
    /// Evaluates `hardware` (the base model with `point.overrides` applied). `directory` is the point's own folder
    /// for any detailed output (reports, the resolved model).
    func evaluate(_ hardware: HardwareModel, point: SweepPoint, directory: String) throws -> [String: Double]
}
