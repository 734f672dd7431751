/// One step of a GEMM's memory-side schedule, in demand-line order. Steps tile the demand lines `0 ..< lines`.
public enum ScratchpadStep: Sendable, Hashable {
    /// Demand lines `lines` need no fill: the array computes them (one cycle each unless the OFMAP buffer makes it
    /// wait) and writes `ofmapWords` output words.
    case compute(lines: Range<Int>, ofmapWords: Int)
    /// Demand line `line` first needs `ifmapFills` IFMAP and `filterFills` filter fills (each of its buffer's
    /// `ReadBufferGeometry.fillWords` words, the next in the buffer's fill sequence), then computes for one cycle and
    /// writes `ofmapWords` output words.
    case fill(line: Int, ifmapFills: Int, filterFills: Int, ofmapWords: Int)
}

/// The step sequence of a `GemmScratchpad`: the IFMAP and filter `FillSchedule`s merged with the OFMAP words per line.
/// Time-independent: a timer decides when each fill completes (SCALE-Sim's `FillClock`, or a shared DRAM's grants)
/// and when the OFMAP buffer drains (`DrainBuffer`), and from that when compute stalls.
public struct ScratchpadSteps: Sequence, IteratorProtocol {
    private var ifmap: FillSchedule, filter: FillSchedule
    private var nextIfmap: FillEvent?, nextFilter: FillEvent?
    private let output: OutputDemand
    private var line = 0

    public init(_ pad: GemmScratchpad) {
        ifmap = pad.ifmapFills(); filter = pad.filterFills(); output = pad.output
        nextIfmap = ifmap.next(); nextFilter = filter.next()
    }

    public mutating func next() -> ScratchpadStep? {
        guard line < output.lines else { return nil }
        let fillLine = Swift.min(nextIfmap?.line ?? Int.max, nextFilter?.line ?? Int.max)
        if fillLine > line {
            let end = Swift.min(fillLine, output.lines)
            defer { line = end }
            return .compute(lines: line..<end, ofmapWords: output.before(line: end) &- output.before(line: line))
        }
        var fi = 0, ff = 0
        if let e = nextIfmap, e.line == line { fi = e.fills; nextIfmap = ifmap.next() }
        if let e = nextFilter, e.line == line { ff = e.fills; nextFilter = filter.next() }
        defer { line &+= 1 }
        return .fill(line: line, ifmapFills: fi, filterFills: ff, ofmapWords: output.words(onLine: line))
    }
}

extension GemmScratchpad {
    /// The memory-side steps of this GEMM (fills needed per demand line, compute runs, OFMAP words).
    public func steps() -> ScratchpadSteps { ScratchpadSteps(self) }
}
