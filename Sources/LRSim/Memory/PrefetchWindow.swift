/// The active half of a SCALE-Sim read buffer: `activeSets` consecutive sets of the operand's circular set sequence,
/// starting at `start`. A demanded element hits when its set is inside; otherwise the buffer performs fills ("new
/// prefetches"), each sliding the window forward by `fillSets`, until it is inside. The window only moves on demand,
/// so where fills happen depends on the demand order alone, never on time.
public struct PrefetchWindow: Sendable, Hashable {
    public let sets: Int
    public let activeSets: Int
    public let fillSets: Int
    /// First set of the active window (0 ..< sets).
    public private(set) var start = 0

    public init(_ g: ReadBufferGeometry) { sets = g.sets; activeSets = g.activeSets; fillSets = g.fillSets }

    /// Distance of `set` past the window start, circularly.
    @inline(__always) func offset(_ set: Int) -> Int {
        let d = set &- start
        return d >= 0 ? d : d &+ sets
    }

    @inline(__always) public func contains(_ set: Int) -> Bool { offset(set) < activeSets }

    /// Fills needed to bring `set` into the window (0 on a hit), applied: `ceil((d - activeSets + 1) / fillSets)` for
    /// a set `d` past the start. An element just behind the window costs almost a whole lap (SCALE-Sim re-streams
    /// the operand circularly).
    @inline(__always) public mutating func cover(_ set: Int) -> Int {
        let d = offset(set)
        if d < activeSets { return 0 }
        let k = (d &- activeSets &+ fillSets) / fillSets
        advance(k)
        return k
    }

    @inline(__always) mutating func advance(_ fills: Int) {
        start = (start &+ fills &* fillSets) % sets  // fills * fillSets <= 2 * sets (see cover)
    }

    /// For a run of sets that only increases from `set` (which must be inside): the first set that misses,
    /// `set + (activeSets - offset)`. May be `>= sets` (the rest of the run hits).
    @inline(__always) public func threshold(after set: Int) -> Int { set &+ (activeSets &- offset(set)) }

    /// The lowest set `v <= set` such that every set in `v ... set` is inside (for a run that decreases from `set`,
    /// which must be inside): the window start, or 0 when `set` sits in the part that wrapped past the last set.
    @inline(__always) public func lowestContiguous(below set: Int) -> Int { set >= start ? start : 0 }
}

/// SCALE-Sim's timing of read-buffer fills and of the stall they cause (`read_buffer.py`, `service_reads`,
/// `new_prefetch`, `prefetch_active_buffer`):
/// - the initial fill of the active half is free (requested before cycle 0; it completes at cycle -1);
/// - fill `k` (1, 2, ...) is requested right after fill `k-1` completes, whatever the demand, and completes at
///   `L_k = -1 + k * fillCycles`: the interface behaves as a conveyor that never idles;
/// - a demand line at cycle `c` starts from `x = c + 1` (hit latency) and every fill it waits for maps
///   `x -> L + max(0, L - x)`: a fill that completes after `x` costs twice the wait (SCALE-Sim adds `L - x` to its
///   offset twice), one that completed earlier moves `x` back to `L` (a negative "stall" that the array ignores
///   because the line's stall is the max with the other buffers', and the OFMAP's is never negative);
/// - the line's stall is `x - c - 1`.
public struct FillClock: Sendable, Hashable {
    public let fillCycles: Int
    /// Fills performed so far.
    public private(set) var fills = 0
    public init(fillCycles: Int) { self.fillCycles = fillCycles }

    /// Performs `m >= 1` fills for a demand line at cycle `c` and returns that buffer's stall for the line.
    /// Closed form of the `m`-step map: with `a = max(0, L_1 - c - 1)` the excess `x - L_j` is `a`, then alternates
    /// between `max(0, fillCycles - a)` and `min(a, fillCycles)` on the following steps.
    @inline(__always) public mutating func stall(fills m: Int, atCycle c: Int) -> Int {
        let first = fills &+ 1
        fills &+= m
        let lFirst = first &* fillCycles &- 1
        let lLast = fills &* fillCycles &- 1
        let a = max(0, lFirst &- c &- 1)
        let excess: Int
        if m == 1 {
            excess = a
        } else if m & 1 == 0 {
            excess = max(0, fillCycles &- a)
        } else {
            excess = min(a, fillCycles)
        }
        return lLast &+ excess &- c &- 1
    }
}
