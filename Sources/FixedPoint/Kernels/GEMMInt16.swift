import LRCore

extension FixedKernels {
    /// C = A * B for Int16 operands with Int32 accumulation that wraps modulo 2^32 — exactly the WRAP semantics of a
    /// 32-bit accumulator with exact products (wrapping is modular, so the summation order does not matter).
    ///
    /// A is m x k, B is k x n, C is m x n, all row-major. The operands are packed (B transposed, K padded to 16) so
    /// the inner loop is pairs of widening multiply-adds (the x86 `vpmaddwd` pattern) on 2 x 4 output tiles; rows of
    /// tiles are split across cores by `Parallel`.
    public static func gemmInt16Wrapping(
        a: UnsafeBufferPointer<Int16>, b: UnsafeBufferPointer<Int16>, m: Int, n: Int, k: Int,
        into c: UnsafeMutableBufferPointer<Int32>
    ) throws {
        try requireShape(a: a.count, b: b.count, c: c.count, m: m, n: n, k: k)
        if m == 0 || n == 0 { return }
        guard k > 0, let pa = a.baseAddress, let pb = b.baseAddress, let pc = c.baseAddress else {
            for i in 0..<c.count { c[i] = 0 }
            return
        }
        let kp = (k + 15) & ~15
        let mp = (m + 1) & ~1
        let np = (n + 3) & ~3
        // Packed copies (zero padding contributes nothing to the sums).
        let ap = UnsafeMutablePointer<Int16>.allocate(capacity: mp * kp)
        let bt = UnsafeMutablePointer<Int16>.allocate(capacity: np * kp)
        defer { ap.deallocate(); bt.deallocate() }
        ap.initialize(repeating: 0, count: mp * kp)
        bt.initialize(repeating: 0, count: np * kp)
        for i in 0..<m { (ap + i &* kp).update(from: pa + i &* k, count: k) }
        for t in 0..<k {
            let row = pb + t &* n
            for j in 0..<n { bt[j &* kp &+ t] = row[j] }
        }
        // Blocks of 64 columns x 256 K-values of packed B (32 KiB) stay in L1 while every row pair of a chunk uses them;
        // partial sums over K blocks are added with wrapping arithmetic, which keeps the result exact modulo 2^32.
        let columnBlock = 64, depthBlock = 256
        // Eight chunks of row pairs (boundaries depend only on the shape).
        Parallel.forRanges(count: mp / 2, grain: max(1, (mp / 2 + 7) / 8)) { pairs in
            for i in (pairs.lowerBound &* 2)..<min(m, pairs.upperBound &* 2) {
                (pc + i &* n).initialize(repeating: 0, count: n)
            }
            var t0 = 0
            while t0 < kp {
                let depth = min(depthBlock, kp &- t0)
                var j0 = 0
                while j0 < np {
                    let j1 = min(np, j0 &+ columnBlock)
                    for pair in pairs {
                        let i = pair &* 2
                        let a0 = ap + (i &* kp &+ t0)
                        var j = j0
                        while j < j1 {
                            let s = microKernel2x4(a0, a0 + kp, bt + (j &* kp &+ t0), kp, depth)
                            for r in 0..<2 where i &+ r < m {
                                let row = pc + (i &+ r) &* n
                                for q in 0..<4 where j &+ q < n { row[j &+ q] &+= s[r &* 4 &+ q] }
                            }
                            j &+= 4
                        }
                    }
                    j0 = j1
                }
                t0 &+= depth
            }
        }
    }

    @usableFromInline
    static func requireShape(a: Int, b: Int, c: Int, m: Int, n: Int, k: Int) throws {
        guard m >= 0, n >= 0, k >= 0 else {
            throw FixedPointError(.shapeMismatch, "gemm: negative shape m=\(m) n=\(n) k=\(k)")
        }
        let (mk, o1) = m.multipliedReportingOverflow(by: k)
        let (kn, o2) = k.multipliedReportingOverflow(by: n)
        let (mn, o3) = m.multipliedReportingOverflow(by: n)
        guard !o1, !o2, !o3, a == mk, b == kn, c == mn else {
            throw FixedPointError(.shapeMismatch,
                "gemm: expected A with m*k = \(m)*\(k), B with k*n = \(k)*\(n), C with m*n = \(m)*\(n) elements; got \(a), \(b), \(c)")
        }
    }

    /// Sum over `depth` (a multiple of 16) K-values of widening products (rows are `kp` apart): returns the 2 x 4 tile row-major.
    ///
    /// Each operand chunk is sign-extended once (`vpmovsxwd`) and reused across the tile; products and sums wrap
    /// (`vpmulld`, `vpaddd`), which is exact modulo 2^32 whatever the order.
    @inline(__always)
    static func microKernel2x4(_ a0: UnsafePointer<Int16>, _ a1: UnsafePointer<Int16>,
                               _ b: UnsafePointer<Int16>, _ kp: Int, _ depth: Int) -> SIMD8<Int32> {
        typealias V = SIMD8<Int16>
        typealias W = SIMD8<Int32>
        var c00 = W(), c01 = W(), c02 = W(), c03 = W()
        var c10 = W(), c11 = W(), c12 = W(), c13 = W()
        let b1 = b + kp, b2 = b + 2 &* kp, b3 = b + 3 &* kp
        var t = 0
        while t < depth {
            let x0 = W(truncatingIfNeeded: UnsafeRawPointer(a0 + t).loadUnaligned(as: V.self))
            let x1 = W(truncatingIfNeeded: UnsafeRawPointer(a1 + t).loadUnaligned(as: V.self))
            let y0 = W(truncatingIfNeeded: UnsafeRawPointer(b + t).loadUnaligned(as: V.self))
            let y1 = W(truncatingIfNeeded: UnsafeRawPointer(b1 + t).loadUnaligned(as: V.self))
            let y2 = W(truncatingIfNeeded: UnsafeRawPointer(b2 + t).loadUnaligned(as: V.self))
            let y3 = W(truncatingIfNeeded: UnsafeRawPointer(b3 + t).loadUnaligned(as: V.self))
            c00 &+= x0 &* y0; c01 &+= x0 &* y1; c02 &+= x0 &* y2; c03 &+= x0 &* y3
            c10 &+= x1 &* y0; c11 &+= x1 &* y1; c12 &+= x1 &* y2; c13 &+= x1 &* y3
            t &+= 8
        }
        return SIMD8(c00.wrappedSum(), c01.wrappedSum(), c02.wrappedSum(), c03.wrappedSum(),
                     c10.wrappedSum(), c11.wrappedSum(), c12.wrappedSum(), c13.wrappedSum())
    }
}
