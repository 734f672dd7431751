import LRCore

extension FixedMAC {
    /// GEMM through the fast dot-product plan: both operands decoded once into contiguous lanes (A row-major, B
    /// transposed), so every output is a unit-stride loop with no decoding, vectorisable in Int32 lanes. Returns false
    /// (having written nothing) when the plan cannot prove every output equal to the step-by-step datapath's.
    @inlinable
    func gemmViaFastPlan<SA: FixedWidthInteger, SB: FixedWidthInteger, SC: FixedWidthInteger>(
        _ plan: FastDotPlan, _ pa: UnsafePointer<SA>, _ la: MatrixLayout, _ pb: UnsafePointer<SB>, _ lb: MatrixLayout,
        _ pc: UnsafeMutablePointer<SC>, m: Int, n: Int, k: Int, preload: [Int128], stochastic: StochasticStream
    ) -> Bool {
        guard k > 0 else { return false }
        var wide = false
        for j in 0..<n {
            guard let w = plan.sumNeeds128(terms: k, start: preload[j]) else { return false }
            wide = wide || w
        }
        if let l32 = plan.lanes32, plan.sumFits32(terms: k) {
            packAndRun(
                plan, l32, pa, la, pb, lb, pc, m: m, n: n, k: k, preload: preload, stochastic: stochastic, Int32.self)
        } else if wide {
            packAndRun(
                plan, plan.lanes64, pa, la, pb, lb, pc, m: m, n: n, k: k, preload: preload, stochastic: stochastic,
                Int128.self)
        } else {
            packAndRun(
                plan, plan.lanes64, pa, la, pb, lb, pc, m: m, n: n, k: k, preload: preload, stochastic: stochastic,
                Int64.self)
        }
        return true
    }

    @inlinable
    func packAndRun<SA: FixedWidthInteger, SB: FixedWidthInteger, SC: FixedWidthInteger, L, Sum: FixedWidthInteger>(
        _ plan: FastDotPlan, _ lanes: FastLaneParams<L>, _ pa: UnsafePointer<SA>, _ la: MatrixLayout,
        _ pb: UnsafePointer<SB>, _ lb: MatrixLayout, _ pc: UnsafeMutablePointer<SC>, m: Int, n: Int, k: Int,
        preload: [Int128], stochastic: StochasticStream, _: Sum.Type
    ) {
        // Decoded operands (FixedFormat.raw(fromBits:) in Int64, then narrowed: they fit the lane by construction).
        let ap = UnsafeMutablePointer<L>.allocate(capacity: m &* k)
        let bt = UnsafeMutablePointer<L>.allocate(capacity: n &* k)
        defer { ap.deallocate(); bt.deallocate() }
        let ua = plan.upA, ma = plan.maskA, ub = plan.upB, mb = plan.maskB
        for i in 0..<m {
            let (base, step) = la.rowAccess(i)
            let row = ap + i &* k
            for t in 0..<k {
                let bits = Int64(truncatingIfNeeded: pa[base &+ t &* step])
                row[t] = L(truncatingIfNeeded: ((bits &<< ua) &>> ua) & ma)
            }
        }
        for j in 0..<n {
            let (base, step) = lb.columnAccess(j)
            let col = bt + j &* k
            for t in 0..<k {
                let bits = Int64(truncatingIfNeeded: pb[base &+ t &* step])
                col[t] = L(truncatingIfNeeded: ((bits &<< ub) &>> ub) & mb)
            }
        }
        preload.withUnsafeBufferPointer { pre in
            let body = PackedGEMMBody<L, Sum, SC>(
                mac: self, plan: plan, a: ap, b: bt, c: pc, m: m, n: n, k: k,
                preload: pre.baseAddress!, stochastic: stochastic)
            plan.dispatch(lanes, body)
        }
    }
}

/// All outputs of a packed GEMM for one (rounding, overflow) combination.
@usableFromInline
struct PackedGEMMBody<
    Lane: FixedWidthInteger & SignedInteger & Sendable, Sum: FixedWidthInteger, SC: FixedWidthInteger
>: FastDotBody {
    @usableFromInline let mac: FixedMAC
    @usableFromInline let plan: FastDotPlan
    @usableFromInline let a: UnsafePointer<Lane>
    @usableFromInline let b: UnsafePointer<Lane>
    @usableFromInline let c: UnsafeMutablePointer<SC>
    @usableFromInline let m: Int, n: Int, k: Int
    @usableFromInline let preload: UnsafePointer<Int128>
    @usableFromInline let stochastic: StochasticStream

    @inlinable
    init(
        mac: FixedMAC, plan: FastDotPlan, a: UnsafeMutablePointer<Lane>, b: UnsafeMutablePointer<Lane>,
        c: UnsafeMutablePointer<SC>, m: Int, n: Int, k: Int, preload: UnsafePointer<Int128>,
        stochastic: StochasticStream
    ) {
        self.mac = mac; self.plan = plan
        self.a = UnsafePointer(a); self.b = UnsafePointer(b); self.c = c
        self.m = m; self.n = n; self.k = k
        self.preload = preload; self.stochastic = stochastic
    }

    @inlinable
    func run<R: FastRound, C: FastClip>(_ r: R, _ clip: C) where R.Lane == Lane, C.Lane == Lane {
        let outRandom = mac.config.output.rounding == .stochastic
        let n = self.n, k = self.k
        Parallel.forRanges(count: m, grain: max(1, 65_536 / max(1, n &* k))) { rows in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: outRandom ? n : 0) { wb in
                for i in rows {
                    // Row i's write-back words, 2k + 1 apart, in one bulk call.
                    if outRandom, let w = wb.baseAddress {
                        let first = mac.writeBackWordIndex(index: i &* n, count: k)
                        stochastic.words(from: first, stride: 2 &* k &+ 1, count: n, into: w)
                    }
                    let x = a + i &* k
                    for j in 0..<n {
                        let y = b + j &* k
                        var s: Sum = 0
                        for t in 0..<k { s &+= Sum(truncatingIfNeeded: clip(r(x[t] &* y[t]))) }
                        let index = i &* n &+ j
                        let acc = plan.finish(Int128(truncatingIfNeeded: s), start: preload[j])
                        let w: UInt32 = outRandom ? wb[j] : 0
                        c[index] = SC(truncatingIfNeeded: mac.writeBack(acc, random: w))
                    }
                }
            }
        }
    }
}
