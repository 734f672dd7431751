import LRCore

extension FixedMAC {
    /// GEMM through the C integer kernels (`IntDotKernel`): operands decoded once into packed int16 or int32 rows
    /// (A row-major, B transposed, zero padded), int32 sums on all cores, then the plan's exact finish and the
    /// write-back per output. Returns false (having written nothing) when the kernel cannot prove every output equal
    /// to the step-by-step datapath's: no int lanes for this datapath, or a sum that may not fit 32 bits.
    @inlinable
    func gemmViaIntKernel<SA: FixedWidthInteger, SB: FixedWidthInteger, SC: FixedWidthInteger>(
        _ plan: FastDotPlan, _ pa: UnsafePointer<SA>, _ la: MatrixLayout, _ pb: UnsafePointer<SB>, _ lb: MatrixLayout,
        _ pc: UnsafeMutablePointer<SC>, m: Int, n: Int, k: Int, preload: [Int128], stochastic: StochasticStream,
        isa: IntKernelISA
    ) -> Bool {
        guard k > 0, plan.sumFits32(terms: k), var kernel = IntDotKernel(mac: self, plan: plan) else { return false }
        if kernel.wide,
            let narrow = IntDotKernel(
                mac: self, plan: plan,
                magnitudes: (
                    FixedKernels.largestMagnitude(pa, count: m &* k, format: a),
                    FixedKernels.largestMagnitude(pb, count: k &* n, format: b)
                )),
            !narrow.wide
        {
            // The values present are narrower than their formats (e.g. weighted losses times 8-bit inputs).
            kernel = narrow
        }
        for j in 0..<n where plan.sumNeeds128(terms: k, start: preload[j]) == nil { return false }
        let kp = kernel.paddedDepth(k), mp = (m &+ 1) & ~1, np = (n &+ 3) & ~3
        let sums = UnsafeMutablePointer<Int32>.allocate(capacity: mp &* np)
        defer { sums.deallocate() }
        if kernel.wide {
            packAndMultiply(
                kernel, Int32.self, pa, la, pb, lb, sums, m: m, n: n, k: k, kp: kp, mp: mp, np: np, isa: isa)
        } else {
            packAndMultiply(
                kernel, Int16.self, pa, la, pb, lb, sums, m: m, n: n, k: k, kp: kp, mp: mp, np: np, isa: isa)
        }
        finishSums(plan, sums, ldc: np, pc, m: m, n: n, k: k, preload: preload, stochastic: stochastic)
        return true
    }

    /// The plan's finish and the write-back in Int64 lanes (`Int64Requantizer`, or `StochasticRequantizer` with each
    /// row's write-back words made in bulk: 2k + 1 apart), when the accumulator fits 62 bits; false (nothing written)
    /// otherwise.
    @inlinable
    func writeBackFast<SC: FixedWidthInteger>(
        _ plan: FastDotPlan, _ sums: UnsafeMutablePointer<Int32>, ldc: Int,
        _ pc: UnsafeMutablePointer<SC>, m: Int, n: Int, k: Int, preload: [Int128],
        stochastic: StochasticStream
    ) -> Bool {
        let af = config.accumulator.format
        guard af.width <= 62, plan.prodShift < 62 else { return false }
        let bound = max(af.rawMax, 0 - af.rawMin)
        let q = Int64Requantizer(fracBits: af.fracBits, bound: bound, into: config.output)
        let sq = q == nil ? StochasticRequantizer(fracBits: af.fracBits, bound: bound, into: config.output) : nil
        guard q != nil || sq != nil else { return false }
        let start = preload.map { Int64(truncatingIfNeeded: $0) }
        let shift = Int64(plan.prodShift), up = Int64(64 &- af.width)
        let wraps = plan.accWraps, signed = af.isSigned
        let mask: Int64 = signed ? -1 : (Int64(1) << af.width) &- 1
        start.withUnsafeBufferPointer { st in
            let s0 = st.baseAddress!
            Parallel.forRanges(count: m, grain: max(1, 8192 / max(1, n))) { rows in
                withUnsafeTemporaryAllocation(of: Int64.self, capacity: 2 &* n) { tmp in
                    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: sq == nil ? 0 : n) { wb in
                        let acc = tmp.baseAddress!, out = acc + n
                        for i in rows {
                            let row = sums + i &* ldc
                            if wraps {
                                // wrap(start + s * 2^shift) in the accumulator format (s exact modulo 2^32 suffices).
                                for j in 0..<n {
                                    let v = (Int64(row[j]) &<< shift) &+ s0[j]
                                    acc[j] = signed ? (v &<< up) &>> up : v & mask
                                }
                            } else {
                                for j in 0..<n { acc[j] = s0[j] &+ (Int64(row[j]) &<< shift) }
                            }
                            if let q {
                                q.apply(acc, count: n, into: out)
                            } else if let sq, let w = wb.baseAddress {
                                stochastic.words(
                                    from: writeBackWordIndex(index: i &* n, count: k), stride: 2 &* k &+ 1,
                                    count: n, into: w)
                                sq.apply(acc, words: w, count: n, into: out)
                            }
                            let dst = pc + i &* n
                            for j in 0..<n { dst[j] = SC(truncatingIfNeeded: out[j]) }
                        }
                    }
                }
            }
        }
        return true
    }

    @inlinable
    func packAndMultiply<L: FixedWidthInteger, SA: FixedWidthInteger, SB: FixedWidthInteger>(
        _ kernel: IntDotKernel, _: L.Type, _ pa: UnsafePointer<SA>, _ la: MatrixLayout, _ pb: UnsafePointer<SB>,
        _ lb: MatrixLayout, _ sums: UnsafeMutablePointer<Int32>, m: Int, n: Int, k: Int, kp: Int, mp: Int, np: Int,
        isa: IntKernelISA
    ) {
        let ap = UnsafeMutablePointer<L>.allocate(capacity: mp &* kp)
        let bp = UnsafeMutablePointer<L>.allocate(capacity: np &* kp)
        defer { ap.deallocate(); bp.deallocate() }
        FixedKernels.packRows(pa, la.rowAccess, rows: m, paddedRows: mp, depth: k, paddedDepth: kp, format: a, into: ap)
        FixedKernels.packRows(
            pb, lb.columnAccess, rows: n, paddedRows: np, depth: k, paddedDepth: kp, format: b, into: bp)
        // Row pairs of A over the workers; each call writes its own rows of the sums.
        let pairs = mp / 2
        Parallel.forRanges(count: pairs, grain: max(1, (1 << 17) / max(1, np &* kp))) { range in
            let i0 = range.lowerBound &* 2
            kernel.run(
                isa: isa, a: UnsafeRawPointer(ap + i0 &* kp), b: UnsafeRawPointer(bp), c: sums + i0 &* np,
                m: range.count &* 2, n: np, kp: kp, ldc: np)
        }
    }
}

extension FixedKernels {
    /// max |raw value| over `count` stored elements of `format` (each read as `FixedFormat.raw(fromBits:)`).
    @inlinable
    static func largestMagnitude<S: FixedWidthInteger>(_ p: UnsafePointer<S>, count: Int, format: FixedFormat) -> Int128
    {
        let up = Int64(64 &- format.width), mask: Int64 = format.isSigned ? -1 : (Int64(1) << format.width) &- 1
        var hi: Int64 = 0, lo: Int64 = 0
        for i in 0..<count {
            let v = ((Int64(truncatingIfNeeded: p[i]) &<< up) &>> up) & mask
            hi = max(hi, v)
            lo = min(lo, v)
        }
        return max(Int128(hi), 0 - Int128(lo))
    }

    /// Rows of a stored operand decoded (`FixedFormat.raw(fromBits:)`) into `L` lanes, `paddedDepth` values per row,
    /// zero padded to `paddedRows` rows; `access(r)` gives row r's (offset, step) in storage, affine in r (a
    /// `MatrixLayout`'s row or column access). On all cores.
    @inlinable
    static func packRows<S: FixedWidthInteger, L: FixedWidthInteger>(
        _ p: UnsafePointer<S>, _ access: (Int) -> (base: Int, step: Int), rows: Int, paddedRows: Int, depth: Int,
        paddedDepth kp: Int, format: FixedFormat, into out: UnsafeMutablePointer<L>
    ) {
        let up = Int64(64 &- format.width), mask: Int64 = format.isSigned ? -1 : (Int64(1) << format.width) &- 1
        if paddedRows > rows { (out + rows &* kp).initialize(repeating: 0, count: (paddedRows &- rows) &* kp) }
        // A transposed operand (row r, element t at base + r + t * step): tiles of 16 x 16 through a stack buffer,
        // read along r and written along t, so neither side walks 16 cache lines per element (weights read by input
        // column, for example). Written as two loops over the tile so the compiler cannot turn them back into one
        // strided walk.
        let (base0, step0) = rows > 1 ? access(0) : (0, 1)
        if rows > 1, step0 != 1, access(1) == (base0 &+ 1, step0) {
            Parallel.forRanges(count: (rows &+ 15) / 16, grain: max(1, 1024 / max(1, kp))) { blocks in
                withUnsafeTemporaryAllocation(of: L.self, capacity: 256) { tile in
                    let tp = tile.baseAddress!
                    for block in blocks {
                        let r0 = block &* 16, rn = min(16, rows &- r0)
                        var t0 = 0
                        while t0 < depth {
                            let tn = min(16, depth &- t0)
                            for dt in 0..<tn {
                                let src = p + (base0 &+ (t0 &+ dt) &* step0 &+ r0)
                                for i in 0..<rn {
                                    tp[i &* 16 &+ dt] = L(
                                        truncatingIfNeeded: ((Int64(truncatingIfNeeded: src[i]) &<< up) &>> up) & mask)
                                }
                            }
                            for i in 0..<rn {
                                let dst = out + ((r0 &+ i) &* kp &+ t0), row = tp + i &* 16
                                for dt in 0..<tn { dst[dt] = row[dt] }  // 16 values: no memmove call
                            }
                            t0 &+= tn
                        }
                        if kp > depth {
                            for r in r0..<(r0 &+ rn) {
                                (out + (r &* kp &+ depth)).initialize(repeating: 0, count: kp &- depth)
                            }
                        }
                    }
                }
            }
            return
        }
        Parallel.forRanges(count: rows, grain: max(1, 16_384 / max(1, kp))) { range in
            for r in range {
                let (base, step) = access(r)
                let row = out + r &* kp
                if step == 1 {
                    let src = p + base
                    for t in 0..<depth {
                        row[t] = L(truncatingIfNeeded: ((Int64(truncatingIfNeeded: src[t]) &<< up) &>> up) & mask)
                    }
                } else {
                    for t in 0..<depth {
                        let bits = Int64(truncatingIfNeeded: p[base &+ t &* step])
                        row[t] = L(truncatingIfNeeded: ((bits &<< up) &>> up) & mask)
                    }
                }
                if kp > depth { (row + depth).initialize(repeating: 0, count: kp &- depth) }
            }
        }
    }
}

extension FixedMAC {
    /// The lane width (16 or 32 bits) of the integer SIMD kernel `gemm` runs this datapath on for sums of `terms`
    /// products from a zero accumulator, or nil when it takes a Swift path.
    public func integerKernelLanes(terms: Int) -> Int? {
        guard terms > 0, let plan = fastDot, plan.sumFits32(terms: terms),
            plan.sumNeeds128(terms: terms, start: 0) != nil,
            let kernel = IntDotKernel(mac: self, plan: plan)
        else { return nil }
        return kernel.wide ? 32 : 16
    }
}
