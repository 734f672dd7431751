import CIntKernels
import LRCore

extension FixedKernels {
    /// C = A * B for Int16 operands with Int32 accumulation that wraps modulo 2^32 — exactly the WRAP semantics of a
    /// 32-bit accumulator with exact products (wrapping is modular, so the summation order does not matter).
    ///
    /// A is m x k, B is k x n, C is m x n, all row-major. The operands are packed (B transposed, K padded to 32) and
    /// multiplied by the C integer kernel of `isa` (`vpdpwssd` on AVX-512 VNNI, `vpmaddwd` on AVX2: pairs of widening
    /// multiply-adds on 2 x 4 output tiles); row pairs are split across cores by `Parallel`.
    public static func gemmInt16Wrapping(
        a: UnsafeBufferPointer<Int16>, b: UnsafeBufferPointer<Int16>, m: Int, n: Int, k: Int,
        into c: UnsafeMutableBufferPointer<Int32>, isa: IntKernelISA = .preferred
    ) throws {
        try requireShape(a: a.count, b: b.count, c: c.count, m: m, n: n, k: k)
        if m == 0 || n == 0 { return }
        guard k > 0, let pa = a.baseAddress, let pb = b.baseAddress, let pc = c.baseAddress else {
            for i in 0..<c.count { c[i] = 0 }
            return
        }
        let kp = (k &+ 31) & ~31, mp = (m &+ 1) & ~1, np = (n &+ 3) & ~3
        let ap = UnsafeMutablePointer<Int16>.allocate(capacity: mp &* kp)
        let bt = UnsafeMutablePointer<Int16>.allocate(capacity: np &* kp)
        let sums = UnsafeMutablePointer<Int32>.allocate(capacity: mp &* np)
        defer { ap.deallocate(); bt.deallocate(); sums.deallocate() }
        // Zero padding contributes nothing to the sums.
        ap.initialize(repeating: 0, count: mp &* kp)
        bt.initialize(repeating: 0, count: np &* kp)
        for i in 0..<m { (ap + i &* kp).update(from: pa + i &* k, count: k) }
        for t in 0..<k {
            let row = pb + t &* n
            for j in 0..<n { bt[j &* kp &+ t] = row[j] }
        }
        var exact = lrsim_int_rounding()
        exact.kind = Int32(LRSIM_ROUND_EXACT)
        Parallel.forRanges(count: mp / 2, grain: max(1, (1 << 18) / max(1, np &* kp))) { pairs in
            let i0 = pairs.lowerBound &* 2
            withUnsafePointer(to: exact) { r in
                lrsim_int_dot16(isa.rawValue, ap + i0 &* kp, bt, sums + i0 &* np, pairs.count &* 2, np, kp, np, r)
            }
        }
        for i in 0..<m { (pc + i &* n).update(from: sums + i &* np, count: n) }
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
            throw FixedPointError(
                .shapeMismatch,
                "gemm: expected A with m*k = \(m)*\(k), B with k*n = \(k)*\(n), C with m*n = \(m)*\(n) elements; got \(a), \(b), \(c)"
            )
        }
    }
}
