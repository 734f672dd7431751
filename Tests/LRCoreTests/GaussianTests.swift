import Foundation
import LRTestSupport
import XCTest

@testable import LRCore

/// FastGaussian: same counters as NoiseSampler.gaussian, normal distribution, pure function of (key, row, element).
final class FastGaussianTests: XCTestCase {
    let key = NoiseKey(seed: 11, step: 3, layer: 2, stream: .logitNoise)

    func fast(_ key: NoiseKey, row: UInt32, from first: Int = 0, count: Int) -> [Float] {
        var x = [Float](repeating: .nan, count: count)
        x.withUnsafeMutableBufferPointer { FastGaussian.fill(key, row: row, from: first, into: $0) }
        return x
    }

    func testBatchPhiloxEqualsScalarBlocks() {
        let gen = Philox4x32(seed: 0x1234_5678_9ABC_DEF0)
        for (first, count) in [(0, 64), (0xFFFF_FFF0, 37), (12345, 1)] as [(UInt32, Int)] {
            var planes = [UInt32](repeating: 0, count: 4 * count)
            planes.withUnsafeMutableBufferPointer { w in
                let p = w.baseAddress!
                gen.blocks(
                    first: first, count: count, c1: 7, c2: 0x0100_0002, c3: 99,
                    w0: p, w1: p + count, w2: p + 2 * count, w3: p + 3 * count)
            }
            for j in 0..<count {
                let b = gen.block(SIMD4(first &+ UInt32(j), 7, 0x0100_0002, 99))
                XCTAssertEqual(SIMD4(planes[j], planes[count + j], planes[2 * count + j], planes[3 * count + j]), b)
            }
        }
    }

    func testCloseToLibmBoxMullerOverAMillionSamples() {
        let rows = 16, columns = 65_536
        var maxDiff: Float = 0
        var reference = [Float](repeating: 0, count: columns)
        for r in 0..<rows {
            let x = fast(key, row: UInt32(r), count: columns)
            reference.withUnsafeMutableBufferPointer { NoiseSampler.gaussianReference(key, row: UInt32(r), into: $0) }
            for i in 0..<columns { maxDiff = max(maxDiff, abs(x[i] - reference[i])) }
        }
        XCTAssertLessThanOrEqual(maxDiff, 1e-5)
        print("FastGaussian vs libm Box–Muller: max |difference| \(maxDiff) over \(rows * columns) samples")
    }

    /// The original `NoiseSampler.gaussian`: one Philox block at a time, libm log/sin/cos on the rounded angle.
    func libmBoxMuller(_ key: NoiseKey, row: UInt32, into out: UnsafeMutableBufferPointer<Float>) {
        let gen = key.generator
        for block in 0..<((out.count + 3) / 4) {
            let w = gen.block(key.counter(row: row, block: UInt32(block)))
            let r0 = (-2 * logf(Uniform.openClosed(w[0]))).squareRoot()
            let r1 = (-2 * logf(Uniform.openClosed(w[2]))).squareRoot()
            let t0 = Uniform.closedOpen(w[1]) * (2 * Float.pi)
            let t1 = Uniform.closedOpen(w[3]) * (2 * Float.pi)
            let g = [r0 * cosf(t0), r0 * sinf(t0), r1 * cosf(t1), r1 * sinf(t1)]
            for lane in 0..<min(4, out.count - 4 * block) { out[4 * block + lane] = g[lane] }
        }
    }

    func testAnySubrangeRegeneratesTheSameValues() {
        let whole = fast(key, row: 5, count: 1000)
        for (first, count) in [(0, 1), (1, 3), (3, 2), (5, 300), (256, 256), (255, 258), (999, 1), (640, 360)] {
            XCTAssertEqual(
                fast(key, row: 5, from: first, count: count), Array(whole[first..<(first + count)]),
                "elements \(first)..<\(first + count)")
        }
        XCTAssertNotEqual(fast(key, row: 6, count: 10), Array(whole.prefix(10)))
    }

    func testRowsFillMatchesPerRowAndIgnoresThreadCount() {
        let columns = 300
        var serial = [Float](repeating: 0, count: 40 * columns)
        var parallel = serial
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        serial.withUnsafeMutableBufferPointer { FastGaussian.fill(key, rows: 10..<50, columns: columns, into: $0) }
        Parallel.threads = 2
        parallel.withUnsafeMutableBufferPointer { FastGaussian.fill(key, rows: 10..<50, columns: columns, into: $0) }
        XCTAssertEqual(serial, parallel)
        XCTAssertEqual(Array(serial[(3 * columns)..<(4 * columns)]), fast(key, row: 13, count: columns))
    }

    func testMomentsAndKolmogorovSmirnov() {
        let n = 1 << 20
        var x = [Float](repeating: 0, count: n)
        x.withUnsafeMutableBufferPointer { FastGaussian.fill(key, rows: 0..<16, columns: n / 16, into: $0) }
        var m1 = 0.0, m2 = 0.0, m4 = 0.0
        for v in x { let d = Double(v); m1 += d; m2 += d * d; m4 += d * d * d * d }
        m1 /= Double(n); m2 /= Double(n); m4 /= Double(n)
        // Standard errors at n = 2^20: mean 0.001, variance 0.0014, kurtosis 0.0048. Bounds are ~5 standard errors.
        XCTAssertEqual(m1, 0, accuracy: 0.005)
        XCTAssertEqual(m2 - m1 * m1, 1, accuracy: 0.007)
        XCTAssertEqual(m4 / (m2 * m2), 3, accuracy: 0.025)

        // Kolmogorov–Smirnov on 2^17 samples against Phi(x) = erfc(-x / sqrt 2) / 2 (critical D at p = 0.001: 1.95/sqrt n).
        let sample = x.prefix(1 << 17).map(Double.init).sorted()
        var d = 0.0
        for (i, v) in sample.enumerated() {
            let cdf = 0.5 * erfc(-v / 2.0.squareRoot())
            d = max(d, abs(cdf - Double(i) / Double(sample.count)), abs(cdf - Double(i + 1) / Double(sample.count)))
        }
        XCTAssertLessThan(d, 1.95 / Double(sample.count).squareRoot())
        // The tails reach where they should: |z| > 4 has probability 6.3e-5 (66 expected in 2^20 samples).
        let tail = x.filter { abs($0) > 4 }.count
        XCTAssertTrue((30...110).contains(tail), "\(tail) samples beyond 4 sigma")
    }

    func testPolynomialLogAndSinCosAccuracy() {
        var worstLog = 0.0, worstTrig = 0.0
        var k: UInt32 = 1
        while k <= 1 << 24 {
            for m in [k, k + 1, k + k / 3 + 1] where m <= 1 << 24 {
                let u = Float(m) * 0x1p-24
                let err = abs(Double(GaussianMath.log(u)) - Foundation.log(Double(u)))
                worstLog = max(worstLog, err / max(abs(Foundation.log(Double(u))), 1e-30))
                let turns = Int32(m & 0xFF_FFFF)
                let (s, c) = GaussianMath.sinCos2Pi(turns24: turns)
                let angle = 2 * Double.pi * Double(turns) * 0x1p-24
                worstTrig = max(worstTrig, abs(Double(s) - sin(angle)), abs(Double(c) - cos(angle)))
            }
            k = k &* 3 / 2 + 1
        }
        XCTAssertLessThan(worstLog, 3e-7, "relative error of log")  // about 2.5 ulp of Float
        XCTAssertLessThan(worstTrig, 2.5e-7, "absolute error of sin/cos")
    }
}

/// AS241 inverse normal CDF against values computed with mpmath (40 digits).
final class GaussianQuantileTests: XCTestCase {
    func testKnownQuantiles() {
        let cases: [(Double, Double)] = [
            (0.975, 1.959_963_984_540_054_2), (0.999, 3.090_232_306_167_813_5), (1e-10, -6.361_340_902_404_056_2),
            (0.3, -0.524_400_512_708_040_78), (0.02425, -1.972_961_051_311_884_9), (0.9, 1.281_551_565_544_600_5),
            (1e-20, -9.262_340_089_798_407_6), (0x1p-33, -6.337_957_754_553_789_3), (1e-300, -37.047_096_299_361_199),
        ]
        for (p, x) in cases {
            XCTAssertEqual(GaussianQuantile.quantile(p), x, accuracy: 1e-14 * max(1, abs(x)), "p = \(p)")
        }
        XCTAssertEqual(GaussianQuantile.quantile(0.5), 0)
        XCTAssertEqual(GaussianQuantile.quantile(0), -.infinity)
        XCTAssertEqual(GaussianQuantile.quantile(1), .infinity)
        XCTAssertTrue(GaussianQuantile.quantile(1.5).isNaN)
    }

    func testRoundTripThroughErfcAndSymmetry() {
        for i in 1..<2000 {
            let p = Double(i) / 2000
            let x = GaussianQuantile.quantile(p)
            XCTAssertEqual(0.5 * erfc(-x / 2.0.squareRoot()), p, accuracy: 1e-15 + 1e-13 * p)
            XCTAssertEqual(GaussianQuantile.quantile(1 - p), -x, accuracy: 1e-12)
        }
    }

    func testDeterministicLogMatchesLibm() {
        var worst = 0.0
        for e in -1070...1023 where e % 7 == 0 {
            for f in [1.0, 1.1, 1.25, 1.4142, 1.4143, 1.9999] {
                let x = f * pow(2.0, Double(e))
                guard x > 0 && x.isFinite else { continue }
                let exact = Foundation.log(x)
                worst = max(worst, abs(GaussianQuantile.log(x) - exact) / max(abs(exact), 1e-300))
            }
        }
        XCTAssertLessThan(worst, 4e-16)
    }
}

/// The C Gaussian kernels (SSE2, AVX2, AVX-512 builds, chosen at run time) give the Swift loops' bits exactly.
final class NativeGaussianTests: XCTestCase {
    func testEveryInstructionSetEqualsTheSwiftLoops() {
        var rng = SeededRandom(seed: 0x6A55)
        var compared = 0
        for trial in 0..<300 {
            let key = NoiseKey(
                seed: UInt64.random(in: 0...UInt64.max, using: &rng),
                step: UInt32.random(in: 0...UInt32.max, using: &rng),
                layer: UInt32(trial % 5), stream: .logitNoise)
            let row = UInt32.random(in: 0...UInt32.max, using: &rng)
            let first = trial % 3 == 0 ? 0 : Int.random(in: 0...700, using: &rng)
            let count = trial % 50 == 0 ? 20_000 : Int.random(in: 1...700, using: &rng)
            var want = [Float](repeating: 0, count: count)
            want.withUnsafeMutableBufferPointer { FastGaussian.fill(key, row: row, from: first, into: $0, isa: -1) }
            for isa in Int32(0)...2 {
                var got = [Float](repeating: .nan, count: count)
                got.withUnsafeMutableBufferPointer { FastGaussian.fill(key, row: row, from: first, into: $0, isa: isa) }
                XCTAssertEqual(
                    got.map(\.bitPattern), want.map(\.bitPattern),
                    "isa \(isa), trial \(trial), first \(first), count \(count)")
                if got.map(\.bitPattern) != want.map(\.bitPattern) { return }
                compared += count
            }
        }
        XCTAssertGreaterThan(compared, 300_000)
        XCTAssertGreaterThanOrEqual(FastGaussian.nativeISA, 0)
    }
}
