import CIntKernels
import LRCore

extension FixedMAC {
    /// GEMM by 32-entry product tables and AVX-512 permutes (`lrsim_int_lut16`) when the narrow operand's values
    /// present span at most 32 raw values (pixels in an 8-bit input format: 17) and products round: per output row
    /// and K index, the rounded products of the wide operand's value with those 32 values form one table; one
    /// `vpermi2w` then looks up 16 outputs of two K indices and one `vpdpwssd` adds them. The tables hold exactly
    /// the products `IntDotKernel` forms, and the int32 sums wrap as its do, so the result is identical. For the
    /// MLP's outer product (256 x 784 outputs, 128 samples) that is 25.7 M lookups instead of 25.7 M rounded
    /// products. Returns false (having written nothing) when it does not apply: no AVX-512, a wider value range, too
    /// few outputs per table, or a rounded product outside int16.
    @inlinable
    func gemmViaLookup<SA: FixedWidthInteger, SB: FixedWidthInteger, SC: FixedWidthInteger>(
        _ plan: FastDotPlan, _ pa: UnsafePointer<SA>, _ la: MatrixLayout, _ pb: UnsafePointer<SB>, _ lb: MatrixLayout,
        _ pc: UnsafeMutablePointer<SC>, m: Int, n: Int, k: Int, preload: [Int128], stochastic: StochasticStream,
        isa: IntKernelISA
    ) -> Bool {
        let narrowA = a.width <= 8, narrowB = b.width <= 8
        guard isa == .avx512VNNI, k > 0, (narrowA && m >= 96) || (narrowB && n >= 96), plan.sumFits32(terms: k),
            let kernel = IntDotKernel(mac: self, plan: plan), kernel.rounding.kind != Int32(LRSIM_ROUND_EXACT)
        else { return false }
        // The tables run along the wide operand (`rows`), the lookups along the narrow one (`cols`): a table of 32
        // rounded products pays for itself when it serves enough outputs. Measured on Zen 4 at 128-784 outputs per
        // table, tables included: 27-29 G products per CPU-second, against 22 for the int16 dot kernel with rounded
        // products and about half that in int32 lanes.
        // Either narrow operand may be the index (the longer outer side first), if its values span at most 32:
        // checked before anything is packed, and most operands that do not fit show it within a few elements.
        var choice: (useB: Bool, vmin: Int64, vmax: Int64)?
        for useB in (n >= m ? [true, false] : [false, true]) where (useB ? narrowB : narrowA) && (useB ? n : m) >= 96 {
            let span =
                useB
                ? FixedKernels.rawSpan(pb, count: k &* n, format: b, limit: 31)
                : FixedKernels.rawSpan(pa, count: m &* k, format: a, limit: 31)
            if let (lo, hi) = span {
                choice = (useB, lo, hi)
                break
            }
        }
        guard let (useB, vmin, vmax) = choice else { return false }
        let rows = useB ? m : n, cols = useB ? n : m
        for j in 0..<n where plan.sumNeeds128(terms: k, start: preload[j]) == nil { return false }
        // P^T (k x rows, int32): the wide operand by K index; Q (k x cols, int16): the narrow operand's raw values.
        let pt = UnsafeMutablePointer<Int32>.allocate(capacity: k &* rows)
        let qv = UnsafeMutablePointer<Int16>.allocate(capacity: k &* cols)
        defer { pt.deallocate(); qv.deallocate() }
        packByDepth(pa, la, pb, lb, m: m, n: n, k: k, indexB: useB, wide: pt, narrow: qv)
        // S is rows x cols: C itself when B is the index operand, C^T when A is. The index vectors are made once;
        // the workers take groups of 16 rows (each call builds its rows' tables).
        let s = UnsafeMutablePointer<Int32>.allocate(capacity: rows &* cols)
        defer { s.deallocate() }
        let blocks = lrsim_int_lut16_blocks(cols)
        let idx = UnsafeMutablePointer<Int16>.allocate(capacity: ((k &+ 1) / 2) &* blocks &* 32)
        defer { idx.deallocate() }
        Parallel.forRanges(count: (k &+ 1) / 2, grain: max(1, 32_768 / max(1, cols))) { pairs in
            lrsim_int_lut16_index(qv, cols, cols, k, Int32(vmin), pairs.lowerBound, pairs.upperBound, idx)
        }
        let group = 16, groups = (rows &+ group &- 1) / group
        let status = UnsafeMutablePointer<Int32>.allocate(capacity: groups)
        defer { status.deallocate() }
        withUnsafePointer(to: kernel.rounding) { r in
            // A group is 16 x k x cols lookups: one group per chunk once that passes a million.
            Parallel.forRanges(count: groups, grain: max(1, (1 << 20) / max(1, group &* k &* cols))) { range in
                for g in range {
                    let row0 = g &* group, count = min(group, rows &- row0)
                    status[g] = lrsim_int_lut16(
                        isa.rawValue, pt + row0, rows, idx, s + row0 &* cols, cols, count, cols, k,
                        Int32(vmin), Int32(vmax), kernel.wide ? 1 : 0, r)
                }
            }
        }
        for g in 0..<groups where status[g] != 1 { return false }
        if useB {
            finishSums(plan, s, ldc: cols, pc, m: m, n: n, k: k, preload: preload, stochastic: stochastic)
        } else {
            let sums = UnsafeMutablePointer<Int32>.allocate(capacity: m &* n)
            defer { sums.deallocate() }
            for j in 0..<n { for i in 0..<m { sums[i &* n &+ j] = s[j &* m &+ i] } }
            finishSums(plan, sums, ldc: n, pc, m: m, n: n, k: k, preload: preload, stochastic: stochastic)
        }
        return true
    }

    /// Outputs from int32 product sums (m x n, row stride `ldc`): the plan's finish and the write-back, vectorised
    /// when the accumulator fits 62 bits (`writeBackFast`), else per output.
    @inlinable
    func finishSums<SC: FixedWidthInteger>(
        _ plan: FastDotPlan, _ sums: UnsafeMutablePointer<Int32>, ldc: Int, _ pc: UnsafeMutablePointer<SC>, m: Int,
        n: Int, k: Int, preload: [Int128], stochastic: StochasticStream
    ) {
        if writeBackFast(plan, sums, ldc: ldc, pc, m: m, n: n, k: k, preload: preload, stochastic: stochastic) {
            return
        }
        let outRandom = config.output.rounding == .stochastic
        Parallel.forRanges(count: m, grain: max(1, 4096 / max(1, n))) { rows in
            for i in rows {
                for j in 0..<n {
                    let index = i &* n &+ j
                    let acc = plan.finish(Int128(sums[i &* ldc &+ j]), start: preload[j])
                    let w: UInt32 = outRandom ? stochastic.word(writeBackWordIndex(index: index, count: k)) : 0
                    pc[index] = SC(truncatingIfNeeded: writeBack(acc, random: w))
                }
            }
        }
    }
}

extension FixedKernels {
    /// The smallest and largest raw value (`FixedFormat.raw(fromBits:)`) of `count` stored elements, or nil as soon
    /// as they differ by more than `limit`.
    @inlinable
    static func rawSpan<S: FixedWidthInteger>(_ p: UnsafePointer<S>, count: Int, format: FixedFormat, limit: Int64)
        -> (Int64, Int64)?
    {
        let up = Int64(64 &- format.width), mask: Int64 = format.isSigned ? -1 : (Int64(1) << format.width) &- 1
        guard count > 0 else { return nil }
        var lo = Int64.max, hi = Int64.min
        var i = 0
        while i < count {
            // Blocks of 64 keep the loop vectorisable; the span is checked between blocks.
            let end = min(count, i &+ 64)
            for e in i..<end {
                let v = ((Int64(truncatingIfNeeded: p[e]) &<< up) &>> up) & mask
                lo = min(lo, v)
                hi = max(hi, v)
            }
            if hi &- lo > limit { return nil }
            i = end
        }
        return (lo, hi)
    }
}

extension FixedMAC {
    /// `gemm` through the lookup tables alone (tests: whether they apply, and that their result is the datapath's);
    /// false when they do not apply.
    package func gemmByLookup<SA: FixedWidthInteger, SB: FixedWidthInteger, SC: FixedWidthInteger>(
        a: UnsafeBufferPointer<SA>, _ la: MatrixLayout, b: UnsafeBufferPointer<SB>, _ lb: MatrixLayout,
        into c: UnsafeMutableBufferPointer<SC>, stochastic: StochasticStream = .default
    ) -> Bool {
        guard let plan = fastDot, let pa = a.baseAddress, let pb = b.baseAddress, let pc = c.baseAddress else {
            return false
        }
        return gemmViaLookup(
            plan, pa, la, pb, lb, pc, m: la.rows, n: lb.columns, k: la.columns,
            preload: [Int128](repeating: 0, count: lb.columns), stochastic: stochastic, isa: .preferred)
    }
}
