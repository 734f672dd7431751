import Foundation
import XCTest

@testable import LRCore

final class SobolTests: XCTestCase {
    /// Number of primitive polynomials of degree s is phi(2^s - 1) / s (OEIS A011260).
    func testPrimitivePolynomialCountsAndFirstValues() {
        let counts = [1, 1, 2, 2, 6, 6, 18, 16, 48, 60, 176, 144]
        for (i, c) in counts.enumerated() {
            XCTAssertEqual(SobolPolynomials.primitive(degree: i + 1).count, c, "degree \(i + 1)")
        }
        // x+1; x^2+x+1; x^3+x+1, x^3+x^2+1; x^4+x+1, x^4+x^3+1; the six of degree 5.
        XCTAssertEqual(SobolPolynomials.first(12), [3, 7, 11, 13, 19, 25, 37, 41, 47, 55, 59, 61])
        XCTAssertFalse(SobolPolynomials.primitive(degree: 4).contains(0b11111))  // irreducible, order 5: not primitive
    }

    func digits(_ u: Double) -> Double { u - 0x1p-33 }  // undo the half-cell centring of the output

    /// Hand-computed: dimension 1 is van der Corput in Gray-code order; dimension 2 has m = 1, 3, 5, 15, ...
    func testFirstUnscrambledPoints() throws {
        var s = try SobolSequence(dimensions: 2, seed: nil)
        let expected: [(Double, Double)] = [
            (0, 0), (0.5, 0.5), (0.75, 0.25), (0.25, 0.75), (0.375, 0.375),
            (0.875, 0.875), (0.625, 0.125), (0.125, 0.625),
        ]
        var p = [Double](repeating: 0, count: 2)
        for (n, e) in expected.enumerated() {
            XCTAssertEqual(s.index, UInt64(n))
            try p.withUnsafeMutableBufferPointer { try s.next(into: $0) }
            XCTAssertEqual(digits(p[0]), e.0, "point \(n) dim 1")
            XCTAssertEqual(digits(p[1]), e.1, "point \(n) dim 2")
        }
    }

    func points(_ s: inout SobolSequence, _ count: Int) throws -> [[Double]] {
        var out: [[Double]] = []
        var p = [Double](repeating: 0, count: s.dimensions)
        for _ in 0..<count {
            try p.withUnsafeMutableBufferPointer { try s.next(into: $0) }
            out.append(p)
        }
        return out
    }

    func testEveryDimensionIsStratifiedScrambledOrNot() throws {
        let m = 10
        for seed in [nil, 1, 99] as [UInt64?] {
            var s = try SobolSequence(dimensions: 300, seed: seed)
            let pts = try points(&s, 1 << m)
            for d in [0, 1, 2, 3, 7, 50, 299] {
                let cells = Set(pts.map { Int($0[d] * Double(1 << m)) })
                XCTAssertEqual(cells.count, 1 << m, "dimension \(d + 1), seed \(String(describing: seed))")
            }
        }
    }

    /// Smallest t such that every elementary interval of volume 2^(t-m) holds exactly 2^t of the 2^m points.
    func tValueByCounting(_ pts: [[Double]], _ a: Int, _ b: Int, m: Int) -> Int {
        for t in 0...m {
            var ok = true
            for d1 in 0...(m - t) where ok {
                let d2 = m - t - d1
                var counts = [Int: Int]()
                for p in pts {
                    let i = Int(p[a] * Double(1 << d1)), j = Int(p[b] * Double(1 << d2))
                    counts[i << 20 | j, default: 0] += 1
                }
                ok = counts.count == 1 << (m - t) && counts.values.allSatisfy { $0 == 1 << t }
            }
            if ok { return t }
        }
        return m
    }

    /// The same t from the generator matrices: rows 1..d1 of C_a and 1..d2 of C_b must be independent over GF(2).
    func tValueByRank(_ a: Int, _ b: Int, m: Int) -> Int {
        let polys = SobolPolynomials.first(max(a, b))
        func rows(_ d: Int) -> [UInt32] {
            let v = SobolSequence.directionNumbers(dimension: d, polynomial: d == 0 ? nil : polys[d - 1])
            return (0..<m).map { r in
                var row: UInt32 = 0
                for k in 0..<m { row |= ((v[k] >> UInt32(31 - r)) & 1) << UInt32(k) }
                return row
            }
        }
        let ra = rows(a), rb = rows(b)
        func rank(_ vectors: [UInt32]) -> Int {
            var basis = [UInt32](repeating: 0, count: 32)
            var r = 0
            for var v in vectors {
                for bit in stride(from: 31, through: 0, by: -1) where (v >> UInt32(bit)) & 1 == 1 {
                    if basis[bit] == 0 { basis[bit] = v; r += 1; break }
                    v ^= basis[bit]
                }
            }
            return r
        }
        for t in 0...m
        where (0...(m - t)).allSatisfy({ d1 in
            rank(Array(ra.prefix(d1)) + Array(rb.prefix(m - t - d1))) == m - t
        }) { return t }
        return m
    }

    func testTwoDimensionalProjectionsKeepTheirNetQuality() throws {
        let m = 8
        var plain = try SobolSequence(dimensions: 201, seed: nil)
        var scrambled = try SobolSequence(dimensions: 201, seed: 2024)
        let p = try points(&plain, 1 << m), q = try points(&scrambled, 1 << m)
        for (a, b) in [(0, 1), (1, 2), (4, 16), (2, 9), (99, 200)] {
            let t = tValueByRank(a, b, m: m)
            XCTAssertEqual(tValueByCounting(p, a, b, m: m), t, "dims \(a + 1),\(b + 1) unscrambled")
            XCTAssertEqual(tValueByCounting(q, a, b, m: m), t, "dims \(a + 1),\(b + 1) scrambled")
            if a == 0 && b == 1 { XCTAssertEqual(t, 0, "dims 1 and 2 form a (0,m,2)-net") }
        }
    }

    func testSkipMatchesSequentialAndIndexPersists() throws {
        var a = try SobolSequence(dimensions: 37, seed: 5)
        _ = try points(&a, 1000)
        XCTAssertEqual(a.index, 1000)
        let next = try points(&a, 3)
        var b = try SobolSequence(dimensions: 37, seed: 5)
        try b.skip(to: 1000)
        XCTAssertEqual(try points(&b, 3), next)
        var g1 = [Float](repeating: 0, count: 37), g2 = g1
        try b.skip(to: 77)
        try g1.withUnsafeMutableBufferPointer { try b.nextGaussian(into: $0) }
        var c = try SobolSequence(dimensions: 37, seed: 5)
        _ = try points(&c, 77)
        try g2.withUnsafeMutableBufferPointer { try c.nextGaussian(into: $0) }
        XCTAssertEqual(g1, g2)
    }

    func testRowBlocksMatchSequentialPointsWhateverTheThreadCount() throws {
        let dims = 3000, rows = 200  // several parallel blocks of rows
        var sequential = try SobolSequence(dimensions: dims, seed: 8)
        try sequential.skip(to: 5)
        var expected = [Float](repeating: 0, count: rows * dims)
        try expected.withUnsafeMutableBufferPointer { buf in
            for r in 0..<rows {
                try sequential.nextGaussian(
                    into: UnsafeMutableBufferPointer(rebasing: buf[(r * dims)..<((r + 1) * dims)]))
            }
        }
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        for threads in [1, 2] {
            Parallel.threads = threads
            var s = try SobolSequence(dimensions: dims, seed: 8)
            try s.skip(to: 5)
            var got = [Float](repeating: 0, count: rows * dims)
            try got.withUnsafeMutableBufferPointer { try s.nextGaussian(rows: rows, into: $0) }
            XCTAssertEqual(got, expected, "threads \(threads)")
            XCTAssertEqual(s.index, 205)
        }
    }

    /// The single-precision PPND7 path against the double-precision AS241 quantile of the same digits.
    func testSinglePrecisionQuantileOfDigits() {
        var worst = 0.0
        var x: UInt32 = 0
        for i in 0..<200_000 {
            x = x &* 1_664_525 &+ 1_013_904_223
            for v in [x, UInt32(i), ~UInt32(i), 0x8000_0000 &+ UInt32(i), 0x7FFF_FFFF &- UInt32(i)] {
                let exact = GaussianQuantile.quantile((Double(v) + 0.5) * 0x1p-32)
                let fast = Double(GaussianQuantile.standardNormal(digits: v))
                worst = max(worst, abs(fast - exact) / max(1, abs(exact)))
            }
        }
        XCTAssertLessThan(worst, 4.5e-7)
        XCTAssertEqual(Double(GaussianQuantile.standardNormal(digits: 0)), -6.337_957_754_553_789, accuracy: 3e-6)
        XCTAssertEqual(Double(GaussianQuantile.standardNormal(digits: .max)), 6.337_957_754_553_789, accuracy: 3e-6)
    }

    func testLimitsGiveClearErrors() throws {
        XCTAssertThrowsError(try SobolSequence(dimensions: 0, seed: 1))
        XCTAssertThrowsError(try SobolSequence(dimensions: SobolSequence.maxDimensions + 1, seed: 1)) { e in
            XCTAssertTrue("\(e)".contains("supported are 1...48795"), "\(e)")
        }
        var s = try SobolSequence(dimensions: 3, seed: nil)
        try s.skip(to: SobolSequence.maxPoints - 1)
        var p = [Float](repeating: 0, count: 3)
        try p.withUnsafeMutableBufferPointer { try s.next(into: $0) }
        XCTAssertThrowsError(try p.withUnsafeMutableBufferPointer { try s.next(into: $0) })
        XCTAssertThrowsError(try s.skip(to: SobolSequence.maxPoints + 1))
    }

    /// Randomised QMC beats Monte Carlo on a smooth Gaussian integral: E[exp(sum a_j z_j)] = exp(sum a_j^2 / 2).
    func testRandomizedQMCConvergesFasterThanMonteCarlo() throws {
        let dims = 6, n = 1024, replicates = 12
        let a = (1...dims).map { 0.4 / Double($0) }
        let exact = Foundation.exp(a.reduce(0) { $0 + $1 * $1 } / 2)
        func f(_ z: UnsafeBufferPointer<Float>) -> Double {
            Foundation.exp((0..<dims).reduce(0.0) { $0 + a[$1] * Double(z[$1]) })
        }
        var qmcSquaredError = 0.0, mcSquaredError = 0.0
        var z = [Float](repeating: 0, count: dims)
        var block = [Float](repeating: 0, count: n * dims)
        for r in 0..<replicates {
            var s = try SobolSequence(dimensions: dims, seed: UInt64(100 + r))
            var sum = 0.0
            for _ in 0..<n {
                try z.withUnsafeMutableBufferPointer { try s.nextGaussian(into: $0) }
                sum += z.withUnsafeBufferPointer(f)
            }
            qmcSquaredError += pow(sum / Double(n) - exact, 2)
            let key = NoiseKey(seed: UInt64(100 + r), step: 0, layer: 0, stream: .other)
            block.withUnsafeMutableBufferPointer {
                FastGaussian.fill(key, rows: 0..<UInt32(n), columns: dims, into: $0)
            }
            var mc = 0.0
            block.withUnsafeBufferPointer { b in
                for i in 0..<n { mc += f(UnsafeBufferPointer(rebasing: b[(i * dims)..<((i + 1) * dims)])) }
            }
            mcSquaredError += pow(mc / Double(n) - exact, 2)
        }
        let ratio = mcSquaredError / qmcSquaredError
        print("RQMC vs MC mean squared error ratio at N = \(n): \(ratio)")
        XCTAssertGreaterThan(ratio, 20)
    }

    func testGaussianPointsHaveMatchingMoments() throws {
        var s = try SobolSequence(dimensions: 16, seed: 3)
        var block = [Float](repeating: 0, count: 4096 * 16)
        try block.withUnsafeMutableBufferPointer { try s.nextGaussian(rows: 4096, into: $0) }
        for d in 0..<16 {
            var m1 = 0.0, m2 = 0.0
            for i in 0..<4096 { let v = Double(block[i * 16 + d]); m1 += v; m2 += v * v }
            XCTAssertEqual(m1 / 4096, 0, accuracy: 0.003, "dimension \(d + 1)")  // MC standard error would be 0.016
            XCTAssertEqual(m2 / 4096, 1, accuracy: 0.01, "dimension \(d + 1)")
        }
        XCTAssertEqual(s.index, 4096)
    }
}
