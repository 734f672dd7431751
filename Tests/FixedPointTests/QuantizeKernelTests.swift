import FixedPoint
import XCTest

/// The vectorised quantize kernel equals GMP's exact rounding element for element, in every mode.
final class QuantizeKernelTests: XCTestCase {
    /// Floats that stress a format: ties at its half ULPs, values near its bounds, NaN, infinities, huge and tiny.
    func inputs(for f: FixedFormat, count: Int, g: inout RandomCases) -> [Float] {
        let ulp = Float(sign: .plus, exponent: -f.fracBits, significand: 1)
        let top = Float(f.rawMax) * ulp
        return (0..<count).map { i in
            switch i % 11 {
            case 0: return (Float(g.int(-70_000...70_000)) + 0.5) * ulp  // exact ties
            case 1: return Float(g.int(-70_000...70_000)) * ulp * 0.25  // quarter ULPs
            case 2: return top * Float(g.int(-3...3)) + ulp * Float(g.int(-2...2)) * 0.5
            case 3:
                return [Float.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -1e30, 1e-40, -1e-40, 0, -0.0][
                    g.int(0...8)]
            case 4: return Float(bitPattern: g.word())
            default:
                return Float(g.int(-1 << 24...1 << 24)) * Float(sign: .plus, exponent: g.int(-30...4), significand: 1)
            }
        }
    }

    func testSIMDAndScalarPathsEqualGMPInEveryMode() throws {
        var g = RandomCases(seed: 0x0A11)
        var checked = 0
        for trial in 0..<90 {
            // Mostly SIMD-eligible formats (<= 22 bits, F >= 0), some that take the scalar path.
            let signed = g.bool()
            let w = trial % 5 == 0 ? g.int(23...32) : g.int(1...22)
            let fr = trial % 7 == 0 ? g.int(-6...(w + 6)) : g.int(0...(w + 6))
            let f = try FixedFormat(signed: signed, intBits: w - fr, fracBits: fr)
            let cfg = FixedConfig(
                f, rounding: Quantization.allCases[trial % Quantization.allCases.count],
                overflow: Overflow.allCases[(trial / 9) % Overflow.allCases.count])
            let x = inputs(for: f, count: 203, g: &g)  // not a multiple of 16: exercises the tail
            let stream = StochasticStream(seed: UInt64(trial))
            var out = [Int32](repeating: 0, count: x.count)
            try x.withUnsafeBufferPointer { s in
                try out.withUnsafeMutableBufferPointer {
                    try FixedKernels.quantize(s, into: $0, config: cfg, stochastic: stream)
                }
            }
            for i in x.indices {
                let want: Int128
                if let q = Rational(exactly: x[i]) {
                    want = ExactReference.round(q, into: cfg, random: stream.word(i))
                } else {
                    want = FixedArithmetic.quantize(x[i], into: cfg)  // NaN/inf: documented special values
                }
                XCTAssertEqual(f.raw(fromBits: Int64(out[i])), want, "\(x[i]) into \(cfg)")
                checked += 1
            }
            // Int64 storage takes the C kernel, compiled for each instruction set: the same raw values on each.
            for isa in IntKernelISA.supported {
                var wide = [Int64](repeating: 0, count: x.count)
                try x.withUnsafeBufferPointer { s in
                    try wide.withUnsafeMutableBufferPointer {
                        try FixedKernels.quantize(s, into: $0, config: cfg, stochastic: stream, isa: isa)
                    }
                }
                for i in x.indices where f.raw(fromBits: wide[i]) != f.raw(fromBits: Int64(out[i])) {
                    XCTFail("\(isa): \(x[i]) into \(cfg): \(wide[i]) vs \(out[i])")
                    break
                }
            }
        }
        XCTAssertGreaterThan(checked, 18_000)
    }

    /// `DoubleQuantizer` (the loss unit's rounding) equals `FixedArithmetic.quantize` on Doubles: ties, quarter ULPs,
    /// bounds, huge, tiny and non-finite values, every deterministic mode and overflow.
    func testDoubleQuantizerEqualsQuantize() {
        var g = RandomCases(seed: 0xD0B1)
        let modes = Quantization.allCases.filter { $0 != .stochastic }
        var checked = 0
        for trial in 0..<160 {
            let f = g.format(widths: 1...53)
            let cfg = FixedConfig(f, rounding: modes[trial % modes.count], overflow: Overflow.allCases[(trial / 8) % 4])
            guard let q = DoubleQuantizer(cfg) else { continue }
            let ulp = Double(sign: .plus, exponent: -f.fracBits, significand: 1)
            for i in 0..<150 {
                let x: Double
                switch i % 6 {
                case 0: x = (Double(g.int(-70_000...70_000)) + 0.5) * ulp
                case 1: x = Double(g.int(-70_000...70_000)) * ulp * 0.25
                case 2:
                    x = Double(FixedArithmetic.toDouble(g.raw(in: f), format: f)) + ulp * Double(g.int(-2...2)) * 0.5
                case 3: x = [Double.nan, .infinity, -.infinity, .greatestFiniteMagnitude, 1e-300, -0.0][g.int(0...5)]
                default:
                    x =
                        Double(g.int(-1 << 40...1 << 40))
                        * Double(sign: .plus, exponent: g.int(-60...20), significand: 1)
                }
                let want = FixedArithmetic.quantize(x, into: cfg)
                if Int128(q.quantize(x)) != want {
                    return XCTFail("\(x) into \(cfg): \(q.quantize(x)) != \(want)")
                }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 15_000)
    }

    func testInt16StorageAndRoundTrip() throws {
        let cfg = try FixedConfig(format: "s3.12", rounding: "RND_CONV", overflow: "SAT")
        let x: [Float] = [0.1, -0.1, 3.99999, -4.5, 1.0 / 8192.0, 3.0 / 8192.0]
        var raw = [Int16](repeating: 0, count: x.count)
        try x.withUnsafeBufferPointer { s in
            try raw.withUnsafeMutableBufferPointer { try FixedKernels.quantize(s, into: $0, config: cfg) }
        }
        // 0.1 * 4096 = 409.6 -> 410; 3.99999 saturates to 16383; -4.5 to -16384; half ULPs go to even.
        XCTAssertEqual(raw, [410, -410, 16383, -16384, 0, 2])
        var back = [Float](repeating: 0, count: x.count)
        try raw.withUnsafeBufferPointer { r in
            try back.withUnsafeMutableBufferPointer { try FixedKernels.dequantize(r, format: cfg.format, into: $0) }
        }
        XCTAssertEqual(back[0], 410.0 / 4096.0)
        XCTAssertEqual(back[2], 16383.0 / 4096.0)
        XCTAssertThrowsError(try FixedKernels.quantize(x, config: FixedConfig(try .parse("s40.40"))))
        var tooSmall = [Int8](repeating: 0, count: x.count)
        XCTAssertThrowsError(
            try x.withUnsafeBufferPointer { s in
                try tooSmall.withUnsafeMutableBufferPointer { try FixedKernels.quantize(s, into: $0, config: cfg) }
            })
    }
}
