import HWModel

/// The `lrsim gemm` JSON report.
public struct GemmReport: Sendable, Codable, Equatable {
    public var kind = "gemm"
    public var rows: Int
    public var cols: Int
    public var dataflow: String
    public var convention: String
    public var layers: [Layer]
    public var totalCycles: Int
    /// Memory stall cycles over all layers (0 without a memory model).
    public var totalStallCycles: Int
    public var totalMacs: Int
    /// The scratchpads, when the memory model ran (SCALE-Sim v3's double-buffered scratchpads).
    public var memory: ScratchpadConfig?
    /// `scalesim` or `physical` (with `memory`).
    public var memoryOrder: String?
    public var wallSeconds: Double

    public struct Layer: Sendable, Codable, Equatable {
        public var name: String
        public var m: Int, n: Int, k: Int
        /// `computeCycles + stallCycles`: SCALE-Sim's "Total Cycles".
        public var cycles: Int
        /// The stall-free cycles of the convention.
        public var computeCycles: Int
        /// Cycles the array waits for its scratchpads (SCALE-Sim's "Stall Cycles"); 0 without a memory model.
        public var stallCycles: Int
        public var folds: Int
        public var cyclesPerFold: Int
        public var macs: Int
        public var utilizationPercent: Double
        public var mappingEfficiencyPercent: Double
        public var computeUtilizationPercent: Double
        /// Fills, drains and stalled lines of the memory model.
        public var memory: ScratchpadTiming?
    }

    /// Times every GEMM of `list` on `array`, operands on chip (no memory stalls).
    public init(list: [NamedGemm], array: SystolicArray, convention: GemmTimingConvention, wallSeconds: Double = 0) {
        rows = array.rows; cols = array.cols; dataflow = array.dataflow.rawValue; self.convention = convention.rawValue
        layers = list.map { g in
            let t = array.timing(g.shape, convention: convention)
            return Layer(
                name: g.name, m: g.shape.m, n: g.shape.n, k: g.shape.k, cycles: t.cycles,
                computeCycles: t.cycles, stallCycles: 0, folds: t.folds,
                cyclesPerFold: t.cyclesPerFold, macs: t.macs, utilizationPercent: t.utilizationPercent,
                mappingEfficiencyPercent: t.mappingEfficiencyPercent,
                computeUtilizationPercent: t.computeUtilizationPercent, memory: nil)
        }
        totalCycles = layers.reduce(0) { $0 &+ $1.cycles }
        totalStallCycles = 0
        totalMacs = layers.reduce(0) { $0 &+ $1.macs }
        memory = nil
        memoryOrder = nil
        self.wallSeconds = wallSeconds
    }

    /// Times every GEMM of `list` on `array` behind SCALE-Sim v3's double-buffered scratchpads (`memory`): per layer
    /// SCALE-Sim's "Total Cycles" (`cycles`) and "Stall Cycles". The memory model follows SCALE-Sim's schedule, so the
    /// convention must be `scalesim` (or `scalesim_rtl`, one more compute cycle per layer). Utilisation is
    /// SCALE-Sim's: MACs over total cycles including stalls.
    public init(
        list: [NamedGemm], array: SystolicArray, convention: GemmTimingConvention, memory: ScratchpadConfig,
        order: GemmMemoryOrder = .scalesim, wallSeconds: Double = 0
    ) throws {
        guard convention != .onnxim else {
            throw ScratchpadError.invalidConfig(
                "the memory model follows SCALE-Sim's fold schedule: use the scalesim or scalesim_rtl convention, not onnxim"
            )
        }
        self.init(list: list, array: array, convention: convention, wallSeconds: wallSeconds)
        let extra = convention == .scalesimRTL ? 1 : 0
        for i in layers.indices {
            let g = list[i].shape
            var t: ScratchpadTiming
            switch order {
            case .scalesim:
                t = ScaleSimMemoryTimer.run(try GemmScratchpad(gemm: g, array: array, config: memory))
                t.computeCycles &+= extra; t.cycles &+= extra
            case .physical:
                t = try PhysicalGemmTimer.run(g, array: array, convention: convention, config: memory)
            }
            layers[i].computeCycles = t.computeCycles
            layers[i].stallCycles = t.stallCycles
            layers[i].cycles = t.cycles
            layers[i].memory = t
            layers[i].utilizationPercent = Double(g.macs) * 100 / (Double(t.cycles) * Double(array.peCount))
        }
        totalCycles = layers.reduce(0) { $0 &+ $1.cycles }
        totalStallCycles = layers.reduce(0) { $0 &+ $1.stallCycles }
        self.memory = memory
        memoryOrder = order.rawValue
    }
}

/// Which memory model `lrsim gemm --memory` runs.
public enum GemmMemoryOrder: String, Sendable, Hashable, Codable, CaseIterable {
    /// SCALE-Sim v3's double-buffered scratchpads with its demand order and fixed-bandwidth fill clock: equal to what
    /// SCALE-Sim reports (scripts/scalesim/scalesim_memory.csv).
    case scalesim
    /// The simulator's own: the same scratchpads with the physical demand order (each operand read as often as the
    /// dataflow's loop nest re-reads it) and fills served by a DRAM channel per operand, run through the engine.
    case physical
}
