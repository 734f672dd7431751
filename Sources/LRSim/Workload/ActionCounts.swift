/// Work and traffic a task performs, in the units the energy table charges. Summed over executed tasks by the
/// engine and over the graph by `TaskGraph.totals`, so conservation (every MAC executed exactly once) is checkable.
public struct ActionCounts: Sendable, Hashable, Codable {
    /// Multiply-accumulates in the PE array (GEMMs) or, for LR's loss-weighted reduction, the vector unit.
    public var macs: Int = 0
    /// Additions and subtractions (ALR's sign-controlled reduction, baselines, bias gradients).
    public var adds: Int = 0
    /// Elementwise vector-lane operations (activations, pooling, noise add, weight update).
    public var vectorOps: Int = 0
    public var sramReadBytes: Int = 0
    public var sramWriteBytes: Int = 0
    public var fifoBytes: Int = 0
    /// Gaussian/continuous noise numbers generated.
    public var noiseNumbers: Int = 0
    /// Random sign bits generated.
    public var noiseBits: Int = 0
    /// Logits through the loss unit.
    public var lossElements: Int = 0
    /// Losses sent over the broadcast bus.
    public var broadcasts: Int = 0
    /// Bytes moved over on-chip links (stage-to-stage FIFO traffic and collectives among replicas), summed over links.
    public var onChipLinkBytes: Int = 0
    /// Bytes moved over chip-to-chip links (collectives among chips), summed over links.
    public var chipLinkBytes: Int = 0

    public init() {}

    @inlinable public static func += (a: inout ActionCounts, b: ActionCounts) {
        a.macs &+= b.macs; a.adds &+= b.adds; a.vectorOps &+= b.vectorOps
        a.sramReadBytes &+= b.sramReadBytes; a.sramWriteBytes &+= b.sramWriteBytes; a.fifoBytes &+= b.fifoBytes
        a.noiseNumbers &+= b.noiseNumbers; a.noiseBits &+= b.noiseBits
        a.lossElements &+= b.lossElements; a.broadcasts &+= b.broadcasts
        a.onChipLinkBytes &+= b.onChipLinkBytes; a.chipLinkBytes &+= b.chipLinkBytes
    }
}
