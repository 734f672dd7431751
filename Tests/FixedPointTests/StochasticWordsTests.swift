import FixedPoint
import LRCore
import XCTest

/// Stochastic rounding in bulk: the bulk words equal `StochasticStream.word` on every instruction set, and the Int64
/// stochastic requantizers equal `FixedArithmetic.quantize` (and GMP's exact rounding) bit for bit.
final class StochasticWordsTests: XCTestCase {
    func randomStream(_ g: inout RandomCases) -> StochasticStream {
        let seed = UInt64(g.word()) << 32 | UInt64(g.word())
        return StochasticStream(seed: seed, step: g.word(), layer: g.word() & 0x00FF_FFFF, row: g.word())
    }

    /// A start index: small, unaligned, or near the 2^34 wrap of the block counter.
    func randomStart(_ g: inout RandomCases) -> Int {
        switch g.int(0...3) {
        case 0: return g.int(0...7)
        case 1: return g.int(0...100_000)
        case 2: return (1 << 34) - g.int(0...600)
        default: return g.int(0...(1 << 40))
        }
    }

    func testContiguousWordsEqualWordOnEveryISA() {
        var g = RandomCases(seed: 0x5700_0001)
        for trial in 0..<400 {
            let s = randomStream(&g)
            let start = randomStart(&g), count = g.int(0...700)
            let want = (0..<count).map { s.word(start &+ $0) }
            for isa in Int32(-1)...2 {
                var got = [UInt32](repeating: 0xDEAD_BEEF, count: count + 1)
                got.withUnsafeMutableBufferPointer {
                    PhiloxWords.fill(s.key, row: s.row, first: start, count: count, into: $0.baseAddress!, isa: isa)
                }
                XCTAssertEqual(
                    Array(got[0..<count]), want, "trial \(trial), isa \(isa), start \(start), count \(count)")
                XCTAssertEqual(got[count], 0xDEAD_BEEF, "trial \(trial), isa \(isa): wrote past the end")
            }
            var bulk = [UInt32](repeating: 0, count: count)
            bulk.withUnsafeMutableBufferPointer {
                if count > 0 { s.words(from: start, count: count, into: $0.baseAddress!) }
            }
            XCTAssertEqual(bulk, want, "trial \(trial): StochasticStream.words")
        }
    }

    func testStridedWordsEqualWordOnEveryISA() {
        var g = RandomCases(seed: 0x5700_0002)
        for trial in 0..<300 {
            let s = randomStream(&g)
            let start = randomStart(&g), count = g.int(0...300)
            let stride = g.int(0...4) == 0 ? g.int(1...5) : 2 * g.int(1...2000) + 1
            let want = (0..<count).map { s.word(start &+ $0 &* stride) }
            for isa in Int32(-1)...2 {
                var got = [UInt32](repeating: 0xDEAD_BEEF, count: count + 1)
                got.withUnsafeMutableBufferPointer {
                    PhiloxWords.fill(
                        s.key, row: s.row, first: start, stride: stride, count: count, into: $0.baseAddress!,
                        isa: isa)
                }
                XCTAssertEqual(
                    Array(got[0..<count]), want, "trial \(trial), isa \(isa), start \(start), stride \(stride)")
                XCTAssertEqual(got[count], 0xDEAD_BEEF, "trial \(trial), isa \(isa): wrote past the end")
            }
            var bulk = [UInt32](repeating: 0, count: count)
            bulk.withUnsafeMutableBufferPointer {
                if count > 0 { s.words(from: start, stride: stride, count: count, into: $0.baseAddress!) }
            }
            XCTAssertEqual(bulk, want, "trial \(trial): StochasticStream.words(stride:)")
        }
    }

    /// A stochastic config of at most 62 bits, every overflow mode.
    func stochasticConfig(_ g: inout RandomCases) -> FixedConfig {
        FixedConfig(
            g.format(widths: 1...62), rounding: .stochastic,
            overflow: Overflow.allCases[g.int(0...Overflow.allCases.count - 1)])
    }

    func testStochasticRequantizerMatchesRoundShiftAndGMP() {
        var g = RandomCases(seed: 0x5700_0003)
        var checked = 0
        for trial in 0..<3_000 {
            let cfg = stochasticConfig(&g)
            let frac = cfg.format.fracBits + g.int(1...100)
            let bits = g.int(0...61)
            let bound = (Int128(1) << bits) - 1
            guard let q = StochasticRequantizer(fracBits: frac, bound: bound, into: cfg) else {
                XCTFail("trial \(trial): no requantizer for \(cfg) at \(frac) fraction bits"); return
            }
            let n = 64
            let x = (0..<n).map { _ in Int64(truncatingIfNeeded: g.int128(maxBits: bits)) }
            let w = (0..<n).map { _ in g.word() }
            var out = [Int64](repeating: 0, count: n)
            x.withUnsafeBufferPointer { xb in
                w.withUnsafeBufferPointer { wb in
                    out.withUnsafeMutableBufferPointer {
                        q.apply(xb.baseAddress!, words: wb.baseAddress!, count: n, into: $0.baseAddress!)
                    }
                }
            }
            for j in 0..<n {
                let want = FixedArithmetic.quantize(Int128(x[j]), fracBits: frac, into: cfg, random: w[j])
                XCTAssertEqual(Int128(out[j]), want, "trial \(trial): \(x[j]) * 2^-\(frac) into \(cfg), word \(w[j])")
                if j < 4 {
                    let exact = ExactReference.round(
                        Rational(raw: Int128(x[j]), fracBits: frac), into: cfg, random: w[j])
                    XCTAssertEqual(want, exact, "trial \(trial): roundShift vs GMP")
                    checked += 1
                }
                if Int128(out[j]) != want { return }
            }
        }
        XCTAssertGreaterThan(checked, 10_000)
    }

    /// The noise-injection form: (a << shiftA) + ((scale * b) << shiftB), rounded once.
    func testStochasticRequantizerSumMatchesQuantize() {
        var g = RandomCases(seed: 0x5700_0004)
        for trial in 0..<2_000 {
            let cfg = stochasticConfig(&g)
            let shiftA = g.int(0...20), shiftB = g.int(0...20)
            let aBits = g.int(0...(40 - shiftA)), bBits = g.int(0...16), scaleBits = g.int(0...16)
            let bound = (Int128(1) << (aBits + shiftA)) + (Int128(1) << (bBits + scaleBits + shiftB))
            let frac = cfg.format.fracBits + g.int(1...70)
            guard let q = StochasticRequantizer(fracBits: frac, bound: bound, into: cfg) else {
                XCTFail("trial \(trial): no requantizer"); return
            }
            let n = 33
            let a = (0..<n).map { _ in Int64(truncatingIfNeeded: g.int128(maxBits: aBits)) }
            let b = (0..<n).map { _ in Int64(truncatingIfNeeded: g.int128(maxBits: bBits)) }
            let scale = Int64(truncatingIfNeeded: g.int128(maxBits: scaleBits))
            let w = (0..<n).map { _ in g.word() }
            var out = [Int64](repeating: 0, count: n)
            a.withUnsafeBufferPointer { ab in
                b.withUnsafeBufferPointer { bb in
                    w.withUnsafeBufferPointer { wb in
                        out.withUnsafeMutableBufferPointer {
                            q.applySum(
                                ab.baseAddress!, shiftA: shiftA, bb.baseAddress!, scale: scale, shiftB: shiftB,
                                words: wb.baseAddress!, count: n, into: $0.baseAddress!)
                        }
                    }
                }
            }
            for j in 0..<n {
                let v = (Int128(a[j]) << shiftA) + ((Int128(scale) * Int128(b[j])) << shiftB)
                let want = FixedArithmetic.quantize(v, fracBits: frac, into: cfg, random: w[j])
                XCTAssertEqual(Int128(out[j]), want, "trial \(trial): \(v) * 2^-\(frac) into \(cfg)")
                if Int128(out[j]) != want { return }
            }
        }
    }

    /// Nil where the fast form does not apply (deterministic rounding, nothing dropped, too wide, too large a bound).
    func testStochasticRequantizerDeclines() {
        let f = try! FixedFormat(signed: true, intBits: 4, fracBits: 8)
        XCTAssertNil(
            StochasticRequantizer(
                fracBits: 12, bound: 100, into: FixedConfig(f, rounding: .roundHalfToEven, overflow: .saturate)))
        XCTAssertNil(
            StochasticRequantizer(
                fracBits: 8, bound: 100, into: FixedConfig(f, rounding: .stochastic, overflow: .saturate)))
        XCTAssertNil(
            StochasticRequantizer(
                fracBits: 12, bound: Int128(1) << 62, into: FixedConfig(f, rounding: .stochastic, overflow: .wrap)))
        let wide = try! FixedFormat(signed: true, intBits: 40, fracBits: 30)
        XCTAssertNil(
            StochasticRequantizer(
                fracBits: 40, bound: 100, into: FixedConfig(wide, rounding: .stochastic, overflow: .wrap)))
    }

    func testStochasticFloatQuantizerMatchesQuantizeAndGMP() {
        var g = RandomCases(seed: 0x5700_0005)
        var fastCases = 0
        for trial in 0..<20_000 {
            let cfg = stochasticConfig(&g)
            guard let fq = StochasticFloatQuantizer(cfg) else { continue }
            let w = g.word()
            let d: Double
            switch g.int(0...4) {
            case 0: d = Double(bitPattern: UInt64(g.word()) << 32 | UInt64(g.word()))
            case 1: d = [Double.nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude][g.int(0...5)]
            default:
                // Near the format's range and grid: a few integer bits above, fraction bits below.
                let e = g.int(-cfg.format.fracBits - 40...(cfg.format.width - cfg.format.fracBits + 3))
                d =
                    Double(Int64(truncatingIfNeeded: g.int128(maxBits: 53)))
                    * Double(sign: .plus, exponent: e - 52, significand: 1)
            }
            let got = fq.quantize(d, w)
            let want = FixedArithmetic.quantize(d, into: cfg, random: w)
            XCTAssertEqual(Int128(got), want, "trial \(trial): \(d) into \(cfg), word \(w)")
            let f = Float(d)
            let gotF = fq.quantize(f, w)
            let wantF = FixedArithmetic.quantize(f, into: cfg, random: w)
            XCTAssertEqual(Int128(gotF), wantF, "trial \(trial): Float \(f) into \(cfg), word \(w)")
            if d.isFinite && trial % 4 == 0 {
                XCTAssertEqual(
                    want, ExactReference.round(Rational(exactly: d)!, into: cfg, random: w), "trial \(trial): GMP")
            }
            fastCases += 1
            if Int128(got) != want || Int128(gotF) != wantF { return }
        }
        XCTAssertGreaterThan(fastCases, 10_000)
    }
}
