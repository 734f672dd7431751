import HWModel

@testable import LRSim

/// A literal, element-by-element transcription of SCALE-Sim v3.0.0's memory simulation for one GEMM, for checking the
/// fast model (`ScaleSimMemoryTimer`) on many random small cases. It builds SCALE-Sim's prefetch and demand matrices
/// the way `systolic_compute_{ws,os,is}.py` do (stack, pad with -1, flip, skew, diagonal roll), numbers the prefetch
/// order into sets of `ceil(words/100)` elements (`read_buffer.prepare_hashed_buffer`), and replays
/// `double_buffered_scratchpad.service_memory_requests` line by line with the read buffers' active window and
/// `new_prefetch` timing and the write buffer's per-element drain logic. O(lines x array width): small cases only.
struct ScratchpadReplay {
    typealias Matrix = [[Int]]

    static func block(_ m: Matrix, rows: Range<Int>, cols: Range<Int>, padRows: Int, padCols: Int) -> Matrix {
        var out = rows.map { r in cols.map { m[r][$0] } + Array(repeating: -1, count: padCols - cols.count) }
        out += Array(repeating: Array(repeating: -1, count: padCols), count: padRows - rows.count)
        return out
    }
    static func transpose(_ m: Matrix) -> Matrix {
        guard let w = m.first?.count else { return [] }
        return (0..<w).map { c in m.map { $0[c] } }
    }
    static func empty(_ rows: Int, _ cols: Int) -> Matrix {
        Array(repeating: Array(repeating: -1, count: cols), count: rows)
    }
    static func skew(_ m: Matrix) -> Matrix {
        let rows = m.count, cols = m[0].count
        var out = empty(rows + cols - 1, cols)
        for c in 0..<cols { for r in 0..<rows { out[c + r][c] = m[r][c] } }
        return out
    }
    static func diagonal(_ m: Matrix) -> [Int] {
        let rows = m.count, cols = m[0].count
        var out: [Int] = []
        for d in 0..<(rows + cols) {
            let hi = min(d, rows - 1), lo = max(0, d - cols + 1)
            if hi < lo { continue }
            for r in stride(from: hi, through: lo, by: -1) { out.append(m[r][d - r]) }
        }
        return out
    }

    let ifmapPrefetch: [Int], filterPrefetch: [Int]
    /// The stacked prefetch matrices before SCALE-Sim flattens (row-major) or rolls (diagonal) them.
    let ifmapStack: Matrix, filterStack: Matrix
    let ifmapDemand: Matrix, filterDemand: Matrix, ofmapDemand: Matrix

    init(gemm g: GemmShape, array: SystolicArray) {
        let (M, N, K, R, C) = (g.m, g.n, g.k, array.rows, array.cols)
        let ifmap = (0..<M).map { m in (0..<K).map { m * K + $0 } }
        let filter = (0..<K).map { k in (0..<N).map { 1_000_000_000 + k * N + $0 } }
        let ofmap = (0..<M).map { m in (0..<N).map { 2_000_000_000 + m * N + $0 } }
        func chunks(_ n: Int, _ f: Int) -> [Range<Int>] { stride(from: 0, to: n, by: f).map { $0..<min($0 + f, n) } }
        var ip: Matrix = [], fp: Matrix = [], id: Matrix = [], fd: Matrix = [], od: Matrix = []
        switch array.dataflow {
        case .ws:
            for b in chunks(K, R) { ip += Self.block(ifmap, rows: 0..<M, cols: b, padRows: M, padCols: R) }
            for b in chunks(N, C) { fp += Self.block(filter, rows: 0..<K, cols: b, padRows: K, padCols: C) }
            for fc in chunks(N, C) {
                for fr in chunks(K, R) {
                    id += Self.skew(
                        Self.empty(R, R) + Self.block(ifmap, rows: 0..<M, cols: fr, padRows: M, padCols: R)
                            + Self.empty(C - 1, R))
                    fd +=
                        Array(Self.block(filter, rows: fr, cols: fc, padRows: R, padCols: C).reversed())
                        + Self.empty(R + C + M - 2, C)
                    od += Self.skew(
                        Self.empty(2 * R - 1, C) + Self.block(ofmap, rows: 0..<M, cols: fc, padRows: M, padCols: C))
                }
            }
            ifmapPrefetch = Self.diagonal(ip); filterPrefetch = fp.flatMap { $0 }
        case .os:
            let it = Self.transpose(ifmap)
            for b in chunks(M, R) { ip += Self.block(it, rows: 0..<K, cols: b, padRows: K, padCols: R) }
            for b in chunks(N, C) { fp += Self.block(filter, rows: 0..<K, cols: b, padRows: K, padCols: C) }
            for fc in chunks(N, C) {
                for fr in chunks(M, R) {
                    id += Self.skew(
                        Self.block(it, rows: 0..<K, cols: fr, padRows: K, padCols: R) + Self.empty(C - 1, R))
                    fd += Self.skew(
                        Self.block(filter, rows: 0..<K, cols: fc, padRows: K, padCols: C) + Self.empty(R - 1, C))
                    od += Self.skew(
                        Self.empty(K - 1, C)
                            + Array(Self.block(ofmap, rows: fr, cols: fc, padRows: R, padCols: C).reversed()))
                }
            }
            ifmapPrefetch = Self.diagonal(ip); filterPrefetch = Self.diagonal(fp)
        case .is:
            let it = Self.transpose(ifmap), ot = Self.transpose(ofmap)
            for b in chunks(M, C) { ip += Self.block(it, rows: 0..<K, cols: b, padRows: K, padCols: C) }
            for b in chunks(K, R) {
                fp += Self.transpose(Self.block(filter, rows: b, cols: 0..<N, padRows: R, padCols: N))
            }
            for fc in chunks(M, C) {
                for fr in chunks(K, R) {
                    id +=
                        Array(Self.block(it, rows: fr, cols: fc, padRows: R, padCols: C).reversed())
                        + Self.empty(R + C + N - 2, C)
                    fd += Self.skew(
                        Self.empty(R, R)
                            + Self.transpose(Self.block(filter, rows: fr, cols: 0..<N, padRows: R, padCols: N))
                            + Self.empty(C - 1, R))
                    od += Self.skew(
                        Self.empty(2 * R - 1, C) + Self.block(ot, rows: 0..<N, cols: fc, padRows: N, padCols: C))
                }
            }
            ifmapPrefetch = ip.flatMap { $0 }; filterPrefetch = Self.diagonal(fp)
        }
        ifmapDemand = id; filterDemand = fd; ofmapDemand = od; ifmapStack = ip; filterStack = fp
    }

    /// `read_buffer`: hashed sets, active window limits, `new_prefetch` timing, `service_reads`' offset loop.
    struct ReadBuffer {
        var setOf: [Int: Int] = [:]
        let lines: Int, activeLines: Int, prefetchLines: Int, fillRequests: Int
        var start = 0, end = 0
        var lastPrefetch = -1
        var fills = 0

        init(prefetch: [Int], words: Int, bandwidth: Int) {
            let e = (words + 99) / 100
            var n = 0
            for a in prefetch where a != -1 { setOf[a] = n / e; n += 1 }
            lines = n / e + 1
            let active = (words + 1) / 2, fill = words - active
            activeLines = min((active + e - 1) / e, lines)
            prefetchLines = min((fill + e - 1) / e, lines - activeLines)
            fillRequests = (fill + bandwidth - 1) / bandwidth
            end = activeLines
        }
        func hit(_ set: Int) -> Bool { start < end ? (start..<end).contains(set) : (set >= start || set < end) }
        mutating func serve(_ line: [Int], cycle: Int) -> Int {
            var offset = 1
            for a in line where a != -1 {
                let s = setOf[a]!
                while !hit(s) {
                    start = (start + prefetchLines) % lines
                    end = (start + activeLines) % lines
                    lastPrefetch = lastPrefetch + fillRequests + 1
                    fills += 1
                    let p = lastPrefetch - (cycle + offset)
                    offset += p
                    if p > 0 { offset += p }
                }
            }
            return offset - 1
        }
    }

    /// `write_buffer.service_writes` / `empty_drain_buf`, with the trace as a list of rows' valid counts.
    struct WriteBuffer {
        let total: Int, active: Int, drainSize: Int, width: Int
        var free: Int, drainEnd = 0
        var rows: [Int] = [], open = 0, drained = 0
        init(words: Int, bandwidth: Int) {
            total = words; active = (words + 1) / 2; drainSize = words - active; width = bandwidth; free = words
        }
        mutating func serve(count: Int, cycle: Int) -> Int {
            var cur = cycle
            for _ in 0..<count {
                free -= 1; open += 1
                if open == width { rows.append(width); open = 0 }
                if cur < drainEnd {
                    if !(free > 0) { cur = drainEnd }
                } else if free < active {
                    if open > 0 { rows.append(open); open = 0 }
                    let end = min(drained + (drainSize + width - 1) / width, rows.count)
                    let n = end - drained
                    free += n * width - (width - rows[end - 1])
                    drained = end
                    drainEnd = cur + n - 1
                }
            }
            return cur - cycle
        }
    }

    /// New prefetches ("fills") each read buffer performs on each demand line (independent of time).
    func fillsPerLine(_ c: ScratchpadConfig) -> (ifmap: [Int], filter: [Int]) {
        var ib = ReadBuffer(prefetch: ifmapPrefetch, words: c.ifmapWords, bandwidth: c.ifmapBandwidth)
        var fb = ReadBuffer(prefetch: filterPrefetch, words: c.filterWords, bandwidth: c.filterBandwidth)
        var fi: [Int] = [], ff: [Int] = []
        for i in 0..<ofmapDemand.count {
            let a = ib.fills, b = fb.fills
            _ = ib.serve(ifmapDemand[i], cycle: i); _ = fb.serve(filterDemand[i], cycle: i)
            fi.append(ib.fills - a); ff.append(fb.fills - b)
        }
        return (fi, ff)
    }

    func run(_ c: ScratchpadConfig) -> (cycles: Int, stalls: Int) {
        var ib = ReadBuffer(prefetch: ifmapPrefetch, words: c.ifmapWords, bandwidth: c.ifmapBandwidth)
        var fb = ReadBuffer(prefetch: filterPrefetch, words: c.filterWords, bandwidth: c.filterBandwidth)
        var ob = WriteBuffer(words: c.ofmapWords, bandwidth: c.ofmapBandwidth)
        var stalls = 0
        for i in 0..<ofmapDemand.count {
            let cycle = i + stalls
            let a = ib.serve(ifmapDemand[i], cycle: cycle), b = fb.serve(filterDemand[i], cycle: cycle)
            let o = ob.serve(count: ofmapDemand[i].filter { $0 != -1 }.count, cycle: cycle)
            stalls += max(a, b, o)
        }
        return (ofmapDemand.count - 1 + stalls, stalls)
    }
}
