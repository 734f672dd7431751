import HWModel

/// One GEMM on a systolic array behind SCALE-Sim v3's three double-buffered scratchpads: the time-independent demand
/// side (which demand lines need IFMAP / filter fills, how many OFMAP words each line writes). `ScaleSimMemoryTimer`
/// turns it into SCALE-Sim's cycles; another timer (a shared-DRAM engine) can drive the same schedules with the fill
/// completion times its memory system grants.
///
/// A demand line is one cycle of the stall-free schedule: fold `f` occupies lines `f*L ..< (f+1)*L` with
/// `L = 2R + C + T - 2` (ws, is) or `R + C + T - 2` (os), and the stall-free run takes `lines - 1` cycles
/// (SCALE-Sim's `folds * L - 1`).
public struct GemmScratchpad: Sendable {
    public let gemm: GemmShape
    public let array: SystolicArray
    public let config: ScratchpadConfig
    public let ifmapGeometry: ReadBufferGeometry
    public let filterGeometry: ReadBufferGeometry
    public let ofmapGeometry: WriteBufferGeometry
    public let ifmapDemand: ReadDemand
    public let filterDemand: ReadDemand
    public let output: OutputDemand

    /// Largest number of demand lines (stall-free cycles + 1) and operand size accepted.
    public static let maxLines = 1 << 50
    public static let maxOperandWords = 1 << 50

    public init(gemm: GemmShape, array: SystolicArray, config: ScratchpadConfig) throws {
        try config.validate()
        guard !gemm.isEmpty, array.rows > 0, array.cols > 0 else {
            throw ScratchpadError.invalidConfig(
                "GEMM \(gemm.m)x\(gemm.n)x\(gemm.k) on a \(array.rows)x\(array.cols) array: every size must be at least 1"
            )
        }
        let (m, n, k, r, c) = (gemm.m, gemm.n, gemm.k, array.rows, array.cols)
        for (name, v) in [
            ("M*K", m.multipliedReportingOverflow(by: k)), ("K*N", k.multipliedReportingOverflow(by: n)),
            ("M*N", m.multipliedReportingOverflow(by: n)),
        ] where v.overflow || v.partialValue > Self.maxOperandWords {
            throw ScratchpadError.tooLarge("GEMM \(m)x\(n)x\(k): \(name) exceeds 2^50 words")
        }
        self.gemm = gemm; self.array = array; self.config = config
        let (sr, sc, t): (Int, Int, Int)
        switch array.dataflow {
        case .ws: (sr, sc, t) = (k, n, m)
        case .os: (sr, sc, t) = (m, n, k)
        case .is: (sr, sc, t) = (k, m, n)
        }
        let rowFolds = ceilDiv(sr, r), colFolds = ceilDiv(sc, c)
        let foldLines = (array.dataflow == .os ? r : 2 &* r) &+ c &+ t &- 2
        let lines = rowFolds.multipliedReportingOverflow(by: colFolds)
        let total = lines.partialValue.multipliedReportingOverflow(by: foldLines)
        guard !lines.overflow, !total.overflow, total.partialValue <= Self.maxLines else {
            throw ScratchpadError.tooLarge(
                "GEMM \(m)x\(n)x\(k) on \(r)x\(c) \(array.dataflow.rawValue): more than 2^50 demand lines")
        }
        func demand(_ layout: StackedBlocks, _ shape: ReadDemand.Shape, byColumnFold: Bool) -> ReadDemand {
            ReadDemand(
                layout: layout, shape: shape, blockByColumnFold: byColumnFold, rowFolds: rowFolds,
                colFolds: colFolds, foldLines: foldLines)
        }
        // Prefetch matrices and demand order per dataflow (SCALE-Sim's systolic_compute_*.py).
        switch array.dataflow {
        case .ws:  // IFMAP blocks: K in R-column folds, M rows each, diagonal; filter: N in C folds, row-major
            ifmapDemand = demand(
                StackedBlocks(extent: k, fold: r, blockRows: m, diagonal: true), .skewed(lineBase: r),
                byColumnFold: false)
            filterDemand = demand(
                StackedBlocks(extent: n, fold: c, blockRows: k, diagonal: false),
                .reversedRows(chunkRows: r), byColumnFold: true)
        case .os:  // IFMAP^T blocks: M in R folds, K rows; filter: N in C folds, K rows; both diagonal
            ifmapDemand = demand(
                StackedBlocks(extent: m, fold: r, blockRows: k, diagonal: true), .skewed(lineBase: 0),
                byColumnFold: false)
            filterDemand = demand(
                StackedBlocks(extent: n, fold: c, blockRows: k, diagonal: true), .skewed(lineBase: 0),
                byColumnFold: true)
        case .is:  // IFMAP^T blocks: M in C folds, K rows, row-major; filter^T blocks: K in R folds, N rows, diagonal
            ifmapDemand = demand(
                StackedBlocks(extent: m, fold: c, blockRows: k, diagonal: false),
                .reversedRows(chunkRows: r), byColumnFold: true)
            filterDemand = demand(
                StackedBlocks(extent: k, fold: r, blockRows: n, diagonal: true), .skewed(lineBase: r),
                byColumnFold: false)
        }
        ifmapGeometry = ReadBufferGeometry(
            words: config.ifmapWords, bandwidth: config.ifmapBandwidth,
            operandWords: m &* k)
        filterGeometry = ReadBufferGeometry(
            words: config.filterWords, bandwidth: config.filterBandwidth,
            operandWords: k &* n)
        ofmapGeometry = WriteBufferGeometry(words: config.ofmapWords, bandwidth: config.ofmapBandwidth)
        output = OutputDemand(gemm: gemm, array: array, foldLines: foldLines, rowFolds: rowFolds, colFolds: colFolds)
    }

    /// Demand lines of the stall-free schedule (its cycles + 1).
    public var lines: Int { output.lines }

    public func ifmapFills() -> FillSchedule { FillSchedule(demand: ifmapDemand, geometry: ifmapGeometry) }
    public func filterFills() -> FillSchedule { FillSchedule(demand: filterDemand, geometry: filterGeometry) }
}
