import FixedPoint
import XCTest

/// Dot products through random MAC datapaths equal the step-by-step GMP model bit for bit.
final class MACPropertyTests: XCTestCase {
    func randomMAC(_ g: inout RandomCases) -> FixedMAC? {
        let a = g.format(widths: 1...24), b = g.format(widths: 1...24)
        guard let exact = try? FixedFormat.exactProduct(a, b) else { return nil }
        // Products: sometimes exact, sometimes narrower (rounded, overflowing).
        let pf = g.bool() ? exact : g.format(widths: 1...48)
        let af = g.format(widths: 1...64)
        let of = g.format(widths: 1...40)
        let cfg = MACConfig(product: g.config(pf), accumulator: g.config(af), output: g.config(of))
        return try? FixedMAC(a: a, b: b, config: cfg)
    }

    func testRandomDatapathsMatchGMP() throws {
        var g = RandomCases(seed: 0xDA7A)
        var checked = 0
        for trial in 0..<6_000 {
            guard let mac = randomMAC(&g) else { continue }
            let n = g.int(0...12)
            let a: [Int64] = (0..<n).map { _ in Int64(truncatingIfNeeded: g.raw(in: mac.a)) }
            let b: [Int64] = (0..<n).map { _ in Int64(truncatingIfNeeded: g.raw(in: mac.b)) }
            let stream = StochasticStream(seed: UInt64(trial))
            let index = g.int(0...5)
            let fast = try a.withUnsafeBufferPointer { pa in
                try b.withUnsafeBufferPointer { pb in try mac.dot(pa, pb, stochastic: stream, index: index) }
            }
            let exact = ExactReference.macDatapath(
                a: a.map { mac.a.raw(fromBits: $0) }, b: b.map { mac.b.raw(fromBits: $0) },
                mac: mac, index: index, random: { stream.word($0) })
            XCTAssertEqual(fast, exact.output, "trial \(trial): \(mac.a) x \(mac.b) via \(mac.config)")
            if fast != exact.output { return }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 3_000)
    }

    /// With an accumulator of the bound's width the datapath is exact, even for the worst-case operands; one bit less
    /// and the worst case overflows (the bound is tight). WRAP and SAT then follow the GMP model of those semantics.
    func testAccumulatorBoundIsExactAndTight() throws {
        var g = RandomCases(seed: 0xB0B)
        for trial in 0..<300 {
            let ia = g.int(-2...8), ib = g.int(-2...8)
            let a = try FixedFormat(signed: true, intBits: ia, fracBits: g.int(max(0, 1 - ia)...10))
            let b = try FixedFormat(signed: true, intBits: ib, fracBits: g.int(max(0, 1 - ib)...10))
            let n = g.int(1...40)
            let w = AccumulatorBound.minimumWidth(a: a, b: b, terms: n)
            XCTAssertEqual(w, AccumulatorBound.signedClosedForm(aWidth: a.width, bWidth: b.width, terms: n))
            let fAcc = a.fracBits + b.fracBits
            let exactP = try FixedFormat.exactProduct(a, b)
            func mac(width: Int, overflow: Overflow) throws -> FixedMAC {
                let acc = FixedConfig(
                    try FixedFormat(signed: true, intBits: width - fAcc, fracBits: fAcc), overflow: overflow)
                return try FixedMAC(
                    a: a, b: b, config: MACConfig(product: FixedConfig(exactP), accumulator: acc, output: acc))
            }
            let worst = (Array(repeating: a.rawMin, count: n), Array(repeating: b.rawMin, count: n))
            let random = ((0..<n).map { _ in g.raw(in: a) }, (0..<n).map { _ in g.raw(in: b) })
            for (xs, ys) in [worst, random] {
                let exact = ExactReference.exactDot(a: xs, aFormat: a, b: ys, bFormat: b)
                let wide = try mac(width: w, overflow: .saturate)
                let got = try dot(wide, xs, ys)
                XCTAssertEqual(
                    ExactReference.value(raw: got, format: wide.config.output.format), exact, "trial \(trial)")
            }
            if w - 1 >= 1 {
                for o in [Overflow.wrap, .saturate] {
                    let narrow = try mac(width: w - 1, overflow: o)
                    let got = try dot(narrow, worst.0, worst.1)
                    let model = ExactReference.macDatapath(a: worst.0, b: worst.1, mac: narrow).output
                    XCTAssertEqual(got, model, "narrow \(o.rawValue) trial \(trial)")
                    let exact = ExactReference.exactDot(a: worst.0, aFormat: a, b: worst.1, bFormat: b)
                    XCTAssertNotEqual(
                        ExactReference.value(raw: got, format: narrow.config.output.format), exact,
                        "one bit under the bound must overflow on the worst case")
                }
            }
        }
    }

    /// Narrow accumulators with random operands: WRAP equals the exact sum modulo 2^W, SAT the step-by-step clamp.
    func testNarrowAccumulatorsFollowGMPSemantics() throws {
        var g = RandomCases(seed: 0x5A7)
        let a = try FixedFormat.parse("s1.7"), b = try FixedFormat.parse("s1.7")
        for trial in 0..<500 {
            let n = g.int(1...64)
            let width = g.int(8...18)
            let xs = (0..<n).map { _ in g.raw(in: a) }, ys = (0..<n).map { _ in g.raw(in: b) }
            for o in Overflow.allCases {
                let acc = FixedConfig(try FixedFormat(signed: true, intBits: width - 14, fracBits: 14), overflow: o)
                let mac = try FixedMAC(
                    a: a, b: b,
                    config: MACConfig(
                        product: FixedConfig(try .exactProduct(a, b)),
                        accumulator: acc, output: acc))
                let got = try dot(mac, xs, ys)
                XCTAssertEqual(got, ExactReference.macDatapath(a: xs, b: ys, mac: mac).output, "\(o) trial \(trial)")
                if o == .wrap {
                    let exact = ExactReference.exactDot(a: xs, aFormat: a, b: ys, bFormat: b)
                    XCTAssertEqual(got, ExactReference.round(exact, into: acc), "wrap is modular")
                }
            }
        }
    }

    func dot(_ mac: FixedMAC, _ xs: [Int128], _ ys: [Int128]) throws -> Int128 {
        let a = xs.map { Int64(truncatingIfNeeded: $0) }, b = ys.map { Int64(truncatingIfNeeded: $0) }
        return try a.withUnsafeBufferPointer { pa in try b.withUnsafeBufferPointer { pb in try mac.dot(pa, pb) } }
    }

    func testInvalidDatapathsAreRejected() throws {
        let big = try FixedFormat.parse("u64.0")
        XCTAssertThrowsError(
            try FixedMAC(
                a: big, b: big,
                config: MACConfig(product: FixedConfig(big), accumulator: FixedConfig(big), output: FixedConfig(big))))
        let s = try FixedFormat.parse("s1.7")
        let cfg = MACConfig(
            product: FixedConfig(try .parse("s2.14")), accumulator: FixedConfig(try .parse("s2.14")),
            output: FixedConfig(s))
        let mac = try FixedMAC(a: s, b: s, config: cfg)
        let x: [Int64] = [1, 2, 3], y: [Int64] = [1, 2]
        XCTAssertThrowsError(
            try x.withUnsafeBufferPointer { pa in try y.withUnsafeBufferPointer { try mac.dot(pa, $0) } }
        ) { e in
            XCTAssertEqual((e as? FixedPointError)?.kind, .shapeMismatch)
        }
    }
}
