import LRCore

/// A matrix operand: row-major storage, optionally read transposed.
public struct MatrixLayout: Sendable, Hashable {
    public var rows: Int
    public var columns: Int
    /// When true the storage holds the transpose (columns x rows, row-major).
    public var transposed: Bool

    public init(rows: Int, columns: Int, transposed: Bool = false) {
        self.rows = rows
        self.columns = columns
        self.transposed = transposed
    }

    /// (offset of element (i, 0), step along the row) in storage.
    @inlinable func rowAccess(_ i: Int) -> (base: Int, step: Int) {
        transposed ? (i, rows) : (i &* columns, 1)
    }

    /// (offset of element (0, j), step down the column) in storage.
    @inlinable func columnAccess(_ j: Int) -> (base: Int, step: Int) {
        transposed ? (j &* rows, 1) : (j, columns)
    }
}

extension FixedMAC {
    /// C = A * B (+ bias) through this datapath: every output is `dot` of a row of A and a column of B, with the
    /// configured product, accumulate and write-back rounding. `bias` (one raw value per output column, in
    /// `biasFormat`) is preloaded into each accumulator, as hardware that initialises accumulators with the bias does.
    ///
    /// A is m x k, B is k x n (either may be stored transposed), C is m x n row-major in the output format. The
    /// dense-layer forward Y = X W^T + b is `gemm(a: X, b: W stored transposed, ...)`. Output (i, j) is dot product
    /// number i * n + j for stochastic rounding. Datapaths whose products round deterministically (or are exact) into
    /// int16 or int32 lanes and whose sums fit 32 bits (modulo a wrapping accumulator, or exactly) run on the integer
    /// SIMD kernels (`IntDotKernel`, instruction set `isa`, identical results on every one); other deterministic
    /// ones on the Int64 fast plan (also accumulation rounded by TRN, RND or RND_MIN_INF); everything else step by
    /// step.
    @inlinable
    public func gemm<SA: FixedWidthInteger, SB: FixedWidthInteger, SC: FixedWidthInteger>(
        a: UnsafeBufferPointer<SA>, _ la: MatrixLayout, b: UnsafeBufferPointer<SB>, _ lb: MatrixLayout,
        into c: UnsafeMutableBufferPointer<SC>,
        bias: UnsafeBufferPointer<Int64>? = nil, biasFormat: FixedFormat? = nil,
        stochastic: StochasticStream = .default, isa: IntKernelISA = .preferred
    ) throws {
        let m = la.rows, k = la.columns, n = lb.columns
        guard lb.rows == k else {
            throw FixedPointError(
                .shapeMismatch, "gemm: A is \(m)x\(k) but B is \(lb.rows)x\(n); inner dimensions must match")
        }
        try FixedKernels.requireShape(a: a.count, b: b.count, c: c.count, m: m, n: n, k: k)
        try FixedKernels.requireStorage(SA.self, holds: self.a, role: "gemm A")
        try FixedKernels.requireStorage(SB.self, holds: self.b, role: "gemm B")
        try FixedKernels.requireStorage(SC.self, holds: config.output.format, role: "gemm output")
        var preload = [Int128](repeating: 0, count: n)
        if let bias {
            guard let bf = biasFormat, bias.count == n else {
                throw FixedPointError(.shapeMismatch, "gemm: bias needs \(n) values and a format; got \(bias.count)")
            }
            for j in 0..<n { preload[j] = self.preload(bf.raw(fromBits: bias[j]), format: bf) }
        }
        if m == 0 || n == 0 { return }
        guard let pa = a.baseAddress, let pb = b.baseAddress, let pc = c.baseAddress else {
            // k == 0: every output is the written-back preload.
            for i in 0..<m { for j in 0..<n { c[i &* n &+ j] = SC(truncatingIfNeeded: writeBack(preload[j])) } }
            return
        }
        if let plan = fastDot,
            gemmViaLookup(
                plan, pa, la, pb, lb, pc, m: m, n: n, k: k, preload: preload, stochastic: stochastic, isa: isa)
        {
            return
        }
        if let plan = fastDot,
            gemmViaValueTables(
                plan, pa, la, pb, lb, pc, m: m, n: n, k: k, preload: preload,
                stochastic: stochastic)
        {
            return
        }
        if let plan = fastDot,
            gemmViaIntKernel(
                plan, pa, la, pb, lb, pc, m: m, n: n, k: k, preload: preload, stochastic: stochastic,
                isa: isa)
        {
            return
        }
        if SA.self == Int16.self && SB.self == Int16.self, int16KernelApplies(terms: k, preload: preload) {
            try gemmViaInt16Kernel(pa, la, pb, lb, pc, m: m, n: n, k: k, preload: preload, stochastic: stochastic)
            return
        }
        if let plan = fastDot,
            gemmViaFastPlan(plan, pa, la, pb, lb, pc, m: m, n: n, k: k, preload: preload, stochastic: stochastic)
        {
            return
        }
        let outRandom = config.output.rounding == .stochastic
        let grain = max(1, 65_536 / max(1, n &* k))
        Parallel.forRanges(count: m, grain: grain) { rows in
            for i in rows {
                let (ab, astep) = la.rowAccess(i)
                for j in 0..<n {
                    let (bb, bstep) = lb.columnAccess(j)
                    let index = i &* n &+ j
                    let acc = accumulateDot(
                        pa + ab, strideA: astep, pb + bb, strideB: bstep, count: k,
                        start: preload[j], stochastic: stochastic, index: index)
                    let r: UInt32 = outRandom ? stochastic.word(writeBackWordIndex(index: index, count: k)) : 0
                    pc[index] = SC(truncatingIfNeeded: writeBack(acc, random: r))
                }
            }
        }
    }

    /// Whether the Int16 SIMD kernel computes exactly this datapath.
    @inlinable
    func int16KernelApplies(terms: Int, preload: [Int128]) -> Bool {
        let fitsInt16 = { (f: FixedFormat) in f.isSigned ? f.width <= 16 : f.width <= 15 }
        guard fitsInt16(a), fitsInt16(b), productIsExact, accumulateIsUnrounded,
            config.accumulator.format.width <= 32
        else { return false }
        if sumWrapsModularly { return true }
        return preload.allSatisfy { sumIsExact(terms: terms, start: $0) }
    }

    @usableFromInline
    func gemmViaInt16Kernel<SA: FixedWidthInteger, SB: FixedWidthInteger, SC: FixedWidthInteger>(
        _ pa: UnsafePointer<SA>, _ la: MatrixLayout, _ pb: UnsafePointer<SB>, _ lb: MatrixLayout,
        _ pc: UnsafeMutablePointer<SC>, m: Int, n: Int, k: Int, preload: [Int128], stochastic: StochasticStream
    ) throws {
        // Normalised row-major copies (raw values read from their low bits), then the wrapping kernel.
        var a16 = [Int16](repeating: 0, count: m &* k)
        var b16 = [Int16](repeating: 0, count: k &* n)
        for i in 0..<m {
            let (base, step) = la.rowAccess(i)
            for t in 0..<k {
                a16[i &* k &+ t] = Int16(
                    truncatingIfNeeded: a.raw(fromBits: Int64(truncatingIfNeeded: pa[base &+ t &* step])))
            }
        }
        for j in 0..<n {
            let (base, step) = lb.columnAccess(j)
            for t in 0..<k {
                b16[t &* n &+ j] = Int16(
                    truncatingIfNeeded: b.raw(fromBits: Int64(truncatingIfNeeded: pb[base &+ t &* step])))
            }
        }
        var sums = [Int32](repeating: 0, count: m &* n)
        try a16.withUnsafeBufferPointer { x in
            try b16.withUnsafeBufferPointer { y in
                try sums.withUnsafeMutableBufferPointer {
                    try FixedKernels.gemmInt16Wrapping(a: x, b: y, m: m, n: n, k: k, into: $0)
                }
            }
        }
        let outRandom = config.output.rounding == .stochastic
        for i in 0..<m {
            for j in 0..<n {
                let index = i &* n &+ j
                let acc = finishExactSum(Int128(sums[index]), start: preload[j])
                let r: UInt32 = outRandom ? stochastic.word(writeBackWordIndex(index: index, count: k)) : 0
                pc[index] = SC(truncatingIfNeeded: writeBack(acc, random: r))
            }
        }
    }
}
