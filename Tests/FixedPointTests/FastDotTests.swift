import FixedPoint
import XCTest

/// The Int64 fast path of `FixedMAC.accumulateDot` equals the step-by-step datapath (and the GMP model) bit for bit.
final class FastDotTests: XCTestCase {
    /// A datapath in (or near) the fast path's domain: exact products of at most 62 bits, unrounded accumulation,
    /// every deterministic product rounding and overflow, WRAP or wide never-overflowing SAT accumulators. Some draws
    /// fall outside (stochastic products, narrow SAT accumulators) to exercise the fallback.
    func randomFastMAC(_ g: inout RandomCases) -> FixedMAC? {
        let wa = g.int(1...40)
        let a = g.format(widths: 1...wa), b = g.format(widths: 1...max(1, 62 - a.width))
        guard let exact = try? FixedFormat.exactProduct(a, b) else { return nil }
        // Products: exact, a few bits cut (ties are common), or anything (big shifts, finer grids, narrow ranges).
        let pf: FixedFormat
        switch g.int(0...3) {
        case 0: pf = exact
        case 1, 2:
            let cut = g.int(1...6)
            let w = max(1, exact.width - cut + g.int(-4...4))
            pf = try! FixedFormat(
                signed: g.bool() || exact.isSigned && g.int(0...3) > 0,
                intBits: w - (exact.fracBits - cut), fracBits: exact.fracBits - cut)
        default: pf = g.format(widths: 1...64)
        }
        var pc = g.config(pf)
        if pc.rounding == .stochastic && g.int(0...3) > 0 { pc.rounding = .roundHalfToEven }
        // Accumulator: at least the product's fraction bits (unrounded accumulate).
        let accFrac = pf.fracBits + g.int(0...6)
        let accWidth = g.int(0...2) == 0 ? g.int(1...40) : g.int(40...128)
        let accSigned = g.int(0...4) > 0
        guard accWidth <= (accSigned ? 128 : 127),
            let af = try? FixedFormat(signed: accSigned, intBits: accWidth - accFrac, fracBits: accFrac)
        else { return nil }
        let ac = FixedConfig(
            af, rounding: Quantization.allCases.randomElement(using: &g.rng)!,
            overflow: g.int(0...1) == 0 ? .wrap : Overflow.allCases.randomElement(using: &g.rng)!)
        let of = g.config(g.format(widths: 1...40))
        return try? FixedMAC(a: a, b: b, config: MACConfig(product: pc, accumulator: ac, output: of))
    }

    /// Storage bits for a raw value: the value in the low bits, garbage above (raw(fromBits:) ignores it).
    func bits(_ g: inout RandomCases, _ raw: Int128, _ f: FixedFormat) -> Int64 {
        let v = Int64(truncatingIfNeeded: raw)
        guard f.width < 64, g.bool() else { return v }
        let garbage = Int64.random(in: .min ... .max, using: &g.rng) << f.width
        return (v & ((1 << f.width) - 1)) | garbage
    }

    func testFastPathEqualsStepByStepAndGMP() throws {
        var g = RandomCases(seed: 0xFA57)
        var fastCases = 0, checked = 0
        for trial in 0..<8_000 {
            guard let mac = randomFastMAC(&g) else { continue }
            let n = g.int(1...40)
            let sa = g.int(1...3), sb = g.int(1...3)
            var xa = [Int64](repeating: 0, count: n * sa), xb = [Int64](repeating: 0, count: n * sb)
            var ra: [Int128] = [], rb: [Int128] = []
            for t in 0..<n {
                let x = g.raw(in: mac.a), y = g.raw(in: mac.b)
                ra.append(x); rb.append(y)
                xa[t * sa] = bits(&g, x, mac.a)
                xb[t * sb] = bits(&g, y, mac.b)
            }
            let start = g.bool() ? 0 : g.raw(in: mac.config.accumulator.format)
            let (fast, slow) = xa.withUnsafeBufferPointer { pa in
                xb.withUnsafeBufferPointer { pb in
                    (
                        mac.accumulateDot(
                            pa.baseAddress!, strideA: sa, pb.baseAddress!, strideB: sb, count: n, start: start),
                        mac.accumulateDotStepByStep(
                            pa.baseAddress!, strideA: sa, pb.baseAddress!, strideB: sb, count: n, start: start)
                    )
                }
            }
            XCTAssertEqual(fast, slow, "trial \(trial): \(mac.a) x \(mac.b) via \(mac.config), start \(start)")
            if fast != slow { return }
            let viaFast = xa.withUnsafeBufferPointer { pa in
                xb.withUnsafeBufferPointer { pb in
                    mac.accumulateDotFast(
                        pa.baseAddress!, strideA: sa, pb.baseAddress!, strideB: sb, count: n, start: start)
                }
            }
            if let viaFast {
                XCTAssertEqual(viaFast, slow)
                fastCases += 1
            }
            // The GMP model on a share of the cases (it is slow).
            if trial % 4 == 0 {
                let model = ExactReference.macDatapath(
                    a: ra, b: rb, mac: mac, start: start, random: { StochasticStream.default.word($0) })
                XCTAssertEqual(fast, model.accumulator, "GMP, trial \(trial): \(mac.a) x \(mac.b) via \(mac.config)")
                if fast != model.accumulator { return }
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 6_000)
        XCTAssertGreaterThan(fastCases, 4_000)
        print("FastDotTests: \(checked) datapaths checked, \(fastCases) through the fast path")
    }

    /// Every deterministic rounding mode on exact ties of both signs, and products that overflow the product format in
    /// every overflow mode: the edge model's shape (s4.4 x s2.6, products cut by 1-3 bits) and unsigned variants.
    func testTiesAndProductOverflowEveryMode() throws {
        var g = RandomCases(seed: 0x7135)
        let operandPairs = [("s4.4", "s2.6"), ("u4.4", "s2.6"), ("u3.5", "u2.6"), ("s1.7", "s1.7"), ("s31.0", "s31.0")]
        var cases = 0, fastCount = 0
        for (fa, fb) in operandPairs {
            let a = try FixedFormat.parse(fa), b = try FixedFormat.parse(fb)
            let exact = try FixedFormat.exactProduct(a, b)
            for cut in [1, 2, 3, 70] {
                for narrow in [0, 3] {
                    for signed in [true, false] {
                        let w = max(1, exact.width - cut - narrow)
                        let pf = try FixedFormat(
                            signed: signed, intBits: w - (exact.fracBits - cut), fracBits: exact.fracBits - cut)
                        for mode in Quantization.allCases where mode != .stochastic {
                            for o in Overflow.allCases {
                                let acc = try FixedFormat(
                                    signed: true, intBits: 72 - (pf.fracBits + 2), fracBits: pf.fracBits + 2)
                                let mac = try FixedMAC(
                                    a: a, b: b,
                                    config: MACConfig(
                                        product: FixedConfig(pf, rounding: mode, overflow: o),
                                        accumulator: FixedConfig(acc, overflow: g.bool() ? .wrap : .saturate),
                                        output: FixedConfig(acc)))
                                XCTAssertTrue(mac.hasFastDotPath, "\(mac.config)")
                                // Single terms show each rounding; sums show the accumulation.
                                for n in [1, 1, 1, 1, 7, 33] {
                                    let xs = (0..<n).map { _ in g.raw(in: a) }, ys = (0..<n).map { _ in g.raw(in: b) }
                                    let a64 = xs.map { Int64(truncatingIfNeeded: $0) },
                                        b64 = ys.map { Int64(truncatingIfNeeded: $0) }
                                    let (fast, slow) = a64.withUnsafeBufferPointer { pa in
                                        b64.withUnsafeBufferPointer { pb in
                                            (
                                                mac.accumulateDot(
                                                    pa.baseAddress!, strideA: 1, pb.baseAddress!, strideB: 1, count: n),
                                                mac.accumulateDotStepByStep(
                                                    pa.baseAddress!, strideA: 1, pb.baseAddress!, strideB: 1, count: n)
                                            )
                                        }
                                    }
                                    let taken = a64.withUnsafeBufferPointer { pa in
                                        b64.withUnsafeBufferPointer { pb in
                                            mac.accumulateDotFast(
                                                pa.baseAddress!, strideA: 1, pb.baseAddress!, strideB: 1, count: n)
                                        }
                                    }
                                    if taken != nil { fastCount += 1 }
                                    // The same sum as a 1 x n by n x 1 GEMM: the packed path (Int32 lanes when narrow).
                                    var c = [Int128](repeating: 0, count: 1)
                                    try a64.withUnsafeBufferPointer { pa in
                                        try b64.withUnsafeBufferPointer { pb in
                                            try c.withUnsafeMutableBufferPointer {
                                                try mac.gemm(
                                                    a: pa, MatrixLayout(rows: 1, columns: n), b: pb,
                                                    MatrixLayout(rows: n, columns: 1), into: $0)
                                            }
                                        }
                                    }
                                    XCTAssertEqual(
                                        c[0], mac.writeBack(slow), "GEMM: \(fa) x \(fb) via \(mac.config): \(xs) \(ys)")
                                    let model = ExactReference.macDatapath(a: xs, b: ys, mac: mac).accumulator
                                    XCTAssertEqual(fast, slow, "\(fa) x \(fb) via \(mac.config): \(xs) \(ys)")
                                    XCTAssertEqual(fast, model, "GMP: \(fa) x \(fb) via \(mac.config): \(xs) \(ys)")
                                    if fast != slow || fast != model { return }
                                    cases += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        XCTAssertGreaterThan(cases, 5_000)
        XCTAssertGreaterThan(fastCount, cases * 3 / 4)
        print("FastDotTests: \(cases) tie/overflow cases, \(fastCount) through the fast path")
    }

    /// Narrow storage types (Int8, Int16, Int32) read through the same decoding as Int64 storage.
    func testNarrowStorageTypes() throws {
        var g = RandomCases(seed: 0x5707)
        let a = try FixedFormat.parse("s4.4"), b = try FixedFormat.parse("s2.0")
        let mac = try FixedMAC(
            a: a, b: b,
            config: MACConfig(
                product: FixedConfig(try .parse("s3.3"), rounding: .roundHalfToEven, overflow: .saturate),
                accumulator: FixedConfig(try .parse("s8.8"), overflow: .wrap), output: FixedConfig(try .parse("s8.8"))))
        XCTAssertTrue(mac.hasFastDotPath)
        for _ in 0..<500 {
            let n = g.int(1...64)
            let xs = (0..<n).map { _ in Int8(truncatingIfNeeded: g.int(-128...127)) }
            let y16 = (0..<n).map { _ in Int16(truncatingIfNeeded: g.int(-40_000...40_000)) }
            let y32 = y16.map { Int32($0) &* 65_537 }
            let ref = (0..<n).map { Int64(xs[$0]) }, ry = (0..<n).map { Int64(y16[$0]) }
            let want = ref.withUnsafeBufferPointer { pa in
                ry.withUnsafeBufferPointer { pb in
                    mac.accumulateDotStepByStep(pa.baseAddress!, strideA: 1, pb.baseAddress!, strideB: 1, count: n)
                }
            }
            let got16 = xs.withUnsafeBufferPointer { pa in
                y16.withUnsafeBufferPointer { pb in
                    mac.accumulateDot(pa.baseAddress!, strideA: 1, pb.baseAddress!, strideB: 1, count: n)
                }
            }
            let got32 = xs.withUnsafeBufferPointer { pa in
                y32.withUnsafeBufferPointer { pb in
                    mac.accumulateDot(pa.baseAddress!, strideA: 1, pb.baseAddress!, strideB: 1, count: n)
                }
            }
            XCTAssertEqual(got16, want)
            XCTAssertEqual(got32, want)
        }
    }

    /// GEMMs through fast-path datapaths (Int32 and Int64 lanes, both layouts, bias preloads, garbage storage bits)
    /// equal per-output step-by-step dot products plus write-back, and the GMP model on a share.
    func testPackedGEMMEqualsStepByStep() throws {
        var g = RandomCases(seed: 0x6E35)
        var ran = 0, int32Lanes = 0
        for trial in 0..<600 {
            guard let mac = randomFastMAC(&g), mac.hasFastDotPath else { continue }
            if mac.hasInt32FastDotPath { int32Lanes += 1 }
            let m = g.int(1...7), n = g.int(1...7), k = g.int(0...50)
            let la = MatrixLayout(rows: m, columns: k, transposed: g.bool())
            let lb = MatrixLayout(rows: k, columns: n, transposed: g.bool())
            var ra = [Int128](repeating: 0, count: m * k), rb = [Int128](repeating: 0, count: k * n)
            var av = [Int64](repeating: 0, count: m * k), bv = [Int64](repeating: 0, count: k * n)
            for e in 0..<(m * k) { ra[e] = g.raw(in: mac.a); av[e] = bits(&g, ra[e], mac.a) }
            for e in 0..<(k * n) { rb[e] = g.raw(in: mac.b); bv[e] = bits(&g, rb[e], mac.b) }
            let biasFormat = g.format(widths: 1...40)
            let bias = (0..<n).map { _ in Int64(truncatingIfNeeded: g.raw(in: biasFormat)) }
            let useBias = g.bool()
            let stream = StochasticStream(seed: UInt64(trial), row: 5)
            var c = [Int128](repeating: 0, count: m * n)
            try av.withUnsafeBufferPointer { pa in
                try bv.withUnsafeBufferPointer { pb in
                    try bias.withUnsafeBufferPointer { pbias in
                        try c.withUnsafeMutableBufferPointer {
                            try mac.gemm(
                                a: pa, la, b: pb, lb, into: $0, bias: useBias ? pbias : nil,
                                biasFormat: useBias ? biasFormat : nil, stochastic: stream)
                        }
                    }
                }
            }
            for i in 0..<m {
                for j in 0..<n {
                    let xs = (0..<k).map { av[la.transposed ? $0 * m + i : i * k + $0] }
                    let ys = (0..<k).map { bv[lb.transposed ? j * k + $0 : $0 * n + j] }
                    let start = useBias ? mac.preload(biasFormat.raw(fromBits: bias[j]), format: biasFormat) : 0
                    let index = i * n + j
                    let acc =
                        k == 0
                        ? start
                        : xs.withUnsafeBufferPointer { pa in
                            ys.withUnsafeBufferPointer { pb in
                                mac.accumulateDotStepByStep(
                                    pa.baseAddress!, strideA: 1, pb.baseAddress!, strideB: 1, count: k,
                                    start: start, stochastic: stream, index: index)
                            }
                        }
                    let r: UInt32 =
                        mac.config.output.rounding == .stochastic
                        ? stream.word(mac.writeBackWordIndex(index: index, count: k)) : 0
                    let want = mac.writeBack(acc, random: r)
                    XCTAssertEqual(c[index], want, "trial \(trial) (\(i),\(j)): \(mac.a) x \(mac.b) via \(mac.config)")
                    if c[index] != want { return }
                    if trial % 8 == 0 {
                        let model = ExactReference.macDatapath(
                            a: xs.map { mac.a.raw(fromBits: $0) }, b: ys.map { mac.b.raw(fromBits: $0) },
                            mac: mac, start: start, index: index, random: { stream.word($0) })
                        XCTAssertEqual(c[index], model.output, "GMP trial \(trial) (\(i),\(j))")
                    }
                }
            }
            ran += 1
        }
        XCTAssertGreaterThan(ran, 300)
        XCTAssertGreaterThan(int32Lanes, 100)
        print("FastDotTests: \(ran) fast-path GEMMs, \(int32Lanes) with Int32 lanes")
    }
}
