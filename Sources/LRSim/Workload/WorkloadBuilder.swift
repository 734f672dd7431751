import HWModel
import LRCore

/// What the reports need to name things in a simulated workload: its resources (the tasks themselves are forgotten as
/// the engine finishes them), the layer plan and the stages.
public struct BuiltWorkload: Sendable {
    public var graph: TaskGraph
    public var spec: WorkloadSpec
    public var layers: [ComputeLayer]
    /// Stage names in pipeline order and the parametric layers each runs.
    public var stages: [(name: String, layers: [Int])]
    /// Replicas of each stage (per chip).
    public var stagesReplicas: [Int]
    public var hardware: HardwareModel
}

/// Turns (network shapes, estimator, batch, copies, hardware model with its mapping and pipeline options) into the
/// tasks of `iterations` training iterations, emitted one iteration at a time (`TaskSource`), so memory stays bounded
/// by the iterations in flight. Every MAC, addition, noise number and byte of the workload is attached to exactly one
/// task, so the engine's executed counts can be checked against closed forms.
///
/// Schedule of one forward-only iteration (LR/ALR layer-wise; ES/AES perturb weights instead of logits):
///   load batch; clean forward through every layer (storing each layer's input and clean logit); clean loss and its
///   broadcast (the baseline L0); then for each perturbed layer p, deepest first, copy groups: perturb at p (noise
///   from the stage's generator, stored as words or sign bits), forward through layers > p, per-copy loss, broadcast
///   to p, accumulate `w_b += (L_bk - L0_b) * s_bk` at p; then per layer the outer-product GEMM and the update.
/// Backprop: load; forward storing inputs and pre-activations; loss gradient; backward chain (weight- and
/// input-gradient GEMMs, layer after layer); update.
public struct WorkloadBuilder: TaskSource {
    public var spec: WorkloadSpec
    public var hardware: HardwareModel
    var builder: ScheduleBuilder
    var next = 0

    public init(spec: WorkloadSpec, hardware: HardwareModel) throws {
        self.spec = spec; self.hardware = hardware
        let layers = try ComputeLayer.plan(spec.network)
        try spec.validate(layers: layers.count)
        builder = try ScheduleBuilder(spec: spec, model: hardware, layers: layers)
    }

    public var graph: TaskGraph {
        get { builder.graph }
        set { builder.graph = newValue }
    }

    public mutating func emitBatch() throws -> Bool {
        guard next < spec.iterations else { return false }
        builder.iteration(next)
        next += 1
        if next == spec.iterations { builder.flushDeferred() }
        builder.forget(before: next - builder.model.pipeline.staleness - 3)
        return next < spec.iterations
    }

    /// With the overlapped pipeline, iteration t's gradient work is emitted with iteration t+1.
    public var completeIterations: Int {
        next == spec.iterations || !builder.overlapsIterations ? next : max(0, next - 1)
    }

    /// At most staleness + 2 iterations are in flight (the forward of t waits for the updates of t-1-staleness);
    /// one more is emitted so that the next iteration's first tasks are always queued.
    public var lookahead: Int { builder.model.pipeline.staleness + 3 }

    /// The resources and layer plan, for reports.
    public var built: BuiltWorkload {
        BuiltWorkload(
            graph: builder.graph, spec: spec, layers: builder.layers,
            stages: builder.machine.stages.map { ($0.spec.name, $0.layers) },
            stagesReplicas: builder.machine.stages.map(\.spec.replicas), hardware: hardware)
    }

    /// Emits every iteration into one graph (small workloads and tests that inspect the tasks).
    public mutating func build() throws -> TaskGraph {
        while try emitBatch() {}
        return builder.graph
    }
}
