import HWModel

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

    public init(
        shape: GemmShape, array: SystolicArray, config: ScratchpadConfig, ifmapBuffer: BufferID?,
        filterBuffer: BufferID?, ifmapWordBytes: Int, filterWordBytes: Int
    ) {
        self.shape = shape; self.array = array; self.config = config; self.ifmapBuffer = ifmapBuffer
        self.filterBuffer = filterBuffer; self.ifmapWordBytes = ifmapWordBytes; self.filterWordBytes = filterWordBytes
    }
}

/// The tiles of a GEMM whose operands stream from DRAM through double-buffered scratchpads: each buffer of S words
/// holds an active half the array reads while the other half is filled (a fill = S/2 words); a tile starts where its
/// fills are first needed, the engine fetches them from the shared DRAM while the previous tile computes, and the
/// array stalls when a fill has not arrived.
///
/// Demand order (the physical mode the simulator uses): each operand is read in the dataflow's loop order, as many
/// times as the loop nest re-reads it (ws: A once per column fold, B once; os: A once per column fold, B once per row
/// fold; is: A once, B once per column fold); an operand that fits in the active half is fetched once and re-read on
/// chip. SCALE-Sim's own demand order (`lrsim gemm --memory`, `GemmScratchpad`) reads some operands in reversed row
/// chunks through a circular window and re-streams whole operands where a chunk straddles the window: exact for
/// comparing with SCALE-Sim, but up to hundreds of times the traffic a real controller moves (a 4096x256 ws filter
/// through a 64 KiB buffer: 11,192 fills of 32 KiB for 1 MiB of weights), so the simulator does not use it.
public struct GemmTileProgram: Sendable {
    /// Per tile: the demand lines up to its end (cumulative), and the IFMAP and filter fills needed at its start.
    public private(set) var lineEnd: [Int] = []
    public private(set) var ifmapFills: [Int] = []
    public private(set) var filterFills: [Int] = []
    /// Words one fill brings, and the words loaded before the first line (the first active half, or the operand).
    public let ifmapFillWords: Int, filterFillWords: Int
    public let ifmapInitialWords: Int, filterInitialWords: Int
    public var tiles: Int { lineEnd.count }
    public var totalLines: Int { lineEnd.last ?? 0 }

    /// One operand's streaming: words before the first line, fill size, and at which demand line each fill is needed.
    struct Stream {
        var initial: Int, fillWords: Int, fills: Int, lines: Int, total: Int
        /// The line by which fill `j` (0-based) must be in: when consumption reaches the words it brings.
        func line(ofFill j: Int) -> Int {
            let needed = initial &+ j &* fillWords  // words consumed when the fill's first word is needed
            return min(lines &- 1, mulDiv(needed, lines, max(1, total)))
        }

        init(operandWords v: Int, passes: Int, bufferWords s: Int, lines: Int) {
            let half = max(1, s / 2)
            self.lines = lines
            if v <= half {
                initial = v; fillWords = half; fills = 0; total = v
            } else {
                total = v &* passes
                initial = half; fillWords = half
                fills = (total &- half &+ half &- 1) / half
            }
        }
    }

    public init(_ spec: GemmTileSpec, maxTiles: Int) throws {
        try spec.config.validate()
        let g = spec.shape, a = spec.array
        guard !g.isEmpty else { throw ScratchpadError.invalidConfig("empty GEMM \(g.m)x\(g.n)x\(g.k)") }
        let t = a.timing(g, convention: .scalesimRTL)
        let lines = t.cycles
        let rowFolds = (t.spatialRows &+ a.rows &- 1) / a.rows, colFolds = (t.spatialCols &+ a.cols &- 1) / a.cols
        let (passesA, passesB): (Int, Int)
        switch a.dataflow {
        case .ws: (passesA, passesB) = (colFolds, 1)
        case .os: (passesA, passesB) = (colFolds, rowFolds)
        case .is: (passesA, passesB) = (1, colFolds)
        }
        let A = Stream(operandWords: g.m &* g.k, passes: passesA, bufferWords: spec.config.ifmapWords, lines: lines)
        let B = Stream(operandWords: g.k &* g.n, passes: passesB, bufferWords: spec.config.filterWords, lines: lines)
        ifmapFillWords = A.fillWords; filterFillWords = B.fillWords
        ifmapInitialWords = A.initial; filterInitialWords = B.initial
        // A tile starts at the line a fill is first needed; fills due less than `minimum` lines after the current
        // tile's start join it (fetched a little early), so there are at most `maxTiles` tiles.
        let minimum = max(1, (lines &+ maxTiles &- 1) / max(1, maxTiles))
        var starts = [0]
        ifmapFills = [0]; filterFills = [0]
        var ja = 0, jb = 0
        while ja < A.fills || jb < B.fills {
            let la = ja < A.fills ? A.line(ofFill: ja) : Int.max, lb = jb < B.fills ? B.line(ofFill: jb) : Int.max
            let line = min(la, lb)
            if line &- starts[starts.count &- 1] >= minimum {
                starts.append(line); ifmapFills.append(0); filterFills.append(0)
            }
            if la == line {
                ifmapFills[ifmapFills.count &- 1] &+= 1; ja &+= 1
            } else {
                filterFills[filterFills.count &- 1] &+= 1; jb &+= 1
            }
        }
        lineEnd = Array(starts.dropFirst()) + [lines]
    }
}
