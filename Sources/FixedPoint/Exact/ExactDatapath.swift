/// Exact models of the datapath semantics: the same sequence of roundings and overflows as the hardware, but every
/// step computed on rationals and rounded by `ExactReference.round`.
extension ExactReference {
    /// The exact sum of rationals.
    public static func sum(_ xs: [Rational]) -> Rational {
        let s = Rational(0)
        for x in xs { s.formSum(x) }
        return s
    }

    /// The exact dot product.
    public static func dot(_ a: [Rational], _ b: [Rational]) throws -> Rational {
        guard a.count == b.count else {
            throw FixedPointError(
                .shapeMismatch, "dot product: operands have \(a.count) and \(b.count) elements; expected equal lengths")
        }
        let s = Rational(0)
        for i in a.indices { s.formSum(a[i] * b[i]) }
        return s
    }

    /// What the MAC datapath computes for one dot product of raw operands, step by step: each product rounded into
    /// the product config, each sum into the accumulator config, then the write-back. `random(i)` supplies the
    /// stochastic word with index i, numbered as `FixedMAC` documents. Returns (accumulator, written-back output).
    public static func macDatapath(
        a: [Int128], b: [Int128], mac: FixedMAC, start: Int128 = 0,
        index: Int = 0, random: (Int) -> UInt32 = { _ in 0 }
    ) -> (accumulator: Int128, output: Int128) {
        let cfg = mac.config
        let n = a.count
        let base = index * (2 * n + 1)
        var acc = start
        for t in 0..<min(a.count, b.count) {
            let exactProduct = value(raw: a[t], format: mac.a) * value(raw: b[t], format: mac.b)
            let p = round(exactProduct, into: cfg.product, random: random(base + 2 * t))
            let s = value(raw: acc, format: cfg.accumulator.format) + value(raw: p, format: cfg.product.format)
            acc = round(s, into: cfg.accumulator, random: random(base + 2 * t + 1))
        }
        let out = round(value(raw: acc, format: cfg.accumulator.format), into: cfg.output, random: random(base + 2 * n))
        return (acc, out)
    }

    /// The exact dot product of raw operands (no rounding anywhere).
    public static func exactDot(a: [Int128], aFormat: FixedFormat, b: [Int128], bFormat: FixedFormat) -> Rational {
        let s = BigInt(0)
        for t in 0..<min(a.count, b.count) { s.formSumOfProduct(BigInt(a[t]), BigInt(b[t])) }
        let r = Rational(s)
        r.scale(byPowerOfTwo: -(aFormat.fracBits + bFormat.fracBits))
        return r
    }
}
