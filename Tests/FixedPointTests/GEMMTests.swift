import FixedPoint
import XCTest

/// GEMMs through the datapath equal GMP: the int16 SIMD kernel, the generic path, layouts, bias preload.
final class GEMMTests: XCTestCase {
    func testInt16KernelEqualsExactModulo2to32() throws {
        var g = RandomCases(seed: 0x6E33)
        for (m, n, k) in [(1, 1, 1), (3, 5, 7), (17, 9, 33), (2, 4, 16), (31, 13, 300), (5, 70, 1)] {
            let a = (0..<(m * k)).map { _ in Int16(truncatingIfNeeded: g.int(-32768...32767)) }
            let b = (0..<(k * n)).map { _ in Int16(truncatingIfNeeded: g.int(-32768...32767)) }
            var c = [Int32](repeating: 7, count: m * n)
            try a.withUnsafeBufferPointer { pa in
                try b.withUnsafeBufferPointer { pb in
                    try c.withUnsafeMutableBufferPointer {
                        try FixedKernels.gemmInt16Wrapping(a: pa, b: pb, m: m, n: n, k: k, into: $0)
                    }
                }
            }
            let s32 = try FixedFormat.parse("s32.0"), s16 = try FixedFormat.parse("s16.0")
            for i in 0..<m {
                for j in 0..<n {
                    let exact = ExactReference.exactDot(
                        a: (0..<k).map { Int128(a[i * k + $0]) }, aFormat: s16,
                        b: (0..<k).map { Int128(b[$0 * n + j]) }, bFormat: s16)
                    XCTAssertEqual(
                        Int128(c[i * n + j]), ExactReference.round(exact, into: FixedConfig(s32, overflow: .wrap)),
                        "(\(i),\(j)) of \(m)x\(n)x\(k)")
                }
            }
        }
    }

    /// Random datapaths, shapes and layouts: every output equals the step-by-step GMP model (including stochastic
    /// rounding and bias preload), whichever kernel ran.
    func testDatapathGEMMMatchesGMPModel() throws {
        var g = RandomCases(seed: 0x6E34)
        var ran = 0
        for trial in 0..<160 {
            let int16Case = trial % 2 == 0
            let a = int16Case ? try FixedFormat.parse("s2.14") : g.format(widths: 1...16)
            let b = int16Case ? try FixedFormat.parse("s1.15") : g.format(widths: 1...16)
            let exactP = try FixedFormat.exactProduct(a, b)
            let acc: FixedConfig
            if int16Case {
                acc = FixedConfig(
                    try FixedFormat(signed: true, intBits: 32 - exactP.fracBits, fracBits: exactP.fracBits),
                    overflow: trial % 4 == 0 ? .wrap : .saturate)
            } else {
                acc = g.config(g.format(widths: 1...48))
            }
            let prod = int16Case ? FixedConfig(exactP) : g.config(g.bool() ? exactP : g.format(widths: 1...24))
            let out = g.config(g.format(widths: 1...16))
            guard let mac = try? FixedMAC(a: a, b: b, config: MACConfig(product: prod, accumulator: acc, output: out))
            else { continue }
            let m = g.int(1...9), n = g.int(1...9), k = g.int(0...40)
            let la = MatrixLayout(rows: m, columns: k, transposed: g.bool())
            let lb = MatrixLayout(rows: k, columns: n, transposed: g.bool())
            let av = (0..<(m * k)).map { _ in Int16(truncatingIfNeeded: g.raw(in: a)) }
            let bv = (0..<(k * n)).map { _ in Int16(truncatingIfNeeded: g.raw(in: b)) }
            let biasFormat = g.format(widths: 1...16)
            let bias = (0..<n).map { _ in Int64(truncatingIfNeeded: g.raw(in: biasFormat)) }
            let useBias = g.bool()
            let stream = StochasticStream(seed: UInt64(trial), row: 3)
            var c = [Int32](repeating: 0, count: m * n)
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
            func elemA(_ i: Int, _ t: Int) -> Int128 {
                a.raw(fromBits: Int64(la.transposed ? av[t * m + i] : av[i * k + t]))
            }
            func elemB(_ t: Int, _ j: Int) -> Int128 {
                b.raw(fromBits: Int64(lb.transposed ? bv[j * k + t] : bv[t * n + j]))
            }
            for i in 0..<m {
                for j in 0..<n {
                    let start =
                        useBias
                        ? ExactReference.round(
                            ExactReference.value(raw: biasFormat.raw(fromBits: bias[j]), format: biasFormat),
                            into: acc) : 0
                    let model = ExactReference.macDatapath(
                        a: (0..<k).map { elemA(i, $0) }, b: (0..<k).map { elemB($0, j) },
                        mac: mac, start: start, index: i * n + j, random: { stream.word($0) })
                    XCTAssertEqual(
                        out.format.raw(fromBits: Int64(c[i * n + j])), model.output, "trial \(trial) (\(i),\(j))")
                }
            }
            ran += 1
        }
        XCTAssertGreaterThan(ran, 100)
    }

    func testShapeErrors() throws {
        let f = try FixedFormat.parse("s1.15")
        let mac = try FixedMAC(
            a: f, b: f,
            config: MACConfig(
                product: FixedConfig(try .parse("s2.30")),
                accumulator: FixedConfig(try .parse("s2.30")), output: FixedConfig(f)))
        let a = [Int16](repeating: 1, count: 6), b = [Int16](repeating: 1, count: 6)
        var c = [Int16](repeating: 0, count: 4)
        XCTAssertThrowsError(
            try a.withUnsafeBufferPointer { pa in
                try b.withUnsafeBufferPointer { pb in
                    try c.withUnsafeMutableBufferPointer {
                        try mac.gemm(
                            a: pa, MatrixLayout(rows: 2, columns: 3), b: pb, MatrixLayout(rows: 2, columns: 3), into: $0
                        )
                    }
                }
            }
        ) { e in XCTAssertEqual((e as? FixedPointError)?.kind, .shapeMismatch) }
        var c32 = [Int32](repeating: 0, count: 4)
        XCTAssertThrowsError(
            try a.withUnsafeBufferPointer { pa in
                try b.withUnsafeBufferPointer { pb in
                    try c32.withUnsafeMutableBufferPointer {
                        try FixedKernels.gemmInt16Wrapping(a: pa, b: pb, m: -2, n: 2, k: -3, into: $0)
                    }
                }
            })
    }
}
