import LRTestSupport
import XCTest

@testable import LRCore

final class BLASTests: XCTestCase {
    /// Shapes the trainer runs (MLP forward of 32 noisy copies, weight gradient, CNN im2col) and odd ones whose panels
    /// end in a partial tile; every transpose combination.
    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (4096, 10, 256), (128, 256, 784), (256, 784, 128), (1000, 333, 129), (37, 2049, 61), (17, 5, 3),
    ]

    func testPanelsDependOnTheShapeAndCoverItExactly() {
        for s in Self.shapes {
            let plan = GEMMPanels(m: s.m, n: s.n, k: s.k)
            XCTAssertGreaterThanOrEqual(plan.count, 1)
            XCTAssertLessThanOrEqual(plan.count, 4)
            XCTAssertGreaterThanOrEqual(plan.count * plan.width, plan.extent, "\(s)")
            XCTAssertLessThan((plan.count - 1) * plan.width, plan.extent, "\(s): no empty panel")
            XCTAssertEqual(plan.count & (plan.count - 1), 0, "\(s): \(plan.count) panels is not a power of two")
            if plan.count > 1 {
                // Every panel amortizes re-packing the operand the panels share.
                let shared = (plan.alongRows ? s.n : s.m) * s.k
                XCTAssertGreaterThanOrEqual(
                    s.m * s.n * s.k / plan.count / shared, GEMMPanels.minimumMACsPerSharedFloat, "\(s)")
            }
        }
        // The MLP's products: X W^T in column panels (only 128 rows), dY^T X in row panels (256 contiguous rows each).
        XCTAssertFalse(GEMMPanels(m: 128, n: 256, k: 784).alongRows)
        XCTAssertTrue(GEMMPanels(m: 256, n: 784, k: 128).alongRows)
        XCTAssertEqual(GEMMPanels(m: 256, n: 784, k: 128).count, 2)
        // The big trainer products are split (else this test would not exercise the parallel path).
        XCTAssertGreaterThan(GEMMPanels(m: 128, n: 256, k: 784).count, 1)
        XCTAssertEqual(GEMMPanels(m: 17, n: 5, k: 3).count, 1)
    }

    func testSgemmIsBitIdenticalOnAnyThreadCountAndMatchesADoubleReference() {
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        var rng = SeededRandom(seed: 11)
        for s in Self.shapes {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let a = (0..<(s.m * s.k)).map { _ in Float.random(in: -1...1, using: &rng) }
                let b = (0..<(s.k * s.n)).map { _ in Float.random(in: -1...1, using: &rng) }
                let c0 = (0..<(s.m * s.n)).map { _ in Float.random(in: -1...1, using: &rng) }
                func run(threads: Int) -> [Float] {
                    Parallel.threads = threads
                    var c = c0
                    c.withUnsafeMutableBufferPointer { cp in
                        BLAS.sgemm(
                            transA: ta, transB: tb, m: s.m, n: s.n, k: s.k, alpha: 0.5,
                            a: a, lda: ta ? s.m : s.k, b: b, ldb: tb ? s.k : s.n,
                            beta: 2, c: cp.baseAddress!, ldc: s.n)
                    }
                    return c
                }
                let one = run(threads: 1)
                for t in [2, 3] {
                    XCTAssertEqual(
                        run(threads: t).map(\.bitPattern), one.map(\.bitPattern), "\(s) ta=\(ta) tb=\(tb) t=\(t)")
                }
                // Spot-check values against a double-precision evaluation of the same formula.
                for probe in 0..<16 {
                    let i = (probe * 7919) % s.m, j = (probe * 104_729) % s.n
                    var sum = 0.0
                    for p in 0..<s.k {
                        let av = ta ? a[p * s.m + i] : a[i * s.k + p]
                        let bv = tb ? b[j * s.k + p] : b[p * s.n + j]
                        sum += Double(av) * Double(bv)
                    }
                    let want = 0.5 * sum + 2 * Double(c0[i * s.n + j])
                    XCTAssertEqual(
                        Double(one[i * s.n + j]), want, accuracy: 1e-5 * Double(s.k) + 1e-5, "\(s) (\(i),\(j))")
                }
            }
        }
    }

    func testFastKernelsSelectedOnAVX512Machines() {
        let config = BLAS.configure()
        if CPUFeatures.hasAVX512Core {
            XCTAssertTrue(["skylakex", "cooperlake"].contains(config.coreName.lowercased()), config.coreName)
        }
    }
}
