import FixedPoint
import XCTest

/// `Int64Requantizer` (the C int64-lane kernel behind the noise injection and the GEMM write-backs) rounds every value
/// exactly as `FixedArithmetic.quantize`, in every deterministic mode and overflow, on every instruction set.
final class RequantizerTests: XCTestCase {
    func testEveryModeEqualsQuantizeOnEveryInstructionSet() throws {
        var g = RandomCases(seed: 0x5E0A)
        let modes = Quantization.allCases.filter { $0 != .stochastic }
        var checked = 0
        for trial in 0..<400 {
            let target = g.format(widths: 1...62)
            let config = FixedConfig(
                target, rounding: modes[trial % modes.count], overflow: Overflow.allCases[(trial / 8) % 4])
            let fracBits = target.fracBits + g.int(-8...30)
            let bound = Int128(1) << g.int(1...61)
            guard let q = Int64Requantizer(fracBits: fracBits, bound: bound, into: config) else { continue }
            let count = g.int(1...67)  // odd lengths: vector bodies and their tails
            let value = { (g: inout RandomCases) -> Int64 in
                let v = g.int128(maxBits: 62) % (bound + 1)
                return Int64(g.int(0...9) == 0 ? (g.bool() ? bound : -bound) : v)
            }
            let x = (0..<count).map { _ in value(&g) }
            // applySum: a << sa plus (scale * b) << sb, kept within the bound.
            let sa = g.int(0...4), sb = g.int(0...4)
            let scale = Int64(g.int(1...1000))
            let room = bound >> (max(sa, sb) + 12)
            let a = (0..<count).map { _ in Int64(g.int128(maxBits: 62) % (room + 1)) }
            let b = (0..<count).map { _ in Int64(g.int128(maxBits: 62) % (room / 1000 + 1)) }
            for isa in IntKernelISA.supported {
                var out = [Int64](repeating: 0, count: count)
                x.withUnsafeBufferPointer { xb in
                    out.withUnsafeMutableBufferPointer {
                        q.apply(xb.baseAddress!, count: count, into: $0.baseAddress!, isa: isa)
                    }
                }
                for i in 0..<count {
                    let want = FixedArithmetic.quantize(Int128(x[i]), fracBits: fracBits, into: config)
                    if Int128(out[i]) != want {
                        return XCTFail("\(isa) apply \(x[i]) at F \(fracBits) into \(config): \(out[i]) != \(want)")
                    }
                }
                a.withUnsafeBufferPointer { ab in
                    b.withUnsafeBufferPointer { bb in
                        out.withUnsafeMutableBufferPointer {
                            q.applySum(
                                ab.baseAddress!, shiftA: sa, bb.baseAddress!, scale: scale, shiftB: sb, count: count,
                                into: $0.baseAddress!, isa: isa)
                        }
                    }
                }
                for i in 0..<count {
                    let v = (Int128(a[i]) << sa) + ((Int128(scale) * Int128(b[i])) << sb)
                    let want = FixedArithmetic.quantize(v, fracBits: fracBits, into: config)
                    if Int128(out[i]) != want {
                        return XCTFail("\(isa) applySum \(v) at F \(fracBits) into \(config): \(out[i]) != \(want)")
                    }
                }
                checked += 2 * count
            }
        }
        XCTAssertGreaterThan(checked, 20_000)
    }
}
