/// SCALE-Sim v3's OFMAP write buffer (`write_buffer.py`, `service_writes` / `empty_drain_buf`), kept as counts:
/// - every output word decrements `free`; words queue in DRAM rows of `bandwidth` words;
/// - while no drain is running (cycle >= `drainEnd`), a word that leaves `free < activeWords` closes the open row
///   (a partial row) and starts a drain of up to `rowsPerDrain` queued rows at the current cycle, ending
///   `rows - 1` cycles later (write latency 0). The drain credits `rows * bandwidth` words minus the empty slots of
///   its *last* row only: partial rows closed by earlier drains count as full (SCALE-Sim quirk, reproduced);
/// - while a drain runs, a word that leaves `free <= 0` stalls the array until `drainEnd`.
public struct DrainBuffer: Sendable {
    public let geometry: WriteBufferGeometry
    public private(set) var free: Int
    public private(set) var drainEnd = 0
    /// Drains started and words they credited.
    public private(set) var drains = 0
    public private(set) var drainedWords = 0
    private var rows: RowQueue

    public init(_ g: WriteBufferGeometry) {
        geometry = g; free = g.words; rows = RowQueue(width: g.bandwidth)
    }

    /// Stores `n` words with no drain starting and no stall (the caller knows none is due).
    @inline(__always) public mutating func store(_ n: Int) {
        free &-= n
        rows.store(n)
    }

    /// Words after which the next event happens on a line at cycle `c`, counting the triggering word: a stall while
    /// a drain runs, else the start of a drain.
    @inline(__always) public func wordsToEvent(atCycle c: Int) -> Int {
        c < drainEnd ? max(free, 1) : max(free &- geometry.activeWords &+ 1, 1)
    }

    /// Writes the `n` words of one demand line at cycle `c`; returns the line's OFMAP stall.
    public mutating func line(words n: Int, atCycle c: Int) -> Int {
        var cur = c, left = n
        while left > 0 {
            let need = wordsToEvent(atCycle: cur)
            if need > left { store(left); break }
            store(need); left &-= need
            if cur < drainEnd {
                cur = drainEnd
            } else {
                startDrain(atCycle: cur)
            }
        }
        return cur &- c
    }

    private mutating func startDrain(atCycle c: Int) {
        rows.closeOpenRow()
        let (count, lastValid) = rows.take(geometry.rowsPerDrain)
        let credit = count &* geometry.bandwidth &- (geometry.bandwidth &- lastValid)
        free &+= credit
        drainedWords &+= credit
        drains &+= 1
        drainEnd = c &+ count &- 1
    }
}

/// The write buffer's DRAM rows as run-length groups `(count, valid words per row)`: full rows merge, a partial row
/// appears only where a drain closed the open row.
struct RowQueue: Sendable {
    let width: Int
    private var counts: [Int] = []
    private var valids: [Int] = []
    private var head = 0
    private var open = 0

    init(width: Int) { self.width = width }

    @inline(__always) mutating func store(_ n: Int) {
        var n = n
        if open > 0 {
            let t = min(n, width &- open)
            open &+= t; n &-= t
            if open == width { push(1, width); open = 0 }
        }
        if n > 0 {
            let full = n / width
            if full > 0 { push(full, width) }
            open = n &- full &* width
        }
    }

    mutating func closeOpenRow() {
        if open > 0 { push(1, open); open = 0 }
    }

    @inline(__always) private mutating func push(_ count: Int, _ valid: Int) {
        if valid == width, counts.count > head, valids[valids.count &- 1] == width {
            counts[counts.count &- 1] &+= count
        } else {
            counts.append(count); valids.append(valid)
        }
    }

    /// Takes up to `n` rows from the front: how many, and the valid words of the last one.
    mutating func take(_ n: Int) -> (count: Int, lastValid: Int) {
        var need = n, taken = 0, last = width
        while need > 0 && head < counts.count {
            let t = min(need, counts[head])
            taken &+= t; need &-= t; last = valids[head]
            counts[head] &-= t
            if counts[head] == 0 { head &+= 1 }
        }
        if head > 32 && head &* 2 > counts.count {
            counts.removeFirst(head); valids.removeFirst(head); head = 0
        }
        return (taken, last)
    }
}
