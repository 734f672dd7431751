/// The cycles of one GEMM with SCALE-Sim v3's memory model: its "Total Cycles" (`cycles`) and "Stall Cycles"
/// (`stallCycles`); `computeCycles = cycles - stallCycles` is the stall-free count `lines - 1`.
public struct ScratchpadTiming: Sendable, Hashable, Codable {
    public var computeCycles: Int
    public var stallCycles: Int
    public var cycles: Int
    /// Fills (new prefetches) of the IFMAP and filter buffers, drains of the OFMAP buffer.
    public var ifmapFills: Int
    public var filterFills: Int
    public var ofmapDrains: Int
    /// Demand lines on which the array stalled.
    public var stalledLines: Int

    enum CodingKeys: String, CodingKey {
        case computeCycles = "compute_cycles", stallCycles = "stall_cycles", cycles
        case ifmapFills = "ifmap_fills", filterFills = "filter_fills", ofmapDrains = "ofmap_drains"
        case stalledLines = "stalled_lines"
    }
}

/// Runs a `GemmScratchpad` with SCALE-Sim's fixed per-buffer interfaces (`double_buffered_scratchpad_mem.py`,
/// `service_memory_requests`). Line `i` is served at cycle `i + S` (S = stalls so far); the IFMAP and filter buffers
/// perform that line's fills (`FillClock`), the OFMAP buffer writes its words (`DrainBuffer`), and
/// `S += max(ifmap stall, filter stall, ofmap stall)`. Only lines with a fill, a drain event or a drain's end are
/// visited; the lines between are stored in bulk, so the cost is O(folds + fills + drains), not O(cycles).
public enum ScaleSimMemoryTimer {
    public static func run(_ pad: GemmScratchpad) -> ScratchpadTiming {
        var ifmap = pad.ifmapFills(), filter = pad.filterFills()
        var ifmapClock = FillClock(fillCycles: pad.ifmapGeometry.fillCycles)
        var filterClock = FillClock(fillCycles: pad.filterGeometry.fillCycles)
        var drain = DrainBuffer(pad.ofmapGeometry)
        let out = pad.output, lines = pad.lines
        var nextIfmap = ifmap.next(), nextFilter = filter.next()
        var stall = 0, line = 0, stalled = 0
        while line < lines {
            // The OFMAP's next event from `line` on, with the current stall offset.
            var event = Int.max
            let c = line &+ stall
            let written = out.before(line: line)
            if c < drain.drainEnd {
                event = min(drain.drainEnd &- stall, out.line(ofWord: written &+ max(drain.free, 1) &- 1))
            } else {
                event = out.line(ofWord: written &+ drain.wordsToEvent(atCycle: c) &- 1)
            }
            if let e = nextIfmap { event = min(event, e.line) }
            if let e = nextFilter { event = min(event, e.line) }
            if event >= lines { break }
            drain.store(out.before(line: event) &- written)
            let cycle = event &+ stall
            var s = 0
            if let e = nextIfmap, e.line == event {
                s = max(s, ifmapClock.stall(fills: e.fills, atCycle: cycle)); nextIfmap = ifmap.next()
            }
            if let e = nextFilter, e.line == event {
                s = max(s, filterClock.stall(fills: e.fills, atCycle: cycle)); nextFilter = filter.next()
            }
            s = max(s, drain.line(words: out.words(onLine: event), atCycle: cycle))
            if s > 0 { stall &+= s; stalled &+= 1 }
            line = event &+ 1
        }
        return ScratchpadTiming(computeCycles: lines &- 1, stallCycles: stall, cycles: lines &- 1 &+ stall,
                                ifmapFills: ifmapClock.fills, filterFills: filterClock.fills,
                                ofmapDrains: drain.drains, stalledLines: stalled)
    }
}
