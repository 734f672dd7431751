/// A GEMM task of the simulator whose operand streams from DRAM, and the scratchpads it streams through: the same
/// double-buffered scratchpad model `lrsim gemm` validates against SCALE-Sim (`GemmScratchpad`), with the stage's
/// `inputs` buffer as the IFMAP scratchpad and its `weights` buffer (or the buffer holding the GEMM's right operand) as
/// the filter scratchpad.
public struct GemmTileSpec: Sendable, Hashable {
    public var shape: GemmShape
    public var array: SystolicArray
    /// Scratchpad sizes in words (bandwidths unused: the shared DRAM decides when a fill arrives).
    public var config: ScratchpadConfig
    /// Buffers holding the left (IFMAP) and right (filter) operands, and their word sizes in bytes.
    public var ifmapBuffer: BufferID?
    public var filterBuffer: BufferID?
    public var ifmapWordBytes: Int
    public var filterWordBytes: Int

    public init(shape: GemmShape, array: SystolicArray, config: ScratchpadConfig, ifmapBuffer: BufferID?,
                filterBuffer: BufferID?, ifmapWordBytes: Int, filterWordBytes: Int) {
        self.shape = shape; self.array = array; self.config = config; self.ifmapBuffer = ifmapBuffer
        self.filterBuffer = filterBuffer; self.ifmapWordBytes = ifmapWordBytes; self.filterWordBytes = filterWordBytes
    }
}

/// The tiles of a GEMM whose operands stream from DRAM: one tile per fill of `ScratchpadSteps` (fills close together are
/// merged so there are at most `maxTiles`), each with the demand lines it computes and the fills it needs first. The
/// engine fetches a tile's fills from the shared DRAM while the previous tile computes, and the array stalls when a
/// fill has not arrived: SCALE-Sim's fill schedule with the shared memory's timing in place of its fixed-bandwidth
/// conveyor.
public struct GemmTileProgram: Sendable {
    /// Per tile: the demand lines up to its end (cumulative), and the IFMAP and filter fills needed at its start.
    public private(set) var lineEnd: [Int] = []
    public private(set) var ifmapFills: [Int] = []
    public private(set) var filterFills: [Int] = []
    /// Words one fill brings, and the words of the first (active) window, loaded before the first line.
    public let ifmapFillWords: Int, filterFillWords: Int
    public let ifmapInitialWords: Int, filterInitialWords: Int
    public var tiles: Int { lineEnd.count }
    public var totalLines: Int { lineEnd.last ?? 0 }

    public init(_ spec: GemmTileSpec, maxTiles: Int) throws {
        let pad = try GemmScratchpad(gemm: spec.shape, array: spec.array, config: spec.config)
        ifmapFillWords = pad.ifmapGeometry.fillWords
        filterFillWords = pad.filterGeometry.fillWords
        // SCALE-Sim loads the first window before it counts cycles; here it is DRAM traffic of the first tile.
        let g = spec.shape
        ifmapInitialWords = min(pad.ifmapGeometry.activeWords, g.m &* g.k)
        filterInitialWords = min(pad.filterGeometry.activeWords, g.k &* g.n)
        // A new tile starts at a fill once the current one has its share of the lines; fills in between are needed at
        // the start of the current tile (fetched a little early).
        let minimum = max(1, (pad.lines &+ maxTiles &- 1) / max(1, maxTiles))
        var lines = 0, startLines = 0, fi = 0, ff = 0
        func close() {
            lineEnd.append(lines); ifmapFills.append(fi); filterFills.append(ff)
            fi = 0; ff = 0; startLines = lines
        }
        for step in pad.steps() {
            switch step {
            case .compute(let range, _):
                lines &+= range.count
            case .fill(_, let i, let f, _):
                if lines &- startLines >= minimum { close() }
                fi &+= i; ff &+= f; lines &+= 1
            }
        }
        if lines > startLines || lineEnd.isEmpty { close() }
    }
}
