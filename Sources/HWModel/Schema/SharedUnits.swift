/// `[loss]`: the loss unit that turns each copy's logits into a scalar loss.
public struct LossUnitSpec: Sendable, Equatable, Codable {
    /// `latency_cycles` (0 ... 65536): cycles from the last logit in to the loss out.
    public var latencyCycles: Int
    /// `elements_per_cycle` (1 ... 65536): logits consumed per cycle; a copy with C classes occupies the unit for
    /// `ceil(C / elements_per_cycle)` cycles (the per-copy throughput).
    public var elementsPerCycle: Int
    public init(latencyCycles: Int = 8, elementsPerCycle: Int = 1) {
        self.latencyCycles = latencyCycles; self.elementsPerCycle = elementsPerCycle
    }
    /// Cycles the unit is busy with one copy of `classes` logits (latency excluded: it overlaps the next copy).
    public func cyclesPerCopy(classes: Int) -> Int { classes <= 0 ? 0 : 1 + (classes - 1) / max(1, elementsPerCycle) }
}

/// `[bus]`: broadcasts per-copy losses from the loss unit to every stage (LR gradients need them everywhere).
public struct BroadcastBusSpec: Sendable, Equatable, Codable {
    /// `latency_cycles` (0 ... 65536): cycles from send to arrival at every stage.
    public var latencyCycles: Int
    /// `losses_per_cycle` (1 ... 65536): losses accepted per cycle.
    public var lossesPerCycle: Int
    public init(latencyCycles: Int = 2, lossesPerCycle: Int = 1) {
        self.latencyCycles = latencyCycles; self.lossesPerCycle = lossesPerCycle
    }
}

/// `[pipeline]`: how iterations overlap, and how stale the weights may be.
public struct PipelineSpec: Sendable, Equatable, Codable {
    /// `mode`.
    public var mode: PipelineMode
    /// `staleness` (0 ... 64): the most mini-batches by which the weights a forward pass uses may lag the latest update.
    public var staleness: Int
    public init(mode: PipelineMode = .sequential, staleness: Int = 0) { self.mode = mode; self.staleness = staleness }
}

public enum PipelineMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Each iteration finishes (update included) before the next starts; needs `staleness = 0`.
    case sequential
    /// Stages of a spatial mapping work on consecutive copies/samples concurrently, within one iteration.
    case layerPipelined = "layer_pipelined"
    /// As layer_pipelined, and the gradient/update work of iteration t overlaps the forward of t+1: needs
    /// `staleness >= 1` and a spatial mapping.
    case overlapped
}
