/// A scrambled Sobol' low-discrepancy sequence in many dimensions, for quasi-Monte Carlo noise (`--qmc`).
///
/// Construction (Bratley and Fox, ACM TOMS 659; Antonov–Saleev Gray-code order), 32-bit:
/// - Dimension 1 is the van der Corput sequence (all `m_k = 1`).
/// - Dimension `d >= 2` uses the `(d-1)`-th primitive polynomial over GF(2) (see `SobolPolynomials`, generated in
///   code) and the usual recurrence for the direction numbers `m_k`.
/// - Initial direction numbers: Joe and Kuo's optimised tables are not available offline, so the `s` initial `m_k`
///   of a degree-`s` polynomial are drawn as random odd integers below `2^k` from a fixed Philox key (Sobol's and
///   Bratley–Fox's approach). They are the same on every machine and in every run; 2-D projections of high
///   dimensions are weaker than Joe–Kuo's but every dimension is a (0,1)-sequence and the sequence is a (t,s)-sequence.
/// - Point `n` is the XOR of the direction numbers selected by the bits of the Gray code of `n`; consecutive points
///   differ by one XOR per dimension.
///
/// Scrambling: Owen-style nested uniform scrambling by hashing (Burley, "Practical Hash-based Owen Scrambling",
/// JCGT 2020), with one 32-bit seed per dimension drawn from Philox `(seed, stream .qmcScramble)`. Each output bit is
/// flipped by a function of the more significant bits only, so every elementary interval maps onto one of the same
/// shape: the net properties (stratification, t-values) of the unscrambled points are kept exactly, while each point
/// is uniformly distributed. `seed == nil` gives the plain (unscrambled) sequence.
///
/// Limits: at most `maxDimensions` = 48795 dimensions (all primitive polynomials up to degree 19: enough for a
/// 32x32x32 convolution output) and `2^32` points. The polynomials are found once per process (about 1 s in a
/// release build for the full range, a fraction of that for a few thousand dimensions).
/// The position `index` persists across calls: store it in a checkpoint and restore with `skip(to:)`.
public struct SobolSequence: Sendable {
    /// 1 + the number of primitive polynomials of degree 1...19.
    public static let maxDimensions = 48795
    /// Points per sequence (32-bit construction).
    public static let maxPoints: UInt64 = 1 << 32

    public let dimensions: Int
    /// Scrambling seed; `nil` for the unscrambled sequence.
    public let seed: UInt64?
    /// Index of the next point to be returned.
    @inlinable public var index: UInt64 { position }
    @usableFromInline var position: UInt64 = 0

    /// Direction numbers, bit-major: `directions[k * dimensions + d]` is `v_k` of dimension `d`, bit-reversed
    /// (so the scrambling hash, which works on reversed bits, needs no reversal per point).
    @usableFromInline let directions: [UInt32]
    /// The current (unscrambled, bit-reversed) point.
    @usableFromInline var state: [UInt32]
    @usableFromInline let scrambleSeeds: [UInt32]

    public init(dimensions: Int, seed: UInt64?) throws {
        guard dimensions >= 1 && dimensions <= Self.maxDimensions else {
            throw SobolError(
                "Sobol sequence: \(dimensions) dimensions requested; supported are 1...\(Self.maxDimensions) (primitive polynomials up to degree 19)"
            )
        }
        self.dimensions = dimensions
        self.seed = seed
        let polys = SobolPolynomials.first(dimensions - 1)
        var dirs = [UInt32](repeating: 0, count: 32 * dimensions)
        for d in 0..<dimensions {
            let v = Self.directionNumbers(dimension: d, polynomial: d == 0 ? nil : polys[d - 1])
            for k in 0..<32 { dirs[k * dimensions + d] = Self.reverse(v[k]) }
        }
        directions = dirs
        state = [UInt32](repeating: 0, count: dimensions)
        if let seed {
            let key = NoiseKey(seed: seed, step: 0, layer: 0, stream: .qmcScramble)
            let gen = key.generator
            scrambleSeeds = (0..<dimensions).map { d in gen.block(key.counter(row: 0, block: UInt32(d >> 2)))[d & 3] }
        } else {
            scrambleSeeds = []
        }
    }

    /// The 32 direction numbers `v_k = m_k << (31 - k)` (k = 0...31) of dimension `d` (0-based).
    static func directionNumbers(dimension d: Int, polynomial: UInt32?) -> [UInt32] {
        var m = [UInt64](repeating: 1, count: 32)  // m_1 ... m_32 stored at 0...31
        if let p = polynomial {
            let s = 31 - p.leadingZeroBitCount
            // Initial values: random odd m_k < 2^k, from a fixed key ("Sobol" in ASCII) and counter (d, k).
            let fixed = Philox4x32(seed: 0x536F_626F_6C)
            for k in 1...s {
                let w = fixed.block(SIMD4(UInt32(d), UInt32(k), 0x5359_4D31, 0))[0]
                m[k - 1] = UInt64(w >> UInt32(32 - k)) | 1
            }
            if s < 32 {
                for k in (s + 1)...32 {
                    var mk = m[k - 1 - s] ^ (m[k - 1 - s] << UInt64(s))
                    for i in 1..<s where (p >> UInt32(s - i)) & 1 == 1 {
                        mk ^= m[k - 1 - i] << UInt64(i)
                    }
                    m[k - 1] = mk
                }
            }
        }
        return (0..<32).map { k in UInt32(truncatingIfNeeded: m[k] << UInt64(31 - k)) }
    }

    @inlinable @inline(__always)
    static func reverse(_ x: UInt32) -> UInt32 {
        var v = x
        v = ((v >> 1) & 0x5555_5555) | ((v & 0x5555_5555) << 1)
        v = ((v >> 2) & 0x3333_3333) | ((v & 0x3333_3333) << 2)
        v = ((v >> 4) & 0x0F0F_0F0F) | ((v & 0x0F0F_0F0F) << 4)
        v = ((v >> 8) & 0x00FF_00FF) | ((v & 0x00FF_00FF) << 8)
        return (v >> 16) | (v << 16)
    }

    /// Burley's hash-based Owen scramble on bit-reversed input (a nested scramble: bit k depends on bits < k).
    @inlinable @inline(__always)
    static func scramble(reversed x: UInt32, seed: UInt32) -> UInt32 {
        var v = x
        v ^= v &* 0x3D20_ADEA
        v &+= seed
        v &*= (seed >> 16) | 1
        v ^= v &* 0x0552_6C56
        v ^= v &* 0x53A2_2864
        return v
    }

    /// Moves to point `n` (0-based) directly: the Gray code of `n` selects the direction numbers.
    public mutating func skip(to n: UInt64) throws {
        guard n <= Self.maxPoints else {
            throw SobolError(
                "Sobol sequence: index \(n) is beyond the \(Self.maxPoints) points of the 32-bit construction")
        }
        position = n
        let gray = n ^ (n >> 1)
        let dims = dimensions
        directions.withUnsafeBufferPointer { v in
            state.withUnsafeMutableBufferPointer { x in
                for d in 0..<dims { x[d] = 0 }
                for k in 0..<32 where (gray >> UInt64(k)) & 1 == 1 {
                    for d in 0..<dims { x[d] ^= v[k &* dims &+ d] }
                }
            }
        }
    }

    /// The current point's 32-bit digits (scrambled when seeded), most significant digit first, then advances.
    @inlinable @inline(__always)
    mutating func nextDigits(_ body: (Int, UInt32) -> Void) throws {
        guard index < Self.maxPoints else {
            throw SobolError("Sobol sequence: all \(Self.maxPoints) points of the 32-bit construction are used")
        }
        let dims = dimensions
        let k = (~index).trailingZeroBitCount
        let scrambled = seed != nil
        directions.withUnsafeBufferPointer { v in
            scrambleSeeds.withUnsafeBufferPointer { seeds in
                state.withUnsafeMutableBufferPointer { x in
                    let row = k < 32 ? k &* dims : 0
                    for d in 0..<dims {
                        let r = x[d]
                        body(d, Self.reverse(scrambled ? Self.scramble(reversed: r, seed: seeds[d]) : r))
                        if k < 32 { x[d] = r ^ v[row &+ d] }
                    }
                }
            }
        }
        position &+= 1
    }

    /// The next point as uniforms in (0, 1): `(digits + 0.5) / 2^32` rounded to Float (never exactly 0 or 1).
    @inlinable
    public mutating func next(into out: UnsafeMutableBufferPointer<Float>) throws {
        precondition(out.count == dimensions, "buffer holds \(out.count) values, expected \(dimensions)")
        let base = out.baseAddress!
        try nextDigits { d, x in base[d] = Float((Double(x) + 0.5) * 0x1p-32) }
    }

    /// The next point as uniforms in (0, 1) in double precision.
    @inlinable
    public mutating func next(into out: UnsafeMutableBufferPointer<Double>) throws {
        precondition(out.count == dimensions, "buffer holds \(out.count) values, expected \(dimensions)")
        let base = out.baseAddress!
        try nextDigits { d, x in base[d] = (Double(x) + 0.5) * 0x1p-32 }
    }

    /// The next point mapped to standard normals by the inverse CDF (`GaussianQuantile.standardNormal`, AS241
    /// `PPND7` in single precision, within 4e-7 of the double-precision quantile), one per dimension. For antithetic
    /// pairs the caller negates the result.
    @inlinable @inline(__always)
    public mutating func nextGaussian(into out: UnsafeMutableBufferPointer<Float>) throws {
        precondition(out.count == dimensions, "buffer holds \(out.count) values, expected \(dimensions)")
        let base = out.baseAddress!
        try nextDigits { d, x in base[d] = GaussianQuantile.standardNormal(digits: x) }
    }

    /// `rows` consecutive points as Gaussians, row-major (`rows * dimensions` values), on all cores: blocks of rows
    /// (boundaries fixed by the sizes) each start from their own `skip(to:)`, so the values do not depend on the
    /// thread count.
    public mutating func nextGaussian(rows: Int, into out: UnsafeMutableBufferPointer<Float>) throws {
        precondition(
            out.count == rows * dimensions, "buffer holds \(out.count) values, expected \(rows) x \(dimensions)")
        guard rows > 0 else { return }
        let first = index
        guard UInt64(rows) <= Self.maxPoints - first else {
            throw SobolError(
                "Sobol sequence: \(rows) more points requested at index \(first); the 32-bit construction has \(Self.maxPoints)"
            )
        }
        let dims = dimensions
        // At least 2^18 values per block, so the 32 x dims XORs of each block's skip stay a small overhead.
        let grain = max(1, (1 << 18) / dims)
        if rows <= grain {
            for r in 0..<rows {
                try nextGaussian(into: UnsafeMutableBufferPointer(rebasing: out[(r * dims)..<((r + 1) * dims)]))
            }
            return
        }
        let start = self
        let base = out.baseAddress!
        Parallel.forRanges(count: rows, grain: grain) { range in
            var local = start
            // Cannot fail: the whole request was checked against maxPoints above.
            try? local.skip(to: first + UInt64(range.lowerBound))
            for r in range {
                try? local.nextGaussian(into: UnsafeMutableBufferPointer(start: base + r * dims, count: dims))
            }
        }
        try skip(to: first + UInt64(rows))
    }
}

/// A Sobol' sequence request that cannot be met; `description` is the one-line message.
public struct SobolError: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
