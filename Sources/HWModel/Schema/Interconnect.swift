/// `[interconnect]`: how many chips run the model and the links that join stages, replicas and chips.
///
/// Every chip is a copy of the whole machine (all stages with their replicas); the work each stage replicates (noisy
/// copies, backprop's batch) is divided over all lanes (chips x replicas), and what the division implies — broadcasting
/// clean activations and losses, reducing partial gradients, all-reducing backprop's gradients, broadcasting updated
/// weights — is charged on the links as collectives (`collective`).
public struct InterconnectSpec: Sendable, Equatable, Codable {
    /// `chips` (1 ... 1024): identical chips.
    public var chips: Int
    /// `collective`: the algorithm of reductions, all-reduces and broadcasts among replicas and among chips.
    public var collective: CollectiveAlgorithm
    /// `[interconnect.on_chip]`: the links between stages (FIFO traffic) and the ring joining a stage's replicas.
    public var onChip: LinkSpec
    /// `[interconnect.chip_to_chip]`: the ring joining the chips.
    public var chipToChip: LinkSpec

    public init(
        chips: Int = 1, collective: CollectiveAlgorithm = .ring, onChip: LinkSpec = .ideal,
        chipToChip: LinkSpec = .init(bytesPerCycle: 50, latencyCycles: 500, energyPjPerByte: 10)
    ) {
        self.chips = chips; self.collective = collective; self.onChip = onChip; self.chipToChip = chipToChip
    }
}

/// One kind of link: per-link bandwidth, latency and energy.
public struct LinkSpec: Sendable, Equatable, Codable {
    /// `bytes_per_cycle` (0 ... 1e6): bandwidth of one link; 0 = ideal (unlimited).
    public var bytesPerCycle: Double
    /// `latency_cycles` (0 ... 1e6): cycles from the end of a transfer until the receiver has the data (per hop).
    public var latencyCycles: Int
    /// `energy_pj_per_byte` (0 ... 1e6): energy per byte moved over one link.
    public var energyPjPerByte: Double

    public init(bytesPerCycle: Double, latencyCycles: Int, energyPjPerByte: Double) {
        self.bytesPerCycle = bytesPerCycle; self.latencyCycles = latencyCycles; self.energyPjPerByte = energyPjPerByte
    }

    /// Unlimited bandwidth, no latency, no energy.
    public static let ideal = LinkSpec(bytesPerCycle: 0, latencyCycles: 0, energyPjPerByte: 0)

    /// Cycles one link is occupied by `bytes` (0 on an ideal link).
    public func transferCycles(bytes: Int) -> Int {
        guard bytes > 0, bytesPerCycle > 0 else { return 0 }
        let c = (Double(bytes) / bytesPerCycle).rounded(.up)
        return c < 9e18 ? Int(c) : Int.max
    }
}

/// How a collective among P participants moves S bytes (Thakur, Rabenseifner & Gropp, "Optimization of collective
/// communication operations in MPICH", 2005): rings move S/P per step, binomial trees move S per step.
public enum CollectiveAlgorithm: String, Sendable, Hashable, Codable, CaseIterable {
    /// Ring: all-reduce = reduce-scatter + all-gather, 2(P-1) steps of S/P; reduce and broadcast the same way with a
    /// gather / scatter at the root.
    case ring
    /// Binomial tree: reduce and broadcast ceil(log2 P) steps of S; all-reduce = reduce + broadcast.
    case tree
}

/// `mapping.split`: how the work of a replicated stage is divided over its lanes.
public enum WorkSplit: String, Sendable, Hashable, Codable, CaseIterable {
    /// Data level: a perturbed layer's K copies (forward-only) or backprop's batch are divided over every lane.
    case data
    /// Layer level: each perturbed layer's copies run on their own lane (lane = layer mod lanes); backprop still
    /// divides its batch (it has no per-layer work to separate).
    case layer
    /// Batch level: the batch is divided over the lanes, every lane runs all K copies of its samples, and the lanes
    /// all-reduce their weight gradients before each updates its own weights: data-parallel forward-only training,
    /// the same division as backprop's (which divides its batch under every split).
    case batch
}
