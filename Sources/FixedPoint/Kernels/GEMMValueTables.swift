import CIntKernels
import LRCore

extension FixedMAC {
    /// GEMM for an operand of at most 8 bits (at most 256 distinct values: 8-bit inputs, pixels, relu outputs) when
    /// products round: for each K index t, the rounded products of the other operand's column t with every value
    /// present in the narrow operand's row t are tabulated once; every output then adds table rows instead of
    /// multiplying and rounding. Same products (`FastDotPlan`'s rounding and clip), same int32 sums modulo 2^32 as
    /// the SIMD kernels, so the result is identical; zero operands are skipped (every rounding maps 0 to 0).
    /// For the MLP's first layer (784 pixel columns of 17 values, half of them 0) this replaces 25.7 M rounded
    /// products per GEMM by about 2 M table entries and additions. Returns false when it does not apply.
    @inlinable
    func gemmViaValueTables<SA: FixedWidthInteger, SB: FixedWidthInteger, SC: FixedWidthInteger>(
        _ plan: FastDotPlan, _ pa: UnsafePointer<SA>, _ la: MatrixLayout, _ pb: UnsafePointer<SB>, _ lb: MatrixLayout,
        _ pc: UnsafeMutablePointer<SC>, m: Int, n: Int, k: Int, preload: [Int128], stochastic: StochasticStream
    ) -> Bool {
        let narrowA = a.width <= 8, narrowB = b.width <= 8
        guard k > 0, narrowA || narrowB, plan.sumFits32(terms: k) else { return false }
        // The narrow operand indexes the tables; the table rows run along the other operand's outer dimension.
        let useB = narrowB && (!narrowA || m >= n)
        let rows = useB ? m : n, cols = useB ? n : m
        // Table rows shorter than 32 outputs (two AVX-512 vectors of sums) lose to the kernel whatever the counts.
        guard rows >= 32, cols >= 32 else { return false }
        // Exact int16 products are one vpdpwssd per 32: the SIMD kernel is faster than any table.
        let kernel = IntDotKernel(mac: self, plan: plan)
        if let kernel, !kernel.wide, kernel.rounding.kind == Int32(LRSIM_ROUND_EXACT) { return false }
        for j in 0..<n where plan.sumNeeds128(terms: k, start: preload[j]) == nil { return false }
        let q = useB ? b : a
        let values = 1 << q.width
        // P^T (k x rows): the wide operand by K index; Q (k x cols): the narrow operand's raw values.
        let pt = UnsafeMutablePointer<Int64>.allocate(capacity: k &* rows)
        let qv = UnsafeMutablePointer<Int64>.allocate(capacity: k &* cols)
        let s = UnsafeMutablePointer<Int32>.allocate(capacity: cols &* rows)
        let sums = UnsafeMutablePointer<Int32>.allocate(capacity: m &* n)
        defer { pt.deallocate(); qv.deallocate(); s.deallocate(); sums.deallocate() }
        packByDepth(pa, la, pb, lb, m: m, n: n, k: k, indexB: useB, wide: pt, narrow: qv)
        // Cost model (vector operations, 256-bit units): tables of Int64 products (4 lanes, ~15 operations each) plus
        // row additions (8 lanes, load-add-store), against the SIMD kernel's rounded products (int16 or int32 lanes,
        // ~10 operations, 512-bit registers counted twice). Tables only when they halve the work: for the MLP they
        // win on the outer product (784 pixel columns share ~15 values per sample) and lose on the forward product
        // (128 samples per pixel column).
        var present = 0, nonzero = 0
        withUnsafeTemporaryAllocation(of: Bool.self, capacity: values) { seen in
            for t in 0..<k {
                seen.initialize(repeating: false)
                let row = qv + t &* cols
                for c in 0..<cols where row[c] != 0 {
                    nonzero &+= 1
                    let idx = Int(truncatingIfNeeded: row[c] &- Int64(q.rawMin))
                    if !seen[idx] { seen[idx] = true; present &+= 1 }
                }
            }
        }
        // Each table and each row addition also costs a fixed ~10 operations (slot lookup, loop set-up): short rows
        // (the 10 outputs of the MLP's last layer) make the tables slower than the kernel.
        let tableCost = Double(present) * (Double(rows) / 4 * 15 + 10) + Double(nonzero) * (Double(rows) / 8 * 3 + 10)
        let lanes = kernel.map { $0.wide ? 16.0 : 32.0 } ?? 8.0
        let directCost = Double(k) * Double(rows) * Double(cols) / lanes * 10 * 2
        guard tableCost * 2 < directCost else { return false }
        let body = ValueTableBody(
            pt: pt, qv: qv, s: s, rows: rows, cols: cols, k: k, qMin: Int64(q.rawMin), values: values)
        plan.dispatch(plan.lanes64, body)
        // S is cols x rows: C^T when the tables came from B, C itself otherwise.
        if useB {
            for i in 0..<m { for j in 0..<n { sums[i &* n &+ j] = s[j &* m &+ i] } }
        } else {
            sums.update(from: s, count: m &* n)
        }
        finishSums(plan, sums, ldc: n, pc, m: m, n: n, k: k, preload: preload, stochastic: stochastic)
        return true
    }
}

/// Tables of rounded products per K index and the additions of their rows (`gemmViaValueTables`).
@usableFromInline
struct ValueTableBody: FastDotBody {
    @usableFromInline typealias Lane = Int64
    @usableFromInline let pt: UnsafeMutablePointer<Int64>
    @usableFromInline let qv: UnsafeMutablePointer<Int64>
    @usableFromInline let s: UnsafeMutablePointer<Int32>
    @usableFromInline let rows: Int, cols: Int, k: Int
    @usableFromInline let qMin: Int64
    @usableFromInline let values: Int

    @inlinable
    init(
        pt: UnsafeMutablePointer<Int64>, qv: UnsafeMutablePointer<Int64>, s: UnsafeMutablePointer<Int32>, rows: Int,
        cols: Int, k: Int, qMin: Int64, values: Int
    ) {
        self.pt = pt; self.qv = qv; self.s = s; self.rows = rows; self.cols = cols; self.k = k
        self.qMin = qMin; self.values = values
    }

    @inlinable
    func run<R: FastRound, C: FastClip>(_ r: R, _ c: C) where R.Lane == Int64, C.Lane == Int64 {
        let rows = self.rows, cols = self.cols, values = self.values, qMin = self.qMin
        let depthBlock = 16
        s.initialize(repeating: 0, count: cols &* rows)
        // Per block of K indices: slot[t][v] -> table row (or -1), the rows of present nonzero values.
        let slots = UnsafeMutablePointer<Int32>.allocate(capacity: depthBlock &* values)
        let tables = UnsafeMutablePointer<Int32>.allocate(capacity: depthBlock &* min(values, cols) &* rows)
        defer { slots.deallocate(); tables.deallocate() }
        var t0 = 0
        while t0 < k {
            let tb = min(depthBlock, k &- t0)
            Parallel.forEach(chunks: tb) { dt in
                let t = t0 &+ dt
                let slot = slots + dt &* values
                slot.initialize(repeating: -1, count: values)
                let q = qv + t &* cols, p = pt + t &* rows
                let table = tables + dt &* min(values, cols) &* rows
                var next: Int32 = 0
                for col in 0..<cols {
                    let v = q[col]
                    let idx = Int(truncatingIfNeeded: v &- qMin)
                    if v == 0 || slot[idx] >= 0 { continue }
                    slot[idx] = next
                    let row = table + Int(next) &* rows
                    for i in 0..<rows { row[i] = Int32(truncatingIfNeeded: c(r(p[i] &* v))) }
                    next &+= 1
                }
            }
            Parallel.forRanges(count: cols, grain: max(1, 4096 / max(1, rows))) { range in
                for col in range {
                    let out = s + col &* rows
                    for dt in 0..<tb {
                        let v = qv[(t0 &+ dt) &* cols &+ col]
                        if v == 0 { continue }
                        let slot = slots[dt &* values &+ Int(truncatingIfNeeded: v &- qMin)]
                        let row = tables + (dt &* min(values, cols) &+ Int(slot)) &* rows
                        for i in 0..<rows { out[i] &+= row[i] }
                    }
                }
            }
            t0 &+= tb
        }
    }
}

extension FixedMAC {
    /// The operands of a table GEMM laid out by K index: the wide one as P^T (row t holds its k-th values along its
    /// outer side) and the narrow, indexing one as Q. With B as the index: P^T = A^T, Q = B; else P^T = B, Q = A^T.
    @inlinable
    func packByDepth<SA: FixedWidthInteger, SB: FixedWidthInteger, P: FixedWidthInteger, Q: FixedWidthInteger>(
        _ pa: UnsafePointer<SA>, _ la: MatrixLayout, _ pb: UnsafePointer<SB>, _ lb: MatrixLayout, m: Int, n: Int,
        k: Int, indexB: Bool, wide pt: UnsafeMutablePointer<P>, narrow qv: UnsafeMutablePointer<Q>
    ) {
        if indexB {
            FixedKernels.packRows(
                pa, la.columnAccess, rows: k, paddedRows: k, depth: m, paddedDepth: m, format: a, into: pt)
            FixedKernels.packRows(
                pb, lb.rowAccess, rows: k, paddedRows: k, depth: n, paddedDepth: n, format: b, into: qv)
        } else {
            FixedKernels.packRows(
                pb, lb.rowAccess, rows: k, paddedRows: k, depth: n, paddedDepth: n, format: b, into: pt)
            FixedKernels.packRows(
                pa, la.columnAccess, rows: k, paddedRows: k, depth: m, paddedDepth: m, format: a, into: qv)
        }
    }
}
