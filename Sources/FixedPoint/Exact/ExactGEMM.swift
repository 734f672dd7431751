import CGMP
import LRCore

/// Exact dot products and GEMMs of float32 and fixed-point operands on GMP integers.
extension ExactReference {
    /// The exact dot product of float32 vectors at their exact binary values.
    public static func dot(_ a: [Float], _ b: [Float]) throws -> Rational {
        let g = try gemm(a: a, b: b, m: 1, n: 1, k: a.count)
        return g.value(0, 0)
    }

    /// C = A B exactly for float32 A (m x k) and B (k x n), row-major, at their exact binary values.
    public static func gemm(a: [Float], b: [Float], m: Int, n: Int, k: Int) throws -> DyadicMatrix {
        try LRGradientDatapath.requireCount(a.count, [m, k], "gemm A (m x k)")
        try LRGradientDatapath.requireCount(b.count, [k, n], "gemm B (k x n)")
        for (name, xs) in [("A", a), ("B", b)] {
            if let bad = xs.firstIndex(where: { !$0.isFinite }) {
                throw FixedPointError(.invalidValue, "exact gemm: \(name)[\(bad)] is not finite")
            }
        }
        let (am, af) = scaledMantissas(a.map(reducedDyadic))
        let (bm, bf) = scaledMantissas(b.map(reducedDyadic))
        return integerGEMM(am, bm, m: m, n: n, k: k, fracBits: af + bf)
    }

    /// C = A B exactly for raw fixed-point operands (A m x k in `fa`, B k x n in `fb`, stored in their low bits).
    public static func gemm(
        a: [Int64], _ fa: FixedFormat, b: [Int64], _ fb: FixedFormat,
        m: Int, n: Int, k: Int
    ) throws -> DyadicMatrix {
        try LRGradientDatapath.requireCount(a.count, [m, k], "gemm A (m x k)")
        try LRGradientDatapath.requireCount(b.count, [k, n], "gemm B (k x n)")
        return integerGEMM(
            a.map { BigInt(fa.raw(fromBits: $0)) }, b.map { BigInt(fb.raw(fromBits: $0)) },
            m: m, n: n, k: k, fracBits: fa.fracBits + fb.fracBits)
    }

    /// Dyadic values brought to their finest common scale: (integers, fraction bits).
    static func scaledMantissas(_ xs: [(mantissa: Int128, frac: Int?)]) -> ([BigInt], Int) {
        let f = xs.compactMap(\.frac).max() ?? 0
        return (
            xs.map { v, vf in
                let r = BigInt(v)
                if let vf { r.formShiftLeft(f - vf) }
                return r
            }, f
        )
    }

    /// Integer GEMM with mpz addmul, rows split over cores; the BigInt arrays keep the values alive.
    static func integerGEMM(_ a: [BigInt], _ b: [BigInt], m: Int, n: Int, k: Int, fracBits: Int) -> DyadicMatrix {
        let out = (0..<(m * n)).map { _ in BigInt() }
        let az = a.map(\.z), bz = b.map(\.z), oz = out.map(\.z)
        withExtendedLifetime((a, b, out)) {
            az.withUnsafeBufferPointer { ab in
                bz.withUnsafeBufferPointer { bb in
                    oz.withUnsafeBufferPointer { ob in
                        let pa = ab.baseAddress, pb = bb.baseAddress, po = ob.baseAddress
                        Parallel.forRanges(count: m, grain: max(1, m / 16)) { rows in
                            guard let pa, let pb, let po else { return }
                            for i in rows {
                                for j in 0..<n {
                                    for t in 0..<k where pa[i * k + t].pointee._mp_size != 0 {
                                        __gmpz_addmul(po[i * n + j], pa[i * k + t], pb[t * n + j])
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return DyadicMatrix(rows: m, columns: n, mantissas: out, fracBits: fracBits)
    }
}
