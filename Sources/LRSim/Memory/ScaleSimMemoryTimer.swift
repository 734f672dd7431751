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

/// Runs a `GemmScratchpad`'s steps with SCALE-Sim's fixed per-buffer interfaces (`double_buffered_scratchpad_mem.py`,
/// `service_memory_requests`). Line `i` is served at cycle `i + S` (S = stalls so far); the IFMAP and filter buffers
/// perform that line's fills (`FillClock`), the OFMAP buffer writes its words (`DrainBuffer`), and
/// `S += max(ifmap stall, filter stall, ofmap stall)`. Inside a compute run only the lines where a drain starts, a
/// drain stalls the array or a drain ends are visited; the lines between are stored in bulk, so the cost is
/// O(folds + fills + drains), not O(cycles).
public enum ScaleSimMemoryTimer {
    public static func run(_ pad: GemmScratchpad) -> ScratchpadTiming {
        var ifmapClock = FillClock(fillCycles: pad.ifmapGeometry.fillCycles)
        var filterClock = FillClock(fillCycles: pad.filterGeometry.fillCycles)
        var drain = DrainBuffer(pad.ofmapGeometry)
        let out = pad.output
        var stall = 0, stalled = 0
        for step in pad.steps() {
            switch step {
            case .compute(let lines, _):
                var line = lines.lowerBound
                while line < lines.upperBound {
                    let c = line &+ stall, written = out.before(line: line)
                    // The OFMAP's next event: a drain start or stall (the word that triggers it), or a drain's end.
                    var event = out.line(ofWord: written &+ drain.wordsToEvent(atCycle: c) &- 1)
                    if c < drain.drainEnd { event = min(event, drain.drainEnd &- stall) }
                    if event >= lines.upperBound {
                        drain.store(out.before(line: lines.upperBound) &- written)
                        break
                    }
                    drain.store(out.before(line: event) &- written)
                    let s = drain.line(words: out.words(onLine: event), atCycle: event &+ stall)
                    if s > 0 { stall &+= s; stalled &+= 1 }
                    line = event &+ 1
                }
            case .fill(let line, let ifmapFills, let filterFills, let words):
                let c = line &+ stall
                var s = 0
                if ifmapFills > 0 { s = max(s, ifmapClock.stall(fills: ifmapFills, atCycle: c)) }
                if filterFills > 0 { s = max(s, filterClock.stall(fills: filterFills, atCycle: c)) }
                s = max(s, drain.line(words: words, atCycle: c))
                if s > 0 { stall &+= s; stalled &+= 1 }
            }
        }
        return ScratchpadTiming(
            computeCycles: pad.lines &- 1, stallCycles: stall, cycles: pad.lines &- 1 &+ stall,
            ifmapFills: ifmapClock.fills, filterFills: filterClock.fills,
            ofmapDrains: drain.drains, stalledLines: stalled)
    }
}
