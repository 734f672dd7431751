/// How one read operand (IFMAP or filter) is demanded by a dataflow, fold by fold, in SCALE-Sim v3's demand matrices
/// (`compute/systolic_compute_{ws,os,is}.py`). Folds run column fold outer, row fold inner; fold `f` occupies demand
/// lines `f * foldLines ..< (f+1) * foldLines`.
public struct ReadDemand: Sendable, Hashable {
    public enum Shape: Sendable, Hashable {
        /// Skewed stream of block `b`: element `(h, c)` (`h < blockRows`, `c` < the block's width) at fold line
        /// `lineBase + h + c`. Within a line, columns ascend.
        case skewed(lineBase: Int)
        /// Rows `chunk*chunkRows ..< +chunkRows` of block `b`, one row per line, last row first: row `r` of the chunk
        /// at fold line `chunkRows - 1 - r` (SCALE-Sim flips the tile so the top row enters last).
        case reversedRows(chunkRows: Int)
    }
    public let layout: StackedBlocks
    public let shape: Shape
    /// Whether the fold's block is chosen by the column fold (else by the row fold); for `reversedRows` the other
    /// fold index picks the row chunk.
    public let blockByColumnFold: Bool
    public let rowFolds: Int, colFolds: Int
    public let foldLines: Int

    @inline(__always) func block(ofFold f: Int) -> (block: Int, other: Int) {
        let fc = f / rowFolds, fr = f &- fc &* rowFolds
        return blockByColumnFold ? (fc, fr) : (fr, fc)
    }
}

/// A demand line that needs `fills` new prefetches before it can be served.
public struct FillEvent: Sendable, Hashable {
    public var line: Int
    public var fills: Int
}

/// The fills one read buffer performs, in demand-line order: a time-independent schedule derived fold by fold from
/// the demand order and the prefetch window (`PrefetchWindow`), never element by element. Within a skewed fold the
/// demanded sets only increase, so the next miss is the first line whose last set reaches the window's threshold
/// (binary search); in a reversed-rows fold each row is increasing and rows decrease, so runs of rows that sit inside
/// the window are skipped by binary search and only rows that miss are evaluated.
public struct FillSchedule: Sendable {
    public let demand: ReadDemand
    public let geometry: ReadBufferGeometry
    public private(set) var window: PrefetchWindow
    private var fold = 0
    private let folds: Int
    private var pending: [FillEvent] = []
    private var pendingIndex = 0

    public init(demand: ReadDemand, geometry: ReadBufferGeometry) {
        self.demand = demand; self.geometry = geometry
        window = PrefetchWindow(geometry)
        folds = demand.rowFolds &* demand.colFolds
        pending.reserveCapacity(64)
    }

    /// The next line that needs fills, or nil when the operand is done.
    public mutating func next() -> FillEvent? {
        while pendingIndex == pending.count {
            if fold == folds || geometry.holdsOperand { return nil }
            pending.removeAll(keepingCapacity: true); pendingIndex = 0
            scheduleFold(fold)
            fold &+= 1
        }
        defer { pendingIndex &+= 1 }
        return pending[pendingIndex]
    }

    @inline(__always) private mutating func emit(_ line: Int, _ fills: Int) {
        guard fills > 0 else { return }
        if let last = pending.last, last.line == line, pending.count > pendingIndex {
            pending[pending.count &- 1].fills &+= fills
        } else {
            pending.append(FillEvent(line: line, fills: fills))
        }
    }

    private mutating func scheduleFold(_ f: Int) {
        let (b, other) = demand.block(ofFold: f)
        let start = f &* demand.foldLines
        switch demand.shape {
        case .skewed(let base): skewedFold(block: b, firstLine: start &+ base)
        case .reversedRows(let chunkRows): reversedFold(block: b, chunk: other, chunkRows: chunkRows, firstLine: start)
        }
    }

    /// Fills `k` past threshold `t` for a run that increases to `set`.
    @inline(__always) private func fillsPast(_ set: Int, threshold t: Int) -> Int {
        (set &- t &+ window.fillSets) / window.fillSets
    }

    private mutating func skewedFold(block b: Int, firstLine: Int) {
        let l = demand.layout, e = geometry.setWords
        let h = l.blockRows, w = l.width(ofBlock: b), row0 = b &* h
        let lastLine = h &- 1 &+ w &- 1
        // The last set a fold line demands: its highest column.
        @inline(__always) func lastSet(_ x: Int) -> Int {
            let c = min(w &- 1, x)
            return l.rank(row: row0 &+ x &- c, col: c) / e
        }
        let first = l.rank(row: row0, col: 0) / e
        emit(firstLine, window.cover(first))  // line 0 holds only (0, 0); a demand behind the window wraps
        var t = window.threshold(after: first)
        var x = 1
        while x <= lastLine && lastSet(lastLine) >= t {
            var lo = x, hi = lastLine  // first line whose last set reaches t
            while lo < hi {
                let mid = (lo &+ hi) / 2
                if lastSet(mid) >= t { hi = mid } else { lo = mid &+ 1 }
            }
            let k = fillsPast(lastSet(lo), threshold: t)
            window.advance(k)
            t &+= k &* window.fillSets
            emit(firstLine &+ lo, k)
            x = lo &+ 1
        }
    }

    private mutating func reversedFold(block b: Int, chunk q: Int, chunkRows: Int, firstLine: Int) {
        let l = demand.layout, e = geometry.setWords
        let w = l.width(ofBlock: b)
        let row0 = b &* l.blockRows &+ q &* chunkRows
        let rows = min(chunkRows, l.blockRows &- q &* chunkRows)
        @inline(__always) func firstSet(_ r: Int) -> Int { l.rank(row: row0 &+ r, col: 0) / e }
        @inline(__always) func lastSet(_ r: Int) -> Int { l.rank(row: row0 &+ r, col: w &- 1) / e }
        var r = rows &- 1
        while r >= 0 {
            // Row r explicitly: its first set (may wrap the window a whole lap), then up to its last set.
            let lo = firstSet(r), hi = lastSet(r)
            var k = window.cover(lo)
            let t = window.threshold(after: lo)
            if hi >= t {
                let k2 = fillsPast(hi, threshold: t)
                window.advance(k2)
                k &+= k2
            }
            emit(firstLine &+ chunkRows &- 1 &- r, k)
            r &-= 1
            // Rows below hit while they lie inside the window contiguously below the next row's last set.
            guard r >= 0, window.contains(lastSet(r)) else { continue }
            let floor = window.lowestContiguous(below: lastSet(r))
            if firstSet(r) < floor { continue }
            var lo2 = 0, hi2 = r  // lowest row whose first set is >= floor
            while lo2 < hi2 {
                let mid = (lo2 &+ hi2) / 2
                if firstSet(mid) >= floor { hi2 = mid } else { lo2 = mid &+ 1 }
            }
            r = lo2 &- 1
        }
    }
}
