import FixedPoint
import XCTest

/// Accumulators coarser than the products (accumulate rounds): the fast plan's two-stage terms
/// round_acc(round_prod(x * y)) equal the step-by-step datapath (and the GMP model) for TRN, RND and RND_MIN_INF
/// accumulators; every other accumulator rounding keeps the general path.
final class AccStageTests: XCTestCase {
    static let invariant: [Quantization] = [.truncate, .roundHalfUp, .roundHalfDown]

    /// Operands of at most `maxWidth` bits, products cut by a few bits (every deterministic mode, WRAP or SAT),
    /// an accumulator with 1...stageMax fewer fraction bits than the product, rounded by `accModes`.
    func randomStagedMAC(_ g: inout RandomCases, accModes: [Quantization], maxWidth: Int = 24) -> FixedMAC? {
        let a = g.format(widths: 1...maxWidth), b = g.format(widths: 1...maxWidth)
        guard let exact = try? FixedFormat.exactProduct(a, b) else { return nil }
        let cut = g.int(0...6)
        let pw = max(1, exact.width - cut + g.int(-4...2))
        guard
            let pf = try? FixedFormat(
                signed: exact.isSigned || g.int(0...3) == 0, intBits: pw - (exact.fracBits - cut),
                fracBits: exact.fracBits - cut)
        else { return nil }
        let deterministic = Quantization.allCases.filter { $0 != .stochastic }
        let pc = FixedConfig(
            pf, rounding: deterministic.randomElement(using: &g.rng)!,
            overflow: [.wrap, .saturate, .saturateSymmetric, .saturateToZero].randomElement(using: &g.rng)!)
        let stage = g.int(0...5) == 0 ? g.int(1...40) : g.int(1...8)
        let accFrac = pf.fracBits - stage
        let accWidth = g.int(0...1) == 0 ? g.int(2...24) : g.int(24...64)
        guard let af = try? FixedFormat(signed: g.int(0...4) > 0, intBits: accWidth - accFrac, fracBits: accFrac)
        else { return nil }
        let ac = FixedConfig(
            af, rounding: accModes.randomElement(using: &g.rng)!,
            overflow: g.bool() ? .wrap : [.saturate, .saturateSymmetric].randomElement(using: &g.rng)!)
        let of = FixedConfig(g.format(widths: 1...40), rounding: .roundHalfToEven, overflow: .saturate)
        return try? FixedMAC(a: a, b: b, config: MACConfig(product: pc, accumulator: ac, output: of))
    }

    func dots(_ mac: FixedMAC, _ xa: [Int64], _ xb: [Int64], start: Int128) -> (Int128, Int128?, Int128) {
        xa.withUnsafeBufferPointer { pa in
            xb.withUnsafeBufferPointer { pb in
                let (p, q, n) = (pa.baseAddress!, pb.baseAddress!, xa.count)
                return (
                    mac.accumulateDot(p, strideA: 1, q, strideB: 1, count: n, start: start),
                    mac.accumulateDotFast(p, strideA: 1, q, strideB: 1, count: n, start: start),
                    mac.accumulateDotStepByStep(p, strideA: 1, q, strideB: 1, count: n, start: start)
                )
            }
        }
    }

    func testStagedDotEqualsStepByStepAndGMP() throws {
        var g = RandomCases(seed: 0xACC5)
        var checked = 0, fastCases = 0
        for trial in 0..<6_000 {
            guard let mac = randomStagedMAC(&g, accModes: Self.invariant) else { continue }
            let n = [1, 2, 3, 7, 16, 33, 100].randomElement(using: &g.rng)!
            let ra = (0..<n).map { _ in g.raw(in: mac.a) }, rb = (0..<n).map { _ in g.raw(in: mac.b) }
            let xa = ra.map { Int64(truncatingIfNeeded: $0) }, xb = rb.map { Int64(truncatingIfNeeded: $0) }
            let start = g.bool() ? 0 : g.raw(in: mac.config.accumulator.format)
            let (dot, fast, slow) = dots(mac, xa, xb, start: start)
            XCTAssertEqual(dot, slow, "trial \(trial): \(mac.a) x \(mac.b) via \(mac.config), start \(start)")
            if let fast {
                XCTAssertEqual(fast, slow, "fast, trial \(trial): \(mac.a) x \(mac.b) via \(mac.config)")
                fastCases += 1
            }
            if dot != slow || (fast != nil && fast != slow) { return }
            if trial % 5 == 0 {
                let model = ExactReference.macDatapath(a: ra, b: rb, mac: mac, start: start).accumulator
                XCTAssertEqual(slow, model, "GMP, trial \(trial): \(mac.a) x \(mac.b) via \(mac.config)")
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 4_000)
        XCTAssertGreaterThan(fastCases, checked / 2)
        print("AccStageTests: \(checked) staged datapaths, \(fastCases) through the fast path")
    }

    /// GEMMs (packed Int32 / Int64 plans, and the value tables for a narrow operand) against step-by-step dots.
    func testStagedGEMM() throws {
        var g = RandomCases(seed: 0x6E33)
        var checked = 0
        for trial in 0..<300 {
            let narrowB = trial % 2 == 0
            guard let mac0 = randomStagedMAC(&g, accModes: Self.invariant, maxWidth: 16) else { continue }
            // Half the cases: a 2-4 bit B with many columns, the shape where value tables beat direct products.
            let mac: FixedMAC
            if narrowB {
                let b = try FixedFormat(signed: g.bool(), intBits: g.int(0...3), fracBits: 0 + g.int(1...2))
                let a = try FixedFormat(signed: true, intBits: 4, fracBits: g.int(5...10))
                let exact = try FixedFormat.exactProduct(a, b)
                var cfg = mac0.config
                let stage = g.int(1...4)
                cfg.product.format = try FixedFormat(
                    signed: true, intBits: exact.intBits, fracBits: exact.fracBits - g.int(0...2))
                cfg.accumulator.format = try FixedFormat(
                    signed: true, intBits: g.int(4...16), fracBits: cfg.product.format.fracBits - stage)
                mac = try FixedMAC(a: a, b: b, config: cfg)
            } else {
                mac = mac0
            }
            let m = narrowB ? 8 : g.int(1...6), n = narrowB ? 200 : g.int(1...40), k = g.int(1...24)
            let av = (0..<(m * k)).map { _ in Int64(truncatingIfNeeded: g.raw(in: mac.a)) }
            let bv = (0..<(k * n)).map { _ in Int64(truncatingIfNeeded: g.raw(in: mac.b)) }
            let bias = (0..<n).map { _ in Int64(truncatingIfNeeded: g.raw(in: mac.config.accumulator.format)) }
            let useBias = g.bool()
            var c = [Int128](repeating: 0, count: m * n)
            try av.withUnsafeBufferPointer { pa in
                try bv.withUnsafeBufferPointer { pb in
                    try bias.withUnsafeBufferPointer { pbias in
                        try c.withUnsafeMutableBufferPointer {
                            try mac.gemm(
                                a: pa, MatrixLayout(rows: m, columns: k), b: pb, MatrixLayout(rows: k, columns: n),
                                into: $0, bias: useBias ? pbias : nil,
                                biasFormat: useBias ? mac.config.accumulator.format : nil)
                        }
                    }
                }
            }
            for i in 0..<m {
                for j in 0..<n {
                    let row = Array(av[(i * k)..<(i * k + k)]), col = (0..<k).map { bv[$0 * n + j] }
                    let start = useBias ? mac.preload(Int128(bias[j]), format: mac.config.accumulator.format) : 0
                    let want = mac.writeBack(dots(mac, row, col, start: start).2)
                    XCTAssertEqual(c[i * n + j], want, "trial \(trial) (\(i), \(j)): \(mac.a) x \(mac.b) \(mac.config)")
                    if c[i * n + j] != want { return }
                }
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 200)
    }

    /// Accumulator roundings that depend on the accumulator's sign or parity, or on random words, keep the general
    /// path when accumulation rounds (and still match it through accumulateDot).
    func testNonInvariantAccumulatorRoundingTakesGeneralPath() throws {
        var g = RandomCases(seed: 0x9E4E)
        let others = Quantization.allCases.filter { !Self.invariant.contains($0) }
        XCTAssertEqual(Set(others), [.truncateToZero, .roundHalfToZero, .roundHalfAwayFromZero, .roundHalfToEven,
            .roundHalfToOdd, .stochastic])
        var checked = 0
        for _ in 0..<500 {
            guard let mac = randomStagedMAC(&g, accModes: others) else { continue }
            XCTAssertFalse(mac.hasFastDotPath, "\(mac.config)")
            let n = g.int(1...20)
            let xa = (0..<n).map { _ in Int64(truncatingIfNeeded: g.raw(in: mac.a)) }
            let xb = (0..<n).map { _ in Int64(truncatingIfNeeded: g.raw(in: mac.b)) }
            let (dot, fast, slow) = dots(mac, xa, xb, start: 0)
            XCTAssertNil(fast)
            XCTAssertEqual(dot, slow)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 300)
    }

    /// The edge model's datapath at accumulator widths 16 and 20 (s16.0, s16.4: coarser than the s8.8 products).
    func testEdgeShapes() throws {
        var g = RandomCases(seed: 0xED6E)
        for accFmt in ["s16.0", "s16.4"] {
            for (accMode, ovf) in [(Quantization.truncate, Overflow.wrap), (.roundHalfUp, .saturate)] {
                let mac = try FixedMAC(
                    a: try .parse("s4.4"), b: try .parse("s2.6"),
                    config: MACConfig(
                        product: FixedConfig(try .parse("s8.8"), rounding: .roundHalfToEven, overflow: .wrap),
                        accumulator: FixedConfig(try .parse(accFmt), rounding: accMode, overflow: ovf),
                        output: FixedConfig(try .parse("s8.8"))))
                XCTAssertTrue(mac.hasFastDotPath)
                for _ in 0..<400 {
                    let n = g.int(1...300)
                    let xa = (0..<n).map { _ in Int64(truncatingIfNeeded: g.raw(in: mac.a)) }
                    let xb = (0..<n).map { _ in Int64(truncatingIfNeeded: g.raw(in: mac.b)) }
                    let start = g.bool() ? 0 : g.raw(in: mac.config.accumulator.format)
                    let (dot, _, slow) = dots(mac, xa, xb, start: start)
                    XCTAssertEqual(dot, slow, "\(mac.config)")
                    if dot != slow { return }
                }
            }
        }
    }
}
