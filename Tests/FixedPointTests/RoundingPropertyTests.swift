import FixedPoint
import XCTest

/// Every fast-path rounding equals GMP's exact rounding, bit for bit, over random formats, modes and values.
final class RoundingPropertyTests: XCTestCase {
    /// Random integers at random scales (including shifts beyond 128 bits in both directions).
    func testQuantizeIntegerMatchesGMP() {
        var g = RandomCases(seed: 0x5EED_0001)
        for i in 0..<12_000 {
            let cfg = g.config(g.format(widths: 1...128))
            let v = g.int128()
            let frac = cfg.format.fracBits + g.int(-150...150)
            let r = g.word()
            let fast = FixedArithmetic.quantize(v, fracBits: frac, into: cfg, random: r)
            let exact = ExactReference.round(Rational(raw: v, fracBits: frac), into: cfg, random: r)
            XCTAssertEqual(fast, exact, "case \(i): \(v) * 2^-\(frac) into \(cfg), random \(r)")
            XCTAssertTrue(cfg.format.contains(raw: fast))
            if fast != exact { return }
        }
    }

    /// Values exactly on a half ULP of the target: every tie-breaking rule is exercised on both signs.
    func testTiesMatchGMP() {
        var g = RandomCases(seed: 0x5EED_0002)
        for i in 0..<8_000 {
            let cfg = g.config(g.format(widths: 1...64))
            let s = g.int(1...60)
            let q = g.int128(maxBits: 66)
            let v = (q << s) &+ (Int128(1) << (s - 1))  // (q + 1/2) ULPs
            let frac = cfg.format.fracBits + s
            let r = g.word()
            let fast = FixedArithmetic.quantize(v, fracBits: frac, into: cfg, random: r)
            let exact = ExactReference.round(Rational(raw: v, fracBits: frac), into: cfg, random: r)
            XCTAssertEqual(fast, exact, "tie \(i): \(v) * 2^-\(frac) into \(cfg)")
            if fast != exact { return }
        }
    }

    /// Float and Double inputs at their exact binary values, including subnormals, huge values and exact ties.
    func testFloatConversionMatchesGMP() {
        var g = RandomCases(seed: 0x5EED_0003)
        for i in 0..<10_000 {
            let cfg = g.config(g.format(widths: 1...64))
            let x: Double
            switch g.int(0...4) {
            case 0: x = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &g.rng))
            case 1:
                // A tie: (k + 1/2) ULPs of the target, when a Double can hold it.
                let k = Double(g.int(-5000...5000))
                x = (k + 0.5) * Double(sign: .plus, exponent: -cfg.format.fracBits, significand: 1)
            case 2: x = Double(Float(bitPattern: g.word()))
            default:
                x =
                    Double(g.int(-1_000_000...1_000_000))
                    * Double(sign: .plus, exponent: g.int(-40...10), significand: 1)
            }
            guard x.isFinite else { continue }
            let r = g.word()
            let fast = FixedArithmetic.quantize(x, into: cfg, random: r)
            let exact = ExactReference.round(Rational(exactly: x)!, into: cfg, random: r)
            XCTAssertEqual(fast, exact, "case \(i): \(x) into \(cfg)")
            let f = Float(x)
            if f.isFinite {
                XCTAssertEqual(
                    FixedArithmetic.quantize(f, into: cfg, random: r),
                    ExactReference.round(Rational(exactly: f)!, into: cfg, random: r), "float \(f) into \(cfg)")
            }
            if fast != exact { return }
        }
    }

    func testNonFiniteInputsDoNotTrap() throws {
        let f = try FixedFormat.parse("s3.12")
        for (o, inf, negInf) in [
            (Overflow.saturate, f.rawMax, f.rawMin), (.saturateSymmetric, f.rawMax, -f.rawMax),
            (.saturateToZero, 0, 0), (.wrap, 0, 0),
        ] as [(Overflow, Int128, Int128)] {
            let c = FixedConfig(f, rounding: .roundHalfToEven, overflow: o)
            XCTAssertEqual(FixedArithmetic.quantize(Double.infinity, into: c), inf)
            XCTAssertEqual(FixedArithmetic.quantize(-Float.infinity, into: c), negInf)
            XCTAssertEqual(FixedArithmetic.quantize(Double.nan, into: c), 0)
        }
    }

    /// Stochastic rounding is unbiased to 2^-32 resolution: over many words the mean equals the exact value.
    func testStochasticRoundingMeanAndDeterminism() throws {
        let cfg = FixedConfig(try .parse("s8.0"), rounding: .stochastic, overflow: .saturate)
        let stream = StochasticStream(seed: 7)
        let x = 2.3  // rounds to 3 with probability ~0.3
        var sum = 0
        let n = 20_000
        for i in 0..<n { sum += Int(FixedArithmetic.quantize(x, into: cfg, random: stream.word(i))) }
        let mean = Double(sum) / Double(n)
        // Binomial standard deviation sqrt(0.21 / n) = 0.0032; allow 5 sigma.
        XCTAssertEqual(mean, 2.3, accuracy: 0.017)
        XCTAssertEqual(stream.word(12345), StochasticStream(seed: 7).word(12345))
        XCTAssertNotEqual(stream.word(1), StochasticStream(seed: 8).word(1))
    }
}
