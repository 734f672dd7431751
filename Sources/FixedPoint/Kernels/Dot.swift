extension FixedMAC {
    /// One dot product through the datapath: the sum over t < count of a[t * strideA] * b[t * strideB], with rounding
    /// and overflow at the configured points, starting from the accumulator value `start` (0, or a preloaded bias).
    /// Returns the raw accumulator before write-back; `dot` also writes back.
    ///
    /// Storage elements hold raw values in their low bits (see `FixedFormat.raw(fromBits:)`). `index` numbers this
    /// dot product within a kernel call and selects its stochastic-rounding words (see `FixedMAC`).
    @inlinable
    public func accumulateDot<S: FixedWidthInteger, T: FixedWidthInteger>(
        _ a: UnsafePointer<S>, strideA: Int, _ b: UnsafePointer<T>, strideB: Int, count: Int,
        start: Int128 = 0, stochastic: StochasticStream = .default, index: Int = 0
    ) -> Int128 {
        if let acc = accumulateDotFast(a, strideA: strideA, b, strideB: strideB, count: count, start: start) {
            return acc
        }
        let fa = self.a, fb = self.b
        if sumWrapsModularly || sumIsExact(terms: count, start: start) {
            // Order-independent: a wrapping 128-bit sum is exact modulo 2^128, then one rounding-free requantization.
            var s: Int128 = 0
            var ia = 0, ib = 0
            for _ in 0..<count {
                let x = fa.raw(fromBits: Int64(truncatingIfNeeded: a[ia]))
                let y = fb.raw(fromBits: Int64(truncatingIfNeeded: b[ib]))
                s = s &+ (x &* y)
                ia &+= strideA; ib &+= strideB
            }
            return finishExactSum(s, start: start)
        }
        return accumulateDotStepByStep(
            a, strideA: strideA, b, strideB: strideB, count: count, start: start,
            stochastic: stochastic, index: index)
    }

    /// The Int64 fast path of `accumulateDot` (see `FastDotPlan`), or nil when it cannot prove its result equal to the
    /// step-by-step datapath's for these terms and this start value.
    @inlinable
    public func accumulateDotFast<S: FixedWidthInteger, T: FixedWidthInteger>(
        _ a: UnsafePointer<S>, strideA: Int, _ b: UnsafePointer<T>, strideB: Int, count: Int, start: Int128 = 0
    ) -> Int128? {
        guard count > 0, let plan = fastDot else { return nil }
        return plan.accumulate(a, strideA, b, strideB, count, start: start)
    }

    /// The general path of `accumulateDot`: every product and every accumulate rounded in turn, exactly as the hardware
    /// does. The fast paths must equal it bit for bit (tests compare them).
    @inlinable
    public func accumulateDotStepByStep<S: FixedWidthInteger, T: FixedWidthInteger>(
        _ a: UnsafePointer<S>, strideA: Int, _ b: UnsafePointer<T>, strideB: Int, count: Int,
        start: Int128 = 0, stochastic: StochasticStream = .default, index: Int = 0
    ) -> Int128 {
        let fa = self.a, fb = self.b
        let random = config.product.rounding == .stochastic || config.accumulator.rounding == .stochastic
        let base = index &* (2 &* count &+ 1)
        var acc = start
        var ia = 0, ib = 0
        for t in 0..<count {
            let x = fa.raw(fromBits: Int64(truncatingIfNeeded: a[ia]))
            let y = fb.raw(fromBits: Int64(truncatingIfNeeded: b[ib]))
            let r0: UInt32 = random ? stochastic.word(base &+ 2 &* t) : 0
            let r1: UInt32 = random ? stochastic.word(base &+ 2 &* t &+ 1) : 0
            acc = accumulate(acc, product(x, y, random: r0), random: r1)
            ia &+= strideA; ib &+= strideB
        }
        return acc
    }

    /// Turns a wrapping sum of exact products (in exact-product units) plus a start value into the accumulator.
    /// Valid only when `sumWrapsModularly` or `sumIsExact` holds for the terms summed.
    @inlinable
    public func finishExactSum(_ s: Int128, start: Int128) -> Int128 {
        let shift = config.accumulator.format.fracBits &- exactProduct.fracBits
        let scaled: UInt128 = shift < 128 ? UInt128(truncatingIfNeeded: s) << shift : 0
        let total = scaled &+ UInt128(truncatingIfNeeded: start)
        if sumWrapsModularly { return FixedArithmetic.wrap(total, format: config.accumulator.format) }
        return Int128(truncatingIfNeeded: total)
    }

    /// The stochastic word index of the write-back of dot product `index` with `count` terms.
    @inlinable
    public func writeBackWordIndex(index: Int, count: Int) -> Int {
        index &* (2 &* count &+ 1) &+ 2 &* count
    }

    /// A full dot product, written back into the output format.
    @inlinable
    public func dot<S: FixedWidthInteger, T: FixedWidthInteger>(
        _ a: UnsafeBufferPointer<S>, _ b: UnsafeBufferPointer<T>, stochastic: StochasticStream = .default,
        index: Int = 0
    ) throws -> Int128 {
        guard a.count == b.count else {
            throw FixedPointError(
                .shapeMismatch, "dot product: operands have \(a.count) and \(b.count) elements; expected equal lengths")
        }
        guard let pa = a.baseAddress, let pb = b.baseAddress else { return writeBack(0) }
        let acc = accumulateDot(pa, strideA: 1, pb, strideB: 1, count: a.count, stochastic: stochastic, index: index)
        let r: UInt32 =
            config.output.rounding == .stochastic
            ? stochastic.word(writeBackWordIndex(index: index, count: a.count)) : 0
        return writeBack(acc, random: r)
    }
}
