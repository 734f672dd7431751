import FixedPoint
import XCTest

/// The integer SIMD kernels (`FixedMAC.gemm` on int16 / int32 lanes, `gemmInt16Wrapping`) equal the step-by-step
/// datapath and the GMP model bit for bit, on every instruction set this machine runs (AVX-512 VNNI, AVX2, scalar).
final class IntKernelTests: XCTestCase {
    /// A datapath in the kernels' domain: operands up to 16 bits (sometimes up to 24, for int32 lanes), products
    /// exact or a few bits cut with every deterministic rounding, WRAP / SAT / SAT_SYM products, 32-bit WRAP or
    /// wide accumulators.
    func randomIntMAC(_ g: inout RandomCases) -> FixedMAC? {
        let wide = g.int(0...3) == 0
        let a = g.format(widths: 1...(wide ? 24 : 12)), b = g.format(widths: 1...(wide ? 12 : 10))
        guard let exact = try? FixedFormat.exactProduct(a, b) else { return nil }
        let pf: FixedFormat
        if g.int(0...4) == 0 {
            pf = exact
        } else {
            let cut = g.int(1...6)
            let w = max(1, exact.width - cut + g.int(-3...1))
            pf = try! FixedFormat(
                signed: exact.isSigned || g.int(0...4) == 0, intBits: w - (exact.fracBits - cut),
                fracBits: exact.fracBits - cut)
        }
        let modes = Quantization.allCases.filter { $0 != .stochastic }
        let pc = FixedConfig(
            pf, rounding: modes[g.int(0...modes.count - 1)],
            overflow: [Overflow.wrap, .saturate, .saturateSymmetric][g.int(0...2)])
        let accFrac = pf.fracBits + g.int(0...4)
        let accWidth = g.bool() ? 32 : g.int(33...64)
        guard let af = try? FixedFormat(signed: true, intBits: accWidth - accFrac, fracBits: accFrac) else {
            return nil
        }
        let ac = FixedConfig(
            af, rounding: .truncate, overflow: accWidth == 32 ? .wrap : [.wrap, .saturate][g.int(0...1)])
        let of = g.config(g.format(widths: 1...40))
        return try? FixedMAC(a: a, b: b, config: MACConfig(product: pc, accumulator: ac, output: of))
    }

    /// Output (i, j) of the step-by-step datapath for A and B in their layouts (write-back word from `stream` when the
    /// output rounds stochastically, as `gemm` numbers it), and the operands of that dot product (for the GMP model).
    func stepByStep(
        _ mac: FixedMAC, _ av: [Int64], _ la: MatrixLayout, _ bv: [Int64], _ lb: MatrixLayout, i: Int, j: Int,
        stream: StochasticStream
    ) -> (want: Int128, xs: [Int64], ys: [Int64]) {
        let m = la.rows, k = la.columns, n = lb.columns
        let xs = (0..<k).map { av[la.transposed ? $0 * m + i : i * k + $0] }
        let ys = (0..<k).map { bv[lb.transposed ? j * k + $0 : $0 * n + j] }
        let acc = xs.withUnsafeBufferPointer { pa in
            ys.withUnsafeBufferPointer { pb in
                mac.accumulateDotStepByStep(pa.baseAddress!, strideA: 1, pb.baseAddress!, strideB: 1, count: k)
            }
        }
        let r: UInt32 =
            mac.config.output.rounding == .stochastic
            ? stream.word(mac.writeBackWordIndex(index: i * n + j, count: k)) : 0
        return (mac.writeBack(acc, random: r), xs, ys)
    }

    func testEveryInstructionSetEqualsStepByStepAndGMP() throws {
        var g = RandomCases(seed: 0x1A7E)
        var lanes16 = 0, lanes32 = 0
        let paths = IntKernelISA.supported
        for trial in 0..<500 {
            guard let mac = randomIntMAC(&g) else { continue }
            let m = g.int(1...9), n = g.int(1...11), k = g.int(1...90)
            switch mac.integerKernelLanes(terms: k) {
            case 16: lanes16 += 1
            case 32: lanes32 += 1
            default: break
            }
            let la = MatrixLayout(rows: m, columns: k, transposed: g.bool())
            let lb = MatrixLayout(rows: k, columns: n, transposed: g.bool())
            let av = (0..<(m * k)).map { _ in Int64(truncatingIfNeeded: g.raw(in: mac.a)) }
            let bv = (0..<(k * n)).map { _ in Int64(truncatingIfNeeded: g.raw(in: mac.b)) }
            var results: [[Int128]] = []
            for isa in paths {
                var c = [Int128](repeating: 0, count: m * n)
                try av.withUnsafeBufferPointer { pa in
                    try bv.withUnsafeBufferPointer { pb in
                        try c.withUnsafeMutableBufferPointer { try mac.gemm(a: pa, la, b: pb, lb, into: $0, isa: isa) }
                    }
                }
                results.append(c)
            }
            for (p, c) in results.enumerated() where c != results[0] {
                XCTFail(
                    "trial \(trial): \(paths[p]) differs from \(paths[0]) for \(mac.a) x \(mac.b) via \(mac.config)")
                return
            }
            for i in 0..<m {
                for j in 0..<n {
                    let (want, xs, ys) = stepByStep(mac, av, la, bv, lb, i: i, j: j, stream: .default)
                    XCTAssertEqual(
                        results[0][i * n + j], want, "trial \(trial) (\(i),\(j)): \(mac.a) x \(mac.b) via \(mac.config)"
                    )
                    if results[0][i * n + j] != want { return }
                    if trial % 10 == 0 {
                        let model = ExactReference.macDatapath(
                            a: xs.map { Int128($0) }, b: ys.map { Int128($0) }, mac: mac,
                            index: i * n + j, random: { StochasticStream.default.word($0) })
                        XCTAssertEqual(want, model.output, "GMP trial \(trial) (\(i),\(j))")
                    }
                }
            }
        }
        // Most draws must reach the kernels, on both lane widths.
        XCTAssertGreaterThan(lanes16, 150)
        XCTAssertGreaterThan(lanes32, 20)
    }

    /// Lane limits: the extreme products of 8-bit datapaths with rounding (|a b| = 2^14 in int16 lanes), exact
    /// int16 x int16 products (-2^15 * -2^15 pairs wrap in vpmaddwd), SAT products at their bounds.
    func testLaneBoundariesEveryInstructionSet() throws {
        let s44 = try FixedFormat.parse("s4.4"), s26 = try FixedFormat.parse("s2.6"),
            s16 = try FixedFormat.parse("s16.0")
        let cases: [(FixedFormat, FixedFormat, FixedConfig)] = [
            (s44, s26, FixedConfig(try FixedFormat.parse("s8.8"), rounding: .roundHalfToEven, overflow: .wrap)),
            (s44, s26, FixedConfig(try FixedFormat.parse("s3.8"), rounding: .roundHalfUp, overflow: .saturate)),
            (
                s44, s26,
                FixedConfig(try FixedFormat.parse("s3.8"), rounding: .truncateToZero, overflow: .saturateSymmetric)
            ),
            (s44, s26, FixedConfig(try FixedFormat.parse("s2.8"), rounding: .roundHalfAwayFromZero, overflow: .wrap)),
            (s16, s16, FixedConfig(try FixedFormat.parse("s32.0"), rounding: .truncate, overflow: .wrap)),
        ]
        for (a, b, pc) in cases {
            let acc = FixedConfig(
                try FixedFormat(
                    signed: true, intBits: 32 - max(pc.format.fracBits, 0), fracBits: max(pc.format.fracBits, 0)),
                overflow: .wrap)
            let mac = try FixedMAC(a: a, b: b, config: MACConfig(product: pc, accumulator: acc, output: acc))
            XCTAssertNotNil(mac.integerKernelLanes(terms: 70), "\(a) x \(b) via \(pc)")
            // Every combination of the extremes (and their neighbours) over 70 terms.
            let xs = [a.rawMin, a.rawMin + 1, a.rawMax, -1, 0, 1, a.rawMax - 1]
            let ys = [b.rawMin, b.rawMax, b.rawMin + 1, 1, -1, 0, b.rawMax - 1]
            let k = 70, m = 4, n = 5
            let av = (0..<(m * k)).map { Int64(xs[($0 * 3 + $0 / k) % xs.count]) }
            let bv = (0..<(k * n)).map { Int64(ys[($0 * 5 + $0 / n) % ys.count]) }
            for isa in IntKernelISA.supported {
                var c = [Int128](repeating: 0, count: m * n)
                try av.withUnsafeBufferPointer { pa in
                    try bv.withUnsafeBufferPointer { pb in
                        try c.withUnsafeMutableBufferPointer {
                            try mac.gemm(
                                a: pa, MatrixLayout(rows: m, columns: k), b: pb, MatrixLayout(rows: k, columns: n),
                                into: $0, isa: isa)
                        }
                    }
                }
                for i in 0..<m {
                    for j in 0..<n {
                        let model = ExactReference.macDatapath(
                            a: (0..<k).map { Int128(av[i * k + $0]) },
                            b: (0..<k).map { Int128(bv[$0 * n + j]) }, mac: mac)
                        XCTAssertEqual(c[i * n + j], model.output, "\(isa): \(a) x \(b) via \(pc) at (\(i),\(j))")
                    }
                }
            }
        }
    }

    /// Operands whose formats need int32 lanes but whose values fit int16 lanes take them (the choice depends on the
    /// data); at the bound and one past it the results still equal the step-by-step datapath on every path.
    func testDataDependentLanesAtTheBound() throws {
        let w = try FixedFormat.parse("s12.11"), x = try FixedFormat.parse("s4.4")
        let pc = FixedConfig(try FixedFormat.parse("s8.8"), rounding: .roundHalfToEven, overflow: .wrap)
        let acc = FixedConfig(try FixedFormat.parse("s16.16"), overflow: .wrap)
        let mac = try FixedMAC(a: w, b: x, config: MACConfig(product: pc, accumulator: acc, output: acc))
        XCTAssertEqual(mac.integerKernelLanes(terms: 40), 32, "by format: int32 lanes")
        var g = RandomCases(seed: 0xB0)
        // 2039 * 16 + 2^7 <= 32767 (int16 lanes); 2041 * 16 + 2^7 > 32767 (int32 lanes).
        for bound in [Int128(2039), 2041, 300] {
            let m = 6, n = 9, k = 40
            let av = (0..<(m * k)).map { i in
                Int64(i % 7 == 0 ? (i % 2 == 0 ? bound : -bound) : Int128(g.int(-Int(bound)...Int(bound))))
            }
            let bv = (0..<(k * n)).map { i in Int64(i % 5 == 0 ? 16 : g.int(0...16)) }
            var results: [[Int128]] = []
            for isa in IntKernelISA.supported {
                var c = [Int128](repeating: 0, count: m * n)
                try av.withUnsafeBufferPointer { pa in
                    try bv.withUnsafeBufferPointer { pb in
                        try c.withUnsafeMutableBufferPointer {
                            try mac.gemm(
                                a: pa, MatrixLayout(rows: m, columns: k), b: pb, MatrixLayout(rows: k, columns: n),
                                into: $0, isa: isa)
                        }
                    }
                }
                results.append(c)
            }
            for i in 0..<m {
                for j in 0..<n {
                    let xs = (0..<k).map { av[i * k + $0] }, ys = (0..<k).map { bv[$0 * n + j] }
                    let want = mac.writeBack(
                        xs.withUnsafeBufferPointer { pa in
                            ys.withUnsafeBufferPointer { pb in
                                mac.accumulateDotStepByStep(
                                    pa.baseAddress!, strideA: 1, pb.baseAddress!, strideB: 1, count: k)
                            }
                        })
                    for (p, c) in results.enumerated() {
                        XCTAssertEqual(
                            c[i * n + j], want, "bound \(bound), \(IntKernelISA.supported[p]) at (\(i),\(j))")
                    }
                }
            }
        }
    }

    /// 8-bit operands with rounded products take the value tables (large enough shapes); every layout, narrow A or
    /// narrow B, zeros and extremes, equals the step-by-step datapath.
    func testValueTablesEqualStepByStep() throws {
        var g = RandomCases(seed: 0x7AB1E)
        var checked = 0
        for trial in 0..<60 {
            guard let mac = randomIntMAC(&g), mac.a.width <= 8 || mac.b.width <= 8, mac.hasFastDotPath else { continue }
            let m = g.int(32...60), n = g.int(32...70), k = g.int(8...40)
            let la = MatrixLayout(rows: m, columns: k, transposed: g.bool())
            let lb = MatrixLayout(rows: k, columns: n, transposed: g.bool())
            // Narrow operands draw from a few values (extremes included), as pixels do: then the tables pay off.
            let pa =
                (0..<4).map { _ in Int64(truncatingIfNeeded: g.raw(in: mac.a)) } + [
                    Int64(mac.a.rawMin), Int64(mac.a.rawMax),
                ]
            let pb =
                (0..<4).map { _ in Int64(truncatingIfNeeded: g.raw(in: mac.b)) } + [
                    Int64(mac.b.rawMin), Int64(mac.b.rawMax),
                ]
            let av = (0..<(m * k)).map { _ in
                g.int(0...2) == 0
                    ? 0 : mac.a.width <= 8 ? pa[g.int(0...5)] : Int64(truncatingIfNeeded: g.raw(in: mac.a))
            }
            let bv = (0..<(k * n)).map { _ in
                g.int(0...2) == 0
                    ? 0 : mac.b.width <= 8 ? pb[g.int(0...5)] : Int64(truncatingIfNeeded: g.raw(in: mac.b))
            }
            let stream = StochasticStream(seed: UInt64(trial), row: 3)
            var c = [Int128](repeating: 0, count: m * n)
            try av.withUnsafeBufferPointer { pa in
                try bv.withUnsafeBufferPointer { pb in
                    try c.withUnsafeMutableBufferPointer {
                        try mac.gemm(a: pa, la, b: pb, lb, into: $0, stochastic: stream)
                    }
                }
            }
            for i in 0..<m {
                for j in 0..<n {
                    let want = stepByStep(mac, av, la, bv, lb, i: i, j: j, stream: stream).want
                    XCTAssertEqual(
                        c[i * n + j], want, "trial \(trial) (\(i),\(j)): \(mac.a) x \(mac.b) via \(mac.config)")
                    if c[i * n + j] != want { return }
                }
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 20)
    }

    /// The lookup GEMM (AVX-512 permutes of 32-entry product tables): a narrow operand whose values span at most 32
    /// raw values (a window anywhere in its format, edges included), every deterministic rounding, odd depths and
    /// ragged column blocks, equals the step-by-step datapath; and it does run on such operands.
    func testLookupTablesEqualStepByStep() throws {
        guard IntKernelISA.preferred == .avx512VNNI else { throw XCTSkip("the lookup kernel needs AVX-512") }
        var g = RandomCases(seed: 0x100C)
        var ran = 0
        for trial in 0..<120 {
            guard let mac = randomIntMAC(&g), mac.a.width <= 8 || mac.b.width <= 8 else { continue }
            // The narrow operand on the long outer side (at least 96) is the lookup index.
            let indexB = mac.b.width <= 8 && (mac.a.width > 8 || g.bool())
            let outer = g.int(96...400), other = g.int(1...21), k = g.int(1...37)
            let (m, n) = indexB ? (other, outer) : (outer, other)
            let narrow = indexB ? mac.b : mac.a
            let span = Int128(g.int(0...31))
            let lo =
                g.int(0...3) == 0
                ? narrow.rawMin
                : min(narrow.rawMin + Int128(g.int(0...255)), max(narrow.rawMin, narrow.rawMax - span))
            let hi = min(narrow.rawMax, lo + span)
            let window = { (g: inout RandomCases) -> Int64 in
                let r = g.int(0...9)
                return Int64(r == 0 ? lo : r == 1 ? hi : lo + Int128(g.int(0...Int(hi - lo))))
            }
            let la = MatrixLayout(rows: m, columns: k, transposed: g.bool())
            let lb = MatrixLayout(rows: k, columns: n, transposed: g.bool())
            let av = (0..<(m * k)).map { _ in indexB ? Int64(truncatingIfNeeded: g.raw(in: mac.a)) : window(&g) }
            let bv = (0..<(k * n)).map { _ in indexB ? window(&g) : Int64(truncatingIfNeeded: g.raw(in: mac.b)) }
            let stream = StochasticStream(seed: UInt64(trial), row: 5)
            var c = [Int128](repeating: 0, count: m * n)
            let applied = av.withUnsafeBufferPointer { pa in
                bv.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer {
                        mac.gemmByLookup(a: pa, la, b: pb, lb, into: $0, stochastic: stream)
                    }
                }
            }
            guard applied else { continue }
            for i in 0..<m {
                for j in 0..<n {
                    let want = stepByStep(mac, av, la, bv, lb, i: i, j: j, stream: stream).want
                    if c[i * n + j] != want {
                        XCTFail(
                            "trial \(trial) (\(i),\(j)): \(c[i * n + j]) != \(want), \(mac.a) x \(mac.b) via \(mac.config)"
                        )
                        return
                    }
                }
            }
            ran += 1
        }
        XCTAssertGreaterThan(ran, 15, "the lookup kernel should apply to most narrow-window cases")
    }

    func testInt16WrappingGEMMEveryInstructionSet() throws {
        var g = RandomCases(seed: 0x16)
        for _ in 0..<40 {
            let m = g.int(1...13), n = g.int(1...13), k = g.int(1...300)
            let a = (0..<(m * k)).map { _ in Int16(truncatingIfNeeded: g.int(-32768...32767)) }
            let b = (0..<(k * n)).map { _ in
                g.int(0...5) == 0 ? Int16.min : Int16(truncatingIfNeeded: g.int(-32768...32767))
            }
            var want = [Int32](repeating: 0, count: m * n)
            for i in 0..<m {
                for j in 0..<n { for t in 0..<k { want[i * n + j] &+= Int32(a[i * k + t]) &* Int32(b[t * n + j]) } }
            }
            for isa in IntKernelISA.supported {
                var c = [Int32](repeating: 0, count: m * n)
                try a.withUnsafeBufferPointer { pa in
                    try b.withUnsafeBufferPointer { pb in
                        try c.withUnsafeMutableBufferPointer {
                            try FixedKernels.gemmInt16Wrapping(a: pa, b: pb, m: m, n: n, k: k, into: $0, isa: isa)
                        }
                    }
                }
                XCTAssertEqual(c, want, "\(isa) \(m)x\(n)x\(k)")
            }
        }
    }

    func testDispatchDetectsThisMachine() {
        // The kernels must run whatever the CPU; on this project's x86 machines AVX2 is always there.
        #if arch(x86_64)
            XCTAssertGreaterThanOrEqual(IntKernelISA.best.rawValue, IntKernelISA.avx2.rawValue)
        #endif
        XCTAssertEqual(IntKernelISA.supported.first, .scalar)
        XCTAssertEqual(IntKernelISA.supported.last, IntKernelISA.best)
    }
}
