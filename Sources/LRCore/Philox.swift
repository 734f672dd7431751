/// Philox4x32-10, the counter-based generator of Salmon et al., "Parallel Random Numbers: As Easy as 1, 2, 3" (SC'11),
/// bit-compatible with Random123's `philox4x32_R(10, ...)`.
///
/// A counter-based generator is a pure function `(key, counter) -> 128 random bits`: there is no state to thread
/// through loops, so noise for any (seed, step, layer, row, element) can be regenerated anywhere, in any order, on any
/// number of threads, and a trace only needs to store the key.
public struct Philox4x32: Sendable, Hashable {
    public var key: (UInt32, UInt32)

    @inlinable public init(key: (UInt32, UInt32)) { self.key = key }

    /// A key from a 64-bit seed (low word first, as Random123's `ukey_type` would hold it).
    @inlinable public init(seed: UInt64) {
        self.key = (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
    }

    public static func == (a: Philox4x32, b: Philox4x32) -> Bool { a.key == b.key }
    public func hash(into h: inout Hasher) { h.combine(key.0); h.combine(key.1) }

    public typealias Block = SIMD4<UInt32>

    @inlinable @inline(__always)
    static func mulhilo(_ a: UInt32, _ b: UInt32) -> (hi: UInt32, lo: UInt32) {
        let p = UInt64(a) &* UInt64(b)
        return (UInt32(truncatingIfNeeded: p >> 32), UInt32(truncatingIfNeeded: p))
    }

    /// The 128-bit output block for a 128-bit counter.
    @inlinable
    public func block(_ counter: Block) -> Block {
        var c = counter
        var k0 = key.0, k1 = key.1
        for round in 0..<10 {
            if round > 0 { k0 = k0 &+ 0x9E37_79B9; k1 = k1 &+ 0xBB67_AE85 }
            let (hi0, lo0) = Self.mulhilo(0xD251_1F53, c[0])
            let (hi1, lo1) = Self.mulhilo(0xCD9E_8D57, c[2])
            c = Block(hi1 ^ c[1] ^ k0, lo1, hi0 ^ c[3] ^ k1, lo0)
        }
        return c
    }
}

/// Where a random number is used. Each purpose gets its own counter space, so (for example) the noise of layer 1 and
/// the dropout mask of layer 1 never share bits.
public enum RandomStream: UInt32, Sendable, CaseIterable {
    case logitNoise = 1
    case weightNoise = 2
    case initialization = 3
    case shuffle = 4
    case stochasticRounding = 5
    case qmcScramble = 6
    case fgsm = 7
    case synthetic = 8
    case other = 15
}

/// The coordinates of a random number: counter word 0 holds the element block, word 1 the row, word 2 the stream
/// (high 8 bits) and layer (low 24 bits), word 3 the step. Everything is a pure function of these numbers and the seed.
public struct NoiseKey: Sendable, Hashable, Codable {
    public var seed: UInt64
    public var step: UInt32
    public var layer: UInt32
    public var stream: UInt32

    public init(seed: UInt64, step: UInt32, layer: UInt32, stream: RandomStream) {
        self.seed = seed; self.step = step; self.layer = layer; self.stream = stream.rawValue
    }

    @inlinable public var generator: Philox4x32 { Philox4x32(seed: seed) }

    @inlinable
    public func counter(row: UInt32, block: UInt32) -> Philox4x32.Block {
        Philox4x32.Block(block, row, (stream << 24) | (layer & 0x00FF_FFFF), step)
    }
}
