import FixedPoint
import LRTestSupport

/// Random formats, modes and operands for the property tests (all from fixed seeds).
struct RandomCases {
    var rng: SeededRandom

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &rng) }
    mutating func bool() -> Bool { Bool.random(using: &rng) }
    mutating func word() -> UInt32 { UInt32.random(in: 0...UInt32.max, using: &rng) }

    /// A random format of width in `widths`, binary point anywhere from well left to well right of the bits.
    mutating func format(widths: ClosedRange<Int> = 1...64) -> FixedFormat {
        let signed = bool()
        let w = min(int(widths), signed ? 128 : 127)
        let i = int(-12...(w + 12))
        return try! FixedFormat(signed: signed, intBits: i, fracBits: w - i)
    }

    mutating func config(_ f: FixedFormat) -> FixedConfig {
        FixedConfig(
            f, rounding: Quantization.allCases[int(0...Quantization.allCases.count - 1)],
            overflow: Overflow.allCases[int(0...Overflow.allCases.count - 1)])
    }

    /// A random Int128 whose magnitude has a random number of bits (up to `maxBits`).
    mutating func int128(maxBits: Int = 127) -> Int128 {
        let bits = int(0...maxBits)
        if bits == 0 { return 0 }
        let hi = UInt64.random(in: 0...UInt64.max, using: &rng)
        let lo = UInt64.random(in: 0...UInt64.max, using: &rng)
        var m = (UInt128(hi) << 64) | UInt128(lo)
        m >>= (128 - bits)
        let v = Int128(truncatingIfNeeded: m)
        return bool() ? -v : v
    }

    /// A raw value inside `f`'s range, biased toward the extremes.
    mutating func raw(in f: FixedFormat) -> Int128 {
        switch int(0...9) {
        case 0: return f.rawMin
        case 1: return f.rawMax
        case 2: return 0
        default:
            let span = UInt128(truncatingIfNeeded: f.rawMax &- f.rawMin)
            let r =
                (UInt128(UInt64.random(in: 0...UInt64.max, using: &rng)) << 64)
                | UInt128(UInt64.random(in: 0...UInt64.max, using: &rng))
            let off = span == UInt128.max ? r : r % (span &+ 1)
            return f.rawMin &+ Int128(truncatingIfNeeded: off)
        }
    }
}
