/// `lrsim gemm --memory-order physical`: one GEMM timed by the simulator's own mechanism. The GEMM runs as a single
/// array task whose IFMAP and filter operands live in DRAM and stream through scratchpads of the configured sizes by
/// the physical fill schedule (`GemmTileProgram`), each operand over its own simple channel of the configured
/// bandwidth (SCALE-Sim's per-buffer interfaces); the engine prefetches a tile's fills while the previous tile computes
/// and stalls the array when they are late. This is exactly what `lrsim sim` does with a spilled operand, except that
/// the simulator's channel is shared.
public enum PhysicalGemmTimer {
    /// Cycles, stall cycles (beyond the stall-free count of `convention`) and fills of `gemm` on `array`.
    public static func run(
        _ gemm: GemmShape, array: SystolicArray, convention: GemmTimingConvention,
        config: ScratchpadConfig
    ) throws -> ScratchpadTiming {
        try config.validate()
        let compute = array.timing(gemm, convention: convention).cycles
        // Memory 0 feeds the IFMAP, memory 1 the filter, at their bandwidths (1-byte words, as in SCALE-Sim).
        var g = TaskGraph(memories: [
            MemoryDescriptor(
                name: "ifmap", device: SimpleChannel(bytesPerCycle: Double(config.ifmapBandwidth), latencyCycles: 0)),
            MemoryDescriptor(
                name: "filter", device: SimpleChannel(bytesPerCycle: Double(config.filterBandwidth), latencyCycles: 0)),
        ])
        let u = g.addUnit("array", kind: .array, width: array.peCount)
        // Zero-capacity buffers: the operands are wholly in DRAM; the scratchpads of the program are `config`'s.
        let ifmap = g.addBuffer("ifmap", stage: "", role: .inputs, capacityBytes: 0, chip: 0)
        let filter = g.addBuffer("filter", stage: "", role: .weights, capacityBytes: 0, chip: 1)
        let a = g.addAllocation(in: ifmap, bytes: gemm.m &* gemm.k, resident: true)
        let b = g.addAllocation(in: filter, bytes: gemm.k &* gemm.n, resident: true)
        var t = TaskDescriptor(unit: u, kind: .generic, cycles: compute)
        t.gemm = g.gemmIndex(
            GemmTileSpec(
                shape: gemm, array: array, config: config, ifmapBuffer: ifmap,
                filterBuffer: filter, ifmapWordBytes: 1, filterWordBytes: 1))
        g.addTask(t, reads: [a, b])
        let r = try Engine(graph: g).run()
        let program = try GemmTileProgram(g.gemms[0], maxTiles: EngineRun.maxProgramTiles)
        return ScratchpadTiming(
            computeCycles: compute, stallCycles: r.cycles &- compute, cycles: r.cycles,
            ifmapFills: program.ifmapFills.reduce(0, +), filterFills: program.filterFills.reduce(0, +),
            ofmapDrains: 0, stalledLines: 0)
    }
}
