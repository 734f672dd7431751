/// Where a multiply-accumulate datapath rounds and saturates: each product into `product` (per product), each running
/// sum into `accumulator` (per accumulate), the final sum into `output` (at write-back).
///
/// A stage that should be exact gets a format wide enough: `FixedFormat.exactProduct(a, b)` for products, and an
/// accumulator with at least the product's fraction bits and `AccumulatorBound.minimumWidth` bits.
/// TOML form: `{ product = {...}, accumulator = {...}, output = {...} }` with `FixedConfig` tables.
public struct MACConfig: Hashable, Sendable, Codable {
    public var product: FixedConfig
    public var accumulator: FixedConfig
    public var output: FixedConfig

    public init(product: FixedConfig, accumulator: FixedConfig, output: FixedConfig) {
        self.product = product
        self.accumulator = accumulator
        self.output = output
    }
}

/// A validated MAC datapath for operands in formats `a` and `b`: every intermediate is known to fit the 128-bit fast
/// path, so the hot loops need no checks.
///
/// Stochastic rounding words for dot product number `index` with `n` terms come from one `StochasticStream`:
/// base = index * (2n + 1); term t's product uses word base + 2t, its accumulate base + 2t + 1, the write-back base + 2n.
public struct FixedMAC: Sendable, Hashable {
    public let a: FixedFormat
    public let b: FixedFormat
    public let config: MACConfig
    /// The format of a * b before product rounding.
    public let exactProduct: FixedFormat
    /// Fraction bits of the aligned accumulator + product sum.
    @usableFromInline let sumFrac: Int
    @usableFromInline let accShift: Int
    @usableFromInline let prodShift: Int
    /// True when no product can be rounded or overflow (the product format holds every exact product).
    public let productIsExact: Bool
    /// True when adding a product to the accumulator never rounds (accumulator fraction bits >= product's).
    public let accumulateIsUnrounded: Bool
    /// Extreme exact products, as raw values in the accumulator's scale when `productIsExact` (for overflow bounds).
    @usableFromInline let productMin: Int128
    @usableFromInline let productMax: Int128
    /// The Int64 dot-product plan, when this datapath admits one (see `FastDotPlan`).
    @usableFromInline let fastDot: FastDotPlan?

    public init(a: FixedFormat, b: FixedFormat, config: MACConfig) throws {
        self.a = a
        self.b = b
        self.config = config
        exactProduct = try FixedFormat.exactProduct(a, b)
        let sum = try FixedFormat.exactSum(config.accumulator.format, config.product.format)
        sumFrac = sum.fracBits
        accShift = sum.fracBits - config.accumulator.format.fracBits
        prodShift = sum.fracBits - config.product.format.fracBits
        let extremes = [a.rawMin &* b.rawMin, a.rawMin &* b.rawMax, a.rawMax &* b.rawMin, a.rawMax &* b.rawMax]
        let ef = exactProduct.fracBits
        productIsExact = extremes.allSatisfy {
            FixedMAC.exactlyRepresentable($0, fracBits: ef, in: config.product.format)
        }
        accumulateIsUnrounded = accShift == 0
        // The extremes in accumulator units (only meaningful when products are exact and sums unrounded).
        let toAcc = config.accumulator.format.fracBits - ef
        if productIsExact && accumulateIsUnrounded && toAcc <= 126 {
            productMin = FixedMAC.scaled(extremes.min() ?? 0, toAcc)
            productMax = FixedMAC.scaled(extremes.max() ?? 0, toAcc)
        } else {
            productMin = Int128.min
            productMax = Int128.max
        }
        fastDot = FastDotPlan(a: a, b: b, exactProduct: exactProduct, config: config)
    }

    /// Whether `accumulateDot` may take the Int64 fast path (for some term counts and start values).
    public var hasFastDotPath: Bool { fastDot != nil }

    /// Whether the fast path can run in Int32 lanes (packed GEMM, when the sum of the terms also fits).
    public var hasInt32FastDotPath: Bool { fastDot?.lanes32 != nil }

    /// Whether v * 2^-fracBits is a value of `format` (on its grid and in its range).
    static func exactlyRepresentable(_ v: Int128, fracBits: Int, in format: FixedFormat) -> Bool {
        let s = format.fracBits - fracBits
        if s >= 0 {
            if v == 0 { return true }
            guard s <= 126, v >= (Int128.min >> s), v <= (Int128.max >> s) else { return false }
            return format.contains(raw: v << s)
        }
        let d = 0 - s
        if d >= 127 { return v == 0 }
        guard v & ((Int128(1) << d) - 1) == 0 else { return false }
        return format.contains(raw: v >> d)
    }

    /// v * 2^s saturated to Int128 (s >= 0), used only for overflow bounds.
    static func scaled(_ v: Int128, _ s: Int) -> Int128 {
        if v == 0 || s <= 0 { return v }
        if v > (Int128.max >> s) { return Int128.max }
        if v < (Int128.min >> s) { return Int128.min }
        return v << s
    }

    /// a * b rounded into the product format.
    @inlinable @inline(__always)
    public func product(_ x: Int128, _ y: Int128, random: UInt32 = 0) -> Int128 {
        FixedArithmetic.quantize(x &* y, fracBits: exactProduct.fracBits, into: config.product, random: random)
    }

    /// acc + p (accumulator and product raw values) rounded into the accumulator format.
    @inlinable @inline(__always)
    public func accumulate(_ acc: Int128, _ p: Int128, random: UInt32 = 0) -> Int128 {
        let x = (acc << accShift) &+ (p << prodShift)
        return FixedArithmetic.quantize(x, fracBits: sumFrac, into: config.accumulator, random: random)
    }

    /// The accumulator rounded into the output format.
    @inlinable @inline(__always)
    public func writeBack(_ acc: Int128, random: UInt32 = 0) -> Int128 {
        FixedArithmetic.quantize(acc, fracBits: config.accumulator.format.fracBits, into: config.output, random: random)
    }

    /// A bias (raw in `format`) loaded into the accumulator before the first product (accumulator rounding applies).
    @inlinable
    public func preload(_ bias: Int128, format: FixedFormat, random: UInt32 = 0) -> Int128 {
        FixedArithmetic.quantize(bias, fracBits: format.fracBits, into: config.accumulator, random: random)
    }

    /// Whether `terms` exact products can be summed with no rounding and no overflow, so the order-independent fast
    /// sum equals the step-by-step datapath for every overflow mode (starting from an accumulator value `start`).
    @inlinable
    public func sumIsExact(terms: Int, start: Int128 = 0) -> Bool {
        guard productIsExact && accumulateIsUnrounded, productMax != Int128.max, productMin != Int128.min else {
            return false
        }
        let n = Int128(terms)
        let (hi, o1) = productMax.multipliedReportingOverflow(by: n)
        let (lo, o2) = productMin.multipliedReportingOverflow(by: n)
        if o1 || o2 { return false }
        let acc = config.accumulator.format
        let hiSum = start.addingReportingOverflow(max(hi, 0))
        let loSum = start.addingReportingOverflow(min(lo, 0))
        if hiSum.overflow || loSum.overflow { return false }
        let minAcc = config.accumulator.lowestKept
        return hiSum.partialValue <= acc.rawMax && loSum.partialValue >= minAcc
    }

    /// Whether the sum may be formed with wrapping arithmetic and wrapped once at the end (WRAP accumulator, exact
    /// products, unrounded accumulation: wrapping is modular, so the order of wrapping does not matter).
    @inlinable
    public var sumWrapsModularly: Bool {
        productIsExact && accumulateIsUnrounded && config.accumulator.overflow == .wrap
    }
}
