import FixedPoint
import XCTest

/// The exact float32 and fixed-point GEMMs equal plain Rational arithmetic.
final class ExactGEMMTests: XCTestCase {
    func testFloatGEMMEqualsRationals() throws {
        var g = RandomCases(seed: 0xE6E)
        for _ in 0..<30 {
            let m = g.int(1...4), n = g.int(1...4), k = g.int(0...6)
            func f() -> Float {
                [
                    Float(0), Float(bitPattern: g.word() & 0x807F_FFFF),
                    Float(g.int(-99_999...99_999)) * Float(sign: .plus, exponent: g.int(-60...30), significand: 1),
                ][g.int(0...2)]
            }
            let a = (0..<(m * k)).map { _ in f() }, b = (0..<(k * n)).map { _ in f() }
            let c = try ExactReference.gemm(a: a, b: b, m: m, n: n, k: k)
            for i in 0..<m {
                for j in 0..<n {
                    let want = try ExactReference.dot(
                        (0..<k).map { Rational(exactly: a[i * k + $0])! },
                        (0..<k).map { Rational(exactly: b[$0 * n + j])! })
                    XCTAssertEqual(c.value(i, j), want)
                }
            }
            if m == 1 && n == 1 { XCTAssertEqual(try ExactReference.dot(a, b), c.value(0, 0)) }
        }
        XCTAssertThrowsError(try ExactReference.gemm(a: [1, 2], b: [1], m: 1, n: 1, k: 2))
        XCTAssertThrowsError(try ExactReference.gemm(a: [.infinity], b: [1], m: 1, n: 1, k: 1))
    }

    func testFixedGEMMEqualsRationals() throws {
        var g = RandomCases(seed: 0xE6F)
        for _ in 0..<30 {
            let fa = g.format(widths: 1...64), fb = g.format(widths: 1...64)
            let m = g.int(1...3), n = g.int(1...3), k = g.int(1...5)
            let a = (0..<(m * k)).map { _ in Int64(truncatingIfNeeded: g.raw(in: fa)) }
            let b = (0..<(k * n)).map { _ in Int64(truncatingIfNeeded: g.raw(in: fb)) }
            let c = try ExactReference.gemm(a: a, fa, b: b, fb, m: m, n: n, k: k)
            for i in 0..<m {
                for j in 0..<n {
                    let want = Rational(0)
                    for t in 0..<k {
                        want.formSum(
                            ExactReference.value(raw: fa.raw(fromBits: a[i * k + t]), format: fa)
                                * ExactReference.value(raw: fb.raw(fromBits: b[t * n + j]), format: fb))
                    }
                    XCTAssertEqual(c.value(i, j), want)
                }
            }
        }
    }
}
