import FixedPoint
import XCTest

/// No input traps: garbage text, extreme formats and extreme values give errors or well-defined results.
final class RobustnessTests: XCTestCase {
    func testGarbageTextNeverTraps() {
        var g = RandomCases(seed: 0xBAD)
        let alphabet = Array("sSuUqQ0123456789.-+/eEpPxX<>,_ acfixedtrun")
        for _ in 0..<5_000 {
            let text = String((0..<g.int(0...14)).map { _ in alphabet[g.int(0...(alphabet.count - 1))] })
            if let f = try? FixedFormat.parse(text) {
                XCTAssertTrue((1...128).contains(f.width), text)
                XCTAssertEqual(try? FixedFormat.parse(f.description), f)
            }
            _ = try? Rational(parsing: text)
            _ = try? Quantization.parse(text)
            _ = try? Overflow.parse(text)
        }
        for bad in ["1e100001", "0x1p-100001", "1/0", "", "-", "0x", "1.2.3", "nan", "inf", "--1", "1e", "/3"] {
            XCTAssertThrowsError(try Rational(parsing: bad), bad)
        }
        XCTAssertEqual(try Rational(parsing: "0x1.8p-3"), try Rational(parsing: "3/16"))
        XCTAssertEqual(try Rational(parsing: "-1.25e2"), Rational(-125))
        XCTAssertEqual(try Rational(parsing: " .5 "), try Rational(parsing: "1/2"))
    }

    func testExtremeFormatsAndValues() throws {
        let formats = [
            try FixedFormat(signed: true, intBits: -4000, fracBits: 4001),
            try FixedFormat(signed: false, intBits: 4096, fracBits: -3969),
            try FixedFormat.parse("s128.0"), try FixedFormat.parse("s1.127"), try FixedFormat.parse("u127.0"),
            try FixedFormat.parse("s1.0"), try FixedFormat.parse("u1.0"),
        ]
        let values: [Double] = [
            0, -0.0, 1, -1, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .greatestFiniteMagnitude,
            -.greatestFiniteMagnitude, .infinity, -.infinity, .nan, 0.5, -0.5,
        ]
        for f in formats {
            for q in Quantization.allCases {
                for o in Overflow.allCases {
                    let c = FixedConfig(f, rounding: q, overflow: o)
                    for x in values {
                        let r = FixedArithmetic.quantize(x, into: c, random: 0x8000_0000)
                        XCTAssertTrue(f.contains(raw: r), "\(x) into \(c)")
                        if let e = Rational(exactly: x) {
                            XCTAssertEqual(r, ExactReference.round(e, into: c, random: 0x8000_0000), "\(x) into \(c)")
                        }
                    }
                    for v in [Int128.min, Int128.max, 0, -1, 1] {
                        for frac in [-5000, -128, -1, 0, 1, 127, 128, 5000] {
                            let r = FixedArithmetic.quantize(v, fracBits: frac, into: c)
                            XCTAssertEqual(
                                r, ExactReference.round(Rational(raw: v, fracBits: frac), into: c),
                                "\(v)*2^-\(frac) into \(c)")
                        }
                    }
                }
            }
        }
    }

    func testRequantizeMatchesGMP() throws {
        var g = RandomCases(seed: 0x7E0)
        for trial in 0..<200 {
            let from = g.format(widths: 1...40), to = g.config(g.format(widths: 1...32))
            let raw = (0..<17).map { _ in Int64(truncatingIfNeeded: g.raw(in: from)) }
            var out = [Int32](repeating: 0, count: raw.count)
            let stream = StochasticStream(seed: UInt64(trial))
            try raw.withUnsafeBufferPointer { r in
                try out.withUnsafeMutableBufferPointer {
                    try FixedKernels.requantize(r, from: from, into: $0, config: to, stochastic: stream)
                }
            }
            for i in raw.indices {
                XCTAssertEqual(
                    to.format.raw(fromBits: Int64(out[i])),
                    ExactReference.round(
                        ExactReference.value(raw: from.raw(fromBits: raw[i]), format: from),
                        into: to, random: stream.word(i)))
            }
        }
    }
}
