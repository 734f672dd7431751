import FixedPoint
import XCTest

/// The LR / ALR gradient datapath against GMP: exact when wide enough, the step-by-step model when narrow, and the
/// float32 reference against an independent rational computation.
final class LRGradientTests: XCTestCase {
    struct Problem {
        var batch: Int, copies: Int, outputs: Int, inputs: Int
        var losses: [Int64], signs: [UInt8], noise: [Int64], x: [Int64]
    }

    func problem(_ g: inout RandomCases, loss: FixedFormat, noise: FixedFormat, input: FixedFormat) -> Problem {
        let b = g.int(1...6), k = g.int(1...8), j = g.int(1...5), i = g.int(1...7)
        return Problem(
            batch: b, copies: k, outputs: j, inputs: i,
            losses: (0..<(b * k)).map { _ in Int64(truncatingIfNeeded: g.raw(in: loss)) },
            signs: (0..<(b * k * j)).map { _ in UInt8(g.int(0...1)) },
            noise: (0..<(b * k * j)).map { _ in Int64(truncatingIfNeeded: g.raw(in: noise)) },
            x: (0..<(b * i)).map { _ in Int64(truncatingIfNeeded: g.raw(in: input)) })
    }

    func run(_ d: LRGradientDatapath, _ p: Problem, sign: Bool, stream: StochasticStream = .default) throws -> [Int64] {
        var dW = [Int64](repeating: 0, count: p.outputs * p.inputs)
        try p.losses.withUnsafeBufferPointer { l in
            try p.x.withUnsafeBufferPointer { x in
                try dW.withUnsafeMutableBufferPointer { out in
                    if sign {
                        try p.signs.withUnsafeBufferPointer {
                            try d.gradient(
                                losses: l, scores: $0, inputs: x, batch: p.batch, copies: p.copies,
                                outputs: p.outputs, inputCount: p.inputs, into: out, stochastic: stream)
                        }
                    } else {
                        try p.noise.withUnsafeBufferPointer {
                            try d.gradient(
                                losses: l, scores: $0, inputs: x, batch: p.batch, copies: p.copies,
                                outputs: p.outputs, inputCount: p.inputs, into: out, stochastic: stream)
                        }
                    }
                }
            }
        }
        return dW
    }

    /// Wide formats at every rounding point: the datapath gradient is the exact gradient.
    func testWideDatapathIsExact() throws {
        var g = RandomCases(seed: 0x1A)
        let loss = try FixedFormat.parse("s4.12"), noise = try FixedFormat.parse("s3.13"),
            input = try FixedFormat.parse("u1.15")
        for trial in 0..<60 {
            let sign = trial % 2 == 0
            let p = problem(&g, loss: loss, noise: noise, input: input)
            let red = try FixedFormat.exactProduct(loss, sign ? LRGradientDatapath.signFormat : noise)
            let wide = FixedConfig(
                try FixedFormat(signed: true, intBits: red.intBits + 4, fracBits: red.fracBits), overflow: .saturate)
            let outP = try FixedFormat.exactProduct(wide.format, input)
            let acc = FixedConfig(try FixedFormat(signed: true, intBits: outP.intBits + 4, fracBits: outP.fracBits))
            let d = try LRGradientDatapath(
                lossFormat: loss, inputFormat: input, encoding: sign ? .sign : .noise(noise),
                reduction: MACConfig(product: FixedConfig(red), accumulator: wide, output: wide),
                outer: MACConfig(
                    product: FixedConfig(outP), accumulator: acc,
                    output: FixedConfig(
                        try FixedFormat(signed: true, intBits: 64 - outP.fracBits, fracBits: outP.fracBits))))
            let dW = try run(d, p, sign: sign)
            let exact =
                sign
                ? ExactReference.lrGradient(
                    datapath: d, losses: p.losses, scores: p.signs, inputs: p.x, batch: p.batch,
                    copies: p.copies, outputs: p.outputs, inputCount: p.inputs)
                : ExactReference.lrGradient(
                    datapath: d, losses: p.losses, scores: p.noise, inputs: p.x, batch: p.batch,
                    copies: p.copies, outputs: p.outputs, inputCount: p.inputs)
            let of = d.outer.config.output.format
            for e in dW.indices {
                XCTAssertEqual(
                    ExactReference.value(raw: of.raw(fromBits: dW[e]), format: of),
                    exact.value(e / p.inputs, e % p.inputs), "trial \(trial) element \(e)")
            }
        }
    }

    /// Narrow, rounding, saturating and stochastic formats: the datapath equals the step-by-step GMP model.
    func testNarrowDatapathMatchesGMPModel() throws {
        var g = RandomCases(seed: 0x1B)
        let loss = try FixedFormat.parse("s4.12"), noise = try FixedFormat.parse("s3.5"),
            input = try FixedFormat.parse("u1.7")
        var ran = 0
        for trial in 0..<120 {
            let sign = trial % 2 == 0
            let p = problem(&g, loss: loss, noise: noise, input: input)
            let w = g.config(try FixedFormat(signed: true, intBits: g.int(1...8), fracBits: g.int(0...10)))
            let red = MACConfig(
                product: g.config(g.format(widths: 4...20)), accumulator: g.config(g.format(widths: 6...24)), output: w)
            let outer = MACConfig(
                product: g.config(g.format(widths: 4...24)), accumulator: g.config(g.format(widths: 6...32)),
                output: g.config(g.format(widths: 4...16)))
            guard
                let d = try? LRGradientDatapath(
                    lossFormat: loss, inputFormat: input, encoding: sign ? .sign : .noise(noise),
                    reduction: red, outer: outer)
            else { continue }
            let stream = StochasticStream(seed: UInt64(trial))
            let dW = try run(d, p, sign: sign, stream: stream)
            let model =
                sign
                ? ExactReference.lrGradientDatapath(
                    datapath: d, losses: p.losses, scores: p.signs, inputs: p.x, batch: p.batch,
                    copies: p.copies, outputs: p.outputs, inputCount: p.inputs, stochastic: stream)
                : ExactReference.lrGradientDatapath(
                    datapath: d, losses: p.losses, scores: p.noise, inputs: p.x, batch: p.batch,
                    copies: p.copies, outputs: p.outputs, inputCount: p.inputs, stochastic: stream)
            XCTAssertEqual(dW.map { d.outer.config.output.format.raw(fromBits: $0) }, model, "trial \(trial)")
            ran += 1
        }
        XCTAssertGreaterThan(ran, 60)
    }

    /// The float32 reference equals a plain rational computation (independent: Rational arithmetic, no scaling tricks).
    func testFloatReferenceEqualsRationalArithmetic() throws {
        var g = RandomCases(seed: 0x1C)
        for trial in 0..<20 {
            let b = g.int(1...4), k = g.int(1...5), j = g.int(1...4), i = g.int(1...5)
            func f() -> Float {
                switch g.int(0...5) {
                case 0: return 0
                case 1: return Float(bitPattern: g.word() & 0x807F_FFFF)  // subnormal
                default:
                    return Float(g.int(-1_000_000...1_000_000))
                        * Float(sign: .plus, exponent: g.int(-40...4), significand: 1)
                }
            }
            let losses = (0..<(b * k)).map { _ in f() }
            let x = (0..<(b * i)).map { _ in f() }
            let signs = (0..<(b * k * j)).map { _ in UInt8(g.int(0...1)) }
            let noise = (0..<(b * k * j)).map { _ in f() }
            let useSigns = trial % 2 == 0
            let got = try ExactReference.lrGradient(
                losses: losses, signs: useSigns ? signs : nil, noise: useSigns ? nil : noise,
                inputs: x, batch: b, copies: k, outputs: j, inputCount: i)
            for jj in 0..<j {
                for ii in 0..<i {
                    let want = Rational(0)
                    for bb in 0..<b {
                        let wv = Rational(0)
                        for kk in 0..<k {
                            let s =
                                useSigns
                                ? Rational(signs[(bb * k + kk) * j + jj] == 0 ? 1 : -1)
                                : Rational(exactly: noise[(bb * k + kk) * j + jj])!
                            wv.formSum(Rational(exactly: losses[bb * k + kk])! * s)
                        }
                        want.formSum(wv * Rational(exactly: x[bb * i + ii])!)
                    }
                    XCTAssertEqual(got.value(jj, ii), want, "trial \(trial) (\(jj),\(ii))")
                }
            }
        }
        XCTAssertThrowsError(
            try ExactReference.lrGradient(
                losses: [.nan], signs: [0], inputs: [1], batch: 1, copies: 1, outputs: 1, inputCount: 1))
        XCTAssertThrowsError(
            try ExactReference.lrGradient(
                losses: [1, 2], signs: [0], inputs: [1], batch: 1, copies: 1, outputs: 1, inputCount: 1))
    }

    func testWeightUpdateMatchesGMP() throws {
        var g = RandomCases(seed: 0x1D)
        var ran = 0
        for trial in 0..<200 {
            let wc = g.config(g.format(widths: 4...24)), gf = g.format(widths: 4...24), lf = g.format(widths: 2...16)
            let step = g.config(g.format(widths: 4...32))
            guard let u = try? WeightUpdate(weight: wc, gradientFormat: gf, learningRateFormat: lf, step: step) else {
                continue
            }
            let n = 9
            var w = (0..<n).map { _ in Int64(truncatingIfNeeded: g.raw(in: wc.format)) }
            let before = w
            let grad = (0..<n).map { _ in Int64(truncatingIfNeeded: g.raw(in: gf)) }
            let lr = g.raw(in: lf)
            let stream = StochasticStream(seed: UInt64(trial))
            try w.withUnsafeMutableBufferPointer { pw in
                try grad.withUnsafeBufferPointer {
                    try u.apply(weights: pw, gradient: $0, learningRate: lr, stochastic: stream)
                }
            }
            for e in 0..<n {
                let prod =
                    ExactReference.value(raw: lr, format: lf)
                    * ExactReference.value(raw: gf.raw(fromBits: grad[e]), format: gf)
                let s = ExactReference.round(prod, into: step, random: stream.word(2 * e))
                let diff =
                    ExactReference.value(raw: wc.format.raw(fromBits: before[e]), format: wc.format)
                    - ExactReference.value(raw: s, format: step.format)
                XCTAssertEqual(
                    wc.format.raw(fromBits: w[e]), ExactReference.round(diff, into: wc, random: stream.word(2 * e + 1)),
                    "trial \(trial) element \(e)")
            }
            ran += 1
        }
        XCTAssertGreaterThan(ran, 100)
    }
}

/// The replay-speed raw reference and the comparison helper agree with the straightforward reference.
final class LRGradientRawTests: XCTestCase {
    func testRawReferenceEqualsBigIntReference() throws {
        var g = RandomCases(seed: 0x1E)
        let loss = try FixedFormat.parse("s4.12"), noise = try FixedFormat.parse("s3.5"),
            input = try FixedFormat.parse("u1.7")
        for trial in 0..<40 {
            let sign = trial % 2 == 0
            let b = g.int(0...5), k = g.int(0...6), j = g.int(1...4), i = g.int(1...5)
            let red = MACConfig(
                product: FixedConfig(try .parse("s8.17")), accumulator: FixedConfig(try .parse("s12.17")),
                output: FixedConfig(try .parse("s12.17")))
            let outer = MACConfig(
                product: FixedConfig(try .parse("s14.24")), accumulator: FixedConfig(try .parse("s20.24")),
                output: FixedConfig(try .parse("s8.8"), rounding: .roundHalfToEven, overflow: .saturate))
            let d = try LRGradientDatapath(
                lossFormat: loss, inputFormat: input, encoding: sign ? .sign : .noise(noise),
                reduction: red, outer: outer)
            let losses = (0..<(b * k)).map { _ in Int64(truncatingIfNeeded: g.raw(in: loss)) }
            let scores = (0..<(b * k * j)).map { _ in
                sign ? Int64(g.int(0...1)) : Int64(truncatingIfNeeded: g.raw(in: noise))
            }
            let x = (0..<(b * i)).map { _ in Int64(truncatingIfNeeded: g.raw(in: input)) }
            let fast = try ExactReference.lrGradientRaw(
                datapath: d, losses: losses, scores: scores, inputs: x, batch: b,
                copies: k, outputs: j, inputCount: i)
            let slow = ExactReference.lrGradient(
                datapath: d, losses: losses, scores: scores, inputs: x, batch: b,
                copies: k, outputs: j, inputCount: i)
            for e in 0..<(j * i) { XCTAssertEqual(fast.value(e / i, e % i), slow.value(e / i, e % i)) }
            let rounded = slow.rounded(into: outer.output)
            let cmp = try ExactReference.compare(datapath: rounded, config: outer.output, exact: fast)
            XCTAssertTrue(cmp.bitExact)
            // One rounding into s8.8 is at most half an ULP, unless a value saturated.
            let saturated = rounded.contains { $0 == outer.output.format.rawMax || $0 == outer.output.format.rawMin }
            if !saturated { XCTAssertLessThanOrEqual(cmp.maxAbsError, 0.5 / 256) }
        }
    }
}
